//! A fluent harness for running the real `supportctl` binary in a scratch
//! directory: `Test::new().playbook(..).args(..).run().status(2).stderr_has(..)`.
//!
//! Each test gets its own temporary directory as working directory, HOME and
//! config dir, and an empty search path, so nothing leaks between tests or
//! from the machine running them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Test {
    dir: tempfile::TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub dir: PathBuf,
    _keep: tempfile::TempDir,
}

impl Test {
    pub fn new() -> Test {
        Test {
            dir: tempfile::tempdir().unwrap(),
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `p.toml` (the usual playbook under test).
    pub fn playbook(self, text: &str) -> Test {
        self.file("p.toml", text)
    }

    pub fn file(self, name: &str, text: &str) -> Test {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    pub fn args(mut self, args: &[&str]) -> Test {
        self.args.extend(args.iter().map(|s| s.to_string()));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_supportctl"));
        let d = self.dir.path();
        cmd.current_dir(d)
            .args(&self.args)
            .env("HOME", d)
            .env("XDG_CONFIG_HOME", d.join(".config"))
            .env("SUPPORTCTL_PATH", "")
            // Runs are recorded in a history of this test process's own,
            // outside the test's folder (which some tests compare before
            // and after), never in the machine's.
            .env("SUPPORTCTL_HISTORY", test_history())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .stdin(std::process::Stdio::null());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(self) -> Run {
        let out = self.command().output().expect("supportctl runs");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            dir: self.dir.path().to_path_buf(),
            _keep: self.dir,
        };
        check_reports(&run);
        run
    }
}

/// The history file the runs of this test process share.
fn test_history() -> PathBuf {
    std::env::temp_dir()
        .join(format!("supportctl-test-history-{}", std::process::id()))
        .join("history.sqlite")
}

/// Every JSON report a test run produces (on stdout, or as a `*.json` file
/// in the test's folder) must match the published report schema,
/// `docs/report.schema.json`.
#[track_caller]
fn check_reports(run: &Run) {
    static VALIDATOR: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/report.schema.json");
        let schema: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).expect("the report schema is committed"))
                .expect("the report schema is JSON");
        jsonschema::validator_for(&schema).expect("the report schema is a valid JSON Schema")
    });
    let mut texts = vec![("stdout".to_string(), run.stdout.clone())];
    if let Ok(entries) = std::fs::read_dir(&run.dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "json")
                && let Ok(text) = std::fs::read_to_string(&p)
            {
                texts.push((p.display().to_string(), text));
            }
        }
    }
    for (from, text) in texts {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        if value.get("tool").and_then(|t| t.as_str()) != Some("supportctl")
            || value.get("playbooks").is_none()
        {
            continue;
        }
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "the report in {from} does not match docs/report.schema.json:\n{}",
            errors.join("\n")
        );
        check_reasons(&value, &from);
    }
}

/// Every step that did not pass names a reason its kind (or the runner)
/// documents; a step that passed names none.
fn check_reasons(report: &serde_json::Value, from: &str) {
    let steps = report["playbooks"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["steps"].as_array().into_iter().flatten());
    for step in steps {
        let (id, kind, status) = (
            &step["id"],
            step["kind"].as_str().unwrap_or(""),
            &step["status"],
        );
        match step["reason"].as_str() {
            None => assert_eq!(
                status, "pass",
                "step {id} ({kind}) in {from} is {status} without a reason"
            ),
            Some(reason) => {
                assert_ne!(
                    status, "pass",
                    "step {id} in {from} passed with reason {reason}"
                );
                assert!(
                    supportctl::steps::gives_reason(kind, reason),
                    "step {id} in {from}: `{reason}` is not a documented reason of `{kind}`"
                );
            }
        }
    }
}

