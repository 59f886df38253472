//! `ping`: ICMP echo with a count and interval; loss and round-trip
//! thresholds. The report says which method was used:
//! - an unprivileged ICMP socket (Linux when `net.ipv4.ping_group_range`
//!   allows the user's group, macOS always), IPv4;
//! - otherwise the system `ping`, with its output parsed per OS
//!   ([`parse_ping`]: iputils, BSD/macOS and Windows, any Windows language,
//!   since it reads only `TTL=` reply lines and their `time` values).

use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Check, Evaluation, FieldProblem, StepContext};
use crate::facts::Facts;
use crate::process::{self, Ending, ProcessSpec};
use crate::report::{Measurement, Status};
use crate::values::{Dur, human_duration};

/// How to send the echoes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// An ICMP socket when the OS allows it, else the system `ping` (default).
    #[default]
    Auto,
    /// Only an unprivileged ICMP socket.
    Socket,
    /// Only the system `ping` program.
    System,
}

/// Keys of a `ping` step.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct PingStep {
    /// A host name or IP address (templated), e.g. `"{{ gateway }}"`.
    pub host: String,
    /// Echo requests to send (default 4).
    pub count: Option<u32>,
    /// Time between requests (default 1s; at least 200ms).
    pub interval: Option<Dur>,
    /// Warn when more than this percentage of replies is lost.
    pub warn_loss: Option<f64>,
    /// Fail when more than this percentage is lost (default: fail only when all are lost).
    pub fail_loss: Option<f64>,
    /// Warn when the average round trip is longer than this.
    pub warn_rtt: Option<Dur>,
    /// Fail when the average round trip is longer than this.
    pub fail_rtt: Option<Dur>,
    /// `auto` (default), `socket` or `system`.
    #[serde(default)]
    pub method: Method,
}

/// What a series of echoes gave.
#[derive(Debug, Default, PartialEq)]
pub struct Pings {
    pub sent: u32,
    /// Round-trip times of the replies received, in ms.
    pub rtts: Vec<f64>,
}

impl Pings {
    fn loss(&self) -> f64 {
        if self.sent == 0 {
            100.0
        } else {
            100.0 * f64::from(self.sent - (self.rtts.len() as u32).min(self.sent))
                / f64::from(self.sent)
        }
    }
}

/// Parses the system `ping`'s output (Linux iputils, macOS/BSD, Windows in
/// any language): every reply line's round-trip time.
pub fn parse_ping(output: &str) -> Vec<f64> {
    output
        .lines()
        .filter(|l| {
            l.contains("ttl=")
                || l.contains("TTL=")
                || l.contains("hlim=")
                || l.contains("icmp_seq=")
        })
        .filter(|l| !l.contains("Unreachable") && !l.contains("unreachable"))
        .filter_map(|l| {
            // `time=0.045 ms` (Unix), `time=12ms` / `time<1ms` / `Zeit=12ms` / `temps=12 ms`
            // (Windows): the value followed by `ms` (not `TTL=128`).
            static TIME: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
                regex::Regex::new(r"([=<])\s*([0-9]+(?:[.,][0-9]+)?)\s*ms").expect("valid")
            });
            let c = TIME.captures(l)?;
            let value: f64 = c[2].replace(',', ".").parse().ok()?;
            // `time<1ms` means under a millisecond.
            Some(if &c[1] == "<" { value / 2.0 } else { value })
        })
        .collect()
}

