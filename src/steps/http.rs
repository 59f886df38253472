//! `http`: GET or HEAD a URL and judge the answer: status, body, latency,
//! and for https the server certificate's days to expiry.
//!
//! The fetching is [`crate::http`]'s (bounded by the step's deadline from
//! resolving to the last body byte); this file holds the keys, their
//! load-time checks and the verdict, which is pure ([`HttpStep::judge`]).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::Url;

use super::{Check, Evaluation, FieldProblem, StepContext};
use crate::facts::Facts;
use crate::http::cert::CertInfo;
use crate::http::proxy::{self, ProxySetting};
use crate::http::tls::{self, TlsOptions};
use crate::http::{self as client, Error, Failed, Response};
use crate::report::{Measurement, Output, Status};
use crate::values::{ByteSize, Dur, OneOrMany, Pattern};

/// The request method.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Method {
    #[default]
    #[serde(rename = "GET", alias = "get")]
    Get,
    /// Headers only: no body is sent back, so body checks cannot be used.
    #[serde(rename = "HEAD", alias = "head")]
    Head,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
        }
    }
}

/// Accepted status codes: `200`, `"200-299"` or `"2xx"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusRange {
    pub low: u16,
    pub high: u16,
}

impl StatusRange {
    fn contains(self, status: u16) -> bool {
        (self.low..=self.high).contains(&status)
    }

    fn parse(text: &str) -> Result<StatusRange, String> {
        let bad = || {
            format!(
                "`{text}` is not a final status code or range (200-599); write 200, \"200-299\" or \"2xx\""
            )
        };
        let code = |s: &str| {
            s.trim()
                .parse::<u16>()
                .ok()
                .filter(|c| (200..=599).contains(c))
                .ok_or_else(bad)
        };
        let t = text.trim();
        if let Some(first) = t.strip_suffix("xx").or_else(|| t.strip_suffix("XX")) {
            let d = code(&format!("{first}00"))?;
            return Ok(StatusRange {
                low: d,
                high: d + 99,
            });
        }
        let (low, high) = match t.split_once('-') {
            Some((a, b)) => (code(a)?, code(b)?),
            None => (code(t)?, code(t)?),
        };
        if low > high {
            return Err(bad());
        }
        Ok(StatusRange { low, high })
    }
}

impl fmt::Display for StatusRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.low == self.high {
            write!(f, "{}", self.low)
        } else {
            write!(f, "{}-{}", self.low, self.high)
        }
    }
}

impl<'de> Deserialize<'de> for StatusRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Code(i64),
            Text(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Code(c) => c.to_string(),
            Raw::Text(t) => t,
        };
        StatusRange::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Serialize for StatusRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for StatusRange {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "StatusRange".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A status code (200), a range (\"200-299\") or a class (\"2xx\").",
            "anyOf": [
                {"type": "integer", "minimum": 100, "maximum": 599},
                {"type": "string", "pattern": "^\\s*([1-5][0-9][0-9]\\s*(-\\s*[1-5][0-9][0-9])?|[1-5](xx|XX))\\s*$"}
            ]
        })
    }
}

/// Keys of an `http` step.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct HttpStep {
    /// `http://` or `https://` URL (templated), e.g. `"https://portal.corp.example/health"`.
    pub url: String,
    /// `GET` (default) or `HEAD`.
    #[serde(default)]
    pub method: Method,
    /// Accepted final status codes (default `"200-399"`).
    pub expect_status: Option<OneOrMany<StatusRange>>,
    /// Texts the body must contain (all of them).
    #[serde(default)]
    pub body_contains: OneOrMany<String>,
    /// A regular expression the body must match.
    pub body_regex: Option<Pattern>,
    /// Request headers, e.g. `{ Authorization = "Bearer ..." }`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Redirects followed at most (default 5; 0: the redirect is the answer).
    pub max_redirects: Option<u32>,
    /// `"http://host:port"` (credentials as `http://user:pass@host:port`), or
    /// `"none"`; default: the environment (`https_proxy`, `http_proxy`, `no_proxy`).
    pub proxy: Option<String>,
    /// Accept any certificate (self-signed devices). Expiry is still read.
    #[serde(default)]
    pub insecure: bool,
    /// A PEM file of extra CA certificates to trust (an organisation's own CA).
    pub ca_file: Option<String>,
    /// Warn when the certificate expires in fewer days (default 14; not applied with `insecure` unless set).
    pub cert_warn_days: Option<u32>,
    /// Fail when the certificate expires in fewer days (default 0: expired; not applied with `insecure` unless set).
    pub cert_fail_days: Option<u32>,
    /// Warn when the response takes longer than this.
    pub warn_latency: Option<Dur>,
    /// Fail when the response takes longer than this.
    pub fail_latency: Option<Dur>,
    /// Body bytes read for body checks (default 1 MiB).
    pub max_body: Option<ByteSize>,
}

