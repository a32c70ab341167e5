//! `xiezuo push`: uploads the built graph to another triple store, one named graph per document
//! plus the ontology graph (so labels work there), replacing those graphs and nothing else.
//!
//! Two ways, both standard:
//! - **Graph Store Protocol** (`--graph-store URL`): one `PUT URL?graph=IRI` per graph, an
//!   N-Triples body sent as `text/turtle` (every Turtle reader takes it). A PUT replaces the graph
//!   atomically on every server we know.
//! - **SPARQL Update** (`--endpoint URL` alone): per graph, `DROP SILENT GRAPH <g> ; INSERT DATA {
//!   GRAPH <g> { … } }` in one request when the graph has at most `batch` triples. A larger graph
//!   is loaded into a staging graph in batches and then moved over the real one with `MOVE`, so a
//!   failure half-way leaves the server's copy as it was (and drops the staging graph).
//!
//! Each document graph goes with its evidence, which the local store keeps in a graph of its own.
//! The derived merged graph is not pushed, and nothing is written to the server's default graph;
//! README "Serving and other triple stores" says how to get the same default graph there.

use super::{Endpoint, RemoteError};
use crate::knowledge::ONTOLOGY_GRAPH;
use crate::store::{GraphStore, StoreError};
use oxhttp::model::Method;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{NamedNode, NamedNodeRef, NamedOrBlankNode, Term, Triple};
use std::fmt::Write as _;

/// How to reach the other server.
#[derive(Debug, Clone)]
pub enum PushTarget {
    /// SPARQL 1.1 Graph Store HTTP Protocol at this URL (`?graph=` is added).
    GraphStore(String),
    /// SPARQL 1.1 Update, at the endpoint's update URL.
    Update(Endpoint),
}

impl PushTarget {
    pub fn describe(&self) -> String {
        match self {
            PushTarget::GraphStore(url) => format!("Graph Store Protocol at {url}"),
            PushTarget::Update(endpoint) => format!("SPARQL Update at {}", endpoint.update_url()),
        }
    }
}

/// One graph to push.
#[derive(Debug, Clone)]
pub struct GraphToPush {
    pub graph: NamedNode,
    pub triples: Vec<Triple>,
}

/// What a push did (or, in a dry run, would do).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PushSummary {
    pub graphs: usize,
    pub triples: usize,
    pub requests: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the store has no documents to push: run `xiezuo build` first")]
    Empty,
    #[error("pushing {graph} failed, so it is as it was on the server ({done} of {total} graphs were replaced before it; pushing again is safe): {error}")]
    Remote {
        graph: String,
        done: usize,
        total: usize,
        error: RemoteError,
    },
}

/// The graphs a push sends: every document graph, then the ontology graph; sorted, so the
/// order of requests is the same every time.
pub fn graphs_to_push(store: &GraphStore) -> Result<Vec<GraphToPush>, PushError> {
    let mut names = store.document_graphs()?;
    if names.is_empty() {
        return Err(PushError::Empty);
    }
    names.sort();
    names.push(NamedNode::new_unchecked(ONTOLOGY_GRAPH));
    let mut graphs = Vec::with_capacity(names.len());
    for graph in names {
        // A document's evidence is stored apart from its graph; the server gets them together.
        let triples = store.document_triples(graph.as_ref())?;
        graphs.push(GraphToPush { graph, triples });
    }
    Ok(graphs)
}

/// The requests one graph takes, for `--dry-run` and the summary.
fn plan(target: &PushTarget, graph: &GraphToPush, batch: usize) -> Vec<String> {
    let n = graph.triples.len();
    match target {
        PushTarget::GraphStore(url) => vec![format!(
            "PUT {} ({n} triples)",
            graph_store_url(url, graph.graph.as_ref())
        )],
        PushTarget::Update(endpoint) => {
            let url = endpoint.update_url();
            let g = &graph.graph;
            if fits_one_request(graph, batch) {
                vec![format!(
                    "POST {url}: DROP SILENT GRAPH {g} ; INSERT DATA {{ GRAPH {g} {{ {n} triples }} }}"
                )]
            } else {
                let staging = staging_graph(g);
                let mut requests = vec![format!("POST {url}: DROP SILENT GRAPH {staging}")];
                for chunk in graph.triples.chunks(batch) {
                    requests.push(format!(
                        "POST {url}: INSERT DATA {{ GRAPH {staging} {{ {} triples }} }}",
                        chunk.len()
                    ));
                }
                requests.push(format!(
                    "POST {url}: MOVE SILENT GRAPH {staging} TO GRAPH {g}"
                ));
                requests
            }
        }
    }
}

