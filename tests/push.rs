//! `xiezuo push` and `xiezuo query --endpoint` against a second, separate server: another
//! `xiezuo serve --allow-update` on its own empty store. The same queries must give the same
//! answers there as on the local store.

mod serve_util;
mod util;

use serve_util::{curl, get, json_rows, with_query, Served};
use util::TestEnv;
use xiezuo::serve::EXAMPLES;

/// An empty store of its own, served with updates allowed.
fn empty_server(env: &TestEnv, name: &str, args: &[&str]) -> Served {
    let dir = env.path(name);
    std::fs::create_dir(&dir).unwrap();
    let mut all = vec!["--allow-update"];
    all.extend_from_slice(args);
    Served::start_on(env, dir.to_str().unwrap(), &all)
}

fn remote_count(server: &Served, query: &str) -> usize {
    let reply = get(
        &with_query(&server.query_url(), query),
        "application/sparql-results+json",
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    json_rows(&reply.text())[0][0].parse().unwrap()
}

const ALL_NAMED: &str = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }";

#[test]
fn pushed_by_sparql_update_the_examples_give_the_same_answers_there() {
    let env = TestEnv::with_seeds();
    let other = empty_server(&env, "other", &[]);
    let out = env.run(&["push", "--endpoint", &other.query_url()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("SPARQL Update at") && stderr.contains("/update"),
        "{stderr}"
    );
    assert!(
        stderr.contains("checked"),
        "the push checks what arrived: {stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("replaced")).count(),
        6,
        "five documents and the ontology: {stdout}"
    );
    for example in EXAMPLES {
        let local = env.rows(example.query);
        let there = env.ok(&[
            "query",
            "--format",
            "json",
            "--endpoint",
            &other.query_url(),
            example.query,
        ]);
        assert_eq!(json_rows(&there), local, "example {}", example.name);
    }
    // The same table, character for character.
    let local = env.ok(&["query", EXAMPLES[0].query]);
    let there = env.ok(&["query", "--endpoint", &other.query_url(), EXAMPLES[0].query]);
    assert_eq!(there, local);
    for format in ["csv", "tsv", "xml"] {
        let local = env.ok(&["query", "--format", format, EXAMPLES[2].query]);
        let there = env.ok(&[
            "query",
            "--format",
            format,
            "--endpoint",
            &other.query_url(),
            EXAMPLES[2].query,
        ]);
        assert_eq!(there, local, "{format}");
    }
    // Graph results too.
    let construct = "CONSTRUCT WHERE { ?p a xz:Pairing ; xz:helper ?h ; xz:recipient ?r }";
    assert_eq!(
        env.ok(&["query", "--endpoint", &other.query_url(), construct]),
        env.ok(&["query", construct])
    );
}

#[test]
fn pushed_by_the_graph_store_protocol_every_graph_arrives_whole() {
    let env = TestEnv::with_seeds();
    let per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != <https://w3id.org/xiezuo/graph/merged>) } GROUP BY ?g";
    let local = env.exported_graph_sizes();
    assert_eq!(local.len(), 6, "five documents and the ontology: {local:?}");
    let other = empty_server(&env, "other", &[]);
    let out = env.ok(&[
        "push",
        "--graph-store",
        &format!("{}store", other.url),
        "--endpoint",
        &other.query_url(),
    ]);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("replaced")).count(),
        6,
        "{out}"
    );
    let reply = get(
        &with_query(&other.query_url(), per_graph),
        "application/sparql-results+json",
    );
    assert_eq!(json_rows(&reply.text()), local);
    for example in EXAMPLES {
        let there = env.ok(&[
            "query",
            "--format",
            "json",
            "--endpoint",
            &other.query_url(),
            example.query,
        ]);
        assert_eq!(
            json_rows(&there),
            env.rows(example.query),
            "example {}",
            example.name
        );
    }
}

#[test]
fn a_push_replaces_its_documents_graphs_and_nothing_else() {
    let env = TestEnv::with_seeds();
    let other = empty_server(&env, "other", &[]);
    let doc = "https://w3id.org/xiezuo/id/document/001_24de61fca978a27e.txt";
    // The server already has someone else's graph and a stale copy of one of our documents.
    let seed = curl(&[
        "--data-urlencode",
        &format!("update=INSERT DATA {{ GRAPH <http://example.org/theirs> {{ <http://example.org/a> <http://example.org/b> \"kept\" }} GRAPH <{doc}> {{ <http://example.org/stale> <http://example.org/b> \"gone\" }} }}"),
        &format!("{}update", other.url),
    ]);
    assert_eq!(seed.status, 204, "{}", seed.text());
    // A small batch: the ontology graph is staged in many requests, then moved.
    env.ok(&["push", "--endpoint", &other.query_url(), "--batch", "5000"]);
    assert_eq!(remote_count(&other, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/theirs> { ?s ?p \"kept\" } }"), 1);
    assert_eq!(
        remote_count(
            &other,
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p \"gone\" } }"
        ),
        0
    );
    assert_eq!(remote_count(&other, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), \"staging\")) }"), 0);
    // Pushing again gives the same server contents.
    let before = remote_count(&other, ALL_NAMED);
    env.ok(&["push", "--endpoint", &other.query_url()]);
    assert_eq!(remote_count(&other, ALL_NAMED), before);
}

