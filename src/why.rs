//! The sentences behind a node: for a pairing or an outcome, every evidence node it was derived
//! from, with its document, character span, language, rule and quote. Used by the shell's `.why`
//! and by `xiezuo why`.

use crate::remote::{QuerySource, SourceError};
use crate::results::compact_iri;
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// One sentence that states a fact about the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRow {
    /// IRI of the evidence node.
    pub evidence: String,
    /// Source file name of the document.
    pub file: String,
    /// Character offsets into the original text (end exclusive).
    pub start: Option<u64>,
    pub end: Option<u64>,
    /// Language of the sentence (`ja`, `zh-Hans`, …).
    pub language: String,
    /// The extraction rule that read the fact.
    pub rule: String,
    /// The sentence exactly as in the text.
    pub quote: String,
}

/// A node that takes part in pairings (a region): the pairings and how many sentences each has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedPairing {
    pub pairing: String,
    pub label: Option<String>,
    pub sentences: u64,
}

/// Evidence of `iri`: the nodes it was derived from (`prov:wasDerivedFrom`), or the node itself
/// if it is an evidence node. Sorted by file, then position.
pub fn evidence(source: &QuerySource<'_>, iri: &str) -> Result<Vec<EvidenceRow>, SourceError> {
    let node = sparql_iri(iri);
    let query = format!(
        "SELECT DISTINCT ?e ?file ?start ?end ?lang ?rule ?quote WHERE {{
           {{ {node} prov:wasDerivedFrom ?e }} UNION {{ {node} a xz:Evidence BIND({node} AS ?e) }}
           ?e xz:document ?doc .
           OPTIONAL {{ ?doc xz:sourceFile ?file }}
           OPTIONAL {{ ?e xz:start ?start }}
           OPTIONAL {{ ?e xz:end ?end }}
           OPTIONAL {{ ?e dct:language ?lang }}
           OPTIONAL {{ ?e xz:rule ?rule }}
           OPTIONAL {{ ?e xz:quote ?quote }}
         }} ORDER BY ?file ?start ?e"
    );
    let mut rows = Vec::new();
    if let QueryResults::Solutions(solutions) = source.query(&query)? {
        for solution in solutions {
            let solution = solution?;
            let text = |v: &str| match solution.get(v) {
                Some(Term::Literal(l)) => l.value().to_owned(),
                Some(Term::NamedNode(n)) => n.as_str().to_owned(),
                _ => String::new(),
            };
            let number = |v: &str| text(v).parse::<u64>().ok();
            rows.push(EvidenceRow {
                evidence: text("e"),
                file: text("file"),
                start: number("start"),
                end: number("end"),
                language: text("lang"),
                rule: text("rule"),
                quote: text("quote"),
            });
        }
    }
    Ok(rows)
}

