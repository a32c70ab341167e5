//! Which regions of a sentence pair with which: clauses, lists, qualifiers, table rows.
//!
//! Direction comes from the regions' sides (curated data), never from word order; word order
//! only says which helpers go with which recipients:
//!
//! - Within a clause, regions form runs of one side ("北京、天津" then "内蒙古、甘肃"); each run
//!   pairs with the run of the other side next to it, so "Fuzhou helping Dingxi and Xiamen
//!   helping Linxia" gives two pairings, not four. Two lists of several regions pair item by item
//!   when the sentence says so (分别, respectively) and the lists are as long as each other;
//!   otherwise they give nothing, since which goes with which is not stated.
//! - Commas between names of one side list them, as 、 does in Chinese: "Dalian, Qingdao,
//!   Shenzhen and Ningbo were assigned to help Guizhou" is one clause (`list_clauses`).
//! - A region qualifying another ("广东省深圳市", "Baise, in western Guangxi", "Linxia in
//!   neighbouring Gansu") steps aside: when it is written right next to a region inside it (a
//!   few characters, or up to three Latin words, with no list separator), or stands in a clause
//!   without a cue while that region is named elsewhere in the sentence.
//! - In a sentence reporting a meeting or a signing, a region written after one that contains it
//!   (not right next to it) is where the meeting took place, not a party: "闽宁联席会议在银川召开",
//!   "Pékin et la Mongolie intérieure ont signé à Hohhot".
//! - A clause naming one side only takes the other side from the nearest earlier clause, or from
//!   its pair name (闽宁) when it has a cue word besides the pair name's suffix (银川市永宁县闽宁镇
//!   是闽宁协作的缩影 pairs nothing).
//! - A clause that compares regions (与…相比, compared with), or tells that they left the programme
//!   (不再纳入, 対象から外れた), pairs nothing, nor do the clauses of names only that lead into it.
//! - A line that is a table row or a dash list ("北京市—内蒙古自治区", "| 上海 | 云南 |") pairs
//!   without a cue word: its cells hold nothing but regions, years and separators.

use crate::knowledge::{CueKind, Knowledge, Level, RegionId, Side};
use crate::mentions::{CueHit, Mention};
use std::ops::Range;

/// A pairing a sentence states, with the clause it was read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub helper: RegionId,
    pub recipient: RegionId,
    pub rule: String,
    /// Index into the sentence's clauses (for a table row: 0).
    pub clause: usize,
    /// The earlier clause one side was taken from, which the pairing goes on telling ("Pékin
    /// concentre son aide à la Mongolie intérieure sur les zones les plus pauvres, en particulier
    /// Chifeng et Ulanqab").
    pub borrowed_from: Option<usize>,
}

/// What the rules read of one sentence.
pub struct SentenceParts<'a> {
    pub view: &'a str,
    pub span: Range<usize>,
    pub clauses: &'a [Range<usize>],
    /// The sentence's mentions in text order.
    pub mentions: &'a [&'a (Mention, RegionId)],
    /// Pairing cue words of the sentence.
    pub cues: &'a [CueHit],
    /// Adjusted, respectively and comparison cues of the sentence.
    pub markers: &'a [CueHit],
    /// The sentence reports a meeting or a signing: a region inside another one it names is
    /// where it took place, not a party.
    pub reports_event: bool,
}

/// The pairings a sentence states, in text order (possibly repeated).
pub fn sentence_pairs(s: &SentenceParts, k: &Knowledge) -> Vec<Pair> {
    let has_pair_name = s.mentions.iter().any(|(m, _)| m.in_pair_name);
    let pairs = match s.cues.first() {
        Some(cue) => clause_pairs(s, cue.kind, k),
        None if has_pair_name => clause_pairs(s, CueKind::Pairing, k),
        None => row_pairs(s, k),
    };
    without_provinces_of_named_cities(pairs, s, k)
}

/// A helping province that pairs with the same recipient as one of its own cities in the same
/// clause names where that city is, not a second helper ("jobs in Qingdao and other parts of
/// Shandong"): the city's pairing stands for both. (In different clauses the province may be
/// the helper and the city one of its agents: "廣東對口幫扶廣西，深圳是其中投入最多的城市之一".)
/// Only helping provinces step aside: a recipient province beside its cities is how texts state
/// an adjustment ("京蒙协作作出调整：北京市重点帮扶乌兰察布市与赤峰市"), and a city beside its
/// counties is a pairing of its own. Names joined as items of a list are two helpers
/// ("广东、深圳对口帮扶广西").
fn without_provinces_of_named_cities(
    pairs: Vec<Pair>,
    s: &SentenceParts,
    k: &Knowledge,
) -> Vec<Pair> {
    // "广东、深圳对口帮扶广西": names joined as items of a list are two helpers.
    let listed_together = |a: RegionId, b: RegionId| {
        s.mentions.iter().any(|(ma, ra)| {
            *ra == a
                && s.mentions.iter().any(|(mb, rb)| {
                    let gap = if ma.span.end <= mb.span.start {
                        &s.view[ma.span.end..mb.span.start]
                    } else if mb.span.end <= ma.span.start {
                        &s.view[mb.span.end..ma.span.start]
                    } else {
                        return false;
                    };
                    *rb == b && is_list_joiner(gap, k)
                })
        })
    };
    let subsumed = |p: &Pair| {
        k.regions[p.helper].level == Level::Province
            && pairs.iter().any(|q| {
                q.clause == p.clause
                    && q.recipient == p.recipient
                    && k.is_ancestor(p.helper, q.helper)
                    && !listed_together(p.helper, q.helper)
            })
    };
    let keep: Vec<bool> = pairs.iter().map(|p| !subsumed(p)).collect();
    pairs
        .into_iter()
        .zip(keep)
        .filter_map(|(p, keep)| keep.then_some(p))
        .collect()
}

/// A clause that holds names of regions and nothing else but spaces and punctuation.
fn only_names(s: &SentenceParts, clause: &Range<usize>) -> bool {
    let names: Vec<&Range<usize>> = s
        .mentions
        .iter()
        .map(|(m, _)| &m.span)
        .filter(|span| within(span, clause))
        .collect();
    !names.is_empty()
        && s.view[clause.clone()].char_indices().all(|(at, c)| {
            let at = clause.start + at;
            !c.is_alphanumeric() || names.iter().any(|span| span.contains(&at))
        })
}

