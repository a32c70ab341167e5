//! The rules: from (file name, bytes) to facts. A pure function: no I/O, no store.
//!
//! A sentence states a pairing when it holds a pairing cue (or a pair name such as 闽宁协作) and
//! names regions of both sides. Within each clause, eastern regions are helpers and western ones
//! recipients: the programme's direction is east to west, and the sides are curated data in the
//! gazetteer. A clause that names only one side borrows the other side from the nearest earlier
//! clause of the same sentence ("京蒙扶贫协作作出了调整：…重点帮扶乌兰察布市与赤峰市"). A region
//! written as the qualifier of another ("广东省深圳市"), the place of a meeting ("在银川召开") or a
//! dateline ("HANGZHOU, May 3 --", "新华社杭州5月3日电") does not pair by itself (see `pairing`).
//! A sentence with a pairing cue that names no region but "the two sides" (双方, les deux
//! provinces: lexicon `anaphor`) speaks of the one pairing stated last, in its paragraph or at
//! the end of the one before.
//! Models, pillars and fields come from concept cues in the sentence (in its item, when
//! semicolons make it an enumeration; a clause that takes a side from an earlier clause takes
//! that clause's too) or, for the examples that follow a model's definition, in the earlier
//! sentences of the same paragraph (not from a sentence listing several models).
//!
//! A county helped by a province or city that the text pairs with the county's prefecture is
//! where that pairing's help went, not a pairing of its own (`counties_as_places_of_help`).
//!
//! A pairing starts in a year of its clause, of the sentence's clauses that state no pairing, of
//! the heading of its list, or of a dated sentence before it in its paragraph that states neither
//! pairing nor outcome. The plain years of a clause reporting an outcome date the outcome; a year
//! written as a start (自2017年以来, since 1996: lexicon `since-before`/`since-after`) still dates
//! the pairing.
//!
//! An outcome is a quantity with a unit (see `numbers`) measuring what the nearest indicator cue
//! of its clause names (脱贫, trained, đào tạo…), or failing that the last one earlier in the
//! sentence; a number with no indicator is not reported as a result unless its unit reports one
//! by itself (`xz:reportsResultAlone`: 实施项目176个, 45 workshops built), nor are the numbers from a
//! clause telling a plan or a region's economy on (lexicon `planned`, `statistics`). It takes
//! the year of its clause or of the nearest earlier clause of its item naming one — none for a
//! period or a start, which give totals over years — and, when the sentence states exactly one
//! pairing (or its clause does), that pairing.

use crate::facts::{
    content_hash, fnv1a, DocumentInfo, EventStatement, Evidence, Extraction, OutcomeStatement,
    PairingStatement, PolicyDocumentStatement, SurfaceForm,
};
use crate::knowledge::{CueKind, Describes, Knowledge, Level, RegionId, Side};
use crate::mentions::{Matcher, Mention};
use crate::numbers::QuantityReader;
use crate::sentences::{detect_language, split, Language};
use pairing::{list_clauses, list_headings, sentence_pairs, Pair, SentenceParts};

mod pairing;
mod tables;
use crate::text::{decode, DecodeError, View};
use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;
use tables::table_cells;

/// Reads one document. Fails only when the bytes are not text.
pub fn extract(source_file: &str, bytes: &[u8]) -> Result<Extraction, DecodeError> {
    let decoded = decode(bytes)?;
    let mut extraction = extract_text(
        source_file,
        &decoded.text,
        Knowledge::embedded(),
        Matcher::embedded(),
    );
    extraction.document.encoding = decoded.encoding;
    // The hash of the bytes as stored, not of the decoded text: a re-encoded file is a change.
    if bytes != decoded.text.as_bytes() {
        extraction.document.content_hash = content_hash(bytes);
    }
    Ok(extraction)
}

