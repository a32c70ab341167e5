//! A small HTTP/1.1 server: one thread per connection (at most `max_connections`), keep-alive,
//! `Content-Length` and chunked request bodies, `Expect: 100-continue`.
//!
//! It exists for the limits. Every socket read and write has a timeout, and a client too slow to
//! send its request gets `408 Request Timeout` (oxhttp answers that case with a 500 on Linux,
//! tiny_http waits forever); a body over the limit gets `413` before it is read, and the
//! connection is closed after either so the rest of the body is never kept. The handler gets the
//! whole body in memory (it is capped), and every response has a `Content-Length`.
//!
//! Closing a socket with unread bytes makes the kernel send a reset, which destroys the answer
//! in the client's buffers before it reads it: a client still sending a large body would see
//! "broken pipe" or "connection reset" instead of the `413`. So after a refusal of a request whose
//! body may still be coming, the server stops writing and reads (and drops) what the client still
//! sends for a bounded time and amount before it closes: a "lingering close", as Apache and nginx
//! do.

use oxhttp::model::header::{self, HeaderName, HeaderValue};
use oxhttp::model::{Body, Method, Request, Response, StatusCode, Version};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How long, and how many bytes, a refusal waits for and drops the rest of the client's body.
const LINGER_TIME: Duration = Duration::from_secs(5);
const LINGER_BYTES: u64 = 256 * 1024 * 1024;

/// Longest request head (request line and headers) accepted.
const MAX_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 100;

pub type Handler = dyn Fn(&mut Request<Body>) -> Response<Body> + Send + Sync + 'static;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub idle_timeout: Duration,
    pub max_body: usize,
    pub max_connections: usize,
}

/// Accepts connections on `listener` in a background thread; returns its handle.
pub fn spawn(
    listener: TcpListener,
    limits: Limits,
    handler: Arc<Handler>,
) -> io::Result<std::thread::JoinHandle<()>> {
    let slots = Arc::new((Mutex::new(0usize), Condvar::new()));
    std::thread::Builder::new()
        .name("xiezuo serve: accept".into())
        .spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                // Wait for a free slot: at most max_connections threads at once.
                {
                    let (count, freed) = &*slots;
                    let mut n = count.lock().unwrap_or_else(|e| e.into_inner());
                    while *n >= limits.max_connections {
                        n = freed.wait(n).unwrap_or_else(|e| e.into_inner());
                    }
                    *n += 1;
                }
                let slot = Arc::clone(&slots);
                let handler = Arc::clone(&handler);
                let spawned = std::thread::Builder::new()
                    .name("xiezuo serve: connection".into())
                    .spawn(move || {
                        let _ = serve_connection(stream, limits, &*handler);
                        let (count, freed) = &*slot;
                        *count.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
                        freed.notify_one();
                    });
                if spawned.is_err() {
                    let (count, _) = &*slots;
                    *count.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
                }
            }
        })
}

/// Why a request could not be read.
enum ReadFailure {
    /// The client closed the connection, or stayed silent between requests: close quietly.
    Gone,
    /// Answer with this status and message, then close.
    Answer(StatusCode, String),
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn serve_connection(stream: TcpStream, limits: Limits, handler: &Handler) -> io::Result<()> {
    stream.set_read_timeout(Some(limits.idle_timeout))?;
    stream.set_write_timeout(Some(limits.idle_timeout))?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream);
    loop {
        match read_request(&mut reader, &mut writer, limits) {
            Ok((mut request, keep_alive)) => {
                let head = request.method() == Method::HEAD;
                let response = handler(&mut request);
                write_response(&mut writer, response, keep_alive, head)?;
                if !keep_alive {
                    return Ok(());
                }
            }
            Err(ReadFailure::Gone) => return Ok(()),
            Err(ReadFailure::Answer(status, message)) => {
                let response = Response::builder()
                    .status(status)
                    .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
                    .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                    .body(Body::from(format!("{message}\n")))
                    .expect("valid response");
                let unread_body = matches!(
                    status,
                    StatusCode::PAYLOAD_TOO_LARGE | StatusCode::BAD_REQUEST
                );
                if write_response(&mut writer, response, false, false).is_ok() && unread_body {
                    linger(&writer, reader.get_mut());
                }
                return Ok(());
            }
        }
    }
}

