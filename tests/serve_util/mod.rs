//! For the serve and push tests: `xiezuo serve` on a free loopback port, stopped when dropped, and
//! clients that are not ours (curl, Python's SPARQLWrapper and rdflib).
#![allow(dead_code)]

use crate::util::TestEnv;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A running `xiezuo serve`; killed when dropped.
pub struct Served {
    child: Child,
    /// Base URL with a trailing slash, e.g. `http://127.0.0.1:40123/`.
    pub url: String,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Served {
    /// Starts `xiezuo serve --bind 127.0.0.1:0 ARGS…` on `env`'s store and waits until it listens.
    pub fn start(env: &TestEnv, args: &[&str]) -> Served {
        Self::start_on(env, env.store.to_str().unwrap(), args)
    }

    pub fn start_on(env: &TestEnv, store: &str, args: &[&str]) -> Served {
        let mut all = vec!["--store", store, "serve", "--bind", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let mut child = env
            .command(&all)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn xiezuo serve");
        let mut stderr = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        // Keep reading, so the server never writes into a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let Some(url) = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(str::to_owned)
        else {
            let _ = child.kill();
            panic!(
                "serve did not say where it listens: {first:?}\n{}",
                stderr.join().unwrap()
            )
        };
        Served {
            child,
            url,
            stderr: Some(stderr),
        }
    }

    pub fn query_url(&self) -> String {
        format!("{}query", self.url)
    }

    /// The port, for raw sockets.
    pub fn addr(&self) -> String {
        self.url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned()
    }

    /// True while the process runs.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Kills the server (like a power cut: no clean shutdown) and returns what it wrote to stderr.
    pub fn kill(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.stderr.take().unwrap().join().unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP exchange as curl saw it.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// Header lines, names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }

    pub fn content_type(&self) -> String {
        self.header("content-type").unwrap_or_default().to_owned()
    }
}

/// Runs curl with `args` (plus -s, a time limit, and files for headers and body).
pub fn curl(args: &[&str]) -> Reply {
    assert!(
        crate::util::have("curl"),
        "these tests need curl (CI installs it)"
    );
    let dir = tempfile::tempdir().unwrap();
    let headers = dir.path().join("headers");
    let body = dir.path().join("body");
    let out = Command::new("curl")
        .args(["-s", "-S", "--max-time", "60", "-D"])
        .arg(&headers)
        .arg("-o")
        .arg(&body)
        .args(["-w", "%{http_code}"])
        .args(args)
        .output()
        .expect("run curl");
    let status: u16 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("curl {args:?}: {}", String::from_utf8_lossy(&out.stderr)));
    let header_text = std::fs::read_to_string(&headers).unwrap_or_default();
    let headers = header_text
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: std::fs::read(&body).unwrap_or_default(),
    }
}

/// GET `url` with an `Accept` header.
pub fn get(url: &str, accept: &str) -> Reply {
    curl(&["-H", &format!("Accept: {accept}"), url])
}

/// `url` with `?query=` (or `&query=`) URL-encoded.
pub fn with_query(url: &str, query: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}query={encoded}")
}

/// Solutions of a SPARQL JSON results document as sorted rows of values (shared with util; not
/// every test file that includes this module uses it).
#[allow(unused_imports)]
pub use crate::util::json_rows;

/// The Python with SPARQLWrapper and rdflib: `$XIEZUO_PYTHON`, which .ci/run sets. None when a
/// developer has not made one (CI fails instead of skipping).
pub fn python() -> Option<PathBuf> {
    match std::env::var_os("XIEZUO_PYTHON") {
        Some(p) => Some(PathBuf::from(p)),
        None if std::env::var_os("CI").is_some() => {
            panic!("CI must set XIEZUO_PYTHON to a Python with SPARQLWrapper and rdflib (.ci/run does)")
        }
        None => {
            eprintln!("skipped: set XIEZUO_PYTHON to a Python with SPARQLWrapper and rdflib");
            None
        }
    }
}

/// Runs a Python script with arguments; returns its standard output, panicking on failure.
pub fn run_python(python: &PathBuf, script: &str, args: &[&str]) -> String {
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "python failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).unwrap()
}
