//! Building the graph from texts, at corpus scale. Used by `xiezuo build`, `xiezuo extract` and
//! the shell's `.load`.
//!
//! - **Streaming and parallel**: worker threads (one per core) take files in turn, read them,
//!   hash them and extract them; results come back over a bounded channel, so memory holds at
//!   most a few documents per worker plus one batch, whatever the size of the corpus.
//! - **Incremental**: a file whose content hash and extractor version match what the store
//!   records is not extracted again; with `prune`, documents whose files are gone are dropped.
//!   Workers also turn each extraction into its graph ([`DocumentGraph`]), so the writer only
//!   hands triples to the store.
//! - **Crash-safe**: documents are loaded in commits, each atomic with the matching changes to
//!   the merged and evidence graphs: documents new to the store stream into Oxigraph's bulk loader
//!   ([`NewDocuments`], one atomic ingestion of table files every few million quads), changed
//!   ones go in small transactions ([`GraphStore::load_batch`]). A build killed at any moment
//!   leaves each document either as it was or as it became.
//! - **Per-file failures** (unreadable, not text) are listed and the build goes on, unless
//!   `strict`: then the whole build is one transaction and the first failure stops it with the
//!   store as it was.

use crate::corpus::{self, CorpusError, SourceFile};
use crate::facts::{content_hash, Extraction};
use crate::knowledge::Knowledge;
use crate::progress::Progress;
use crate::rdf::{document_graph, DocumentGraph};
use crate::store::{
    GraphStore, LoadSummary, NewDocuments, OntologyRefresh, StoreError, StoredDocument,
};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the output: {0}")]
    Output(std::io::Error),
}

/// How a build runs.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Drop the graphs of documents whose files are not among the inputs any more.
    pub prune: bool,
    /// Stop at the first file that cannot be read, leaving the store as it was (the whole build
    /// is then one transaction, so its memory grows with the corpus).
    pub strict: bool,
    /// Extract every file even when the store already holds it unchanged.
    pub force: bool,
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
    /// Draw a progress bar on standard error (only when it is a terminal).
    pub progress: bool,
    /// Batches of documents the store already holds (replaced in a transaction). Oxigraph holds
    /// a transaction's writes in memory, about a kilobyte or two per quad, and large
    /// transactions cost more per quad, so these are small.
    pub changed_batch: BatchLimits,
    /// Hand-overs of documents new to the store to the writer, which streams them into the bulk
    /// loader. Small, so that the writer's work overlaps the workers'.
    pub new_batch: BatchLimits,
    /// The bulk loader's table files are ingested (committed) once this many quads wait. Each
    /// ingestion adds files that RocksDB compacts later, so fewer, larger commits are cheaper;
    /// a build killed before a commit redoes the documents since the last one. 0: commit every
    /// hand-over.
    pub new_commit_quads: usize,
}

/// A batch is committed once it reaches any of these.
#[derive(Debug, Clone, Copy)]
pub struct BatchLimits {
    pub documents: usize,
    /// Bytes of input text.
    pub bytes: usize,
    /// Facts: statements and surface forms.
    pub facts: usize,
}

impl BatchLimits {
    fn reached(&self, batch: &PendingBatch) -> bool {
        batch.documents.len() >= self.documents
            || batch.bytes >= self.bytes
            || batch.facts >= self.facts
    }
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            prune: false,
            strict: false,
            force: false,
            jobs: 0,
            progress: false,
            changed_batch: BatchLimits {
                documents: 200,
                bytes: 8 << 20,
                facts: 1_000,
            },
            new_batch: BatchLimits {
                documents: 100,
                bytes: 1 << 20,
                facts: 5_000,
            },
            new_commit_quads: 8_000_000,
        }
    }
}

/// Document graphs waiting to be handed to the writer, with the size of what they came from.
#[derive(Default)]
struct PendingBatch {
    documents: Vec<DocumentGraph>,
    bytes: usize,
    facts: usize,
}

impl PendingBatch {
    fn push(&mut self, document: DocumentGraph, bytes: usize, facts: usize) {
        self.bytes += bytes;
        self.facts += facts;
        self.documents.push(document);
    }
}

/// A batch handed to the writer thread.
enum Commit {
    /// Documents new to the store: into the bulk loader.
    New(PendingBatch),
    /// Documents the store holds, and documents to drop: one transaction.
    Changed {
        batch: PendingBatch,
        removed: Vec<String>,
        ontology: OntologyRefresh,
    },
}

impl Commit {
    fn changed(batch: PendingBatch) -> Commit {
        Commit::Changed {
            batch,
            removed: Vec::new(),
            ontology: OntologyRefresh::Keep,
        }
    }
}

