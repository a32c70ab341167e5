//! Quantities in the view: a number as texts write it, its multiplier, its qualifier and its unit.
//!
//! Digits may be grouped (`17 224`, `51,629`, French `17 224`, Vietnamese `17.224`), have decimals
//! (`5.59`, French `3,044`), take a multiplier (`5.59万`, `1亿`, `3.044 billion`, `3 tỷ`) and a
//! qualifier (`700多`, `more than 2,000`, `près de`, `左右`), also between multipliers (`500多万`,
//! `1万多亿`). Number words (`eight`, `huit`, `九つ`) count when a unit follows. A quantity needs a
//! unit: a bare number is not an outcome. A unit may be written around the number (`延べ499人`
//! person-times, `合作项目41个` projects: unit cues with `…`). Multipliers, words, qualifiers and
//! units are data in `ontology/`.

use crate::knowledge::{CueKind, Knowledge, XZ};
use crate::sentences::Language;
use crate::text::fold_str;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    MoreThan,
    Nearly,
    About,
}

impl Qualifier {
    /// As written in the graph (`xz:qualifier`).
    pub fn name(self) -> &'static str {
        match self {
            Qualifier::MoreThan => "more-than",
            Qualifier::Nearly => "nearly",
            Qualifier::About => "about",
        }
    }
}

/// A number with its unit, found in the view.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// Byte range in the view, from the number to the end of the unit.
    pub span: Range<usize>,
    /// In base units: 5.59万人 is 55 900.
    pub value: f64,
    /// Index into `Knowledge::concepts` of the unit.
    pub unit: usize,
    /// The unit is written as a bare classifier of one character (12项, 3件), which counts
    /// anything, not as a noun (个项目, projects) or around the number (项目…个).
    pub bare_classifier: bool,
    pub qualifier: Option<Qualifier>,
}

/// Folded number vocabulary, compiled once.
pub struct QuantityReader {
    multipliers: Prefixes<f64>,
    words: Prefixes<f64>,
    /// Digits and the first characters of the number words: most positions start no number.
    number_starts: CharSet,
    /// Qualifiers written before the number ("more than", 近) and after it (多, 左右).
    qualifiers_before: Vec<(String, Qualifier)>,
    qualifiers_after: Prefixes<Qualifier>,
    /// Unit cues with their concept index, longest first.
    units: Prefixes<usize>,
    /// Units written around the number (延べ…人, 项目…个): what stands right before the number,
    /// what right after it, and the unit's concept index.
    around_units: Vec<(String, String, usize)>,
    /// Words that may stand between a number and its unit in Latin-script text.
    unit_modifiers: Vec<String>,
}

/// What follows a number, as `QuantityReader::tail` reads it.
struct Tail {
    len: usize,
    multiplier: f64,
    /// The second number under the first multiplier, multiplied out (5900 in 5万5900).
    addend: f64,
    unit: usize,
    bare_classifier: bool,
    qualifier: Option<Qualifier>,
}

/// Words that may start exactly at a position (multipliers, units…): an anchored automaton, so
/// the longest one is found in one pass instead of one comparison per word.
struct Prefixes<T> {
    automaton: aho_corasick::AhoCorasick,
    values: Vec<T>,
}

impl<T: Copy> Prefixes<T> {
    fn new(words: Vec<(String, T)>) -> Self {
        let automaton = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .start_kind(aho_corasick::StartKind::Anchored)
            .build(words.iter().map(|(w, _)| w))
            .expect("number words compile");
        Prefixes {
            automaton,
            values: words.into_iter().map(|(_, v)| v).collect(),
        }
    }

    /// The longest word at the start of `text` that does not run into a Latin word: (length, value).
    fn at(&self, text: &str) -> Option<(usize, T)> {
        let input = aho_corasick::Input::new(text).anchored(aho_corasick::Anchored::Yes);
        let m = self.automaton.find(input)?;
        starts_with_word(text, &text[..m.end()])
            .then(|| (m.end(), self.values[m.pattern().as_usize()]))
    }
}

