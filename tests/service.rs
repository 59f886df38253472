//! `service` steps: on a machine without a service manager (CI's container)
//! an error that says so, never a pass or a fail; and the whole systemd
//! path (query, start mode, restart as a fix, dry runs, failed units)
//! against a stand-in `systemctl` in a private mount namespace where
//! `/run/systemd/system` exists, as on a systemd machine.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Test;

const SPOOLER: &str = r#"
[[step]]
id = "spooler"
kind = "service"
service = { windows = "Spooler", linux = "cups", macos = "org.cups.cupsd" }
start_mode = "auto"
fix = { step = "restart-spooler" }

[[step]]
id = "restart-spooler"
kind = "service"
service = { windows = "Spooler", linux = "cups", macos = "org.cups.cupsd" }
action = "restart"
only_as_fix = true

[[step]]
id = "none-failed"
kind = "service"
failed = true
"#;

#[test]
fn no_service_manager_is_an_error_not_a_verdict() {
    if Path::new("/run/systemd/system").is_dir() {
        eprintln!("NOT RUN: this machine runs systemd");
        return;
    }
    // The shipped playbook concludes that it could not manage services here.
    let r = Test::new()
        .args(&["run", "print-spooler", "--format", "json"])
        .run()
        .status(3);
    assert_eq!(r.step("spooler")["reason"], "no_manager");
    assert_eq!(r.json()["conclusions"][0]["id"], "not-allowed");
    let r = Test::new()
        .playbook(SPOOLER)
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(3);
    for id in ["spooler", "none-failed"] {
        assert_eq!(r.step_status(id), "error", "{}", r.step(id));
        assert!(
            r.step(id)["message"]
                .as_str()
                .unwrap()
                .contains("no supported service manager"),
            "{}",
            r.step(id)
        );
    }
}

/// A stand-in `systemctl`: state in files beside it, every call logged.
const FAKE_SYSTEMCTL: &str = r#"#!/bin/sh
dir=$(dirname "$0")
echo "$*" >> "$dir/calls"
shift # --no-ask-password
case "$1" in
  show)
    name=$(eval echo \${$#})
    [ -e "$dir/missing" ] && name=gone
    case "$name" in cups|cups.service) ;; *) printf 'Id=%s.service\nLoadState=not-found\nActiveState=inactive\nSubState=dead\n' "$name"; exit 0 ;; esac
    state=$(cat "$dir/state")
    if [ "$state" = running ]; then a=active; s=running; pid=4242; else a=inactive; s=dead; pid=0; fi
    printf 'Id=cups.service\nLoadState=loaded\nActiveState=%s\nSubState=%s\nUnitFileState=enabled\nMainPID=%s\nDescription=CUPS Scheduler\n' "$a" "$s" "$pid" ;;
  restart|start) [ -e "$dir/broken" ] || echo running > "$dir/state" ;;
  stop) echo stopped > "$dir/state" ;;
  list-units) printf 'bad.service loaded failed failed A broken thing\n' ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
"#;

