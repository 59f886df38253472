//! The shipped `slow-pc` playbook: each cause produced on this machine by
//! a threshold variable, a busy process, autostart files, a stand-in
//! journal, or a private mount namespace (a pending restart, a nearly full
//! system disk), and concluded with words for the user.
#![cfg(target_os = "linux")]

mod common;

use common::Test;

/// Runs slow-pc with every step skipped but `keep`, plus `extra` args.
fn conclude(t: Test, keep: &[&str], extra: &[&str]) -> (String, serde_json::Value) {
    let all = [
        "cpu-hogs",
        "memory-hogs",
        "system-disk",
        "reboot-pending",
        "uptime",
        "startup-programs",
        "recent-errors",
    ];
    let mut args = vec!["run", "slow-pc", "--format", "json"];
    for id in all.iter().filter(|id| !keep.contains(id)) {
        args.extend(["--skip", id]);
    }
    args.extend(extra);
    let r = t.args(&args).run();
    let json = r.json();
    let c = json["conclusions"][0].clone();
    assert!(
        c["tell_user"].as_str().is_some_and(|t| !t.is_empty()) || c["matched"] == false,
        "{c}"
    );
    (c["id"].as_str().unwrap_or_default().to_string(), json)
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
    for id in [
        "cpu-hogs",
        "memory-hogs",
        "system-disk",
        "reboot-pending",
        "uptime",
        "startup-programs",
        "recent-errors",
    ] {
        if id != keep {
            args.extend(["--skip", id]);
        }
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
