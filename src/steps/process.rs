//! `process`: is a program running (or not), how many, how much CPU and
//! memory it takes; and `action = "kill"` to stop it (ask, wait `grace`,
//! force). The work is the `processes` engine's; this file turns keys into
//! a [`Filter`] and the table into a verdict.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Check, Evaluation, FieldProblem, StepContext};
use crate::facts::Facts;
use crate::processes::{Filter, Proc, Stopped, Table, stop};
use crate::report::{Measurement, Output, Status};
use crate::values::{ByteSize, Dur, Pattern, human_bytes};

/// Whether the matched program should be running.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// At least one (or `min_count`) matching process runs.
    #[default]
    Running,
    /// No matching process runs.
    Absent,
}

/// What to do to the matching processes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProcessAction {
    /// Ask each to exit (SIGTERM; WM_CLOSE on Windows), wait `grace`, then
    /// force (SIGKILL; TerminateProcess).
    Kill,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct ProcessStep {
    /// The program's executable name, e.g. `"outlook"` (`.exe` optional and case
    /// ignored on Windows). Without `program`, `cmdline_matches` and `user`,
    /// every process is looked at (top consumers, for information).
    pub program: Option<String>,
    /// A regex searched in the full command line, e.g. `'--type=renderer'`.
    pub cmdline_matches: Option<Pattern>,
    /// Only processes of this user, e.g. `"{{ user }}"`.
    pub user: Option<String>,
    /// `"running"` (default) or `"absent"`.
    #[serde(default)]
    pub expect: Expect,
    /// At least this many matching processes (default 1 with `expect = "running"`).
    pub min_count: Option<u32>,
    /// At most this many matching processes.
    pub max_count: Option<u32>,
    /// Warn when a matching process uses more CPU than this (percent of one
    /// CPU, sampled over `sample`).
    #[serde(default, deserialize_with = "crate::values::opt_percent")]
    #[schemars(schema_with = "crate::values::percent_schema")]
    pub warn_cpu: Option<f64>,
    /// Fail when a matching process uses more CPU than this.
    #[serde(default, deserialize_with = "crate::values::opt_percent")]
    #[schemars(schema_with = "crate::values::percent_schema")]
    pub fail_cpu: Option<f64>,
    /// Warn when a matching process's resident memory is above this, e.g. `"2 GiB"`.
    pub warn_memory: Option<ByteSize>,
    /// Fail when a matching process's resident memory is above this.
    pub fail_memory: Option<ByteSize>,
    /// How long CPU use is sampled (default 1s; only when CPU matters:
    /// `warn_cpu`, `fail_cpu`, or `top` without a filter).
    pub sample: Option<Dur>,
    /// How many processes the report lists, highest CPU first (default 10).
    pub top: Option<usize>,
    /// `"kill"`: stop every matching process (changes the system).
    pub action: Option<ProcessAction>,
    /// With `action = "kill"`: how long each may take to exit when asked
    /// before it is forced (default 5s).
    pub grace: Option<Dur>,
}

const DEFAULT_SAMPLE: Duration = Duration::from_secs(1);
const DEFAULT_GRACE: Duration = Duration::from_secs(5);

impl ProcessStep {
    fn filter(&self) -> Filter {
        Filter {
            program: self.program.clone(),
            cmdline: self.cmdline_matches.as_ref().map(|p| p.0.clone()),
            user: self.user.clone(),
        }
    }

    fn filtered(&self) -> bool {
        self.program.is_some() || self.cmdline_matches.is_some() || self.user.is_some()
    }

    /// "processes named outlook of user ana matching `/safe`".
    fn what(&self) -> String {
        let mut what = match &self.program {
            Some(p) => format!("processes named {p}"),
            None if self.filtered() => "processes".to_string(),
            None => "all processes".to_string(),
        };
        if let Some(re) = &self.cmdline_matches {
            what.push_str(&format!(" matching `{}`", re.0.as_str()));
        }
        if let Some(u) = &self.user {
            what.push_str(&format!(" of user {u}"));
        }
        what
    }

    /// CPU is sampled when a CPU threshold is set, or when every process is
    /// listed for information (`top` without a filter).
    fn sample(&self) -> Option<Duration> {
        let cpu = self.warn_cpu.is_some()
            || self.fail_cpu.is_some()
            || (!self.filtered() && self.top.is_some());
        cpu.then(|| self.sample.map_or(DEFAULT_SAMPLE, |d| d.0))
    }

    fn grace(&self) -> Duration {
        self.grace.map_or(DEFAULT_GRACE, |d| d.0)
    }

