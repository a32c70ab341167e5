//! xiezuo (协作): a knowledge-graph builder for China's East–West pairing assistance programme.
//!
//! The data flows one way: bytes → [`text`] (decode, repair, fold) → [`sentences`] →
//! [`mentions`] → [`extract`] (rules) → [`facts`] → [`rdf`] → [`store`], and from the store to
//! [`results`], [`export`], [`dot`] and the [`shell`]; [`serve`] offers it over HTTP and [`remote`]
//! queries other SPARQL endpoints and pushes the graph into them. See ARCHITECTURE.md.

pub mod alloc;
pub mod build;
pub mod corpus;
pub mod dot;
pub mod eval;
pub mod export;
pub mod extract;
pub mod facts;
pub mod knowledge;
pub mod labels;
pub mod mentions;
pub mod numbers;
pub mod progress;
pub mod rdf;
pub mod remote;
pub mod results;
pub mod sentences;
pub mod serve;
pub mod shell;
pub mod store;
pub mod text;
pub mod why;

/// Fingerprint of this extractor: the crate version, every embedded ontology file and the rules. A document
/// built by another fingerprint is out of date.
pub fn extractor_version() -> String {
    let mut bytes = env!("CARGO_PKG_VERSION").as_bytes().to_vec();
    for (_, text) in knowledge::ONTOLOGY_FILES {
        bytes.extend_from_slice(text.as_bytes());
    }
    bytes.extend_from_slice(include_bytes!("../ontology/lexicon.tsv"));
    bytes.extend_from_slice(include_bytes!("../ontology/fold-chars.tsv"));
    bytes.extend_from_slice(include_bytes!("../ontology/numbers.tsv"));
    // The rules themselves: a change to them makes every document out of date.
    for source in [
        include_str!("text.rs"),
        include_str!("sentences.rs"),
        include_str!("mentions.rs"),
        include_str!("extract.rs"),
        include_str!("extract/pairing.rs"),
        include_str!("extract/tables.rs"),
        include_str!("knowledge.rs"),
        include_str!("numbers.rs"),
        include_str!("rdf.rs"),
    ] {
        bytes.extend_from_slice(source.as_bytes());
    }
    format!(
        "{}-{:016x}",
        env!("CARGO_PKG_VERSION"),
        facts::fnv1a(&bytes)
    )
}
