//! `xiezuo serve` as other tools see it: curl, raw sockets, and (where CI installs them) Python's
//! SPARQLWrapper and rdflib. Each test starts its own server on a free loopback port.

mod serve_util;
mod util;

use oxigraph::io::{RdfFormat, RdfParser};
use serve_util::{curl, get, json_rows, with_query, Served};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use util::TestEnv;
use xiezuo::serve::EXAMPLES;

const PAIRINGS: &str = "SELECT ?h ?r WHERE { ?p a xz:Pairing ; xz:helper ?h ; xz:recipient ?r }";

/// The (helper, recipient) pairs the seeds state, as the local `xiezuo query` gives them.
fn local_pairings(env: &TestEnv) -> Vec<Vec<String>> {
    let rows = env.rows(PAIRINGS);
    assert_eq!(rows.len(), 7, "the seeds state seven pairings: {rows:?}");
    rows
}

fn parse_rdf(bytes: &[u8], format: RdfFormat) -> Vec<oxigraph::model::Quad> {
    RdfParser::from_format(format)
        .for_slice(bytes)
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| {
            panic!(
                "not valid {format}: {e}\n{}",
                String::from_utf8_lossy(bytes)
            )
        })
}

#[test]
fn every_results_format_is_negotiated_and_says_the_same() {
    let env = TestEnv::with_seeds();
    let expected = local_pairings(&env);
    let server = Served::start(&env, &[]);
    let url = with_query(&server.query_url(), &format!("{PAIRINGS} ORDER BY ?h ?r"));

    let json = get(&url, "application/sparql-results+json");
    assert_eq!(json.status, 200);
    assert_eq!(json.content_type(), "application/sparql-results+json");
    assert_eq!(json_rows(&json.text()), expected);

    let xml = get(&url, "application/sparql-results+xml");
    assert_eq!(xml.status, 200);
    assert_eq!(xml.content_type(), "application/sparql-results+xml");
    let xml_text = xml.text();
    assert!(xml_text.contains("<sparql") && xml_text.contains("<variable name=\"h\""));
    assert_eq!(xml_text.matches("<result>").count(), 7, "{xml_text}");

    let csv = get(&url, "text/csv");
    assert_eq!(csv.status, 200);
    assert!(csv.content_type().starts_with("text/csv"), "{csv:?}");
    let csv_text = csv.text();
    let mut lines = csv_text.lines();
    assert_eq!(lines.next(), Some("h,r"));
    let mut csv_rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    csv_rows.sort();
    assert_eq!(csv_rows, expected);

    let tsv = get(&url, "text/tab-separated-values");
    assert_eq!(tsv.status, 200);
    assert!(tsv.content_type().starts_with("text/tab-separated-values"));
    let tsv_text = tsv.text();
    assert_eq!(tsv_text.lines().next(), Some("?h\t?r"));
    assert_eq!(tsv_text.lines().count(), 8);
    assert!(tsv_text.contains(
        "<https://w3id.org/xiezuo/id/region/350000>\t<https://w3id.org/xiezuo/id/region/640000>"
    ));

    // No Accept header: JSON. ?format= wins over Accept, for browsers and SPARQLWrapper.
    assert_eq!(
        curl(&[&url]).content_type(),
        "application/sparql-results+json"
    );
    let by_param = get(
        &format!("{url}&format=csv"),
        "application/sparql-results+xml",
    );
    assert!(by_param.content_type().starts_with("text/csv"));

    // ASK in JSON and XML.
    let ask = with_query(
        &server.query_url(),
        "ASK { ?p xz:helper reg:350000 ; xz:recipient reg:640000 }",
    );
    let answer = get(&ask, "application/sparql-results+json");
    assert_eq!(answer.status, 200);
    let parsed: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(parsed["boolean"], true);
    assert!(get(&ask, "application/sparql-results+xml")
        .text()
        .contains("<boolean>true</boolean>"));
}

