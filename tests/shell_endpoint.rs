//! `xiezuo shell --endpoint URL`: the shell on a served store must answer as the shell on the
//! store itself, with the same commands (but `.load`), and say clearly what it cannot do.
//! Each test starts its own `xiezuo serve` on a free loopback port; it is stopped when dropped.

#[path = "util/pty.rs"]
mod pty;
mod serve_util;
mod util;

use serve_util::Served;
use std::process::Output;
use util::TestEnv;
use xiezuo::shell::EXAMPLES;

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("UTF-8 errors")
}

/// Lines sorted, so that rows of equal sort keys may come in any order.
fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

/// Every `.examples` query as CSV, then `.stats` and `.schema`: one script for both shells.
fn examples_script() -> String {
    let mut script = String::from(".format csv\n.timing off\n");
    for n in 1..=EXAMPLES.len() {
        script.push_str(&format!(".examples {n}\n"));
    }
    script.push_str(".stats\n.schema\n");
    script
}

#[test]
fn the_examples_stats_and_schema_say_the_same_on_an_endpoint_as_on_the_store() {
    let env = TestEnv::with_seeds();
    let script = examples_script();
    // The store first: a served store is locked by the server.
    let local = env.with_stdin(&["shell"], &script);
    assert!(local.status.success(), "{}", stderr(&local));
    let local = stdout(&local);

    let server = Served::start(&env, &[]);
    let remote = env.with_stdin(&["shell", "--endpoint", &server.query_url()], &script);
    assert!(remote.status.success(), "{}", stderr(&remote));
    let remote = stdout(&remote);
    // CSV it is, with the header of the first example.
    assert!(
        remote
            .lines()
            .any(|l| l.trim_end() == "helper,recipient,since"),
        "CSV from the endpoint: {remote}"
    );
    // `.stats` names where it looked; everything else is the same.
    let (local_where, remote_where) = ("store ", "endpoint ");
    assert!(local.lines().any(|l| l.starts_with(local_where)), "{local}");
    assert!(
        remote
            .lines()
            .any(|l| l.starts_with(remote_where) && l.contains(&server.query_url())),
        "{remote}"
    );
    let keep = |text: &str| {
        let kept: String = text
            .lines()
            .filter(|l| !l.starts_with(local_where) && !l.starts_with(remote_where))
            .map(|l| format!("{l}\n"))
            .collect();
        sorted_lines(&kept)
    };
    assert_eq!(keep(&local), keep(&remote));
}

#[test]
fn why_dot_and_export_work_on_an_endpoint() {
    let env = TestEnv::with_seeds();
    let local_dot = env.path("local.dot");
    let local = env.with_stdin(
        &["shell"],
        &format!(".why 福建\n.dot {}\n", local_dot.display()),
    );
    assert!(local.status.success(), "{}", stderr(&local));

    let server = Served::start(&env, &[]);
    let (dot, ttl, trig) = (
        env.path("remote.dot"),
        env.path("remote.ttl"),
        env.path("remote.trig"),
    );
    let script = format!(
        ".why 福建\n.dot {}\n.export {}\n.export {}\n",
        dot.display(),
        ttl.display(),
        trig.display()
    );
    let remote = env.with_stdin(&["shell", "--endpoint", &server.query_url()], &script);
    assert!(remote.status.success(), "{}", stderr(&remote));
    let text = stdout(&remote);
    // .why finds the region by its name through the endpoint and lists its pairing.
    assert!(text.contains("pairing:350000-640000"), "{text}");
    assert_eq!(
        stdout(&local).lines().take(2).collect::<Vec<_>>(),
        text.lines().take(2).collect::<Vec<_>>()
    );
    assert_eq!(
        std::fs::read_to_string(&local_dot).unwrap(),
        std::fs::read_to_string(&dot).unwrap(),
        "the same picture from either"
    );
    assert!(std::fs::read_to_string(&ttl)
        .unwrap()
        .contains("xz:Pairing"));
    // TriG: the named graphs as the endpoint holds them.
    assert!(std::fs::read_to_string(&trig).unwrap().contains('{'));
}

#[test]
fn an_update_on_a_read_only_server_is_refused_in_one_line() {
    let env = TestEnv::with_seeds();
    let server = Served::start(&env, &[]);
    let out = env.with_stdin(
        &["shell", "--endpoint", &server.query_url()],
        "INSERT DATA { reg:350000 rdfs:comment \"note\" } ;\nASK { reg:350000 rdfs:comment \"note\" } ;\n",
    );
    let errors = stderr(&out);
    assert!(
        !out.status.success(),
        "a refused statement fails the script"
    );
    assert_eq!(errors.lines().count(), 1, "one line: {errors}");
    assert!(
        errors.starts_with("statement at line 1: update refused:")
            && errors.contains("/update")
            && errors.contains("--allow-update"),
        "{errors}"
    );
    // The script went on, and nothing changed.
    assert!(stdout(&out).contains("false"), "{}", stdout(&out));
}

