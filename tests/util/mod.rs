//! Shared boilerplate for the integration tests: a temporary store per test, the real binary,
//! and helpers that run queries and return sorted rows.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const XZ: &str = "https://w3id.org/xiezuo/ontology#";
pub const REGION: &str = "https://w3id.org/xiezuo/id/region/";

pub fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

/// File names of the seed texts, sorted.
pub fn seed_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(seeds())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    names
}

/// A temporary directory with a store path in it; removed when dropped.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub store: PathBuf,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = dir.path().join("store");
        TestEnv { dir, store }
    }

    /// A fresh store built from the seeds.
    pub fn with_seeds() -> TestEnv {
        let env = TestEnv::new();
        env.ok(&["build", seeds().to_str().unwrap()]);
        env
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xiezuo"));
        cmd.args(args)
            .env("XIEZUO_STORE", &self.store)
            .env("XIEZUO_HISTORY", self.dir.path().join("history"))
            .current_dir(self.dir.path());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .stdin(Stdio::null())
            .output()
            .expect("run xiezuo")
    }

    /// Runs and expects success; returns standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "xiezuo {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// Runs and expects failure; returns standard error.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "xiezuo {args:?} should have failed");
        String::from_utf8(out.stderr).expect("UTF-8 errors")
    }

    /// Runs with `input` on standard input.
    pub fn with_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn xiezuo");
        let written = child.stdin.take().unwrap().write_all(input.as_bytes());
        // A command that fails before reading its input (an unreachable endpoint) closes the
        // pipe: what it printed is what the test checks.
        if let Err(e) = written {
            assert_eq!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe,
                "writing stdin: {e}"
            );
        }
        child.wait_with_output().expect("wait for xiezuo")
    }

    /// SELECT results as rows of plain values (IRIs and literal lexical forms), sorted.
    pub fn rows(&self, query: &str) -> Vec<Vec<String>> {
        json_rows(&self.ok(&["query", "--format", "json", query]))
    }

    pub fn ask(&self, query: &str) -> bool {
        let json = self.ok(&["query", "--format", "json", query]);
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("SPARQL JSON results");
        parsed["boolean"].as_bool().expect("an ASK result")
    }

    /// `[graph, number of triples]` of every graph of the dataset export (each document with its
    /// evidence, as `push` and the Graph Store Protocol send it), sorted.
    pub fn exported_graph_sizes(&self) -> Vec<Vec<String>> {
        use oxigraph::io::{RdfFormat, RdfParser};
        let nquads = self.ok(&["export", "--format", "nquads"]);
        let mut sizes = std::collections::BTreeMap::<String, usize>::new();
        for quad in RdfParser::from_format(RdfFormat::NQuads).for_slice(nquads.as_bytes()) {
            let graph = match quad.expect("valid N-Quads").graph_name {
                oxigraph::model::GraphName::NamedNode(g) => g.into_string(),
                other => other.to_string(),
            };
            *sizes.entry(graph).or_default() += 1;
        }
        sizes
            .into_iter()
            .map(|(graph, n)| vec![graph, n.to_string()])
            .collect()
    }

    pub fn count_triples(&self) -> usize {
        self.rows("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0][0]
            .parse()
            .unwrap()
    }
}

/// Whether an external tool is installed (CI installs them; a developer may not have).
pub fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// The original text of a seed between two character offsets.
pub fn seed_slice(file: &str, start: usize, end: usize) -> String {
    let text = std::fs::read_to_string(seeds().join(file)).unwrap();
    text.chars().skip(start).take(end - start).collect()
}

/// Solutions of a SPARQL JSON results document as sorted rows of values.
pub fn json_rows(json: &str) -> Vec<Vec<String>> {
    let parsed: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("not SPARQL JSON ({e}): {json}"));
    let vars: Vec<String> = parsed["head"]["vars"]
        .as_array()
        .expect("head.vars")
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let mut rows: Vec<Vec<String>> = parsed["results"]["bindings"]
        .as_array()
        .expect("results.bindings")
        .iter()
        .map(|b| {
            vars.iter()
                .map(|v| b[v]["value"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .collect();
    rows.sort();
    rows
}
