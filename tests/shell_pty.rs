//! The shell as a person uses it: the real binary on a pseudo-terminal, keys in, screen out.

#[path = "util/pty.rs"]
mod pty;
mod util;

use pty::{Pty, CTRL_C, CTRL_D, ENTER, TAB, UP};
use std::time::Duration;
use unicode_width::UnicodeWidthStr;
use util::TestEnv;

/// The shell on a terminal `cols` wide and `rows` high, at its first prompt.
fn shell(env: &TestEnv, cols: u16, rows: u16) -> Pty {
    shell_with(env, cols, rows, &[])
}

fn shell_with(env: &TestEnv, cols: u16, rows: u16, vars: &[(&str, &str)]) -> Pty {
    let mut command = env.command(&["shell"]);
    command
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("PAGER")
        .env_remove("XIEZUO_PAGER")
        .env("LANG", "C.UTF-8");
    for (k, v) in vars {
        command.env(k, v);
    }
    let mut pty = Pty::spawn(command, cols, rows);
    pty.expect("xiezuo> ");
    pty
}

/// Presses Ctrl-C and waits for the next prompt, as a person does. (The line editor drops keys
/// typed in the same instant as Ctrl-C.)
fn interrupt(sh: &mut Pty) {
    let before = sh.prompts();
    sh.send(CTRL_C);
    sh.wait_for_prompt_after(before);
}

/// Lines of the table in `text` (those with a column bar).
fn table_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.contains('│')).collect()
}

/// Display columns at which each `│` of a line stands.
fn bar_columns(line: &str) -> Vec<usize> {
    line.char_indices()
        .filter(|(_, c)| *c == '│')
        .map(|(i, _)| line[..i].width())
        .collect()
}

#[test]
fn tab_completes_a_prefixed_name_and_a_region_by_its_chinese_name() {
    let env = TestEnv::with_seeds();
    let mut sh = shell(&env, 120, 40);
    sh.type_slowly("SELECT ?l WHERE { 福建");
    sh.send(TAB);
    // The region's IRI replaces its name, and its labels show as a hint.
    sh.expect("reg:350000");
    sh.expect("福建省 · Fujian");
    sh.type_slowly(" rdfs:lab");
    sh.send(TAB);
    sh.expect("rdfs:label");
    sh.type_slowly(" ?l FILTER(langMatches(lang(?l), \"en\")) } ;");
    sh.send(ENTER);
    let out = sh.expect("row");
    assert!(out.contains("\"Fujian\"@en"), "{out}");
    // The line was highlighted as it was typed: keyword, variable, prefixed name, literal.
    let raw = sh.raw();
    for coloured in [
        "\x1b[1;34mSELECT\x1b[0m",
        "\x1b[33m?l\x1b[0m",
        "\x1b[36mreg:350000\x1b[0m",
        "\x1b[32m\"en\"\x1b[0m",
    ] {
        assert!(raw.contains(coloured), "{coloured:?} in {raw:?}");
    }
    assert!(
        !out.contains("syntax error"),
        "the completed query ran: {out}"
    );
    // A Latin prefix and a Vietnamese name with its tones find the same region.
    sh.type_slowly("ASK { Fuj");
    sh.send(TAB);
    sh.expect("ASK { reg:350000");
    sh.type_slowly(" a xz:Reg");
    sh.send(TAB);
    sh.type_slowly(" } ;");
    sh.send(ENTER);
    let out = sh.expect("(answer");
    assert!(out.contains("true"), "{out}");
    sh.type_slowly("ASK { Phúc Ki");
    sh.send(TAB);
    sh.expect("ASK { reg:350000");
    interrupt(&mut sh);
    // Keywords and dot-commands complete too.
    sh.type_slowly(".exa");
    sh.send(TAB);
    sh.expect(".examples");
    sh.send(" 4");
    sh.send(ENTER);
    sh.expect("(7 rows");
    sh.send(CTRL_D);
    assert!(sh.wait(Duration::from_secs(10)).success());
}

#[test]
fn several_regions_share_a_beginning_and_a_second_tab_lists_them() {
    let env = TestEnv::with_seeds();
    let mut sh = shell(&env, 120, 40);
    sh.type_slowly("ASK { phuc");
    sh.send(TAB);
    // The common beginning of the names, accents restored.
    sh.expect("ASK { Phúc ");
    sh.send(TAB);
    let listed = sh.expect("Fuzhou");
    assert!(listed.contains("reg:350000  Phúc Kiến"), "{listed}");
    assert!(listed.contains("reg:350100  Phúc Châu"), "{listed}");
}

