//! Finding what the knowledge names in a view: regions (by any label, in any language), pair
//! names made of abbreviations (闽宁协作), cue words and concept cues.
//!
//! Every pattern is folded the same way as the view and compiled once into a leftmost-longest
//! Aho-Corasick automaton, so "内蒙古自治区" wins over "内蒙古" and "对口帮扶" over "帮扶".

use crate::knowledge::{CueKind, Knowledge, RegionId, Side, XZ};
use crate::text::fold_str;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

/// A set of folded patterns, each carrying one or more payloads.
struct PatternSet<T> {
    automaton: AhoCorasick,
    payloads: Vec<Vec<T>>,
    /// Pattern may end inside a word (a lexicon entry ending in `*`).
    open_ended: Vec<bool>,
}

/// One occurrence of a pattern in the view.
pub struct Hit<'a, T> {
    pub span: Range<usize>,
    pub payloads: &'a [T],
}

impl<T: Clone + PartialEq> PatternSet<T> {
    fn build(entries: impl IntoIterator<Item = (String, T, bool)>, knowledge: &Knowledge) -> Self {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns = Vec::new();
        let mut payloads: Vec<Vec<T>> = Vec::new();
        let mut open_ended = Vec::new();
        for (text, payload, open) in entries {
            let folded = fold_str(text.trim(), knowledge);
            if folded.is_empty() {
                continue;
            }
            let i = *index.entry(folded.clone()).or_insert_with(|| {
                patterns.push(folded);
                payloads.push(Vec::new());
                open_ended.push(open);
                patterns.len() - 1
            });
            if !payloads[i].contains(&payload) {
                payloads[i].push(payload);
            }
        }
        // A DFA: the automata are built once per process and then run over every byte of every
        // text, so search speed matters more than the few megabytes and milliseconds it costs.
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("patterns from the ontology compile");
        PatternSet {
            automaton,
            payloads,
            open_ended,
        }
    }

    /// Occurrences in `text[range]`; Latin patterns must start and end on word boundaries.
    fn find<'a>(&'a self, text: &str, range: Range<usize>) -> Vec<Hit<'a, T>> {
        let haystack = &text[range.clone()];
        self.automaton
            .find_iter(haystack)
            .filter(|m| {
                let pattern = m.pattern().as_usize();
                let starts_ok = !is_word_char_before(text, range.start + m.start())
                    || !starts_with_word_char(&haystack[m.start()..]);
                let ends_ok = self.open_ended[pattern]
                    || !ends_with_word_char(&haystack[..m.end()])
                    || !is_word_char_at(text, range.start + m.end());
                starts_ok && ends_ok
            })
            .map(|m| Hit {
                span: range.start + m.start()..range.start + m.end(),
                payloads: &self.payloads[m.pattern().as_usize()],
            })
            .collect()
    }
}

/// Latin letters and digits make words; Han and kana do not (they are matched anywhere).
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    (('\u{00C0}'..='\u{024F}').contains(&c) || ('\u{1E00}'..='\u{1EFF}').contains(&c))
        && c.is_alphanumeric()
}
fn is_word_char_before(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_some_and(is_word_char)
}
fn is_word_char_at(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_some_and(is_word_char)
}
fn starts_with_word_char(s: &str) -> bool {
    s.chars().next().is_some_and(is_word_char)
}
fn ends_with_word_char(s: &str) -> bool {
    s.chars().next_back().is_some_and(is_word_char)
}

/// A place named in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Byte range in the view.
    pub span: Range<usize>,
    /// Regions the written form may stand for (more than one when a name is shared).
    pub candidates: Vec<RegionId>,
    /// Found as half of a pair name such as 闽宁.
    pub in_pair_name: bool,
}

/// A cue word found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CueHit {
    pub span: Range<usize>,
    pub kind: CueKind,
}

