//! Builds at corpus scale: incremental builds give the same graph as builds from scratch, pruning,
//! builds killed at random moments, and `xiezuo extract`.

mod util;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, Quad};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use util::TestEnv;

const DOCUMENT_GRAPHS: &str = "https://w3id.org/xiezuo/id/document/";
const MERGED: &str = "https://w3id.org/xiezuo/graph/merged";
const EVIDENCE: &str = "https://w3id.org/xiezuo/graph/evidence";

fn parse_nquads(text: &str) -> HashSet<Quad> {
    RdfParser::from_format(RdfFormat::NQuads)
        .for_slice(text.as_bytes())
        .map(|q| q.expect("valid N-Quads"))
        .collect()
}

/// Every graph of the store but the merged one, each document with its evidence (N-Quads
/// export), as sets of quads per graph.
fn graphs(env: &TestEnv) -> BTreeMap<String, BTreeSet<String>> {
    let mut graphs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for quad in parse_nquads(&env.ok(&["export", "--format", "nquads"])) {
        let graph = match &quad.graph_name {
            GraphName::NamedNode(n) => n.as_str().to_owned(),
            other => other.to_string(),
        };
        let triple = format!("{} {} {}", quad.subject, quad.predicate, quad.object);
        graphs.entry(graph).or_default().insert(triple);
    }
    graphs
}

/// The triples of the default graph of queries (merged documents, evidence, ontology), sorted.
fn merged_view(env: &TestEnv) -> BTreeSet<String> {
    env.ok(&["export", "--format", "ntriples"])
        .lines()
        .map(str::to_owned)
        .collect()
}

