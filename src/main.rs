//! The `xiezuo` command line: parses arguments and calls the library.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;
use std::time::Instant;
use xiezuo::build::BuildOptions;
use xiezuo::corpus;
use xiezuo::dot::{pairing_graph_filtered, render, to_dot, DotFilter, RenderFormat};
use xiezuo::export::{export, ExportFormat};
use xiezuo::remote::push::{self, PushTarget};
use xiezuo::remote::{self, Endpoint, QuerySource};
use xiezuo::results::{self, Format};
use xiezuo::serve::{self, ServeOptions};
use xiezuo::shell::{describe_query_error, Shell};
use xiezuo::store::GraphStore;

// mimalloc for Rust's allocations, a fifth off a large build's time: see src/alloc.rs.
#[global_allocator]
static ALLOCATOR: xiezuo::alloc::Allocator = xiezuo::alloc::Allocator;

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
  xiezuo dot -o pairings.svg --region 福建   Fujian's pairings, drawn by Graphviz
  xiezuo serve                            SPARQL endpoint and a query page at http://127.0.0.1:7878/
  xiezuo shell --endpoint http://127.0.0.1:7878/query   the shell on any SPARQL 1.1 endpoint
  xiezuo push --graph-store http://localhost:3030/ds/data --endpoint http://localhost:3030/ds/query"
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
    /// input always gives the same graph. Files the store holds unchanged (same bytes, same
    /// extractor) are skipped. Files run on every core and load in batches, each committed
    /// atomically (new documents through Oxigraph's bulk loader, changed ones in a transaction):
    /// a build killed at any moment leaves every document as it was or as it became. A file that
    /// cannot be read as text is listed and the build goes on (exit status 1 at the end).
    Build {
        /// Files or directories (searched for .txt files).
        #[arg(default_value = "seeds")]
        paths: Vec<PathBuf>,
        /// Drop the documents of files that are no longer among the paths.
        #[arg(long)]
        prune: bool,
        /// Stop at the first file that cannot be read and leave the store as it was (the build
        /// is then one transaction, held in memory until it commits).
        #[arg(long)]
        strict: bool,
        /// Extract every file again, even those the store holds unchanged.
        #[arg(long)]
        force: bool,
        /// Worker threads (default: one per core).
        #[arg(short, long, default_value_t = 0)]
        jobs: usize,
        /// At most this many documents per commit (tests use small batches to kill builds
        /// between commits).
        #[arg(long, hide = true)]
        batch_documents: Option<usize>,
    },
    /// Extract facts from texts to standard output, without a store.
    ///
    /// The output is what `build` would load: N-Quads with one named graph per document, or one
    /// JSON object per quad. Huge corpora can be split among jobs and the outputs loaded anywhere.
    /// Files that cannot be read are listed on standard error (exit status 1 at the end).
    Extract {
        /// Files or directories (searched for .txt files).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "nquads")]
        format: xiezuo::build::ExtractFormat,
        /// Stop at the first file that cannot be read.
        #[arg(long)]
        strict: bool,
        /// Worker threads (default: one per core).
        #[arg(short, long, default_value_t = 0)]
        jobs: usize,
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
        /// Run the query at this SPARQL 1.1 endpoint (Fuseki, GraphDB, Virtuoso, QLever, Oxigraph,
        /// another `xiezuo serve`…) instead of the local store. xiezuo's prefixes are declared for it.
        #[arg(long, value_name = "URL")]
        endpoint: Option<String>,
        /// Seconds to wait for the endpoint's network answers.
        #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
        endpoint_timeout: f64,
    },
    /// Serve the graph over the SPARQL 1.1 Protocol and Graph Store Protocol, with a page at /.
    ///
    /// Endpoints: /query (GET or POST), /update (POST, with --allow-update), /sparql (both), /store
    /// (Graph Store Protocol: ?graph=IRI, ?default). The default graph is the same merged view as
    /// `xiezuo query`. Read-only unless --allow-update. Ctrl-C stops it.
    Serve {
        /// Address to listen on: HOST:PORT, or a port (on 127.0.0.1). Port 0 picks a free one.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7878")]
        bind: String,
        /// Accept SPARQL Update and Graph Store writes (PUT, POST, DELETE).
        #[arg(long)]
        allow_update: bool,
        /// Seconds a query or update may run before it is stopped (503).
        #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
        timeout: f64,
        /// Most rows (or triples) one query may return; more is refused (422), never cut silently.
        #[arg(long, value_name = "N", default_value_t = 100_000)]
        max_rows: usize,
        /// Largest request body (413 beyond it), e.g. 16MiB, 512k.
        #[arg(long, value_name = "SIZE", default_value = "16MiB")]
        max_body: String,
        /// Seconds a client may stay silent while sending a request, or between requests (408).
        #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
        idle_timeout: f64,
        /// Most connections served at once; more wait.
        #[arg(long, value_name = "N", default_value_t = 128)]
        max_connections: usize,
    },
    /// Upload the graph to another triple store: one named graph per document, plus the ontology.
    ///
    /// Replaces those graphs on the server and nothing else. With --graph-store, uses the Graph
    /// Store Protocol (one PUT per graph); otherwise SPARQL Update at the endpoint (a URL ending in
    /// /query sends updates to .../update). Afterwards the graphs' sizes are checked with a query
    /// when the endpoint answers queries.
    Push {
        /// The server's SPARQL endpoint.
        #[arg(long, value_name = "URL", required_unless_present = "graph_store")]
        endpoint: Option<String>,
        /// Where updates go, if not where --endpoint implies.
        #[arg(long, value_name = "URL")]
        update_endpoint: Option<String>,
        /// The server's Graph Store Protocol URL (e.g. Fuseki's /ds/data, xiezuo's /store).
        #[arg(long, value_name = "URL")]
        graph_store: Option<String>,
        /// List the graphs and requests without sending anything.
        #[arg(long)]
        dry_run: bool,
        /// Most triples in one SPARQL Update request; larger graphs are staged and moved (Virtuoso
        /// cannot compile an INSERT DATA of some thousands of triples).
        #[arg(long, value_name = "N", default_value_t = 1_000)]
        batch: usize,
        /// Seconds to wait for the server's network answers.
        #[arg(long, value_name = "SECONDS", default_value_t = 300.0)]
        endpoint_timeout: f64,
    },
    /// Open the SPARQL shell (queries end with ';'; .help lists commands).
    ///
    /// With --endpoint the shell runs on any SPARQL 1.1 endpoint instead of the local store: the
    /// same output formats and commands (completion, .schema, .stats, .why, .dot, .export…), all
    /// made of SPARQL queries; updates go to the endpoint's update URL; only .load, which builds
    /// into a local store, is not offered. The endpoint is asked `ASK {}` first, so a wrong or
    /// unreachable URL is reported at once.
    #[command(after_help = "Examples:
  xiezuo shell                                         on ./xiezuo-store
  echo 'ASK { ?p a xz:Pairing } ;' | xiezuo shell      as a script
  xiezuo shell --endpoint http://127.0.0.1:7878/query  on a `xiezuo serve` (updates to /update)
  xiezuo shell --endpoint http://localhost:3030/ds/query   on Apache Jena Fuseki")]
    Shell {
        /// Run on this SPARQL 1.1 endpoint (another `xiezuo serve`, Fuseki, GraphDB, Virtuoso,
        /// QLever, Oxigraph…) instead of the local store. xiezuo's prefixes are declared for it.
        #[arg(long, value_name = "URL")]
        endpoint: Option<String>,
        /// Where updates go, if not where --endpoint implies (a URL ending in /query sends them
        /// to .../update; any other URL takes them itself).
        #[arg(long, value_name = "URL", requires = "endpoint")]
        update_endpoint: Option<String>,
        /// Seconds to wait for the endpoint's network answers.
        #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
        endpoint_timeout: f64,
    },
    /// Write the graph for other RDF tools.
    Export {
        #[arg(long, value_enum, default_value = "turtle")]
        format: ExportFormat,
        /// Output file (standard output when left out).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Print the sentences behind a node: every statement a pairing, outcome, policy document or
    /// event was read from, with its document, character span, language and rule.
    Why {
        /// The node: a full IRI, <IRI>, or a prefixed name such as pairing:350000-640000.
        iri: String,
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
        /// Print the scores as JSON (with the missed and unexpected facts).
        #[arg(long)]
        json: bool,
        /// Also list the facts missed and the facts found that the gold file does not have.
        #[arg(long)]
        details: bool,
    },
    /// Draw the pairing network: Graphviz DOT, or SVG/PNG rendered by Graphviz.
    ///
    /// Eastern helpers are boxes, western recipients ellipses; the recipient cities of a province
    /// are grouped in a cluster named after it.
    Dot {
        /// Output file (standard output when left out). A .svg or .png name renders the picture.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Only pairings whose helper or recipient is this region or lies within it: a code
        /// (350000), prefixed name (reg:350000) or name in any language (福建, Fujian, Phúc Kiến).
        #[arg(long)]
        region: Option<String>,
        /// Only pairings begun by this year or dated within it: 2017, or a range 2010-2017.
        #[arg(long)]
        year: Option<String>,
        /// Only pairings using this cooperation model: a name or part of one in any language
        /// (enterprise, 企业合作), or its IRI (xz:EnterpriseCooperationModel).
        #[arg(long)]
        model: Option<String>,
        /// Run Graphviz's `dot` to render the picture.
        #[arg(long, value_enum)]
        render: Option<RenderFormat>,
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
        Some(Command::Build {
            paths,
            prune,
            strict,
            force,
            jobs,
            batch_documents,
        }) => {
            let store = GraphStore::open_or_create(&cli.store)?;
            let mut options = BuildOptions {
                prune,
                strict,
                force,
                jobs,
                progress: true,
                ..BuildOptions::default()
            };
            if let Some(documents) = batch_documents {
                options.changed_batch.documents = documents.max(1);
                options.new_batch.documents = documents.max(1);
                options.new_commit_quads = 0;
            }
            build(&store, &paths, &options)
        }
        Some(Command::Extract {
            paths,
            format,
            strict,
            jobs,
        }) => {
            let started = std::time::Instant::now();
            let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
            let summary = xiezuo::build::extract_to(&paths, format, jobs, strict, &mut out)?;
            out.flush()?;
            for failure in &summary.failed {
                eprintln!("xiezuo: {}", failure.reason);
            }
            eprintln!(
                "extracted {} documents: {} quads, {} failed ({:.0} ms)",
                summary.read,
                summary.quads,
                summary.failed.len(),
                started.elapsed().as_secs_f64() * 1000.0
            );
            Ok(if summary.failed.is_empty() { 0 } else { 1 })
        }
        Some(Command::Query {
            query,
            file,
            format,
            endpoint,
            endpoint_timeout,
        }) => {
            let text = match (query, file) {
                (Some(q), _) => q,
                (None, Some(f)) => std::fs::read_to_string(&f)
                    .with_context(|| format!("cannot read query file {}", f.display()))?,
                (None, None) => bail!("give a query or -f FILE"),
            };
            let results = match endpoint {
                Some(url) => {
                    let endpoint = Endpoint::new(
                        &url,
                        None,
                        seconds(endpoint_timeout, "--endpoint-timeout")?,
                    )?;
                    QuerySource::Remote(endpoint).query(&text)?
                }
                None => {
                    let store = GraphStore::open_existing(&cli.store)?;
                    store
                        .query(&text)
                        .map_err(|e| anyhow::anyhow!(describe_query_error(&text, &e)))?
                }
            };
            let mut out = std::io::stdout().lock();
            results::write(results, format, &mut out)?;
            out.flush()?;
            Ok(0)
        }
        Some(Command::Serve {
            bind,
            allow_update,
            timeout,
            max_rows,
            max_body,
            idle_timeout,
            max_connections,
        }) => {
            let options = ServeOptions {
                bind: serve::parse_bind(&bind)?,
                allow_update,
                timeout: seconds(timeout, "--timeout")?,
                max_rows,
                max_body: serve::parse_size(&max_body)
                    .map_err(|e| anyhow::anyhow!("--max-body: {e}"))?,
                idle_timeout: seconds(idle_timeout, "--idle-timeout")?,
                max_connections: max_connections.max(1),
            };
            let store = GraphStore::open_existing(&cli.store)?;
            let documents = store.document_graphs()?.len();
            let path = store.path().display().to_string();
            let server = serve::start(store, options.clone())?;
            let url = server.url();
            // The banner is for whoever started the server; if nobody reads it any more (a closed
            // pipe), the server goes on all the same.
            let mut banner = format!(
                "xiezuo serving {path} ({documents} documents) at {url} ({})\n  SPARQL query:   {url}query\n",
                if allow_update { "updates allowed" } else { "read-only" }
            );
            if allow_update {
                banner.push_str(&format!("  SPARQL update:  {url}update\n"));
            }
            banner.push_str(&format!(
                "  Graph Store:    {url}store\n  Ctrl-C stops it.\n"
            ));
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
            drop(out);
            if allow_update && !options.bind.ip().is_loopback() {
                eprintln!("warning: --allow-update on {}: anyone who can reach this address can change the graph", options.bind);
            }
            server.join().context("the server stopped")?;
            Ok(0)
        }
        Some(Command::Push {
            endpoint,
            update_endpoint,
            graph_store,
            dry_run,
            batch,
            endpoint_timeout,
        }) => {
            let timeout = seconds(endpoint_timeout, "--endpoint-timeout")?;
            let endpoint = endpoint
                .map(|url| Endpoint::new(&url, update_endpoint.as_deref(), timeout))
                .transpose()?;
            let target = match (&graph_store, &endpoint) {
                (Some(url), _) => PushTarget::GraphStore(remote::check_url(url)?),
                (None, Some(endpoint)) => PushTarget::Update(endpoint.clone()),
                (None, None) => bail!("give --endpoint URL or --graph-store URL"),
            };
            let store = GraphStore::open_existing(&cli.store)?;
            let graphs = push::graphs_to_push(&store)?;
            drop(store);
            eprintln!(
                "{} {} graphs ({} documents and the ontology) to {}",
                if dry_run { "would push" } else { "pushing" },
                graphs.len(),
                graphs.len() - 1,
                target.describe()
            );
            let started = Instant::now();
            let summary = push::push(&graphs, &target, batch, dry_run, |line| println!("{line}"))?;
            if dry_run {
                eprintln!(
                    "dry run: {} graphs, {} triples in {} requests; nothing was sent",
                    summary.graphs, summary.triples, summary.requests
                );
                return Ok(0);
            }
            eprintln!(
                "pushed {} graphs, {} triples in {} requests ({:.1} s)",
                summary.graphs,
                summary.triples,
                summary.requests,
                started.elapsed().as_secs_f64()
            );
            if let Some(endpoint) = &endpoint {
                match push::verify(&graphs, endpoint) {
                    Ok(()) => eprintln!(
                        "checked: the server has the same number of triples in each graph"
                    ),
                    Err(push::VerifyError::Mismatch(lines)) => {
                        bail!(
                            "the server's graphs differ from what was sent:\n{}",
                            lines.join("\n")
                        )
                    }
                    Err(push::VerifyError::Remote(e)) => {
                        eprintln!("note: could not check the pushed graphs with a query: {e}")
                    }
                }
            }
            Ok(0)
        }
        Some(Command::Shell {
            endpoint: Some(url),
            update_endpoint,
            endpoint_timeout,
        }) => {
            let endpoint = Endpoint::new(
                &url,
                update_endpoint.as_deref(),
                seconds(endpoint_timeout, "--endpoint-timeout")?,
            )?;
            // One cheap round trip now rather than a confusing first query later: a wrong URL,
            // a server that is down or a web page that is no SPARQL endpoint is named at once.
            endpoint.check()?;
            shell(&QuerySource::Remote(endpoint))
        }
        Some(Command::Shell { endpoint: None, .. }) => {
            let store = GraphStore::open_existing(&cli.store)?;
            shell(&QuerySource::Local(&store))
        }
        None => {
            let store = GraphStore::open_or_create(&cli.store)?;
            let seeds = Path::new("seeds");
            if seeds.is_dir() {
                if !up_to_date(&store, seeds)? {
                    let options = BuildOptions {
                        progress: true,
                        ..BuildOptions::default()
                    };
                    if build(&store, &[seeds.to_owned()], &options)? != 0 {
                        bail!("some files in seeds/ could not be read (listed above)");
                    }
                }
            } else if store.document_graphs()?.is_empty() {
                bail!("the store {} is empty and there is no seeds/ directory here to build it from: run `xiezuo build PATH`", cli.store.display());
            }
            shell(&QuerySource::Local(&store))
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
        Some(Command::Why { iri: written }) => {
            let Some(iri) = xiezuo::results::expand_iri(&written) else {
                bail!("{written:?} is not an IRI or a prefixed name (try pairing:350000-640000 or <https://…>)");
            };
            let store = GraphStore::open_existing(&cli.store)?;
            let source = QuerySource::Local(&store);
            let rows = xiezuo::why::evidence(&source, &iri)?;
            if rows.is_empty() {
                bail!("no sentence states {written}: it is not in the store, or it comes from the ontology (try a pairing or outcome IRI)");
            }
            let label = xiezuo::labels::labels(&source, &[iri.as_str()], "en")
                .ok()
                .and_then(|mut l| l.remove(&iri));
            print!(
                "{}",
                xiezuo::why::render(&iri, label.as_deref(), &rows, None)
            );
            Ok(0)
        }
        Some(Command::Eval {
            gold,
            paths,
            json,
            details,
        }) => {
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
                print!("{}", xiezuo::eval::render(&report, details));
            }
            Ok(0)
        }
        Some(Command::Dot {
            output,
            region,
            year,
            model,
            render: render_format,
        }) => {
            let store = GraphStore::open_existing(&cli.store)?;
            let filter = DotFilter {
                region,
                year,
                model,
            };
            let render_format =
                render_format.or_else(|| output.as_deref().and_then(RenderFormat::from_path));
            if render_format == Some(RenderFormat::Png)
                && output.is_none()
                && std::io::stdout().is_terminal()
            {
                bail!("a PNG picture is not for the terminal: give -o FILE.png, or pipe it");
            }
            let dot = to_dot(&pairing_graph_filtered(
                &QuerySource::Local(&store),
                &filter,
            )?);
            let bytes = match render_format {
                Some(format) => render(&dot, format)?,
                None => dot.into_bytes(),
            };
            match output {
                Some(path) => std::fs::write(&path, bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => std::io::stdout().lock().write_all(&bytes)?,
            }
            Ok(0)
        }
    }
}

/// A positive number of seconds from the command line.
fn seconds(value: f64, option: &str) -> Result<Duration> {
    if value.is_finite() && value > 0.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        bail!("{option} takes a positive number of seconds, not {value}")
    }
}

fn shell(source: &QuerySource<'_>) -> Result<i32> {
    let failures = Shell::new(source).run().context("the shell stopped")?;
    Ok(if failures > 0 { 1 } else { 0 })
}

/// Builds, lists the files that failed and prints the one-line summary; the exit status is 1
/// when a file failed.
fn build(store: &GraphStore, paths: &[PathBuf], options: &BuildOptions) -> Result<i32> {
    let summary =
        xiezuo::build::build_with(store, paths, options, &mut |line| eprintln!("{line}"))?;
    for failure in &summary.failed {
        eprintln!("xiezuo: {}", failure.reason);
    }
    eprintln!("{}", summary.line(store.path()));
    Ok(if summary.failed.is_empty() { 0 } else { 1 })
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
