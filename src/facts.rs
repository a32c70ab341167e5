//! What extraction produces: plain Rust values, no RDF yet. Tests of extraction look here.

use crate::numbers::Qualifier;
use crate::sentences::Language;
use crate::text::Repairs;
use std::borrow::Cow;
use std::sync::Arc;

/// The sentence a fact was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// Character offsets (Unicode scalar values) into the original text, end exclusive.
    pub start: usize,
    pub end: usize,
    /// The sentence exactly as in the original text (shared by the facts of one sentence).
    pub quote: Arc<str>,
    pub language: Language,
    /// Name of the rule that read the fact (most are fixed names; pairing rules compose theirs).
    pub rule: Cow<'static, str>,
}

/// "helper helps recipient", as one sentence states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingStatement {
    /// GB/T 2260 codes.
    pub helper: String,
    pub recipient: String,
    /// Earliest year the sentence places the pairing at (a single year or the start of a range).
    pub since: Option<i32>,
    /// Every year the sentence names.
    pub years: Vec<i32>,
    /// The year of the sentence when it says the pairing was adjusted.
    pub adjusted_in: Option<i32>,
    /// Concepts (models, pillars, fields) as (linking property IRI, concept IRI).
    pub concepts: Vec<(Arc<str>, Arc<str>)>,
    pub evidence: Evidence,
}

/// A number a sentence reports as a result.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeStatement {
    /// In base units (people, yuan): 5.59万人 is 55 900.
    pub value: f64,
    /// IRI of the unit concept (xz:Person, xz:Yuan, …).
    pub unit: Arc<str>,
    /// IRI of what it measures (xz:LiftedOutOfPoverty, …); none for a unit that reports a result
    /// alone (176 projects).
    pub indicator: Option<Arc<str>>,
    pub year: Option<i32>,
    pub qualifier: Option<Qualifier>,
    /// (helper, recipient) codes when the sentence ties the number to one pairing.
    pub pairing: Option<(String, String)>,
    pub evidence: Evidence,
}

/// A policy document a sentence names by its title (《…》).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDocumentStatement {
    /// As the text writes it, with repairs (pinyin removed) but not folded.
    pub title: String,
    /// Hash of the folded title: the same title in traditional or simplified is one document.
    pub key: String,
    pub year: Option<i32>,
    pub pairing: Option<(String, String)>,
    pub evidence: Evidence,
}

/// A meeting or signing a sentence reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventStatement {
    /// IRI of the event type (xz:JointMeeting, …).
    pub event_type: Arc<str>,
    pub year: Option<i32>,
    pub pairing: Option<(String, String)>,
    /// Code of the one region the clause names besides the pairing's, if any.
    pub place: Option<String>,
    pub evidence: Evidence,
}

/// A region as a text wrote it, kept as a label in the sentence's language.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SurfaceForm {
    pub code: String,
    pub text: String,
    pub language: Language,
}

/// What a document is, as far as the graph records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentInfo {
    /// File name the text was read from; also names the document's graph.
    pub source_file: String,
    pub encoding: &'static str,
    /// `content_hash` of the bytes.
    pub content_hash: String,
    /// Languages of the text, most used first.
    pub languages: Vec<Language>,
    pub characters: usize,
}

/// Everything read from one document.
#[derive(Debug, Clone)]
pub struct Extraction {
    pub document: DocumentInfo,
    pub pairings: Vec<PairingStatement>,
    pub outcomes: Vec<OutcomeStatement>,
    pub policy_documents: Vec<PolicyDocumentStatement>,
    pub events: Vec<EventStatement>,
    pub surface_forms: Vec<SurfaceForm>,
    pub repairs: Repairs,
}

/// The hash of a document's bytes that the store records to tell a changed file, in hex: stable
/// across Rust versions and platforms, which `DefaultHasher` is not. It reads eight bytes per
/// step, as FNV-1a's one byte per multiplication cost a few percent of extraction; it is meant
/// to notice edits, not to resist an adversary.
pub fn content_hash(bytes: &[u8]) -> String {
    const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut hash = 0xcbf2_9ce4_8422_2325 ^ bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().expect("chunks of eight bytes"));
        hash = (hash ^ word).wrapping_mul(MULTIPLIER).rotate_left(29);
    }
    let mut last = [0u8; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    hash = (hash ^ u64::from_le_bytes(last)).wrapping_mul(MULTIPLIER);
    // A final mix (MurmurHash3's), so that every input bit reaches every output bit.
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    format!("{hash:016x}")
}

/// FNV-1a, 64 bits, for short keys (the titles that name policy documents): stable across Rust
/// versions and platforms.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::content_hash;

    #[test]
    fn every_byte_changes_the_content_hash() {
        let text = "闽宁协作 since 1996, 51,629 people".as_bytes();
        let hash = content_hash(text);
        assert_eq!(hash.len(), 16);
        assert_eq!(content_hash(text), hash);
        for at in 0..text.len() {
            let mut changed = text.to_vec();
            changed[at] ^= 1;
            assert_ne!(content_hash(&changed), hash, "byte {at}");
        }
        // Trailing zero bytes are not lost in the padding of the last word.
        assert_ne!(content_hash(b"abc"), content_hash(b"abc\0"));
    }
}
