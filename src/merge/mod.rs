//! `supportctl report merge`: one summary across the JSON reports of many
//! machines (fetched back by Ansible, an RMM tool, a file share).
//!
//! Inputs are files, folders (every `*.json` below them) or globs. Each
//! report is identified by its host (`host.hostname`), the playbooks it ran
//! and its `run_id`:
//! - the same `run_id` twice (a file copied twice) is merged once and the
//!   copy is listed as a duplicate;
//! - several runs of the same playbooks on one host: the newest
//!   (`started_at`) counts, the older are listed as superseded; runs of
//!   other playbooks on that host all count;
//! - a file that is not a supportctl report, or whose `schema_version` this
//!   build does not read, is listed with the reason and left out.
//!
//! # Streaming
//!
//! Reports are folded in one at a time and never held: [`Fold::add`] takes a
//! decoded [`Report`], keeps a compact record of it and drops
//! the rest (outputs, measurements, facts, advice). A run keeps what
//! deduplication, superseding and the summary need: run id, start time,
//! source, exit code and counts, and per step an index into a table of
//! (playbook, step id, step name), its status, its reason (an index into a
//! table of strings) and — for CSV only — its message, all of a run's
//! messages in one string. Each host and set of playbooks keeps only its
//! newest run; a newer run replaces the older one's record outright, and the
//! older one is remembered as a source, run id and start time for the
//! "older run" note. [`Fold::finish`] then builds the per-step and
//! per-conclusion groupings from the kept records, in the order the
//! all-at-once merge used (hosts by machine and playbooks; steps in order of
//! first appearance), with host names shared ([`HostName`]) rather than
//! copied into every list. So memory follows the summary (about 3 KB a
//! host at 50 steps) rather than the reports (about 20 KB a host of JSON,
//! several times that decoded); `bench/run.sh` measures it.
//!
//! Files are read one at a time into one reused buffer (capped at 256 MiB)
//! and decoded from it; a history export (`supportctl history export`) is
//! decoded one run at a time and counts only when every run in it is valid.
//!
//! [`merge`] is the same fold over a list (reports in, [`Merged`] out).
//! `read.rs` finds and reads the inputs, `fold.rs` folds them, `render.rs`
//! draws the result.

mod fold;
mod read;
pub mod render;

pub use fold::Fold;
pub use read::{inputs, read, read_each};

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::report::{Report, SCHEMA_VERSION, Status, Summary};

/// A host's name in the groupings: one shared string per host, not one
/// copy per step it appears under.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HostName(Arc<str>);

impl HostName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for HostName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for HostName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for HostName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl std::fmt::Display for HostName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for HostName {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for HostName {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl Serialize for HostName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// One host's run, as merged.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct HostRun {
    pub host: String,
    /// The machine's stable id (its host name when the report has none).
    pub machine: String,
    /// The playbooks this run ran.
    pub playbooks: Vec<String>,
    pub run_id: String,
    pub started_at: String,
    pub exit_code: i32,
    pub summary: Summary,
    /// The file it came from.
    pub source: String,
    /// Playbooks this run ran that were not signed (neither signed with a
    /// trusted key nor shipped); empty for reports made before signing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsigned: Vec<String>,
    /// What each step said on this host (for CSV; see [`Merged::notes`]).
    #[serde(skip)]
    pub steps: StepNotes,
}

/// One step across hosts: which hosts ended in which status.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct StepAcross {
    pub playbook: String,
    pub step: String,
    pub name: String,
    /// Status name → hosts, e.g. `{"fail": ["ws-01", "ws-07"]}`.
    pub hosts: BTreeMap<String, Vec<HostName>>,
    /// Reason code → hosts where the step did not pass for that reason,
    /// e.g. `{"cert_expired": ["ws-01", "ws-07"]}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reasons: BTreeMap<String, Vec<HostName>>,
}

/// One conclusion across hosts: the hosts whose run concluded it.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct ConclusionAcross {
    pub playbook: String,
    /// The cause's id; absent for "no known cause matched" (or nothing wrong).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The summary (of the first host that concluded it).
    pub summary: String,
    pub hosts: Vec<HostName>,
    /// The hosts where the cause's resolvers cleared it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cleared: Vec<HostName>,
}

