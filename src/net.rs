//! Small network helpers shared by the network step kinds.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::playbook::values::{Dur, human_duration};
use crate::report::{Measurement, Status};
use crate::steps::Evaluation;

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

/// Adds the measurement `name` (ms) with its thresholds and, when `e`
/// passed, turns it into a warning or failure when `took` is over them.
pub fn judge_latency(
    e: &mut Evaluation,
    name: &str,
    took: Duration,
    warn: Option<Dur>,
    fail: Option<Dur>,
) {
    let mut m = Measurement::new(name, ms(took), "ms");
    m.warn = warn.map(|d| ms(d.0));
    m.fail = fail.map(|d| ms(d.0));
    e.measurements.push(m);
    if e.status != Status::Pass {
        return;
    }
    let over = |limit: Option<Dur>| limit.filter(|l| took > l.0);
    let (status, limit) = match (over(fail), over(warn)) {
        (Some(limit), _) => (Status::Fail, limit),
        (None, Some(limit)) => (Status::Warn, limit),
        (None, None) => return,
    };
    e.status = status;
    e.message
        .push_str(&format!(", slower than {}", human_duration(limit.0)));
}