#[test]
fn a_query_may_span_lines_and_an_open_quote_or_brace_continues() {
    let env = TestEnv::with_seeds();
    let mut sh = shell(&env, 120, 40);
    for line in [
        "SELECT ?label WHERE {",
        "  reg:640000 rdfs:label ?label .",
        "  FILTER(langMatches(lang(?label), \"zh-Hans\"))",
        "}",
    ] {
        sh.type_slowly(line);
        sh.send(ENTER);
    }
    // Closed braces but no ';' yet: still typing.
    std::thread::sleep(Duration::from_millis(300));
    assert!(!sh.screen().contains("(1 row"), "{}", sh.screen());
    sh.type_slowly(";");
    sh.send(ENTER);
    let out = sh.expect("(1 row");
    assert!(out.contains("\"宁夏回族自治区\"@zh-hans"), "{out}");
    // A ';' inside a string that is still open does not end the statement.
    sh.type_slowly("ASK { reg:640000 rdfs:comment \"\"\"a;");
    sh.send(ENTER);
    sh.type_slowly("b\"\"\" } ;");
    sh.send(ENTER);
    let out = sh.expect("(answer");
    assert!(out.contains("false") && !out.contains("error"), "{out}");
}

#[test]
fn ctrl_c_cancels_the_line_being_typed_and_the_running_query() {
    let env = TestEnv::with_seeds();
    let mut sh = shell(&env, 120, 40);
    sh.type_slowly("SELECT * WHERE {");
    sh.send(ENTER);
    sh.type_slowly("?s ?p");
    interrupt(&mut sh);
    sh.type_slowly("ASK { reg:350000 a xz:Region } ;");
    sh.send(ENTER);
    let out = sh.expect("(answer");
    assert!(out.contains("true") && !out.contains("error"), "{out}");
    // A query that would run for hours.
    sh.type_slowly(
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER EXISTS { ?c ?x ?f } } ;",
    );
    sh.send(ENTER);
    std::thread::sleep(Duration::from_millis(700));
    let before = sh.prompts();
    sh.send(CTRL_C);
    sh.expect_within("cancelled", Duration::from_secs(5));
    sh.wait_for_prompt_after(before);
    sh.type_slowly("ASK {} ;");
    sh.send(ENTER);
    assert!(sh.expect("(answer").contains("true"));
    sh.send(CTRL_D);
    assert!(sh.wait(Duration::from_secs(10)).success());
}

#[test]
fn a_syntax_error_shows_line_column_and_a_caret_under_the_spot() {
    let env = TestEnv::with_seeds();
    let mut sh = shell(&env, 120, 40);
    sh.type_slowly("ASK {");
    sh.send(ENTER);
    // The object of the second rdfs:label is missing: the parser stops at the brace.
    sh.type_slowly("  ?x rdfs:label \"福建省\" ; rdfs:label } ;");
    sh.send(ENTER);
    let out = sh.expect("^");
    assert!(
        out.contains("SPARQL syntax error at line 2, column 36"),
        "{out}"
    );
    let lines: Vec<&str> = out.lines().collect();
    let caret_line = lines[lines.len() - 1];
    let echoed = lines[lines.len() - 2];
    assert!(
        echoed.contains("2 │   ?x rdfs:label \"福建省\" ; rdfs:label }"),
        "{out}"
    );
    // Chinese characters take two columns: the caret still stands under the brace.
    let caret = caret_line[..caret_line.find('^').unwrap()].width();
    let spot = echoed[..echoed.rfind('}').unwrap()].width();
    assert_eq!(
        caret, spot,
        "the caret stands under the brace:\n{echoed}\n{caret_line}"
    );
    // The shell goes on.
    sh.type_slowly("ASK {} ;");
    sh.send(ENTER);
    assert!(sh.expect("(answer").contains("true"));
}

