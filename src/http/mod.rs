//! A small blocking HTTP/1.1 client for `http` steps.
//!
//! Why not a general client crate: one deadline must bound every phase
//! (resolve, connect, proxy tunnel, TLS handshake, response head, body), and
//! the server's certificate must be readable, even when it fails
//! verification, to report its expiry and names. General clients hide it.
//!
//! It speaks what a check needs: GET and HEAD with `Connection: close`,
//! bodies framed by length, chunks or close (gzip and deflate decoded),
//! bounded redirects, and HTTP proxies.
//!
//! - [`wire`]: request bytes, response head, body framing and decoding
//! - [`tls`]: rustls with the OS trust store (Security.framework on macOS)
//! - [`cert`]: what a certificate says: names, issuer, validity
//! - [`proxy`]: which proxy a URL goes through, and credentials

pub mod cert;
pub mod proxy;
pub mod tls;
pub mod wire;

use std::fmt;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use url::{Position, Url};

use crate::cancel::Cancel;
use crate::net::{ConnectError, host_port};
use cert::CertInfo;
use proxy::ProxySetting;
use tls::{Io, TlsOptions};
use wire::{Body, Head, WireError};

/// Bytes of a failing response's body kept to show (see [`Request::excerpt_unless`]).
pub const EXCERPT: u64 = 2048;

/// The text of the io error that stands for "the step was cancelled".
pub(crate) const CANCELLED: &str = "cancelled";

/// What to fetch and how.
#[derive(Clone, Debug)]
pub struct Request {
    /// `GET` or `HEAD`.
    pub method: &'static str,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    /// Redirects followed at most (0: the redirect itself is the response).
    pub max_redirects: u32,
    pub proxy: ProxySetting,
    pub tls: TlsOptions,
    /// Read the body up to this many bytes; `None`: do not read it.
    pub max_body: Option<u64>,
    /// Without `max_body`: keep the start of the body (an error or login
    /// page) when the final status is outside these ranges. Reading it is
    /// best effort: a failure to read it is ignored.
    pub excerpt_unless: Vec<(u16, u16)>,
    /// The step's timeout, for messages ("no response within 5s").
    pub timeout: Duration,
}

/// One redirect followed.
#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    pub url: String,
    pub status: u16,
}

/// The final response.
#[derive(Debug)]
pub struct Response {
    pub url: Url,
    pub head: Head,
    pub body: Option<Body>,
    pub redirects: Vec<Hop>,
    /// From the start to the final response's head.
    pub took: Duration,
    /// The certificate of every https connection made, in order.
    pub certs: Vec<CertInfo>,
    /// The proxy of the final request, without credentials.
    pub proxy: Option<String>,
}

/// Why there is no response.
#[derive(Debug)]
pub enum Error {
    /// The URL cannot be fetched as written.
    Url(String),
    /// A setting from outside the playbook is unusable (a bad `https_proxy`).
    Config(String),
    Proxy(String),
    Resolve(String),
    Refused {
        target: String,
    },
    NoAnswer {
        target: String,
        waited: Duration,
    },
    Connect(String),
    Tls {
        target: String,
        failure: Box<tls::TlsFailure>,
    },
    /// Connected, but the response did not come (or finish) in time.
    Silent {
        target: String,
        phase: &'static str,
        waited: Duration,
    },
    /// Connected, but the server closed or reset the connection.
    Dropped {
        target: String,
        phase: &'static str,
        reset: bool,
    },
    Protocol {
        target: String,
        message: String,
    },
    TooManyRedirects {
        max: u32,
        last: String,
    },
    Cancelled,
}

