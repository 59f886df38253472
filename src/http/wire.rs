//! HTTP/1.1 on the wire: the request bytes, the response head (parsed by
//! httparse, informational 1xx responses skipped), and the body framed by
//! Content-Length, chunked encoding or the end of the connection, read up
//! to a limit and decoded from gzip or deflate.

use std::io::{self, BufRead, BufReader, Read};

/// The largest response head accepted.
const MAX_HEAD: usize = 64 * 1024;

/// The io error text for a chunked body cut off before its last chunk.
const CUT_OFF: &str = "the connection closed in the middle of a chunked body";

/// A response's status line and headers.
#[derive(Clone, Debug, PartialEq)]
pub struct Head {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
}

impl Head {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A body, or as much of it as the limit allowed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Body {
    pub bytes: Vec<u8>,
    /// More was there than the limit.
    pub truncated: bool,
}

/// Why reading a response failed.
#[derive(Debug, PartialEq)]
pub enum WireError {
    /// Nothing (more) arrived before the deadline.
    TimedOut,
    /// The server closed the connection early.
    Closed,
    /// The connection was reset or aborted.
    Reset,
    Cancelled,
    /// Not HTTP, or broken framing.
    Malformed(String),
    Io(String),
}

impl From<io::Error> for WireError {
    fn from(e: io::Error) -> WireError {
        match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => WireError::TimedOut,
            io::ErrorKind::UnexpectedEof => WireError::Closed,
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => WireError::Reset,
            _ if e.to_string() == CUT_OFF => WireError::Closed,
            io::ErrorKind::InvalidData => WireError::Malformed(e.to_string()),
            _ if e.to_string() == super::CANCELLED => WireError::Cancelled,
            _ => WireError::Io(e.to_string()),
        }
    }
}

/// The bytes of a request with `Connection: close` (one request per connection).
pub fn request_bytes(
    method: &str,
    target: &str,
    host: &str,
    headers: &[(String, String)],
) -> Vec<u8> {
    let has = |name: &str| headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    // A `Host` of the step's own replaces the URL's (testing a backend by IP).
    let mut out = if has("host") {
        format!("{method} {target} HTTP/1.1\r\n")
    } else {
        format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\n")
    };
    if !has("user-agent") {
        out.push_str(concat!(
            "User-Agent: supportctl/",
            env!("CARGO_PKG_VERSION"),
            "\r\n"
        ));
    }
    if !has("accept") {
        out.push_str("Accept: */*\r\n");
    }
    if !has("accept-encoding") {
        out.push_str("Accept-Encoding: gzip, deflate\r\n");
    }
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("Connection: close\r\n\r\n");
    out.into_bytes()
}