#[test]
fn graph_results_come_in_every_rdf_format() {
    let env = TestEnv::with_seeds();
    let server = Served::start(&env, &[]);
    let construct = "CONSTRUCT { ?p xz:helper ?h ; xz:recipient ?r ; rdfs:label ?l } WHERE { ?p a xz:Pairing ; xz:helper ?h ; xz:recipient ?r ; rdfs:label ?l }";
    let url = with_query(&server.query_url(), construct);
    let mut sizes = Vec::new();
    for (media, format) in [
        ("text/turtle", RdfFormat::Turtle),
        ("application/n-triples", RdfFormat::NTriples),
        ("application/rdf+xml", RdfFormat::RdfXml),
        ("application/trig", RdfFormat::TriG),
        ("application/n-quads", RdfFormat::NQuads),
    ] {
        let reply = get(&url, media);
        assert_eq!(reply.status, 200, "{media}: {}", reply.text());
        assert!(
            reply.content_type().starts_with(media),
            "{media}: {reply:?}"
        );
        let quads = parse_rdf(&reply.body, format);
        assert!(
            quads
                .iter()
                .any(|q| q.object.to_string().contains("福建省")),
            "{media}"
        );
        sizes.push((media, quads.len()));
    }
    let first = sizes[0].1;
    assert!(first > 14, "7 pairings with labels: {sizes:?}");
    assert!(sizes.iter().all(|(_, n)| *n == first), "{sizes:?}");
    // A graph in a results format is not acceptable.
    let refused = get(&url, "text/csv");
    assert_eq!(refused.status, 406);
    assert!(refused.text().contains("text/turtle"), "{}", refused.text());
}

#[test]
fn get_post_form_and_direct_post_give_the_same_answer() {
    let env = TestEnv::with_seeds();
    let server = Served::start(&env, &[]);
    let query = format!("{PAIRINGS} ORDER BY ?h ?r");
    let by_get = get(
        &with_query(&server.query_url(), &query),
        "application/sparql-results+json",
    );
    let by_form = curl(&[
        "-H",
        "Accept: application/sparql-results+json",
        "--data-urlencode",
        &format!("query={query}"),
        &server.query_url(),
    ]);
    let direct = curl(&[
        "-H",
        "Accept: application/sparql-results+json",
        "-H",
        "Content-Type: application/sparql-query",
        "--data-binary",
        &query,
        &server.query_url(),
    ]);
    assert_eq!(by_get.status, 200);
    assert_eq!(by_form.status, 200, "{}", by_form.text());
    assert_eq!(direct.status, 200, "{}", direct.text());
    assert_eq!(by_get.body, by_form.body);
    assert_eq!(by_get.body, direct.body);
    // The protocol's dataset parameters replace the default graph: one document's graph only.
    let doc = "https://w3id.org/xiezuo/id/document/004_c5ac9b9131ebefd6.txt";
    let one_doc = get(
        &format!(
            "{}&default-graph-uri={}",
            with_query(&server.query_url(), PAIRINGS),
            url::form_urlencoded::byte_serialize(doc.as_bytes()).collect::<String>()
        ),
        "application/sparql-results+json",
    );
    assert_eq!(one_doc.status, 200);
    let rows = json_rows(&one_doc.text());
    assert!(!rows.is_empty() && rows.len() < 7, "{rows:?}");
}

#[test]
fn the_served_default_graph_is_the_same_view_as_xiezuo_query() {
    let env = TestEnv::with_seeds();
    // The store is locked while served, so ask the local command first.
    let local: Vec<Vec<Vec<String>>> = EXAMPLES.iter().map(|e| env.rows(e.query)).collect();
    let server = Served::start(&env, &[]);
    for (example, expected) in EXAMPLES.iter().zip(&local) {
        assert!(
            !expected.is_empty(),
            "example {} finds nothing",
            example.name
        );
        let reply = curl(&[
            "-H",
            "Accept: application/sparql-results+json",
            "--data-urlencode",
            &format!("query={}", example.query),
            &server.query_url(),
        ]);
        assert_eq!(reply.status, 200, "{}: {}", example.name, reply.text());
        assert_eq!(
            &json_rows(&reply.text()),
            expected,
            "example {}",
            example.name
        );
    }
}