impl Error {
    /// The `http` kind's reason code for this failure.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Url(_) | Error::Config(_) => "config",
            Error::Proxy(_) => "proxy",
            Error::Resolve(_) => "dns",
            Error::Refused { .. } | Error::Connect(_) => "connect",
            Error::NoAnswer { .. } | Error::Silent { .. } => "timeout",
            Error::Tls { failure, .. } => failure.code,
            Error::Dropped { .. } => "dropped",
            Error::Protocol { .. } => "protocol",
            Error::TooManyRedirects { .. } => "redirects",
            Error::Cancelled => "interrupted",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::values::human_duration;
        match self {
            Error::Url(m)
            | Error::Proxy(m)
            | Error::Config(m)
            | Error::Resolve(m)
            | Error::Connect(m) => f.write_str(m),
            Error::Refused { target } => write!(
                f,
                "{target} refused the connection (nothing listens on that port)"
            ),
            Error::NoAnswer { target, waited } => write!(
                f,
                "{target} did not answer within {} (filtered by a firewall, or the host is down)",
                human_duration(*waited)
            ),
            Error::Tls { target, failure } => write!(f, "{target}: {}", failure.reason),
            Error::Silent {
                target,
                phase,
                waited,
            } => write!(
                f,
                "{target} accepted the connection but {phase} within {}",
                human_duration(*waited)
            ),
            Error::Dropped {
                target,
                phase,
                reset,
            } => write!(
                f,
                "{target} {} the connection before {phase}",
                if *reset { "reset" } else { "closed" }
            ),
            Error::Protocol { target, message } => write!(f, "{target}: {message}"),
            Error::TooManyRedirects { max, last } => {
                write!(f, "more than {max} redirects (the last to {last})")
            }
            Error::Cancelled => f.write_str("interrupted"),
        }
    }
}

/// No response, with what was seen on the way.
#[derive(Debug)]
pub struct Failed {
    pub error: Error,
    pub redirects: Vec<Hop>,
    pub certs: Vec<CertInfo>,
}

/// A TCP connection whose reads and writes wait at most a second at a
/// time, fail with `TimedOut` at the deadline and stop when the step is
/// cancelled. TLS runs on top of it, so the handshake is bounded too.
#[derive(Debug)]
pub struct Bounded {
    tcp: TcpStream,
    deadline: Instant,
    cancel: Cancel,
}

impl Bounded {
    fn left(&self) -> io::Result<Duration> {
        if self.cancel.is_set() {
            return Err(io::Error::other(CANCELLED));
        }
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        // Short slices, so a cancel is seen within a second.
        Ok(left.min(Duration::from_secs(1)))
    }

