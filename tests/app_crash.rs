//! The shipped `app-crash` playbook: a program's crashes from a stand-in
//! `journalctl` printing recorded systemd-coredump entries
//! (`tests/data/app-crash/`), macOS crash reports put in the test's home
//! (the `files` of the scan are read on every OS), and a running copy of
//! the program (a copy of `sleep` under its name) for the resolver. Each
//! cause is concluded with words for the user. The Windows event patterns
//! are checked against recorded Application Error and Windows Error
//! Reporting events; the Windows scan itself runs only on Windows.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;

use common::Test;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/app-crash");

/// A program name no other test or process uses (at most 15 characters,
/// as the kernel keeps them).
fn unique(tag: &str) -> String {
    format!("crash{tag}{}", std::process::id())
}

/// A stand-in `journalctl` in `dir/bin` printing the recorded entries
/// `files` (of `tests/data/app-crash`) stamped now, `@APP@` being `app`,
/// only those of the `--unit=PREFIX*` asked for, as journald does by
/// their trusted `_SYSTEMD_UNIT` field; returns a PATH with it first.
fn journal(dir: &Path, app: &str, files: &[&str]) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let mut body = String::from(
        "#!/bin/sh\nnow=$(date +%s)000000\nunit=\nfor a in \"$@\"; do case \"$a\" in --unit=*) unit=${a#--unit=} ;; esac; done\n\
         only() { if [ -n \"$unit\" ]; then grep -F \"\\\"_SYSTEMD_UNIT\\\":\\\"${unit%\\*}\" || :; else cat; fi; }\n",
    );
    for f in files {
        body.push_str(&format!(
            "sed -e \"s/@NOW@/$now/g\" -e 's/@APP@/{app}/g' '{DATA}/{f}' | only\n"
        ));
    }
    let path = bin.join("journalctl");
    std::fs::write(&path, body).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Runs app-crash for `app` (JSON) with PATH `path` and `extra` args.
fn run(t: Test, app: &str, path: &str, extra: &[&str]) -> common::Run {
    let var = format!("app={app}");
    let mut args = vec!["run", "app-crash", "--format", "json", "--var", &var];
    args.extend(extra);
    t.env("PATH", path).args(&args).run()
}

/// The conclusion's id: a cause matched, with words for the user.
#[track_caller]
fn concluded(r: &common::Run) -> String {
    let json = r.json();
    assert_eq!(
        json["conclusions"][0]["matched"], true,
        "{}",
        json["playbooks"][0]["steps"]
    );
    common::concluded(&json)
}

#[test]
fn no_crash_is_no_problem() {
    let t = Test::new();
    let app = unique("w");
    // Another program crashed, and an unrelated error: neither is ours.
    let path = journal(t.path(), &app, &["other-crash.json", "other-error.json"]);
    let r = run(t, &app, &path, &[]).status(0);
    let json = r.json();
    assert_eq!(
        json["conclusions"][0]["summary"], "No problem found: every check ended well.",
        "{}",
        json["playbooks"][0]["steps"]
    );
    assert_eq!(r.step_status("crashes"), "pass");
    assert_eq!(r.step_status("crashes-in-module"), "skipped");
}

/// A local user imitating systemd-coredump with `logger` (three times, to
/// trip "crashes often" and its close-the-program fix): journald records
/// the sender's real unit, and only systemd-coredump's count.
#[test]
fn forged_coredump_lines_do_not_count() {
    let t = Test::new();
    let app = unique("f");
    let forged = ["forged-coredump.json"; 3];
    let path = journal(t.path(), &app, &forged);
    let r = run(t, &app, &path, &[]).status(0);
    assert_eq!(r.step_status("crashes"), "pass", "{}", r.step("crashes"));
    assert_eq!(
        r.json()["conclusions"][0]["summary"],
        "No problem found: every check ended well."
    );
}

#[test]
fn one_crash_in_its_own_code() {
    let t = Test::new();
    let app = unique("a");
    let path = journal(t.path(), &app, &["coredump-abort.json", "other-crash.json"]);
    let r = run(t, &app, &path, &[]);
    assert_eq!(concluded(&r), "crashed");
    // Grouped by the module of the first frame: an abort in libc.
    let crashes = r.step("crashes");
    assert!(
        crashes["message"]
            .as_str()
            .unwrap()
            .contains("1× libc.so.6"),
        "{crashes}"
    );
    assert_eq!(r.step_status("crashes-in-module"), "pass");
}

