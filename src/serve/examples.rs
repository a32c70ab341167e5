//! Example queries for the page at `/` and the benchmark. The shell's `.examples` (issue 4) will
//! share one list with these.
//!
//! They use the prefixes every xiezuo query has declared (xz:, reg:, rdfs:, skos:, prov:, dct:…);
//! `xiezuo query --endpoint` declares them for other servers too. Each is written to give the same
//! rows on a server whose default graph is the union of the pushed graphs (GraphDB, Virtuoso, Oxigraph
//! with `--union-default-graph`): `DISTINCT` or `GROUP BY` where a fact is stated by several documents.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Example {
    /// A short name, for the benchmark and `.examples`.
    pub name: &'static str,
    /// The question it answers.
    pub title: &'static str,
    pub query: &'static str,
}

pub const EXAMPLES: &[Example] = &[
    Example {
        name: "pairings",
        title: "Which eastern regions help which western ones, and since when?",
        query: r#"SELECT ?helper ?recipient (MIN(STR(?y)) AS ?since) WHERE {
  ?p a xz:Pairing ; xz:helper ?h ; xz:recipient ?r .
  ?h rdfs:label ?helper . ?r rdfs:label ?recipient .
  FILTER(langMatches(lang(?helper), "en") && langMatches(lang(?recipient), "en"))
  OPTIONAL { ?p xz:since ?y }
} GROUP BY ?helper ?recipient ORDER BY ?since ?helper ?recipient"#,
    },
    Example {
        name: "fujian",
        title: "Every pairing of Fujian (福建省), with the partner's name",
        query: r#"SELECT DISTINCT ?pairing ?role ?partner WHERE {
  { ?pairing xz:helper reg:350000 ; xz:recipient ?other . BIND("helps" AS ?role) }
  UNION
  { ?pairing xz:recipient reg:350000 ; xz:helper ?other . BIND("is helped by" AS ?role) }
  ?other rdfs:label ?partner . FILTER(langMatches(lang(?partner), "zh-Hans"))
} ORDER BY ?pairing"#,
    },
    Example {
        name: "models",
        title: "Which cooperation model does each pairing use?",
        query: r#"SELECT DISTINCT ?pairing ?model WHERE {
  ?p xz:model ?m ; rdfs:label ?pairing . ?m skos:prefLabel ?model .
  FILTER(langMatches(lang(?pairing), "zh-Hans") && langMatches(lang(?model), "zh-Hans"))
} ORDER BY ?pairing ?model"#,
    },
    Example {
        name: "evidence",
        title: "Where do the texts say that Fujian helps Ningxia?",
        query: r#"SELECT DISTINCT ?file ?lang ?start ?end ?quote WHERE {
  pairing:350000-640000 prov:wasDerivedFrom ?e .
  ?e xz:document/xz:sourceFile ?file ; dct:language ?lang ; xz:start ?start ; xz:end ?end ;
     xz:quote ?quote .
} ORDER BY ?file ?start"#,
    },
    Example {
        name: "region",
        title: "Look a region up by its name: 宁夏回族自治区",
        query: r#"SELECT ?region ?code ?en WHERE {
  ?region rdfs:label "宁夏回族自治区"@zh-Hans ; xz:adminCode ?code ; rdfs:label ?en .
  FILTER(langMatches(lang(?en), "en"))
}"#,
    },
];

/// The example called `name`.
pub fn example(name: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.name == name)
}