/// A set of characters, asked once per character of every text: a bit per code point of the
/// Basic Multilingual Plane, a sorted list for the rest.
struct CharSet {
    bmp: Vec<u64>,
    supplementary: Vec<char>,
}

impl CharSet {
    fn new(chars: impl IntoIterator<Item = char>) -> Self {
        let mut set = CharSet {
            bmp: vec![0; 0x10000 / 64],
            supplementary: Vec::new(),
        };
        for c in chars {
            match set.bmp.get_mut(c as usize / 64) {
                Some(word) => *word |= 1 << (c as usize % 64),
                None => set.supplementary.push(c),
            }
        }
        set.supplementary.sort_unstable();
        set
    }

    fn contains(&self, c: char) -> bool {
        match self.bmp.get(c as usize / 64) {
            Some(word) => word & (1 << (c as usize % 64)) != 0,
            None => self.supplementary.binary_search(&c).is_ok(),
        }
    }
}

fn is_latin_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// `text` starts with `word`, and a Latin word does not go on past it.
#[inline]
fn starts_with_word(text: &str, word: &str) -> bool {
    if text.as_bytes().first() != word.as_bytes().first() && !word.is_empty() {
        return false;
    }
    text.starts_with(word)
        && !(word.chars().next_back().is_some_and(is_latin_word_char)
            && text[word.len()..]
                .chars()
                .next()
                .is_some_and(is_latin_word_char))
}

#[inline]
fn ends_with_word(text: &str, word: &str) -> bool {
    // The last bytes first: most words of the lists do not end the text, and comparing one byte
    // costs less than calling `memcmp` (this runs for every word of the lists at every number).
    if text.as_bytes().last() != word.as_bytes().last() && !word.is_empty() {
        return false;
    }
    text.ends_with(word)
        && !(word.chars().next().is_some_and(is_latin_word_char)
            && text[..text.len() - word.len()]
                .chars()
                .next_back()
                .is_some_and(is_latin_word_char))
}

fn longest_first<T>(mut v: Vec<(String, T)>) -> Vec<(String, T)> {
    v.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    v
}

impl QuantityReader {
    pub fn new(k: &Knowledge) -> QuantityReader {
        let fold = |s: &str| fold_str(s, k);
        let unit_property = format!("{XZ}unit");
        let mut units = Vec::new();
        let mut around_units = Vec::new();
        for (i, c) in k.concepts.iter().enumerate() {
            if *c.link_property != *unit_property {
                continue;
            }
            for cue in &c.cues {
                match cue.split_once('…') {
                    Some((before, after)) => around_units.push((fold(before), fold(after), i)),
                    None => units.push((fold(cue), i)),
                }
            }
        }
        // The longest first: "建档立卡贫困人口…" before "人口…".
        around_units
            .sort_by_key(|(before, after, _)| std::cmp::Reverse(before.len() + after.len()));
        let qualifiers = |after: bool| {
            let found = k
                .cues
                .iter()
                .filter_map(|c| {
                    let (q, is_after) = match c.kind {
                        CueKind::MoreThan => (Qualifier::MoreThan, false),
                        CueKind::Nearly => (Qualifier::Nearly, false),
                        CueKind::About => (Qualifier::About, false),
                        CueKind::MoreThanAfter => (Qualifier::MoreThan, true),
                        CueKind::NearlyAfter => (Qualifier::Nearly, true),
                        CueKind::AboutAfter => (Qualifier::About, true),
                        _ => return None,
                    };
                    (is_after == after).then(|| (fold(&c.text), q))
                })
                .collect();
            longest_first(found)
        };
        QuantityReader {
            multipliers: Prefixes::new(
                k.numbers
                    .multipliers
                    .iter()
                    .map(|(t, v)| (fold(t), *v))
                    .collect(),
            ),
            words: Prefixes::new(k.numbers.words.iter().map(|(t, v)| (fold(t), *v)).collect()),
            number_starts: CharSet::new(
                ('0'..='9').chain(
                    k.numbers
                        .words
                        .iter()
                        .filter_map(|(t, _)| fold(t).chars().next()),
                ),
            ),
            qualifiers_before: qualifiers(false),
            qualifiers_after: Prefixes::new(qualifiers(true)),
            units: Prefixes::new(units),
            around_units,
            unit_modifiers: k
                .cues
                .iter()
                .filter(|c| c.kind == CueKind::UnitModifier)
                .map(|c| fold(&c.text))
                .collect(),
        }
    }

