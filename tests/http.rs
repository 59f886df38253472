//! `http` steps against servers these tests run on loopback: plain HTTP,
//! TLS with rcgen certificates (valid, expired, near expiry, wrong name,
//! untrusted), a listener that accepts and never answers, one that resets,
//! a closed port, and a small proxy (absolute-form and CONNECT). The only
//! other name used, `portal.test`, is never resolved: it goes to the proxy.
//! Not on macOS, where TLS is Security.framework rather than rustls.
#![cfg(all(unix, not(target_os = "macos")))]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use common::{Run, Test};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A test CA and what it signs.
struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

fn ca(name: &str) -> Ca {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let cert = params.self_signed(&key).unwrap();
    Ca {
        pem: cert.pem(),
        issuer: Issuer::new(params, key),
    }
}

/// A TLS server config for `names`, valid from `from` to `to` days from now.
fn tls_config(ca: &Ca, names: &[&str], from: i64, to: i64) -> Arc<rustls::ServerConfig> {
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, names[0]);
    params.not_before = date(from);
    params.not_after = date(to);
    let cert = params.signed_by(&key, &ca.issuer).unwrap();
    let chain = vec![CertificateDer::from(cert.der().to_vec())];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap(),
    )
}

/// Midnight UTC `days` from today, for rcgen.
fn date(days: i64) -> time::OffsetDateTime {
    let t = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * days);
    let d = t.to_zoned(jiff::tz::TimeZone::UTC).date();
    rcgen::date_time_ymd(i32::from(d.year()), d.month() as u8, d.day() as u8)
}

/// The path of a request head.
fn read_request(s: &mut dyn Read) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    Some(text.split_whitespace().nth(1)?.to_string())
}

/// The answer of the test site for a path.
fn site(path: &str) -> Vec<u8> {
    let (status, extra, body) = match path {
        "/" | "/ok" => ("200 OK", "", "status: healthy\n"),
        "/down" => ("503 Service Unavailable", "", "maintenance\n"),
        "/generate_204" => ("204 No Content", "", ""),
        "/a" => ("301 Moved Permanently", "Location: /b\r\n", ""),
        "/b" => ("302 Found", "Location: /ok\r\n", ""),
        "/loop" => ("302 Found", "Location: /loop\r\n", ""),
        "/chunked" => {
            return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nstatus:\r\n9\r\n healthy\n\r\n0\r\n\r\n"
                .to_vec();
        }
        _ => ("404 Not Found", "", "no such page\n"),
    };
    format!(
        "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nContent-Type: text/plain\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Serves [`site`] on a loopback port, over TLS when given a config.
fn serve(tls: Option<Arc<rustls::ServerConfig>>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let tls = tls.clone();
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                match tls {
                    Some(config) => {
                        let Ok(conn) = rustls::ServerConnection::new(config) else {
                            return;
                        };
                        let mut s = rustls::StreamOwned::new(conn, stream);
                        if let Some(path) = read_request(&mut s) {
                            let _ = s.write_all(&site(&path));
                            s.conn.send_close_notify();
                            let _ = s.flush();
                        }
                    }
                    None => {
                        let mut s = stream;
                        if let Some(path) = read_request(&mut s) {
                            let _ = s.write_all(&site(&path));
                        }
                    }
                }
            });
        }
    });
    port
}

/// A listener that accepts and then never says a word.
fn mute_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

/// A listener that answers a TLS client one byte every 300 ms, forever:
/// a handshake that never completes but never goes quiet either.
fn dripping_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                for byte in [0x16u8, 0x03, 0x03, 0x40, 0x00].iter().cycle().take(100) {
                    if stream.write_all(&[*byte]).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(300));
                }
            });
        }
    });
    port
}

/// A listener that accepts and resets the connection at once.
fn resetting_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut buf = [0u8; 64];
            let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
            let _ = (&stream).read(&mut buf);
            let linger = libc::linger {
                l_onoff: 1,
                l_linger: 0,
            };
            // SAFETY: SO_LINGER on a socket this thread owns; closing then sends RST.
            unsafe {
                use std::os::fd::AsRawFd;
                libc::setsockopt(
                    stream.as_raw_fd(),
                    libc::SOL_SOCKET,
                    libc::SO_LINGER,
                    &linger as *const _ as *const libc::c_void,
                    std::mem::size_of::<libc::linger>() as libc::socklen_t,
                );
            }
            drop(stream);
        }
    });
    port
}