/// The compiled automata. Built once per process from the embedded knowledge.
pub struct Matcher {
    /// Region names, and everyday words that contain one (`None`: not a place).
    regions: PatternSet<Option<RegionId>>,
    pair_names: PatternSet<(RegionId, RegionId)>,
    pair_name_suffixes: Vec<String>,
    pairing_cues: PatternSet<CueKind>,
    adjusted_cues: PatternSet<CueKind>,
    concepts: PatternSet<usize>,
}

impl Matcher {
    pub fn embedded() -> &'static Matcher {
        static MATCHER: OnceLock<Matcher> = OnceLock::new();
        MATCHER.get_or_init(|| Matcher::new(Knowledge::embedded()))
    }

    pub fn new(k: &Knowledge) -> Matcher {
        let not_places = k
            .cues
            .iter()
            .filter(|c| c.kind == CueKind::NotAPlace)
            .map(|c| (c.text.clone(), None, false));
        let regions = PatternSet::build(
            k.regions
                .iter()
                .enumerate()
                .flat_map(|(id, r)| r.names.iter().map(move |n| (n.clone(), Some(id), false)))
                .chain(not_places),
            k,
        );
        // Pair names: an eastern abbreviation followed by a western one (闽宁, 粤桂, 京蒙, 甬黔).
        let abbreviations = |side: Side| -> Vec<(String, RegionId)> {
            k.regions
                .iter()
                .enumerate()
                .filter(|(_, r)| r.side == Some(side))
                .flat_map(|(id, r)| r.abbreviations.iter().map(move |a| (a.clone(), id)))
                .collect()
        };
        let (east, west) = (abbreviations(Side::East), abbreviations(Side::West));
        let pair_names = PatternSet::build(
            east.iter().flat_map(|(e, eid)| {
                west.iter()
                    .map(move |(w, wid)| (format!("{e}{w}"), (*eid, *wid), false))
            }),
            k,
        );
        let cues_of = |kinds: &[CueKind]| {
            PatternSet::build(
                k.cues
                    .iter()
                    .filter(|c| kinds.contains(&c.kind))
                    .map(|c| (c.text.clone(), c.kind, c.prefix)),
                k,
            )
        };
        let pairing_cues = cues_of(&[
            CueKind::Pairing,
            CueKind::PairingPassive,
            CueKind::PairingSymmetric,
        ]);
        let adjusted_cues = cues_of(&[CueKind::Adjusted]);
        let pair_name_suffixes = k
            .cues
            .iter()
            .filter(|c| c.kind == CueKind::CompoundSuffix)
            .map(|c| fold_str(&c.text, k))
            .collect();
        // Units are read right after numbers (see `numbers`), not anywhere in a sentence.
        let unit_property = format!("{XZ}unit");
        let concepts = PatternSet::build(
            k.concepts
                .iter()
                .enumerate()
                .filter(|(_, c)| *c.link_property != *unit_property)
                .flat_map(|(id, c)| c.cues.iter().map(move |cue| (cue.clone(), id, false))),
            k,
        );
        Matcher {
            regions,
            pair_names,
            pair_name_suffixes,
            pairing_cues,
            adjusted_cues,
            concepts,
        }
    }

    /// Regions named in `view[range]`, in text order. A pair name (闽宁 followed by 协作 or
    /// another suffix from the lexicon) yields its two regions.
    pub fn regions(&self, view: &str, range: Range<usize>) -> Vec<Mention> {
        let mut mentions: Vec<Mention> = Vec::new();
        for hit in self.pair_names.find(view, range.clone()) {
            let after = &view[hit.span.end..];
            if !self
                .pair_name_suffixes
                .iter()
                .any(|s| after.starts_with(s.as_str()))
            {
                continue;
            }
            let (east, west) = hit.payloads[0];
            let split = hit.span.start
                + view[hit.span.clone()]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8);
            mentions.push(Mention {
                span: hit.span.start..split,
                candidates: hit
                    .payloads
                    .iter()
                    .map(|p| p.0)
                    .collect::<Vec<_>>()
                    .dedup_sorted_or(east),
                in_pair_name: true,
            });
            mentions.push(Mention {
                span: split..hit.span.end,
                candidates: hit
                    .payloads
                    .iter()
                    .map(|p| p.1)
                    .collect::<Vec<_>>()
                    .dedup_sorted_or(west),
                in_pair_name: true,
            });
        }
        let pair_spans: Vec<Range<usize>> = mentions.iter().map(|m| m.span.clone()).collect();
        for hit in self.regions.find(view, range) {
            if pair_spans
                .iter()
                .any(|s| s.start < hit.span.end && hit.span.start < s.end)
            {
                continue;
            }
            let candidates: Vec<RegionId> = hit.payloads.iter().flatten().copied().collect();
            if candidates.is_empty() || hit.payloads.contains(&None) {
                continue;
            }
            mentions.push(Mention {
                span: hit.span,
                candidates,
                in_pair_name: false,
            });
        }
        mentions.sort_by_key(|m| m.span.start);
        mentions
    }

    /// Pairing cues (and whether a pair name stands as one) in `view[range]`.
    pub fn pairing_cues(&self, view: &str, range: Range<usize>) -> Vec<CueHit> {
        self.pairing_cues
            .find(view, range)
            .into_iter()
            .map(|h| CueHit {
                span: h.span,
                kind: h.payloads[0],
            })
            .collect()
    }

    /// Cues saying that a pairing was adjusted (调整, réajusté…) in `view[range]`.
    pub fn adjustment_cues(&self, view: &str, range: Range<usize>) -> Vec<Range<usize>> {
        self.adjusted_cues
            .find(view, range)
            .into_iter()
            .map(|h| h.span)
            .collect()
    }

    /// Concepts (indices into `Knowledge::concepts`) cued in `view[range]`, with where.
    pub fn concepts(&self, view: &str, range: Range<usize>) -> Vec<(Range<usize>, usize)> {
        self.concepts
            .find(view, range)
            .into_iter()
            .flat_map(|h| h.payloads.iter().map(move |&c| (h.span.clone(), c)))
            .collect()
    }
}

