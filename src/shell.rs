//! The SPARQL shell. Queries may span lines and end with `;` (outside braces, strings and
//! comments); lines starting with `.` are commands. On a terminal it is a line editor with
//! completion, highlighting and a history file, and Ctrl-C stops a running query; with piped
//! input it reads the same statements from standard input, so it can be scripted.
//!
//! It runs over a [`QuerySource`]: the local store, or any SPARQL 1.1 endpoint
//! (`--endpoint`). Every command but `.load` is made of SPARQL queries on the source, so the two
//! share all their code; `.load` builds into a local store and says so on an endpoint.

pub mod examples;
pub mod helper;
pub mod lexer;
pub mod vocab;

pub use examples::{Example, EXAMPLES};

use crate::build::build;
use crate::dot::{pairing_graph_filtered, render, to_dot, DotFilter, RenderFormat};
use crate::export::ExportFormat;
use crate::knowledge::PREFIXES;
use crate::labels::{self, language_tag};
use crate::remote::{QuerySource, RemoteError, SourceError};
use crate::results::{self, display_term, expand_iri, render_table_fitted, Format, Written};
use crate::store::QueryError;
use crate::why;
use oxigraph::model::Term;
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, QueryResults};
use rustyline::config::{CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::Editor;
use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use vocab::SharedVocabulary;

/// The dot-commands: name, arguments, what it does.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (".help", "", "this text"),
    (
        ".examples",
        "[N]",
        "ten questions in plain words; `.examples N` runs one",
    ),
    (".prefixes", "", "the declared prefixes"),
    (".schema", "", "classes and properties, with counts"),
    (".stats", "", "what the store holds"),
    (
        ".why",
        "IRI",
        "the sentences behind a pairing or outcome (e.g. .why pairing:350000-640000)",
    ),
    (
        ".lang",
        "zh|zh-hant|en|fr|ja|vi|off",
        "show labels in that language beside IRIs",
    ),
    (
        ".format",
        "table|csv|tsv|json|xml",
        "how results are printed from now on",
    ),
    (
        ".output",
        "[FILE]",
        "send results to FILE; without FILE, back to the screen",
    ),
    (".timing", "on|off", "show how long each statement took"),
    (".pager", "on|off", "page results longer than the screen"),
    (
        ".load",
        "PATH…",
        "extract more texts (.txt files, directories) into the local store",
    ),
    (
        ".export",
        "[FORMAT] FILE",
        "write the graph (turtle, trig, ntriples, nquads, rdfxml)",
    ),
    (
        ".dot",
        "FILE [--region R] [--year Y] [--model M] [--render svg|png]",
        "draw the pairing network",
    ),
    (".quit", "", "leave (Ctrl-D too)"),
];

/// What the shell does after one input.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Continue,
    Quit,
}

/// The query now running, for the Ctrl-C handler: its number, its token, and whether Ctrl-C
/// was pressed during it.
static RUNNING: Mutex<Option<(u64, CancellationToken, bool)>> = Mutex::new(None);
static QUERIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
/// A `.load` is running: it is one transaction and cannot be cancelled half-way.
static LOADING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Marks a query as running for as long as it lives.
struct Running;

impl Running {
    fn start(token: CancellationToken) -> Running {
        let number = QUERIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        *RUNNING.lock().unwrap_or_else(|e| e.into_inner()) = Some((number, token, false));
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        *RUNNING.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Ctrl-C outside the line editor cancels the running query, if any, and never ends the shell.
/// Oxigraph checks for cancellation whenever it reads the store; a query that computes for long
/// without reading (a big cross product) cannot stop at once, so a second Ctrl-C leaves.
fn install_interrupt_handler() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
            let Some((number, token, pressed)) = running.as_mut() else {
                if LOADING.load(std::sync::atomic::Ordering::Relaxed) {
                    eprintln!(
                        "\n(a load is one transaction: it finishes, or fails and changes nothing)"
                    );
                }
                return;
            };
            if *pressed {
                eprintln!("\nthe query did not stop; leaving the shell");
                std::process::exit(130);
            }
            *pressed = true;
            token.cancel();
            let number = *number;
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(1));
                let still = RUNNING
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .as_ref()
                    .is_some_and(|(n, _, _)| *n == number);
                if still {
                    eprintln!("\n(still stopping the query; Ctrl-C again leaves the shell)");
                }
            });
        });
    });
}

/// Where results go.
struct OutputFile {
    path: PathBuf,
    file: std::io::BufWriter<std::fs::File>,
}

pub struct Shell<'a> {
    /// Where statements run: the local store or a SPARQL endpoint. Everything the shell shows
    /// comes from SPARQL queries on it, so both offer the same commands (but `.load`).
    source: &'a QuerySource<'a>,
    format: Format,
    /// Language tag of labels shown beside IRIs in tables.
    lang: Option<&'static str>,
    timing: bool,
    pager: bool,
    output: Option<OutputFile>,
    vocabulary: Arc<SharedVocabulary>,
    /// Standard input is a terminal (a person is typing).
    interactive: bool,
    /// Standard output is a terminal.
    screen: bool,
    colors: bool,
}

/// Where the history is kept: `XIEZUO_HISTORY`, else `~/.xiezuo_history`.
pub fn default_history_path() -> Option<PathBuf> {
    std::env::var_os("XIEZUO_HISTORY")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".xiezuo_history")))
}

/// The label language of the user's locale (`LC_ALL`, `LC_MESSAGES`, `LANG`), else English.
fn locale_language() -> &'static str {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if locale.starts_with("zh_tw") || locale.starts_with("zh_hk") || locale.contains("hant") {
        return "zh-Hant";
    }
    let language = locale.split(['_', '.', '-', '@']).next().unwrap_or("");
    language_tag(language).unwrap_or("en")
}

