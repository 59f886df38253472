//! `service`: is a service running (or stopped), does it start
//! automatically; `action = "start" | "stop" | "restart"`; `failed = true`
//! for "no service has failed". One step for all three OSes: the name may
//! differ per OS. The work is the `services` engine's.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Check, Evaluation, FieldProblem, StepContext};
use crate::facts::Facts;
use crate::report::{Measurement, Output, Status};
use crate::services::{
    self, Budget, Control, Manager, ServiceError, ServiceStatus, StartMode, State,
};

/// A service name, the same everywhere or one per OS.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ServiceName {
    /// `"cups"`: the same name on every OS.
    One(String),
    /// `{ windows = "Spooler", linux = "cups", macos = "org.cups.cupsd" }`; an
    /// OS without a name skips the step.
    PerOs {
        windows: Option<String>,
        linux: Option<String>,
        macos: Option<String>,
    },
}

impl ServiceName {
    fn for_os(&self, os: &str) -> Option<&str> {
        match self {
            ServiceName::One(s) => Some(s),
            ServiceName::PerOs {
                windows,
                linux,
                macos,
            } => match os {
                "windows" => windows.as_deref(),
                "macos" => macos.as_deref(),
                _ => linux.as_deref(),
            },
        }
    }
}

/// The state a service should be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ServiceExpect {
    Running,
    Stopped,
}

/// How a service should start at boot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Starts at boot (systemd `enabled`, Windows Automatic, launchd RunAtLoad/KeepAlive).
    Auto,
    /// Starts when asked (systemd `disabled`/`static`, Windows Manual, launchd on demand).
    Manual,
    /// Cannot start (systemd `masked`, Windows Disabled, launchd disabled).
    Disabled,
}

/// What to do to the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ServiceAction {
    Start,
    Stop,
    Restart,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct ServiceStep {
    /// The service: `"cups"`, or `{ windows = "Spooler", linux = "cups", macos = "org.cups.cupsd" }`.
    pub service: Option<ServiceName>,
    /// `"running"` (default) or `"stopped"`.
    pub expect: Option<ServiceExpect>,
    /// Also check how it starts: `"auto"`, `"manual"` or `"disabled"`.
    pub start_mode: Option<Mode>,
    /// `"start"`, `"stop"` or `"restart"` (changes the system; waits until done).
    pub action: Option<ServiceAction>,
    /// Check that no service has failed (systemd's failed units; Windows'
    /// automatic services stopped with an error), instead of one service.
    #[serde(default)]
    pub failed: bool,
}

impl Mode {
    fn of(m: StartMode) -> Mode {
        match m {
            StartMode::Auto => Mode::Auto,
            StartMode::Manual => Mode::Manual,
            StartMode::Disabled => Mode::Disabled,
        }
    }
}

fn control(a: ServiceAction) -> Control {
    match a {
        ServiceAction::Start => Control::Start,
        ServiceAction::Stop => Control::Stop,
        ServiceAction::Restart => Control::Restart,
    }
}

fn describe_status(s: &ServiceStatus) -> String {
    let mut text = format!("{} is {}", s.name, s.detail);
    if let Some(m) = s.start_mode {
        text.push_str(&format!(", starts {}", m.as_str()));
    }
    text
}

fn details(s: &ServiceStatus, manager: &str) -> Output {
    let mut out = format!(
        "service: {}\nstate: {}\nmanager: {manager}\n",
        s.name, s.detail
    );
    if let Some(m) = s.start_mode {
        out.push_str(&format!("start mode: {}\n", m.as_str()));
    }
    if let Some(pid) = s.pid {
        out.push_str(&format!("pid: {pid}\n"));
    }
    if let Some(d) = &s.description {
        out.push_str(&format!("description: {d}\n"));
    }
    Output {
        stdout: out,
        stderr: String::new(),
        truncated: false,
    }
}

fn error_eval(e: &ServiceError) -> Evaluation {
    Evaluation::problem(Status::Error, e.code(), e.to_string())
}

