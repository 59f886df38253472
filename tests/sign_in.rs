//! The shipped `sign-in` playbook on Linux: SNTP responders on loopback
//! (in step, 10 minutes ahead until a stand-in `chronyc` sets the clock,
//! none), the loopback DNS responder's domain controllers (SRV records),
//! loopback listeners as the domain controller's Kerberos, LDAP and SMB
//! ports, and stand-in `sssctl` and `faillock`. Each cause reachable on
//! Linux is concluded with words for the user.
#![cfg(target_os = "linux")]

mod common;

use std::net::TcpListener;
use std::path::PathBuf;

use common::Test;

/// A domain controller on loopback: three listeners, and a DNS server
/// that knows `corp.test`'s domain controllers.
struct Domain {
    _ports: Vec<TcpListener>,
    kerberos: u16,
    ldap: u16,
    smb: u16,
    dns: std::net::SocketAddr,
}

impl Domain {
    fn up() -> Domain {
        let ports: Vec<TcpListener> = (0..3)
            .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
            .collect();
        let port = |i: usize| ports[i].local_addr().unwrap().port();
        Domain {
            kerberos: port(0),
            ldap: port(1),
            smb: port(2),
            _ports: ports,
            dns: common::dns_responder(),
        }
    }
}

struct Run<'a> {
    domain: &'a Domain,
    time_server: String,
    path: String,
    vars: Vec<String>,
    dry_run: bool,
}

impl<'a> Run<'a> {
    fn new(domain: &'a Domain, time_server: String, path: String) -> Run<'a> {
        Run {
            domain,
            time_server,
            path,
            vars: Vec::new(),
            dry_run: false,
        }
    }

    fn var(mut self, v: &str) -> Run<'a> {
        self.vars.push(v.to_string());
        self
    }

    fn dry(mut self) -> Run<'a> {
        self.dry_run = true;
        self
    }

    fn json(self) -> serde_json::Value {
        let d = self.domain;
        let mut args: Vec<String> = ["run", "sign-in", "--format", "json"]
            .map(String::from)
            .to_vec();
        if self.dry_run {
            args.push("--dry-run".into());
        }
        let mut vars = vec![
            "domain=corp.test".to_string(),
            "account=root".into(),
            "dc=127.0.0.1".into(),
            format!("time_server={}", self.time_server),
            format!("dns_server={}", d.dns),
            format!("kerberos_port={}", d.kerberos),
            format!("ldap_port={}", d.ldap),
            format!("smb_port={}", d.smb),
        ];
        vars.extend(self.vars);
        for v in vars {
            args.extend(["--var".into(), v]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let json = Test::new().env("PATH", &self.path).args(&args).run().json();
        common::concluded(&json);
        json
    }
}

fn cause(json: &serde_json::Value) -> String {
    common::concluded(json)
}

fn step<'j>(json: &'j serde_json::Value, id: &str) -> &'j serde_json::Value {
    common::step_of(json, id)
}

fn in_step() -> String {
    common::sntp_server(0.0, 0x24, 2).to_string()
}

#[test]
fn a_healthy_domain_sign_in_is_no_problem() {
    let dir = tempfile::tempdir().unwrap();
    let domain = Domain::up();
    let json = Run::new(&domain, in_step(), common::stand_ins(dir.path(), &[])).json();
    assert_eq!(
        json["conclusions"][0]["summary"], "No problem found: every check ended well.",
        "{}",
        json["playbooks"][0]["steps"]
    );
    let dcs = step(&json, "dc-discovery")["message"].as_str().unwrap();
    assert!(dcs.contains("→ 127.0.0.1:389, dc2.corp.test:389"), "{dcs}");
}

/// Ten minutes ahead: a dry run previews setting the clock; a real run
/// sets it (the stand-in chronyc puts the time server in step), checks
/// again, and the cause is cleared.
#[test]
fn a_wrong_clock_is_previewed_then_set() {
    let dir = tempfile::tempdir().unwrap();
    let domain = Domain::up();
    let marker: PathBuf = dir.path().join("clock-set");
    let server = common::sntp_server_set_by(-600.0, marker.clone()).to_string();
    let path = common::stand_ins(
        dir.path(),
        &[(
            "chronyc",
            &format!("echo \"$*\" > '{}'\necho 200 OK", marker.display()),
        )],
    );
    let dry = Run::new(&domain, server.clone(), path.clone()).dry().json();
    assert_eq!(cause(&dry), "clock-skew");
    assert!(
        step(&dry, "clock")["message"]
            .as_str()
            .unwrap()
            .contains("10m ahead of"),
        "{}",
        step(&dry, "clock")
    );
    assert!(
        dry["conclusions"][0]["fixes"]
            .to_string()
            .contains("sync-clock-linux"),
        "{}",
        dry["conclusions"]
    );
    assert!(!marker.exists(), "a dry run set the clock");

    let real = Run::new(&domain, server, path).json();
    assert_eq!(cause(&real), "clock-skew");
    assert_eq!(
        std::fs::read_to_string(&marker).unwrap().trim(),
        "-a makestep"
    );
    assert_eq!(
        real["conclusions"][0]["cleared"], true,
        "{}",
        real["conclusions"]
    );
    assert_eq!(step(&real, "clock")["status"], "fixed");
}