impl Run {
    #[track_caller]
    pub fn status(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(self, text: &str) -> Run {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_lacks(self, text: &str) -> Run {
        assert!(
            !self.stdout.contains(text),
            "stdout has {text:?}\n--- stdout\n{}",
            self.stdout
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(self, text: &str) -> Run {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}\n--- stderr\n{}\n--- stdout\n{}",
            self.stderr,
            self.stdout
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The status of a step in a `--format json` report.
    pub fn step_status(&self, id: &str) -> String {
        let json = self.json();
        for pb in json["playbooks"].as_array().unwrap() {
            for s in pb["steps"].as_array().unwrap() {
                if s["id"] == id {
                    return s["status"].as_str().unwrap().to_string();
                }
            }
        }
        panic!("no step {id} in report:\n{}", self.stdout)
    }

    /// The labels of a step's attempts (`check`, `fix`, `re-check`, ...).
    pub fn attempt_labels(&self, id: &str) -> Vec<String> {
        self.step(id)["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["label"].as_str().unwrap().to_string())
            .collect()
    }

    pub fn step(&self, id: &str) -> serde_json::Value {
        let json = self.json();
        json["playbooks"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["steps"].as_array().unwrap().clone())
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("no step {id}"))
    }
}

/// The process id a test program wrote to `path`.
pub fn read_pid(path: &Path) -> i32 {
    std::fs::read_to_string(path)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Asserts that process `pid` ends within a second (killing is synchronous,
/// but the kernel reaps asynchronously).
#[cfg(unix)]
#[track_caller]
pub fn assert_gone(pid: i32, what: &str) {
    for _ in 0..50 {
        if !alive(pid) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("{what} (pid {pid}) is still running");
}

/// Whether a process id is alive (Unix).
#[cfg(unix)]
pub fn alive(pid: i32) -> bool {
    // A zombie still answers kill(0); check /proc state where available.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat.split(") ").nth(1).is_some_and(|s| s.starts_with('Z')),
        Err(_) => false,
    }
}

/// Whether the tests run as root (CI does), where permissions stop nothing.
#[cfg(unix)]
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Whether this test can run as root with `/usr/bin/<program>`; if not,
/// it prints `NOT RUN: needs root and <program> <why>` — outside CI only,
/// as CI runs as root with every program the tests use.
#[cfg(unix)]
pub fn root_with(program: &str, why: &str) -> bool {
    if is_root() && Path::new("/usr/bin").join(program).exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI runs as root with {program}"
    );
    eprintln!("NOT RUN: needs root and {program} {why}");
    false
}

/// Runs supportctl in `dir` with `args`: as `nobody` through setpriv when
/// the tests run as root (so permissions apply), else as the current user.
/// `None` when root but setpriv is missing (the caller skips the test).
#[cfg(unix)]
pub fn run_unprivileged(dir: &Path, args: &[&str]) -> Option<std::process::Output> {
    let mut cmd = if is_root() {
        if !Path::new("/usr/bin/setpriv").exists() {
            eprintln!("NOT RUN: running as root without setpriv to drop privileges");
            return None;
        }
        let mut c = Command::new("/usr/bin/setpriv");
        c.args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            env!("CARGO_BIN_EXE_supportctl"),
        ]);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_supportctl"))
    };
    cmd.args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("SUPPORTCTL_PATH", "")
        .stdin(std::process::Stdio::null());
    Some(cmd.output().unwrap())
}

/// Whether python3 with these modules is here. Without them a test is
/// reported as not run, except under CI (`CI` set), where they must be.
pub fn python_with(modules: &[&str]) -> bool {
    let probe = format!("import {}", modules.join(", "));
    let ok = Command::new("python3")
        .args(["-c", &probe])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must provide python3 with {modules:?}"
        );
        eprintln!(
            "NOT RUN: python3 with {modules:?} is not available (pip install {})",
            modules.join(" ")
        );
    }
    ok
}

/// Whether a program is on PATH; like [`python_with`], required under CI.
pub fn program_available(name: &str) -> bool {
    let ok = which::which(name).is_ok();
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "CI must provide `{name}`");
        eprintln!("NOT RUN: `{name}` is not installed");
    }
    ok
}

/// A loopback port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A stand-in `journalctl` in `dir/bin` printing `entries` (source,
/// message) as JSON lines stamped now, or with `None` failing as a journal
/// the user may not read; returns a PATH with it first.
pub fn fake_journal(dir: &Path, entries: Option<&[(&str, &str)]>) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let body = match entries {
        None => "echo 'Failed to open journal: Permission denied' >&2\nexit 1\n".to_string(),
        Some(entries) => {
            let mut body = String::from("now=$(date +%s)\n");
            for (source, msg) in entries {
                body.push_str(&format!(
                    "printf '{{\"__REALTIME_TIMESTAMP\":\"%s000000\",\"MESSAGE\":\"{msg}\",\"SYSLOG_IDENTIFIER\":\"{source}\",\"PRIORITY\":\"3\"}}\\n' \"$now\"\n"
                ));
            }
            body
        }
    };
    let path = bin.join("journalctl");
    std::fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
    #[cfg(unix)]
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Runs supportctl with `args` in new namespaces (`unshare FLAGS`), after
/// `setup` (shell, stops at the first failure) inside them; a scratch
/// folder is its working folder, HOME and history. Returns its JSON
/// report; `None` (NOT RUN) without root or unshare, which CI has.
pub fn in_namespace<S: AsRef<std::ffi::OsStr>>(
    flags: &[&str],
    setup: &str,
    args: &[S],
    env: &[(&str, &std::ffi::OsStr)],
) -> Option<serde_json::Value> {
    if !root_with("unshare", "for namespaces") {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = format!("set -e\n{setup}\nexec \"$0\" \"$@\"");
    let mut cmd = Command::new("/usr/bin/unshare");
    cmd.args(flags)
        .args(["sh", "-c", &script, env!("CARGO_BIN_EXE_supportctl")])
        .args(args)
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env("SUPPORTCTL_PATH", "")
        .env("SUPPORTCTL_HISTORY", dir.path().join("h/history.sqlite"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Some(
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr))),
    )
}

