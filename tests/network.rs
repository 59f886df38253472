//! Network step kinds against loopback only: listeners these tests open,
//! a closed port, and a listener whose full backlog drops new connections
//! (so a connect gets no answer). Nothing but 127.0.0.1, ::1 and localhost.
#![cfg(unix)]

mod common;

use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use common::Test;

fn tcp_steps(steps: &[(&str, String)]) -> common::Run {
    let mut text = String::from("[playbook]\nname = \"net\"\n");
    for (id, body) in steps {
        text.push_str(&format!(
            "\n[[step]]\nid = \"{id}\"\nkind = \"tcp\"\n{body}\n"
        ));
    }
    Test::new()
        .playbook(&text)
        .args(&["run", "p.toml", "--format", "json"])
        .run()
}

/// A listener with a zero backlog that never accepts, its queue filled: the
/// kernel drops further connection attempts, which then get no answer.
fn silent_port() -> (i32, u16, Vec<TcpStream>) {
    // SAFETY: plain socket calls on a socket this test owns.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0);
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from_ne_bytes([127, 0, 0, 1]);
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(
            libc::bind(fd, &addr as *const _ as *const libc::sockaddr, len),
            0
        );
        assert_eq!(libc::listen(fd, 0), 0);
        let mut bound: libc::sockaddr_in = std::mem::zeroed();
        let mut blen = len;
        libc::getsockname(fd, &mut bound as *mut _ as *mut libc::sockaddr, &mut blen);
        let port = u16::from_be(bound.sin_port);
        // Fill the accept queue.
        let mut held = Vec::new();
        for _ in 0..4 {
            if let Ok(s) = TcpStream::connect_timeout(
                &format!("127.0.0.1:{port}").parse().unwrap(),
                Duration::from_millis(300),
            ) {
                held.push(s);
            }
        }
        (fd, port, held)
    }
}

#[test]
fn open_closed_and_expected_closed_ports() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let open = listener.local_addr().unwrap().port();
    let closed = common::closed_port();
    let r = tcp_steps(&[
        ("open", format!("host = \"127.0.0.1\"\nport = {open}")),
        ("by-name", format!("host = \"localhost\"\nport = {open}")),
        ("closed", format!("host = \"127.0.0.1\"\nport = {closed}")),
        (
            "must-be-closed",
            format!("host = \"127.0.0.1\"\nport = {closed}\nexpect = \"closed\""),
        ),
        (
            "must-be-closed-but-open",
            format!("host = \"127.0.0.1\"\nport = {open}\nexpect = \"closed\""),
        ),
    ]);
    assert_eq!(r.step_status("open"), "pass", "{}", r.step("open"));
    assert!(
        r.step("open")["message"]
            .as_str()
            .unwrap()
            .contains("open (127.0.0.1:")
    );
    assert_eq!(r.step("open")["measurements"][0]["name"], "connect_time");
    // localhost may resolve to ::1 first, where nothing listens: the next address is tried.
    assert_eq!(r.step_status("by-name"), "pass", "{}", r.step("by-name"));
    assert_eq!(r.step_status("closed"), "fail");
    assert!(
        r.step("closed")["message"]
            .as_str()
            .unwrap()
            .contains("refused the connection (port closed)")
    );
    assert_eq!(r.step_status("must-be-closed"), "pass");
    assert_eq!(r.step_status("must-be-closed-but-open"), "fail");
    drop(listener);
}

