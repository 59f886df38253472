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
//! [`merge`] is pure (reports in, [`Merged`] out); `render.rs` draws it.

pub mod render;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::report::{Report, SCHEMA_VERSION, Status, Summary};

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
}

/// One step across hosts: which hosts ended in which status.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct StepAcross {
    pub playbook: String,
    pub step: String,
    pub name: String,
    /// Status name → hosts, e.g. `{"fail": ["ws-01", "ws-07"]}`.
    pub hosts: BTreeMap<String, Vec<String>>,
    /// Reason code → hosts where the step did not pass for that reason,
    /// e.g. `{"cert_expired": ["ws-01", "ws-07"]}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reasons: BTreeMap<String, Vec<String>>,
    /// Host → that host's status, message and reason for this step (for
    /// CSV and details).
    #[serde(skip)]
    pub messages: BTreeMap<String, (Status, String, Option<String>)>,
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
    pub hosts: Vec<String>,
    /// The hosts where the cause's resolvers cleared it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cleared: Vec<String>,
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
}

/// Expands the command-line inputs into report files: files as given,
/// folders searched for `*.json`, globs expanded. Errors name inputs that
/// match nothing.
pub fn inputs(args: &[String]) -> (Vec<PathBuf>, Vec<Problem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for arg in args {
        let matched = crate::pathglob::expand(arg, 100_000).unwrap_or_default();
        if matched.is_empty() {
            problems.push(Problem {
                source: arg.clone(),
                problem: "no such file, folder or match".into(),
                rejected: true,
            });
        }
        for path in matched {
            if path.is_dir() {
                let mut found: Vec<PathBuf> = walkdir::WalkDir::new(&path)
                    .follow_links(false)
                    .into_iter()
                    .filter_map(Result::ok)
                    .filter(|e| {
                        e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "json")
                    })
                    .map(walkdir::DirEntry::into_path)
                    .collect();
                found.sort();
                files.extend(found);
            } else {
                files.push(path);
            }
        }
    }
    (files, problems)
}

/// The largest report read; a supportctl report is far smaller.
const MAX_REPORT_BYTES: u64 = 256 << 20;

/// Reads a regular file's text, at most [`MAX_REPORT_BYTES`]: opened without
/// blocking (a FIFO named `*.json` cannot hang the merge), checked on the open
/// handle (a link to `/dev/zero` is not a regular file), read with a cap.
fn read_capped(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot be read: {e}");
    let file = crate::safeopen::open_regular(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::Other {
            format!("{e}; not a supportctl report")
        } else {
            cannot(e)
        }
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_REPORT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_REPORT_BYTES {
        return Err("larger than 256 MiB; not a supportctl report".into());
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text; not a supportctl report".into())
}

/// Reads one report file — or a history export (`supportctl history
/// export`: `{"tool": "supportctl", "history": [reports]}`) — or says why
/// it cannot be merged.
pub fn read(path: &Path) -> Result<Vec<Report>, String> {
    let text = read_capped(path)?;
    // The header first, into a small struct: unknown fields are skipped
    // without being kept, so memory follows the report, not the file.
    #[derive(serde::Deserialize)]
    struct Header {
        tool: Option<String>,
        schema_version: Option<u64>,
        #[serde(default)]
        history: Option<serde::de::IgnoredAny>,
    }
    let header: Header = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    if header.tool.as_deref() != Some("supportctl") {
        return Err("not a supportctl report (no \"tool\": \"supportctl\")".into());
    }
    if header.history.is_some() {
        #[derive(serde::Deserialize)]
        struct Export {
            history: Vec<serde_json::Value>,
        }
        let export: Export =
            serde_json::from_str(&text).map_err(|e| format!("not a valid history export: {e}"))?;
        return export
            .history
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                report_of(
                    v.get("schema_version").and_then(serde_json::Value::as_u64),
                    || serde_json::from_value(v.clone()),
                )
                .map_err(|e| format!("run {} of the export: {e}", i + 1))
            })
            .collect();
    }
    report_of(header.schema_version, || serde_json::from_str(&text)).map(|r| vec![r])
}

/// A report of this build's schema version, decoded by `decode`.
fn report_of(
    schema_version: Option<u64>,
    decode: impl FnOnce() -> serde_json::Result<Report>,
) -> Result<Report, String> {
    match schema_version {
        Some(v) if v == u64::from(SCHEMA_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "incompatible report schema_version {v}: this supportctl reads version {SCHEMA_VERSION} (merge it with a matching supportctl)"
            ));
        }
        None => return Err("no schema_version".into()),
    }
    decode().map_err(|e| format!("not a valid version-{SCHEMA_VERSION} report: {e}"))
}