/// True when the merged graph is exactly the set union of the document graphs, and the evidence
/// graph holds the evidence of stored documents, and a build left no evidence in a document graph.
fn layout_is_consistent(env: &TestEnv) -> bool {
    !env.ask(&format!(
        "ASK {{
           {{ GRAPH <{MERGED}> {{ ?s ?p ?o }}
              FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"{DOCUMENT_GRAPHS}\")) }} }}
           UNION
           {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"{DOCUMENT_GRAPHS}\"))
              FILTER NOT EXISTS {{ GRAPH <{MERGED}> {{ ?s ?p ?o }} }} }}
           UNION
           {{ GRAPH <{EVIDENCE}> {{ ?e xz:document ?d }} FILTER NOT EXISTS {{ GRAPH ?d {{ ?d a xz:Document }} }} }}
           UNION
           {{ GRAPH ?g {{ ?e a xz:Evidence }} FILTER(STRSTARTS(STR(?g), \"{DOCUMENT_GRAPHS}\")) }}
         }}"
    ))
}

fn copy_seed(seed: &str, to: &Path) {
    std::fs::copy(util::seeds().join(seed), to).unwrap();
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn building_a_then_b_then_changing_a_equals_building_both_from_scratch() {
    // Both seeds state Fujian → Ningxia: the pairing is fused from evidence in both.
    let env = TestEnv::new();
    let dir = env.path("corpus");
    std::fs::create_dir(&dir).unwrap();
    let (a, b) = (dir.join("a.txt"), dir.join("b.txt"));
    copy_seed("000_14eb7ade860a9bc8.txt", &a);
    copy_seed("001_24de61fca978a27e.txt", &b);
    env.ok(&["build", s(&a)]);
    env.ok(&["build", s(&b)]);
    // A changes: it keeps its first half only, so some of its statements go away while B's
    // statements of the same pairing stay.
    let text = std::fs::read_to_string(&a).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&a, lines[..lines.len() / 2].join("\n")).unwrap();
    let out = env.run(&["build", s(&dir)]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 read, 1 unchanged skipped"),
        "only A is read again: {stderr}"
    );
    assert!(layout_is_consistent(&env));

    let scratch = TestEnv::new();
    scratch.ok(&["build", s(&dir)]);
    assert_eq!(graphs(&env), graphs(&scratch));
    assert_eq!(merged_view(&env), merged_view(&scratch));
    // The fused pairing is still there, with evidence from B.
    assert!(env.ask(
        "ASK { pairing:350000-640000 prov:wasDerivedFrom/xz:document/xz:sourceFile \"b.txt\" }"
    ));
}

#[test]
fn an_unchanged_corpus_is_skipped_and_the_graph_stays_the_same() {
    let env = TestEnv::with_seeds();
    let before = graphs(&env);
    let out = env.run(&["build", s(&util::seeds())]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("0 read, 5 unchanged skipped"), "{stderr}");
    assert_eq!(graphs(&env), before);
    // --force reads everything again and still changes nothing.
    let stderr =
        String::from_utf8(env.run(&["build", "--force", s(&util::seeds())]).stderr).unwrap();
    assert!(
        stderr.contains("5 read") && stderr.contains("0 quads added, 0 removed"),
        "{stderr}"
    );
    assert_eq!(graphs(&env), before);
}

#[test]
fn a_build_restores_an_ontology_graph_that_was_changed() {
    let env = TestEnv::with_seeds();
    let before = graphs(&env);
    let ontology = "https://w3id.org/xiezuo/graph/ontology";
    let label = "reg:350000 rdfs:label ?label";
    // An update takes Fujian's labels out of the ontology graph and adds a stray triple to it.
    let script = format!(
        "DELETE WHERE {{ GRAPH <{ontology}> {{ {label} }} }} ;\nINSERT DATA {{ GRAPH <{ontology}> {{ reg:350000 rdfs:comment \"stray\" }} }} ;\n"
    );
    let out = env.with_stdin(&["shell"], &script);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(
        graphs(&env),
        before,
        "the update changed the ontology graph"
    );
    env.ok(&["build", s(&util::seeds())]);
    assert_eq!(
        graphs(&env),
        before,
        "the build put the embedded ontology back"
    );
    // In place: one label swapped for another keeps the graph's size; --force rewrites it.
    let script = format!(
        "DELETE {{ GRAPH <{ontology}> {{ ?s rdfs:label ?l }} }} INSERT {{ GRAPH <{ontology}> {{ ?s rdfs:label \"Fukien\"@en }} }} WHERE {{ GRAPH <{ontology}> {{ ?s rdfs:label ?l FILTER(?s = reg:350000 && ?l = \"Fujian\"@en) }} }} ;\n"
    );
    env.with_stdin(&["shell"], &script);
    assert_ne!(graphs(&env), before);
    env.ok(&["build", "--force", s(&util::seeds())]);
    assert_eq!(graphs(&env), before);
}

#[test]
fn prune_drops_the_documents_of_deleted_files_and_only_with_prune() {
    let env = TestEnv::new();
    let dir = env.path("corpus");
    std::fs::create_dir(&dir).unwrap();
    for seed in util::seed_names() {
        copy_seed(&seed, &dir.join(&seed));
    }
    env.ok(&["build", s(&dir)]);
    let gone = "004_c5ac9b9131ebefd6.txt";
    std::fs::remove_file(dir.join(gone)).unwrap();
    let gone_graph = format!("{DOCUMENT_GRAPHS}{gone}");

    env.ok(&["build", s(&dir)]);
    assert!(
        graphs(&env).contains_key(&gone_graph),
        "kept without --prune"
    );

    let stderr = String::from_utf8(env.run(&["build", "--prune", s(&dir)]).stderr).unwrap();
    assert!(stderr.contains("1 pruned"), "{stderr}");
    assert!(!graphs(&env).contains_key(&gone_graph));
    assert!(layout_is_consistent(&env));
    let scratch = TestEnv::new();
    scratch.ok(&["build", s(&dir)]);
    assert_eq!(graphs(&env), graphs(&scratch));
    assert_eq!(merged_view(&env), merged_view(&scratch));
}

/// Two versions of a corpus of `n` files with the same names: version 2 adds a sentence
/// to every file that states another pairing and drops a line.
fn two_versions(env: &TestEnv, n: usize) -> (PathBuf, PathBuf) {
    let seeds: Vec<String> = util::seed_names();
    let (v1, v2) = (env.path("v1"), env.path("v2"));
    std::fs::create_dir(&v1).unwrap();
    std::fs::create_dir(&v2).unwrap();
    let east = ["北京市", "上海市", "天津市", "江苏省", "浙江省", "山东省"];
    let west = [
        "贵州省",
        "云南省",
        "甘肃省",
        "四川省",
        "青海省",
        "西藏自治区",
    ];
    for i in 0..n {
        let text = std::fs::read_to_string(util::seeds().join(&seeds[i % seeds.len()])).unwrap();
        let name = format!("doc{i:04}.txt");
        std::fs::write(v1.join(&name), &text).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.remove(i % lines.len());
        let added = format!(
            "{}年,{}对口帮扶{},共同召开联席会议{}次。",
            2000 + i % 20,
            east[i % east.len()],
            west[(i / 6) % west.len()],
            i + 1
        );
        lines.push(&added);
        std::fs::write(v2.join(&name), lines.join("\n")).unwrap();
    }
    (v1, v2)
}

/// A simple generator, so the kill points differ from run to run (they are printed).
fn random_below(state: &mut u64, bound: u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state % bound.max(1)
}

#[test]
fn a_build_killed_at_random_moments_leaves_every_document_old_or_new() {
    let env = TestEnv::new();
    let (v1, v2) = two_versions(&env, 60);
    // The two complete states, built without interruption.
    let full1 = TestEnv::new();
    full1.ok(&["build", s(&v1)]);
    let full2 = TestEnv::new();
    full2.ok(&["build", s(&v2)]);
    let (old, new) = (graphs(&full1), graphs(&full2));
    assert_ne!(old, new);

    env.ok(&["build", s(&v1)]);
    let started = Instant::now();
    env.ok(&["build", "--batch-documents", "2", s(&v2)]);
    let duration = started.elapsed();
    env.ok(&["build", "--batch-documents", "2", s(&v1)]);

    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut killed_midway = 0;
    for round in 0..6 {
        let target = if round % 2 == 0 { &v2 } else { &v1 };
        // Start-up (opening the store, reading what it holds) comes before the first commit:
        // kill between a quarter of the measured build time and a little past its end.
        let delay = kill_build_at_random(&env, target, duration, &mut seed, round);

        let now = graphs(&env);
        let mut from_old = 0;
        let mut from_new = 0;
        for (graph, triples) in &now {
            if !graph.starts_with(DOCUMENT_GRAPHS) {
                continue;
            }
            if old.get(graph) == Some(triples) {
                from_old += 1;
            } else if new.get(graph) == Some(triples) {
                from_new += 1;
            } else {
                panic!("round {round}: {graph} is neither its old nor its new state (killed after {delay:?})");
            }
        }
        assert_eq!(
            from_old + from_new,
            60,
            "round {round}: every document is there"
        );
        assert!(
            layout_is_consistent(&env),
            "round {round}: merged graph consistent"
        );
        if from_old > 0 && from_new > 0 {
            killed_midway += 1;
        }
    }
    eprintln!("{killed_midway} of 6 kills left a mix of old and new documents");
    // A build after the kills finishes the job.
    env.ok(&["build", s(&v2)]);
    assert_eq!(graphs(&env), new);
    assert_eq!(merged_view(&env), merged_view(&full2));
}

/// Documents new to the store go through Oxigraph's bulk loader, one atomic ingestion per batch:
/// a first build killed at any moment leaves each document absent or whole.
#[test]
fn a_first_build_killed_at_random_moments_leaves_every_document_absent_or_whole() {
    let corpus = TestEnv::new();
    let (_, v2) = two_versions(&corpus, 60);
    let full = TestEnv::new();
    let started = Instant::now();
    full.ok(&["build", "--batch-documents", "2", s(&v2)]);
    let duration = started.elapsed();
    let whole = graphs(&full);

    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut killed_midway = 0;
    for round in 0..6 {
        let env = TestEnv::new();
        let delay = kill_build_at_random(&env, &v2, duration, &mut seed, round);
        if !env.store.join("CURRENT").exists() {
            continue; // killed before RocksDB made the store
        }

        let now = graphs(&env);
        let mut present = 0;
        for (graph, triples) in &now {
            if graph.starts_with(DOCUMENT_GRAPHS) {
                assert_eq!(
                    whole.get(graph),
                    Some(triples),
                    "round {round}: {graph} is not whole (killed after {delay:?})"
                );
                present += 1;
            }
        }
        assert!(
            layout_is_consistent(&env),
            "round {round}: merged graph consistent"
        );
        if present > 0 && present < 60 {
            killed_midway += 1;
        }
        // The next build finishes the job and clears what the killed bulk load left on disk.
        env.ok(&["build", s(&v2)]);
        assert_eq!(graphs(&env), whole, "round {round}: finished");
        assert_eq!(merged_view(&env), merged_view(&full));
        let leftovers: Vec<_> = std::fs::read_dir(&env.store)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("bulk-"))
            .collect();
        assert!(leftovers.is_empty(), "round {round}: left {leftovers:?}");
    }
    eprintln!("{killed_midway} of 6 kills left some documents loaded and others not");
}

#[test]
fn extract_writes_what_build_stores_without_a_store() {
    let env = TestEnv::with_seeds();
    let out = env.run(&["extract", s(&util::seeds())]);
    assert!(out.status.success());
    let extracted = parse_nquads(&String::from_utf8(out.stdout).unwrap());
    let stored: HashSet<Quad> = parse_nquads(&env.ok(&["export", "--format", "nquads"]))
        .into_iter()
        .filter(|q| matches!(&q.graph_name, GraphName::NamedNode(g) if g.as_str().starts_with(DOCUMENT_GRAPHS)))
        .collect();
    assert!(!extracted.is_empty());
    assert_eq!(extracted, stored);
    assert!(
        !env.path("xiezuo-store").exists(),
        "extract made no store of its own"
    );

    let jsonl = env.ok(&["extract", "--format", "jsonl", s(&util::seeds())]);
    let mut count = 0;
    for line in jsonl.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("one JSON object a line");
        for key in ["graph", "subject", "predicate", "object"] {
            assert!(value[key].is_string(), "{key} in {line}");
        }
        count += 1;
    }
    assert_eq!(count, extracted.len());
}

#[test]
fn extract_lists_files_it_cannot_read_and_goes_on() {
    let env = TestEnv::new();
    let dir = env.path("mixed");
    std::fs::create_dir(&dir).unwrap();
    copy_seed("001_24de61fca978a27e.txt", &dir.join("a.txt"));
    std::fs::write(dir.join("picture.txt"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let out = env.run(&["extract", s(&dir)]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("picture.txt") && stderr.contains("not a text file"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("a.txt"));
}

/// Starts a build of `corpus` in small batches and SIGKILLs it between a quarter of `duration`
/// (a full build's time) and a little past its end. Returns how long it let the build run.
fn kill_build_at_random(
    env: &TestEnv,
    corpus: &std::path::Path,
    duration: Duration,
    seed: &mut u64,
    round: usize,
) -> Duration {
    let span = duration.as_millis() as u64;
    let delay = Duration::from_millis(span / 4 + random_below(seed, span));
    let mut child = env
        .command(&["build", "--batch-documents", "2", s(corpus)])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    eprintln!("round {round}: killed after {delay:?} ({status})");
    delay
}