/// Reads a response head; returns it and the bytes read past it (the start
/// of the body). Informational responses (100, 103) are skipped.
pub fn read_head(r: &mut dyn Read) -> Result<(Head, Vec<u8>), WireError> {
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 256];
        let mut resp = httparse::Response::new(&mut headers);
        // Lenient as browsers are: embedded devices send `Name : value`,
        // folded lines and the odd invalid header.
        let parsed = httparse::ParserConfig::default()
            .allow_spaces_after_header_name_in_responses(true)
            .allow_obsolete_multiline_headers_in_responses(true)
            .ignore_invalid_headers_in_responses(true)
            .parse_response(&mut resp, &buf);
        match parsed {
            Ok(httparse::Status::Complete(used)) => {
                let status = resp.code.unwrap_or(0);
                let head = Head {
                    status,
                    reason: resp.reason.unwrap_or("").to_string(),
                    headers: resp
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_string(),
                                String::from_utf8_lossy(h.value).trim().to_string(),
                            )
                        })
                        .collect(),
                };
                let rest = buf[used..].to_vec();
                if (100..200).contains(&status) && status != 101 {
                    buf = rest;
                    continue;
                }
                return Ok((head, rest));
            }
            Ok(httparse::Status::Partial) => {}
            Err(httparse::Error::TooManyHeaders) => {
                return Err(WireError::Malformed(
                    "the response has more than 256 headers".into(),
                ));
            }
            Err(e) => {
                let start = String::from_utf8_lossy(&buf[..buf.len().min(40)])
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                return Err(WireError::Malformed(format!(
                    "the answer is not HTTP ({e}): `{}`",
                    start.escape_debug()
                )));
            }
        }
        if buf.len() > MAX_HEAD {
            return Err(WireError::Malformed(
                "the response head is larger than 64 KiB".into(),
            ));
        }
        let n = r.read(&mut chunk)?;
        if n == 0 {
            return Err(WireError::Closed);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Whether a response to `method` with this status has a body at all.
pub fn has_body(method: &str, status: u16) -> bool {
    method != "HEAD" && !(100..200).contains(&status) && status != 204 && status != 304
}

/// Reads the body (`start` holds bytes already read past the head) up to
/// `limit` bytes after decoding.
pub fn read_body(
    r: &mut dyn Read,
    start: Vec<u8>,
    head: &Head,
    limit: u64,
) -> Result<Body, WireError> {
    let mut source = io::Cursor::new(start).chain(r);
    let chunked = head
        .header("transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    // Read one byte past the limit to know whether there was more (before
    // decompression: a compressed body is read up to the limit as well).
    let over = limit.saturating_add(1);
    let raw = if chunked {
        read_limited(&mut Chunked::new(BufReader::new(source)), over)?
    } else if let Some(len) = head.header("content-length") {
        let len: u64 = len
            .parse()
            .map_err(|_| WireError::Malformed(format!("Content-Length `{len}` is not a number")))?;
        let body = read_limited(&mut source.take(len), over)?;
        if (body.len() as u64) < len.min(over) {
            return Err(WireError::Closed);
        }
        body
    } else {
        read_limited(&mut source, over)?
    };
    let encoding = head
        .header("content-encoding")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let raw_truncated = raw.len() as u64 > limit;
    let decoded = match encoding.as_str() {
        _ if raw.is_empty() => Decoded::Done(raw, false),
        "" | "identity" => Decoded::Done(raw, raw_truncated),
        "gzip" | "x-gzip" => decode(flate2::read::GzDecoder::new(&raw[..]), limit),
        // Usually zlib-wrapped; some servers send raw deflate.
        "deflate" => match decode(flate2::read::ZlibDecoder::new(&raw[..]), limit) {
            Decoded::Failed => decode(flate2::read::DeflateDecoder::new(&raw[..]), limit),
            done => done,
        },
        other => {
            return Err(WireError::Malformed(format!(
                "the body is encoded as `{other}`, which supportctl cannot decode"
            )));
        }
    };
    let Decoded::Done(mut bytes, truncated) = decoded else {
        return Err(WireError::Malformed(format!(
            "the body is marked `{encoding}` but does not decode as such"
        )));
    };
    if bytes.len() as u64 > limit {
        bytes.truncate(limit as usize);
    }
    Ok(Body {
        truncated: truncated || raw_truncated,
        bytes,
    })
}

/// What decompressing gave.
enum Decoded {
    /// The bytes, and whether there was more than the limit.
    Done(Vec<u8>, bool),
    /// Not in that encoding at all (an error before any output).
    Failed,
}

/// Decompresses as much as possible (a truncated stream still yields its start).
fn decode(mut d: impl Read, limit: u64) -> Decoded {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match d.read(&mut buf) {
            Ok(0) => return Decoded::Done(out, false),
            Err(_) if out.is_empty() => return Decoded::Failed,
            Err(_) => return Decoded::Done(out, false),
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                if out.len() as u64 > limit {
                    return Decoded::Done(out, true);
                }
            }
        }
    }
}

