//! `xiezuo serve`: the graph over the SPARQL 1.1 Protocol and the SPARQL 1.1 Graph Store Protocol.
//!
//! Routes (all answer CORS requests from any origin):
//!
//! | path | what |
//! |---|---|
//! | `/` | a page with a query box and the example queries (`?query=` or POST: as `/sparql`) |
//! | `/query` | SPARQL 1.1 Protocol query: GET `?query=`, POST form or `application/sparql-query` |
//! | `/update` | SPARQL 1.1 Protocol update: POST form or `application/sparql-update` |
//! | `/sparql` | both, for clients that know one URL |
//! | `/store` | Graph Store Protocol: `?graph=IRI`, `?default`, or the whole dataset (GET only) |
//!
//! Queries see the same default graph as `xiezuo query`: the merged documents, their evidence, the
//! ontology and the store's own default graph. The server is read-only unless started with
//! `--allow-update`; every write is one transaction that also recomputes the merged graph
//! ([`rebuild_merged`]: a document graph written here with its evidence, as a push from another
//! store writes it, replaces the evidence a build gave it; a dropped document's evidence goes), so
//! the view never disagrees with the document graphs. Writes are serialised (one at a time);
//! queries run concurrently.
//!
//! Limits: a query or update that runs longer than `timeout` is cancelled (503); results beyond
//! `max_rows` rows or triples are refused (422), not silently cut; bodies beyond `max_body` bytes
//! get 413; a client that sends nothing for `idle_timeout` gets 408 and its connection is closed.

pub mod examples;
mod http;
pub mod negotiate;

use crate::knowledge::PREFIXES;
use crate::results::turtle_serializer;
use crate::store::{
    is_document_graph, rebuild_merged, remove_evidence, GraphStore, EVIDENCE_GRAPH, MERGED_GRAPH,
};
use negotiate::{choose, list, rdf_body_format, DATASET_TYPES, GRAPH_TYPES, RESULT_TYPES};
use oxhttp::model::header::{self, HeaderValue};
use oxhttp::model::{Body, Method, Request, Response, StatusCode};
use oxigraph::io::RdfParser;
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, NamedOrBlankNode, Quad};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{
    CancellationToken, QueryDataset, QueryEvaluationError, QueryResults, UpdateEvaluationError,
};
use oxigraph::store::StorageError;
use std::io::Read;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use examples::{example, Example, EXAMPLES};

/// How `serve` behaves; `Default` is what `xiezuo serve` uses without options.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: SocketAddr,
    /// Accept SPARQL Update and Graph Store writes.
    pub allow_update: bool,
    /// Longest a query or update may run.
    pub timeout: Duration,
    /// Most rows (or triples) one query may return.
    pub max_rows: usize,
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// How long a connection may stay silent (while sending a request or between requests).
    pub idle_timeout: Duration,
    /// Most connections served at once; more wait to be accepted.
    pub max_connections: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            bind: SocketAddr::from(([127, 0, 0, 1], 7878)),
            allow_update: false,
            timeout: Duration::from_secs(30),
            max_rows: 100_000,
            max_body: 16 << 20,
            idle_timeout: Duration::from_secs(30),
            max_connections: 128,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot understand --bind {0:?}: give an address and port such as 127.0.0.1:7878, or a port")]
    BadAddress(String),
}

/// Resolves `--bind`: `HOST:PORT`, `[::1]:PORT`, or a bare port (on 127.0.0.1).
pub fn parse_bind(text: &str) -> Result<SocketAddr, ServeError> {
    if let Ok(port) = text.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    text.to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| ServeError::BadAddress(text.to_owned()))
}

/// Parses a size such as `16MiB`, `512k`, `1G` or a number of bytes.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size (examples: 16MiB, 512k, 1000000)"))?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return Err(format!("{text:?}: unknown unit {unit:?}; use k, M or G")),
    };
    Ok((number * factor) as usize)
}

/// A running server. Dropping it does not stop it; it stops with the process.
pub struct RunningServer {
    addr: SocketAddr,
    thread: std::thread::JoinHandle<()>,
}

impl RunningServer {
    /// The address it listens on (with the real port when asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, e.g. `http://127.0.0.1:7878/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Blocks while the server runs.
    pub fn join(self) -> std::io::Result<()> {
        self.thread
            .join()
            .map_err(|_| std::io::Error::other("the server's accepting thread panicked"))
    }
}