const DEFAULT_STATUS: StatusRange = StatusRange {
    low: 200,
    high: 399,
};
const DEFAULT_REDIRECTS: u32 = 5;
const DEFAULT_MAX_BODY: u64 = 1024 * 1024;
const MAX_REDIRECTS: u32 = 50;
const MAX_BODY: u64 = 64 * 1024 * 1024;

impl HttpStep {
    fn statuses(&self) -> Vec<StatusRange> {
        match &self.expect_status {
            Some(list) if !list.0.is_empty() => list.0.clone(),
            _ => vec![DEFAULT_STATUS],
        }
    }

    fn checks_body(&self) -> bool {
        !self.body_contains.0.is_empty() || self.body_regex.is_some()
    }

    /// Expiry thresholds in days: (warn, fail), defaults only when verifying.
    fn cert_limits(&self) -> (Option<u32>, Option<u32>) {
        if self.insecure {
            (self.cert_warn_days, self.cert_fail_days)
        } else {
            (
                Some(self.cert_warn_days.unwrap_or(14)),
                Some(self.cert_fail_days.unwrap_or(0)),
            )
        }
    }

    fn proxy_setting(&self) -> Result<ProxySetting, String> {
        match self.proxy.as_deref().map(str::trim) {
            None => Ok(ProxySetting::FromEnv),
            Some(p) if p.eq_ignore_ascii_case("none") => Ok(ProxySetting::Direct),
            Some(p) => proxy::parse_proxy(p).map(ProxySetting::Explicit),
        }
    }

    fn request(&self, timeout: Duration) -> Result<client::Request, String> {
        let mut url = parse_url(&self.url)?;
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        // `https://user:pass@host/` logs in with Basic authentication, as in
        // curl; the credentials then leave the URL so no message shows them.
        if let Some(auth) = proxy::basic_auth(&url)
            && !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        {
            headers.push(("Authorization".into(), auth));
        }
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let extra_roots = match &self.ca_file {
            Some(path) => tls::read_pem_certificates(std::path::Path::new(path))?,
            None => Vec::new(),
        };
        Ok(client::Request {
            method: self.method.as_str(),
            url,
            headers,
            max_redirects: self.max_redirects.unwrap_or(DEFAULT_REDIRECTS),
            proxy: self.proxy_setting()?,
            tls: TlsOptions {
                insecure: self.insecure,
                extra_roots,
            },
            max_body: self
                .checks_body()
                .then(|| self.max_body.map_or(DEFAULT_MAX_BODY, |b| b.0)),
            excerpt_unless: self.statuses().iter().map(|r| (r.low, r.high)).collect(),
            timeout,
        })
    }