/// A DNS responder on a loopback UDP port, answering from a fixed zone:
/// `host.test` A 10.1.2.3 and AAAA fd00::1, `v4only.test` A 10.9.9.9,
/// `broken.test` SERVFAIL, `silent.test` never; SRV
/// `_ldap._tcp.dc._msdcs.corp.test` → dc2.corp.test:389 (priority 10) and
/// 127.0.0.1:389 (priority 0), an empty answer for `nodc.test`'s;
/// `autodiscover.corp.test` A 127.0.0.1 (no AAAA), SRV
/// `_autodiscover._tcp.srvonly.test` → mail.srvonly.test:443; MX
/// `corp.test` → mail.corp.test (10), backup.corp.test (20); anything
/// else NXDOMAIN.
pub fn dns_responder() -> std::net::SocketAddr {
    use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
    use hickory_proto::rr::Name;
    use hickory_proto::rr::rdata::{A, AAAA, MX, SRV};
    use hickory_proto::rr::{RData, Record, RecordType};
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            let Ok(q) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            let Some(query) = q.queries.first().cloned() else {
                continue;
            };
            let name = query.name().to_ascii().to_ascii_lowercase();
            let mut reply = Message::new(q.metadata.id, MessageType::Response, OpCode::Query);
            reply.add_query(query.clone());
            let answer = |ip: RData| Record::from_rdata(query.name().clone(), 60, ip);
            match (name.as_str(), query.query_type()) {
                ("silent.test.", _) => continue,
                ("broken.test.", _) => reply.metadata.response_code = ResponseCode::ServFail,
                ("host.test.", RecordType::A) => {
                    reply.add_answer(answer(RData::A(A("10.1.2.3".parse().unwrap()))));
                }
                ("host.test.", RecordType::AAAA) => {
                    reply.add_answer(answer(RData::AAAA(AAAA("fd00::1".parse().unwrap()))));
                }
                ("v4only.test.", RecordType::A) => {
                    reply.add_answer(answer(RData::A(A("10.9.9.9".parse().unwrap()))));
                }
                ("v4only.test.", _) => {}
                ("_ldap._tcp.dc._msdcs.corp.test.", RecordType::SRV) => {
                    for (priority, target) in [(10, "dc2.corp.test."), (0, "127.0.0.1.")] {
                        let target = Name::from_ascii(target).unwrap();
                        reply.add_answer(answer(RData::SRV(SRV::new(priority, 50, 389, target))));
                    }
                }
                ("_ldap._tcp.dc._msdcs.nodc.test.", _) => {}
                ("corp.test.", RecordType::MX) => {
                    for (preference, host) in [(20, "backup.corp.test."), (10, "mail.corp.test.")] {
                        let host = Name::from_ascii(host).unwrap();
                        reply.add_answer(answer(RData::MX(MX::new(preference, host))));
                    }
                }
                ("autodiscover.corp.test.", RecordType::A) => {
                    reply.add_answer(answer(RData::A(A("127.0.0.1".parse().unwrap()))));
                }
                ("autodiscover.corp.test.", _) => {}
                ("_autodiscover._tcp.srvonly.test.", RecordType::SRV) => {
                    let target = Name::from_ascii("mail.srvonly.test.").unwrap();
                    reply.add_answer(answer(RData::SRV(SRV::new(0, 0, 443, target))));
                }
                _ => reply.metadata.response_code = ResponseCode::NXDomain,
            }
            let _ = socket.send_to(&reply.to_vec().unwrap(), from);
        }
    });
    addr
}

/// An SNTP responder on a loopback UDP port whose clock is `skew` seconds
/// ahead of ours; `first`/`stratum` set the reply's first byte and stratum
/// (`0x24, 2`: a synchronised stratum-2 server; `0xe4`: unsynchronised;
/// stratum 0: a kiss-o'-death `DENY`). Answers until the test ends.
pub fn sntp_server(skew: f64, first: u8, stratum: u8) -> std::net::SocketAddr {
    sntp_serve(skew, first, stratum, None)
}

/// A synchronised SNTP responder `skew` seconds ahead until the file
/// `set_by` exists (a stand-in time-sync program creates it), then in step.
pub fn sntp_server_set_by(skew: f64, set_by: PathBuf) -> std::net::SocketAddr {
    sntp_serve(skew, 0x24, 2, Some(set_by))
}

