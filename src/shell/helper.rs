//! The line editor's helper: completion, syntax highlighting, hints and "is the statement
//! finished?" for rustyline.

use super::lexer::{self, Kind, Token, KEYWORDS};
use super::vocab::{SharedVocabulary, Vocabulary};
use super::{COMMANDS, EXAMPLES};
use crate::knowledge::PREFIXES;
use crate::labels::LANGUAGES;
use crate::remote::QuerySource;
use crate::results::expand_iri;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::sync::Arc;

/// How many label matches completion offers at most.
const MAX_LABEL_MATCHES: usize = 60;

pub struct ShellHelper<'a> {
    source: &'a QuerySource<'a>,
    vocabulary: Arc<SharedVocabulary>,
    colors: bool,
    files: FilenameCompleter,
}

impl<'a> ShellHelper<'a> {
    pub fn new(
        source: &'a QuerySource<'a>,
        vocabulary: Arc<SharedVocabulary>,
        colors: bool,
    ) -> Self {
        ShellHelper {
            source,
            vocabulary,
            colors,
            files: FilenameCompleter::new(),
        }
    }

    fn vocabulary(&self) -> Arc<Vocabulary> {
        self.vocabulary.get_or_load(self.source)
    }

    /// Completion of a dot-command line.
    fn complete_command(&self, line: &str, pos: usize) -> (usize, Vec<Pair>) {
        let before = &line[..pos];
        let lead = before.len() - before.trim_start().len();
        let words: Vec<&str> = before[lead..].split_whitespace().collect();
        let typing_first = !before[lead..].contains(char::is_whitespace);
        if typing_first {
            let typed = &before[lead..];
            let pairs = COMMANDS
                .iter()
                .filter(|(name, _, _)| name.starts_with(typed))
                .map(|(name, _, _)| plain(&format!("{name} ")))
                .collect();
            return (lead, pairs);
        }
        let word_start = before.rfind(char::is_whitespace).map_or(pos, |i| i + 1);
        let typed = &before[word_start..];
        // `words[0]` is the command; the word before the one being typed is `words[done]`, and
        // `done` arguments are complete.
        let done = if typed.is_empty() {
            words.len() - 1
        } else {
            words.len() - 2
        };
        let previous = words[done];
        let options = |list: &[&str]| -> (usize, Vec<Pair>) {
            (
                word_start,
                list.iter()
                    .filter(|o| o.starts_with(typed))
                    .map(|o| plain(o))
                    .collect(),
            )
        };
        let files = || {
            self.files
                .complete_path(line, pos)
                .unwrap_or((pos, Vec::new()))
        };
        match (words[0], done) {
            (".format", 0) => options(&["table", "csv", "tsv", "json", "xml"]),
            (".lang", 0) => {
                let mut langs: Vec<&str> = LANGUAGES.iter().map(|(short, _)| *short).collect();
                langs.push("off");
                options(&langs)
            }
            (".timing" | ".pager", 0) => options(&["on", "off"]),
            (".examples", 0) => {
                let pairs = EXAMPLES
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (i + 1, e))
                    .filter(|(n, _)| n.to_string().starts_with(typed))
                    .map(|(n, e)| Pair {
                        display: format!("{n:>2}  {}", e.question),
                        replacement: n.to_string(),
                    })
                    .collect();
                (word_start, pairs)
            }
            (".export", 0) => {
                let (start, mut pairs) =
                    options(&["turtle", "trig", "ntriples", "nquads", "rdfxml"]);
                if pairs.is_empty() || typed.contains(['/', '.']) {
                    return files();
                }
                pairs.extend(files().1);
                (start, pairs)
            }
            (".dot", n) if n > 0 && typed.starts_with('-') => {
                options(&["--region", "--year", "--model", "--render"])
            }
            (".dot", _) if previous == "--render" => options(&["svg", "png"]),
            (".dot", _) if previous == "--region" => self.complete_word(before, word_start, typed),
            (".load" | ".output" | ".export" | ".dot", _) => files(),
            (".why", 0) => self.complete_word(before, word_start, typed),
            _ => (pos, Vec::new()),
        }
    }

    /// Completion of the word `typed` (starting at `start`): prefixed names, keywords, prefixes
    /// and labels of regions and concepts.
    fn complete_word(&self, before: &str, start: usize, typed: &str) -> (usize, Vec<Pair>) {
        if typed.is_empty() {
            return (start, Vec::new());
        }
        if typed.contains(':') {
            return (start, self.prefixed_names(typed));
        }
        let mut pairs = Vec::new();
        let lower = typed.chars().all(|c| !c.is_uppercase());
        for k in KEYWORDS {
            if k.len() > 1 && k.to_lowercase().starts_with(&typed.to_lowercase()) {
                let k = if lower && k.chars().all(|c| !c.is_lowercase()) {
                    k.to_lowercase()
                } else {
                    k.to_string()
                };
                pairs.push(plain(&k));
            }
        }
        for (prefix, _) in PREFIXES {
            if prefix.starts_with(typed) {
                pairs.push(plain(&format!("{prefix}:")));
            }
        }
        let (label_start, labels) = self.labels_before(before, start);
        if label_start < start && !labels.is_empty() {
            // "Phúc K": a label of several words wins over the last word alone.
            return (label_start, labels);
        }
        pairs.extend(labels);
        (start, pairs)
    }

    fn prefixed_names(&self, typed: &str) -> Vec<Pair> {
        let vocabulary = self.vocabulary();
        let typed_lower = typed.to_lowercase();
        let mut pairs: Vec<Pair> = vocabulary
            .names
            .iter()
            .filter(|n| n.to_lowercase().starts_with(&typed_lower))
            .take(400)
            .map(|n| {
                let label = expand_iri(n)
                    .and_then(|iri| vocabulary.node(&iri).map(|node| node.describe()))
                    .filter(|d| !d.is_empty());
                Pair {
                    display: match label {
                        Some(label) => format!("{n}  {label}"),
                        None => n.clone(),
                    },
                    replacement: n.clone(),
                }
            })
            .collect();
        // An exact case match first, so `xz:pairing` is not lost among `xz:Pairing`.
        pairs.sort_by_key(|p| !p.replacement.starts_with(typed));
        pairs
    }

    /// Label matches for the text before the cursor, trying the last few words together first
    /// (labels such as "Inner Mongolia" or "Phúc Kiến" have spaces). Returns where the matched
    /// text starts.
    fn labels_before(&self, before: &str, last_word: usize) -> (usize, Vec<Pair>) {
        let mut starts = vec![last_word];
        let tokens = lexer::tokenize(&before[..last_word]);
        for t in tokens.iter().rev() {
            match t.kind {
                Kind::Whitespace if !before[t.start..t.end].contains('\n') => {}
                Kind::Word | Kind::Keyword => starts.push(t.start),
                _ => break,
            }
            if starts.len() > 4 {
                break;
            }
        }
        let vocabulary = self.vocabulary();
        for &start in starts.iter().rev() {
            let typed = &before[start..];
            let found = vocabulary.find_by_label(typed, MAX_LABEL_MATCHES);
            if found.is_empty() {
                continue;
            }
            let key = super::vocab::fold(typed);
            let all_exact = found.iter().all(|m| super::vocab::fold(&m.label) == key);
            let pairs = found
                .iter()
                .map(|m| {
                    let node = &vocabulary.nodes[m.node];
                    let description = node.describe();
                    let display = if description.contains(&m.label) {
                        format!("{}  {description}", node.name)
                    } else {
                        format!("{}  {} · {description}", node.name, m.label)
                    };
                    // One node: its IRI. Several: the label, so that typing goes on from the
                    // common beginning of the labels, unless nothing more can be typed.
                    let replacement = if found.len() == 1 || all_exact {
                        node.name.clone()
                    } else {
                        m.label.clone()
                    };
                    Pair {
                        display,
                        replacement,
                    }
                })
                .collect();
            return (start, pairs);
        }
        (last_word, Vec::new())
    }
}

