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

/// An IRI as a prefixed name where a declared prefix fits, else `<iri>`.
pub fn compact_iri(iri: &str) -> String {
    for (prefix, namespace) in PREFIXES {
        if let Some(local) = iri.strip_prefix(namespace) {
            if !local.is_empty()
                && local
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
            {
                return format!("{prefix}:{local}");
            }
        }
    }
    format!("<{iri}>")
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
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, &w)| format!("{c}{}", " ".repeat(w - c.width())))
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
    }
}
