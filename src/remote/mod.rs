//! Other SPARQL 1.1 endpoints: running queries and updates against them (`xiezuo query
//! --endpoint`, `xiezuo shell --endpoint`), and pushing the built graph into them ([`push`]).
//!
//! [`QuerySource`] hides whether statements run on the local store or a remote endpoint: both
//! give Oxigraph's [`QueryResults`], so the table, CSV, TSV, JSON and XML output of
//! [`crate::results::write`] works the same on either.
//!
//! Queries are sent as SPARQL 1.1 Protocol POST forms, with the prefixes xiezuo declares (xz:,
//! reg:, rdfs:, …) added in front unless the query declares them itself, so the same text works
//! everywhere. A query is checked locally first: a syntax error is reported with a caret under the
//! spot without a round trip, unless the text uses an extension the local parser does not know (a
//! server's own functions), in which case the server decides.

pub mod push;

use crate::export::{export, ExportError, ExportFormat};
use crate::knowledge::PREFIXES;
use crate::results::turtle_serializer;
use crate::serve::syntax_message;
use crate::store::{GraphStore, QueryError};
use oxhttp::model::header::{ACCEPT, CONTENT_TYPE};
use oxhttp::model::{Body, Method, Request, Response};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, NamedOrBlankNode, Quad, Term, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser};
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, QueryResults, QueryTripleIter};
use std::io::{Read, Write};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

/// What a query asks servers for, best first: results formats, then graph formats.
const QUERY_ACCEPT: &str = "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.5, text/turtle;q=0.8, application/n-triples;q=0.7, application/rdf+xml;q=0.6, application/n-quads;q=0.4, application/trig;q=0.4";

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("{0:?} is not an http:// or https:// URL")]
    BadUrl(String),
    #[error("cannot reach {url}: {message}")]
    Unreachable { url: String, message: String },
    #[error("{url} answered {status}: {message}")]
    Refused {
        url: String,
        status: u16,
        message: String,
    },
    #[error(
        "{url} answered with {media_type}, not SPARQL results or RDF: is it a SPARQL endpoint?"
    )]
    NotSparql { url: String, media_type: String },
    #[error("cannot read the answer of {url}: {message}")]
    BadAnswer { url: String, message: String },
}

impl RemoteError {
    /// The HTTP status the server answered, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            RemoteError::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A SPARQL 1.1 Protocol endpoint.
#[derive(Clone)]
pub struct Endpoint {
    query_url: String,
    update_url: String,
    client: std::sync::Arc<oxhttp::Client>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("query_url", &self.query_url)
            .field("update_url", &self.update_url)
            .finish()
    }
}

/// Checks that `url` is an absolute http(s) URL.
pub fn check_url(url: &str) -> Result<String, RemoteError> {
    match url::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => {
            Ok(parsed.to_string())
        }
        _ => Err(RemoteError::BadUrl(url.to_owned())),
    }
}

/// Where updates go when only a query URL is given: `…/query` becomes `…/update` (xiezuo serve,
/// Oxigraph server, Fuseki's `/ds/query`); any other URL takes updates itself (xiezuo's `/sparql`,
/// Virtuoso's `/sparql`, GraphDB's `/repositories/X/statements` given as the endpoint).
pub fn update_url_for(query_url: &str) -> String {
    match url::Url::parse(query_url) {
        Ok(mut url) if url.path().ends_with("/query") => {
            let path = format!("{}update", url.path().trim_end_matches("query"));
            url.set_path(&path);
            url.to_string()
        }
        _ => query_url.to_owned(),
    }
}