/// Starts serving `store` in background threads.
pub fn start(store: GraphStore, options: ServeOptions) -> Result<RunningServer, ServeError> {
    let bind = options.bind.to_string();
    let bind_error = |source| ServeError::Bind {
        addr: bind.clone(),
        source,
    };
    let listener = http::bind(options.bind).map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let limits = http::Limits {
        idle_timeout: options.idle_timeout,
        max_body: options.max_body,
        max_connections: options.max_connections.max(1),
    };
    let service = Service::new(store, options);
    let handler: Arc<http::Handler> = Arc::new(move |request| service.handle(request));
    let thread = http::spawn(listener, limits, handler).map_err(bind_error)?;
    Ok(RunningServer { addr, thread })
}

/// An answer other than success: a status and a message for a person.
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    message: String,
    allow: Option<&'static str>,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Refusal {
            status,
            message: message.into(),
            allow: None,
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    fn method(allow: &'static str) -> Self {
        Refusal {
            status: StatusCode::METHOD_NOT_ALLOWED,
            message: format!("this resource answers {allow}"),
            allow: Some(allow),
        }
    }

    fn into_response(self) -> Response<Body> {
        let mut response = text_response(self.status, format!("{}\n", self.message));
        if let Some(allow) = self.allow {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}

impl From<StorageError> for Refusal {
    fn from(e: StorageError) -> Self {
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the store failed: {e}"),
        )
    }
}

type Answer = Result<Response<Body>, Refusal>;

fn text_response(status: StatusCode, text: String) -> Response<Body> {
    bytes_response(status, "text/plain; charset=utf-8", text.into_bytes())
}

fn bytes_response(status: StatusCode, media_type: &str, bytes: Vec<u8>) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, media_type)
        .body(Body::from(bytes))
        .expect("valid response")
}

fn empty_response(status: StatusCode) -> Response<Body> {
    Response::builder()
        .status(status)
        .body(Body::empty())
        .expect("valid response")
}

/// Runs evaluations on threads of their own, so that a request past `--timeout` is answered on
/// time even when Oxigraph does not notice its cancellation at once (it checks between reads of
/// the store, so a large cartesian product in memory can run on). Such a runaway evaluation is
/// cancelled and left to finish; while as many are still running as there are cores, new
/// queries are refused with 503 instead of piling more work on the machine.
struct Runner {
    timeout: Duration,
    runaways: Arc<AtomicUsize>,
    max_runaways: usize,
}

/// Whether the evaluation finished, and whether its requester gave up waiting.
#[derive(Default)]
struct JobState {
    finished: bool,
    abandoned: bool,
}

enum Waited<T> {
    Done(T),
    /// Past the deadline: the evaluation was cancelled and the requester no longer waits.
    TimedOut,
}

impl Runner {
    fn new(timeout: Duration) -> Runner {
        Runner {
            timeout,
            runaways: Arc::new(AtomicUsize::new(0)),
            max_runaways: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }

    fn busy(&self) -> Option<Refusal> {
        let runaways = self.runaways.load(Ordering::Relaxed);
        (runaways >= self.max_runaways).then(|| {
            Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("the server is busy stopping {runaways} queries that ran past its time limit; try again in a moment"),
            )
        })
    }

    /// Runs `work` with a fresh cancellation token on a new thread and waits for it until the
    /// deadline. If `finish` is set, a cancelled evaluation is still waited for (an update must
    /// say whether it changed the store).
    fn run<T: Send + 'static>(
        &self,
        finish: bool,
        work: impl FnOnce(&CancellationToken) -> T + Send + 'static,
    ) -> Waited<T> {
        let token = CancellationToken::new();
        let state = Arc::new(Mutex::new(JobState::default()));
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let worker = {
            let token = token.clone();
            let state = Arc::clone(&state);
            let runaways = Arc::clone(&self.runaways);
            move || {
                let result = work(&token);
                let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
                state.finished = true;
                if state.abandoned {
                    runaways.fetch_sub(1, Ordering::Relaxed);
                }
                let _ = sender.send(result);
            }
        };
        if std::thread::Builder::new()
            .name("xiezuo serve: query".into())
            .spawn(worker)
            .is_err()
        {
            return Waited::TimedOut;
        }
        match receiver.recv_timeout(self.timeout) {
            Ok(result) => Waited::Done(result),
            Err(_) => {
                token.cancel();
                if finish {
                    return receiver.recv().map_or(Waited::TimedOut, Waited::Done);
                }
                let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
                if state.finished {
                    drop(state);
                    return receiver.try_recv().map_or(Waited::TimedOut, Waited::Done);
                }
                state.abandoned = true;
                let n = self.runaways.fetch_add(1, Ordering::Relaxed) + 1;
                eprintln!(
                    "a query ran past the {} s limit; it is cancelled and still stopping ({n} such)",
                    self.timeout.as_secs_f64()
                );
                Waited::TimedOut
            }
        }
    }
}