/// A file left out, or a run not counted, with the reason.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Problem {
    pub source: String,
    pub problem: String,
    /// The file was left out (unreadable, not a report, incompatible);
    /// `false` for a duplicate or an older run, which are expected.
    pub rejected: bool,
}

/// The merged view.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Merged {
    /// The report schema version this merge reads.
    pub schema_version: u32,
    pub hosts: Vec<HostRun>,
    pub steps: Vec<StepAcross>,
    /// What the hosts' runs concluded, grouped by playbook and cause, the
    /// most hosts first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conclusions: Vec<ConclusionAcross>,
    /// Steps by status, over all hosts.
    pub summary: Summary,
    pub problems: Vec<Problem>,
    /// The strings [`StepNotes`] refer to (reason codes).
    #[serde(skip)]
    strings: Vec<Arc<str>>,
}

/// What one step said on one host.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Note<'a> {
    pub step: &'a StepAcross,
    pub status: Status,
    pub message: &'a str,
    pub reason: Option<&'a str>,
}

/// One run's steps, compactly: per step an index, a status, a reason and
/// where its message ends in `text` (each message starts where the previous
/// one ends). In a [`Fold`] `step` indexes its table of step descriptions;
/// in a [`Merged`] it indexes [`Merged::steps`], in that order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepNotes {
    text: String,
    facts: Vec<StepFact>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct StepFact {
    step: u32,
    reason: u32,
    end: u32,
    status: Status,
}

/// No reason (the string tables never reach this index).
const NO_REASON: u32 = u32::MAX;

impl StepNotes {
    fn iter(&self) -> impl Iterator<Item = (&StepFact, &str)> {
        let mut start = 0;
        self.facts.iter().map(move |f| {
            let end = f.end as usize;
            let message = &self.text[start..end];
            start = end;
            (f, message)
        })
    }

    /// Puts the steps in `step` order (rarely needed: a run usually lists
    /// its steps in the order they were first seen).
    fn sort(&mut self) {
        if self.facts.is_sorted_by_key(|f| f.step) {
            return;
        }
        let mut pairs: Vec<(StepFact, String)> =
            self.iter().map(|(f, m)| (*f, m.to_string())).collect();
        pairs.sort_by_key(|(f, _)| f.step);
        self.text.clear();
        self.facts.clear();
        for (mut f, m) in pairs {
            self.text.push_str(&m);
            f.end = self.text.len() as u32;
            self.facts.push(f);
        }
    }
}

