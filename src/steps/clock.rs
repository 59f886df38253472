//! `clock`: this machine's clock against a time server (SNTP, UDP 123).
//! Kerberos sign-in fails when the two differ by more than 5 minutes, TLS
//! and MFA codes much earlier; the step warns and fails at thresholds.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Check, Evaluation, FieldProblem, StepContext};
use crate::facts::Facts;
use crate::net::{ResolveFailure, ms};
use crate::report::{Measurement, Status};
use crate::sntp::{Sample, SntpError};
use crate::values::{Dur, human_duration};

/// Keys of a `clock` step.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct ClockStep {
    /// The time server: `"host"`, `"host:port"`, an IP or `"[v6]:port"` (templated; port 123 by default).
    pub server: String,
    /// Warn when the clocks differ by more than this (default 1 minute).
    pub warn_skew: Option<Dur>,
    /// Fail when they differ by more than this (default 5 minutes: Kerberos' limit).
    pub fail_skew: Option<Dur>,
}

const DEFAULT_WARN: Duration = Duration::from_secs(60);
const DEFAULT_FAIL: Duration = Duration::from_secs(300);

impl super::Reasons for ClockStep {
    const REASONS: &'static [(&'static str, &'static str)] = &[
        (
            "skew",
            "this clock differs from the server's by more than `warn_skew`/`fail_skew`",
        ),
        ("timeout", "the time server did not answer in time"),
        ("refused", "no time server listens there (port refused)"),
        ("unresolved", "the server's name has no address (DNS)"),
        (
            "bad_answer",
            "the server answered, but not with a usable time (unsynchronised, or refused)",
        ),
        ("error", "another error (see the message)"),
    ];
}

/// `host`, `host:port`, `IP`, `[IPv6]:port` → host and port (123 by default).
pub fn split_server(text: &str) -> (String, u16) {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return (addr.ip().to_string(), addr.port());
    }
    let bare = text.trim_matches(['[', ']']);
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return (bare.to_string(), 123);
    }
    match text.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(port) => (host.to_string(), port),
            Err(_) => (text.to_string(), 123),
        },
        _ => (text.to_string(), 123),
    }
}

impl ClockStep {
    fn limits(&self) -> (Duration, Duration) {
        (
            self.warn_skew.map_or(DEFAULT_WARN, |d| d.0),
            self.fail_skew.map_or(DEFAULT_FAIL, |d| d.0),
        )
    }

    /// The verdict for one answer (pure: tested without a network).
    pub fn judge(&self, answer: Result<Sample, (&'static str, String)>) -> Evaluation {
        let server = &self.server;
        let sample = match answer {
            Ok(s) => s,
            // `why` names the address asked, or the name that did not resolve.
            Err((reason, why)) => return Evaluation::problem(Status::Fail, reason, why),
        };
        let (warn, fail) = self.limits();
        let off = Duration::from_secs_f64(sample.offset.abs());
        let way = if sample.offset > 0.0 {
            "behind"
        } else {
            "ahead of"
        };
        let shown = if off < Duration::from_secs(1) {
            format!("{} ms", ms(off))
        } else {
            human_duration(Duration::from_secs(off.as_secs_f64().round() as u64))
        };
        let detail = format!(
            "server stratum {}, round trip {} ms",
            sample.stratum,
            ms(sample.delay)
        );
        let mut e = if off > fail {
            Evaluation::problem(
                Status::Fail,
                "skew",
                format!(
                    "this clock is {shown} {way} {server}: more than {} ({detail})",
                    human_duration(fail)
                ),
            )
        } else if off > warn {
            Evaluation::problem(
                Status::Warn,
                "skew",
                format!(
                    "this clock is {shown} {way} {server}: more than {} ({detail})",
                    human_duration(warn)
                ),
            )
        } else {
            Evaluation::new(
                Status::Pass,
                format!("this clock is within {shown} of {server} ({detail})"),
            )
        };
        let mut m = Measurement::new("clock_offset", sample.offset, "s");
        m.warn = Some(warn.as_secs_f64());
        m.fail = Some(fail.as_secs_f64());
        e.measurements.push(m);
        e
    }

    /// Resolves the server and asks each of its addresses until one answers.
    fn ask(&self, deadline: Instant) -> Result<Sample, (&'static str, String)> {
        let (host, port) = split_server(&self.server);
        let addrs = crate::net::resolve(&host, port, deadline).map_err(|e| {
            let reason = match e.failure {
                ResolveFailure::TimedOut => "timeout",
                _ => "unresolved",
            };
            (reason, e.message)
        })?;
        let mut last = ("error", "the name has no address".to_string());
        for addr in addrs {
            match crate::sntp::query(addr, deadline) {
                Ok(s) => return Ok(s),
                Err(SntpError::Timeout) => {
                    last = ("timeout", format!("{addr} did not answer in time"));
                }
                Err(SntpError::Refused) => {
                    last = ("refused", format!("{addr}: no time server listens there"));
                }
                Err(SntpError::BadAnswer(m)) => last = ("bad_answer", format!("{addr}: {m}")),
                Err(SntpError::Io(m)) => last = ("error", format!("{addr}: {m}")),
            }
            if Instant::now() >= deadline {
                break;
            }
        }
        Err(last)
    }
}

impl Check for ClockStep {
    fn evaluate(&self, ctx: &StepContext) -> Evaluation {
        self.judge(self.ask(ctx.deadline))
    }

