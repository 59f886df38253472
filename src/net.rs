//! Network helpers shared by the network step kinds and the http client:
//! resolve and connect bounded by a deadline, latency checks and verdicts.

use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What `{{ gateway }}` expands to on a machine with no default route. No
/// step resolves it: [`resolve`] answers with a plain explanation instead.
pub use crate::netfacts::NO_GATEWAY;

/// Why a name has no address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolveFailure {
    /// `{{ gateway }}` on a machine with no default route.
    NoGateway,
    /// The resolver says the name does not exist (NXDOMAIN).
    NoSuchName,
    /// The name exists but has no address.
    NoAddress,
    /// The resolver could not get an answer now (servers failed, refused
    /// or could not be reached).
    Temporary,
    /// No answer before the deadline.
    TimedOut,
    Other,
}

/// A failed resolution: its class and a sentence for the report.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolveError {
    pub failure: ResolveFailure,
    pub message: String,
}

impl ResolveError {
    /// A resolution error of a class not worth telling apart (tests, parse errors).
    pub fn other(message: impl Into<String>) -> ResolveError {
        ResolveError {
            failure: ResolveFailure::Other,
            message: message.into(),
        }
    }
}

/// Classes a system resolver error by its text (getaddrinfo's messages on
/// glibc, musl, macOS and Windows; std keeps no code for them).
fn classify_resolve_error(text: &str) -> ResolveFailure {
    let t = text.to_ascii_lowercase();
    if t.contains("no address associated") || t.contains("no data record") {
        ResolveFailure::NoAddress
    } else if t.contains("not known")
        || t.contains("no such host")
        || t.contains("name does not resolve")
        || t.contains("host not found")
    {
        ResolveFailure::NoSuchName
    } else if t.contains("temporar") || t.contains("try again") {
        ResolveFailure::Temporary
    } else {
        ResolveFailure::Other
    }
}

/// Resolves `host` (a name, or an IP address with or without brackets)
/// through the system resolver on a helper thread, giving up at `deadline`
/// (a hung resolver cannot hold the step; the thread ends on its own).
pub fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>, ResolveError> {
    if let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let fail = |failure, message: String| Err(ResolveError { failure, message });
    if host == NO_GATEWAY {
        return fail(
            ResolveFailure::NoGateway,
            "this machine has no default gateway (no default route): it is not \
             connected to a network, or the network gave it no router"
                .into(),
        );
    }
    let (tx, rx) = mpsc::channel();
    let name = host.to_string();
    std::thread::spawn(move || {
        let _ = tx.send(
            (name.as_str(), port)
                .to_socket_addrs()
                .map(Iterator::collect::<Vec<_>>),
        );
    });
    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => fail(
            ResolveFailure::NoAddress,
            format!("`{host}` has no address"),
        ),
        Ok(Err(e)) => fail(
            classify_resolve_error(&e.to_string()),
            format!("cannot resolve `{host}`: {e}"),
        ),
        Err(_) => fail(
            ResolveFailure::TimedOut,
            format!("resolving `{host}` did not finish in time"),
        ),
    }
}

/// Why [`connect`] found no connection.
#[derive(Debug, PartialEq)]
pub enum ConnectError {
    Unresolved(ResolveError),
    /// Refused by every address (a closed port: the host answered).
    Refused,
    /// No answer before the deadline (filtered, or the host is down).
    NoAnswer,
    /// No route to the network or host (not connected, no gateway).
    Unreachable(String),
    Failed(String),
}

/// Connects to `host:port`, trying each address of the name in turn until
/// one answers or the deadline passes; returns the stream, the address that
/// answered and how long that connect took.
pub fn connect(
    host: &str,
    port: u16,
    deadline: Instant,
) -> Result<(TcpStream, SocketAddr, Duration), ConnectError> {
    let addrs = resolve(host, port, deadline).map_err(ConnectError::Unresolved)?;
    let mut refused = 0;
    let mut other = None;
    let mut unreachable = false;
    for addr in &addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let started = Instant::now();
        match TcpStream::connect_timeout(addr, left) {
            Ok(stream) => return Ok((stream, *addr, started.elapsed())),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => refused += 1,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => {
                unreachable = matches!(
                    e.kind(),
                    std::io::ErrorKind::NetworkUnreachable | std::io::ErrorKind::HostUnreachable
                );
                let why = match e.kind() {
                    std::io::ErrorKind::NetworkUnreachable => {
                        "the network is unreachable (no route there: not connected?)".to_string()
                    }
                    std::io::ErrorKind::HostUnreachable => "no route to the host".to_string(),
                    _ => e.to_string(),
                };
                // Name the address only when the target was a name.
                other = Some(if addrs.len() == 1 && host.parse::<IpAddr>().is_ok() {
                    why
                } else {
                    format!("{why} (at {addr})")
                });
            }
        }
    }
    if refused == addrs.len() {
        Err(ConnectError::Refused)
    } else if let Some(e) = other.filter(|_| Instant::now() < deadline) {
        Err(if unreachable {
            ConnectError::Unreachable(e)
        } else {
            ConnectError::Failed(e)
        })
    } else {
        Err(ConnectError::NoAnswer)
    }
}

/// A UDP socket on an ephemeral port of `server`'s family, connected to it
/// (so only its datagrams arrive, and an ICMP "port unreachable" shows as
/// a refused receive).
pub fn udp_to(server: SocketAddr) -> std::io::Result<std::net::UdpSocket> {
    let any: IpAddr = if server.is_ipv4() {
        std::net::Ipv4Addr::UNSPECIFIED.into()
    } else {
        std::net::Ipv6Addr::UNSPECIFIED.into()
    };
    let socket = std::net::UdpSocket::bind(SocketAddr::new(any, 0))?;
    socket.connect(server)?;
    Ok(socket)
}

/// `host:port` for messages, IPv6 addresses bracketed.
pub fn host_port(host: &str, port: u16) -> String {
    host_ports(host, &port.to_string())
}

/// `host:ports` (`printer:9100,631`) for messages, IPv6 addresses bracketed.
pub fn host_ports(host: &str, ports: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{ports}")
    } else {
        format!("{host}:{ports}")
    }
}

/// A duration in milliseconds, to two decimals.
pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 100_000.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolver_messages_are_classed_on_every_platform() {
        for (text, want) in [
            (
                "failed to lookup address information: Name or service not known",
                ResolveFailure::NoSuchName,
            ),
            (
                "failed to lookup address information: nodename nor servname provided, or not known",
                ResolveFailure::NoSuchName,
            ),
            (
                "No such host is known. (os error 11001)",
                ResolveFailure::NoSuchName,
            ),
            (
                "failed to lookup address information: Name does not resolve",
                ResolveFailure::NoSuchName,
            ),
            (
                "failed to lookup address information: Temporary failure in name resolution",
                ResolveFailure::Temporary,
            ),
            (
                "This is usually a temporary error during hostname resolution (os error 11002)",
                ResolveFailure::Temporary,
            ),
            (
                "failed to lookup address information: No address associated with hostname",
                ResolveFailure::NoAddress,
            ),
            ("something else", ResolveFailure::Other),
        ] {
            assert_eq!(classify_resolve_error(text), want, "{text}");
        }
    }

    #[test]
    fn no_gateway_is_its_own_failure() {
        let e = resolve(NO_GATEWAY, 1, Instant::now()).unwrap_err();
        assert_eq!(e.failure, ResolveFailure::NoGateway);
    }
}
