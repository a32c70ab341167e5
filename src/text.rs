//! Bytes to text, and text to the matching view.
//!
//! `decode` turns bytes into a `String`, recording the encoding. `View::new` repairs what real web
//! pages break (pinyin inserted after characters, `?` standing for lost characters), marks
//! boilerplate lines so that no fact comes from them — keyword spam, author affiliations, and
//! lists of related headlines or of references, recognised by their heading (猜你喜欢, Related:,
//! 【関連記事】, 参考文献, Notes et références[modifier]) or, for references, by the shape of
//! their items (`[5] 作者.标题[J].期刊`, `^ 标题.`, `↑ « … »`) — and folds the rest for
//! matching: traditional and shinjitai to simplified, full-width to half-width, Latin to lower
//! case without accents. Nothing is deleted from the original: the view keeps, for every byte, the character offset in the original it came from.

use crate::knowledge::{CueKind, Knowledge};
use std::ops::Range;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Stands in the view for a character the page lost; it matches nothing.
pub const LOST: char = '\u{FFFD}';

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("not a text file: binary data (NUL byte) at byte {0}")]
    Binary(usize),
    #[error("cannot decode as text: {0} of {1} characters are invalid in every encoding tried")]
    Undecodable(usize, usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// Name of the encoding the bytes were read as (WHATWG name, e.g. "UTF-8", "GBK", "Big5").
    pub encoding: &'static str,
}

/// Decodes bytes of unknown encoding: a BOM decides, else valid UTF-8, else the most likely legacy
/// encoding (GB18030/GBK, Big5, Shift_JIS, …) by `chardetng`.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return finish(text.into_owned(), encoding.name(), had_errors);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Some(pos) = text.bytes().position(|b| b == 0) {
            return utf16_without_bom(bytes).ok_or(DecodeError::Binary(pos));
        }
        return Ok(Decoded {
            text: text.to_owned(),
            encoding: "UTF-8",
        });
    }
    // NUL bytes: UTF-16 of mostly Latin text, or not text at all.
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return utf16_without_bom(bytes).ok_or(DecodeError::Binary(pos));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _, had_errors) = encoding.decode(bytes);
    let controls = text
        .chars()
        .filter(|&c| (c.is_control() && !c.is_whitespace()) || ('\u{80}'..='\u{9F}').contains(&c))
        .count();
    if had_errors || controls * 100 > text.chars().count() {
        // UTF-16 of CJK text has no NUL bytes; read as a legacy encoding it fails or turns into
        // control characters.
        if let Some(decoded) = utf16_without_bom(bytes) {
            return Ok(decoded);
        }
    }
    finish(text.into_owned(), encoding.name(), had_errors)
}

/// UTF-16 without a byte-order mark: accepted when one byte order decodes without error into
/// text that looks like writing (letters, CJK, punctuation, spaces), not like binary data. When
/// both orders look like writing (Latin read backwards becomes CJK), the one with more ASCII wins.
fn utf16_without_bom(bytes: &[u8]) -> Option<Decoded> {
    if bytes.len() < 2 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let looks_written = |c: char| {
        (c.is_alphanumeric()
            && (c < '\u{0250}'
                || is_han(c)
                || ('\u{1E00}'..='\u{1EFF}').contains(&c)
                || ('\u{3040}'..='\u{30FF}').contains(&c)))
            || c.is_whitespace()
            || c.is_ascii_punctuation()
            || ('\u{3000}'..='\u{303F}').contains(&c)
            || ('\u{FF00}'..='\u{FFEF}').contains(&c)
    };
    [encoding_rs::UTF_16LE, encoding_rs::UTF_16BE]
        .into_iter()
        .filter_map(|encoding| {
            let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
            let total = text.chars().count();
            let written = text.chars().filter(|&c| looks_written(c)).count();
            let ascii = text.chars().filter(char::is_ascii).count();
            (!had_errors && total > 0 && written * 10 >= total * 9)
                .then(|| (written + ascii, encoding, text.into_owned()))
        })
        .max_by_key(|(score, _, _)| *score)
        .map(|(_, encoding, text)| Decoded {
            text,
            encoding: encoding.name(),
        })
}

