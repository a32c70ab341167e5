//! Facts to RDF. IRIs are deterministic, so the same fact read from several documents or
//! languages lands on the same node: the pairing of Fujian and Ningxia is
//! `…/id/pairing/350000-640000` whichever document states it. Each document's quads go to the
//! named graph whose name is the document's IRI.
//!
//! A document's triples are of two kinds, which the store keeps apart (see `store`): those about
//! its evidence nodes (the evidence's own triples and the `prov:wasDerivedFrom` links to it),
//! which no other document can state because the evidence IRI names the document, and the rest —
//! the facts and the document's own description — which several documents may state alike.

use crate::facts::{
    EventStatement, Evidence, Extraction, OutcomeStatement, PairingStatement,
    PolicyDocumentStatement,
};
use crate::knowledge::{Knowledge, ID, XZ};
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{
    GraphName, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad, Term,
    TermRef, Triple, TripleRef,
};
use std::collections::HashSet;

const PROV_DERIVED: &str = "http://www.w3.org/ns/prov#wasDerivedFrom";
const DCT_LANGUAGE: &str = "http://purl.org/dc/terms/language";

pub fn xz(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{XZ}{local}"))
}

pub fn region_iri(code: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ID}region/{code}"))
}

pub fn pairing_iri(helper: &str, recipient: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ID}pairing/{helper}-{recipient}"))
}

/// The document's IRI, which also names its graph.
pub fn document_iri(source_file: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ID}document/{}", iri_segment(source_file)))
}

/// Percent-encodes everything but unreserved characters, so any file name makes a valid IRI.
fn iri_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `xsd:gYear` literal.
pub fn year(y: i32) -> Literal {
    Literal::new_typed_literal(format!("{y:04}"), xsd::G_YEAR)
}

/// One document's graph: its name and its triples, each once (the rules may state a triple
/// twice), in the order the rules produced them, split into the two kinds the store keeps apart.
/// Built on the extraction workers, so the writer only hands triples to the store.
#[derive(Debug, Clone)]
pub struct DocumentGraph {
    pub name: NamedNode,
    /// Facts and the document's description: triples other documents may state too.
    pub statements: Vec<Triple>,
    /// Triples about the document's evidence nodes ([`is_evidence_bound`]): this document's alone.
    pub evidence: Vec<Triple>,
    /// Pairing statements of the document, for the build's summary.
    pub pairing_statements: usize,
}

impl DocumentGraph {
    /// Every triple of the document, statements first.
    pub fn triples(&self) -> impl Iterator<Item = &Triple> {
        self.statements.iter().chain(&self.evidence)
    }

