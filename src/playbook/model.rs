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
    /// What users say when this playbook fits ("printer offline", "cannot
    /// print"): `supportctl suggest` ranks playbooks by them.
    #[serde(default)]
    pub symptoms: Vec<String>,
    /// A group for people browsing playbooks: `network`, `printing`, `storage`...
    pub category: Option<String>,
    /// `first` (default): the first `[[cause]]` that matches is the
    /// conclusion; `all`: every matching cause is.
    #[serde(default)]
    pub conclude: Conclude,
}

/// How many matching causes make the conclusion.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Conclude {
    #[default]
    First,
    All,
}

/// `[[cause]]`: a known cause of trouble, detected by the steps' outcomes,
/// said in plain words, with optional resolvers (steps tried in order, the
/// detecting steps re-checked after each).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cause {
    /// Unique among the playbook's causes (letters, digits, `-`, `_`, `.`).
    pub id: String,
    /// When the cause applies: the step conditions of `when` (`failed`,
    /// `passed`, `reason = { step, is }`...), evaluated after every step ran.
    pub when: When,
    /// One sentence for the technician: what is wrong.
    pub summary: String,
    /// What to tell the user: short sentences, no jargon, what to do now.
    pub tell_user: Option<String>,
    /// The technician's next steps when the resolvers do not clear it.
    pub next: Option<String>,
    /// Steps (by id, usually `only_as_fix`) tried in order until the cause
    /// no longer matches.
    #[serde(default)]
    pub fix: OneOrMany<String>,
}

impl Cause {
    /// The steps whose outcomes detect this cause (named by its `when`).
    pub fn detecting_steps(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .when
            .step_refs()
            .iter()
            .flat_map(|(_, ids)| ids.iter().map(String::as_str))
            .chain(self.when.reason.iter().map(|r| r.step.as_str()))
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        ids.retain(|id| seen.insert(*id));
        ids
    }
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
    /// Plain-language next steps shown when the step fails, warns or
    /// errs: one text, or a table keyed by reason code with a `default`
    /// (`advice = { refused = "…", timeout = "…", default = "…" }`).
    pub advice: Option<Advice>,
    /// Run the step only when all these conditions hold; otherwise `skipped`.
    pub when: Option<When>,
    /// The step runs only as another step's fix, never on its own.
    #[serde(default)]
    pub only_as_fix: bool,
}

/// A step's advice: the same for every failure, or chosen by its reason.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Advice {
    Text(String),
    /// Reason code → advice; `default` serves the reasons not listed (no
    /// `default`: those get no advice).
    ByReason(BTreeMap<String, String>),
}

impl<'de> Deserialize<'de> for Advice {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error, MapAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Advice;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a text, or a table of reason = \"advice\" texts")
            }
            fn visit_str<E: Error>(self, s: &str) -> Result<Advice, E> {
                Ok(Advice::Text(s.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Advice, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    let text = map.next_value::<String>().map_err(|_| {
                        A::Error::custom(format!(
                            "`advice.{key}` must be a text{}give the advice for reason `{key}` as a string, e.g. {key} = \"Check the cable.\"",
                            crate::values::HINT
                        ))
                    })?;
                    out.insert(key, text);
                }
                if out.is_empty() {
                    return Err(A::Error::custom(format!(
                        "`advice` is an empty table{}give advice by reason, e.g. advice = {{ refused = \"…\", default = \"…\" }}",
                        crate::values::HINT
                    )));
                }
                Ok(Advice::ByReason(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl Advice {
    /// The advice for a step that ended for `reason`.
    pub fn for_reason(&self, reason: Option<&str>) -> Option<&str> {
        match self {
            Advice::Text(t) => Some(t),
            Advice::ByReason(map) => reason
                .and_then(|r| map.get(r))
                .or_else(|| map.get("default"))
                .map(String::as_str),
        }
    }
}

/// `reason = { step = "dns", is = ["nxdomain", "servfail"] }`: an earlier
/// step ended for one of these reasons.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonIs {
    /// The step's id.
    pub step: String,
    /// Reason codes of the step's kind (any of them).
    pub is: OneOrMany<String>,
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
    /// These playbook variables are not empty (`var = "printer"`: run only
    /// when `--var printer=…` gave one). A step skipped for an empty
    /// variable has its templated keys left unchecked.
    #[serde(default)]
    pub var: OneOrMany<String>,
    /// The variables of `var` that are empty (filled in by the loader).
    #[serde(skip)]
    #[schemars(skip)]
    pub empty_vars: Vec<String>,
    /// These paths exist (templated).
    #[serde(default)]
    pub path_exists: OneOrMany<String>,
    /// These programs are found on PATH.
    #[serde(default)]
    pub command_exists: OneOrMany<String>,
    /// `true`: only in a dry run; `false`: never in a dry run (a cause that
    /// says a fix did not help is untrue when no fix ran).
    pub dry_run: Option<bool>,
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
    /// Earlier steps ended for one of these reasons: `{ step = "dns", is =
    /// ["nxdomain"] }`, or a list of such tables (all must hold).
    #[serde(default)]
    pub reason: OneOrMany<ReasonIs>,
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
        self.step_refs().iter().any(|(_, ids)| !ids.is_empty()) || !self.reason.is_empty()
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
    /// Known causes, checked in order after the steps.
    pub causes: Vec<Cause>,
}

impl Playbook {
    pub fn step(&self, id: &str) -> Option<&StepDef> {
        self.steps.iter().find(|s| s.id == id)
    }
}