/// Reads already decoded text.
pub fn extract_text(
    source_file: &str,
    original: &str,
    k: &Knowledge,
    matcher: &Matcher,
) -> Extraction {
    let char_starts: Vec<usize> = original
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(original.len()))
        .collect();
    let view = View::new(original, k);
    let original_slice =
        |span: &Range<usize>| &original[char_starts[span.start]..char_starts[span.end]];
    let language_of = |view_range: Range<usize>| {
        detect_language(original_slice(&view.original_span(view_range)), |c| {
            k.fold.contains(c)
        })
    };
    let sentences = split(&view.text, language_of);
    // The automaton runs once over the whole view; sentences take their slice of the hits.
    let mut found = matcher.scan(&view.text);
    // A Latin name is a proper noun: written without a capital ("xian de Nayong", the French word
    // for a county; "xian" is also Xi'an folded) it is a common word.
    found.mentions.retain(|m| {
        let written = original_slice(&view.original_span(m.span.clone()));
        !written.chars().any(char::is_lowercase) || written.chars().any(char::is_uppercase)
    });
    let title_openings: Vec<usize> = view.text.match_indices('《').map(|(at, _)| at).collect();
    let mentions = resolve(found.mentions, k);

    let quantities = QuantityReader::embedded();
    let of_pairings = |c: usize| k.concepts[c].describes == Describes::Pairings;
    let of_events = |c: usize| k.concepts[c].describes == Describes::Events;
    let mut pairings = Vec::new();
    let mut outcomes = Vec::new();
    let mut policy_documents = Vec::new();
    let mut events = Vec::new();
    // (region, text as written, language): copied out once the document is read, as most
    // sentences repeat names already seen.
    let mut surface_forms: BTreeSet<(RegionId, &str, Language)> = BTreeSet::new();
    // The original text of a view range, without what repair removed (pinyin), not folded.
    let repaired = |range: Range<usize>| -> String {
        let mut out = String::new();
        let mut last = None;
        for (b, c) in view.text[range.clone()].char_indices() {
            let at = range.start + b;
            let origin = view.original_span(at..at + c.len_utf8()).start;
            if last != Some(origin) {
                out.push_str(original_slice(&(origin..origin + 1)));
                last = Some(origin);
            }
        }
        out
    };
    let mut language_chars: BTreeMap<Language, usize> = BTreeMap::new();
    let headings = list_headings(
        &view.text,
        &found.pairing_cues,
        |line| {
            let first = mentions.partition_point(|(m, _)| m.span.start < line.start);
            mentions
                .get(first)
                .is_some_and(|(m, _)| m.span.end <= line.end)
        },
        |line| !self::years(&view.text[line.clone()], true).is_empty(),
    );
    // Outcomes whose sentence names the two regions of a pairing stated elsewhere: (outcome,
    // helper, recipient), settled once the whole document is read.
    let mut pending_pairings: Vec<(usize, (String, String))> = Vec::new();
    // Models of a pairing told in a sentence that names its two regions but states no pairing,
    // kept if the document states that pairing somewhere.
    let mut pending_models: Vec<PairingStatement> = Vec::new();
    let mut carried_years: (usize, Vec<i32>) = (usize::MAX, Vec::new());
    // The years that date the pairings of the next sentence of a paragraph when it names none.
    let mut previous_years: (usize, Vec<i32>) = (usize::MAX, Vec::new());
    let since: OnceCell<(Vec<String>, Vec<String>)> = OnceCell::new();
    // The paragraph of the sentence being read and the one before it that had sentences; the
    // pairings the last sentence stating any stated, with its paragraph.
    let mut paragraphs: (usize, usize) = (usize::MAX, usize::MAX);
    let mut last_stated: (usize, Vec<(RegionId, RegionId)>) = (usize::MAX, Vec::new());
    // Whether the sentence before the one being read stated a pairing.
    let mut previous_stated = false;
    // The pairings of the last run of sentences that each stated some (the rows of a list).
    let mut stated_run: Vec<(RegionId, RegionId)> = Vec::new();
    let mut paragraph_context: (usize, BTreeSet<usize>) = (usize::MAX, BTreeSet::new());
    for sentence in &sentences {
        let language = sentence.language;
        let span = view.original_span(sentence.span.clone());
        *language_chars.entry(language).or_default() += span.len();
        if paragraph_context.0 != sentence.paragraph {
            paragraph_context = (sentence.paragraph, BTreeSet::new());
        }
        // Concept cues of several schemes may overlap: only their starts are in order.
        let concept_hits = {
            let first = found
                .concepts
                .partition_point(|(h, _)| h.start < sentence.span.start);
            let last = found
                .concepts
                .partition_point(|(h, _)| h.start < sentence.span.end);
            &found.concepts[first..last]
        };
        let pairing_concepts: BTreeSet<usize> = concept_hits
            .iter()
            .map(|&(_, c)| c)
            .filter(|&c| of_pairings(c))
            .collect();
        // Mentions are in text order: the sentence's ones are a slice.
        let first = mentions.partition_point(|(m, _)| m.span.start < sentence.span.start);
        let last = mentions.partition_point(|(m, _)| m.span.start < sentence.span.end);
        // A dateline opening a paragraph tells where the news was written, not a party: a name
        // in capitals ("HANGZHOU, May 3 (Xinhua) --"), or a name right after the agency and
        // right before the day ("新华社杭州5月3日电", "【新華社寧波11月20日】").
        let dateline = |m: &Mention| {
            let line_start = view.text[..m.span.start].rfind('\n').map_or(0, |i| i + 1);
            let before = view.text[line_start..m.span.start].trim();
            let capitals = before.is_empty() && {
                let written = original_slice(&view.original_span(m.span.clone()));
                written.chars().filter(|c| c.is_alphabetic()).count() >= 3
                    && written
                        .chars()
                        .all(|c| !c.is_alphabetic() || (c.is_uppercase() && (c as u32) < 0x2000))
            };
            let dated = before.chars().count() <= 6 && {
                let after = &view.text[m.span.end..];
                let month = after.trim_start_matches(|c: char| c.is_ascii_digit());
                month.len() < after.len()
                    && month.strip_prefix('月').is_some_and(|day| {
                        let rest = day.trim_start_matches(|c: char| c.is_ascii_digit());
                        rest.len() < day.len() && rest.starts_with('日')
                    })
            };
            capitals || dated
        };
        let in_sentence: Vec<&(Mention, RegionId)> = mentions[first..last]
            .iter()
            .filter(|(m, _)| within(&m.span, &sentence.span) && !dateline(m))
            .collect();
        // Commas between names of one side list them ("Dalian, Qingdao, Shenzhen and Ningbo"):
        // such clauses are one.
        let clauses = list_clauses(&view.text, &sentence.clauses, &in_sentence, k);
        let reports_event = concept_hits.iter().any(|&(_, c)| of_events(c));
        let mut pairs = sentence_pairs(
            &SentenceParts {
                view: &view.text,
                span: sentence.span.clone(),
                clauses: &clauses,
                reports_event,
                mentions: &in_sentence,
                cues: hits_within(&found.pairing_cues, &sentence.span, |c| &c.span),
                markers: hits_within(&found.markers, &sentence.span, |c| &c.span),
            },
            k,
        );
        // Each pairing once, and the clauses that state each.
        let stated_in: Vec<(usize, RegionId, RegionId)> = pairs
            .iter()
            .map(|p| (p.clause, p.helper, p.recipient))
            .collect();
        let mut seen = BTreeSet::new();
        pairs.retain(|p| seen.insert((p.helper, p.recipient)));
        let opens_paragraph = sentence.paragraph != paragraphs.0;
        if opens_paragraph {
            paragraphs = (sentence.paragraph, paragraphs.0);
        }
        // Whether the sentence before this one stated a pairing, and whether the pairing stated
        // last is near enough to be spoken of: in this paragraph or, for the first sentence of a
        // paragraph, in the last sentence of the one before.
        let stated_before = previous_stated;
        let near_last_stated = last_stated.0 == paragraphs.0
            || (opens_paragraph && last_stated.0 == paragraphs.1 && stated_before);
        // "Since then, the two sides have held a joint conference every year": a sentence with
        // a pairing cue, naming no region of a side but the two sides, speaks of the one pairing
        // the text stated last, in its paragraph or, for the first sentence of a paragraph, in
        // the last sentence of the one before.
        if pairs.is_empty()
            && !in_sentence
                .iter()
                .any(|&&(_, r)| k.regions[r].side.is_some())
        {
            let anaphor = hits_within(&found.markers, &sentence.span, |h| &h.span)
                .iter()
                .find(|h| h.kind == CueKind::Anaphor);
            let has_cue = !hits_within(&found.pairing_cues, &sentence.span, |c| &c.span).is_empty();
            if let (Some(anaphor), true, true, [(helper, recipient)]) =
                (anaphor, has_cue, near_last_stated, last_stated.1.as_slice())
            {
                pairs.push(Pair {
                    helper: *helper,
                    recipient: *recipient,
                    rule: "anaphor+cue".to_owned(),
                    clause: clauses
                        .iter()
                        .position(|c| within(&anaphor.span, c))
                        .unwrap_or(0),
                    borrowed_from: None,
                });
            }
        }
        previous_stated = !pairs.is_empty();
        if previous_stated {
            last_stated = (
                sentence.paragraph,
                pairs.iter().map(|p| (p.helper, p.recipient)).collect(),
            );
            if !stated_before {
                stated_run.clear();
            }
            stated_run.extend(pairs.iter().map(|p| (p.helper, p.recipient)));
        }
        let years = years_in(&view.text, sentence.span.clone(), language, &found.periods);
        // Copied out of the text only for sentences that state something.
        let quote: OnceCell<Arc<str>> = OnceCell::new();
        let evidence = |rule: Cow<'static, str>| Evidence {
            start: span.start,
            end: span.end,
            quote: quote.get_or_init(|| original_slice(&span).into()).clone(),
            language,
            rule,
        };

        // Outcomes: a quantity with a unit, measuring what the nearest indicator cue names.
        let single_pairing = match pairs.as_slice() {
            [p] => Some((
                k.regions[p.helper].code.clone(),
                k.regions[p.recipient].code.clone(),
            )),
            _ => None,
        };
        // Without a pairing of its own, a sentence naming one helper and one recipient speaks
        // of their pairing if the document states it somewhere.
        let named_pairing = if single_pairing.is_none() && pairs.is_empty() {
            named_pair(&in_sentence, k)
        } else {
            None
        };
        // Models a sentence tells of pairings it does not state itself, kept if the document
        // states them: its cues' concepts, with the sentence as evidence.
        let mut tell_models = |helper: String, recipient: String, rule: &'static str| {
            pending_models.push(PairingStatement {
                helper,
                recipient,
                since: None,
                years: Vec::new(),
                adjusted_in: None,
                concepts: pairing_concepts
                    .iter()
                    .map(|&c| {
                        (
                            k.concepts[c].link_property.clone(),
                            k.concepts[c].iri.clone(),
                        )
                    })
                    .collect(),
                evidence: evidence(rule.into()),
            });
        };
        let code = |r: RegionId| k.regions[r].code.clone();
        if !pairing_concepts.is_empty() {
            // A sentence telling how a pairing stated elsewhere works — a model cue, both sides
            // named, no pairing of its own ("Guangzhou a concentré son aide sur les xian les plus
            // pauvres de Bijie") — links the model to that pairing.
            if let Some((helper, recipient)) = &named_pairing {
                tell_models(
                    helper.clone(),
                    recipient.clone(),
                    "model-of-pairing-stated-elsewhere",
                );
            }
            // One with no pairing of its own and naming no region beyond the two of the pairing
            // stated last in its paragraph ("Phần lớn nguồn vốn được dồn cho các huyện nghèo cùng
            // cực của Tứ Xuyên", after "Chiết Giang … hỗ trợ Tứ Xuyên") tells how that one works.
            if let ([(helper, recipient)], None, true, true) = (
                last_stated.1.as_slice(),
                &named_pairing,
                pairs.is_empty(),
                near_last_stated,
            ) {
                let of_the_pairing = |r: RegionId| {
                    [*helper, *recipient]
                        .iter()
                        .any(|&p| p == r || k.is_ancestor(p, r))
                };
                if !in_sentence.is_empty() && in_sentence.iter().all(|&&(_, r)| of_the_pairing(r)) {
                    tell_models(
                        code(*helper),
                        code(*recipient),
                        "model-of-pairing-stated-last",
                    );
                }
            }
            // "各結對城市與受幫扶市州一般每年召開一次聯席會議", right after a list of pairs: a
            // sentence about each pair (a `distributive` cue), naming no region, tells the model
            // of every pairing the list stated.
            let distributive = hits_within(&found.markers, &sentence.span, |h| &h.span)
                .iter()
                .any(|h| h.kind == CueKind::Distributive);
            if distributive && stated_before && pairs.is_empty() && in_sentence.is_empty() {
                for &(helper, recipient) in &stated_run {
                    tell_models(
                        code(helper),
                        code(recipient),
                        "model-of-each-pairing-listed",
                    );
                }
            }
        }
        let places: Vec<Range<usize>> = in_sentence.iter().map(|(m, _)| m.span.clone()).collect();
        // Clauses holding an outcome: their years date the outcome.
        let mut outcome_clauses = BTreeSet::new();
        // Items of an enumeration: the parts of the sentence between semicolons.
        let semicolons: Vec<usize> = view.text[sentence.span.clone()]
            .match_indices([';', '；'])
            .map(|(at, _)| sentence.span.start + at)
            .collect();
        let item_of = |at: usize| semicolons.partition_point(|&s| s < at);
        // The years each clause names, read once for the outcomes and pairings that need them.
        let named_years: OnceCell<Vec<Vec<i32>>> = OnceCell::new();
        let clause_named_years = |c: usize| -> &Vec<i32> {
            &named_years.get_or_init(|| {
                clauses
                    .iter()
                    .map(|clause| years_in(&view.text, clause.clone(), language, &found.periods))
                    .collect()
            })[c]
        };
        let indicators: Vec<&(Range<usize>, usize)> = concept_hits
            .iter()
            .filter(|(_, c)| k.concepts[*c].is_indicator)
            .collect();
        // A plan, or a region's economy, is no outcome of the programme: from the clause that
        // tells it on, the sentence's numbers are not outcomes ("双方商定，…培训人才2万人", "its
        // GDP reached …, while incomes rose 8.1 percent"); those before it still are.
        let outcomes_end = hits_within(&found.markers, &sentence.span, |h| &h.span)
            .iter()
            .find(|h| matches!(h.kind, CueKind::Planned | CueKind::Statistics))
            .map_or(sentence.span.end, |h| {
                clauses
                    .iter()
                    .find(|c| within(&h.span, c))
                    .map_or(sentence.span.start, |c| c.start)
            });
        for quantity in quantities.find(&view.text, sentence.span.clone(), language, &places) {
            if quantity.span.start >= outcomes_end {
                break;
            }
            let clause_index = clauses.iter().position(|c| within(&quantity.span, c));
            let clause = clause_index
                .map(|i| clauses[i].clone())
                .unwrap_or_else(|| sentence.span.clone());
            let in_clause = indicators
                .iter()
                .filter(|(hit, _)| within(hit, &clause))
                .min_by_key(|(hit, _)| distance(hit, &quantity.span));
            let (indicator, rule) = match in_clause {
                Some(&&(_, c)) => (Some(c), "quantity+indicator-in-clause"),
                None => match indicators
                    .iter()
                    .rev()
                    .find(|(hit, _)| hit.end <= quantity.span.start)
                {
                    Some(&&(_, c)) => (Some(c), "quantity+indicator-earlier-in-sentence"),
                    // "全年共实施帮扶项目176个": some units tell a result by themselves, when
                    // written as nouns: a bare classifier counts anything (出台12项政策措施).
                    None if k.concepts[quantity.unit].reports_result_alone
                        && !quantity.bare_classifier =>
                    {
                        (None, "quantity-of-results")
                    }
                    None => continue,
                },
            };
            outcome_clauses.extend(clause_index);
            // In a sentence of several pairings, an outcome goes with the one its clause states
            // ("2020年，广州市向黔南州、毕节市投入资金17.6亿元；广州市帮助毕节市3.2万人就业").
            let pairing = single_pairing.clone().or_else(|| {
                let of_clause: BTreeSet<(RegionId, RegionId)> = stated_in
                    .iter()
                    .filter(|(c, _, _)| Some(*c) == clause_index)
                    .map(|&(_, h, r)| (h, r))
                    .collect();
                match of_clause.iter().collect::<Vec<_>>().as_slice() {
                    [(h, r)] => Some((k.regions[*h].code.clone(), k.regions[*r].code.clone())),
                    _ => None,
                }
            });
            if let Some(named) = &named_pairing {
                pending_pairings.push((outcomes.len(), named.clone()));
            }
            // The year of an outcome is that of its clause, else of the nearest earlier clause of
            // its item naming one ("2020年，深圳市向百色市投入…12.04亿元"); a clause naming a
            // period (2017—2020年, entre 2015 et 2020, 十三五) or a start (自2016年以来, since
            // 2016) tells a total over years, which has no year.
            let year = clause_index.and_then(|ci| {
                let item = item_of(clauses[ci].start);
                (0..=ci)
                    .rev()
                    .take_while(|&c| item_of(clauses[c].start) == item)
                    .find_map(|c| {
                        let mut named = clause_named_years(c).clone();
                        named.dedup();
                        let cues = since.get_or_init(|| since_cues(k));
                        match named.as_slice() {
                            [] => None,
                            [year]
                                if start_years(
                                    &view.text,
                                    clauses[c].clone(),
                                    language.is_latin(),
                                    cues,
                                )
                                .is_empty() =>
                            {
                                Some(Some(*year))
                            }
                            _ => Some(None),
                        }
                    })
                    .flatten()
            });
            outcomes.push(OutcomeStatement {
                value: quantity.value,
                unit: k.concepts[quantity.unit].iri.clone(),
                indicator: indicator.map(|c| k.concepts[c].iri.clone()),
                year,
                qualifier: quantity.qualifier,
                pairing,
                evidence: evidence(rule.into()),
            });
        }

        // Policy documents: titles in 《》. A title without a year of its own takes the
        // sentence's only when it is the sentence's only title.
        let openings = {
            let first = title_openings.partition_point(|&o| o < sentence.span.start);
            let last = title_openings.partition_point(|&o| o < sentence.span.end);
            &title_openings[first..last]
        };
        let titles = openings.len();
        let mut search = sentence.span.start;
        for &open in openings {
            if open < search {
                continue;
            }
            let inner = open + '《'.len_utf8();
            let Some(close) = view.text[inner..sentence.span.end]
                .find('》')
                .map(|c| inner + c)
            else {
                break;
            };
            let title = repaired(inner..close);
            if !title.trim().is_empty() {
                let title_years = years_in(&view.text, inner..close, language, &found.periods);
                policy_documents.push(PolicyDocumentStatement {
                    key: format!("{:016x}", fnv1a(&view.text.as_bytes()[inner..close])),
                    title,
                    year: title_years
                        .first()
                        .or(years.first().filter(|_| titles == 1))
                        .copied(),
                    pairing: single_pairing.clone(),
                    evidence: evidence("title-in-book-marks".into()),
                });
            }
            search = close + '》'.len_utf8();
        }

        // Events: a meeting or signing cue, dated by the sentence.
        let mut event_types: Vec<(Range<usize>, usize)> = concept_hits
            .iter()
            .filter(|(_, c)| of_events(*c))
            .cloned()
            .collect();
        event_types.dedup_by_key(|(_, c)| *c);
        for (hit, event_type) in event_types {
            let clause = clauses
                .iter()
                .find(|c| within(&hit, c))
                .cloned()
                .unwrap_or(sentence.span.clone());
            let parties: Vec<&str> = single_pairing
                .iter()
                .flat_map(|(h, r)| [h.as_str(), r.as_str()])
                .collect();
            let others: BTreeSet<&str> = in_sentence
                .iter()
                .filter(|(m, _)| within(&m.span, &clause))
                .map(|&&(_, r)| k.regions[r].code.as_str())
                .filter(|code| !parties.contains(code))
                .collect();
            events.push(EventStatement {
                event_type: k.concepts[event_type].iri.clone(),
                year: years.first().copied(),
                pairing: single_pairing.clone(),
                place: (others.len() == 1).then(|| others.iter().next().unwrap().to_string()),
                evidence: evidence("event-cue".into()),
            });
        }

        // A pairing starts in the years of its own clause, else in those of clauses that state
        // no pairing ("1996年至2019年,福建省与宁夏…"), else, for an item of a list or a table
        // row, in those of the line introducing the list, else in those of a dated sentence
        // before it in its paragraph that states neither pairing nor outcome ("En mai 1996, …
        // décide de jumeler neuf provinces … . Ainsi, Pékin est jumelée avec …"). The plain
        // years of a clause that reports an outcome date the outcome ("Baise sold 2.73 billion
        // yuan of produce in 2020"), not the pairing; years written as a start still date it
        // ("自2017年以来共签署合作协议211个").
        let earlier_years = if previous_years.0 == sentence.paragraph {
            std::mem::take(&mut previous_years.1)
        } else {
            Vec::new()
        };
        // Only a sentence that states no pairing and no outcome frames the ones after it; its
        // years then go on through the sentences without years of their own.
        let frames = pairs.is_empty() && outcome_clauses.is_empty();
        previous_years = (
            sentence.paragraph,
            match (years.is_empty(), frames) {
                (true, _) => earlier_years.clone(),
                (false, true) => years.clone(),
                (false, false) => Vec::new(),
            },
        );
        if pairs.is_empty() {
            // A sentence defining a model lends it to the examples after it in its paragraph;
            // one listing several models of a scheme ("ba mô hình: …, … và …") lends none.
            for &c in &pairing_concepts {
                let scheme = &k.concepts[c].link_property;
                let alone = pairing_concepts
                    .iter()
                    .all(|&o| o == c || k.concepts[o].link_property != *scheme);
                if alone {
                    paragraph_context.1.insert(c);
                }
            }
            // A dated sentence naming helpers and recipients but no pairing (lists too long to
            // pair) dates the list of pairings a next sentence of its paragraph spells out after
            // a colon.
            let has_cue = !hits_within(&found.pairing_cues, &sentence.span, |c| &c.span).is_empty();
            let names_both_sides = [Side::East, Side::West].iter().all(|&side| {
                in_sentence
                    .iter()
                    .any(|&&(_, r)| k.regions[r].side == Some(side))
            });
            if has_cue && names_both_sides && !years.is_empty() {
                carried_years = (sentence.paragraph, years.clone());
            }
            continue;
        }
        // The regions of the pairings, as this sentence writes them.
        let parties: BTreeSet<RegionId> =
            pairs.iter().flat_map(|p| [p.helper, p.recipient]).collect();
        for (m, region) in &in_sentence {
            if parties.contains(region) && !m.in_pair_name {
                let text = original_slice(&view.original_span(m.span.clone()));
                if !text.contains(['(', '?', '\u{FFFD}']) {
                    surface_forms.insert((*region, text, language));
                }
            }
        }
        let adjusted_in = hits_within(&found.markers, &sentence.span, |h| &h.span)
            .iter()
            .any(|h| h.kind == CueKind::Adjusted)
            .then(|| years.first().copied())
            .flatten();
        let clause_years: Vec<Vec<i32>> = clauses
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if outcome_clauses.contains(&i) {
                    let cues = since.get_or_init(|| since_cues(k));
                    start_years(&view.text, c.clone(), language.is_latin(), cues)
                } else {
                    clause_named_years(i).clone()
                }
            })
            .collect();
        let paired_clauses: BTreeSet<usize> = pairs.iter().map(|p| p.clause).collect();
        let free_years: Vec<i32> = clause_years
            .iter()
            .enumerate()
            .filter(|(i, _)| !paired_clauses.contains(i))
            .flat_map(|(_, y)| y.iter().copied())
            .collect();
        let heading_years = || -> Vec<i32> {
            headings[sentence.paragraph]
                .clone()
                .map(|line| years_in(&view.text, line, language, &found.periods))
                .unwrap_or_default()
        };
        let row_years = self::years(&view.text[sentence.span.clone()], true);
        let in_table = view.text[sentence.span.clone()].contains(['|', '｜', '\t']);
        // "具体结对关系为：北京—内蒙古，…": a colon before any region opens a list.
        let spells_out_a_list = view.text[sentence.span.clone()]
            .find([':', '：'])
            .is_some_and(|colon| {
                in_sentence
                    .first()
                    .is_some_and(|(m, _)| m.span.start > sentence.span.start + colon)
            });
        // Concepts cued in a clause that states pairings go to those pairings only (and to the
        // pairings of later clauses that take a side from it), when the sentence states pairings
        // in several clauses; the others go to every pairing. Items of an enumeration (parts
        // between semicolons: "trois modèles : la coopération entre entreprises ; … comme les
        // conférences du Fujian et du Ningxia ; …") keep their concepts to themselves.
        let enumerates = item_of(sentence.span.end) > 0;
        let concepts_of_clause = |clause: usize, borrowed_from: Option<usize>| -> BTreeSet<usize> {
            let mut linked: BTreeSet<usize> = paragraph_context.1.clone();
            let item = item_of(clauses[clause].start);
            for (hit, c) in concept_hits {
                if !of_pairings(*c) {
                    continue;
                }
                if enumerates && item_of(hit.start) != item {
                    continue;
                }
                let hit_clause = clauses.iter().position(|cl| within(hit, cl));
                let own = hit_clause.is_none_or(|h| {
                    h == clause
                        || Some(h) == borrowed_from
                        || paired_clauses.len() < 2
                        || !paired_clauses.contains(&h)
                });
                if own {
                    linked.insert(*c);
                }
            }
            linked
        };
        for pair in pairs {
            let since = if pair.rule == "table-row" || in_table {
                row_years.iter().min().copied()
            } else {
                clause_years[pair.clause]
                    .iter()
                    .min()
                    .or(free_years.iter().min())
                    .copied()
            }
            .or_else(|| heading_years().into_iter().min())
            .or_else(|| {
                (carried_years.0 == sentence.paragraph && spells_out_a_list)
                    .then(|| carried_years.1.iter().min().copied())
                    .flatten()
            })
            .or_else(|| earlier_years.iter().min().copied());
            let mut pair_years = years.clone();
            if pair_years.is_empty() {
                pair_years.extend(since);
            }
            pairings.push(PairingStatement {
                helper: k.regions[pair.helper].code.clone(),
                recipient: k.regions[pair.recipient].code.clone(),
                since,
                years: pair_years,
                adjusted_in,
                concepts: concepts_of_clause(pair.clause, pair.borrowed_from)
                    .iter()
                    .map(|&c| {
                        (
                            k.concepts[c].link_property.clone(),
                            k.concepts[c].iri.clone(),
                        )
                    })
                    .collect(),
                evidence: evidence(pair.rule.into()),
            });
        }
    }
    // Tables whose caption gives the unit: each number is an outcome of what its column heading,
    // or else the caption or header lines, measure, in the year of its row.
    let cells = table_cells(&view.text, k, quantities, |caption| {
        language_of(caption).writes_comma_decimals()
    });
    let indicators_within = |range: &Range<usize>| -> Option<usize> {
        let first = found
            .concepts
            .partition_point(|(hit, _)| hit.start < range.start);
        found.concepts[first..]
            .iter()
            .take_while(|(hit, _)| hit.start < range.end)
            .find(|(hit, c)| k.concepts[*c].is_indicator && within(hit, range))
            .map(|&(_, c)| c)
    };
    // The cells of one table come together and share its caption.
    for table in cells.chunk_by(|a, b| a.caption == b.caption) {
        let (caption, heading) = (&table[0].caption, &table[0].heading);
        let not_results = found.markers.iter().any(|h| {
            matches!(h.kind, CueKind::Planned | CueKind::Statistics) && within(&h.span, heading)
        });
        if not_results {
            continue;
        }
        let heading_indicator = indicators_within(heading);
        let language = language_of(caption.clone());
        let first = mentions.partition_point(|(m, _)| m.span.start < caption.start);
        let last = mentions.partition_point(|(m, _)| m.span.start < heading.end);
        let named_in_heading = &mentions[first..last];
        for cell in table {
            let indicator = cell
                .column
                .as_ref()
                .and_then(indicators_within)
                .or(heading_indicator);
            if indicator.is_none() && !k.concepts[cell.unit].reports_result_alone {
                continue;
            }
            // The regions of the caption and of the cell heading the column ("Vốn viện trợ … của
            // Giang Tô", "Tây Ninh") name its pairing; a region heading the column stands for
            // its side, whose regions in the caption head the other columns.
            let in_column: Vec<&(Mention, RegionId)> = named_in_heading
                .iter()
                .filter(|(m, _)| cell.column.as_ref().is_some_and(|c| within(&m.span, c)))
                .collect();
            let column_sides: Vec<Option<Side>> =
                in_column.iter().map(|&&(_, r)| k.regions[r].side).collect();
            let named: Vec<&(Mention, RegionId)> = named_in_heading
                .iter()
                .filter(|(m, r)| {
                    within(&m.span, caption) && !column_sides.contains(&k.regions[*r].side)
                })
                .chain(in_column.iter().copied())
                .collect();
            if let Some(pair) = named_pair(&named, k) {
                pending_pairings.push((outcomes.len(), pair));
            }
            let span = view.original_span(cell.row.clone());
            outcomes.push(OutcomeStatement {
                value: cell.value,
                unit: k.concepts[cell.unit].iri.clone(),
                indicator: indicator.map(|c| k.concepts[c].iri.clone()),
                year: cell.year,
                qualifier: None,
                pairing: None,
                evidence: Evidence {
                    start: span.start,
                    end: span.end,
                    quote: original_slice(&span).into(),
                    language,
                    rule: "table-cell+caption-unit".into(),
                },
            });
        }
    }
    counties_as_places_of_help(
        &mut pairings,
        &mut outcomes,
        &mut events,
        &mut policy_documents,
        k,
    );
    let stated: BTreeSet<(&str, &str)> = pairings
        .iter()
        .map(|p| (p.helper.as_str(), p.recipient.as_str()))
        .collect();
    for (outcome, (helper, recipient)) in pending_pairings {
        if stated.contains(&(helper.as_str(), recipient.as_str())) {
            outcomes[outcome].pairing = Some((helper, recipient));
        }
    }
    let models_of_stated: Vec<PairingStatement> = pending_models
        .into_iter()
        .filter(|m| stated.contains(&(m.helper.as_str(), m.recipient.as_str())))
        .collect();
    pairings.extend(models_of_stated);

    let mut surface_forms: Vec<SurfaceForm> = surface_forms
        .into_iter()
        .map(|(region, text, language)| SurfaceForm {
            code: k.regions[region].code.clone(),
            text: text.to_owned(),
            language,
        })
        .collect();
    // Set order was by region index; the output is ordered by code.
    surface_forms.sort();
    let total: usize = language_chars.values().sum();
    let mut languages: Vec<(Language, usize)> = language_chars
        .into_iter()
        .filter(|&(_, n)| n * 10 >= total)
        .collect();
    languages.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Extraction {
        document: DocumentInfo {
            source_file: source_file.to_owned(),
            encoding: "UTF-8",
            content_hash: content_hash(original.as_bytes()),
            languages: languages.into_iter().map(|(l, _)| l).collect(),
            characters: char_starts.len() - 1,
        },
        pairings,
        outcomes,
        policy_documents,
        events,
        surface_forms,
        repairs: view.repairs,
    }
}