fn within(inner: &Range<usize>, outer: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn clause_of(clauses: &[Range<usize>], span: &Range<usize>) -> Option<usize> {
    clauses.iter().position(|c| within(span, c))
}

fn pair_name_ends(s: &SentenceParts) -> Vec<usize> {
    s.mentions
        .iter()
        .filter(|(m, _)| m.in_pair_name)
        .map(|(m, _)| m.span.end)
        .collect()
}

fn clause_pairs(s: &SentenceParts, cue: CueKind, k: &Knowledge) -> Vec<Pair> {
    let cue_name = match cue {
        CueKind::PairingPassive => "passive-cue",
        CueKind::PairingSymmetric => "symmetric-cue",
        _ => "cue",
    };
    let n = s.clauses.len();
    // A cue word of the clause's own: not the suffix that makes 闽宁 a pair name (闽宁协作).
    let suffix_starts = pair_name_ends(s);
    let mut own_cue = vec![false; n];
    for hit in s.cues {
        if !suffix_starts.contains(&hit.span.start) {
            if let Some(c) = clause_of(s.clauses, &hit.span) {
                own_cue[c] = true;
            }
        }
    }
    let mut pairs_nothing = vec![false; n];
    let mut respectively = false;
    for hit in s.markers {
        match hit.kind {
            CueKind::Adjusted => {
                if let Some(c) = clause_of(s.clauses, &hit.span) {
                    own_cue[c] = true;
                }
            }
            // A clause comparing regions, or telling that they left the programme, states
            // no pairing of theirs; nor do the clauses right before it that only list names
            // leading into it ("湖北省恩施州、湖南省湘西州など…が対象から外れた").
            CueKind::Comparison | CueKind::Excluded => {
                if let Some(c) = clause_of(s.clauses, &hit.span) {
                    pairs_nothing[c] = true;
                    for before in (0..c).rev() {
                        if !only_names(s, &s.clauses[before]) {
                            break;
                        }
                        pairs_nothing[before] = true;
                    }
                }
            }
            CueKind::Respectively => respectively = true,
            _ => {}
        }
    }
    let standing = standing_regions(s, &own_cue, k);

    let mut pairs = Vec::new();
    let (mut last_helpers, mut last_recipients): (Vec<RegionId>, Vec<RegionId>) =
        (Vec::new(), Vec::new());
    // The clauses they were named in.
    let (mut helpers_clause, mut recipients_clause) = (0, 0);
    for (ci, clause) in s.clauses.iter().enumerate() {
        if pairs_nothing[ci] {
            continue;
        }
        let here: Vec<&(Mention, RegionId)> = s
            .mentions
            .iter()
            .copied()
            .filter(|(m, _)| within(&m.span, clause))
            .collect();
        // Pair names come as two adjacent mentions, eastern then western.
        let pair_names: Vec<(RegionId, RegionId)> = here
            .windows(2)
            .filter(|w| {
                w[0].0.in_pair_name && w[1].0.in_pair_name && w[0].0.span.end == w[1].0.span.start
            })
            .map(|w| (w[0].1, w[1].1))
            .collect();
        for &(h, r) in &pair_names {
            pairs.push(Pair {
                helper: h,
                recipient: r,
                rule: format!("pair-name+{cue_name}"),
                clause: ci,
                borrowed_from: None,
            });
        }
        let runs = side_runs(
            standing
                .iter()
                .filter(|(m, _)| within(&m.span, clause))
                .map(|&&(_, r)| r),
            k,
        );
        if runs.is_empty() {
            // A clause of a pair name alone lends its sides to the clauses after it.
            if let [(h, r)] = pair_names.as_slice() {
                (last_helpers, last_recipients) = (vec![*h], vec![*r]);
                (helpers_clause, recipients_clause) = (ci, ci);
            }
            continue;
        }
        let clause_helpers = last_run(&runs, Side::East);
        let clause_recipients = last_run(&runs, Side::West);
        let mut push = |helpers: &[RegionId],
                        recipients: &[RegionId],
                        structure: &str,
                        borrowed_from: Option<usize>| {
            for (h, r, how) in match_lists(helpers, recipients, respectively) {
                if h != r
                    && !k.is_ancestor(h, r)
                    && !k.is_ancestor(r, h)
                    && !pair_names.contains(&(h, r))
                {
                    let rule = match how {
                        "" => format!("{structure}+{cue_name}"),
                        how => format!("{structure}+{how}+{cue_name}"),
                    };
                    pairs.push(Pair {
                        helper: h,
                        recipient: r,
                        rule,
                        clause: ci,
                        borrowed_from,
                    });
                }
            }
        };
        if let (Some(_), Some(_)) = (&clause_helpers, &clause_recipients) {
            // Each run pairs with the run of the other side that follows it.
            let mut i = 0;
            while i + 1 < runs.len() {
                let ((side_a, a), (_, b)) = (&runs[i], &runs[i + 1]);
                let (helpers, recipients) = if *side_a == Side::East {
                    (a, b)
                } else {
                    (b, a)
                };
                push(helpers, recipients, "clause", None);
                i += 2;
            }
        } else {
            let single_pair_name = (pair_names.len() == 1 && own_cue[ci]).then(|| pair_names[0]);
            let borrowed = |own: &Option<Vec<RegionId>>,
                            from_pair_name: Option<RegionId>,
                            earlier: &Vec<RegionId>,
                            earlier_rule: &'static str|
             -> Option<(Vec<RegionId>, &'static str)> {
                match (own, from_pair_name) {
                    (Some(_), _) => None,
                    (None, Some(r)) => Some((vec![r], "pair-name")),
                    (None, None) if !earlier.is_empty() => Some((earlier.clone(), earlier_rule)),
                    _ => None,
                }
            };
            if let Some(helpers) = &clause_helpers {
                if let Some((recipients, rule)) = borrowed(
                    &clause_recipients,
                    single_pair_name.map(|p| p.1),
                    &last_recipients,
                    "recipient-from-earlier-clause",
                ) {
                    let from = (rule != "pair-name").then_some(recipients_clause);
                    push(helpers, &recipients, rule, from);
                }
            }
            if let Some(recipients) = &clause_recipients {
                if let Some((helpers, rule)) = borrowed(
                    &clause_helpers,
                    single_pair_name.map(|p| p.0),
                    &last_helpers,
                    "helper-from-earlier-clause",
                ) {
                    let from = (rule != "pair-name").then_some(helpers_clause);
                    push(&helpers, recipients, rule, from);
                }
            }
        }
        if let Some(h) = clause_helpers {
            last_helpers = h;
            helpers_clause = ci;
        }
        if let Some(r) = clause_recipients {
            last_recipients = r;
            recipients_clause = ci;
        }
    }
    pairs
}

/// Helpers and recipients of two lists: every combination when one list has one region, item
/// by item for lists said to go together (respectively), else none. With how they were matched.
fn match_lists(
    helpers: &[RegionId],
    recipients: &[RegionId],
    respectively: bool,
) -> Vec<(RegionId, RegionId, &'static str)> {
    if helpers.len() == 1 || recipients.len() == 1 {
        helpers
            .iter()
            .flat_map(|&h| recipients.iter().map(move |&r| (h, r, "")))
            .collect()
    } else if respectively && helpers.len() == recipients.len() {
        helpers
            .iter()
            .zip(recipients)
            .map(|(&h, &r)| (h, r, "respectively"))
            .collect()
    } else {
        Vec::new()
    }
}

/// Regions in text order grouped into runs of one side; regions of no side are left out.
fn side_runs(regions: impl Iterator<Item = RegionId>, k: &Knowledge) -> Vec<(Side, Vec<RegionId>)> {
    let mut runs: Vec<(Side, Vec<RegionId>)> = Vec::new();
    for r in regions {
        let Some(side) = k.regions[r].side else {
            continue;
        };
        match runs.last_mut() {
            Some((s, run)) if *s == side => {
                if !run.contains(&r) {
                    run.push(r);
                }
            }
            _ => runs.push((side, vec![r])),
        }
    }
    runs
}

fn last_run(runs: &[(Side, Vec<RegionId>)], side: Side) -> Option<Vec<RegionId>> {
    runs.iter()
        .rev()
        .find(|(s, _)| *s == side)
        .map(|(_, r)| r.clone())
}

/// The sentence's ordinary mentions (not halves of pair names) that do not step aside for a
/// region inside them: written right next to it ("广东省深圳市", "Zunyi, Guizhou" is not next
/// to it, "Zunyi in Guizhou" is), or standing in a clause without a cue word while the region
/// inside is named in another clause ("Baise, an old base in western Guangxi, …").
fn standing_regions<'a>(
    s: &SentenceParts<'a>,
    own_cue: &[bool],
    k: &Knowledge,
) -> Vec<&'a (Mention, RegionId)> {
    let ordinary: Vec<&(Mention, RegionId)> = s
        .mentions
        .iter()
        .copied()
        .filter(|(m, _)| !m.in_pair_name)
        .collect();
    // "闽宁联席会议在银川召开", "ont signé le 8 avril à Hohhot": in a sentence reporting a
    // meeting, a region written after one that contains it, and not right next to it, is where
    // the meeting took place, not a party to it.
    // So is a region written right after a venue word ("luân phiên tổ chức tại Thiên Tân và Lan
    // Châu"), and the regions listed with it.
    let after_venue_word = |m: &Mention| {
        let before = s.view[..m.span.start].trim_end_matches(' ');
        k.folded_cues(CueKind::Venue).iter().any(|venue| {
            before.strip_suffix(venue.as_str()).is_some_and(|rest| {
                !venue.starts_with(|c: char| c.is_ascii_alphanumeric())
                    || !rest.ends_with(|c: char| c.is_alphanumeric())
            })
        })
    };
    let venue = |m: &Mention| {
        after_venue_word(m)
            || s.mentions.iter().any(|(listed, _)| {
                listed.span.end <= m.span.start
                    && after_venue_word(listed)
                    && is_list_joiner(&s.view[listed.span.end..m.span.start], k)
            })
    };
    let place_of_event = |(inner, inner_region): &(Mention, RegionId)| {
        s.reports_event
            && (venue(inner)
                || s.mentions.iter().any(|(outer, outer_region)| {
                    outer.span.end <= inner.span.start
                        && k.is_ancestor(*outer_region, *inner_region)
                        && !is_tight_gap(&s.view[outer.span.end..inner.span.start])
                }))
    };
    let ordinary: Vec<&(Mention, RegionId)> = ordinary
        .into_iter()
        .filter(|m| !place_of_event(m))
        .collect();
    ordinary
        .iter()
        .copied()
        .filter(|(outer, outer_region)| {
            let outer_clause = clause_of(s.clauses, &outer.span);
            !ordinary.iter().any(|(inner, inner_region)| {
                if !k.is_ancestor(*outer_region, *inner_region) {
                    return false;
                }
                let gap = if outer.span.end <= inner.span.start {
                    &s.view[outer.span.end..inner.span.start]
                } else if inner.span.end <= outer.span.start {
                    &s.view[inner.span.end..outer.span.start]
                } else {
                    ""
                };
                let next_to = is_qualifying_gap(gap, k);
                let apart = outer_clause != clause_of(s.clauses, &inner.span)
                    && !outer_clause.is_some_and(|c| own_cue[c]);
                next_to || apart
            })
        })
        .collect()
}

