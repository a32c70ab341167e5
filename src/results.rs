//! Query results for people and for programs: aligned tables (CJK characters are two columns
//! wide), SPARQL 1.1 CSV, TSV, JSON and XML, and Turtle for graph results.

use crate::knowledge::PREFIXES;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Literal, Term, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryEvaluationError, QueryResults};
use std::io::Write;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for reading, with prefixed names.
    Table,
    /// SPARQL 1.1 Query Results CSV.
    Csv,
    /// SPARQL 1.1 Query Results TSV.
    Tsv,
    /// SPARQL 1.1 Query Results JSON.
    Json,
    /// SPARQL Query Results XML.
    Xml,
}

#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("query failed: {0}")]
    Evaluation(#[from] QueryEvaluationError),
    #[error("cannot write results: {0}")]
    Io(#[from] std::io::Error),
}

/// What was written, for the caller's summary line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Rows(usize),
    Boolean(bool),
    Triples(usize),
}

pub fn write(
    results: QueryResults<'_>,
    format: Format,
    out: &mut dyn Write,
) -> Result<Written, ResultsError> {
    match results {
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let standard = match format {
                Format::Table => None,
                Format::Csv => Some(QueryResultsFormat::Csv),
                Format::Tsv => Some(QueryResultsFormat::Tsv),
                Format::Json => Some(QueryResultsFormat::Json),
                Format::Xml => Some(QueryResultsFormat::Xml),
            };
            let mut rows = 0;
            if let Some(standard) = standard {
                let mut serializer = QueryResultsSerializer::from_format(standard)
                    .serialize_solutions_to_writer(&mut *out, variables)?;
                for solution in solutions {
                    serializer.serialize(&solution?)?;
                    rows += 1;
                }
                serializer.finish()?;
            } else {
                let header: Vec<String> = variables.iter().map(|v| v.as_str().to_owned()).collect();
                let mut table = Vec::new();
                for solution in solutions {
                    let solution = solution?;
                    table.push(
                        variables
                            .iter()
                            .map(|v| solution.get(v).map(display_term).unwrap_or_default())
                            .collect(),
                    );
                }
                rows = table.len();
                out.write_all(render_table(&header, &table).as_bytes())?;
            }
            Ok(Written::Rows(rows))
        }
        QueryResults::Boolean(value) => {
            match format {
                Format::Table => writeln!(out, "{value}")?,
                Format::Csv | Format::Tsv => writeln!(out, "{value}")?,
                Format::Json => {
                    QueryResultsSerializer::from_format(QueryResultsFormat::Json)
                        .serialize_boolean_to_writer(&mut *out, value)?;
                }
                Format::Xml => {
                    QueryResultsSerializer::from_format(QueryResultsFormat::Xml)
                        .serialize_boolean_to_writer(&mut *out, value)?;
                }
            }
            Ok(Written::Boolean(value))
        }
        QueryResults::Graph(triples) => {
            let mut collected = Vec::new();
            for t in triples {
                collected.push(t?);
            }
            collected.sort_by_cached_key(ToString::to_string);
            collected.dedup();
            write_turtle(&collected, out)?;
            Ok(Written::Triples(collected.len()))
        }
    }
}

/// Writes triples as Turtle with the ontology's prefixes.
pub fn write_turtle(triples: &[Triple], out: &mut dyn Write) -> std::io::Result<()> {
    let mut serializer = turtle_serializer(RdfFormat::Turtle).for_writer(out);
    for t in triples {
        serializer.serialize_triple(t)?;
    }
    serializer.finish()?;
    Ok(())
}

/// A serializer for `format` with the ontology's prefixes declared (where the format has them).
pub fn turtle_serializer(format: RdfFormat) -> RdfSerializer {
    let mut serializer = RdfSerializer::from_format(format);
    if matches!(
        format,
        RdfFormat::Turtle | RdfFormat::TriG | RdfFormat::RdfXml
    ) {
        for (prefix, iri) in PREFIXES {
            serializer = serializer
                .with_prefix(*prefix, *iri)
                .expect("built-in prefixes are valid");
        }
    }
    serializer
}

/// An IRI as a prefixed name where a declared prefix fits (escaping what SPARQL allows to be
/// escaped, so the name can be pasted back into a query), else `<iri>`.
pub fn compact_iri(iri: &str) -> String {
    for (prefix, namespace) in PREFIXES {
        if let Some(local) = iri.strip_prefix(namespace) {
            if let Some(local) = escape_local_name(local) {
                return format!("{prefix}:{local}");
            }
        }
    }
    format!("<{iri}>")
}

/// Characters a SPARQL local name may carry after a backslash.
const LOCAL_ESCAPES: &str = "_~.-!$&'()*+,;=/?#@%";

