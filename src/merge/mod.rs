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
//! # Streaming, and memory that stays small
//!
//! Reports are folded in one at a time and never held: [`Fold::add`] takes a
//! decoded [`Report`], writes a compact record of it to the merge's spill
//! (`spill.rs`: an anonymous, owner-only temporary file) and drops the rest
//! (outputs, measurements, facts, advice). The record holds the host name,
//! exit code and counts, per step an index into a table of (playbook, step
//! id, step name), its status, its reason (an index into a table of
//! strings) and — for CSV only — its message, and the conclusions. In
//! memory each run keeps only what deduplication and superseding need: run
//! id, start time, machine, playbooks, the index of its source file and
//! where its record is. Each host and set of playbooks keeps only its
//! newest run; an older one is remembered for the "older run" note.
//!
//! [`Fold::finish`] reads the newest records back, in the order the output
//! lists hosts (by machine and playbooks), and builds the per-step and
//! per-conclusion groupings by host number (that order; a host's name is
//! kept once): a status byte per host for a step most hosts ran
//! ([`ByStatus`]), lists of host numbers otherwise. The renderers read each host's record again as they
//! draw it ([`Merged::hosts`]), so nothing of a host but its name, its key
//! and its place in the groupings is held while the output is written.
//! Memory grows by a few hundred bytes a host at 50 steps, not by the
//! reports (about 20 KB a host of JSON); `bench/run.sh` measures it.
//!
//! Files are read one at a time into one reused buffer (capped at 256 MiB)
//! and decoded from it; a history export (`supportctl history export`) is
//! decoded one run at a time and counts only when every run in it is valid.
//!
//! [`merge`] is the same fold over a list (reports in, [`Merged`] out).
//! `read.rs` finds and reads the inputs, `fold.rs` folds them, `spill.rs`
//! keeps the records, `render.rs` draws the result.

mod fold;
mod read;
pub mod render;
mod spill;

pub use fold::Fold;
pub use read::{inputs, read, read_each};

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde::ser::{Error as _, SerializeSeq};

use crate::report::{Report, SCHEMA_VERSION, Status, Summary};

/// One host's run, as merged (read back from the spill, one at a time:
/// [`Merged::hosts`]).
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

/// Hosts, as their places in [`Merged::hosts`] (names: [`Merged::names`]).
pub type Hosts = Vec<u32>;

/// Which hosts ended a step in which status. A step most hosts ran keeps
/// a byte a host (its status there); a step few ran keeps a list per
/// status, so a fleet of many different playbooks costs no more than the
/// steps its hosts ran.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ByStatus {
    counts: [usize; 6],
    places: Places,
}

#[derive(Clone, Debug, PartialEq)]
enum Places {
    /// Per host, `status as u8 + 1`; 0 where the host did not run the step.
    Column(Vec<u8>),
    /// Per status (`status as usize`), its hosts.
    Lists([Hosts; 6]),
}

impl Default for Places {
    fn default() -> Places {
        Places::Lists(Default::default())
    }
}

impl ByStatus {
    /// Room for `counts[status]` hosts in each status, out of `hosts`.
    fn with_counts(counts: [usize; 6], hosts: usize) -> ByStatus {
        let ran: usize = counts.iter().sum();
        let places = if ran.saturating_mul(4) >= hosts {
            Places::Column(vec![0; hosts])
        } else {
            Places::Lists(counts.map(Vec::with_capacity))
        };
        ByStatus { counts, places }
    }

    /// Host `place` ended the step in `status` (places come in order).
    fn push(&mut self, place: u32, status: Status) {
        if let Places::Column(column) = &mut self.places {
            let slot = &mut column[place as usize];
            if *slot == 0 {
                *slot = status as u8 + 1;
                return;
            }
            // The host's run lists the step twice (not a run supportctl
            // writes): lists keep every listing, as a column cannot.
            let mut lists: [Hosts; 6] = Default::default();
            for (host, &kept) in column.iter().enumerate() {
                if kept != 0 {
                    lists[kept as usize - 1].push(host as u32);
                }
            }
            self.places = Places::Lists(lists);
        }
        if let Places::Lists(lists) = &mut self.places {
            lists[status as usize].push(place);
        }
    }

