//! The shell driven through piped standard input, as a script would.

mod util;
use util::TestEnv;

#[test]
fn scripted_queries_span_lines_and_print_aligned_tables() {
    let env = TestEnv::with_seeds();
    let script = "SELECT ?label WHERE {\n  reg:640000 rdfs:label ?label .\n  FILTER(langMatches(lang(?label), \"zh-Hans\") || langMatches(lang(?label), \"en\"))\n}\nORDER BY ?label ;\n.quit\n";
    let out = env.with_stdin(&["shell"], script);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("\"宁夏回族自治区\"@zh-hans"), "{stdout}");
    assert!(stdout.contains("(2 rows"), "{stdout}");
}

#[test]
fn errors_in_a_script_are_reported_and_the_script_goes_on() {
    let env = TestEnv::with_seeds();
    let out = env.with_stdin(
        &["shell"],
        ".nonsense\nSELEC oops ;\nASK { ?p a xz:Pairing } ;\n",
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("unknown command .nonsense"), "{stderr}");
    assert!(stderr.contains("statement at line 2"), "{stderr}");
    assert!(stdout.contains("true"), "{stdout}");
    assert!(
        !out.status.success(),
        "a script with failures exits non-zero"
    );
}

#[test]
fn shell_exports_and_draws() {
    let env = TestEnv::with_seeds();
    let ttl = env.path("out.ttl");
    let dot = env.path("out.dot");
    let script = format!(".export {}\n.dot {}\n", ttl.display(), dot.display());
    let out = env.with_stdin(&["shell"], &script);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read_to_string(ttl).unwrap().contains("xz:Pairing"));
    assert!(std::fs::read_to_string(dot).unwrap().starts_with("digraph"));
}

#[test]
fn updates_work_in_the_shell() {
    let env = TestEnv::with_seeds();
    let script = "INSERT DATA { reg:350000 rdfs:comment \"note\" } ;\nASK { reg:350000 rdfs:comment \"note\" } ;\n";
    let out = env.with_stdin(&["shell"], script);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("(update done") && stdout.contains("true"),
        "{stdout}"
    );
}

#[test]
fn bare_xiezuo_builds_from_seeds_when_missing_then_reuses_the_store() {
    let env = TestEnv::new();
    std::os::unix::fs::symlink(util::seeds(), env.path("seeds")).unwrap();
    let out = env.with_stdin(&[], "ASK { ?p a xz:Pairing } ;\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("built 5 documents"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("true"));
    let again = env.with_stdin(&[], "ASK { ?p a xz:Pairing } ;\n");
    assert!(
        !String::from_utf8_lossy(&again.stderr).contains("built"),
        "up to date: no rebuild"
    );
}
