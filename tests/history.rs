//! The run history: every run recorded in a real SQLite file, listed,
//! shown again with notes, counted, exported (and merged), safe with 20
//! runs at once, recovered from corruption, migrated from an older schema,
//! never storing a secret, and never written where another user controls.

mod common;

use std::path::{Path, PathBuf};

use common::Test;

const FAILING: &str = r#"
[playbook]
name = "p"
version = "3"

[vars]
api_token = "tok-3f9a-never-stored-77"

[[step]]
id = "check"
kind = "command"
command = ["sh", "-c", "echo using {{ api_token }}; exit 1"]

[[cause]]
id = "broken"
when = { failed = "check" }
summary = "The check is broken."
"#;

const PASSING: &str = "[playbook]\nname = \"ok\"\n[[step]]\nid = \"fine\"\nkind = \"command\"\ncommand = [\"true\"]\n";

/// A scratch folder with the history file every run in it shares.
struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn new() -> Machine {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.toml"), FAILING).unwrap();
        std::fs::write(dir.path().join("ok.toml"), PASSING).unwrap();
        Machine { dir }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("data").join("history.sqlite")
    }

    fn cmd(&self, args: &[&str]) -> std::process::Command {
        let mut t = Test::new().args(args).command();
        t.current_dir(self.dir.path())
            .env("SUPPORTCTL_HISTORY", self.db());
        t
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn runs(&self, extra: &[&str]) -> Vec<serde_json::Value> {
        let mut args = vec!["history", "--format", "json", "-n", "1000"];
        args.extend(extra);
        let (code, out, err) = self.run(&args);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<Vec<serde_json::Value>>(&out)
            .unwrap_or_else(|e| panic!("{e}: {out}"))
    }
}

#[test]
fn runs_are_recorded_listed_and_filtered() {
    let m = Machine::new();
    assert_eq!(m.run(&["run", "ok.toml"]).0, 0);
    assert_eq!(m.run(&["run", "p.toml", "--ticket", "INC0042"]).0, 1);
    let (_, _, err) = m.run(&["run", "ok.toml", "--no-history"]);
    assert!(err.is_empty(), "{err}");
    let runs = m.runs(&[]);
    assert_eq!(
        runs.len(),
        2,
        "--no-history runs are not recorded: {runs:?}"
    );
    // Newest first, with status, ticket and the conclusion.
    assert_eq!(runs[0]["playbooks"], "p");
    assert_eq!(runs[0]["status"], "fail");
    assert_eq!(runs[0]["ticket"], "INC0042");
    assert_eq!(runs[0]["conclusion"], "The check is broken.");
    assert_eq!(runs[1]["status"], "pass");
    assert_eq!(m.runs(&["--ticket", "INC0042"]).len(), 1);
    assert_eq!(m.runs(&["--playbook", "ok"]).len(), 1);
    assert_eq!(m.runs(&["--status", "fail"]).len(), 1);
    assert_eq!(m.runs(&["--since", "1h"]).len(), 2);
    assert_eq!(m.runs(&["--since", "2099-01-01"]).len(), 0);
    let (code, text, _) = m.run(&["history"]);
    assert_eq!(code, 0);
    let first = text.lines().next().unwrap();
    assert!(
        first.contains("  fail  ") && first.contains("  p  INC0042  The check is broken.  run "),
        "{text}"
    );
    // The database and its folder are owner-only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&m.db()), 0o600);
        assert_eq!(mode(m.db().parent().unwrap()), 0o700);
    }
}