#[test]
fn the_graph_store_protocol_reads_graphs() {
    let env = TestEnv::with_seeds();
    let nt = env.ok(&["export", "--format", "ntriples"]);
    let default_size = parse_rdf(nt.as_bytes(), RdfFormat::NTriples).len();
    let doc = "https://w3id.org/xiezuo/id/document/001_24de61fca978a27e.txt";
    // The document's graph as exported: what it states and its evidence.
    let doc_size: usize = env
        .exported_graph_sizes()
        .iter()
        .find(|row| row[0] == doc)
        .map(|row| row[1].parse().unwrap())
        .expect("the document is exported");
    let server = Served::start(&env, &[]);
    let store = format!("{}store", server.url);

    let default = get(&format!("{store}?default"), "application/n-triples");
    assert_eq!(default.status, 200);
    assert_eq!(
        parse_rdf(&default.body, RdfFormat::NTriples).len(),
        default_size
    );

    let encoded: String = url::form_urlencoded::byte_serialize(doc.as_bytes()).collect();
    let graph = get(&format!("{store}?graph={encoded}"), "text/turtle");
    assert_eq!(graph.status, 200);
    assert_eq!(graph.content_type(), "text/turtle");
    assert_eq!(parse_rdf(&graph.body, RdfFormat::Turtle).len(), doc_size);
    let head = curl(&["-I", &format!("{store}?graph={encoded}")]);
    assert_eq!(head.status, 200);

    let dataset = get(&store, "application/n-quads");
    assert_eq!(dataset.status, 200);
    let quads = parse_rdf(&dataset.body, RdfFormat::NQuads);
    assert!(quads
        .iter()
        .any(|q| q.graph_name.to_string().contains("001_24de61fca978a27e")));
    assert!(
        !quads
            .iter()
            .any(|q| q.graph_name.to_string().contains("graph/merged")),
        "the derived merged graph is not part of the dataset"
    );
    assert!(
        !quads
            .iter()
            .any(|q| q.graph_name.to_string().contains("graph/evidence")),
        "evidence is in its document's graph"
    );

    let missing = get(
        &format!("{store}?graph=http%3A%2F%2Fexample.org%2Fnone"),
        "text/turtle",
    );
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("no graph"));
}

#[test]
fn a_read_only_server_refuses_every_change() {
    let env = TestEnv::with_seeds();
    let before = env.count_triples();
    let server = Served::start(&env, &[]);
    let update = curl(&[
        "--data-urlencode",
        "update=DELETE WHERE { ?s ?p ?o }",
        &format!("{}update", server.url),
    ]);
    assert_eq!(update.status, 403);
    assert!(
        update.text().contains("--allow-update"),
        "{}",
        update.text()
    );
    let put = curl(&[
        "-X",
        "PUT",
        "-H",
        "Content-Type: text/turtle",
        "--data-binary",
        "<http://example.org/a> <http://example.org/b> <http://example.org/c> .",
        &format!("{}store?default", server.url),
    ]);
    assert_eq!(put.status, 403);
    let delete = curl(&["-X", "DELETE", &format!("{}store?default", server.url)]);
    assert_eq!(delete.status, 403);
    drop(server);
    assert_eq!(env.count_triples(), before);
}

