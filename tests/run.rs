//! Running playbooks through the real binary: statuses, exit codes,
//! conditions, fixes, dry runs, timeouts, retries, selection, interrupts.
#![cfg(unix)]

mod common;
use common::Test;

fn step(id: &str, body: &str) -> String {
    format!("[[step]]\nid = \"{id}\"\nkind = \"command\"\n{body}\n")
}

fn json_run(playbook: &str, extra: &[&str]) -> common::Run {
    let mut args = vec!["run", "p.toml", "--format", "json"];
    args.extend_from_slice(extra);
    Test::new().playbook(playbook).args(&args).run()
}

#[test]
fn exit_codes_follow_the_worst_status() {
    let pass = step("p", "command = [\"true\"]");
    let fail = step("f", "command = [\"false\"]");
    let warn = step("w", "command = [\"false\"]\nseverity = \"warn\"");
    let error = step("e", "command = [\"/no/such/program\"]");
    json_run(&pass, &[]).status(0);
    json_run(&format!("{pass}{warn}"), &[]).status(0);
    json_run(&format!("{pass}{warn}"), &["--strict"]).status(1);
    json_run(&format!("{pass}{fail}{error}"), &[]).status(1);
    let r = json_run(&format!("{pass}{error}"), &[]).status(3);
    assert_eq!(r.step_status("e"), "error");
    assert!(
        r.step("e")["message"]
            .as_str()
            .unwrap()
            .contains("could not start `/no/such/program`")
    );
    assert_eq!(r.json()["exit_code"], 3);
}

#[test]
fn command_checks_exit_code_and_output() {
    let r = json_run(
        &[
            step("code", "command = [\"sh\", \"-c\", \"exit 3\"]\nexpect_exit = [0, 3]"),
            step("contains", "command = [\"echo\", \"hello world\"]\nstdout_contains = \"world\""),
            step("missing", "command = [\"echo\", \"hello\"]\nstdout_contains = \"bye\""),
            step("regex", "command = [\"echo\", \"v1.2.3\"]\nstdout_matches = '^v\\d+\\.\\d+'"),
            step("not", "command = [\"echo\", \"ERROR: x\"]\nstdout_not_contains = \"ERROR\""),
            step("shell", "command = \"echo a | tr a b\"\nshell = true\nstdout_contains = \"b\""),
            step("env", "command = [\"sh\", \"-c\", \"echo $GREETING\"]\nenv = { GREETING = \"hi-there\" }\nstdout_contains = \"hi-there\""),
            step("cwd", "command = [\"pwd\"]\ncwd = \"/\"\nstdout_matches = '^/\\n$'"),
        ]
        .concat(),
        &[],
    )
    .status(1);
    for (id, want) in [
        ("code", "pass"),
        ("contains", "pass"),
        ("missing", "fail"),
        ("regex", "pass"),
        ("not", "fail"),
        ("shell", "pass"),
        ("env", "pass"),
        ("cwd", "pass"),
    ] {
        assert_eq!(r.step_status(id), want, "step {id}");
    }
    assert_eq!(
        r.step("missing")["message"],
        "stdout does not contain `bye`"
    );
    assert_eq!(r.step("missing")["output"]["stdout"], "hello\n");
}

#[test]
fn output_is_capped_keeping_head_and_tail() {
    let r = json_run(&step("big", "command = [\"sh\", \"-c\", \"echo FIRST; head -c 200000 /dev/zero | tr '\\\\0' x; echo; echo LAST\"]\nmax_output = \"1 KiB\""), &[]).status(0);
    let out = &r.step("big")["output"];
    let stdout = out["stdout"].as_str().unwrap();
    assert!(stdout.starts_with("FIRST"), "{stdout}");
    assert!(stdout.trim_end().ends_with("LAST"));
    assert!(stdout.len() < 1200, "capped: {}", stdout.len());
    assert_eq!(out["truncated"], true);
}