fn finish(text: String, encoding: &'static str, had_errors: bool) -> Result<Decoded, DecodeError> {
    if had_errors {
        let total = text.chars().count();
        let bad = text.chars().filter(|&c| c == LOST).count();
        // A few broken bytes are page damage; mostly broken bytes means this is not text at all.
        if bad * 10 > total {
            return Err(DecodeError::Undecodable(bad, total));
        }
    }
    Ok(Decoded { text, encoding })
}

/// What `View::new` repaired or left out, for diagnostics.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Repairs {
    /// Pinyin annotations like `(xié)` removed from the view.
    pub pinyin_removed: usize,
    /// Characters the page lost (`?` placeholders, U+FFFD), left out of matching.
    pub lost_characters: usize,
    /// Characters on boilerplate lines, left out of extraction.
    pub boilerplate_characters: usize,
}

/// The folded text the rules match against, with its way back to the original.
#[derive(Debug)]
pub struct View {
    pub text: String,
    /// For each byte of `text`, the offset (in chars) of the original character it came from.
    origin: Vec<u32>,
    original_len: usize,
    pub repairs: Repairs,
}

impl View {
    pub fn new(original: &str, knowledge: &Knowledge) -> View {
        let headings = BoilerplateHeadings::new(knowledge);
        let mut view = View {
            text: String::with_capacity(original.len()),
            origin: Vec::with_capacity(original.len()),
            original_len: 0,
            repairs: Repairs::default(),
        };
        // Characters of the original before the current one.
        let mut index = 0;
        let mut rest_is_boilerplate = false;
        let lines: Vec<&str> = original.split_inclusive('\n').collect();
        let wrapped = hard_wrapped(&lines);
        for (number, &line) in lines.iter().enumerate() {
            let body = line.strip_suffix('\n').unwrap_or(line);
            let kind = headings.classify(body, rest_is_boilerplate, knowledge);
            rest_is_boilerplate |= kind == LineKind::ListHeading;
            if kind != LineKind::Text {
                let characters = body.chars().count();
                view.repairs.boilerplate_characters += characters;
                index += characters;
                // Keep line breaks so that sentences never join across the removed lines.
                if body.len() < line.len() {
                    view.push('\n', index);
                    index += 1;
                }
                continue;
            }
            if wrapped[number] {
                // A line broken in the middle of a sentence goes on into the next: the break
                // is a space between Latin words and nothing between Chinese characters.
                view.repair_and_fold(body, &mut index, knowledge);
                if body.ends_with(|c: char| c.is_ascii_alphanumeric() || c == ',') {
                    view.push(' ', index);
                }
                index += 1;
            } else {
                view.repair_and_fold(line, &mut index, knowledge);
            }
        }
        view.original_len = index;
        view
    }

    /// Adds a line of text to the view: pinyin annotations out, lost characters marked, the rest
    /// folded.
    fn repair_and_fold(&mut self, line: &str, index: &mut usize, knowledge: &Knowledge) {
        let mut before = None;
        // End of a stretch that a repair took out.
        let mut repaired_to = 0;
        for (at, c) in line.char_indices() {
            let i = *index;
            *index += 1;
            if at < repaired_to {
                before = Some(c);
                continue;
            }
            // Repairs start only at parentheses and question marks.
            match c {
                '(' | '（' => {
                    if let Some(len) = pinyin_annotation(before, &line[at..]) {
                        self.repairs.pinyin_removed += 1;
                        repaired_to = at + len;
                        before = Some(c);
                        continue;
                    }
                }
                '?' | '？' => {
                    if let Some(len) = lost_character(before, &line[at..]) {
                        self.repairs.lost_characters += 1;
                        self.push(LOST, i);
                        repaired_to = at + len;
                        before = Some(c);
                        continue;
                    }
                }
                LOST => self.repairs.lost_characters += 1,
                _ => {}
            }
            self.push_folded(c, i, knowledge);
            before = Some(c);
        }
    }

