//! `process` steps against real processes the tests start: a copy of
//! `sleep` under a unique name, one that ignores SIGTERM (so the force
//! path runs), a busy loop, and, as root, processes of another user.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::{Test, alive, assert_gone};

/// A copy of `sleep` named `name` in `dir`.
fn sleeper(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let sleep = ["/bin/sleep", "/usr/bin/sleep"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap();
    std::fs::copy(sleep, &path).unwrap();
    path
}

/// A unique program name (15 bytes at most, so it is whole in Linux's `comm`).
fn unique(tag: &str) -> String {
    format!("sc{tag}{}", std::process::id() % 100_000)
}

/// Starts `program 300` with SIGTERM ignored when `stubborn`. The exec can
/// fail with "text file busy" while another test's fork still holds the
/// freshly copied file open for writing: then it is tried again.
fn start(program: &Path, stubborn: bool) -> Child {
    start_as("", program, stubborn)
}

/// [`start`], through `via` (e.g. setpriv to another user) when not empty.
fn start_as(via: &str, program: &Path, stubborn: bool) -> Child {
    let script = if stubborn {
        format!("trap '' TERM; exec {via} '{}' 300", program.display())
    } else {
        format!("exec {via} '{}' 300", program.display())
    };
    for _ in 0..20 {
        let mut child = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the exec happened (the name is the copy's, not sh's).
        for _ in 0..100 {
            if std::fs::read_to_string(format!("/proc/{}/comm", child.id()))
                .is_ok_and(|c| program.ends_with(c.trim()))
            {
                return child;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = (child.kill(), child.wait());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{} would not start", program.display());
}

fn run(t: Test, playbook: &str, extra: &[&str]) -> common::Run {
    let mut args = vec!["run", "p.toml", "--format", "json"];
    args.extend_from_slice(extra);
    t.playbook(playbook).args(&args).run()
}

#[test]
fn running_absent_counts_and_memory() {
    let t = Test::new();
    let name = unique("a");
    let prog = sleeper(t.path(), &name);
    let mut a = start(&prog, false);
    let mut b = start(&prog, false);
    let playbook = format!(
        r#"
[[step]]
id = "running"
kind = "process"
program = "{name}"

[[step]]
id = "absent"
kind = "process"
program = "{name}"
expect = "absent"

[[step]]
id = "at-most-one"
kind = "process"
program = "{name}"
max_count = 1

[[step]]
id = "by-cmdline"
kind = "process"
cmdline_matches = '{name} 300$'
min_count = 2

[[step]]
id = "memory"
kind = "process"
program = "{name}"
fail_memory = "1 KiB"

[[step]]
id = "nobody-runs-it"
kind = "process"
program = "{name}"
user = "no-such-user-supportctl"
expect = "absent"
"#
    );
    let r = run(t, &playbook, &[]);
    let _ = (a.kill(), b.kill(), a.wait(), b.wait());
    assert_eq!(r.step_status("running"), "pass", "{}", r.step("running"));
    assert_eq!(r.step_status("absent"), "fail");
    let msg = r.step("absent")["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains(&a.id().to_string()) && msg.contains(&b.id().to_string()),
        "{msg}"
    );
    assert_eq!(
        r.step_status("at-most-one"),
        "fail",
        "{}",
        r.step("at-most-one")
    );
    assert_eq!(
        r.step_status("by-cmdline"),
        "pass",
        "{}",
        r.step("by-cmdline")
    );
    assert_eq!(r.step_status("memory"), "fail", "{}", r.step("memory"));
    assert_eq!(r.step_status("nobody-runs-it"), "pass");
    // The report lists each matched process: pid, user, command line.
    let listing = r.step("running")["output"]["stdout"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        listing.contains(&format!("{} 300", prog.display()))
            && listing.contains(&a.id().to_string()),
        "{listing}"
    );
}

/// supportctl never matches itself: its own command line holds the step id
/// the pattern looks for, and the step still finds nothing.
#[test]
fn never_matches_itself() {
    let id = unique("self");
    let r = run(
        Test::new(),
        &format!(
            "[[step]]\nid = \"{id}\"\nkind = \"process\"\ncmdline_matches = '{id}'\nexpect = \"absent\"\n"
        ),
        &["--only", &id],
    );
    assert_eq!(r.step_status(&id), "pass", "{}", r.step(&id));
}

#[test]
fn kill_as_a_fix_asks_then_forces_and_a_dry_run_touches_nothing() {
    let t = Test::new();
    let polite = unique("p");
    let stubborn = unique("s");
    let mut p = start(&sleeper(t.path(), &polite), false);
    let mut s = start(&sleeper(t.path(), &stubborn), true);
    let playbook = format!(
        r#"
[[step]]
id = "no-{polite}"
kind = "process"
program = "{polite}"
expect = "absent"
fix = {{ step = "kill-{polite}" }}

[[step]]
id = "kill-{polite}"
kind = "process"
program = "{polite}"
action = "kill"
only_as_fix = true

[[step]]
id = "kill-{stubborn}"
kind = "process"
program = "{stubborn}"
action = "kill"
grace = "1s"
"#
    );
    let t2 = Test::new();
    let dry = run(t2, &playbook, &["--dry-run"]);
    assert!(
        alive(p.id() as i32) && alive(s.id() as i32),
        "a dry run stopped something"
    );
    let actions = dry.step(&format!("no-{polite}"))["actions"].to_string();
    assert!(
        actions.contains(&format!("would stop pid {}", p.id())),
        "the dry run names the pid it would stop: {actions}"
    );
    assert_eq!(dry.step_status(&format!("kill-{stubborn}")), "skipped");
    assert!(
        dry.step(&format!("kill-{stubborn}"))["actions"]
            .to_string()
            .contains(&format!("would stop pid {}", s.id()))
    );

    let r = run(t, &playbook, &[]);
    assert_eq!(
        r.step_status(&format!("no-{polite}")),
        "fixed",
        "{}",
        r.step(&format!("no-{polite}"))
    );
    let killed = r.step(&format!("kill-{stubborn}"));
    assert_eq!(killed["status"], "pass", "{killed}");
    assert!(
        killed["message"].as_str().unwrap().contains("1 forced"),
        "{killed}"
    );
    let _ = (p.wait(), s.wait());
    assert_gone(p.id() as i32, "the polite sleeper");
    assert_gone(s.id() as i32, "the sleeper that ignores SIGTERM");
}

#[test]
fn cpu_is_sampled() {
    let t = Test::new();
    let name = unique("c");
    let busy = t.path().join(&name);
    std::fs::write(&busy, "while :; do :; done\n").unwrap();
    // Run by sh (not exec'd): a script written just now can be "busy".
    let mut child = Command::new("sh")
        .arg(&busy)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let playbook = format!(
        "[[step]]\nid = \"busy\"\nkind = \"process\"\ncmdline_matches = '{name}'\nfail_cpu = 20\nsample = \"1s\"\n"
    );
    // Let the loop get going, and sample again if a loaded machine kept it
    // off the processor for the whole second (as slow-pc's test does).
    std::thread::sleep(std::time::Duration::from_millis(200));
    let mut r = run(t, &playbook, &[]);
    for _ in 0..2 {
        if r.step_status("busy") == "fail" {
            break;
        }
        r = run(Test::new(), &playbook, &[]);
    }
    let _ = (child.kill(), child.wait());
    assert_eq!(r.step_status("busy"), "fail", "{}", r.step("busy"));
    assert!(
        r.step("busy")["message"]
            .as_str()
            .unwrap()
            .contains("% CPU")
    );
}

/// Another user's process: found by `user`; a supportctl run by an
/// unprivileged user cannot stop root's process and says why (access
/// denied), leaving it running.
#[test]
fn other_users_processes() {
    if !common::root_with("setpriv", "to act as another user") {
        return;
    }
    let t = Test::new();
    let name = unique("u");
    let prog = sleeper(t.path(), &name);
    std::fs::set_permissions(
        t.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let mut theirs = start_as(
        "/usr/bin/setpriv --reuid=nobody --regid=nogroup --clear-groups",
        &prog,
        false,
    );
    let mut ours = start(&prog, false);
    std::thread::sleep(std::time::Duration::from_millis(200));
    let playbook = format!(
        "[[step]]\nid = \"nobody\"\nkind = \"process\"\nprogram = \"{name}\"\nuser = \"nobody\"\nmin_count = 1\nmax_count = 1\n"
    );
    let r = run(Test::new(), &playbook, &[]);
    assert_eq!(r.step_status("nobody"), "pass", "{}", r.step("nobody"));
    assert!(
        r.step("nobody")["message"]
            .as_str()
            .unwrap()
            .contains("1 process running")
    );

    // As nobody: stop every copy. Its own goes; root's stays, and the step says why.
    let kill = Test::new().file(
        "k.toml",
        &format!("[[step]]\nid = \"kill\"\nkind = \"process\"\nprogram = \"{name}\"\naction = \"kill\"\ngrace = \"1s\"\n"),
    );
    std::fs::set_permissions(
        kill.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    std::fs::set_permissions(
        kill.path().join("k.toml"),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    let out =
        common::run_unprivileged(kill.path(), &["run", "k.toml", "--format", "json"]).unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let step = &report["playbooks"][0]["steps"][0];
    assert_eq!(step["status"], "fail", "{step}");
    assert!(
        step["message"].as_str().unwrap().contains("access denied"),
        "{step}"
    );
    assert!(
        alive(ours.id() as i32),
        "an unprivileged run stopped root's process"
    );
    let _ = theirs.wait();
    assert_gone(theirs.id() as i32, "nobody's own sleeper");
    let _ = (ours.kill(), ours.wait());
}

#[test]
fn bad_process_steps_are_load_errors() {
    let r = Test::new()
        .playbook("[[step]]\nid = \"k\"\nkind = \"process\"\naction = \"kill\"\n\n[[step]]\nid = \"c\"\nkind = \"process\"\nprogram = \"x\"\naction = \"kill\"\nfail_cpu = 50\n")
        .args(&["check", "p.toml"])
        .run()
        .status(2);
    assert!(
        r.stderr.contains("never stops every process"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("`fail_cpu` is a check"), "{}", r.stderr);
    assert!(r.stderr.contains("p.toml:"), "{}", r.stderr);
}

/// The shipped stuck-app playbook: a dry run names the pid it would stop
/// and leaves it running; the real run stops it and the step ends fixed.
#[test]
fn stuck_app_previews_then_stops() {
    let t = Test::new();
    let name = unique("stk");
    let mut child = start(&sleeper(t.path(), &name), false);
    let var = format!("app={name}");
    let dry = Test::new()
        .args(&[
            "run",
            "stuck-app",
            "--var",
            &var,
            "--dry-run",
            "--format",
            "json",
        ])
        .run();
    assert!(alive(child.id() as i32), "a dry run stopped the program");
    let step = dry.step("app-stopped");
    assert!(
        step["actions"]
            .to_string()
            .contains(&format!("would stop pid {}", child.id())),
        "{step}"
    );
    let usage = dry.step("app-usage");
    assert_eq!(usage["status"], "pass", "{usage}");
    assert_eq!(dry.json()["conclusions"][0]["id"], "app-running");
    let real = Test::new()
        .args(&["run", "stuck-app", "--var", &var, "--format", "json"])
        .run()
        .status(0);
    assert_eq!(
        real.step_status("app-stopped"),
        "fixed",
        "{}",
        real.step("app-stopped")
    );
    assert_eq!(real.json()["conclusions"][0]["id"], "app-stopped");
    let _ = child.wait();
    assert_gone(child.id() as i32, "the stuck program");
    // Nothing left to stop: the conclusion says so.
    let again = Test::new()
        .args(&["run", "stuck-app", "--var", &var, "--format", "json"])
        .run()
        .status(0);
    assert_eq!(again.json()["conclusions"][0]["id"], "app-not-running");
}

/// Whatever a playbook or a `--var` names, `kill` never stops the init
/// system or a session, security or remote-access process: a program
/// named `dbus-daemon` (a copy of `sleep` here) is left running, and the
/// step says why, in a dry run and for real.
#[test]
fn protected_processes_are_never_stopped() {
    let t = Test::new();
    let prog = sleeper(t.path(), "dbus-daemon");
    let mut child = start(&prog, false);
    let body = format!(
        "[[step]]\nid = \"kill\"\nkind = \"process\"\nprogram = \"dbus-daemon\"\ncmdline_matches = '{}'\naction = \"kill\"\ngrace = \"1s\"\n",
        prog.display()
    );
    for extra in [&["--dry-run"][..], &[][..]] {
        let r = run(Test::new(), &body, extra);
        let step = r.step("kill");
        assert_eq!(step["status"], "fail", "{step}");
        assert!(
            step["message"]
                .as_str()
                .unwrap()
                .contains("protected system process"),
            "{step}"
        );
        assert!(alive(child.id() as i32), "a protected process was stopped");
    }
    // The shipped stuck-app playbook on it: still running, and it says so.
    let r = Test::new()
        .args(&[
            "run",
            "stuck-app",
            "--var",
            "app=dbus-daemon",
            "--format",
            "json",
        ])
        .run()
        .status(1);
    assert_eq!(r.json()["conclusions"][0]["id"], "app-wont-stop");
    assert!(alive(child.id() as i32), "a protected process was stopped");
    let _ = (child.kill(), child.wait());
}