/// A graph with blank nodes goes in one request: blank node labels only hold within one.
fn fits_one_request(graph: &GraphToPush, batch: usize) -> bool {
    graph.triples.len() <= batch
        || graph.triples.iter().any(|t| {
            matches!(t.subject, NamedOrBlankNode::BlankNode(_))
                || matches!(t.object, Term::BlankNode(_))
        })
}

fn staging_graph(graph: &NamedNode) -> NamedNode {
    NamedNode::new_unchecked(format!("{}#xiezuo-push-staging", graph.as_str()))
}

fn graph_store_url(base: &str, graph: NamedNodeRef<'_>) -> String {
    let separator = if base.contains('?') { '&' } else { '?' };
    let encoded: String = url::form_urlencoded::byte_serialize(graph.as_str().as_bytes()).collect();
    format!("{base}{separator}graph={encoded}")
}

fn ntriples(triples: &[Triple]) -> Vec<u8> {
    let mut serializer = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(Vec::new());
    for t in triples {
        serializer
            .serialize_triple(t)
            .expect("writing to memory does not fail");
    }
    serializer
        .finish()
        .expect("writing to memory does not fail")
}

fn insert_data(graph: &NamedNode, triples: &[Triple]) -> String {
    let mut text = format!("INSERT DATA {{ GRAPH {graph} {{\n");
    for t in triples {
        let _ = writeln!(text, "{} {} {} .", t.subject, t.predicate, t.object);
    }
    text.push_str("} }");
    text
}

/// Pushes `graphs` to `target`, calling `progress` with one line per graph (or per planned
/// request in a dry run). Stops at the first failure; graphs before it stay replaced.
pub fn push(
    graphs: &[GraphToPush],
    target: &PushTarget,
    batch: usize,
    dry_run: bool,
    mut progress: impl FnMut(&str),
) -> Result<PushSummary, PushError> {
    let batch = batch.max(1);
    let mut summary = PushSummary::default();
    for (done, graph) in graphs.iter().enumerate() {
        let requests = plan(target, graph, batch);
        if dry_run {
            for r in &requests {
                progress(r);
            }
        } else {
            send_graph(target, graph, batch).map_err(|error| PushError::Remote {
                graph: graph.graph.as_str().to_owned(),
                done,
                total: graphs.len(),
                error,
            })?;
            progress(&format!(
                "replaced {} ({} triples)",
                graph.graph,
                graph.triples.len()
            ));
        }
        summary.graphs += 1;
        summary.triples += graph.triples.len();
        summary.requests += requests.len();
    }
    Ok(summary)
}

