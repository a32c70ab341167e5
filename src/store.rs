//! The on-disk Oxigraph store and how xiezuo lays out its graphs.
//!
//! - `…/graph/ontology`: the vocabulary, concept schemes and gazetteer.
//! - one graph per document, named by the document's IRI: what that document states — its facts
//!   and its own description — but not its evidence.
//! - `…/graph/evidence`: the evidence of every document (the evidence nodes' triples and the
//!   `prov:wasDerivedFrom` links to them). An evidence IRI names its document, so no two
//!   documents share one of these triples and they are stored once, here, rather than in the
//!   document graph and again in the merged graph; they are about half of what a build writes.
//! - `…/graph/merged`: the set union of the document graphs, maintained by every load.
//!
//! A document written through `serve` (Graph Store Protocol, SPARQL Update) may hold its evidence
//! in its own graph instead, which then replaces what the evidence graph held for it
//! ([`rebuild_merged`]); a build that rewrites the document moves it to the evidence graph.
//!
//! The default graph of queries is the merged graph, the evidence graph, the ontology and the
//! store's own default graph, so a pairing stated by five documents is one row, not five;
//! `GRAPH ?g { … }` still reaches what each document states. A document's whole graph, as
//! `extract`, exports, `push` and the Graph Store Protocol give it, is its graph plus its
//! evidence ([`GraphStore::document_triples`]).
//!
//! Each load is atomic — a transaction, or for documents new to the store one ingestion of
//! bulk-loaded table files — so a failed or killed load leaves each document as it was or whole.

use crate::facts::{fnv1a, Extraction};
use crate::knowledge::{Knowledge, ID, ONTOLOGY_FILES, ONTOLOGY_GRAPH, PREFIXES, XZ};
use crate::rdf::{
    document_graph, document_iri, evidence_document, evidence_node, is_evidence_bound,
    DocumentGraph,
};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{
    GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode,
    NamedOrBlankNodeRef, Quad, Term, TermRef, Triple,
};
use oxigraph::sparql::{
    CancellationToken, QueryEvaluationError, QueryResults, SparqlEvaluator, SparqlSyntaxError,
    UpdateEvaluationError,
};
use oxigraph::store::{BulkLoader, QuadIter, StorageError, Store, StoreOptions, Transaction};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Graph holding the set union of all document graphs.
pub const MERGED_GRAPH: &str = "https://w3id.org/xiezuo/graph/merged";

/// Graph holding the evidence of every document.
pub const EVIDENCE_GRAPH: &str = "https://w3id.org/xiezuo/graph/evidence";

/// Quads handed to the bulk loader at a time; each chunk becomes one set of sorted table files.
/// Larger chunks make fewer files for RocksDB to ingest and compact, and hold more in memory
/// (about a kilobyte per quad while sorting). Measured: see README, "Large corpora".
const BULK_CHUNK_QUADS: usize = 125_000;

/// Chunks the bulk loader sorts at once, each on a thread of its own beside the extraction
/// workers.
const BULK_THREADS: usize = 2;

/// Table files RocksDB keeps open. By default it opens every file it has, and each open file
/// holds its index and filter blocks in memory: a 33 GB store (a 1 GB corpus) had 2,500 open
/// and the build's memory grew with the store to 908 MB. Files beyond this are opened on demand.
const MAX_OPEN_FILES: u32 = 512;

/// Threads reading the previous state of the documents a load replaces. They mostly wait on the
/// disk, so there are more of them than cores.
const READ_THREADS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "no store at {0}: run `xiezuo build` first, or point --store (or XIEZUO_STORE) at one"
    )]
    Missing(PathBuf),
    #[error("{0} is not an xiezuo store (it is a file, or a directory with other things in it); choose another --store")]
    NotAStore(PathBuf),
    #[error("the store {0} is in use by another xiezuo process ({1}); close it or wait for it to finish, and try again")]
    Locked(PathBuf, String),
    #[error("store {path}: {source}")]
    Storage { path: PathBuf, source: StorageError },
}

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("SPARQL syntax error: {0}")]
    Syntax(#[from] SparqlSyntaxError),
    #[error("query failed: {0}")]
    Evaluation(#[from] QueryEvaluationError),
    #[error("update failed: {0}")]
    Update(#[from] UpdateEvaluationError),
}

/// What one load changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoadSummary {
    /// Documents whose graphs were written (replaced or new).
    pub documents: usize,
    /// Documents whose graphs were dropped (`--prune`).
    pub documents_removed: usize,
    /// Quads in the written documents' graphs (with their evidence).
    pub quads: usize,
    /// Quads put into document graphs (or their evidence) that were not there before.
    pub quads_added: usize,
    /// Quads taken out of document graphs or their evidence (replaced or dropped documents).
    pub quads_removed: usize,
    pub pairing_statements: usize,
}

impl LoadSummary {
    pub fn add(&mut self, other: &LoadSummary) {
        self.documents += other.documents;
        self.documents_removed += other.documents_removed;
        self.quads += other.quads;
        self.quads_added += other.quads_added;
        self.quads_removed += other.quads_removed;
        self.pairing_statements += other.pairing_statements;
    }
}

/// A document as the store last recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    pub content_hash: String,
    pub extractor_version: String,
}