/// Nothing but spaces, punctuation or a possessive ending between two names: "广东省深圳市",
/// "Guangxi's Baise".
fn is_tight_gap(gap: &str) -> bool {
    let gap = gap.trim();
    let gap = gap
        .strip_prefix(['\'', '’'])
        .map_or(gap, |rest| rest.trim_start_matches('s'));
    gap.chars()
        .all(|c| c.is_whitespace() || c.is_ascii_punctuation())
}

/// Text between two regions that makes one qualify the other: short, and not a list separator
/// ("广东省的深圳市", "Zunyi in Guizhou", "Guizhou's Zunyi", but not "广东、深圳").
fn is_qualifying_gap(gap: &str, k: &Knowledge) -> bool {
    let gap = gap.trim();
    // A date between two names ("杭州5月3日电 浙江省") is no qualifier.
    if gap.contains(|c: char| c.is_ascii_digit()) {
        return false;
    }
    // Latin-script text qualifies with a few words ("in neighbouring Gansu", "in southwest
    // China's"): count words there, characters elsewhere.
    let latin_words = gap
        .chars()
        .all(|c| c.is_ascii_alphabetic() || matches!(c, ' ' | '\'' | '-'))
        .then(|| gap.split_whitespace().count());
    if latin_words.map_or(gap.chars().count() > 12, |words| words > 3) {
        return false;
    }
    !gap.contains(LIST_SEPARATORS) && !holds_joiner(gap, k)
}

