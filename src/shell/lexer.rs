//! A forgiving SPARQL tokenizer for the shell: it never fails, it knows where strings, IRIs and
//! comments begin and end (so a `;` or `}` inside them does not count), and it marks what is left
//! open at the end of the text. Highlighting, completion and "is this statement finished?" all
//! read the same tokens.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A SPARQL keyword or built-in function name (`SELECT`, `FILTER`, `langMatches`, `a`).
    Keyword,
    /// `?name` or `$name` (also a lone `?` being typed).
    Variable,
    /// `<…>`.
    Iri,
    /// `prefix:local`, `prefix:` or `_:blank`.
    PrefixedName,
    /// A quoted string, short or long, with either quote.
    String,
    /// `@en` after a string.
    LangTag,
    Number,
    /// `# …` to the end of the line.
    Comment,
    /// Any other bare word (an unknown function, a typo, a region label being typed).
    Word,
    /// Punctuation and operators: `{ } ( ) . , ; ^^ = < …`
    Punct,
    Whitespace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    /// A string or IRI that the text ends inside of.
    pub open: bool,
}

/// Keywords and built-in functions, as SPARQL 1.1 spells them.
pub const KEYWORDS: &[&str] = &[
    "BASE",
    "PREFIX",
    "SELECT",
    "DISTINCT",
    "REDUCED",
    "AS",
    "FROM",
    "NAMED",
    "WHERE",
    "ORDER",
    "BY",
    "ASC",
    "DESC",
    "LIMIT",
    "OFFSET",
    "VALUES",
    "CONSTRUCT",
    "DESCRIBE",
    "ASK",
    "GROUP",
    "HAVING",
    "OPTIONAL",
    "GRAPH",
    "SERVICE",
    "SILENT",
    "BIND",
    "UNDEF",
    "MINUS",
    "UNION",
    "FILTER",
    "EXISTS",
    "NOT",
    "IN",
    "LOAD",
    "CLEAR",
    "DROP",
    "CREATE",
    "ADD",
    "MOVE",
    "COPY",
    "INTO",
    "TO",
    "DEFAULT",
    "ALL",
    "INSERT",
    "DELETE",
    "DATA",
    "WITH",
    "USING",
    "SEPARATOR",
    "STR",
    "LANG",
    "langMatches",
    "DATATYPE",
    "BOUND",
    "IRI",
    "URI",
    "BNODE",
    "RAND",
    "ABS",
    "CEIL",
    "FLOOR",
    "ROUND",
    "CONCAT",
    "STRLEN",
    "UCASE",
    "LCASE",
    "ENCODE_FOR_URI",
    "CONTAINS",
    "STRSTARTS",
    "STRENDS",
    "STRBEFORE",
    "STRAFTER",
    "YEAR",
    "MONTH",
    "DAY",
    "HOURS",
    "MINUTES",
    "SECONDS",
    "TIMEZONE",
    "TZ",
    "NOW",
    "UUID",
    "STRUUID",
    "MD5",
    "SHA1",
    "SHA256",
    "SHA384",
    "SHA512",
    "COALESCE",
    "IF",
    "STRLANG",
    "STRDT",
    "sameTerm",
    "isIRI",
    "isURI",
    "isBlank",
    "isLiteral",
    "isNumeric",
    "REGEX",
    "SUBSTR",
    "REPLACE",
    "COUNT",
    "SUM",
    "MIN",
    "MAX",
    "AVG",
    "SAMPLE",
    "GROUP_CONCAT",
    "true",
    "false",
    "a",
];

/// The keyword `word` spells, if any (SPARQL keywords are case-insensitive; `a` is not).
pub fn keyword(word: &str) -> Option<&'static str> {
    if word == "a" {
        return Some("a");
    }
    KEYWORDS
        .iter()
        .find(|k| **k != "a" && k.eq_ignore_ascii_case(word))
        .copied()
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '%' | '\\' | '\u{B7}')
}