#[test]
fn a_stored_run_is_shown_again_with_its_notes() {
    let m = Machine::new();
    m.run(&["run", "p.toml", "--ticket", "INC7"]);
    let (code, out, err) = m.run(&["note", "replaced the toner, cleared the queue"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("noted on run "), "{out}");
    let (code, md, _) = m.run(&["history", "show", "last", "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(
        md.starts_with("## supportctl report: p\n\n**Conclusion:** The check is broken."),
        "{md}"
    );
    assert!(md.contains("**Ticket:** INC7"), "{md}");
    assert!(md.contains("**Notes**"), "{md}");
    assert!(md.contains("replaced the toner, cleared the queue"), "{md}");
    let (_, json, _) = m.run(&["history", "show", "last", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["playbooks"][0]["version"], "3");
    assert_eq!(
        report["notes"][0]["text"],
        "replaced the toner, cleared the queue"
    );
    // A note for a ticket with no run yet is kept for it.
    let (code, out, _) = m.run(&["note", "--ticket", "INC8", "called the user back"]);
    assert_eq!(code, 0);
    assert_eq!(out, "noted on ticket INC8 (no run for it yet)\n");
    let (code, _, err) = m.run(&["history", "show", "no-such-run"]);
    assert_eq!(code, 2);
    assert!(err.contains("no run `no-such-run` in the history"), "{err}");
}

#[test]
fn secrets_never_reach_the_database() {
    let m = Machine::new();
    m.run(&["run", "p.toml"]);
    let dir = m.db().parent().unwrap().to_path_buf();
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap();
        assert!(
            !bytes
                .windows(b"tok-3f9a-never-stored-77".len())
                .any(|w| w == b"tok-3f9a-never-stored-77"),
            "{} holds the secret",
            entry.path().display()
        );
    }
}

#[test]
fn stats_count_playbooks_and_causes() {
    let m = Machine::new();
    for _ in 0..3 {
        m.run(&["run", "p.toml"]);
    }
    m.run(&["run", "ok.toml"]);
    m.run(&["run", "p.toml", "--dry-run"]);
    let (code, out, _) = m.run(&["history", "stats", "--format", "json"]);
    assert_eq!(code, 0);
    let stats: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(stats["runs"], 5);
    // Dry runs are not service calls: they are left out of the counts.
    let p = &stats["playbooks"][0];
    assert_eq!(
        (&p["playbook"], &p["runs"], &p["failed"]),
        (&"p".into(), &3.into(), &3.into())
    );
    let c = &stats["causes"][0];
    assert_eq!((&c["cause"], &c["seen"]), (&"broken".into(), &3.into()));
    let (_, human, _) = m.run(&["history", "stats"]);
    assert!(human.starts_with("5 runs recorded\n"), "{human}");
    assert!(human.contains("p / broken"), "{human}");
}

#[test]
fn exports_are_json_reports_report_merge_reads_and_csv() {
    let m = Machine::new();
    m.run(&["run", "p.toml", "--ticket", "INC9"]);
    m.run(&["run", "ok.toml"]);
    let (code, json, _) = m.run(&["history", "export"]);
    assert_eq!(code, 0);
    std::fs::write(m.dir.path().join("export.json"), &json).unwrap();
    let export: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(export["history"].as_array().unwrap().len(), 2);
    let (code, merged, err) = m.run(&["report", "merge", "export.json", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let merged: serde_json::Value = serde_json::from_str(&merged).unwrap();
    assert_eq!(merged["hosts"].as_array().unwrap().len(), 2, "{merged}");
    let (_, csv, _) = m.run(&["history", "export", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "started_at,run_id,host,user,playbooks,status,exit_code,duration_ms,ticket,conclusion,notes"
    );
    assert!(lines.next().unwrap().contains(",p,fail,1,"), "{csv}");
}

/// Twenty runs at once on a fresh database (the schema made by whichever
/// comes first): every one is recorded, none fails with "database is locked".
#[test]
fn twenty_runs_at_once_are_all_recorded() {
    let m = Machine::new();
    let children: Vec<_> = (0..20)
        .map(|i| {
            let pb = if i % 2 == 0 { "ok.toml" } else { "p.toml" };
            m.cmd(&["run", pb, "-q"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("not recorded"), "{err}");
    }
    assert_eq!(m.runs(&[]).len(), 20);
}

#[test]
fn a_corrupt_history_is_moved_aside_and_the_run_goes_on() {
    let m = Machine::new();
    std::fs::create_dir_all(m.db().parent().unwrap()).unwrap();
    std::fs::write(m.db(), vec![0x5a; 64 * 1024]).unwrap();
    let (code, _, err) = m.run(&["run", "ok.toml"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("was corrupt"), "{err}");
    assert!(err.contains("a new one started"), "{err}");
    let aside: Vec<_> = std::fs::read_dir(m.db().parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(m.runs(&[]).len(), 1);
}

/// A history that cannot be written (a read-only folder) costs a warning,
/// never the run. As root, the run acts as nobody, whom permissions stop.
#[cfg(unix)]
#[test]
fn an_unwritable_history_only_warns() {
    use std::os::unix::fs::PermissionsExt;
    let m = Machine::new();
    std::fs::set_permissions(m.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(
        m.dir.path().join("ok.toml"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let ro = m.dir.path().join("ro");
    std::fs::create_dir_all(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    let mut cmd = if common::is_root() {
        if !Path::new("/usr/bin/setpriv").exists() {
            eprintln!("NOT RUN: running as root without setpriv to drop privileges");
            return;
        }
        let mut c = std::process::Command::new("/usr/bin/setpriv");
        c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_supportctl"));
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_supportctl"))
    };
    let out = cmd
        .args(["run", "ok.toml"])
        .current_dir(m.dir.path())
        .env("HOME", m.dir.path())
        .env("SUPPORTCTL_PATH", "")
        .env("SUPPORTCTL_HISTORY", ro.join("history.sqlite"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("the run was not recorded in the history"),
        "{err}"
    );
}

/// A database of schema 1 (before notes) is migrated on first use and keeps
/// its runs.
#[test]
fn an_older_schema_is_migrated_and_keeps_its_runs() {
    let m = Machine::new();
    std::fs::create_dir_all(m.db().parent().unwrap()).unwrap();
    {
        let conn = rusqlite::Connection::open(m.db()).unwrap();
        conn.execute_batch(supportctl::history::MIGRATIONS[0])
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO runs (run_id, machine_id, host, user, started_at, started_unix, duration_ms,
                exit_code, status, dry_run, interrupted, ticket, playbooks, conclusion, report)
             VALUES ('old-run-1', 'm', 'h', 'u', '2026-01-01T00:00:00Z', 1767225600, 5, 0, 'pass', 0, 0, NULL, 'ok', NULL, '{}')",
            [],
        )
        .unwrap();
    }
    let (code, out, err) = m.run(&["note", "fixed before the upgrade"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "noted on run old-run-1\n");
    let conn = rusqlite::Connection::open(m.db()).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, supportctl::history::MIGRATIONS.len());
    assert_eq!(m.runs(&[])[0]["run_id"], "old-run-1");
}

/// The file is an ordinary SQLite database: the `sqlite3` program reads it.
#[test]
fn the_sqlite3_program_reads_the_history() {
    if !common::program_available("sqlite3") {
        return;
    }
    let m = Machine::new();
    m.run(&["run", "p.toml"]);
    let out = std::process::Command::new("sqlite3")
        .arg(m.db())
        .arg("SELECT playbooks, status FROM runs; SELECT step, status FROM steps;")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "p|fail\ncheck|fail\n");
}

/// Running elevated, a history file in a folder another user controls is
/// refused: nothing is written there (no file planted by the attacker is
/// followed or filled).
#[cfg(unix)]
#[test]
fn elevated_runs_refuse_a_history_in_a_folder_another_user_controls() {
    if !common::is_root() {
        eprintln!("NOT RUN: needs root (an elevated run)");
        return;
    }
    let m = Machine::new();
    let evil = tempfile::tempdir_in("/tmp").unwrap();
    std::fs::set_permissions(
        evil.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    let target = m.dir.path().join("victim.txt");
    std::fs::write(&target, "precious").unwrap();
    // The attacker, as nobody, plants a link where the history would go.
    let link = evil.path().join("history.sqlite");
    let planted = std::process::Command::new("/usr/bin/setpriv")
        .args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "ln",
            "-s",
        ])
        .arg(&target)
        .arg(&link)
        .status();
    if !planted.is_ok_and(|s| s.success()) {
        eprintln!("NOT RUN: cannot act as nobody with setpriv");
        return;
    }
    let out = m
        .cmd(&["run", "ok.toml"])
        .env("SUPPORTCTL_HISTORY", &link)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("SUPPORTCTL_HISTORY is ignored when elevated"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
}