/// Installs [`FAKE_SYSTEMCTL`] in `dir/bin`; returns that folder.
fn stand_in_systemctl(dir: &Path) -> std::path::PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("systemctl"), FAKE_SYSTEMCTL).unwrap();
    std::fs::set_permissions(
        bin.join("systemctl"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    bin
}

/// Runs `supportctl ARGS` (split on spaces) in `dir`, in a private mount
/// namespace where `/run/systemd/system` exists and `bin`'s systemctl is
/// first on PATH: a systemd machine, as supportctl tells one.
fn as_on_systemd(dir: &Path, bin: &Path, args: &str) -> std::process::Output {
    let script = format!(
        "mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system && PATH='{}':$PATH '{}' {args}",
        bin.display(),
        env!("CARGO_BIN_EXE_supportctl")
    );
    Command::new("/usr/bin/unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script])
        .current_dir(dir)
        .env("SUPPORTCTL_PATH", "")
        .output()
        .unwrap()
}

#[test]
fn systemd_check_fix_dry_run_and_failed_units() {
    if !common::root_with("unshare", "for a private /run") {
        return;
    }
    let t = Test::new().playbook(SPOOLER);
    let dir = t.path().to_path_buf();
    let bin = stand_in_systemctl(&dir);
    let run = |extra: &str| {
        std::fs::write(bin.join("state"), "stopped\n").unwrap();
        let _ = std::fs::remove_file(bin.join("calls"));
        let out = as_on_systemd(&dir, &bin, &format!("run p.toml --format json {extra}"));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let calls = std::fs::read_to_string(bin.join("calls")).unwrap_or_default();
        (
            stdout,
            calls,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };

    // A dry run: the check fails, the fix is previewed and nothing is restarted.
    let (stdout, calls, stderr) = run("--dry-run");
    if stdout.is_empty() && stderr.contains("mount") {
        eprintln!("NOT RUN: mounts not permitted: {stderr}");
        return;
    }
    let report: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
    let steps = &report["playbooks"][0]["steps"];
    assert_eq!(steps[0]["status"], "fail", "{}", steps[0]);
    assert!(
        steps[0]["message"]
            .as_str()
            .unwrap()
            .contains("cups.service is inactive (dead), starts auto; expected running"),
        "{}",
        steps[0]
    );
    assert!(
        steps[0]["actions"]
            .to_string()
            .contains("would restart cups: systemctl restart cups"),
        "{}",
        steps[0]
    );
    assert!(!calls.contains("restart"), "a dry run restarted: {calls}");
    assert_eq!(steps[2]["status"], "fail");
    assert!(
        steps[2]["message"]
            .as_str()
            .unwrap()
            .contains("1 failed service: bad.service"),
        "{}",
        steps[2]
    );

    // For real: restarted by the fix, then the re-check passes.
    let (stdout, calls, _) = run("");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let step = &report["playbooks"][0]["steps"][0];
    assert_eq!(step["status"], "fixed", "{step}");
    assert!(
        step["message"]
            .as_str()
            .unwrap()
            .contains("now \"cups.service is active (running), starts auto\""),
        "{step}"
    );
    assert!(
        calls.contains("--no-ask-password restart -- cups"),
        "{calls}"
    );
}

/// The shipped print-spooler playbook against the stand-in systemctl:
/// a dry run previews the restart, a real run restarts the spooler (the
/// conclusion says so, for the user too), and a spooler that will not
/// start is concluded as such.
#[test]
fn print_spooler_concludes_in_plain_words() {
    let Some((_t, dir, bin)) = print_machine() else {
        return;
    };
    let run = |extra: &str, broken: bool| -> serde_json::Value {
        std::fs::write(bin.join("state"), "stopped\n").unwrap();
        if broken {
            std::fs::write(bin.join("broken"), "").unwrap();
        } else {
            let _ = std::fs::remove_file(bin.join("broken"));
        }
        let out = as_on_systemd(
            &dir,
            &bin,
            &format!("run print-spooler --format json {extra}"),
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let cause = |r: &serde_json::Value| {
        r["conclusions"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let dry = run("--dry-run", false);
    assert_eq!(cause(&dry), "spooler-down", "{}", dry["conclusions"]);
    let real = run("", false);
    assert_eq!(real["playbooks"][0]["steps"][0]["status"], "fixed");
    assert_eq!(cause(&real), "spooler-restarted", "{}", real["conclusions"]);
    assert_eq!(
        real["conclusions"][0]["tell_user"],
        "Printing was stuck on your computer. We restarted the printing service. Please print your document again."
    );
    let broken = run("", true);
    assert_eq!(broken["playbooks"][0]["steps"][0]["reason"], "not_running");
    assert_eq!(
        cause(&broken),
        "spooler-wont-start",
        "{}",
        broken["conclusions"]
    );
    std::fs::write(bin.join("missing"), "").unwrap();
    let missing = run("", false);
    assert_eq!(missing["playbooks"][0]["steps"][0]["reason"], "not_found");
    assert_eq!(
        cause(&missing),
        "no-print-service",
        "{}",
        missing["conclusions"]
    );
}

#[test]
fn bad_service_steps_are_load_errors() {
    let r = Test::new()
        .playbook(
            "[[step]]\nid = \"a\"\nkind = \"service\"\n\n[[step]]\nid = \"b\"\nkind = \"service\"\nservice = \"cups\"\naction = \"restart\"\nexpect = \"running\"\n\n[[step]]\nid = \"c\"\nkind = \"service\"\nservice = \"cups\"\naction = \"reboot\"\n",
        )
        .args(&["check", "p.toml"])
        .run()
        .status(2);
    assert!(r.stderr.contains("say which service"), "{}", r.stderr);
    assert!(
        r.stderr.contains("a step with `action` only acts"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("reboot"), "{}", r.stderr);
}

/// `lpstat -o` with one job in the queue (CUPS's columns: job, owner,
/// size, time).
const LPSTAT_JOBS: &str =
    "HP_LaserJet_M404-23     ana              1024   Tue 12 Nov 2024 09:14:03 AM CET\n";
/// `lpstat -p`: the printer idle, and printing.
const LPSTAT_IDLE: &str =
    "printer HP_LaserJet_M404 is idle.  enabled since Tue 12 Nov 2024 09:02:11 AM CET\n";
const LPSTAT_PRINTING: &str = "printer HP_LaserJet_M404 now printing HP_LaserJet_M404-23.  enabled since Tue 12 Nov 2024 09:02:11 AM CET\n";

/// Stand-in `lpstat` and `cancel` beside the stand-in systemctl: the
/// queue is the file `jobs`, the printers' states `printers`; `cancel`
/// writes the marker `cancelled` and empties the queue.
fn stand_in_cups(bin: &Path) {
    let lpstat = "#!/bin/sh\ndir=$(dirname \"$0\")\ncase \"$1\" in\n  -o) cat \"$dir/jobs\" 2>/dev/null ;;\n  -p) cat \"$dir/printers\" ;;\n  *) echo \"unexpected: $*\" >&2; exit 1 ;;\nesac\n";
    let cancel =
        "#!/bin/sh\ndir=$(dirname \"$0\")\necho \"$*\" > \"$dir/cancelled\"\n: > \"$dir/jobs\"\n";
    for (name, text) in [("lpstat", lpstat), ("cancel", cancel)] {
        std::fs::write(bin.join(name), text).unwrap();
        std::fs::set_permissions(
            bin.join(name),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
    }
}

/// A scratch machine for the print-spooler playbook: the stand-in
/// systemctl and CUPS (an empty queue, whatever this machine's CUPS
/// holds), or `None` (NOT RUN) without root and unshare.
fn print_machine() -> Option<(Test, PathBuf, PathBuf)> {
    if !common::root_with("unshare", "for a private /run") {
        return None;
    }
    let t = Test::new();
    let dir = t.path().to_path_buf();
    let bin = stand_in_systemctl(&dir);
    stand_in_cups(&bin);
    Some((t, dir, bin))
}

/// The print-spooler playbook's stuck jobs: with the spooler running, a
/// job in the queue while nothing prints is stuck. A dry run previews
/// the `cancel -a` that would clear it and runs nothing; a real run
/// clears the queue and checks it again. A job that is printing, or an
/// empty queue, is all well.
#[test]
fn print_spooler_clears_stuck_jobs() {
    let Some((_t, dir, bin)) = print_machine() else {
        return;
    };
    let run = |extra: &str, jobs: &str, printers: &str| -> serde_json::Value {
        std::fs::write(bin.join("state"), "running\n").unwrap();
        std::fs::write(bin.join("jobs"), jobs).unwrap();
        std::fs::write(bin.join("printers"), printers).unwrap();
        let out = as_on_systemd(
            &dir,
            &bin,
            &format!("run print-spooler --format json {extra}"),
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        common::concluded(&report);
        report
    };
    let step = |r: &serde_json::Value, id: &str| common::step_of(r, id).clone();
    let marker = bin.join("cancelled");

    // A dry run: the stuck job is found, the clearing previewed, not run.
    let dry = run("--dry-run", LPSTAT_JOBS, LPSTAT_IDLE);
    assert_eq!(
        dry["conclusions"][0]["id"], "jobs-stuck",
        "{}",
        dry["conclusions"]
    );
    let stuck = step(&dry, "stuck-jobs");
    assert_eq!(stuck["reason"], "output", "{stuck}");
    assert!(
        stuck.to_string().contains("1 job(s) stuck in the queue"),
        "{stuck}"
    );
    let fixes = dry["conclusions"][0]["fixes"].to_string();
    assert!(
        fixes.contains("would try") && fixes.contains("cancel -a"),
        "{fixes}"
    );
    assert!(!marker.exists(), "a dry run cancelled the jobs");

    // For real: cancelled, checked again, cleared.
    let real = run("", LPSTAT_JOBS, LPSTAT_IDLE);
    let c = &real["conclusions"][0];
    assert_eq!(c["id"], "jobs-stuck", "{c}");
    assert_eq!(c["cleared"], true, "{c}");
    assert_eq!(c["fixes"][0]["step"], "clear-queue", "{c}");
    assert_eq!(c["fixes"][0]["verified"], true, "{c}");
    assert_eq!(step(&real, "stuck-jobs")["status"], "fixed");
    assert_eq!(std::fs::read_to_string(&marker).unwrap().trim(), "-a");
    std::fs::remove_file(&marker).unwrap();

    // A job that is printing is not stuck; an empty queue neither.
    for (jobs, printers) in [(LPSTAT_JOBS, LPSTAT_PRINTING), ("", LPSTAT_IDLE)] {
        let well = run("", jobs, printers);
        assert_eq!(
            well["conclusions"][0]["summary"], "No problem found: every check ended well.",
            "{}",
            well["playbooks"][0]["steps"]
        );
        assert!(!marker.exists(), "cancelled with nothing stuck");
    }

    // The printer on the network: answering on its raw port (9100) is
    // well; answering on none of 9100, 631 and 515 is the conclusion.
    let Ok(printer) = std::net::TcpListener::bind("127.0.0.66:9100") else {
        eprintln!("NOT RUN: 127.0.0.66:9100 is taken");
        return;
    };
    let up = run("--var printer=127.0.0.66", "", LPSTAT_IDLE);
    let reachable = step(&up, "printer-reachable");
    assert_eq!(reachable["status"], "pass", "{reachable}");
    assert!(
        reachable["message"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.66:9100 open"),
        "{reachable}"
    );
    drop(printer);
    let down = run("--var printer=127.0.0.67", "", LPSTAT_IDLE);
    assert_eq!(
        down["conclusions"][0]["id"], "printer-unreachable",
        "{}",
        down["conclusions"]
    );
    assert!(
        step(&down, "printer-reachable")["message"]
            .as_str()
            .unwrap()
            .contains("127.0.0.67:515 refused"),
        "{}",
        step(&down, "printer-reachable")
    );
    // Without a printer given, the check is skipped, saying why.
    let none = step(&run("", "", LPSTAT_IDLE), "printer-reachable");
    assert_eq!(none["status"], "skipped");
    assert!(
        none["message"]
            .as_str()
            .unwrap()
            .contains("variable printer is empty"),
        "{none}"
    );
}