/// A file the build could not use, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub path: PathBuf,
    pub reason: String,
}

/// What a build did.
#[derive(Debug, Default, Clone)]
pub struct BuildSummary {
    /// Input files found.
    pub files: usize,
    /// Files read and extracted.
    pub read: usize,
    /// Bytes of the files read.
    pub bytes: u64,
    /// Files skipped because the store holds them unchanged.
    pub skipped: usize,
    pub failed: Vec<Failure>,
    pub load: LoadSummary,
    pub elapsed: Duration,
}

impl BuildSummary {
    /// The one-line summary printed at the end of a build.
    pub fn line(&self, store: &Path) -> String {
        let mut line = format!(
            "built {} documents into {}: {} read, {} unchanged skipped, {} failed",
            self.load.documents,
            store.display(),
            self.read,
            self.skipped,
            self.failed.len()
        );
        if self.load.documents_removed > 0 {
            line.push_str(&format!(", {} pruned", self.load.documents_removed));
        }
        line.push_str(&format!(
            "; {} pairing statements, {} quads added, {} removed ({:.0} ms, {:.2} MB/s)",
            self.load.pairing_statements,
            self.load.quads_added,
            self.load.quads_removed,
            self.elapsed.as_secs_f64() * 1000.0,
            self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64().max(1e-9)
        ));
        line
    }
}

/// Extracts every `.txt` file under `paths` and loads them into the store in one transaction:
/// the first file that cannot be read stops the build with the store as it was (the shell's
/// `.load`). Each line of progress goes to `report`.
pub fn build(
    store: &GraphStore,
    paths: &[PathBuf],
    report: &mut dyn FnMut(&str),
) -> Result<BuildSummary, BuildError> {
    let options = BuildOptions {
        strict: true,
        ..BuildOptions::default()
    };
    let summary = build_with(store, paths, &options, report)?;
    report(&summary.line(store.path()));
    Ok(summary)
}

/// The outcome of one file in the workers.
enum Work {
    Skipped,
    Extracted(Box<Extracted>),
    Failed(CorpusError),
}

/// A file read and extracted, as the workers hand it back.
struct Extracted {
    graph: DocumentGraph,
    bytes: usize,
    /// Statements, as the progress bar counts them.
    facts: usize,
    /// Statements and surface forms, as batch limits count them.
    batch_facts: usize,
    repairs: crate::text::Repairs,
}