#[test]
fn timeout_kills_the_whole_process_tree() {
    let t = Test::new().playbook(&step(
        "slow",
        "command = [\"sh\", \"-c\", \"sleep 300 & echo $! > child.pid; wait\"]\ntimeout = \"500ms\"",
    ));
    let dir = t.path().to_path_buf();
    let r = t
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(3);
    assert_eq!(r.step_status("slow"), "error");
    assert!(
        r.step("slow")["message"]
            .as_str()
            .unwrap()
            .contains("timed out after 500ms")
    );
    common::assert_gone(
        common::read_pid(&dir.join("child.pid")),
        "the child of the timed-out command",
    );
}

#[test]
fn conditions_skip_with_a_reason() {
    let r = Test::new()
        .playbook(
            &[
                step("first", "command = [\"false\"]\nseverity = \"warn\""),
                step(
                    "on-windows",
                    "command = [\"true\"]\nwhen = { os = \"windows\" }",
                ),
                step(
                    "on-unix",
                    "command = [\"true\"]\nwhen = { os = [\"linux\", \"macos\"] }",
                ),
                step(
                    "if-warned",
                    "command = [\"true\"]\nwhen = { warned = \"first\" }",
                ),
                step(
                    "if-passed",
                    "command = [\"true\"]\nwhen = { passed = \"first\" }",
                ),
                step(
                    "env-set",
                    "command = [\"true\"]\nwhen = { env = \"SUPPORTCTL_TEST_FLAG\" }",
                ),
                step(
                    "env-unset",
                    "command = [\"true\"]\nwhen = { env = \"SUPPORTCTL_SURELY_UNSET\" }",
                ),
                step(
                    "path",
                    "command = [\"true\"]\nwhen = { path_exists = \"{{ playbook_dir }}/p.toml\" }",
                ),
                step(
                    "no-path",
                    "command = [\"true\"]\nwhen = { path_exists = \"/no/such/path\" }",
                ),
                step(
                    "tool",
                    "command = [\"true\"]\nwhen = { command_exists = \"no-such-tool-xyz\" }",
                ),
                step(
                    "old-os",
                    "command = [\"true\"]\nwhen = { below_os_version = \"0.1\" }",
                ),
            ]
            .concat(),
        )
        .env("SUPPORTCTL_TEST_FLAG", "1")
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(0);
    for (id, want) in [
        ("first", "warn"),
        ("on-windows", "skipped"),
        ("on-unix", "pass"),
        ("if-warned", "pass"),
        ("if-passed", "skipped"),
        ("env-set", "pass"),
        ("env-unset", "skipped"),
        ("path", "pass"),
        ("no-path", "skipped"),
        ("tool", "skipped"),
        ("old-os", "skipped"),
    ] {
        assert_eq!(r.step_status(id), want, "step {id}");
    }
    assert_eq!(
        r.step("on-windows")["message"],
        format!("needs os windows, this is {}", std::env::consts::OS)
    );
    assert_eq!(
        r.step("if-passed")["message"],
        "runs when `first` passed; it was warn"
    );
    assert_eq!(r.step("no-path")["message"], "/no/such/path does not exist");
}

const FIXABLE: &str = r#"
[[step]]
id = "marker"
kind = "command"
command = ["test", "-e", "fixed.flag"]
[step.fix]
step = "make-marker"

[[step]]
id = "make-marker"
kind = "command"
command = ["touch", "fixed.flag"]
changes = true
only_as_fix = true
"#;

#[test]
fn fix_then_reverify_succeeds() {
    let r = json_run(FIXABLE, &[]).status(0);
    assert_eq!(r.step_status("marker"), "fixed");
    let s = r.step("marker");
    assert_eq!(r.attempt_labels("marker"), ["check", "fix", "re-check"]);
    assert_eq!(s["attempts"][0]["status"], "fail");
    assert_eq!(s["attempts"][2]["status"], "pass");
    assert!(
        s["actions"][0]
            .as_str()
            .unwrap()
            .contains("ran: touch fixed.flag")
    );
    assert_eq!(r.step_status("make-marker"), "skipped");
    assert!(r.dir.join("fixed.flag").exists());
}