    /// How many hosts ended the step in `status`.
    pub fn count(&self, status: Status) -> usize {
        self.counts[status as usize]
    }

    /// The hosts that ended the step in `status`, in order.
    pub fn hosts(&self, status: Status) -> Box<dyn Iterator<Item = u32> + '_> {
        match &self.places {
            Places::Column(column) => Box::new(
                (0..column.len() as u32).filter(move |&h| column[h as usize] == status as u8 + 1),
            ),
            Places::Lists(lists) => Box::new(lists[status as usize].iter().copied()),
        }
    }

    /// The statuses some host ended the step in, by name (as JSON lists them).
    pub fn statuses(&self) -> Vec<Status> {
        let mut present: Vec<Status> = (Status::ALL.into_iter())
            .filter(|&s| self.count(s) > 0)
            .collect();
        present.sort_by_key(|s| s.as_str());
        present
    }
}

/// One step across hosts: which hosts ended in which status.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepAcross {
    pub playbook: String,
    pub step: String,
    pub name: String,
    /// Status → hosts; in JSON by name, e.g. `{"fail": ["ws-01", "ws-07"]}`.
    pub hosts: ByStatus,
    /// Reason code → hosts where the step did not pass for that reason,
    /// e.g. `{"cert_expired": ["ws-01", "ws-07"]}`.
    pub reasons: BTreeMap<String, Hosts>,
}

/// One conclusion across hosts: the hosts whose run concluded it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConclusionAcross {
    pub playbook: String,
    /// The cause's id; absent for "no known cause matched" (or nothing wrong).
    pub id: Option<String>,
    /// The summary (of the first host that concluded it).
    pub summary: String,
    pub hosts: Hosts,
    /// The hosts where the cause's resolvers cleared it.
    pub cleared: Hosts,
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

/// A counted run, as memory keeps it: its key, and where the rest is.
struct Counted {
    machine: Box<str>,
    playbooks: Box<[Arc<str>]>,
    run: fold::Slot,
}

/// The merged view. Serialized (JSON) with the hosts read back one at a
/// time; the field order is the schema's.
pub struct Merged {
    /// The report schema version this merge reads.
    pub schema_version: u32,
    counted: Vec<Counted>,
    pub steps: Vec<StepAcross>,
    /// What the hosts' runs concluded, grouped by playbook and cause, the
    /// most hosts first.
    pub conclusions: Vec<ConclusionAcross>,
    /// Steps by status, over all hosts.
    pub summary: Summary,
    pub problems: Vec<Problem>,
    /// Host names, by place.
    names: Texts,
    machines: usize,
    /// The strings [`StepNotes`] refer to (reason codes).
    strings: Vec<Arc<str>>,
    sources: Texts,
    /// A record's step index (the fold's table) → its place in `steps`.
    placed: Vec<u32>,
    keep_notes: bool,
    spill: spill::Spill,
}

/// Strings kept one after the other in one allocation, by number: a
/// file name or host name per host costs its bytes and one offset.
#[derive(Default)]
struct Texts {
    text: String,
    ends: Vec<usize>,
}

impl Texts {
    /// Adds `s`; says its number.
    fn push(&mut self, s: &str) -> u32 {
        self.text.push_str(s);
        self.ends.push(self.text.len());
        self.ends.len() as u32 - 1
    }

    fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn last(&self) -> Option<&str> {
        self.ends.len().checked_sub(1).map(|i| self.get(i as u32))
    }
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
/// one ends). In a record `step` indexes the fold's table of step
/// descriptions; in a [`HostRun`] it indexes [`Merged::steps`], in that
/// order.
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
            let message = self.text.get(start..end).unwrap_or_default();
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
        self.machines
    }

    /// How many runs count (one per machine and set of playbooks).
    pub fn host_count(&self) -> usize {
        self.counted.len()
    }

    /// The name of the host at `place` in [`Merged::hosts`].
    pub fn name(&self, place: u32) -> &str {
        self.names.get(place)
    }

    /// The names of `hosts`.
    pub fn names<'a>(&'a self, hosts: &'a [u32]) -> impl Iterator<Item = &'a str> {
        hosts.iter().map(|&h| self.name(h))
    }

    /// The names of `hosts`, joined with ", ".
    pub fn joined(&self, hosts: impl IntoIterator<Item = u32>) -> String {
        let names: Vec<&str> = hosts.into_iter().map(|h| self.name(h)).collect();
        names.join(", ")
    }

    /// The counted runs, by machine and playbooks, each read back from the
    /// spill as it is reached (an error only if the spill cannot be read).
    pub fn hosts(&self) -> impl Iterator<Item = io::Result<HostRun>> + '_ {
        self.counted.iter().map(|c| {
            let record = self.spill.get(c.run.at)?;
            let mut steps = record.steps;
            if self.keep_notes {
                for fact in &mut steps.facts {
                    fact.step = self.placed[fact.step as usize];
                }
                steps.sort();
            } else {
                steps = StepNotes::default();
            }
            Ok(HostRun {
                host: record.host,
                machine: c.machine.to_string(),
                playbooks: c.playbooks.iter().map(|p| p.to_string()).collect(),
                run_id: c.run.run_id.to_string(),
                started_at: c.run.started_at.to_string(),
                exit_code: record.exit_code,
                summary: record.summary,
                source: self.sources.get(c.run.source).to_string(),
                unsigned: record.unsigned,
                steps,
            })
        })
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

/// Host names, for serializing a list of hosts.
struct Names<'a>(&'a Merged, &'a [u32]);

impl Names<'_> {
    fn is_empty(&self) -> bool {
        self.1.is_empty()
    }
}

impl Serialize for Names<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.names(self.1))
    }
}

/// A step's hosts by status, serialized as names by status name.
struct NamesByStatus<'a>(&'a Merged, &'a ByStatus);

impl Serialize for NamesByStatus<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.1.statuses().into_iter().map(|status| {
            let names: Vec<&str> = self.1.hosts(status).map(|h| self.0.name(h)).collect();
            (status.as_str(), names)
        }))
    }
}

/// A map of hosts by reason, serialized with their names.
struct NamesBy<'a>(&'a Merged, &'a BTreeMap<String, Hosts>);

impl NamesBy<'_> {
    fn is_empty(&self) -> bool {
        self.1.is_empty()
    }
}

impl Serialize for NamesBy<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(
            self.1
                .iter()
                .map(|(key, hosts)| (key, Names(self.0, hosts))),
        )
    }
}

/// A step as JSON shows it: hosts by name.
#[derive(Serialize)]
struct StepView<'a> {
    playbook: &'a str,
    step: &'a str,
    name: &'a str,
    hosts: NamesByStatus<'a>,
    #[serde(skip_serializing_if = "NamesBy::is_empty")]
    reasons: NamesBy<'a>,
}

impl<'a> StepView<'a> {
    fn new(m: &'a Merged, step: &'a StepAcross) -> StepView<'a> {
        StepView {
            playbook: &step.playbook,
            step: &step.step,
            name: &step.name,
            hosts: NamesByStatus(m, &step.hosts),
            reasons: NamesBy(m, &step.reasons),
        }
    }
}

/// A conclusion as JSON shows it: hosts by name.
#[derive(Serialize)]
struct ConclusionView<'a> {
    playbook: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    summary: &'a str,
    hosts: Names<'a>,
    #[serde(skip_serializing_if = "Names::is_empty")]
    cleared: Names<'a>,
}

impl<'a> ConclusionView<'a> {
    fn new(m: &'a Merged, c: &'a ConclusionAcross) -> ConclusionView<'a> {
        ConclusionView {
            playbook: &c.playbook,
            id: c.id.as_deref(),
            summary: &c.summary,
            hosts: Names(m, &c.hosts),
            cleared: Names(m, &c.cleared),
        }
    }
}

/// The hosts, read back one at a time.
struct HostsView<'a>(&'a Merged);

