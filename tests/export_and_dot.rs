//! Export and pictures, checked with tools that are not ours: raptor's `rapper` parses the
//! Turtle, Graphviz's `dot` renders the DOT.

mod util;
use oxigraph::io::{RdfFormat, RdfParser};
use std::process::Command;
use util::TestEnv;

#[test]
fn exported_turtle_parses_back_to_the_same_number_of_triples() {
    let env = TestEnv::with_seeds();
    let file = env.path("graph.ttl");
    let out = env.run(&["export", "-o", file.to_str().unwrap()]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let written: usize = stderr
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("wrote N statements");
    let rapper = Command::new("rapper")
        .args(["-i", "turtle", "-c", file.to_str().unwrap()])
        .output()
        .expect("rapper (Debian package raptor2-utils) must be installed");
    let report = String::from_utf8_lossy(&rapper.stderr);
    assert!(rapper.status.success(), "{report}");
    assert!(
        report.contains(&format!("returned {written} triples")),
        "wrote {written}; rapper says: {report}"
    );
    let turtle = std::fs::read_to_string(&file).unwrap();
    assert!(turtle.contains("@prefix xz: <https://w3id.org/xiezuo/ontology#>"));
}

#[test]
fn dataset_formats_keep_one_graph_per_document() {
    let env = TestEnv::with_seeds();
    let trig = env.ok(&["export", "--format", "trig"]);
    let graphs: std::collections::BTreeSet<String> = RdfParser::from_format(RdfFormat::TriG)
        .for_slice(trig.as_bytes())
        .map(|q| q.expect("valid TriG").graph_name.to_string())
        .collect();
    for seed in util::seed_names() {
        assert!(
            graphs.contains(&format!("<https://w3id.org/xiezuo/id/document/{seed}>")),
            "graph of {seed}: {graphs:?}"
        );
    }
    assert!(graphs.contains("<https://w3id.org/xiezuo/graph/ontology>"));
    assert_eq!(
        graphs.len(),
        6,
        "five documents and the ontology, not the derived merged graph"
    );
    let nquads = env.ok(&["export", "--format", "nquads"]);
    assert!(nquads.lines().all(|l| l.ends_with(" .")));
    let rdfxml = env.ok(&["export", "--format", "rdfxml"]);
    assert!(rdfxml.contains("<rdf:RDF"));
}

#[test]
fn dot_output_renders_with_graphviz() {
    let env = TestEnv::with_seeds();
    let dot = env.ok(&["dot"]);
    assert!(
        dot.contains("福建省\\nFujian"),
        "regions labelled in Chinese and English"
    );
    assert!(dot.contains("since 1996"));
    let file = env.path("pairings.dot");
    std::fs::write(&file, &dot).unwrap();
    let svg = Command::new("dot")
        .args(["-Tsvg", file.to_str().unwrap()])
        .output()
        .expect("Graphviz `dot` (Debian package graphviz) must be installed");
    assert!(
        svg.status.success(),
        "{}",
        String::from_utf8_lossy(&svg.stderr)
    );
    let svg = String::from_utf8(svg.stdout).unwrap();
    assert!(svg.contains("<svg") && svg.contains("宁夏回族自治区"));
    // Eastern helpers and western recipients are drawn differently.
    assert!(dot.contains("shape=box") && dot.contains("shape=ellipse"));
}