impl Endpoint {
    /// An endpoint answering queries at `query_url` and updates at `update_url` (see
    /// [`update_url_for`] for the usual choice). `timeout` bounds each wait on the network.
    pub fn new(
        query_url: &str,
        update_url: Option<&str>,
        timeout: Duration,
    ) -> Result<Endpoint, RemoteError> {
        let query_url = check_url(query_url)?;
        let update_url = match update_url {
            Some(u) => check_url(u)?,
            None => update_url_for(&query_url),
        };
        let client = oxhttp::Client::new()
            .with_global_timeout(timeout)
            .with_redirection_limit(5)
            .with_user_agent(concat!("xiezuo/", env!("CARGO_PKG_VERSION")))
            .expect("a valid user agent");
        Ok(Endpoint {
            query_url,
            update_url,
            client: std::sync::Arc::new(client),
        })
    }

    pub fn query_url(&self) -> &str {
        &self.query_url
    }

    pub fn update_url(&self) -> &str {
        &self.update_url
    }

    /// Sends `request` and returns the response if it is a success; otherwise the server's
    /// message (its first lines) in the error.
    pub(crate) fn send(
        &self,
        method: Method,
        url: &str,
        content_type: Option<&str>,
        accept: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Response<Body>, RemoteError> {
        let mut builder = Request::builder().method(method).uri(url);
        if let Some(ct) = content_type {
            builder = builder.header(CONTENT_TYPE, ct);
        }
        if let Some(a) = accept {
            builder = builder.header(ACCEPT, a);
        }
        let request = builder
            .body(Body::from(body))
            .map_err(|_| RemoteError::BadUrl(url.to_owned()))?;
        let response = self
            .client
            .request(request)
            .map_err(|e| RemoteError::Unreachable {
                url: url.to_owned(),
                message: describe_io(&e),
            })?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let mut text = String::new();
        let _ = response
            .into_body()
            .take(4096)
            .read_to_string(&mut text)
            .ok();
        let message: String = text.trim().lines().take(12).collect::<Vec<_>>().join("\n");
        Err(RemoteError::Refused {
            url: url.to_owned(),
            status: status.as_u16(),
            message: if message.is_empty() {
                status.canonical_reason().unwrap_or("error").to_owned()
            } else {
                message
            },
        })
    }

    /// Sends a query (declared prefixes are added) and returns the successful response.
    fn post_query(&self, text: &str) -> Result<Response<Body>, RemoteError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("query", &with_prologue(text))
            .finish();
        self.send(
            Method::POST,
            &self.query_url,
            Some("application/x-www-form-urlencoded"),
            Some(QUERY_ACCEPT),
            body.into_bytes(),
        )
    }

    /// Runs a query (the text as the user wrote it: declared prefixes are added). The results
    /// are read from the network as they are consumed.
    pub fn query(&self, text: &str) -> Result<QueryResults<'static>, RemoteError> {
        let response = self.post_query(text)?;
        let media_type = media_type(&response);
        parse_results(&self.query_url, &media_type, response.into_body())
    }

    /// Runs a query and reads the whole answer before returning it, so that all the waiting on
    /// the network happens here (on a thread that can be abandoned, see [`QuerySource`]).
    pub fn fetch(&self, text: &str) -> Result<Fetched, RemoteError> {
        let response = self.post_query(text)?;
        let media_type = media_type(&response);
        let mut body = Vec::new();
        response
            .into_body()
            .read_to_end(&mut body)
            .map_err(|e| RemoteError::BadAnswer {
                url: self.query_url.clone(),
                message: describe_io(&e),
            })?;
        Ok(Fetched {
            url: self.query_url.clone(),
            media_type,
            body,
        })
    }

    /// A cheap question (`ASK {}`) that every SPARQL 1.1 endpoint answers: whether the URL is
    /// reachable and speaks SPARQL at all, before a session starts on it.
    pub fn check(&self) -> Result<(), RemoteError> {
        match self.query("ASK {}")? {
            QueryResults::Boolean(_) => Ok(()),
            _ => Err(RemoteError::BadAnswer {
                url: self.query_url.clone(),
                message: "ASK {} did not get a yes or no".to_owned(),
            }),
        }
    }

    /// Runs a SPARQL Update (declared prefixes are added).
    pub fn update(&self, text: &str) -> Result<(), RemoteError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("update", &with_prologue(text))
            .finish();
        self.send(
            Method::POST,
            &self.update_url,
            Some("application/x-www-form-urlencoded"),
            None,
            body.into_bytes(),
        )?;
        Ok(())
    }
}

