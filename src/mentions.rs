//! Finding what the knowledge names in a view: regions (by any label, in any language), pair
//! names made of abbreviations (闽宁协作), cue words, concept cues and five-year plans.
//!
//! Every pattern is folded the same way as the view and compiled into one Aho-Corasick
//! automaton, which runs once over a view and reports every occurrence. Each group of patterns
//! (regions, pair names, pairing cues…, and each concept scheme) then keeps its leftmost-longest
//! occurrences, so "内蒙古自治区" wins over "内蒙古" and "对口帮扶" over "帮扶", while a word can
//! still be a region name and part of a cue at once, and a signing ("ont signé") an indicator
//! ("signé") at once. One pass instead of one per group: the automaton is
//! large, and reading the text is what costs.

use crate::knowledge::{CueKind, Knowledge, RegionId, Side, XZ};
use crate::text::fold_str;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

/// What a pattern stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Meaning {
    Region(RegionId),
    /// An everyday word that holds a region name (大理石): it hides the name.
    NotAPlace,
    PairName(RegionId, RegionId),
    PairingCue(CueKind),
    /// Words that change how a sentence reads: adjusted, respectively, comparison, planned,
    /// statistics, anaphors.
    Marker(CueKind),
    Concept(usize),
    /// A five-year plan and its first and last years.
    Period(i32, i32),
}

/// Patterns compete for the same stretch of text only within their group: regions, pair
/// names, pairing cues, markers, five-year plans, and the cues of each concept scheme (so that
/// "ont signé", a signing, does not hide "signé", agreements signed).
const REGIONS: usize = 0;
const PAIR_NAMES: usize = 1;
const PAIRING_CUES: usize = 2;
const MARKERS: usize = 3;
const PERIODS: usize = 4;
/// The first concept scheme's group; the others follow.
const CONCEPTS: usize = 5;

