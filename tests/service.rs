//! `service` steps: on a machine without a service manager (CI's container)
//! an error that says so, never a pass or a fail; and the whole systemd
//! path (query, start mode, restart as a fix, dry runs, failed units)
//! against a stand-in `systemctl` in a private mount namespace where
//! `/run/systemd/system` exists, as on a systemd machine.
#![cfg(unix)]

mod common;

use std::path::Path;
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
    if !common::is_root() || !Path::new("/usr/bin/unshare").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root with unshare"
        );
        eprintln!("NOT RUN: needs root and unshare for a private /run");
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
    if !common::is_root() || !Path::new("/usr/bin/unshare").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root with unshare"
        );
        eprintln!("NOT RUN: needs root and unshare for a private /run");
        return;
    }
    let t = Test::new();
    let dir = t.path().to_path_buf();
    let bin = stand_in_systemctl(&dir);
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