fn count(server: &Served, query: &str) -> usize {
    let reply = get(
        &with_query(&server.query_url(), query),
        "application/sparql-results+json",
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    json_rows(&reply.text())[0][0].parse().unwrap()
}

#[test]
fn with_allow_update_writes_go_through_and_the_merged_view_follows() {
    let env = TestEnv::with_seeds();
    let server = Served::start(&env, &["--allow-update"]);
    let store = format!("{}store", server.url);
    let doc = "https://w3id.org/xiezuo/id/document/999_test.txt";
    let doc_param: String = url::form_urlencoded::byte_serialize(doc.as_bytes()).collect();
    let ask_new =
        "SELECT (COUNT(*) AS ?n) WHERE { ?p xz:helper reg:310000 ; xz:recipient reg:520000 }";
    assert_eq!(count(&server, ask_new), 0);

    // SPARQL Update into a document graph: the default graph shows it at once.
    let update = curl(&[
        "--data-urlencode",
        &format!("update=INSERT DATA {{ GRAPH <{doc}> {{ pairing:310000-520000 xz:helper reg:310000 ; xz:recipient reg:520000 }} }}"),
        &format!("{}update", server.url),
    ]);
    assert_eq!(update.status, 204, "{}", update.text());
    assert_eq!(count(&server, ask_new), 1);

    // Graph Store: DELETE the document graph, and the fact leaves the default graph too.
    let deleted = curl(&["-X", "DELETE", &format!("{store}?graph={doc_param}")]);
    assert_eq!(deleted.status, 204);
    assert_eq!(count(&server, ask_new), 0);
    assert_eq!(
        curl(&["-X", "DELETE", &format!("{store}?graph={doc_param}")]).status,
        404
    );

    // PUT creates (201), PUT again replaces (204), POST adds.
    let put = |body: &str| {
        curl(&[
            "-X",
            "PUT",
            "-H",
            "Content-Type: text/turtle",
            "--data-binary",
            body,
            &format!("{store}?graph={doc_param}"),
        ])
    };
    let created = put("<https://w3id.org/xiezuo/id/pairing/310000-520000> <https://w3id.org/xiezuo/ontology#helper> <https://w3id.org/xiezuo/id/region/310000> .");
    assert_eq!(created.status, 201, "{}", created.text());
    let replaced = put("<https://w3id.org/xiezuo/id/pairing/310000-520000> <https://w3id.org/xiezuo/ontology#recipient> <https://w3id.org/xiezuo/id/region/520000> .");
    assert_eq!(replaced.status, 204);
    let in_doc = format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{doc}> {{ ?s ?p ?o }} }}");
    assert_eq!(count(&server, &in_doc), 1, "PUT replaced the graph");
    let posted = curl(&[
        "-X",
        "POST",
        "-H",
        "Content-Type: application/n-triples",
        "--data-binary",
        "<https://w3id.org/xiezuo/id/pairing/310000-520000> <https://w3id.org/xiezuo/ontology#helper> <https://w3id.org/xiezuo/id/region/310000> .",
        &format!("{store}?graph={doc_param}"),
    ]);
    assert_eq!(posted.status, 204);
    assert_eq!(count(&server, &in_doc), 2);
    assert_eq!(count(&server, ask_new), 1);

    // The derived merged graph cannot be written; a body that does not parse changes nothing.
    let merged = curl(&[
        "-X",
        "PUT",
        "-H",
        "Content-Type: text/turtle",
        "--data-binary",
        "<a:b> <a:c> <a:d> .",
        &format!("{store}?graph=https%3A%2F%2Fw3id.org%2Fxiezuo%2Fgraph%2Fmerged"),
    ]);
    assert_eq!(merged.status, 403);
    let broken = put("<https://w3id.org/xiezuo/id/pairing/x> <oops");
    assert_eq!(broken.status, 400);
    assert!(
        broken.text().contains("nothing was changed"),
        "{}",
        broken.text()
    );
    assert_eq!(count(&server, &in_doc), 2);

    // Killed like a power cut, the store keeps every committed write.
    server.kill();
    assert_eq!(env.rows(&in_doc), vec![vec!["2".to_owned()]]);
}

#[test]
fn a_query_past_the_timeout_is_stopped_and_the_server_goes_on() {
    let env = TestEnv::with_seeds();
    let mut server = Served::start(&env, &["--timeout", "0.5"]);
    // Every triple with every triple with every triple of the gazetteer: hours of work.
    let heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";
    let started = Instant::now();
    let reply = get(
        &with_query(&server.query_url(), heavy),
        "application/sparql-results+json",
    );
    let took = started.elapsed();
    assert_eq!(reply.status, 503, "{}", reply.text());
    assert!(reply.text().contains("--timeout"), "{}", reply.text());
    assert!(took < Duration::from_secs(20), "stopped after {took:?}");
    assert!(server.alive());
    assert_eq!(
        count(&server, "SELECT (COUNT(*) AS ?n) WHERE { ?p a xz:Pairing }"),
        7
    );
}

#[test]
fn results_beyond_the_row_cap_are_refused_not_cut() {
    let env = TestEnv::with_seeds();
    let server = Served::start(&env, &["--max-rows", "5"]);
    let all = get(
        &with_query(&server.query_url(), "SELECT * WHERE { ?s ?p ?o }"),
        "application/sparql-results+json",
    );
    assert_eq!(all.status, 422);
    assert!(
        all.text().contains("LIMIT") && all.text().contains('5'),
        "{}",
        all.text()
    );
    let construct = get(
        &with_query(&server.query_url(), "CONSTRUCT WHERE { ?s ?p ?o }"),
        "text/turtle",
    );
    assert_eq!(construct.status, 422);
    let limited = get(
        &with_query(&server.query_url(), "SELECT * WHERE { ?s ?p ?o } LIMIT 5"),
        "application/sparql-results+json",
    );
    assert_eq!(limited.status, 200);
    assert_eq!(json_rows(&limited.text()).len(), 5);
}