/// What identifies a machine across its reports.
fn machine_key(report: &Report) -> String {
    if report.host.machine_id.is_empty() {
        format!("host:{}", report.host.hostname)
    } else {
        format!("id:{}", report.host.machine_id)
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
}

/// A report with the file it came from.
type Sourced = (String, Report);

/// Merges reports (with the file each came from).
pub fn merge(reports: Vec<(String, Report)>, mut problems: Vec<Problem>) -> Merged {
    // One run per run_id, then the newest run per host.
    let mut by_run: BTreeMap<String, (String, Report)> = BTreeMap::new();
    for (source, report) in reports {
        match by_run.get(&report.run_id) {
            Some((first, _)) => problems.push(Problem {
                source,
                problem: format!(
                    "duplicate of {first} (same run_id {}); counted once",
                    report.run_id
                ),
                rejected: false,
            }),
            None => {
                by_run.insert(report.run_id.clone(), (source, report));
            }
        }
    }
    // One machine (by its stable id; by host name for reports without
    // one) may run several playbooks: the newest run of each set counts.
    let mut by_host: BTreeMap<(String, Vec<String>), Vec<Sourced>> = BTreeMap::new();
    for (source, report) in by_run.into_values() {
        let playbooks = report.playbooks.iter().map(|p| p.name.clone()).collect();
        by_host
            .entry((machine_key(&report), playbooks))
            .or_default()
            .push((source, report));
    }
    let mut hosts = Vec::new();
    let mut steps: BTreeMap<(String, String), StepAcross> = BTreeMap::new();
    let mut order: Vec<(String, String)> = Vec::new();
    let mut summary = Summary::default();
    let mut conclusions: BTreeMap<(String, String), ConclusionAcross> = BTreeMap::new();
    for ((machine, playbooks), mut runs) in by_host {
        runs.sort_by(|a, b| b.1.started_at.cmp(&a.1.started_at));
        let (source, report) = runs.remove(0);
        let host = report.host.hostname.clone();
        for (older, r) in runs {
            problems.push(Problem {
                source: older,
                problem: format!(
                    "an older run of {} on {host} ({}, started {}); the newest ({}) counts",
                    playbooks.join(", "),
                    r.run_id,
                    r.started_at,
                    report.run_id
                ),
                rejected: false,
            });
        }
        summary.add(&report.summary);
        for (pb, step) in report.steps() {
            let key = (pb.name.clone(), step.id.clone());
            let entry = steps.entry(key.clone()).or_insert_with(|| {
                order.push(key.clone());
                StepAcross {
                    playbook: pb.name.clone(),
                    step: step.id.clone(),
                    name: step.name.clone(),
                    ..Default::default()
                }
            });
            entry
                .hosts
                .entry(step.status.as_str().to_string())
                .or_default()
                .push(host.clone());
            if let Some(reason) = &step.reason
                && step.status != Status::Skipped
            {
                entry
                    .reasons
                    .entry(reason.clone())
                    .or_default()
                    .push(host.clone());
            }
            entry.messages.insert(
                host.clone(),
                (step.status, step.message.clone(), step.reason.clone()),
            );
        }
        for c in &report.conclusions {
            let key = (c.playbook.clone(), c.id.clone().unwrap_or_default());
            let entry = conclusions.entry(key).or_insert_with(|| ConclusionAcross {
                playbook: c.playbook.clone(),
                id: c.id.clone(),
                summary: c.summary.clone(),
                ..Default::default()
            });
            entry.hosts.push(host.clone());
            if c.cleared {
                entry.cleared.push(host.clone());
            }
        }
        let unsigned = report
            .playbooks
            .iter()
            .filter(|p| p.signature.as_ref().is_some_and(|s| s.status == "unsigned"))
            .map(|p| p.name.clone())
            .collect();
        hosts.push(HostRun {
            unsigned,
            machine,
            host,
            playbooks,
            run_id: report.run_id.clone(),
            started_at: report.started_at.clone(),
            exit_code: report.exit_code,
            summary: report.summary,
            source,
        });
    }
    let mut conclusions: Vec<ConclusionAcross> = conclusions.into_values().collect();
    conclusions.sort_by_key(|c| std::cmp::Reverse(c.hosts.len()));
    Merged {
        schema_version: SCHEMA_VERSION,
        hosts,
        steps: order.into_iter().filter_map(|k| steps.remove(&k)).collect(),
        conclusions,
        summary,
        problems,
    }
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
}