/// A proxy: plain requests (absolute form) are answered by [`site`] with a
/// `Via` body marker; CONNECT to any host is tunnelled to `tunnel_to`.
fn proxy(tunnel_to: u16) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut client in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let Some(target) = read_request(&mut client) else {
                    return;
                };
                if target.starts_with("http://") {
                    let body = format!("proxied {target}\n");
                    let _ = write!(
                        client,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    return;
                }
                let Ok(upstream) = TcpStream::connect(("127.0.0.1", tunnel_to)) else {
                    return;
                };
                let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                let (mut a, mut b) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                let (mut c, mut u) = (client, upstream);
                std::thread::spawn(move || std::io::copy(&mut a, &mut u));
                let _ = std::io::copy(&mut b, &mut c);
            });
        }
    });
    port
}

/// Runs `http` steps given as (id, keys) with the test CA's PEM at `ca.pem`.
fn http_steps(ca_pem: &str, steps: &[(&str, String)], env: &[(&str, &str)]) -> Run {
    let mut text = String::from("[playbook]\nname = \"http\"\n");
    for (id, body) in steps {
        text.push_str(&format!(
            "\n[[step]]\nid = \"{id}\"\nkind = \"http\"\n{body}\n"
        ));
    }
    let mut t = Test::new()
        .playbook(&text)
        .file("ca.pem", ca_pem)
        .args(&["run", "p.toml", "--format", "json", "--jobs", "8"]);
    for (k, v) in env {
        t = t.env(k, v);
    }
    t.run()
}

