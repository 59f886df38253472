//! The shipped `mail-client` playbook on Linux, each cause made on this
//! machine: a stand-in mail program (a copy of `sleep` under a unique
//! name), a stuck one (a copy of `sh` running a busy loop, closed by the
//! cause's fix after a dry run that leaves it alone), a fake Thunderbird
//! profile in the test's home with sparse mail folder files, the loopback
//! DNS responder (Autodiscover found, missing, only by SRV, no DNS
//! server), and loopback listeners and closed ports as the mail servers.
//! Nothing leaves the machine: every run that checks servers names the
//! responder and 127.0.0.1. Each cause is concluded with words for the
//! user. Not reached here: `app-not-responding` and
//! `outlook-data-file-full` (Windows only).
#![cfg(target_os = "linux")]

mod common;

use std::net::{SocketAddr, TcpListener};
use std::path::Path;

use common::{NamedProcess, Test, alive, assert_gone};

/// A unique program name (15 bytes at most, so it is whole in Linux's `comm`).
fn unique(tag: &str) -> String {
    format!("mc{tag}{}", std::process::id() % 100_000)
}

fn vars(pairs: &[(&str, String)]) -> Vec<String> {
    pairs
        .iter()
        .flat_map(|(k, v)| ["--var".to_string(), format!("{k}={v}")])
        .collect()
}

/// The mail domain `domain`, looked up at the loopback responder `dns`,
/// with every mail server on 127.0.0.1: Exchange/HTTPS on `ews`, every
/// IMAP port on `imap`, every SMTP port on `smtp`.
fn servers(dns: SocketAddr, domain: &str, ews: u16, imap: u16, smtp: u16) -> Vec<String> {
    let local = || "127.0.0.1".to_string();
    vars(&[
        ("mail_domain", domain.into()),
        ("dns_server", dns.to_string()),
        ("ews_host", local()),
        ("ews_port", ews.to_string()),
        ("imap_host", local()),
        ("imap_port", imap.to_string()),
        ("imap_starttls_port", imap.to_string()),
        ("smtp_host", local()),
        ("smtp_port", smtp.to_string()),
        ("smtps_port", smtp.to_string()),
        ("smtp_relay_port", smtp.to_string()),
    ])
}

/// A listening loopback port (open while the listener lives).
fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

/// Runs mail-client in `t` (its folder is the home) with `extra`; returns
/// the conclusion's id ("" when none matched) and the report. A matched
/// cause must have words for the user.
fn run(t: Test, extra: &[String]) -> (String, serde_json::Value) {
    let mut args: Vec<&str> = vec!["run", "mail-client", "--format", "json"];
    args.extend(extra.iter().map(String::as_str));
    let json = t.args(&args).run().json();
    (common::concluded(&json), json)
}

fn step(json: &serde_json::Value, id: &str) -> serde_json::Value {
    common::step_of(json, id).clone()
}

/// A Thunderbird profile in `home` with a mail folder file of `size`
/// bytes (sparse: it takes no room) and its small index.
fn thunderbird_folder(home: &Path, size: u64) {
    let dir = home.join(".thunderbird/a1b2c3d4.default-release/ImapMail/imap.corp.test");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::File::create(dir.join("INBOX"))
        .unwrap()
        .set_len(size)
        .unwrap();
    std::fs::write(
        dir.join("INBOX.msf"),
        "// <!-- <mdb:mork:z v=\"1.4\"/> -->\n",
    )
    .unwrap();
}

const MIB: u64 = 1024 * 1024;

/// Everything well: the program runs idle, its mail folder is small,
/// Autodiscover is found (so its SRV record is not asked for) and every
/// server answers.
#[test]
fn all_well() {
    let name = unique("ok");
    let _app = NamedProcess::idle(&name);
    let t = Test::new();
    thunderbird_folder(t.path(), 2 * MIB);
    let dns = common::dns_responder();
    let (_l, open) = listener();
    let mut extra = vars(&[("mail_app", name)]);
    extra.extend(servers(dns, "corp.test", open, open, open));
    let (id, json) = run(t, &extra);
    assert_eq!(id, "", "{}", json["conclusions"]);
    assert_eq!(
        json["conclusions"][0]["summary"], "No problem found: every check ended well.",
        "{}",
        json["playbooks"][0]["steps"]
    );
    for id in [
        "mail-app",
        "mail-app-usage",
        "thunderbird-folders",
        "autodiscover",
        "ews",
        "imap",
        "smtp",
    ] {
        assert_eq!(step(&json, id)["status"], "pass", "{}", step(&json, id));
    }
    assert!(
        step(&json, "thunderbird-folders")["message"]
            .as_str()
            .unwrap()
            .contains("imap.corp.test/INBOX, 2 MiB, below the warning size (3.5 GiB)"),
        "{}",
        step(&json, "thunderbird-folders")
    );
    assert_eq!(step(&json, "autodiscover-srv")["status"], "skipped");
}

