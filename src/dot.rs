//! The pairing network as Graphviz DOT, built with petgraph: one node per region, one edge per
//! pairing from helper to recipient, labelled with the earliest year and the models. Eastern
//! helpers are blue boxes, western recipients orange ellipses.

use crate::knowledge::{Knowledge, Side, ID, XZ};
use crate::store::{GraphStore, QueryError};
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use petgraph::dot::{Config, Dot};
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionNode {
    pub iri: String,
    pub zh: String,
    pub en: String,
    pub side: Option<Side>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingEdge {
    pub since: Option<String>,
    pub models: Vec<String>,
}

// petgraph's `Dot` needs `Display` on weights even though our attribute getters write the labels.
impl std::fmt::Display for RegionNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.zh)
    }
}
impl std::fmt::Display for PairingEdge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.since.as_deref().unwrap_or(""))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DotError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("reading pairings: {0}")]
    Evaluation(#[from] oxigraph::sparql::QueryEvaluationError),
}

/// The pairing graph of the store.
pub fn pairing_graph(store: &GraphStore) -> Result<DiGraph<RegionNode, PairingEdge>, DotError> {
    let query = format!(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
         SELECT ?h ?r (MIN(STR(?y)) AS ?since) (GROUP_CONCAT(DISTINCT ?ml; separator=\"|\") AS ?models) WHERE {{
           ?p a <{XZ}Pairing> ; <{XZ}helper> ?h ; <{XZ}recipient> ?r .
           OPTIONAL {{ ?p <{XZ}since> ?y }}
           OPTIONAL {{ ?p <{XZ}model> ?m . ?m skos:prefLabel ?ml FILTER(langMatches(lang(?ml), \"en\")) }}
         }} GROUP BY ?h ?r ORDER BY ?h ?r"
    );
    let k = Knowledge::embedded();
    let mut graph = DiGraph::new();
    let mut nodes: BTreeMap<String, NodeIndex> = BTreeMap::new();
    let mut node_for = |graph: &mut DiGraph<RegionNode, PairingEdge>, iri: &str| {
        *nodes.entry(iri.to_owned()).or_insert_with(|| {
            let code = iri.strip_prefix(&format!("{ID}region/")).unwrap_or(iri);
            let region = k.region_by_code(code).map(|r| &k.regions[r]);
            graph.add_node(RegionNode {
                iri: iri.to_owned(),
                zh: region.map_or(code, |r| r.label("zh-Hans")).to_owned(),
                en: region.map_or(code, |r| r.label("en")).to_owned(),
                side: region.and_then(|r| r.side),
            })
        })
    };
    if let QueryResults::Solutions(solutions) = store.query(&query)? {
        for solution in solutions {
            let solution = solution?;
            let text = |v: &str| match solution.get(v) {
                Some(Term::NamedNode(n)) => Some(n.as_str().to_owned()),
                Some(Term::Literal(l)) if !l.value().is_empty() => Some(l.value().to_owned()),
                _ => None,
            };
            let (Some(h), Some(r)) = (text("h"), text("r")) else {
                continue;
            };
            let (h, r) = (node_for(&mut graph, &h), node_for(&mut graph, &r));
            let mut models: Vec<String> = text("models")
                .map(|m| m.split('|').map(str::to_owned).collect())
                .unwrap_or_default();
            models.sort();
            graph.add_edge(
                h,
                r,
                PairingEdge {
                    since: text("since"),
                    models,
                },
            );
        }
    }
    Ok(graph)
}

/// A DOT string: quotes and backslashes escaped, line breaks as `\n`.
fn quoted(s: &str) -> String {
    format!(
        "\"{}\"",
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    )
}

/// DOT text for the graph.
pub fn to_dot(graph: &DiGraph<RegionNode, PairingEdge>) -> String {
    let node_attributes = |_, (_, node): (NodeIndex, &RegionNode)| {
        let (shape, color) = match node.side {
            Some(Side::East) => ("box", "#cfe2ff"),
            Some(Side::West) => ("ellipse", "#ffe0c2"),
            None => ("diamond", "#eeeeee"),
        };
        let label = if node.zh == node.en {
            node.zh.clone()
        } else {
            format!("{}\n{}", node.zh, node.en)
        };
        format!(
            "label={} shape={shape} style=filled fillcolor={} tooltip={}",
            quoted(&label),
            quoted(color),
            quoted(&node.iri)
        )
    };
    let edge_attributes = |_, edge: petgraph::graph::EdgeReference<'_, PairingEdge>| {
        let e = edge.weight();
        let mut lines = Vec::new();
        if let Some(since) = &e.since {
            lines.push(format!("since {since}"));
        }
        lines.extend(e.models.iter().cloned());
        format!("label={}", quoted(&lines.join("\n")))
    };
    let body = Dot::with_attr_getters(
        graph,
        &[
            Config::GraphContentOnly,
            Config::NodeNoLabel,
            Config::EdgeNoLabel,
        ],
        &edge_attributes,
        &node_attributes,
    );
    format!(
        "digraph xiezuo {{\n    graph [rankdir=LR fontname=\"Noto Sans CJK SC\" label=\"East–West pairing assistance (boxes: eastern helpers, ellipses: western recipients)\" labelloc=t]\n    node [fontname=\"Noto Sans CJK SC\"]\n    edge [fontname=\"Noto Sans CJK SC\" fontsize=10]\n{body}}}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_quoted_and_sides_differ() {
        let mut g = DiGraph::new();
        let a = g.add_node(RegionNode {
            iri: "x:a".into(),
            zh: "福建省".into(),
            en: "Fujian \"F\"".into(),
            side: Some(Side::East),
        });
        let b = g.add_node(RegionNode {
            iri: "x:b".into(),
            zh: "宁夏".into(),
            en: "Ningxia".into(),
            side: Some(Side::West),
        });
        g.add_edge(
            a,
            b,
            PairingEdge {
                since: Some("1996".into()),
                models: vec!["joint meetings".into()],
            },
        );
        let dot = to_dot(&g);
        assert!(dot.contains(r#"label="福建省\nFujian \"F\"""#), "{dot}");
        assert!(dot.contains("shape=box") && dot.contains("shape=ellipse"));
        assert!(
            dot.contains(r#"label="since 1996\njoint meetings""#),
            "{dot}"
        );
    }
}
