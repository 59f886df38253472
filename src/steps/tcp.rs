//! `tcp`: connect to `host:port` within the step's timeout, with latency
//! thresholds; or, with `expect = "closed"`, check that a port is not open.
//! With several ports (`port = [9100, 631, 515]`), the host answers when any
//! of them does (tried in order, each with a share of the time left), and
//! with `expect = "closed"` all must be closed.
//!
//! The name is resolved on a helper thread so a hung resolver cannot
//! outlive the timeout (the thread finishes on its own later). Every
//! address of the name is tried in turn (IPv6 and IPv4) until one answers.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Check, Evaluation, FieldProblem, StepContext};
use crate::facts::Facts;
use crate::net::{ConnectError, ResolveFailure, ms};
use crate::report::Status;
use crate::values::{Dur, human_duration};

/// What the port should be.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// Accepting connections (default).
    #[default]
    Open,
    /// Refusing or not answering: a port that must not be reachable.
    Closed,
}

/// Keys of a `tcp` step.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct TcpStep {
    /// A host name or IP address (templated), e.g. `"{{ gateway }}"`, `"fileserver"`, `"::1"`.
    pub host: String,
    /// 1-65535, a number or text (so `"{{ port_var }}"` works), or a list:
    /// any of them answering will do.
    #[serde(deserialize_with = "crate::values::ports")]
    #[schemars(schema_with = "crate::values::ports_schema")]
    pub port: Vec<u16>,
    /// `open` (default) or `closed`.
    #[serde(default)]
    pub expect: Expect,
    /// Warn when connecting takes longer than this.
    pub warn_latency: Option<Dur>,
    /// Fail when connecting takes longer than this.
    pub fail_latency: Option<Dur>,
}

/// How a connection attempt ended: the address that accepted and how long
/// connecting took, or why there was no connection.
pub type Probe = Result<(SocketAddr, Duration), ConnectError>;

/// Connects to `host:port`, trying each address until one answers or the deadline passes.
pub fn probe(host: &str, port: u16, deadline: Instant) -> Probe {
    crate::net::connect(host, port, deadline).map(|(_, addr, took)| (addr, took))
}

impl super::Reasons for TcpStep {
    const REASONS: &'static [(&'static str, &'static str)] = &[
        (
            "refused",
            "the host answered but nothing listens on the port",
        ),
        (
            "timeout",
            "no answer in time: filtered by a firewall, or the host is down",
        ),
        ("unresolved", "the host name has no address (DNS)"),
        (
            "no_route",
            "no route to the network or host: not connected, or no gateway",
        ),
        (
            "no_gateway",
            "the target was `{{ gateway }}` and this machine has none",
        ),
        ("error", "another connection error (see the message)"),
        (
            "open",
            "`expect = \"closed\"` but the port accepted a connection",
        ),
        (
            "slow",
            "connected, but slower than `warn_latency`/`fail_latency`",
        ),
    ];
}

impl TcpStep {
    /// The verdict for one probe (pure: tested without a network).
    pub fn judge(&self, target: &str, probe: Probe, timeout: Duration) -> Evaluation {
        let waited = human_duration(timeout);
        match (self.expect, probe) {
            (_, Err(ConnectError::Unresolved(e))) => Evaluation::problem(
                Status::Fail,
                match e.failure {
                    ResolveFailure::NoGateway => "no_gateway",
                    ResolveFailure::TimedOut => "timeout",
                    _ => "unresolved",
                },
                e.message,
            ),
            (Expect::Open, Ok((addr, took))) => {
                let mut e = Evaluation::new(
                    Status::Pass,
                    format!("{target} open ({addr}) in {} ms", ms(took)),
                );
                super::latency::judge_latency(
                    &mut e,
                    "connect_time",
                    took,
                    self.warn_latency,
                    self.fail_latency,
                );
                e
            }
            (Expect::Open, Err(ConnectError::Refused)) => Evaluation::problem(
                Status::Fail,
                "refused",
                format!("{target} refused the connection (port closed)"),
            ),
            (Expect::Open, Err(ConnectError::NoAnswer)) => Evaluation::problem(
                Status::Fail,
                "timeout",
                format!(
                    "{target} did not answer within {waited} (filtered by a firewall, or the host is down)"
                ),
            ),
            (Expect::Open, Err(ConnectError::Unreachable(e))) => {
                Evaluation::problem(Status::Fail, "no_route", format!("{target}: {e}"))
            }
            (Expect::Open, Err(ConnectError::Failed(e))) => {
                Evaluation::problem(Status::Fail, "error", format!("{target}: {e}"))
            }
            (Expect::Closed, Ok((addr, _))) => Evaluation::problem(
                Status::Fail,
                "open",
                format!("{target} is open ({addr}) but must be closed"),
            ),
            (Expect::Closed, Err(ConnectError::Refused)) => Evaluation::new(
                Status::Pass,
                format!("{target} is closed (connection refused)"),
            ),
            (Expect::Closed, Err(ConnectError::NoAnswer)) => Evaluation::new(
                Status::Pass,
                format!("{target} is not reachable (no answer within {waited})"),
            ),
            (Expect::Closed, Err(ConnectError::Failed(e) | ConnectError::Unreachable(e))) => {
                Evaluation::new(Status::Pass, format!("{target} is not reachable: {e}"))
            }
        }
    }