pub struct GraphStore {
    store: Store,
    path: PathBuf,
}

impl GraphStore {
    /// Opens the store at `path`, creating it if there is nothing there.
    pub fn open_or_create(path: &Path) -> Result<GraphStore, StoreError> {
        if path.exists() && !looks_like_store(path) {
            return Err(StoreError::NotAStore(path.to_owned()));
        }
        Self::open_path(path)
    }

    /// Opens an existing store; a missing one is an error that says how to make it.
    pub fn open_existing(path: &Path) -> Result<GraphStore, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_owned()));
        }
        if !looks_like_store(path) {
            return Err(StoreError::NotAStore(path.to_owned()));
        }
        Self::open_path(path)
    }

    fn open_path(path: &Path) -> Result<GraphStore, StoreError> {
        let options = StoreOptions::default().with_max_open_files(MAX_OPEN_FILES);
        let store = Store::open_with_options(path, options).map_err(|source| {
            if source.to_string().to_lowercase().contains("lock") {
                StoreError::Locked(path.to_owned(), holder(path))
            } else {
                StoreError::Storage {
                    path: path.to_owned(),
                    source,
                }
            }
        })?;
        // Who holds the store, for the message a second process gets. Written only once the
        // lock is ours, so it is never stale while the lock is held.
        let command: Vec<String> = std::env::args().collect();
        let _ = std::fs::write(
            path.join(HOLDER_FILE),
            format!("pid {}: {}", std::process::id(), command.join(" ")),
        );
        remove_unfinished_bulk_files(path);
        Ok(GraphStore {
            store,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn oxigraph(&self) -> &Store {
        &self.store
    }

    fn storage_error(&self, source: StorageError) -> StoreError {
        StoreError::Storage {
            path: self.path.clone(),
            source,
        }
    }

    /// Replaces the graphs of the given documents and refreshes the ontology, in one transaction.
    /// Other documents' graphs are kept.
    pub fn load(
        &self,
        extractions: &[Extraction],
        extractor_version: &str,
    ) -> Result<LoadSummary, StoreError> {
        let k = Knowledge::embedded();
        let documents: Vec<DocumentGraph> = extractions
            .iter()
            .map(|e| document_graph(e, extractor_version, k))
            .collect();
        self.load_batch(&documents, &[], OntologyRefresh::IfChanged)
    }

    /// One atomic step of a build: replaces the graphs of `documents`, drops the graphs of the
    /// documents named in `removed` (source file names) and refreshes the ontology graph as
    /// `ontology` says — all in one transaction, so a build killed at any moment leaves every
    /// document either as it was or as it became.
    ///
    /// The merged graph is maintained incrementally and is the set union of the document graphs
    /// at every commit: a document's new triples are added to it; a triple a document no longer
    /// states leaves it only when no other document graph still holds it. A document's evidence
    /// is replaced in the evidence graph. The cost is proportional to what changed, not to the
    /// store.
    pub fn load_batch(
        &self,
        documents: &[DocumentGraph],
        removed: &[String],
        ontology: OntologyRefresh,
    ) -> Result<LoadSummary, StoreError> {
        let mut summary = LoadSummary::default();
        // Even an empty commit goes through RocksDB's write path, which stalls while freshly
        // ingested table files wait to be compacted.
        if documents.is_empty() && removed.is_empty() && ontology == OntologyRefresh::Keep {
            return Ok(summary);
        }
        let removed_graphs: Vec<NamedNode> =
            removed.iter().map(|name| document_iri(name)).collect();
        let result = (|| -> Result<(), StorageError> {
            let graphs: Vec<NamedNodeRef<'_>> = documents
                .iter()
                .map(|d| d.name.as_ref())
                .chain(removed_graphs.iter().map(NamedNode::as_ref))
                .collect();
            let mut previous = self.previous_states(&graphs)?;
            let previous_removed = previous.split_off(documents.len());
            let mut tx = self.store.start_transaction()?;
            refresh_ontology(&mut tx, ontology)?;
            let merged = NamedNodeRef::new_unchecked(MERGED_GRAPH);
            let evidence = NamedNodeRef::new_unchecked(EVIDENCE_GRAPH);
            // Triples some document stopped stating: they may have to leave the merged graph.
            let mut dropped: HashSet<Triple> = HashSet::new();
            for (document, previous) in documents.iter().zip(previous) {
                let graph = document.name.as_ref();
                let new: HashSet<&Triple> = document.statements.iter().collect();
                let old = previous.statements;
                for t in old.iter().filter(|t| !new.contains(t)) {
                    tx.remove(t.as_ref().in_graph(graph));
                    summary.quads_removed += 1;
                }
                for t in document.statements.iter().filter(|t| !old.contains(*t)) {
                    tx.insert(t.as_ref().in_graph(graph));
                    tx.insert(t.as_ref().in_graph(merged));
                    summary.quads_added += 1;
                }
                dropped.extend(old.into_iter().filter(|t| !new.contains(t)));
                // Evidence is this document's alone: what it no longer holds simply goes.
                let new: HashSet<&Triple> = document.evidence.iter().collect();
                let old = previous.evidence;
                for t in old.iter().filter(|t| !new.contains(t)) {
                    tx.remove(t.as_ref().in_graph(evidence));
                    summary.quads_removed += 1;
                }
                for t in document.evidence.iter().filter(|t| !old.contains(*t)) {
                    tx.insert(t.as_ref().in_graph(evidence));
                    summary.quads_added += 1;
                }
                summary.documents += 1;
                summary.quads += document.len();
                summary.pairing_statements += document.pairing_statements;
            }
            for (graph, previous) in removed_graphs.iter().zip(previous_removed) {
                let (old, old_evidence) = (previous.statements, previous.evidence);
                summary.quads_removed += old.len() + old_evidence.len();
                summary.documents_removed += 1;
                tx.remove_named_graph(graph.as_ref())?;
                for t in &old_evidence {
                    tx.remove(t.as_ref().in_graph(evidence));
                }
                dropped.extend(old);
            }
            let document_prefix = format!("{ID}document/");
            for t in &dropped {
                let mut still_stated = false;
                for quad in tx.quads_for_pattern(
                    Some(t.subject.as_ref()),
                    Some(t.predicate.as_ref()),
                    Some(t.object.as_ref()),
                    None,
                ) {
                    if matches!(&quad?.graph_name, GraphName::NamedNode(g) if g.as_str().starts_with(&document_prefix))
                    {
                        still_stated = true;
                        break;
                    }
                }
                if !still_stated {
                    tx.remove(t.as_ref().in_graph(merged));
                }
            }
            tx.commit()
        })();
        result.map_err(|e| self.storage_error(e))?;
        Ok(summary)
    }

    /// What each of `graphs` held before this load: its triples and its evidence.
    ///
    /// Read from the store's last commit rather than inside the load's transaction, on several
    /// threads at once: right after a large build most of these reads miss the page cache and
    /// wait on the disk (two index seeks and a few string lookups per evidence node), and the
    /// disk answers many at once about as fast as one. Reading outside the transaction sees the
    /// same data, because a document's graph and evidence change only in a load that writes
    /// that document, loads run one at a time, and the store has one writer.
    fn previous_states(
        &self,
        graphs: &[NamedNodeRef<'_>],
    ) -> Result<Vec<PreviousState>, StorageError> {
        // Two rounds, so that even a load of one document spreads over the threads: the graphs
        // and their evidence nodes, then what is said about each node.
        let first = map_in_parallel(graphs, |&graph| {
            Ok((
                graph_triples(&self.store, graph)?,
                evidence_nodes(&self.store, graph)?,
            ))
        })?;
        let (statements, nodes_by_graph): (Vec<_>, Vec<_>) = first.into_iter().unzip();
        let nodes: Vec<(usize, &NamedOrBlankNode)> = nodes_by_graph
            .iter()
            .enumerate()
            .flat_map(|(index, nodes)| nodes.iter().map(move |node| (index, node)))
            .collect();
        let about = map_in_parallel(&nodes, |(_, node)| evidence_about(&self.store, node))?;
        let mut states: Vec<PreviousState> = statements
            .into_iter()
            .map(|statements| PreviousState {
                statements,
                evidence: HashSet::new(),
            })
            .collect();
        for ((index, _), triples) in nodes.iter().zip(about) {
            states[*index].evidence.extend(triples);
        }
        Ok(states)
    }

    /// Writes what is in RocksDB's memtables (and log) to synced table files. It waits while
    /// table files just ingested by a bulk load are compacted.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.store.flush().map_err(|e| self.storage_error(e))
    }

    /// Starts loading documents new to the store through Oxigraph's bulk loader; see
    /// [`NewDocuments`].
    pub fn new_documents(&self) -> NewDocuments<'_> {
        NewDocuments {
            store: self,
            loader: None,
            chunk: Vec::with_capacity(BULK_CHUNK_QUADS),
            pending_quads: 0,
            merged_handed_over: HashSet::new(),
            held: Vec::new(),
            summary: LoadSummary::default(),
        }
    }

    /// The documents in the store by source file, with the hash and extractor that made them.
    ///
    /// Three scans of the predicate index, joined here, rather than a SPARQL join: that looks up
    /// two triples per document, and right after a large build, before RocksDB has compacted
    /// the dozens of overlapping table files each index then has, every lookup reads all of
    /// them. On a 1 GB store the join took 4.8 s, each scan 0.1 s. The scans run side by side:
    /// each value they find is a string looked up in the store, from the disk when the store
    /// is cold.
    pub fn documents(&self) -> Result<BTreeMap<String, StoredDocument>, StoreError> {
        let [files, mut hashes, mut versions] = map_in_parallel(
            &["sourceFile", "contentHash", "extractorVersion"],
            |property| self.document_descriptions(property),
        )
        .map_err(|e| self.storage_error(e))?
        .try_into()
        .expect("one map per property");
        let mut documents = BTreeMap::new();
        for (document, file) in files {
            if let (Some(content_hash), Some(extractor_version)) =
                (hashes.remove(&document), versions.remove(&document))
            {
                documents.insert(
                    file,
                    StoredDocument {
                        content_hash,
                        extractor_version,
                    },
                );
            }
        }
        Ok(documents)
    }

    /// The literal values of `xz:{property}` in the document graphs, by document node and graph.
    fn document_descriptions(
        &self,
        property: &str,
    ) -> Result<HashMap<(NamedOrBlankNode, NamedNode), String>, StorageError> {
        let predicate = NamedNode::new_unchecked(format!("{XZ}{property}"));
        let mut values = HashMap::new();
        for quad in self
            .store
            .quads_for_pattern(None, Some(predicate.as_ref()), None, None)
        {
            let quad = quad?;
            let (GraphName::NamedNode(graph), Term::Literal(value)) =
                (quad.graph_name, quad.object)
            else {
                continue;
            };
            if is_document_graph(graph.as_str()) {
                values.insert((quad.subject, graph), value.value().to_owned());
            }
        }
        Ok(values)
    }

    /// A SPARQL evaluator with the ontology's prefixes declared.
    pub fn evaluator() -> SparqlEvaluator {
        let mut evaluator = SparqlEvaluator::new();
        for (prefix, iri) in PREFIXES {
            evaluator = evaluator
                .with_prefix(*prefix, *iri)
                .expect("built-in prefixes are valid IRIs");
        }
        evaluator
    }

    /// Runs a query. Unless the query names its own dataset (FROM), the default graph is the
    /// merged view of all documents plus the ontology.
    pub fn query(&self, query: &str) -> Result<QueryResults<'static>, QueryError> {
        let mut prepared = Self::evaluator().parse_query(query)?;
        if prepared.dataset().is_default_dataset() {
            prepared.dataset_mut().set_default_graph(default_graphs());
        }
        Ok(prepared.on_store(&self.store).execute()?)
    }

    /// Like [`GraphStore::query`], but the evaluation stops with
    /// `QueryEvaluationError::Cancelled` once `token` is cancelled (the shell's Ctrl-C).
    pub fn query_cancellable(
        &self,
        query: &str,
        token: CancellationToken,
    ) -> Result<QueryResults<'static>, QueryError> {
        let mut prepared = Self::evaluator()
            .with_cancellation_token(token)
            .parse_query(query)?;
        if prepared.dataset().is_default_dataset() {
            prepared.dataset_mut().set_default_graph(default_graphs());
        }
        Ok(prepared.on_store(&self.store).execute()?)
    }

    /// Runs a SPARQL Update.
    pub fn update(&self, update: &str) -> Result<(), QueryError> {
        self.update_cancellable(update, CancellationToken::new())
    }

    /// Runs a SPARQL Update that stops once `token` is cancelled.
    pub fn update_cancellable(
        &self,
        update: &str,
        token: CancellationToken,
    ) -> Result<(), QueryError> {
        Self::evaluator()
            .with_cancellation_token(token)
            .parse_update(update)?
            .on_store(&self.store)
            .execute()?;
        Ok(())
    }

    /// True if `query` parses as a query (as opposed to an update).
    pub fn is_query(text: &str) -> bool {
        Self::evaluator().parse_query(text).is_ok()
    }

    /// Every quad of the store except the derived merged graph, each document's evidence in the
    /// document's graph, sorted by graph, then triple (so that TriG writes each graph as one
    /// block).
    pub fn dataset_quads(&self) -> Result<Vec<Quad>, StoreError> {
        let merged = NamedNodeRef::new_unchecked(MERGED_GRAPH);
        let evidence = NamedNodeRef::new_unchecked(EVIDENCE_GRAPH);
        let mut quads = Vec::new();
        // Evidence left behind by a graph dropped outside a build stays in the evidence graph
        // rather than bringing back a document.
        let documents: HashSet<NamedNode> = self.document_graphs()?.into_iter().collect();
        for quad in self.store.iter() {
            let mut quad = quad.map_err(|e| self.storage_error(e))?;
            if quad.graph_name.as_ref() == GraphNameRef::NamedNode(merged) {
                continue;
            }
            if quad.graph_name.as_ref() == GraphNameRef::NamedNode(evidence) {
                let document = evidence_node(quad.as_ref().into())
                    .and_then(|node| evidence_document(node.as_str()));
                if let Some(document) = document.filter(|d| documents.contains(d)) {
                    quad.graph_name = document.into();
                }
            }
            quads.push(quad);
        }
        quads.sort_by_cached_key(|q| {
            (
                q.graph_name.to_string(),
                Triple::from(q.clone()).to_string(),
            )
        });
        Ok(quads)
    }

    /// The triples of the default graph of queries (merged documents, their evidence, ontology,
    /// store default), each once, sorted.
    pub fn merged_triples(&self) -> Result<Vec<Triple>, StoreError> {
        let mut triples = HashSet::new();
        for graph in default_graphs() {
            for quad in self
                .store
                .quads_for_pattern(None, None, None, Some(graph.as_ref()))
            {
                triples.insert(Triple::from(quad.map_err(|e| self.storage_error(e))?));
            }
        }
        let mut triples: Vec<Triple> = triples.into_iter().collect();
        triples.sort_by_cached_key(ToString::to_string);
        Ok(triples)
    }

    /// The whole graph of one document: what it states and its evidence, each triple once,
    /// sorted. Empty for a graph that is not there.
    pub fn document_triples(&self, document: NamedNodeRef<'_>) -> Result<Vec<Triple>, StoreError> {
        let result = (|| -> Result<Vec<Triple>, StorageError> {
            // A transaction only to read the graph and its evidence from one snapshot; it is
            // dropped, not committed.
            let tx = self.store.start_transaction()?;
            let mut triples = graph_triples(&tx, document)?;
            if is_document_graph(document.as_str()) {
                // Evidence written into the document's graph through `serve` is there already.
                triples.extend(evidence_of(&tx, document)?);
            }
            let mut triples: Vec<Triple> = triples.into_iter().collect();
            triples.sort_by_cached_key(ToString::to_string);
            Ok(triples)
        })();
        result.map_err(|e| self.storage_error(e))
    }

    /// Named graphs that hold documents.
    pub fn document_graphs(&self) -> Result<Vec<NamedNode>, StoreError> {
        let prefix = format!("{ID}document/");
        let mut graphs = Vec::new();
        for g in self.store.named_graphs() {
            if let NamedOrBlankNode::NamedNode(n) = g.map_err(|e| self.storage_error(e))? {
                if n.as_str().starts_with(&prefix) {
                    graphs.push(n);
                }
            }
        }
        Ok(graphs)
    }
}