/// A county "paired" with a province or a city that the text also pairs with the county's own
/// prefecture or province is where that pairing's help went ("大连市投入六盘水市…资金，投向
/// 水城区、六枝特区等深度贫困县区"), not a pairing of its own: its statements become evidence of
/// the prefecture's pairing (without their years, which date the help), and what names it
/// follows. A county helped by a county or district (携手奔小康) stays a pairing.
fn counties_as_places_of_help(
    pairings: &mut Vec<PairingStatement>,
    outcomes: &mut [OutcomeStatement],
    events: &mut [EventStatement],
    policy_documents: &mut [PolicyDocumentStatement],
    k: &Knowledge,
) {
    let region = |code: &str| k.region_by_code(code);
    let stated: BTreeSet<(RegionId, RegionId)> = pairings
        .iter()
        .filter_map(|p| Some((region(&p.helper)?, region(&p.recipient)?)))
        .collect();
    let mut moved: BTreeMap<(String, String), String> = BTreeMap::new();
    for p in pairings.iter_mut() {
        let (Some(helper), Some(recipient)) = (region(&p.helper), region(&p.recipient)) else {
            continue;
        };
        if k.regions[recipient].level != Level::County || k.regions[helper].level == Level::County {
            continue;
        }
        // The nearest ancestor the helper pairs with.
        let mut ancestor = k.regions[recipient].parent;
        while let Some(a) = ancestor {
            if stated.contains(&(helper, a)) {
                break;
            }
            ancestor = k.regions[a].parent;
        }
        if let Some(a) = ancestor {
            let code = k.regions[a].code.clone();
            moved.insert((p.helper.clone(), p.recipient.clone()), code.clone());
            p.recipient = code;
            p.since = None;
            p.years.clear();
            p.adjusted_in = None;
        }
    }
    // Two counties of one sentence are one statement of their prefecture's pairing.
    pairings.dedup_by(|b, a| {
        (&a.helper, &a.recipient, a.evidence.start) == (&b.helper, &b.recipient, b.evidence.start)
            && a.concepts == b.concepts
    });
    let follow = |pairing: &mut Option<(String, String)>| {
        if let Some((h, r)) = pairing {
            if let Some(to) = moved.get(&(h.clone(), r.clone())) {
                *r = to.clone();
            }
        }
    };
    outcomes.iter_mut().for_each(|o| follow(&mut o.pairing));
    events.iter_mut().for_each(|e| follow(&mut e.pairing));
    policy_documents
        .iter_mut()
        .for_each(|d| follow(&mut d.pairing));
}

