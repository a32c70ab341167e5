//! The on-disk Oxigraph store and how xiezuo lays out its graphs.
//!
//! - `…/graph/ontology`: the vocabulary, concept schemes and gazetteer.
//! - one graph per document, named by the document's IRI: what that document says.
//! - `…/graph/merged`: the set union of the document graphs, maintained by every load. It is the
//!   default graph of queries (with the ontology and the store's own default graph), so a pairing
//!   stated by five documents is one row, not five; `GRAPH ?g { … }` still reaches each document.
//!
//! Each load is atomic — a transaction, or for documents new to the store one ingestion of
//! bulk-loaded table files — so a failed or killed load leaves each document as it was or whole.

use crate::facts::Extraction;
use crate::knowledge::{Knowledge, ID, ONTOLOGY_FILES, ONTOLOGY_GRAPH, PREFIXES, XZ};
use crate::rdf::{document_iri, document_quads};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{
    GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term, Triple,
};
use oxigraph::sparql::{
    CancellationToken, QueryEvaluationError, QueryResults, SparqlEvaluator, SparqlSyntaxError,
    UpdateEvaluationError,
};
use oxigraph::store::{StorageError, Store, Transaction};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// Graph holding the set union of all document graphs.
pub const MERGED_GRAPH: &str = "https://w3id.org/xiezuo/graph/merged";

