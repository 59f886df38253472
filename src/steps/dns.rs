//! `dns`: a name resolves (A and/or AAAA), optionally to expected
//! addresses, within latency thresholds; through the system resolver, or by
//! asking one `server` directly. `record = "SRV"` finds the services a name
//! announces (`_ldap._tcp.dc._msdcs.corp.example`: the domain controllers);
//! the system resolver cannot answer those, so the query goes to `server` or
//! to the DNS servers the machine uses, in order.
//!
//! With `server`, the query is a DNS message (hickory-proto) sent over UDP
//! on our own socket with the step's deadline as timeout, retried over TCP
//! when the answer is truncated. Without it, the system resolver answers on
//! a helper thread bounded by the deadline.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Check, Evaluation, FieldProblem, StepContext};
use crate::facts::Facts;
use crate::net::{ResolveFailure, ms};
use crate::report::Status;
use crate::values::{Dur, OneOrMany};

/// Which address records to ask for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Record {
    /// IPv4 addresses.
    A,
    /// IPv6 addresses.
    #[serde(rename = "AAAA")]
    Aaaa,
    /// Both (default): the name resolves when either has an answer.
    #[default]
    #[serde(rename = "any")]
    Any,
    /// Service records: each target host and port, by priority.
    #[serde(rename = "SRV")]
    Srv,
    /// Mail exchangers: the hosts that take the domain's mail, by preference.
    #[serde(rename = "MX")]
    Mx,
}

/// Keys of a `dns` step.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct DnsStep {
    /// The name to resolve (templated), e.g. `"intranet.corp.example"`.
    pub lookup: String,
    /// `A`, `AAAA`, `any` (default), `SRV` or `MX`.
    #[serde(default)]
    pub record: Record,
    /// Addresses the answer must include (default: any address will do).
    #[serde(default)]
    pub expect: OneOrMany<IpAddr>,
    /// Ask this resolver directly, `"IP"` or `"IP:port"` (default, or empty: the system resolver).
    pub server: Option<String>,
    /// Warn when resolving takes longer than this.
    pub warn_latency: Option<Dur>,
    /// Fail when resolving takes longer than this.
    pub fail_latency: Option<Dur>,
}

/// What a lookup found.
#[derive(Debug, PartialEq)]
pub enum Answer {
    Addresses(Vec<IpAddr>),
    /// SRV targets as `host:port`, or MX hosts, the preferred first.
    Services(Vec<String>),
    /// The server says the name does not exist.
    NoSuchName,
    /// An error answer (SERVFAIL, REFUSED...) or none in time: the reason
    /// code and what happened, said plainly.
    Failed(&'static str, String),
}

/// `"IP"` or `"IP:port"` (IPv6 as `[::1]:53`), port 53 by default.
pub fn parse_server(text: &str) -> Option<SocketAddr> {
    text.parse::<SocketAddr>().ok().or_else(|| {
        text.trim_matches(['[', ']'])
            .parse::<IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, 53))
    })
}