/// The punctuation that separates the items of a list of names, in any script; the words that
/// join them (和, and, et, và) are `list-joiner` cues of the lexicon.
const LIST_SEPARATORS: [char; 9] = ['、', ',', '，', ';', '；', '/', '・', '·', '&'];

/// A joining word in `gap`: a whole word in Latin script, anywhere in CJK text, where words are
/// not spaced ("广东省和深圳").
fn holds_joiner(gap: &str, k: &Knowledge) -> bool {
    k.folded_cues(CueKind::ListJoiner).iter().any(|joiner| {
        if joiner.is_ascii() {
            gap.split_whitespace().any(|w| w == joiner)
        } else {
            gap.contains(joiner.as_str())
        }
    })
}

/// A gap that is nothing but one list separator or joining word ("广东、深圳", "Fuzhou and Xiamen").
fn is_list_joiner(gap: &str, k: &Knowledge) -> bool {
    let gap = gap.trim();
    k.folded_cues(CueKind::ListJoiner)
        .iter()
        .any(|joiner| joiner == gap)
        || {
            let mut chars = gap.chars();
            chars.next().is_some_and(|c| LIST_SEPARATORS.contains(&c)) && chars.next().is_none()
        }
}

/// The sentence's clauses with those that a comma between two names of one side splits joined
/// again: in "Dalian, Qingdao, Shenzhen and Ningbo were assigned to help Guizhou" the commas list
/// regions, as 、 does in Chinese. Names one inside the other ("Baise, Guangxi") qualify, and
/// names of two sides ("In Guizhou, Guangzhou helps…") stand in clauses of their own.
pub fn list_clauses<'c>(
    view: &str,
    clauses: &'c [Range<usize>],
    mentions: &[&(Mention, RegionId)],
    k: &Knowledge,
) -> std::borrow::Cow<'c, [Range<usize>]> {
    if mentions.len() < 2 || clauses.len() < 2 {
        return clauses.into();
    }
    let mut joined: Vec<Range<usize>> = Vec::with_capacity(clauses.len());
    // A word of up to four bytes (the, les, các) may stand between a clause edge and its name.
    let near = |a: usize, b: usize| b >= a && b - a <= 4;
    for clause in clauses {
        let lists_on = joined.last().is_some_and(|previous: &Range<usize>| {
            let separator = view[previous.end..clause.start].trim();
            if !matches!(separator, "," | "，") {
                return false;
            }
            let last = mentions
                .iter()
                .rev()
                .find(|(m, _)| within(&m.span, previous));
            let first = mentions.iter().find(|(m, _)| within(&m.span, clause));
            let (Some((before, a)), Some((after, b))) = (last, first) else {
                return false;
            };
            near(before.span.end, previous.end)
                && near(clause.start, after.span.start)
                && k.regions[*a].side.is_some()
                && k.regions[*a].side == k.regions[*b].side
                && !k.is_ancestor(*a, *b)
                && !k.is_ancestor(*b, *a)
        });
        match joined.last_mut() {
            Some(previous) if lists_on => previous.end = clause.end,
            _ => joined.push(clause.clone()),
        }
    }
    joined.into()
}

/// Cells of a table row or dash list are separated by these.
fn is_row_separator(c: char) -> bool {
    matches!(
        c,
        '|' | '｜'
            | '\t'
            | '—'
            | '–'
            | '―'
            | '─'
            | '-'
            | '→'
            | '⇒'
            | '⇥'
            | '>'
            | ':'
            | '：'
            | '~'
            | '〜'
    )
}

/// A gap of two or more spaces (full-width ones fold to spaces) separates the columns of a table
/// laid out with spaces ("江蘇省　　　　陝西省、青海省"); one space is only a space.
fn has_row_separator(text: &str) -> bool {
    text.chars().any(is_row_separator) || text.contains("  ")
}

/// A line that is a table row or a dash list pairs the regions on either side of a separator:
/// everything else in it is separators, list joiners, numbers or years.
fn row_pairs(s: &SentenceParts, k: &Knowledge) -> Vec<Pair> {
    let ordinary: Vec<&(Mention, RegionId)> = s
        .mentions
        .iter()
        .copied()
        .filter(|(m, _)| !m.in_pair_name)
        .collect();
    if ordinary.is_empty() || ordinary.len() > 8 {
        return Vec::new();
    }
    if !is_row_shaped(s.view, &s.span, ordinary.iter().map(|(m, _)| &m.span), k) {
        return Vec::new();
    }
    // A separator between the two sides: all of one side before it, all of the other after.
    let whole = SentenceParts {
        view: s.view,
        span: s.span.clone(),
        clauses: std::slice::from_ref(&s.span),
        mentions: s.mentions,
        cues: s.cues,
        markers: s.markers,
        reports_event: s.reports_event,
    };
    let standing = standing_regions(&whole, &[true], k);
    let sided: Vec<(&Mention, Side, RegionId)> = standing
        .iter()
        .filter_map(|(m, r)| k.regions[*r].side.map(|side| (m, side, *r)))
        .collect();
    let runs = side_runs(sided.iter().map(|&(_, _, r)| r), k);
    let [(first_side, first), (_, second)] = runs.as_slice() else {
        return Vec::new();
    };
    let boundary = sided
        .windows(2)
        .find(|w| w[0].1 != w[1].1)
        .map(|w| w[0].0.span.end..w[1].0.span.start);
    let Some(boundary) = boundary else {
        return Vec::new();
    };
    if !has_row_separator(&s.view[boundary]) {
        return Vec::new();
    }
    let (helpers, recipients) = if *first_side == Side::East {
        (first, second)
    } else {
        (second, first)
    };
    match_lists(helpers, recipients, false)
        .into_iter()
        .filter(|&(h, r, _)| !k.is_ancestor(h, r) && !k.is_ancestor(r, h))
        .map(|(helper, recipient, _)| Pair {
            helper,
            recipient,
            rule: "table-row".to_owned(),
            clause: 0,
            borrowed_from: None,
        })
        .collect()
}