fn message(r: &Run, id: &str) -> String {
    r.step(id)["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn measurement(r: &Run, id: &str, name: &str) -> Option<f64> {
    r.step(id)["measurements"]
        .as_array()?
        .iter()
        .find(|m| m["name"] == name)?["value"]
        .as_f64()
}

#[test]
fn plain_http_status_body_and_redirects() {
    let port = serve(None);
    let url = |path: &str| format!("url = \"http://127.0.0.1:{port}{path}\"");
    let r = http_steps(
        "",
        &[
            ("ok", format!("{}\nbody_contains = \"healthy\"", url("/ok"))),
            (
                "by-name",
                format!("url = \"http://localhost:{port}/ok\"\nmethod = \"HEAD\""),
            ),
            (
                "chunked",
                format!("{}\nbody_regex = \"status:\\\\s+healthy\"", url("/chunked")),
            ),
            (
                "down",
                format!("{}\nbody_contains = \"healthy\"", url("/down")),
            ),
            (
                "down-accepted",
                format!("{}\nexpect_status = \"5xx\"", url("/down")),
            ),
            ("missing", url("/nope")),
            (
                "redirected",
                format!("{}\nbody_contains = \"healthy\"", url("/a")),
            ),
            (
                "not-followed",
                format!("{}\nmax_redirects = 0\nexpect_status = 200", url("/a")),
            ),
            ("loop", format!("{}\nmax_redirects = 3", url("/loop"))),
        ],
        &[],
    );
    assert_eq!(r.step_status("ok"), "pass", "{}", r.step("ok"));
    assert!(
        message(&r, "ok").contains("-> 200 OK in "),
        "{}",
        message(&r, "ok")
    );
    assert!(measurement(&r, "ok", "response_time").is_some());
    assert_eq!(measurement(&r, "ok", "status_code"), Some(200.0));
    assert_eq!(r.step_status("by-name"), "pass", "{}", r.step("by-name"));
    assert_eq!(r.step_status("chunked"), "pass", "{}", r.step("chunked"));
    assert_eq!(r.step_status("down"), "fail");
    let down = message(&r, "down");
    assert!(down.contains("status 503, expected 200-399"), "{down}");
    assert!(down.contains("the body lacks `healthy`"), "{down}");
    // The start of the body is kept for the technician.
    assert!(
        r.step("down")["output"]["stdout"]
            .as_str()
            .unwrap()
            .contains("maintenance")
    );
    assert_eq!(r.step_status("down-accepted"), "pass");
    assert_eq!(r.step_status("missing"), "fail");
    assert!(message(&r, "missing").contains("status 404"));
    // Without body checks, a failing response's page is still kept to show.
    assert!(
        r.step("missing")["output"]["stdout"]
            .as_str()
            .unwrap()
            .contains("no such page")
    );
    assert!(r.step("ok")["output"].is_null(), "{}", r.step("ok"));
    assert_eq!(
        r.step_status("redirected"),
        "pass",
        "{}",
        r.step("redirected")
    );
    assert!(
        message(&r, "redirected").contains("(after 2 redirects from http://127.0.0.1"),
        "{}",
        message(&r, "redirected")
    );
    assert_eq!(r.step_status("not-followed"), "fail");
    assert!(message(&r, "not-followed").contains("status 301, expected 200 (redirects to /b)"));
    assert_eq!(r.step_status("loop"), "fail");
    assert!(
        message(&r, "loop").starts_with("more than 3 redirects"),
        "{}",
        message(&r, "loop")
    );
}

#[test]
fn certificates_valid_expired_near_expiry_wrong_name_untrusted() {
    let ca_a = ca("supportctl test CA");
    let valid = serve(Some(tls_config(
        &ca_a,
        &["localhost", "127.0.0.1"],
        -30,
        90,
    )));
    let expired = serve(Some(tls_config(&ca_a, &["localhost"], -400, -3)));
    let soon = serve(Some(tls_config(&ca_a, &["localhost"], -30, 5)));
    let wrong = serve(Some(tls_config(&ca_a, &["other.test"], -30, 90)));
    let other_ca = ca("some appliance");
    let untrusted = serve(Some(tls_config(&other_ca, &["localhost"], -30, 90)));
    let with_ca = "ca_file = \"{{ playbook_dir }}/ca.pem\"";
    let r = http_steps(
        &ca_a.pem,
        &[
            (
                "valid",
                format!(
                    "url = \"https://localhost:{valid}/ok\"\n{with_ca}\nbody_contains = \"healthy\""
                ),
            ),
            (
                "valid-ip",
                format!("url = \"https://127.0.0.1:{valid}/\"\n{with_ca}"),
            ),
            (
                "expired",
                format!("url = \"https://localhost:{expired}/\"\n{with_ca}"),
            ),
            (
                "soon",
                format!("url = \"https://localhost:{soon}/\"\n{with_ca}"),
            ),
            (
                "soon-fail",
                format!(
                    "url = \"https://localhost:{soon}/\"\n{with_ca}\ncert_fail_days = 7\ncert_warn_days = 30"
                ),
            ),
            (
                "wrong-name",
                format!("url = \"https://localhost:{wrong}/\"\n{with_ca}"),
            ),
            (
                "untrusted",
                format!("url = \"https://localhost:{untrusted}/\""),
            ),
            (
                "insecure",
                format!("url = \"https://localhost:{untrusted}/\"\ninsecure = true"),
            ),
            (
                "insecure-expired",
                format!("url = \"https://localhost:{expired}/\"\ninsecure = true"),
            ),
            (
                "insecure-expiry-set",
                format!(
                    "url = \"https://localhost:{expired}/\"\ninsecure = true\ncert_fail_days = 0"
                ),
            ),
            (
                "plain-to-tls",
                format!("url = \"http://localhost:{valid}/\"\ntimeout = \"2s\""),
            ),
        ],
        &[],
    );
    assert_eq!(r.step_status("valid"), "pass", "{}", r.step("valid"));
    let days = measurement(&r, "valid", "cert_days_left").unwrap();
    assert!((88.0..=90.0).contains(&days), "{days}");
    assert!(message(&r, "valid").contains("certificate of localhost expires in"));
    assert_eq!(r.step_status("valid-ip"), "pass", "{}", r.step("valid-ip"));

    assert_eq!(r.step_status("expired"), "fail");
    let m = message(&r, "expired");
    assert!(
        m.contains("certificate expired") && m.contains("days ago"),
        "{m}"
    );
    assert!(measurement(&r, "expired", "cert_days_left").unwrap() < 0.0);

    assert_eq!(r.step_status("soon"), "warn", "{}", r.step("soon"));
    assert!(
        message(&r, "soon").contains("under cert_warn_days 14"),
        "{}",
        message(&r, "soon")
    );
    assert_eq!(r.step_status("soon-fail"), "fail");

    assert_eq!(r.step_status("wrong-name"), "fail");
    let m = message(&r, "wrong-name");
    assert!(
        m.contains("certificate is not valid for `localhost`: it is for other.test"),
        "{m}"
    );

    assert_eq!(r.step_status("untrusted"), "fail");
    let m = message(&r, "untrusted");
    assert!(
        m.contains("certificate is not trusted") && m.contains("some appliance"),
        "{m}"
    );

    assert_eq!(r.step_status("insecure"), "pass", "{}", r.step("insecure"));
    assert_eq!(
        r.step_status("insecure-expired"),
        "pass",
        "{}",
        r.step("insecure-expired")
    );
    assert_eq!(r.step_status("insecure-expiry-set"), "fail");
    assert!(message(&r, "insecure-expiry-set").contains("under cert_fail_days 0"));

    // Plain HTTP to a TLS port: the TLS server answers garbage or closes.
    assert_eq!(
        r.step_status("plain-to-tls"),
        "fail",
        "{}",
        r.step("plain-to-tls")
    );
    for (id, reason) in [
        ("expired", "cert_expired"),
        ("soon", "cert_expiring"),
        ("soon-fail", "cert_expiring"),
        ("wrong-name", "cert_name"),
        ("untrusted", "cert_untrusted"),
        ("insecure-expiry-set", "cert_expiring"),
    ] {
        assert_eq!(r.step(id)["reason"], reason, "{}", r.step(id));
    }
    assert!(r.step("valid").get("reason").is_none());
}

#[test]
fn silent_resetting_and_closed_servers_end_within_the_timeout() {
    let mute = mute_port();
    let reset = resetting_port();
    let drip = dripping_port();
    let closed = common::closed_port();
    let r = http_steps(
        "",
        &[
            (
                "mute",
                format!("url = \"http://127.0.0.1:{mute}/\"\ntimeout = \"1s\""),
            ),
            (
                "mute-tls",
                format!("url = \"https://127.0.0.1:{mute}/\"\ntimeout = \"1s\""),
            ),
            (
                "reset",
                format!("url = \"http://127.0.0.1:{reset}/\"\ntimeout = \"2s\""),
            ),
            ("closed", format!("url = \"http://127.0.0.1:{closed}/\"")),
            (
                "drip-tls",
                format!("url = \"https://127.0.0.1:{drip}/\"\ntimeout = \"1s\""),
            ),
        ],
        &[],
    );
    assert_eq!(r.step_status("mute"), "fail", "{}", r.step("mute"));
    assert_eq!(
        message(&r, "mute"),
        format!("127.0.0.1:{mute} accepted the connection but sent no response within 1s")
    );
    assert_eq!(r.step_status("mute-tls"), "fail");
    assert!(
        message(&r, "mute-tls").contains("did not finish the TLS handshake within 1s"),
        "{}",
        message(&r, "mute-tls")
    );
    assert_eq!(r.step_status("reset"), "fail");
    assert_eq!(
        message(&r, "reset"),
        format!("127.0.0.1:{reset} reset the connection before a response")
    );
    assert_eq!(r.step_status("closed"), "fail");
    assert!(message(&r, "closed").contains("refused the connection"));
    // Each ended by its own timeout: the steps ran side by side, well under 1s + 1s + 2s.
    assert_eq!(r.step_status("drip-tls"), "fail");
    assert!(
        message(&r, "drip-tls").contains("did not finish the TLS handshake within 1s"),
        "{}",
        message(&r, "drip-tls")
    );
    for id in ["mute", "mute-tls", "drip-tls"] {
        let ms = r.step(id)["duration_ms"].as_u64().unwrap();
        assert!(ms < 5_000, "{id} took {ms} ms");
    }
    for (id, reason) in [
        ("mute", "timeout"),
        ("mute-tls", "timeout"),
        ("drip-tls", "timeout"),
        ("reset", "dropped"),
        ("closed", "connect"),
    ] {
        assert_eq!(r.step(id)["reason"], reason, "{}", r.step(id));
    }
}

#[test]
fn proxies_from_the_step_and_the_environment() {
    let ca_a = ca("supportctl test CA");
    // portal.test is never resolved here: it only travels to the proxy.
    let tls = serve(Some(tls_config(&ca_a, &["portal.test"], -30, 90)));
    let via = proxy(tls);
    let with_ca = "ca_file = \"{{ playbook_dir }}/ca.pem\"";
    let r = http_steps(
        &ca_a.pem,
        &[
            (
                "explicit-plain",
                format!(
                    "url = \"http://portal.test/status\"\nproxy = \"127.0.0.1:{via}\"\nbody_contains = \"proxied http://portal.test/status\""
                ),
            ),
            (
                "explicit-tunnel",
                format!(
                    "url = \"https://portal.test/ok\"\nproxy = \"http://u:p@127.0.0.1:{via}\"\n{with_ca}\nbody_contains = \"healthy\""
                ),
            ),
            (
                "from-env",
                format!("url = \"https://portal.test/ok\"\n{with_ca}"),
            ),
        ],
        &[
            ("https_proxy", &format!("http://127.0.0.1:{via}")),
            ("no_proxy", ""),
        ],
    );
    assert_eq!(
        r.step_status("explicit-plain"),
        "pass",
        "{}",
        r.step("explicit-plain")
    );
    assert!(message(&r, "explicit-plain").contains(&format!("via http://127.0.0.1:{via}")));
    assert_eq!(
        r.step_status("explicit-tunnel"),
        "pass",
        "{}",
        r.step("explicit-tunnel")
    );
    assert!(message(&r, "explicit-tunnel").contains("certificate of portal.test expires in"));
    // Credentials never reach the report.
    assert!(!r.stdout.contains("u:p@"));
    assert_eq!(r.step_status("from-env"), "pass", "{}", r.step("from-env"));

    // "none" ignores the environment: portal.test is then looked up, so
    // this runs only as a load-time check (nothing is fetched).
    Test::new()
        .playbook("[[step]]\nkind = \"http\"\nurl = \"https://portal.test/\"\nproxy = \"none\"\n")
        .args(&["check", "p.toml"])
        .run()
        .status(0);
}

#[test]
fn bad_http_settings_are_load_errors() {
    Test::new()
        .playbook(
            "[[step]]\nkind = \"http\"\nurl = \"ftp://files.test/\"\nexpect_status = \"600\"\n\n[[step]]\nkind = \"http\"\nurl = \"https://h.test/\"\nmethod = \"HEAD\"\nbody_contains = \"x\"\nproxy = \"socks5://127.0.0.1:1080\"\nca_file = \"missing.pem\"\n",
        )
        .args(&["check", "p.toml"])
        .run()
        .status(2)
        .stderr_has("`600` is not a final status code or range")
        .stderr_has("a HEAD request gets no body to check")
        .stderr_has("socks5 proxies are not supported")
        .stderr_has("cannot read `missing.pem`");
}

/// The `--var` overrides that point the shipped `no-internet` playbook at
/// loopback (the log scan is skipped: the machine's own logs would add a
/// cause of their own).
fn no_internet_args(tcp: u16, https: u16, portal: &str) -> Vec<String> {
    let mut args: Vec<String> = ["run", "no-internet", "--format", "json", "--skip", "logs"]
        .map(String::from)
        .to_vec();
    for v in [
        "gateway=127.0.0.1".to_string(),
        "dns_name=localhost".into(),
        "tcp_ip=127.0.0.1".into(),
        "tcp_name=localhost".into(),
        format!("tcp_port={tcp}"),
        format!("https_url=https://localhost:{https}/ok"),
        format!("portal_check_url={portal}"),
    ] {
        args.extend(["--var".to_string(), v]);
    }
    args
}

/// Replaces (or adds) `--var NAME=VALUE` in `args`.
fn set_var(args: &mut Vec<String>, name: &str, value: &str) {
    let prefix = format!("{name}=");
    args.retain(|a| !a.starts_with(&prefix));
    // The `--var` left without its value goes too.
    let mut cleaned: Vec<String> = Vec::new();
    for a in args.drain(..) {
        if cleaned.last().is_some_and(|l| l == "--var") && a.starts_with("--") {
            cleaned.pop();
        }
        cleaned.push(a);
    }
    if cleaned.last().is_some_and(|l| l == "--var") {
        cleaned.pop();
    }
    cleaned.extend(["--var".into(), format!("{prefix}{value}")]);
    *args = cleaned;
}

/// The first conclusion's cause id ("" when none matched) and the report.
fn conclusion(report: &serde_json::Value) -> (String, &serde_json::Value) {
    let c = &report["conclusions"][0];
    (c["id"].as_str().unwrap_or_default().to_string(), c)
}

/// Loopback stand-ins for the internet: an HTTPS site signed by the CA
/// the test trusts, one signed by another CA (an intercepting proxy), one
/// with an expired certificate (a wrong clock), a plain site for the
/// captive-portal check, and a TCP listener.
struct Internet {
    ca: Ca,
    https: u16,
    intercepted: u16,
    expired: u16,
    plain: u16,
    tcp: TcpListener,
}

impl Internet {
    fn new() -> Internet {
        let other = ca("inspecting proxy");
        let ca = ca("supportctl test CA");
        let https = serve(Some(tls_config(&ca, &["localhost"], -30, 90)));
        let expired = serve(Some(tls_config(&ca, &["localhost"], -400, -3)));
        let intercepted = serve(Some(tls_config(&other, &["localhost"], -30, 90)));
        Internet {
            ca,
            https,
            intercepted,
            expired,
            plain: serve(None),
            tcp: TcpListener::bind("127.0.0.1:0").unwrap(),
        }
    }

    fn args(&self) -> Vec<String> {
        no_internet_args(
            self.tcp.local_addr().unwrap().port(),
            self.https,
            &format!("http://127.0.0.1:{}/generate_204", self.plain),
        )
    }

    /// Runs no-internet with `args`, trusting our CA as the OS store.
    fn run(&self, args: &[String], env: &[(&str, &str)]) -> Run {
        let mut t = Test::new().file("ca.pem", &self.ca.pem);
        let ca_path = t.path().join("ca.pem").display().to_string();
        t = t.env("SSL_CERT_FILE", &ca_path);
        for (k, v) in env {
            t = t.env(k, v);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        t.args(&args).run()
    }
}

#[test]
fn no_internet_playbook_against_loopback() {
    // The gateway step pings: NOT RUN without `ping` (required under CI).
    if !common::program_available("ping") {
        return;
    }
    let net = Internet::new();
    let r = net.run(&net.args(), &[]);
    for id in [
        "gateway",
        "dns",
        "tcp-by-address",
        "tcp-by-name",
        "https",
        "captive-portal",
    ] {
        assert_eq!(r.step_status(id), "pass", "{id}: {}", r.step(id));
    }
    assert_eq!(r.code, 0);
    assert!(message(&r, "https").contains("certificate of localhost expires in"));
    let json = r.json();
    let (id, c) = conclusion(&json);
    assert_eq!(
        (id.as_str(), &c["matched"]),
        ("", &serde_json::json!(false))
    );
    assert_eq!(c["summary"], "No problem found: every check ended well.");

    // A login page in the way: the check URL redirects instead of answering 204.
    let mut args = net.args();
    set_var(
        &mut args,
        "portal_check_url",
        &format!("http://127.0.0.1:{}/a", net.plain),
    );
    let r = net.run(&args, &[]);
    assert_eq!(r.step_status("captive-portal"), "fail");
    assert_eq!(r.step("captive-portal")["reason"], "status");
    assert!(
        message(&r, "captive-portal").contains("status 301, expected 204 (redirects to /b)"),
        "{}",
        message(&r, "captive-portal")
    );
    assert!(
        r.step("captive-portal")["advice"]
            .as_str()
            .unwrap()
            .contains("log in")
    );
    assert_eq!(r.code, 1);
    let json = r.json();
    let (id, c) = conclusion(&json);
    assert_eq!(id, "captive-portal", "{c}");
    assert!(c["tell_user"].as_str().unwrap().contains("sign in"), "{c}");

    // A TLS-inspecting proxy: the page comes signed by a CA nobody trusts.
    let mut args = net.args();
    set_var(
        &mut args,
        "https_url",
        &format!("https://localhost:{}/ok", net.intercepted),
    );
    let r = net.run(&args, &[]);
    assert_eq!(
        r.step("https")["reason"],
        "cert_untrusted",
        "{}",
        r.step("https")
    );
    assert!(
        r.step("https")["advice"]
            .as_str()
            .unwrap()
            .contains("TLS-inspecting proxy")
    );
    let json = r.json();
    let (id, c) = conclusion(&json);
    assert_eq!(id, "tls-intercepted", "{c}");
    assert_eq!(c["steps"][0]["reason"], "cert_untrusted");

    // A wrong clock: every certificate looks expired.
    let mut args = net.args();
    set_var(
        &mut args,
        "https_url",
        &format!("https://localhost:{}/ok", net.expired),
    );
    let r = net.run(&args, &[]);
    assert_eq!(r.step("https")["reason"], "cert_expired");
    let json = r.json();
    let (id, c) = conclusion(&json);
    assert_eq!(id, "clock-wrong", "{c}");
    assert!(
        c["tell_user"].as_str().unwrap().contains("date or time"),
        "{c}"
    );

    // The Markdown note of that run starts with the conclusion.
    let mut md_args = args.clone();
    md_args[3] = "markdown".into();
    let md = net.run(&md_args, &[]).stdout;
    assert!(
        md.starts_with(
            "## supportctl report: no-internet\n\n**Conclusion:** Secure sites look expired"
        ),
        "{md}"
    );
}

/// The other ways out failing, each concluded: nothing beyond the router
/// (the address refuses), a proxy that does not answer, a blocked web
/// page, and network trouble in the logs of a connection that works now.
#[test]
fn no_internet_concludes_each_way_it_breaks() {
    if !common::program_available("ping") {
        return;
    }
    let net = Internet::new();
    let closed = common::closed_port().to_string();
    let cause = |r: &Run| {
        r.json()["conclusions"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };

    let mut args = net.args();
    set_var(&mut args, "tcp_port", &closed);
    let r = net.run(&args, &[]);
    assert_eq!(r.step("tcp-by-address")["reason"], "refused");
    assert_eq!(cause(&r), "no-way-out");

    // `portal.test` is never resolved: it goes to the (dead) proxy.
    let mut args = net.args();
    set_var(&mut args, "https_url", "https://portal.test/ok");
    let proxy = format!("http://127.0.0.1:{closed}");
    let r = net.run(&args, &[("https_proxy", &proxy), ("no_proxy", "")]);
    assert_eq!(r.step("https")["reason"], "proxy", "{}", r.step("https"));
    assert_eq!(cause(&r), "proxy-broken");

    let mut args = net.args();
    set_var(
        &mut args,
        "https_url",
        &format!("https://localhost:{closed}/"),
    );
    let r = net.run(&args, &[]);
    assert_eq!(r.step("https")["reason"], "connect", "{}", r.step("https"));
    assert_eq!(cause(&r), "web-blocked");

    // The log scan included: the journal says the link dropped earlier.
    let dir = tempfile::tempdir().unwrap();
    let path = common::fake_journal(
        dir.path(),
        Some(&[(
            "NetworkManager",
            "device (eth0): link is down; carrier lost",
        )]),
    );
    let args: Vec<String> = net
        .args()
        .into_iter()
        .filter(|a| a != "--skip" && a != "logs")
        .collect();
    let r = net.run(&args, &[("PATH", &path)]);
    assert_eq!(
        r.step_status("network-events"),
        "warn",
        "{}",
        r.step("network-events")
    );
    assert_eq!(cause(&r), "trouble-logged");
}

/// Without `ping` (a PATH that lacks it) and without ICMP sockets, the
/// gateway step says so, its advice does not blame the cable, and the
/// conclusion is that the internet works.
#[test]
fn no_ping_is_not_a_broken_cable() {
    let net = Internet::new();
    let r = net.run(&net.args(), &[("PATH", "/supportctl-no-such-dir")]);
    let gateway = r.step("gateway");
    if gateway["status"] == "pass" {
        // This machine lets every user open ICMP sockets (ping_group_range):
        // no program is needed, so there is nothing to test.
        eprintln!("NOT RUN: ICMP sockets are allowed here; ping is not needed");
        return;
    }
    assert_eq!(gateway["reason"], "no_program", "{gateway}");
    assert!(
        gateway["message"]
            .as_str()
            .unwrap()
            .contains("`ping` is not installed"),
        "{gateway}"
    );
    let advice = gateway["advice"].as_str().unwrap();
    assert!(advice.contains("`ping` is not installed"), "{advice}");
    assert!(!advice.contains("cable"), "{advice}");
    let json = r.json();
    let (id, c) = conclusion(&json);
    assert_eq!(id, "ping-unavailable", "{c}");
    assert_eq!(c["tell_user"], "Your internet connection works.");
}

fn step<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["playbooks"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()
}

/// In a network namespace of its own (no routes, loopback down), the
/// gateway step says there is no default gateway and the conclusion is
/// that the computer is not connected.
#[test]
fn no_default_gateway_means_not_connected() {
    let args: Vec<String> = ["run", "no-internet", "--format", "json", "--skip", "logs"]
        .map(String::from)
        .to_vec();
    let Some(report) = common::in_namespace(&["-n"], "", &args, &[]) else {
        return;
    };
    let gateway = step(&report, "gateway");
    assert_eq!(gateway["status"], "warn", "{gateway}");
    assert_eq!(gateway["reason"], "no_gateway", "{gateway}");
    assert!(
        gateway["message"]
            .as_str()
            .unwrap()
            .contains("this machine has no default gateway"),
        "{gateway}"
    );
    let (id, c) = conclusion(&report);
    assert_eq!(id, "not-connected", "{c}");
    assert!(
        c["tell_user"].as_str().unwrap().contains("network cable"),
        "{c}"
    );
}

/// A router that does not answer (an address with no route in a network
/// namespace of its own) and nothing getting out: the router is unreachable.
#[test]
fn unreachable_router_is_concluded() {
    let mut args: Vec<String> = ["run", "no-internet", "--format", "json", "--skip", "logs"]
        .map(String::from)
        .to_vec();
    for v in [
        "gateway=10.255.0.1",
        "tcp_ip=10.255.0.1",
        "dns_name=localhost",
    ] {
        args.extend(["--var".to_string(), v.to_string()]);
    }
    if !common::program_available("ping") {
        return;
    }
    let Some(report) = common::in_namespace(&["-n"], "", &args, &[]) else {
        return;
    };
    assert_eq!(
        step(&report, "gateway")["reason"],
        "loss",
        "{}",
        step(&report, "gateway")
    );
    assert_eq!(step(&report, "tcp-by-address")["status"], "fail");
    let (id, c) = conclusion(&report);
    assert_eq!(id, "router-unreachable", "{c}");
}

/// A DNS server that refuses every query, the rest of the network fine:
/// only DNS is broken. The resolver listens on 127.0.0.77:53 and the run
/// sees a resolv.conf naming it (bind-mounted in a mount namespace of its
/// own), so the system resolver asks it and nobody else.
#[test]
fn dns_only_is_concluded_with_a_refusing_resolver() {
    if !common::program_available("ping") {
        return;
    }
    let Ok(socket) = std::net::UdpSocket::bind("127.0.0.77:53") else {
        assert!(
            !common::is_root() || std::env::var_os("CI").is_none(),
            "CI must let root bind 127.0.0.77:53"
        );
        eprintln!("NOT RUN: cannot listen on 127.0.0.77:53 (needs root)");
        return;
    };
    std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            if n < 12 {
                continue;
            }
            // The query back as an answer: QR set, RCODE 5 (REFUSED).
            let mut reply = buf[..n].to_vec();
            reply[2] |= 0x80;
            reply[3] = (reply[3] & 0xf0) | 5;
            let _ = socket.send_to(&reply, from);
        }
    });
    let net = Internet::new();
    let mut args = net.args();
    set_var(&mut args, "dns_name", "intranet.supportctl.test");
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("resolv.conf");
    std::fs::write(
        &conf,
        "nameserver 127.0.0.77\noptions timeout:1 attempts:1\n",
    )
    .unwrap();
    let setup = format!(
        "mount --bind '{}' /etc/resolv.conf || exit 97",
        conf.display()
    );
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &net.ca.pem).unwrap();
    let Some(report) =
        common::in_namespace(&["-m"], &setup, &args, &[("SSL_CERT_FILE", ca.as_os_str())])
    else {
        return;
    };
    let dns = step(&report, "dns");
    assert_eq!(dns["status"], "fail", "{dns}");
    assert_eq!(dns["reason"], "servfail", "{dns}");
    assert_eq!(step(&report, "tcp-by-address")["status"], "pass");
    let (id, c) = conclusion(&report);
    assert_eq!(id, "dns-only", "{c}");
    assert_eq!(
        c["summary"],
        "The network works, but names cannot be looked up (DNS)."
    );
    assert!(
        c["tell_user"]
            .as_str()
            .unwrap()
            .contains("cannot find websites by name")
    );
}