/// Stops writing (the client sees the end of the answer) and drops what the client still sends,
/// up to `LINGER_BYTES` or `LINGER_TIME`, so that closing the socket does not reset it before
/// the client has read the answer.
fn linger(writer: &TcpStream, stream: &mut TcpStream) {
    if writer.shutdown(std::net::Shutdown::Write).is_err() {
        return;
    }
    let deadline = std::time::Instant::now() + LINGER_TIME;
    let mut buffer = [0u8; 64 * 1024];
    let mut dropped = 0u64;
    while dropped < LINGER_BYTES {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => dropped += n as u64,
        }
    }
}

/// Reads the head, up to `MAX_HEAD` bytes. `Gone` if nothing at all arrived.
fn read_head(reader: &mut BufReader<TcpStream>, limits: Limits) -> Result<Vec<u8>, ReadFailure> {
    let mut head = Vec::new();
    loop {
        let room = (MAX_HEAD + 1).saturating_sub(head.len()) as u64;
        match reader.by_ref().take(room).read_until(b'\n', &mut head) {
            Ok(0) if head.len() > MAX_HEAD => {
                return Err(ReadFailure::Answer(
                    StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                    format!("the request head is larger than {MAX_HEAD} bytes"),
                ))
            }
            Ok(0) => return Err(ReadFailure::Gone),
            Ok(_) => {}
            Err(e) if is_timeout(&e) => {
                return Err(if head.iter().all(u8::is_ascii_whitespace) {
                    ReadFailure::Gone
                } else {
                    ReadFailure::Answer(
                        StatusCode::REQUEST_TIMEOUT,
                        format!(
                            "the request did not arrive within {} s",
                            limits.idle_timeout.as_secs_f64()
                        ),
                    )
                });
            }
            Err(_) => return Err(ReadFailure::Gone),
        }
        // Blank lines before a request line are allowed (RFC 9112 §2.2).
        if head.iter().all(u8::is_ascii_whitespace) {
            head.clear();
            continue;
        }
        if head.ends_with(b"\r\n\r\n") || head.ends_with(b"\n\n") {
            return Ok(head);
        }
    }
}

fn read_request(
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
    limits: Limits,
) -> Result<(Request<Body>, bool), ReadFailure> {
    let head = read_head(reader, limits)?;
    let bad = |message: String| ReadFailure::Answer(StatusCode::BAD_REQUEST, message);
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(bad("incomplete request head".into())),
        Err(e) => return Err(bad(format!("malformed HTTP request: {e}"))),
    }
    let version = match parsed.version {
        Some(0) => Version::HTTP_10,
        _ => Version::HTTP_11,
    };
    let method = Method::from_bytes(parsed.method.unwrap_or("GET").as_bytes())
        .map_err(|_| bad("malformed method".into()))?;
    let mut builder = Request::builder()
        .method(method)
        .uri(parsed.path.unwrap_or("/"))
        .version(version);
    let mut content_length: Option<u64> = None;
    let mut chunked = false;
    let mut expect_continue = false;
    let mut keep_alive = version == Version::HTTP_11;
    for h in parsed.headers.iter() {
        let name = HeaderName::from_bytes(h.name.as_bytes())
            .map_err(|_| bad(format!("malformed header name {:?}", h.name)))?;
        let value = HeaderValue::from_bytes(h.value)
            .map_err(|_| bad(format!("malformed value of header {}", h.name)))?;
        let text = String::from_utf8_lossy(h.value).to_ascii_lowercase();
        if name == header::CONTENT_LENGTH {
            let length = text
                .trim()
                .parse::<u64>()
                .map_err(|_| bad(format!("Content-Length {text:?} is not a number")))?;
            if content_length.is_some_and(|l| l != length) {
                return Err(bad("two different Content-Length headers".into()));
            }
            content_length = Some(length);
        } else if name == header::TRANSFER_ENCODING {
            if text.trim() != "chunked" {
                return Err(ReadFailure::Answer(
                    StatusCode::NOT_IMPLEMENTED,
                    format!("Transfer-Encoding {text:?} is not supported; send chunked or a Content-Length"),
                ));
            }
            chunked = true;
        } else if name == header::CONNECTION {
            if text.contains("close") {
                keep_alive = false;
            } else if text.contains("keep-alive") {
                keep_alive = true;
            }
        } else if name == header::EXPECT {
            if text.trim() != "100-continue" {
                return Err(ReadFailure::Answer(
                    StatusCode::EXPECTATION_FAILED,
                    format!("Expect {text:?} is not supported"),
                ));
            }
            expect_continue = true;
        }
        builder = builder.header(name, value);
    }
    if chunked && content_length.is_some() {
        return Err(bad(
            "both Content-Length and chunked Transfer-Encoding".into()
        ));
    }
    let too_large = |size: String| {
        ReadFailure::Answer(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request body is {size}, more than this server accepts ({} bytes, --max-body)",
                limits.max_body
            ),
        )
    };
    if let Some(length) = content_length {
        if length > limits.max_body as u64 {
            return Err(too_large(format!("{length} bytes")));
        }
    }
    let has_body = chunked || content_length.is_some_and(|l| l > 0);
    if has_body && expect_continue && version == Version::HTTP_11 {
        let _ = writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    let timed_out = || {
        ReadFailure::Answer(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request body did not arrive within {} s",
                limits.idle_timeout.as_secs_f64()
            ),
        )
    };
    let body_error = |e: io::Error| {
        if is_timeout(&e) {
            timed_out()
        } else if e.kind() == io::ErrorKind::UnexpectedEof {
            ReadFailure::Gone
        } else {
            bad(format!("cannot read the request body: {e}"))
        }
    };
    let body = if chunked {
        read_chunked(reader, limits.max_body).map_err(|e| match e {
            ChunkError::TooLarge => too_large("larger".into()),
            ChunkError::Malformed(m) => bad(format!("malformed chunked body: {m}")),
            ChunkError::Io(e) => body_error(e),
        })?
    } else {
        let length = content_length.unwrap_or(0) as usize;
        let mut body = vec![0; length];
        reader.read_exact(&mut body).map_err(body_error)?;
        body
    };
    let request = builder
        .body(Body::from(body))
        .map_err(|e| bad(format!("malformed request: {e}")))?;
    Ok((request, keep_alive))
}