trait DedupSorted {
    fn dedup_sorted_or(self, fallback: RegionId) -> Vec<RegionId>;
}
impl DedupSorted for Vec<RegionId> {
    fn dedup_sorted_or(mut self, fallback: RegionId) -> Vec<RegionId> {
        self.sort_unstable();
        self.dedup();
        if self.is_empty() {
            self.push(fallback);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::View;

    fn codes(text: &str) -> Vec<String> {
        let k = Knowledge::embedded();
        let view = View::new(text, k);
        Matcher::embedded()
            .regions(&view.text, 0..view.text.len())
            .iter()
            .map(|m| k.regions[m.candidates[0]].code.clone())
            .collect()
    }

    #[test]
    fn regions_are_found_in_every_language() {
        assert_eq!(codes("福建省与宁夏回族自治区"), ["350000", "640000"]);
        assert_eq!(codes("福建省と寧夏回族自治区"), ["350000", "640000"]);
        assert_eq!(
            codes("tỉnh Phúc Kiến và khu tự trị dân tộc Hồi Ninh Hạ"),
            ["350000", "640000"]
        );
        assert_eq!(
            codes("Fujian Province and Ningxia Hui Autonomous Region"),
            ["350000", "640000"]
        );
        assert_eq!(
            codes("la province du Fujian et la région autonome hui du Ningxia"),
            ["350000", "640000"]
        );
    }

    #[test]
    fn everyday_words_holding_a_place_name_are_not_places() {
        assert!(codes("大理石地面").is_empty());
        assert_eq!(codes("大理市"), ["532901"]);
    }

    #[test]
    fn latin_names_need_word_boundaries() {
        assert!(codes("Fujianese cuisine").is_empty());
    }

    #[test]
    fn pair_names_need_a_suffix() {
        assert_eq!(codes("闽宁协作"), ["350000", "640000"]);
        assert_eq!(codes("粵桂扶貧協作"), ["440000", "450000"]);
        assert!(codes("京新高速").is_empty());
    }
}