/// Parameters of a query string or form body.
#[derive(Default)]
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(bytes: &[u8]) -> Params {
        Params(url::form_urlencoded::parse(bytes).into_owned().collect())
    }

    fn of_url(request: &Request<Body>) -> Params {
        Params::parse(request.uri().query().unwrap_or_default().as_bytes())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The single value of `name`; two values are a bad request.
    fn one(&self, name: &str) -> Result<Option<&str>, Refusal> {
        match self.all(name).as_slice() {
            [] => Ok(None),
            [value] => Ok(Some(value)),
            _ => Err(Refusal::bad_request(format!(
                "give the parameter {name} once, not several times"
            ))),
        }
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    fn iris(&self, name: &str) -> Result<Vec<NamedNode>, Refusal> {
        self.all(name)
            .into_iter()
            .map(|iri| {
                NamedNode::new(iri).map_err(|e| {
                    Refusal::bad_request(format!("{name}: {iri:?} is not an absolute IRI: {e}"))
                })
            })
            .collect()
    }
}

/// What one request asks of the SPARQL endpoints.
enum Operation {
    Query {
        text: String,
        default_graphs: Vec<NamedNode>,
        named_graphs: Vec<NamedNode>,
    },
    Update {
        text: String,
        using_graphs: Vec<NamedNode>,
        using_named_graphs: Vec<NamedNode>,
    },
}

/// Which graph a Graph Store request is about.
enum Target {
    Default,
    Named(NamedNode),
    Dataset,
}

struct Service {
    store: GraphStore,
    options: ServeOptions,
    runner: Runner,
    writer: Arc<Mutex<()>>,
    page: String,
}

const ROUTES: &str = "/ (a page to try queries), /query, /update, /sparql and /store";

impl Service {
    fn new(store: GraphStore, options: ServeOptions) -> Service {
        Service {
            page: page(&options),
            runner: Runner::new(options.timeout),
            store,
            options,
            writer: Arc::new(Mutex::new(())),
        }
    }

    fn handle(&self, request: &mut Request<Body>) -> Response<Body> {
        let started = Instant::now();
        let mut response = self.route(request).unwrap_or_else(Refusal::into_response);
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        if response.status().is_server_error() {
            eprintln!(
                "{} {} → {} ({:.0} ms)",
                request.method(),
                request.uri().path(),
                response.status(),
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
        response
    }

    fn route(&self, request: &mut Request<Body>) -> Answer {
        let path = request.uri().path().to_owned();
        let known = matches!(
            path.as_str(),
            "/" | "/query" | "/update" | "/sparql" | "/store"
        );
        if !known {
            return Err(Refusal::new(
                StatusCode::NOT_FOUND,
                format!("nothing at {path}; this server has {ROUTES}"),
            ));
        }
        if request.method() == Method::OPTIONS {
            return Ok(self.preflight(request));
        }
        match path.as_str() {
            "/" if request.uri().query().is_none() && request.method() != Method::POST => {
                match *request.method() {
                    Method::GET | Method::HEAD => Ok(bytes_response(
                        StatusCode::OK,
                        "text/html; charset=utf-8",
                        self.page.clone().into_bytes(),
                    )),
                    _ => Err(Refusal::method("GET, HEAD, POST, OPTIONS")),
                }
            }
            "/query" => self.sparql(request, true, false),
            "/update" => self.sparql(request, false, true),
            "/" | "/sparql" => self.sparql(request, true, true),
            _ => self.graph_store(request),
        }
    }

    /// The answer to a CORS preflight request.
    fn preflight(&self, request: &Request<Body>) -> Response<Body> {
        let mut response = empty_response(StatusCode::NO_CONTENT);
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD, POST, PUT, DELETE, OPTIONS"),
        );
        let requested = request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .cloned()
            .unwrap_or_else(|| HeaderValue::from_static("Content-Type, Accept"));
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested);
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        response
    }

    /// The SPARQL 1.1 Protocol: finds the operation in the request, then runs it.
    fn sparql(&self, request: &mut Request<Body>, queries: bool, updates: bool) -> Answer {
        let allow = match (queries, updates) {
            (true, false) => "GET, HEAD, POST, OPTIONS",
            (false, true) => "POST, OPTIONS",
            _ => "GET, HEAD, POST, OPTIONS",
        };
        let url_params = Params::of_url(request);
        let operation = match *request.method() {
            Method::GET | Method::HEAD if queries => {
                if url_params.has("update") {
                    return Err(Refusal::bad_request(
                        "an update must be sent with POST (form field update= or Content-Type: application/sparql-update)",
                    ));
                }
                let Some(text) = url_params.one("query")? else {
                    return Err(Refusal::bad_request(
                        "no query: give ?query=… (URL-encoded SPARQL), or POST it; the page at / helps",
                    ));
                };
                Operation::Query {
                    text: text.to_owned(),
                    default_graphs: url_params.iris("default-graph-uri")?,
                    named_graphs: url_params.iris("named-graph-uri")?,
                }
            }
            Method::POST => {
                let media = content_type(request);
                match media.as_deref() {
                    Some("application/x-www-form-urlencoded") => {
                        let body = Params::parse(&self.read_body(request)?);
                        match (body.one("query")?, body.one("update")?) {
                            (Some(_), Some(_)) => {
                                return Err(Refusal::bad_request(
                                    "give either query= or update=, not both",
                                ))
                            }
                            (Some(text), None) => Operation::Query {
                                text: text.to_owned(),
                                default_graphs: body.iris("default-graph-uri")?,
                                named_graphs: body.iris("named-graph-uri")?,
                            },
                            (None, Some(text)) => Operation::Update {
                                text: text.to_owned(),
                                using_graphs: body.iris("using-graph-uri")?,
                                using_named_graphs: body.iris("using-named-graph-uri")?,
                            },
                            (None, None) => {
                                return Err(Refusal::bad_request(
                                    "the form has neither a query= nor an update= field",
                                ))
                            }
                        }
                    }
                    Some("application/sparql-query") => Operation::Query {
                        text: self.read_text(request)?,
                        default_graphs: url_params.iris("default-graph-uri")?,
                        named_graphs: url_params.iris("named-graph-uri")?,
                    },
                    Some("application/sparql-update") => Operation::Update {
                        text: self.read_text(request)?,
                        using_graphs: url_params.iris("using-graph-uri")?,
                        using_named_graphs: url_params.iris("using-named-graph-uri")?,
                    },
                    Some(other) => {
                        return Err(Refusal::new(
                            StatusCode::UNSUPPORTED_MEDIA_TYPE,
                            format!("cannot read a {other} body here; send application/x-www-form-urlencoded, application/sparql-query or application/sparql-update"),
                        ))
                    }
                    None => {
                        return Err(Refusal::new(
                            StatusCode::UNSUPPORTED_MEDIA_TYPE,
                            "the request has no Content-Type; send application/x-www-form-urlencoded, application/sparql-query or application/sparql-update",
                        ))
                    }
                }
            }
            _ => return Err(Refusal::method(allow)),
        };
        match operation {
            Operation::Query { .. } if !queries => Err(Refusal::bad_request(
                "this is the update endpoint; send queries to /query",
            )),
            Operation::Update { .. } if !updates => Err(Refusal::bad_request(
                "this is the query endpoint; send updates to /update",
            )),
            Operation::Query {
                text,
                default_graphs,
                named_graphs,
            } => {
                let (media, bytes) =
                    self.query(&text, default_graphs, named_graphs, request, &url_params)?;
                Ok(bytes_response(StatusCode::OK, media, bytes))
            }
            Operation::Update {
                text,
                using_graphs,
                using_named_graphs,
            } => {
                self.update(&text, using_graphs, using_named_graphs)?;
                Ok(empty_response(StatusCode::NO_CONTENT))
            }
        }
    }

    /// The request body. The HTTP layer has read it already, refusing more than `max_body`
    /// bytes (413) and clients too slow to send it (408).
    fn read_body(&self, request: &mut Request<Body>) -> Result<Vec<u8>, Refusal> {
        let mut bytes = Vec::new();
        request
            .body_mut()
            .read_to_end(&mut bytes)
            .map_err(|e| Refusal::bad_request(format!("cannot read the request body: {e}")))?;
        Ok(bytes)
    }

    fn read_text(&self, request: &mut Request<Body>) -> Result<String, Refusal> {
        String::from_utf8(self.read_body(request)?)
            .map_err(|_| Refusal::bad_request("the request body is not UTF-8 text"))
    }

    /// Runs a query and serializes its results in the negotiated format; returns the media type
    /// and the bytes. The whole answer is made before it is sent, so a timeout or the row cap
    /// gives a clear status instead of a truncated document.
    fn query(
        &self,
        text: &str,
        default_graphs: Vec<NamedNode>,
        named_graphs: Vec<NamedNode>,
        request: &Request<Body>,
        url_params: &Params,
    ) -> Result<(&'static str, Vec<u8>), Refusal> {
        if let Some(busy) = self.runner.busy() {
            return Err(busy);
        }
        let format = url_params
            .one("format")?
            .or(url_params.one("output")?)
            .map(str::to_owned);
        let job = QueryJob {
            text: text.to_owned(),
            default_graphs,
            named_graphs,
            accept: request
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            format,
            max_rows: self.options.max_rows,
            timeout: self.options.timeout,
        };
        let store = self.store.oxigraph().clone();
        match self.runner.run(false, move |token| job.run(&store, token)) {
            Waited::Done(result) => result,
            Waited::TimedOut => Err(cancelled_message("query", self.options.timeout)),
        }
    }

    fn refuse_read_only(&self) -> Result<(), Refusal> {
        if self.options.allow_update {
            Ok(())
        } else {
            Err(Refusal::new(
                StatusCode::FORBIDDEN,
                "this server is read-only; start it with `xiezuo serve --allow-update` to accept changes",
            ))
        }
    }

    /// Runs an update in one transaction, with the merged graph recomputed before committing.
    /// Past the timeout it is cancelled and waited for: the answer says whether it changed the
    /// store.
    fn update(
        &self,
        text: &str,
        using_graphs: Vec<NamedNode>,
        using_named_graphs: Vec<NamedNode>,
    ) -> Result<(), Refusal> {
        self.refuse_read_only()?;
        let timeout = self.options.timeout;
        let text = text.to_owned();
        let store = self.store.oxigraph().clone();
        let writer = Arc::clone(&self.writer);
        let work = move |token: &CancellationToken| -> Result<(), Refusal> {
            let mut prepared = GraphStore::evaluator()
                .with_cancellation_token(token.clone())
                .parse_update(&text)
                .map_err(|e| Refusal::bad_request(syntax_message(&text, &e.to_string())))?;
            if !using_graphs.is_empty() || !using_named_graphs.is_empty() {
                for dataset in prepared.using_datasets_mut() {
                    let mut replacement = QueryDataset::new();
                    replacement.set_default_graph(
                        using_graphs.iter().cloned().map(GraphName::from).collect(),
                    );
                    if !using_named_graphs.is_empty() {
                        replacement.set_available_named_graphs(
                            using_named_graphs
                                .iter()
                                .cloned()
                                .map(NamedOrBlankNode::from)
                                .collect(),
                        );
                    }
                    *dataset = replacement;
                }
            }
            let _writer = writer.lock().unwrap_or_else(|e| e.into_inner());
            let mut tx = store.start_transaction()?;
            prepared.on_transaction(&mut tx).execute().map_err(|e| {
                if token.is_cancelled() {
                    return cancelled_message("update", timeout);
                }
                match e {
                    UpdateEvaluationError::Storage(e) => Refusal::from(e),
                    e => Refusal::bad_request(format!("update failed: {e}")),
                }
            })?;
            rebuild_merged(&mut tx)?;
            if token.is_cancelled() {
                return Err(cancelled_message("update", timeout));
            }
            tx.commit()?;
            Ok(())
        };
        match self.runner.run(true, work) {
            Waited::Done(result) => result,
            Waited::TimedOut => Err(cancelled_message("update", timeout)),
        }
    }

    /// The SPARQL 1.1 Graph Store HTTP Protocol.
    fn graph_store(&self, request: &mut Request<Body>) -> Answer {
        let params = Params::of_url(request);
        let target = match (params.one("graph")?, params.has("default")) {
            (Some(_), true) => {
                return Err(Refusal::bad_request(
                    "give ?graph=IRI or ?default, not both",
                ))
            }
            (Some(iri), false) => Target::Named(NamedNode::new(iri).map_err(|e| {
                Refusal::bad_request(format!("graph: {iri:?} is not an absolute IRI: {e}"))
            })?),
            (None, true) => Target::Default,
            (None, false) => Target::Dataset,
        };
        let method = request.method().clone();
        match method {
            Method::GET | Method::HEAD => {
                let accept = request
                    .headers()
                    .get(header::ACCEPT)
                    .and_then(|v| v.to_str().ok());
                let format_param = params.one("format")?;
                let offers = match target {
                    Target::Dataset => DATASET_TYPES,
                    _ => GRAPH_TYPES,
                };
                let format = choose(accept, format_param, offers).ok_or_else(|| {
                    Refusal::new(
                        StatusCode::NOT_ACCEPTABLE,
                        format!(
                            "none of the formats asked for fits; available: {}",
                            list(offers)
                        ),
                    )
                })?;
                let mut out = Vec::new();
                let mut serializer = turtle_serializer(format).for_writer(&mut out);
                match &target {
                    Target::Dataset => {
                        for quad in self.store.dataset_quads().map_err(store_refusal)? {
                            serializer.serialize_quad(&quad).map_err(io_refusal)?;
                        }
                    }
                    Target::Default => {
                        for triple in self.store.merged_triples().map_err(store_refusal)? {
                            serializer.serialize_triple(&triple).map_err(io_refusal)?;
                        }
                    }
                    Target::Named(graph) => {
                        if !self.store.oxigraph().contains_named_graph(graph)? {
                            return Err(no_graph(graph));
                        }
                        // A document's graph comes with its evidence, stored apart.
                        let triples = self
                            .store
                            .document_triples(graph.as_ref())
                            .map_err(store_refusal)?;
                        for triple in &triples {
                            serializer.serialize_triple(triple).map_err(io_refusal)?;
                        }
                    }
                }
                serializer.finish().map_err(io_refusal)?;
                Ok(bytes_response(StatusCode::OK, format.media_type(), out))
            }
            Method::PUT | Method::POST | Method::DELETE => {
                self.refuse_read_only()?;
                let graph = match &target {
                    Target::Dataset => {
                        return Err(Refusal::bad_request(
                            "name the graph to change: ?graph=IRI or ?default",
                        ))
                    }
                    Target::Named(g) if g.as_str() == MERGED_GRAPH => {
                        return Err(Refusal::new(
                            StatusCode::FORBIDDEN,
                            format!("{MERGED_GRAPH} is computed from the document graphs; change those instead"),
                        ))
                    }
                    Target::Named(g) if g.as_str() == EVIDENCE_GRAPH => {
                        return Err(Refusal::new(
                            StatusCode::FORBIDDEN,
                            format!("{EVIDENCE_GRAPH} holds the evidence of the document graphs; write a document's graph with its evidence instead"),
                        ))
                    }
                    Target::Named(g) => GraphName::NamedNode(g.clone()),
                    Target::Default => GraphName::DefaultGraph,
                };
                let quads = if method == Method::DELETE {
                    Vec::new()
                } else {
                    self.parse_graph_body(request, &graph)?
                };
                let _writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
                let mut tx = self.store.oxigraph().start_transaction()?;
                let existed = match &graph {
                    GraphName::NamedNode(g) => tx.contains_named_graph(g)?,
                    _ => true,
                };
                if method == Method::DELETE && !existed {
                    if let Target::Named(g) = &target {
                        return Err(no_graph(g));
                    }
                }
                if method != Method::POST {
                    match &graph {
                        // A PUT replaces the document whole, evidence included, even when
                        // the new graph brings none.
                        GraphName::NamedNode(g) if is_document_graph(g.as_str()) => {
                            remove_evidence(&mut tx, g.as_ref())?;
                            tx.remove_named_graph(g)?
                        }
                        GraphName::NamedNode(g) => tx.remove_named_graph(g)?,
                        _ => tx.clear_graph(GraphNameRef::DefaultGraph)?,
                    }
                }
                if method != Method::DELETE {
                    if let GraphName::NamedNode(g) = &graph {
                        tx.insert_named_graph(g);
                    }
                    tx.extend(quads.iter());
                }
                if matches!(&graph, GraphName::NamedNode(g) if is_document_graph(g.as_str())) {
                    rebuild_merged(&mut tx)?;
                }
                tx.commit()?;
                Ok(empty_response(if existed || method == Method::DELETE {
                    StatusCode::NO_CONTENT
                } else {
                    StatusCode::CREATED
                }))
            }
            _ => Err(Refusal::method("GET, HEAD, PUT, POST, DELETE, OPTIONS")),
        }
    }

    /// Parses a Graph Store request body into quads of `graph`; nothing is written if it fails.
    fn parse_graph_body(
        &self,
        request: &mut Request<Body>,
        graph: &GraphName,
    ) -> Result<Vec<Quad>, Refusal> {
        let media = content_type(request).ok_or_else(|| {
            Refusal::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "the request has no Content-Type; send one of {}",
                    list(GRAPH_TYPES)
                ),
            )
        })?;
        let format = rdf_body_format(&media)
            .filter(|f| !f.supports_datasets())
            .ok_or_else(|| {
                Refusal::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    format!(
                        "cannot read a {media} body into one graph; send one of {}",
                        list(&GRAPH_TYPES[..5])
                    ),
                )
            })?;
        let body = self.read_body(request)?;
        let mut parser = RdfParser::from_format(format).with_default_graph(graph.clone());
        if let GraphName::NamedNode(g) = graph {
            parser = parser
                .with_base_iri(g.as_str())
                .map_err(|e| Refusal::bad_request(format!("bad graph IRI: {e}")))?;
        }
        parser
            .for_slice(&body)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                Refusal::bad_request(format!(
                    "the {media} body does not parse, nothing was changed: {e}"
                ))
            })
    }
}

