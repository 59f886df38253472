//! `software` and `requirements` through the real binary: fake programs on
//! PATH printing versions (and garbage, nothing, or hanging forever), glob
//! candidate paths, the real dpkg, and this machine's real facts.
#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{Run, Test, assert_gone, read_pid};

/// Writes an executable shell script.
fn script(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A test whose PATH starts with its own `bin/`, holding fake programs.
fn with_fakes() -> Test {
    let t = Test::new();
    let bin = t.path().join("bin");
    script(&bin.join("fakegit"), "echo 'git version 2.39.2'");
    script(
        &bin.join("fakejava"),
        "echo 'openjdk version \"17.0.15\" 2025-04-15' >&2",
    );
    script(&bin.join("garbage"), "echo 'hello world, no numbers here'");
    script(&bin.join("silent"), "exit 0");
    script(&bin.join("hangs"), "echo $$ > hangs.pid\nexec sleep 1000");
    script(
        &bin.join("stub"),
        "echo 'xcrun: error: invalid active developer path' >&2\nexit 1",
    );
    script(&bin.join("py310"), "echo 'Python 3.10.12'");
    script(&bin.join("py312"), "echo 'Python 3.12.1'");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    t.env("PATH", &path)
}

fn software(t: Test, steps: &[(&str, &str)]) -> Run {
    let mut text = String::from("[playbook]\nname = \"sw\"\n");
    for (id, body) in steps {
        text.push_str(&format!(
            "\n[[step]]\nid = \"{id}\"\nkind = \"software\"\n{body}\n"
        ));
    }
    t.playbook(&text)
        .args(&["run", "p.toml", "--format", "json"])
        .run()
}

#[test]
fn versions_are_read_from_the_program_and_compared() {
    let r = software(
        with_fakes(),
        &[
            ("ok", "program = \"fakegit\"\nmin_version = \"2.30\""),
            ("old", "program = \"fakegit\"\nmin_version = \"2.40\""),
            ("new", "program = \"fakegit\"\nbelow_version = \"2.39\""),
            (
                "stderr",
                "program = \"fakejava\"\nmin_version = \"17\"\nbelow_version = \"18\"",
            ),
            ("any-of", "program = [\"no-such-cc\", \"fakegit\"]"),
        ],
    );
    assert_eq!(r.step_status("ok"), "pass");
    let msg = r.step("ok")["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("fakegit 2.39.2 at ")
            && msg.contains("bin/fakegit (from `")
            && msg.contains("required >= 2.30"),
        "{msg}"
    );
    assert_eq!(r.step_status("old"), "fail");
    assert!(
        r.step("old")["message"]
            .as_str()
            .unwrap()
            .contains("is older than the required 2.40")
    );
    assert_eq!(r.step_status("new"), "fail");
    assert!(
        r.step("new")["message"]
            .as_str()
            .unwrap()
            .contains("is too new: it must be below 2.39")
    );
    assert_eq!(r.step_status("stderr"), "pass", "{}", r.step("stderr"));
    assert_eq!(r.step_status("any-of"), "pass");
    assert_eq!(r.code, 1);
}

#[test]
fn unreadable_versions_are_undetermined_and_a_hang_is_killed() {
    let t = with_fakes();
    let dir = t.path().to_path_buf();
    let r = software(
        t,
        &[
            ("garbage", "program = \"garbage\"\nmin_version = \"1.0\""),
            ("garbage-any", "program = \"garbage\""),
            ("silent", "program = \"silent\"\nmin_version = \"1.0\""),
            (
                "hangs",
                "program = \"hangs\"\nmin_version = \"1.0\"\ntimeout = \"1s\"",
            ),
        ],
    );
    assert_eq!(r.step_status("garbage"), "error");
    let msg = r.step("garbage")["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("no version in the output of") && msg.contains("hello world"),
        "{msg}"
    );
    // Without a version requirement, being installed is enough.
    assert_eq!(r.step_status("garbage-any"), "pass");
    assert!(
        r.step("silent")["message"]
            .as_str()
            .unwrap()
            .contains("printed nothing")
    );
    assert_eq!(r.step_status("hangs"), "error");
    let msg = r.step("hangs")["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("did not answer within 1s; it was killed"),
        "{msg}"
    );
    assert_gone(
        read_pid(&dir.join("hangs.pid")),
        "the hanging version probe",
    );
    assert_eq!(r.code, 3);
}

#[test]
fn missing_programs_fail_and_candidate_paths_take_globs() {
    let t = with_fakes();
    let dir = t.path().to_path_buf();
    script(&dir.join("apps/Tool 2.1/tool"), "echo 'Tool 2.1.5'");
    let r = software(
        t,
        &[
            ("missing", "program = \"no-such-program-supportctl\""),
            (
                "glob",
                &format!(
                    "paths = [\"{}/apps/*/tool\"]\nmin_version = \"2\"",
                    dir.display()
                ),
            ),
        ],
    );
    assert_eq!(r.step_status("missing"), "fail");
    assert!(
        r.step("missing")["message"]
            .as_str()
            .unwrap()
            .contains("is not installed: not on PATH")
    );
    assert_eq!(r.step_status("glob"), "pass", "{}", r.step("glob"));
    assert!(
        r.step("glob")["message"]
            .as_str()
            .unwrap()
            .contains("2.1.5")
    );
}

#[test]
fn package_versions_come_from_the_real_dpkg() {
    if which::which("dpkg-query").is_err() {
        eprintln!("NOT RUN: no dpkg here");
        return;
    }
    let r = software(
        Test::new(),
        &[
            ("dpkg", "package = \"dpkg\"\nmin_version = \"1.17\""),
            ("absent", "package = \"no-such-package-supportctl\""),
        ],
    );
    assert_eq!(r.step_status("dpkg"), "pass", "{}", r.step("dpkg"));
    assert!(
        r.step("dpkg")["message"]
            .as_str()
            .unwrap()
            .contains("(from dpkg)")
    );
    assert_eq!(r.step_status("absent"), "fail");
}

#[test]
fn requirements_against_this_machines_real_facts() {
    let body = "[playbook]\nname = \"req\"\n\n[[step]]\nid = \"fits\"\nkind = \"requirements\"\nproduct = \"Tiny\"\n\
                os = [\"linux\", \"macos\", \"windows\"]\nmin_memory = \"16 MiB\"\nmin_cpus = 1\nmin_free_disk = \"1 MiB\"\n\
                tpm = \"2.0\"\n\n[[step]]\nid = \"huge\"\nkind = \"requirements\"\nproduct = \"Huge\"\nmin_memory = \"64 TiB\"\nmin_cpus = 4096\n";
    let r = Test::new()
        .playbook(body)
        .args(&["run", "p.toml", "--format", "json"])
        .run();
    assert_eq!(r.step_status("fits"), "pass", "{}", r.step("fits"));
    let table = r.step("fits")["output"]["stdout"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        table.contains("TPM") && table.contains("not applicable: Windows only"),
        "{table}"
    );
    assert_eq!(r.step_status("huge"), "fail");
    let msg = r.step("huge")["message"].as_str().unwrap().to_string();
    assert!(
        msg.starts_with("not capable of running Huge: memory") && msg.contains("logical CPU cores"),
        "{msg}"
    );
    assert_eq!(r.code, 1);
}

#[test]
fn bad_settings_are_load_errors() {
    Test::new()
        .playbook(
            "[[step]]\nkind = \"software\"\nmin_version = \"3\"\nbelow_version = \"2\"\n\n\
             [[step]]\nkind = \"requirements\"\nmin_os_version = { windows = \"10\", solaris = \"11\" }\n",
        )
        .args(&["check", "p.toml"])
        .run()
        .status(2)
        .stderr_has("say what to look for: `program`, `paths`, `package` or `app`")
        .stderr_has("`below_version` 2 must be above `min_version` 3")
        .stderr_has("unknown key `solaris`");
}

#[test]
fn the_shipped_playbooks_run_here_without_errors() {
    let r = Test::new()
        .args(&["run", "dev-workstation", "--format", "json"])
        .run();
    assert!(matches!(r.code, 0 | 1), "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        r.json()["playbooks"][0]["steps"].as_array().unwrap().len(),
        6
    );
    let r = Test::new()
        .args(&["run", "requirements-teams", "--format", "json"])
        .run();
    if cfg!(target_os = "linux") {
        // No Teams client for Linux: not capable, with the reason.
        assert_eq!(r.step_status("teams-minimums"), "fail");
        assert!(
            r.step("teams-minimums")["message"]
                .as_str()
                .unwrap()
                .contains("operating system linux")
        );
        assert_eq!(r.step_status("webview2"), "skipped");
    }
}

#[test]
fn every_candidate_is_tried_and_stubs_are_not_programs() {
    let r = software(
        with_fakes(),
        &[
            // The first found is too old; the next one fits.
            (
                "newest",
                "program = [\"py310\", \"py312\"]\nmin_version = \"3.11\"",
            ),
            // Neither fits: the highest is reported.
            (
                "none-fits",
                "program = [\"py310\", \"py312\"]\nmin_version = \"3.13\"",
            ),
            // A stub that fails is not a working program, even without a range.
            ("stub", "program = \"stub\""),
        ],
    );
    assert_eq!(r.step_status("newest"), "pass", "{}", r.step("newest"));
    assert!(
        r.step("newest")["message"]
            .as_str()
            .unwrap()
            .contains("3.12.1")
    );
    assert_eq!(r.step_status("none-fits"), "fail");
    let msg = r.step("none-fits")["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("py312 3.12.1") && msg.contains("older than the required 3.13"),
        "{msg}"
    );
    assert_eq!(r.step_status("stub"), "error");
    assert!(
        r.step("stub")["message"]
            .as_str()
            .unwrap()
            .contains("exited with 1"),
        "{}",
        r.step("stub")
    );
}

#[test]
fn a_package_manager_that_is_missing_is_undetermined_not_a_pass() {
    // PATH holds only the fakes: no dpkg, rpm, pacman, apk or brew.
    let t = Test::new();
    let bin = t.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let t = t.env("PATH", bin.to_str().unwrap());
    let r = software(t, &[("pkg", "package = \"git\"")]);
    assert_eq!(r.step_status("pkg"), "error", "{}", r.step("pkg"));
    assert!(
        r.step("pkg")["message"]
            .as_str()
            .unwrap()
            .contains("no package manager found")
    );
}

/// `package` lookups order versions as their package manager does: a fake
/// `dpkg-query` reports a repacked Debian version that dpkg ranks above the
/// minimum (the revision is split at the last `-`), where `auto` would not.
/// `scheme` overrides the default, and a minimum that is not a version of
/// the scheme is a load error naming the key.
#[test]
fn version_schemes_follow_the_package_manager_or_the_playbook() {
    let t = Test::new();
    let bin = t.path().join("bin");
    script(
        &bin.join("dpkg-query"),
        "printf 'install ok installed\\t2.1.28+dfsg1-9\\n'",
    );
    script(&bin.join("nodeish"), "echo 'v1.0.0-a2'");
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let r = software(
        t.env("PATH", &path),
        &[
            (
                "by-dpkg",
                "package = \"sasl\"\nmin_version = \"2.1.28+dfsg-10\"",
            ),
            (
                "as-auto",
                "package = \"sasl\"\nmin_version = \"2.1.28+dfsg-10\"\nscheme = \"auto\"",
            ),
            (
                "semver",
                "program = \"nodeish\"\nversion_regex = 'v(\\S+)'\nmin_version = \"1.0.0-a10\"\nscheme = \"semver\"",
            ),
            (
                "natural",
                "program = \"nodeish\"\nversion_regex = 'v(\\S+)'\nmin_version = \"1.0.0-a10\"",
            ),
        ],
    );
    assert_eq!(r.step_status("by-dpkg"), "pass", "{}", r.step("by-dpkg"));
    assert_eq!(r.step_status("as-auto"), "fail", "{}", r.step("as-auto"));
    assert_eq!(r.step_status("semver"), "pass", "{}", r.step("semver"));
    assert_eq!(r.step_status("natural"), "fail", "{}", r.step("natural"));

    let bad = Test::new()
        .playbook("[[step]]\nid = \"x\"\nkind = \"software\"\nprogram = \"git\"\nmin_version = \"1.2\"\nscheme = \"semver\"\n")
        .args(&["check", "p.toml"])
        .run()
        .status(2);
    assert!(
        bad.stderr.contains("`1.2` is not a semver version")
            && bad.stderr.contains("MAJOR.MINOR.PATCH"),
        "{}",
        bad.stderr
    );
}

/// Every distinct package version on this machine, ordered by supportctl's
/// `dpkg` scheme, is in the order `dpkg --compare-versions` gives: each
/// neighbour pair is checked with dpkg itself (`lt` or `eq` as we say), and
/// since both orders are total, every pair agrees.
#[test]
fn dpkg_scheme_orders_this_machines_packages_as_dpkg_does() {
    if which::which("dpkg-query").is_err() || which::which("dpkg").is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI runs on Debian");
        eprintln!("NOT RUN: no dpkg here");
        return;
    }
    use supportctl::version::Scheme;
    let out = std::process::Command::new("dpkg-query")
        .args(["-W", "-f", "${Version}\n"])
        .output()
        .unwrap();
    let mut versions: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    versions.sort();
    versions.dedup();
    assert!(versions.len() > 100, "{} versions", versions.len());
    versions.sort_by(|a, b| Scheme::Dpkg.compare(a, b));
    for pair in versions.windows(2) {
        let ours = Scheme::Dpkg.compare(&pair[0], &pair[1]);
        let op = if ours.is_eq() { "eq" } else { "lt" };
        let ok = std::process::Command::new("dpkg")
            .args(["--compare-versions", &pair[0], op, &pair[1]])
            .status()
            .unwrap()
            .success();
        assert!(ok, "dpkg disagrees: {} {op} {}", pair[0], pair[1]);
    }
}