    fn push_folded(&mut self, c: char, original_index: usize, knowledge: &Knowledge) {
        // The common cases first: what `fold_char` does to ASCII and to CJK ideographs, without
        // its other tests.
        if c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            let folded = knowledge.fold.get(c).unwrap_or(c.to_ascii_lowercase());
            return self.push(folded, original_index);
        }
        fold_char(c, knowledge, |folded| self.push(folded, original_index));
    }

    fn push(&mut self, c: char, original_index: usize) {
        self.text.push(c);
        // Element by element: copying a slice of one to four calls `memcpy`, which costs more
        // here than the rest of the view together.
        self.origin
            .extend(std::iter::repeat_n(original_index as u32, c.len_utf8()));
    }

    /// The original character span that a byte range of the view came from.
    pub fn original_span(&self, view: Range<usize>) -> Range<usize> {
        if view.is_empty() {
            let at = self.original_offset(view.start);
            return at..at;
        }
        let start = self.origin[view.start] as usize;
        let end = self.origin[view.end - 1] as usize + 1;
        start..end.min(self.original_len)
    }

    fn original_offset(&self, view_byte: usize) -> usize {
        self.origin
            .get(view_byte)
            .map(|&o| o as usize)
            .unwrap_or(self.original_len)
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

fn is_pinyin_letter(c: char) -> bool {
    c.is_ascii_lowercase() || "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ".contains(c)
}

fn has_vowel(letters: &[char]) -> bool {
    letters.iter().any(|&c| {
        let mut base = c;
        decompose_canonical(c, |d| {
            if !is_combining_mark(d) {
                base = d;
            }
        });
        "aeiouüv".contains(base)
    })
}

/// Bytes of a pinyin annotation such as `(xié)` at the start of `rest`, right after a Han
/// character.
fn pinyin_annotation(before: Option<char>, rest: &str) -> Option<usize> {
    if !before.is_some_and(is_han) {
        return None;
    }
    let open = rest.chars().next().filter(|c| matches!(c, '(' | '（'))?;
    pinyin_then_close(&rest[open.len_utf8()..]).map(|len| open.len_utf8() + len)
}

/// Bytes of 1–6 pinyin letters followed by a closing parenthesis at the start of `rest`.
fn pinyin_then_close(rest: &str) -> Option<usize> {
    let mut letters: Vec<char> = Vec::with_capacity(7);
    let mut bytes = 0;
    for c in rest.chars().take(8) {
        if is_pinyin_letter(c) && letters.len() < 7 {
            letters.push(c);
            bytes += c.len_utf8();
            continue;
        }
        let closed = matches!(c, ')' | '）') && (1..=6).contains(&letters.len());
        return (closed && has_vowel(&letters)).then(|| bytes + c.len_utf8());
    }
    None
}

/// Bytes of a lost-character placeholder at the start of `rest` (a `?`): either `?` plus the
/// remains of its pinyin annotation (`?qū)`), or a lone `?` between Han characters.
fn lost_character(before: Option<char>, rest: &str) -> Option<usize> {
    let mark = rest.chars().next()?;
    let after_mark = &rest[mark.len_utf8()..];
    if let Some(len) = pinyin_then_close(after_mark) {
        return Some(mark.len_utf8() + len);
    }
    let after = after_mark.chars().next();
    (before.is_some_and(is_han) && after.is_some_and(is_han)).then_some(mark.len_utf8())
}

/// Folds one character for matching, passing zero or more characters to `out`.
pub fn fold_char(c: char, knowledge: &Knowledge, mut out: impl FnMut(char)) {
    if let Some(simplified) = knowledge.fold.get(c) {
        return out(simplified);
    }
    match c {
        '\u{FF01}'..='\u{FF5E}' => {
            return fold_char(
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                knowledge,
                out,
            )
        }
        '\u{3000}' => return out(' '),
        '’' | '‘' | 'ʼ' => return out('\''),
        'đ' | 'Đ' => return out('d'),
        'œ' | 'Œ' => {
            out('o');
            return out('e');
        }
        _ => {}
    }
    if c.is_ascii() {
        return out(c.to_ascii_lowercase());
    }
    // Latin, Greek and Cyrillic letters lose their accents; kana keep their voicing marks.
    if c < '\u{3000}' && c.is_alphabetic() {
        let mut any = false;
        decompose_canonical(c, |d| {
            if !is_combining_mark(d) {
                any = true;
                for lower in d.to_lowercase() {
                    out(lower);
                }
            }
        });
        if any {
            return;
        }
    }
    if may_be_combining(c) && is_combining_mark(c) {
        return;
    }
    out(c)
}

/// A cheap range test before the table lookup: combining marks live in a few blocks.
fn may_be_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Folds a whole string the same way as the view (for patterns from the ontology).
pub fn fold_str(s: &str, knowledge: &Knowledge) -> String {
    let mut folded = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, knowledge, |f| folded.push(f));
    }
    folded
}

