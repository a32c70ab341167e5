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

/// Runs a script through the shell; returns (stdout, stderr, success).
fn script(env: &TestEnv, text: &str) -> (String, String, bool) {
    let out = env.with_stdin(&["shell"], text);
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.success(),
    )
}

#[test]
fn lang_shows_labels_beside_iris_in_the_chosen_language() {
    let env = TestEnv::with_seeds();
    let (out, err, ok) = script(
        &env,
        "SELECT ?h WHERE { pairing:350000-640000 xz:helper ?h } ;\n.lang vi\nSELECT ?h ?p WHERE { ?p xz:helper ?h FILTER(?h = reg:350000) } ;\n.lang zh\nSELECT ?m WHERE { pairing:350000-640000 xz:model ?m } ;\n.lang off\nSELECT ?h WHERE { pairing:350000-640000 xz:helper ?h } ;\n",
    );
    assert!(ok, "{err}");
    let tables: Vec<&str> = out.split("row").collect();
    // Scripts start without labels, so their output stays the same whatever the locale.
    assert!(tables[0].contains("reg:350000\n"), "{out}");
    assert!(tables[1].contains("reg:350000 (Phúc Kiến)"), "{out}");
    // A pairing without a Vietnamese label of its own is named by its regions.
    assert!(
        tables[1].contains("pairing:350000-640000 (Phúc Kiến → Ninh Hạ)"),
        "{out}"
    );
    assert!(
        tables[2].contains("xz:HighLevelCommunicationModel (高层沟通机制模式)"),
        "{out}"
    );
    assert!(tables[3].contains("reg:350000\n"), "{out}");
}

#[test]
fn examples_are_listed_and_run_by_number() {
    let env = TestEnv::with_seeds();
    let (out, err, _) = script(&env, ".examples\n.examples 5\n.examples 11\n");
    for n in 1..=10 {
        assert!(out.contains(&format!("{n:>3}  ")), "example {n}: {out}");
    }
    assert!(out.contains("Which documents state that Fujian helps Ningxia"));
    // The query is shown, then its results: every statement of Fujian–Ningxia.
    let statements = env.rows("SELECT ?e WHERE { pairing:350000-640000 prov:wasDerivedFrom ?e }");
    assert!(
        out.contains("pairing:350000-640000 prov:wasDerivedFrom ?e"),
        "{out}"
    );
    assert!(
        out.contains(&format!("({} rows", statements.len())),
        "{out}"
    );
    assert!(err.contains("there is no example 11"), "{err}");
}

#[test]
fn why_shows_the_sentences_behind_a_pairing() {
    let env = TestEnv::with_seeds();
    let (out, err, _) = script(
        &env,
        ".why pairing:350000-640000\n.why reg:350000\n.why <https://example.org/nothing>\n",
    );
    let evidence = env.rows(
        "SELECT ?file ?start ?end WHERE { pairing:350000-640000 prov:wasDerivedFrom ?e . ?e xz:document/xz:sourceFile ?file ; xz:start ?start ; xz:end ?end }",
    );
    assert!(
        out.starts_with(&format!(
            "pairing:350000-640000 Fujian → Ningxia: {} sentences",
            evidence.len()
        )),
        "{out}"
    );
    for row in &evidence {
        let (file, start, end) = (&row[0], &row[1], &row[2]);
        assert!(
            out.contains(&format!("{file}, characters {start}–{end}")),
            "{file} {start}: {out}"
        );
        // The quote is the sentence of the original text.
        let quote = util::seed_slice(file, start.parse().unwrap(), end.parse().unwrap());
        let first_words: String = quote.chars().take(12).collect();
        assert!(out.contains(&first_words), "{first_words}: {out}");
    }
    // A region has no sentence of its own: its pairings are offered.
    assert!(
        out.contains("reg:350000 Fujian is not stated by a sentence itself"),
        "{out}"
    );
    assert!(
        out.contains("  pairing:350000-640000  Fujian → Ningxia"),
        "{out}"
    );
    assert!(
        err.contains("the store has nothing about <https://example.org/nothing>"),
        "{err}"
    );
}

