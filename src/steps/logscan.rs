//! `logscan`: what went wrong in a machine's logs, when, how often, from
//! where: text files (globs with rotated siblings, gzip, UTF-16), the
//! systemd journal, the Windows Event Log and the macOS unified log. One
//! line per finding; the verdict from `warn_count` / `fail_count`. The
//! work is the `logscan` engine's.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Check, Evaluation, FieldProblem, StepContext};
use crate::facts::Facts;
use crate::logscan::{self, Extract, GroupBy, Params};
use crate::report::{Measurement, Output, Status};
use crate::values::{Dur, OneOrMany, Pattern, human_bytes};

/// The systemd journal (Linux).
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct JournalQuery {
    /// This priority and worse: `emerg`, `alert`, `crit`, `err`, `warning`, `notice`, `info`, `debug`.
    pub priority: Option<String>,
    /// Only these units, e.g. `"NetworkManager.service"`.
    #[serde(default)]
    pub unit: OneOrMany<String>,
}

/// The Windows Event Log.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct EventLogQuery {
    /// Logs to read, e.g. `["System", "Application"]` (default `System`).
    #[serde(default)]
    pub log: OneOrMany<String>,
    /// This level and worse: `critical`, `error`, `warning`, `information`.
    pub level: Option<String>,
    /// Only events from these providers (sources), e.g. `"disk"`.
    #[serde(default)]
    pub provider: OneOrMany<String>,
    /// Only these event ids.
    #[serde(default)]
    pub event_id: OneOrMany<u32>,
}

/// The macOS unified log.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct UnifiedQuery {
    /// A `log show` predicate, e.g. `'messageType == error'`.
    pub predicate: Option<String>,
}

/// What to gather from matching lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExtractName {
    /// IPv4 and IPv6 addresses.
    Ip,
    /// User names (`user=ana`, `for ana from`, `Account Name: ana`).
    User,
}

/// How findings are grouped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupByName {
    /// The message with numbers, ids and addresses masked (default).
    #[default]
    Message,
    /// Which pattern matched.
    Pattern,
    /// The file, program or event provider.
    Source,
    /// The Windows event id (and provider).
    EventId,
    /// The text of the first capture group of the pattern that matched,
    /// e.g. the module in `'Faulting module name: ([^,]+)'`.
    Capture,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct LogscanStep {
    /// Log files (globs, templated), e.g. `["/var/log/myapp/*.log"]`; rotated
    /// siblings (`.1`, `.2.gz`, `-20261120`) are read too, oldest first.
    #[serde(default)]
    pub files: Vec<String>,
    /// Read the systemd journal (Linux), e.g. `{ priority = "err" }`.
    pub journal: Option<JournalQuery>,
    /// Read the Windows Event Log, e.g. `{ log = ["System", "Application"], level = "error" }`.
    pub eventlog: Option<EventLogQuery>,
    /// Read the macOS unified log, e.g. `{ predicate = 'messageType == error' }`.
    pub unified_log: Option<UnifiedQuery>,
    /// Only events this recent, by each line's own time, e.g. `"24h"`.
    pub since: Option<Dur>,
    /// Regexes; a line or event matching any counts (default: every one, for system logs).
    #[serde(default)]
    pub patterns: OneOrMany<Pattern>,
    /// Regexes; a matching line never counts (e.g. `'healthcheck'`).
    #[serde(default)]
    pub exclude: OneOrMany<Pattern>,
    /// Warn at this many matches (default 1 when no threshold is given).
    #[serde(default, deserialize_with = "crate::values::opt_count")]
    #[schemars(schema_with = "crate::values::count_schema")]
    pub warn_count: Option<u64>,
    /// Fail at this many matches.
    #[serde(default, deserialize_with = "crate::values::opt_count")]
    #[schemars(schema_with = "crate::values::count_schema")]
    pub fail_count: Option<u64>,
    /// Values to collect and count from matching lines: `"ip"`, `"user"`.
    #[serde(default)]
    pub extract: Vec<ExtractName>,
    /// Sample lines kept per group as evidence (default 3; redacted in reports).
    pub samples: Option<usize>,
    /// `"message"` (default), `"pattern"`, `"source"`, `"event_id"` or
    /// `"capture"` (the first capture group of the pattern that matched).
    #[serde(default)]
    pub group_by: GroupByName,
    /// At most this many files (default 1000).
    pub max_files: Option<usize>,
    /// At most this many events read from each system log (default 10000).
    pub max_events: Option<u64>,
}

