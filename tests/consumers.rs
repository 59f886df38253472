//! Outputs read by real consumers: JUnit XML by Python's junitparser, the
//! JSON Schema by Python's jsonschema over the shipped playbooks.
//!
//! These need `pip install junitparser jsonschema` (`.ci/run` installs them).
//! Without them the tests fail under CI (`CI` set) and are reported as not
//! run elsewhere, so a developer without the packages can still run `cargo test`.

mod common;

use std::process::Command;

use common::{Test, python_with};

fn consumer(script: &str) -> String {
    format!("{}/tests/consumers/{script}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn junit_is_read_by_junitparser() {
    if !python_with(&["junitparser"]) {
        return;
    }
    let run = common::Test::new()
        .playbook(
            r#"
[[step]]
id = "ok"
kind = "command"
command = ["true"]
[[step]]
name = "bad <&> \"quoted\""
id = "bad"
kind = "command"
command = ["sh", "-c", "printf 'ctrl\u0001char & <tag>'; exit 1"]
[[step]]
id = "err"
kind = "command"
command = ["/no/such/program"]
[[step]]
id = "skip"
kind = "command"
command = ["true"]
when = { os = "windows" }
"#,
        )
        .args(&[
            "run",
            "p.toml",
            "--format",
            "junit",
            "--report",
            "junit=out.xml",
        ])
        .run()
        .status(1);
    let out = Command::new("python3")
        .arg(consumer("junit_check.py"))
        .arg(run.dir.join("out.xml"))
        .args(["4", "1", "1", "1"])
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
fn schema_accepts_shipped_playbooks_and_rejects_typos() {
    if !python_with(&["jsonschema", "tomllib"]) {
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let t = common::Test::new().file(
        "typo.toml",
        "[[step]]\nkind = \"command\"\ncommand = [\"true\"]\ntimout = \"1s\"\n",
    );
    let mut cmd = Command::new("python3");
    cmd.arg(consumer("schema_check.py"))
        .arg(format!("{root}/playbooks/schema.json"));
    for (name, _) in supportctl::playbook::source::SHIPPED {
        cmd.arg(format!("{root}/playbooks/{name}.toml"));
    }
    cmd.arg("--").arg(t.path().join("typo.toml"));
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// TAP read by Perl's Test::Harness (`prove`, 3.44 on Debian 12): version
/// 13 is accepted, and a failing step whose name holds `\` and `#` stays a
/// failure (not a TODO).
#[test]
fn tap_is_read_by_prove() {
    if !common::program_available("prove") {
        return;
    }
    let prove = |playbook: &str| {
        let r = Test::new()
            .playbook(playbook)
            .args(&["run", "p.toml", "--format", "tap"])
            .run();
        let dir = tempfile::tempdir().unwrap();
        let tap = dir.path().join("report.tap");
        std::fs::write(&tap, &r.stdout).unwrap();
        let out = std::process::Command::new("prove")
            .args(["--exec", "cat"])
            .arg(&tap)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            r.stdout,
        )
    };
    let (ok, said, tap) = prove("[[step]]\nid = \"a\"\nkind = \"command\"\ncommand = [\"true\"]\n");
    assert!(ok, "prove refused an all-pass report:\n{said}\n{tap}");
    let (ok, said, tap) = prove(
        "[[step]]\nid = \"a\"\nname = 'dir\\# TODO y'\nkind = \"command\"\ncommand = [\"false\"]\n",
    );
    assert!(!ok, "the failure was hidden:\n{said}\n{tap}");
    assert!(tap.contains("not ok 1 - dir\\\\\\# TODO y"), "{tap}");
}