#[test]
fn bodies_beyond_the_cap_are_refused_and_the_server_goes_on() {
    let env = TestEnv::with_seeds();
    let mut server = Served::start(&env, &["--max-body", "1k"]);
    let long = format!(
        "SELECT * WHERE {{ ?s ?p ?o }} LIMIT 1 # {}",
        "x".repeat(2000)
    );
    let sized = curl(&[
        "-H",
        "Content-Type: application/sparql-query",
        "--data-binary",
        &long,
        &server.query_url(),
    ]);
    assert_eq!(sized.status, 413);
    assert!(sized.text().contains("--max-body"), "{}", sized.text());
    let chunked = curl(&[
        "-H",
        "Content-Type: application/sparql-query",
        "-H",
        "Transfer-Encoding: chunked",
        "--data-binary",
        &long,
        &server.query_url(),
    ]);
    assert_eq!(chunked.status, 413);
    let short = curl(&[
        "-H",
        "Content-Type: application/sparql-query",
        "-H",
        "Accept: application/sparql-results+json",
        "--data-binary",
        "ASK { ?s ?p ?o }",
        &server.query_url(),
    ]);
    assert_eq!(short.status, 200);
    assert!(server.alive());
}

#[test]
fn malformed_requests_get_a_status_and_a_message() {
    let env = TestEnv::with_seeds();
    let mut server = Served::start(&env, &[]);
    let q = server.query_url();

    let syntax = get(&with_query(&q, "SELECT ?x WHERE { ?x xz:helper }"), "*/*");
    assert_eq!(syntax.status, 400);
    assert!(
        syntax.text().contains("syntax error") && syntax.text().contains('^'),
        "{}",
        syntax.text()
    );

    let none = curl(&[&q]);
    assert_eq!(none.status, 400);
    assert!(none.text().contains("query"), "{}", none.text());

    let twice = curl(&[&format!("{q}?query=ASK%7B%7D&query=ASK%7B%7D")]);
    assert_eq!(twice.status, 400);

    let bad_iri = curl(&[&format!(
        "{}&default-graph-uri=not%20an%20iri",
        with_query(&q, "ASK {}")
    )]);
    assert_eq!(bad_iri.status, 400);

    let media = curl(&[
        "-H",
        "Content-Type: application/pdf",
        "--data-binary",
        "%PDF",
        &q,
    ]);
    assert_eq!(media.status, 415);
    assert!(
        media.text().contains("application/sparql-query"),
        "{}",
        media.text()
    );

    let latin1 = env.path("latin1.rq");
    std::fs::write(&latin1, b"ASK { ?s ?p \"caf\xe9\" }").unwrap();
    let not_utf8 = curl(&[
        "-H",
        "Content-Type: application/sparql-query",
        "--data-binary",
        &format!("@{}", latin1.display()),
        &q,
    ]);
    assert_eq!(not_utf8.status, 400, "{}", not_utf8.text());

    let unacceptable = get(
        &with_query(&q, "SELECT * WHERE { ?s ?p ?o } LIMIT 1"),
        "image/png",
    );
    assert_eq!(unacceptable.status, 406);

    let unknown = curl(&[&format!("{}nowhere", server.url)]);
    assert_eq!(unknown.status, 404);
    assert!(unknown.text().contains("/query"), "{}", unknown.text());

    let method = curl(&["-X", "DELETE", &q]);
    assert_eq!(method.status, 405);
    assert!(method.header("allow").is_some_and(|a| a.contains("POST")));

    let update_by_get = curl(&[&format!("{}sparql?update=CLEAR%20ALL", server.url)]);
    assert_eq!(update_by_get.status, 400);

    assert!(server.alive());
    assert_eq!(
        count(&server, "SELECT (COUNT(*) AS ?n) WHERE { ?p a xz:Pairing }"),
        7
    );
}

#[test]
fn browsers_may_query_it_from_other_origins() {
    let env = TestEnv::with_seeds();
    let server = Served::start(&env, &[]);
    let preflight = curl(&[
        "-X",
        "OPTIONS",
        "-H",
        "Origin: https://yasgui.org",
        "-H",
        "Access-Control-Request-Method: POST",
        "-H",
        "Access-Control-Request-Headers: content-type",
        &server.query_url(),
    ]);
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert!(preflight
        .header("access-control-allow-methods")
        .is_some_and(|m| m.contains("POST")));
    assert!(preflight
        .header("access-control-allow-headers")
        .is_some_and(|h| h.to_lowercase().contains("content-type")));
    let answer = curl(&[
        "-H",
        "Origin: https://yasgui.org",
        &with_query(&server.query_url(), "ASK {}"),
    ]);
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    let refused = curl(&["-H", "Origin: https://yasgui.org", &server.query_url()]);
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.header("access-control-allow-origin"),
        Some("*"),
        "errors are readable too"
    );
}

