//! Content negotiation: which result or RDF format a client asked for, from its `Accept` header
//! (with q-values and wildcards) or a `format` / `output` parameter (as SPARQLWrapper and many
//! browsers' users send).

use oxigraph::io::RdfFormat;
use oxigraph::sparql::results::QueryResultsFormat;

/// Formats for solutions and booleans, best first; the first is the default for `*/*`.
pub const RESULT_TYPES: &[(&str, QueryResultsFormat)] = &[
    ("application/sparql-results+json", QueryResultsFormat::Json),
    ("application/json", QueryResultsFormat::Json),
    ("application/sparql-results+xml", QueryResultsFormat::Xml),
    ("application/xml", QueryResultsFormat::Xml),
    ("text/xml", QueryResultsFormat::Xml),
    ("text/csv", QueryResultsFormat::Csv),
    ("text/tab-separated-values", QueryResultsFormat::Tsv),
];

/// Formats for graphs (CONSTRUCT, DESCRIBE, the Graph Store Protocol), best first.
pub const GRAPH_TYPES: &[(&str, RdfFormat)] = &[
    ("text/turtle", RdfFormat::Turtle),
    ("application/x-turtle", RdfFormat::Turtle),
    ("application/n-triples", RdfFormat::NTriples),
    ("text/plain", RdfFormat::NTriples),
    ("application/rdf+xml", RdfFormat::RdfXml),
    ("application/trig", RdfFormat::TriG),
    ("application/n-quads", RdfFormat::NQuads),
];

/// Formats for a whole dataset (several graphs), best first.
pub const DATASET_TYPES: &[(&str, RdfFormat)] = &[
    ("application/trig", RdfFormat::TriG),
    ("application/n-quads", RdfFormat::NQuads),
];

/// Short names accepted in `?format=` (and `?output=`), for browsers and curl users.
const SHORT_NAMES: &[(&str, &str)] = &[
    ("json", "application/sparql-results+json"),
    ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"),
    ("tsv", "text/tab-separated-values"),
    ("turtle", "text/turtle"),
    ("ttl", "text/turtle"),
    ("ntriples", "application/n-triples"),
    ("nt", "application/n-triples"),
    ("rdfxml", "application/rdf+xml"),
    ("rdf", "application/rdf+xml"),
    ("trig", "application/trig"),
    ("nquads", "application/n-quads"),
    ("nq", "application/n-quads"),
];

/// One media range of an `Accept` header.
#[derive(Debug, Clone, PartialEq)]
struct Range {
    kind: String,
    subtype: String,
    q: f32,
}

fn parse_accept(accept: &str) -> Vec<Range> {
    accept
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let media = parts.next()?.trim().to_ascii_lowercase();
            let (kind, subtype) = media.split_once('/')?;
            let mut q = 1.0;
            for param in parts {
                if let Some((name, value)) = param.split_once('=') {
                    if name.trim().eq_ignore_ascii_case("q") {
                        q = value.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0);
                    }
                }
            }
            Some(Range {
                kind: kind.trim().to_owned(),
                subtype: subtype.trim().to_owned(),
                q,
            })
        })
        .collect()
}