#[test]
fn schema_and_stats_count_what_the_store_holds() {
    let env = TestEnv::with_seeds();
    let (out, err, ok) = script(&env, ".schema\n.stats\n");
    assert!(ok, "{err}");
    let pairings = env.rows("SELECT ?p WHERE { ?p a xz:Pairing }").len();
    let helper_uses = env.rows("SELECT ?p ?h WHERE { ?p xz:helper ?h }").len();
    let line = |start: &str| {
        out.lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line {start:?}: {out}"))
            .to_owned()
    };
    let cells = |l: String| {
        l.split('│')
            .map(|c| c.trim().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        cells(line("xz:Pairing ")),
        vec!["xz:Pairing", "Pairing", &pairings.to_string()]
    );
    assert_eq!(
        cells(line("xz:helper ")),
        vec![
            "xz:helper".to_owned(),
            "helper".to_owned(),
            helper_uses.to_string(),
            "xz:Pairing → xz:Region".to_owned()
        ]
    );
    assert!(line("documents ").contains("5 (with sentences in"), "{out}");
    assert!(
        line("pairings ").contains(&format!("{pairings} (")),
        "{out}"
    );
}

#[test]
fn load_output_format_and_timing() {
    let env = TestEnv::with_seeds();
    let extra = env.path("extra");
    std::fs::create_dir(&extra).unwrap();
    std::fs::copy(
        util::seeds().join("001_24de61fca978a27e.txt"),
        extra.join("copy.txt"),
    )
    .unwrap();
    let csv = env.path("out.csv");
    let script_text = format!(
        ".load {}\nASK {{ ?d xz:sourceFile \"copy.txt\" }} ;\n.output {}\n.format csv\nSELECT ?code WHERE {{ reg:350000 xz:adminCode ?code }} ;\n.output\n.format table\n.timing off\nSELECT ?code WHERE {{ reg:350000 xz:adminCode ?code }} ;\n.load {}\n",
        extra.display(),
        csv.display(),
        env.path("missing").display()
    );
    let (out, err, ok) = script(&env, &script_text);
    assert!(out.contains("built 1 documents"), "{out}{err}");
    assert!(out.contains("true"), "the loaded text is queryable: {out}");
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "code\r\n350000\r\n",
        "CSV went to the file"
    );
    assert!(
        out.contains(&format!("(1 row written to {}", csv.display())),
        "{out}"
    );
    assert!(out.contains("\"350000\"\n(1 row)\n"), "timing off: {out}");
    assert!(err.contains("missing: no such file or directory"), "{err}");
    assert!(!ok, "the bad .load counts as a failure");
}

#[test]
fn several_statements_on_a_line_and_unfinished_or_broken_input() {
    let env = TestEnv::with_seeds();
    let mut input =
        b"ASK { reg:350000 a xz:Region } ; ASK { reg:350000 a xz:Pairing } ;\n".to_vec();
    // Not UTF-8 in the middle of a statement: one message, and that statement is skipped.
    input.extend_from_slice(b"SELECT ?x WHERE {\n  ?x rdfs:label \"\xff\xfe\" } ;\n");
    input.extend_from_slice(b"ASK { reg:640000 a xz:Region } ;\nSELECT ?x WHERE { ?x ?p\n");
    let mut child = env
        .command(&["shell"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let answers: Vec<&str> = stdout
        .lines()
        .filter(|l| *l == "true" || *l == "false")
        .collect();
    assert_eq!(answers, vec!["true", "false", "true"], "{stdout}{stderr}");
    assert!(stderr.contains("line 3: not valid UTF-8"), "{stderr}");
    assert!(
        !stderr.contains("syntax error"),
        "one message per problem: {stderr}"
    );
    assert!(
        stderr.contains("statement at line 5: unterminated (end it with ';')"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 2, "{stderr}");
}