impl<'a> Shell<'a> {
    pub fn new(source: &'a QuerySource<'a>) -> Self {
        let interactive = std::io::stdin().is_terminal();
        let screen = std::io::stdout().is_terminal();
        Shell {
            source,
            format: Format::Table,
            lang: interactive.then(locale_language),
            timing: true,
            pager: true,
            output: None,
            vocabulary: Arc::new(SharedVocabulary::default()),
            interactive,
            screen,
            colors: interactive
                && screen
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb"),
        }
    }

    /// Runs until `.quit` or end of input: interactively on a terminal, else reading stdin.
    /// Returns the number of statements of a script that failed (for its exit status); an
    /// interactive session returns 0.
    pub fn run(&mut self) -> Result<usize, ReadlineError> {
        if self.interactive {
            self.run_interactive()
        } else {
            Ok(self.run_script(std::io::stdin().lock()))
        }
    }

    fn run_interactive(&mut self) -> Result<usize, ReadlineError> {
        let config = Config::builder()
            .completion_type(CompletionType::List)
            .history_ignore_space(true)
            .history_ignore_dups(true)?
            .max_history_size(10_000)?
            .auto_add_history(false)
            .build();
        let source = self.source;
        let vocabulary = self.vocabulary.clone();
        let mut editor: Editor<helper::ShellHelper<'_>, FileHistory> = Editor::with_config(config)?;
        editor.set_helper(Some(helper::ShellHelper::new(
            source,
            vocabulary.clone(),
            self.colors,
        )));
        let history = default_history_path();
        if let Some(path) = &history {
            if path.exists() {
                if let Err(e) = editor.load_history(path) {
                    eprintln!(
                        "warning: cannot read the history in {}: {e}",
                        path.display()
                    );
                }
            }
        }
        install_interrupt_handler();
        println!("{}", self.banner());
        std::thread::scope(|scope| {
            // Completion reads the store's names in the background; the prompt does not wait.
            // A slow endpoint must not hold up leaving the shell either, so a remote load runs
            // on a thread of its own that the scope does not wait for.
            match source.endpoint() {
                Some(endpoint) => {
                    let (endpoint, vocabulary) = (endpoint.clone(), vocabulary.clone());
                    std::thread::spawn(move || vocabulary.load(&QuerySource::Remote(endpoint)));
                }
                None => {
                    scope.spawn(|| vocabulary.load(source));
                }
            }
            let mut history_warned = false;
            loop {
                match editor.readline("xiezuo> ") {
                    Ok(input) => {
                        if input.trim().is_empty() {
                            continue;
                        }
                        let _ = editor.add_history_entry(input.trim_end());
                        if let Some(path) = &history {
                            if let Err(e) = editor.append_history(path) {
                                if !history_warned {
                                    eprintln!(
                                        "warning: cannot save the history to {}: {e}",
                                        path.display()
                                    );
                                    history_warned = true;
                                }
                            }
                        }
                        if self.run_input(&input, 1).1 == Outcome::Quit {
                            break;
                        }
                    }
                    Err(ReadlineError::Interrupted) => continue,
                    Err(ReadlineError::Eof) => break,
                    Err(ReadlineError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                        eprintln!("that input was not valid UTF-8 and was dropped; type it again");
                    }
                    Err(e) => return Err(e),
                }
            }
            self.close_output();
            // A person saw every error as it happened; the session itself went well.
            Ok(0)
        })
    }

    fn banner(&self) -> String {
        let counts = self
            .source
            .query("SELECT (COUNT(DISTINCT ?d) AS ?docs) (COUNT(DISTINCT ?p) AS ?pairings) WHERE { { ?d a xz:Document } UNION { ?p a xz:Pairing } }")
            .ok()
            .and_then(|r| match r {
                QueryResults::Solutions(mut s) => s.next()?.ok(),
                _ => None,
            })
            .map(|s| {
                let n = |v: &str| s.get(v).map(literal_value).unwrap_or_default();
                format!(": {} documents, {} pairings", n("docs"), n("pairings"))
            })
            .unwrap_or_default();
        format!(
            "xiezuo shell on {}{counts}\nEnd queries with ';'. Tab completes; .examples has questions to try, .help the commands; Ctrl-D leaves.",
            self.source.describe()
        )
    }