/// Several ports: the host answers when any does, each port getting a
/// share of the time (a silent one cannot starve the next); `closed`
/// needs them all closed.
#[test]
fn any_of_several_ports() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let open = listener.local_addr().unwrap().port();
    let (fd, silent, _held) = silent_port();
    let closed = common::closed_port();
    let r = tcp_steps(&[
        (
            "third-answers",
            format!(
                "host = \"127.0.0.1\"\nport = [{silent}, {closed}, \"{open}\"]\ntimeout = \"2s\""
            ),
        ),
        (
            "none-answers",
            format!("host = \"127.0.0.1\"\nport = [{closed}, {silent}]\ntimeout = \"2s\""),
        ),
        (
            "all-closed",
            format!(
                "host = \"127.0.0.1\"\nport = [{closed}, {silent}]\nexpect = \"closed\"\ntimeout = \"2s\""
            ),
        ),
        (
            "one-open",
            format!("host = \"127.0.0.1\"\nport = [{closed}, {open}]\nexpect = \"closed\""),
        ),
    ]);
    let msg = |id: &str| r.step(id)["message"].as_str().unwrap().to_string();
    assert_eq!(
        r.step_status("third-answers"),
        "pass",
        "{}",
        r.step("third-answers")
    );
    let m = msg("third-answers");
    assert!(m.starts_with(&format!("127.0.0.1:{open} open")), "{m}");
    assert!(
        m.contains(&format!("127.0.0.1:{silent} did not answer")),
        "{m}"
    );
    assert!(m.contains(&format!("127.0.0.1:{closed} refused")), "{m}");
    assert_eq!(r.step_status("none-answers"), "fail");
    assert_eq!(
        r.step("none-answers")["reason"],
        "refused",
        "the first port's reason"
    );
    assert!(
        msg("none-answers").contains("did not answer"),
        "{}",
        msg("none-answers")
    );
    assert_eq!(
        r.step_status("all-closed"),
        "pass",
        "{}",
        r.step("all-closed")
    );
    assert_eq!(r.step_status("one-open"), "fail");
    assert_eq!(r.step("one-open")["reason"], "open");
    // SAFETY: closing the socket this test opened.
    unsafe { libc::close(fd) };
}

#[test]
fn a_port_that_never_answers_ends_at_the_timeout() {
    let (fd, port, _held) = silent_port();
    let r = tcp_steps(&[
        (
            "silent",
            format!("host = \"127.0.0.1\"\nport = {port}\ntimeout = \"1s\""),
        ),
        (
            "silent-closed",
            format!("host = \"127.0.0.1\"\nport = {port}\ntimeout = \"1s\"\nexpect = \"closed\""),
        ),
    ]);
    // SAFETY: closing the socket this test opened.
    unsafe { libc::close(fd) };
    let status = r.step_status("silent");
    if status == "pass" {
        eprintln!(
            "NOT RUN: this kernel accepts past a full backlog (tcp_abort_on_overflow or syncookies)"
        );
        return;
    }
    assert_eq!(status, "fail", "{}", r.step("silent"));
    assert!(
        r.step("silent")["message"]
            .as_str()
            .unwrap()
            .contains("did not answer within 1s"),
        "{}",
        r.step("silent")
    );
    assert_eq!(r.step_status("silent-closed"), "pass");
}

#[test]
fn ipv6_loopback() {
    let Ok(listener) = TcpListener::bind("[::1]:0") else {
        eprintln!("NOT RUN: no IPv6 loopback here");
        return;
    };
    let port = listener.local_addr().unwrap().port();
    let r = tcp_steps(&[("v6", format!("host = \"::1\"\nport = {port}"))]);
    assert_eq!(r.step_status("v6"), "pass", "{}", r.step("v6"));
    assert!(
        r.step("v6")["message"]
            .as_str()
            .unwrap()
            .starts_with("[::1]:")
    );
}

#[test]
fn bad_tcp_settings_are_load_errors() {
    Test::new()
        .playbook("[[step]]\nkind = \"tcp\"\nhost = \"bad host\"\nport = 0\nwarn_latency = \"2s\"\nfail_latency = \"1s\"\n")
        .args(&["check", "p.toml"])
        .run()
        .status(2)
        .stderr_has("`bad host` is not a host name or address")
        .stderr_has("port 0 cannot be connected to")
        .stderr_has("`warn_latency` is above `fail_latency`");
}

#[test]
fn dns_latency_thresholds_in_the_wrong_order_are_a_load_error() {
    Test::new()
        .playbook("[[step]]\nkind = \"dns\"\nlookup = \"localhost\"\nwarn_latency = \"2s\"\nfail_latency = \"1s\"\n")
        .args(&["check", "p.toml"])
        .run()
        .status(2)
        .stderr_has("`warn_latency` is above `fail_latency`");
}