fn sntp_serve(skew: f64, first: u8, stratum: u8, set_by: Option<PathBuf>) -> std::net::SocketAddr {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap();
    std::thread::spawn(move || {
        let ntp = |unix: f64| {
            let t = unix + 2_208_988_800.0;
            let secs = t.floor();
            let mut out = (secs as u64 as u32).to_be_bytes().to_vec();
            out.extend((((t - secs) * 4_294_967_296.0) as u32).to_be_bytes());
            out
        };
        let now = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs_f64()
                + if set_by.as_ref().is_some_and(|p| p.exists()) {
                    0.0
                } else {
                    skew
                }
        };
        let mut buf = [0u8; 512];
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            if n < 48 {
                continue;
            }
            let received = now();
            let mut reply = [0u8; 48];
            reply[0] = first;
            reply[1] = stratum;
            if stratum == 0 {
                reply[12..16].copy_from_slice(b"DENY");
            }
            reply[24..32].copy_from_slice(&buf[40..48]);
            reply[32..40].copy_from_slice(&ntp(received));
            reply[40..48].copy_from_slice(&ntp(now()));
            let _ = socket.send_to(&reply, from);
        }
    });
    addr
}

/// A step of a JSON report, by id (any playbook of the report).
pub fn step_of<'j>(json: &'j serde_json::Value, id: &str) -> &'j serde_json::Value {
    json["playbooks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["steps"].as_array().unwrap())
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id} in {json}"))
}

/// The id of a report's first conclusion ("" when no cause matched); a
/// cause that matched must have words for the user.
#[track_caller]
pub fn concluded(json: &serde_json::Value) -> String {
    let c = &json["conclusions"][0];
    if c["matched"] == true {
        assert!(
            c["tell_user"]
                .as_str()
                .is_some_and(|t| !t.trim().is_empty()),
            "a cause without words for the user: {c}"
        );
    }
    c["id"].as_str().unwrap_or_default().to_string()
}

/// Executable stand-in scripts (`#!/bin/sh` + each body) in `dir/bin`;
/// returns a PATH with them first, then the system's programs.
pub fn stand_ins(dir: &Path, programs: &[(&str, &str)]) -> String {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for (name, body) in programs {
        let path = bin.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    format!("{}:/usr/bin:/bin", bin.display())
}

/// Copies the program `from` to `to` and starts the copy with `args`. The
/// exec can fail with "text file busy" while another test's fork still
/// holds the fresh copy open: then it is tried again.
pub fn start_copy(from: &Path, to: &Path, args: &[&str]) -> std::process::Child {
    std::fs::copy(from, to).unwrap();
    for _ in 0..50 {
        match Command::new(to)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .spawn()
        {
            Ok(child) => return child,
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            Err(e) => panic!("{}: {e}", to.display()),
        }
    }
    panic!("{} would not start", to.display())
}

/// A running program named `name` (a copy of a system program in a folder
/// of its own), killed when dropped: a VPN client, a mail program, a sound
/// server for a playbook to find.
pub struct NamedProcess {
    child: std::process::Child,
    _dir: tempfile::TempDir,
}

impl NamedProcess {
    /// A copy of `sleep`: running, idle.
    pub fn idle(name: &str) -> NamedProcess {
        NamedProcess::start(name, "sleep", &["300"])
    }

    /// A copy of `sh` in a busy loop: running, keeping a core busy.
    pub fn busy(name: &str) -> NamedProcess {
        NamedProcess::start(name, "sh", &["-c", "while :; do :; done"])
    }

    /// `program` (from /bin or /usr/bin) copied as `name` and started with
    /// `args` ([`start_copy`]).
    pub fn start(name: &str, program: &str, args: &[&str]) -> NamedProcess {
        let from = ["/bin", "/usr/bin"]
            .iter()
            .map(|d| Path::new(d).join(program))
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("no {program} in /bin or /usr/bin"));
        let dir = tempfile::tempdir().unwrap();
        let child = start_copy(&from, &dir.path().join(name), args);
        NamedProcess { child, _dir: dir }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Collects the exit of a program something else stopped.
    pub fn reap(&mut self) {
        let _ = self.child.wait();
    }
}

impl Drop for NamedProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A step of a shipped playbook as written in `playbooks/NAME.toml` (for
/// tests that run or match its text directly: an OS's script, patterns).
pub fn shipped_step(playbook: &str, id: &str) -> toml::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("playbooks/{playbook}.toml"));
    let doc: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    doc["step"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("no step {id} in {}", path.display()))
        .clone()
}