fn plain(s: &str) -> Pair {
    Pair {
        display: s.trim_end().to_owned(),
        replacement: s.to_owned(),
    }
}

impl Completer for ShellHelper<'_> {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        if line.trim_start().starts_with('.') && !line.contains('\n') {
            return Ok(self.complete_command(line, pos));
        }
        let before = &line[..pos];
        let tokens = lexer::tokenize(before);
        let Some(last) = tokens.last() else {
            return Ok((pos, Vec::new()));
        };
        let typed = &before[last.start..];
        Ok(match last.kind {
            Kind::Variable => {
                let mut variables: Vec<String> = lexer::tokenize(line)
                    .iter()
                    .filter(|t| t.kind == Kind::Variable && t.start != last.start)
                    .map(|t| format!("?{}", &line[t.start + 1..t.end]))
                    .filter(|v| v.len() > 1 && v[1..].starts_with(&typed[1..]) && v != typed)
                    .collect();
                variables.sort();
                variables.dedup();
                (last.start, variables.iter().map(|v| plain(v)).collect())
            }
            Kind::PrefixedName => (last.start, self.prefixed_names(typed)),
            Kind::Word | Kind::Keyword => self.complete_word(before, last.start, typed),
            // "Phúc " after the common beginning of several labels was filled in.
            Kind::Whitespace if !typed.contains('\n') && tokens.len() > 1 => {
                let (start, pairs) = self.labels_before(before, pos);
                if start < pos {
                    (start, pairs)
                } else {
                    (pos, Vec::new())
                }
            }
            _ => (pos, Vec::new()),
        })
    }
}