    /// The unit a table caption gives its cells ("persons", "triệu NDT", "万元"): the folded
    /// `text` holds nothing but multipliers and one unit. (multiplier, unit concept index).
    pub fn unit_alone(&self, text: &str) -> Option<(f64, usize)> {
        let mut at = skip_spaces(text, 0);
        let mut multiplier = 1.0;
        while let Some((len, v)) = self.multipliers.at(&text[at..]) {
            multiplier *= v;
            at = skip_spaces(text, at + len);
        }
        let (len, unit) = self.units.at(&text[at..])?;
        text[at + len..]
            .trim()
            .is_empty()
            .then_some((multiplier, unit))
    }

    /// A table cell that is a number and nothing else ("9,800", "1.353" in Vietnamese).
    pub fn number_alone(cell: &str, comma_decimal: bool) -> Option<f64> {
        let cell = cell.trim();
        digits(cell, comma_decimal)
            .filter(|&(len, _)| len == cell.len())
            .map(|(_, value)| value)
    }

    pub fn embedded() -> &'static QuantityReader {
        static READER: std::sync::OnceLock<QuantityReader> = std::sync::OnceLock::new();
        READER.get_or_init(|| QuantityReader::new(Knowledge::embedded()))
    }

    /// Every quantity in `view[range]`, in text order. `places` are the view ranges of the
    /// regions named there: a number word inside a name is no number ("Thượng Hải" folds to
    /// "thuong hai", and hai is two), and a name may stand between a number and its unit in
    /// Latin-script text ("5,700 Fujian enterprises"), as may the lexicon's unit modifiers.
    pub fn find(
        &self,
        view: &str,
        range: Range<usize>,
        language: Language,
        places: &[Range<usize>],
    ) -> Vec<Quantity> {
        let text = &view[range.clone()];
        let latin = language.is_latin();
        let in_place = |at: usize| places.iter().any(|p| p.start <= at && at < p.end);
        let comma_decimal = language.writes_comma_decimals();
        let mut found = Vec::new();
        let mut i = 0;
        // A number does not start inside a Latin word ("covid19", "sixty").
        let mut after_word_char = false;
        while i < text.len() {
            let rest = &text[i..];
            let c = rest.chars().next().unwrap_or(' ');
            let number = if after_word_char
                || !self.number_starts.contains(c)
                || in_place(range.start + i)
            {
                None
            } else if c.is_ascii_digit() {
                digits(rest, comma_decimal)
            } else {
                self.words.at(rest)
            };
            let Some((len, value)) = number else {
                after_word_char = is_latin_word_char(c);
                i += c.len_utf8();
                continue;
            };
            let skip_modifier = |at: usize| -> Option<usize> {
                latin
                    .then(|| self.modifier_at(view, range.start + i + len + at, places))
                    .flatten()
            };
            let before_number = text[..i].trim_end();
            match self.tail(
                &text[i + len..],
                before_number,
                comma_decimal,
                skip_modifier,
            ) {
                Some(tail) => {
                    let before = self.qualifier_before(before_number);
                    found.push(Quantity {
                        span: range.start + i..range.start + i + len + tail.len,
                        value: value * tail.multiplier + tail.addend,
                        unit: tail.unit,
                        bare_classifier: tail.bare_classifier,
                        qualifier: before.or(tail.qualifier),
                    });
                    i += len + tail.len;
                }
                None => i += len,
            }
            after_word_char = text[..i]
                .chars()
                .next_back()
                .is_some_and(is_latin_word_char);
        }
        found
    }

    /// After the number: multipliers, a second number under the first multiplier (5万5900,
    /// 71億4000万), qualifier, more multipliers (500多万, 1万多亿), modifiers (Latin script),
    /// unit — or the second half of a unit written around the number, whose first half ends
    /// `before` (延べ59万人, 合作项目41个) — and a qualifier after the unit (10万人以上).
    /// `skip_modifier(at)` gives the length of a word at `rest[at..]` that may stand before the
    /// unit.
    fn tail(
        &self,
        rest: &str,
        before: &str,
        comma_decimal: bool,
        skip_modifier: impl Fn(usize) -> Option<usize>,
    ) -> Option<Tail> {
        let mut at = skip_spaces(rest, 0);
        let mut multiplier = 1.0;
        // Two multipliers can stack (千万, "thousand million"): take them all.
        while let Some((len, v)) = self.multipliers.at(&rest[at..]) {
            multiplier *= v;
            at = skip_spaces(rest, at + len);
        }
        let mut addend = 0.0;
        if multiplier >= 10_000.0 && rest[at..].starts_with(|c: char| c.is_ascii_digit()) {
            if let Some((len, lower)) = digits(&rest[at..], comma_decimal) {
                let mut lower_multiplier = 1.0;
                let mut end = at + len;
                while let Some((len, v)) = self.multipliers.at(&rest[end..]) {
                    lower_multiplier *= v;
                    end += len;
                }
                if lower_multiplier < multiplier {
                    addend = lower * lower_multiplier;
                    at = skip_spaces(rest, end);
                }
            }
        }
        for joiner in ["de ", "d'"] {
            if multiplier > 1.0 && rest[at..].starts_with(joiner) {
                at += joiner.len();
            }
        }
        let mut qualifier = None;
        if let Some((len, kind)) = self.qualifiers_after.at(&rest[at..]) {
            qualifier = Some(kind);
            at = skip_spaces(rest, at + len);
            while let Some((len, v)) = self.multipliers.at(&rest[at..]) {
                multiplier *= v;
                at = skip_spaces(rest, at + len);
            }
        }
        let around = self.around_units.iter().find(|(first, second, _)| {
            ends_with_word(before, first) && starts_with_word(&rest[at..], second)
        });
        let mut unit = match around {
            Some((_, second, unit)) => Some((second.len(), *unit)),
            None => self.units.at(&rest[at..]),
        };
        let bare_classifier = around.is_none()
            && unit.is_some_and(|(len, _)| rest[at..at + len].chars().count() == 1);
        for _ in 0..2 {
            if unit.is_some() {
                break;
            }
            let Some(len) = skip_modifier(at) else { break };
            at = skip_spaces(rest, at + len);
            unit = self.units.at(&rest[at..]);
        }
        let (len, unit) = unit?;
        let mut end = at + len;
        if qualifier.is_none() {
            let after = skip_spaces(rest, end);
            if let Some((len, kind)) = self.qualifiers_after.at(&rest[after..]) {
                qualifier = Some(kind);
                end = after + len;
            }
        }
        Some(Tail {
            len: end,
            multiplier,
            addend,
            unit,
            bare_classifier,
            qualifier,
        })
    }

    /// The length of a word at `view[at..]` that may stand between a number and its unit: a
    /// place name (with a "-funded"-like ending) or a unit modifier of the lexicon.
    fn modifier_at(&self, view: &str, at: usize, places: &[Range<usize>]) -> Option<usize> {
        let word_end = |from: usize| {
            from + view[from..]
                .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
                .unwrap_or(view.len() - from)
        };
        if let Some(place) = places.iter().find(|p| p.start == at) {
            return Some(word_end(place.end) - at);
        }
        let end = word_end(at);
        let word = &view[at..end];
        (!word.is_empty() && self.unit_modifiers.iter().any(|m| m == word)).then_some(end - at)
    }

    fn qualifier_before(&self, before: &str) -> Option<Qualifier> {
        self.qualifiers_before
            .iter()
            .find(|(q, _)| ends_with_word(before, q))
            .map(|(_, kind)| *kind)
    }
}

