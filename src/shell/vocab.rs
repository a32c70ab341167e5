//! What the shell knows about the store for completion and hints: the prefixed names of its
//! classes, properties, concepts, pairings and documents, and every label of its regions and
//! concepts (in any language), so that typing `福建`, `Fuj` or `Phúc` finds `reg:350000`.
//!
//! It is read from the store (not from the embedded ontology) so that whatever a SPARQL Update or
//! `.load` added is offered too, and it is read in the background: the prompt does not wait.

use crate::remote::{QuerySource, SourceError};
use crate::results::compact_iri;
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use unicode_normalization::UnicodeNormalization;

/// A node with labels: a region or a concept.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub iri: String,
    /// Prefixed name where one fits, else `<iri>`.
    pub name: String,
    /// rdfs:label or skos:prefLabel by lower-case language tag.
    pub labels: BTreeMap<String, String>,
    /// Sort key: provinces before prefectures before counties, then concepts, then by name.
    rank: u8,
}

impl Labelled {
    /// The label in `lang` (`zh` means simplified Chinese), else none.
    pub fn label(&self, lang: &str) -> Option<&str> {
        let lang = match lang {
            "zh" => "zh-hans",
            other => other,
        };
        self.labels.get(lang).map(String::as_str)
    }

    /// A short description: the simplified Chinese and the English label.
    pub fn describe(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        for lang in ["zh-hans", "en"] {
            if let Some(l) = self.labels.get(lang) {
                if !parts.contains(&l.as_str()) {
                    parts.push(l);
                }
            }
        }
        parts.join(" · ")
    }
}

/// One written form of a label, folded for matching.
#[derive(Debug, Clone)]
struct LabelKey {
    key: String,
    label: String,
    node: usize,
}

#[derive(Debug, Default)]
pub struct Vocabulary {
    /// Prefixed names (and `<iri>`s) of classes, properties, concepts, pairings and documents.
    pub names: Vec<String>,
    pub nodes: Vec<Labelled>,
    by_iri: HashMap<String, usize>,
    /// Sorted by key.
    keys: Vec<LabelKey>,
}

/// A node found by one of its labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMatch {
    pub node: usize,
    /// The label as written, which starts with what was typed (folded).
    pub label: String,
}

/// Lower case, accents and tones removed (`Phúc Kiến` → `phuc kien`), so typing is forgiving.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";

impl Vocabulary {
    pub fn load(source: &QuerySource<'_>) -> Result<Vocabulary, SourceError> {
        let mut names = BTreeSet::new();
        let name_query = "SELECT DISTINCT ?t WHERE {
            { ?s ?t ?o } UNION { ?s a ?t }
            UNION { ?t a ?c VALUES ?c { owl:Class rdfs:Class owl:ObjectProperty owl:DatatypeProperty
                    rdf:Property skos:Concept skos:ConceptScheme xz:Pairing xz:Document xz:Side xz:AdminLevel } }
        }";
        for_each_row(source, name_query, |row| {
            if let Some(Term::NamedNode(n)) = &row[0] {
                let name = compact_iri(n.as_str());
                if !name.starts_with('<') {
                    names.insert(name);
                }
            }
        })?;
        // Regions and concepts are found by their labels; classes and properties only show
        // theirs (typing "year" should not turn into xz:year).
        let label_query = "SELECT ?s ?p ?l ?level ?findable WHERE {
            { ?s a xz:Region BIND(true AS ?findable) } UNION { ?s a skos:Concept BIND(true AS ?findable) }
            UNION { ?s a ?t VALUES ?t { owl:Class owl:ObjectProperty owl:DatatypeProperty rdf:Property } BIND(false AS ?findable) }
            ?s ?p ?l . VALUES ?p { rdfs:label skos:prefLabel skos:altLabel }
            OPTIONAL { ?s xz:level ?level }
        }";
        let mut vocabulary = Vocabulary::default();
        for_each_row(source, label_query, |row| {
            let (Some(Term::NamedNode(s)), Some(Term::NamedNode(p)), Some(Term::Literal(l))) =
                (&row[0], &row[1], &row[2])
            else {
                return;
            };
            let rank = match &row[3] {
                Some(Term::NamedNode(level)) => match level.as_str().rsplit('#').next() {
                    Some("ProvinceLevel") => 0,
                    Some("PrefectureLevel") => 1,
                    _ => 2,
                },
                _ => 3,
            };
            let node = *vocabulary
                .by_iri
                .entry(s.as_str().to_owned())
                .or_insert_with(|| {
                    vocabulary.nodes.push(Labelled {
                        iri: s.as_str().to_owned(),
                        name: compact_iri(s.as_str()),
                        labels: BTreeMap::new(),
                        rank,
                    });
                    vocabulary.nodes.len() - 1
                });
            let preferred = p.as_str() == RDFS_LABEL || p.as_str() == format!("{SKOS}prefLabel");
            if preferred {
                if let Some(lang) = l.language() {
                    vocabulary.nodes[node]
                        .labels
                        .entry(lang.to_owned())
                        .or_insert_with(|| l.value().to_owned());
                }
            }
            let findable = matches!(&row[4], Some(Term::Literal(f)) if f.value() == "true");
            if findable {
                vocabulary.keys.push(LabelKey {
                    key: fold(l.value()),
                    label: l.value().to_owned(),
                    node,
                });
            }
        })?;
        // Region codes complete too: `reg:3501` offers Fuzhou.
        for node in &vocabulary.nodes {
            if !node.name.starts_with('<') {
                names.insert(node.name.clone());
            }
        }
        vocabulary.names = names.into_iter().collect();
        vocabulary
            .keys
            .sort_by(|a, b| a.key.cmp(&b.key).then(a.node.cmp(&b.node)));
        vocabulary
            .keys
            .dedup_by(|a, b| a.key == b.key && a.node == b.node);
        Ok(vocabulary)
    }

    pub fn node(&self, iri: &str) -> Option<&Labelled> {
        self.by_iri.get(iri).map(|&i| &self.nodes[i])
    }

    /// Nodes with a label that starts with `typed` (folded), best first: one entry per node,
    /// provinces before prefectures before counties, exact matches first.
    pub fn find_by_label(&self, typed: &str, limit: usize) -> Vec<LabelMatch> {
        let key = fold(typed);
        if key.is_empty() {
            return Vec::new();
        }
        let first = self.keys.partition_point(|k| k.key.as_str() < key.as_str());
        let mut found: Vec<(bool, u8, &str, LabelMatch)> = Vec::new();
        let mut seen = HashMap::new();
        for k in self.keys[first..]
            .iter()
            .take_while(|k| k.key.starts_with(&key))
        {
            let exact = k.key == key;
            let node = &self.nodes[k.node];
            match seen.get(&k.node) {
                // Keep the shortest matching label of a node.
                Some(&i) => {
                    let (e, _, _, ref m): (bool, u8, &str, LabelMatch) = found[i];
                    if (exact && !e) || (exact == e && k.label.len() < m.label.len()) {
                        found[i] = (exact, node.rank, node.name.as_str(), match_of(k));
                    }
                }
                None => {
                    seen.insert(k.node, found.len());
                    found.push((exact, node.rank, node.name.as_str(), match_of(k)));
                }
            }
        }
        found.sort_by(|a, b| (!a.0, a.1, a.2).cmp(&(!b.0, b.1, b.2)));
        found.into_iter().take(limit).map(|f| f.3).collect()
    }
}