/// Builds with the given options. Missing paths are an error before the store is touched;
/// per-file failures are in the summary (or, with `strict`, the error).
pub fn build_with(
    store: &GraphStore,
    paths: &[PathBuf],
    options: &BuildOptions,
    report: &mut dyn FnMut(&str),
) -> Result<BuildSummary, BuildError> {
    let started = Instant::now();
    let files = corpus::collect(paths)?;
    let version = crate::extractor_version();
    let k = Knowledge::embedded();
    let stored = store.documents()?;
    let removed: Vec<String> = if options.prune {
        let present: HashSet<&str> = files.iter().map(|f| f.name.as_str()).collect();
        stored
            .keys()
            .filter(|name| !present.contains(name.as_str()))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    // Per-file repair notes are useful for a handful of files and noise for a corpus.
    let report_repairs = files.len() <= 50;
    let mut summary = BuildSummary {
        files: files.len(),
        ..BuildSummary::default()
    };
    let mut progress = Progress::new(options.progress, files.len());
    let mut changed = PendingBatch::default();
    let mut new = PendingBatch::default();
    if !options.strict {
        // The ontology first, so that a build killed before its end leaves its labels too.
        store.load_batch(&[], &[], ontology_refresh(options))?;
    }
    let mut error: Option<BuildError> = None;
    let unchanged = |file: &SourceFile, bytes: &[u8]| -> bool {
        !options.force
            && stored.get(&file.name).is_some_and(|doc: &StoredDocument| {
                doc.extractor_version == version && doc.content_hash == content_hash(bytes)
            })
    };
    // A writer thread commits the batches in the order they are handed over while this thread
    // collects the next ones, so loading overlaps extraction. Commits stay one at a time: a
    // transaction's check that no other document still states a triple must not race a bulk
    // load adding it. The hand-over waits for the writer to be free (a rendezvous channel), so
    // at most one batch is being written while one is collected.
    let (commits, to_write) = mpsc::sync_channel::<Commit>(0);
    let loaded = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let mut loaded = LoadSummary::default();
            let mut new: Option<NewDocuments<'_>> = None;
            for commit in to_write {
                match commit {
                    Commit::New(batch) => {
                        let loader = new.get_or_insert_with(|| store.new_documents());
                        for document in batch.documents {
                            loader.add(document)?;
                        }
                        if loader.pending_quads() >= options.new_commit_quads {
                            loaded.add(&new.take().expect("just used").commit()?);
                        }
                    }
                    Commit::Changed {
                        batch,
                        removed,
                        ontology,
                    } => {
                        // A transaction's check that no other document still states a triple
                        // must see every document loaded before it.
                        if let Some(pending) = new.take() {
                            loaded.add(&pending.commit()?);
                        }
                        loaded.add(&store.load_batch(&batch.documents, &removed, ontology)?);
                    }
                }
            }
            if let Some(pending) = new.take() {
                loaded.add(&pending.commit()?);
            }
            Ok::<LoadSummary, StoreError>(loaded)
        });
        for_each_parallel(
            &files,
            options.jobs,
            |file| match corpus::read_bytes(file) {
                Err(e) => Work::Failed(e),
                Ok(bytes) if unchanged(file, &bytes) => Work::Skipped,
                Ok(bytes) => match corpus::extract_bytes(file, &bytes) {
                    Ok(extraction) => Work::Extracted(Box::new(Extracted {
                        graph: document_graph(&extraction, &version, k),
                        bytes: bytes.len(),
                        facts: extraction_facts(&extraction),
                        batch_facts: extraction_facts(&extraction) + extraction.surface_forms.len(),
                        repairs: extraction.repairs,
                    })),
                    Err(e) => Work::Failed(e),
                },
            },
            |index, work| {
                let file = &files[index];
                match work {
                    Work::Skipped => {
                        summary.skipped += 1;
                        progress.update(0, 0);
                    }
                    Work::Failed(e) => {
                        if options.strict {
                            error = Some(e.into());
                            return false;
                        }
                        summary.failed.push(Failure {
                            path: file.path.clone(),
                            reason: e.to_string(),
                        });
                        progress.update(0, 0);
                    }
                    Work::Extracted(extracted) => {
                        let Extracted {
                            graph,
                            bytes: len,
                            facts,
                            batch_facts,
                            repairs: r,
                        } = *extracted;
                        if report_repairs
                            && r.pinyin_removed + r.lost_characters + r.boilerplate_characters > 0
                        {
                            progress.clear();
                            report(&format!(
                            "{}: repaired {} pinyin annotations; {} lost characters and {} boilerplate characters left out of extraction",
                            file.path.display(),
                            r.pinyin_removed,
                            r.lost_characters,
                            r.boilerplate_characters
                        ));
                        }
                        summary.read += 1;
                        summary.bytes += len as u64;
                        progress.update(len, facts);
                        let full = if options.strict {
                            changed.push(graph, len, batch_facts);
                            None
                        } else if stored.contains_key(&file.name) {
                            changed.push(graph, len, batch_facts);
                            options
                                .changed_batch
                                .reached(&changed)
                                .then(|| Commit::changed(std::mem::take(&mut changed)))
                        } else {
                            new.push(graph, len, batch_facts);
                            options
                                .new_batch
                                .reached(&new)
                                .then(|| Commit::New(std::mem::take(&mut new)))
                        };
                        // A failed send means the writer stopped on an error, which its join gives.
                        if full.is_some_and(|commit| commits.send(commit).is_err()) {
                            return false;
                        }
                    }
                }
                true
            },
        );
        // After a strict build's failure nothing is committed: the store stays as it was.
        if error.is_none() {
            let last = [
                Commit::New(std::mem::take(&mut new)),
                Commit::Changed {
                    batch: std::mem::take(&mut changed),
                    removed,
                    ontology: if options.strict {
                        ontology_refresh(options)
                    } else {
                        OntologyRefresh::Keep
                    },
                },
            ];
            for commit in last {
                if commits.send(commit).is_err() {
                    break;
                }
            }
        }
        drop(commits);
        writer.join().expect("the writer thread does not panic")
    });
    progress.clear();
    if let Some(e) = error {
        return Err(e);
    }
    summary.load = loaded?;
    // Every commit survives a killed process already (bulk-loaded table files are synced; a
    // transaction is in RocksDB's log). The flush makes transactions survive a power failure
    // too, and it waits until RocksDB has compacted enough of the table files just ingested that
    // writes no longer stall and reads no longer merge dozens of overlapping files. Without it
    // that work falls on whoever opens the store next: a 1% rebuild right after a 1 GB build
    // took 4 minutes, and one-shot queries cancel the compaction each time they close.
    store.flush()?;
    summary.failed.sort_by(|a, b| a.path.cmp(&b.path));
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// How a build refreshes the ontology graph: `--force` rewrites it whatever it holds.
fn ontology_refresh(options: &BuildOptions) -> OntologyRefresh {
    if options.force {
        OntologyRefresh::Rewrite
    } else {
        OntologyRefresh::IfChanged
    }
}