/// Each hit's span with its first meaning (groups whose patterns mean one thing each).
fn first_meanings(hits: Vec<Hit<'_>>) -> impl Iterator<Item = (Range<usize>, Meaning)> + '_ {
    hits.into_iter().map(|h| (h.span, h.meanings[0]))
}

impl Meaning {
    /// The group of the meaning; `scheme_of` gives a concept's scheme (its linking property).
    fn group(self, scheme_of: &[usize]) -> usize {
        match self {
            Meaning::Region(_) | Meaning::NotAPlace => REGIONS,
            Meaning::PairName(..) => PAIR_NAMES,
            Meaning::PairingCue(_) => PAIRING_CUES,
            Meaning::Marker(_) => MARKERS,
            Meaning::Period(..) => PERIODS,
            Meaning::Concept(c) => CONCEPTS + scheme_of[c],
        }
    }
}

/// A pattern's meanings in one group.
#[derive(Debug, Default, Clone)]
struct Senses {
    meanings: Vec<Meaning>,
    /// May end inside a word (a lexicon entry ending in `*`).
    open_ended: bool,
}

/// One occurrence of a pattern in the view, with its meanings in one group.
struct Hit<'a> {
    span: Range<usize>,
    meanings: &'a [Meaning],
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

/// Everything the knowledge names in a view, each list in text order without overlaps.
#[derive(Debug, Default)]
pub struct Found {
    pub mentions: Vec<Mention>,
    pub pairing_cues: Vec<CueHit>,
    /// Adjusted (调整, réajusté…), respectively (分别), comparison (相比), excluded (不再纳入) and
    /// the other marker cues.
    pub markers: Vec<CueHit>,
    /// Concepts (indices into `Knowledge::concepts`) cued, with where, ordered by start. The
    /// cues of one scheme do not overlap; those of different schemes may.
    pub concepts: Vec<(Range<usize>, usize)>,
    /// Five-year plans (十三五) with their first and last years.
    pub periods: Vec<(Range<usize>, (i32, i32))>,
}

/// The compiled automaton. Built once per process from the embedded knowledge.
pub struct Matcher {
    automaton: AhoCorasick,
    /// By pattern, the range of `senses` holding its meanings in each group it belongs to
    /// (mostly one): one flat table, read for every occurrence in every text.
    pattern_senses: Vec<Range<u32>>,
    /// (group, meanings in that group), pattern after pattern.
    senses: Vec<(usize, Senses)>,
    groups: usize,
    pair_name_suffixes: Vec<String>,
}

impl Matcher {
    pub fn embedded() -> &'static Matcher {
        static MATCHER: OnceLock<Matcher> = OnceLock::new();
        MATCHER.get_or_init(|| Matcher::new(Knowledge::embedded()))
    }

    pub fn new(k: &Knowledge) -> Matcher {
        // (text as written, meaning, open-ended)
        let mut entries: Vec<(String, Meaning, bool)> = Vec::new();
        for (id, region) in k.regions.iter().enumerate() {
            for name in &region.names {
                entries.push((name.clone(), Meaning::Region(id), false));
            }
        }
        for cue in &k.cues {
            let meaning = match cue.kind {
                CueKind::NotAPlace => Meaning::NotAPlace,
                CueKind::Pairing | CueKind::PairingPassive | CueKind::PairingSymmetric => {
                    Meaning::PairingCue(cue.kind)
                }
                CueKind::Adjusted
                | CueKind::Respectively
                | CueKind::Comparison
                | CueKind::Excluded
                | CueKind::Planned
                | CueKind::Statistics
                | CueKind::Anaphor
                | CueKind::Distributive => Meaning::Marker(cue.kind),
                _ => continue,
            };
            entries.push((cue.text.clone(), meaning, cue.prefix));
        }
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
        for (e, eid) in &east {
            for (w, wid) in &west {
                entries.push((format!("{e}{w}"), Meaning::PairName(*eid, *wid), false));
            }
        }
        // Other names of a pair (两广 for 粤桂): "ALIAS PAIR-NAME" in the lexicon.
        for cue in k.cues.iter().filter(|c| c.kind == CueKind::PairAlias) {
            let Some((alias, name)) = cue.text.split_once(' ') else {
                continue;
            };
            for (e, eid) in &east {
                for (w, wid) in &west {
                    if format!("{e}{w}") == name.trim() {
                        entries.push((alias.to_owned(), Meaning::PairName(*eid, *wid), false));
                    }
                }
            }
        }
        // Units are read right after numbers (see `numbers`), not anywhere in a sentence.
        let unit_property = format!("{XZ}unit");
        for (id, concept) in k.concepts.iter().enumerate() {
            if *concept.link_property != *unit_property {
                for cue in &concept.cues {
                    entries.push((cue.clone(), Meaning::Concept(id), false));
                }
            }
        }
        for (text, first, last) in &k.numbers.periods {
            entries.push((text.clone(), Meaning::Period(*first, *last), false));
        }

        // Concept schemes are told apart by their linking property.
        let mut schemes: Vec<&str> = Vec::new();
        let scheme_of: Vec<usize> = k
            .concepts
            .iter()
            .map(|c| {
                schemes
                    .iter()
                    .position(|&s| s == &*c.link_property)
                    .unwrap_or_else(|| {
                        schemes.push(&c.link_property);
                        schemes.len() - 1
                    })
            })
            .collect();
        let groups = CONCEPTS + schemes.len();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut senses: Vec<Vec<(usize, Senses)>> = Vec::new();
        for (text, meaning, open_ended) in entries {
            let folded = fold_str(text.trim(), k);
            if folded.is_empty() {
                continue;
            }
            let i = *index.entry(folded.clone()).or_insert_with(|| {
                patterns.push(folded);
                senses.push(Default::default());
                patterns.len() - 1
            });
            let group_of_meaning = meaning.group(&scheme_of);
            let groups_of_pattern = &mut senses[i];
            let at = match groups_of_pattern
                .iter()
                .position(|(g, _)| *g == group_of_meaning)
            {
                Some(at) => at,
                None => {
                    groups_of_pattern.push((group_of_meaning, Senses::default()));
                    groups_of_pattern.len() - 1
                }
            };
            let group = &mut groups_of_pattern[at].1;
            // "aide" and "aidé*" fold alike: the pattern then takes any ending.
            group.open_ended |= open_ended;
            if !group.meanings.contains(&meaning) {
                group.meanings.push(meaning);
            }
        }
        // A DFA: built once per process and then run over every byte of every text, so search
        // speed matters more than the megabytes and milliseconds it costs. Standard semantics,
        // because only they report every occurrence (leftmost-longest is applied per group).
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("patterns from the ontology compile");
        let pair_name_suffixes = k
            .cues
            .iter()
            .filter(|c| c.kind == CueKind::CompoundSuffix)
            .map(|c| fold_str(&c.text, k))
            .collect();
        let mut pattern_senses = Vec::with_capacity(senses.len());
        let mut flat = Vec::new();
        for groups_of_pattern in senses {
            let start = flat.len() as u32;
            flat.extend(groups_of_pattern);
            pattern_senses.push(start..flat.len() as u32);
        }
        Matcher {
            automaton,
            pattern_senses,
            senses: flat,
            groups,
            pair_name_suffixes,
        }
    }

    /// Everything the knowledge names in the view.
    pub fn scan(&self, view: &str) -> Found {
        let mut groups = self.hits(view);
        let concept_groups = groups.split_off(CONCEPTS);
        let [regions, pair_names, pairing_cues, markers, periods]: [Vec<Hit>; CONCEPTS] = groups
            .try_into()
            .unwrap_or_else(|_| unreachable!("five groups before concepts"));
        let mut concepts: Vec<(Range<usize>, usize)> = concept_groups
            .into_iter()
            .flatten()
            .flat_map(|h| {
                h.meanings.iter().filter_map(move |m| match m {
                    Meaning::Concept(c) => Some((h.span.clone(), *c)),
                    _ => None,
                })
            })
            .collect();
        concepts.sort_by_key(|(span, c)| (span.start, span.end, *c));
        Found {
            mentions: self.mentions(view, regions, pair_names),
            pairing_cues: first_meanings(pairing_cues)
                .filter_map(|(span, meaning)| match meaning {
                    Meaning::PairingCue(kind) => Some(CueHit { span, kind }),
                    _ => None,
                })
                .collect(),
            markers: first_meanings(markers)
                .filter_map(|(span, meaning)| match meaning {
                    Meaning::Marker(kind) => Some(CueHit { span, kind }),
                    _ => None,
                })
                .collect(),
            concepts,
            periods: first_meanings(periods)
                .filter_map(|(span, meaning)| match meaning {
                    Meaning::Period(first, last) => Some((span, (first, last))),
                    _ => None,
                })
                .collect(),
        }
    }

    /// Per group, the leftmost-longest occurrences in the view, keeping Latin patterns only
    /// where they start and end on word boundaries.
    fn hits(&self, view: &str) -> Vec<Vec<Hit<'_>>> {
        // (start, end, index into `senses`)
        let mut occurrences: Vec<Vec<(usize, usize, usize)>> = vec![Vec::new(); self.groups];
        for m in self.automaton.find_overlapping_iter(view) {
            let pattern = m.pattern().as_usize();
            let range = &self.pattern_senses[pattern];
            for at in range.start as usize..range.end as usize {
                occurrences[self.senses[at].0].push((m.start(), m.end(), at));
            }
        }
        let mut hits: Vec<Vec<Hit>> = (0..self.groups).map(|_| Vec::new()).collect();
        for (group, mut found) in occurrences.into_iter().enumerate() {
            // Leftmost first and, at one start, longest first: a leftmost-longest search keeps
            // the first of these and skips what overlaps it.
            found.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            // An occurrence that breaks a word ("ua bac" in "giua bac kinh") is no occurrence:
            // it must not hide one that starts later.
            let mut free_from = 0;
            for (start, end, at) in found {
                if start < free_from {
                    continue;
                }
                let senses = &self.senses[at].1;
                let starts_ok = !is_word_char_before(view, start) || !is_word_char_at(view, start);
                let ends_ok = senses.open_ended
                    || !is_word_char_before(view, end)
                    || !is_word_char_at(view, end);
                if starts_ok && ends_ok {
                    free_from = end;
                    hits[group].push(Hit {
                        span: start..end,
                        meanings: &senses.meanings,
                    });
                }
            }
        }
        hits
    }

    /// Regions named in the view, in text order. A pair name (闽宁 followed by 协作 or another
    /// suffix from the lexicon) yields its two regions; region names inside it do not count.
    fn mentions(&self, view: &str, regions: Vec<Hit>, pair_names: Vec<Hit>) -> Vec<Mention> {
        let mut mentions: Vec<Mention> = Vec::new();
        for hit in pair_names {
            let after = &view[hit.span.end..];
            if !self
                .pair_name_suffixes
                .iter()
                .any(|s| after.starts_with(s.as_str()))
            {
                continue;
            }
            let pairs: Vec<(RegionId, RegionId)> = hit
                .meanings
                .iter()
                .filter_map(|m| match m {
                    Meaning::PairName(east, west) => Some((*east, *west)),
                    _ => None,
                })
                .collect();
            let Some(&(east, west)) = pairs.first() else {
                continue;
            };
            let split = hit.span.start
                + view[hit.span.clone()]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8);
            mentions.push(Mention {
                span: hit.span.start..split,
                candidates: pairs
                    .iter()
                    .map(|p| p.0)
                    .collect::<Vec<_>>()
                    .dedup_sorted_or(east),
                in_pair_name: true,
            });
            mentions.push(Mention {
                span: split..hit.span.end,
                candidates: pairs
                    .iter()
                    .map(|p| p.1)
                    .collect::<Vec<_>>()
                    .dedup_sorted_or(west),
                in_pair_name: true,
            });
        }
        let pair_spans: Vec<Range<usize>> = mentions.iter().map(|m| m.span.clone()).collect();
        for hit in regions {
            if pair_spans
                .iter()
                .any(|s| s.start < hit.span.end && hit.span.start < s.end)
            {
                continue;
            }
            if hit.meanings.contains(&Meaning::NotAPlace) {
                continue;
            }
            let candidates: Vec<RegionId> = hit
                .meanings
                .iter()
                .filter_map(|m| match m {
                    Meaning::Region(id) => Some(*id),
                    _ => None,
                })
                .collect();
            if candidates.is_empty() {
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
            .scan(&view.text)
            .mentions
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
        // A name that would break a word does not hide the whole word after it.
        assert_eq!(
            codes("hợp tác giữa Bắc Kinh và Hà Bắc"),
            ["110000", "130000"]
        );
    }

    #[test]
    fn pair_names_need_a_suffix() {
        assert_eq!(codes("闽宁协作"), ["350000", "640000"]);
        assert_eq!(codes("粵桂扶貧協作"), ["440000", "450000"]);
        assert!(codes("京新高速").is_empty());
        // Another name of a pair, with the same suffixes.
        assert_eq!(codes("兩廣扶貧協作"), ["440000", "450000"]);
        assert!(codes("两广同饮珠江水").is_empty());
    }
}