/// Groups shown in the message and listed in full.
const GROUPS_SHOWN: usize = 20;

impl LogscanStep {
    fn params(&self, os: &str) -> Params {
        let bytes = |p: &Pattern| {
            regex::bytes::Regex::new(p.0.as_str()).expect("a valid regex is a valid bytes regex")
        };
        Params {
            files: self.files.clone(),
            journal: self.journal.as_ref().map(|j| logscan::Journal {
                priority: j.priority.clone(),
                units: j.unit.iter().cloned().collect(),
            }),
            eventlog: self.eventlog.as_ref().map(|e| logscan::EventLog {
                logs: if e.log.is_empty() {
                    vec!["System".into()]
                } else {
                    e.log.iter().cloned().collect()
                },
                level: e.level.as_deref().and_then(logscan::system::level_number),
                providers: e.provider.iter().cloned().collect(),
                ids: e.event_id.iter().copied().collect(),
            }),
            unified: self.unified_log.as_ref().map(|u| logscan::Unified {
                predicate: u.predicate.clone(),
            }),
            patterns: self.patterns.iter().map(bytes).collect(),
            exclude: self.exclude.iter().map(bytes).collect(),
            since: self.since.and_then(|d| {
                jiff::Timestamp::now()
                    .checked_sub(jiff::SignedDuration::try_from(d.0).ok()?)
                    .ok()
            }),
            group_by: match self.group_by {
                GroupByName::Message => GroupBy::Message,
                GroupByName::Pattern => GroupBy::Pattern,
                GroupByName::Source => GroupBy::Source,
                GroupByName::EventId => GroupBy::EventId,
                GroupByName::Capture => GroupBy::Capture,
            },
            samples: self.samples.unwrap_or(3),
            extract: self
                .extract
                .iter()
                .map(|e| match e {
                    ExtractName::Ip => Extract::Ip,
                    ExtractName::User => Extract::User,
                })
                .collect(),
            max_files: self.max_files.unwrap_or(1000),
            max_events: self.max_events.unwrap_or(10_000),
            os: os.to_string(),
        }
    }

    /// Whether this OS has something to read.
    fn applies(&self, os: &str) -> bool {
        !self.files.is_empty()
            || match os {
                "linux" => self.journal.is_some(),
                "macos" => self.unified_log.is_some(),
                "windows" => self.eventlog.is_some(),
                _ => false,
            }
    }

    fn window(&self) -> String {
        match self.since {
            Some(d) => format!("in the last {d}"),
            None => "in all".into(),
        }
    }
}

/// A time as a technician reads it: local, to the second, with the offset.
fn local(t: Option<jiff::Timestamp>) -> String {
    t.map_or_else(
        || "-".into(),
        |t| {
            t.to_zoned(jiff::tz::TimeZone::system())
                .strftime("%Y-%m-%d %H:%M:%S %:z")
                .to_string()
        },
    )
}

/// Only the time of day when the day is today.
fn short(t: Option<jiff::Timestamp>) -> String {
    let full = local(t);
    let today = jiff::Zoned::now().strftime("%Y-%m-%d").to_string();
    full.strip_prefix(&format!("{today} "))
        .map_or(full.clone(), |rest| {
            rest.split(' ').next().unwrap_or(rest).to_string()
        })
}

impl super::Reasons for LogscanStep {
    const REASONS: &'static [(&'static str, &'static str)] = &[
        (
            "matches",
            "as many matching entries as `warn_count`/`fail_count` (default: any)",
        ),
        ("unreadable", "no log could be read"),
        (
            "partly_unreadable",
            "some logs could not be read (the counts cover the rest)",
        ),
        (
            "stopped_early",
            "the scan ran out of time: the counts are partial",
        ),
    ];
}

