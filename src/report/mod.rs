//! The run report: pure data, serialisable, read by every renderer.
//!
//! The JSON form is the interface for scripts and fleet tools, so its shape
//! is versioned by [`SCHEMA_VERSION`]: fields may be added within a version,
//! never renamed or removed.

pub mod schema;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::facts::Facts;

/// Bumped on any incompatible change to the report's JSON shape.
pub const SCHEMA_VERSION: u32 = 1;

/// The outcome of one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fixed,
    Skipped,
    Warn,
    Fail,
    Error,
}

impl Status {
    /// Every status, in declaration order (`status as usize` indexes it).
    pub const ALL: [Status; 6] = [
        Status::Pass,
        Status::Fixed,
        Status::Skipped,
        Status::Warn,
        Status::Fail,
        Status::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fixed => "fixed",
            Status::Skipped => "skipped",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Error => "error",
        }
    }
}

/// A measured value with its unit and, where the step has them, thresholds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Measurement {
    pub name: String,
    pub value: f64,
    /// `bytes`, `percent`, `ms`, `s`, `days`, `count` or empty.
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub warn: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fail: Option<f64>,
    /// The thresholds alert when the value falls *below* them (free space).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub below: bool,
}

impl Measurement {
    pub fn new(name: &str, value: f64, unit: &str) -> Measurement {
        Measurement {
            name: name.into(),
            value,
            unit: unit.into(),
            warn: None,
            fail: None,
            below: false,
        }
    }
}

/// Captured program output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
/// Left out of the report when the step printed nothing; `stdout`,
/// `stderr` and `truncated` are each left out when empty or false.
pub struct Output {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stdout: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stderr: String,
    /// Part of the output was dropped to respect the size cap.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

impl Output {
    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.stdout.is_empty() && self.stderr.is_empty() && !self.truncated
    }
}

/// One evaluation within a step (a retry, the fix, the re-check).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Attempt {
    /// `attempt 1`, `fix`, `re-check`, ...
    pub label: String,
    pub status: Status,
    pub message: String,
    pub duration_ms: u64,
}

/// Everything known about one step after the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StepOutcome {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub status: Status,
    /// One line saying what was found (or why the step was skipped).
    pub message: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub measurements: Vec<Measurement>,
    /// What the step changed, or in a dry run would have changed.
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub output: Option<Output>,
    /// Show the output with the step even when it passed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub show_output: bool,
    /// Why the step did not pass: a stable code of its kind (`refused`,
    /// `nxdomain`, `exit`...) or of the runner (`condition`, `budget`...);
    /// see `docs/reasons.md`. Left out when the step passed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub advice: Option<String>,
    /// Retries, fix and re-check, in order, when there was more than one evaluation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<Attempt>,
    pub duration_ms: u64,
}

/// Counts of step statuses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub total: usize,
    pub pass: usize,
    pub fixed: usize,
    pub warn: usize,
    pub fail: usize,
    pub error: usize,
    pub skipped: usize,
}

impl Summary {
    pub fn of<'a>(steps: impl IntoIterator<Item = &'a StepOutcome>) -> Summary {
        let mut s = Summary::default();
        for step in steps {
            s.total += 1;
            *match step.status {
                Status::Pass => &mut s.pass,
                Status::Fixed => &mut s.fixed,
                Status::Warn => &mut s.warn,
                Status::Fail => &mut s.fail,
                Status::Error => &mut s.error,
                Status::Skipped => &mut s.skipped,
            } += 1;
        }
        s
    }

    pub fn add(&mut self, o: &Summary) {
        self.total += o.total;
        self.pass += o.pass;
        self.fixed += o.fixed;
        self.warn += o.warn;
        self.fail += o.fail;
        self.error += o.error;
        self.skipped += o.skipped;
    }

    /// The worst status present (`pass` when empty).
    pub fn worst(&self) -> Status {
        if self.error > 0 && self.fail == 0 {
            Status::Error
        } else if self.fail > 0 {
            Status::Fail
        } else if self.warn > 0 {
            Status::Warn
        } else {
            Status::Pass
        }
    }
}

/// The results of one playbook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlaybookReport {
    pub name: String,
    /// The playbook's own `version` (from `[playbook]`), when it has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub version: Option<String>,
    /// Whether the playbook was signed, by which key, with what comment.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub signature: Option<Signature>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// A file path, or `shipped:NAME`.
    pub source: String,
    pub steps: Vec<StepOutcome>,
    pub summary: Summary,
    pub duration_ms: u64,
}

