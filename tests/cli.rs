//! Every CLI verb through the real binary.

mod common;
use common::Test;

const ONE: &str = "[playbook]\ndescription = \"Site check\"\n[[step]]\nid = \"a\"\nkind = \"command\"\ncommand = [\"true\"]\n";

#[test]
fn version_and_help() {
    Test::new()
        .args(&["--version"])
        .run()
        .status(0)
        .stdout_has(concat!("supportctl ", env!("CARGO_PKG_VERSION")));
    Test::new()
        .args(&["--help"])
        .run()
        .status(0)
        .stdout_has("run")
        .stdout_has("check")
        .stdout_has("Exit codes: 0 all passed");
    Test::new()
        .args(&["run", "--help"])
        .run()
        .status(0)
        .stdout_has("--dry-run")
        .stdout_has("--report <FORMAT=PATH>");
}

#[test]
fn shipped_playbook_runs_by_name_from_any_directory() {
    // The scratch directory has no playbooks: the name resolves to the embedded one.
    let r = Test::new()
        .args(&["run", "quick-health", "--format", "json"])
        .run();
    assert!(
        r.code == 0 || r.code == 1,
        "quick-health exit {}: {}",
        r.code,
        r.stderr
    );
    let json = r.json();
    assert_eq!(json["playbooks"][0]["name"], "quick-health");
    assert_eq!(json["playbooks"][0]["source"], "shipped:quick-health");
    assert!(json["summary"]["total"].as_u64().unwrap() > 5);
}

#[test]
fn check_every_shipped_playbook() {
    for (name, _) in supportctl::playbook::source::SHIPPED {
        Test::new()
            .args(&["check", name])
            .run()
            .status(0)
            .stdout_has(&format!("ok: shipped:{name}"));
    }
}

#[test]
fn list_shows_shipped_and_search_path_playbooks() {
    let t = Test::new()
        .file("site/site-check.toml", ONE)
        .file("site/quick-health.toml", ONE);
    let site = t.path().join("site");
    let r = t
        .env("SUPPORTCTL_PATH", site.to_str().unwrap())
        .args(&["list"])
        .run()
        .status(0);
    let r = r
        .stdout_has("site-check")
        .stdout_has("Site check")
        .stdout_has("hidden by an earlier one of the same name");
    assert!(r.stdout.contains("quick-health"));
    let t = Test::new().file("site/site-check.toml", ONE);
    let site = t.path().join("site");
    let json = t
        .env("SUPPORTCTL_PATH", site.to_str().unwrap())
        .args(&["list", "--format", "json"])
        .run()
        .status(0)
        .json();
    let names: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"site-check") && names.contains(&"quick-health"),
        "{names:?}"
    );
}

#[test]
fn search_path_playbook_runs_by_name_and_overrides_shipped() {
    let t = Test::new().file("site/quick-health.toml", ONE);
    let site = t.path().join("site");
    let r = t
        .env("SUPPORTCTL_PATH", site.to_str().unwrap())
        .args(&["run", "quick-health", "--format", "json"])
        .run()
        .status(0);
    assert!(
        r.json()["playbooks"][0]["source"]
            .as_str()
            .unwrap()
            .ends_with("quick-health.toml")
    );
    assert_eq!(r.json()["summary"]["total"], 1);
}

#[test]
fn user_config_dir_is_searched() {
    let t = Test::new().file(".config/supportctl/playbooks/mine.toml", ONE);
    t.args(&["run", "mine"])
        .run()
        .status(0)
        .stdout_has("1 step: 1 passed");
}