    /// Runs `op` until it does not time out on a slice, or the time is up.
    fn bounded<T>(
        &mut self,
        set: fn(&TcpStream, Option<Duration>) -> io::Result<()>,
        mut op: impl FnMut(&mut TcpStream) -> io::Result<T>,
    ) -> io::Result<T> {
        loop {
            let left = self.left()?;
            set(&self.tcp, Some(left))?;
            match op(&mut self.tcp) {
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                other => return other,
            }
        }
    }
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.bounded(TcpStream::set_read_timeout, |tcp| tcp.read(buf))
    }
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bounded(TcpStream::set_write_timeout, |tcp| tcp.write(buf))
    }
    fn flush(&mut self) -> io::Result<()> {
        self.bounded(TcpStream::set_write_timeout, |tcp| tcp.flush())
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Fetches `req.url`, following redirects, all before `deadline`.
pub fn fetch(req: &Request, deadline: Instant, cancel: &Cancel) -> Result<Response, Failed> {
    let mut redirects = Vec::new();
    let mut certs = Vec::new();
    match follow(req, deadline, cancel, &mut redirects, &mut certs) {
        Ok(mut response) => {
            response.redirects = redirects;
            response.certs = certs;
            Ok(response)
        }
        Err(error) => Err(Failed {
            error,
            redirects,
            certs,
        }),
    }
}

/// The request and its redirects; what was seen on the way is recorded in
/// `redirects` and `certs` (the returned response leaves those empty).
fn follow(
    req: &Request,
    deadline: Instant,
    cancel: &Cancel,
    redirects: &mut Vec<Hop>,
    certs: &mut Vec<CertInfo>,
) -> Result<Response, Error> {
    let started = Instant::now();
    let mut url = req.url.clone();
    let mut headers = req.headers.clone();
    loop {
        let (mut conn, target, head, rest, proxy) =
            exchange(req, &url, &headers, deadline, cancel, certs)?;
        let took = started.elapsed();
        let location = head.header("location").map(str::to_string);
        if is_redirect(head.status) && req.max_redirects > 0 && location.is_some() {
            let next = url.join(location.as_deref().unwrap_or_default());
            let mut next = match next {
                Ok(n) if n.scheme() == "http" || n.scheme() == "https" => n,
                _ => {
                    return Err(Error::Protocol {
                        target,
                        message: format!(
                            "redirect to `{}`, which is not an http(s) URL",
                            proxy::mask_credentials(&location.unwrap_or_default())
                        ),
                    });
                }
            };
            // No credentials from a Location header reach a message.
            let _ = next.set_username("");
            let _ = next.set_password(None);
            redirects.push(Hop {
                url: url.to_string(),
                status: head.status,
            });
            if redirects.len() as u32 > req.max_redirects {
                return Err(Error::TooManyRedirects {
                    max: req.max_redirects,
                    last: next.to_string(),
                });
            }
            // Headers (credentials, API keys) stay with the origin they
            // were written for; only harmless ones follow a redirect away.
            if next.origin() != url.origin() {
                headers.retain(|(k, _)| {
                    ["accept", "accept-language", "user-agent"]
                        .iter()
                        .any(|safe| k.eq_ignore_ascii_case(safe))
                });
            }
            url = next;
            continue;
        }
        let body = match req.max_body {
            Some(limit) if wire::has_body(req.method, head.status) => Some(
                wire::read_body(&mut *conn, rest, &head, limit)
                    .map_err(|e| wire_error(e, &target, Phase::Body, req.timeout))?,
            ),
            None if wire::has_body(req.method, head.status)
                && !req
                    .excerpt_unless
                    .iter()
                    .any(|(lo, hi)| (*lo..=*hi).contains(&head.status)) =>
            {
                wire::read_body(&mut *conn, rest, &head, EXCERPT).ok()
            }
            _ => None,
        };
        return Ok(Response {
            url,
            head,
            body,
            redirects: Vec::new(),
            took,
            certs: Vec::new(),
            proxy: proxy.as_ref().map(proxy::display),
        });
    }
}

/// What one request/response exchange leaves: the connection (for the
/// body), the target for messages, the head, bytes read past it, the proxy.
type Exchange = (Box<dyn Io>, String, Head, Vec<u8>, Option<Url>);

/// Connects, sends the request and reads the response head.
fn exchange(
    req: &Request,
    url: &Url,
    headers: &[(String, String)],
    deadline: Instant,
    cancel: &Cancel,
    certs: &mut Vec<CertInfo>,
) -> Result<Exchange, Error> {
    let env = |name: &str| std::env::var(name).ok();
    let proxy = proxy::choose(&req.proxy, url, &env).map_err(Error::Config)?;
    let (mut conn, target, cert) = open(url, proxy.as_ref(), req, deadline, cancel)?;
    certs.extend(cert);
    send(&mut *conn, req, url, headers, proxy.as_ref(), &target)?;
    let (head, rest) = wire::read_head(&mut *conn)
        .map_err(|e| wire_error(e, &target, Phase::Response, req.timeout))?;
    Ok((conn, target, head, rest, proxy))
}

/// What was awaited when a connection failed.
#[derive(Clone, Copy)]
enum Phase {
    Response,
    Body,
}

fn wire_error(e: WireError, target: &str, phase: Phase, waited: Duration) -> Error {
    let target = target.to_string();
    let (silent, what) = match phase {
        Phase::Response => ("sent no response", "a response"),
        Phase::Body => ("did not finish sending the body", "the end of the body"),
    };
    match e {
        WireError::TimedOut => Error::Silent {
            target,
            phase: silent,
            waited,
        },
        WireError::Closed => Error::Dropped {
            target,
            phase: what,
            reset: false,
        },
        WireError::Reset => Error::Dropped {
            target,
            phase: what,
            reset: true,
        },
        WireError::Cancelled => Error::Cancelled,
        WireError::Malformed(message) => Error::Protocol { target, message },
        WireError::Io(message) => Error::Protocol { target, message },
    }
}

/// An open connection, the target for messages, and the certificate seen.
type Opened = (Box<dyn Io>, String, Option<CertInfo>);

/// Connects to the URL's host (or the proxy), tunnels and runs TLS as needed.
fn open(
    url: &Url,
    proxy: Option<&Url>,
    req: &Request,
    deadline: Instant,
    cancel: &Cancel,
) -> Result<Opened, Error> {
    let https = match url.scheme() {
        "https" => true,
        "http" => false,
        other => {
            return Err(Error::Url(format!(
                "`{other}:` URLs cannot be fetched; use http or https"
            )));
        }
    };
    let host = url
        .host_str()
        .ok_or_else(|| Error::Url(format!("`{url}` names no host")))?
        .to_string();
    let port = url
        .port_or_known_default()
        .unwrap_or(if https { 443 } else { 80 });
    let target = host_port(&host, port);
    let (via_host, via_port, via) = match proxy {
        Some(p) => {
            let h = p.host_str().unwrap_or_default().to_string();
            let pp = p.port_or_known_default().unwrap_or(80);
            let shown = format!("proxy {}", host_port(&h, pp));
            (h, pp, shown)
        }
        None => (host.clone(), port, target.clone()),
    };
    // Plain http through a proxy: the proxy is who answers (or not).
    let target = if proxy.is_some() && !https {
        via.clone()
    } else {
        target
    };
    let waited = req.timeout;
    let (socket, _, _) = crate::net::connect(&via_host, via_port, deadline).map_err(|e| {
        let error = match e {
            ConnectError::Unresolved(m) if proxy.is_some() => {
                Error::Proxy(format!("proxy: {}", m.message))
            }
            ConnectError::Unresolved(m) => Error::Resolve(m.message),
            ConnectError::Refused => Error::Refused {
                target: via.clone(),
            },
            ConnectError::NoAnswer => Error::NoAnswer {
                target: via.clone(),
                waited,
            },
            ConnectError::Failed(m) | ConnectError::Unreachable(m) => {
                Error::Connect(format!("{via}: {m}"))
            }
        };
        // Not reaching the proxy is the proxy's problem, whatever the cause.
        match error {
            Error::Proxy(_) => error,
            _ if proxy.is_some() => Error::Proxy(error.to_string()),
            _ => error,
        }
    })?;
    let _ = socket.set_nodelay(true);
    let mut conn = Bounded {
        tcp: socket,
        deadline,
        cancel: cancel.clone(),
    };
    if https && let Some(p) = proxy {
        tunnel(&mut conn, &target, p, req.timeout)?;
    }
    if !https {
        return Ok((Box::new(conn), target, None));
    }
    match tls::handshake(conn, &host, &req.tls) {
        Ok((io, cert)) => Ok((io, target, cert)),
        Err(_) if cancel.is_set() => Err(Error::Cancelled),
        Err(failure) if failure.timed_out => Err(Error::Silent {
            target,
            phase: "did not finish the TLS handshake",
            waited,
        }),
        Err(failure) => Err(Error::Tls {
            target,
            failure: Box::new(failure),
        }),
    }
}

/// Asks the proxy for a tunnel to `target` (`host:port`).
fn tunnel(conn: &mut dyn Io, target: &str, proxy: &Url, waited: Duration) -> Result<(), Error> {
    let shown = proxy::display(proxy);
    let mut headers = Vec::new();
    if let Some(auth) = proxy::basic_auth(proxy) {
        headers.push(("Proxy-Authorization".to_string(), auth));
    }
    let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    for (k, v) in &headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    conn.write_all(request.as_bytes())
        .and_then(|()| conn.flush())
        .map_err(|e| wire_error(e.into(), &format!("proxy {shown}"), Phase::Response, waited))?;
    let (head, _) = wire::read_head(conn)
        .map_err(|e| wire_error(e, &format!("proxy {shown}"), Phase::Response, waited))?;
    match head.status {
        200..=299 => Ok(()),
        407 if proxy.username().is_empty() => Err(Error::Proxy(format!(
            "proxy {shown} wants credentials (407): put them in the proxy URL, http://user:password@host:port"
        ))),
        407 => Err(Error::Proxy(format!(
            "proxy {shown} rejected the credentials in its URL (407)"
        ))),
        s => Err(Error::Proxy(format!(
            "proxy {shown} refused the tunnel to {target}: {s} {}",
            head.reason
        ))),
    }
}

/// Writes the request (absolute form through a proxy for plain http).
fn send(
    conn: &mut dyn Io,
    req: &Request,
    url: &Url,
    headers: &[(String, String)],
    proxy: Option<&Url>,
    target: &str,
) -> Result<(), Error> {
    let mut all = headers.to_vec();
    let request_target = match proxy {
        Some(p) if url.scheme() == "http" => {
            if let Some(auth) = proxy::basic_auth(p) {
                all.push(("Proxy-Authorization".into(), auth));
            }
            url[..Position::AfterQuery].to_string()
        }
        _ => url[Position::BeforePath..Position::AfterQuery].to_string(),
    };
    let host_header = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
    let bytes = wire::request_bytes(req.method, &request_target, &host_header, &all);
    conn.write_all(&bytes)
        .and_then(|()| conn.flush())
        .map_err(|e| wire_error(e.into(), target, Phase::Response, req.timeout))
}