/// One query to `server`, over UDP, then TCP when the answer is truncated.
fn ask(
    server: SocketAddr,
    name: &Name,
    kind: RecordType,
    deadline: Instant,
) -> Result<Message, (&'static str, String)> {
    let err = |e: std::io::Error| ("error", e.to_string());
    let id: u16 = rand_id();
    let mut query = Message::new(id, MessageType::Query, OpCode::Query);
    query.metadata.recursion_desired = true;
    query.add_query(Query::query(name.clone(), kind));
    let bytes = query.to_vec().map_err(|e| ("error", e.to_string()))?;
    let left = || {
        deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1))
    };
    let socket = crate::net::udp_to(server).map_err(err)?;
    socket
        .send(&bytes)
        .map_err(|e| ("error", format!("cannot send to {server}: {e}")))?;
    let mut buf = vec![0u8; 4096];
    let reply = loop {
        socket.set_read_timeout(Some(left())).map_err(err)?;
        let n = match socket.recv(&mut buf) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(("timeout", format!("{server} did not answer in time")));
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                return Err((
                    "no_server",
                    format!("{server} refused the query (no DNS server there)"),
                ));
            }
            Err(e) => return Err(("error", format!("{server}: {e}"))),
        };
        match Message::from_vec(&buf[..n]) {
            // Stray or spoofed datagrams with another id are ignored.
            Ok(m) if m.metadata.id == id => break m,
            _ if Instant::now() >= deadline => {
                return Err(("timeout", format!("{server} did not answer in time")));
            }
            _ => continue,
        }
    };
    if !reply.metadata.truncation {
        return Ok(reply);
    }
    // Truncated: the same query over TCP, with its two-byte length prefix.
    let mut stream = TcpStream::connect_timeout(&server, left())
        .map_err(|e| ("error", format!("{server} (TCP): {e}")))?;
    stream.set_read_timeout(Some(left())).map_err(err)?;
    let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(&bytes);
    stream.write_all(&framed).map_err(err)?;
    let mut len = [0u8; 2];
    stream
        .read_exact(&mut len)
        .map_err(|e| ("error", format!("{server} (TCP): {e}")))?;
    let mut body = vec![0u8; u16::from_be_bytes(len) as usize];
    stream
        .read_exact(&mut body)
        .map_err(|e| ("error", format!("{server} (TCP): {e}")))?;
    Message::from_vec(&body).map_err(|e| ("error", e.to_string()))
}

/// A name as text without its final dot.
fn bare(name: &Name) -> String {
    name.to_ascii().trim_end_matches('.').to_string()
}

/// A query id that differs between queries (no need for cryptographic strength:
/// we check it against our own connected socket's replies).
fn rand_id() -> u16 {
    use std::hash::{BuildHasher, RandomState};
    (RandomState::new().hash_one(Instant::now()) & 0xffff) as u16
}

impl super::Reasons for DnsStep {
    const REASONS: &'static [(&'static str, &'static str)] = &[
        ("nxdomain", "the name does not exist (NXDOMAIN)"),
        (
            "no_address",
            "the name exists but has no address of the asked type",
        ),
        (
            "servfail",
            "the DNS server(s) failed to answer (SERVFAIL, or the system resolver's temporary failure)",
        ),
        ("refused", "the asked server refused the query (REFUSED)"),
        ("timeout", "no answer in time"),
        (
            "no_server",
            "no DNS server is configured, or none listens where asked",
        ),
        (
            "unexpected",
            "the name resolved, but not to the `expect`ed addresses",
        ),
        (
            "invalid_name",
            "the name to look up is not a valid DNS name",
        ),
        (
            "slow",
            "resolved, but slower than `warn_latency`/`fail_latency`",
        ),
        ("error", "another error (see the message)"),
    ];
}

impl DnsStep {
    fn kinds(&self) -> Vec<RecordType> {
        match self.record {
            Record::A => vec![RecordType::A],
            Record::Aaaa => vec![RecordType::AAAA],
            Record::Any => vec![RecordType::A, RecordType::AAAA],
            Record::Srv => vec![RecordType::SRV],
            Record::Mx => vec![RecordType::MX],
        }
    }

    fn wanted(&self, ip: &IpAddr) -> bool {
        match self.record {
            Record::A => ip.is_ipv4(),
            Record::Aaaa => ip.is_ipv6(),
            Record::Any | Record::Srv | Record::Mx => true,
        }
    }