/// Pairings in which `iri` is the helper or the recipient, with their label in `lang` (a BCP 47
/// tag) and their number of sentences.
pub fn related_pairings(
    source: &QuerySource<'_>,
    iri: &str,
    lang: &str,
) -> Result<Vec<RelatedPairing>, SourceError> {
    let node = sparql_iri(iri);
    let lang = lang.replace('"', "");
    let query = format!(
        "SELECT ?p (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?e) AS ?n) WHERE {{
           {{ ?p xz:helper {node} }} UNION {{ ?p xz:recipient {node} }}
           ?p a xz:Pairing .
           OPTIONAL {{ ?p prov:wasDerivedFrom ?e }}
           OPTIONAL {{ ?p rdfs:label ?l FILTER(langMatches(lang(?l), \"{lang}\")) }}
         }} GROUP BY ?p ORDER BY ?p"
    );
    let mut related = Vec::new();
    if let QueryResults::Solutions(solutions) = source.query(&query)? {
        for solution in solutions {
            let solution = solution?;
            let Some(Term::NamedNode(p)) = solution.get("p") else {
                continue;
            };
            related.push(RelatedPairing {
                pairing: p.as_str().to_owned(),
                label: match solution.get("label") {
                    Some(Term::Literal(l)) => Some(l.value().to_owned()),
                    _ => None,
                },
                sentences: match solution.get("n") {
                    Some(Term::Literal(l)) => l.value().parse().unwrap_or(0),
                    _ => 0,
                },
            });
        }
    }
    Ok(related)
}

/// True if the store says anything about `iri` (as subject or object).
pub fn is_known(source: &QuerySource<'_>, iri: &str) -> Result<bool, SourceError> {
    let node = sparql_iri(iri);
    let query = format!("ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}");
    Ok(matches!(source.query(&query)?, QueryResults::Boolean(true)))
}

/// `<iri>` for a query; characters that cannot be in an IRI reference are percent-encoded so
/// that a hostile argument cannot change the query.
fn sparql_iri(iri: &str) -> String {
    let mut out = String::from("<");
    for c in iri.chars() {
        if c.is_control() || c == ' ' || "<>\"{}|^`\\".contains(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out.push('>');
    out
}

/// The evidence as text for a terminal `width` columns wide (None: no wrapping):
///
/// ```text
/// pairing:350000-640000 福建省 → 宁夏回族自治区: 9 sentences in 5 documents
///
///   1. 000_14eb7ade860a9bc8.txt, characters 792–909 (ja, rule clause+symmetric-cue)
///      福建省と寧夏回族自治区は…
/// ```
pub fn render(
    iri: &str,
    label: Option<&str>,
    rows: &[EvidenceRow],
    width: Option<usize>,
) -> String {
    let mut documents: Vec<&str> = rows.iter().map(|r| r.file.as_str()).collect();
    documents.sort_unstable();
    documents.dedup();
    let mut out = compact_iri(iri);
    if let Some(label) = label {
        out.push(' ');
        out.push_str(label);
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    out.push_str(&format!(
        ": {} in {}\n",
        plural(rows.len(), "sentence", "sentences"),
        plural(documents.len(), "document", "documents")
    ));
    let number_width = rows.len().to_string().len();
    for (i, row) in rows.iter().enumerate() {
        let span = match (row.start, row.end) {
            (Some(s), Some(e)) => format!(", characters {s}–{e}"),
            _ => String::new(),
        };
        let mut about = Vec::new();
        if !row.language.is_empty() {
            about.push(row.language.clone());
        }
        if !row.rule.is_empty() {
            about.push(format!("rule {}", row.rule));
        }
        let about = if about.is_empty() {
            String::new()
        } else {
            format!(" ({})", about.join(", "))
        };
        out.push_str(&format!(
            "\n  {:>number_width$}. {}{span}{about}\n",
            i + 1,
            row.file
        ));
        let indent = " ".repeat(number_width + 4);
        let text_width = width.map(|w| w.saturating_sub(indent.len()).max(20));
        for line in wrap(&row.quote, text_width) {
            out.push_str(&indent);
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Breaks `text` into lines of at most `width` display columns: at spaces for text with spaces,
/// anywhere for Chinese and Japanese.
fn wrap(text: &str, width: Option<usize>) -> Vec<String> {
    let Some(width) = width else {
        return vec![text.to_owned()];
    };
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0;
    let mut last_space: Option<usize> = None;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if line_width + w > width {
            match last_space {
                Some(at) if at > 0 => {
                    let rest = line.split_off(at);
                    lines.push(line.trim_end().to_owned());
                    line = rest.trim_start().to_owned();
                }
                _ => lines.push(std::mem::take(&mut line)),
            }
            line_width = line.width();
            last_space = None;
        }
        if c == ' ' {
            last_space = Some(line.len());
        }
        line.push(c);
        line_width += w;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_wrap_by_display_width() {
        let lines = wrap("福建省与宁夏回族自治区开展对口帮扶", Some(10));
        assert!(lines.iter().all(|l| l.width() <= 10), "{lines:?}");
        assert_eq!(lines.concat(), "福建省与宁夏回族自治区开展对口帮扶");
        let lines = wrap("Fujian has helped Ningxia since 1996", Some(12));
        assert_eq!(lines, vec!["Fujian has", "helped", "Ningxia", "since 1996"]);
    }

    #[test]
    fn rendering_names_file_span_language_and_rule() {
        let rows = vec![EvidenceRow {
            evidence: "https://w3id.org/xiezuo/id/evidence/a.txt/1-5/r".into(),
            file: "a.txt".into(),
            start: Some(1),
            end: Some(5),
            language: "ja".into(),
            rule: "clause+cue".into(),
            quote: "福建省と寧夏".into(),
        }];
        let text = render(
            "https://w3id.org/xiezuo/id/pairing/350000-640000",
            Some("福建省 → 宁夏回族自治区"),
            &rows,
            Some(80),
        );
        assert!(
            text.starts_with(
                "pairing:350000-640000 福建省 → 宁夏回族自治区: 1 sentence in 1 document"
            ),
            "{text}"
        );
        assert!(
            text.contains("1. a.txt, characters 1–5 (ja, rule clause+cue)"),
            "{text}"
        );
        assert!(text.contains("     福建省と寧夏"), "{text}");
    }

    #[test]
    fn arguments_cannot_break_out_of_the_iri() {
        assert_eq!(
            sparql_iri("http://x/a> } DROP ALL"),
            "<http://x/a%3E%20%7D%20DROP%20ALL>"
        );
    }
}