#[test]
fn fix_that_does_not_help_fails_with_both_attempts() {
    let r = json_run(
        &step(
            "never",
            "command = [\"false\"]\nfix = { command = [\"true\"] }\nadvice = \"Call the vendor.\"",
        ),
        &[],
    )
    .status(1);
    let s = r.step("never");
    assert_eq!(s["status"], "fail");
    assert_eq!(s["attempts"].as_array().unwrap().len(), 3);
    assert!(
        s["message"]
            .as_str()
            .unwrap()
            .ends_with("fix applied but the check still fails")
    );
    assert_eq!(s["advice"], "Call the vendor.");
}

#[test]
fn dry_run_changes_nothing() {
    let t = Test::new().playbook(&format!(
        "{FIXABLE}{}",
        step(
            "changer",
            "command = [\"touch\", \"changed.flag\"]\nchanges = true"
        )
    ));
    let dir = t.path().to_path_buf();
    let r = t
        .args(&["run", "p.toml", "--format", "json", "--dry-run"])
        .run()
        .status(1);
    assert!(!dir.join("fixed.flag").exists(), "the fix ran in a dry run");
    assert!(
        !dir.join("changed.flag").exists(),
        "a `changes` command ran in a dry run"
    );
    assert_eq!(r.step_status("marker"), "fail");
    assert!(
        r.step("marker")["actions"][0]
            .as_str()
            .unwrap()
            .starts_with("would apply fix: runs `touch fixed.flag`")
    );
    assert_eq!(r.step_status("changer"), "skipped");
    assert_eq!(
        r.step("changer")["actions"][0],
        "would run: touch changed.flag"
    );
    assert_eq!(r.json()["dry_run"], true);
    // The human view lists the would-be actions even though the step is skipped.
    Test::new()
        .playbook(&step(
            "changer",
            "command = [\"touch\", \"changed.flag\"]\nchanges = true",
        ))
        .args(&["run", "p.toml", "--dry-run"])
        .run()
        .status(0)
        .stdout_has("(dry run)")
        .stdout_has("would run: touch changed.flag");
}

#[test]
fn retries_until_it_passes() {
    let r = json_run(
        &step("flaky", "command = [\"sh\", \"-c\", \"echo x >> tries; test $(wc -l < tries) -ge 3\"]\nretries = 5\nretry_delay = \"10ms\""),
        &[],
    )
    .status(0);
    let s = r.step("flaky");
    assert_eq!(s["status"], "pass");
    assert_eq!(s["attempts"].as_array().unwrap().len(), 3);
    assert_eq!(
        std::fs::read_to_string(r.dir.join("tries"))
            .unwrap()
            .lines()
            .count(),
        3
    );
}

#[test]
fn stop_on_failure_skips_the_rest() {
    let r = json_run(
        &[
            step("gate", "command = [\"false\"]\nstop_on_failure = true"),
            step("after", "command = [\"touch\", \"after.flag\"]"),
        ]
        .concat(),
        &[],
    )
    .status(1);
    assert_eq!(r.step_status("after"), "skipped");
    assert_eq!(
        r.step("after")["message"],
        "not run: step `gate` failed and stops the playbook"
    );
    assert!(!r.dir.join("after.flag").exists());
}

#[test]
fn only_and_skip_select_by_id_or_tag() {
    let pb = [
        step("a", "command = [\"true\"]\ntags = [\"net\"]"),
        step("b", "command = [\"true\"]\ntags = [\"disk\"]"),
        step("c", "command = [\"true\"]"),
    ]
    .concat();
    let r = json_run(&pb, &["--only", "net", "--only", "c"]).status(0);
    assert_eq!(
        (
            r.step_status("a").as_str(),
            r.step_status("b").as_str(),
            r.step_status("c").as_str()
        ),
        ("pass", "skipped", "pass")
    );
    assert_eq!(r.step("b")["message"], "not selected by --only");
    let r = json_run(&pb, &["--skip", "disk"]).status(0);
    assert_eq!(r.step_status("b"), "skipped");
    assert_eq!(r.step("b")["message"], "skipped by --skip");
}