#[test]
fn history_is_kept_between_two_runs() {
    let env = TestEnv::with_seeds();
    let query = "ASK { reg:640000 xz:side xz:West } ;";
    let mut first = shell(&env, 120, 40);
    first.type_slowly(query);
    first.send(ENTER);
    first.expect("(answer");
    first.send(CTRL_D);
    assert!(first.wait(Duration::from_secs(10)).success());
    assert!(env.path("history").is_file(), "history file written");

    let mut second = shell(&env, 120, 40);
    second.send(UP);
    second.expect(query);
    second.send(ENTER);
    assert!(second.expect("(answer").contains("true"));
}

#[test]
fn chinese_columns_line_up_and_wide_tables_fit_the_terminal() {
    let env = TestEnv::with_seeds();
    let mut sh = shell(&env, 120, 60);
    sh.type_slowly(".lang zh");
    sh.send(ENTER);
    sh.type_slowly(
        "SELECT ?region ?en ?code WHERE { ?region xz:level xz:ProvinceLevel ; xz:adminCode ?code ; rdfs:label ?en FILTER(langMatches(lang(?en), \"en\")) } ORDER BY ?code LIMIT 12 ;",
    );
    sh.send(ENTER);
    let out = sh.expect("(12 rows");
    let lines = table_lines(&out);
    assert_eq!(lines.len(), 13, "header and 12 rows:\n{out}");
    assert!(out.contains("reg:110000 (北京市)"), "{out}");
    assert!(out.contains("reg:150000 (内蒙古自治区)"), "{out}");
    let first = bar_columns(lines[0]);
    for line in &lines {
        assert_eq!(bar_columns(line), first, "columns line up:\n{out}");
    }
    sh.send(CTRL_D);
    assert!(sh.wait(Duration::from_secs(10)).success());

    // On a narrow terminal long quotes are clipped, and no line is wider than the screen.
    let mut narrow = shell(&env, 60, 60);
    narrow.type_slowly(
        "SELECT ?file ?quote WHERE { ?e xz:quote ?quote ; xz:document/xz:sourceFile ?file } ORDER BY ?file LIMIT 5 ;",
    );
    narrow.send(ENTER);
    let out = narrow.expect("(5 rows");
    let lines = table_lines(&out);
    assert_eq!(lines.len(), 6, "{out}");
    for line in &lines {
        assert!(line.width() <= 60, "{} columns: {line}", line.width());
    }
    assert!(out.contains('…'), "{out}");
    assert!(
        out.contains("\"000_14eb7ade860a9bc8.txt\""),
        "short values are whole: {out}"
    );
    narrow.send(CTRL_D);
    assert!(narrow.wait(Duration::from_secs(10)).success());
}

#[test]
fn long_results_go_through_the_pager() {
    let env = TestEnv::with_seeds();
    let paged = env.path("paged.txt");
    let pager = format!("cat > '{}'", paged.display());
    let mut sh = shell_with(&env, 100, 12, &[("XIEZUO_PAGER", &pager)]);
    sh.type_slowly(
        "SELECT ?code WHERE { ?r xz:level xz:ProvinceLevel ; xz:adminCode ?code } ORDER BY ?code ;",
    );
    sh.send(ENTER);
    let out = sh.expect("rows");
    assert!(
        !out.contains("\"110000\""),
        "the rows went to the pager: {out}"
    );
    let text = std::fs::read_to_string(&paged).unwrap();
    assert!(
        text.contains("\"110000\"") && text.contains("\"650000\""),
        "{text}"
    );
    // Short results stay on the screen.
    sh.type_slowly("SELECT ?code WHERE { reg:350000 xz:adminCode ?code } ;");
    sh.send(ENTER);
    assert!(sh.expect("(1 row").contains("\"350000\""));
}

#[test]
fn bad_input_gets_one_line_and_the_shell_goes_on() {
    let env = TestEnv::with_seeds();
    let mut sh = shell(&env, 120, 40);
    sh.type_slowly(".nonsense");
    sh.send(ENTER);
    sh.expect("unknown command .nonsense");
    sh.type_slowly(".load /no/such/dir");
    sh.send(ENTER);
    sh.expect("/no/such/dir: no such file or directory");
    sh.send_bytes(b"ASK \xff\xfe");
    sh.expect("not valid UTF-8");
    sh.expect("xiezuo> ");
    sh.type_slowly("ASK {} ;");
    sh.send(ENTER);
    assert!(sh.expect("(answer").contains("true"));
    sh.send(CTRL_D);
    assert!(sh.wait(Duration::from_secs(10)).success());
}