/// Years `view[range]` names: written years, and the years of the five-year plans among
/// `periods` (the view's, in text order).
fn years_in(
    view: &str,
    range: Range<usize>,
    language: Language,
    periods: &[(Range<usize>, (i32, i32))],
) -> Vec<i32> {
    let mut found = years(&view[range.clone()], language.is_latin());
    for (_, (first, last)) in hits_within(periods, &range, |p| &p.0) {
        found.extend(*first..=*last);
    }
    found
}

/// The hits that lie within `span`, out of hits in text order that do not overlap (so their
/// starts and their ends both increase).
fn hits_within<'h, T>(
    hits: &'h [T],
    span: &Range<usize>,
    span_of: impl Fn(&T) -> &Range<usize>,
) -> &'h [T] {
    let first = hits.partition_point(|h| span_of(h).start < span.start);
    let last = hits.partition_point(|h| span_of(h).end <= span.end);
    &hits[first..last.max(first)]
}

/// Bytes between two spans of the view (zero when they touch or overlap).
fn distance(a: &Range<usize>, b: &Range<usize>) -> usize {
    if a.end <= b.start {
        b.start - a.end
    } else {
        a.start.saturating_sub(b.end)
    }
}

fn within(inner: &Range<usize>, outer: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// Picks one region per mention. A shared name goes to the candidate that another, unambiguous
/// mention of the document supports (itself, an ancestor or a descendant), else to the highest
/// level, then the lowest code.
fn resolve(mentions: Vec<Mention>, k: &Knowledge) -> Vec<(Mention, RegionId)> {
    let sure: BTreeSet<RegionId> = mentions
        .iter()
        .filter(|m| m.candidates.len() == 1)
        .map(|m| m.candidates[0])
        .collect();
    let supported = |c: RegionId| {
        sure.iter()
            .any(|&s| s == c || k.is_ancestor(s, c) || k.is_ancestor(c, s))
    };
    mentions
        .into_iter()
        .map(|m| {
            let region = m
                .candidates
                .iter()
                .copied()
                .min_by_key(|&c| (!supported(c), k.regions[c].level, k.regions[c].code.clone()))
                .expect("a mention has at least one candidate");
            (m, region)
        })
        .collect()
}

/// The one helper and one recipient a sentence names (regions inside others count, not those
/// they are in), as codes.
fn named_pair(mentions: &[&(Mention, RegionId)], k: &Knowledge) -> Option<(String, String)> {
    let of_side = |side: Side| -> Vec<RegionId> {
        let regions: BTreeSet<RegionId> = mentions
            .iter()
            .map(|&&(_, r)| r)
            .filter(|&r| k.regions[r].side == Some(side))
            .collect();
        regions
            .iter()
            .copied()
            .filter(|&r| !regions.iter().any(|&inner| k.is_ancestor(r, inner)))
            .collect()
    };
    match (
        of_side(Side::East).as_slice(),
        of_side(Side::West).as_slice(),
    ) {
        ([h], [r]) => Some((k.regions[*h].code.clone(), k.regions[*r].code.clone())),
        _ => None,
    }
}

/// Years a sentence names: four digits followed by 年, starting a range ("2016—2020年"), or,
/// in Latin-script text, standing alone ("since 1996", "năm 2010").
fn years(sentence: &str, latin: bool) -> Vec<i32> {
    let mut years = Vec::new();
    scan_years(sentence, latin, |y| years.push(y.value));
    years
}

/// A year as a sentence writes it.
struct WrittenYear {
    value: i32,
    /// Byte range of its four digits.
    span: Range<usize>,
    starts_range: bool,
}

/// The years of `years`, with where they are.
fn written_years(sentence: &str, latin: bool) -> Vec<WrittenYear> {
    let mut years = Vec::new();
    scan_years(sentence, latin, |y| years.push(y));
    years
}

fn scan_years(sentence: &str, latin: bool, mut found: impl FnMut(WrittenYear)) {
    let bytes = sentence.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i - start != 4 {
            continue;
        }
        let part_of_number = start >= 2
            && matches!(bytes[start - 1], b',' | b'.')
            && bytes[start - 2].is_ascii_digit();
        let value: i32 = sentence[start..i].parse().unwrap_or(0);
        if part_of_number || !(1900..=2099).contains(&value) {
            continue;
        }
        let rest = &sentence[i..];
        let starts_range = starts_range(rest);
        let is_year = rest.starts_with('年')
            || starts_range
            || (latin && !rest.trim_start().starts_with('%'));
        if is_year {
            found(WrittenYear {
                value,
                span: start..i,
                starts_range,
            });
        }
    }
}