impl ServiceStep {
    fn check(&self, m: &dyn Manager, name: &str, budget: &Budget) -> Evaluation {
        let expect = self.expect.unwrap_or(ServiceExpect::Running);
        let s = match m.query(name, budget) {
            Ok(s) => s,
            Err(ServiceError::NotFound(why)) => {
                return if expect == ServiceExpect::Stopped && self.start_mode.is_none() {
                    Evaluation::new(Status::Pass, format!("{why}: not running"))
                } else {
                    Evaluation::problem(Status::Fail, "not_found", why)
                };
            }
            Err(e) => return error_eval(&e),
        };
        let running = s.state == State::Running;
        let mut problems = Vec::new();
        let mut reason = None;
        match (expect, &s.state) {
            (ServiceExpect::Running, State::Running) | (ServiceExpect::Stopped, State::Stopped) => {
            }
            (ServiceExpect::Stopped, State::Failed) => {}
            (ServiceExpect::Running, state) => {
                reason = Some(if *state == State::Failed {
                    "failed"
                } else {
                    "not_running"
                });
                problems.push("expected running".to_string());
            }
            (ServiceExpect::Stopped, _) => {
                reason = Some("running");
                problems.push("expected stopped".to_string());
            }
        }
        if let Some(want) = self.start_mode {
            match s.start_mode.map(Mode::of) {
                Some(got) if got == want => {}
                Some(got) => {
                    reason = reason.or(Some("start_mode"));
                    problems.push(format!(
                        "starts {}, expected {}",
                        StartModeName(got),
                        StartModeName(want)
                    ));
                }
                None => {
                    reason = reason.or(Some("start_mode"));
                    problems.push("its start mode could not be read".into());
                }
            }
        }
        let status = if problems.is_empty() {
            Status::Pass
        } else {
            Status::Fail
        };
        let mut message = describe_status(&s);
        if !problems.is_empty() {
            message.push_str(&format!("; {}", problems.join("; ")));
        }
        let mut e = Evaluation::new(status, message);
        e.reason = reason;
        e.measurements.push(Measurement::new(
            "running",
            f64::from(u8::from(running)),
            "count",
        ));
        e.output = Some(details(&s, m.name()));
        e
    }

    fn act(
        &self,
        m: &dyn Manager,
        name: &str,
        what: Control,
        ctx: &StepContext,
        budget: &Budget,
    ) -> Evaluation {
        let plan = m.plan(name, what);
        if ctx.dry_run {
            let now = match m.query(name, budget) {
                Ok(s) => format!("; it is now {}", s.detail),
                Err(e @ ServiceError::NotFound(_)) => {
                    return Evaluation::problem(Status::Fail, "not_found", e.to_string());
                }
                Err(_) => String::new(),
            };
            let mut e = Evaluation::problem(
                Status::Skipped,
                "dry_run",
                format!("dry run: would {} {name} ({plan}){now}", what.verb()),
            );
            e.actions
                .push(format!("would {} {name}: {plan}", what.verb()));
            return e;
        }
        let done = match m.control(name, what, budget) {
            Ok(done) => done,
            Err(e) => {
                let status = if matches!(e, ServiceError::NoManager(_) | ServiceError::Denied(_)) {
                    Status::Error
                } else {
                    Status::Fail
                };
                return Evaluation::problem(
                    status,
                    e.code(),
                    format!("could not {} {name}: {e}", what.verb()),
                );
            }
        };
        let want = if what == Control::Stop {
            State::Stopped
        } else {
            State::Running
        };
        let after = m.query(name, budget);
        let mut e = match &after {
            Ok(s) if s.state == want || (want == State::Stopped && s.state == State::Failed) => {
                Evaluation::new(
                    Status::Pass,
                    format!("{}: {}", past(what), describe_status(s)),
                )
            }
            Ok(s) => Evaluation::problem(
                Status::Fail,
                "did_not_change",
                format!(
                    "asked to {} {name}, but {}{}",
                    what.verb(),
                    describe_status(s),
                    if what == Control::Stop && cfg!(target_os = "macos") {
                        " (launchd starts KeepAlive jobs again; disable the job to keep it stopped)"
                    } else {
                        ""
                    }
                ),
            ),
            Err(err) => Evaluation::problem(
                Status::Error,
                err.code(),
                format!("{} {name}, then could not read it: {err}", past(what)),
            ),
        };
        e.actions = done;
        if let Ok(s) = &after {
            e.output = Some(details(s, m.name()));
        }
        e
    }

    fn failed_services(&self, m: &dyn Manager, budget: &Budget) -> Evaluation {
        let list = match m.failed(budget) {
            Ok(list) => list,
            Err(e) => return error_eval(&e),
        };
        let mut e = if list.is_empty() {
            Evaluation::new(Status::Pass, "no failed services")
        } else {
            let names: Vec<&str> = list.iter().map(|s| s.name.as_str()).collect();
            Evaluation::problem(
                Status::Fail,
                "failed",
                format!(
                    "{} failed service{}: {}",
                    list.len(),
                    if list.len() == 1 { "" } else { "s" },
                    names.join(", ")
                ),
            )
        };
        e.measurements
            .push(Measurement::new("failed", list.len() as f64, "count"));
        if !list.is_empty() {
            e.output = Some(Output {
                stdout: list
                    .iter()
                    .map(|s| {
                        format!(
                            "{}  {}  {}\n",
                            s.name,
                            s.detail,
                            s.description.as_deref().unwrap_or_default()
                        )
                    })
                    .collect(),
                stderr: String::new(),
                truncated: false,
            });
        }
        e
    }
}