impl Serialize for HostsView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.host_count()))?;
        for host in self.0.hosts() {
            seq.serialize_element(&host.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

/// The merge as JSON shows it; the field order is the schema's.
#[derive(Serialize)]
struct MergedView<'a> {
    schema_version: u32,
    hosts: HostsView<'a>,
    steps: Vec<StepView<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    conclusions: Vec<ConclusionView<'a>>,
    summary: &'a Summary,
    problems: &'a [Problem],
}

impl Serialize for Merged {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        MergedView {
            schema_version: self.schema_version,
            hosts: HostsView(self),
            steps: self.steps.iter().map(|x| StepView::new(self, x)).collect(),
            conclusions: (self.conclusions.iter())
                .map(|c| ConclusionView::new(self, c))
                .collect(),
            summary: &self.summary,
            problems: &self.problems,
        }
        .serialize(s)
    }
}

/// Merges reports (with the file each came from): [`Fold`] over a list.
pub fn merge(reports: Vec<(String, Report)>, problems: Vec<Problem>) -> io::Result<Merged> {
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

    /// The counted runs, read back.
    fn hosts(m: &Merged) -> Vec<HostRun> {
        m.hosts().map(Result::unwrap).collect()
    }

    /// The names of `list`.
    fn named<'a>(m: &'a Merged, list: impl IntoIterator<Item = &'a u32>) -> Vec<&'a str> {
        list.into_iter().map(|&h| m.name(h)).collect()
    }

    /// The names of the hosts that ended `step` in `status`.
    fn ended(m: &Merged, step: usize, status: Status) -> Vec<&str> {
        m.steps[step]
            .hosts
            .hosts(status)
            .map(|h| m.name(h))
            .collect()
    }

    /// What a user sees of a merge: its JSON and its CSV.
    fn drawn(m: &Merged) -> String {
        let mut out = Vec::new();
        render::render(m, render::MergeFormat::Json, &mut out).unwrap();
        render::render(m, render::MergeFormat::Csv, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

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
        )
        .unwrap();
        let https = &m.steps[0];
        assert_eq!(
            named(&m, &https.reasons["cert_expired"]),
            ["ws-01", "ws-02"]
        );
        assert_eq!(named(&m, &https.reasons["proxy"]), ["ws-03"]);
        assert_eq!(m.conclusions[0].id.as_deref(), Some("clock-wrong"));
        assert_eq!(named(&m, &m.conclusions[0].hosts), ["ws-01", "ws-02"]);
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
        )
        .unwrap();
        assert_eq!(m.host_count(), 2);
        assert_eq!(m.steps[0].step, "disk");
        assert_eq!(ended(&m, 0, Status::Fail), ["ws-02"]);
        assert_eq!(ended(&m, 1, Status::Fail), ["ws-01", "ws-02"]);
        assert_eq!((m.summary.pass, m.summary.fail), (1, 3));
        assert_eq!(m.problems.len(), 1);
        assert!(
            m.problems[0].problem.starts_with("duplicate of a.json"),
            "{:?}",
            m.problems
        );
    }

    #[test]
    fn a_step_few_hosts_ran_lists_them_like_one_all_ran() {
        // Twelve hosts run quick-health (a status per host is kept for its
        // step); two of them also run dev-workstation (a list per status).
        let mut reports = Vec::new();
        for i in 0..12 {
            let host = format!("ws-{i:02}");
            let status = if i % 5 == 0 {
                Status::Fail
            } else {
                Status::Pass
            };
            let r = report(
                &host,
                &format!("{host}-qh"),
                "2026-11-24T10:00:00Z",
                &[("disk", status)],
            );
            reports.push((format!("{host}.json"), r));
        }
        for (i, status) in [(3, Status::Warn), (7, Status::Pass)] {
            let host = format!("ws-{i:02}");
            let mut r = report(
                &host,
                &format!("{host}-dev"),
                "2026-11-24T10:00:00Z",
                &[("git", status)],
            );
            r.playbooks[0].name = "dev-workstation".into();
            reports.push((format!("{host}-dev.json"), r));
        }
        let m = merge(reports, vec![]).unwrap();
        assert_eq!(m.host_count(), 14);
        assert_eq!(m.machines(), 12);
        assert!(matches!(m.steps[0].hosts.places, Places::Column(_)));
        assert!(matches!(m.steps[1].hosts.places, Places::Lists(_)));
        assert_eq!(ended(&m, 0, Status::Fail), ["ws-00", "ws-05", "ws-10"]);
        assert_eq!(m.steps[0].hosts.count(Status::Pass), 9);
        assert_eq!(ended(&m, 1, Status::Warn), ["ws-03"]);
        assert_eq!(ended(&m, 1, Status::Pass), ["ws-07"]);
        let mut out = Vec::new();
        render::render(&m, render::MergeFormat::Json, &mut out).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            json["steps"][0]["hosts"]["fail"],
            serde_json::json!(["ws-00", "ws-05", "ws-10"])
        );
        assert_eq!(
            json["steps"][1]["hosts"],
            serde_json::json!({"pass": ["ws-07"], "warn": ["ws-03"]})
        );
    }

    #[test]
    fn a_step_listed_twice_in_a_run_lists_its_host_for_each() {
        let r = report(
            "ws-01",
            "r",
            "2026-11-24T10:00:00Z",
            &[("disk", Status::Fail), ("disk", Status::Pass)],
        );
        // Alone (a status per host would be kept), and among many hosts
        // (lists would be kept): the same lists.
        let mut many = vec![("r.json".to_string(), r.clone())];
        for i in 2..20 {
            let host = format!("ws-{i:02}");
            let other = report(
                &host,
                &host,
                "2026-11-24T10:00:00Z",
                &[("dns", Status::Pass)],
            );
            many.push((format!("{host}.json"), other));
        }
        for reports in [vec![("r.json".to_string(), r)], many] {
            let m = merge(reports, vec![]).unwrap();
            assert_eq!(m.steps[0].step, "disk");
            assert_eq!(m.steps[0].hosts.statuses(), [Status::Fail, Status::Pass]);
            assert_eq!(ended(&m, 0, Status::Fail), ["ws-01"]);
            assert_eq!(ended(&m, 0, Status::Pass), ["ws-01"]);
        }
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
        )
        .unwrap();
        assert_eq!(m.host_count(), 1);
        assert_eq!(hosts(&m)[0].run_id, "ws-01-new");
        assert_eq!(m.steps[0].hosts.count(Status::Fail), 0);
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
        )
        .unwrap();
        assert_eq!(m.host_count(), 2);
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
        let merged: Vec<Merged> = orders
            .into_iter()
            .map(|o| merge(o, vec![]).unwrap())
            .collect();
        for m in &merged {
            assert_eq!(drawn(m), drawn(&merged[0]));
            assert_eq!(m.host_count(), 2);
            assert_eq!(hosts(m)[0].run_id, "b-newest");
            assert_eq!(ended(m, 0, Status::Pass), ["ws-01"]);
            assert_eq!(ended(m, 0, Status::Warn), ["ws-02"]);
            assert_eq!(m.steps[1].hosts.statuses(), [Status::Pass]);
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
            let first = &hosts(m)[0];
            let notes: Vec<(&str, Status, &str)> = m
                .notes(first)
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
        )
        .unwrap();
        assert_eq!(hosts(&tie)[0].run_id, "y");
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
        let m = merge(vec![("a".into(), a), ("b".into(), b)], vec![]).unwrap();
        let runs = hosts(&m);
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
            notes(&runs[0]),
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
            notes(&runs[1]),
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
        assert_eq!(named(&m, &m.steps[1].reasons["nxdomain"]), ["vm"]);
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
        let lean = fold.finish().unwrap();
        assert_eq!(lean.steps, m.steps);
        assert_eq!(lean.summary, m.summary);
        assert_eq!(lean.notes(&hosts(&lean)[0]).count(), 0);
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
        let m = fold.finish().unwrap();
        assert_eq!(m.host_count(), 1);
        assert!(
            m.problems[1].problem.starts_with("duplicate of "),
            "{:?}",
            m.problems
        );
    }
}
