//! Outputs read by real consumers: JUnit XML by Python's junitparser, the
//! JSON Schema by Python's jsonschema over the shipped playbooks.
//!
//! These need `pip install junitparser jsonschema` (`.ci/run` installs them).
//! Without them the tests fail under CI (`CI` set) and are reported as not
//! run elsewhere, so a developer without the packages can still run `cargo test`.

mod common;

use std::process::Command;

use common::python_with;

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