#[test]
fn a_dry_run_lists_the_requests_and_sends_nothing() {
    let env = TestEnv::with_seeds();
    let other = empty_server(&env, "other", &[]);
    let out = env.run(&["push", "--endpoint", &other.query_url(), "--dry-run"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    for name in util::seed_names() {
        assert!(stdout.contains(&name), "{name} not listed: {stdout}");
    }
    assert!(stdout.contains("graph/ontology"), "{stdout}");
    assert!(
        !stdout.contains("graph/merged"),
        "the merged graph is derived, not pushed: {stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was sent"));
    assert_eq!(remote_count(&other, ALL_NAMED), 0);
    // Without a server at all, a dry run still works.
    env.ok(&[
        "push",
        "--graph-store",
        "http://127.0.0.1:9/store",
        "--dry-run",
    ]);
}

#[test]
fn an_unreachable_endpoint_is_one_clear_error() {
    let env = TestEnv::with_seeds();
    let before = env.count_triples();
    // Port 9 (discard) has no listener on these machines: the connection is refused.
    for args in [
        vec!["push", "--endpoint", "http://127.0.0.1:9/query"],
        vec!["push", "--graph-store", "http://127.0.0.1:9/store"],
        vec!["query", "--endpoint", "http://127.0.0.1:9/query", "ASK {}"],
    ] {
        let err = env.fails(&args);
        assert!(
            err.contains("cannot reach http://127.0.0.1:9/"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    let err = env.fails(&["query", "--endpoint", "localhost:7878", "ASK {}"]);
    assert!(err.contains("not an http://"), "{err}");
    assert_eq!(env.count_triples(), before, "the local store is untouched");
}

#[test]
fn a_refusing_server_stops_the_push_and_loses_nothing() {
    let env = TestEnv::with_seeds();
    let before = env.count_triples();
    let target = TestEnv::with_seeds();
    // A read-only server: it answers, and refuses the writes.
    let read_only = Served::start(&target, &[]);
    let target_before = remote_count(&read_only, ALL_NAMED);
    let err = env.fails(&["push", "--endpoint", &read_only.query_url()]);
    assert!(
        err.contains("403") && err.contains("--allow-update"),
        "{err}"
    );
    assert!(
        err.contains("as it was on the server") && err.contains("0 of 6"),
        "{err}"
    );
    assert_eq!(remote_count(&read_only, ALL_NAMED), target_before);
    // A server whose body limit is too small for the ontology graph: the documents go, the
    // ontology is refused, and the server still has its old copy of nothing.
    let small = empty_server(&env, "small", &["--max-body", "512k"]);
    let err = env.fails(&["push", "--graph-store", &format!("{}store", small.url)]);
    // The server's own answer, not a broken pipe: it drops the rest of the body before it
    // closes (a lingering close), so the client reads the 413.
    assert!(
        err.contains("answered 413")
            && err.contains("--max-body")
            && err.contains("graph/ontology"),
        "{err}"
    );
    assert!(!err.contains("cannot reach"), "{err}");
    assert!(err.contains("5 of 6"), "{err}");
    assert_eq!(
        remote_count(&small, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/xiezuo/graph/ontology> { ?s ?p ?o } }"),
        0
    );
    drop(read_only);
    drop(small);
    assert_eq!(env.count_triples(), before);
}

#[test]
fn a_query_error_at_the_endpoint_is_reported_with_its_position() {
    let env = TestEnv::with_seeds();
    let other = empty_server(&env, "other", &[]);
    let err = env.fails(&[
        "query",
        "--endpoint",
        &other.query_url(),
        "SELECT ?x WHERE { ?x xz:helper }",
    ]);
    assert!(err.contains("syntax error") && err.contains('^'), "{err}");
    assert!(
        err.contains("400"),
        "the server's answer is shown too: {err}"
    );
    let wrong_url = env.fails(&[
        "query",
        "--endpoint",
        &format!("{}nowhere", other.url),
        "ASK {}",
    ]);
    assert!(
        wrong_url.contains("404") && wrong_url.contains("/query"),
        "{wrong_url}"
    );
}

#[test]
fn a_pushed_document_replaces_the_evidence_a_build_gave_it() {
    // The server holds a build of the seeds; the pusher a build in which one document changed.
    let server_side = TestEnv::with_seeds();
    let pusher = TestEnv::new();
    let texts = pusher.path("texts");
    std::fs::create_dir(&texts).unwrap();
    let name = "001_24de61fca978a27e.txt";
    for seed in util::seed_names() {
        std::fs::copy(util::seeds().join(&seed), texts.join(&seed)).unwrap();
    }
    let text = std::fs::read_to_string(texts.join(name)).unwrap();
    let half: String = text.chars().take(text.chars().count() / 2).collect();
    std::fs::write(texts.join(name), half).unwrap();
    pusher.ok(&["build", texts.to_str().unwrap()]);

    let evidence = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ ?e <{}document> <https://w3id.org/xiezuo/id/document/{name}> }}",
        util::XZ
    );
    let built: usize = server_side.rows(&evidence)[0][0].parse().unwrap();
    let pushed: usize = pusher.rows(&evidence)[0][0].parse().unwrap();
    assert!(
        0 < pushed && pushed < built,
        "half the text has less evidence: {pushed} of {built}"
    );
    let server = Served::start(&server_side, &["--allow-update"]);
    // By SPARQL Update (DROP, INSERT DATA) and by the Graph Store Protocol (PUT).
    let endpoint = server.query_url();
    let graph_store = format!("{}store", server.url);
    for push in [
        vec!["push", "--endpoint", &endpoint],
        vec![
            "push",
            "--graph-store",
            &graph_store,
            "--endpoint",
            &endpoint,
        ],
    ] {
        pusher.ok(&push);
        assert_eq!(remote_count(&server, &evidence), pushed, "{push:?}");
    }
}
