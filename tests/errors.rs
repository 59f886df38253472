//! Every class of playbook error: its exact message, its location, exit 2,
//! and that nothing ran.

mod common;
use common::Test;

fn check(playbook: &str) -> common::Run {
    Test::new()
        .playbook(playbook)
        .args(&["check", "p.toml"])
        .run()
        .status(2)
}

const OK_STEP: &str = "[[step]]\nid = \"a\"\nkind = \"command\"\ncommand = [\"true\"]\n";

#[test]
fn unknown_key_with_suggestion() {
    check(&format!("{OK_STEP}timout = \"5s\"\n"))
        .stderr_has("error: unknown key `timout` in step `a` (kind `command`)\n --> p.toml:5:1\n  |\n5 | timout = \"5s\"\n  | ^^^^^^\n  = help: did you mean `timeout`?");
}

#[test]
fn unknown_kind_with_suggestion() {
    check("[[step]]\nkind = \"comand\"\n")
        .stderr_has("error: unknown step kind `comand`\n --> p.toml:2:8")
        .stderr_has("did you mean `command`?");
}

#[test]
fn missing_kind_points_at_header() {
    check("[[step]]\nid = \"x\"\n").stderr_has("error: step x has no `kind`\n --> p.toml:1:1");
}

#[test]
fn wrong_type() {
    check(&format!("{OK_STEP}retries = \"three\"\n"))
        .stderr_has("error: wrong type: found string \"three\", expected a whole number from 0 to 4294967295 in step `a` (kind `command`)\n --> p.toml:5:11");
}

#[test]
fn invalid_typed_values() {
    check(&format!(
        "{OK_STEP}timeout = \"5 fortnights\"\nstdout_matches = \"(oops\"\n"
    ))
    .stderr_has(
        "error: invalid duration `5 fortnights` in step `a` (kind `command`)\n --> p.toml:5:11",
    )
    .stderr_has("= help: write a number and a unit")
    .stderr_has(
        "error: invalid regular expression `(oops` in step `a` (kind `command`)\n --> p.toml:6:18",
    );
}

#[test]
fn unknown_enum_value() {
    check(&format!(
        "{OK_STEP}severity = \"fatal\"\nwhen = {{ os = \"windoze\" }}\n"
    ))
    .stderr_has("error: unknown value `fatal`")
    .stderr_has("did you mean `fail`?")
    .stderr_has("error: unknown value `windoze`")
    .stderr_has("did you mean `windows`?");
}

#[test]
fn unknown_condition_key() {
    check(&format!("{OK_STEP}when = {{ os_is = \"linux\" }}\n"))
        .stderr_has("error: unknown key `os_is`")
        .stderr_has("p.toml:5:10");
}

#[test]
fn unknown_variable() {
    check("[vars]\nticket = \"none\"\n[[step]]\nkind = \"command\"\ncommand = [\"echo\", \"{{ tiket }}\"]\n")
        .stderr_has("error: unknown variable `tiket`\n --> p.toml:5:21")
        .stderr_has("did you mean `ticket`?");
}

#[test]
fn builtin_cannot_be_declared() {
    check(&format!("[vars]\ntemp = \"x\"\n{OK_STEP}"))
        .stderr_has("error: `temp` is a built-in variable and cannot be declared");
}

#[test]
fn duplicate_ids() {
    check(&format!("{OK_STEP}{OK_STEP}"))
        .stderr_has("error: duplicate step id `a`\n --> p.toml:6:6")
        .stderr_has("the first step with this id is at line 1");
}

#[test]
fn references_to_missing_or_later_steps() {
    check(&format!(
        "{OK_STEP}when = {{ failed = \"b\" }}\n[[step]]\nid = \"b\"\nkind = \"command\"\ncommand = [\"true\"]\nfix = {{ step = \"nope\" }}\n"
    ))
    .stderr_has("error: `when.failed` names step `b`, which does not run before step `a`")
    .stderr_has("error: fix names unknown step `nope`");
}

#[test]
fn only_as_fix_must_be_used() {
    check(&format!("{OK_STEP}only_as_fix = true\n"))
        .stderr_has("error: step `a` is only_as_fix, but no step names it as its fix");
}

