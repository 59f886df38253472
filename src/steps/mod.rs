//! Step kinds: what a step can check or do.
//!
//! Each kind is one file here: a config struct (serde + schemars) and an impl
//! of [`Check`]. Kinds never print; they return an [`Evaluation`] and the
//! renderers decide how it looks. Adding a kind = one new file plus one line
//! in the [`step_kinds!`] list below, which generates the [`StepKind`] enum,
//! the kind names, their accepted keys, decoding and the JSON Schema.

pub mod bundle;
pub mod cleanup;
pub mod clock;
pub mod command;
pub mod disk;
pub mod dns;
pub mod http;
pub mod latency;
pub mod logscan;
pub mod ping;
pub mod process;
pub mod requirements;
pub mod service;
pub mod software;
pub mod tcp;
pub mod wifi;

use std::time::{Duration, Instant};

use crate::cancel::Cancel;
use crate::facts::Facts;
use crate::progress::Progress;
use crate::report::Report;

/// What a step can use while it runs.
pub struct StepContext<'a> {
    pub dry_run: bool,
    /// The step's time budget ends here; kinds stop their work by then.
    pub deadline: Instant,
    /// The step's configured timeout (for messages).
    pub timeout: Duration,
    /// Set when the run is interrupted or the step overran its budget:
    /// stop as soon as possible.
    pub cancel: &'a Cancel,
    pub facts: &'a Facts,
    /// For long steps: `progress.detail("1,204 files, 3.1 GiB")`.
    pub progress: &'a Progress,
    /// The run so far (every step finished before this one), for kinds
    /// whose [`Check::needs_report`] says so; `None` otherwise.
    pub report: Option<&'a Report>,
}

/// The result of evaluating a step once (defined with the report's data,
/// so engines can return it without knowing steps).
pub use crate::report::Evaluation;

/// A problem with one key of a step, found after decoding (the loader adds its location).
#[derive(Debug, PartialEq)]
pub struct FieldProblem {
    pub key: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

/// The behaviour every step kind provides.
pub trait Check: Send + Sync {
    /// Evaluates the step once. Must respect `ctx.deadline` and `ctx.cancel`,
    /// and in a dry run must change nothing.
    fn evaluate(&self, ctx: &StepContext) -> Evaluation;
    /// One line saying what the step does, for `show` and dry runs.
    fn describe(&self) -> String;
    /// Whether the step can change the system (deletes, runs fix commands).
    fn changes_system(&self) -> bool {
        false
    }
    /// Whether evaluating the step in a dry run changes nothing and lists
    /// exactly what it would do (the runner then previews it as a fix).
    fn previews(&self) -> bool {
        false
    }
    /// Timeout when the playbook gives none.
    fn default_timeout(&self) -> Duration {
        Duration::from_secs(60)
    }
    /// Whether the step may run at the same time as other steps (`--jobs`).
    fn parallel_safe(&self) -> bool {
        !self.changes_system()
    }
    /// Whether the step spends its time waiting on the network (dns, tcp,
    /// http, ping): such steps run many at once (`--net-jobs`), apart from
    /// the `--jobs` limit for steps that compute or read disks.
    fn waits_on_network(&self) -> bool {
        false
    }
    /// Whether the step needs the report of the run so far
    /// ([`StepContext::report`]); such a step should not be `parallel_safe`.
    fn needs_report(&self) -> bool {
        false
    }
    /// Whether the step runs a command line through a shell (`shell = true`),
    /// which a machine policy may refuse.
    fn uses_shell(&self) -> bool {
        false
    }
    /// Checks between keys that serde cannot express, and against the
    /// machine (run at load time, before anything runs).
    fn validate(&self, _facts: &Facts) -> Vec<FieldProblem> {
        Vec::new()
    }
}

/// The reason codes a kind gives when a step does not pass, each with what
/// it means (shown by `docs/reasons.md`, checked against `advice` tables
/// and `reason` conditions at load time).
pub trait Reasons {
    const REASONS: &'static [(&'static str, &'static str)];
}

/// Reasons the runner gives to a step of any kind.
pub const RUNNER_REASONS: &[(&str, &str)] = &[
    (
        "condition",
        "skipped: a `when` condition on the environment or another step was unmet",
    ),
    (
        "other_os",
        "skipped: the step is for another OS, architecture or OS version",
    ),
    (
        "not_selected",
        "skipped: left out by `--only`/`--skip`, or it runs only as a fix",
    ),
    (
        "stopped",
        "skipped: an earlier `stop_on_failure` step failed",
    ),
    (
        "dry_run",
        "skipped: the step changes the system and this is a dry run",
    ),
    (
        "budget",
        "error: the step did not finish within its time budget",
    ),
    ("interrupted", "the run was interrupted (Ctrl-C, SIGTERM)"),
    ("internal", "error: a bug in supportctl (please report it)"),
];

/// Whether `reason` is one a step of `kind` can end with.
pub fn gives_reason(kind: &str, reason: &str) -> bool {
    RUNNER_REASONS.iter().any(|(c, _)| *c == reason)
        || StepKind::reasons(kind).is_some_and(|r| r.iter().any(|(c, _)| *c == reason))
}

/// `docs/reasons.md`: every kind's reason codes and the runner's, as
/// Markdown tables (generated; a test keeps the committed page fresh).
pub fn reasons_doc() -> String {
    let mut out = String::from(
        "# Reason codes\n\n\
         <!-- Generated from the code: `SUPPORTCTL_BLESS=1 cargo test --test generated`. -->\n\n\
         Every step that does not pass carries a `reason`: a stable code saying why, \
         in the JSON report (`steps[].reason`), in `report merge` (hosts grouped by step \
         and reason), to `advice` tables (`advice = { refused = \"…\", default = \"…\" }`) \
         and to conditions (`when = { reason = { step = \"dns\", is = [\"nxdomain\"] } }`). \
         `supportctl check` rejects a code the step's kind never gives. Codes are only ever \
         added, never renamed.\n\n\
         ## Any kind (given by the runner)\n\n| Reason | Meaning |\n|---|---|\n",
    );
    let row = |out: &mut String, (code, meaning): &(&str, &str)| {
        out.push_str(&format!("| `{code}` | {} |\n", meaning.replace('|', "\\|")));
    };
    for r in RUNNER_REASONS {
        row(&mut out, r);
    }
    for kind in KIND_NAMES {
        out.push_str(&format!(
            "\n## `{kind}`\n\nSee [the `{kind}` kind](kinds/{kind}.md).\n\n| Reason | Meaning |\n|---|---|\n"
        ));
        for r in StepKind::reasons(kind).unwrap_or_default() {
            row(&mut out, r);
        }
    }
    out
}

/// Every reason code a step of `kind` can end with (its own, then the runner's).
pub fn reason_codes(kind: &str) -> Vec<&'static str> {
    StepKind::reasons(kind)
        .unwrap_or_default()
        .iter()
        .chain(RUNNER_REASONS)
        .map(|(c, _)| *c)
        .collect()
}