fn dns_steps(steps: &[(&str, String)]) -> common::Run {
    let mut text = String::from("[playbook]\nname = \"dns\"\n");
    for (id, body) in steps {
        text.push_str(&format!(
            "\n[[step]]\nid = \"{id}\"\nkind = \"dns\"\n{body}\n"
        ));
    }
    Test::new()
        .playbook(&text)
        .args(&["run", "p.toml", "--format", "json"])
        .run()
}

#[test]
fn dns_against_a_local_responder() {
    let server = common::dns_responder();
    let at =
        |name: &str, extra: &str| format!("lookup = \"{name}\"\nserver = \"{server}\"\n{extra}");
    let r = dns_steps(&[
        ("both", at("host.test", "")),
        (
            "expected",
            at("host.test", "record = \"A\"\nexpect = [\"10.1.2.3\"]"),
        ),
        (
            "wrong",
            at("host.test", "record = \"A\"\nexpect = \"10.0.0.1\""),
        ),
        ("v6-missing", at("v4only.test", "record = \"AAAA\"")),
        ("nxdomain", at("nothing.test", "")),
        ("servfail", at("broken.test", "")),
        ("silent", at("silent.test", "timeout = \"1s\"")),
        ("slow", at("host.test", "warn_latency = \"0ms\"")),
        (
            "srv",
            at("_ldap._tcp.dc._msdcs.corp.test", "record = \"SRV\""),
        ),
        (
            "srv-none",
            at("_ldap._tcp.dc._msdcs.nodc.test", "record = \"SRV\""),
        ),
        ("mx", at("corp.test", "record = \"MX\"")),
        ("mx-none", at("v4only.test", "record = \"MX\"")),
    ]);
    let msg = |id: &str| r.step(id)["message"].as_str().unwrap().to_string();
    assert_eq!(r.step_status("both"), "pass", "{}", r.step("both"));
    assert!(msg("both").contains("10.1.2.3, fd00::1"), "{}", msg("both"));
    assert_eq!(r.step_status("expected"), "pass");
    assert_eq!(r.step_status("wrong"), "fail");
    assert!(msg("wrong").contains("without the expected 10.0.0.1"));
    assert_eq!(r.step_status("v6-missing"), "fail");
    assert!(msg("v6-missing").contains("has no AAAA (IPv6) address"));
    assert!(
        msg("nxdomain").contains("does not exist"),
        "{}",
        msg("nxdomain")
    );
    assert!(
        msg("servfail").contains("answered Server Failure"),
        "{}",
        msg("servfail")
    );
    assert_eq!(r.step_status("silent"), "fail");
    assert!(
        msg("silent").contains("did not answer in time"),
        "{}",
        msg("silent")
    );
    assert_eq!(r.step_status("slow"), "warn", "{}", r.step("slow"));
    // Service records, the preferred (lowest priority) first.
    assert_eq!(r.step_status("srv"), "pass", "{}", r.step("srv"));
    assert!(
        msg("srv").contains("→ 127.0.0.1:389, dc2.corp.test:389"),
        "{}",
        msg("srv")
    );
    assert_eq!(r.step_status("srv-none"), "fail");
    assert_eq!(r.step("srv-none")["reason"], "no_address");
    assert!(
        msg("srv-none").contains("has no SRV record"),
        "{}",
        msg("srv-none")
    );
    // Mail exchangers, the preferred first.
    assert!(
        msg("mx").contains("→ mail.corp.test (preference 10), backup.corp.test (preference 20)"),
        "{}",
        msg("mx")
    );
    assert_eq!(r.step("mx-none")["reason"], "no_address");
    assert!(
        msg("mx-none").contains("has no MX record"),
        "{}",
        msg("mx-none")
    );
}

