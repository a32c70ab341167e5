//! Paragraphs, sentences and clauses of the matching view, and the language of each sentence.
//!
//! A line is a paragraph; sentences end at 。 ! ? and at a full stop followed by a space; clauses
//! split a sentence at commas, semicolons and colons (and at 、 in Japanese, where it is the comma).
//! Spans are byte ranges of the view; `View::original_span` maps them back.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Language {
    ZhHans,
    ZhHant,
    Ja,
    En,
    Fr,
    Vi,
}

impl Language {
    /// Written in Latin script (words apart, a name inside a word is no name).
    pub fn is_latin(self) -> bool {
        matches!(self, Language::En | Language::Fr | Language::Vi)
    }

    /// Writes 3,5 for 3.5 and groups digits with dots or spaces.
    pub fn writes_comma_decimals(self) -> bool {
        matches!(self, Language::Fr | Language::Vi)
    }

    /// BCP 47 tag, as written in the graph.
    pub fn tag(self) -> &'static str {
        match self {
            Language::ZhHans => "zh-Hans",
            Language::ZhHant => "zh-Hant",
            Language::Ja => "ja",
            Language::En => "en",
            Language::Fr => "fr",
            Language::Vi => "vi",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Sentence {
    /// Byte range in the view.
    pub span: Range<usize>,
    /// Index of the paragraph (line) the sentence is in.
    pub paragraph: usize,
    pub clauses: Vec<Range<usize>>,
    pub language: Language,
}

/// Splits the view into sentences. `language_of` tells the language of a sentence's view range
/// (in Japanese, 、 separates clauses).
pub fn split(view: &str, language_of: impl Fn(Range<usize>) -> Language) -> Vec<Sentence> {
    let mut sentences = Vec::new();
    let mut offset = 0;
    for (paragraph, line) in view.split('\n').enumerate() {
        for span in sentence_spans(line) {
            let span = offset + span.start..offset + span.end;
            let language = language_of(span.clone());
            let clauses = clause_spans(&view[span.clone()], language == Language::Ja)
                .into_iter()
                .map(|c| span.start + c.start..span.start + c.end)
                .collect();
            sentences.push(Sentence {
                span,
                paragraph,
                clauses,
                language,
            });
        }
        offset += line.len() + 1;
    }
    sentences
}

fn trimmed(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let piece = &text[range.clone()];
    let start = range.start + (piece.len() - piece.trim_start().len());
    let end = range.end - (piece.len() - piece.trim_end().len());
    (start < end).then_some(start..end)
}

fn sentence_spans(line: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = 0;
    // (previous char, the one before it), for the full-stop test.
    let (mut prev, mut before_prev) = (None, None);
    let mut chars = line.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let ends = match c {
            '。' | '!' | '?' | '…' => true,
            '.' => full_stop_ends_sentence(&line[..at], prev, before_prev, next),
            _ => false,
        };
        (before_prev, prev) = (prev, Some(c));
        if !ends {
            continue;
        }
        // Closing quotes and brackets after the terminator belong to the sentence.
        let mut end = at + c.len_utf8();
        while let Some(&(q_at, q)) = chars.peek() {
            if !matches!(q, '”' | '"' | '」' | '』' | ')' | '’' | '\'') {
                break;
            }
            end = q_at + q.len_utf8();
            chars.next();
        }
        spans.extend(trimmed(line, start..end));
        start = end;
    }
    spans.extend(trimmed(line, start..line.len()));
    spans
}

/// A full stop ends a sentence when a space or the line's end follows, and it does not close a
/// list number ("1." at the start of a line) or a one-letter abbreviation ("v.v."). After a
/// number inside the line it does ("since 1996. Every year…").
fn full_stop_ends_sentence(
    before: &str,
    prev: Option<char>,
    before_prev: Option<char>,
    next: Option<char>,
) -> bool {
    if !matches!(next, None | Some(' ' | '\t')) {
        return false;
    }
    match prev {
        Some(p) if p.is_ascii_digit() => {
            let number = before.trim_end_matches(|c: char| c.is_ascii_digit());
            !number.trim().is_empty() && !number.ends_with(['.', ',', '(', '（'])
        }
        Some(p) if p.is_alphabetic() && matches!(before_prev, None | Some(' ' | '.')) => false,
        _ => true,
    }
}

fn clause_spans(sentence: &str, japanese: bool) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = 0;
    let mut prev = None;
    // Commas inside brackets list what the bracket explains ("8个旗(县、市)"): no clause ends there.
    let mut depth = 0usize;
    let mut chars = sentence.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth = depth.saturating_sub(1),
            _ => {}
        }
        let breaks = depth == 0
            && match c {
                ';' | ':' => true,
                // 51,629 is one number, not two clauses.
                ',' => {
                    !(prev.is_some_and(|p: char| p.is_ascii_digit())
                        && next.is_some_and(|n| n.is_ascii_digit()))
                }
                '、' => japanese,
                _ => false,
            };
        prev = Some(c);
        if breaks {
            spans.extend(trimmed(sentence, start..at));
            start = at + c.len_utf8();
        }
    }
    spans.extend(trimmed(sentence, start..sentence.len()));
    spans
}