    /// Asks `server` for every wanted record type.
    fn lookup_at(&self, server: SocketAddr, deadline: Instant) -> Answer {
        let name = match Name::from_ascii(&self.lookup) {
            Ok(mut n) => {
                n.set_fqdn(true);
                n
            }
            Err(e) => {
                return Answer::Failed(
                    "invalid_name",
                    format!("`{}` is not a valid name: {e}", self.lookup),
                );
            }
        };
        let mut found = Vec::new();
        // (preference, heavier first, text) of SRV and MX records.
        let mut services: Vec<(u16, std::cmp::Reverse<u16>, String)> = Vec::new();
        let mut no_such = false;
        for kind in self.kinds() {
            match ask(server, &name, kind, deadline) {
                Ok(reply) => match reply.metadata.response_code {
                    ResponseCode::NoError => {
                        for r in &reply.answers {
                            match &r.data {
                                RData::A(a) => found.push(IpAddr::V4(a.0)),
                                RData::AAAA(a) => found.push(IpAddr::V6(a.0)),
                                RData::SRV(s) => services.push((
                                    s.priority,
                                    std::cmp::Reverse(s.weight),
                                    format!("{}:{}", bare(&s.target), s.port),
                                )),
                                RData::MX(m) => services.push((
                                    m.preference,
                                    std::cmp::Reverse(0),
                                    format!("{} (preference {})", bare(&m.exchange), m.preference),
                                )),
                                _ => {}
                            }
                        }
                    }
                    ResponseCode::NXDomain => no_such = true,
                    ResponseCode::Refused => {
                        return Answer::Failed("refused", format!("{server} answered REFUSED"));
                    }
                    code => return Answer::Failed("servfail", format!("{server} answered {code}")),
                },
                Err((reason, e)) => return Answer::Failed(reason, e),
            }
        }
        if found.is_empty() && services.is_empty() && no_such {
            Answer::NoSuchName
        } else if matches!(self.record, Record::Srv | Record::Mx) {
            // Lowest priority (preference) first; within one, the heaviest first.
            services.sort();
            Answer::Services(services.into_iter().map(|(_, _, text)| text).collect())
        } else {
            Answer::Addresses(found)
        }
    }

    /// SRV and MX without `server`: the machine's DNS servers, in order,
    /// until one answers (the system resolver API has no such lookups).
    fn lookup_at_system_servers(&self, deadline: Instant) -> (Answer, String) {
        let servers = &crate::netfacts::cached().dns_servers;
        let mut last = (
            Answer::Failed(
                "no_server",
                "no DNS server is configured on this machine".into(),
            ),
            "system DNS".to_string(),
        );
        for ip in servers {
            let server = SocketAddr::new(*ip, 53);
            let answer = self.lookup_at(server, deadline);
            let failed = matches!(answer, Answer::Failed(..));
            last = (answer, server.to_string());
            if !failed || Instant::now() >= deadline {
                break;
            }
        }
        last
    }

    /// The system resolver (hosts file, split DNS...), bounded by the deadline.
    fn lookup_system(&self, deadline: Instant) -> Answer {
        match crate::net::resolve(&self.lookup, 0, deadline) {
            Ok(addrs) => {
                let mut ips: Vec<IpAddr> = addrs
                    .iter()
                    .map(SocketAddr::ip)
                    .filter(|ip| self.wanted(ip))
                    .collect();
                ips.dedup();
                Answer::Addresses(ips)
            }
            Err(e) => {
                let reason = match e.failure {
                    ResolveFailure::NoSuchName => return Answer::NoSuchName,
                    ResolveFailure::NoAddress => return Answer::Addresses(Vec::new()),
                    ResolveFailure::TimedOut => "timeout",
                    _ if crate::netfacts::cached().dns_servers.is_empty() => "no_server",
                    ResolveFailure::Temporary => "servfail",
                    _ => "error",
                };
                Answer::Failed(reason, format!("the system resolver: {}", e.message))
            }
        }
    }