#[test]
fn show_describes_steps_conditions_and_changes() {
    Test::new()
        .playbook(
            r#"
[vars]
ticket = "none"
[[step]]
id = "check"
kind = "command"
command = ["test", "-e", "x"]
when = { os = "linux", env = "HOME" }
tags = ["disk"]
timeout = "5s"
fix = { step = "repair" }
[[step]]
id = "repair"
kind = "command"
command = ["touch", "x"]
changes = true
only_as_fix = true
"#,
        )
        .args(&["show", "p.toml"])
        .run()
        .status(0)
        .stdout_has("1. check [command] runs `test -e x`")
        .stdout_has("when: os is linux; env var set: HOME")
        .stdout_has("tags: disk · timeout 5s")
        .stdout_has("fix: runs step `repair`, then checks again")
        .stdout_has("ticket = \"none\"")
        .stdout_has("could change the system:\n  - repair: runs `touch x`");
    Test::new()
        .args(&["show", "quick-health"])
        .run()
        .status(0)
        .stdout_has("nothing: every step only reads");
}

#[test]
fn facts_human_and_json() {
    let human = Test::new()
        .args(&["facts"])
        .run()
        .status(0)
        .stdout_has("hostname")
        .stdout_has("memory_total_bytes")
        .stdout_has("disks:");
    // A fact's name is its template variable: the value shown is what the
    // variable gives (bytes), with the readable size beside it.
    let line = human
        .stdout
        .lines()
        .find(|l| l.starts_with("memory_total_bytes"))
        .unwrap();
    let value = line.split_whitespace().nth(1).unwrap();
    assert!(value.parse::<u64>().is_ok_and(|n| n > 1 << 20), "{line}");
    assert!(line.contains("iB)"), "{line}");
    let json = Test::new()
        .args(&["facts", "--format", "json"])
        .run()
        .status(0)
        .json();
    assert_eq!(json["os"], std::env::consts::OS);
    assert!(json["cpus"].as_u64().unwrap() >= 1);
    assert!(json["disks"].is_array());
}

#[test]
fn schema_prints_the_committed_schema() {
    let r = Test::new().args(&["schema"]).run().status(0);
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/playbooks/schema.json"
    ))
    .unwrap();
    assert_eq!(r.stdout, committed);
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        Test::new()
            .args(&["completions", shell])
            .run()
            .status(0)
            .stdout_has("supportctl");
    }
    Test::new().args(&["completions", "tcsh"]).run().status(2);
    Test::new()
        .args(&["man"])
        .run()
        .status(0)
        .stdout_has(".TH supportctl");
}

#[test]
fn colour_follows_flag_and_environment() {
    let pb = "[[step]]\nkind = \"command\"\ncommand = [\"true\"]\n";
    let t = || Test::new().playbook(pb);
    assert!(
        !t().args(&["run", "p.toml"]).run().stdout.contains('\x1b'),
        "no colour into a pipe"
    );
    assert!(
        t().args(&["run", "p.toml", "--color", "always"])
            .run()
            .stdout
            .contains("\x1b[")
    );
    assert!(
        t().env("CLICOLOR_FORCE", "1")
            .args(&["run", "p.toml"])
            .run()
            .stdout
            .contains("\x1b[")
    );
    assert!(
        !t().env("CLICOLOR_FORCE", "1")
            .env("NO_COLOR", "1")
            .args(&["run", "p.toml"])
            .run()
            .stdout
            .contains('\x1b')
    );
}

#[test]
fn machine_formats_never_show_progress_or_colour() {
    let r = Test::new()
        .playbook(ONE)
        .env("CLICOLOR_FORCE", "1")
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(0);
    assert!(
        !r.stdout.contains('\x1b') && r.stderr.is_empty(),
        "stderr: {:?}",
        r.stderr
    );
}

#[test]
fn examples_are_valid() {
    // Every playbook under examples/, the Ansible example's included (but
    // bad.toml, the README's tour of errors).
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    for entry in walkdir::WalkDir::new(dir) {
        let path = entry.unwrap().into_path();
        if path.extension().is_some_and(|e| e == "toml") && !path.ends_with("bad.toml") {
            Test::new()
                .args(&["check", path.to_str().unwrap()])
                .run()
                .status(0);
        }
    }
}