    /// The verdict on what runs (no action).
    fn judge(&self, running: &[Proc], sampled: bool) -> Evaluation {
        let what = self.what();
        let n = running.len() as u32;
        let pids = |procs: &[Proc]| {
            let mut list: Vec<String> = procs.iter().take(5).map(|p| p.pid.to_string()).collect();
            if procs.len() > 5 {
                list.push(format!("+{} more", procs.len() - 5));
            }
            list.join(", ")
        };
        let (mut status, mut reason, mut message) = match self.expect {
            Expect::Absent if n > 0 => (
                Status::Fail,
                Some("running"),
                format!("{} running: {what} (pid {})", count(n), pids(running)),
            ),
            Expect::Absent => (Status::Pass, None, format!("none running: {what}")),
            Expect::Running => {
                let min = self.min_count.unwrap_or(u32::from(self.filtered()));
                if n < min {
                    let msg = if n == 0 {
                        format!("not running: {what}")
                    } else {
                        format!("{} running, fewer than {min}: {what}", count(n))
                    };
                    (
                        Status::Fail,
                        Some(if n == 0 { "not_running" } else { "too_few" }),
                        msg,
                    )
                } else if self.max_count.is_some_and(|max| n > max) {
                    (
                        Status::Fail,
                        Some("too_many"),
                        format!(
                            "{} running, more than {}: {what} (pid {})",
                            count(n),
                            self.max_count.unwrap_or_default(),
                            pids(running)
                        ),
                    )
                } else {
                    (Status::Pass, None, format!("{} running: {what}", count(n)))
                }
            }
        };
        // CPU and memory: each process against the thresholds.
        let over = |value: f64, warn: Option<f64>, fail: Option<f64>| {
            if fail.is_some_and(|f| value > f) {
                Status::Fail
            } else if warn.is_some_and(|w| value > w) {
                Status::Warn
            } else {
                Status::Pass
            }
        };
        let mut worst: Option<(Status, &'static str, String)> = None;
        for p in running {
            let cpu = over(p.cpu, self.warn_cpu, self.fail_cpu);
            let mem = over(
                p.memory as f64,
                self.warn_memory.map(|b| b.0 as f64),
                self.fail_memory.map(|b| b.0 as f64),
            );
            for (s, code, why) in [
                (
                    cpu,
                    "cpu",
                    format!("{} (pid {}) uses {:.0}% CPU", p.name, p.pid, p.cpu),
                ),
                (
                    mem,
                    "memory",
                    format!(
                        "{} (pid {}) uses {} of memory",
                        p.name,
                        p.pid,
                        human_bytes(p.memory)
                    ),
                ),
            ] {
                if s != Status::Pass && worst.as_ref().is_none_or(|(w, _, _)| rank(s) > rank(*w)) {
                    worst = Some((s, code, why));
                }
            }
        }
        if let Some((s, code, why)) = worst
            && rank(s) > rank(status)
        {
            status = s;
            reason = Some(code);
            message = format!("{why}; {message}");
        }
        if !self.filtered()
            && status == Status::Pass
            && let Some(heaviest) = running.iter().max_by_key(|p| p.memory)
        {
            let busiest = running.first().filter(|_| sampled);
            message = format!(
                "{} running{}; most memory: {} ({})",
                count(n),
                busiest.map_or_else(String::new, |b| format!(
                    "; most CPU: {} ({:.0}%)",
                    b.name, b.cpu
                )),
                heaviest.name,
                human_bytes(heaviest.memory)
            );
        }
        let mut e = Evaluation::new(status, message);
        e.reason = reason;
        e.measurements
            .push(Measurement::new("count", f64::from(n), "count"));
        if sampled {
            let mut m = Measurement::new(
                "max_cpu",
                running.iter().map(|p| p.cpu).fold(0.0, f64::max),
                "percent",
            );
            m.warn = self.warn_cpu;
            m.fail = self.fail_cpu;
            e.measurements.push(m);
        }
        let mut m = Measurement::new(
            "max_memory",
            running.iter().map(|p| p.memory).max().unwrap_or(0) as f64,
            "bytes",
        );
        m.warn = self.warn_memory.map(|b| b.0 as f64);
        m.fail = self.fail_memory.map(|b| b.0 as f64);
        e.measurements.push(m);
        e
    }

    fn kill(&self, ctx: &StepContext, running: Vec<Proc>) -> Evaluation {
        let what = self.what();
        // Never the init system, session, security or remote-access
        // processes, whatever the playbook or a `--var` named.
        let (guarded, running): (Vec<Proc>, Vec<Proc>) = running
            .into_iter()
            .partition(|p| crate::processes::protected(p).is_some());
        if !guarded.is_empty() && running.is_empty() {
            let why: Vec<String> = guarded
                .iter()
                .map(|p| {
                    format!(
                        "pid {}: {}",
                        p.pid,
                        crate::processes::protected(p).unwrap_or_default()
                    )
                })
                .collect();
            return Evaluation::problem(
                Status::Fail,
                "protected",
                format!(
                    "refused to stop {}: {}",
                    count(guarded.len() as u32),
                    why.join("; ")
                ),
            );
        }
        if running.is_empty() {
            return Evaluation::new(Status::Pass, format!("nothing to stop: no {what}"));
        }
        let grace = self.grace();
        if ctx.dry_run {
            let mut e = Evaluation::problem(
                Status::Skipped,
                "dry_run",
                format!(
                    "dry run: would stop {} ({what}), asking first and forcing after {}",
                    count(running.len() as u32),
                    Dur(grace)
                ),
            );
            e.actions = running
                .iter()
                .map(|p| format!("would stop {}", who(p)))
                .chain(guarded.iter().map(|p| {
                    format!(
                        "would leave {} alone: {}",
                        who(p),
                        crate::processes::protected(p).unwrap_or_default()
                    )
                }))
                .collect();
            return e;
        }
        let results = stop(&running, grace, ctx.deadline, ctx.cancel);
        let mut e = Evaluation::new(Status::Pass, String::new());
        let (mut asked, mut forced, mut failed) = (0, 0, Vec::new());
        for (p, r) in &results {
            match r {
                Stopped::Asked => {
                    asked += 1;
                    e.actions
                        .push(format!("stopped {}: it exited when asked", who(p)));
                }
                Stopped::Forced => {
                    forced += 1;
                    e.actions
                        .push(format!("stopped {}: forced after {}", who(p), Dur(grace)));
                }
                Stopped::AlreadyGone => {
                    e.actions.push(format!("{} had already exited", who(p)));
                }
                Stopped::Survived(why) => failed.push(format!("pid {}: {why}", p.pid)),
            }
        }
        let mut done = format!(
            "stopped {} of {} ({what}): {asked} exited when asked, {forced} forced",
            asked + forced,
            count(results.len() as u32)
        );
        if !guarded.is_empty() {
            done.push_str(&format!(
                "; left alone {} protected",
                count(guarded.len() as u32)
            ));
            e.status = Status::Fail;
            e.reason = Some("protected");
        }
        if failed.is_empty() {
            e.message = done;
        } else {
            e.status = Status::Fail;
            e.reason = Some("survived");
            e.message = format!(
                "{} still running: {}; {done}",
                failed.len(),
                failed.join("; ")
            );
        }
        e.output = Some(listing(&running, running.len()));
        e
    }
}

fn rank(s: Status) -> u8 {
    match s {
        Status::Fail => 2,
        Status::Warn => 1,
        _ => 0,
    }
}

fn count(n: u32) -> String {
    if n == 1 {
        "1 process".into()
    } else {
        format!("{n} processes")
    }
}

/// "pid 4242 (outlook, user ana, started 2026-11-28 09:14:03)".
fn who(p: &Proc) -> String {
    format!(
        "pid {} ({}, user {}, started {})",
        p.pid,
        p.name,
        p.user,
        started(p.start_time)
    )
}

fn started(secs: u64) -> String {
    jiff::Timestamp::from_second(secs as i64)
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::system())
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| secs.to_string())
}