/// `local` as a SPARQL PN_LOCAL, or None if it cannot be written as one.
fn escape_local_name(local: &str) -> Option<String> {
    if local.is_empty() {
        return None;
    }
    let chars: Vec<char> = local.chars().collect();
    let mut out = String::with_capacity(local.len());
    for (i, &c) in chars.iter().enumerate() {
        let first = i == 0;
        let last = i + 1 == chars.len();
        let plain = c.is_alphanumeric()
            || c == '_'
            || c == ':'
            || (!first && (c == '-' || c == '\u{B7}'))
            || (!first && !last && c == '.');
        let percent = c == '%'
            && chars.get(i + 1).is_some_and(char::is_ascii_hexdigit)
            && chars.get(i + 2).is_some_and(char::is_ascii_hexdigit);
        if plain || percent {
            out.push(c);
        } else if LOCAL_ESCAPES.contains(c) {
            out.push('\\');
            out.push(c);
        } else {
            return None;
        }
    }
    Some(out)
}

/// The IRI a user wrote: `<iri>`, a prefixed name with a declared prefix (backslash escapes
/// allowed), or an absolute IRI. None if it is none of these.
pub fn expand_iri(written: &str) -> Option<String> {
    let written = written.trim();
    if let Some(inner) = written.strip_prefix('<').and_then(|w| w.strip_suffix('>')) {
        return Some(inner.to_owned());
    }
    if let Some((prefix, local)) = written.split_once(':') {
        if let Some((_, namespace)) = PREFIXES.iter().find(|(p, _)| *p == prefix) {
            let mut iri = namespace.to_string();
            let mut chars = local.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    iri.push(chars.next()?);
                } else {
                    iri.push(c);
                }
            }
            return Some(iri);
        }
        if local.starts_with("//") && !written.contains(char::is_whitespace) {
            return Some(written.to_owned());
        }
    }
    None
}

/// A term as SPARQL writes it, with prefixed names.
pub fn display_term(term: &Term) -> String {
    match term {
        Term::NamedNode(n) => compact_iri(n.as_str()),
        Term::BlankNode(b) => b.to_string(),
        Term::Literal(l) => display_literal(l),
        #[allow(unreachable_patterns)]
        other => other.to_string(),
    }
}

fn display_literal(l: &Literal) -> String {
    let quoted = format!(
        "\"{}\"",
        l.value()
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
            .replace('\r', "\\r")
            .replace('\t', "\\t")
    );
    if let Some(lang) = l.language() {
        return format!("{quoted}@{lang}");
    }
    let datatype = l.datatype().as_str();
    match datatype.strip_prefix("http://www.w3.org/2001/XMLSchema#") {
        Some("string") => quoted,
        Some("integer" | "decimal" | "boolean") => l.value().to_owned(),
        _ => format!("{quoted}^^{}", compact_iri(datatype)),
    }
}

/// Columns padded to the widest cell by display width, so CJK text lines up.
pub fn render_table(header: &[String], rows: &[Vec<String>]) -> String {
    render_table_fitted(header, rows, None)
}

/// Like [`render_table`], but no wider than `max_width` columns when given: wide columns give
/// up space first, and a value that does not fit is clipped with an ellipsis.
pub fn render_table_fitted(
    header: &[String],
    rows: &[Vec<String>],
    max_width: Option<usize>,
) -> String {
    let mut natural: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in natural.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let widths = match max_width {
        Some(max) => fit_widths(&natural, max),
        None => natural,
    };
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, &w)| {
                let c = clip(c, w);
                let pad = w.saturating_sub(c.width());
                format!("{c}{}", " ".repeat(pad))
            })
            .collect();
        format!("{}\n", padded.join(" │ ").trim_end())
    };
    let mut out = line(header);
    let rule: Vec<String> = widths.iter().map(|&w| "─".repeat(w)).collect();
    out.push_str(&rule.join("─┼─"));
    out.push('\n');
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

/// Column widths that fit in `available` columns (with the ` │ ` separators): columns narrower
/// than an even share keep their width; the others share what is left.
pub fn fit_widths(natural: &[usize], available: usize) -> Vec<usize> {
    const NARROWEST: usize = 4;
    let separators = 3 * natural.len().saturating_sub(1);
    if natural.iter().sum::<usize>() + separators <= available {
        return natural.to_vec();
    }
    let mut budget = available.saturating_sub(separators);
    let mut widths = natural.to_vec();
    let mut open: Vec<usize> = (0..natural.len()).collect();
    while !open.is_empty() {
        let share = budget / open.len();
        let (fits, wide): (Vec<usize>, Vec<usize>) =
            open.iter().partition(|&&i| natural[i] <= share);
        if fits.is_empty() {
            let extra = budget % wide.len();
            for (k, &i) in wide.iter().enumerate() {
                widths[i] = (share + usize::from(k < extra)).max(NARROWEST);
            }
            break;
        }
        for &i in &fits {
            budget -= natural[i];
        }
        open = wide;
    }
    widths
}