#[test]
fn variables_expand_and_can_be_overridden() {
    let pb = format!(
        "[vars]\nticket = \"none\"\n{}",
        step(
            "echo",
            "command = [\"echo\", \"T={{ ticket }} H={{ hostname }} D={{ date }}\"]"
        )
    );
    let r = json_run(&pb, &["--var", "ticket=INC0042"]).status(0);
    let out = r.step("echo")["output"]["stdout"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(out.starts_with("T=INC0042 H="), "{out}");
    assert!(!out.contains("{{"), "{out}");
    let r = json_run(&pb, &[]).status(0);
    assert!(
        r.step("echo")["output"]["stdout"]
            .as_str()
            .unwrap()
            .starts_with("T=none ")
    );
}

#[test]
fn results_stay_in_playbook_order_with_parallel_jobs() {
    let pb: String = (0..8)
        .map(|i| {
            step(
                &format!("s{i}"),
                &format!("command = [\"sh\", \"-c\", \"sleep 0.0{}\"]", 8 - i),
            )
        })
        .collect();
    let r = json_run(&pb, &["--jobs", "8"]).status(0);
    let ids: Vec<String> = r.json()["playbooks"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, (0..8).map(|i| format!("s{i}")).collect::<Vec<_>>());
}

#[test]
fn report_files_are_written_alongside_stdout() {
    let r = Test::new()
        .playbook(&step("a", "command = [\"true\"]"))
        .args(&[
            "run",
            "p.toml",
            "--report",
            "json=out.json",
            "--report",
            "junit=out.xml",
            "--report",
            "markdown=out.md",
        ])
        .run()
        .status(0)
        .stdout_has("1 step: 1 passed");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(r.dir.join("out.json")).unwrap()).unwrap();
    assert_eq!(json["summary"]["pass"], 1);
    assert!(
        std::fs::read_to_string(r.dir.join("out.xml"))
            .unwrap()
            .contains("<testcase name=\"a\"")
    );
    assert!(
        std::fs::read_to_string(r.dir.join("out.md"))
            .unwrap()
            .contains("| ✅ pass | a |")
    );
    // A report folder that does not exist is an invocation error, found
    // before anything runs (not after the fixes ran).
    Test::new()
        .playbook(&step("a", "command = [\"true\"]"))
        .args(&["run", "p.toml", "--report", "json=no/such/dir/out.json"])
        .run()
        .status(2)
        .stderr_has("cannot write the json report to no/such/dir/out.json")
        .stderr_has("nothing was run");
}

#[test]
fn interrupt_stops_the_run_and_reports() {
    let t = Test::new().playbook(
        &[
            step("long", "command = [\"sleep\", \"30\"]"),
            step("later", "command = [\"true\"]"),
        ]
        .concat(),
    );
    let mut cmd = t.command();
    cmd.args(["run", "p.toml", "--format", "json", "--jobs", "1"])
        .stdout(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["interrupted"], true);
    assert_eq!(json["playbooks"][0]["steps"][1]["status"], "skipped");
}

// ---- Regressions found by review and an adversarial pass ----

#[test]
fn a_step_that_must_run_alone_blocks_later_steps() {
    // A gate that fails after a while stops the playbook: nothing after it may start meanwhile.
    let r = json_run(
        &[
            step(
                "gate",
                "command = \"sleep 0.5; exit 1\"\nshell = true\nstop_on_failure = true",
            ),
            step("after", "command = [\"touch\", \"after.flag\"]"),
        ]
        .concat(),
        &["--jobs", "4"],
    )
    .status(1);
    assert_eq!(r.step_status("after"), "skipped");
    assert!(
        !r.dir.join("after.flag").exists(),
        "a step ran while the gate was running"
    );
    // A read-only step after a `changes` step sees its effect.
    let r = json_run(
        &[
            step(
                "write",
                "command = \"sleep 0.3; echo ready > state\"\nshell = true\nchanges = true",
            ),
            step(
                "read",
                "command = [\"cat\", \"state\"]\nstdout_contains = \"ready\"",
            ),
        ]
        .concat(),
        &["--jobs", "4"],
    )
    .status(0);
    assert_eq!(r.step_status("read"), "pass");
}