/// The processes as a table (the `top` first): pid, user, start, CPU, memory, command line.
fn listing(procs: &[Proc], top: usize) -> Output {
    let mut out = format!(
        "{:>7}  {:<12}  {:<19}  {:>6}  {:>10}  command\n",
        "pid", "user", "started", "cpu", "memory"
    );
    for p in procs.iter().take(top) {
        out.push_str(&format!(
            "{:>7}  {:<12}  {:<19}  {:>5.1}%  {:>10}  {}\n",
            p.pid,
            p.user,
            started(p.start_time),
            p.cpu,
            human_bytes(p.memory),
            crate::text::clip(&p.cmdline, 300)
        ));
    }
    if procs.len() > top {
        out.push_str(&format!("… {} more not listed\n", procs.len() - top));
    }
    Output {
        stdout: out,
        stderr: String::new(),
        truncated: procs.len() > top,
    }
}

impl super::Reasons for ProcessStep {
    const REASONS: &'static [(&'static str, &'static str)] = &[
        (
            "running",
            "`expect = \"absent\"` but matching processes run",
        ),
        ("not_running", "no matching process runs"),
        ("too_few", "fewer matching processes than `min_count`"),
        ("too_many", "more matching processes than `max_count`"),
        (
            "cpu",
            "a matching process uses more CPU than `warn_cpu`/`fail_cpu`",
        ),
        (
            "memory",
            "a matching process uses more memory than `warn_memory`/`fail_memory`",
        ),
        (
            "protected",
            "`stop`: a matching process is protected (system, session, supportctl) and was left alone",
        ),
        (
            "survived",
            "`stop`: a process still runs after being asked and forced",
        ),
    ];
}