/// Folded since-cues of the lexicon: (before a year, after it).
fn since_cues(k: &Knowledge) -> (Vec<String>, Vec<String>) {
    let of = |kind: CueKind| -> Vec<String> {
        k.cues
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| crate::text::fold_str(&c.text, k))
            .collect()
    };
    (of(CueKind::SinceBefore), of(CueKind::SinceAfter))
}

/// The years of `view[range]` written as the start of something: the first of a range, or with
/// a since-cue right before them or right after them and their month ("自2017年以来",
/// "since 1996", "2016年12月から").
fn start_years(
    view: &str,
    range: Range<usize>,
    latin: bool,
    cues: &(Vec<String>, Vec<String>),
) -> Vec<i32> {
    let text = &view[range];
    let ends_with_cue = |before: &str, cue: &str| {
        before.ends_with(cue)
            && !(cue.starts_with(|c: char| c.is_ascii_alphanumeric())
                && before[..before.len() - cue.len()]
                    .ends_with(|c: char| c.is_ascii_alphanumeric()))
    };
    written_years(text, latin)
        .into_iter()
        .filter(|y| {
            let before = text[..y.span.start].trim_end();
            let after = text[y.span.end..].trim_start();
            let after = after.strip_prefix('年').unwrap_or(after);
            // A month after the year: 12月.
            let after = match after.trim_start_matches(|c: char| c.is_ascii_digit()) {
                month if month.len() < after.len() && month.starts_with('月') => {
                    &month['月'.len_utf8()..]
                }
                _ => after,
            };
            let after = after.trim_start();
            y.starts_range
                || cues.0.iter().any(|c| ends_with_cue(before, c))
                || cues.1.iter().any(|c| after.starts_with(c.as_str()))
        })
        .map(|y| y.value)
        .collect()
}

