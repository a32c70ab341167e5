//! The `xiezuo` command line: parses arguments and calls the library.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use xiezuo::corpus;
use xiezuo::dot::{pairing_graph, to_dot};
use xiezuo::export::{export, ExportFormat};
use xiezuo::results::{self, Format};
use xiezuo::shell::{describe_query_error, Shell};
use xiezuo::store::GraphStore;

/// Build a knowledge graph of China's East–West pairing assistance (东西部扶贫协作) from texts in
/// Chinese, Japanese, English, French and Vietnamese, and query it with SPARQL.
///
/// Run without a command to open the shell; the graph is built from ./seeds first when the store
/// is missing or out of date.
#[derive(Parser)]
#[command(
    name = "xiezuo",
    version,
    after_help = "Examples:
  xiezuo build seeds/                     extract every .txt under seeds/ into ./xiezuo-store
  xiezuo query 'SELECT ?h ?r WHERE { ?p xz:helper ?h ; xz:recipient ?r }'
  xiezuo export -o graph.ttl              the merged graph as Turtle
  xiezuo dot -o pairings.dot && dot -Tsvg pairings.dot -o pairings.svg"
)]
struct Cli {
    /// The Oxigraph store directory.
    #[arg(
        long,
        global = true,
        env = "XIEZUO_STORE",
        default_value = "xiezuo-store"
    )]
    store: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Extract every .txt file under the paths and load the facts into the store.
    ///
    /// Each document's facts go to a named graph of its own, which a new build replaces: the same
    /// input always gives the same graph. A file that cannot be read as text stops the build
    /// before the store is touched.
    Build {
        /// Files or directories (searched for .txt files).
        #[arg(default_value = "seeds")]
        paths: Vec<PathBuf>,
    },
    /// Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) and print the results.
    ///
    /// The default graph is all documents merged, plus the ontology and gazetteer; the prefixes
    /// xz:, reg:, rdfs:, skos:, prov:, dct:, xsd: … are declared. Graph results print as Turtle.
    Query {
        /// The query text.
        #[arg(required_unless_present = "file", conflicts_with = "file")]
        query: Option<String>,
        /// Read the query from a file instead.
        #[arg(short, long)]
        file: Option<PathBuf>,
        /// How to print solutions.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Open the SPARQL shell (queries end with ';'; .help lists commands).
    Shell,
    /// Write the graph for other RDF tools.
    Export {
        #[arg(long, value_enum, default_value = "turtle")]
        format: ExportFormat,
        /// Output file (standard output when left out).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Score the extractor against a gold file (JSON, see tests/gold/seeds.json) without a store.
    ///
    /// Prints precision and recall per kind of fact (pairings, years, models, outcomes) and every
    /// fact whose evidence contains a string the gold file marks as boilerplate.
    Eval {
        /// The gold file.
        gold: PathBuf,
        /// Files or directories holding the gold file's documents.
        #[arg(default_value = "seeds")]
        paths: Vec<PathBuf>,
        /// Print the scores as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the pairing network as Graphviz DOT (render with `dot -Tsvg`).
    Dot {
        /// Output file (standard output when left out).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

fn main() {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => std::process::exit(code),
        Err(error) => {
            eprintln!("xiezuo: {error:#}");
            std::process::exit(1);
        }
    }
}

fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Some(Command::Build { paths }) => {
            let store = GraphStore::open_or_create(&cli.store)?;
            build(&store, &paths)?;
            Ok(0)
        }
        Some(Command::Query {
            query,
            file,
            format,
        }) => {
            let text = match (query, file) {
                (Some(q), _) => q,
                (None, Some(f)) => std::fs::read_to_string(&f)
                    .with_context(|| format!("cannot read query file {}", f.display()))?,
                (None, None) => bail!("give a query or -f FILE"),
            };
            let store = GraphStore::open_existing(&cli.store)?;
            let results = store
                .query(&text)
                .map_err(|e| anyhow::anyhow!(describe_query_error(&text, &e)))?;
            let mut out = std::io::stdout().lock();
            results::write(results, format, &mut out)?;
            out.flush()?;
            Ok(0)
        }
        Some(Command::Shell) => {
            let store = GraphStore::open_existing(&cli.store)?;
            shell(&store)
        }
        None => {
            let store = GraphStore::open_or_create(&cli.store)?;
            let seeds = Path::new("seeds");
            if seeds.is_dir() {
                if !up_to_date(&store, seeds)? {
                    build(&store, &[seeds.to_owned()])?;
                }
            } else if store.document_graphs()?.is_empty() {
                bail!("the store {} is empty and there is no seeds/ directory here to build it from: run `xiezuo build PATH`", cli.store.display());
            }
            shell(&store)
        }
        Some(Command::Export { format, output }) => {
            let store = GraphStore::open_existing(&cli.store)?;
            let count = match &output {
                Some(path) => {
                    let file = std::fs::File::create(path)
                        .with_context(|| format!("cannot create {}", path.display()))?;
                    export(&store, format, &mut std::io::BufWriter::new(file))?
                }
                None => export(&store, format, &mut std::io::stdout().lock())?,
            };
            if let Some(path) = output {
                eprintln!("wrote {count} statements to {}", path.display());
            }
            Ok(0)
        }
        Some(Command::Eval { gold, paths, json }) => {
            let text = std::fs::read_to_string(&gold)
                .with_context(|| format!("cannot read gold file {}", gold.display()))?;
            let gold_data: xiezuo::eval::Gold = serde_json::from_str(&text)
                .with_context(|| format!("{}: not a gold file", gold.display()))?;
            let files = corpus::collect(&paths)?;
            let extractions = files
                .iter()
                .map(corpus::read)
                .collect::<Result<Vec<_>, _>>()?;
            let report = xiezuo::eval::evaluate(&gold_data, &extractions);
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", xiezuo::eval::render(&report));
            }
            Ok(0)
        }
        Some(Command::Dot { output }) => {
            let store = GraphStore::open_existing(&cli.store)?;
            let dot = to_dot(&pairing_graph(&store)?);
            match output {
                Some(path) => std::fs::write(&path, dot)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => std::io::stdout().lock().write_all(dot.as_bytes())?,
            }
            Ok(0)
        }
    }
}

