//! Writing the graph for other RDF tools. Triple formats (Turtle, N-Triples, RDF/XML) carry the
//! merged view, each triple once; dataset formats (TriG, N-Quads) keep one graph per document.

use crate::results::turtle_serializer;
use crate::store::{GraphStore, StoreError};
use oxigraph::io::RdfFormat;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Turtle, with readable prefixes: the merged graph.
    Turtle,
    /// TriG: every graph, one per document, plus the ontology.
    Trig,
    /// N-Triples: the merged graph, one triple per line.
    Ntriples,
    /// N-Quads: every graph, one quad per line.
    Nquads,
    /// RDF/XML: the merged graph.
    Rdfxml,
}

impl ExportFormat {
    pub fn rdf_format(self) -> RdfFormat {
        match self {
            ExportFormat::Turtle => RdfFormat::Turtle,
            ExportFormat::Trig => RdfFormat::TriG,
            ExportFormat::Ntriples => RdfFormat::NTriples,
            ExportFormat::Nquads => RdfFormat::NQuads,
            ExportFormat::Rdfxml => RdfFormat::RdfXml,
        }
    }

    /// Guesses the format from a file name's extension.
    pub fn from_extension(path: &std::path::Path) -> Option<ExportFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "ttl" => Some(ExportFormat::Turtle),
            "trig" => Some(ExportFormat::Trig),
            "nt" => Some(ExportFormat::Ntriples),
            "nq" => Some(ExportFormat::Nquads),
            "rdf" | "xml" | "owl" => Some(ExportFormat::Rdfxml),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes the store in `format`; returns the number of triples or quads written.
pub fn export(
    store: &GraphStore,
    format: ExportFormat,
    out: &mut dyn Write,
) -> Result<usize, ExportError> {
    let rdf_format = format.rdf_format();
    let mut serializer = turtle_serializer(rdf_format).for_writer(out);
    let count = if rdf_format.supports_datasets() {
        let quads = store.dataset_quads()?;
        for quad in &quads {
            serializer.serialize_quad(quad)?;
        }
        quads.len()
    } else {
        let triples = store.merged_triples()?;
        for triple in &triples {
            serializer.serialize_triple(triple)?;
        }
        triples.len()
    };
    serializer.finish()?.flush()?;
    Ok(count)
}