fn starts_range(rest: &str) -> bool {
    let rest = rest.trim_start();
    let Some(connector) = rest.chars().next() else {
        return false;
    };
    if !matches!(connector, '-' | '—' | '–' | '~' | '〜' | '至' | '到') {
        return false;
    }
    let after = rest[connector.len_utf8()..].trim_start();
    after.len() >= 4 && after.as_bytes()[..4].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String, Option<i32>)> {
        let e = extract("t.txt", text.as_bytes()).unwrap();
        e.pairings
            .into_iter()
            .map(|p| (p.helper, p.recipient, p.since))
            .collect()
    }

    fn p(h: &str, r: &str, since: Option<i32>) -> (String, String, Option<i32>) {
        (h.to_owned(), r.to_owned(), since)
    }

    #[test]
    fn direct_statement_with_range() {
        assert_eq!(
            pairs("1996年至2019年,福建省与宁夏回族自治区每年召开一次联席会议。"),
            [p("350000", "640000", Some(1996))]
        );
    }

    #[test]
    fn recipients_in_a_later_clause_borrow_the_helper() {
        let got = pairs("2010年,京蒙扶贫协作作出了调整:由原来帮扶8个盟市调整为重点帮扶乌兰察布市与赤峰市各8个旗。");
        assert!(got.contains(&p("110000", "150000", Some(2010))), "{got:?}");
        assert!(got.contains(&p("110000", "150900", Some(2010))), "{got:?}");
        assert!(got.contains(&p("110000", "150400", Some(2010))), "{got:?}");
    }

    #[test]
    fn a_list_of_helpers_does_not_pair_with_a_later_recipient() {
        let got = pairs("1996年5月,中央确定北京、上海、福建、广东等9个东部省市与西部10个省区开展扶贫协作;其中,广东对口帮扶广西。");
        assert_eq!(got, [p("440000", "450000", Some(1996))]);
    }

    #[test]
    fn pair_names_in_a_list_do_not_cross() {
        let got = pairs("探索出了闽宁协作、粤桂扶贫协作等区域合作发展典型。");
        assert_eq!(
            got,
            [p("350000", "640000", None), p("440000", "450000", None)]
        );
    }

    #[test]
    fn qualifying_province_steps_aside() {
        let got = pairs("广东省深圳市与广西百色市合作共建“深百小镇”。");
        assert_eq!(got, [p("440300", "451000", None)]);
    }

    #[test]
    fn a_latin_name_written_without_a_capital_is_a_common_word() {
        // "xian" is the French and English word for a county, and Xi'an folded.
        assert_eq!(
            pairs("Guangzhou aide le xian de Nayong. Guangzhou aide Xi'an."),
            [p("440100", "610100", None)]
        );
    }

    #[test]
    fn a_province_of_a_helping_city_named_in_its_clause_is_where_it_is() {
        assert_eq!(
            pairs("Laborers from Anshun found jobs with the help of Qingdao and other parts of Shandong."),
            [p("370200", "520400", None)]
        );
    }

    #[test]
    fn a_model_told_of_a_pairing_stated_elsewhere_goes_to_that_pairing() {
        let text = "Guangzhou a été jumelée avec Bijie en 2016. À Bijie, Guangzhou cible les districts les plus pauvres.";
        let e = extract("t.txt", text.as_bytes()).unwrap();
        let models: Vec<(&str, &str, &str)> = e
            .pairings
            .iter()
            .flat_map(|p| {
                p.concepts
                    .iter()
                    .map(move |(_, c)| (p.helper.as_str(), p.recipient.as_str(), &**c))
            })
            .collect();
        assert_eq!(
            models,
            [(
                "440100",
                "520500",
                "https://w3id.org/xiezuo/ontology#KeyAreaFocusModel"
            )]
        );
        assert_eq!(
            e.pairings.last().unwrap().evidence.rule,
            "model-of-pairing-stated-elsewhere"
        );
        // Without the pairing stated somewhere, the model is nobody's.
        let e = extract(
            "t.txt",
            "À Bijie, Guangzhou cible les districts les plus pauvres.".as_bytes(),
        )
        .unwrap();
        assert!(e.pairings.is_empty());
    }

    #[test]
    fn counties_a_paired_city_helps_are_where_its_help_goes() {
        let text = "大连市对口帮扶六盘水市。2020年，大连市投入资金3亿元，帮扶六枝特区、水城区等深度贫困县区。";
        assert_eq!(
            pairs(text),
            [p("210200", "520200", None), p("210200", "520200", None)]
        );
        // A district helping a county is a pairing of its own.
        assert_eq!(
            pairs("杭州市余杭区对口帮扶黔东南州台江县。"),
            [p("330110", "522630", None)]
        );
    }

    #[test]
    fn no_cue_no_pairing() {
        assert!(pairs("福建省和宁夏的气候差别很大。").is_empty());
        assert!(pairs("Fujian and Ningxia differ in climate.").is_empty());
    }

    #[test]
    fn years_in_text() {
        assert_eq!(years("1996年至2019年", false), [1996, 2019]);
        assert_eq!(years("2016—2020年", false), [2016, 2020]);
        assert_eq!(
            years("贫困人口脱贫6 127人,210023", false),
            Vec::<i32>::new()
        );
        assert_eq!(years("since 1996, 51,629 people, 12%", true), [1996]);
        assert_eq!(years("2020% 2021 %", true), Vec::<i32>::new());
    }

    #[test]
    fn any_bytes_give_valid_spans_or_a_decode_error() {
        let samples: [&[u8]; 5] = [
            b"",
            b"\xff\xfe",
            "福建(".as_bytes(),
            "協(xié".as_bytes(),
            "?qū)広東".as_bytes(),
        ];
        for bytes in samples {
            if let Ok(e) = extract("x", bytes) {
                for p in e.pairings {
                    assert!(
                        p.evidence.start <= p.evidence.end
                            && p.evidence.end <= e.document.characters
                    );
                }
            }
        }
    }
}

/// Sentences written for these tests, not taken from the seeds or the development texts: the
/// phrasings real texts use in each language. Regions: Shanghai 310000, Yunnan 530000, Tianjin
/// 120000, Gansu 620000, Zhejiang 330000, Sichuan 510000, Jiangsu 320000, Shaanxi 610000, Suzhou
/// 320500, Tongren 520600, Guangdong 440000, Guangxi 450000.
#[cfg(test)]
mod unseen_texts {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        let e = extract("t.txt", text.as_bytes()).unwrap();
        let mut v: Vec<(String, String)> = e
            .pairings
            .into_iter()
            .map(|p| (p.helper, p.recipient))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    fn one(h: &str, r: &str) -> Vec<(String, String)> {
        vec![(h.to_owned(), r.to_owned())]
    }

