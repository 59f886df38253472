//! `supportctl suggest`: thirty ways users put a problem (typos, synonyms,
//! filler words) each lead to the right shipped playbook first; search-path
//! playbooks take part by their own symptoms; what fixed things on this
//! machine before breaks ties.

mod common;

use common::Test;

/// (what the user said, the playbook that must come first)
const PHRASINGS: &[(&str, &str)] = &[
    ("my printer wont print anything", "print-spooler"),
    ("printer says offline", "print-spooler"),
    ("print jobs stuck in the queue", "print-spooler"),
    ("cant print", "print-spooler"),
    ("prnter offline", "print-spooler"),
    ("no internet", "no-internet"),
    ("wifi keeps dropping", "wifi"),
    ("wireless not working", "wifi"),
    ("my laptop wont connect to the wifi", "wifi"),
    ("wifi says limited connectivity", "wifi"),
    (
        "the wi-fi signal is really weak in the meeting room",
        "wifi",
    ),
    ("websites wont load", "no-internet"),
    ("internt is down", "no-internet"),
    ("cannot reach the server", "no-internet"),
    ("hotel wifi login page doesnt show", "no-internet"),
    ("disk is full", "disk-full"),
    ("low disk space warning", "disk-full"),
    ("no space left on device", "disk-full"),
    ("C drive is red", "disk-full"),
    ("ran out of storage", "disk-full"),
    ("clear temp files", "clean-temp"),
    ("delete cache and junk", "clean-temp"),
    ("outlook is frozen", "stuck-app"),
    ("app not responding", "stuck-app"),
    ("program hangs and wont close", "stuck-app"),
    ("excel uses 100% cpu", "stuck-app"),
    ("computer is laggy", "slow-pc"),
    ("pc running slow", "slow-pc"),
    ("give this pc a quick health check", "quick-health"),
    ("blue screen yesterday", "recent-errors"),
    ("lots of errors in event viewer", "recent-errors"),
    ("send logs to support", "collect-logs"),
    ("can my laptop run teams", "requirements-teams"),
    ("git is missing", "dev-workstation"),
    ("everything takes forever since the update", "slow-pc"),
    ("vpn connected but i cannot open company sites", "vpn"),
    ("cant reach the intranet from home", "vpn"),
    ("nobody can hear me in the meeting", "meeting-av"),
    ("my webcam is black in zoom", "meeting-av"),
    ("no sound in my teams call", "meeting-av"),
    ("print jobs will not delete", "print-spooler"),
    ("windows update failed again", "updates"),
    ("updates stuck at 0%", "updates"),
    ("it says restart to finish installing updates", "updates"),
    ("outlook keeps crashing", "app-crash"),
    ("i cant log in to my laptop", "sign-in"),
    ("my email does not work", "mail-client"),
    ("emails stuck in my outbox", "mail-client"),
    ("i can get email but cant send", "mail-client"),
    ("outlook says disconnected", "mail-client"),
    ("my account got locked out", "sign-in"),
    ("no logon servers available", "sign-in"),
    ("the program quits unexpectedly", "app-crash"),
];

fn suggest(t: Test, words: &str) -> Vec<serde_json::Value> {
    let r = t
        .args(&["suggest", words, "--format", "json"])
        .run()
        .status(0);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

#[test]
fn thirty_real_world_phrasings_find_their_playbook() {
    let mut wrong = Vec::new();
    for (words, want) in PHRASINGS {
        let got = suggest(Test::new(), words);
        let first = got
            .first()
            .and_then(|s| s["playbook"].as_str())
            .unwrap_or("(none)");
        if first != *want {
            wrong.push(format!("{words:?}: {first}, expected {want}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(PHRASINGS.len() >= 30);
}

#[test]
fn every_shipped_playbook_has_symptoms() {
    let r = Test::new()
        .args(&["list", "--format", "json"])
        .run()
        .status(0);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    for l in listed.iter().filter(|l| l["source"] == "shipped") {
        let n = l["symptoms"].as_array().map_or(0, Vec::len);
        assert!(n >= 4, "{} has {n} symptoms", l["name"]);
        assert!(l["category"].is_string(), "{} has no category", l["name"]);
    }
}

#[test]
fn the_human_output_says_what_to_run_dry_run_first_when_it_changes_things() {
    let r = Test::new()
        .args(&["suggest", "my", "printer", "wont", "print", "anything"])
        .run()
        .status(0);
    assert!(
        r.stdout.starts_with("1. print-spooler — Printing is stuck"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("   matches \"cannot print\"\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("   run: supportctl run print-spooler --dry-run   (it can change the system"),
        "{}",
        r.stdout
    );
    // A read-only playbook is offered as is.
    let r = Test::new()
        .args(&["suggest", "blue screen"])
        .run()
        .status(0);
    assert!(
        r.stdout.contains("   run: supportctl run recent-errors\n"),
        "{}",
        r.stdout
    );
    let r = Test::new()
        .args(&["suggest", "the coffee machine is broken"])
        .run()
        .status(0);
    assert_eq!(
        r.stdout,
        "No playbook matches \"the coffee machine is broken\"; `supportctl list` shows them all.\n"
    );
}

#[test]
fn search_path_playbooks_compete_by_their_own_symptoms() {
    let t = Test::new().file(
        "books/vpn.toml",
        "[playbook]\ndescription = \"Company VPN\"\nsymptoms = [\"vpn will not connect\", \"cannot reach the intranet\"]\n[[step]]\nkind = \"command\"\ncommand = [\"true\"]\n",
    );
    let books = t.path().join("books").display().to_string();
    let got = suggest(t.env("SUPPORTCTL_PATH", &books), "the vpn does not connect");
    assert_eq!(got[0]["playbook"], "vpn", "{got:?}");
    assert_eq!(got[0]["command"], "supportctl run vpn");
}

/// Two playbooks that fit equally: the one that fixed things on this
/// machine before comes first.
#[test]
fn what_fixed_it_here_before_comes_first() {
    let t = Test::new()
        .file(
            "books/a.toml",
            "[playbook]\nsymptoms = [\"scanner jammed\"]\n[[step]]\nkind = \"command\"\ncommand = [\"true\"]\n",
        )
        .file(
            "books/b.toml",
            "[playbook]\nsymptoms = [\"scanner jammed\"]\n[[step]]\nid = \"x\"\nkind = \"command\"\ncommand = [\"test\", \"-f\", \"flag\"]\nfix = { command = [\"touch\", \"flag\"], changes = true }\n",
        );
    let books = t.path().join("books").display().to_string();
    let history = t.path().join("h/history.sqlite").display().to_string();
    let ask = || {
        suggest(
            Test::new()
                .env("SUPPORTCTL_PATH", &books)
                .env("SUPPORTCTL_HISTORY", &history),
            "scanner jammed",
        )
    };
    // Equals at first: in search order.
    let before = ask();
    assert_eq!(before[0]["playbook"], "a", "{before:?}");
    assert_eq!(before[0]["score"], before[1]["score"]);
    // b fixes its check on this machine...
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_supportctl"))
        .args(["run", &format!("{books}/b.toml"), "--format", "json"])
        .current_dir(t.path())
        .env("SUPPORTCTL_HISTORY", &history)
        .env("SUPPORTCTL_PATH", "")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // ...and is suggested first from then on.
    let after = ask();
    assert_eq!(after[0]["playbook"], "b", "{after:?}");
    assert_eq!(after[0]["fixed_here"], 1);
}