/// Reads up to `max` bytes; the end of the connection ends the body.
fn read_limited(r: &mut dyn Read, max: u64) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    while (out.len() as u64) < max {
        let want = buf.len().min((max - out.len() as u64) as usize);
        match r.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            // A TLS peer closing without close_notify: the body ends there.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// Decodes `Transfer-Encoding: chunked`.
struct Chunked<R> {
    inner: R,
    left: u64,
    done: bool,
}

impl<R: BufRead> Chunked<R> {
    fn new(inner: R) -> Self {
        Chunked {
            inner,
            left: 0,
            done: false,
        }
    }

    fn line(&mut self) -> io::Result<String> {
        let mut line = String::new();
        let n = (&mut self.inner).take(1024).read_line(&mut line)?;
        if n == 0 {
            return Err(io::Error::other(CUT_OFF));
        }
        Ok(line.trim_end().to_string())
    }
}

impl<R: BufRead> Read for Chunked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let line = self.line()?;
            let size = line.split(';').next().unwrap_or("").trim();
            self.left = u64::from_str_radix(size, 16).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bad chunk size `{}`", size.escape_debug()),
                )
            })?;
            if self.left == 0 {
                self.done = true;
                return Ok(0);
            }
        }
        let want = buf.len().min(self.left as usize);
        let n = match self.inner.read(&mut buf[..want]) {
            Ok(0) => return Err(io::Error::other(CUT_OFF)),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                return Err(io::Error::other(CUT_OFF));
            }
            other => other?,
        };
        self.left -= n as u64;
        if self.left == 0 {
            self.line()?; // the CRLF after the chunk
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn head_of(text: &str) -> (Head, Vec<u8>) {
        read_head(&mut io::Cursor::new(text.as_bytes().to_vec())).unwrap()
    }

    #[test]
    fn heads_skip_informational_responses() {
        let (head, rest) = head_of(
            "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A:  b \r\n\r\nhi",
        );
        assert_eq!(head.status, 200);
        assert_eq!(head.reason, "OK");
        assert_eq!(head.header("x-a"), Some("b"));
        assert_eq!(rest, b"hi");
    }

    #[test]
    fn not_http_and_early_close_are_told_apart() {
        let e = read_head(&mut io::Cursor::new(b"SSH-2.0-OpenSSH_9.6\r\n".to_vec())).unwrap_err();
        assert!(
            matches!(&e, WireError::Malformed(m) if m.contains("SSH-2.0")),
            "{e:?}"
        );
        let e = read_head(&mut io::Cursor::new(b"HTTP/1.1 200 OK\r\nA: b".to_vec())).unwrap_err();
        assert_eq!(e, WireError::Closed);
    }

    fn body(text: &str, limit: u64) -> Result<Body, WireError> {
        let (head, rest) = head_of(text);
        read_body(&mut io::empty(), rest, &head, limit)
    }

    #[test]
    fn bodies_by_length_chunks_and_close() {
        let b = body(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello, extra",
            100,
        )
        .unwrap();
        assert_eq!(b.bytes, b"hello");
        assert!(!b.truncated);
        let b = body(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\n",
            100,
        )
        .unwrap();
        assert_eq!(b.bytes, b"hello, world");
        let b = body("HTTP/1.1 200 OK\r\n\r\nuntil the end", 100).unwrap();
        assert_eq!(b.bytes, b"until the end");
        let b = body("HTTP/1.1 200 OK\r\n\r\nuntil the end", 5).unwrap();
        assert_eq!(b.bytes, b"until");
        assert!(b.truncated);
        assert_eq!(
            body("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", 100),
            Err(WireError::Closed)
        );
        // A chunked body cut off before its last chunk is not complete.
        assert_eq!(
            body(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
                100
            ),
            Err(WireError::Closed)
        );
        assert_eq!(
            body(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
                100
            ),
            Err(WireError::Closed)
        );
        // A body that claims gzip but is not.
        assert!(matches!(
            body("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\nplain text", 100),
            Err(WireError::Malformed(m)) if m.contains("marked `gzip`")
        ));
        // Devices' sloppy headers are accepted.
        let (head, _) = head_of("HTTP/1.1 200 OK\r\nServer : printer\r\nX-Folded: a\r\n b\r\n\r\n");
        assert_eq!(head.header("server"), Some("printer"));
        assert!(matches!(
            body("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 100),
            Err(WireError::Malformed(m)) if m.contains("bad chunk size `zz`")
        ));
    }

    #[test]
    fn gzip_bodies_are_decoded() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"status: healthy").unwrap();
        let compressed = gz.finish().unwrap();
        let mut text = format!(
            "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
            compressed.len()
        )
        .into_bytes();
        text.extend_from_slice(&compressed);
        let (head, rest) = read_head(&mut io::Cursor::new(text)).unwrap();
        let b = read_body(&mut io::empty(), rest, &head, 1000).unwrap();
        assert_eq!(b.bytes, b"status: healthy");
    }

    #[test]
    fn requests_carry_defaults_unless_overridden() {
        let text = String::from_utf8(request_bytes(
            "GET",
            "/health?x=1",
            "localhost:8080",
            &[("User-Agent".into(), "probe/1".into())],
        ))
        .unwrap();
        assert!(text.starts_with("GET /health?x=1 HTTP/1.1\r\nHost: localhost:8080\r\n"));
        assert!(text.contains("User-Agent: probe/1\r\n"));
        assert!(!text.contains("supportctl/"));
        assert!(text.ends_with("Connection: close\r\n\r\n"));
        let text = String::from_utf8(request_bytes(
            "GET",
            "/",
            "10.0.0.5",
            &[("Host".into(), "portal.corp.example".into())],
        ))
        .unwrap();
        assert_eq!(text.matches("Host:").count(), 1, "{text}");
        assert!(text.contains("Host: portal.corp.example\r\n"));
    }
}