#[test]
fn output_is_kept_when_a_background_process_holds_the_pipe() {
    let r = json_run(&step("bg", "command = \"sleep 300 & echo $! > bg.pid; echo started\"\nshell = true\nstdout_contains = \"started\""), &[]).status(0);
    let out = &r.step("bg")["output"];
    assert!(out["stdout"].as_str().unwrap().starts_with("started\n"));
    assert_eq!(out["truncated"], true);
    common::assert_gone(
        common::read_pid(&r.dir.join("bg.pid")),
        "the leftover background process",
    );
}

#[test]
fn fix_steps_honour_their_conditions_and_skip() {
    let pb = r#"
[[step]]
id = "check"
kind = "command"
command = ["test", "-e", "fixed.flag"]
fix = { step = "repair" }
[[step]]
id = "repair"
kind = "command"
command = ["touch", "fixed.flag"]
changes = true
only_as_fix = true
tags = ["disruptive"]
"#;
    let r = json_run(
        &pb.replace("tags = [\"disruptive\"]", "when = { os = \"windows\" }"),
        &[],
    )
    .status(1);
    assert!(
        r.step("check")["message"]
            .as_str()
            .unwrap()
            .contains("fix `repair` not applied: needs os windows")
    );
    assert!(!r.dir.join("fixed.flag").exists());
    let r = json_run(pb, &["--skip", "disruptive"]).status(1);
    assert!(
        r.step("check")["message"]
            .as_str()
            .unwrap()
            .contains("fix `repair` not applied: skipped by --skip")
    );
    assert!(!r.dir.join("fixed.flag").exists());
}

#[test]
fn inline_fix_has_its_own_timeout() {
    let r = json_run(&step("slow-fix", "command = [\"false\"]\ntimeout = \"5s\"\nfix = { command = [\"sleep\", \"30\"], timeout = \"300ms\" }"), &[]).status(1);
    let msg = r.step("slow-fix")["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("fix failed") && msg.contains("timed out after 300ms"),
        "{msg}"
    );
}

