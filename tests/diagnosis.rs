//! From results to a diagnosis: reason codes, advice chosen by reason,
//! `reason` conditions, `[[cause]]` tables with resolvers that are
//! verified, and the conclusion in every output format.

mod common;

use common::{Test, closed_port};

/// A port that refuses, a cause that names it, and a resolver that runs.
fn refused_playbook(port: u16) -> String {
    format!(
        r#"
[[step]]
id = "app-port"
kind = "tcp"
host = "127.0.0.1"
port = {port}
timeout = "2s"
advice = {{ refused = "Nothing listens: start the app's service.", timeout = "A firewall drops it.", default = "See the message." }}

[[step]]
id = "after-refused"
kind = "command"
command = ["true"]
when = {{ reason = {{ step = "app-port", is = ["refused"] }} }}

[[step]]
id = "after-timeout"
kind = "command"
command = ["true"]
when = {{ reason = {{ step = "app-port", is = "timeout" }} }}

[[cause]]
id = "app-down"
when = {{ reason = {{ step = "app-port", is = "refused" }} }}
summary = "The app's service is not listening."
tell_user = "The app's server is down. We are restarting it."
next = "Start the service and read its log."
"#
    )
}

#[test]
fn reasons_choose_the_advice_and_steer_conditions() {
    let port = closed_port();
    let r = Test::new()
        .playbook(&refused_playbook(port))
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(1);
    let step = r.step("app-port");
    assert_eq!(step["reason"], "refused", "{step}");
    assert_eq!(step["advice"], "Nothing listens: start the app's service.");
    assert_eq!(r.step_status("after-refused"), "pass");
    assert_eq!(r.step_status("after-timeout"), "skipped");
    assert_eq!(r.step("after-timeout")["reason"], "condition");
    assert!(
        r.step("after-timeout")["message"]
            .as_str()
            .unwrap()
            .contains("runs when `app-port` ended for timeout; it ended fail for refused"),
        "{}",
        r.step("after-timeout")
    );
    let c = &r.json()["conclusions"][0];
    assert_eq!(c["id"], "app-down", "{c}");
    assert_eq!(c["matched"], true);
    assert_eq!(
        c["tell_user"],
        "The app's server is down. We are restarting it."
    );
    assert_eq!(c["steps"][0]["reason"], "refused");
    assert_eq!(c["cleared"], false);
}

#[test]
fn check_rejects_reasons_a_kind_never_gives() {
    Test::new()
        .playbook(
            r#"
[[step]]
id = "port"
kind = "tcp"
host = "127.0.0.1"
port = 1
advice = { refused = "a", timeot = "b" }

[[step]]
id = "next"
kind = "command"
command = ["true"]
when = { reason = { step = "port", is = "nxdomain" } }

[[step]]
id = "early"
kind = "command"
command = ["true"]
when = { reason = { step = "later", is = "exit" } }

[[step]]
id = "later"
kind = "command"
command = ["true"]

[[cause]]
id = "bad id!"
when = { failed = "prot" }
summary = "x"

[[cause]]
id = "no-steps"
when = { os = "linux" }
summary = "y"
fix = ["nothing-here"]
"#,
        )
        .args(&["check", "p.toml"])
        .run()
        .status(2)
        .stderr_has("`advice` names reason `timeot`, which a `tcp` step never gives")
        .stderr_has("did you mean `timeout`?")
        .stderr_has("p.toml:7:27")
        .stderr_has(
            "`when.reason` expects `port` to end for `nxdomain`, a reason a `tcp` step never gives",
        )
        .stderr_has("`when.reason` names step `later`, which does not run before step `early`")
        .stderr_has("invalid cause id `bad id!`")
        .stderr_has("cause `bad id!`: `when.failed` names unknown step `prot`")
        .stderr_has("did you mean `port`?")
        .stderr_has("cause `no-steps` looks at no step")
        .stderr_has("cause `no-steps`: fix names unknown step `nothing-here`");
    Test::new()
        .playbook("[[step]]\nkind = \"command\"\ncommand = [\"true\"]\nadvice = 3\n")
        .args(&["check", "p.toml"])
        .run()
        .status(2)
        .stderr_has("a text, or a table of reason = \"advice\" texts");
}

/// A check that fails until a flag file exists, and causes whose resolvers
/// create it: the first resolver does nothing useful, the second clears it.
const RESOLVED: &str = r#"
[[step]]
id = "flag"
kind = "command"
command = ["test", "-f", "flag"]
advice = "Create the flag."

[[step]]
id = "useless"
kind = "command"
command = ["true"]
changes = true
only_as_fix = true

[[step]]
id = "make-flag"
kind = "command"
command = ["touch", "flag"]
changes = true
only_as_fix = true

