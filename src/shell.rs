//! The SPARQL shell. Queries may span lines and end with `;` (outside braces and strings);
//! lines starting with `.` are commands. On a terminal it uses rustyline with a history file;
//! with piped input it reads the same statements from standard input, so it can be scripted.

use crate::dot::{pairing_graph, to_dot};
use crate::export::{export, ExportFormat};
use crate::knowledge::PREFIXES;
use crate::results::{self, Format, Written};
use crate::store::{GraphStore, QueryError};
use rustyline::error::ReadlineError;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

const HELP: &str = "\
Type a SPARQL query or update and end it with ';' (it may span lines).
The default graph is every document merged; GRAPH ?g { … } reaches one document.
Declared prefixes: see .prefixes. Example:
  SELECT ?helper ?recipient WHERE { ?p a xz:Pairing ; xz:helper ?helper ; xz:recipient ?recipient } ;

Commands:
  .help                     this text
  .prefixes                 the declared prefixes
  .format table|csv|tsv|json|xml
                            how results are printed from now on (now: {format})
  .export [FORMAT] FILE     write the graph (turtle, trig, ntriples, nquads, rdfxml;
                            guessed from the extension when left out)
  .dot FILE                 write the pairing network as Graphviz DOT
  .quit                     leave (Ctrl-D too)
";

/// What the shell does with one complete input.
enum Outcome {
    Continue,
    Quit,
}

pub struct Shell<'a> {
    store: &'a GraphStore,
    format: Format,
}

/// Where the history is kept: `XIEZUO_HISTORY`, else `~/.xiezuo_history`.
pub fn default_history_path() -> Option<PathBuf> {
    std::env::var_os("XIEZUO_HISTORY")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".xiezuo_history")))
}

impl<'a> Shell<'a> {
    pub fn new(store: &'a GraphStore) -> Self {
        Shell {
            store,
            format: Format::Table,
        }
    }

    /// Runs until `.quit` or end of input: interactively on a terminal, else reading stdin.
    /// Returns the number of statements that failed (for a script's exit status).
    pub fn run(&mut self) -> Result<usize, ReadlineError> {
        if std::io::stdin().is_terminal() {
            self.run_interactive()
        } else {
            Ok(self.run_script(std::io::stdin().lock()))
        }
    }

    fn run_interactive(&mut self) -> Result<usize, ReadlineError> {
        let mut editor = rustyline::DefaultEditor::new()?;
        let history = default_history_path();
        if let Some(path) = &history {
            let _ = editor.load_history(path);
        }
        println!(
            "xiezuo shell on {} — .help for help, .quit to leave",
            self.store.path().display()
        );
        let mut buffer = String::new();
        let mut failures = 0;
        loop {
            let prompt = if buffer.is_empty() {
                "xiezuo> "
            } else {
                "   ...> "
            };
            match editor.readline(prompt) {
                Ok(line) => {
                    if let Some(statement) = accumulate(&mut buffer, &line) {
                        let _ = editor.add_history_entry(statement.trim());
                        match self.execute(&statement) {
                            Ok(Outcome::Quit) => break,
                            Ok(Outcome::Continue) => {}
                            Err(message) => {
                                failures += 1;
                                eprintln!("{message}");
                            }
                        }
                    }
                }
                Err(ReadlineError::Interrupted) => buffer.clear(),
                Err(ReadlineError::Eof) => break,
                Err(e) => return Err(e),
            }
        }
        if let Some(path) = &history {
            if let Err(e) = editor.save_history(path) {
                eprintln!("warning: cannot save history to {}: {e}", path.display());
            }
        }
        Ok(failures)
    }