    fn outcomes(text: &str) -> Vec<(f64, String, String, Option<i32>)> {
        let local = |s: &str| s.rsplit('#').next().unwrap().to_owned();
        extract("t.txt", text.as_bytes())
            .unwrap()
            .outcomes
            .into_iter()
            .map(|o| {
                let indicator = o.indicator.as_deref().map_or("-".to_owned(), local);
                (o.value, local(&o.unit), indicator, o.year)
            })
            .collect()
    }

    #[test]
    fn chinese_phrasings() {
        assert_eq!(
            pairs("2016年以来,上海市对口帮扶云南省,累计投入财政援助资金125亿元。"),
            one("310000", "530000")
        );
        assert_eq!(
            pairs("天津市与甘肃省签订东西部扶贫协作框架协议。"),
            one("120000", "620000")
        );
        assert_eq!(pairs("苏州市结对帮扶铜仁市。"), one("320500", "520600"));
        assert_eq!(
            pairs("在江苏省的帮扶下,陕西省的贫困县全部摘帽。"),
            one("320000", "610000")
        );
        assert_eq!(
            pairs("浙江省对口帮扶四川省甘孜州、阿坝州和凉山州。"),
            [
                ("330000", "513200"),
                ("330000", "513300"),
                ("330000", "513400")
            ]
            .map(|(h, r)| (h.to_owned(), r.to_owned()))
        );
        // A total since a year has no year of its own.
        assert_eq!(
            outcomes("2016年以来,上海市对口帮扶云南省,累计投入财政援助资金125亿元。"),
            [(
                12_500_000_000.0,
                "Yuan".to_owned(),
                "Investment".to_owned(),
                None
            )]
        );
    }

    #[test]
    fn traditional_and_japanese_phrasings() {
        let text = "廣東省對口幫扶廣西壯族自治區,2019年幫助5.2萬名貧困勞動力實現就業。";
        assert_eq!(pairs(text), one("440000", "450000"));
        assert_eq!(
            outcomes(text),
            [(
                52_000.0,
                "Person".to_owned(),
                "Employment".to_owned(),
                Some(2019)
            )]
        );
        let ja = "上海市は雲南省を支援し、2019年には約3万人が貧困から脱却した。";
        assert_eq!(pairs(ja), one("310000", "530000"));
        assert_eq!(
            outcomes(ja),
            [(
                30_000.0,
                "Person".to_owned(),
                "LiftedOutOfPoverty".to_owned(),
                Some(2019)
            )]
        );
        assert_eq!(
            pairs("天津市と甘粛省は東西部扶貧協力を進めている。"),
            one("120000", "620000")
        );
    }

    #[test]
    fn english_french_vietnamese_phrasings() {
        let en = "Zhejiang Province has paired up with Sichuan Province since 2018, helping more than 50,000 people find jobs.";
        assert_eq!(pairs(en), one("330000", "510000"));
        assert_eq!(
            outcomes(en),
            [(50_000.0, "Person".to_owned(), "Employment".to_owned(), None)]
        );
        let passive =
            "With the help of Guangdong, Guangxi lifted 1.2 million people out of poverty in 2019.";
        assert_eq!(pairs(passive), one("440000", "450000"));
        assert_eq!(
            outcomes(passive),
            [(
                1_200_000.0,
                "Person".to_owned(),
                "LiftedOutOfPoverty".to_owned(),
                Some(2019)
            )]
        );
        assert_eq!(
            pairs("Le Jiangsu apporte son aide au Shaanxi depuis 1996."),
            one("320000", "610000")
        );
        let fr = "Grâce au soutien de Shanghai, près de 300 000 personnes sont sorties de la pauvreté au Yunnan.";
        assert_eq!(pairs(fr), one("310000", "530000"));
        assert_eq!(
            outcomes(fr),
            [(
                300_000.0,
                "Person".to_owned(),
                "LiftedOutOfPoverty".to_owned(),
                None
            )]
        );
        assert_eq!(
            pairs("Tỉnh Giang Tô hỗ trợ tỉnh Thiểm Tây từ năm 1996."),
            one("320000", "610000")
        );
        let vi = "Năm 2019, Quảng Đông giúp đỡ Quảng Tây, hơn 50.000 người đã thoát nghèo.";
        assert_eq!(pairs(vi), one("440000", "450000"));
        assert_eq!(
            outcomes(vi),
            [(
                50_000.0,
                "Person".to_owned(),
                "LiftedOutOfPoverty".to_owned(),
                Some(2019)
            )]
        );
    }

    #[test]
    fn lists_of_recipients_and_large_numbers() {
        assert_eq!(
            pairs("杭州市结对帮扶恩施州、黔东南州和黔西南州。"),
            [
                ("330100", "422800"),
                ("330100", "522300"),
                ("330100", "522600")
            ]
            .map(|(h, r)| (h.to_owned(), r.to_owned()))
        );
        let vi = "Thượng Hải hỗ trợ tỉnh Vân Nam từ năm 1996, giúp 2,6 triệu người thoát nghèo.";
        assert_eq!(pairs(vi), one("310000", "530000"));
        assert_eq!(
            outcomes(vi),
            [(
                2_600_000.0,
                "Person".to_owned(),
                "LiftedOutOfPoverty".to_owned(),
                None
            )]
        );
        let en = "Since 2016, Jiangsu has paired with Shaanxi and Qinghai, investing more than 8.6 billion yuan.";
        assert_eq!(
            pairs(en),
            [("320000", "610000"), ("320000", "630000")].map(|(h, r)| (h.to_owned(), r.to_owned()))
        );
        assert_eq!(
            outcomes(en),
            [(
                8_600_000_000.0,
                "Yuan".to_owned(),
                "Investment".to_owned(),
                None
            )]
        );
    }

    #[test]
    fn personnel_sent_in_six_languages() {
        let sent = |value: f64, unit: &str| {
            vec![(
                value,
                unit.to_owned(),
                "PersonnelSent".to_owned(),
                None::<i32>,
            )]
        };
        assert_eq!(
            outcomes("浙江省先后选派200名干部到四川省挂职。"),
            sent(200.0, "Person")
        );
        assert_eq!(
            outcomes("江蘇省から教師など延べ300人が陝西省に派遣された。"),
            sent(300.0, "PersonTime")
        );
        assert_eq!(
            outcomes("Jiangsu has sent 150 doctors to Shaanxi."),
            sent(150.0, "Person")
        );
        assert_eq!(
            outcomes("Le Zhejiang a envoyé 80 enseignants au Sichuan."),
            sent(80.0, "Person")
        );
        assert_eq!(
            outcomes("Giang Tô đã cử 90 bác sĩ đến Thiểm Tây."),
            sent(90.0, "Person")
        );
    }

    #[test]
    fn a_signing_does_not_hide_agreements_signed() {
        assert_eq!(
            outcomes("Le Zhejiang et le Sichuan ont signé 12 accords."),
            [(
                12.0,
                "Document".to_owned(),
                "AgreementsSigned".to_owned(),
                None
            )]
        );
    }

    #[test]
    fn plans_and_a_region_s_economy_are_not_outcomes() {
        for text in [
            "江苏省预计明年帮助陕西省1万人实现就业。",
            "Zhejiang will invest 2 billion yuan in Sichuan next year.",
            "Le Jiangsu devrait investir 3 milliards de yuans au Shaanxi.",
            "2019年，四川省地区生产总值为4.6万亿元，农村居民收入增长9%。",
            "Sichuan's GDP reached 4.6 trillion yuan, and rural incomes rose 9 percent.",
            "Thiểm Tây có dân số khoảng 39 triệu người, thu nhập tăng 8%.",
        ] {
            assert!(outcomes(text).is_empty(), "{text}");
        }
        // Without those words, the same numbers are outcomes, as are those told before them.
        assert_eq!(outcomes("江苏省帮助陕西省1万人实现就业。").len(), 1);
        assert_eq!(
            outcomes("Zhejiang has invested 2 billion yuan in Sichuan, and will invest more.")
                .len(),
            1
        );
    }