#[test]
fn dns_through_the_system_resolver_for_localhost() {
    // `localhost` comes from the hosts file: no query leaves the machine.
    let r = dns_steps(&[(
        "localhost",
        "lookup = \"localhost\"\nrecord = \"A\"\nexpect = \"127.0.0.1\"".into(),
    )]);
    assert_eq!(
        r.step_status("localhost"),
        "pass",
        "{}",
        r.step("localhost")
    );
    assert!(
        r.step("localhost")["message"]
            .as_str()
            .unwrap()
            .contains("system resolver")
    );
}

#[test]
fn a_dns_server_that_is_not_there() {
    let port = closed_udp_port();
    let r = dns_steps(&[(
        "none",
        format!("lookup = \"host.test\"\nserver = \"127.0.0.1:{port}\"\ntimeout = \"2s\""),
    )]);
    assert_eq!(r.step_status("none"), "fail");
    let msg = r.step("none")["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("refused the query") || msg.contains("did not answer in time"),
        "{msg}"
    );
}

/// The clock against SNTP responders on loopback: in step, 7 minutes
/// behind, 2 minutes ahead, unsynchronised, refusing, and none there.
#[test]
fn clock_against_local_time_servers() {
    let mut text = String::from("[playbook]\nname = \"clock\"\n");
    let port = closed_udp_port();
    for (id, server) in [
        ("same", common::sntp_server(0.0, 0x24, 2).to_string()),
        ("behind", common::sntp_server(432.0, 0x24, 2).to_string()),
        ("ahead", common::sntp_server(-120.0, 0x24, 3).to_string()),
        ("unsynced", common::sntp_server(0.0, 0xe4, 2).to_string()),
        ("kiss", common::sntp_server(0.0, 0x24, 0).to_string()),
        ("none", format!("127.0.0.1:{port}")),
    ] {
        text.push_str(&format!(
            "\n[[step]]\nid = \"{id}\"\nkind = \"clock\"\nserver = \"{server}\"\ntimeout = \"2s\"\n"
        ));
    }
    let r = Test::new()
        .playbook(&text)
        .args(&["run", "p.toml", "--format", "json"])
        .run();
    let msg = |id: &str| r.step(id)["message"].as_str().unwrap().to_string();
    let outcome = |id: &str| (r.step_status(id), r.step(id)["reason"].clone());
    assert_eq!(r.step_status("same"), "pass", "{}", r.step("same"));
    assert!(
        msg("same").contains("this clock is within"),
        "{}",
        msg("same")
    );
    assert_eq!(outcome("behind"), ("fail".into(), "skew".into()));
    assert!(
        msg("behind").contains("7m12s behind 127.0.0.1:"),
        "{}",
        msg("behind")
    );
    let offset = r.step("behind")["measurements"][0]["value"]
        .as_f64()
        .unwrap();
    assert!((offset - 432.0).abs() < 1.0, "{offset}");
    assert_eq!(outcome("ahead"), ("warn".into(), "skew".into()));
    assert!(msg("ahead").contains("2m ahead of"), "{}", msg("ahead"));
    assert_eq!(outcome("unsynced"), ("fail".into(), "bad_answer".into()));
    assert!(
        msg("unsynced").contains("not synchronised"),
        "{}",
        msg("unsynced")
    );
    assert_eq!(outcome("kiss"), ("fail".into(), "bad_answer".into()));
    assert!(msg("kiss").contains("`DENY`"), "{}", msg("kiss"));
    let none = r.step_status("none");
    assert_eq!(none, "fail");
    assert!(
        ["refused", "timeout"].contains(&r.step("none")["reason"].as_str().unwrap()),
        "{}",
        r.step("none")
    );
}

fn closed_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn ping_steps(steps: &[(&str, &str)]) -> common::Run {
    let mut text = String::from("[playbook]\nname = \"ping\"\n");
    for (id, body) in steps {
        text.push_str(&format!(
            "\n[[step]]\nid = \"{id}\"\nkind = \"ping\"\ncount = 2\ninterval = \"200ms\"\n{body}\n"
        ));
    }
    Test::new()
        .playbook(&text)
        .args(&["run", "p.toml", "--format", "json"])
        .run()
}