/// A playbook's signature status, as the machine policy found it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Signature {
    /// `signed` (verified against a trusted key), `shipped` (part of the
    /// binary) or `unsigned` (no signature, or none this machine trusts).
    pub status: String,
    /// The signing key's id (16 hex digits), when signed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub key_id: Option<String>,
    /// The signed trusted comment (`timestamp:… file:… playbook:… version:…`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trusted_comment: Option<String>,
}

/// The network as a report shows it: text, so redaction may replace an
/// address with a pseudonym.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Network {
    /// Interfaces that are up, loopback left out.
    #[serde(default)]
    pub interfaces: Vec<NetworkInterface>,
    /// The IPv4 default gateway (else the IPv6 one).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gateway: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gateway_interface: Option<String>,
    /// Resolvers in the order the OS asks them.
    #[serde(default)]
    pub dns_servers: Vec<String>,
}

/// One interface of [`Network`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NetworkInterface {
    pub name: String,
    /// `address/prefix`, e.g. `192.168.1.20/24`.
    pub addresses: Vec<String>,
}

/// What a playbook's `[[cause]]` tables concluded: a known cause that
/// matched, or (`matched = false`) that none did though steps failed, or
/// that nothing was wrong.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Conclusion {
    /// The playbook whose causes these are.
    pub playbook: String,
    /// Whether a known cause matched.
    pub matched: bool,
    /// The cause's id (when one matched).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    /// One sentence for the technician.
    pub summary: String,
    /// What to tell the user, in plain words.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tell_user: Option<String>,
    /// The technician's next steps.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next: Option<String>,
    /// The steps behind it (the cause's detecting steps, or the steps that
    /// did not end well when no cause matched), as they finally ended.
    #[serde(default)]
    pub steps: Vec<ConcludedStep>,
    /// The cause's resolvers, in the order tried.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<FixTried>,
    /// The resolvers cleared the cause: after one of them the cause no
    /// longer matched (its steps re-checked well).
    #[serde(default)]
    pub cleared: bool,
}

/// A step named by a conclusion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConcludedStep {
    pub id: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
}

/// A technician's note on a run (`supportctl note`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Note {
    /// When it was written (RFC 3339).
    pub at: String,
    /// Who wrote it (the user running supportctl).
    pub author: String,
    pub text: String,
}

/// One resolver of a cause, as tried.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FixTried {
    /// The fix step's id.
    pub step: String,
    /// How the fix step itself ended (`skipped` in a dry run, or when its
    /// `when` was unmet).
    pub status: Status,
    pub message: String,
    /// After it, the cause no longer matched.
    pub verified: bool,
}

/// The whole run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    pub schema_version: u32,
    pub tool: String,
    pub tool_version: String,
    /// Unique per run: host, time and process.
    pub run_id: String,
    /// RFC 3339 start time.
    pub started_at: String,
    pub duration_ms: u64,
    pub dry_run: bool,
    pub strict: bool,
    pub interrupted: bool,
    pub host: Facts,
    /// The machine's network as the run found it (addresses, gateway, DNS
    /// servers), for the ticket.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub network: Option<Network>,
    /// The ticket this run is for (`--ticket`, or `--var ticket=`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ticket: Option<String>,
    pub playbooks: Vec<PlaybookReport>,
    /// What the playbooks' known causes concluded (playbooks with
    /// `[[cause]]` tables only), in playbook order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conclusions: Vec<Conclusion>,
    /// Technicians' notes (`supportctl note`), added when a stored run is
    /// shown again from the history.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    pub summary: Summary,
    /// The process exit code this report leads to (see the README).
    pub exit_code: i32,
}

impl Report {
    pub fn steps(&self) -> impl Iterator<Item = (&PlaybookReport, &StepOutcome)> {
        self.playbooks
            .iter()
            .flat_map(|p| p.steps.iter().map(move |s| (p, s)))
    }
}

/// The result of evaluating a step once.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub status: Status,
    pub message: String,
    pub measurements: Vec<Measurement>,
    pub actions: Vec<String>,
    pub output: Option<Output>,
    pub show_output: bool,
    /// Why it did not pass (a code its kind documents); `None` on a pass.
    pub reason: Option<&'static str>,
}

impl Evaluation {
    pub fn new(status: Status, message: impl Into<String>) -> Evaluation {
        Evaluation {
            status,
            message: message.into(),
            measurements: Vec::new(),
            actions: Vec::new(),
            output: None,
            show_output: false,
            reason: None,
        }
    }

    /// The same evaluation with its reason code.
    pub fn because(mut self, reason: &'static str) -> Evaluation {
        self.reason = Some(reason);
        self
    }

    /// A non-pass evaluation with its reason code.
    pub fn problem(status: Status, reason: &'static str, message: impl Into<String>) -> Evaluation {
        Evaluation::new(status, message).because(reason)
    }
}