[[step]]
id = "never"
kind = "command"
command = ["touch", "never"]
changes = true
only_as_fix = true

[[cause]]
id = "no-flag"
when = { reason = { step = "flag", is = "exit" } }
summary = "The flag is missing."
tell_user = "We are putting it back."
fix = ["useless", "make-flag", "never"]
"#;

#[test]
fn resolvers_are_tried_in_order_until_one_clears_the_cause() {
    let r = Test::new()
        .playbook(RESOLVED)
        .args(&["run", "p.toml", "--format", "json"])
        .run();
    assert_eq!(r.code, 0, "{}", r.stdout);
    let step = r.step("flag");
    assert_eq!(step["status"], "fixed", "{step}");
    // A fixed step keeps why it needed fixing, and says what fixed it.
    assert_eq!(step["reason"], "exit");
    assert!(
        step["message"]
            .as_str()
            .unwrap()
            .starts_with("fixed by cause `no-flag`'s fix `make-flag`"),
        "{step}"
    );
    assert!(step.get("advice").is_none(), "{step}");
    let c = &r.json()["conclusions"][0];
    assert_eq!(c["cleared"], true, "{c}");
    let fixes: Vec<(&str, bool)> = c["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["step"].as_str().unwrap(),
                f["verified"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(fixes, [("useless", false), ("make-flag", true)]);
    assert!(r.dir.join("flag").exists());
    assert!(
        !r.dir.join("never").exists(),
        "stopped at the first that cleared it"
    );
    assert_eq!(r.step_status("never"), "skipped");

    // The human output ends with the conclusion.
    let r = Test::new()
        .playbook(RESOLVED)
        .args(&["run", "p.toml"])
        .run()
        .status(0);
    let tail: Vec<&str> = r.stdout.lines().rev().take(4).collect();
    assert_eq!(
        tail,
        [
            "  Found by: flag fixed (exit)",
            "  Fixes tried: useless: ran, did not clear it; make-flag: pass, cleared it — cleared",
            "  Tell the user: We are putting it back.",
            "Conclusion: The flag is missing.",
        ],
        "{}",
        r.stdout
    );
}

#[test]
fn a_dry_run_lists_the_resolvers_and_changes_nothing() {
    let r = Test::new()
        .playbook(RESOLVED)
        .args(&["run", "p.toml", "--dry-run", "--format", "json"])
        .run()
        .status(1);
    assert!(!r.dir.join("flag").exists());
    let c = &r.json()["conclusions"][0];
    assert_eq!(c["cleared"], false);
    let fixes = c["fixes"].as_array().unwrap();
    assert_eq!(fixes.len(), 3, "{c}");
    assert!(fixes.iter().all(|f| f["status"] == "skipped"));
    assert_eq!(fixes[1]["message"], "would try: runs `touch flag`");
}

#[test]
fn no_known_cause_and_no_problem_are_conclusions_too() {
    let playbook = |cmd: &str| {
        format!(
            "[[step]]\nid = \"a\"\nkind = \"command\"\ncommand = [\"{cmd}\"]\n\n[[step]]\nid = \"b\"\nkind = \"command\"\ncommand = [\"true\"]\n\n[[cause]]\nid = \"b-broken\"\nwhen = {{ failed = \"b\" }}\nsummary = \"b is broken\"\n"
        )
    };
    let r = Test::new()
        .playbook(&playbook("false"))
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(1);
    let c = &r.json()["conclusions"][0];
    assert_eq!(c["matched"], false);
    assert!(c.get("id").is_none());
    assert_eq!(
        c["summary"],
        "No known cause matched; see the failed steps: a (fail exit)."
    );
    let r = Test::new()
        .playbook(&playbook("true"))
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(0);
    assert_eq!(
        r.json()["conclusions"][0]["summary"],
        "No problem found: every check ended well."
    );
    // A playbook without causes concludes nothing.
    let r = Test::new()
        .playbook("[[step]]\nkind = \"command\"\ncommand = [\"true\"]\n")
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(0);
    assert!(r.json().get("conclusions").is_none());
}

#[test]
fn conclude_all_reports_every_matching_cause() {
    let text = format!(
        "[playbook]\nconclude = \"all\"\n{}\n[[cause]]\nid = \"second\"\nwhen = {{ failed = \"app-port\" }}\nsummary = \"It failed.\"\n",
        refused_playbook(closed_port())
    );
    let r = Test::new()
        .playbook(&text)
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(1);
    let json = r.json();
    let ids: Vec<&str> = json["conclusions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["app-down", "second"]);
}

#[test]
fn every_format_carries_the_conclusion() {
    let port = closed_port();
    let run = |format: &str| {
        Test::new()
            .playbook(&refused_playbook(port))
            .args(&["run", "p.toml", "--format", format, "--ticket", "INC0042"])
            .run()
    };
    let md = run("markdown").stdout;
    assert!(
        md.starts_with(
            "## supportctl report: p\n\n**Conclusion:** The app's service is not listening.\n"
        ),
        "{md}"
    );
    assert!(md.contains("**Ticket:** INC0042"), "{md}");
    assert!(md.contains("**Gateway:**"), "{md}");
    // Steps that need attention first; the rest folded.
    let attention = md.find("| ❌ fail | app-port |").unwrap();
    let folded = md
        .find("<details><summary>1 other step: 1 passed, 0 skipped</summary>")
        .unwrap();
    assert!(attention < folded, "{md}");
    let ticket = run("ticket").stdout;
    assert!(
        ticket.contains("\nCONCLUSION: The app's service is not listening.\n"),
        "{ticket}"
    );
    assert!(ticket.contains("\nTicket: INC0042\n"), "{ticket}");
    assert!(ticket.contains("- [FAIL] app-port: 127.0.0.1:"), "{ticket}");
    assert!(
        ticket.contains("    Next step: Nothing listens: start the app's service."),
        "{ticket}"
    );
    let nagios = run("nagios").stdout;
    assert!(
        nagios.starts_with("SUPPORTCTL CRITICAL - The app's service is not listening. — p: "),
        "{nagios}"
    );
    let tap = run("tap").stdout;
    assert!(
        tap.contains("\n# Conclusion: The app's service is not listening.\n"),
        "{tap}"
    );
    assert!(tap.contains("  reason: \"refused\"\n"), "{tap}");
    let junit = run("junit").stdout;
    assert!(
        junit.contains(
            r#"<property name="conclusion" value="The app&apos;s service is not listening."/>"#
        ) || junit.contains(
            r#"<property name="conclusion" value="The app's service is not listening."/>"#
        ),
        "{junit}"
    );
    let prom = run("prometheus").stdout;
    assert!(
        prom.contains(r#"supportctl_conclusion{playbook="p",cause="app-down",cleared="false"} 1"#),
        "{prom}"
    );
    assert!(
        prom.contains(r#"supportctl_step_reason{playbook="p",step="app-port",reason="refused"} 1"#),
        "{prom}"
    );
    let json = run("json").json();
    assert_eq!(json["ticket"], "INC0042");
}

#[test]
fn the_ticket_is_a_variable_too() {
    let r = Test::new()
        .playbook("[[step]]\nkind = \"command\"\ncommand = [\"echo\", \"T-{{ ticket }}\"]\n")
        .args(&["run", "p.toml", "--format", "json", "--var", "ticket=INC7"])
        .run()
        .status(0);
    assert_eq!(r.json()["ticket"], "INC7");
    assert_eq!(r.step("command-1")["message"], "T-INC7");
    // Without one it is empty, and the report has none.
    let r = Test::new()
        .playbook("[[step]]\nkind = \"command\"\ncommand = [\"echo\", \"T-{{ ticket }}\"]\n")
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(0);
    assert!(r.json().get("ticket").is_none());
    assert_eq!(r.step("command-1")["message"], "T-");
}

#[test]
fn command_reasons_name_what_went_wrong() {
    let r = Test::new()
        .playbook(
            r#"
[[step]]
id = "exit"
kind = "command"
command = ["false"]

[[step]]
id = "output"
kind = "command"
command = ["echo", "hello"]
stdout_contains = "bye"

[[step]]
id = "missing"
kind = "command"
command = ["no-such-program-supportctl"]

[[step]]
id = "slow"
kind = "command"
command = ["sleep", "5"]
timeout = "300ms"
"#,
        )
        .args(&["run", "p.toml", "--format", "json"])
        .run();
    for (id, reason) in [
        ("exit", "exit"),
        ("output", "output"),
        ("missing", "not_found"),
        ("slow", "timeout"),
    ] {
        assert_eq!(r.step(id)["reason"], reason, "{}", r.step(id));
    }
}

/// The shipped disk-full playbook on a nearly full 10 MiB tmpfs (a private
/// mount namespace) given as the system drive: a dry run says a real run
/// would clear temp files; a real run clears them and concludes the disk
/// was cleared; with nothing to clear it says the disk is still full.
#[test]
fn disk_full_concludes_on_a_nearly_full_tmpfs() {
    let run_sized = |filler: &str, bytes: u64, extra: &str| -> Option<serde_json::Value> {
        let t = Test::new();
        let mnt = t.path().join("small");
        std::fs::create_dir_all(&mnt).unwrap();
        let m = mnt.display();
        let setup = format!(
            "mount -t tmpfs -o size=10m tmpfs '{m}'\nmkdir '{m}/tmp'\nhead -c {bytes} /dev/zero > '{m}/{filler}'"
        );
        let system_drive = format!("system_drive={m}");
        let mut args = vec![
            "run",
            "disk-full",
            "--var",
            &system_drive,
            "--var",
            "min_age=0s",
            "--skip",
            "logs",
            "--skip",
            "info",
            "--format",
            "json",
        ];
        args.extend(extra.split_whitespace());
        let tmp = mnt.join("tmp");
        common::in_namespace(
            &["-m", "--propagation", "private"],
            &setup,
            &args,
            &[("TMPDIR", tmp.as_os_str())],
        )
    };
    // 10,100,000 bytes leave under 5% free (fail: the cleanup runs);
    // 9,400,000 leave about 10% (a warning: nothing is cleared).
    let run = |filler: &str, extra: &str| run_sized(filler, 10_100_000, extra);
    // Without root and unshare (NOT RUN), nothing to check.
    let Some(low) = run_sized("tmp/old-installer.tmp", 9_400_000, "") else {
        return;
    };
    let cause = |r: &serde_json::Value| {
        r["conclusions"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(low["playbooks"][0]["steps"][0]["status"], "warn");
    assert_eq!(cause(&low), "system-disk-low", "{}", low["conclusions"]);
    let dry = run("tmp/old-installer.tmp", "--dry-run").expect("ran before");
    assert_eq!(dry["playbooks"][0]["steps"][0]["reason"], "low_space");
    assert_eq!(
        cause(&dry),
        "system-disk-nearly-full",
        "{}",
        dry["conclusions"]
    );
    let cleared = run("tmp/old-installer.tmp", "").expect("ran before");
    assert_eq!(cleared["playbooks"][0]["steps"][0]["status"], "fixed");
    assert_eq!(
        cause(&cleared),
        "cleared-by-cleanup",
        "{}",
        cleared["conclusions"]
    );
    assert_eq!(cleared["exit_code"], 0);
    let full = run("videos.bin", "").expect("ran before");
    assert_eq!(cause(&full), "system-disk-full", "{}", full["conclusions"]);
    assert!(
        full["conclusions"][0]["tell_user"]
            .as_str()
            .unwrap()
            .contains("Your disk is full"),
        "{}",
        full["conclusions"]
    );
}

#[cfg(target_os = "linux")]
#[test]
fn recent_errors_concludes_from_the_journal() {
    let conclude = |fail: bool, extra: &[&str]| {
        let t = Test::new();
        let path = if fail {
            common::fake_journal(t.path(), None)
        } else {
            common::fake_journal(
                t.path(),
                Some(&[
                    ("nginx", "bind() to 0.0.0.0:80 failed"),
                    ("nginx", "bind() to 0.0.0.0:80 failed"),
                    ("kernel", "usb 1-1: device descriptor read error"),
                ]),
            )
        };
        let mut args = vec![
            "run",
            "recent-errors",
            "--format",
            "json",
            "--skip",
            "files",
        ];
        args.extend(extra);
        let r = t.env("PATH", &path).args(&args).run();
        let json = r.json();
        (
            json["conclusions"][0]["id"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            r.step("system-errors")["reason"].clone(),
        )
    };
    let (cause, reason) = conclude(false, &[]);
    assert_eq!(
        (cause.as_str(), reason.as_str()),
        ("some-errors", Some("matches"))
    );
    let (cause, _) = conclude(false, &["--var", "fail_count=2"]);
    assert_eq!(cause, "many-errors");
    let (cause, reason) = conclude(true, &[]);
    assert_eq!(
        (cause.as_str(), reason.as_str()),
        ("logs-unreadable", Some("unreadable"))
    );
}

/// Disk errors in the journal: the disk-full playbook concludes the disk
/// may be failing, before anything about space (a dry run: nothing changes).
#[cfg(target_os = "linux")]
#[test]
fn disk_errors_in_the_journal_mean_a_failing_disk() {
    let t = Test::new();
    let path = common::fake_journal(
        t.path(),
        Some(&[(
            "kernel",
            "blk_update_request: I/O error, dev sda, sector 123",
        )]),
    );
    let r = t
        .env("PATH", &path)
        .args(&[
            "run",
            "disk-full",
            "--dry-run",
            "--skip",
            "info",
            "--format",
            "json",
        ])
        .run();
    assert_eq!(
        r.step_status("disk-errors-logged"),
        "warn",
        "{}",
        r.step("disk-errors-logged")
    );
    assert_eq!(r.json()["conclusions"][0]["id"], "disk-failing");
}
