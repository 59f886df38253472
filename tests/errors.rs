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
        .stderr_has("error: wrong type: found string \"three\", expected a whole number (0 or more) in step `a` (kind `command`)\n --> p.toml:5:11");
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