/// Besides the regions (`region_spans`, in text order), a row holds only separators, list
/// joiners, list markers, digits and at most a few letters (年, 起).
fn is_row_shaped<'a>(
    view: &str,
    span: &Range<usize>,
    region_spans: impl Iterator<Item = &'a Range<usize>>,
    k: &Knowledge,
) -> bool {
    let mut rest = String::new();
    let mut at = span.start;
    for region in region_spans {
        if region.start >= at {
            rest.push_str(&view[at..region.start]);
            // Not a space: the spaces around a region must not join into a column gap.
            rest.push('#');
            at = region.end;
        }
    }
    rest.push_str(&view[at..span.end]);
    if !has_row_separator(rest.trim()) {
        return false;
    }
    // The lexicon's joining words and start words ("and", "since", "từ năm", 和, と) are no
    // letters of a cell: Latin ones as words, the others wherever they stand.
    let joiners = k.folded_cues(CueKind::ListJoiner);
    let starts = [CueKind::SinceBefore, CueKind::SinceAfter].map(|kind| k.folded_cues(kind));
    let latin_words: Vec<&str> = joiners
        .iter()
        .chain(starts.iter().copied().flatten())
        .filter(|cue| cue.is_ascii())
        .flat_map(|cue| cue.split_whitespace())
        .collect();
    for joiner in joiners.iter().filter(|j| !j.is_ascii()) {
        rest = rest.replace(joiner.as_str(), " ");
    }
    let letters: usize = rest
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !latin_words.contains(w))
        .map(|w| w.chars().count())
        .sum();
    letters <= 3
}

/// For each line of the view, the stretch of text whose years its pairings take when they state
/// none: an item of a list or a row of a table takes the years of what introduces the list — a
/// line ending in a colon, or a heading naming a pairing cue but no region ("二、1996年确定的结对
/// 关系"); such a heading without a year of its own (a table's header row) reaches back to the
/// line before it. After a colon, lines ending in ";" or "," or in no stop are items too ("Beijing
/// assists Inner Mongolia;"); one ending in a stop closes the list.
pub fn list_headings(
    view: &str,
    cues: &[CueHit],
    names_region: impl Fn(&Range<usize>) -> bool,
    has_year: impl Fn(&Range<usize>) -> bool,
) -> Vec<Option<Range<usize>>> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in view.split('\n') {
        lines.push(offset..offset + line.len());
        offset += line.len() + 1;
    }
    let has_cue = |line: &Range<usize>| {
        let first = cues.partition_point(|c| c.span.start < line.start);
        cues.get(first).is_some_and(|c| c.span.end <= line.end)
    };
    let mut headings = vec![None; lines.len()];
    // The heading in force, whether a colon opened it, the line it ends on, and the previous
    // non-empty line.
    let mut current: Option<Range<usize>> = None;
    let mut after_colon = false;
    let mut heading_line = None;
    let mut previous: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        let text = view[line.clone()].trim();
        if text.is_empty() {
            continue;
        }
        let colon = text.ends_with([':', '：']);
        let stops = text.ends_with(['.', '。', '!', '?', '！', '？']);
        // A heading is no sentence: it does not end in a stop.
        if colon || (has_cue(line) && !names_region(line) && !stops) {
            let header_row =
                !colon && !has_year(line) && current.is_some() && heading_line == previous;
            if !header_row {
                let start = match previous {
                    Some(p) if !colon && !has_year(line) => lines[p].start,
                    _ => line.start,
                };
                current = Some(start..line.end);
                after_colon = colon;
            }
            heading_line = Some(i);
            previous = Some(i);
            continue;
        }
        let continues = text.ends_with([';', '；', ',', '，']) || !stops;
        if is_list_item(text) || (after_colon && current.is_some() && continues) {
            headings[i] = current.clone();
        } else if after_colon && current.is_some() {
            headings[i] = current.take();
        } else {
            current = None;
        }
        previous = Some(i);
    }
    headings
}

/// A line that is an item of a list or a row of a table.
fn is_list_item(line: &str) -> bool {
    let starts_with_marker = {
        let mut chars = line.chars();
        match chars.next() {
            Some('-' | '•' | '·' | '・' | '*' | '▪' | '●' | '○' | '■' | '◆' | '|' | '｜') => {
                true
            }
            Some('(' | '（') => true,
            Some(c) if ('①'..='⑳').contains(&c) => true,
            Some(c) if c.is_ascii_digit() => {
                let after = line.trim_start_matches(|c: char| c.is_ascii_digit());
                after.starts_with(['.', ')', '、', '．'])
            }
            Some(c) if "一二三四五六七八九十".contains(c) => {
                let after = line.trim_start_matches(|c: char| "一二三四五六七八九十".contains(c));
                after.starts_with('、')
            }
            _ => false,
        }
    };
    let has_cells = line.contains(['|', '｜', '\t', '—', '–', '―', '→', '⇥'])
        || line.contains(" - ")
        || line.contains("  ");
    starts_with_marker || (has_cells && line.chars().count() <= 80)
}

/// Sentences written for these tests. Regions: Beijing 110000, Tianjin 120000, Inner Mongolia
/// 150000, Gansu 620000, Fuzhou 350100, Xiamen 350200, Dingxi 621100, Linxia 622900, Guangdong
/// 440000, Shenzhen 440300, Guangxi 450000, Baise 451000, Shaanxi 610000, Zhangjiakou 130700,
/// Jiangsu 320000, Guizhou 520000, Guangzhou 440100,
/// Qiannan 522700, Shandong 370000, Chongqing 500000, Zhejiang 330000, Sichuan 510000, Aba
/// 513200, Fujian 350000, Ningxia 640000, Guyuan 640400, Hohhot 150100, Dalian 210200,
/// Liupanshui 520200, Zunyi 520300.
#[cfg(test)]
mod tests {
    use crate::extract::extract;