#[test]
fn command_shape_errors() {
    check("[[step]]\nkind = \"command\"\ncommand = \"df -h | sort\"\n")
        .stderr_has("error: a command line string needs `shell = true`")
        .stderr_has("p.toml:3:11");
    check("[[step]]\nkind = \"command\"\ncommand = []\n").stderr_has("error: the command is empty");
}

#[test]
fn toml_syntax_error() {
    check("[[step]\nkind = \"command\"\n")
        .stderr_has("error: invalid TOML")
        .stderr_has("p.toml:1:");
}

#[test]
fn unknown_top_level_table() {
    check(&format!("[[steps]]\nkind = \"command\"\n{OK_STEP}"))
        .stderr_has("error: unknown top-level table `steps`")
        .stderr_has("steps are written as [[step]] tables");
}

#[test]
fn every_error_of_every_file_is_reported() {
    let run = Test::new()
        .file(
            "one.toml",
            &format!("{OK_STEP}timout = \"1s\"\nretries = -1\n"),
        )
        .file("two.toml", "[[step]]\nkind = \"nope\"\n")
        .file("good.toml", OK_STEP)
        .args(&["check", "one.toml", "two.toml", "good.toml"])
        .run()
        .status(2)
        .stderr_has("one.toml:5:1")
        .stderr_has("one.toml:6:11")
        .stderr_has("two.toml:2:8")
        .stderr_has("3 error(s) in 2 of 3 input(s); nothing was run")
        .stdout_has("ok: good.toml (1 steps)");
    assert_eq!(run.stderr.matches("error:").count(), 3, "{}", run.stderr);
}

#[test]
fn check_json_lists_errors_with_locations() {
    let run = Test::new()
        .playbook(&format!("{OK_STEP}timout = 1\n"))
        .args(&["check", "p.toml", "--format", "json"])
        .run()
        .status(2);
    let json = run.json();
    assert_eq!(json[0]["valid"], false);
    assert_eq!(json[0]["errors"][0]["line"], 5);
    assert_eq!(json[0]["errors"][0]["column"], 1);
    assert_eq!(json[0]["errors"][0]["hint"], "did you mean `timeout`?");
}

#[test]
fn invalid_playbook_runs_nothing() {
    // The first file is valid and would create a marker; the second is not.
    Test::new()
        .file(
            "ok.toml",
            "[[step]]\nkind = \"command\"\ncommand = [\"touch\", \"ran\"]\n",
        )
        .file(
            "bad.toml",
            "[[step]]\nkind = \"command\"\ncommand = [\"true\"]\nbogus = 1\n",
        )
        .args(&["run", "ok.toml", "bad.toml"])
        .run()
        .status(2)
        .stderr_has("unknown key `bogus`")
        .stdout_lacks("ran");
    let t = Test::new()
        .file(
            "ok.toml",
            "[[step]]\nkind = \"command\"\ncommand = [\"touch\", \"ran\"]\n",
        )
        .file("bad.toml", "nope");
    let dir = t.path().to_path_buf();
    t.args(&["run", "ok.toml", "bad.toml"]).run().status(2);
    assert!(
        !dir.join("ran").exists(),
        "a step ran although a playbook was invalid"
    );
}

#[test]
fn missing_playbook_suggests_a_name() {
    Test::new()
        .args(&["run", "quick-helth"])
        .run()
        .status(2)
        .stderr_has("error: no playbook named `quick-helth`")
        .stderr_has("did you mean `quick-health`?");
    Test::new()
        .args(&["run", "missing.toml"])
        .run()
        .status(2)
        .stderr_has("cannot read playbook `missing.toml`");
}

#[test]
fn bad_invocations_exit_2() {
    Test::new()
        .playbook(OK_STEP)
        .args(&["run", "p.toml", "--var", "nope=1"])
        .run()
        .status(2)
        .stderr_has("unknown variable `nope` in --var");
    Test::new()
        .playbook(OK_STEP)
        .args(&["run", "p.toml", "--only", "b"])
        .run()
        .status(2)
        .stderr_has("--only `b` matches no step id or tag");
    Test::new()
        .playbook(OK_STEP)
        .args(&["run", "p.toml", "--report", "xml=r.xml"])
        .run()
        .status(2)
        .stderr_has("unknown report format `xml`");
    Test::new().args(&["run"]).run().status(2);
    Test::new().args(&["frobnicate"]).run().status(2);
}

