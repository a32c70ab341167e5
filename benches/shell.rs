//! `cargo bench`: the shell's promises, measured on the seed store.
//!
//! - From start to prompt: `xiezuo shell`, and bare `xiezuo` with the seeds up to date, on a
//!   pseudo-terminal, from spawning the process until its prompt is on the screen. Budget:
//!   150 ms (median).
//! - Each `.examples` query: evaluated and rendered as a table, as the shell does, in-process on
//!   the seed graph. Budget: 10 ms (median), also with labels beside IRIs (`.lang en`).
//!
//! Prints a table of medians and exits non-zero if a budget is missed. No benchmark framework:
//! these are two wall-clock budgets, and a few dozen runs give a stable median.

#[path = "../tests/util/pty.rs"]
mod pty;

use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use xiezuo::results::{display_term, render_table_fitted};
use xiezuo::shell::EXAMPLES;
use xiezuo::store::GraphStore;

const START_BUDGET: Duration = Duration::from_millis(150);
const EXAMPLE_BUDGET: Duration = Duration::from_millis(10);
const START_RUNS: usize = 20;
const EXAMPLE_RUNS: usize = 50;

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Time from spawning `xiezuo ARGS` until the prompt is shown.
fn start_to_prompt(args: &[&str], store: &Path, home: &Path) -> Duration {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xiezuo"));
    command
        .args(args)
        .env("XIEZUO_STORE", store)
        .env("XIEZUO_HISTORY", home.join("history"))
        .env("TERM", "xterm-256color")
        .current_dir(home);
    let started = Instant::now();
    let mut shell = pty::Pty::spawn(command, 120, 40);
    shell.expect_within("xiezuo> ", Duration::from_secs(10));
    let elapsed = started.elapsed();
    shell.send(pty::CTRL_D);
    shell.wait(Duration::from_secs(10));
    elapsed
}

/// One example as the shell runs it: evaluate, collect, render the table (with labels if asked).
fn run_example(store: &GraphStore, query: &str, lang: Option<&str>) -> usize {
    let QueryResults::Solutions(solutions) = store.query(query).expect("example parses") else {
        panic!("examples are SELECT queries");
    };
    let variables = solutions.variables().to_vec();
    let rows: Vec<Vec<Option<Term>>> = solutions
        .map(|s| {
            let s = s.expect("example evaluates");
            variables.iter().map(|v| s.get(v).cloned()).collect()
        })
        .collect();
    let labels = match lang {
        Some(tag) => {
            let iris: Vec<&str> = rows
                .iter()
                .flatten()
                .filter_map(|t| match t {
                    Some(Term::NamedNode(n)) => Some(n.as_str()),
                    _ => None,
                })
                .collect();
            xiezuo::labels::labels(&store.into(), &iris, tag).expect("labels")
        }
        None => Default::default(),
    };
    let header: Vec<String> = variables.iter().map(|v| v.as_str().to_owned()).collect();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|t| match t {
                    Some(Term::NamedNode(n)) => match labels.get(n.as_str()) {
                        Some(l) => format!("{} ({l})", display_term(&Term::NamedNode(n.clone()))),
                        None => display_term(&Term::NamedNode(n.clone())),
                    },
                    Some(t) => display_term(t),
                    None => String::new(),
                })
                .collect()
        })
        .collect();
    std::hint::black_box(render_table_fitted(&header, &cells, Some(120)));
    rows.len()
}

fn main() {
    // `cargo bench -- FILTER` passes arguments; there are only two benchmarks, so run both.
    let dir = tempfile::tempdir().expect("temp dir");
    let store_path = dir.path().join("store");
    {
        let store = GraphStore::open_or_create(&store_path).expect("store");
        xiezuo::build::build(&store, &[seeds()], &mut |_| {}).expect("build the seeds");
    }
    let mut missed = Vec::new();

    // `xiezuo shell` opens the store; bare `xiezuo` also checks that the store is up to date
    // with ./seeds (hashing every seed) before it opens the shell.
    std::os::unix::fs::symlink(seeds(), dir.path().join("seeds")).expect("link the seeds");
    for (what, args) in [
        ("xiezuo shell", &["shell"][..]),
        ("xiezuo, seeds up to date", &[][..]),
    ] {
        println!(
            "start to prompt, {what} ({START_RUNS} runs, budget {}):",
            ms(START_BUDGET)
        );
        start_to_prompt(args, &store_path, dir.path()); // warm the file cache
        let times: Vec<Duration> = (0..START_RUNS)
            .map(|_| start_to_prompt(args, &store_path, dir.path()))
            .collect();
        let (min, max) = (*times.iter().min().unwrap(), *times.iter().max().unwrap());
        let start = median(times);
        println!("  median {}  (min {}, max {})", ms(start), ms(min), ms(max));
        if start > START_BUDGET {
            missed.push(format!("start to prompt, {what}: {}", ms(start)));
        }
    }

    let store = GraphStore::open_existing(&store_path).expect("store");
    println!(
        "\n.examples queries ({EXAMPLE_RUNS} runs each, budget {}):",
        ms(EXAMPLE_BUDGET)
    );
    println!("   #  rows  median      with .lang en  question");
    for (i, example) in EXAMPLES.iter().enumerate() {
        let rows = run_example(&store, example.query, None);
        let mut medians = Vec::new();
        for lang in [None, Some("en")] {
            let times: Vec<Duration> = (0..EXAMPLE_RUNS)
                .map(|_| {
                    let started = Instant::now();
                    std::hint::black_box(run_example(&store, example.query, lang));
                    started.elapsed()
                })
                .collect();
            medians.push(median(times));
        }
        println!(
            "  {:>2}  {rows:>4}  {:<10}  {:<13}  {}",
            i + 1,
            ms(medians[0]),
            ms(medians[1]),
            example.question
        );
        for (m, how) in medians.iter().zip(["", " with labels"]) {
            if *m > EXAMPLE_BUDGET {
                missed.push(format!("example {}{how}: {}", i + 1, ms(*m)));
            }
        }
    }
    if missed.is_empty() {
        println!("\nall within budget");
    } else {
        println!("\nover budget: {}", missed.join("; "));
        std::process::exit(1);
    }
}