#[test]
fn ping_loopback_by_each_method() {
    if !common::program_available("ping") {
        return;
    }
    let r = ping_steps(&[
        ("auto", "host = \"127.0.0.1\""),
        ("system", "host = \"127.0.0.1\"\nmethod = \"system\""),
        ("socket", "host = \"127.0.0.1\"\nmethod = \"socket\""),
        (
            "by-name",
            "host = \"localhost\"\nmethod = \"system\"\nwarn_rtt = \"1s\"",
        ),
    ]);
    let msg = |id: &str| r.step(id)["message"].as_str().unwrap().to_string();
    assert_eq!(r.step_status("auto"), "pass", "{}", r.step("auto"));
    assert!(
        msg("auto").starts_with("2/2 replies from 127.0.0.1, 0% lost"),
        "{}",
        msg("auto")
    );
    assert!(
        msg("system").ends_with("(system ping)"),
        "{}",
        msg("system")
    );
    // An ICMP socket works only where the OS allows it (net.ipv4.ping_group_range).
    match r.step_status("socket").as_str() {
        "pass" => assert!(msg("socket").ends_with("(ICMP socket)")),
        "error" => assert!(
            msg("socket").contains("no unprivileged ICMP socket"),
            "{}",
            msg("socket")
        ),
        other => panic!("{other}: {}", msg("socket")),
    }
    assert_eq!(r.step_status("by-name"), "pass", "{}", r.step("by-name"));
    assert!(msg("by-name").contains("localhost (127.0.0.1)"));
    let loss = &r.step("auto")["measurements"][0];
    assert_eq!(
        (loss["name"].as_str(), loss["value"].as_f64()),
        (Some("packet_loss"), Some(0.0))
    );
}

#[test]
fn bad_ping_settings_are_load_errors() {
    Test::new()
        .playbook("[[step]]\nkind = \"ping\"\nhost = \"-f\"\ncount = 0\ninterval = \"10ms\"\nwarn_loss = 150\n")
        .args(&["check", "p.toml"])
        .run()
        .status(2)
        .stderr_has("`-f` is not a host name or address")
        .stderr_has("`count` must be 1 to 1000")
        .stderr_has("`interval` must be at least 200ms")
        .stderr_has("`warn_loss` is a percentage from 0 to 100");
}

/// Under a low open-file limit (`ulimit -n 128`, soft and hard), a run of
/// many slow http checks lowers its concurrency to fit instead of failing
/// checks with "too many open files": every check gets its answer.
#[test]
fn many_checks_fit_a_low_open_file_limit() {
    use std::io::{Read, Write};
    use std::os::unix::process::CommandExt;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Answers each request after 100 ms, so checks overlap.
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 1024];
                let _ = conn.read(&mut buf);
                std::thread::sleep(Duration::from_millis(100));
                let _ = conn.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhealthy\n",
                );
            });
        }
    });
    let steps = 200;
    let mut text = String::from("[playbook]\nname = \"many\"\n");
    for i in 0..steps {
        text.push_str(&format!(
            "\n[[step]]\nid = \"c{i}\"\nkind = \"http\"\nurl = \"http://127.0.0.1:{port}/{i}\"\nbody_contains = \"healthy\"\ntimeout = \"5s\"\n"
        ));
    }
    let test =
        Test::new()
            .playbook(&text)
            .args(&["run", "p.toml", "--format", "json", "--no-history"]);
    let mut cmd = test.command();
    // SAFETY: setrlimit is async-signal-safe; it only lowers this child's limits.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 128,
                rlim_max: 128,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    let steps_out = json["playbooks"][0]["steps"].as_array().unwrap();
    assert_eq!(steps_out.len(), steps);
    let failed: Vec<&serde_json::Value> =
        steps_out.iter().filter(|s| s["status"] != "pass").collect();
    assert!(
        failed.is_empty(),
        "{} failed, e.g. {}",
        failed.len(),
        failed[0]
    );
}