/// Documents new to the store, streamed into Oxigraph's bulk loader: their statements (in their
/// graphs and the merged graph) and their evidence (in the evidence graph) are sorted in chunks
/// into RocksDB table files beside the store while extraction goes on, and
/// [`NewDocuments::commit`] ingests all of them in one step, which RocksDB records atomically
/// across all indexes. So, like a transaction, a build killed at any
/// moment leaves each of these documents absent or whole; unlike a transaction, nothing goes
/// through RocksDB's memtables and write-ahead log, which is where a transaction's time and
/// memory go. Dropped without `commit`, nothing of it reaches the store.
///
/// A document whose graph or evidence already exists (a file named like a stored document, a
/// graph written by SPARQL Update, evidence left by a graph dropped in the shell) is held back
/// and replaced by [`GraphStore::load_batch`] after the ingestion.
pub struct NewDocuments<'a> {
    store: &'a GraphStore,
    loader: Option<BulkLoader<'a>>,
    chunk: Vec<Quad>,
    pending_quads: usize,
    /// Fingerprints of the merged-graph quads handed over since the last commit. Documents
    /// restate the same pairings (on the generated 100 MB corpus, 3.9 million statements are
    /// 1.45 million distinct triples), and every copy the loader gets it must sort, write and
    /// later compact away; this keeps one copy per commit in 16 bytes per triple.
    merged_handed_over: HashSet<u128>,
    held: Vec<DocumentGraph>,
    summary: LoadSummary,
}