/// Guesses the language of a piece of original text from its script and common words.
/// `is_traditional` says whether a Han character only occurs in traditional or Japanese writing.
pub fn detect_language(original: &str, is_traditional: impl Fn(char) -> bool) -> Language {
    let (mut han, mut kana, mut traditional, mut latin, mut vietnamese) = (0, 0, 0, 0, 0);
    for c in original.chars() {
        match c {
            '\u{3040}'..='\u{30FF}' => kana += 1,
            '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' => {
                han += 1;
                if is_traditional(c) {
                    traditional += 1;
                }
            }
            // Letters of the scripts told apart here sit below U+3000; CJK punctuation does not.
            c if c < '\u{3000}' && c.is_alphabetic() => {
                latin += 1;
                if "ăâđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
                    .contains(c.to_lowercase().next().unwrap_or(c))
                {
                    vietnamese += 1;
                }
            }
            _ => {}
        }
    }
    if kana >= 2 && kana * 20 >= han {
        return Language::Ja;
    }
    if han * 2 >= latin && han > 0 {
        return if traditional * 20 > han {
            Language::ZhHant
        } else {
            Language::ZhHans
        };
    }
    if vietnamese * 50 >= latin && vietnamese >= 2 {
        return Language::Vi;
    }
    let words = original
        .split(|c: char| !c.is_alphabetic() && c != '\'' && c != '’')
        .map(str::to_lowercase);
    let (mut french, mut english) = (0, 0);
    for word in words {
        match word.as_str() {
            "le" | "la" | "les" | "des" | "du" | "et" | "est" | "une" | "dans" | "pour" | "aux"
            | "au" | "sur" | "avec" | "ont" => french += 1,
            "the" | "and" | "of" | "to" | "is" | "for" | "with" | "have" | "has" | "are"
            | "that" | "this" => english += 1,
            w if w.starts_with("l'")
                || w.starts_with("d'")
                || w.starts_with("l’")
                || w.starts_with("d’") =>
            {
                french += 1
            }
            _ => {}
        }
    }
    if french > english {
        Language::Fr
    } else {
        Language::En
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(view: &str, ranges: &[Range<usize>]) -> Vec<String> {
        ranges.iter().map(|r| view[r.clone()].to_owned()).collect()
    }

    #[test]
    fn sentences_end_at_stops_not_at_numbers_or_abbreviations() {
        let view = "第一句。第二句!\n1. item one. second, with 51,629 people. v.v. hai ben.\n\
                    since 1996. every year 2.5 more.";
        let sentences = split(view, |_| Language::ZhHans);
        let spans: Vec<_> = sentences.iter().map(|s| s.span.clone()).collect();
        assert_eq!(
            texts(view, &spans),
            [
                "第一句。",
                "第二句!",
                "1. item one.",
                "second, with 51,629 people.",
                "v.v. hai ben.",
                "since 1996.",
                "every year 2.5 more."
            ]
        );
        assert_eq!(sentences[2].paragraph, 1);
        assert_eq!(
            texts(view, &sentences[3].clauses),
            ["second", "with 51,629 people."]
        );
    }

    #[test]
    fn japanese_comma_splits_clauses_only_in_japanese() {
        let view = "山东省の市は、重庆市の县と协力援助し。";
        let s = &split(view, |_| Language::Ja)[0];
        assert_eq!(s.clauses.len(), 2);
        let s = &split("乌兰察布市、赤峰市。", |_| Language::ZhHans)[0];
        assert_eq!(s.clauses.len(), 1);
    }

    #[test]
    fn languages_are_told_apart() {
        let no = |_| false;
        assert_eq!(
            detect_language("福建省与宁夏回族自治区", no),
            Language::ZhHans
        );
        assert_eq!(detect_language("東西協力による貧困救済", no), Language::Ja);
        assert_eq!(
            detect_language("tỉnh Phúc Kiến và khu tự trị", no),
            Language::Vi
        );
        assert_eq!(
            detect_language("la province du Fujian et la région", no),
            Language::Fr
        );
        assert_eq!(
            detect_language("Fujian Province and Ningxia have held", no),
            Language::En
        );
        assert_eq!(
            detect_language("廣東對口幫扶廣西", |c| "廣東對幫".contains(c)),
            Language::ZhHant
        );
    }
}