enum ChunkError {
    TooLarge,
    Malformed(&'static str),
    Io(io::Error),
}

fn read_chunked(reader: &mut BufReader<TcpStream>, max: usize) -> Result<Vec<u8>, ChunkError> {
    let mut body = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        reader
            .by_ref()
            .take(1024)
            .read_until(b'\n', &mut line)
            .map_err(ChunkError::Io)?;
        if !line.ends_with(b"\n") {
            return Err(ChunkError::Io(io::ErrorKind::UnexpectedEof.into()));
        }
        let text = std::str::from_utf8(&line).map_err(|_| ChunkError::Malformed("chunk size"))?;
        let size_text = text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| ChunkError::Malformed("chunk size"))?;
        if size == 0 {
            // Trailers, up to a blank line.
            loop {
                line.clear();
                reader
                    .by_ref()
                    .take(8 * 1024)
                    .read_until(b'\n', &mut line)
                    .map_err(ChunkError::Io)?;
                if line.is_empty() || line == b"\r\n" || line == b"\n" {
                    return Ok(body);
                }
            }
        }
        if body.len() + size > max {
            return Err(ChunkError::TooLarge);
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader
            .read_exact(&mut body[start..])
            .map_err(ChunkError::Io)?;
        let mut crlf = [0; 2];
        reader.read_exact(&mut crlf).map_err(ChunkError::Io)?;
        if &crlf != b"\r\n" {
            return Err(ChunkError::Malformed("missing CRLF after a chunk"));
        }
    }
}

fn write_response(
    writer: &mut TcpStream,
    response: Response<Body>,
    keep_alive: bool,
    head: bool,
) -> io::Result<()> {
    let (parts, body) = response.into_parts();
    let body = body.to_vec()?;
    let mut out = Vec::with_capacity(256 + body.len());
    write!(
        out,
        "HTTP/1.1 {} {}\r\n",
        parts.status.as_u16(),
        parts.status.canonical_reason().unwrap_or("")
    )?;
    for (name, value) in &parts.headers {
        if name == header::CONTENT_LENGTH || name == header::CONNECTION {
            continue;
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    write!(
        out,
        "Server: xiezuo/{}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n",
        env!("CARGO_PKG_VERSION"),
        body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    )?;
    if !head {
        out.extend_from_slice(&body);
    }
    writer.write_all(&out)?;
    writer.flush()
}

/// Binds `addr`; port 0 picks a free port (see the listener's `local_addr`).
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    TcpListener::bind(addr)
}
