//! `report merge` across many machines' reports, and `--format prometheus`
//! read by the real Prometheus parser (Python's prometheus_client).

mod common;

use std::path::Path;
use std::process::Command;

use common::Test;

/// Two steps: one passes everywhere, one fails on the hosts given by `fail`.
const PLAYBOOK: &str = "[playbook]\nname = \"fleet\"\n\n[[step]]\nid = \"always\"\nkind = \"command\"\ncommand = [\"true\"]\n\n\
                        [[step]]\nid = \"flaky\"\nkind = \"command\"\ncommand = [\"sh\", \"-c\", \"test \\\"$FAIL\\\" != 1\"]\n";

/// Runs the playbook once and returns its JSON report.
fn one_report(fail: bool) -> serde_json::Value {
    let r = Test::new()
        .playbook(PLAYBOOK)
        .env("FAIL", if fail { "1" } else { "0" })
        .args(&["run", "p.toml", "--format", "json"])
        .run();
    r.json()
}

/// Writes `n` reports as if from hosts ws-00.. (every third failing).
fn fleet(dir: &Path, n: usize) {
    let ok = one_report(false);
    let bad = one_report(true);
    for i in 0..n {
        let mut r = if i % 3 == 0 { bad.clone() } else { ok.clone() };
        let host = format!("ws-{i:02}");
        r["host"]["hostname"] = host.clone().into();
        r["host"]["machine_id"] = format!("machine-{i:02}").into();
        r["run_id"] = format!("{host}-20261124T100000-1").into();
        let sub = dir.join(&host);
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("report.json"), serde_json::to_vec(&r).unwrap()).unwrap();
    }
}