/// The argv of the system `ping` for `count` echoes (per OS).
pub fn system_argv(
    os: &str,
    host: &str,
    count: u32,
    interval: Duration,
    wait: Duration,
) -> Vec<String> {
    let wait_s = wait.as_secs().max(1).to_string();
    let v6 = host.contains(':');
    match os {
        // The address literal picks IPv4 or IPv6 (Wine's ping has no -4/-6).
        "windows" => vec![
            "ping".into(),
            "-n".into(),
            count.to_string(),
            "-w".into(),
            wait.as_millis().max(1).to_string(),
            host.into(),
        ],
        "macos" | "freebsd" | "openbsd" | "netbsd" => vec![
            if v6 { "ping6" } else { "ping" }.into(),
            "-n".into(),
            "-c".into(),
            count.to_string(),
            "-i".into(),
            format!("{:.1}", interval.as_secs_f64()),
            host.into(),
        ],
        _ => vec![
            "ping".into(),
            if v6 { "-6" } else { "-4" }.into(),
            "-n".into(),
            "-c".into(),
            count.to_string(),
            "-i".into(),
            format!("{:.1}", interval.as_secs_f64()),
            "-W".into(),
            wait_s,
            host.into(),
        ],
    }
}

/// Echoes through an unprivileged ICMP socket (IPv4). `Err` when the OS
/// does not allow one (the caller falls back to the system `ping`).
#[cfg(unix)]
fn socket_ping(
    ip: std::net::Ipv4Addr,
    count: u32,
    interval: Duration,
    deadline: Instant,
) -> Result<Pings, String> {
    use std::os::fd::{FromRawFd, OwnedFd};
    // SAFETY: plain socket calls on a descriptor we own (closed by OwnedFd).
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM, libc::IPPROTO_ICMP) };
    if fd < 0 {
        return Err(format!(
            "no unprivileged ICMP socket: {}",
            std::io::Error::last_os_error()
        ));
    }
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let raw = std::os::fd::AsRawFd::as_raw_fd(&fd);
    let mut to: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    to.sin_family = libc::AF_INET as libc::sa_family_t;
    to.sin_addr.s_addr = u32::from_ne_bytes(ip.octets());
    let mut pings = Pings::default();
    let ident = (std::process::id() & 0xffff) as u16;
    for seq in 0..count as u16 {
        if Instant::now() >= deadline {
            break;
        }
        let mut packet = vec![8u8, 0, 0, 0];
        packet.extend_from_slice(&ident.to_be_bytes());
        packet.extend_from_slice(&seq.to_be_bytes());
        packet.extend_from_slice(b"supportctl ping.");
        let sum = checksum(&packet);
        packet[2..4].copy_from_slice(&sum.to_be_bytes());
        let sent_at = Instant::now();
        // SAFETY: a valid buffer and address of the right length.
        let n = unsafe {
            libc::sendto(
                raw,
                packet.as_ptr().cast(),
                packet.len(),
                0,
                (&to as *const libc::sockaddr_in).cast(),
                std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
            )
        };
        if n < 0 {
            return Err(format!(
                "sending an echo failed: {}",
                std::io::Error::last_os_error()
            ));
        }
        pings.sent += 1;
        let wait_until = (sent_at + interval.max(Duration::from_millis(200)) * 2).min(deadline);
        let mut buf = [0u8; 1500];
        while let Some(left) = wait_until.checked_duration_since(Instant::now()) {
            let mut pfd = libc::pollfd {
                fd: raw,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            let ready = unsafe { libc::poll(&mut pfd, 1, left.as_millis().max(1) as libc::c_int) };
            if ready <= 0 {
                break;
            }
            // SAFETY: a valid buffer.
            let n = unsafe { libc::recv(raw, buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n <= 0 {
                break;
            }
            let mut reply = &buf[..n as usize];
            // macOS hands over the IP header too.
            if reply.first().is_some_and(|b| b >> 4 == 4) {
                let ihl = usize::from(reply[0] & 0x0f) * 4;
                reply = reply.get(ihl..).unwrap_or_default();
            }
            if reply.len() >= 8 && reply[0] == 0 && u16::from_be_bytes([reply[6], reply[7]]) == seq
            {
                pings.rtts.push(sent_at.elapsed().as_secs_f64() * 1000.0);
                break;
            }
        }
        let next = sent_at + interval;
        if seq + 1 < count as u16 {
            std::thread::sleep(
                next.saturating_duration_since(Instant::now())
                    .min(deadline.saturating_duration_since(Instant::now())),
            );
        }
    }
    Ok(pings)
}

#[cfg(not(unix))]
fn socket_ping(_: std::net::Ipv4Addr, _: u32, _: Duration, _: Instant) -> Result<Pings, String> {
    Err("ICMP sockets are not used on this OS".into())
}

/// The Internet checksum of an ICMP message.
#[cfg(unix)]
fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

impl PingStep {
    fn count(&self) -> u32 {
        self.count.unwrap_or(4)
    }

    fn interval(&self) -> Duration {
        self.interval.map_or(Duration::from_secs(1), |d| d.0)
    }

    /// The verdict (pure: tested without a network).
    pub fn judge(&self, target: &str, pings: &Pings, via: &str) -> Evaluation {
        let loss = pings.loss();
        let received = pings.rtts.len();
        if received == 0 {
            return Evaluation::problem(
                Status::Fail,
                "loss",
                format!(
                    "no reply from {target} to {} echo request(s) ({via})",
                    pings.sent
                ),
            );
        }
        let avg = pings.rtts.iter().sum::<f64>() / received as f64;
        let max = pings.rtts.iter().copied().fold(0.0, f64::max);
        let round = |v: f64| (v * 100.0).round() / 100.0;
        let mut e = Evaluation::new(
            Status::Pass,
            format!(
                "{received}/{} replies from {target}, {:.0}% lost, avg {} ms, max {} ms ({via})",
                pings.sent,
                loss,
                round(avg),
                round(max)
            ),
        );
        let ms = |d: Option<Dur>| d.map(|d| d.0.as_secs_f64() * 1000.0);
        let mut loss_m = Measurement::new("packet_loss", round(loss), "percent");
        loss_m.warn = self.warn_loss;
        loss_m.fail = self.fail_loss;
        let mut rtt_m = Measurement::new("rtt_avg", round(avg), "ms");
        rtt_m.warn = ms(self.warn_rtt);
        rtt_m.fail = ms(self.fail_rtt);
        let fail =
            self.fail_loss.is_some_and(|f| loss > f) || ms(self.fail_rtt).is_some_and(|f| avg > f);
        let warn =
            self.warn_loss.is_some_and(|w| loss > w) || ms(self.warn_rtt).is_some_and(|w| avg > w);
        e.status = if fail {
            Status::Fail
        } else if warn {
            Status::Warn
        } else {
            Status::Pass
        };
        if e.status != Status::Pass {
            let lossy = self.fail_loss.is_some_and(|f| loss > f)
                || (!fail && self.warn_loss.is_some_and(|w| loss > w));
            e.reason = Some(if lossy { "loss" } else { "rtt" });
        }
        e.measurements.push(loss_m);
        e.measurements.push(rtt_m);
        e
    }

    /// The system `ping`'s echoes; `Err` holds a reason code and why.
    fn system(&self, ip: &str, ctx: &StepContext) -> Result<Pings, (&'static str, String)> {
        let wait = ctx.timeout.min(Duration::from_secs(5));
        let argv = system_argv(
            std::env::consts::OS,
            ip,
            self.count(),
            self.interval(),
            wait,
        );
        let r = process::run(
            &ProcessSpec {
                argv,
                max_output: 256 * 1024,
                ..Default::default()
            },
            ctx.deadline,
            ctx.cancel,
        );
        let rtts = parse_ping(&r.stdout);
        match r.ending {
            Ending::Exited(code) if code != 0 && rtts.is_empty() && refused_by_os(&r.stderr) => {
                Err((
                    "not_allowed",
                    format!(
                        "the system ping is not allowed to send echo requests here: {}",
                        r.stderr.trim()
                    ),
                ))
            }
            // ping exits 1 when replies are missing: the output still counts.
            Ending::Exited(_) | Ending::TimedOut => Ok(Pings {
                sent: self.count(),
                rtts,
            }),
            Ending::Interrupted => Err(("interrupted", "interrupted".into())),
            Ending::SpawnFailed(e) => Err((
                "no_program",
                format!("`ping` is not installed or cannot be run here: {e}"),
            )),
        }
    }
}

/// Whether `ping`'s error output says the OS refused it (no privilege to
/// open a raw socket, a sandbox, a policy), rather than that nothing answered.
fn refused_by_os(stderr: &str) -> bool {
    let t = stderr.to_ascii_lowercase();
    [
        "not permitted",
        "permission denied",
        "must be root",
        "access denied",
        "requires administrator",
        "cap_net_raw",
    ]
    .iter()
    .any(|w| t.contains(w))
}

impl super::Reasons for PingStep {
    const REASONS: &'static [(&'static str, &'static str)] = &[
        (
            "loss",
            "echo requests went unanswered (all of them, or more than the loss thresholds)",
        ),
        ("rtt", "replies came slower than `warn_rtt`/`fail_rtt`"),
        (
            "no_program",
            "no ICMP socket allowed and `ping` is not installed (or cannot run)",
        ),
        (
            "not_allowed",
            "this user may not send pings here (no ICMP socket, `ping` refused by the OS)",
        ),
        ("unresolved", "the host name has no address (DNS)"),
        (
            "no_gateway",
            "the target was `{{ gateway }}` and this machine has none",
        ),
        ("timeout", "resolving the host did not finish in time"),
        ("error", "another error (see the message)"),
    ];
}

impl Check for PingStep {
    fn evaluate(&self, ctx: &StepContext) -> Evaluation {
        let addrs = match crate::net::resolve(&self.host, 0, ctx.deadline) {
            Ok(a) => a,
            Err(e) => {
                let reason = match e.failure {
                    crate::net::ResolveFailure::NoGateway => "no_gateway",
                    crate::net::ResolveFailure::TimedOut => "timeout",
                    _ => "unresolved",
                };
                return Evaluation::problem(Status::Fail, reason, e.message);
            }
        };
        let ip = addrs
            .iter()
            .map(|a| a.ip())
            .find(|ip| ip.is_ipv4())
            .unwrap_or(addrs[0].ip());
        let target = if ip.to_string() == self.host {
            self.host.clone()
        } else {
            format!("{} ({ip})", self.host)
        };
        let socket = match (self.method, ip) {
            (Method::System, _) => None,
            (_, std::net::IpAddr::V4(v4)) => {
                Some(socket_ping(v4, self.count(), self.interval(), ctx.deadline))
            }
            (_, std::net::IpAddr::V6(_)) => Some(Err("ICMP sockets are used for IPv4 only".into())),
        };
        let (pings, via) = match socket {
            Some(Ok(p)) => (p, "ICMP socket".to_string()),
            Some(Err(why)) if self.method == Method::Socket => {
                return Evaluation::problem(
                    Status::Error,
                    "not_allowed",
                    format!("{why} (method = \"socket\"); try method = \"system\""),
                );
            }
            _ => match self.system(&ip.to_string(), ctx) {
                Ok(p) => (p, "system ping".to_string()),
                Err((reason, e)) => return Evaluation::problem(Status::Error, reason, e),
            },
        };
        let mut e = self.judge(&target, &pings, &via);
        if ctx.cancel.is_set() {
            e.status = Status::Error;
            e.reason = Some("interrupted");
            e.message = format!("interrupted after {}", human_duration(ctx.timeout));
        }
        e
    }

    fn waits_on_network(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        format!("pings {} {} times", self.host, self.count())
    }

    fn default_timeout(&self) -> Duration {
        // The echoes, plus a few seconds for the last reply.
        (self.interval() * self.count()).saturating_add(Duration::from_secs(5))
    }

    fn validate(&self, _facts: &Facts) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let mut problem = |key, message: String, hint: &str| {
            out.push(FieldProblem {
                key,
                message,
                hint: Some(hint.into()),
            })
        };
        if self.host.trim().is_empty()
            || self.host.contains(char::is_whitespace)
            || self.host.starts_with('-')
        {
            problem(
                "host",
                format!("`{}` is not a host name or address", self.host),
                "e.g. host = \"10.0.0.1\"",
            );
        }
        if self.count.is_some_and(|c| c == 0 || c > 1000) {
            problem(
                "count",
                "`count` must be 1 to 1000".into(),
                "e.g. count = 4",
            );
        }
        if self
            .interval
            .is_some_and(|d| d.0 < Duration::from_millis(200))
        {
            problem(
                "interval",
                "`interval` must be at least 200ms".into(),
                "faster pinging needs root and floods the network",
            );
        }
        for (key, v) in [("warn_loss", self.warn_loss), ("fail_loss", self.fail_loss)] {
            if v.is_some_and(|v| !(0.0..=100.0).contains(&v)) {
                problem(
                    key,
                    format!("`{key}` is a percentage from 0 to 100"),
                    "e.g. warn_loss = 25",
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_linux_macos_and_windows_output() {
        let linux = "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n\
                     64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms\n\
                     64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.061 ms\n\n\
                     --- 127.0.0.1 ping statistics ---\n2 packets transmitted, 2 received, 0% packet loss, time 1001ms\n";
        assert_eq!(parse_ping(linux), vec![0.045, 0.061]);
        let macos = "PING 10.0.0.1 (10.0.0.1): 56 data bytes\n\
                     64 bytes from 10.0.0.1: icmp_seq=0 ttl=64 time=3.512 ms\n\
                     Request timeout for icmp_seq 1\n";
        assert_eq!(parse_ping(macos), vec![3.512]);
        let windows = "Pinging 10.0.0.1 with 32 bytes of data:\r\n\
                       Reply from 10.0.0.1: bytes=32 time=12ms TTL=128\r\n\
                       Reply from 10.0.0.1: bytes=32 time<1ms TTL=128\r\n\
                       Request timed out.\r\n\
                       Reply from 10.0.0.9: Destination host unreachable.\r\n";
        assert_eq!(parse_ping(windows), vec![12.0, 0.5]);
        let german = "Antwort von 10.0.0.1: Bytes=32 Zeit=7ms TTL=128\r\n";
        assert_eq!(parse_ping(german), vec![7.0]);
    }

    #[test]
    fn verdicts_from_loss_and_round_trips() {
        let s: PingStep =
            toml::from_str("host = \"h\"\nwarn_loss = 20\nfail_loss = 50\nwarn_rtt = \"100ms\"")
                .unwrap();
        let p = |sent, rtts: &[f64]| Pings {
            sent,
            rtts: rtts.to_vec(),
        };
        assert_eq!(
            s.judge("h", &p(4, &[1.0, 1.0, 1.0, 1.0]), "x").status,
            Status::Pass
        );
        assert_eq!(
            s.judge("h", &p(4, &[1.0, 1.0, 1.0]), "x").status,
            Status::Warn
        );
        assert_eq!(s.judge("h", &p(4, &[1.0]), "x").status, Status::Fail);
        assert_eq!(s.judge("h", &p(4, &[]), "x").status, Status::Fail);
        assert_eq!(
            s.judge("h", &p(2, &[150.0, 150.0]), "x").status,
            Status::Warn
        );
        // Without thresholds only total loss fails.
        let plain: PingStep = toml::from_str("host = \"h\"").unwrap();
        assert_eq!(plain.judge("h", &p(4, &[1.0]), "x").status, Status::Pass);
    }

    #[test]
    fn system_ping_arguments_per_os() {
        let d = Duration::from_secs(1);
        assert_eq!(
            system_argv("windows", "10.0.0.1", 4, d, d),
            ["ping", "-n", "4", "-w", "1000", "10.0.0.1"]
        );
        assert_eq!(
            system_argv("linux", "::1", 2, d, d),
            ["ping", "-6", "-n", "-c", "2", "-i", "1.0", "-W", "1", "::1"]
        );
        assert_eq!(system_argv("macos", "10.0.0.1", 3, d, d)[0], "ping");
    }

    #[cfg(unix)]
    #[test]
    fn icmp_checksum() {
        assert_eq!(
            checksum(&[8, 0, 0, 0, 0, 1, 0, 1]),
            !(0x0800u16 + 0x0001 + 0x0001)
        );
    }
}