#[test]
fn crashes_in_a_graphics_driver() {
    let t = Test::new();
    let app = unique("g");
    let path = journal(
        t.path(),
        &app,
        &[
            "coredump-gpu-driver.json",
            "coredump-gpu-driver.json",
            "coredump-abort.json",
        ],
    );
    let r = run(t, &app, &path, &[]);
    assert_eq!(concluded(&r), "crash-in-module");
    let module = r.step("crashes-in-module");
    assert!(
        module["message"]
            .as_str()
            .unwrap()
            .contains("2× libnvidia-glcore.so.550.67"),
        "{module}"
    );
    // The abort (first frame in libc) is not another program's module.
    assert!(
        module["message"].as_str().unwrap().starts_with("2 matches"),
        "{module}"
    );
}

#[test]
fn crashes_often() {
    let t = Test::new();
    let app = unique("o");
    let path = journal(
        t.path(),
        &app,
        &[
            "coredump-abort.json",
            "coredump-no-stack.json",
            "coredump-abort.json",
        ],
    );
    let r = run(t, &app, &path, &[]).status(1);
    assert_eq!(concluded(&r), "crashes-often");
    // No copy runs, so nothing is stopped.
    assert_eq!(r.step_status("app-running"), "pass");
    let fixes = &r.json()["conclusions"][0]["fixes"];
    assert!(fixes.as_array().is_none_or(|f| f.is_empty()), "{fixes}");
}

/// It crashed often and a copy still runs: the dry run previews closing
/// it and leaves it running; the real run closes it and the cause clears.
#[test]
fn crashes_often_with_a_copy_running() {
    let app = unique("r");
    let mut program = common::NamedProcess::idle(&app);
    let crashes = [
        "coredump-abort.json",
        "coredump-abort.json",
        "coredump-abort.json",
    ];

    let t = Test::new();
    let path = journal(t.path(), &app, &crashes);
    let r = run(t, &app, &path, &["--dry-run"]);
    assert_eq!(concluded(&r), "crashes-often-running");
    let fixes = &r.json()["conclusions"][0]["fixes"];
    assert_eq!(fixes[0]["step"], "stop-app", "{fixes}");
    assert!(common::alive(program.pid()), "a dry run stops nothing");

    let t = Test::new();
    let path = journal(t.path(), &app, &crashes);
    let r = run(t, &app, &path, &["--var", "grace=2s"]);
    assert_eq!(concluded(&r), "crashes-often-running");
    let c = &r.json()["conclusions"][0];
    assert_eq!(c["cleared"], true, "{c}");
    assert_eq!(r.step_status("app-running"), "fixed");
    common::assert_gone(program.pid(), "the crashing program");
    program.reap();
}

#[test]
fn errors_naming_the_program() {
    let t = Test::new();
    let app = unique("e");
    let path = journal(
        t.path(),
        &app,
        &["app-oom.json", "app-oom.json", "other-error.json"],
    );
    let r = run(t, &app, &path, &["--var", "max_errors=2"]);
    assert_eq!(concluded(&r), "errors-logged");
    assert_eq!(r.step_status("crashes"), "pass");
}

#[test]
fn crash_records_that_cannot_be_read() {
    let t = Test::new();
    let path = common::fake_journal(t.path(), None);
    let r = run(t, &unique("u"), &path, &[]);
    assert_eq!(concluded(&r), "logs-unreadable");
}

/// macOS crash reports in ~/Library/Logs/DiagnosticReports, grouped by
/// their exception type: the scan's `files` are read on every OS.
#[test]
fn macos_crash_reports() {
    let app = unique("m");
    let report = |name: &str| {
        std::fs::read_to_string(format!("{DATA}/{name}"))
            .unwrap()
            .replace("@APP@", &app)
    };
    let t = Test::new()
        .file(
            &format!("Library/Logs/DiagnosticReports/{app}-2026-11-28-091403.ips"),
            &report("crash.ips"),
        )
        .file(
            &format!("Library/Logs/DiagnosticReports/{app}_2026-11-27-171002_pc-0042.crash"),
            &report("crash.crash"),
        )
        // Another program's report is not read.
        .file(
            "Library/Logs/DiagnosticReports/Safari-2026-11-28-101500.ips",
            &report("crash.ips"),
        );
    let path = journal(t.path(), &app, &[]);
    let r = run(t, &app, &path, &[]);
    assert_eq!(concluded(&r), "crashed");
    let out = r.step("crashes")["output"]["stdout"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(out.contains("1×  EXC_BAD_ACCESS"), "{out}");
    assert!(out.contains("1×  EXC_CRASH"), "{out}");
}

/// The patterns and exclusions of a step of the shipped playbook, for `app`.
fn step_regexes(step_id: &str, key: &str, app: &str) -> Vec<regex::Regex> {
    let step = common::shipped_step("app-crash", step_id);
    step[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let p = p.as_str().unwrap();
            assert!(
                !p.contains("{{ app }}"),
                "{{ app }} unescaped in a pattern: {p}"
            );
            regex::Regex::new(&p.replace("{{ app | regex }}", &regex::escape(app))).unwrap()
        })
        .collect()
}