#[test]
fn merges_many_hosts_and_names_the_failing_ones() {
    let t = Test::new();
    fleet(&t.path().join("reports"), 30);
    let r = t
        .args(&["report", "merge", "reports", "--format", "json"])
        .run()
        .status(0);
    let m = r.json();
    assert_eq!(m["hosts"].as_array().unwrap().len(), 30);
    let flaky = m["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "flaky")
        .unwrap();
    let failed: Vec<&str> = flaky["hosts"]["fail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert_eq!(failed.len(), 10);
    assert_eq!(failed[0], "ws-00");
    assert!(failed.contains(&"ws-27"));
    assert_eq!(m["summary"]["fail"], 10);
    assert_eq!(m["summary"]["pass"], 50);
}

#[test]
fn duplicates_older_runs_and_incompatible_reports_are_reported() {
    let t = Test::new();
    let d = t.path().to_path_buf();
    fleet(&d.join("reports"), 2);
    // The same run twice, an older run of ws-01, a future schema, and junk.
    std::fs::copy(
        d.join("reports/ws-00/report.json"),
        d.join("reports/copy.json"),
    )
    .unwrap();
    let mut older: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("reports/ws-01/report.json")).unwrap())
            .unwrap();
    older["run_id"] = "ws-01-older".into();
    older["started_at"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(
        d.join("reports/older.json"),
        serde_json::to_vec(&older).unwrap(),
    )
    .unwrap();
    let mut future = older.clone();
    future["schema_version"] = 2.into();
    std::fs::write(
        d.join("reports/future.json"),
        serde_json::to_vec(&future).unwrap(),
    )
    .unwrap();
    std::fs::write(d.join("reports/notes.json"), "{\"hello\": 1}").unwrap();
    let r = t
        .args(&["report", "merge", "reports", "missing-*.json"])
        .run()
        .status(3);
    let r = r
        .stdout_has("2 host(s)")
        .stdout_has("duplicate of")
        .stdout_has("an older run of fleet on ws-01 (ws-01-older")
        .stdout_has("incompatible report schema_version 2: this supportctl reads version 1")
        .stdout_has("not a supportctl report")
        .stdout_has("missing-*.json: no such file, folder or match");
    drop(r);
}

#[test]
fn nothing_to_merge_is_an_invocation_error() {
    Test::new()
        .file("notes.json", "[]")
        .args(&["report", "merge", "notes.json"])
        .run()
        .status(2)
        .stderr_has("no report to merge");
}

#[test]
fn csv_and_markdown_outputs() {
    let t = Test::new();
    fleet(&t.path().join("reports"), 3);
    let dir = t.path().to_path_buf();
    let r = t
        .args(&["report", "merge", "reports", "--format", "csv"])
        .run()
        .status(0);
    // Read back by Python's csv module: one row per host and step.
    let out = Command::new("python3")
        .args(["-c", "import csv,sys; rows=list(csv.DictReader(sys.stdin)); print(len(rows), sum(r['status']=='fail' for r in rows), rows[0]['host'])"])
        .stdin(std::fs::File::open({
            let p = dir.join("merged.csv");
            std::fs::write(&p, &r.stdout).unwrap();
            p
        })
        .unwrap())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "6 1 ws-00",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = Test::new();
    fleet(&md.path().join("reports"), 3);
    md.args(&["report", "merge", "reports", "--format", "markdown"])
        .run()
        .status(0)
        .stdout_has("| host | playbooks | exit | pass |")
        .stdout_has("| fleet | flaky | ws-00 |  |  |");
}

#[test]
fn prometheus_output_is_read_by_the_real_parser() {
    if !common::python_with(&["prometheus_client"]) {
        return;
    }
    let playbook = format!("{PLAYBOOK}\n[[step]]\nid = \"root\"\nkind = \"disk\"\npath = \"/\"\n");
    let t = Test::new().playbook(&playbook).env("FAIL", "1");
    let dir = t.path().to_path_buf();
    // Keep the run: it owns the test's folder.
    let _run = t
        .args(&["run", "p.toml", "--report", "prometheus=out.prom", "-q"])
        .run()
        .status(1);
    let script = r#"
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
status = {(s.labels["step"], s.labels["status"]): s.value for s in fams["supportctl_step_status"].samples}
assert status[("flaky", "fail")] == 1 and status[("flaky", "pass")] == 0, status
assert status[("always", "pass")] == 1, status
assert fams["supportctl_run_exit_code"].samples[0].value == 1
steps = {s.labels["status"]: s.value for s in fams["supportctl_steps"].samples}
assert steps["fail"] == 1 and steps["pass"] == 2, steps
info = fams["supportctl_run_info"].samples[0].labels
assert info["playbooks"] == "fleet" and info["host"] and "run_id" not in info, info
# Measurements in base units, one unit per metric, no unit label.
ratio = {s.labels["name"]: s.value for s in fams["supportctl_step_measurement_ratio"].samples}
assert ratio and all(0 <= v <= 1 for v in ratio.values()), ratio
size = {s.labels["name"]: s.value for s in fams["supportctl_step_measurement_bytes"].samples}
assert size["total"] > 1e6, size
for f in fams.values():
    for s in f.samples:
        assert "unit" not in s.labels, s
print("ok", len(fams))
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(dir.join("out.prom"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn machines_are_told_apart_by_their_id_not_their_name() {
    let t = Test::new();
    let d = t.path().join("reports");
    std::fs::create_dir_all(&d).unwrap();
    let base = one_report(false);
    // Two machines named alike, and one machine that ran twice.
    for (i, (name, id)) in [("vm", "aaaa1111"), ("vm", "bbbb2222")].iter().enumerate() {
        let mut r = base.clone();
        r["host"]["hostname"] = (*name).into();
        r["host"]["machine_id"] = (*id).into();
        r["run_id"] = format!("run-{i}").into();
        std::fs::write(d.join(format!("{i}.json")), serde_json::to_vec(&r).unwrap()).unwrap();
    }
    let r = t.args(&["report", "merge", "reports"]).run().status(0);
    assert!(r.stdout.starts_with("2 host(s)"), "{}", r.stdout);
}

#[test]
fn a_superseded_run_counts_for_nothing_whatever_the_file_order() {
    let t = Test::new();
    let d = t.path().join("reports");
    fleet(&d, 2);
    // ws-00's newest run passes everywhere; its older run (read first, in
    // "0-older.json") failed `flaky`, and must count nowhere.
    let mut newest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("ws-01/report.json")).unwrap()).unwrap();
    newest["host"] = serde_json::from_slice::<serde_json::Value>(
        &std::fs::read(d.join("ws-00/report.json")).unwrap(),
    )
    .unwrap()["host"]
        .clone();
    newest["run_id"] = "ws-00-newest".into();
    newest["started_at"] = "2030-01-01T00:00:00Z".into();
    std::fs::write(
        d.join("z-newest.json"),
        serde_json::to_vec(&newest).unwrap(),
    )
    .unwrap();
    std::fs::rename(d.join("ws-00/report.json"), d.join("0-older.json")).unwrap();
    let r = t
        .args(&["report", "merge", "reports", "--format", "json"])
        .run()
        .status(0);
    let m = r.json();
    assert_eq!(m["hosts"].as_array().unwrap().len(), 2);
    let flaky = m["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "flaky")
        .unwrap();
    assert_eq!(
        flaky["hosts"]["pass"],
        serde_json::json!(["ws-00", "ws-01"])
    );
    assert!(flaky["hosts"].get("fail").is_none(), "{flaky}");
    assert_eq!(m["summary"]["fail"], 0);
    assert_eq!(m["summary"]["pass"], 4);
    let problems = m["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]["problem"]
            .as_str()
            .unwrap()
            .ends_with("the newest (ws-00-newest) counts"),
        "{problems:?}"
    );
}

/// The merge keeps each run's record in an anonymous temporary file: none
/// is left (or ever named) in the temp folder, and with no usable temp
/// folder the records stay in memory and the merge says the same.
#[test]
fn the_merge_leaves_nothing_in_the_temp_folder_and_needs_none() {
    let t = Test::new().args(&["report", "merge", "reports", "--format", "csv"]);
    fleet(&t.path().join("reports"), 12);
    let tmp = t.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let run = |tmpdir: &Path| {
        let out = t.command().env("TMPDIR", tmpdir).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let with = run(&tmp);
    assert_eq!(with.lines().count(), 1 + 12 * 2, "{with}");
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
    assert_eq!(run(&t.path().join("no-such-folder")), with);
}

/// A temp folder too small for the merge's records (a 4 KiB tmpfs in a
/// private mount namespace): the merge stops with exit code 2 and says
/// what failed and what to do, rather than printing a partial summary.
#[test]
fn a_full_temp_folder_stops_the_merge_with_a_clear_error() {
    if !common::root_with("unshare", "for a private tmpfs") {
        return;
    }
    let t = Test::new();
    fleet(&t.path().join("reports"), 60);
    let small = t.path().join("small");
    std::fs::create_dir(&small).unwrap();
    let script = format!(
        "set -e\nmount -t tmpfs -o size=4k tmpfs '{}'\nexec \"$0\" \"$@\"",
        small.display()
    );
    let cmd = t.command();
    let out = Command::new("/usr/bin/unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script])
        .arg(env!("CARGO_BIN_EXE_supportctl"))
        .args(["report", "merge", "reports", "--format", "csv"])
        .current_dir(t.path())
        .envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("TMPDIR", &small)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("working file failed"), "{stderr}");
    assert!(stderr.contains("TMPDIR"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