    fn waits_on_network(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        let (warn, fail) = self.limits();
        format!(
            "compares this clock with {} (warn past {}, fail past {})",
            self.server,
            human_duration(warn),
            human_duration(fail)
        )
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(5)
    }

    fn validate(&self, _facts: &Facts) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let (host, port) = split_server(&self.server);
        if host.trim().is_empty() || host.contains(char::is_whitespace) || port == 0 {
            out.push(FieldProblem {
                key: "server",
                message: format!("`{}` is not a time server", self.server),
                hint: Some(
                    "a host name or address, optionally with a port: \"time.corp.example\", \"10.0.0.2:123\"".into(),
                ),
            });
        }
        let (warn, fail) = self.limits();
        if warn > fail {
            out.push(FieldProblem {
                key: "warn_skew",
                message: format!(
                    "`warn_skew` ({}) is above `fail_skew` ({})",
                    human_duration(warn),
                    human_duration(fail)
                ),
                hint: Some("warn at the smaller difference, fail at the larger".into()),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(toml: &str) -> ClockStep {
        toml::from_str(toml).unwrap()
    }

    fn sample(offset: f64) -> Result<Sample, (&'static str, String)> {
        Ok(Sample {
            offset,
            delay: Duration::from_millis(12),
            stratum: 2,
        })
    }

    #[test]
    fn servers_split_into_host_and_port() {
        assert_eq!(
            split_server("time.corp.example"),
            ("time.corp.example".into(), 123)
        );
        assert_eq!(split_server("127.0.0.1:1123"), ("127.0.0.1".into(), 1123));
        assert_eq!(split_server("::1"), ("::1".into(), 123));
        assert_eq!(split_server("[::1]:5123"), ("::1".into(), 5123));
        assert_eq!(split_server("dc1:123"), ("dc1".into(), 123));
    }

    #[test]
    fn verdicts_by_the_size_of_the_difference() {
        let s = step("server = \"dc1\"");
        let ok = s.judge(sample(0.25));
        assert_eq!(ok.status, Status::Pass);
        assert!(
            ok.message.contains("within 250 ms of dc1"),
            "{}",
            ok.message
        );
        let warn = s.judge(sample(-90.0));
        assert_eq!((warn.status, warn.reason), (Status::Warn, Some("skew")));
        assert!(warn.message.contains("ahead of dc1"), "{}", warn.message);
        let fail = s.judge(sample(432.7));
        assert_eq!((fail.status, fail.reason), (Status::Fail, Some("skew")));
        assert!(
            fail.message.contains("7m13s behind dc1"),
            "{}",
            fail.message
        );
        assert_eq!(fail.measurements[0].value, 432.7);
        let strict = step("server = \"dc1\"\nwarn_skew = \"1s\"\nfail_skew = \"2s\"");
        assert_eq!(strict.judge(sample(3.0)).status, Status::Fail);
        let e = s.judge(Err(("timeout", "no answer".into())));
        assert_eq!((e.status, e.reason), (Status::Fail, Some("timeout")));
    }

    #[test]
    fn thresholds_in_the_wrong_order_are_a_load_problem() {
        let s = step("server = \"dc1\"\nwarn_skew = \"10m\"");
        assert_eq!(s.validate(&Facts::gather())[0].key, "warn_skew");
        assert!(step("server = \"\"").validate(&Facts::gather())[0].key == "server");
    }
}