#[test]
fn each_other_cause_is_concluded() {
    let dir = tempfile::tempdir().unwrap();
    let domain = Domain::up();
    let plain = common::stand_ins(dir.path(), &[]);
    let closed = common::closed_port().to_string();
    let closed_udp = {
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        s.local_addr().unwrap().to_string()
    };
    let cases: Vec<(&str, Vec<String>, String)> = vec![
        // The DNS in use knows no domain controllers of the domain.
        (
            "dc-not-found",
            vec!["domain=nodc.test".into(), "dc=127.0.0.1".into()],
            in_step(),
        ),
        (
            "dc-not-found",
            vec!["domain=elsewhere.test".into(), "dc=127.0.0.1".into()],
            in_step(),
        ),
        (
            "dc-unreachable",
            vec![format!("kerberos_port={closed}")],
            in_step(),
        ),
        (
            "ldap-unreachable",
            vec![format!("ldap_port={closed}")],
            in_step(),
        ),
        ("smb-blocked", vec![format!("smb_port={closed}")], in_step()),
        (
            "account-unknown",
            vec!["account=no-such-user-sc".into()],
            in_step(),
        ),
        ("no-time-source", vec![], closed_udp),
    ];
    for (want, vars, time_server) in cases {
        let mut run = Run::new(&domain, time_server, plain.clone());
        for v in &vars {
            run = run.var(v);
        }
        let json = run.json();
        assert_eq!(
            cause(&json),
            want,
            "{vars:?}: {}",
            json["playbooks"][0]["steps"]
        );
    }
}

/// sssd offline for the domain, and an account locked by pam_faillock.
#[test]
fn the_domain_connection_and_failed_sign_ins_on_linux() {
    let dir = tempfile::tempdir().unwrap();
    let domain = Domain::up();
    let offline = common::stand_ins(
        dir.path(),
        &[(
            "sssctl",
            "echo 'Online status: Offline'\necho\necho 'Active servers:'\necho 'AD Global Catalog: not connected'\necho 'AD Domain Controller: not connected'",
        )],
    );
    let json = Run::new(&domain, in_step(), offline).json();
    assert_eq!(
        cause(&json),
        "sssd-offline",
        "{}",
        step(&json, "sssd-online")
    );

    let dir = tempfile::tempdir().unwrap();
    let locked = common::stand_ins(
        dir.path(),
        &[
            ("sssctl", "echo 'Online status: Online'"),
            (
                "faillock",
                "echo \"$2:\"\necho 'When                Type  Source                                           Valid'\n\
                 for t in 09:01:02 09:01:09 09:02:30; do echo \"2026-11-28 $t TTY   /dev/tty2                                            V\"; done",
            ),
        ],
    );
    let json = Run::new(&domain, in_step(), locked.clone()).json();
    assert_eq!(
        cause(&json),
        "account-locked-linux",
        "{}",
        step(&json, "failed-logins-linux")
    );
    assert!(
        step(&json, "failed-logins-linux")["output"]["stdout"]
            .as_str()
            .unwrap()
            .contains("3 failed sign-in(s) recorded for root"),
        "{}",
        step(&json, "failed-logins-linux")
    );
    // Under the limit: well. A limit that is no number (ticket text), or
    // a faillock that fails: the count is an error, never a locked account.
    let json = Run::new(&domain, in_step(), locked.clone())
        .var("max_failures=5")
        .json();
    assert_eq!(step(&json, "failed-logins-linux")["status"], "pass");
    for (limit, path) in [("abc", locked.clone()), ("99999999999999999999x", locked)] {
        let json = Run::new(&domain, in_step(), path)
            .var(&format!("max_failures={limit}"))
            .json();
        assert_ne!(cause(&json), "account-locked-linux", "{limit}");
        assert_eq!(
            step(&json, "failed-logins-linux")["reason"],
            "exit",
            "{limit}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let failing = common::stand_ins(
        dir.path(),
        &[(
            "faillock",
            "echo 'faillock: Error accessing the tally' >&2; exit 1",
        )],
    );
    let json = Run::new(&domain, in_step(), failing).json();
    assert_ne!(cause(&json), "account-locked-linux");
    assert_eq!(step(&json, "failed-logins-linux")["reason"], "exit");
}