fn match_of(k: &LabelKey) -> LabelMatch {
    LabelMatch {
        node: k.node,
        label: k.label.clone(),
    }
}

fn for_each_row(
    source: &QuerySource<'_>,
    query: &str,
    mut f: impl FnMut(&[Option<Term>]),
) -> Result<(), SourceError> {
    if let QueryResults::Solutions(solutions) = source.query(query)? {
        let variables = solutions.variables().to_vec();
        for solution in solutions {
            let solution = solution?;
            let row: Vec<Option<Term>> =
                variables.iter().map(|v| solution.get(v).cloned()).collect();
            f(&row);
        }
    }
    Ok(())
}

/// The vocabulary, shared between the loader thread and the line editor's helper. It may be
/// absent: not loaded yet, or out of date after `.load` or an update.
#[derive(Default)]
pub struct SharedVocabulary {
    state: Mutex<Slot>,
    ready: Condvar,
}

#[derive(Default)]
struct Slot {
    vocabulary: Option<Arc<Vocabulary>>,
    loading: bool,
}

impl SharedVocabulary {
    /// Loads (or reloads) from the store or endpoint; other threads waiting for it wake up.
    pub fn load(&self, source: &QuerySource<'_>) {
        {
            let mut slot = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if slot.loading {
                return;
            }
            slot.loading = true;
        }
        // A failure leaves completion without store names; typing still works.
        let loaded = Vocabulary::load(source).unwrap_or_default();
        let mut slot = self.state.lock().unwrap_or_else(|e| e.into_inner());
        slot.vocabulary = Some(Arc::new(loaded));
        slot.loading = false;
        self.ready.notify_all();
    }

    /// Marks the vocabulary out of date; the next `get_or_load` reads it again.
    pub fn invalidate(&self) {
        let mut slot = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if !slot.loading {
            slot.vocabulary = None;
        }
    }

    /// The vocabulary if it is ready now.
    pub fn try_get(&self) -> Option<Arc<Vocabulary>> {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .vocabulary
            .clone()
    }

    /// The vocabulary, waiting for a load in progress or loading it here.
    pub fn get_or_load(&self, source: &QuerySource<'_>) -> Arc<Vocabulary> {
        loop {
            let slot = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(v) = &slot.vocabulary {
                return v.clone();
            }
            if slot.loading {
                let (slot, _) = self
                    .ready
                    .wait_timeout(slot, Duration::from_secs(5))
                    .unwrap_or_else(|e| e.into_inner());
                if let Some(v) = &slot.vocabulary {
                    return v.clone();
                }
                if slot.loading {
                    return Arc::new(Vocabulary::default());
                }
                continue;
            }
            drop(slot);
            self.load(source);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_forgives_case_accents_and_tones() {
        assert_eq!(fold("Phúc Kiến"), "phuc kien");
        assert_eq!(fold("Đà Nẵng"), "da nang");
        assert_eq!(fold("福建省"), "福建省");
        assert_eq!(fold("Île-de-France"), "ile-de-france");
    }
}