    /// The verdict on a fetch (pure: `now` in Unix seconds).
    pub fn judge(&self, result: Result<Response, Failed>, now: i64) -> Evaluation {
        let method = self.method.as_str();
        let resp = match result {
            Ok(r) => r,
            Err(failed) => return self.judge_failure(failed, now),
        };
        let status = resp.head.status;
        let mut line = format!("{method} {} -> {status}", resp.url);
        if !resp.head.reason.is_empty() {
            line.push_str(&format!(" {}", resp.head.reason));
        }
        line.push_str(&format!(" in {} ms", crate::net::ms(resp.took)));
        line.push_str(&redirect_note(&resp.redirects));
        if let Some(p) = &resp.proxy {
            line.push_str(&format!(" via {p}"));
        }
        let mut problems: Vec<(Status, &'static str, String)> = Vec::new();
        let statuses = self.statuses();
        if !statuses.iter().any(|r| r.contains(status)) {
            let want: Vec<String> = statuses.iter().map(ToString::to_string).collect();
            let mut why = format!("status {status}, expected {}", want.join(" or "));
            if let (true, Some(loc)) = ((300..400).contains(&status), resp.head.header("location"))
            {
                why.push_str(&format!(" (redirects to {loc})"));
            }
            problems.push((Status::Fail, "status", why));
        }
        let mut output = None;
        if resp.body.is_none() && self.checks_body() {
            problems.push((
                Status::Fail,
                "body",
                format!("the {status} response has no body to check"),
            ));
        }
        if let Some(body) = &resp.body {
            let text = String::from_utf8_lossy(&body.bytes);
            let scope = if body.truncated {
                format!(
                    " in its first {}",
                    crate::values::human_bytes(body.bytes.len() as u64)
                )
            } else {
                String::new()
            };
            for needle in &self.body_contains.0 {
                if !text.contains(needle.as_str()) {
                    problems.push((
                        Status::Fail,
                        "body",
                        format!("the body lacks `{needle}`{scope}"),
                    ));
                }
            }
            if let Some(re) = &self.body_regex
                && !re.0.is_match(&text)
            {
                problems.push((
                    Status::Fail,
                    "body",
                    format!("the body does not match /{}/{scope}", re.0.as_str()),
                ));
            }
            let start: String = text.chars().take(2048).collect();
            output = Some(Output {
                truncated: start.len() < body.bytes.len(),
                stdout: start,
                stderr: String::new(),
            });
        }
        let mut measurements = vec![Measurement::new("status_code", f64::from(status), "")];
        let cert_note = self.judge_certs(&resp.certs, now, &mut problems, &mut measurements);
        if let Some(note) = cert_note {
            line.push_str(&format!("; {note}"));
        }
        // The first of the worst problems names the reason.
        let worst = problems.iter().rev().max_by_key(|(s, _, _)| severity(*s));
        let mut e = Evaluation::new(worst.map_or(Status::Pass, |w| w.0), line);
        e.reason = worst.map(|w| w.1);
        if !problems.is_empty() {
            let list: Vec<&str> = problems.iter().map(|(_, _, m)| m.as_str()).collect();
            e.message = format!("{}: {}", list.join("; "), e.message);
        }
        e.measurements = measurements;
        super::latency::judge_latency(
            &mut e,
            "response_time",
            resp.took,
            self.warn_latency,
            self.fail_latency,
        );
        // The page is kept only to explain a failure or warning.
        if e.status != Status::Pass {
            e.show_output = output.is_some();
            e.output = output;
        }
        e
    }

    /// Judges the certificate closest to expiry; returns a note for the message.
    fn judge_certs(
        &self,
        certs: &[CertInfo],
        now: i64,
        problems: &mut Vec<(Status, &'static str, String)>,
        measurements: &mut Vec<Measurement>,
    ) -> Option<String> {
        let cert = soonest_to_expire(certs)?;
        let days = cert.days_left(now);
        let (warn, fail) = self.cert_limits();
        measurements.push(self.cert_measurement(cert, now));
        let phrase = format!("certificate of {} {}", cert.host, cert.expiry_phrase(now));
        if let Some(f) = fail
            && days < i64::from(f)
        {
            problems.push((
                Status::Fail,
                "cert_expiring",
                format!("{phrase}, under cert_fail_days {f}"),
            ));
        } else if let Some(w) = warn
            && days < i64::from(w)
        {
            problems.push((
                Status::Warn,
                "cert_expiring",
                format!("{phrase}, under cert_warn_days {w}"),
            ));
        } else {
            return Some(phrase);
        }
        None
    }

    /// `cert_days_left` with the expiry thresholds in force.
    fn cert_measurement(&self, cert: &CertInfo, now: i64) -> Measurement {
        let (warn, fail) = self.cert_limits();
        let mut m = Measurement::new("cert_days_left", cert.days_left(now) as f64, "days");
        m.warn = warn.map(f64::from);
        m.fail = fail.map(f64::from);
        m.below = true;
        m
    }

    fn judge_failure(&self, failed: Failed, now: i64) -> Evaluation {
        let message = failed.error.to_string() + &redirect_note(&failed.redirects);
        let mut e = Evaluation::problem(Status::Fail, failed.error.code(), message);
        let mut certs = failed.certs;
        if let Error::Tls { failure, .. } = &failed.error {
            certs.extend(failure.cert.as_deref().cloned());
        }
        if let Some(cert) = soonest_to_expire(&certs) {
            e.measurements.push(self.cert_measurement(cert, now));
        }
        if matches!(failed.error, Error::Cancelled | Error::Config(_)) {
            e.status = Status::Error;
        }
        e
    }
}

/// The certificate judged when several hosts were crossed: the soonest to expire.
fn soonest_to_expire(certs: &[CertInfo]) -> Option<&CertInfo> {
    certs.iter().min_by_key(|c| c.not_after)
}

/// " (after 2 redirects from URL)", or nothing without redirects.
fn redirect_note(redirects: &[client::Hop]) -> String {
    match redirects.first() {
        None => String::new(),
        Some(first) => format!(
            " (after {} redirect{} from {})",
            redirects.len(),
            if redirects.len() == 1 { "" } else { "s" },
            first.url
        ),
    }
}

fn severity(s: Status) -> u8 {
    match s {
        Status::Fail | Status::Error => 2,
        Status::Warn => 1,
        _ => 0,
    }
}

/// Parses a step's URL: http or https, with a host.
fn parse_url(raw: &str) -> Result<Url, String> {
    let text = &proxy::mask_credentials(raw);
    let url = Url::parse(raw.trim()).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "`{text}`: only http:// and https:// URLs can be fetched"
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{text}` names no host"));
    }
    if url.port() == Some(0) {
        return Err(format!("`{text}`: port 0 cannot be connected to"));
    }
    Ok(url)
}

/// Whether a header name is an HTTP token.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl super::Reasons for HttpStep {
    const REASONS: &'static [(&'static str, &'static str)] = &[
        (
            "status",
            "the server answered with a status outside `expect_status`",
        ),
        (
            "body",
            "the body lacks `body_contains`, misses `body_regex`, or is absent",
        ),
        (
            "cert_expired",
            "the certificate has expired or is not valid yet (or the clock is wrong)",
        ),
        (
            "cert_expiring",
            "the certificate expires within `cert_warn_days`/`cert_fail_days`",
        ),
        (
            "cert_untrusted",
            "the certificate's issuer is not trusted here (self-signed, or a TLS-inspecting proxy's CA)",
        ),
        ("cert_name", "the certificate is for another name"),
        (
            "tls",
            "the TLS handshake failed (old protocol, not a TLS port)",
        ),
        (
            "proxy",
            "the proxy could not be reached or refused the request",
        ),
        ("dns", "the host name has no address"),
        ("connect", "the connection was refused or failed (no route)"),
        ("timeout", "no connection or no response in time"),
        (
            "dropped",
            "the server closed or reset the connection before answering",
        ),
        ("protocol", "the answer was not valid HTTP"),
        ("redirects", "more redirects than `max_redirects`"),
        (
            "config",
            "the URL, proxy or `ca_file` settings are unusable",
        ),
        (
            "slow",
            "answered, but slower than `warn_latency`/`fail_latency`",
        ),
    ];
}

impl Check for HttpStep {
    fn evaluate(&self, ctx: &StepContext) -> Evaluation {
        let request = match self.request(ctx.timeout) {
            Ok(r) => r,
            Err(e) => return Evaluation::problem(Status::Error, "config", e),
        };
        let result = client::fetch(&request, ctx.deadline, ctx.cancel);
        self.judge(result, jiff::Timestamp::now().as_second())
    }

    fn waits_on_network(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        format!(
            "{} {}",
            self.method.as_str(),
            proxy::mask_credentials(&self.url)
        )
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(10)
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
        if let Err(e) = parse_url(&self.url) {
            problem(
                "url",
                e,
                "e.g. url = \"https://portal.corp.example/health\"",
            );
        }
        if self.method == Method::Head && self.checks_body() {
            problem(
                "body_contains",
                "a HEAD request gets no body to check".into(),
                "use method = \"GET\", or drop the body checks",
            );
        }
        for (name, value) in &self.headers {
            if !is_token(name) {
                problem(
                    "headers",
                    format!("`{name}` is not a valid header name"),
                    "letters, digits and - only, e.g. X-Request-Id",
                );
            }
            if ["content-length", "transfer-encoding", "connection"]
                .iter()
                .any(|h| name.eq_ignore_ascii_case(h))
            {
                problem(
                    "headers",
                    format!("`{name}` is set by supportctl itself"),
                    "GET and HEAD carry no body, and each check uses one connection",
                );
            }
            if self
                .headers
                .keys()
                .filter(|k| k.eq_ignore_ascii_case(name))
                .count()
                > 1
            {
                problem(
                    "headers",
                    format!("`{name}` is given twice (header names ignore case)"),
                    "keep one of them",
                );
            }
            if value
                .chars()
                .any(|c| c.is_control() && c != '\t' && c != '\r' && c != '\n')
            {
                problem(
                    "headers",
                    format!("the value of `{name}` contains a control character"),
                    "header values are printable text",
                );
            }
            if value.contains(['\r', '\n']) {
                problem(
                    "headers",
                    format!("the value of `{name}` contains a line break"),
                    "header values are one line",
                );
            }
        }
        if self.max_redirects.is_some_and(|n| n > MAX_REDIRECTS) {
            problem(
                "max_redirects",
                format!(
                    "{} redirects is more than {MAX_REDIRECTS}",
                    self.max_redirects.unwrap_or(0)
                ),
                "a handful is plenty, e.g. 5",
            );
        }
        if let Err(e) = self.proxy_setting() {
            problem(
                "proxy",
                e,
                "e.g. proxy = \"http://proxy.corp.example:3128\", or \"none\" to go direct",
            );
        }
        if let Some(path) = &self.ca_file
            && let Err(e) = tls::read_pem_certificates(std::path::Path::new(path))
        {
            problem("ca_file", e, "a PEM file with one or more CA certificates");
        }
        if let (Some(w), Some(f)) = self.cert_limits()
            && w < f
        {
            problem(
                "cert_warn_days",
                format!("`cert_warn_days` ({w}) is below `cert_fail_days` ({f})"),
                "warn earlier (more days) than you fail",
            );
        }
        if self.max_body.is_some_and(|b| b.0 > MAX_BODY) {
            problem(
                "max_body",
                format!(
                    "`max_body` is above {}",
                    crate::values::human_bytes(MAX_BODY)
                ),
                "body checks need the start of a page, e.g. max_body = \"1MiB\"",
            );
        }
        if self.expect_status.as_ref().is_some_and(|l| l.0.is_empty()) {
            problem(
                "expect_status",
                "`expect_status` is an empty list".into(),
                "list the accepted codes, e.g. expect_status = [200, 204], or leave it out for 200-399",
            );
        }
        if self.max_body.is_some_and(|b| b.0 == 0) {
            problem(
                "max_body",
                "`max_body` is 0".into(),
                "e.g. max_body = \"1MiB\"",
            );
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
    use crate::http::Hop;
    use crate::http::wire::{Body, Head};
    use std::time::Duration;

    fn step(toml: &str) -> HttpStep {
        toml::from_str(toml).unwrap()
    }

    const DAY: i64 = 86_400;
    const NOW: i64 = 1_800_000_000;

    fn cert(days: i64) -> CertInfo {
        CertInfo {
            host: "portal.test".into(),
            subject: "CN=portal.test".into(),
            issuer: "CN=Test CA".into(),
            names: vec!["portal.test".into()],
            not_before: NOW - 100 * DAY,
            not_after: NOW + days * DAY + 60,
        }
    }

    fn response(status: u16, body: &str, certs: Vec<CertInfo>) -> Response {
        Response {
            url: Url::parse("https://portal.test/health").unwrap(),
            head: Head {
                status,
                reason: "Reason".into(),
                headers: vec![("Location".into(), "/login".into())],
            },
            body: Some(Body {
                bytes: body.as_bytes().to_vec(),
                truncated: false,
            }),
            redirects: vec![],
            took: Duration::from_millis(20),
            certs,
            proxy: None,
        }
    }

    #[test]
    fn status_ranges_parse() {
        let r = |s: &str| StatusRange::parse(s);
        assert_eq!(
            r("200").unwrap(),
            StatusRange {
                low: 200,
                high: 200
            }
        );
        assert_eq!(
            r("200-299").unwrap(),
            StatusRange {
                low: 200,
                high: 299
            }
        );
        assert_eq!(
            r("4xx").unwrap(),
            StatusRange {
                low: 400,
                high: 499
            }
        );
        for bad in [
            "", "99", "600", "2xxx", "300-200", "abc", "6xx", "1xx", "101",
        ] {
            assert!(r(bad).is_err(), "{bad}");
        }
        let s = step("url = \"http://h/\"\nexpect_status = [204, \"3xx\"]");
        assert_eq!(s.statuses().len(), 2);
    }

    #[test]
    fn status_body_and_certificate_verdicts() {
        let s = step("url = \"https://portal.test/health\"\nbody_contains = \"healthy\"");
        let pass = s.judge(Ok(response(200, "all healthy", vec![cert(90)])), NOW);
        assert_eq!(pass.status, Status::Pass, "{}", pass.message);
        assert!(
            pass.message.contains("-> 200 Reason in 20 ms"),
            "{}",
            pass.message
        );
        assert!(
            pass.message.contains("expires in 90 days"),
            "{}",
            pass.message
        );
        let e = s.judge(Ok(response(503, "all healthy", vec![cert(90)])), NOW);
        assert_eq!(e.status, Status::Fail);
        assert!(
            e.message.starts_with("status 503, expected 200-399"),
            "{}",
            e.message
        );
        let e = s.judge(Ok(response(200, "maintenance", vec![cert(90)])), NOW);
        assert_eq!(e.status, Status::Fail);
        assert!(
            e.message.contains("the body lacks `healthy`"),
            "{}",
            e.message
        );
        assert!(e.show_output);
        let e = s.judge(Ok(response(200, "healthy", vec![cert(5)])), NOW);
        assert_eq!(e.status, Status::Warn);
        assert!(e.message.contains("expires in 5 days"), "{}", e.message);
        assert!(
            e.message.contains("under cert_warn_days 14"),
            "{}",
            e.message
        );
        let strict = step("url = \"https://h/\"\ncert_fail_days = 7\ncert_warn_days = 30");
        assert_eq!(
            strict
                .judge(Ok(response(200, "", vec![cert(5)])), NOW)
                .status,
            Status::Fail
        );
        // insecure: no default expiry thresholds.
        let lax = step("url = \"https://h/\"\ninsecure = true");
        assert_eq!(
            lax.judge(Ok(response(200, "", vec![cert(-3)])), NOW).status,
            Status::Pass
        );
        let redirect = step("url = \"https://h/\"\nexpect_status = 200\nmax_redirects = 0");
        let e = redirect.judge(Ok(response(302, "", vec![])), NOW);
        assert!(
            e.message
                .contains("status 302, expected 200 (redirects to /login)"),
            "{}",
            e.message
        );
    }

    #[test]
    fn url_credentials_become_basic_auth_and_leave_the_url() {
        let s = step("url = \"https://admin:s3cret@10.0.0.40/status\"");
        let req = s.request(Duration::from_secs(1)).unwrap();
        assert_eq!(req.url.as_str(), "https://10.0.0.40/status");
        assert!(
            req.headers
                .contains(&("Authorization".into(), "Basic YWRtaW46czNjcmV0".into()))
        );
        assert_eq!(s.describe(), "GET https://***@10.0.0.40/status");
    }

    #[test]
    fn body_checks_on_a_response_without_body_fail() {
        let s = step("url = \"https://h/\"\nbody_contains = \"ok\"");
        let mut r = response(204, "", vec![]);
        r.body = None;
        let e = s.judge(Ok(r), NOW);
        assert_eq!(e.status, Status::Fail);
        assert!(
            e.message.contains("the 204 response has no body to check"),
            "{}",
            e.message
        );
    }

    #[test]
    fn failures_keep_what_was_seen() {
        let s = step("url = \"https://h/\"");
        let failed = Failed {
            error: Error::TooManyRedirects {
                max: 1,
                last: "https://h/c".into(),
            },
            redirects: vec![Hop {
                url: "https://h/a".into(),
                status: 302,
            }],
            certs: vec![cert(40)],
        };
        let e = s.judge(Err(failed), NOW);
        assert_eq!(e.status, Status::Fail);
        assert_eq!(
            e.message,
            "more than 1 redirects (the last to https://h/c) (after 1 redirect from https://h/a)"
        );
        assert_eq!(e.measurements[0].name, "cert_days_left");
        assert_eq!(e.measurements[0].value, 40.0);
    }

    #[test]
    fn load_time_problems() {
        let keys = |toml: &str| -> Vec<&'static str> {
            step(toml)
                .validate(&Facts::gather())
                .into_iter()
                .map(|p| p.key)
                .collect()
        };
        assert_eq!(keys("url = \"ftp://h/\""), ["url"]);
        assert_eq!(keys("url = \"not a url\""), ["url"]);
        assert_eq!(
            keys("url = \"http://h/\"\nmethod = \"HEAD\"\nbody_contains = \"x\""),
            ["body_contains"]
        );
        assert_eq!(
            keys("url = \"http://h/\"\nheaders = { \"Bad Name\" = \"x\" }"),
            ["headers"]
        );
        assert_eq!(
            keys("url = \"http://h/\"\nheaders = { X-A = \"a\\r\\nInjected: 1\" }"),
            ["headers"]
        );
        assert_eq!(
            keys("url = \"http://h/\"\nproxy = \"socks5://127.0.0.1:1080\""),
            ["proxy"]
        );
        assert_eq!(
            keys("url = \"http://h/\"\nca_file = \"/nonexistent/ca.pem\""),
            ["ca_file"]
        );
        assert_eq!(
            keys("url = \"http://h/\"\ncert_warn_days = 3\ncert_fail_days = 7"),
            ["cert_warn_days"]
        );
        assert_eq!(
            keys("url = \"http://h/\"\nwarn_latency = \"2s\"\nfail_latency = \"1s\""),
            ["warn_latency"]
        );
        assert_eq!(
            keys("url = \"http://h/\"\nmax_redirects = 500"),
            ["max_redirects"]
        );
        assert_eq!(
            keys("url = \"http://h/\"\nexpect_status = []"),
            ["expect_status"]
        );
        assert_eq!(
            keys("url = \"http://h/\"\nmax_body = \"1TiB\""),
            ["max_body"]
        );
        assert_eq!(keys("url = \"http://h:0/\""), ["url"]);
        assert_eq!(
            keys("url = \"http://h/\"\nheaders = { Host = \"a\", host = \"b\" }"),
            ["headers", "headers"]
        );
        assert_eq!(
            keys("url = \"http://h/\"\nheaders = { Content-Length = \"10\" }"),
            ["headers"]
        );
        assert!(
            keys("url = \"https://h:8443/x?y=1\"\nproxy = \"none\"\nmethod = \"head\"").is_empty()
        );
    }
}