    #[test]
    fn numbers_of_a_table_take_the_unit_of_its_caption_and_the_year_of_their_row() {
        let text = "表2 2017—2020年上海市投入遵义市帮扶资金（万元）\n年份\t金额\n2017\t9800\n\
                    2018\t13 200\n合计\t23 000\n\n后记。";
        let investment =
            |value: f64, year| (value, "Yuan".to_owned(), "Investment".to_owned(), year);
        assert_eq!(
            outcomes(text),
            [
                investment(98_000_000.0, Some(2017)),
                investment(132_000_000.0, Some(2018)),
                investment(230_000_000.0, None),
            ]
        );
        assert_eq!(
            outcomes(
                "Bảng 1. Vốn đầu tư của Giang Tô (triệu NDT)\nNăm    Tây Ninh\n2019    1.353\n"
            ),
            [(
                1_353_000_000.0,
                "Yuan".to_owned(),
                "Investment".to_owned(),
                Some(2019)
            )]
        );
        // Years heading the columns, and rows of years written with 年.
        assert_eq!(
            outcomes(
                "表3 上海市投入遵义市帮扶资金（万元）\n类别\t2019\t2020\n财政资金\t9800\t13200\n"
            ),
            [
                investment(98_000_000.0, Some(2019)),
                investment(132_000_000.0, Some(2020))
            ]
        );
        assert_eq!(
            outcomes("表4 上海市投入遵义市帮扶资金（单位：万元）\n2019年\t9800\n"),
            [investment(98_000_000.0, Some(2019))]
        );
        // Each column measures what its heading names.
        let mut by_column = outcomes(
            "Table 5. Shanghai's help to Zunyi, 2019 (persons)\nYear    Trained    Employed\n2019    1,200    1,200\n",
        );
        by_column.sort_by(|a, b| a.2.cmp(&b.2));
        assert_eq!(
            by_column,
            [
                (
                    1200.0,
                    "Person".to_owned(),
                    "Employment".to_owned(),
                    Some(2019)
                ),
                (
                    1200.0,
                    "Person".to_owned(),
                    "Training".to_owned(),
                    Some(2019)
                ),
            ]
        );
        for text in [
            // A region's economy is no outcome.
            "表1 遵义市地区生产总值（亿元）\n2017\t2748\n",
            // Nor is a table without a unit, or numbers that are no table's.
            "Table 3. Workers trained, 2019-2020\n2019    1,200\n",
            "2017\t9800\n2018\t13200\n",
        ] {
            assert!(outcomes(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn projects_carried_out_are_results_without_an_indicator() {
        assert_eq!(
            outcomes("大连对口帮扶六盘水，全年共实施帮扶项目176个。"),
            [(176.0, "Project".to_owned(), "-".to_owned(), None)]
        );
        assert_eq!(
            outcomes("With Tianjin's help, Gannan built 45 workshops in 2020."),
            [(45.0, "Project".to_owned(), "-".to_owned(), Some(2020))]
        );
        // Other units still need a word saying what the number measures.
        for text in [
            "六盘水市有贫困人口5万人。",
            "Gannan has 700,000 people.",
            // A bare classifier counts anything: these are measures, not projects.
            "大连对口帮扶六盘水，出台12项政策措施。",
        ] {
            assert!(outcomes(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_year_written_as_a_start_dates_the_pairing_in_a_clause_with_an_outcome() {
        let since = |text: &str| -> Vec<Option<i32>> {
            extract("t.txt", text.as_bytes())
                .unwrap()
                .pairings
                .iter()
                .map(|p| p.since)
                .collect()
        };
        assert_eq!(
            since("浙江省自2018年以来帮扶四川省投入资金5亿元。"),
            [Some(2018)]
        );
        assert_eq!(since("浙江省2018年帮扶四川省投入资金5亿元。"), [None]);
        assert_eq!(
            since("Zhejiang has helped Sichuan with 500 million yuan since 2018."),
            [Some(2018)]
        );
    }

    #[test]
    fn an_outcome_has_the_year_of_its_clause_and_a_total_over_years_none() {
        let years = |text: &str| -> Vec<Option<i32>> {
            extract("t.txt", text.as_bytes())
                .unwrap()
                .outcomes
                .iter()
                .map(|o| o.year)
                .collect()
        };
        assert_eq!(years("2019年，江苏省投入资金7亿元。"), [Some(2019)]);
        assert_eq!(years("2017—2020年，江苏省累计投入资金70亿元。"), [None]);
        assert_eq!(
            years("江苏省自2016年以来累计投入资金20亿元，其中2020年投入5亿元。"),
            [None, Some(2020)]
        );
        assert_eq!(
            years("Entre 2015 et 2020, le Jiangsu a investi 3 milliards de yuans."),
            [None]
        );
        // After a semicolon the sentence's year no longer holds.
        assert_eq!(
            years("2020年，广州市向毕节市投入资金3亿元；广州市帮助毕节市1万人就业。"),
            [Some(2020), None]
        );
    }

    #[test]
    fn in_a_sentence_of_several_pairings_an_outcome_takes_the_one_of_its_clause() {
        let e = extract(
            "t.txt",
            "广州市向黔南州、毕节市投入资金5亿元；广州市帮助毕节市2万人就业。".as_bytes(),
        )
        .unwrap();
        let tied: Vec<_> = e.outcomes.iter().map(|o| o.pairing.clone()).collect();
        assert_eq!(
            tied,
            [None, Some(("440100".to_owned(), "520500".to_owned()))]
        );
    }

    #[test]
    fn encodings_other_than_utf8_give_the_same_facts() {
        let simplified = "福建省与宁夏回族自治区每年召开一次联席会议,推进闽宁协作。";
        let traditional = "福建省與寧夏回族自治區每年召開一次聯席會議,推進閩寧協作。";
        for (encoding, text) in [
            (encoding_rs::GB18030, simplified),
            (encoding_rs::BIG5, traditional),
        ] {
            let (bytes, _, unmappable) = encoding.encode(text);
            assert!(!unmappable);
            let e = extract("t.txt", &bytes).unwrap();
            assert!(
                e.pairings
                    .iter()
                    .any(|p| p.helper == "350000" && p.recipient == "640000"),
                "{}",
                encoding.name()
            );
        }
        let (sjis, _, _) = encoding_rs::SHIFT_JIS
            .encode("福建省と寧夏回族自治区は毎年合同会議を開き、協力を進めている。");
        let e = extract("t.txt", &sjis).unwrap();
        assert_eq!(e.document.encoding, "Shift_JIS");
        assert!(e
            .pairings
            .iter()
            .any(|p| p.helper == "350000" && p.recipient == "640000"));
    }
}

/// Any bytes in, no panic out, and every evidence span a valid range of the decoded original
/// whose text is the quote. Inputs: random bytes, and seed texts cut at random byte positions
/// and spliced with the damage real pages carry (pinyin, `?`, U+FFFD, NUL, BOMs).
#[cfg(test)]
mod any_input {
    use super::*;

    /// xorshift64*: deterministic, so a failure reproduces.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    fn check(bytes: &[u8]) {
        let Ok(extraction) = extract("fuzz.txt", bytes) else {
            return;
        };
        let text = decode(bytes).expect("decoded once, decodes again").text;
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(extraction.document.characters, chars.len());
        let evidence = extraction
            .pairings
            .iter()
            .map(|p| &p.evidence)
            .chain(extraction.outcomes.iter().map(|o| &o.evidence));
        for e in evidence {
            assert!(
                e.start <= e.end && e.end <= chars.len(),
                "span {}..{} of {}",
                e.start,
                e.end,
                chars.len()
            );
            let quoted: String = chars[e.start..e.end].iter().collect();
            assert_eq!(quoted, &*e.quote);
        }
    }

    #[test]
    fn random_and_damaged_input_never_panics_and_spans_stay_valid() {
        let seeds: Vec<Vec<u8>> = [
            "000_14eb7ade860a9bc8.txt",
            "003_09eee8d4159d2fdc.txt",
            "004_c5ac9b9131ebefd6.txt",
        ]
        .iter()
        .map(|f| {
            std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("seeds")
                    .join(f),
            )
            .unwrap()
        })
        .collect();
        let damage: [&[u8]; 9] = [
            "(xié)".as_bytes(),
            b"?",
            "\u{FFFD}".as_bytes(),
            b"\0",
            b"\xEF\xBB\xBF",
            b"\xFF\xFE",
            "闽宁协作".as_bytes(),
            "\n猜你喜欢\n".as_bytes(),
            b"\xE5\xB9",
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for round in 0..300 {
            let mut input = Vec::new();
            if round % 3 == 0 {
                input.extend((0..rng.below(400)).map(|_| rng.next() as u8));
            } else {
                for _ in 0..1 + rng.below(6) {
                    let seed = &seeds[rng.below(seeds.len())];
                    let start = rng.below(seed.len());
                    let end = (start + rng.below(3000)).min(seed.len());
                    input.extend_from_slice(&seed[start..end]);
                    input.extend_from_slice(damage[rng.below(damage.len())]);
                }
            }
            check(&input);
        }
    }
}