impl NewDocuments<'_> {
    pub fn add(&mut self, document: DocumentGraph) -> Result<(), StoreError> {
        let store = self.store;
        // The loader only adds: a document with a graph, or with evidence left behind by a graph
        // dropped outside a build, is replaced in a transaction instead.
        let held = store
            .store
            .contains_named_graph(document.name.as_ref())
            .map_err(|e| store.storage_error(e))?
            || store
                .store
                .quads_for_pattern(
                    None,
                    Some(names_document()),
                    Some(document.name.as_ref().into()),
                    Some(NamedNodeRef::new_unchecked(EVIDENCE_GRAPH).into()),
                )
                .next()
                .is_some();
        if held {
            self.held.push(document);
            return Ok(());
        }
        self.summary.documents += 1;
        self.summary.quads += document.len();
        self.summary.quads_added += document.len();
        self.summary.pairing_statements += document.pairing_statements;
        // The triples move into the quads (a statement's second copy is the only clone): this
        // runs for every quad of a build, on the one writer thread.
        let merged = NamedNode::new_unchecked(MERGED_GRAPH);
        let evidence = NamedNode::new_unchecked(EVIDENCE_GRAPH);
        let handed_over = self.chunk.len();
        for t in document.statements {
            self.chunk
                .push(t.as_ref().in_graph(document.name.as_ref()).into_owned());
            if self.merged_handed_over.insert(triple_fingerprint(&t)) {
                self.chunk
                    .push(Quad::new(t.subject, t.predicate, t.object, merged.clone()));
            }
        }
        for t in document.evidence {
            self.chunk.push(Quad::new(
                t.subject,
                t.predicate,
                t.object,
                evidence.clone(),
            ));
        }
        self.pending_quads += self.chunk.len() - handed_over;
        if self.chunk.len() >= BULK_CHUNK_QUADS {
            self.hand_over_chunk()?;
        }
        Ok(())
    }

    /// Quads handed over since the last commit: what the next commit ingests.
    pub fn pending_quads(&self) -> usize {
        self.pending_quads
    }

    /// The loader sorts each chunk into table files on a thread of its own while the caller
    /// goes on, at most `BULK_THREADS` chunks at a time.
    fn hand_over_chunk(&mut self) -> Result<(), StoreError> {
        let store = self.store;
        let loader = self.loader.get_or_insert_with(|| {
            store
                .store
                .bulk_loader()
                .with_num_threads(BULK_THREADS)
                // Room for one whole chunk per thread, so a chunk is sorted as one batch.
                .with_max_memory_size_in_megabytes(2 * BULK_CHUNK_QUADS * BULK_THREADS / 1000)
        });
        let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(BULK_CHUNK_QUADS));
        loader.load_quads(chunk).map_err(|e| store.storage_error(e))
    }

    /// Ingests everything added, then replaces the held documents.
    pub fn commit(mut self) -> Result<LoadSummary, StoreError> {
        if !self.chunk.is_empty() {
            self.hand_over_chunk()?;
        }
        let store = self.store;
        if let Some(loader) = self.loader.take() {
            loader.commit().map_err(|e| store.storage_error(e))?;
        }
        let mut summary = self.summary;
        if !self.held.is_empty() {
            summary.add(&store.load_batch(&self.held, &[], OntologyRefresh::Keep)?);
        }
        Ok(summary)
    }
}