fn cancelled_message(what: &str, timeout: Duration) -> Refusal {
    Refusal::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "the {what} ran longer than this server allows ({} s, --timeout) and was stopped; make it more selective or add LIMIT",
            timeout.as_secs_f64()
        ),
    )
}

/// A query with what it needs to run on a thread of its own.
struct QueryJob {
    text: String,
    default_graphs: Vec<NamedNode>,
    named_graphs: Vec<NamedNode>,
    accept: Option<String>,
    format: Option<String>,
    max_rows: usize,
    timeout: Duration,
}

impl QueryJob {
    fn evaluation_refusal(&self, e: QueryEvaluationError, token: &CancellationToken) -> Refusal {
        if token.is_cancelled() || matches!(e, QueryEvaluationError::Cancelled) {
            return cancelled_message("query", self.timeout);
        }
        match e {
            QueryEvaluationError::Dataset(_) | QueryEvaluationError::Unexpected(_) => Refusal::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("query failed: {e}"),
            ),
            e => Refusal::bad_request(format!("query failed: {e}")),
        }
    }

    fn run(
        self,
        store: &oxigraph::store::Store,
        token: &CancellationToken,
    ) -> Result<(&'static str, Vec<u8>), Refusal> {
        let text = self.text.as_str();
        let mut prepared = GraphStore::evaluator()
            .with_cancellation_token(token.clone())
            .parse_query(text)
            .map_err(|e| Refusal::bad_request(syntax_message(text, &e.to_string())))?;
        if !self.default_graphs.is_empty() || !self.named_graphs.is_empty() {
            let dataset = prepared.dataset_mut();
            dataset.set_default_graph(
                self.default_graphs
                    .iter()
                    .cloned()
                    .map(GraphName::from)
                    .collect(),
            );
            if !self.named_graphs.is_empty() {
                dataset.set_available_named_graphs(
                    self.named_graphs
                        .iter()
                        .cloned()
                        .map(NamedOrBlankNode::from)
                        .collect(),
                );
            }
        } else if prepared.dataset().is_default_dataset() {
            prepared
                .dataset_mut()
                .set_default_graph(crate::store::default_graphs());
        }
        let results = prepared
            .on_store(store)
            .execute()
            .map_err(|e| self.evaluation_refusal(e, token))?;
        let accept = self.accept.as_deref();
        let format_param = self.format.as_deref();
        let max_rows = self.max_rows;
        let too_many = |what: &str| {
            Refusal::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("the query gives more than {max_rows} {what}, the most this server returns (--max-rows); add LIMIT (and OFFSET to page through them)"),
            )
        };
        let not_acceptable = |offers: String| {
            Refusal::new(
                StatusCode::NOT_ACCEPTABLE,
                format!("none of the formats asked for (Accept or format=) fits these results; available: {offers}"),
            )
        };
        let mut out = Vec::new();
        match results {
            QueryResults::Solutions(solutions) => {
                let format = choose(accept, format_param, RESULT_TYPES)
                    .ok_or_else(|| not_acceptable(list(RESULT_TYPES)))?;
                let mut serializer = QueryResultsSerializer::from_format(format)
                    .serialize_solutions_to_writer(&mut out, solutions.variables().to_vec())
                    .map_err(io_refusal)?;
                for (n, solution) in solutions.enumerate() {
                    if n >= max_rows {
                        return Err(too_many("rows"));
                    }
                    let solution = solution.map_err(|e| self.evaluation_refusal(e, token))?;
                    serializer.serialize(&solution).map_err(io_refusal)?;
                }
                serializer.finish().map_err(io_refusal)?;
                Ok((results_media_type(format), out))
            }
            QueryResults::Boolean(value) => {
                let format = choose(accept, format_param, RESULT_TYPES)
                    .ok_or_else(|| not_acceptable(list(RESULT_TYPES)))?;
                QueryResultsSerializer::from_format(format)
                    .serialize_boolean_to_writer(&mut out, value)
                    .map_err(io_refusal)?;
                Ok((results_media_type(format), out))
            }
            QueryResults::Graph(triples) => {
                let format = choose(accept, format_param, GRAPH_TYPES)
                    .ok_or_else(|| not_acceptable(list(GRAPH_TYPES)))?;
                let mut serializer = turtle_serializer(format).for_writer(&mut out);
                for (n, triple) in triples.enumerate() {
                    if n >= max_rows {
                        return Err(too_many("triples"));
                    }
                    let triple = triple.map_err(|e| self.evaluation_refusal(e, token))?;
                    serializer.serialize_triple(&triple).map_err(io_refusal)?;
                }
                serializer.finish().map_err(io_refusal)?;
                Ok((format.media_type(), out))
            }
        }
    }
}