impl Check for LogscanStep {
    fn evaluate(&self, ctx: &StepContext) -> Evaluation {
        let os = ctx.facts.os.as_str();
        if !self.applies(os) {
            return Evaluation::problem(
                Status::Skipped,
                "other_os",
                format!("no log to read on {os}"),
            );
        }
        let scan = logscan::run(&self.params(os), ctx.deadline, ctx.cancel);
        let f = &scan.findings;
        let read_files = scan.files.iter().filter(|n| n.error.is_none()).count();
        let nothing_read = read_files == 0 && scan.sources.is_empty();
        if nothing_read && !scan.errors.is_empty() {
            return Evaluation::problem(
                Status::Error,
                "unreadable",
                format!("no log could be read: {}", scan.errors.join("; ")),
            );
        }
        let (warn, fail) = match (self.warn_count, self.fail_count) {
            (None, None) => (Some(1), None),
            t => t,
        };
        let mut status = if fail.is_some_and(|n| f.total >= n) {
            Status::Fail
        } else if warn.is_some_and(|n| f.total >= n) {
            Status::Warn
        } else {
            Status::Pass
        };
        let mut reason = (status != Status::Pass).then_some("matches");
        let what = {
            let mut parts = Vec::new();
            if !scan.files.is_empty() {
                parts.push(format!(
                    "{} file{}",
                    scan.files.len(),
                    if scan.files.len() == 1 { "" } else { "s" }
                ));
            }
            parts.extend(
                scan.sources
                    .iter()
                    .map(|s| s.split(':').next().unwrap_or(s).to_string()),
            );
            parts.join(", ")
        };
        let what = if what.is_empty() {
            "nothing read".to_string()
        } else {
            what
        };
        let mut message = if f.total == 0 {
            format!("no matches {} ({what})", self.window())
        } else {
            let top = &f.groups[0];
            format!(
                "{} match{} {} in {} group{} ({what}); most: {}× {}",
                f.total,
                if f.total == 1 { "" } else { "es" },
                self.window(),
                f.groups.len() + usize::from(f.other > 0),
                if f.groups.len() == 1 && f.other == 0 {
                    ""
                } else {
                    "s"
                },
                top.count,
                crate::text::clip(&top.key, 100)
            )
        };
        if nothing_read {
            for n in &scan.notes {
                message.push_str(&format!("; {n}"));
            }
        }
        if scan.stopped {
            message.push_str("; stopped early (time ran out): counts are partial");
            if status == Status::Pass {
                status = Status::Warn;
                reason = Some("stopped_early");
            }
        }
        if !scan.errors.is_empty() {
            message.push_str(&format!("; could not read: {}", scan.errors.join("; ")));
            if status == Status::Pass {
                status = Status::Warn;
                reason = Some("partly_unreadable");
            }
        }
        let mut e = Evaluation::new(status, message);
        e.reason = reason;
        let mut m = Measurement::new("matches", f.total as f64, "count");
        m.warn = warn.map(|n| n as f64);
        m.fail = fail.map(|n| n as f64);
        e.measurements.push(m);
        e.measurements.push(Measurement::new(
            "groups",
            (f.groups.len() as u64 + u64::from(f.other > 0)) as f64,
            "count",
        ));
        e.measurements.push(Measurement::new(
            "bytes_read",
            scan.files.iter().map(|n| n.bytes).sum::<u64>() as f64,
            "bytes",
        ));
        for x in &f.extracted {
            e.measurements.push(Measurement::new(
                &format!("distinct_{}", x.kind.name()),
                x.values.len() as f64,
                "count",
            ));
        }
        // The story, one line per group, then the evidence and what was read.
        let mut out = String::new();
        for g in f.groups.iter().take(GROUPS_SHOWN) {
            out.push_str(&format!(
                "{:>6}×  {}  · first {} · last {}\n",
                g.count,
                crate::text::clip(&g.key, 160),
                short(g.first),
                short(g.last)
            ));
            for s in &g.samples {
                out.push_str(&format!("         {}\n", crate::text::clip(s, 300)));
            }
        }
        if f.groups.len() > GROUPS_SHOWN {
            let rest: u64 = f.groups[GROUPS_SHOWN..].iter().map(|g| g.count).sum();
            out.push_str(&format!(
                "   … {} more groups ({rest} matches)\n",
                f.groups.len() - GROUPS_SHOWN
            ));
        }
        if f.other > 0 {
            out.push_str(&format!(
                "   … {} matches in groups past the first {}\n",
                f.other,
                logscan::collect::MAX_GROUPS
            ));
        }
        if f.total > 0 {
            out.push_str(&format!(
                "first {} · last {}\n",
                local(f.first),
                local(f.last)
            ));
        }
        for x in &f.extracted {
            let (kind, dropped) = (x.kind, &x.dropped);
            let top: Vec<String> = x
                .values
                .iter()
                .take(10)
                .map(|(v, n)| format!("{v} ({n})"))
                .collect();
            out.push_str(&format!(
                "top {}: {}{}\n",
                kind.name(),
                if top.is_empty() {
                    "none".to_string()
                } else {
                    top.join(", ")
                },
                if *dropped > 0 {
                    format!(" (+{dropped} not kept)")
                } else {
                    String::new()
                }
            ));
        }
        let read: Vec<String> = scan
            .files
            .iter()
            .filter(|n| n.error.is_none())
            .map(|n| {
                let skipped = if n.skipped > 0 {
                    format!(", {} before the window skipped", human_bytes(n.skipped))
                } else {
                    String::new()
                };
                format!("{} ({}{skipped})", n.path, human_bytes(n.bytes))
            })
            .chain(scan.sources.iter().cloned())
            .collect();
        if !read.is_empty() {
            out.push_str(&format!("read: {}\n", read.join("; ")));
        }
        for n in &scan.notes {
            out.push_str(&format!("note: {n}\n"));
        }
        e.output = Some(Output {
            stdout: out,
            stderr: scan.errors.join("\n"),
            truncated: false,
        });
        e.show_output = f.total > 0;
        e
    }