fn skip_spaces(text: &str, mut at: usize) -> usize {
    while let Some(c) = text[at..].chars().next() {
        if !matches!(c, ' ' | '\u{a0}' | '\u{2009}' | '\u{202f}') {
            break;
        }
        at += c.len_utf8();
    }
    at
}

/// A digit string with group separators and decimals at the start of `text`: (length, value).
/// `comma_decimal`: French and Vietnamese write 3,5 for 3.5 and group with dots or spaces.
fn digits(text: &str, comma_decimal: bool) -> Option<(usize, f64)> {
    let bytes = text.as_bytes();
    let run = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let first = run(0);
    let mut integer: String = text[..first].to_owned();
    let mut at = first;
    let group_separators: &[&str] = if comma_decimal {
        &[".", " ", "\u{a0}", "\u{202f}", "\u{2009}"]
    } else {
        &[",", " ", "\u{a0}", "\u{202f}", "\u{2009}"]
    };
    // Groups of exactly three digits, only after a first group of one to three.
    if first <= 3 {
        'groups: loop {
            for sep in group_separators {
                let after = at + sep.len();
                if text[at..].starts_with(sep) && run(after) == 3 {
                    integer.push_str(&text[after..after + 3]);
                    at = after + 3;
                    continue 'groups;
                }
            }
            break;
        }
    }
    let decimal = if comma_decimal { ',' } else { '.' };
    let mut number = integer;
    if text[at..].starts_with(decimal) && run(at + 1) > 0 {
        let decimals = run(at + 1);
        number.push('.');
        number.push_str(&text[at + 1..at + 1 + decimals]);
        at += 1 + decimals;
    }
    // A year or a number glued to 年 is a date, not a quantity.
    if text[at..].starts_with('年') {
        return None;
    }
    number.parse().ok().map(|v| (at, v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::View;

    fn quantities(text: &str, language: Language) -> Vec<(f64, String, Option<Qualifier>)> {
        let k = Knowledge::embedded();
        let view = View::new(text, k);
        QuantityReader::new(k)
            .find(&view.text, 0..view.text.len(), language, &[])
            .into_iter()
            .map(|q| {
                (
                    q.value,
                    k.concepts[q.unit]
                        .iri
                        .rsplit('#')
                        .next()
                        .unwrap()
                        .to_owned(),
                    q.qualifier,
                )
            })
            .collect()
    }

    fn q(value: f64, unit: &str, qualifier: Option<Qualifier>) -> (f64, String, Option<Qualifier>) {
        (value, unit.to_owned(), qualifier)
    }

    #[test]
    fn chinese_numbers_with_groups_multipliers_and_qualifiers() {
        let zh = Language::ZhHans;
        assert_eq!(
            quantities("贫困人口脱贫6 127人", zh),
            [q(6127.0, "Person", None)]
        );
        assert_eq!(
            quantities("培训学员700多人", zh),
            [q(700.0, "Person", Some(Qualifier::MoreThan))]
        );
        assert_eq!(quantities("投入5.59万元", zh), [q(55900.0, "Yuan", None)]);
        assert_eq!(
            quantities("投入1亿元", zh),
            [q(100_000_000.0, "Yuan", None)]
        );
        assert_eq!(
            quantities("培訓人員18 356人次", Language::ZhHant),
            [q(18356.0, "PersonTime", None)]
        );
        assert_eq!(
            quantities("约占30%", zh),
            [q(30.0, "Percent", Some(Qualifier::About))]
        );
        assert!(
            quantities("2017年,14个地级市", zh).is_empty(),
            "years and counts without units"
        );
        assert_eq!(
            quantities("剩余7 000万人", zh),
            [q(70_000_000.0, "Person", None)],
            "剩余 is not 余"
        );
        assert!(quantities("作为一份子", zh).is_empty());
    }

    #[test]
    fn a_second_number_under_a_multiplier_and_qualifiers_after_the_unit() {
        let ja = Language::Ja;
        assert_eq!(quantities("5万5900人", ja), [q(55_900.0, "Person", None)]);
        assert_eq!(
            quantities("累計71億4000万元", ja),
            [q(7_140_000_000.0, "Yuan", None)]
        );
        assert_eq!(
            quantities("10万人以上", ja),
            [q(100_000.0, "Person", Some(Qualifier::MoreThan))]
        );
    }

    #[test]
    fn qualifiers_between_multipliers() {
        let zh = Language::ZhHans;
        assert_eq!(
            quantities("累计有300多万贫困人口脱贫", zh),
            [q(3_000_000.0, "Person", Some(Qualifier::MoreThan))]
        );
        assert_eq!(
            quantities("企业投资2万多亿元", zh),
            [q(2e12, "Yuan", Some(Qualifier::MoreThan))]
        );
    }

    #[test]
    fn units_written_around_the_number() {
        assert_eq!(
            quantities("教師など延べ300人を派遣した", Language::Ja),
            [q(300.0, "PersonTime", None)]
        );
        assert_eq!(
            quantities("共签约帮扶项目25个", Language::ZhHans),
            [q(25.0, "Project", None)]
        );
        assert_eq!(
            quantities("签署合作协议12份，协议8个", Language::ZhHans),
            [q(12.0, "Document", None), q(8.0, "Document", None)]
        );
        assert_eq!(
            quantities("協力協定8件、支援プロジェクト450件", Language::Ja),
            [q(8.0, "Document", None), q(450.0, "Project", None)]
        );
        // Without its first half, the second half is the plain unit or none.
        assert_eq!(
            quantities("300人", Language::Ja),
            [q(300.0, "Person", None)]
        );
        assert!(quantities("贫困村25个", Language::ZhHans).is_empty());
    }

    #[test]
    fn people_by_trade() {
        assert_eq!(
            quantities("more than 2,000 teachers and doctors", Language::En),
            [q(2000.0, "Person", Some(Qualifier::MoreThan))]
        );
        assert_eq!(
            quantities("deux mille enseignants", Language::Fr),
            [q(2000.0, "Person", None)]
        );
        assert_eq!(
            quantities("90 bác sĩ", Language::Vi),
            [q(90.0, "Person", None)]
        );
    }

    #[test]
    fn modifiers_and_place_names_between_a_number_and_its_unit() {
        let k = Knowledge::embedded();
        let text = "5,700 fujian enterprises and 12,000 local households, 30 years ago people";
        let fujian = 6..12;
        let found = QuantityReader::new(k).find(text, 0..text.len(), Language::En, &[fujian]);
        let values: Vec<f64> = found.iter().map(|q| q.value).collect();
        assert_eq!(values, [5700.0, 12_000.0]);
    }

    #[test]
    fn no_number_word_inside_a_place_name() {
        let k = Knowledge::embedded();
        // "Thượng Hải hỗ trợ" folded: hai is two, hộ a household.
        let text = "thuong hai ho tro van nam";
        let place = 0..10;
        assert!(QuantityReader::new(k)
            .find(text, 0..text.len(), Language::Vi, &[place])
            .is_empty());
    }

    #[test]
    fn latin_numbers_by_language() {
        assert_eq!(
            quantities("more than 2,000 people", Language::En),
            [q(2000.0, "Person", Some(Qualifier::MoreThan))]
        );
        assert_eq!(
            quantities("3.044 billion yuan", Language::En),
            [q(3_044_000_000.0, "Yuan", None)]
        );
        assert_eq!(
            quantities("3,044 milliards de yuans", Language::Fr),
            [q(3_044_000_000.0, "Yuan", None)]
        );
        assert_eq!(
            quantities("près de 17 224 personnes", Language::Fr),
            [q(17224.0, "Person", Some(Qualifier::Nearly))]
        );
        assert_eq!(
            quantities("17.224 người", Language::Vi),
            [q(17224.0, "Person", None)]
        );
        assert_eq!(
            quantities("eight households", Language::En),
            [q(8.0, "Household", None)]
        );
        assert!(quantities("eight banners", Language::En).is_empty());
        assert!(quantities("G20 people", Language::En).is_empty());
    }
}