/// Decodes a kind's config from a step table (implemented by the loader,
/// which turns errors into located diagnostics).
pub trait KindDecoder {
    fn decode<T: serde::de::DeserializeOwned>(&mut self) -> Option<T>;
}

macro_rules! step_kinds {
    ($($name:literal => $variant:ident($ty:ty)),* $(,)?) => {
        /// A step's kind-specific configuration.
        #[derive(Clone, Debug)]
        pub enum StepKind {
            $($variant($ty)),*
        }

        /// The names accepted for `kind`.
        pub const KIND_NAMES: &[&str] = &[$($name),*];

        impl StepKind {
            /// The kind's name as written in playbooks.
            pub fn name(&self) -> &'static str {
                match self { $(StepKind::$variant(_) => $name),* }
            }

            /// The keys a kind accepts (besides the common ones).
            pub fn fields(kind: &str) -> Option<&'static [&'static str]> {
                match kind {
                    $($name => Some(crate::values::fields::field_names::<$ty>()),)*
                    _ => None,
                }
            }

            /// The reason codes of the named kind (without the runner's).
            pub fn reasons(kind: &str) -> Option<&'static [(&'static str, &'static str)]> {
                match kind {
                    $($name => Some(<$ty as Reasons>::REASONS),)*
                    _ => None,
                }
            }

            /// Decodes the config of the named kind.
            pub fn decode(kind: &str, decoder: &mut impl KindDecoder) -> Option<StepKind> {
                match kind {
                    $($name => decoder.decode::<$ty>().map(StepKind::$variant),)*
                    _ => None,
                }
            }

            pub fn check(&self) -> &dyn Check {
                match self { $(StepKind::$variant(c) => c),* }
            }
        }

        /// The kinds as a tagged enum, for the JSON Schema only.
        #[derive(schemars::JsonSchema)]
        #[serde(tag = "kind")]
        #[allow(dead_code)]
        pub(crate) enum KindSchema {
            $(#[serde(rename = $name)] $variant($ty)),*
        }
    };
}

step_kinds! {
    "bundle" => Bundle(bundle::BundleStep),
    "command" => Command(command::CommandStep),
    "cleanup" => Cleanup(cleanup::CleanupStep),
    "clock" => Clock(clock::ClockStep),
    "disk" => Disk(disk::DiskStep),
    "dns" => Dns(dns::DnsStep),
    "http" => Http(http::HttpStep),
    "logscan" => Logscan(logscan::LogscanStep),
    "ping" => Ping(ping::PingStep),
    "process" => Process(process::ProcessStep),
    "requirements" => Requirements(requirements::RequirementsStep),
    "service" => Service(service::ServiceStep),
    "software" => Software(software::SoftwareStep),
    "tcp" => Tcp(tcp::TcpStep),
    "wifi" => Wifi(wifi::WifiStep),
}
