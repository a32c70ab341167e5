//! Labels of nodes in one language, for showing beside IRIs (`.lang` in the shell).

use crate::remote::{QuerySource, SourceError};
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use std::collections::HashMap;

/// The languages the gazetteer and concept schemes are labelled in, as the shell names them.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("zh", "zh-Hans"),
    ("zh-hant", "zh-Hant"),
    ("en", "en"),
    ("fr", "fr"),
    ("ja", "ja"),
    ("vi", "vi"),
];

/// The language tag for a name the user typed (`zh`, `zh-Hant`, `EN`, …).
pub fn language_tag(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    LANGUAGES
        .iter()
        .find(|(short, tag)| *short == name || tag.to_ascii_lowercase() == name)
        .map(|(_, tag)| *tag)
}

/// At most this many IRIs are looked up per result; the rest go without labels.
const MAX_LOOKUP: usize = 5000;

/// Labels in `tag` for the given IRIs: `rdfs:label`, else `skos:prefLabel`, else (for a pairing)
/// "helper → recipient" made of the regions' labels. IRIs without one are left out.
pub fn labels(
    source: &QuerySource<'_>,
    iris: &[&str],
    tag: &str,
) -> Result<HashMap<String, String>, SourceError> {
    let mut found = HashMap::new();
    if iris.is_empty() {
        return Ok(found);
    }
    let values: Vec<String> = iris
        .iter()
        .take(MAX_LOOKUP)
        .filter(|iri| !iri.contains(['<', '>', '"', ' ', '{', '}', '|', '\\', '^', '`']))
        .map(|iri| format!("<{iri}>"))
        .collect();
    let tag = tag.replace('"', "");
    let query = format!(
        "SELECT ?s ?l ?rank WHERE {{
           VALUES ?s {{ {values} }}
           {{ ?s rdfs:label ?l BIND(0 AS ?rank) }}
           UNION {{ ?s skos:prefLabel ?l BIND(1 AS ?rank) }}
           UNION {{ ?s xz:helper/rdfs:label ?h ; xz:recipient/rdfs:label ?r .
                   FILTER(langMatches(lang(?h), \"{tag}\") && langMatches(lang(?r), \"{tag}\"))
                   BIND(STRLANG(CONCAT(?h, \" → \", ?r), \"{tag}\") AS ?l) BIND(2 AS ?rank) }}
           FILTER(langMatches(lang(?l), \"{tag}\"))
         }}",
        values = values.join(" ")
    );
    let mut best: HashMap<String, (i64, String)> = HashMap::new();
    if let QueryResults::Solutions(solutions) = source.query(&query)? {
        for solution in solutions {
            let solution = solution?;
            let (Some(Term::NamedNode(s)), Some(Term::Literal(l)), Some(Term::Literal(rank))) =
                (solution.get("s"), solution.get("l"), solution.get("rank"))
            else {
                continue;
            };
            let rank: i64 = rank.value().parse().unwrap_or(9);
            let entry = best
                .entry(s.as_str().to_owned())
                .or_insert((rank, l.value().to_owned()));
            // The preferred kind of label wins; among equals, the first in sort order (stable).
            if (rank, l.value()) < (entry.0, entry.1.as_str()) {
                *entry = (rank, l.value().to_owned());
            }
        }
    }
    found.extend(best.into_iter().map(|(iri, (_, label))| (iri, label)));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_names() {
        assert_eq!(language_tag("zh"), Some("zh-Hans"));
        assert_eq!(language_tag("ZH-HANT"), Some("zh-Hant"));
        assert_eq!(language_tag("vi"), Some("vi"));
        assert_eq!(language_tag("de"), None);
    }
}