    fn target(&self) -> String {
        let ports: Vec<String> = self.port.iter().map(u16::to_string).collect();
        crate::net::host_ports(&self.host, &ports.join(","))
    }

    /// Each port in turn, until one gives the verdict: for `open` the first
    /// that answers, for `closed` the first that is open. Each port gets an
    /// equal share of the time left, so one that never answers cannot
    /// starve the next.
    fn evaluate_ports(&self, deadline: Instant, timeout: Duration) -> Evaluation {
        let mut failures: Vec<Evaluation> = Vec::new();
        for (i, &port) in self.port.iter().enumerate() {
            let left = deadline.saturating_duration_since(Instant::now());
            let share = left / (self.port.len() - i) as u32;
            let target = crate::net::host_port(&self.host, port);
            let waited = if self.port.len() == 1 { timeout } else { share };
            let e = self.judge(
                &target,
                probe(&self.host, port, Instant::now() + share),
                waited,
            );
            let decided = match self.expect {
                Expect::Open => e.status == Status::Pass || e.reason == Some("slow"),
                Expect::Closed => e.status != Status::Pass,
            };
            if decided || self.port.len() == 1 {
                return with_others(e, &failures);
            }
            failures.push(e);
        }
        match self.expect {
            // None answered: the first port's verdict, with the others'.
            Expect::Open => {
                let first = failures.remove(0);
                with_others(first, &failures)
            }
            Expect::Closed => Evaluation::new(
                Status::Pass,
                format!(
                    "{} are all closed or unreachable (within {})",
                    self.target(),
                    human_duration(timeout)
                ),
            ),
        }
    }
}

/// `e`'s message followed by what the other ports said.
fn with_others(mut e: Evaluation, others: &[Evaluation]) -> Evaluation {
    for o in others {
        e.message.push_str("; ");
        e.message.push_str(&o.message);
    }
    e
}

impl Check for TcpStep {
    fn evaluate(&self, ctx: &StepContext) -> Evaluation {
        self.evaluate_ports(ctx.deadline, ctx.timeout)
    }

    fn waits_on_network(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        match self.expect {
            Expect::Open => format!("connects to {}", self.target()),
            Expect::Closed => format!("checks that {} is not open", self.target()),
        }
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(5)
    }

    fn validate(&self, _facts: &Facts) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        if self.host.trim().is_empty() || self.host.contains(char::is_whitespace) {
            out.push(FieldProblem {
                key: "host",
                message: format!("`{}` is not a host name or address", self.host),
                hint: Some("e.g. host = \"fileserver.corp.example\" or \"10.0.0.1\"".into()),
            });
        }
        if self.port.contains(&0) {
            out.push(FieldProblem {
                key: "port",
                message: "port 0 cannot be connected to".into(),
                hint: Some("a port from 1 to 65535, e.g. 443".into()),
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

    fn step(toml: &str) -> TcpStep {
        toml::from_str(toml).unwrap()
    }

    #[test]
    fn verdicts() {
        let open = step("host = \"h\"\nport = 1\nwarn_latency = \"100ms\"\nfail_latency = \"1s\"");
        let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let t = Duration::from_secs(2);
        let fast = Ok((addr, Duration::from_millis(5)));
        assert_eq!(open.judge("h:1", fast, t).status, Status::Pass);
        let slow = Ok((addr, Duration::from_millis(300)));
        assert_eq!(open.judge("h:1", slow, t).status, Status::Warn);
        let slower = Ok((addr, Duration::from_secs(2)));
        let slower = open.judge("h:1", slower, t);
        assert_eq!((slower.status, slower.reason), (Status::Fail, Some("slow")));
        for (err, reason) in [
            (ConnectError::Refused, "refused"),
            (ConnectError::NoAnswer, "timeout"),
            (ConnectError::Unreachable("x".into()), "no_route"),
            (ConnectError::Failed("x".into()), "error"),
        ] {
            assert_eq!(open.judge("h:1", Err(err), t).reason, Some(reason));
        }
        let e = open.judge("h:1", Err(ConnectError::NoAnswer), t);
        assert!(
            e.message.contains("did not answer within 2s"),
            "{}",
            e.message
        );
        let closed = step("host = \"h\"\nport = 1\nexpect = \"closed\"");
        assert_eq!(
            closed.judge("h:1", Err(ConnectError::Refused), t).status,
            Status::Pass
        );
        assert_eq!(
            closed.judge("h:1", Err(ConnectError::NoAnswer), t).status,
            Status::Pass
        );
        assert_eq!(
            closed.judge("h:1", Ok((addr, Duration::ZERO)), t).status,
            Status::Fail
        );
        assert_eq!(
            closed
                .judge(
                    "h:1",
                    Err(ConnectError::Unresolved(crate::net::ResolveError::other(
                        "x"
                    ))),
                    t
                )
                .status,
            Status::Fail
        );
    }

    #[test]
    fn ipv6_targets_are_bracketed() {
        assert_eq!(step("host = \"::1\"\nport = 22").target(), "[::1]:22");
        assert_eq!(
            step("host = \"localhost\"\nport = 22").target(),
            "localhost:22"
        );
    }
}