fn describe_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        ConnectionRefused => "connection refused (is the server running, and on this port?)".into(),
        TimedOut | WouldBlock => "no answer in time (the network or the server is too slow; --endpoint-timeout sets how long to wait)".into(),
        _ => e.to_string(),
    }
}

/// The whole answer to a query, not parsed yet: it can cross threads, results cannot.
#[derive(Debug)]
pub struct Fetched {
    url: String,
    media_type: String,
    body: Vec<u8>,
}

impl Fetched {
    pub fn results(self) -> Result<QueryResults<'static>, RemoteError> {
        parse_results(&self.url, &self.media_type, std::io::Cursor::new(self.body))
    }
}

/// The media type of a response, lower-cased, without parameters.
fn media_type(response: &Response<Body>) -> String {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Turns a successful response body into results, by its media type.
fn parse_results(
    url: &str,
    media_type: &str,
    body: impl Read + 'static,
) -> Result<QueryResults<'static>, RemoteError> {
    if let Some(format) = QueryResultsFormat::from_media_type(media_type) {
        let parsed = QueryResultsParser::from_format(format)
            .for_reader(body)
            .map_err(|e| RemoteError::BadAnswer {
                url: url.to_owned(),
                message: e.to_string(),
            })?;
        return Ok(QueryResults::from(parsed));
    }
    if let Some(format) = RdfFormat::from_media_type(media_type) {
        let triples = RdfParser::from_format(format).for_reader(body).map(|quad| {
            quad.map(Triple::from)
                .map_err(|e| QueryEvaluationError::Service(Box::new(e)))
        });
        return Ok(QueryResults::Graph(QueryTripleIter::new(triples)));
    }
    Err(RemoteError::NotSparql {
        url: url.to_owned(),
        media_type: if media_type.is_empty() {
            "no Content-Type".into()
        } else {
            media_type.to_owned()
        },
    })
}

