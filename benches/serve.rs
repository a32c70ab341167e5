//! Queries per second and latency percentiles of `serve` for the example queries, under a
//! bounded loopback load: `CLIENTS` keep-alive connections, each sending one query after another
//! for `SECONDS` per example (and at most `MAX_REQUESTS` in all per example).
//!
//! `cargo bench --bench serve`; `XIEZUO_BENCH_CLIENTS` (default 4) and `XIEZUO_BENCH_SECONDS`
//! (default 3) change the load. Target: 1,000 queries/s for simple lookups on the seed graph on
//! two cores (the client threads share those cores with the server).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};
use xiezuo::serve::{self, ServeOptions, EXAMPLES};
use xiezuo::store::GraphStore;
use xiezuo::{corpus, extractor_version};

const MAX_REQUESTS: usize = 200_000;
/// The examples that are simple lookups, for the target.
const LOOKUPS: &[&str] = &["fujian", "region", "evidence"];
const TARGET_QPS: f64 = 1000.0;

fn env_number(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Sends one GET and reads the whole response; returns the status.
fn exchange(stream: &mut BufReader<TcpStream>, request: &[u8]) -> std::io::Result<u16> {
    stream.get_mut().write_all(request)?;
    let mut line = String::new();
    stream.read_line(&mut line)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut length = 0usize;
    loop {
        line.clear();
        stream.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body)?;
    Ok(status)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

fn main() {
    let clients = env_number("XIEZUO_BENCH_CLIENTS", 4.0).max(1.0) as usize;
    let seconds = env_number("XIEZUO_BENCH_SECONDS", 3.0).max(0.1);
    let dir = tempfile::tempdir().expect("temp dir");
    let store = GraphStore::open_or_create(&dir.path().join("store")).expect("store");
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let files = corpus::collect(&[seeds]).expect("seeds");
    let extractions: Vec<_> = files
        .iter()
        .map(|f| corpus::read(f).expect("seed"))
        .collect();
    store
        .load(&extractions, &extractor_version())
        .expect("load the seeds");
    let server = serve::start(
        store,
        ServeOptions {
            bind: "127.0.0.1:0".parse().unwrap(),
            ..ServeOptions::default()
        },
    )
    .expect("start the server");
    let addr = server.addr();
    println!(
        "serve on {addr}: {clients} keep-alive clients, {seconds} s per query, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<10} {:>9} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "query", "queries/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"
    );
    let mut lookups_met = true;
    for example in EXAMPLES {
        let target: String =
            url::form_urlencoded::byte_serialize(example.query.as_bytes()).collect();
        let request = format!(
            "GET /query?query={target} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/sparql-results+json\r\n\r\n"
        )
        .into_bytes();
        // Warm up: one query on one connection.
        let mut warm = BufReader::new(TcpStream::connect(addr).unwrap());
        assert_eq!(
            exchange(&mut warm, &request).unwrap(),
            200,
            "{}",
            example.name
        );
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let per_client = MAX_REQUESTS / clients;
        let started = Instant::now();
        let handles: Vec<_> = (0..clients)
            .map(|_| {
                let request = request.clone();
                std::thread::spawn(move || {
                    let mut latencies = Vec::new();
                    let mut errors = 0usize;
                    let mut stream = BufReader::new(TcpStream::connect(addr).unwrap());
                    stream.get_ref().set_nodelay(true).unwrap();
                    while Instant::now() < deadline && latencies.len() + errors < per_client {
                        let t = Instant::now();
                        match exchange(&mut stream, &request) {
                            Ok(200) => latencies.push(t.elapsed()),
                            _ => {
                                errors += 1;
                                stream = BufReader::new(TcpStream::connect(addr).unwrap());
                            }
                        }
                    }
                    (latencies, errors)
                })
            })
            .collect();
        let mut latencies = Vec::new();
        let mut errors = 0;
        for h in handles {
            let (l, e) = h.join().unwrap();
            latencies.extend(l);
            errors += e;
        }
        let elapsed = started.elapsed().as_secs_f64();
        latencies.sort();
        let qps = latencies.len() as f64 / elapsed;
        if LOOKUPS.contains(&example.name) && qps < TARGET_QPS {
            lookups_met = false;
        }
        println!(
            "{:<10} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>7}",
            example.name,
            qps,
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.90),
            percentile(&latencies, 0.99),
            percentile(&latencies, 1.0),
            errors
        );
    }
    println!(
        "target {TARGET_QPS:.0} queries/s for the lookups ({}): {}",
        LOOKUPS.join(", "),
        if lookups_met { "met" } else { "NOT met" }
    );
}