    /// Reads statements from `input` and prints their results; an error is reported with the
    /// statement's line and the script goes on.
    pub fn run_script(&mut self, input: impl BufRead) -> usize {
        let mut buffer = String::new();
        let mut failures = 0;
        let mut start_line = 1;
        // A line that was not UTF-8 spoils the statement it is part of: it is reported once and
        // the statement is skipped.
        let mut spoiled = false;
        for (n, line) in input.split(b'\n').enumerate() {
            let line = match line {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(line) => line,
                    Err(e) => {
                        eprintln!(
                            "line {}: not valid UTF-8 (byte {} of the line); its statement is skipped",
                            n + 1,
                            e.utf8_error().valid_up_to() + 1
                        );
                        failures += 1;
                        spoiled = true;
                        String::from_utf8_lossy(e.as_bytes()).into_owned()
                    }
                },
                Err(e) => {
                    eprintln!("cannot read standard input: {e}");
                    return failures + 1;
                }
            };
            let line = line.trim_end_matches('\r');
            if buffer.trim().is_empty() {
                buffer.clear();
                start_line = n + 1;
                if line.trim_start().starts_with('.') {
                    if !spoiled {
                        let (failed, outcome) = self.run_input(line, start_line);
                        failures += failed;
                        if outcome == Outcome::Quit {
                            self.close_output();
                            return failures;
                        }
                    }
                    spoiled = false;
                    continue;
                }
            }
            buffer.push_str(line);
            buffer.push('\n');
            if lexer::is_complete(&buffer) {
                let statement = std::mem::take(&mut buffer);
                if !std::mem::take(&mut spoiled) {
                    let (failed, outcome) = self.run_input(&statement, start_line);
                    failures += failed;
                    if outcome == Outcome::Quit {
                        self.close_output();
                        return failures;
                    }
                }
            } else if buffer.trim().is_empty() {
                // A line of only spaces or a spoiled blank: nothing to run.
                spoiled = false;
            }
        }
        if !buffer.trim().is_empty() && !spoiled {
            failures += 1;
            eprintln!("statement at line {start_line}: unterminated (end it with ';')");
        }
        self.close_output();
        failures
    }

    /// Runs one input (a command, or one or more statements ending with `;`); `first_line` is
    /// the line it starts on, for error messages. Returns the number of failures.
    fn run_input(&mut self, input: &str, first_line: usize) -> (usize, Outcome) {
        let interactive = self.interactive;
        let report = |message: &str| {
            if !interactive {
                eprintln!("statement at line {first_line}: {message}");
            } else {
                eprintln!("{message}");
            }
        };
        if input.trim_start().starts_with('.') {
            return match self.command(input.trim()) {
                Ok(outcome) => (0, outcome),
                Err(message) => {
                    report(&message);
                    (1, Outcome::Continue)
                }
            };
        }
        let mut failures = 0;
        for (offset, text) in group_statements(input) {
            let line = first_line + input[..offset].matches('\n').count();
            // Lines before the statement's first word are not part of its error positions.
            let lead = text.len() - text.trim_start_matches(['\n', '\r']).len();
            let line = line + text[..lead].matches('\n').count();
            let text = &text[lead..];
            if let Err(message) = self.statement(text, line) {
                failures += 1;
                if self.interactive {
                    eprintln!("{message}");
                } else {
                    eprintln!("statement at line {line}: {message}");
                }
            }
        }
        (failures, Outcome::Continue)
    }

    /// Runs one query or update; `line` is where it starts in the input.
    fn statement(&mut self, text: &str, line: usize) -> Result<(), String> {
        let token = CancellationToken::new();
        // Ctrl-C cancels while the store works; not while results are shown (in the pager,
        // Ctrl-C is the pager's).
        let running = Running::start(token.clone());
        let started = Instant::now();
        let describe = |e: &SourceError| describe_source_error_at(text, e, line);
        if !lexer::is_query(text) {
            self.source.update_cancellable(text, token).map_err(|e| {
                // An abandoned remote update may still be applied: names may change.
                if matches!(e, SourceError::Abandoned) {
                    self.vocabulary.invalidate();
                }
                describe(&e)
            })?;
            drop(running);
            self.vocabulary.invalidate();
            let elapsed = started.elapsed();
            println!("(update done{})", self.elapsed(elapsed));
            return Ok(());
        }
        let results = self
            .source
            .query_cancellable(text, token)
            .map_err(|e| describe(&e))?;
        let mut buffer = Vec::new();
        let (written, elapsed) = match (results, self.format) {
            (QueryResults::Solutions(solutions), Format::Table) => {
                let variables = solutions.variables().to_vec();
                let mut rows: Vec<Vec<Option<Term>>> = Vec::new();
                for solution in solutions {
                    let solution = solution.map_err(|e| evaluation_message(&e))?;
                    rows.push(variables.iter().map(|v| solution.get(v).cloned()).collect());
                }
                let elapsed = started.elapsed();
                drop(running);
                let header: Vec<String> = variables.iter().map(|v| v.as_str().to_owned()).collect();
                let cells = self.cells(&rows);
                buffer = render_table_fitted(&header, &cells, self.table_width()).into_bytes();
                (Written::Rows(rows.len()), elapsed)
            }
            (results, format) => {
                let written =
                    results::write(results, format, &mut buffer).map_err(|e| match e {
                        results::ResultsError::Evaluation(e) => evaluation_message(&e),
                        other => other.to_string(),
                    })?;
                drop(running);
                if !buffer.is_empty() && !buffer.ends_with(b"\n") {
                    buffer.push(b'\n');
                }
                (written, started.elapsed())
            }
        };
        self.emit(&buffer)?;
        let count = match written {
            Written::Rows(1) => "1 row".to_owned(),
            Written::Rows(n) => format!("{n} rows"),
            Written::Boolean(_) => "answer".to_owned(),
            Written::Triples(1) => "1 triple".to_owned(),
            Written::Triples(n) => format!("{n} triples"),
        };
        let summary = match &self.output {
            Some(out) => format!(
                "({count} written to {}{})",
                out.path.display(),
                self.elapsed(elapsed)
            ),
            None => format!("({count}{})", self.elapsed(elapsed)),
        };
        // Tables carry their summary; machine formats keep standard output clean in scripts.
        if self.output.is_some() || self.format == Format::Table {
            println!("{summary}");
        } else if self.interactive {
            eprintln!("{summary}");
        }
        Ok(())
    }

    fn elapsed(&self, elapsed: Duration) -> String {
        if self.timing {
            format!(", {:.1} ms", elapsed.as_secs_f64() * 1000.0)
        } else {
            String::new()
        }
    }

    /// Table cells: terms as SPARQL writes them, IRIs with their label when `.lang` is set.
    fn cells(&self, rows: &[Vec<Option<Term>>]) -> Vec<Vec<String>> {
        let labels = match self.lang {
            Some(tag) => {
                let iris: BTreeSet<&str> = rows
                    .iter()
                    .flatten()
                    .filter_map(|t| match t {
                        Some(Term::NamedNode(n)) => Some(n.as_str()),
                        _ => None,
                    })
                    .collect();
                let iris: Vec<&str> = iris.into_iter().collect();
                labels::labels(self.source, &iris, tag).unwrap_or_default()
            }
            None => Default::default(),
        };
        rows.iter()
            .map(|row| {
                row.iter()
                    .map(|term| match term {
                        Some(Term::NamedNode(n)) => match labels.get(n.as_str()) {
                            Some(label) => {
                                format!("{} ({label})", display_term(&Term::NamedNode(n.clone())))
                            }
                            None => display_term(&Term::NamedNode(n.clone())),
                        },
                        Some(term) => display_term(term),
                        None => String::new(),
                    })
                    .collect()
            })
            .collect()
    }

    /// Width to fit tables in: the terminal's, when results go to it.
    fn table_width(&self) -> Option<usize> {
        if self.output.is_some() || !self.screen {
            return None;
        }
        terminal_size::terminal_size_of(std::io::stdout())
            .map(|(w, _)| w.0 as usize)
            .filter(|&w| w >= 20)
    }

    /// Sends results to the output file, the pager or the screen.
    fn emit(&mut self, bytes: &[u8]) -> Result<(), String> {
        if let Some(out) = &mut self.output {
            return out
                .file
                .write_all(bytes)
                .and_then(|_| out.file.flush())
                .map_err(|e| format!("cannot write to {}: {e}", out.path.display()));
        }
        if self.pager && self.interactive && self.screen {
            let rows =
                terminal_size::terminal_size_of(std::io::stdout()).map(|(_, h)| h.0 as usize);
            let lines = bytes.iter().filter(|&&b| b == b'\n').count();
            if rows.is_some_and(|rows| lines + 2 > rows) && page(bytes) {
                return Ok(());
            }
        }
        let mut stdout = std::io::stdout().lock();
        match stdout.write_all(bytes).and_then(|_| stdout.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(format!("cannot write results: {e}"))
            }
            _ => Ok(()),
        }
    }

    fn close_output(&mut self) {
        if let Some(mut out) = self.output.take() {
            if let Err(e) = out.file.flush() {
                eprintln!("cannot write to {}: {e}", out.path.display());
            }
        }
    }

    fn command(&mut self, line: &str) -> Result<Outcome, String> {
        let line = line.trim().trim_end_matches(';').trim_end();
        let words = split_args(line)?;
        let name = words.first().map(String::as_str).unwrap_or_default();
        let args: Vec<&str> = words.iter().skip(1).map(String::as_str).collect();
        let wrong = || {
            let usage = COMMANDS
                .iter()
                .find(|(n, _, _)| *n == name)
                .map(|(n, a, _)| format!("{n} {a}"))
                .unwrap_or_default();
            format!("{name}: wrong arguments; use: {}", usage.trim_end())
        };
        match (name, args.as_slice()) {
            (".quit" | ".exit" | ".q", []) => return Ok(Outcome::Quit),
            (".help", _) => self.print(&self.help())?,
            (".prefixes", []) => {
                let text: String = PREFIXES
                    .iter()
                    .map(|(p, iri)| format!("PREFIX {p}: <{iri}>\n"))
                    .collect();
                self.print(&text)?;
            }
            (".examples", []) => {
                let mut text: String = EXAMPLES
                    .iter()
                    .enumerate()
                    .map(|(i, e)| format!("{:>3}  {}\n", i + 1, e.question))
                    .collect();
                text.push_str("Run one with .examples N; it shows its query first.\n");
                self.print(&text)?;
            }
            (".examples", [n]) => {
                let example = n
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|i| EXAMPLES.get(i))
                    .ok_or_else(|| {
                        format!(
                            ".examples: there is no example {n}; they are numbered 1 to {}",
                            EXAMPLES.len()
                        )
                    })?;
                let query = if self.colors && self.output.is_none() {
                    helper::highlight_sparql(example.query)
                } else {
                    example.query.to_owned()
                };
                println!("# {}\n{query} ;", example.question);
                self.statement(example.query, 1)?;
            }
            (".schema", []) => self.schema()?,
            (".stats", []) => self.stats()?,
            (".why", [iri]) => self.why(iri)?,
            (".lang", [lang]) => {
                self.lang = match *lang {
                    "off" | "none" => None,
                    lang => Some(language_tag(lang).ok_or_else(|| {
                        format!(".lang: unknown language {lang:?}; use zh, zh-hant, en, fr, ja, vi or off")
                    })?),
                };
            }
            (".lang", []) => println!(
                "labels: {}",
                self.lang
                    .unwrap_or("off (.lang zh|zh-hant|en|fr|ja|vi to show them)")
            ),
            (".format", [format]) => {
                self.format =
                    <Format as clap::ValueEnum>::from_str(format, true).map_err(|_| {
                        format!(
                            ".format: unknown format {format:?}; use table, csv, tsv, json or xml"
                        )
                    })?;
            }
            (".format", []) => println!("format: {}", format_name(self.format)),
            (".timing", [on]) => self.timing = on_off(name, on)?,
            (".pager", [on]) => self.pager = on_off(name, on)?,
            (".output", []) => {
                if let Some(out) = &self.output {
                    println!(
                        "results go to the screen again (not {})",
                        out.path.display()
                    );
                }
                self.close_output();
            }
            (".output", [file]) => {
                let path = PathBuf::from(file);
                let file = std::fs::File::create(&path)
                    .map_err(|e| format!(".output: cannot create {}: {e}", path.display()))?;
                self.close_output();
                println!(
                    "results go to {} (.output alone: back to the screen)",
                    path.display()
                );
                self.output = Some(OutputFile {
                    path,
                    file: std::io::BufWriter::new(file),
                });
            }
            (".load", paths) if !paths.is_empty() => {
                let Some(store) = self.source.store() else {
                    return Err(".load extracts texts into a local store, not an endpoint: build one (xiezuo build PATH) and send it with xiezuo push --endpoint URL".to_owned());
                };
                let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
                LOADING.store(true, std::sync::atomic::Ordering::Relaxed);
                let built = build(store, &paths, &mut |line| println!("{line}"));
                LOADING.store(false, std::sync::atomic::Ordering::Relaxed);
                built.map_err(|e| format!(".load: {e}"))?;
                self.vocabulary.invalidate();
            }
            (".export", [file]) => self.export(None, Path::new(file))?,
            (".export", [format, file]) => {
                let format = <ExportFormat as clap::ValueEnum>::from_str(format, true).map_err(|_| {
                    format!(".export: unknown format {format:?}; use turtle, trig, ntriples, nquads or rdfxml")
                })?;
                self.export(Some(format), Path::new(file))?
            }
            (".dot", [file, options @ ..]) => self.dot(file, options)?,
            (
                ".quit" | ".exit" | ".prefixes" | ".schema" | ".stats" | ".why" | ".lang"
                | ".format" | ".timing" | ".pager" | ".output" | ".load" | ".export" | ".dot"
                | ".examples",
                _,
            ) => return Err(wrong()),
            _ => return Err(format!("unknown command {name}; .help lists the commands")),
        }
        Ok(Outcome::Continue)
    }

    fn help(&self) -> String {
        let mut text = String::from(
            "Type a SPARQL query or update and end it with ';' (it may span lines; Tab completes\n\
             keywords, prefixed names and regions by name: 福建, Fuj, Phúc…).\n\
             The default graph is every document merged (on an endpoint: the server's default\n\
             graph); GRAPH ?g { … } reaches what one document states, ?e xz:document ?g\n\
             its evidence.\n\
             Example:\n  SELECT ?helper ?recipient WHERE { ?p a xz:Pairing ; xz:helper ?helper ; xz:recipient ?recipient } ;\n\nCommands:\n",
        );
        let usages: Vec<String> = COMMANDS
            .iter()
            .map(|(name, args, _)| format!("{name} {args}").trim_end().to_owned())
            .collect();
        for (usage, (_, _, what)) in usages.iter().zip(COMMANDS) {
            if usage.len() <= 26 {
                text.push_str(&format!("  {usage:<27}{what}\n"));
            } else {
                text.push_str(&format!("  {usage}\n  {:<27}{what}\n", ""));
            }
        }
        text.push_str(&format!(
            "\nNow: format {}, labels {}, timing {}, pager {}, results to {}.\n\
             Ctrl-C cancels the line or the running query; history is kept in {}.\n",
            format_name(self.format),
            self.lang.unwrap_or("off"),
            if self.timing { "on" } else { "off" },
            if self.pager { "on" } else { "off" },
            self.output
                .as_ref()
                .map_or("the screen".to_owned(), |o| o.path.display().to_string()),
            default_history_path().map_or("no file".to_owned(), |p| p.display().to_string())
        ));
        text
    }

    /// Prints text that is not a result (help, lists) on the screen, through the pager if long.
    fn print(&mut self, text: &str) -> Result<(), String> {
        let output = self.output.take();
        let result = self.emit(text.as_bytes());
        self.output = output;
        result
    }

    /// A table made by the shell itself (schema, stats), through the usual output.
    fn print_table(
        &mut self,
        title: &str,
        header: &[&str],
        rows: &[Vec<String>],
    ) -> Result<(), String> {
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        let mut text = format!("{title}\n");
        text.push_str(&render_table_fitted(&header, rows, self.table_width()));
        self.print(&text)
    }

    /// Rows of a SELECT as display strings (IRIs compacted).
    fn select(&self, query: &str) -> Result<Vec<Vec<String>>, String> {
        let results = self.source.query(query).map_err(|e| e.to_string())?;
        let QueryResults::Solutions(solutions) = results else {
            return Ok(Vec::new());
        };
        let variables = solutions.variables().to_vec();
        let mut rows = Vec::new();
        for solution in solutions {
            let solution = solution.map_err(|e| evaluation_message(&e))?;
            rows.push(
                variables
                    .iter()
                    .map(|v| match solution.get(v) {
                        Some(Term::Literal(l)) => l.value().to_owned(),
                        Some(t) => display_term(t),
                        None => String::new(),
                    })
                    .collect(),
            );
        }
        Ok(rows)
    }

    fn label_language(&self) -> &'static str {
        self.lang.unwrap_or("en")
    }

    fn schema(&mut self) -> Result<(), String> {
        let lang = self.label_language();
        let classes = self.select(&format!(
            "SELECT ?class (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?s) AS ?n) WHERE {{
               {{ SELECT DISTINCT ?class WHERE {{ {{ ?class a owl:Class }} UNION {{ ?class a rdfs:Class }} UNION {{ [] a ?class }} }} }}
               OPTIONAL {{ ?s a ?class }}
               OPTIONAL {{ ?class rdfs:label ?l FILTER(langMatches(lang(?l), \"{lang}\")) }}
             }} GROUP BY ?class ORDER BY DESC(?n) ?class"
        ))?;
        let properties = self.select(&format!(
            "SELECT ?property (SAMPLE(?l) AS ?label) (COUNT(?s) AS ?n) (SAMPLE(?d) AS ?domain) (SAMPLE(?r) AS ?range) WHERE {{
               {{ SELECT DISTINCT ?property WHERE {{
                   {{ ?property a owl:ObjectProperty }} UNION {{ ?property a owl:DatatypeProperty }}
                   UNION {{ ?property a rdf:Property }} UNION {{ [] ?property [] }} }} }}
               OPTIONAL {{ ?s ?property ?o }}
               OPTIONAL {{ ?property rdfs:label ?l FILTER(langMatches(lang(?l), \"{lang}\")) }}
               OPTIONAL {{ ?property rdfs:domain ?d }}
               OPTIONAL {{ ?property rdfs:range ?r }}
             }} GROUP BY ?property ORDER BY ?property"
        ))?;
        self.print_table(
            &format!("Classes ({}), by number of instances:", classes.len()),
            &["class", "label", "instances"],
            &classes,
        )?;
        let rows: Vec<Vec<String>> = properties
            .into_iter()
            .map(|r| {
                let links = match (r[3].as_str(), r[4].as_str()) {
                    ("", "") => String::new(),
                    (d, r) => format!(
                        "{} → {}",
                        if d.is_empty() { "…" } else { d },
                        if r.is_empty() { "…" } else { r }
                    ),
                };
                vec![r[0].clone(), r[1].clone(), r[2].clone(), links]
            })
            .collect();
        self.print_table(
            &format!("\nProperties ({}):", rows.len()),
            &["property", "label", "uses", "domain → range"],
            &rows,
        )
    }

    fn stats(&mut self) -> Result<(), String> {
        let count = |shell: &Self, query: &str| -> Result<String, String> {
            Ok(shell
                .select(query)?
                .first()
                .and_then(|r| r.first().cloned())
                .unwrap_or_default())
        };
        let languages = self.select(
            "SELECT ?lang (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a xz:Document ; dct:language ?lang } GROUP BY ?lang ORDER BY DESC(?n) ?lang",
        )?;
        let by_language = languages
            .iter()
            .map(|r| format!("{} {}", r[0], r[1]))
            .collect::<Vec<_>>()
            .join(", ");
        let total_documents = count(self, "SELECT (COUNT(?d) AS ?n) WHERE { ?d a xz:Document }")?;
        let rows = [
            match self.source {
                QuerySource::Local(store) => ("store", store.path().display().to_string()),
                QuerySource::Remote(endpoint) => ("endpoint", endpoint.query_url().to_owned()),
            },
            (
                "documents",
                if by_language.is_empty() {
                    total_documents
                } else {
                    format!("{total_documents} (with sentences in {by_language})")
                },
            ),
            (
                "pairings",
                format!(
                    "{} ({} helpers, {} recipients)",
                    count(self, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a xz:Pairing }")?,
                    count(self, "SELECT (COUNT(DISTINCT ?h) AS ?n) WHERE { ?p a xz:Pairing ; xz:helper ?h }")?,
                    count(self, "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?p a xz:Pairing ; xz:recipient ?r }")?
                ),
            ),
            (
                "outcomes",
                count(self, "SELECT (COUNT(?o) AS ?n) WHERE { ?o a xz:Outcome }")?,
            ),
            (
                "evidence",
                format!(
                    "{} sentences",
                    count(self, "SELECT (COUNT(?e) AS ?n) WHERE { ?e a xz:Evidence }")?
                ),
            ),
            (
                "gazetteer",
                format!(
                    "{} regions, {} concepts",
                    count(self, "SELECT (COUNT(?r) AS ?n) WHERE { ?r a xz:Region }")?,
                    count(self, "SELECT (COUNT(?c) AS ?n) WHERE { ?c a skos:Concept }")?
                ),
            ),
            (
                "triples",
                format!(
                    "{} in the default graph, {} named graphs",
                    count(self, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")?,
                    count(self, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { } }")?
                ),
            ),
        ];
        let key_width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let text: String = rows
            .iter()
            .map(|(k, v)| format!("{k:<key_width$}  {v}\n"))
            .collect();
        self.print(&text)
    }

    fn why(&mut self, written: &str) -> Result<(), String> {
        let iri = self.resolve_node(written)?;
        let rows = why::evidence(self.source, &iri).map_err(|e| e.to_string())?;
        let lang = self.label_language();
        let label = labels::labels(self.source, &[iri.as_str()], lang)
            .ok()
            .and_then(|mut l| l.remove(&iri));
        if !rows.is_empty() {
            let width = self.table_width();
            return self.print(&why::render(&iri, label.as_deref(), &rows, width));
        }
        let related = why::related_pairings(self.source, &iri, lang).map_err(|e| e.to_string())?;
        let name = results::compact_iri(&iri);
        if related.is_empty() {
            if !why::is_known(self.source, &iri).map_err(|e| e.to_string())? {
                return Err(format!(".why: the store has nothing about {name}"));
            }
            return Err(format!(".why: {name} was not read from any sentence (it comes from the ontology or gazetteer)"));
        }
        let mut text = format!(
            "{name}{} is not stated by a sentence itself; it takes part in these pairings (.why one of them):\n",
            label.map(|l| format!(" {l}")).unwrap_or_default()
        );
        for r in related {
            text.push_str(&format!(
                "  {}  {}  ({} sentences)\n",
                results::compact_iri(&r.pairing),
                r.label.unwrap_or_default(),
                r.sentences
            ));
        }
        self.print(&text)
    }

    /// An IRI from `.why`'s argument: `<iri>`, a prefixed name, or a label of a region or concept.
    fn resolve_node(&self, written: &str) -> Result<String, String> {
        if let Some(iri) = expand_iri(written) {
            return Ok(iri);
        }
        let vocabulary = self.vocabulary.get_or_load(self.source);
        let found = vocabulary.find_by_label(written, 5);
        let exact: Vec<_> = found
            .iter()
            .filter(|m| vocab::fold(&m.label) == vocab::fold(written))
            .collect();
        match (exact.as_slice(), found.as_slice()) {
            ([one], _) => Ok(vocabulary.nodes[one.node].iri.clone()),
            ([], [one]) => Ok(vocabulary.nodes[one.node].iri.clone()),
            _ if found.is_empty() => Err(format!(
                ".why: {written:?} is not an IRI (<…>), a prefixed name (pairing:350000-640000) or the name of a region"
            )),
            _ => Err(format!(
                ".why: {written:?} could be {}",
                found
                    .iter()
                    .map(|m| format!("{} ({})", vocabulary.nodes[m.node].name, m.label))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    fn export(&self, format: Option<ExportFormat>, path: &Path) -> Result<(), String> {
        let format = format
            .or_else(|| ExportFormat::from_extension(path))
            .ok_or_else(|| {
                format!(
                    ".export: cannot tell the format of {}; give it: .export turtle FILE",
                    path.display()
                )
            })?;
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| format!(".export: cannot create {}: {e}", path.display()))?,
        );
        let count = self
            .source
            .export(format, &mut file)
            .map_err(|e| format!(".export: {e}"))?;
        file.flush()
            .map_err(|e| format!(".export: cannot write {}: {e}", path.display()))?;
        println!("wrote {count} statements to {}", path.display());
        Ok(())
    }

    fn dot(&self, file: &str, options: &[&str]) -> Result<(), String> {
        let (filter, render_format) = parse_dot_options(options)?;
        let path = Path::new(file);
        let render_format = render_format.or_else(|| RenderFormat::from_path(path));
        let graph =
            pairing_graph_filtered(self.source, &filter).map_err(|e| format!(".dot: {e}"))?;
        let dot = to_dot(&graph);
        let bytes = match render_format {
            Some(format) => render(&dot, format).map_err(|e| format!(".dot: {e}"))?,
            None => dot.into_bytes(),
        };
        std::fs::write(path, bytes).map_err(|e| format!(".dot: cannot write {file}: {e}"))?;
        let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
        println!(
            "drew {} and {} in {file}{}",
            plural(graph.node_count(), "region"),
            plural(graph.edge_count(), "pairing"),
            if render_format.is_none() {
                " (DOT; .svg or .png, or --render, for a picture)"
            } else {
                ""
            }
        );
        Ok(())
    }
}

fn format_name(format: Format) -> String {
    format!("{format:?}").to_lowercase()
}

fn on_off(name: &str, value: &str) -> Result<bool, String> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        other => Err(format!("{name}: {other:?}? use on or off")),
    }
}

fn literal_value(term: &Term) -> String {
    match term {
        Term::Literal(l) => l.value().to_owned(),
        other => other.to_string(),
    }
}

/// `--region R --year Y --model M --render svg|png` (in any order).
pub fn parse_dot_options(options: &[&str]) -> Result<(DotFilter, Option<RenderFormat>), String> {
    let mut filter = DotFilter::default();
    let mut render_format = None;
    let mut i = 0;
    while i < options.len() {
        let (flag, inline) = match options[i].split_once('=') {
            Some((f, v)) => (f, Some(v)),
            None => (options[i], None),
        };
        let value = match inline {
            Some(v) => v.to_owned(),
            None => {
                i += 1;
                options
                    .get(i)
                    .map(|v| v.to_string())
                    .ok_or_else(|| format!(".dot: {flag} needs a value"))?
            }
        };
        match flag {
            "--region" => filter.region = Some(value),
            "--year" => filter.year = Some(value),
            "--model" => filter.model = Some(value),
            "--render" => {
                render_format = Some(
                    <RenderFormat as clap::ValueEnum>::from_str(&value, true)
                        .map_err(|_| format!(".dot: --render {value:?}? use svg or png"))?,
                )
            }
            other => {
                return Err(format!(
                    ".dot: unknown option {other}; use --region, --year, --model or --render"
                ))
            }
        }
        i += 1;
    }
    Ok((filter, render_format))
}

/// Words of a command line; double quotes keep spaces ("Inner Mongolia").
fn split_args(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quoted {
        return Err("unclosed quote in the command".to_owned());
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// The statements of complete input, by byte offset: queries one by one, and consecutive
/// update operations together as one request (they may share PREFIX declarations).
fn group_statements(input: &str) -> Vec<(usize, &str)> {
    let mut groups: Vec<(usize, usize, bool)> = Vec::new();
    for (offset, piece) in lexer::split_statements(input) {
        let end = offset + piece.len();
        let query = lexer::is_query(piece);
        match groups.last_mut() {
            Some((_, last_end, false)) if !query => *last_end = end,
            _ => groups.push((offset, end, query)),
        }
    }
    groups
        .into_iter()
        .map(|(start, end, _)| (start, &input[start..end]))
        .collect()
}

fn evaluation_message(e: &QueryEvaluationError) -> String {
    match e {
        QueryEvaluationError::Cancelled => "cancelled (Ctrl-C); the shell goes on".to_owned(),
        other => format!("query failed: {other}"),
    }
}

/// Runs the pager on `bytes`; false if there is none to run.
fn page(bytes: &[u8]) -> bool {
    let command = match std::env::var("XIEZUO_PAGER").or_else(|_| std::env::var("PAGER")) {
        Ok(c) if c.trim().is_empty() || c.trim() == "cat" => return false,
        Ok(c) => c,
        Err(_) => match ["less", "more"].iter().find(|p| in_path(p)) {
            Some(p) => p.to_string(),
            None => return false,
        },
    };
    let mut child = match std::process::Command::new("sh")
        .arg("-c")
        .arg(&command)
        .env(
            "LESS",
            std::env::var("LESS").unwrap_or_else(|_| "FRX".to_owned()),
        )
        .stdin(std::process::Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(_) => return false,
    };
    if let Some(mut stdin) = child.stdin.take() {
        // The reader may quit early (q in less): a broken pipe is no error.
        let _ = stdin.write_all(bytes);
    }
    let _ = child.wait();
    true
}

fn in_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// A query error with, for syntax errors, the line of the query and a caret under the spot.
pub fn describe_query_error(query: &str, error: &QueryError) -> String {
    describe_query_error_at(query, error, 1)
}

/// Like [`describe_query_error`] for a query that starts on line `first_line` of its input:
/// the message names the line of the input.
pub fn describe_query_error_at(query: &str, error: &QueryError, first_line: usize) -> String {
    match error {
        QueryError::Evaluation(e @ QueryEvaluationError::Cancelled) => {
            return evaluation_message(e)
        }
        // Oxigraph passes a cancelled update on as an "unexpected" error with this message.
        QueryError::Update(e) if e.to_string().contains("has been cancelled") => {
            return evaluation_message(&QueryEvaluationError::Cancelled)
        }
        _ => {}
    }
    let message = error.to_string();
    let QueryError::Syntax(e) = error else {
        return message;
    };
    describe_syntax_at(query, &e.to_string(), first_line).unwrap_or(message)
}

/// The parser's `message` as one line naming the input's line and column, then the query's line
/// with a caret under the spot; `None` if the message has no position.
fn describe_syntax_at(query: &str, message: &str, first_line: usize) -> Option<String> {
    // Oxigraph says "error at LINE:COLUMN: expected …" (column in characters).
    let position = message.split("error at ").nth(1).and_then(|rest| {
        let (lc, _) = rest.split_once(": ")?;
        let (line, column) = lc.split_once(':')?;
        Some((line.parse::<usize>().ok()?, column.parse::<usize>().ok()?))
    });
    let (line, column) = position.filter(|(l, _)| *l >= 1)?;
    let expected = message
        .split_once(": expected ")
        .map(|(_, e)| shorten_expected(e))
        .unwrap_or_default();
    let text = query.lines().nth(line - 1).unwrap_or_default();
    let prefix: String = text.chars().take(column.saturating_sub(1)).collect();
    let pad = unicode_width::UnicodeWidthStr::width(prefix.as_str());
    let shown_line = first_line + line - 1;
    let mut out = format!(
        "SPARQL syntax error at line {shown_line}, column {column} ({shown_line}:{column})"
    );
    if !expected.is_empty() {
        out.push_str(&format!(": expected {expected}"));
    }
    let gutter = format!("{shown_line} │ ");
    let blank = format!("{} │ ", " ".repeat(shown_line.to_string().len()));
    out.push_str(&format!(
        "\n  {gutter}{}\n  {blank}{}^",
        text.replace('\t', " "),
        " ".repeat(pad)
    ));
    Some(out)
}

/// Like [`describe_query_error_at`] for the errors of either source: syntax errors found here
/// get their caret (with the server's word beside it), a refused update says so in one line.
pub fn describe_source_error_at(text: &str, error: &SourceError, first_line: usize) -> String {
    match error {
        SourceError::Local(e) => describe_query_error_at(text, e, first_line),
        SourceError::Syntax { local, remote, .. } => {
            let located = describe_syntax_at(text, local, first_line)
                .unwrap_or_else(|| format!("SPARQL syntax error: {local}"));
            format!("{located}\n(the server said: {})", first_line_of(remote))
        }
        SourceError::Remote(
            remote @ RemoteError::Refused {
                status: 401 | 403 | 405,
                ..
            },
        ) if !lexer::is_query(text) => format!("update refused: {}", first_line_of(remote)),
        other => other.to_string(),
    }
}

/// The first line of a server's answer: enough to say why, without a page of HTML.
fn first_line_of(error: &RemoteError) -> String {
    let text = error.to_string();
    let first = text.lines().next().unwrap_or_default();
    if text.lines().nth(1).is_some() {
        format!("{first} …")
    } else {
        first.to_owned()
    }
}

/// Peg lists every token it could have taken; a few are enough.
fn shorten_expected(expected: &str) -> String {
    let Some(list) = expected.strip_prefix("one of ") else {
        return expected.to_owned();
    };
    let items: Vec<&str> = list.split(", ").collect();
    if items.len() <= 6 {
        return expected.to_owned();
    }
    format!(
        "one of {}, … ({} more)",
        items[..6].join(", "),
        items.len() - 6
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::GraphStore;

    #[test]
    fn command_words_keep_quoted_spaces() {
        assert_eq!(
            split_args(".dot out.svg --region \"Inner Mongolia\"").unwrap(),
            vec![".dot", "out.svg", "--region", "Inner Mongolia"]
        );
        assert!(split_args(".dot \"open").is_err());
    }

    #[test]
    fn queries_run_one_by_one_and_updates_together() {
        let input = "ASK {} ; ASK { ?s ?p ?o } ;\nINSERT DATA { <a:b> <a:c> 1 } ; DELETE DATA { <a:b> <a:c> 1 } ;";
        let groups: Vec<&str> = group_statements(input)
            .into_iter()
            .map(|(_, s)| s.trim())
            .collect();
        assert_eq!(
            groups,
            vec![
                "ASK {}",
                "ASK { ?s ?p ?o }",
                "INSERT DATA { <a:b> <a:c> 1 } ; DELETE DATA { <a:b> <a:c> 1 }"
            ]
        );
    }

    #[test]
    fn syntax_errors_point_at_the_spot() {
        let query = "SELECT ?x WHERE {\n  ?x 福建 }";
        let Err(error) = GraphStore::evaluator().parse_query(query) else {
            panic!("{query} should not parse");
        };
        let text = describe_query_error_at(query, &QueryError::Syntax(error), 10);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains("line 11"), "{text}");
        let caret = lines[2].find('^').unwrap();
        let spot = lines[1].find("福建").unwrap();
        // The caret sits under the spot by display width.
        let width_before = unicode_width::UnicodeWidthStr::width(&lines[1][..spot]);
        let caret_width = unicode_width::UnicodeWidthStr::width(&lines[2][..caret]);
        assert!(caret_width >= width_before, "{text}");
    }

    #[test]
    fn dot_options() {
        let (filter, render) =
            parse_dot_options(&["--region", "福建", "--year=2017", "--render", "svg"]).unwrap();
        assert_eq!(filter.region.as_deref(), Some("福建"));
        assert_eq!(filter.year.as_deref(), Some("2017"));
        assert_eq!(render, Some(RenderFormat::Svg));
        assert!(parse_dot_options(&["--colour", "red"]).is_err());
        assert!(parse_dot_options(&["--year"]).is_err());
    }
}