/// The prefixes a text declares itself (`PREFIX name:`), lower-cased keyword, exact name.
fn declared_prefixes(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("prefix") {
        let start = from + at;
        from = start + "prefix".len();
        let boundary_before = lower[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_' && c != ':' && c != '?');
        let rest = &text[from..];
        let trimmed = rest.trim_start();
        if !boundary_before || trimmed.len() == rest.len() {
            continue;
        }
        if let Some(colon) = trimmed.find(':') {
            let name = &trimmed[..colon];
            if name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// `text` with `PREFIX` declarations for xiezuo's prefixes it uses without declaring.
pub fn with_prologue(text: &str) -> String {
    let declared = declared_prefixes(text);
    let mut prologue = String::new();
    for (prefix, iri) in PREFIXES {
        if !declared.iter().any(|d| d == prefix) && text.contains(&format!("{prefix}:")) {
            prologue.push_str(&format!("PREFIX {prefix}: <{iri}>\n"));
        }
    }
    prologue + text
}

/// An error from a [`QuerySource`].
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// From the local store: [`crate::shell::describe_query_error`] adds a caret to syntax errors.
    #[error(transparent)]
    Local(#[from] QueryError),
    #[error("{0}")]
    Remote(RemoteError),
    /// The text does not parse here and the server refused it too. `local` is the local
    /// parser's message, which the shell turns into a caret under the spot.
    #[error("{}\n(the server said: {remote})", syntax_message(.text, .local))]
    Syntax {
        text: String,
        local: String,
        remote: RemoteError,
    },
    /// Ctrl-C while waiting for the server: an HTTP request cannot be taken back, so the shell
    /// stops waiting and the server may finish the work all the same.
    #[error("stopped waiting (Ctrl-C); the server may still finish the work")]
    Abandoned,
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error("{0}")]
    Results(#[from] QueryEvaluationError),
    #[error("cannot write: {0}")]
    Io(#[from] std::io::Error),
}

impl From<RemoteError> for SourceError {
    fn from(e: RemoteError) -> Self {
        SourceError::Remote(e)
    }
}

/// Where the statements of `xiezuo query` and `xiezuo shell` run: the local store or any SPARQL
/// 1.1 endpoint. Both give [`QueryResults`], so printing is the same.
pub enum QuerySource<'a> {
    Local(&'a GraphStore),
    Remote(Endpoint),
}

impl<'a> From<&'a GraphStore> for QuerySource<'a> {
    fn from(store: &'a GraphStore) -> Self {
        QuerySource::Local(store)
    }
}

impl QuerySource<'_> {
    /// The local store, for what only it can do (`.load` builds into it).
    pub fn store(&self) -> Option<&GraphStore> {
        match self {
            QuerySource::Local(store) => Some(store),
            QuerySource::Remote(_) => None,
        }
    }

    /// The remote endpoint, if that is where statements run.
    pub fn endpoint(&self) -> Option<&Endpoint> {
        match self {
            QuerySource::Local(_) => None,
            QuerySource::Remote(endpoint) => Some(endpoint),
        }
    }

    /// For banners and messages: `store ./xiezuo-store` or `endpoint http://…`.
    pub fn describe(&self) -> String {
        match self {
            QuerySource::Local(store) => format!("store {}", store.path().display()),
            QuerySource::Remote(endpoint) => format!("endpoint {}", endpoint.query_url()),
        }
    }

    /// True if `text` is a query (SELECT, ASK, CONSTRUCT, DESCRIBE) rather than an update. For
    /// text the local parser does not understand, the first keyword after the prologue decides.
    pub fn is_query(text: &str) -> bool {
        if GraphStore::is_query(text) {
            return true;
        }
        if GraphStore::evaluator().parse_update(text).is_ok() {
            return false;
        }
        first_keyword(text).is_some_and(|k| {
            matches!(
                k.as_str(),
                "select" | "ask" | "construct" | "describe" | "json"
            )
        })
    }

    /// Runs a query. Local: the merged default graph of [`GraphStore::query`]. Remote: the
    /// server's default graph (see the README on pushed graphs).
    pub fn query(&self, text: &str) -> Result<QueryResults<'static>, SourceError> {
        match self {
            QuerySource::Local(store) => Ok(store.query(text)?),
            QuerySource::Remote(endpoint) => {
                let local = GraphStore::evaluator().parse_query(text).err();
                endpoint
                    .query(text)
                    .map_err(|remote| remote_or_syntax(text, local, remote))
            }
        }
    }

    /// Like [`QuerySource::query`], but stops once `token` is cancelled (the shell's Ctrl-C).
    /// Local: the evaluation stops. Remote: the answer is read in full on a thread of its own,
    /// and the shell stops waiting for it ([`SourceError::Abandoned`]).
    pub fn query_cancellable(
        &self,
        text: &str,
        token: CancellationToken,
    ) -> Result<QueryResults<'static>, SourceError> {
        match self {
            QuerySource::Local(store) => Ok(store.query_cancellable(text, token)?),
            QuerySource::Remote(endpoint) => {
                let local = GraphStore::evaluator().parse_query(text).err();
                let (endpoint, owned) = (endpoint.clone(), text.to_owned());
                let fetched = abandonable(&token, move || endpoint.fetch(&owned))
                    .ok_or(SourceError::Abandoned)?
                    .map_err(|remote| remote_or_syntax(text, local, remote))?;
                Ok(fetched.results()?)
            }
        }
    }

    /// Like [`QuerySource::update`], but stops once `token` is cancelled (remote: stops waiting;
    /// the server may still apply the update).
    pub fn update_cancellable(
        &self,
        text: &str,
        token: CancellationToken,
    ) -> Result<(), SourceError> {
        match self {
            QuerySource::Local(store) => Ok(store.update_cancellable(text, token)?),
            QuerySource::Remote(endpoint) => {
                let local = GraphStore::evaluator().parse_update(text).err();
                let (endpoint, owned) = (endpoint.clone(), text.to_owned());
                abandonable(&token, move || endpoint.update(&owned))
                    .ok_or(SourceError::Abandoned)?
                    .map_err(|remote| remote_or_syntax(text, local, remote))
            }
        }
    }

    /// Runs an update.
    pub fn update(&self, text: &str) -> Result<(), SourceError> {
        match self {
            QuerySource::Local(store) => Ok(store.update(text)?),
            QuerySource::Remote(endpoint) => {
                let local = GraphStore::evaluator().parse_update(text).err();
                endpoint
                    .update(text)
                    .map_err(|remote| remote_or_syntax(text, local, remote))
            }
        }
    }

    /// Writes the graph as `xiezuo export` does. Remote: triple formats get the server's default
    /// graph (CONSTRUCT), dataset formats every named graph; returns the number of statements.
    pub fn export(&self, format: ExportFormat, out: &mut dyn Write) -> Result<usize, SourceError> {
        match self {
            QuerySource::Local(store) => Ok(export(store, format, out)?),
            QuerySource::Remote(endpoint) => {
                let rdf_format = format.rdf_format();
                let mut serializer = turtle_serializer(rdf_format).for_writer(out);
                let mut count = 0;
                if rdf_format.supports_datasets() {
                    let results = endpoint
                        .query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")?;
                    if let QueryResults::Solutions(solutions) = results {
                        for solution in solutions {
                            let solution = solution?;
                            let quad = (|| {
                                let graph = match solution.get("g")? {
                                    Term::NamedNode(n) => GraphName::NamedNode(n.clone()),
                                    Term::BlankNode(b) => GraphName::BlankNode(b.clone()),
                                    _ => return None,
                                };
                                let subject: NamedOrBlankNode = match solution.get("s")? {
                                    Term::NamedNode(n) => n.clone().into(),
                                    Term::BlankNode(b) => b.clone().into(),
                                    _ => return None,
                                };
                                let Term::NamedNode(predicate) = solution.get("p")? else {
                                    return None;
                                };
                                Some(Quad::new(
                                    subject,
                                    predicate.clone(),
                                    solution.get("o")?.clone(),
                                    graph,
                                ))
                            })();
                            if let Some(quad) = quad {
                                serializer.serialize_quad(&quad)?;
                                count += 1;
                            }
                        }
                    }
                } else if let QueryResults::Graph(triples) =
                    endpoint.query("CONSTRUCT WHERE { ?s ?p ?o }")?
                {
                    for triple in triples {
                        serializer.serialize_triple(&triple?)?;
                        count += 1;
                    }
                }
                serializer.finish()?.flush()?;
                Ok(count)
            }
        }
    }
}

/// Runs `work` (a blocking HTTP exchange) on a thread of its own and waits for it, or returns
/// `None` once `token` is cancelled. A request in flight cannot be interrupted; abandoning it
/// keeps the shell responsive, and the thread ends when the server answers or the network
/// timeout passes.
fn abandonable<T: Send + 'static>(
    token: &CancellationToken,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        // The receiver is gone when the wait was abandoned: nobody wants the answer.
        let _ = sender.send(work());
    });
    loop {
        match receiver.recv_timeout(Duration::from_millis(25)) {
            Ok(done) => return Some(done),
            Err(RecvTimeoutError::Timeout) if token.is_cancelled() => return None,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => match worker.join() {
                Err(panic) => std::panic::resume_unwind(panic),
                Ok(()) => unreachable!("the worker sends before it ends"),
            },
        }
    }
}