/// The quality the client gives `media`: that of the most specific range that matches it.
fn quality(ranges: &[Range], media: &str) -> f32 {
    let (kind, subtype) = media.split_once('/').unwrap_or((media, ""));
    let mut best: Option<(u8, f32)> = None;
    for r in ranges {
        let specificity = if r.kind == kind && r.subtype == subtype {
            2
        } else if r.kind == kind && r.subtype == "*" {
            1
        } else if r.kind == "*" && r.subtype == "*" {
            0
        } else {
            continue;
        };
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, r.q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// What the client wants among `offers`: `Ok(Some)` a choice, `Ok(None)` nothing acceptable.
///
/// A `format` parameter (a short name such as `json` or a media type) wins over `Accept`; an
/// unknown one is ignored, as SPARQLWrapper sends `format=json` for graph queries too. No `Accept`
/// header, or an empty one, means the first offer.
pub fn choose<T: Copy>(
    accept: Option<&str>,
    format_param: Option<&str>,
    offers: &[(&str, T)],
) -> Option<T> {
    if let Some(param) = format_param {
        let param = param.trim().to_ascii_lowercase();
        let media = SHORT_NAMES
            .iter()
            .find(|(short, _)| *short == param)
            .map_or(param.as_str(), |(_, media)| media);
        if let Some((_, format)) = offers.iter().find(|(m, _)| *m == media) {
            return Some(*format);
        }
        // `xml` names the results format; for graphs it means RDF/XML.
        if param == "xml" {
            if let Some((_, format)) = offers.iter().find(|(m, _)| *m == "application/rdf+xml") {
                return Some(*format);
            }
        }
    }
    let accept = accept.map(str::trim).unwrap_or_default();
    if accept.is_empty() {
        return offers.first().map(|(_, f)| *f);
    }
    let ranges = parse_accept(accept);
    let mut best: Option<(f32, T)> = None;
    for (media, format) in offers {
        let q = quality(&ranges, media);
        if q > 0.0 && best.as_ref().is_none_or(|(b, _)| q > *b) {
            best = Some((q, *format));
        }
    }
    best.map(|(_, f)| f)
}

/// The media types of `offers`, for a 406 message.
pub fn list<T>(offers: &[(&str, T)]) -> String {
    offers
        .iter()
        .map(|(m, _)| *m)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The RDF format of a request body from its `Content-Type` (parameters ignored).
pub fn rdf_body_format(content_type: &str) -> Option<RdfFormat> {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    GRAPH_TYPES
        .iter()
        .find(|(m, _)| *m == media)
        .map(|(_, f)| *f)
        .or_else(|| RdfFormat::from_media_type(&media))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q_values_and_wildcards_decide() {
        let c = |accept| choose(Some(accept), None, RESULT_TYPES);
        assert_eq!(c("text/csv"), Some(QueryResultsFormat::Csv));
        assert_eq!(
            c("application/sparql-results+xml;q=0.5, text/tab-separated-values"),
            Some(QueryResultsFormat::Tsv)
        );
        assert_eq!(c("*/*"), Some(QueryResultsFormat::Json));
        // A browser navigating to the endpoint: XML beats the */* fallback.
        assert_eq!(
            c("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Some(QueryResultsFormat::Xml)
        );
        assert_eq!(c("image/png"), None);
        assert_eq!(c("text/csv;q=0"), None);
        assert_eq!(
            c("text/tab-separated-values;q=0.3, */*;q=0.1"),
            Some(QueryResultsFormat::Tsv)
        );
    }

    #[test]
    fn a_format_parameter_wins_and_unknown_ones_are_ignored() {
        assert_eq!(
            choose(Some("text/csv"), Some("tsv"), RESULT_TYPES),
            Some(QueryResultsFormat::Tsv)
        );
        assert_eq!(
            choose(Some("text/csv"), Some("bogus"), RESULT_TYPES),
            Some(QueryResultsFormat::Csv)
        );
        assert_eq!(
            choose(None, Some("xml"), GRAPH_TYPES),
            Some(RdfFormat::RdfXml)
        );
        assert_eq!(
            choose(None, Some("json"), GRAPH_TYPES),
            Some(RdfFormat::Turtle)
        );
        assert_eq!(choose(None, None, GRAPH_TYPES), Some(RdfFormat::Turtle));
    }

    #[test]
    fn bodies_are_known_by_content_type() {
        assert_eq!(
            rdf_body_format("text/turtle; charset=utf-8"),
            Some(RdfFormat::Turtle)
        );
        assert_eq!(
            rdf_body_format("application/n-triples"),
            Some(RdfFormat::NTriples)
        );
        assert_eq!(rdf_body_format("application/pdf"), None);
    }
}
