//! `xiezuo push` into a real, separate triple store: OpenLink Virtuoso 7 from Debian's
//! `virtuoso-opensource-7-bin` (CI installs it), started on free loopback ports in a temporary
//! directory. The example queries must give the same answers there as on the local store.

mod serve_util;
mod util;

use serve_util::json_rows;
use std::io::Read;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use util::TestEnv;
use xiezuo::serve::EXAMPLES;

struct Virtuoso {
    child: Child,
    sql_port: u16,
    http_port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Virtuoso {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two distinct free ports (held together while asked for, so they differ).
fn free_ports() -> (u16, u16) {
    let a = TcpListener::bind("127.0.0.1:0").unwrap();
    let b = TcpListener::bind("127.0.0.1:0").unwrap();
    (
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    )
}

impl Virtuoso {
    /// Starts Virtuoso with a fresh database, or returns None where it is not installed (CI
    /// installs it, and fails instead of skipping).
    fn start() -> Option<Virtuoso> {
        if Command::new("virtuoso-t").arg("-?").output().is_err() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install virtuoso-opensource-7-bin (.ci/run does)"
            );
            eprintln!(
                "skipped: virtuoso-t is not installed (apt-get install virtuoso-opensource-7-bin)"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let (sql_port, http_port) = free_ports();
        let d = dir.path().display();
        let ini = format!(
            "[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
MaxClientConnections = 5
ServerThreads = 5
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"
        );
        let ini_path = dir.path().join("virtuoso.ini");
        std::fs::write(&ini_path, ini).unwrap();
        let child = Command::new("virtuoso-t")
            .arg("+foreground")
            .arg("+configfile")
            .arg(&ini_path)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.path().join("stdout.log")).unwrap())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap())
            .spawn()
            .expect("start virtuoso-t");
        let mut server = Virtuoso {
            child,
            sql_port,
            http_port,
            _dir: dir,
        };
        // A new database takes some seconds to create.
        let started = Instant::now();
        loop {
            let read = |name: &str| {
                std::fs::read_to_string(server._dir.path().join(name)).unwrap_or_default()
            };
            let log = format!(
                "{}{}{}",
                read("virtuoso.log"),
                read("stdout.log"),
                read("stderr.log")
            );
            if log.contains("Server online at") {
                break;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("virtuoso-t stopped ({status}):\n{log}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "Virtuoso did not start:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
        // The SPARQL endpoint's user may not write until granted.
        server.sql("GRANT SPARQL_UPDATE TO \"SPARQL\";");
        Some(server)
    }

    fn sql(&self, statement: &str) {
        let mut child = Command::new("isql-vt")
            .arg(self.sql_port.to_string())
            .args(["dba", "dba"])
            .arg(format!("exec={statement}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("isql-vt");
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(status.success() && !out.contains("Error"), "isql: {out}");
    }

    fn sparql_url(&self) -> String {
        format!("http://127.0.0.1:{}/sparql", self.http_port)
    }
}

#[test]
fn pushed_into_virtuoso_the_examples_give_the_same_answers() {
    let env = TestEnv::with_seeds();
    let Some(virtuoso) = Virtuoso::start() else {
        return;
    };
    let url = virtuoso.sparql_url();
    let out = env.run(&["push", "--endpoint", &url]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("checked"), "{stderr}");
    // Virtuoso's default graph is the union of its graphs, so the examples (written with DISTINCT
    // and GROUP BY) see what they see here.
    for example in EXAMPLES {
        let local = env.rows(example.query);
        let there = env.ok(&[
            "query",
            "--format",
            "json",
            "--endpoint",
            &url,
            example.query,
        ]);
        assert_eq!(json_rows(&there), local, "example {}", example.name);
    }
    // Pushing again replaces, it does not add.
    env.ok(&["push", "--endpoint", &url]);
    // A document's graph there holds what it states and its evidence, as `export` writes it.
    let document = "https://w3id.org/xiezuo/id/document/001_24de61fca978a27e.txt";
    let count = format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{document}> {{ ?s ?p ?o }} }}");
    let exported = env
        .exported_graph_sizes()
        .into_iter()
        .find(|row| row[0] == document)
        .expect("the document is exported");
    assert_eq!(
        json_rows(&env.ok(&["query", "--format", "json", "--endpoint", &url, &count])),
        vec![vec![exported[1].clone()]]
    );
}