/// What the bulk loader may hold in memory while it sorts quads (Oxigraph's own estimate; its
/// default is 2 GB per thread). Measured peak of a whole build: see README, "Large corpora".
const BULK_LOAD_MEMORY_MB: usize = 256;

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
    /// Quads in the written documents' graphs.
    pub quads: usize,
    /// Quads put into document graphs that were not there before.
    pub quads_added: usize,
    /// Quads taken out of document graphs (replaced or dropped documents).
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
        let store = Store::open(path).map_err(|source| {
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
        self.load_batch(extractions, &[], true, extractor_version)
    }

    /// One atomic step of a build: replaces the graphs of `extractions`, drops the graphs of the
    /// documents named in `removed` (source file names) and, with `refresh_ontology`, rewrites the
    /// ontology graph if it differs from the embedded one — all in one transaction, so a build
    /// killed at any moment leaves every document either as it was or as it became.
    ///
    /// The merged graph is maintained incrementally and is the set union of the document graphs
    /// at every commit: a document's new triples are added to it; a triple a document no longer
    /// states leaves it only when no other document graph still holds it. The cost is
    /// proportional to what changed, not to the store.
    pub fn load_batch(
        &self,
        extractions: &[Extraction],
        removed: &[String],
        refresh_ontology: bool,
        extractor_version: &str,
    ) -> Result<LoadSummary, StoreError> {
        let k = Knowledge::embedded();
        let mut summary = LoadSummary::default();
        let result = (|| -> Result<(), StorageError> {
            let mut tx = self.store.start_transaction()?;
            if refresh_ontology {
                let ontology_graph = NamedNodeRef::new_unchecked(ONTOLOGY_GRAPH);
                // Rewritten only when it differs: most builds leave it alone.
                let ontology: HashSet<Quad> = ontology_quads().into_iter().collect();
                let stored = tx
                    .quads_for_pattern(None, None, None, Some(ontology_graph.into()))
                    .count();
                let mut same = stored == ontology.len();
                for quad in &ontology {
                    if !same {
                        break;
                    }
                    same = tx.contains(quad)?;
                }
                if !same {
                    tx.remove_named_graph(ontology_graph)?;
                    tx.extend(ontology.iter());
                }
            }
            let merged = NamedNodeRef::new_unchecked(MERGED_GRAPH);
            // Triples some document stopped stating: they may have to leave the merged graph.
            let mut dropped: HashSet<Triple> = HashSet::new();
            for extraction in extractions {
                let graph = document_iri(&extraction.document.source_file);
                let new: HashSet<Triple> = document_quads(extraction, extractor_version, k)
                    .into_iter()
                    .map(Triple::from)
                    .collect();
                let old = graph_triples(&tx, graph.as_ref())?;
                for t in old.difference(&new) {
                    tx.remove(t.as_ref().in_graph(graph.as_ref()));
                    summary.quads_removed += 1;
                }
                for t in new.difference(&old) {
                    tx.insert(t.as_ref().in_graph(graph.as_ref()));
                    tx.insert(t.as_ref().in_graph(merged));
                    summary.quads_added += 1;
                }
                dropped.extend(old.into_iter().filter(|t| !new.contains(t)));
                summary.documents += 1;
                summary.quads += new.len();
                summary.pairing_statements += extraction.pairings.len();
            }
            for name in removed {
                let graph = document_iri(name);
                let old = graph_triples(&tx, graph.as_ref())?;
                summary.quads_removed += old.len();
                summary.documents_removed += 1;
                tx.remove_named_graph(graph.as_ref())?;
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

    /// Adds the graphs of documents the store does not hold yet, and their triples to the merged
    /// graph, through Oxigraph's bulk loader: the quads are sorted into RocksDB table files
    /// beside the store and ingested in one step, which RocksDB records atomically across all
    /// indexes. So, like a transaction, a build killed at any moment leaves each of these
    /// documents absent or whole; unlike a transaction, nothing goes through RocksDB's
    /// memtables and write-ahead log, which is where a transaction's time and memory go.
    ///
    /// A document whose graph already exists (a file named like a stored document, or a graph
    /// written by SPARQL Update) goes through [`GraphStore::load_batch`] instead, which replaces it.
    pub fn load_new_documents(
        &self,
        extractions: &[Extraction],
        extractor_version: &str,
    ) -> Result<LoadSummary, StoreError> {
        let k = Knowledge::embedded();
        let merged = NamedNodeRef::new_unchecked(MERGED_GRAPH);
        let mut summary = LoadSummary::default();
        let mut held = Vec::new();
        let mut documents = Vec::new();
        for extraction in extractions {
            let graph = document_iri(&extraction.document.source_file);
            if self
                .store
                .contains_named_graph(graph.as_ref())
                .map_err(|e| self.storage_error(e))?
            {
                held.push(extraction.clone());
                continue;
            }
            // The rules may state a triple twice in a document; the summary counts it once.
            let triples: HashSet<Triple> = document_quads(extraction, extractor_version, k)
                .into_iter()
                .map(Triple::from)
                .collect();
            summary.documents += 1;
            summary.quads += triples.len();
            summary.quads_added += triples.len();
            summary.pairing_statements += extraction.pairings.len();
            documents.push((graph, triples));
        }
        if !documents.is_empty() {
            // The loader sorts its quads in memory in chunks of about a thousand per megabyte
            // given here, written out as table files; all of them are ingested at `commit`.
            let mut loader = self
                .store
                .bulk_loader()
                .with_max_memory_size_in_megabytes(BULK_LOAD_MEMORY_MB);
            let quads = documents.iter().flat_map(|(graph, triples)| {
                triples.iter().flat_map(move |t| {
                    [
                        t.as_ref().in_graph(graph.as_ref()).into_owned(),
                        t.as_ref().in_graph(merged).into_owned(),
                    ]
                })
            });
            loader
                .load_quads(quads)
                .map_err(|e| self.storage_error(e))?;
            loader.commit().map_err(|e| self.storage_error(e))?;
        }
        if !held.is_empty() {
            summary.add(&self.load_batch(&held, &[], false, extractor_version)?);
        }
        Ok(summary)
    }

    /// Writes what is in memory to disk, so that the next opening need not replay the log.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.store.flush().map_err(|e| self.storage_error(e))
    }

    /// True when the merged graph is exactly the set union of the document graphs (a full scan;
    /// for tests and checks, not for builds).
    pub fn merged_is_union(&self) -> Result<bool, StoreError> {
        let merged = NamedNodeRef::new_unchecked(MERGED_GRAPH);
        let document_prefix = format!("{ID}document/");
        let mut union = HashSet::new();
        let mut stored = HashSet::new();
        for quad in self.store.iter() {
            let quad = quad.map_err(|e| self.storage_error(e))?;
            match &quad.graph_name {
                GraphName::NamedNode(g) if g.as_ref() == merged => {
                    stored.insert(Triple::from(quad));
                }
                GraphName::NamedNode(g) if g.as_str().starts_with(&document_prefix) => {
                    union.insert(Triple::from(quad));
                }
                _ => {}
            }
        }
        Ok(union == stored)
    }

    /// The documents in the store by source file, with the hash and extractor that made them.
    pub fn documents(&self) -> Result<BTreeMap<String, StoredDocument>, StoreError> {
        let query = format!(
            "SELECT ?file ?hash ?version WHERE {{ GRAPH ?g {{ ?d <{XZ}sourceFile> ?file ; <{XZ}contentHash> ?hash ; <{XZ}extractorVersion> ?version }} }}"
        );
        let mut documents = BTreeMap::new();
        let results = SparqlEvaluator::new()
            .parse_query(&query)
            .expect("a valid built-in query")
            .on_store(&self.store)
            .execute()
            .map_err(|e| self.storage_error(StorageError::Other(Box::new(e))))?;
        if let QueryResults::Solutions(solutions) = results {
            for solution in solutions {
                let solution =
                    solution.map_err(|e| self.storage_error(StorageError::Other(Box::new(e))))?;
                let text = |v: &str| match solution.get(v) {
                    Some(Term::Literal(l)) => l.value().to_owned(),
                    _ => String::new(),
                };
                documents.insert(
                    text("file"),
                    StoredDocument {
                        content_hash: text("hash"),
                        extractor_version: text("version"),
                    },
                );
            }
        }
        Ok(documents)
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

    /// Every quad of the store except the derived merged graph, sorted by graph, then triple
    /// (so that TriG writes each graph as one block).
    pub fn dataset_quads(&self) -> Result<Vec<Quad>, StoreError> {
        let merged = NamedNodeRef::new_unchecked(MERGED_GRAPH);
        let mut quads = Vec::new();
        for quad in self.store.iter() {
            let quad = quad.map_err(|e| self.storage_error(e))?;
            if quad.graph_name.as_ref() != GraphNameRef::NamedNode(merged) {
                quads.push(quad);
            }
        }
        quads.sort_by_cached_key(|q| {
            (
                q.graph_name.to_string(),
                Triple::from(q.clone()).to_string(),
            )
        });
        Ok(quads)
    }

    /// The triples of the default graph of queries (merged documents, ontology, store default),
    /// each once, sorted.
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

/// Recomputes the merged graph inside `tx` from the document graphs it sees. Every write that can
/// touch a document graph (a build, SPARQL Update or Graph Store write through `serve`) calls it
/// before committing, so the merged view never disagrees with the documents.
pub fn rebuild_merged(tx: &mut Transaction<'_>) -> Result<(), StorageError> {
    let merged = NamedNodeRef::new_unchecked(MERGED_GRAPH);
    tx.remove_named_graph(merged)?;
    let mut triples = HashSet::new();
    for quad in tx.quads_for_pattern(None, None, None, None) {
        let quad = quad?;
        if matches!(&quad.graph_name, GraphName::NamedNode(g) if is_document_graph(g.as_str())) {
            triples.insert(Triple::from(quad));
        }
    }
    tx.extend(triples.iter().map(|t| t.as_ref().in_graph(merged)));
    Ok(())
}

/// True for the IRI of a document's graph (`…/id/document/<file>`).
pub fn is_document_graph(iri: &str) -> bool {
    iri.strip_prefix(ID)
        .is_some_and(|rest| rest.starts_with("document/"))
}

/// The graphs that make up the default graph of queries: the store's default graph, the merged
/// documents and the ontology.
pub fn default_graphs() -> Vec<GraphName> {
    vec![
        GraphName::DefaultGraph,
        NamedNode::new_unchecked(MERGED_GRAPH).into(),
        NamedNode::new_unchecked(ONTOLOGY_GRAPH).into(),
    ]
}

fn graph_triples(
    tx: &oxigraph::store::Transaction<'_>,
    graph: NamedNodeRef<'_>,
) -> Result<HashSet<Triple>, StorageError> {
    tx.quads_for_pattern(None, None, None, Some(graph.into()))
        .map(|q| q.map(Triple::from))
        .collect()
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
