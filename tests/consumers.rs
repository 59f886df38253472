//! Outputs read by real consumers: JUnit XML by Python's junitparser, the
//! JSON Schema by Python's jsonschema over the shipped playbooks.
//!
//! These need `pip install junitparser jsonschema` (`.ci/run` installs them).
//! Without them the tests fail under CI (`CI` set) and are reported as not
//! run elsewhere, so a developer without the packages can still run `cargo test`.

mod common;

use std::process::Command;

use common::{Test, python_with};

/// Runs a consumer and asserts it accepted what it read (its own words,
/// and `context`, on failure).
#[track_caller]
fn accepts(cmd: &mut Command, context: &str) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}{}\n{context}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

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
    accepts(
        Command::new("python3")
            .arg(consumer("junit_check.py"))
            .arg(run.dir.join("out.xml"))
            .args(["4", "1", "1", "1"]),
        "",
    );
    // Jenkins xUnit's junit-10.xsd (from pytest's source distribution,
    // which `.ci/run` unpacks and names in SUPPORTCTL_JUNIT_XSD) and Ant's
    // stricter rules.
    let Some(xsd) = std::env::var_os("SUPPORTCTL_JUNIT_XSD") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set SUPPORTCTL_JUNIT_XSD to junit-10.xsd"
        );
        eprintln!("NOT RUN: SUPPORTCTL_JUNIT_XSD (junit-10.xsd) is not set");
        return;
    };
    if !python_with(&["xmlschema"]) {
        return;
    }
    accepts(
        Command::new("python3")
            .arg(consumer("junit_xsd_check.py"))
            .arg(run.dir.join("out.xml"))
            .arg(xsd),
        "",
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
    accepts(&mut cmd, "");
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
    // A conclusion after the test points (TAP diagnostics) leaves the plan intact.
    let (ok, said, tap) = prove(
        "[[step]]\nid = \"a\"\nname = 'dir\\# TODO y'\nkind = \"command\"\ncommand = [\"false\"]\n\n[[cause]]\nid = \"c\"\nwhen = { failed = \"a\" }\nsummary = \"ok 2 - # SKIP not a test\"\n",
    );
    assert!(!ok, "the failure was hidden:\n{said}\n{tap}");
    assert!(tap.contains("not ok 1 - dir\\\\\\# TODO y"), "{tap}");
    assert!(
        tap.contains("\n# Conclusion: ok 2 - # SKIP not a test\n"),
        "{tap}"
    );
}

/// Markdown read by markdown-it-py and cmark-gfm (GitHub's reader): what a
/// ticket reader sees equals the JSON report's text, whatever Markdown,
/// HTML, escapes or code spans the names, messages and advice hold.
#[test]
fn markdown_reads_as_the_json_says() {
    if !python_with(&["markdown_it"]) || !common::program_available("cmark-gfm") {
        return;
    }
    let run = Test::new()
        .playbook(
            r#"
[[step]]
id = "html"
name = "Check <now> & <b>bold</b> &amp; done"
kind = "command"
command = ["false"]
advice = "Run `sc query \"x\" | findstr <name>` then *restart* [it](http://example.invalid) _now_"

[[step]]
id = "escapes"
name = 'dir\# TODO ~~y~~ a|b \\ back'
kind = "command"
command = ["sh", "-c", "echo 'it''s <tag> `x`'; exit 1"]
advice = "Quote it: `echo 'a'\\''b'` & keep `C:\\Temp\\*` ![img](x) 1. two"

[[step]]
id = "list"
name = "- not a list"
kind = "command"
command = ["true"]
advice = "1. not a list either; ``double `tick` span``; `unclosed"

[[step]]
id = "other-os"
kind = "command"
command = ["true"]
when = { os = "windows" }

[[cause]]
id = "html-broke"
when = { failed = "html" }
summary = "The <b>HTML</b> step & its `code` broke | badly"
tell_user = "Please *do not* click [here](http://example.invalid) # now"
next = "- run `a|b` then <script>x</script>"
"#,
        )
        .args(&[
            "run",
            "p.toml",
            "--ticket",
            "INC-<1> *x*",
            "--report",
            "json=r.json",
            "--report",
            "markdown=r.md",
        ])
        .run()
        .status(1);
    let md = std::fs::read_to_string(run.dir.join("r.md")).unwrap();
    assert!(md.contains("1 step skipped"), "{md}");
    accepts(
        Command::new("python3")
            .arg(consumer("markdown_check.py"))
            .arg(run.dir.join("r.json"))
            .arg(run.dir.join("r.md")),
        &md,
    );
}

/// Nagios output read by Perl's Monitoring::Plugin::Performance: a run of
/// many steps with long ids keeps its first line within NRPE's 1,024
/// bytes, all its perfdata parses (the rest in the long text), and labels
/// stay unique within 19 characters (pnp4nagios).
#[test]
fn nagios_output_fits_nrpe_and_graphers() {
    if !common::program_available("perl")
        || !Command::new("perl")
            .args(["-MMonitoring::Plugin::Performance", "-e", "1"])
            .status()
            .is_ok_and(|s| s.success())
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install libmonitoring-plugin-perl"
        );
        eprintln!("NOT RUN: Perl's Monitoring::Plugin is not installed");
        return;
    }
    let mut playbook = String::new();
    for i in 0..12 {
        playbook.push_str(&format!(
            "[[step]]\nid = \"root-disk-of-the-main-workstation-{i:02}\"\nkind = \"disk\"\npath = \"/\"\nfail_free_below = \"100%\"\n\n"
        ));
    }
    for i in 0..12 {
        playbook.push_str(&format!(
            "[[step]]\nid = \"a-failing-command-with-a-long-id-{i:02}\"\nkind = \"command\"\ncommand = [\"false\"]\n\n"
        ));
    }
    let run = Test::new()
        .playbook(&playbook)
        .args(&["run", "p.toml", "--format", "json"])
        .run();
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let measurements: usize = report["playbooks"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["measurements"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(measurements > 24, "{measurements}");
    let run = Test::new()
        .playbook(&playbook)
        .args(&["run", "p.toml", "--format", "nagios"])
        .run()
        .status(2);
    let out = run.dir.join("nagios.txt");
    std::fs::write(&out, &run.stdout).unwrap();
    accepts(
        Command::new("perl")
            .arg(consumer("nagios_check.pl"))
            .arg(&out)
            .arg(measurements.to_string()),
        &run.stdout,
    );
}