fn send_graph(target: &PushTarget, graph: &GraphToPush, batch: usize) -> Result<(), RemoteError> {
    match target {
        PushTarget::GraphStore(url) => {
            let endpoint = Endpoint::new(url, Some(url), std::time::Duration::from_secs(300))?;
            endpoint.send(
                Method::PUT,
                &graph_store_url(url, graph.graph.as_ref()),
                Some("text/turtle; charset=utf-8"),
                None,
                ntriples(&graph.triples),
            )?;
            Ok(())
        }
        PushTarget::Update(endpoint) => {
            let g = &graph.graph;
            if fits_one_request(graph, batch) {
                let text = format!(
                    "DROP SILENT GRAPH {g} ;\n{}",
                    insert_data(g, &graph.triples)
                );
                return endpoint.update(&text);
            }
            let staging = staging_graph(g);
            let result = (|| {
                endpoint.update(&format!("DROP SILENT GRAPH {staging}"))?;
                for chunk in graph.triples.chunks(batch) {
                    endpoint.update(&insert_data(&staging, chunk))?;
                }
                endpoint.update(&format!("MOVE SILENT GRAPH {staging} TO GRAPH {g}"))
            })();
            if result.is_err() {
                let _ = endpoint.update(&format!("DROP SILENT GRAPH {staging}"));
            }
            result
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{}", .0.join("; "))]
    Mismatch(Vec<String>),
    #[error(transparent)]
    Remote(#[from] RemoteError),
}

/// Asks the endpoint how many triples each pushed graph holds and compares with what was sent.
pub fn verify(graphs: &[GraphToPush], endpoint: &Endpoint) -> Result<(), VerifyError> {
    let values: Vec<String> = graphs.iter().map(|g| g.graph.to_string()).collect();
    let query = format!(
        "SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
        values.join(" ")
    );
    let mut counts = std::collections::HashMap::new();
    if let oxigraph::sparql::QueryResults::Solutions(solutions) = endpoint.query(&query)? {
        for solution in solutions {
            let solution = solution.map_err(|e| RemoteError::BadAnswer {
                url: endpoint.query_url().to_owned(),
                message: e.to_string(),
            })?;
            if let (Some(Term::NamedNode(g)), Some(Term::Literal(n))) =
                (solution.get("g"), solution.get("n"))
            {
                counts.insert(
                    g.as_str().to_owned(),
                    n.value().parse::<usize>().unwrap_or(0),
                );
            }
        }
    }
    let mismatches: Vec<String> = graphs
        .iter()
        .filter_map(|g| {
            let there = counts.get(g.graph.as_str()).copied().unwrap_or(0);
            (there != g.triples.len()).then(|| {
                format!(
                    "{}: {} triples sent, {there} there",
                    g.graph,
                    g.triples.len()
                )
            })
        })
        .collect();
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(VerifyError::Mismatch(mismatches))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(n: usize) -> GraphToPush {
        let g = NamedNode::new_unchecked("https://w3id.org/xiezuo/id/document/a.txt");
        GraphToPush {
            graph: g.clone(),
            triples: (0..n)
                .map(|i| {
                    Triple::new(
                        g.clone(),
                        NamedNode::new_unchecked("http://example.org/p"),
                        oxigraph::model::Literal::from(i as i64),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn small_graphs_take_one_atomic_request_and_large_ones_are_staged() {
        let endpoint = Endpoint::new(
            "http://127.0.0.1:1/query",
            None,
            std::time::Duration::from_secs(1),
        )
        .unwrap();
        let target = PushTarget::Update(endpoint);
        let small = plan(&target, &graph(3), 10);
        assert_eq!(small.len(), 1);
        assert!(small[0].contains("DROP SILENT GRAPH") && small[0].contains("3 triples"));
        assert!(small[0].starts_with("POST http://127.0.0.1:1/update"));
        let large = plan(&target, &graph(25), 10);
        assert_eq!(large.len(), 5, "{large:#?}");
        assert!(large[4].contains("MOVE SILENT GRAPH"));
        assert!(large[1].contains("#xiezuo-push-staging"));
    }

    #[test]
    fn graph_store_urls_encode_the_graph() {
        let url = graph_store_url(
            "http://h/store",
            NamedNodeRef::new_unchecked("https://w3id.org/xiezuo/id/document/a b.txt"),
        );
        assert_eq!(
            url,
            "http://h/store?graph=https%3A%2F%2Fw3id.org%2Fxiezuo%2Fid%2Fdocument%2Fa+b.txt"
        );
        assert!(graph_store_url(
            "http://h/rdf-graphs/service?x=1",
            NamedNodeRef::new_unchecked("a:b")
        )
        .contains("?x=1&graph="));
    }

    #[test]
    fn insert_data_is_valid_sparql() {
        let text = insert_data(&graph(1).graph, &graph(2).triples);
        let parsed = oxigraph::sparql::SparqlEvaluator::new().parse_update(&text);
        assert!(parsed.is_ok(), "{text}");
    }
}