/// A 128-bit fingerprint of a triple: two SipHash digests with different prefixes. Telling two
/// of a commit's few million triples apart by it fails with odds far below those of a disk
/// error, the odds Oxigraph itself accepts for its 128-bit string hashes.
fn triple_fingerprint(triple: &Triple) -> u128 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let digest = |prefix: u8| {
        let mut hasher = DefaultHasher::new();
        prefix.hash(&mut hasher);
        triple.hash(&mut hasher);
        hasher.finish()
    };
    (u128::from(digest(0)) << 64) | u128::from(digest(1))
}

/// What a load does to the ontology graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OntologyRefresh {
    /// Leave it as it is.
    Keep,
    /// Rewrite it if it is not the embedded one (by its fingerprint and size).
    IfChanged,
    /// Rewrite it whatever it holds (`build --force`).
    Rewrite,
}

/// Rewrites the ontology graph in `tx` as `how` says. The graph carries a fingerprint of the
/// embedded ontology files (`<graph> xz:extractorVersion "ontology-…"`), so telling whether it is
/// current takes a lookup and a count, not a comparison of thousands of quads. An edit through
/// SPARQL Update that removes or adds quads is seen by the count; one that changes a quad in
/// place is not, and `build --force` repairs it.
fn refresh_ontology(tx: &mut Transaction<'_>, how: OntologyRefresh) -> Result<(), StorageError> {
    if how == OntologyRefresh::Keep {
        return Ok(());
    }
    let graph = NamedNodeRef::new_unchecked(ONTOLOGY_GRAPH);
    let fingerprint = ontology_fingerprint();
    let expected = ontology_quad_count();
    if how == OntologyRefresh::IfChanged
        && tx.contains(fingerprint.as_ref())?
        && graph_len(tx, graph)? == expected + 1
    {
        return Ok(());
    }
    tx.remove_named_graph(graph)?;
    tx.extend(ontology_quads().iter());
    tx.insert(fingerprint.as_ref());
    Ok(())
}