/// The label of the IRI just typed, shown greyed after the cursor (never inserted).
pub struct LabelHint(String);

impl Hint for LabelHint {
    fn display(&self) -> &str {
        &self.0
    }
    fn completion(&self) -> Option<&str> {
        None
    }
}

impl Hinter for ShellHelper<'_> {
    type Hint = LabelHint;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<LabelHint> {
        if pos < line.len() || line.trim_start().starts_with('.') {
            return None;
        }
        let vocabulary = self.vocabulary.try_get()?;
        let tokens = lexer::tokenize(line);
        let last = tokens.last()?;
        if !matches!(last.kind, Kind::PrefixedName | Kind::Iri) || last.open {
            return None;
        }
        let node = vocabulary.node(&expand_iri(&line[last.start..last.end])?)?;
        let description = node.describe();
        (!description.is_empty()).then(|| LabelHint(format!("  ← {description}")))
    }
}

const RESET: &str = "\x1b[0m";

fn color(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Keyword => "\x1b[1;34m",
        Kind::Variable => "\x1b[33m",
        Kind::Iri | Kind::PrefixedName => "\x1b[36m",
        Kind::String | Kind::LangTag => "\x1b[32m",
        Kind::Number => "\x1b[35m",
        Kind::Comment => "\x1b[90m",
        Kind::Word | Kind::Punct | Kind::Whitespace => return None,
    })
}

/// `text` with ANSI colours: keywords, variables, IRIs and prefixed names, literals, numbers,
/// comments; the command word of a dot-command.
pub fn highlight_sparql(text: &str) -> String {
    if let Some(rest) = text.trim_start().strip_prefix('.') {
        let lead = text.len() - text.trim_start().len();
        let end = lead + 1 + rest.find(char::is_whitespace).unwrap_or(rest.len());
        return format!(
            "{}\x1b[1;35m{}{RESET}{}",
            &text[..lead],
            &text[lead..end],
            &text[end..]
        );
    }
    let mut out = String::with_capacity(text.len() + 32);
    for Token {
        kind, start, end, ..
    } in lexer::tokenize(text)
    {
        match color(kind) {
            Some(c) => {
                out.push_str(c);
                out.push_str(&text[start..end]);
                out.push_str(RESET);
            }
            None => out.push_str(&text[start..end]),
        }
    }
    out
}

impl Highlighter for ShellHelper<'_> {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.colors {
            return Cow::Borrowed(line);
        }
        Cow::Owned(highlight_sparql(line))
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        if !self.colors {
            return Cow::Borrowed(prompt);
        }
        Cow::Owned(format!("\x1b[1;32m{prompt}{RESET}"))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if !self.colors {
            return Cow::Borrowed(hint);
        }
        Cow::Owned(format!("\x1b[90m{hint}{RESET}"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        self.colors && kind != CmdKind::MoveCursor
    }
}

impl Validator for ShellHelper<'_> {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        let trimmed = input.trim();
        Ok(
            if trimmed.is_empty() || trimmed.starts_with('.') || lexer::is_complete(input) {
                ValidationResult::Valid(None)
            } else {
                ValidationResult::Incomplete
            },
        )
    }
}

impl Helper for ShellHelper<'_> {}