    /// Reads statements from `input` and prints their results; an error is reported with the
    /// statement's line and the script goes on.
    pub fn run_script(&mut self, input: impl BufRead) -> usize {
        let mut buffer = String::new();
        let mut failures = 0;
        let mut start_line = 1;
        for (n, line) in input.split(b'\n').enumerate() {
            let line = match line {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(line) => line,
                    Err(_) => {
                        eprintln!("line {}: not valid UTF-8, skipped", n + 1);
                        failures += 1;
                        continue;
                    }
                },
                Err(e) => {
                    eprintln!("cannot read standard input: {e}");
                    return failures + 1;
                }
            };
            if buffer.is_empty() {
                start_line = n + 1;
            }
            if let Some(statement) = accumulate(&mut buffer, line.trim_end_matches('\r')) {
                match self.execute(&statement) {
                    Ok(Outcome::Quit) => return failures,
                    Ok(Outcome::Continue) => {}
                    Err(message) => {
                        failures += 1;
                        eprintln!("statement at line {start_line}: {message}");
                    }
                }
            }
        }
        if !buffer.trim().is_empty() {
            failures += 1;
            eprintln!("statement at line {start_line}: unterminated (end it with ';')");
        }
        failures
    }

    fn execute(&mut self, statement: &str) -> Result<Outcome, String> {
        let trimmed = statement.trim();
        if trimmed.starts_with('.') {
            return self.command(trimmed);
        }
        let text = trimmed.strip_suffix(';').unwrap_or(trimmed);
        if text.trim().is_empty() {
            return Ok(Outcome::Continue);
        }
        let started = Instant::now();
        let mut stdout = std::io::stdout().lock();
        if GraphStore::is_query(text) {
            let results = self
                .store
                .query(text)
                .map_err(|e| describe_query_error(text, &e))?;
            let written =
                results::write(results, self.format, &mut stdout).map_err(|e| e.to_string())?;
            if self.format == Format::Table {
                let elapsed = started.elapsed().as_secs_f64() * 1000.0;
                let summary = match written {
                    Written::Rows(1) => "1 row".to_owned(),
                    Written::Rows(n) => format!("{n} rows"),
                    Written::Boolean(_) => "answer".to_owned(),
                    Written::Triples(n) => format!("{n} triples"),
                };
                let _ = writeln!(stdout, "({summary}, {elapsed:.1} ms)");
            }
        } else {
            self.store
                .update(text)
                .map_err(|e| describe_query_error(text, &e))?;
            let _ = writeln!(stdout, "(update done)");
        }
        Ok(Outcome::Continue)
    }

    fn command(&mut self, line: &str) -> Result<Outcome, String> {
        let line = line.strip_suffix(';').unwrap_or(line);
        let mut words = line.split_whitespace();
        let name = words.next().unwrap_or_default();
        let args: Vec<&str> = words.collect();
        match (name, args.as_slice()) {
            (".quit" | ".exit", _) => return Ok(Outcome::Quit),
            (".help", _) => print!(
                "{}",
                HELP.replace("{format}", &format!("{:?}", self.format).to_lowercase())
            ),
            (".prefixes", _) => {
                for (prefix, iri) in PREFIXES {
                    println!("PREFIX {prefix}: <{iri}>");
                }
            }
            (".format", [format]) => {
                self.format =
                    <Format as clap::ValueEnum>::from_str(format, true).map_err(|_| {
                        format!(
                            ".format: unknown format {format:?}; use table, csv, tsv, json or xml"
                        )
                    })?;
            }
            (".export", [file]) => self.export(None, Path::new(file))?,
            (".export", [format, file]) => {
                let format = <ExportFormat as clap::ValueEnum>::from_str(format, true).map_err(|_| {
                    format!(".export: unknown format {format:?}; use turtle, trig, ntriples, nquads or rdfxml")
                })?;
                self.export(Some(format), Path::new(file))?
            }
            (".dot", [file]) => {
                let graph = pairing_graph(self.store).map_err(|e| e.to_string())?;
                std::fs::write(file, to_dot(&graph))
                    .map_err(|e| format!(".dot: cannot write {file}: {e}"))?;
                println!(
                    "wrote {} regions and {} pairings to {file}",
                    graph.node_count(),
                    graph.edge_count()
                );
            }
            (".format" | ".export" | ".dot", _) => {
                return Err(format!("{name}: wrong arguments; see .help"));
            }
            _ => return Err(format!("unknown command {name}; .help lists the commands")),
        }
        Ok(Outcome::Continue)
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
        let count = export(self.store, format, &mut file).map_err(|e| e.to_string())?;
        println!("wrote {count} statements to {}", path.display());
        Ok(())
    }
}

/// Adds a line to the statement being typed; returns the statement once it is complete: a
/// command is one line, a query ends with `;` outside braces, strings and comments.
fn accumulate(buffer: &mut String, line: &str) -> Option<String> {
    if buffer.is_empty() && line.trim_start().starts_with('.') {
        return Some(line.trim().to_owned());
    }
    if buffer.is_empty() && line.trim().is_empty() {
        return None;
    }
    buffer.push_str(line);
    buffer.push('\n');
    if ends_statement(buffer) {
        Some(std::mem::take(buffer))
    } else {
        None
    }
}

/// True when the text ends with `;` at brace depth zero, outside strings, IRIs and comments.
fn ends_statement(text: &str) -> bool {
    let mut depth: i32 = 0;
    let mut last_significant = None;
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            match c {
                '\\' => {
                    chars.next();
                }
                c if c == q => quote = None,
                _ => {}
            }
            last_significant = Some('"');
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                continue;
            }
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if !c.is_whitespace() {
            last_significant = Some(c);
        }
    }
    quote.is_none() && depth <= 0 && last_significant == Some(';')
}

/// A query error with, for syntax errors, the line of the query and a caret under the spot.
pub fn describe_query_error(query: &str, error: &QueryError) -> String {
    let message = error.to_string();
    let position = message
        .split("at ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| c != ':' && !c.is_ascii_digit()).next())
        .and_then(|lc| {
            let (line, column) = lc.trim_end_matches(':').split_once(':')?;
            Some((line.parse::<usize>().ok()?, column.parse::<usize>().ok()?))
        });
    match (error, position) {
        (QueryError::Syntax(_), Some((line, column))) if line >= 1 => {
            let text = query.lines().nth(line - 1).unwrap_or_default();
            let prefix: String = text.chars().take(column.saturating_sub(1)).collect();
            let pad = unicode_width::UnicodeWidthStr::width(prefix.as_str());
            format!("{message}\n  {text}\n  {}^", " ".repeat(pad))
        }
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_end_with_a_semicolon_outside_braces() {
        assert!(ends_statement("SELECT * WHERE { ?s ?p ?o } ;"));
        assert!(!ends_statement("SELECT * WHERE { ?s a xz:Pairing ;"));
        assert!(!ends_statement("SELECT * WHERE { ?s ?p \"a;\" } # done;"));
        assert!(ends_statement("SELECT * WHERE { ?s ?p \"}\" } ;"));
    }

    #[test]
    fn lines_accumulate_until_the_end() {
        let mut buffer = String::new();
        assert_eq!(accumulate(&mut buffer, "SELECT * WHERE {"), None);
        assert_eq!(accumulate(&mut buffer, "  ?s ?p ?o ;"), None);
        assert_eq!(
            accumulate(&mut buffer, "} ;").as_deref(),
            Some("SELECT * WHERE {\n  ?s ?p ?o ;\n} ;\n")
        );
        assert_eq!(accumulate(&mut buffer, ".help").as_deref(), Some(".help"));
    }
}