    /// The verdict (pure: tested without a network).
    pub fn judge(&self, answer: Answer, took: Duration, via: &str) -> Evaluation {
        let what = &self.lookup;
        let mut e = match answer {
            Answer::NoSuchName => {
                return Evaluation::problem(
                    Status::Fail,
                    "nxdomain",
                    format!("`{what}` does not exist ({via} says NXDOMAIN)"),
                );
            }
            Answer::Failed(reason, why) => {
                return Evaluation::problem(Status::Fail, reason, format!("`{what}`: {why}"));
            }
            Answer::Services(found) if found.is_empty() => {
                return Evaluation::problem(
                    Status::Fail,
                    "no_address",
                    format!("`{what}` has no {} record ({via})", self.record_name()),
                );
            }
            Answer::Services(found) => Evaluation::new(
                Status::Pass,
                format!("`{what}` → {} ({via}, {} ms)", found.join(", "), ms(took)),
            ),
            Answer::Addresses(found) if found.is_empty() => {
                return Evaluation::problem(
                    Status::Fail,
                    "no_address",
                    format!("`{what}` has no {} address ({via})", self.record_name()),
                );
            }
            Answer::Addresses(found) => {
                let shown: Vec<String> = found.iter().map(IpAddr::to_string).collect();
                let missing: Vec<String> = self
                    .expect
                    .iter()
                    .filter(|ip| !found.contains(ip))
                    .map(IpAddr::to_string)
                    .collect();
                if missing.is_empty() {
                    Evaluation::new(
                        Status::Pass,
                        format!("`{what}` → {} ({via}, {} ms)", shown.join(", "), ms(took)),
                    )
                } else {
                    Evaluation::problem(
                        Status::Fail,
                        "unexpected",
                        format!(
                            "`{what}` → {}, without the expected {} ({via})",
                            shown.join(", "),
                            missing.join(", ")
                        ),
                    )
                }
            }
        };
        super::latency::judge_latency(
            &mut e,
            "resolve_time",
            took,
            self.warn_latency,
            self.fail_latency,
        );
        e
    }

    /// The server to ask; empty (a variable left empty) means the system's.
    fn server(&self) -> Option<&str> {
        self.server.as_deref().filter(|s| !s.trim().is_empty())
    }

    fn record_name(&self) -> &'static str {
        match self.record {
            Record::A => "A (IPv4)",
            Record::Aaaa => "AAAA (IPv6)",
            Record::Any => "A or AAAA",
            Record::Srv => "SRV",
            Record::Mx => "MX",
        }
    }
}

impl Check for DnsStep {
    fn evaluate(&self, ctx: &StepContext) -> Evaluation {
        let started = Instant::now();
        let (answer, via) = match self.server().and_then(parse_server) {
            Some(server) => (self.lookup_at(server, ctx.deadline), server.to_string()),
            None if matches!(self.record, Record::Srv | Record::Mx) => {
                self.lookup_at_system_servers(ctx.deadline)
            }
            None => (
                self.lookup_system(ctx.deadline),
                "system resolver".to_string(),
            ),
        };
        self.judge(answer, started.elapsed(), &via)
    }

    fn waits_on_network(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        let via = self.server().map_or(String::new(), |s| format!(" via {s}"));
        format!("resolves `{}`{via}", self.lookup)
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(5)
    }

    fn validate(&self, _facts: &Facts) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        if Name::from_ascii(&self.lookup).is_err() || self.lookup.trim().is_empty() {
            out.push(FieldProblem {
                key: "lookup",
                message: format!("`{}` is not a DNS name", self.lookup),
                hint: Some("e.g. lookup = \"intranet.corp.example\"".into()),
            });
        }
        if matches!(self.record, Record::Srv | Record::Mx) && !self.expect.is_empty() {
            out.push(FieldProblem {
                key: "expect",
                message: format!(
                    "`expect` lists addresses, which {} records do not hold",
                    self.record_name()
                ),
                hint: Some("check the hosts an SRV record names with a `tcp` step".into()),
            });
        }
        if let Some(s) = self.server()
            && parse_server(s).is_none()
        {
            out.push(FieldProblem {
                key: "server",
                message: format!("`{s}` is not an IP address or IP:port"),
                hint: Some("e.g. server = \"10.0.0.2\" or \"[2001:db8::53]:53\"; names are not allowed (they would need a resolver)".into()),
            });
        }
        out.extend(super::latency::latency_order(
            self.warn_latency,
            self.fail_latency,
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_parse_with_and_without_ports() {
        assert_eq!(
            parse_server("10.0.0.2"),
            Some("10.0.0.2:53".parse().unwrap())
        );
        assert_eq!(
            parse_server("127.0.0.1:5353"),
            Some("127.0.0.1:5353".parse().unwrap())
        );
        assert_eq!(parse_server("::1"), Some("[::1]:53".parse().unwrap()));
        assert_eq!(
            parse_server("[::1]:5353"),
            Some("[::1]:5353".parse().unwrap())
        );
        assert_eq!(parse_server("dns.example"), None);
    }
}