    pub fn len(&self) -> usize {
        self.statements.len() + self.evidence.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// True for the IRI of an evidence node (`…/id/evidence/<document>/<span>/<rule>`).
pub fn is_evidence_iri(iri: &str) -> bool {
    iri.strip_prefix(ID)
        .is_some_and(|rest| rest.starts_with("evidence/"))
}

/// The document an evidence node belongs to, read off its IRI.
pub fn evidence_document(iri: &str) -> Option<NamedNode> {
    let rest = iri.strip_prefix(ID)?.strip_prefix("evidence/")?;
    let (document, _) = rest.split_once('/')?;
    Some(NamedNode::new_unchecked(format!("{ID}document/{document}")))
}

/// The evidence node a triple is about, as subject or object, if any: such a triple belongs to
/// the evidence's document alone.
pub fn evidence_node(triple: TripleRef<'_>) -> Option<NamedNodeRef<'_>> {
    match (triple.subject, triple.object) {
        (NamedOrBlankNodeRef::NamedNode(s), _) if is_evidence_iri(s.as_str()) => Some(s),
        (_, TermRef::NamedNode(o)) if is_evidence_iri(o.as_str()) => Some(o),
        _ => None,
    }
}

/// True when the triple is about an evidence node (see [`evidence_node`]).
pub fn is_evidence_bound(triple: TripleRef<'_>) -> bool {
    evidence_node(triple).is_some()
}

/// The graph of one document: [`document_quads`] without their graph name, each once.
pub fn document_graph(
    extraction: &Extraction,
    extractor_version: &str,
    k: &Knowledge,
) -> DocumentGraph {
    let mut seen = HashSet::new();
    let (evidence, statements) = document_quads(extraction, extractor_version, k)
        .into_iter()
        .map(Triple::from)
        .filter(|t| seen.insert(t.clone()))
        .partition(|t| is_evidence_bound(t.as_ref()));
    DocumentGraph {
        name: document_iri(&extraction.document.source_file),
        statements,
        evidence,
        pairing_statements: extraction.pairings.len(),
    }
}

/// All quads of one document, in its own graph. `extractor_version` lets a later build tell
/// whether the graph was made by the same extractor and ontology.
pub fn document_quads(
    extraction: &Extraction,
    extractor_version: &str,
    k: &Knowledge,
) -> Vec<Quad> {
    let doc = &extraction.document;
    let doc_iri = document_iri(&doc.source_file);
    let mut out = Quads {
        graph: GraphName::NamedNode(doc_iri.clone()),
        quads: Vec::new(),
    };
    out.add(&doc_iri, rdf::TYPE.into(), xz("Document"));
    out.add(
        &doc_iri,
        rdfs::LABEL.into(),
        Literal::new_simple_literal(&doc.source_file),
    );
    out.add(
        &doc_iri,
        xz("sourceFile"),
        Literal::new_simple_literal(&doc.source_file),
    );
    out.add(
        &doc_iri,
        xz("encoding"),
        Literal::new_simple_literal(doc.encoding),
    );
    out.add(
        &doc_iri,
        xz("contentHash"),
        Literal::new_simple_literal(&doc.content_hash),
    );
    out.add(
        &doc_iri,
        xz("extractorVersion"),
        Literal::new_simple_literal(extractor_version),
    );
    for language in &doc.languages {
        out.add(
            &doc_iri,
            NamedNode::new_unchecked(DCT_LANGUAGE),
            Literal::new_simple_literal(language.tag()),
        );
    }
    for statement in &extraction.pairings {
        pairing_quads(&mut out, statement, &doc_iri, k);
    }
    for statement in &extraction.outcomes {
        outcome_quads(&mut out, statement, &doc_iri);
    }
    for statement in &extraction.policy_documents {
        policy_document_quads(&mut out, statement, &doc_iri);
    }
    for statement in &extraction.events {
        event_quads(&mut out, statement, &doc_iri);
    }
    let hidden_label = NamedNode::new_unchecked("http://www.w3.org/2004/02/skos/core#hiddenLabel");
    for form in &extraction.surface_forms {
        out.add(
            &region_iri(&form.code),
            hidden_label.clone(),
            Literal::new_language_tagged_literal_unchecked(
                &form.text,
                form.language.tag().to_ascii_lowercase(),
            ),
        );
    }
    let repairs = extraction.repairs;
    for (property, count) in [
        ("pinyinAnnotationsRemoved", repairs.pinyin_removed),
        ("lostCharacters", repairs.lost_characters),
        ("boilerplateCharacters", repairs.boilerplate_characters),
    ] {
        out.add(&doc_iri, xz(property), Literal::from(count as i64));
    }
    out.quads
}

struct Quads {
    graph: GraphName,
    quads: Vec<Quad>,
}

impl Quads {
    fn add(&mut self, s: &NamedNode, p: NamedNode, o: impl Into<Term>) {
        self.quads.push(Quad::new(
            NamedOrBlankNode::NamedNode(s.clone()),
            p,
            o,
            self.graph.clone(),
        ));
    }
}

fn pairing_quads(out: &mut Quads, st: &PairingStatement, doc_iri: &NamedNode, k: &Knowledge) {
    let p = pairing_iri(&st.helper, &st.recipient);
    out.add(&p, rdf::TYPE.into(), xz("Pairing"));
    out.add(&p, xz("helper"), region_iri(&st.helper));
    out.add(&p, xz("recipient"), region_iri(&st.recipient));
    if let (Some(h), Some(r)) = (
        k.region_by_code(&st.helper),
        k.region_by_code(&st.recipient),
    ) {
        let (h, r) = (&k.regions[h], &k.regions[r]);
        out.add(
            &p,
            rdfs::LABEL.into(),
            Literal::new_language_tagged_literal_unchecked(
                format!("{} → {}", h.label("zh-Hans"), r.label("zh-Hans")),
                "zh-hans",
            ),
        );
        out.add(
            &p,
            rdfs::LABEL.into(),
            Literal::new_language_tagged_literal_unchecked(
                format!("{} → {}", h.label("en"), r.label("en")),
                "en",
            ),
        );
    }
    if let Some(since) = st.since {
        out.add(&p, xz("since"), year(since));
    }
    for &y in &st.years {
        out.add(&p, xz("year"), year(y));
    }
    if let Some(adjusted) = st.adjusted_in {
        out.add(&p, xz("adjustedIn"), year(adjusted));
    }
    for (property, concept) in &st.concepts {
        out.add(
            &p,
            NamedNode::new_unchecked(&**property),
            NamedNode::new_unchecked(&**concept),
        );
    }
    let ev = evidence_quads(out, &st.evidence, doc_iri);
    out.add(&p, NamedNode::new_unchecked(PROV_DERIVED), ev);
}

/// The outcome's IRI names everything that makes it the same fact in any language: pairing,
/// indicator, unit, year and value.
pub fn outcome_iri(o: &OutcomeStatement) -> NamedNode {
    let local = |iri: &str| iri.rsplit(['#', '/']).next().unwrap_or_default().to_owned();
    let pairing = o
        .pairing
        .as_ref()
        .map_or("none".to_owned(), |(h, r)| format!("{h}-{r}"));
    let year = o.year.map_or("undated".to_owned(), |y| y.to_string());
    NamedNode::new_unchecked(format!(
        "{ID}outcome/{pairing}/{}/{}/{year}/{}",
        o.indicator.as_deref().map_or("none".to_owned(), local),
        local(&o.unit),
        number_lexical(o.value)
    ))
}

/// Integral values as integers (17224), others as decimals (0.5).
fn number_lexical(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

fn outcome_quads(out: &mut Quads, o: &OutcomeStatement, doc_iri: &NamedNode) {
    let iri = outcome_iri(o);
    out.add(&iri, rdf::TYPE.into(), xz("Outcome"));
    let value = if o.value.fract() == 0.0 && o.value.abs() < 1e15 {
        Literal::from(o.value as i64)
    } else {
        Literal::new_typed_literal(number_lexical(o.value), xsd::DECIMAL)
    };
    out.add(&iri, xz("value"), value);
    out.add(&iri, xz("unit"), NamedNode::new_unchecked(&*o.unit));
    if let Some(indicator) = &o.indicator {
        out.add(
            &iri,
            xz("indicator"),
            NamedNode::new_unchecked(&**indicator),
        );
    }
    if let Some(y) = o.year {
        out.add(&iri, xz("year"), year(y));
    }
    if let Some(q) = o.qualifier {
        out.add(&iri, xz("qualifier"), Literal::new_simple_literal(q.name()));
    }
    if let Some((h, r)) = &o.pairing {
        out.add(&iri, xz("pairing"), pairing_iri(h, r));
    }
    let ev = evidence_quads(out, &o.evidence, doc_iri);
    out.add(&iri, NamedNode::new_unchecked(PROV_DERIVED), ev);
}

fn policy_document_quads(out: &mut Quads, d: &PolicyDocumentStatement, doc_iri: &NamedNode) {
    let iri = NamedNode::new_unchecked(format!("{ID}policy/{}", d.key));
    out.add(&iri, rdf::TYPE.into(), xz("PolicyDocument"));
    let title = Literal::new_language_tagged_literal_unchecked(
        &d.title,
        d.evidence.language.tag().to_ascii_lowercase(),
    );
    out.add(&iri, xz("title"), title.clone());
    out.add(&iri, rdfs::LABEL.into(), title);
    if let Some(y) = d.year {
        out.add(&iri, xz("year"), year(y));
    }
    if let Some((h, r)) = &d.pairing {
        out.add(&iri, xz("pairing"), pairing_iri(h, r));
    }
    let ev = evidence_quads(out, &d.evidence, doc_iri);
    out.add(&iri, NamedNode::new_unchecked(PROV_DERIVED), ev);
}

/// An event is the same node in every language when its type, parties or place, and year agree.
fn event_quads(out: &mut Quads, e: &EventStatement, doc_iri: &NamedNode) {
    let kind = e.event_type.rsplit('#').next().unwrap_or_default();
    let who = match (&e.pairing, &e.place) {
        (Some((h, r)), _) => format!("{h}-{r}"),
        (None, Some(place)) => place.clone(),
        (None, None) => "unplaced".to_owned(),
    };
    let when = e.year.map_or("undated".to_owned(), |y| y.to_string());
    let iri = NamedNode::new_unchecked(format!("{ID}event/{kind}/{who}/{when}"));
    out.add(&iri, rdf::TYPE.into(), xz("Event"));
    out.add(
        &iri,
        xz("eventType"),
        NamedNode::new_unchecked(&*e.event_type),
    );
    if let Some(y) = e.year {
        out.add(&iri, xz("year"), year(y));
    }
    if let Some((h, r)) = &e.pairing {
        out.add(&iri, xz("pairing"), pairing_iri(h, r));
    }
    if let Some(place) = &e.place {
        out.add(&iri, xz("place"), region_iri(place));
    }
    let ev = evidence_quads(out, &e.evidence, doc_iri);
    out.add(&iri, NamedNode::new_unchecked(PROV_DERIVED), ev);
}

fn evidence_quads(out: &mut Quads, ev: &Evidence, doc_iri: &NamedNode) -> NamedNode {
    let doc_part = doc_iri.as_str().rsplit('/').next().unwrap_or_default();
    let iri = NamedNode::new_unchecked(format!(
        "{ID}evidence/{doc_part}/{}-{}/{}",
        ev.start,
        ev.end,
        iri_segment(&ev.rule)
    ));
    out.add(&iri, rdf::TYPE.into(), xz("Evidence"));
    out.add(&iri, xz("document"), doc_iri.clone());
    out.add(
        &iri,
        xz("quote"),
        // Oxigraph stores language tags lower-cased; write them that way so every quote compares alike.
        Literal::new_language_tagged_literal_unchecked(
            &*ev.quote,
            ev.language.tag().to_ascii_lowercase(),
        ),
    );
    out.add(&iri, xz("start"), Literal::from(ev.start as i64));
    out.add(&iri, xz("end"), Literal::from(ev.end as i64));
    out.add(
        &iri,
        NamedNode::new_unchecked(DCT_LANGUAGE),
        Literal::new_simple_literal(ev.language.tag()),
    );
    out.add(&iri, xz("rule"), Literal::new_simple_literal(&*ev.rule));
    iri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_make_valid_iris() {
        let iri = document_iri("报告 2020#1.txt");
        assert!(NamedNode::new(iri.as_str()).is_ok(), "{iri}");
        assert!(iri
            .as_str()
            .ends_with("/document/%E6%8A%A5%E5%91%8A%202020%231.txt"));
    }

    #[test]
    fn evidence_names_its_document() {
        let doc = document_iri("报告 2020#1.txt");
        let part = doc.as_str().rsplit('/').next().unwrap();
        let evidence = format!("{ID}evidence/{part}/12-40/clause%2Bcue");
        assert_eq!(evidence_document(&evidence), Some(doc));
        assert_eq!(
            evidence_document(&format!("{ID}pairing/350000-640000")),
            None
        );
        let link = Triple::new(
            pairing_iri("350000", "640000"),
            NamedNode::new_unchecked(PROV_DERIVED),
            NamedNode::new_unchecked(&evidence),
        );
        assert!(is_evidence_bound(link.as_ref()));
        let fact = Triple::new(
            pairing_iri("350000", "640000"),
            xz("helper"),
            region_iri("350000"),
        );
        assert!(!is_evidence_bound(fact.as_ref()));
    }

    #[test]
    fn same_pair_same_node() {
        assert_eq!(
            pairing_iri("350000", "640000").as_str(),
            "https://w3id.org/xiezuo/id/pairing/350000-640000"
        );
    }
}
