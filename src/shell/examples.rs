//! Ten questions in plain words, each with its query (`.examples`, `.examples N`). They return
//! IRIs where a node is meant, so that `.lang` shows its label and `.why` can follow it.

pub struct Example {
    pub question: &'static str,
    pub query: &'static str,
}

pub const EXAMPLES: &[Example] = &[
    Example {
        question: "Which eastern regions help which western ones, and since when?",
        query: "SELECT ?helper ?recipient (MIN(STR(?y)) AS ?since) WHERE {
  ?p a xz:Pairing ; xz:helper ?helper ; xz:recipient ?recipient .
  OPTIONAL { ?p xz:since ?y }
} GROUP BY ?helper ?recipient ORDER BY ?since ?helper ?recipient",
    },
    Example {
        question: "Every pairing of Fujian, with its cities and counties, as helper or recipient",
        query: "SELECT ?pairing ?helper ?recipient WHERE {
  ?pairing a xz:Pairing ; xz:helper ?helper ; xz:recipient ?recipient .
  { ?helper xz:parent* reg:350000 } UNION { ?recipient xz:parent* reg:350000 }
} ORDER BY ?pairing",
    },
    Example {
        question: "Outcomes reported for Guangdong–Guangxi, by year",
        query: "SELECT ?year ?indicator ?value ?unit ?qualifier WHERE {
  ?o a xz:Outcome ; xz:pairing pairing:440000-450000 ; xz:value ?value .
  OPTIONAL { ?o xz:year ?year }
  OPTIONAL { ?o xz:indicator ?indicator }
  OPTIONAL { ?o xz:unit ?unit }
  OPTIONAL { ?o xz:qualifier ?qualifier }
} ORDER BY ?year ?indicator ?value",
    },
    Example {
        question: "Which cooperation models does each pairing use?",
        query: "SELECT ?pairing ?model WHERE {
  ?pairing a xz:Pairing ; xz:model ?model .
} ORDER BY ?pairing ?model",
    },
    Example {
        question: "Which documents state that Fujian helps Ningxia, and where?",
        query: "SELECT ?file ?lang ?start ?end ?rule WHERE {
  pairing:350000-640000 prov:wasDerivedFrom ?e .
  ?e xz:document/xz:sourceFile ?file ; dct:language ?lang ;
     xz:start ?start ; xz:end ?end ; xz:rule ?rule .
} ORDER BY ?file ?start",
    },
    Example {
        question: "In how many languages and documents is each pairing stated?",
        query: "SELECT ?pairing (COUNT(DISTINCT ?lang) AS ?languages) (COUNT(DISTINCT ?doc) AS ?documents)
       (GROUP_CONCAT(DISTINCT ?lang; separator=\" \") AS ?which) WHERE {
  ?pairing a xz:Pairing ; prov:wasDerivedFrom ?e .
  ?e dct:language ?lang ; xz:document ?doc .
} GROUP BY ?pairing ORDER BY DESC(?languages) ?pairing",
    },
    Example {
        question: "Which western provinces receive help, through which of their regions, from whom?",
        query: "SELECT ?province ?recipient ?helper WHERE {
  ?p a xz:Pairing ; xz:recipient ?recipient ; xz:helper ?helper .
  ?recipient xz:parent* ?province .
  FILTER EXISTS { ?province xz:level xz:ProvinceLevel }
} ORDER BY ?province ?recipient ?helper",
    },
    Example {
        question: "Which fields of cooperation and pillars of the framework are named for each pairing?",
        query: "SELECT ?pairing ?kind ?concept WHERE {
  ?pairing a xz:Pairing ; ?link ?concept .
  VALUES (?link ?kind) { (xz:field \"field\") (xz:pillar \"pillar\") }
} ORDER BY ?pairing ?kind ?concept",
    },
    Example {
        question: "Which pairings were adjusted, and in which year?",
        query: "SELECT ?pairing ?adjusted (MIN(STR(?y)) AS ?since) WHERE {
  ?pairing a xz:Pairing ; xz:adjustedIn ?adjusted .
  OPTIONAL { ?pairing xz:since ?y }
} GROUP BY ?pairing ?adjusted ORDER BY ?adjusted ?pairing",
    },
    Example {
        question: "What does each document hold: its languages, encoding and number of statements?",
        query: "SELECT ?file (GROUP_CONCAT(DISTINCT ?lang; separator=\" \") AS ?languages) ?encoding
       (COUNT(DISTINCT ?e) AS ?statements) WHERE {
  ?doc a xz:Document ; xz:sourceFile ?file ; dct:language ?lang ; xz:encoding ?encoding .
  OPTIONAL { ?e xz:document ?doc }
} GROUP BY ?file ?encoding ORDER BY ?file",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::GraphStore;

    #[test]
    fn there_are_ten_and_every_query_parses() {
        assert_eq!(EXAMPLES.len(), 10);
        for (i, e) in EXAMPLES.iter().enumerate() {
            assert!(
                GraphStore::evaluator().parse_query(e.query).is_ok(),
                "example {}: {}",
                i + 1,
                e.query
            );
            assert!(super::super::lexer::is_query(e.query));
        }
    }
}