#[test]
fn sigterm_stops_the_run_kills_programs_and_reports() {
    let t = Test::new().playbook(&step(
        "long",
        "command = \"sleep 300 & echo $! > child.pid; wait\"\nshell = true",
    ));
    let dir = t.path().to_path_buf();
    let mut cmd = t.command();
    cmd.args(["run", "p.toml", "--report", "json=out.json"])
        .stdout(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    while !dir.join("child.pid").exists() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out.json")).unwrap()).unwrap();
    assert_eq!(json["interrupted"], true);
    common::assert_gone(
        common::read_pid(&dir.join("child.pid")),
        "the step's program after SIGTERM",
    );
}

#[test]
fn templates_keep_windows_backslashes_and_vars_build_on_each_other() {
    let pb = format!(
        "[vars]\nbase = \"C:\\\\Users\\\\{{{{ user }}}}\"\nlogs = \"{{{{ base }}}}\\\\Logs\"\n{}",
        step(
            "echo",
            "command = [\"echo\", \"{{ logs }} {{ \\\"{{\\\" }}x}}\"]"
        )
    );
    let r = json_run(&pb, &["--var", "user=ana"]).status(0);
    assert_eq!(
        r.step("echo")["output"]["stdout"],
        "C:\\Users\\ana\\Logs {{x}}\n"
    );
}

#[test]
fn var_override_of_a_builtin_reaches_vars() {
    let pb = format!(
        "[vars]\ndir = \"{{{{ temp }}}}/sub\"\n{}",
        step("echo", "command = [\"echo\", \"{{ dir }}\"]")
    );
    let r = json_run(&pb, &["--var", "temp=/elsewhere"]).status(0);
    assert_eq!(r.step("echo")["output"]["stdout"], "/elsewhere/sub\n");
}

#[test]
fn report_files_survive_a_closed_stdout_and_never_replace_links() {
    let t = Test::new().playbook(&step("a", "command = [\"true\"]"));
    let dir = t.path().to_path_buf();
    let mut cmd = t.command();
    cmd.args(["run", "p.toml", "--report", "json=out.json"])
        .stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    drop(child.stdout.take()); // like `| head -0`
    let _ = child.wait();
    assert!(
        dir.join("out.json").exists(),
        "the report file was lost with stdout"
    );
    let t = Test::new()
        .playbook(&step("a", "command = [\"true\"]"))
        .file("real.json", "keep me");
    std::os::unix::fs::symlink(t.path().join("real.json"), t.path().join("link.json")).unwrap();
    let r = t
        .args(&["run", "p.toml", "--report", "json=link.json"])
        .run()
        .status(3)
        .stderr_has("not a regular file");
    assert_eq!(
        std::fs::read_to_string(r.dir.join("real.json")).unwrap(),
        "keep me"
    );
    assert!(
        std::fs::symlink_metadata(r.dir.join("link.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_full_stdout_is_an_error_not_a_panic() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    for args in [
        &["facts"][..],
        &["schema"],
        &["completions", "bash"],
        &["run", "p.toml"],
    ] {
        let t = Test::new().playbook(&step("a", "command = [\"true\"]"));
        let mut cmd = t.command();
        cmd.args(args).stdout(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        );
        let out = cmd.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(3),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("could not write"),
            "{args:?}"
        );
    }
}

#[test]
fn terminal_escapes_in_output_are_neutralised() {
    let r = Test::new()
        .playbook(&step("esc", "command = [\"printf\", \"\\\\033[2J\\\\033]0;pwned\\\\007boom\"]\nstdout_contains = \"nope\""))
        .args(&["run", "p.toml"])
        .run()
        .status(1);
    assert!(
        !r.stdout.contains('\x1b') && !r.stdout.contains('\x07'),
        "{:?}",
        r.stdout
    );
    assert!(r.stdout.contains("^[[2J"), "{}", r.stdout);
}

#[test]
fn first_run_papercuts_stay_fixed() {
    // stdout_matches anchors lines: `echo hello` matches `^hel+o$`.
    let r = Test::new()
        .playbook("[[step]]\nid = \"m\"\nkind = \"command\"\ncommand = [\"echo\", \"hello\"]\nstdout_matches = '^hel+o$'\n")
        .args(&["run", "p.toml", "--format", "json"])
        .run();
    assert_eq!(r.step_status("m"), "pass", "{}", r.stdout);
    // A [vars] value built from another sees that variable's --var.
    let r = Test::new()
        .playbook("[vars]\nticket = \"none\"\nderived = \"T-{{ ticket }}\"\n\n[[step]]\nid = \"e\"\nkind = \"command\"\ncommand = [\"echo\", \"{{ derived }}\"]\nshow_output = true\n")
        .args(&["run", "p.toml", "--var", "ticket=Y", "--format", "json"])
        .run();
    assert!(r.stdout.contains("T-Y"), "{}", r.stdout);
    // A report folder that does not exist is an error before anything runs.
    let t = Test::new()
        .playbook("[[step]]\nid = \"mark\"\nkind = \"command\"\ncommand = [\"touch\", \"ran\"]\n");
    let dir = t.path().to_path_buf();
    t.args(&["run", "p.toml", "--report", "json=no-such-dir/r.json"])
        .run()
        .status(2)
        .stderr_has("does not exist");
    assert!(!dir.join("ran").exists());
}

/// A step that printed nothing has no `output` in the JSON report (as the
/// README says); one that printed keeps only what it printed. Every report
/// the tests produce is also checked against docs/report.schema.json
/// (tests/common), and that check can fail: a wrong status is rejected.
#[test]
fn empty_output_is_left_out_and_reports_match_the_schema() {
    let run = Test::new()
        .playbook(
            "[[step]]\nid = \"quiet\"\nkind = \"command\"\ncommand = [\"true\"]\n\n[[step]]\nid = \"loud\"\nkind = \"command\"\ncommand = [\"echo\", \"hi\"]\nshow_output = true\n",
        )
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(0);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let steps = &report["playbooks"][0]["steps"];
    assert!(steps[0].get("output").is_none(), "{}", steps[0]);
    assert_eq!(steps[1]["output"], serde_json::json!({"stdout": "hi\n"}));
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/report.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut bad = report.clone();
    bad["playbooks"][0]["steps"][0]["status"] = "maybe".into();
    assert!(jsonschema::is_valid(&schema, &report));
    assert!(!jsonschema::is_valid(&schema, &bad));
}

/// A `disk` step on a path under a small tmpfs measures that tmpfs (its
/// size, its mount point, its type), and `all = true` with
/// `include_types = ["tmpfs"]` lists it; without it, it is left out.
#[test]
fn disk_steps_measure_the_tmpfs_a_path_is_on() {
    if !common::root_with("unshare", "to mount a small tmpfs") {
        return;
    }
    let t = Test::new();
    let d = t.path().to_path_buf();
    let mnt = d.join("small");
    std::fs::create_dir_all(mnt.join("sub")).unwrap();
    std::fs::write(
        d.join("p.toml"),
        format!(
            "[[step]]\nid = \"path\"\nkind = \"disk\"\npath = \"{0}/sub\"\n\n\
             [[step]]\nid = \"with\"\nkind = \"disk\"\nall = true\ninclude_types = [\"tmpfs\"]\n\n\
             [[step]]\nid = \"without\"\nkind = \"disk\"\nall = true\n",
            mnt.display()
        ),
    )
    .unwrap();
    let script = format!(
        "mount -t tmpfs -o size=10m tmpfs '{0}' && mkdir '{0}/sub' && '{1}' run p.toml --format json",
        mnt.display(),
        env!("CARGO_BIN_EXE_supportctl")
    );
    let out = std::process::Command::new("/usr/bin/unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script])
        .current_dir(&d)
        .env("SUPPORTCTL_PATH", "")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if stdout.is_empty() && String::from_utf8_lossy(&out.stderr).contains("mount") {
        eprintln!(
            "NOT RUN: mounts not permitted: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let steps = &report["playbooks"][0]["steps"];
    let msg = |i: usize| steps[i]["message"].as_str().unwrap().to_string();
    let mount = mnt.display().to_string();
    assert!(
        msg(0).contains("of 10.0 MiB") && msg(0).contains(&format!("on {mount} (tmpfs)")),
        "{}",
        msg(0)
    );
    let listed = |i: usize| {
        steps[i]["output"]["stdout"]
            .as_str()
            .unwrap_or("")
            .contains(&mount)
    };
    assert!(listed(1), "{}", steps[1]);
    assert!(!listed(2), "{}", steps[2]);
}

/// `when = { var = "printer" }`: the step runs only when the variable is
/// not empty, its keys templated from the empty value are not judged at
/// load time, and a name that is no variable is a load error.
#[test]
fn steps_wait_for_a_variable() {
    let book = "[vars]\nprinter = \"\"\n\n[[step]]\nid = \"probe\"\nkind = \"tcp\"\nhost = \"{{ printer }}\"\nport = 9100\nwhen = { var = \"printer\" }\n";
    let skipped = Test::new()
        .playbook(book)
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(0);
    assert_eq!(skipped.step_status("probe"), "skipped");
    assert!(
        skipped.step("probe")["message"]
            .as_str()
            .unwrap()
            .contains("variable printer is empty"),
        "{}",
        skipped.step("probe")
    );
    let port = common::closed_port().to_string();
    let given = Test::new()
        .playbook(&book.replace("9100", &port))
        .args(&[
            "run",
            "p.toml",
            "--format",
            "json",
            "--var",
            "printer=127.0.0.1",
        ])
        .run();
    assert_eq!(given.step_status("probe"), "fail");
    Test::new()
        .playbook(&book.replace("var = \"printer\"", "var = \"printr\""))
        .args(&["check", "p.toml"])
        .run()
        .status(2)
        .stderr_has("`when.var` names `printr`, which is not a variable")
        .stderr_has("did you mean `printer`?");
}