/// What a line of the original is, for extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Text,
    /// Keyword spam, a keyword list, an author affiliation, an item of a reference list, or
    /// anything after a list heading.
    Boilerplate,
    /// The heading of a "related articles" or a reference list (猜你喜欢, 参考文献): it and
    /// everything after it is boilerplate.
    ListHeading,
}

/// The folded headings and marks that tell boilerplate, from the lexicon.
/// Borrowed from the knowledge, which folds them once.
struct BoilerplateHeadings<'k> {
    /// List headings, each with whether a line of tags may follow it on its line: "相关阅读:猜你
    /// 喜欢 扶贫" heads related articles, but "出典: フリー百科事典『ウィキペディア』", the first line
    /// of every Japanese Wikipedia page, names a source and heads no list of references.
    lists: Vec<(&'k str, bool)>,
    /// The first characters of `lists`: most lines start with none of them.
    list_starts: Vec<char>,
    keywords: &'k [String],
    reference_marks: &'k [String],
}

/// A heading line holds little besides its heading word: at most this many letters and digits
/// outside brackets ("相关文章 更多", "Related stories:", "参考资料[编辑]").
const HEADING_REST: usize = 4;

impl<'k> BoilerplateHeadings<'k> {
    fn new(knowledge: &'k Knowledge) -> Self {
        let headings = |kind: CueKind, tags: bool| {
            knowledge
                .folded_cues(kind)
                .iter()
                .map(move |h| (h.as_str(), tags))
        };
        let lists: Vec<(&str, bool)> = headings(CueKind::RelatedHeading, true)
            .chain(headings(CueKind::ReferencesHeading, false))
            .collect();
        let mut list_starts: Vec<char> =
            lists.iter().filter_map(|(h, _)| h.chars().next()).collect();
        list_starts.sort_unstable();
        list_starts.dedup();
        BoilerplateHeadings {
            list_starts,
            lists,
            keywords: knowledge.folded_cues(CueKind::KeywordsHeading),
            reference_marks: knowledge.folded_cues(CueKind::ReferenceMark),
        }
    }

    fn classify(&self, line: &str, after_list_heading: bool, knowledge: &Knowledge) -> LineKind {
        // Headings are matched on the folded start of the line only; the other tests read
        // ASCII punctuation and digits, which folding does not change.
        let head = line.trim_start();
        // Decoration before a heading: 【関連記事】, ■ Related, == See also ==.
        let decorated = head.trim_start_matches(|c: char| !c.is_alphanumeric());
        let mut first = None;
        if let Some(c) = decorated.chars().next() {
            fold_char(c, knowledge, |f| {
                first.get_or_insert(f);
            });
        }
        let may_be_heading = first.is_some_and(|f| self.list_starts.binary_search(&f).is_ok());
        let is_list_heading = may_be_heading
            && self.lists.iter().any(|(heading, tags)| {
                folded_prefix_len(decorated, heading, knowledge)
                    .is_some_and(|len| is_heading_rest(&decorated[..len], &decorated[len..], *tags))
            });
        if is_list_heading {
            return LineKind::ListHeading;
        }
        let starts_with = |heading: &String| folded_prefix_len(head, heading, knowledge).is_some();
        let boilerplate = after_list_heading
            || self.keywords.iter().any(starts_with)
            || is_keyword_spam(line)
            || is_affiliation(line)
            || self.is_reference_item(head, knowledge);
        if boilerplate {
            LineKind::Boilerplate
        } else {
            LineKind::Text
        }
    }

