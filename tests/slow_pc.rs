//! The shipped `slow-pc` playbook: each cause produced on this machine by
//! a threshold variable, a busy process, autostart files, a stand-in
//! journal, or a private mount namespace (a pending restart, a nearly full
//! system disk), and concluded with words for the user.
#![cfg(target_os = "linux")]

mod common;

use common::Test;

/// The playbook's checks that run on Linux.
const LINUX_STEPS: &[&str] = &[
    "cpu-hogs",
    "memory-hogs",
    "system-disk",
    "reboot-pending",
    "uptime",
    "startup-programs",
    "recent-errors",
];

/// Runs slow-pc with every step skipped but `keep`, plus `extra` args.
fn conclude(t: Test, keep: &[&str], extra: &[&str]) -> (String, serde_json::Value) {
    let mut args = vec!["run", "slow-pc", "--format", "json"];
    for id in LINUX_STEPS.iter().filter(|id| !keep.contains(id)) {
        args.extend(["--skip", id]);
    }
    args.extend(extra);
    let json = t.args(&args).run().json();
    (common::concluded(&json), json)
}

#[test]
fn a_memory_hog() {
    let (cause, _) = conclude(
        Test::new(),
        &["memory-hogs"],
        &["--var", "max_process_memory=1 KiB"],
    );
    assert_eq!(cause, "memory-hog");
}

/// A busy loop over a low `max_cpu`. A CPU sample on a loaded 2-core CI
/// machine can miss it once (the loop not scheduled in the window): up to
/// three runs, one must conclude it.
#[test]
fn a_cpu_hog() {
    let mut busy = std::process::Command::new("sh")
        .args(["-c", "while :; do :; done"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let mut seen = Vec::new();
    for _ in 0..3 {
        let (cause, json) = conclude(Test::new(), &["cpu-hogs"], &["--var", "max_cpu=2"]);
        if cause == "cpu-hog" {
            seen.clear();
            break;
        }
        seen.push(json["playbooks"][0]["steps"][0].to_string());
    }
    let _ = busy.kill();
    let _ = busy.wait();
    assert!(seen.is_empty(), "no run saw the busy loop: {seen:?}");
}

#[test]
fn a_long_uptime() {
    let (cause, _) = conclude(Test::new(), &["uptime"], &["--var", "max_uptime_secs=1"]);
    assert_eq!(cause, "long-uptime");
}

#[test]
fn many_startup_programs() {
    let t = Test::new()
        .file(".config/autostart/a.desktop", "[Desktop Entry]\n")
        .file(".config/autostart/b.desktop", "[Desktop Entry]\n");
    let (cause, json) = conclude(
        t,
        &["startup-programs"],
        &["--var", "max_startup_programs=1"],
    );
    assert_eq!(
        cause, "many-startup-programs",
        "{}",
        json["playbooks"][0]["steps"]
    );
    // Within the limit: nothing to conclude but that all is well.
    let t = Test::new();
    let (cause, _) = conclude(
        t,
        &["startup-programs"],
        &["--var", "max_startup_programs=1000"],
    );
    assert_eq!(cause, "");
}

#[test]
fn a_burst_of_errors() {
    let t = Test::new();
    let path = common::fake_journal(
        t.path(),
        Some(&[
            ("gpu", "ring timeout"),
            ("gpu", "ring timeout"),
            ("disk", "I/O error"),
        ]),
    );
    let (cause, _) = conclude(
        t.env("PATH", &path),
        &["recent-errors"],
        &["--var", "max_errors=2"],
    );
    assert_eq!(cause, "errors-logged");
}

/// In a private mount namespace: `/run` a fresh tmpfs with
/// `reboot-required` in it, or the system drive a nearly full tmpfs.
fn mount_namespace(setup: &str, args: &[&str]) -> Option<serde_json::Value> {
    common::in_namespace(&["-m", "--propagation", "private"], setup, args, &[])
}

fn skip_all_but(keep: &str) -> Vec<&'static str> {
    let mut args = vec!["run", "slow-pc", "--format", "json"];
    for id in LINUX_STEPS.iter().filter(|id| **id != keep) {
        args.extend(["--skip", id]);
    }
    args
}

#[test]
fn a_pending_restart() {
    let args = skip_all_but("reboot-pending");
    let Some(json) = mount_namespace(
        "mount -t tmpfs tmpfs /run && touch /run/reboot-required",
        &args,
    ) else {
        return;
    };
    assert_eq!(json["conclusions"][0]["id"], "restart-pending", "{json}");
}

#[test]
fn a_nearly_full_system_disk() {
    let mut args = skip_all_but("system-disk");
    args.extend(["--var", "system_drive=/mnt"]);
    let Some(json) = mount_namespace(
        "mount -t tmpfs -o size=10m tmpfs /mnt && head -c 9800000 /dev/zero > /mnt/fill",
        &args,
    ) else {
        return;
    };
    assert_eq!(json["conclusions"][0]["id"], "disk-nearly-full", "{json}");
}

/// macOS's count of startup programs is a shell script: run here, the
/// playbook's own text, against a home with launch agents (no
/// `osascript` on Linux: login items count none).
#[test]
fn the_macos_startup_count_runs_as_written() {
    let step = common::shipped_step("slow-pc", "startup-programs-macos");
    let argv: Vec<&str> = step["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let home = tempfile::tempdir().unwrap();
    let agents = home.path().join("Library/LaunchAgents");
    std::fs::create_dir_all(&agents).unwrap();
    for name in ["com.zoom.updater", "com.dropbox.agent", "com.adobe.ccx"] {
        std::fs::write(agents.join(format!("{name}.plist")), "<plist/>").unwrap();
    }
    let count = |limit: &str| {
        let mut args: Vec<&str> = argv[1..].to_vec();
        *args.last_mut().unwrap() = limit;
        std::process::Command::new(argv[0])
            .args(&args)
            .env("HOME", home.path())
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap()
    };
    let within = count("15");
    assert!(within.status.success(), "{within:?}");
    assert_eq!(
        String::from_utf8_lossy(&within.stdout).trim(),
        "3 programs start with the session"
    );
    assert!(!count("2").status.success(), "3 agents over a limit of 2");
}