fn past(what: Control) -> &'static str {
    match what {
        Control::Start => "started",
        Control::Stop => "stopped",
        Control::Restart => "restarted",
    }
}

struct StartModeName(Mode);

impl std::fmt::Display for StartModeName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Mode::Auto => "auto",
            Mode::Manual => "manual",
            Mode::Disabled => "disabled",
        })
    }
}

impl super::Reasons for ServiceStep {
    const REASONS: &'static [(&'static str, &'static str)] = &[
        (
            "not_running",
            "the service is stopped (or starting) but should run",
        ),
        (
            "failed",
            "the service failed (crashed, or its start failed); or, with no `service`, some services failed",
        ),
        ("running", "the service runs but should be stopped"),
        (
            "start_mode",
            "the service starts in another mode than `start_mode` (or it could not be read)",
        ),
        ("not_found", "no service of that name exists here"),
        (
            "did_not_change",
            "the action ran, but the service is not in the state it should now be",
        ),
        ("denied", "this user may not query or control the service"),
        (
            "no_manager",
            "no supported service manager runs here (systemd, launchd, Windows SCM)",
        ),
        ("control_failed", "the service manager reported an error"),
    ];
}

impl Check for ServiceStep {
    fn evaluate(&self, ctx: &StepContext) -> Evaluation {
        let budget = Budget {
            deadline: ctx.deadline,
            cancel: ctx.cancel,
        };
        let name = match &self.service {
            Some(n) => match n.for_os(&ctx.facts.os) {
                Some(name) => Some(name),
                None => {
                    return Evaluation::problem(
                        Status::Skipped,
                        "other_os",
                        format!("no service is named for {}", ctx.facts.os),
                    );
                }
            },
            None => None,
        };
        let manager = match services::this_machine() {
            Ok(m) => m,
            Err(e) => return error_eval(&e),
        };
        match (name, self.action) {
            (Some(name), Some(a)) => self.act(manager.as_ref(), name, control(a), ctx, &budget),
            (Some(name), None) => self.check(manager.as_ref(), name, &budget),
            (None, _) => self.failed_services(manager.as_ref(), &budget),
        }
    }

    fn describe(&self) -> String {
        let name = match &self.service {
            Some(ServiceName::One(s)) => s.clone(),
            Some(ServiceName::PerOs {
                windows,
                linux,
                macos,
            }) => [("windows", windows), ("linux", linux), ("macos", macos)]
                .iter()
                .filter_map(|(os, n)| n.as_ref().map(|n| format!("{n} ({os})")))
                .collect::<Vec<_>>()
                .join(", "),
            None => return "checks that no service has failed".into(),
        };
        match self.action {
            Some(a) => format!("{}s service {name} and waits until done", control(a).verb()),
            None => format!(
                "checks that service {name} is {}",
                match self.expect.unwrap_or(ServiceExpect::Running) {
                    ServiceExpect::Running => "running",
                    ServiceExpect::Stopped => "stopped",
                }
            ),
        }
    }

    fn changes_system(&self) -> bool {
        self.action.is_some()
    }

    fn previews(&self) -> bool {
        self.action.is_some()
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(if self.action.is_some() { 120 } else { 30 })
    }

    fn validate(&self, _facts: &Facts) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let mut problem = |key: &'static str, message: &str, hint: &str| {
            out.push(FieldProblem {
                key,
                message: message.to_string(),
                hint: (!hint.is_empty()).then(|| hint.to_string()),
            });
        };
        match (&self.service, self.failed) {
            (None, false) => problem(
                "service",
                "say which service: `service`, or `failed = true` to check that none has failed",
                "e.g. service = { windows = \"Spooler\", linux = \"cups\", macos = \"org.cups.cupsd\" }",
            ),
            (Some(_), true) => problem(
                "failed",
                "`failed = true` checks every service; it does not go with `service`",
                "",
            ),
            (None, true)
                if self.action.is_some() || self.expect.is_some() || self.start_mode.is_some() =>
            {
                problem(
                    "failed",
                    "`failed = true` takes no `action`, `expect` or `start_mode`",
                    "",
                )
            }
            _ => {}
        }
        if self.action.is_some() && (self.expect.is_some() || self.start_mode.is_some()) {
            problem(
                "action",
                "a step with `action` only acts; `expect` and `start_mode` are checks",
                "check in one step and act in another (`fix = { step = \"...\" }` with `only_as_fix = true`)",
            );
        }
        if let Some(ServiceName::PerOs {
            windows: None,
            linux: None,
            macos: None,
        }) = &self.service
        {
            problem("service", "name the service for at least one OS", "");
        }
        if let Some(ServiceName::One(s)) = &self.service
            && s.trim().is_empty()
        {
            problem("service", "the service name is empty", "");
        }
        out
    }
}