    /// An item of a reference list, wherever it stands: a footnote's back-link (`^ …`, `↑ …`,
    /// as encyclopedias print them), or a bracketed number followed by a document-type mark
    /// (`[5] 作者.标题[J].期刊,2018`).
    fn is_reference_item(&self, head: &str, knowledge: &Knowledge) -> bool {
        let mut chars = head.chars();
        match chars.next() {
            Some('^' | '↑') => chars.next().is_some_and(char::is_whitespace),
            Some('[' | '［') => {
                let rest = chars.as_str();
                let digits = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                digits.len() < rest.len()
                    && digits.starts_with([']', '］'])
                    && self.has_reference_mark(head, knowledge)
            }
            _ => false,
        }
    }

    fn has_reference_mark(&self, line: &str, knowledge: &Knowledge) -> bool {
        let folded = fold_str(line, knowledge);
        self.reference_marks
            .iter()
            .any(|m| folded.contains(m.as_str()))
    }
}

/// What follows a heading word on its line, if the line is a heading: not the rest of a Latin
/// word, and at most `HEADING_REST` letters and digits outside brackets — or a short list of
/// tags with no sentence in it, set off by punctuation, or by a space after a Chinese or
/// Japanese heading ("相关阅读:猜你喜欢 扶贫 协作", "相关文章 东西部协作 扶贫"; "Related efforts
/// helped Guizhou" is a sentence); the tags only where `tags_allowed`.
fn is_heading_rest(heading: &str, rest: &str, tags_allowed: bool) -> bool {
    if rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return false;
    }
    let set_off = rest.starts_with(|c: char| {
        c.is_ascii_punctuation() || !c.is_alphanumeric() && !c.is_whitespace()
    }) || (rest.starts_with(char::is_whitespace)
        && !heading.ends_with(|c: char| c.is_ascii()));
    let tags = tags_allowed
        && set_off
        && heading
            .chars()
            .chain(rest.chars())
            .filter(|c| !c.is_whitespace())
            .count()
            <= 40
        && !ends_sentences(rest);
    if tags {
        return true;
    }
    let mut depth = 0usize;
    let mut letters = 0;
    for c in rest.chars() {
        match c {
            '[' | '［' | '(' | '（' | '【' | '「' => depth += 1,
            ']' | '］' | ')' | '）' | '】' | '」' => depth = depth.saturating_sub(1),
            c if depth == 0 && c.is_alphanumeric() => {
                letters += 1;
                if letters > HEADING_REST {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

/// The length in bytes of the start of `text` that folds to `prefix` (already folded), if it
/// does. Folds only as far as it compares.
fn folded_prefix_len(text: &str, prefix: &str, knowledge: &Knowledge) -> Option<usize> {
    let mut expected = prefix.chars();
    let mut matches = true;
    for (at, c) in text.char_indices() {
        fold_char(c, knowledge, |folded| {
            matches &= expected.next().is_none_or(|e| e == folded);
        });
        if !matches {
            return None;
        }
        if expected.as_str().is_empty() {
            return Some(at + c.len_utf8());
        }
    }
    None
}

/// Which lines a hard wrap broke in the middle of a sentence (text copied from a PDF), so that
/// the line goes on into the next one: a line without a stop, in a block of lines of one width
/// (the next one as wide or narrower, the last of a paragraph) or as wide as most long lines of
/// the text, 24 to 120 columns wide in
/// Chinese and Japanese, at least 40 in Latin script (where a next line starting with a small
/// letter is enough). Headings, list items and table rows are never joined.
pub fn hard_wrapped(lines: &[&str]) -> Vec<bool> {
    let bodies: Vec<&str> = lines
        .iter()
        .map(|l| l.trim_end_matches(['\n', '\r']))
        .collect();
    // Display columns: a PDF line holds as many columns whatever mix of digits and ideographs.
    // Most texts put a paragraph on a line: when every line ends in a stop, none goes on.
    if !bodies.iter().any(|l| {
        l.trim()
            .chars()
            .next_back()
            .is_some_and(|last| !"。！？!?；;：:.…」』”\"|｜".contains(last))
    }) {
        return vec![false; bodies.len()];
    }
    let widths: Vec<usize> = bodies.iter().map(|l| display_width(l.trim())).collect();
    let near = |a: usize, b: usize| a * 10 >= b * 9 && b * 10 >= a * 9;
    // The width the text is wrapped at, when most of its long lines have it: the first line of
    // a paragraph of two lines has no neighbour of its width.
    let long: Vec<usize> = widths.iter().copied().filter(|&w| w >= 24).collect();
    let mut sorted = long.clone();
    sorted.sort_unstable();
    let wrap_width = sorted
        .chunk_by(|a, b| a == b)
        .max_by_key(|run| run.len())
        .map(|run| run[0])
        .filter(|&w| {
            let near_it = long.iter().filter(|&&l| near(l, w)).count();
            near_it >= 3 && near_it * 3 >= long.len()
        });
    (0..bodies.len())
        .map(|i| {
            let (line, Some(next)) = (bodies[i].trim(), bodies.get(i + 1).map(|l| l.trim())) else {
                return false;
            };
            if line.is_empty() || next.is_empty() || starts_list_item(next) {
                return false;
            }
            let Some(last) = line.chars().next_back() else {
                return false;
            };
            if "。！？!?；;：:.…」』”\"|｜".contains(last)
                || line.contains(['|', '\t'])
                || has_column_gap(line)
            {
                return false;
            }
            let first = next.chars().next().unwrap_or(' ');
            let width = widths[i];
            // Wrapped lines are as wide as each other, the last one of a paragraph narrower.
            let same_block = near(width, widths[i + 1])
                || (i > 0 && near(width, widths[i - 1]) && widths[i + 1] <= width)
                || wrap_width.is_some_and(|w| near(width, w));
            let not_wider = widths[i + 1] <= width + width / 10;
            if last.is_ascii() || last.is_alphabetic() && (last as u32) < 0x3000 {
                width >= 40
                    && (first.is_lowercase() || first.is_ascii_digit() || same_block && not_wider)
            } else {
                (24..=120).contains(&width) && not_wider && same_block
            }
        })
        .collect()
}

/// Display columns of a line, as `unicode-width` counts them; printable ASCII, ideographs, kana
/// and full-width forms, nearly every character of the texts, skip its table lookup.
fn display_width(line: &str) -> usize {
    line.chars()
        .map(|c| match c as u32 {
            0x20..=0x7E => 1,
            0x3000..=0x303E | 0x3041..=0x3096 | 0x30A1..=0x30FA | 0x3400..=0x4DBF => 2,
            0x4E00..=0x9FFF | 0xFF01..=0xFF60 => 2,
            _ => unicode_width::UnicodeWidthStr::width(c.encode_utf8(&mut [0; 4]) as &str),
        })
        .sum()
}

/// A gap between the columns of a table laid out with spaces: an ideographic space, or two
/// spaces that do not follow a stop (typists put two after a full stop).
fn has_column_gap(line: &str) -> bool {
    line.contains('\u{3000}')
        || line
            .match_indices("  ")
            .any(|(at, _)| !line[..at].ends_with(['.', '!', '?', ':', ';', ' ']))
}

/// A line starting like an item of a list: a bullet, a bracketed or dotted number, 一、.
fn starts_list_item(line: &str) -> bool {
    let mut chars = line.chars();
    match chars.next() {
        Some(
            '-' | '•' | '·' | '・' | '*' | '▪' | '●' | '○' | '■' | '◆' | '(' | '（' | '【' | '[',
        ) => true,
        Some(c) if ('①'..='⑳').contains(&c) => true,
        Some(c) if c.is_ascii_digit() => {
            let after = line.trim_start_matches(|c: char| c.is_ascii_digit());
            after.starts_with(['.', ')', '、', '．']) && !after.starts_with(".0")
        }
        Some(c) if "一二三四五六七八九十".contains(c) => line
            .trim_start_matches(|c: char| "一二三四五六七八九十".contains(c))
            .starts_with('、'),
        _ => false,
    }
}

fn ends_sentences(line: &str) -> bool {
    line.contains(['。', '!', '?', '！', '？']) || line.contains(". ") || line.ends_with('.')
}

/// A line of search keywords or place names joined by `_` or `|`, with no sentence in it. A
/// table row (`| 上海市 | 云南省 | 1996 |`) has a handful of cells; keyword lists run longer.
fn is_keyword_spam(line: &str) -> bool {
    if ends_sentences(line) {
        return false;
    }
    let underscores = line.bytes().filter(|&b| b == b'_').count();
    let cells = line
        .split(['|', '｜'])
        .filter(|cell| !cell.trim().is_empty())
        .count();
    underscores >= 3 || cells > 6
}

/// An author-affiliation line: a short line with a six-digit postcode and no sentence end.
fn is_affiliation(line: &str) -> bool {
    // More than 1,200 bytes is more than 300 characters whatever the script.
    if line.len() > 1200 || !has_postcode(line) {
        return false;
    }
    line.chars().count() <= 300 && !line.contains('。')
}

/// Six digits in a row (ASCII or full-width) not followed by 年 (a year such as 200412年 is not
/// a postcode, nor is a longer number).
fn has_postcode(line: &str) -> bool {
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let mut run = 0;
    for c in line.chars() {
        if digit(c) {
            run += 1;
            continue;
        }
        if run == 6 && c != '年' {
            return true;
        }
        run = 0;
    }
    run == 6
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(s: &str) -> View {
        View::new(s, Knowledge::embedded())
    }

    #[test]
    fn pinyin_annotations_are_removed_and_offsets_kept() {
        let original = "東西部扶貧協(xié)作場(chǎng)域";
        let v = view(original);
        assert_eq!(v.text, "东西部扶贫协作场域");
        assert_eq!(v.repairs.pinyin_removed, 2);
        let start = v.text.find("作").unwrap();
        let span = v.original_span(start..start + "作".len());
        let quoted: String = original.chars().skip(span.start).take(span.len()).collect();
        assert_eq!(quoted, "作");
    }

    #[test]
    fn latin_parentheses_are_not_pinyin() {
        assert_eq!(
            view("阿玛蒂亚·森(Amartya Sen)").text,
            "阿玛蒂亚·森(amartya sen)"
        );
        assert_eq!(view("面积(km)").text, "面积(km)");
    }

    #[test]
    fn lost_characters_become_placeholders() {
        let v = view("東部?jī)?yōu)質(zhì)職業");
        assert_eq!(
            v.repairs.lost_characters, 2,
            "?jī) and ?yōu) each stand for one lost character"
        );
        assert!(v.text.starts_with("东部\u{FFFD}"), "{}", v.text);
        assert!(view("是吗?").text.ends_with('?'));
    }

    #[test]
    fn latin_is_lowercased_and_unaccented() {
        assert_eq!(
            view("Phúc Kiến, Mông Cổ, Đại Liên").text,
            "phuc kien, mong co, dai lien"
        );
        assert_eq!(view("main-d’œuvre").text, "main-d'oeuvre");
        assert_eq!(view("ＡＢ，１").text, "ab,1");
    }

    #[test]
    fn boilerplate_lines_are_left_out() {
        let page = "国产_亚洲_久久_日本\n正文。\n(1.南京大学,江苏 南京 210023)\n猜你喜歡\n鲁渝扶贫协作进行曲\n";
        let v = view(page);
        assert_eq!(v.text.trim(), "正文。");
        assert!(v.repairs.boilerplate_characters > 0);
    }

    #[test]
    fn related_headline_and_reference_lists_are_left_out() {
        let kept = |page: &str| -> String { view(page).text.split_whitespace().collect() };
        // Headings behind decoration, with a colon or an edit link after them.
        assert_eq!(
            kept("正文。\n【関連記事】\n浙江省が貴州省を支援　5000人が就職\n"),
            "正文。"
        );
        assert_eq!(
            kept("Body.\nRelated:\n- Jiangsu helps Shaanxi build 200 schools\n"),
            "body."
        );
        assert_eq!(
            kept("Corps.\nRéférences[modifier | modifier le code]\nLe Jiangsu aide le Shaanxi.\n"),
            "corps."
        );
        assert_eq!(kept("正文。\n参考文献：\n1. 李明.苏陕协作研究\n"), "正文。");
        // A heading followed by tags on its line.
        assert_eq!(
            kept("正文。\n热门推荐：东西部协作 乡村振兴 扶贫\n上海市帮扶云南省。"),
            "正文。"
        );
        assert_eq!(
            kept("正文。\n相关文章 东西部协作 扶贫\n上海市帮扶云南省。"),
            "正文。"
        );
        // Reference items are boilerplate without a heading too.
        assert_eq!(
            kept("正文。\n[3] 李明.苏陕协作研究[J].经济研究,2019(4):1-9.\n后文。"),
            "正文。后文。"
        );
        assert_eq!(
            kept("Texte.\n↑ « Le Jiangsu aide le Shaanxi », Xinhua, 3 mars 2019.\n^ 沪滇协作二十年. 新华社. 2016.\nSuite."),
            "texte.suite."
        );
        // A line that only starts with a heading word is text, as is a numbered paragraph.
        for text in [
            "Related efforts helped Guizhou.",
            "Notes from Guizhou: Shanghai helped Zunyi.",
            "Notes: Jiangsu helps Shaanxi.",
            "相关报道显示，江苏帮扶陕西。",
            "参考文献中提到，江苏帮扶陕西。",
            "[2] 江苏省对口帮扶陕西省。",
            "^_^ 很好。",
            // A source named after a references heading heads no list: the first line of every
            // Japanese Wikipedia page.
            "出典: フリー百科事典『ウィキペディア（Wikipedia）』\n福建省は寧夏を支援した。",
        ] {
            assert_eq!(view(text).repairs.boilerplate_characters, 0, "{text}");
        }
    }

    #[test]
    fn display_width_counts_as_unicode_width_does() {
        for line in [
            "Fujian and Ningxia",
            "福建省与宁夏，協作。",
            "ひらがな・カタカナ",
            "ＡＢＣ１２３",
            "Phúc Kiến",
            "\t€½",
        ] {
            assert_eq!(
                display_width(line),
                unicode_width::UnicodeWidthStr::width(line),
                "{line}"
            );
        }
    }

    #[test]
    fn rows_of_a_table_laid_out_with_spaces_are_not_joined() {
        let page = "　北京市　　　　内モンゴル自治区\n　江蘇省　　　　陝西省、青海省、新疆\n　山東省　　　　重慶市、甘粛省、新疆\n";
        assert_eq!(
            hard_wrapped(&page.split_inclusive('\n').collect::<Vec<_>>()),
            [false; 3]
        );
        assert!(!has_column_gap("the program.  In 2019 the"));
        assert!(has_column_gap("Fujian     Ningxia"));
    }

    #[test]
    fn a_paragraph_of_two_lines_joins_at_the_width_the_text_is_wrapped_at() {
        // Wrapped at 40 columns; the second paragraph's first line has no neighbour as wide.
        let page = "江苏省与陕西省的协作始于一九九六年，二十多年\n来两省在资金援助、产业合作、人才交流等方面开\n展了持续协作，取得了显著成效，受到好评。\n更大。\n　　江苏企业在陕投资兴业，带动当地群众就业，近\n三万人。";
        let v = view(page);
        assert!(v.text.contains("就业,近三万人。"), "{}", v.text);
        // A text of one paragraph per line has no such width.
        let page = "东西部协作的一个段落写在一行里，长短不一，没有句号\n下一段。";
        assert!(view(page).text.contains("句号\n"));
    }

    #[test]
    fn decode_detects_encodings_and_refuses_binary() {
        assert_eq!(decode("福建".as_bytes()).unwrap().encoding, "UTF-8");
        let (gbk, _, _) = encoding_rs::GBK.encode("福建省与宁夏回族自治区每年召开一次联席会议");
        let decoded = decode(&gbk).unwrap();
        assert_eq!(decoded.text, "福建省与宁夏回族自治区每年召开一次联席会议");
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "宁夏".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&utf16).unwrap().text, "宁夏");
        for (text, encoding) in [
            ("福建省与宁夏回族自治区", encoding_rs::UTF_16LE),
            ("Fujian and Ningxia", encoding_rs::UTF_16BE),
        ] {
            let bytes: Vec<u8> = text
                .encode_utf16()
                .flat_map(|u| {
                    if encoding == encoding_rs::UTF_16LE {
                        u.to_le_bytes()
                    } else {
                        u.to_be_bytes()
                    }
                })
                .collect();
            let decoded = decode(&bytes).unwrap();
            assert_eq!(
                (decoded.text.as_str(), decoded.encoding),
                (text, encoding.name()),
                "UTF-16 without BOM"
            );
        }
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n\0\0"),
            Err(DecodeError::Binary(8))
        );
    }
}