impl Merged {
    /// Distinct machines (a machine that ran several playbook sets counts once).
    pub fn machines(&self) -> usize {
        self.hosts
            .iter()
            .map(|h| h.machine.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    }

    /// What each step said on `host` (one of [`Merged::hosts`]), in the
    /// order of [`Merged::steps`].
    pub fn notes<'a>(&'a self, host: &'a HostRun) -> impl Iterator<Item = Note<'a>> {
        host.steps.iter().map(|(f, message)| Note {
            step: &self.steps[f.step as usize],
            status: f.status,
            message,
            reason: (f.reason != NO_REASON).then(|| &*self.strings[f.reason as usize]),
        })
    }
}

/// Merges reports (with the file each came from): [`Fold`] over a list.
pub fn merge(reports: Vec<(String, Report)>, problems: Vec<Problem>) -> Merged {
    let mut fold = Fold::new(problems);
    for (source, report) in reports {
        fold.add(source, report);
    }
    fold.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{PlaybookReport, StepOutcome};

    pub fn report(host: &str, run: &str, at: &str, statuses: &[(&str, Status)]) -> Report {
        let steps: Vec<StepOutcome> = statuses
            .iter()
            .map(|(id, status)| StepOutcome {
                id: id.to_string(),
                name: id.to_string(),
                kind: "command".into(),
                status: *status,
                message: format!("{id} on {host}"),
                tags: vec![],
                measurements: vec![],
                actions: vec![],
                output: None,
                show_output: false,
                reason: None,
                advice: None,
                attempts: vec![],
                duration_ms: 1,
            })
            .collect();
        let summary = Summary::of(&steps);
        let mut facts: crate::facts::Facts = serde_json::from_value(serde_json::json!({
            "hostname": host, "user": "u", "os": "linux", "os_name": "Linux", "os_version": "12",
            "kernel_version": "6", "arch": "x86_64", "cpus": 2, "physical_cores": 1, "cpu_brand": "",
            "cpu_mhz": 0, "memory_total_bytes": 1, "memory_available_bytes": 1, "uptime_secs": 1,
            "home": "/", "temp": "/tmp", "desktop": "/", "cache_dir": "/", "config_dir": "/", "system_drive": "/"
        }))
        .unwrap();
        facts.hostname = host.into();
        Report {
            schema_version: SCHEMA_VERSION,
            tool: "supportctl".into(),
            tool_version: "0.1.0".into(),
            run_id: run.into(),
            started_at: at.into(),
            duration_ms: 5,
            dry_run: false,
            strict: false,
            interrupted: false,
            host: facts,
            network: None,
            ticket: None,
            playbooks: vec![PlaybookReport {
                version: None,
                signature: None,
                name: "quick-health".into(),
                description: None,
                source: "shipped:quick-health".into(),
                summary,
                steps,
                duration_ms: 5,
            }],
            conclusions: Vec::new(),
            notes: Vec::new(),
            summary,
            exit_code: 0,
        }
    }

    #[test]
    fn hosts_are_grouped_by_reason_and_by_conclusion() {
        let with = |host: &str, reason: &str, cause: Option<&str>| {
            let mut r = report(
                host,
                &format!("{host}-1"),
                "2026-11-24T10:00:00Z",
                &[("https", Status::Fail)],
            );
            r.playbooks[0].steps[0].reason = Some(reason.into());
            r.conclusions.push(crate::report::Conclusion {
                playbook: "quick-health".into(),
                matched: cause.is_some(),
                id: cause.map(String::from),
                summary: cause.unwrap_or("none matched").into(),
                tell_user: None,
                next: None,
                steps: vec![],
                fixes: vec![],
                cleared: false,
            });
            (format!("{host}.json"), r)
        };
        let m = merge(
            vec![
                with("ws-01", "cert_expired", Some("clock-wrong")),
                with("ws-02", "cert_expired", Some("clock-wrong")),
                with("ws-03", "proxy", None),
            ],
            vec![],
        );
        let https = &m.steps[0];
        assert_eq!(https.reasons["cert_expired"], ["ws-01", "ws-02"]);
        assert_eq!(https.reasons["proxy"], ["ws-03"]);
        assert_eq!(m.conclusions[0].id.as_deref(), Some("clock-wrong"));
        assert_eq!(m.conclusions[0].hosts, ["ws-01", "ws-02"]);
        assert_eq!(m.conclusions[1].id, None);
        let mut out = Vec::new();
        render::render(&m, render::MergeFormat::Human, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("    2 hosts: cert_expired\n    1 host: proxy\n"),
            "{text}"
        );
        assert!(
            text.contains("  2 hosts: quick-health — clock-wrong (ws-01, ws-02)"),
            "{text}"
        );
        let mut out = Vec::new();
        render::render(&m, render::MergeFormat::Csv, &mut out).unwrap();
        let csv = String::from_utf8(out).unwrap();
        assert!(
            csv.starts_with("host,run_id,playbook,step,status,message,reason\n"),
            "{csv}"
        );
        assert!(csv.contains(",fail,https on ws-01,cert_expired\n"), "{csv}");
    }

    #[test]
    fn merges_hosts_and_says_which_failed_each_step() {
        let a = report(
            "ws-01",
            "ws-01-1",
            "2026-11-24T10:00:00Z",
            &[("disk", Status::Pass), ("dns", Status::Fail)],
        );
        let b = report(
            "ws-02",
            "ws-02-1",
            "2026-11-24T10:00:05Z",
            &[("disk", Status::Fail), ("dns", Status::Fail)],
        );
        let m = merge(
            vec![
                ("a.json".into(), a.clone()),
                ("b.json".into(), b),
                ("a-copy.json".into(), a),
            ],
            vec![],
        );
        assert_eq!(m.hosts.len(), 2);
        assert_eq!(m.steps[0].step, "disk");
        assert_eq!(m.steps[0].hosts["fail"], ["ws-02"]);
        assert_eq!(m.steps[1].hosts["fail"], ["ws-01", "ws-02"]);
        assert_eq!((m.summary.pass, m.summary.fail), (1, 3));
        assert_eq!(m.problems.len(), 1);
        assert!(
            m.problems[0].problem.starts_with("duplicate of a.json"),
            "{:?}",
            m.problems
        );
    }

    #[test]
    fn the_newest_run_of_a_host_counts() {
        let old = report(
            "ws-01",
            "ws-01-old",
            "2026-11-24T09:00:00Z",
            &[("disk", Status::Fail)],
        );
        let new = report(
            "ws-01",
            "ws-01-new",
            "2026-11-24T10:00:00Z",
            &[("disk", Status::Pass)],
        );
        let m = merge(
            vec![("new.json".into(), new), ("old.json".into(), old)],
            vec![],
        );
        assert_eq!(m.hosts.len(), 1);
        assert_eq!(m.hosts[0].run_id, "ws-01-new");
        assert_eq!(m.steps[0].hosts.get("fail"), None);
        assert!(
            m.problems[0]
                .problem
                .contains("an older run of quick-health on ws-01")
        );
        // A run of another playbook on the same host counts too.
        let other = report(
            "ws-01",
            "ws-01-other",
            "2026-11-24T08:00:00Z",
            &[("git", Status::Pass)],
        );
        let mut other = other;
        other.playbooks[0].name = "dev-workstation".into();
        let m = merge(
            vec![
                (
                    "n.json".into(),
                    report(
                        "ws-01",
                        "n",
                        "2026-11-24T10:00:00Z",
                        &[("disk", Status::Pass)],
                    ),
                ),
                ("o.json".into(), other),
            ],
            vec![],
        );
        assert_eq!(m.hosts.len(), 2);
        assert!(m.problems.is_empty());
    }

    #[test]
    fn a_superseded_run_counts_for_nothing_in_any_order() {
        let run = |id: &str, at: &str, status: Status| {
            (
                format!("{id}.json"),
                report("ws-01", id, at, &[("disk", status), ("dns", status)]),
            )
        };
        let oldest = run("a-oldest", "2026-11-24T08:00:00Z", Status::Fail);
        let newest = run("b-newest", "2026-11-24T10:00:00Z", Status::Pass);
        let middle = run("c-middle", "2026-11-24T09:00:00Z", Status::Error);
        let other = (
            "ws-02.json".to_string(),
            report(
                "ws-02",
                "d",
                "2026-11-24T09:00:00Z",
                &[("disk", Status::Warn)],
            ),
        );
        let orders = [
            vec![
                oldest.clone(),
                newest.clone(),
                middle.clone(),
                other.clone(),
            ],
            vec![
                newest.clone(),
                middle.clone(),
                other.clone(),
                oldest.clone(),
            ],
            vec![
                middle.clone(),
                oldest.clone(),
                other.clone(),
                newest.clone(),
            ],
        ];
        let merged: Vec<Merged> = orders.into_iter().map(|o| merge(o, vec![])).collect();
        for m in &merged {
            assert_eq!(m, &merged[0]);
            assert_eq!(m.hosts.len(), 2);
            assert_eq!(m.hosts[0].run_id, "b-newest");
            assert_eq!(m.steps[0].hosts["pass"], ["ws-01"]);
            assert_eq!(m.steps[0].hosts["warn"], ["ws-02"]);
            assert_eq!(m.steps[1].hosts.keys().collect::<Vec<_>>(), ["pass"]);
            assert_eq!((m.summary.pass, m.summary.warn), (2, 1));
            assert_eq!(
                (m.summary.fail, m.summary.error, m.summary.total),
                (0, 0, 3)
            );
            let problems: Vec<&str> = m.problems.iter().map(|p| p.problem.as_str()).collect();
            assert_eq!(
                problems,
                [
                    "an older run of quick-health on ws-01 (c-middle, started 2026-11-24T09:00:00Z); the newest (b-newest) counts",
                    "an older run of quick-health on ws-01 (a-oldest, started 2026-11-24T08:00:00Z); the newest (b-newest) counts",
                ]
            );
            let notes: Vec<(&str, Status, &str)> = m
                .notes(&m.hosts[0])
                .map(|n| (n.step.step.as_str(), n.status, n.message))
                .collect();
            assert_eq!(
                notes,
                [
                    ("disk", Status::Pass, "disk on ws-01"),
                    ("dns", Status::Pass, "dns on ws-01")
                ]
            );
        }
        // Two runs started at the same time: the smaller run id counts.
        let tie = merge(
            vec![
                run("z", "2026-11-24T10:00:00Z", Status::Fail),
                run("y", "2026-11-24T10:00:00Z", Status::Pass),
            ],
            vec![],
        );
        assert_eq!(tie.hosts[0].run_id, "y");
    }

    #[test]
    fn each_run_keeps_its_own_notes_in_step_order() {
        // Two machines with one name, and a run listing its steps in
        // another order than the first run seen.
        let mut a = report(
            "vm",
            "a",
            "2026-11-24T10:00:00Z",
            &[("disk", Status::Pass), ("dns", Status::Fail)],
        );
        a.host.machine_id = "aaaa".into();
        a.playbooks[0].steps[1].reason = Some("nxdomain".into());
        let mut b = report(
            "vm",
            "b",
            "2026-11-24T10:00:00Z",
            &[("dns", Status::Warn), ("disk", Status::Fail)],
        );
        b.host.machine_id = "bbbb".into();
        b.playbooks[0].steps[0].message = "slow, but, \"fine\"".into();
        let m = merge(vec![("a".into(), a), ("b".into(), b)], vec![]);
        let notes = |h: &HostRun| -> Vec<(String, Status, String, Option<String>)> {
            m.notes(h)
                .map(|n| {
                    (
                        n.step.step.clone(),
                        n.status,
                        n.message.to_string(),
                        n.reason.map(String::from),
                    )
                })
                .collect()
        };
        assert_eq!(
            notes(&m.hosts[0]),
            [
                ("disk".into(), Status::Pass, "disk on vm".into(), None),
                (
                    "dns".into(),
                    Status::Fail,
                    "dns on vm".into(),
                    Some("nxdomain".into())
                )
            ]
        );
        assert_eq!(
            notes(&m.hosts[1]),
            [
                ("disk".into(), Status::Fail, "disk on vm".into(), None),
                (
                    "dns".into(),
                    Status::Warn,
                    "slow, but, \"fine\"".into(),
                    None
                )
            ]
        );
        assert_eq!(m.steps[1].reasons["nxdomain"], ["vm"]);
        // Without notes (what every format but CSV needs) the view is the same.
        let mut fold = Fold::new(vec![]);
        fold.keep_notes(false);
        for (source, r) in [
            ("a", {
                let mut r = report(
                    "vm",
                    "a",
                    "2026-11-24T10:00:00Z",
                    &[("disk", Status::Pass), ("dns", Status::Fail)],
                );
                r.host.machine_id = "aaaa".into();
                r.playbooks[0].steps[1].reason = Some("nxdomain".into());
                r
            }),
            ("b", {
                let mut r = report(
                    "vm",
                    "b",
                    "2026-11-24T10:00:00Z",
                    &[("dns", Status::Warn), ("disk", Status::Fail)],
                );
                r.host.machine_id = "bbbb".into();
                r
            }),
        ] {
            fold.add(source, r);
        }
        let lean = fold.finish();
        assert_eq!(lean.steps, m.steps);
        assert_eq!(lean.summary, m.summary);
        assert_eq!(lean.notes(&lean.hosts[0]).count(), 0);
    }

    #[test]
    fn an_export_counts_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let good = report(
            "ws-01",
            "r1",
            "2026-11-24T10:00:00Z",
            &[("disk", Status::Pass)],
        );
        let mut bad = serde_json::to_value(report(
            "ws-02",
            "r2",
            "2026-11-24T10:00:00Z",
            &[("disk", Status::Fail)],
        ))
        .unwrap();
        bad["schema_version"] = 2.into();
        let write = |name: &str, runs: Vec<serde_json::Value>| {
            let path = dir.path().join(name);
            let export = serde_json::json!({"tool": "supportctl", "note": [1, 2], "history": runs});
            std::fs::write(&path, serde_json::to_vec(&export).unwrap()).unwrap();
            path
        };
        let good = serde_json::to_value(good).unwrap();
        let mut fold = Fold::new(vec![]);
        fold.add_file(&write("mixed.json", vec![good.clone(), bad]));
        assert_eq!(fold.reports(), 0);
        assert_eq!(
            fold.problems()[0].problem,
            "run 2 of the export: incompatible report schema_version 2: this supportctl reads version 1 (merge it with a matching supportctl)"
        );
        fold.add_file(&write("good.json", vec![good.clone(), good]));
        let m = fold.finish();
        assert_eq!(m.hosts.len(), 1);
        assert!(
            m.problems[1].problem.starts_with("duplicate of "),
            "{:?}",
            m.problems
        );
    }
}