/// A remote refusal of text that also fails to parse here: the local message (with its caret)
/// is the more useful one, with the server's beside it. Any 4xx counts, not only 400: a typo
/// such as `SELEC` reads as an update, which a read-only server refuses (403) before parsing.
fn remote_or_syntax(
    text: &str,
    local: Option<oxigraph::sparql::SparqlSyntaxError>,
    remote: RemoteError,
) -> SourceError {
    match (local, remote.status()) {
        (Some(local), Some(400..=499)) => SourceError::Syntax {
            text: text.to_owned(),
            local: local.to_string(),
            remote,
        },
        _ => SourceError::Remote(remote),
    }
}

/// The first keyword after comments and the prologue (BASE, PREFIX), lower-cased.
fn first_keyword(text: &str) -> Option<String> {
    let mut words = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .flat_map(str::split_whitespace);
    while let Some(word) = words.next() {
        let lower = word.to_ascii_lowercase();
        match lower.as_str() {
            "prefix" => {
                // PREFIX name: <iri>  — the name and IRI may be split or joined.
                let mut seen_iri = word.contains('<');
                while !seen_iri {
                    let next = words.next()?;
                    seen_iri = next.contains('>');
                }
            }
            "base" => {
                words.next()?;
            }
            _ => {
                return Some(
                    lower
                        .trim_start_matches(|c: char| !c.is_alphabetic())
                        .chars()
                        .take_while(|c| c.is_alphabetic())
                        .collect(),
                )
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_added_only_where_used_and_undeclared() {
        let text = "SELECT ?h WHERE { ?p xz:helper ?h }";
        let sent = with_prologue(text);
        assert!(sent.starts_with("PREFIX xz: <https://w3id.org/xiezuo/ontology#>\n"));
        assert!(!sent.contains("PREFIX reg:"));
        assert!(sent.ends_with(text));
        let own = "PREFIX xz: <http://example.org/other#>\nSELECT * { ?s xz:p ?o }";
        assert_eq!(with_prologue(own), own);
        let lower = "prefix  rdfs:<x:y> select * { ?s rdfs:label ?o ; xz:p ?q }";
        let sent = with_prologue(lower);
        assert!(!sent.contains("PREFIX rdfs:"), "{sent}");
        assert!(sent.contains("PREFIX xz:"), "{sent}");
    }

    #[test]
    fn update_urls_follow_query_urls() {
        assert_eq!(
            update_url_for("http://localhost:7878/query"),
            "http://localhost:7878/update"
        );
        assert_eq!(
            update_url_for("http://localhost:3030/ds/query"),
            "http://localhost:3030/ds/update"
        );
        assert_eq!(
            update_url_for("http://localhost:8890/sparql"),
            "http://localhost:8890/sparql"
        );
    }

    #[test]
    fn queries_and_updates_are_told_apart() {
        assert!(QuerySource::is_query("SELECT * WHERE { ?s ?p ?o }"));
        assert!(!QuerySource::is_query("INSERT DATA { <a:b> <a:c> <a:d> }"));
        // Not parsable here (a vendor function), still a query by its keyword.
        assert!(QuerySource::is_query(
            "PREFIX ex: <http://e/>\nselect ?s where { ?s ?p ?o } LIMIT 10 OPTION (QUIETCAST)"
        ));
        assert!(!QuerySource::is_query(
            "PREFIX ex: <http://e/>\nLOAD SILENT <http://e/x> INTO GRAPH ex:g x"
        ));
    }

    #[test]
    fn a_wait_ends_with_the_work_or_at_once_when_cancelled() {
        let token = CancellationToken::new();
        assert_eq!(abandonable(&token, || 7), Some(7));
        let started = std::time::Instant::now();
        let canceller = token.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            canceller.cancel();
        });
        let abandoned = abandonable(&token, || std::thread::sleep(Duration::from_secs(5)));
        assert_eq!(abandoned, None);
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn urls_are_checked() {
        assert!(check_url("http://127.0.0.1:7878/query").is_ok());
        assert!(check_url("ftp://example.org/").is_err());
        assert!(check_url("localhost:7878").is_err());
    }
}