/// What the first capture group of the first matching pattern holds.
fn capture(patterns: &[regex::Regex], text: &str) -> Option<String> {
    let c = patterns.iter().find_map(|p| p.captures(text))?;
    c.iter()
        .skip(1)
        .flatten()
        .next()
        .map(|m| m.as_str().to_string())
}

/// Recorded Windows events, as `wevtutil qe /f:text` gives their message
/// (the lines joined by spaces): the faulting module of Application Error
/// 1000, the hang of Windows Error Reporting 1001; the core system
/// modules are left out of crashes-in-module. (The Windows scan runs on
/// Windows only; these check what its patterns take from the messages.)
#[test]
fn windows_event_messages() {
    let crash = |module: &str| {
        format!(
            "Faulting application name: OUTLOOK.EXE, version: 16.0.17328.20162, time stamp: 0x65d6f9a1 \
             Faulting module name: {module}, version: 31.0.15.5222, time stamp: 0x6617c2b6 \
             Exception code: 0xc0000005 Fault offset: 0x0000000000a3b2c4 Faulting process id: 0x0x3A4C \
             Faulting application start time: 0x0x1DA8F3B2C4D5E6F \
             Faulting application path: C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE \
             Faulting module path: C:\\Windows\\System32\\DriverStore\\FileRepository\\nv_dispig.inf_amd64_5d2e1c3b4a596870\\{module} \
             Report Id: 5b2f1c3e-8d4a-4f6b-9e2d-7a1c0b3d5e6f Faulting package full name: Faulting package-relative application ID:"
        )
    };
    let hang = "Fault bucket 1452312271358463402, type 5 Event Name: AppHangB1 Response: Not available \
                Cab Id: 0 Problem signature: P1: OUTLOOK.EXE P2: 16.0.17328.20162 P3: 65d6f9a1 P4: 7b2a \
                P5: 134217728 P6: P7: P8: P9: P10: Attached files: \
                \\\\?\\C:\\ProgramData\\Microsoft\\Windows\\WER\\Temp\\WER4F2A.tmp.WERInternalMetadata.xml";
    let other_app = crash("nvwgf2umx.dll").replace("OUTLOOK.EXE", "EXCEL.EXE");

    let patterns = step_regexes("crashes", "patterns", "outlook");
    assert_eq!(
        capture(&patterns, &crash("nvwgf2umx.dll")).as_deref(),
        Some("nvwgf2umx.dll")
    );
    assert_eq!(capture(&patterns, hang).as_deref(), Some("AppHangB1"));
    assert_eq!(capture(&patterns, &other_app), None);

    let patterns = step_regexes("crashes-in-module", "patterns", "outlook");
    let exclude = step_regexes("crashes-in-module", "exclude", "outlook");
    let counted = |text: &str| {
        patterns.iter().any(|p| p.is_match(text)) && !exclude.iter().any(|e| e.is_match(text))
    };
    assert!(counted(&crash("nvwgf2umx.dll")));
    assert!(counted(&crash("OLMAPI32.DLL")));
    assert!(!counted(&crash("ntdll.dll")));
    assert!(!counted(&crash("KERNELBASE.dll")));
    assert!(!counted(&crash("OUTLOOK.EXE")));
    assert!(!counted(hang));
}

/// `group_by = "capture"` needs a pattern with a group: `check` says so.
#[test]
fn capture_grouping_needs_a_group() {
    Test::new()
        .playbook(
            "[playbook]\nname = \"p\"\n\n[[step]]\nid = \"s\"\nkind = \"logscan\"\nfiles = [\"x.log\"]\npatterns = ['error']\ngroup_by = \"capture\"\n",
        )
        .args(&["check", "p.toml"])
        .run()
        .status(2)
        .stderr_has("needs a pattern with a capture group");
}