impl Check for ProcessStep {
    fn evaluate(&self, ctx: &StepContext) -> Evaluation {
        let table = Table::read(
            if self.action.is_some() {
                None
            } else {
                self.sample()
            },
            ctx.deadline,
            ctx.cancel,
        );
        let matched = table.matching(&self.filter());
        let (running, zombies): (Vec<Proc>, Vec<Proc>) =
            matched.into_iter().partition(|p| !p.zombie);
        let mut e = match self.action {
            Some(ProcessAction::Kill) => self.kill(ctx, running.clone()),
            None => self.judge(&running, table.sampled),
        };
        if e.output.is_none() && (!running.is_empty() || !zombies.is_empty()) {
            let mut out = listing(&running, self.top.unwrap_or(10));
            if !zombies.is_empty() {
                out.stdout.push_str(&format!(
                    "not running (exited, waiting for their parent to collect them): {}\n",
                    zombies
                        .iter()
                        .map(|z| format!("pid {}", z.pid))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            e.output = Some(out);
        }
        e
    }

    fn describe(&self) -> String {
        match self.action {
            Some(ProcessAction::Kill) => format!(
                "stops {} (asks, then forces after {})",
                self.what(),
                Dur(self.grace())
            ),
            None => match self.expect {
                Expect::Running => format!("checks that {} run", self.what()),
                Expect::Absent => format!("checks that no {} run", self.what()),
            },
        }
    }

    fn changes_system(&self) -> bool {
        self.action.is_some()
    }

    fn previews(&self) -> bool {
        self.action.is_some()
    }

    fn default_timeout(&self) -> Duration {
        match self.action {
            Some(_) => self.grace() + Duration::from_secs(30),
            None => Duration::from_secs(30),
        }
    }

    fn validate(&self, _facts: &Facts) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let mut problem = |key: &'static str, message: String, hint: &str| {
            out.push(FieldProblem {
                key,
                message,
                hint: (!hint.is_empty()).then(|| hint.to_string()),
            });
        };
        if self.action.is_some() {
            if self.program.is_none() && self.cmdline_matches.is_none() {
                problem(
                    "action",
                    "`action = \"kill\"` needs `program` or `cmdline_matches`: it never stops every process".into(),
                    "e.g. program = \"outlook\"",
                );
            }
            let checks = [
                ("expect", self.expect != Expect::Running),
                ("min_count", self.min_count.is_some()),
                ("max_count", self.max_count.is_some()),
                ("warn_cpu", self.warn_cpu.is_some()),
                ("fail_cpu", self.fail_cpu.is_some()),
                ("warn_memory", self.warn_memory.is_some()),
                ("fail_memory", self.fail_memory.is_some()),
            ];
            for (key, set) in checks {
                if set {
                    problem(
                        key,
                        format!("`{key}` is a check; a step with `action = \"kill\"` only acts"),
                        "check in one step and kill in another (`fix = { step = \"...\" }` with `only_as_fix = true`)",
                    );
                }
            }
        } else if self.grace.is_some() {
            problem("grace", "`grace` goes with `action = \"kill\"`".into(), "");
        }
        if self.expect == Expect::Absent && (self.min_count.is_some() || self.max_count.is_some()) {
            problem(
                "expect",
                "`expect = \"absent\"` cannot go with `min_count` or `max_count`".into(),
                "to allow at most N, use expect = \"running\" with min_count = 0 and max_count = N",
            );
        }
        if let (Some(a), Some(b)) = (self.min_count, self.max_count)
            && a > b
        {
            problem(
                "max_count",
                format!("`max_count` {b} is below `min_count` {a}"),
                "",
            );
        }
        for (key, v) in [("warn_cpu", self.warn_cpu), ("fail_cpu", self.fail_cpu)] {
            if v.is_some_and(|v| !v.is_finite() || v < 0.0) {
                problem(
                    key,
                    format!("`{key}` must be a percentage of one CPU, 0 or more"),
                    "e.g. 90 (a busy core), 250 (two and a half cores)",
                );
            }
        }
        if let (Some(w), Some(f)) = (self.warn_cpu, self.fail_cpu)
            && w > f
        {
            problem(
                "warn_cpu",
                format!("`warn_cpu` {w} is above `fail_cpu` {f}"),
                "",
            );
        }
        if let (Some(w), Some(f)) = (self.warn_memory, self.fail_memory)
            && w > f
        {
            problem(
                "warn_memory",
                format!("`warn_memory` {w} is above `fail_memory` {f}"),
                "",
            );
        }
        out
    }
}