#[test]
fn with_allow_update_an_update_goes_through_and_is_visible() {
    let env = TestEnv::with_seeds();
    let server = Served::start(&env, &["--allow-update"]);
    let out = env.with_stdin(
        &["shell", "--endpoint", &server.query_url()],
        "INSERT DATA { reg:350000 rdfs:comment \"note\" } ;\nASK { reg:350000 rdfs:comment \"note\" } ;\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("(update done") && text.contains("true"),
        "{text}"
    );
    // Another client sees it too.
    let seen = env.ok(&[
        "query",
        "--endpoint",
        &server.query_url(),
        "ASK { reg:350000 rdfs:comment \"note\" }",
    ]);
    assert!(seen.contains("true"), "{seen}");
}

#[test]
fn load_on_an_endpoint_says_why_not_in_one_line() {
    let env = TestEnv::with_seeds();
    let server = Served::start(&env, &[]);
    let out = env.with_stdin(
        &["shell", "--endpoint", &server.query_url()],
        &format!(
            ".load {}\nASK {{ ?p a xz:Pairing }} ;\n",
            util::seeds().display()
        ),
    );
    let errors = stderr(&out);
    assert_eq!(errors.lines().count(), 1, "one line: {errors}");
    assert!(
        errors.contains(".load") && errors.contains("local store") && errors.contains("push"),
        "{errors}"
    );
    assert!(stdout(&out).contains("true"), "the shell went on");
}

#[test]
fn an_unreachable_endpoint_is_one_line_and_a_failure() {
    let env = TestEnv::new();
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/query");
    let out = env.with_stdin(&["shell", "--endpoint", &url], "ASK {} ;\n");
    let errors = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{errors}");
    assert_eq!(errors.lines().count(), 1, "one line: {errors}");
    assert!(
        errors.contains(&url) && errors.contains("is the server running"),
        "{errors}"
    );
    assert!(!errors.contains("panicked"), "{errors}");
    assert!(stdout(&out).is_empty(), "no prompt, no banner");

    // A URL that is no URL is named too.
    let out = env.with_stdin(&["shell", "--endpoint", "localhost:7878"], "");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("localhost:7878"), "{}", stderr(&out));
}

#[test]
fn on_a_terminal_completion_finds_regions_through_the_endpoint_and_ctrl_c_stops_waiting() {
    let env = TestEnv::with_seeds();
    // A server timeout short enough that the query abandoned below does not burn a core for
    // long, long enough that Ctrl-C comes first even on a busy machine.
    let server = Served::start(&env, &["--timeout", "5"]);
    let mut command = env.command(&["shell", "--endpoint", &server.query_url()]);
    command
        .env("TERM", "xterm-256color")
        .env("LANG", "C.UTF-8")
        .env_remove("PAGER")
        .env_remove("XIEZUO_PAGER");
    let mut sh = pty::Pty::spawn(command, 120, 40);
    let banner = sh.expect("xiezuo> ");
    assert!(banner.contains("endpoint http://127.0.0.1"), "{banner}");
    sh.type_slowly("SELECT ?l WHERE { 福建");
    sh.send(pty::TAB);
    sh.expect("reg:350000");
    sh.type_slowly(" rdfs:lab");
    sh.send(pty::TAB);
    sh.expect("rdfs:label");
    sh.type_slowly(" ?l FILTER(langMatches(lang(?l), \"en\")) } ;");
    sh.send(pty::ENTER);
    let out = sh.expect("row");
    assert!(out.contains("\"Fujian\"@en"), "{out}");

    // A query that takes the server a long time: Ctrl-C gives the prompt back at once.
    sh.type_slowly("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ;");
    let before = sh.prompts();
    sh.send(pty::ENTER);
    std::thread::sleep(std::time::Duration::from_millis(500));
    sh.send(pty::CTRL_C);
    sh.wait_for_prompt_after(before);
    // The shell stopped waiting; the server's own timeout (503) did not end the wait. (No
    // clock is read: the machine running the tests may be busy.)
    let said = sh.expect("stopped waiting");
    assert!(!said.contains("503"), "{said}");
    sh.type_slowly("ASK { ?p a xz:Pairing } ;");
    sh.send(pty::ENTER);
    sh.expect("true");
    sh.send(pty::CTRL_D);
}