/// Splits `text` into tokens that cover it completely.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let push = |tokens: &mut Vec<Token>, kind, start, end, open| {
        tokens.push(Token {
            kind,
            start,
            end,
            open,
        })
    };
    while i < text.len() {
        let c = text[i..].chars().next().expect("in bounds");
        let start = i;
        if c.is_whitespace() {
            while let Some(c) = text[i..].chars().next().filter(|c| c.is_whitespace()) {
                i += c.len_utf8();
            }
            push(&mut tokens, Kind::Whitespace, start, i, false);
            continue;
        }
        match c {
            '#' => {
                i = text[i..].find('\n').map_or(text.len(), |n| i + n);
                push(&mut tokens, Kind::Comment, start, i, false);
            }
            '"' | '\'' => {
                let long = text[i..].starts_with(if c == '"' { "\"\"\"" } else { "'''" });
                let (end, open) = scan_string(text, i, c, long);
                i = end;
                push(&mut tokens, Kind::String, start, i, open);
                // A language tag right after the closing quote.
                if !open && text[i..].starts_with('@') {
                    let tag_end = text[i + 1..]
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                        .map_or(text.len(), |n| i + 1 + n);
                    if tag_end > i + 1 {
                        push(&mut tokens, Kind::LangTag, i, tag_end, false);
                        i = tag_end;
                    }
                }
            }
            '<' => {
                // An IRI reference unless what follows cannot be one (`?a < ?b`, `<=`).
                let rest = &text[i + 1..];
                let stop = rest.find(|c: char| {
                    c == '>'
                        || c.is_whitespace()
                        || matches!(c, '<' | '"' | '{' | '}' | '|' | '^' | '`' | '\\')
                });
                match stop {
                    Some(n) if rest[n..].starts_with('>') => {
                        i += n + 2;
                        push(&mut tokens, Kind::Iri, start, i, false);
                    }
                    None if !rest.is_empty() && !rest.starts_with('=') => {
                        i = text.len();
                        push(&mut tokens, Kind::Iri, start, i, true);
                    }
                    _ => {
                        i += if rest.starts_with('=') { 2 } else { 1 };
                        push(&mut tokens, Kind::Punct, start, i, false);
                    }
                }
            }
            '?' | '$' => {
                i += 1;
                while let Some(c) = text[i..]
                    .chars()
                    .next()
                    .filter(|c| c.is_alphanumeric() || *c == '_' || *c == '\u{B7}')
                {
                    i += c.len_utf8();
                }
                push(&mut tokens, Kind::Variable, start, i, false);
            }
            c if c.is_ascii_digit()
                || (c == '.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                i += 1;
                let mut seen_e = false;
                while let Some(&b) = bytes.get(i) {
                    let ok = b.is_ascii_digit()
                        || (b == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
                        || (!seen_e && (b == b'e' || b == b'E'))
                        || ((b == b'+' || b == b'-') && matches!(bytes[i - 1], b'e' | b'E'));
                    if !ok {
                        break;
                    }
                    seen_e |= b == b'e' || b == b'E';
                    i += 1;
                }
                push(&mut tokens, Kind::Number, start, i, false);
            }
            c if c.is_alphabetic() || c == '_' || c == ':' => {
                // A word, possibly a prefixed name (`xz:helper`, `:x`, `_:b`).
                while let Some(c) = text[i..]
                    .chars()
                    .next()
                    .filter(|c| is_name_char(*c) || *c == ':')
                {
                    i += c.len_utf8();
                }
                // A prefixed name does not end with '.' (that is the triple's full stop).
                while text[start..i].ends_with('.') {
                    i -= 1;
                }
                let word = &text[start..i];
                let kind = if word.contains(':') {
                    Kind::PrefixedName
                } else if keyword(word).is_some() {
                    Kind::Keyword
                } else {
                    Kind::Word
                };
                push(&mut tokens, kind, start, i, false);
            }
            '^' if text[i..].starts_with("^^") => {
                i += 2;
                push(&mut tokens, Kind::Punct, start, i, false);
            }
            _ => {
                i += c.len_utf8();
                // Two-character operators stay together.
                if let Some(next) = bytes.get(i) {
                    let pair = [c as u32 as u8, *next];
                    if c.is_ascii() && matches!(&pair, b"&&" | b"||" | b"!=" | b">=" | b"<=") {
                        i += 1;
                    }
                }
                push(&mut tokens, Kind::Punct, start, i, false);
            }
        }
    }
    tokens
}