/// Facts in an extraction, as the progress bar counts them.
fn extraction_facts(e: &Extraction) -> usize {
    e.pairings.len() + e.outcomes.len() + e.policy_documents.len() + e.events.len()
}

/// Runs `work` on every file on `jobs` threads (0: one per core) and hands each result to `sink`
/// on the calling thread, in the order they finish. At most a few results per thread wait in
/// between, so memory stays bounded. `sink` returning false stops the workers.
pub fn for_each_parallel<T: Send>(
    files: &[SourceFile],
    jobs: usize,
    work: impl Fn(&SourceFile) -> T + Sync,
    mut sink: impl FnMut(usize, T) -> bool,
) {
    let jobs = if jobs == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        jobs
    }
    .min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::sync_channel::<(usize, T)>(jobs * 2);
        for _ in 0..jobs {
            let sender = sender.clone();
            let (next, stop, work) = (&next, &stop, &work);
            scope.spawn(move || loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = files.get(index) else { break };
                if sender.send((index, work(file))).is_err() {
                    break;
                }
            });
        }
        drop(sender);
        for (index, result) in receiver {
            if !sink(index, result) {
                stop.store(true, Ordering::Relaxed);
                break;
            }
        }
        // The receiver is dropped here, so workers blocked on a full channel end.
    });
}

/// Output formats of `xiezuo extract`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExtractFormat {
    /// N-Quads: each document's facts in its own named graph, as `build` would store them.
    Nquads,
    /// One JSON object per quad: {"graph", "subject", "predicate", "object"}, terms in N-Triples
    /// syntax.
    Jsonl,
}

/// What `extract_to` did.
#[derive(Debug, Default, Clone)]
pub struct ExtractSummary {
    pub read: usize,
    pub bytes: u64,
    pub quads: usize,
    pub failed: Vec<Failure>,
}

/// Extracts every `.txt` file under `paths` on all cores and writes the quads to `out`, a
/// document at a time (documents in the order they finish), without a store.
pub fn extract_to(
    paths: &[PathBuf],
    format: ExtractFormat,
    jobs: usize,
    strict: bool,
    out: &mut dyn std::io::Write,
) -> Result<ExtractSummary, BuildError> {
    let files = corpus::collect(paths)?;
    let version = crate::extractor_version();
    let k = Knowledge::embedded();
    let mut summary = ExtractSummary::default();
    let mut error: Option<BuildError> = None;
    let mut write_error: Option<std::io::Error> = None;
    for_each_parallel(
        &files,
        jobs,
        |file| -> Result<(Vec<u8>, usize, usize), CorpusError> {
            let bytes = corpus::read_bytes(file)?;
            let extraction = corpus::extract_bytes(file, &bytes)?;
            let graph = document_graph(&extraction, &version, k);
            let quads: Vec<_> = graph
                .triples()
                .map(|t| t.as_ref().in_graph(graph.name.as_ref()))
                .collect();
            let mut text = Vec::new();
            for quad in &quads {
                match format {
                    ExtractFormat::Nquads => {
                        use std::io::Write;
                        let _ = writeln!(text, "{quad} .");
                    }
                    ExtractFormat::Jsonl => {
                        let line = serde_json::json!({
                            "graph": quad.graph_name.to_string(),
                            "subject": quad.subject.to_string(),
                            "predicate": quad.predicate.to_string(),
                            "object": quad.object.to_string(),
                        });
                        text.extend_from_slice(line.to_string().as_bytes());
                        text.push(b'\n');
                    }
                }
            }
            Ok((text, bytes.len(), quads.len()))
        },
        |index, result| match result {
            Ok((text, len, quads)) => {
                if let Err(e) = out.write_all(&text) {
                    write_error = Some(e);
                    return false;
                }
                summary.read += 1;
                summary.bytes += len as u64;
                summary.quads += quads;
                true
            }
            Err(e) if strict => {
                error = Some(e.into());
                false
            }
            Err(e) => {
                summary.failed.push(Failure {
                    path: files[index].path.clone(),
                    reason: e.to_string(),
                });
                true
            }
        },
    );
    if let Some(e) = error {
        return Err(e);
    }
    if let Some(e) = write_error {
        return Err(BuildError::Output(e));
    }
    summary.failed.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(summary)
}