/// `text` cut to at most `width` display columns, ending with `…` when cut.
pub fn clip(text: &str, width: usize) -> std::borrow::Cow<'_, str> {
    if text.width() <= width {
        return text.into();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::NamedNode;

    #[test]
    fn chinese_columns_line_up() {
        let table = render_table(
            &["region".into(), "code".into()],
            &[
                vec!["福建省".into(), "350000".into()],
                vec!["Fujian".into(), "350000".into()],
            ],
        );
        let positions: Vec<usize> = table
            .lines()
            .filter(|l| l.contains('│'))
            .map(|l| l.split('│').next().unwrap().width())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] == w[1]), "{table}");
    }

    #[test]
    fn terms_display_as_sparql_writes_them() {
        let iri = Term::NamedNode(NamedNode::new_unchecked(
            "https://w3id.org/xiezuo/id/region/350000",
        ));
        assert_eq!(display_term(&iri), "reg:350000");
        let year = Term::Literal(crate::rdf::year(1996));
        assert_eq!(display_term(&year), "\"1996\"^^xsd:gYear");
        let label = Term::Literal(Literal::new_language_tagged_literal_unchecked(
            "福建省",
            "zh-hans",
        ));
        assert_eq!(display_term(&label), "\"福建省\"@zh-hans");
        assert_eq!(display_term(&Term::Literal(Literal::from(42_i64))), "42");
        let tab = Term::Literal(Literal::new_simple_literal("a\tb\nc"));
        assert_eq!(display_term(&tab), "\"a\\tb\\nc\"");
    }

    #[test]
    fn iris_compact_to_names_that_parse_back() {
        let doc = "https://w3id.org/xiezuo/id/document/000_14eb7ade860a9bc8.txt";
        assert_eq!(compact_iri(doc), "doc:000_14eb7ade860a9bc8.txt");
        let ev = "https://w3id.org/xiezuo/id/evidence/000_1.txt/792-909/clause%2Bcue";
        assert_eq!(compact_iri(ev), "ev:000_1.txt\\/792-909\\/clause%2Bcue");
        assert_eq!(expand_iri(&compact_iri(ev)).as_deref(), Some(ev));
        assert_eq!(
            compact_iri("https://w3id.org/xiezuo/id/region/"),
            "<https://w3id.org/xiezuo/id/region/>"
        );
        assert_eq!(
            compact_iri("http://example.org/a b"),
            "<http://example.org/a b>"
        );
        assert_eq!(
            compact_iri("https://w3id.org/xiezuo/id/region/x."),
            "reg:x\\."
        );
        assert_eq!(
            expand_iri("reg:350000").as_deref(),
            Some("https://w3id.org/xiezuo/id/region/350000")
        );
        assert_eq!(expand_iri("<http://x/y>").as_deref(), Some("http://x/y"));
        assert_eq!(expand_iri("http://x/y").as_deref(), Some("http://x/y"));
        assert_eq!(expand_iri("nope:x"), None);
        assert_eq!(expand_iri("福建"), None);
        // Every compacted name parses as the same IRI in a query.
        let query = format!("ASK {{ {} ?p ?o }}", compact_iri(ev));
        let parsed = crate::store::GraphStore::evaluator().parse_query(&query);
        assert!(parsed.is_ok(), "{query}");
    }

    #[test]
    fn wide_tables_are_fitted_and_clipped_by_display_width() {
        let header = vec!["region".to_owned(), "label".to_owned(), "n".to_owned()];
        let rows = vec![
            vec![
                "reg:640000".to_owned(),
                "宁夏回族自治区宁夏回族自治区".to_owned(),
                "1".to_owned(),
            ],
            vec![
                "reg:350000".to_owned(),
                "Fujian Province, on the south-east coast".to_owned(),
                "22".to_owned(),
            ],
        ];
        let table = render_table_fitted(&header, &rows, Some(30));
        for line in table.lines() {
            assert!(
                line.width() <= 30,
                "{line:?} is {} wide\n{table}",
                line.width()
            );
        }
        assert!(table.contains('…'), "{table}");
        // Short columns are not cut.
        assert!(
            table.contains("reg:640000") && table.contains("22"),
            "{table}"
        );
        let bars: Vec<Vec<usize>> = table
            .lines()
            .filter(|l| l.contains('│'))
            .map(|l| {
                let mut at = 0;
                l.split('│')
                    .map(|part| {
                        at += part.width() + 1;
                        at
                    })
                    .collect()
            })
            .collect();
        assert!(bars.windows(2).all(|w| w[0][..2] == w[1][..2]), "{table}");
        assert_eq!(
            render_table_fitted(&header, &rows, Some(500)),
            render_table(&header, &rows)
        );
    }

    #[test]
    fn clipping_never_splits_a_wide_character() {
        assert_eq!(clip("福建省", 6), "福建省");
        assert_eq!(clip("福建省", 5), "福建…");
        assert_eq!(clip("福建省", 4), "福…");
        assert_eq!(clip("abcdef", 4), "abc…");
    }
}