#[test]
fn nagios_reports_invalid_input_as_unknown() {
    Test::new()
        .playbook("[[step]]\nkind = \"x\"\n")
        .args(&["run", "p.toml", "--format", "nagios"])
        .run()
        .status(3)
        .stdout_has("SUPPORTCTL UNKNOWN");
}

#[test]
fn non_utf8_playbook() {
    let t = Test::new();
    std::fs::write(t.path().join("p.toml"), b"[[step]]\nkind = \"\xff\"\n").unwrap();
    t.args(&["check", "p.toml"])
        .run()
        .status(2)
        .stderr_has("is not valid UTF-8");
}

// ---- Regressions found by review and an adversarial pass ----

#[test]
fn generated_and_templated_ids_are_checked_for_duplicates() {
    check("[[step]]\nkind = \"command\"\ncommand = [\"true\"]\n[[step]]\nid = \"command-1\"\nkind = \"command\"\ncommand = [\"true\"]\n")
        .stderr_has("error: duplicate step id `command-1`");
    check(&format!("[vars]\nname = \"a\"\n[[step]]\nid = \"{{{{ name }}}}\"\nkind = \"command\"\ncommand = [\"true\"]\n{OK_STEP}"))
        .stderr_has("error: duplicate step id `a`");
    // A reference to a templated id works.
    Test::new()
        .playbook("[vars]\nname = \"disk\"\n[[step]]\nid = \"{{ name }}\"\nkind = \"command\"\ncommand = [\"true\"]\n[[step]]\nkind = \"command\"\ncommand = [\"true\"]\nwhen = { passed = \"disk\" }\n")
        .args(&["check", "p.toml"])
        .run()
        .status(0);
}

#[test]
fn odd_values_are_rejected_at_load_time() {
    check(&format!("{OK_STEP}timeout = \"0s\"\n")).stderr_has("`timeout` of step `a` is zero");
    check(&format!("{OK_STEP}timeout = \"30000000000000w\"\n")).stderr_has("is too long");
    check(&format!("{OK_STEP}timeout = 30\n")).stderr_has("`30` needs a unit and quotes");
    check(&format!("{OK_STEP}when = {{ arch = \"x84_64\" }}\n"))
        .stderr_has("did you mean `x86_64`?");
    check(&format!("{OK_STEP}retries = 4294967296\n"))
        .stderr_has("expected a whole number from 0 to 4294967295");
    check(&format!("{OK_STEP}env = {{ \"A=B\" = \"c\" }}\n"))
        .stderr_has("invalid environment variable `A=B`");
    check(&format!("{OK_STEP}when = {{ min_os_version = 2.10 }}\n"))
        .stderr_has("write versions as strings (e.g. \"2.10\")");
}

#[test]
fn missing_kind_points_at_its_own_header() {
    check(&format!("{OK_STEP}\n[[step]]\nid = \"b\"\n"))
        .stderr_has("error: step b has no `kind`\n --> p.toml:6:1");
}

#[test]
fn only_regular_files_are_read() {
    Test::new()
        .file("dir.toml/x", "")
        .args(&["check", "dir.toml"])
        .run()
        .status(2)
        .stderr_has("is not a regular file");
    #[cfg(unix)]
    Test::new()
        .args(&["check", "/dev/zero"])
        .run()
        .status(2)
        .stderr_has("is not a regular file");
}

#[test]
fn errors_per_file_are_capped() {
    let many: String = (0..200)
        .map(|i| {
            format!(
                "[[step]]\nid = \"s{i}\"\nkind = \"command\"\ncommand = [\"true\"]\ntimout = 1\n"
            )
        })
        .collect();
    let r = check(&many).stderr_has("150 more errors in this file not shown");
    assert_eq!(r.stderr.matches("error: unknown key").count(), 50);
}

#[test]
fn a_bom_does_not_shift_columns() {
    check(&format!("\u{feff}{OK_STEP}timout = 1\n")).stderr_has("p.toml:5:1");
}

#[test]
fn nagios_invalid_invocation_is_unknown() {
    Test::new()
        .playbook(OK_STEP)
        .args(&["run", "p.toml", "--format", "nagios", "--jobs", "0"])
        .run()
        .status(3);
    Test::new()
        .playbook(OK_STEP)
        .args(&["run", "p.toml", "--format", "nagios", "--only", "nope"])
        .run()
        .status(3)
        .stdout_has("SUPPORTCTL UNKNOWN");
}
