//! The playbook model: serde types for `[playbook]`, the fields every step
//! shares, `when` conditions and fixes.
//!
//! Kind-specific configuration lives with each step kind in `src/steps/`.
//! These types are decoded by [`super::load`], which adds locations to errors;
//! `supportctl schema` derives the JSON Schema from the same types.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::steps::StepKind;
use crate::values::{Arch, Dur, OneOrMany, OsFamily};
use crate::version::Version;

/// `[playbook]`: what the playbook is for.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Short name; defaults to the file name without `.toml`.
    pub name: Option<String>,
    /// One line saying what the playbook checks or fixes (shown by `list`).
    pub description: Option<String>,
    /// The playbook's own version, for the people who maintain it.
    pub version: Option<String>,
}

/// How bad a failure of this step is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A failure is reported as `warn` (exit 0 unless `--strict`).
    Warn,
    /// A failure is reported as `fail` (exit 1).
    #[default]
    Fail,
}

/// Fields every step has, whatever its kind.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct Common {
    /// The step kind, e.g. `command`.
    #[schemars(skip)]
    pub kind: String,
    /// Unique id within the playbook (letters, digits, `-`, `_`, `.`); generated
    /// from the kind and position (`command-3`) when omitted.
    pub id: Option<String>,
    /// Human-readable name shown in reports; defaults to the id.
    pub name: Option<String>,
    /// What the step checks and why.
    pub description: Option<String>,
    /// Tags for `--only` / `--skip`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Give up after this long (the step is `error`); each kind has a default.
    pub timeout: Option<Dur>,
    /// `fail` (default) or `warn`: how a failure of this step is reported.
    #[serde(default)]
    pub severity: Severity,
    /// Re-evaluate up to this many more times until the step passes.
    #[serde(default)]
    pub retries: u32,
    /// Wait between retries (default 2s).
    pub retry_delay: Option<Dur>,
    /// When this step fails or errors, the rest of the playbook is skipped.
    #[serde(default)]
    pub stop_on_failure: bool,
    /// Plain-language next steps shown when the step fails or warns.
    pub advice: Option<String>,
    /// Run the step only when all these conditions hold; otherwise `skipped`.
    pub when: Option<When>,
    /// The step runs only as another step's fix, never on its own.
    #[serde(default)]
    pub only_as_fix: bool,
}

/// The optional `timeout` of an inline `[step.fix]` command.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct FixTimeout {
    pub timeout: Option<Dur>,
}

/// Conditions, all of which must hold for the step to run.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// `"windows"`, `"macos"`, `"linux"`, `"unix"`, or a list of them.
    #[serde(default)]
    pub os: OneOrMany<OsFamily>,
    /// CPU architecture(s): `"x86_64"` (alias `amd64`), `"aarch64"` (alias `arm64`), `"x86"`, `"arm"`.
    #[serde(default)]
    pub arch: OneOrMany<Arch>,
    /// The OS version is at least this (e.g. `"10.0.19045"` on Windows, `"13.0"` on macOS).
    pub min_os_version: Option<Version>,
    /// The OS version is below this.
    pub below_os_version: Option<Version>,
    /// These environment variables are set and not empty.
    #[serde(default)]
    pub env: OneOrMany<String>,
    /// These paths exist (templated).
    #[serde(default)]
    pub path_exists: OneOrMany<String>,
    /// These programs are found on PATH.
    #[serde(default)]
    pub command_exists: OneOrMany<String>,
    /// These earlier steps passed.
    #[serde(default)]
    pub passed: OneOrMany<String>,
    /// These earlier steps failed.
    #[serde(default)]
    pub failed: OneOrMany<String>,
    /// These earlier steps warned.
    #[serde(default)]
    pub warned: OneOrMany<String>,
    /// These earlier steps were fixed.
    #[serde(default)]
    pub fixed: OneOrMany<String>,
    /// These earlier steps could not be evaluated.
    #[serde(default)]
    pub errored: OneOrMany<String>,
    /// These earlier steps were skipped.
    #[serde(default)]
    pub skipped: OneOrMany<String>,
    /// These earlier steps ended well: passed, warned or were fixed (a
    /// step that depends on another's outcome rarely minds that it needed
    /// a fix).
    #[serde(default)]
    pub ended_well: OneOrMany<String>,
}

impl When {
    /// (condition key, step ids) for every condition on another step's status.
    pub fn step_refs(&self) -> [(&'static str, &OneOrMany<String>); 7] {
        [
            ("passed", &self.passed),
            ("ended_well", &self.ended_well),
            ("failed", &self.failed),
            ("warned", &self.warned),
            ("fixed", &self.fixed),
            ("errored", &self.errored),
            ("skipped", &self.skipped),
        ]
    }

    pub fn depends_on_steps(&self) -> bool {
        self.step_refs().iter().any(|(_, ids)| !ids.is_empty())
    }
}

/// What runs when a check fails (`[step.fix]`).
#[derive(Clone, Debug)]
pub enum Fix {
    /// Another step of the playbook, by id (usually one with `only_as_fix`).
    Step(String),
    /// Steps of the playbook run in order, every one of them (a step whose
    /// `when` is unmet is passed over): stop a service, clear its queue,
    /// start it again.
    Steps(Vec<String>),
    /// An inline command (the keys of a `command` step).
    Command {
        command: Box<crate::steps::command::CommandStep>,
        /// The fix's own timeout (default: the command kind's).
        timeout: Option<Dur>,
    },
}

impl Fix {
    /// The ids of the steps this fix runs.
    pub fn step_ids(&self) -> Vec<&str> {
        match self {
            Fix::Step(id) => vec![id.as_str()],
            Fix::Steps(ids) => ids.iter().map(String::as_str).collect(),
            Fix::Command { .. } => Vec::new(),
        }
    }
}

/// One loaded, validated step.
#[derive(Clone, Debug)]
pub struct StepDef {
    /// The id (given or generated).
    pub id: String,
    pub common: Common,
    pub kind: StepKind,
    pub fix: Option<Fix>,
}

impl StepDef {
    pub fn name(&self) -> &str {
        self.common.name.as_deref().unwrap_or(&self.id)
    }
}

/// A loaded, validated playbook, ready to run.
#[derive(Clone, Debug)]
pub struct Playbook {
    pub name: String,
    pub meta: Meta,
    /// Where it came from: a file path or `shipped:NAME`.
    pub source: String,
    /// Final variable values (defaults, then `--var` overrides).
    pub vars: BTreeMap<String, String>,
    /// Variables whose values are never shown (marked `secret`, or named
    /// like one: `password`, `token`, ...).
    pub secret_vars: std::collections::BTreeSet<String>,
    /// Whether and by whom it was signed (set by the machine policy check).
    pub signature: Option<crate::report::Signature>,
    pub steps: Vec<StepDef>,
}

impl Playbook {
    pub fn step(&self, id: &str) -> Option<&StepDef> {
        self.steps.iter().find(|s| s.id == id)
    }
}