    fn pairs(text: &str) -> Vec<(String, String, Option<i32>)> {
        let mut v: Vec<_> = extract("t.txt", text.as_bytes())
            .unwrap()
            .pairings
            .into_iter()
            .map(|p| (p.helper, p.recipient, p.since))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    fn p(h: &str, r: &str, since: Option<i32>) -> (String, String, Option<i32>) {
        (h.to_owned(), r.to_owned(), since)
    }

    #[test]
    fn two_lists_pair_item_by_item_only_when_the_text_says_so() {
        assert_eq!(
            pairs("北京市、天津市分别对口帮扶内蒙古自治区、甘肃省。"),
            [p("110000", "150000", None), p("120000", "620000", None)]
        );
        assert!(pairs("北京市、天津市对口帮扶内蒙古自治区、甘肃省。").is_empty());
        assert!(pairs("北京市、天津市分别对口帮扶内蒙古、甘肃和宁夏。").is_empty());
    }

    #[test]
    fn each_helper_goes_with_the_recipient_after_it() {
        assert_eq!(
            pairs("Under the plan, Fuzhou assists Dingxi and Xiamen assists Linxia."),
            [p("350100", "621100", None), p("350200", "622900", None)]
        );
    }

    #[test]
    fn a_region_qualifying_another_steps_aside_but_a_listed_one_does_not() {
        assert_eq!(
            pairs("Baise, a city in western Guangxi, has received help from Shenzhen."),
            [p("440300", "451000", None)]
        );
        assert_eq!(
            pairs("广东、深圳对口帮扶广西。"),
            [p("440000", "450000", None), p("440300", "450000", None)]
        );
        assert_eq!(
            pairs("広東省と深セン市が広西を支援した。"),
            [p("440000", "450000", None), p("440300", "450000", None)]
        );
    }

    #[test]
    fn comparisons_pair_nothing() {
        assert!(pairs("与广东相比,陕西的扶贫协作仍有差距。").is_empty());
        assert!(
            pairs("Compared with Guangdong, Shaanxi still lags behind in cooperation.").is_empty()
        );
    }

    #[test]
    fn a_region_that_left_the_programme_pairs_with_nothing() {
        assert!(pairs("深圳市的对口帮扶并入广东省，百色市不再纳入帮扶范围。").is_empty());
        assert!(pairs(
            "Shenzhen's assistance was merged into Guangdong's, and Baise is no longer covered."
        )
        .is_empty());
        // Names listed in the clauses leading into it left with it.
        assert!(pairs(
            "深セン市の支援は広東省の協力に統合され、百色市、甘粛省などの地域が対象から外れた。"
        )
        .is_empty());
        // The clause that says so pairs nothing; the others pair as ever.
        assert_eq!(
            pairs("广东对口帮扶广西，百色市不再纳入。"),
            [p("440000", "450000", None)]
        );
    }

    #[test]
    fn a_town_named_after_a_pair_is_not_a_pairing_of_its_county() {
        assert_eq!(
            pairs("银川市永宁县闽宁镇是闽宁协作的缩影。"),
            [p("350000", "640000", None)]
        );
    }

    #[test]
    fn table_rows_and_dash_lists_pair_and_take_the_year_of_their_heading() {
        let text = "1996年确定的结对关系如下:\n北京市—内蒙古自治区、河北省张家口市\n| 天津市 | 甘肃省 |\n\n东部地区经济发达。";
        assert_eq!(
            pairs(text),
            [
                p("110000", "130700", Some(1996)),
                p("110000", "150000", Some(1996)),
                p("120000", "620000", Some(1996))
            ]
        );
        // A navigation line is not a table row.
        assert!(pairs("首页 | 北京 | 广东 | 广西 | 新闻").is_empty());
        // Columns laid out with spaces, under a header row that names no region.
        let text = "表1　2021年からの東西部協作の結対関係\n　支援側　　　　被支援側\n　江蘇省　　　　陝西省、青海省\n　Fujian      Ningxia\n";
        assert_eq!(
            pairs(text),
            [
                p("320000", "610000", Some(2021)),
                p("320000", "630000", Some(2021)),
                p("350000", "640000", Some(2021))
            ]
        );
        // One space between names is no column.
        assert!(pairs("Fujian Ningxia").is_empty());
    }

    #[test]
    fn items_after_a_colon_take_its_year_until_a_stop_closes_the_list() {
        let text = "In 2016 the pairings were adjusted. Under the new plan:\n\nTianjin assists Gansu;\nBeijing assists Inner Mongolia.\nFujian helps Ningxia.";
        assert_eq!(
            pairs(text),
            [
                p("110000", "150000", Some(2016)),
                p("120000", "620000", Some(2016)),
                p("350000", "640000", None)
            ]
        );
    }

    #[test]
    fn a_list_spelled_out_after_a_colon_takes_the_year_of_the_sentence_before() {
        let text = "1996年,北京、天津、上海分别对口帮扶内蒙古、甘肃、云南、贵州。具体结对关系为:北京—内蒙古,天津—甘肃。";
        assert_eq!(
            pairs(text),
            [
                p("110000", "150000", Some(1996)),
                p("120000", "620000", Some(1996))
            ]
        );
    }

    #[test]
    fn sentences_hard_wrapped_by_a_pdf_are_read_whole() {
        let zh = "标题\n比如,1996年至2019年,福建省与宁夏回\n族自治区每年召开一次联席会议,确保双方\n及时获取需要的信息。";
        assert_eq!(pairs(zh), [p("350000", "640000", Some(1996))]);
        let en = "For instance, since 1996 the province of Fujian in southeast China\nand Ningxia Hui Autonomous Region in northwest China have held\nannual joint meetings and cooperated closely.";
        assert_eq!(pairs(en), [p("350000", "640000", Some(1996))]);
        // A heading is not the start of the paragraph after it.
        let heading = "Cooperation between Fujian and the west\nNingxia has received help from many provinces since 1996.";
        assert!(pairs(heading).is_empty());
    }

    #[test]
    fn a_pairing_starts_in_the_year_of_its_own_clause() {
        assert_eq!(
            pairs("Beijing has helped Inner Mongolia since 1996, and it has assisted Zhangjiakou since 2016."),
            [p("110000", "130700", Some(2016)), p("110000", "150000", Some(1996))]
        );
    }

    #[test]
    fn commas_between_names_of_one_side_list_them() {
        assert_eq!(
            pairs("Under the plan, Jiangsu, Zhejiang and Tianjin were asked to support Guizhou."),
            [
                p("120000", "520000", None),
                p("320000", "520000", None),
                p("330000", "520000", None)
            ]
        );
        assert_eq!(
            pairs("Tỉnh Giang Tô, tỉnh Chiết Giang hỗ trợ Quý Châu."),
            [p("320000", "520000", None), p("330000", "520000", None)]
        );
        // A comma between a region and the province it lies in, or between the two sides, is
        // no list.
        assert_eq!(
            pairs("In Guizhou, Guangzhou helps Qiannan."),
            [p("440100", "522700", None)]
        );
    }

    #[test]
    fn funds_allocated_to_a_region_state_a_pairing() {
        assert_eq!(
            pairs("Le Jiangsu a consacré 2 milliards de yuans au Qinghai."),
            [p("320000", "630000", None)]
        );
        assert_eq!(
            pairs("Zhejiang allocated 3 billion yuan to Sichuan."),
            [p("330000", "510000", None)]
        );
        assert_eq!(
            pairs("天津市向张家口市拨付资金1亿元。"),
            [p("120000", "130700", None)]
        );
    }

    #[test]
    fn a_province_written_a_few_words_after_its_city_qualifies_it() {
        assert_eq!(
            pairs("Fuzhou and Xiamen have helped Dingxi and Linxia in neighbouring Gansu, respectively."),
            [p("350100", "621100", None), p("350200", "622900", None)]
        );
    }

    #[test]
    fn the_place_of_a_meeting_is_not_a_party_to_it() {
        assert_eq!(
            pairs("The Fujian-Ningxia joint meeting was held in Guyuan last week."),
            [p("350000", "640000", None)]
        );
        assert_eq!(
            pairs("北京市与内蒙古自治区在呼和浩特签署扶贫协作协议。"),
            [p("110000", "150000", None)]
        );
        assert_eq!(
            pairs(
                "Hội nghị liên tịch giữa Bắc Kinh và Nội Mông Cổ được tổ chức tại Hô Hòa Hạo Đặc."
            ),
            [p("110000", "150000", None)]
        );
        // Where a venue word says so, the places held in turn are no parties either, nor is a
        // place named with it.
        assert_eq!(
            pairs("Tianjin helps Gansu. Leaders of the two sides hold a joint meeting every year, in turn in Tianjin and Lanzhou."),
            [p("120000", "620000", None)]
        );
        // "People in Guangxi" is no venue, even in a sentence about a meeting.
        assert_eq!(
            pairs("At the joint meeting, Beijing said 3,000 people in Guangxi found jobs with its help."),
            [p("110000", "450000", None)]
        );
        // Without a meeting, a city of the recipient province is a recipient.
        assert_eq!(
            pairs("北京市帮扶内蒙古自治区和呼和浩特市。"),
            [p("110000", "150000", None), p("110000", "150100", None)]
        );
    }

    #[test]
    fn a_dateline_is_where_the_news_was_written() {
        assert_eq!(
            pairs("HANGZHOU, May 3 -- Zhejiang and Sichuan signed a new agreement on Monday, extending their partnership."),
            [p("330000", "510000", None)]
        );
        assert_eq!(
            pairs("新华社杭州5月3日电　四川省与浙江省签署协作协议。"),
            [p("330000", "510000", None)]
        );
        // The same names as parties.
        assert_eq!(
            pairs("Hangzhou helps Enshi, and Zhejiang helps Sichuan."),
            [p("330000", "510000", None), p("330100", "422800", None)]
        );
        assert_eq!(
            pairs("杭州市5年来结对帮扶恩施州。"),
            [p("330100", "422800", None)]
        );
    }

    #[test]
    fn reassignments_and_joint_meetings_state_pairings() {
        assert_eq!(
            pairs("En 2008, le Shandong a été réaffecté au Chongqing."),
            [p("370000", "500000", Some(2008))]
        );
        assert_eq!(
            pairs("Zhejiang and Sichuan hold a joint conference every spring."),
            [p("330000", "510000", None)]
        );
        assert_eq!(
            pairs("Chiết Giang và Tứ Xuyên duy trì hội nghị liên tịch hằng năm."),
            [p("330000", "510000", None)]
        );
        assert_eq!(
            pairs("Chiết Giang\tchâu tự trị A Bá\n"),
            [p("330000", "513200", None)]
        );
    }

    #[test]
    fn a_dated_sentence_that_pairs_nothing_dates_the_pairings_after_it_in_its_paragraph() {
        let text = "En 2003, l'État décide de jumeler des provinces de l'Est et de l'Ouest. Ainsi, le Zhejiang est jumelé avec le Sichuan. Le Jiangsu aide aussi le Shaanxi.\nLe Fujian aide le Ningxia.";
        assert_eq!(
            pairs(text),
            [
                p("320000", "610000", Some(2003)),
                p("330000", "510000", Some(2003)),
                p("350000", "640000", None)
            ]
        );
        // A sentence with a pairing of its own keeps its year, as does one reporting an outcome.
        assert_eq!(
            pairs("2018年，江苏省对口帮扶陕西省。此外，浙江省帮扶四川省。"),
            [
                p("320000", "610000", Some(2018)),
                p("330000", "510000", None)
            ]
        );
        assert_eq!(
            pairs("In 2019, eastern firms invested 2 billion yuan in the west. Zhejiang helps Sichuan."),
            [p("330000", "510000", None)]
        );
    }

    #[test]
    fn the_year_of_an_outcome_is_not_when_the_pairing_began() {
        let e = extract(
            "t.txt",
            "With help from Zhejiang, Sichuan sold 3 billion yuan of tea in 2019.".as_bytes(),
        )
        .unwrap();
        let since: Vec<_> = e.pairings.iter().map(|p| p.since).collect();
        assert_eq!(since, [None]);
        let outcome_years: Vec<_> = e.outcomes.iter().map(|o| o.year).collect();
        assert_eq!(outcome_years, [Some(2019)]);
    }

    #[test]
    fn a_list_item_that_is_a_sentence_is_no_heading_for_the_next() {
        let text = "・东西部协作始于1996年，东部省市帮扶西部贫困地区。\n・江苏省与陕西省开展协作。";
        assert_eq!(pairs(text), [p("320000", "610000", None)]);
    }

    fn models(text: &str) -> Vec<(String, String, Vec<String>)> {
        let mut v: Vec<_> = extract("t.txt", text.as_bytes())
            .unwrap()
            .pairings
            .into_iter()
            .map(|p| {
                let mut models: Vec<String> = p
                    .concepts
                    .iter()
                    .filter(|(property, _)| property.ends_with("#model"))
                    .map(|(_, c)| c.rsplit('#').next().unwrap().to_owned())
                    .collect();
                models.sort();
                (p.helper, p.recipient, models)
            })
            .filter(|(_, _, models)| !models.is_empty())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    fn m(h: &str, r: &str, models: &[&str]) -> (String, String, Vec<String>) {
        (
            h.to_owned(),
            r.to_owned(),
            models.iter().map(|s| s.to_string()).collect(),
        )
    }

    #[test]
    fn the_two_sides_are_the_pairing_stated_last() {
        assert_eq!(
            models("Jiangsu has helped Shaanxi since 1996. Since then, the two sides have held joint meetings every spring."),
            [m("320000", "610000", &["HighLevelCommunicationModel"])]
        );
        // The first sentence of a paragraph looks back to the last sentence of the one before.
        assert_eq!(
            models("Zhejiang pairs with Sichuan.\nEnterprise cooperation is at the heart of the partnership."),
            [m("330000", "510000", &["EnterpriseCooperationModel"])]
        );
        for text in [
            // The last statement named two pairings: which one is meant is not said.
            "Zhejiang pairs with Sichuan. Guangdong helps Guangxi and Guizhou. The two sides hold joint meetings.",
            // The paragraph before did not end on the pairing.
            "Zhejiang pairs with Sichuan. Many firms moved west.\nThe two sides hold joint meetings.",
        ] {
            assert!(models(text).is_empty(), "{text}");
        }
        let e = extract(
            "t.txt",
            "Fujian helps Ningxia. In 2019, the two provinces cooperated and sold 3 billion yuan of farm products.".as_bytes(),
        )
        .unwrap();
        let tied: Vec<_> = e.outcomes.iter().map(|o| o.pairing.clone()).collect();
        assert_eq!(tied, [Some(("350000".to_owned(), "640000".to_owned()))]);
    }

    #[test]
    fn a_sentence_naming_one_side_of_the_pairing_stated_last_tells_its_model() {
        assert_eq!(
            models("浙江省对口帮扶四川省。资金主要投向四川省的深度贫困县。"),
            [m("330000", "510000", &["KeyAreaFocusModel"])]
        );
        // A region of neither side: another story.
        assert!(models("浙江省对口帮扶四川省。甘肃省的深度贫困县也得到了关注。").is_empty());
        // Not in the paragraph of the pairing, nor right after it.
        assert!(models(
            "浙江省对口帮扶四川省。外出务工的人多了。\n资金主要投向四川省的深度贫困县。"
        )
        .is_empty());
    }

    #[test]
    fn a_sentence_about_each_pair_of_a_list_tells_the_model_of_each() {
        let meeting = &["HighLevelCommunicationModel"];
        assert_eq!(
            models("大连市帮扶六盘水市。\n上海市帮扶遵义市。\n各结对城市每年召开一次联席会议。"),
            [
                m("210200", "520200", meeting),
                m("310000", "520300", meeting)
            ]
        );
        for text in [
            // Without a word for each pair, the sentence speaks of no pairing in particular.
            "大连市帮扶六盘水市。\n上海市帮扶遵义市。\n城市每年召开一次联席会议。",
            // Not right after the list.
            "大连市帮扶六盘水市。\n上海市帮扶遵义市。\n此后情况有变化。\n各结对城市每年召开一次联席会议。",
        ] {
            assert!(models(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn items_of_an_enumeration_keep_their_models() {
        assert_eq!(
            models("协作有三种模式：企业合作；高层沟通，如福建省与宁夏每年召开联席会议；重点帮扶深度贫困地区。"),
            [m("350000", "640000", &["HighLevelCommunicationModel"])]
        );
    }

    #[test]
    fn a_clause_that_takes_a_side_from_an_earlier_one_takes_its_models() {
        assert_eq!(
            models("北京市重点帮扶内蒙古的深度贫困地区，特别是赤峰市和乌兰察布市。"),
            [
                m("110000", "150000", &["KeyAreaFocusModel"]),
                m("110000", "150400", &["KeyAreaFocusModel"]),
                m("110000", "150900", &["KeyAreaFocusModel"])
            ]
        );
    }

    #[test]
    fn a_sentence_listing_models_lends_none_to_the_example_after_it() {
        assert_eq!(
            models("合作有三种模式：企业合作、高层沟通和重点帮扶。例如，天津市与甘肃省每年召开联席会议。"),
            [m("120000", "620000", &["HighLevelCommunicationModel"])]
        );
        // A sentence defining one model lends it.
        assert_eq!(
            models("第二种是高层沟通模式。例如，天津市与甘肃省开展协作。"),
            [m("120000", "620000", &["HighLevelCommunicationModel"])]
        );
    }

    #[test]
    fn an_outcome_takes_the_pairing_its_regions_have_elsewhere_in_the_document() {
        let e = extract(
            "t.txt",
            "深圳市对口帮扶百色市。2019年,深圳企业在百色投资12亿元。".as_bytes(),
        )
        .unwrap();
        let tied: Vec<_> = e.outcomes.iter().map(|o| o.pairing.clone()).collect();
        assert_eq!(tied, [Some(("440300".to_owned(), "451000".to_owned()))]);
    }
}