/// No copy of the mail program runs: the user is told to open it. Without
/// a mail domain no DNS or server check runs.
#[test]
fn the_mail_program_is_not_running() {
    let (id, json) = run(Test::new(), &vars(&[("mail_app", unique("no"))]));
    assert_eq!(id, "app-not-running", "{}", json["playbooks"][0]["steps"]);
    for id in ["autodiscover", "ews", "imap", "smtp"] {
        let s = step(&json, id);
        assert_eq!(s["status"], "skipped", "{s}");
        assert_eq!(s["reason"], "condition", "{s}");
    }
}

/// A mail program in a busy loop is stuck: a dry run says the fix would
/// close it and leaves it running; the real run closes it, and the cause
/// is cleared. A CPU sample on a loaded 2-core machine can miss the loop
/// once: up to three runs each.
#[test]
fn a_stuck_mail_program_is_closed_after_a_dry_run_preview() {
    let name = unique("hung");
    let mut app = NamedProcess::busy(&name);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let extra = vars(&[("mail_app", name.clone()), ("max_cpu", "20".into())]);
    let mut dry_extra = extra.clone();
    dry_extra.push("--dry-run".into());

    let mut seen = Vec::new();
    let dry = (0..3).find_map(|_| {
        let (id, json) = run(Test::new(), &dry_extra);
        if id == "app-hung" {
            return Some(json);
        }
        seen.push(step(&json, "mail-app-usage").to_string());
        None
    });
    let dry = dry.unwrap_or_else(|| panic!("no dry run saw the busy loop: {seen:?}"));
    assert!(alive(app.pid()), "a dry run closed the mail program");
    let c = &dry["conclusions"][0];
    assert_eq!(c["cleared"], false, "{c}");
    assert_eq!(c["fixes"][0]["step"], "close-mail-app", "{c}");
    assert_eq!(c["fixes"][0]["status"], "skipped", "{c}");
    assert!(
        c["fixes"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("would try"),
        "{c}"
    );
    assert_eq!(step(&dry, "mail-app-usage")["reason"], "cpu");

    let real = (0..3).find_map(|_| {
        let (id, json) = run(Test::new(), &extra);
        if id == "app-hung" {
            return Some(json);
        }
        seen.push(step(&json, "mail-app-usage").to_string());
        None
    });
    let real = real.unwrap_or_else(|| panic!("no real run saw the busy loop: {seen:?}"));
    let c = &real["conclusions"][0];
    assert_eq!(c["cleared"], true, "{c}");
    assert_eq!(c["fixes"][0]["step"], "close-mail-app", "{c}");
    assert_eq!(c["fixes"][0]["verified"], true, "{c}");
    let usage = step(&real, "mail-app-usage");
    assert_eq!(usage["status"], "fixed", "{usage}");
    assert_eq!(usage["reason"], "cpu", "{usage}");
    assert_gone(app.pid(), "the stuck mail program");
    app.reap();
}

/// A Thunderbird mail folder at the old 4 GiB limit, then one over a
/// lowered warning size: both conclude that the folder is too big, and
/// the step's output names the file.
#[test]
fn a_thunderbird_folder_near_or_over_its_limit() {
    let t = Test::new();
    thunderbird_folder(t.path(), 4 * 1024 * MIB);
    let (id, json) = run(t, &vars(&[("mail_app", unique("tb"))]));
    assert_eq!(id, "thunderbird-folder-full", "{}", json["conclusions"]);
    let s = step(&json, "thunderbird-folders");
    assert_eq!(s["reason"], "output", "{s}");
    let text = s.to_string();
    assert!(
        text.contains("1 mail folder(s) at or over the size limit (4 GiB)"),
        "{s}"
    );
    assert!(text.contains("imap.corp.test/INBOX, 4.0 GiB"), "{s}");

    let t = Test::new();
    thunderbird_folder(t.path(), 5 * MIB);
    let (id, json) = run(
        t,
        &vars(&[
            ("mail_app", unique("tb")),
            ("mbox_warn_size", "4 MiB".into()),
            ("mbox_limit", "1 GB".into()),
        ]),
    );
    assert_eq!(id, "thunderbird-folder-full", "{}", json["conclusions"]);
    let s = step(&json, "thunderbird-folders");
    assert!(
        s.to_string()
            .contains("1 mail folder(s) near the size limit (1 GB)"),
        "{s}"
    );
}

/// A domain without mail exchangers (Autodiscover not checked, as for an
/// IMAP account): mail sent to it has nowhere to go.
#[test]
fn a_domain_without_mx_records() {
    let dns = common::dns_responder();
    let (_l, open) = listener();
    let mut args = servers(dns, "v4only.test", open, open, open);
    args.extend(["--var".into(), "check_autodiscover=".into()]);
    let (id, json) = run(Test::new(), &args);
    assert_eq!(id, "no-mx", "{}", json["playbooks"][0]["steps"]);
    assert_eq!(step(&json, "mx")["reason"], "no_address");
    assert_eq!(step(&json, "mx")["status"], "warn");
}

/// The mail domain publishes neither autodiscover.DOMAIN nor its SRV record.
#[test]
fn autodiscover_is_not_found() {
    let dns = common::dns_responder();
    let (_l, open) = listener();
    let (id, json) = run(Test::new(), &servers(dns, "nomail.test", open, open, open));
    assert_eq!(
        id, "autodiscover-not-found",
        "{}",
        json["playbooks"][0]["steps"]
    );
    assert_eq!(step(&json, "autodiscover")["reason"], "nxdomain");
    assert_eq!(step(&json, "autodiscover-srv")["reason"], "nxdomain");
}

/// Autodiscover announced only by its SRV record: found, but in the way
/// that makes Outlook ask the user.
#[test]
fn autodiscover_is_found_only_by_its_srv_record() {
    let dns = common::dns_responder();
    let (_l, open) = listener();
    let (id, json) = run(Test::new(), &servers(dns, "srvonly.test", open, open, open));
    assert_eq!(
        id, "autodiscover-srv-only",
        "{}",
        json["playbooks"][0]["steps"]
    );
    let srv = step(&json, "autodiscover-srv");
    assert!(
        srv["message"]
            .as_str()
            .unwrap()
            .contains("mail.srvonly.test:443"),
        "{srv}"
    );
}

/// No DNS server listens where the names are asked: not a missing record,
/// a DNS that does not answer.
#[test]
fn dns_does_not_answer() {
    let nothing = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (_l, open) = listener();
    let (id, json) = run(
        Test::new(),
        &servers(nothing, "corp.test", open, open, open),
    );
    assert_eq!(id, "dns-not-answering", "{}", json["playbooks"][0]["steps"]);
    assert_eq!(step(&json, "autodiscover")["reason"], "no_server");
    assert_eq!(step(&json, "autodiscover-srv")["status"], "skipped");
}

/// Every server down, then each alone: the conclusion says which.
#[test]
fn each_unreachable_mail_server_is_named() {
    let dns = common::dns_responder();
    let (_l, open) = listener();
    let closed = common::closed_port();
    for ((ews, imap, smtp), want) in [
        ((closed, closed, closed), "mail-servers-unreachable"),
        ((closed, open, open), "exchange-unreachable"),
        ((open, closed, open), "incoming-server-unreachable"),
        ((open, open, closed), "outgoing-server-unreachable"),
    ] {
        let (id, json) = run(Test::new(), &servers(dns, "corp.test", ews, imap, smtp));
        assert_eq!(id, want, "{}", json["playbooks"][0]["steps"]);
        let refused = json["conclusions"][0]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["reason"] == "refused");
        assert!(refused, "{}", json["conclusions"][0]);
    }
}