/// The README's console blocks stay true: each `$ supportctl …` line in a
/// ```console block whose output does not depend on the machine is run
/// from the repository, and its output must be what the README shows.
#[test]
fn readme_console_examples_print_what_the_readme_shows() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let mut checked = 0;
    for block in readme.split("```console\n").skip(1) {
        let block = &block[..block.find("```").unwrap()];
        let mut lines = block.lines();
        let Some(cmd) = lines.next().and_then(|l| l.strip_prefix("$ supportctl ")) else {
            continue;
        };
        // Machine-independent examples only: checking a shipped example
        // file, showing a shipped playbook.
        if !cmd.starts_with("check examples/") && !cmd.starts_with("show ") {
            continue;
        }
        let want: String = lines.map(|l| format!("{l}\n")).collect();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_supportctl"))
            .current_dir(root)
            .args(cmd.split_whitespace())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let got = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert_eq!(got, want, "README example `supportctl {cmd}` drifted");
        checked += 1;
    }
    assert!(
        checked >= 2,
        "the README's check and show examples were not checked"
    );
}

/// A man page per subcommand: `man run` has run's options, nested pages
/// work, and an unknown page is an invocation error naming the pages.
#[test]
fn man_pages_per_subcommand() {
    Test::new()
        .args(&["man", "run"])
        .run()
        .status(0)
        .stdout_has(".TH supportctl-run 1")
        .stdout_has("dry\\-run");
    Test::new()
        .args(&["man", "report", "merge"])
        .run()
        .status(0)
        .stdout_has(".TH supportctl-report-merge 1");
    Test::new()
        .args(&["man"])
        .run()
        .status(0)
        .stdout_has("supportctl\\-run(1)");
    let bad = Test::new().args(&["man", "rnu"]).run().status(2);
    assert!(
        bad.stderr.contains("no man page for `rnu`") && bad.stderr.contains("report merge"),
        "{}",
        bad.stderr
    );
}

/// Bash completion offers playbook names, shipped and on the search path,
/// after `run` (asking the binary through `__complete playbooks`), and not
/// after an option that takes a value.
#[test]
fn bash_completes_playbook_names() {
    if !common::program_available("bash") {
        return;
    }
    let t = Test::new().file(
        "extra/site-check.toml",
        "[[step]]\nkind = \"command\"\ncommand = [\"true\"]\n",
    );
    let dir = t.path().to_path_buf();
    let script = dir.join("supportctl.bash");
    std::fs::write(
        &script,
        supportctl::commands::complete::script(clap_complete::Shell::Bash),
    )
    .unwrap();
    let complete = |line: &str| {
        let words: Vec<&str> = line.split(' ').collect();
        let body = format!(
            "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMP_LINE='{line}'\nCOMP_POINT=${{#COMP_LINE}}\n_supportctl_with_playbooks supportctl '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display(),
            words
                .iter()
                .map(|w| format!("'{w}'"))
                .collect::<Vec<_>>()
                .join(" "),
            words.len() - 1,
            words[words.len() - 1],
            words[words.len().saturating_sub(2)],
        );
        let body = body.replacen(
            "'supportctl'",
            &format!("'{}'", env!("CARGO_BIN_EXE_supportctl")),
            1,
        );
        let out = std::process::Command::new("bash")
            .args(["-c", &body])
            .env("SUPPORTCTL_PATH", dir.join("extra"))
            .current_dir(&dir)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let after_run = complete("supportctl run q");
    assert!(
        after_run.lines().any(|l| l == "quick-health"),
        "{after_run}"
    );
    let site = complete("supportctl check si");
    assert!(site.lines().any(|l| l == "site-check"), "{site}");
    let format = complete("supportctl run --format q");
    assert!(!format.lines().any(|l| l == "quick-health"), "{format}");
    let names = Test::new()
        .args(&["__complete", "playbooks"])
        .run()
        .status(0);
    assert!(
        names.stdout.lines().any(|l| l == "disk-full"),
        "{}",
        names.stdout
    );
}