/// How many quads `graph` holds. Counted by SPARQL, which counts the store's encoded quads
/// without looking up their strings, as iterating over the quads would (20,000 lookups for the
/// ontology graph, a third of a small rebuild).
fn graph_len(tx: &Transaction<'_>, graph: NamedNodeRef<'_>) -> Result<usize, StorageError> {
    let query = format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}");
    let results = SparqlEvaluator::new()
        .parse_query(&query)
        .expect("a valid built-in query")
        .on_transaction(tx)
        .execute()
        .map_err(|e| StorageError::Other(Box::new(e)))?;
    if let QueryResults::Solutions(solutions) = results {
        for solution in solutions {
            let solution = solution.map_err(|e| StorageError::Other(Box::new(e)))?;
            if let Some(Term::Literal(n)) = solution.get("n") {
                if let Ok(n) = n.value().parse() {
                    return Ok(n);
                }
            }
        }
    }
    Err(StorageError::Other("COUNT(*) gave no number".into()))
}

/// The quad recording which ontology files the ontology graph was made from.
fn ontology_fingerprint() -> Quad {
    let mut bytes = Vec::new();
    for (name, text) in ONTOLOGY_FILES {
        bytes.extend_from_slice(name.as_bytes());
        bytes.extend_from_slice(text.as_bytes());
    }
    let graph = NamedNode::new_unchecked(ONTOLOGY_GRAPH);
    Quad::new(
        graph.clone(),
        NamedNode::new_unchecked(format!("{XZ}extractorVersion")),
        Literal::new_simple_literal(format!("ontology-{:016x}", fnv1a(&bytes))),
        graph,
    )
}

/// How many distinct quads the embedded ontology has (parsed once per process).
fn ontology_quad_count() -> usize {
    static COUNT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *COUNT.get_or_init(|| ontology_quads().into_iter().collect::<HashSet<_>>().len())
}