fn no_graph(graph: &NamedNode) -> Refusal {
    Refusal::new(
        StatusCode::NOT_FOUND,
        format!("there is no graph {graph} in this store"),
    )
}

fn store_refusal(e: crate::store::StoreError) -> Refusal {
    Refusal::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("the store failed: {e}"),
    )
}

fn io_refusal(e: std::io::Error) -> Refusal {
    Refusal::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("cannot write the results: {e}"),
    )
}

/// The media type of a request body, lower-cased, without parameters.
fn content_type(request: &Request<Body>) -> Option<String> {
    let value = request.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    let media = value.split(';').next()?.trim().to_ascii_lowercase();
    (!media.is_empty()).then_some(media)
}

fn results_media_type(format: QueryResultsFormat) -> &'static str {
    match format {
        QueryResultsFormat::Csv => "text/csv; charset=utf-8",
        QueryResultsFormat::Tsv => "text/tab-separated-values; charset=utf-8",
        other => other.media_type(),
    }
}

/// A syntax error message with the offending line and a caret under the position, when the
/// message gives one (`… at LINE:COLUMN …`).
pub fn syntax_message(text: &str, message: &str) -> String {
    let position = message.split("at ").skip(1).find_map(|rest| {
        let lc: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ':')
            .collect();
        let (line, column) = lc.trim_end_matches(':').split_once(':')?;
        Some((line.parse::<usize>().ok()?, column.parse::<usize>().ok()?))
    });
    match position {
        Some((line, column)) if line >= 1 => {
            let source = text.lines().nth(line - 1).unwrap_or_default();
            let before: String = source.chars().take(column.saturating_sub(1)).collect();
            let pad = unicode_width::UnicodeWidthStr::width(before.as_str());
            format!(
                "SPARQL syntax error: {message}\n  {source}\n  {}^",
                " ".repeat(pad)
            )
        }
        _ => format!("SPARQL syntax error: {message}"),
    }
}

