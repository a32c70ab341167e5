//! Scoring extractions against a gold file written by reading the texts (`tests/gold/seeds.json`
//! is the seeds' one). Precision and recall per kind of fact, and the facts that came from
//! boilerplate, so users can measure the extractor on their own texts.

use crate::facts::Extraction;
use crate::knowledge::XZ;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Deserialize)]
pub struct Gold {
    pub documents: BTreeMap<String, GoldDocument>,
}

#[derive(Debug, Deserialize)]
pub struct GoldDocument {
    #[serde(default)]
    pub pairings: Vec<GoldPairing>,
    #[serde(default)]
    pub outcomes: Vec<GoldOutcome>,
    /// Substrings that occur only in boilerplate: no evidence may contain them.
    #[serde(default)]
    pub boilerplate: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct GoldPairing {
    pub helper: String,
    pub recipient: String,
    pub since: Option<i32>,
    #[serde(default)]
    pub models: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct GoldOutcome {
    pub value: f64,
    pub unit: String,
    pub indicator: Option<String>,
    pub year: Option<i32>,
    pub qualifier: Option<String>,
    pub pairing: Option<(String, String)>,
}

/// Counts for one kind of fact.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Score {
    pub gold: usize,
    pub found: usize,
    pub correct: usize,
}

impl Score {
    pub fn precision(&self) -> f64 {
        if self.found == 0 {
            1.0
        } else {
            self.correct as f64 / self.found as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.gold == 0 {
            1.0
        } else {
            self.correct as f64 / self.gold as f64
        }
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// Kind of fact → score: pairings, years, models, outcomes, outcome-details.
    pub scores: BTreeMap<String, Score>,
    /// Evidence quotes that contain a boilerplate string of the gold file.
    pub facts_from_boilerplate: Vec<String>,
    /// Gold documents that were not among the extracted texts.
    pub missing_documents: Vec<String>,
    /// Kind of fact → the gold facts the extractor did not find.
    pub missed: BTreeMap<String, Vec<String>>,
    /// Kind of fact → the facts found that the gold file does not have.
    pub unexpected: BTreeMap<String, Vec<String>>,
}

fn local(iri: &str) -> &str {
    iri.rsplit(['#', '/']).next().unwrap_or(iri)
}

fn or_dash(value: Option<impl std::fmt::Display>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn score<T: Ord>(gold: BTreeSet<T>, found: BTreeSet<T>) -> Score {
    Score {
        gold: gold.len(),
        found: found.len(),
        correct: gold.intersection(&found).count(),
    }
}

/// Values compare at a precision of a thousandth, so 5.59万 and 55900 meet; the key reads as
/// the number (51629, 32.5).
fn value_key(v: f64) -> String {
    format!("{}", (v * 1000.0).round() / 1000.0)
}

/// Scores the extractions of the gold file's documents (others are ignored).
pub fn evaluate(gold: &Gold, extractions: &[Extraction]) -> Report {
    let mut report = Report::default();
    let by_file: BTreeMap<&str, &Extraction> = extractions
        .iter()
        .map(|e| (e.document.source_file.as_str(), e))
        .collect();
    let model_property = format!("{XZ}model");
    let mut sets: BTreeMap<&str, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    let mut add = |kind: &'static str, is_gold: bool, key: String| {
        let entry = sets.entry(kind).or_default();
        if is_gold {
            entry.0.insert(key);
        } else {
            entry.1.insert(key);
        }
    };
    for (file, gold_doc) in &gold.documents {
        let Some(extraction) = by_file.get(file.as_str()) else {
            report.missing_documents.push(file.clone());
            continue;
        };
        for p in &gold_doc.pairings {
            add(
                "pairings",
                true,
                format!("{file} {}→{}", p.helper, p.recipient),
            );
            if let Some(since) = p.since {
                add(
                    "years",
                    true,
                    format!("{file} {}→{} {since}", p.helper, p.recipient),
                );
            }
            for m in &p.models {
                add(
                    "models",
                    true,
                    format!("{file} {}→{} {m}", p.helper, p.recipient),
                );
            }
        }
        let mut since: BTreeMap<(String, String), i32> = BTreeMap::new();
        for p in &extraction.pairings {
            let pair = format!("{}→{}", p.helper, p.recipient);
            add("pairings", false, format!("{file} {pair}"));
            if let Some(y) = p.since {
                let e = since
                    .entry((p.helper.clone(), p.recipient.clone()))
                    .or_insert(y);
                *e = (*e).min(y);
            }
            for (property, concept) in &p.concepts {
                if **property == *model_property {
                    add("models", false, format!("{file} {pair} {}", local(concept)));
                }
            }
        }
        for ((h, r), y) in since {
            add("years", false, format!("{file} {h}→{r} {y}"));
        }
        // Outcomes are a multiset in principle; numbers repeat rarely enough that a set serves.
        for o in &gold_doc.outcomes {
            add(
                "outcomes",
                true,
                format!("{file} {} {}", value_key(o.value), o.unit),
            );
            let pairing = o.pairing.as_ref().map(|(h, r)| format!("{h}→{r}"));
            add(
                "outcome-details",
                true,
                format!(
                    "{file} {} {} indicator={} year={} qualifier={} pairing={}",
                    value_key(o.value),
                    o.unit,
                    or_dash(o.indicator.as_deref()),
                    or_dash(o.year),
                    or_dash(o.qualifier.as_deref()),
                    or_dash(pairing)
                ),
            );
        }
        for o in &extraction.outcomes {
            let unit = local(&o.unit).to_owned();
            add(
                "outcomes",
                false,
                format!("{file} {} {unit}", value_key(o.value)),
            );
            let pairing = o.pairing.as_ref().map(|(h, r)| format!("{h}→{r}"));
            add(
                "outcome-details",
                false,
                format!(
                    "{file} {} {unit} indicator={} year={} qualifier={} pairing={}",
                    value_key(o.value),
                    or_dash(o.indicator.as_deref().map(local)),
                    or_dash(o.year),
                    or_dash(o.qualifier.map(|q| q.name())),
                    or_dash(pairing)
                ),
            );
        }
        let quotes = extraction
            .pairings
            .iter()
            .map(|p| &p.evidence.quote)
            .chain(extraction.outcomes.iter().map(|o| &o.evidence.quote))
            .chain(
                extraction
                    .policy_documents
                    .iter()
                    .map(|d| &d.evidence.quote),
            )
            .chain(extraction.events.iter().map(|e| &e.evidence.quote));
        for quote in quotes {
            if gold_doc
                .boilerplate
                .iter()
                .any(|b| quote.contains(b.as_str()))
            {
                report
                    .facts_from_boilerplate
                    .push(format!("{file}: {quote}"));
            }
        }
    }
    for (kind, (gold_set, found_set)) in sets {
        let missed: Vec<String> = gold_set.difference(&found_set).cloned().collect();
        let unexpected: Vec<String> = found_set.difference(&gold_set).cloned().collect();
        if !missed.is_empty() {
            report.missed.insert(kind.to_owned(), missed);
        }
        if !unexpected.is_empty() {
            report.unexpected.insert(kind.to_owned(), unexpected);
        }
        report
            .scores
            .insert(kind.to_owned(), score(gold_set, found_set));
    }
    report.facts_from_boilerplate.sort();
    report.facts_from_boilerplate.dedup();
    report
}

/// The report as a table for people; with `details`, the facts missed and those not in the gold
/// file, one per line, so a user sees what to fix.
pub fn render(report: &Report, details: bool) -> String {
    let mut out = String::from("kind             gold  found  correct  precision  recall\n");
    for (kind, s) in &report.scores {
        out.push_str(&format!(
            "{kind:<15} {:>5} {:>6} {:>8} {:>9.1}% {:>6.1}%\n",
            s.gold,
            s.found,
            s.correct,
            s.precision() * 100.0,
            s.recall() * 100.0
        ));
    }
    out.push_str(&format!(
        "facts from boilerplate: {}\n",
        report.facts_from_boilerplate.len()
    ));
    for quote in &report.facts_from_boilerplate {
        out.push_str(&format!("  {quote}\n"));
    }
    for missing in &report.missing_documents {
        out.push_str(&format!("not among the texts: {missing}\n"));
    }
    if details {
        for (heading, facts) in [
            ("missed", &report.missed),
            ("not in the gold file", &report.unexpected),
        ] {
            for (kind, keys) in facts {
                out.push_str(&format!("{heading}, {kind}:\n"));
                for key in keys {
                    out.push_str(&format!("  {key}\n"));
                }
            }
        }
    }
    out
}