/// Recomputes the merged graph inside `tx` from the document graphs it sees, and keeps in the
/// evidence graph only the evidence of documents a build wrote. Every write that can touch a
/// document graph (SPARQL Update or Graph Store write through `serve`) calls it before
/// committing, so the default view never disagrees with the documents.
///
/// Such writes may put a document's evidence into its own graph: a document pushed from another
/// store arrives whole. That evidence replaces what the evidence graph held for the document, as
/// a Graph Store `PUT` does; the evidence of a document whose graph is gone or empty goes too.
/// So each evidence triple is in one place, and the merged graph is exactly the set union of the
/// document graphs.
pub fn rebuild_merged(tx: &mut Transaction<'_>) -> Result<(), StorageError> {
    let merged = NamedNodeRef::new_unchecked(MERGED_GRAPH);
    let evidence = NamedNodeRef::new_unchecked(EVIDENCE_GRAPH);
    tx.remove_named_graph(merged)?;
    // One pass over the document graphs: their triples, and which of them carry evidence.
    let mut triples = HashSet::new();
    let mut documents: HashSet<String> = HashSet::new();
    let mut carrying_evidence: HashSet<String> = HashSet::new();
    for quad in tx.quads_for_pattern(None, None, None, None) {
        let Quad {
            subject,
            predicate,
            object,
            graph_name,
        } = quad?;
        let GraphName::NamedNode(graph) = graph_name else {
            continue;
        };
        if !is_document_graph(graph.as_str()) {
            continue;
        }
        if !documents.contains(graph.as_str()) {
            documents.insert(graph.as_str().to_owned());
        }
        let triple = Triple::new(subject, predicate, object);
        if is_evidence_bound(triple.as_ref()) && !carrying_evidence.contains(graph.as_str()) {
            carrying_evidence.insert(graph.as_str().to_owned());
        }
        triples.insert(triple);
    }
    let mut stale = Vec::new();
    for quad in tx.quads_for_pattern(None, None, None, Some(evidence.into())) {
        let triple = Triple::from(quad?);
        let document =
            evidence_node(triple.as_ref()).and_then(|node| evidence_document(node.as_str()));
        if let Some(document) = document {
            if !documents.contains(document.as_str())
                || carrying_evidence.contains(document.as_str())
            {
                stale.push(triple);
            }
        }
    }
    for triple in stale {
        tx.remove(triple.as_ref().in_graph(evidence));
    }
    tx.extend(triples.iter().map(|t| t.as_ref().in_graph(merged)));
    Ok(())
}

/// Takes a document's evidence out of the evidence graph (before its graph is replaced or
/// dropped through the Graph Store Protocol).
pub fn remove_evidence(
    tx: &mut Transaction<'_>,
    document: NamedNodeRef<'_>,
) -> Result<(), StorageError> {
    let evidence = NamedNodeRef::new_unchecked(EVIDENCE_GRAPH);
    for triple in evidence_of(tx, document)? {
        tx.remove(triple.as_ref().in_graph(evidence));
    }
    Ok(())
}

/// The evidence of one document in the evidence graph, through the indexes: the evidence nodes
/// that name the document (`?e xz:document <doc>`), then every triple about each of them.
fn evidence_of(
    source: &impl QuadSource,
    document: NamedNodeRef<'_>,
) -> Result<HashSet<Triple>, StorageError> {
    let mut triples = HashSet::new();
    for node in evidence_nodes(source, document)? {
        triples.extend(evidence_about(source, &node)?);
    }
    Ok(triples)
}

/// The evidence nodes that name `document` in the evidence graph.
fn evidence_nodes(
    source: &impl QuadSource,
    document: NamedNodeRef<'_>,
) -> Result<Vec<NamedOrBlankNode>, StorageError> {
    source
        .quads_matching(
            None,
            Some(names_document()),
            Some(document.into()),
            Some(evidence_graph()),
        )
        .map(|q| q.map(|q| q.subject))
        .collect()
}

/// The triples of the evidence graph with `node` as subject or object.
fn evidence_about(
    source: &impl QuadSource,
    node: &NamedOrBlankNode,
) -> Result<Vec<Triple>, StorageError> {
    let graph = Some(evidence_graph());
    let mut triples = Vec::new();
    for quad in source.quads_matching(Some(node.as_ref()), None, None, graph) {
        triples.push(Triple::from(quad?));
    }
    if let NamedOrBlankNode::NamedNode(node) = node {
        for quad in source.quads_matching(None, None, Some(node.as_ref().into()), graph) {
            triples.push(Triple::from(quad?));
        }
    }
    Ok(triples)
}

fn evidence_graph() -> GraphNameRef<'static> {
    GraphNameRef::NamedNode(NamedNodeRef::new_unchecked(EVIDENCE_GRAPH))
}

/// `f` of every item, in order, computed on [`READ_THREADS`] threads that take items in turn.
fn map_in_parallel<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> Result<R, StorageError> + Sync,
) -> Result<Vec<R>, StorageError> {
    let next = AtomicUsize::new(0);
    let work = || -> Result<Vec<(usize, R)>, StorageError> {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else {
                return Ok(done);
            };
            done.push((index, f(item)?));
        }
    };
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..READ_THREADS.min(items.len()))
            .map(|_| scope.spawn(work))
            .collect();
        threads
            .into_iter()
            .map(|thread| thread.join().expect("a reader thread does not panic"))
            .collect::<Result<Vec<_>, _>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    results.sort_unstable_by_key(|(index, _)| *index);
    Ok(results.into_iter().map(|(_, result)| result).collect())
}

