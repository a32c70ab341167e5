//! Bad input never panics and never loses data: one clear line, a non-zero exit, the store as it was.

mod util;
use util::TestEnv;

fn assert_one_clear_line(stderr: &str, names: &str) {
    assert!(
        stderr.contains(names),
        "error should name {names:?}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_missing_path_names_the_path_and_keeps_the_store() {
    let env = TestEnv::with_seeds();
    let before = env.count_triples();
    let err = env.fails(&["build", "no/such/dir"]);
    assert_one_clear_line(&err, "no/such/dir");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(env.count_triples(), before);
}

/// A directory with one good text and one picture named .txt.
fn mixed_dir(env: &TestEnv) -> std::path::PathBuf {
    let dir = env.path("mixed");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(
        util::seeds().join("001_24de61fca978a27e.txt"),
        dir.join("a.txt"),
    )
    .unwrap();
    std::fs::write(dir.join("picture.txt"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    dir
}

#[test]
fn a_binary_file_is_listed_and_the_build_goes_on() {
    let env = TestEnv::with_seeds();
    let dir = mixed_dir(&env);
    let err = env.fails(&["build", dir.to_str().unwrap()]);
    assert_one_clear_line(&err, "picture.txt");
    assert!(err.contains("not a text file"), "{err}");
    assert!(err.contains("1 failed"), "the summary counts it: {err}");
    let files = env.rows(&format!(
        "SELECT ?f WHERE {{ GRAPH ?g {{ ?d <{}sourceFile> ?f }} }}",
        util::XZ
    ));
    let files: Vec<&str> = files.iter().map(|r| r[0].as_str()).collect();
    assert!(
        files.contains(&"a.txt"),
        "the good file was loaded: {files:?}"
    );
    assert!(!files.contains(&"picture.txt"), "{files:?}");
}

#[test]
fn with_strict_a_binary_file_stops_the_build_and_keeps_the_store() {
    let env = TestEnv::with_seeds();
    let before = env.count_triples();
    let dir = mixed_dir(&env);
    let err = env.fails(&["build", "--strict", dir.to_str().unwrap()]);
    assert_one_clear_line(&err, "picture.txt");
    assert!(err.contains("not a text file"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(env.count_triples(), before);
}

#[test]
fn a_directory_that_is_not_a_store_is_refused_untouched() {
    let env = TestEnv::new();
    let dir = env.path("photos");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("holiday.jpg"), b"not a database").unwrap();
    let err = env.fails(&[
        "--store",
        dir.to_str().unwrap(),
        "build",
        util::seeds().to_str().unwrap(),
    ]);
    assert_one_clear_line(&err, "photos");
    assert!(err.contains("not an xiezuo store"), "{err}");
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(entries.len(), 1, "nothing written into the directory");
}

#[test]
fn a_missing_store_says_how_to_make_one() {
    let env = TestEnv::new();
    let err = env.fails(&["query", "ASK {}"]);
    assert!(err.contains("xiezuo build"), "{err}");
}

#[test]
fn a_sparql_syntax_error_gives_its_position() {
    let env = TestEnv::with_seeds();
    let err = env.fails(&["query", "SELECT ?x WHERE { ?x xz:helper }"]);
    assert!(err.contains("syntax error") && err.contains("1:"), "{err}");
    assert!(err.contains('^'), "a caret under the spot: {err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn a_second_writer_is_told_the_store_is_in_use() {
    let env = TestEnv::with_seeds();
    let mut shell = env
        .command(&["shell"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The shell holds the store until its input closes; give it a moment to open it.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let err = env.fails(&["query", "ASK {}"]);
    drop(shell.stdin.take());
    shell.wait().unwrap();
    assert!(err.contains("in use"), "{err}");
    assert!(
        err.contains(&format!("pid {}", shell.id())) && err.contains("shell"),
        "names the holder: {err}"
    );
}