fn shell(store: &GraphStore) -> Result<i32> {
    let failures = Shell::new(store).run().context("the shell stopped")?;
    Ok(if failures > 0 { 1 } else { 0 })
}

/// Extracts every file first, then loads them all in one transaction.
fn build(store: &GraphStore, paths: &[PathBuf]) -> Result<()> {
    let started = Instant::now();
    let files = corpus::collect(paths)?;
    let mut extractions = Vec::with_capacity(files.len());
    for file in &files {
        let extraction = corpus::read(file)?;
        let r = extraction.repairs;
        if r.pinyin_removed + r.lost_characters + r.boilerplate_characters > 0 {
            eprintln!(
                "{}: repaired {} pinyin annotations; {} lost characters and {} boilerplate characters left out of extraction",
                file.path.display(),
                r.pinyin_removed,
                r.lost_characters,
                r.boilerplate_characters
            );
        }
        extractions.push(extraction);
    }
    let summary = store.load(&extractions, &xiezuo::extractor_version())?;
    eprintln!(
        "built {} documents into {}: {} pairing statements, {} quads ({:.0} ms)",
        summary.documents,
        store.path().display(),
        summary.pairing_statements,
        summary.quads,
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

/// True when every file under `seeds` is in the store with the same bytes and extractor.
fn up_to_date(store: &GraphStore, seeds: &Path) -> Result<bool> {
    let stored = store.documents()?;
    let version = xiezuo::extractor_version();
    for file in corpus::collect(&[seeds.to_owned()])? {
        let hash = corpus::content_hash(&file)?;
        match stored.get(&file.name) {
            Some(doc) if doc.content_hash == hash && doc.extractor_version == version => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}
