//! Network helpers shared by the network step kinds and the http client:
//! resolve and connect bounded by a deadline, latency checks and verdicts.

use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What `{{ gateway }}` expands to on a machine with no default route. No
/// step resolves it: [`resolve`] answers with a plain explanation instead.
pub use crate::netfacts::NO_GATEWAY;

/// Resolves `host` (a name, or an IP address with or without brackets)
/// through the system resolver on a helper thread, giving up at `deadline`
/// (a hung resolver cannot hold the step; the thread ends on its own).
pub fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>, String> {
    if let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    if host == NO_GATEWAY {
        return Err(
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
        Ok(Ok(_)) => Err(format!("`{host}` has no address")),
        Ok(Err(e)) => Err(format!("cannot resolve `{host}`: {e}")),
        Err(_) => Err(format!("resolving `{host}` did not finish in time")),
    }
}

/// Why [`connect`] found no connection.
#[derive(Debug, PartialEq)]
pub enum ConnectError {
    Unresolved(String),
    /// Refused by every address (a closed port: the host answered).
    Refused,
    /// No answer before the deadline (filtered, or the host is down).
    NoAnswer,
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
        Err(ConnectError::Failed(e))
    } else {
        Err(ConnectError::NoAnswer)
    }
}

/// `host:port` for messages, IPv6 addresses bracketed.
pub fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// A duration in milliseconds, to two decimals.
pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 100_000.0).round() / 100.0
}
