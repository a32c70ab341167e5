//! Building the graph from texts: every file is extracted first, then all are loaded in one
//! transaction, so a failure leaves the store as it was. Used by `xiezuo build` and the shell's
//! `.load`.

use crate::corpus::{self, CorpusError};
use crate::store::{GraphStore, LoadSummary, StoreError};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Extracts every `.txt` file under `paths` and loads them into the store. Each line of progress
/// (repairs made to a text, the final summary) goes to `report`.
pub fn build(
    store: &GraphStore,
    paths: &[PathBuf],
    report: &mut dyn FnMut(&str),
) -> Result<LoadSummary, BuildError> {
    let started = Instant::now();
    let files = corpus::collect(paths)?;
    let mut extractions = Vec::with_capacity(files.len());
    for file in &files {
        let extraction = corpus::read(file)?;
        let r = extraction.repairs;
        if r.pinyin_removed + r.lost_characters + r.boilerplate_characters > 0 {
            report(&format!(
                "{}: repaired {} pinyin annotations; {} lost characters and {} boilerplate characters left out of extraction",
                file.path.display(),
                r.pinyin_removed,
                r.lost_characters,
                r.boilerplate_characters
            ));
        }
        extractions.push(extraction);
    }
    let summary = store.load(&extractions, &crate::extractor_version())?;
    report(&format!(
        "built {} documents into {}: {} pairing statements, {} quads ({:.0} ms)",
        summary.documents,
        store.path().display(),
        summary.pairing_statements,
        summary.quads,
        started.elapsed().as_secs_f64() * 1000.0
    ));
    Ok(summary)
}