    fn describe(&self) -> String {
        let mut sources = Vec::new();
        if !self.files.is_empty() {
            sources.push(self.files.join(", "));
        }
        if self.journal.is_some() {
            sources.push("the journal (Linux)".into());
        }
        if self.eventlog.is_some() {
            sources.push("the Event Log (Windows)".into());
        }
        if self.unified_log.is_some() {
            sources.push("the unified log (macOS)".into());
        }
        format!("scans {} {} for errors", sources.join(", "), self.window())
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(300)
    }

    fn validate(&self, _facts: &Facts) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        if self.files.is_empty()
            && self.journal.is_none()
            && self.eventlog.is_none()
            && self.unified_log.is_none()
        {
            out.push(FieldProblem {
                key: "files",
                message: "say what to read: `files`, `journal`, `eventlog` or `unified_log`".into(),
                hint: Some(
                    "e.g. files = [\"/var/log/myapp/*.log\"] or journal = { priority = \"err\" }"
                        .into(),
                ),
            });
        }
        for f in &self.files {
            if let Err(e) = crate::pathglob::check(f) {
                out.push(FieldProblem {
                    key: "files",
                    message: e,
                    hint: None,
                });
            }
        }
        if let Some(p) = self.journal.as_ref().and_then(|j| j.priority.as_deref())
            && !logscan::system::PRIORITIES.contains(&p)
        {
            out.push(FieldProblem {
                key: "journal",
                message: format!("unknown journal priority `{p}`"),
                hint: Some(format!("one of {}", logscan::system::PRIORITIES.join(", "))),
            });
        }
        if let Some(l) = self.eventlog.as_ref().and_then(|e| e.level.as_deref())
            && logscan::system::level_number(l).is_none()
        {
            out.push(FieldProblem {
                key: "eventlog",
                message: format!("unknown event level `{l}`"),
                hint: Some("one of critical, error, warning, information, verbose".into()),
            });
        }
        if self.group_by == GroupByName::Capture
            && !self.patterns.iter().any(|p| p.0.captures_len() > 1)
        {
            out.push(FieldProblem {
                key: "group_by",
                message: "`group_by = \"capture\"` needs a pattern with a capture group".into(),
                hint: Some("e.g. patterns = ['Faulting module name: ([^,]+)']".into()),
            });
        }
        if let (Some(w), Some(f)) = (self.warn_count, self.fail_count)
            && w > f
        {
            out.push(FieldProblem {
                key: "warn_count",
                message: format!("`warn_count` {w} is above `fail_count` {f}"),
                hint: None,
            });
        }
        out
    }
}