/// `xz:document`, which names an evidence node's document.
fn names_document() -> NamedNodeRef<'static> {
    static IRI: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| format!("{XZ}document"));
    NamedNodeRef::new_unchecked(IRI.as_str())
}

/// True for the IRI of a document's graph (`…/id/document/<file>`).
pub fn is_document_graph(iri: &str) -> bool {
    iri.strip_prefix(ID)
        .is_some_and(|rest| rest.starts_with("document/"))
}

/// The graphs that make up the default graph of queries: the store's default graph, the merged
/// documents, their evidence and the ontology.
pub fn default_graphs() -> Vec<GraphName> {
    vec![
        GraphName::DefaultGraph,
        NamedNode::new_unchecked(MERGED_GRAPH).into(),
        NamedNode::new_unchecked(EVIDENCE_GRAPH).into(),
        NamedNode::new_unchecked(ONTOLOGY_GRAPH).into(),
    ]
}

fn graph_triples(
    source: &impl QuadSource,
    graph: NamedNodeRef<'_>,
) -> Result<HashSet<Triple>, StorageError> {
    source
        .quads_matching(None, None, None, Some(graph.into()))
        .map(|q| q.map(Triple::from))
        .collect()
}

/// What quads are read from: the store's last commit, or an open transaction (which also sees
/// its own writes).
trait QuadSource {
    fn quads_matching(
        &self,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<TermRef<'_>>,
        graph: Option<GraphNameRef<'_>>,
    ) -> QuadIter<'_>;
}

/// `Store` and `Transaction` have the same `quads_for_pattern`, but no trait of Oxigraph's says so.
macro_rules! quad_source {
    ($($source:ty),*) => {$(
        impl QuadSource for $source {
            fn quads_matching(
                &self,
                subject: Option<NamedOrBlankNodeRef<'_>>,
                predicate: Option<NamedNodeRef<'_>>,
                object: Option<TermRef<'_>>,
                graph: Option<GraphNameRef<'_>>,
            ) -> QuadIter<'_> {
                self.quads_for_pattern(subject, predicate, object, graph)
            }
        }
    )*};
}

quad_source!(Store, Transaction<'_>);

/// What a document's graph and its evidence held before a load.
struct PreviousState {
    statements: HashSet<Triple>,
    evidence: HashSet<Triple>,
}

/// A note in the store directory naming the process that has it open (beside RocksDB's files).
const HOLDER_FILE: &str = "xiezuo-holder";

/// The process holding a locked store, as it described itself.
fn holder(path: &Path) -> String {
    std::fs::read_to_string(path.join(HOLDER_FILE))
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "a shell, serve or build".to_owned())
}

/// Table files of a bulk load that was killed before RocksDB ingested them (Oxigraph writes them
/// as `bulk-<random>.sst` in the store directory and deletes them after ingestion). RocksDB never
/// heard of them, so they hold nothing of the store; only their disk space is lost. Called once
/// the lock is ours, so no other process is writing them.
fn remove_unfinished_bulk_files(path: &Path) {
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("bulk-") && name.ends_with(".sst") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// RocksDB keeps a `CURRENT` file in every database directory; an empty directory is fine too.
fn looks_like_store(path: &Path) -> bool {
    if !path.is_dir() {
        return false;
    }
    path.join("CURRENT").is_file()
        || std::fs::read_dir(path)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false)
}

/// The embedded ontology files as quads of the ontology graph, language tags lower-cased as the
/// store keeps them (so that they compare equal to what the store returns).
fn ontology_quads() -> Vec<Quad> {
    let graph = NamedNode::new_unchecked(ONTOLOGY_GRAPH);
    ONTOLOGY_FILES
        .iter()
        .flat_map(|(_, text)| {
            RdfParser::from_format(RdfFormat::Turtle)
                .with_default_graph(graph.clone())
                .for_slice(text.as_bytes())
                .map(|q| q.expect("embedded ontology files parse (checked by knowledge tests)"))
        })
        .map(|mut quad| {
            if let Term::Literal(literal) = &quad.object {
                if let Some(language) = literal.language() {
                    quad.object = Term::Literal(Literal::new_language_tagged_literal_unchecked(
                        literal.value(),
                        language.to_ascii_lowercase(),
                    ));
                }
            }
            quad
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_in_parallel_keeps_the_order_of_the_items() {
        let items: Vec<usize> = (0..1000).collect();
        let doubled = map_in_parallel(&items, |&n| Ok(n * 2)).unwrap();
        assert_eq!(doubled, (0..1000).map(|n| n * 2).collect::<Vec<_>>());
        assert!(map_in_parallel(&[] as &[usize], |&n| Ok(n))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn map_in_parallel_fails_when_any_item_fails() {
        let items: Vec<usize> = (0..100).collect();
        let result = map_in_parallel(&items, |&n| {
            if n == 57 {
                Err(StorageError::Other("item 57 is unreadable".into()))
            } else {
                Ok(n)
            }
        });
        assert!(result.unwrap_err().to_string().contains("item 57"));
    }
}