/// End of the string starting at `start` (one past its closing quote) and whether it is still
/// open at the end of the text. Short strings may run past a line break here: the user is still
/// typing, and the parser will say what is wrong once the statement is sent.
fn scan_string(text: &str, start: usize, quote: char, long: bool) -> (usize, bool) {
    let delimiter_len = if long { 3 } else { 1 };
    let mut i = start + delimiter_len;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote as u8 => {
                if !long {
                    return (i + 1, false);
                }
                if text[i..].starts_with(&quote.to_string().repeat(3)) {
                    // `""""` ends with the last three quotes.
                    let mut end = i + 3;
                    while bytes.get(end) == Some(&(quote as u8)) && end - i < 5 {
                        end += 1;
                    }
                    return (end, false);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    (text.len(), true)
}

/// Where a statement stands after `text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance {
    /// `{` minus `}` outside strings, IRIs and comments.
    pub braces: i32,
    /// `(` minus `)`.
    pub parens: i32,
    /// The text ends inside a string or IRI.
    pub open_quote: bool,
    /// The last token that is not whitespace or a comment is `;`.
    pub ends_with_semicolon: bool,
}

pub fn balance(tokens: &[Token], text: &str) -> Balance {
    let mut b = Balance {
        braces: 0,
        parens: 0,
        open_quote: false,
        ends_with_semicolon: false,
    };
    for t in tokens {
        match t.kind {
            Kind::Whitespace | Kind::Comment => continue,
            Kind::Punct => match &text[t.start..t.end] {
                "{" => b.braces += 1,
                "}" => b.braces -= 1,
                "(" => b.parens += 1,
                ")" => b.parens -= 1,
                _ => {}
            },
            Kind::String | Kind::Iri if t.open => b.open_quote = true,
            _ => {}
        }
        b.ends_with_semicolon = t.kind == Kind::Punct && &text[t.start..t.end] == ";";
    }
    b
}

/// True when `text` is a whole statement: it ends with `;` outside braces, strings and comments.
pub fn is_complete(text: &str) -> bool {
    let b = balance(&tokenize(text), text);
    !b.open_quote && b.braces <= 0 && b.ends_with_semicolon
}

/// Splits complete input into statements at every `;` outside braces, strings and comments.
/// Each piece keeps its byte offset in `text` (for error positions). Empty pieces are dropped.
pub fn split_statements(text: &str) -> Vec<(usize, &str)> {
    let tokens = tokenize(text);
    let mut pieces = Vec::new();
    let mut depth = 0i32;
    let mut begin = 0;
    for t in &tokens {
        if t.kind != Kind::Punct {
            continue;
        }
        match &text[t.start..t.end] {
            "{" => depth += 1,
            "}" => depth -= 1,
            ";" if depth <= 0 => {
                pieces.push((begin, &text[begin..t.start]));
                begin = t.end;
            }
            _ => {}
        }
    }
    pieces.push((begin, &text[begin..]));
    pieces
        .into_iter()
        .filter(|(_, p)| {
            tokenize(p)
                .iter()
                .any(|t| !matches!(t.kind, Kind::Whitespace | Kind::Comment))
        })
        .collect()
}

/// True if the statement is a query (SELECT, ASK, CONSTRUCT, DESCRIBE) rather than an update,
/// judged by its first keyword after any BASE and PREFIX declarations.
pub fn is_query(text: &str) -> bool {
    let tokens = tokenize(text);
    let mut words = tokens
        .iter()
        .filter(|t| !matches!(t.kind, Kind::Whitespace | Kind::Comment))
        .map(|t| &text[t.start..t.end]);
    while let Some(word) = words.next() {
        match keyword(word) {
            // PREFIX p: <iri>   /   BASE <iri>
            Some("PREFIX") => {
                words.next();
                words.next();
            }
            Some("BASE") => {
                words.next();
            }
            Some("SELECT" | "ASK" | "CONSTRUCT" | "DESCRIBE") => return true,
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        tokenize(text)
            .into_iter()
            .filter(|t| t.kind != Kind::Whitespace)
            .map(|t| (t.kind, &text[t.start..t.end]))
            .collect()
    }

    #[test]
    fn tokens_of_a_query() {
        let q = "SELECT ?x WHERE { ?x a xz:Region ; rdfs:label \"福建;省\"@zh-Hans . FILTER(?n <= 3.5e2) } # done;";
        assert_eq!(
            kinds(q),
            vec![
                (Kind::Keyword, "SELECT"),
                (Kind::Variable, "?x"),
                (Kind::Keyword, "WHERE"),
                (Kind::Punct, "{"),
                (Kind::Variable, "?x"),
                (Kind::Keyword, "a"),
                (Kind::PrefixedName, "xz:Region"),
                (Kind::Punct, ";"),
                (Kind::PrefixedName, "rdfs:label"),
                (Kind::String, "\"福建;省\""),
                (Kind::LangTag, "@zh-Hans"),
                (Kind::Punct, "."),
                (Kind::Keyword, "FILTER"),
                (Kind::Punct, "("),
                (Kind::Variable, "?n"),
                (Kind::Punct, "<="),
                (Kind::Number, "3.5e2"),
                (Kind::Punct, ")"),
                (Kind::Punct, "}"),
                (Kind::Comment, "# done;"),
            ]
        );
    }

    #[test]
    fn iris_and_less_than_are_told_apart() {
        assert_eq!(
            kinds("<http://x/#a> ?a < ?b"),
            vec![
                (Kind::Iri, "<http://x/#a>"),
                (Kind::Variable, "?a"),
                (Kind::Punct, "<"),
                (Kind::Variable, "?b"),
            ]
        );
        let open = tokenize("{ <http://exa");
        assert!(open.last().unwrap().open);
    }

    #[test]
    fn a_prefixed_name_leaves_the_full_stop() {
        assert_eq!(
            kinds("?p xz:helper reg:350000."),
            vec![
                (Kind::Variable, "?p"),
                (Kind::PrefixedName, "xz:helper"),
                (Kind::PrefixedName, "reg:350000"),
                (Kind::Punct, "."),
            ]
        );
    }

    #[test]
    fn completeness_ignores_semicolons_in_strings_braces_and_comments() {
        assert!(is_complete("SELECT * WHERE { ?s ?p ?o } ;"));
        assert!(is_complete("SELECT * WHERE { ?s ?p ?o }\n;\n"));
        assert!(!is_complete("SELECT * WHERE { ?s a xz:Pairing ;"));
        assert!(!is_complete("SELECT * WHERE { ?s ?p \"a;\" } # done;"));
        assert!(!is_complete("SELECT * WHERE { ?s ?p \"open ;"));
        assert!(!is_complete("SELECT * WHERE { ?s ?p \"\"\"long\n;"));
        assert!(is_complete("SELECT * WHERE { ?s ?p \"}\" } ;"));
        assert!(is_complete("ASK { ?s ?p \"\"\"a \"quoted\" ;\"\"\" } ;"));
    }

    #[test]
    fn statements_split_at_top_level_semicolons() {
        let text = "ASK {} ; SELECT * { ?s ?p ?o ; ?q ?r } ;\n# only a comment\n;";
        let pieces: Vec<&str> = split_statements(text)
            .into_iter()
            .map(|(_, p)| p.trim())
            .collect();
        assert_eq!(pieces, vec!["ASK {}", "SELECT * { ?s ?p ?o ; ?q ?r }"]);
    }

    #[test]
    fn queries_and_updates_are_told_apart() {
        assert!(is_query("PREFIX x: <http://x/> select * {}"));
        assert!(is_query("  # a comment\n ASK {}"));
        assert!(!is_query("PREFIX x: <http://x/> INSERT DATA {}"));
        assert!(!is_query("DELETE WHERE { ?s ?p ?o }"));
    }
}