/// The page at `/`: a query box, the examples, and results as a table.
fn page(options: &ServeOptions) -> String {
    let examples: Vec<serde_json::Value> = EXAMPLES
        .iter()
        .map(|e| serde_json::json!({ "name": e.name, "title": e.title, "query": e.query }))
        .collect();
    let prefixes: String = PREFIXES
        .iter()
        .map(|(p, iri)| format!("{p}: &lt;{iri}&gt;"))
        .collect::<Vec<_>>()
        .join(" · ");
    include_str!("page.html")
        .replace(
            "/*EXAMPLES*/",
            &serde_json::to_string(&examples)
                .expect("examples serialize")
                .replace("</", "<\\/"),
        )
        .replace("<!--PREFIXES-->", &prefixes)
        .replace(
            "<!--MODE-->",
            if options.allow_update {
                "updates allowed"
            } else {
                "read-only"
            },
        )
        .replace("<!--VERSION-->", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("16MiB"), Ok(16 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("3 parsecs").is_err());
    }

    #[test]
    fn bind_takes_a_port_or_an_address() {
        assert_eq!(parse_bind("8080").unwrap().to_string(), "127.0.0.1:8080");
        assert_eq!(
            parse_bind("0.0.0.0:7878").unwrap().to_string(),
            "0.0.0.0:7878"
        );
        assert!(parse_bind("nowhere").is_err());
    }

    #[test]
    fn syntax_errors_point_at_the_spot() {
        let message = syntax_message(
            "SELECT ?x\nWHERE { ?x xz:helper }",
            "error at 2:21: expected",
        );
        assert!(
            message.ends_with("WHERE { ?x xz:helper }\n                      ^"),
            "{message}"
        );
    }
}