#[test]
fn the_page_offers_a_query_box_and_the_examples() {
    let env = TestEnv::with_seeds();
    let server = Served::start(&env, &[]);
    let page = get(&server.url, "text/html");
    assert_eq!(page.status, 200);
    assert!(page.content_type().starts_with("text/html"));
    let html = page.text();
    assert!(html.contains("<textarea"));
    for example in EXAMPLES {
        assert!(
            html.contains(example.title),
            "the page lacks {}",
            example.title
        );
    }
    assert!(html.contains("福建"));
}

/// Reads from `stream` until it closes or `limit` passes.
fn read_all(stream: &mut TcpStream, limit: Duration) -> String {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn a_slow_client_gets_408_while_others_are_served() {
    let env = TestEnv::with_seeds();
    let mut server = Served::start(&env, &["--idle-timeout", "1"]);
    // Half a request line, then nothing.
    let mut slow_headers = TcpStream::connect(server.addr()).unwrap();
    slow_headers
        .write_all(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    // A complete header promising a body that never comes.
    let mut slow_body = TcpStream::connect(server.addr()).unwrap();
    slow_body
        .write_all(b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\nASK")
        .unwrap();
    // Meanwhile another client is answered at once.
    let started = Instant::now();
    assert_eq!(
        count(&server, "SELECT (COUNT(*) AS ?n) WHERE { ?p a xz:Pairing }"),
        7
    );
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    let answer = read_all(&mut slow_headers, Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    let answer = read_all(&mut slow_body, Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(server.alive());
    assert_eq!(
        count(&server, "SELECT (COUNT(*) AS ?n) WHERE { ?p a xz:Pairing }"),
        7
    );
}

#[test]
fn a_second_server_on_a_busy_store_or_port_is_refused_clearly() {
    let env = TestEnv::with_seeds();
    let server = Served::start(&env, &[]);
    let err = env.fails(&["serve", "--bind", "127.0.0.1:0"]);
    assert!(err.contains("in use"), "{err}");
    let other = TestEnv::with_seeds();
    let err = other.fails(&["serve", "--bind", &server.addr()]);
    assert!(err.contains("cannot listen on"), "{err}");
}

#[test]
fn sparqlwrapper_and_rdflib_can_use_it() {
    let Some(python) = serve_util::python() else {
        return;
    };
    let env = TestEnv::with_seeds();
    let expected = local_pairings(&env);
    let server = Served::start(&env, &[]);
    let script = r#"
import sys, json
from SPARQLWrapper import SPARQLWrapper, JSON, TURTLE, XML, CSV
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
endpoint = sys.argv[1]
w = SPARQLWrapper(endpoint)
w.setQuery("SELECT ?h ?r WHERE { ?p a xz:Pairing ; xz:helper ?h ; xz:recipient ?r }")
w.setReturnFormat(JSON)
rows = sorted([b["h"]["value"], b["r"]["value"]] for b in w.query().convert()["results"]["bindings"])
w.setMethod("POST")
assert sorted([b["h"]["value"], b["r"]["value"]] for b in w.query().convert()["results"]["bindings"]) == rows
w.setReturnFormat(XML)
assert len(w.query().convert().getElementsByTagName("result")) == len(rows)
w.setReturnFormat(CSV)
assert w.query().convert().decode().splitlines()[0] == "h,r"
w.setQuery("ASK { ?p xz:helper reg:350000 }")
w.setReturnFormat(JSON)
assert w.query().convert()["boolean"] is True
w.setQuery("CONSTRUCT WHERE { ?p a xz:Pairing ; xz:helper ?h }")
w.setReturnFormat(TURTLE)
g = rdflib.Graph().parse(data=w.query().convert(), format="turtle")
assert len(g) == 2 * len(rows), len(g)
store = SPARQLStore(endpoint)
n = list(rdflib.Graph(store=store).query("SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/xiezuo/ontology#Pairing> }"))[0][0]
assert int(n) == len(rows), n
graph = rdflib.Graph().parse(endpoint.replace("/query", "/store") + "?default", format="turtle")
assert (None, rdflib.RDF.type, rdflib.URIRef("https://w3id.org/xiezuo/ontology#Pairing")) in graph
print(json.dumps(rows))
"#;
    let out = serve_util::run_python(&python, script, &[&server.query_url()]);
    let rows: Vec<Vec<String>> = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(rows, expected);
}
