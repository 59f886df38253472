//! Running external programs: bounded in time and in captured output.
//!
//! Used by every step that runs a program (`command`, fixes, and later
//! version probes and bundle commands). Guarantees:
//! - stdin is closed, so a program that asks a question gets EOF, never a prompt;
//! - at the deadline, or when the run is interrupted, the whole process tree
//!   is killed (a process group on Unix, `taskkill /T` on Windows);
//! - stdout and stderr are each captured up to a cap, keeping the head and
//!   the tail, and marked truncated when bytes were dropped;
//! - a program's leftover background processes that still hold its output
//!   open two seconds after it exits are killed with its process group, and
//!   the output read so far is kept;
//! - every live process group is registered, so a hard exit (a second
//!   Ctrl-C or SIGTERM) can kill them all first ([`kill_all`]).
//!
//! A run costs little beyond the program itself: on Linux its exit is
//! waited for on a pidfd (elsewhere checked with a short, growing pause),
//! and on Unix one thread reads both output pipes (poll(2)).

use std::collections::{BTreeSet, VecDeque};
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::cancel::Cancel;

/// Process ids (= process group ids on Unix) of programs running now.
static LIVE: Mutex<BTreeSet<u32>> = Mutex::new(BTreeSet::new());

/// Kills every running program and its children (before a hard exit).
pub fn kill_all() {
    let pids: Vec<u32> = LIVE
        .lock()
        .map(|l| l.iter().copied().collect())
        .unwrap_or_default();
    for pid in pids {
        kill_tree_by_id(pid);
    }
}

/// What to run.
#[derive(Clone, Debug, Default)]
pub struct ProcessSpec {
    /// Program and arguments; with `shell`, a single command line.
    pub argv: Vec<String>,
    /// Run `argv[0]` as a command line through the platform shell.
    pub shell: bool,
    pub cwd: Option<PathBuf>,
    pub env: Vec<(String, String)>,
    /// Bytes kept per stream.
    pub max_output: usize,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Ending {
    /// Exited with a code (on Unix, a signal `n` is reported as `128 + n`).
    Exited(i32),
    TimedOut,
    Interrupted,
    /// The program could not be started.
    SpawnFailed(String),
}

/// How a program run by [`run_tool`] failed: its exit code (`None` when it
/// did not exit: timed out, interrupted, not started) and what it said.
#[derive(Clone, Debug)]
pub struct ToolFailure {
    pub code: Option<i32>,
    pub said: String,
}

/// Runs a program whose output is the answer (`systemctl show`,
/// `journalctl`, `launchctl print`): its stdout, and whether it was cut,
/// when it exits 0; otherwise its exit code and what it said (stderr, else
/// stdout), or why it did not exit.
pub fn run_tool(
    argv: Vec<String>,
    env: Vec<(String, String)>,
    max_output: usize,
    deadline: Instant,
    cancel: &Cancel,
) -> Result<(String, bool), ToolFailure> {
    let shown = display_argv(&argv);
    let r = run(
        &ProcessSpec {
            argv,
            shell: false,
            cwd: None,
            env,
            max_output,
        },
        deadline,
        cancel,
    );
    let failure = |code, said: String| Err(ToolFailure { code, said });
    match r.ending {
        Ending::Exited(0) => Ok((r.stdout, r.truncated)),
        Ending::Exited(code) => {
            let said = if r.stderr.trim().is_empty() {
                r.stdout.trim()
            } else {
                r.stderr.trim()
            };
            failure(Some(code), said.to_string())
        }
        Ending::TimedOut => failure(None, format!("`{shown}` did not finish in time")),
        Ending::Interrupted => failure(None, "interrupted".into()),
        Ending::SpawnFailed(e) => failure(None, format!("cannot run `{shown}`: {e}")),
    }
}

/// The result of [`run`].
#[derive(Clone, Debug)]
pub struct ProcessResult {
    pub ending: Ending,
    pub stdout: String,
    pub stderr: String,
    pub truncated: bool,
    pub duration: Duration,
    /// The program could not be started because it does not exist.
    pub missing_program: bool,
}

/// The argv that runs `script` through the platform shell.
pub fn shell_argv(script: &str) -> Vec<String> {
    if cfg!(windows) {
        vec![
            "cmd.exe".into(),
            "/D".into(),
            "/S".into(),
            "/C".into(),
            script.into(),
        ]
    } else {
        vec!["sh".into(), "-c".into(), script.into()]
    }
}

/// The raw command-line tail passed to `cmd.exe` for `script`: `/D /S /C "script"`.
///
/// With `/S`, cmd strips exactly the outer quotes and runs the rest verbatim,
/// so the script needs no further escaping (cmd's own `^` and `%` rules apply).
pub fn windows_cmd_tail(script: &str) -> String {
    format!("/D /S /C \"{script}\"")
}

/// Quotes one argument for display in reports (POSIX-shell style).
pub fn display_arg(arg: &str) -> String {
    if !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,+@%\\".contains(c))
    {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// A command line for display: `ipconfig /all`.
pub fn display_argv(argv: &[String]) -> String {
    argv.iter()
        .map(|a| display_arg(a))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Keeps the first and last `cap / 2` bytes of a stream.
#[derive(Default)]
struct Capture {
    cap: usize,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    dropped: u64,
}

impl Capture {
    fn new(cap: usize) -> Capture {
        Capture {
            cap,
            head: Vec::new(),
            tail: VecDeque::new(),
            dropped: 0,
        }
    }

    fn push(&mut self, mut bytes: &[u8]) {
        let half = self.cap / 2;
        let room = (self.cap - half).saturating_sub(self.head.len());
        let take = room.min(bytes.len());
        self.head.extend_from_slice(&bytes[..take]);
        bytes = &bytes[take..];
        if bytes.is_empty() {
            return;
        }
        self.tail.extend(bytes);
        while self.tail.len() > half {
            let excess = self.tail.len() - half;
            self.tail.drain(..excess);
            self.dropped += excess as u64;
        }
    }

    fn finish(&self) -> (String, bool) {
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if self.dropped > 0 {
            text.push_str(&format!("\n[... {} bytes omitted ...]\n", self.dropped));
        }
        let tail: Vec<u8> = self.tail.iter().copied().collect();
        text.push_str(&String::from_utf8_lossy(&tail));
        (text, self.dropped > 0)
    }
}

/// A stream being read on another thread into a shared capture; `done`
/// is set when it reached its end (or failed).
struct Reader {
    capture: Arc<Mutex<Capture>>,
    done: Arc<std::sync::atomic::AtomicBool>,
}

impl Reader {
    fn new(cap: usize) -> Reader {
        Reader {
            capture: Arc::new(Mutex::new(Capture::new(cap))),
            done: Arc::default(),
        }
    }

    fn is_done(&self) -> bool {
        self.done.load(std::sync::atomic::Ordering::Acquire)
    }

    /// The writing side, for the reading thread.
    fn sink(&self) -> (Arc<Mutex<Capture>>, Arc<std::sync::atomic::AtomicBool>) {
        (self.capture.clone(), self.done.clone())
    }
}

/// Reads `stream` to its end into `capture`, then sets `done`.
fn read_to_end(
    mut stream: impl Read,
    (capture, done): (Arc<Mutex<Capture>>, Arc<std::sync::atomic::AtomicBool>),
) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if let Ok(mut c) = capture.lock() {
                    c.push(&buf[..n]);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    done.store(true, std::sync::atomic::Ordering::Release);
}

/// Readers of a child's stdout and stderr. On Unix one thread serves both
/// (poll(2) on the two pipes): a program run costs one thread, not two.
fn readers(child: &mut Child, cap: usize) -> (Option<Reader>, Option<Reader>) {
    let out = child.stdout.take();
    let err = child.stderr.take();
    let (r_out, r_err) = (
        out.as_ref().map(|_| Reader::new(cap)),
        err.as_ref().map(|_| Reader::new(cap)),
    );
    match (out, err, &r_out, &r_err) {
        #[cfg(unix)]
        (Some(out), Some(err), Some(ro), Some(re)) => {
            let (so, se) = (ro.sink(), re.sink());
            thread::spawn(move || read_both(out, err, so, se));
        }
        // Windows, or a stream not piped: a thread each.
        (out, err, ro, re) => {
            if let (Some(s), Some(r)) = (out, ro) {
                let sink = r.sink();
                thread::spawn(move || read_to_end(s, sink));
            }
            if let (Some(s), Some(r)) = (err, re) {
                let sink = r.sink();
                thread::spawn(move || read_to_end(s, sink));
            }
        }
    }
    (r_out, r_err)
}

/// Both pipes read on one thread: poll(2) says which has data (or has
/// closed), a read takes what is there, until both have ended.
#[cfg(unix)]
fn read_both(
    mut out: std::process::ChildStdout,
    mut err: std::process::ChildStderr,
    so: (Arc<Mutex<Capture>>, Arc<std::sync::atomic::AtomicBool>),
    se: (Arc<Mutex<Capture>>, Arc<std::sync::atomic::AtomicBool>),
) {
    use std::os::fd::AsRawFd;
    let mut open = [true, true];
    let mut buf = [0u8; 16 * 1024];
    while open[0] || open[1] {
        let fds = [out.as_raw_fd(), err.as_raw_fd()];
        let mut polls: Vec<libc::pollfd> = (0..2)
            .filter(|&i| open[i])
            .map(|i| libc::pollfd {
                fd: fds[i],
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        // SAFETY: `polls` holds valid pollfds of descriptors we own.
        let n = unsafe { libc::poll(polls.as_mut_ptr(), polls.len() as libc::nfds_t, -1) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            break;
        }
        for p in polls.iter().filter(|p| p.revents != 0) {
            let i = usize::from(p.fd == fds[1]);
            let read = if i == 0 {
                out.read(&mut buf)
            } else {
                err.read(&mut buf)
            };
            let (capture, done) = if i == 0 { &so } else { &se };
            match read {
                Ok(0) => open[i] = false,
                Ok(n) => {
                    if let Ok(mut c) = capture.lock() {
                        c.push(&buf[..n]);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => open[i] = false,
            }
            if !open[i] {
                done.store(true, std::sync::atomic::Ordering::Release);
            }
        }
    }
    for (_, done) in [&so, &se] {
        done.store(true, std::sync::atomic::Ordering::Release);
    }
}

fn build(spec: &ProcessSpec) -> Command {
    let mut cmd;
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        if spec.shell {
            // Hand cmd.exe its command line verbatim (see windows_cmd_tail).
            cmd = Command::new("cmd.exe");
            cmd.raw_arg(windows_cmd_tail(&spec.argv[0]));
        } else {
            cmd = Command::new(&spec.argv[0]);
            cmd.args(&spec.argv[1..]);
        }
        // CREATE_NO_WINDOW: no console window pops up when run from a GUI agent.
        cmd.creation_flags(0x0800_0000);
    }
    #[cfg(not(windows))]
    {
        if spec.shell {
            cmd = Command::new("sh");
            cmd.arg("-c").arg(&spec.argv[0]);
        } else {
            cmd = Command::new(&spec.argv[0]);
            cmd.args(&spec.argv[1..]);
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own process group, so a timeout can kill the whole tree.
        cmd.process_group(0);
    }
    if let Some(dir) = &spec.cwd {
        cmd.current_dir(dir);
    }
    for (k, v) in &spec.env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Kills the process tree started as `pid` (its process group on Unix).
fn kill_tree_by_id(pid: u32) {
    #[cfg(unix)]
    {
        // SAFETY: kill(2) with a negative pid signals the process group we created.
        unsafe {
            libc::kill(-(pid as i32), libc::SIGKILL);
        }
    }
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        let _ = Command::new("taskkill")
            .args(["/T", "/F", "/PID", &pid.to_string()])
            .creation_flags(0x0800_0000)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Kills a child and every process it started.
fn kill_tree(child: &mut Child) {
    kill_tree_by_id(child.id());
    let _ = child.kill();
}

fn exit_code(status: std::process::ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return 128 + sig;
        }
    }
    status.code().unwrap_or(-1)
}

/// Runs a program until it exits, the deadline passes, or `cancel` is set.
pub fn run(spec: &ProcessSpec, deadline: Instant, cancel: &Cancel) -> ProcessResult {
    let started = Instant::now();
    let failed = |msg: String, missing_program: bool| ProcessResult {
        ending: Ending::SpawnFailed(msg),
        stdout: String::new(),
        stderr: String::new(),
        truncated: false,
        duration: started.elapsed(),
        missing_program,
    };
    if spec.argv.is_empty() || spec.argv[0].is_empty() {
        return failed("empty command".into(), false);
    }
    let mut child = match build(spec).spawn() {
        Ok(c) => c,
        Err(e) => {
            return failed(
                format!("could not start `{}`: {e}", spec.argv[0]),
                e.kind() == std::io::ErrorKind::NotFound,
            );
        }
    };
    let pid = child.id();
    if let Ok(mut live) = LIVE.lock() {
        live.insert(pid);
    }
    let (out, err) = readers(&mut child, spec.max_output);
    // Short programs are the common case (a `test`, a `reg query`): on
    // Linux the wait ends the moment the program does (a pidfd); elsewhere
    // look again soon, then back off, so a millisecond's program costs
    // about a millisecond, and a long one a check every 50 ms.
    let exit = ExitWatch::new(pid);
    let mut pause = FIRST_PAUSE;
    let ending = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ending::Exited(exit_code(status)),
            Ok(None) => {}
            Err(e) => {
                kill_tree(&mut child);
                break Ending::SpawnFailed(format!("could not wait for `{}`: {e}", spec.argv[0]));
            }
        }
        if cancel.is_set() {
            kill_tree(&mut child);
            break Ending::Interrupted;
        }
        if Instant::now() >= deadline {
            kill_tree(&mut child);
            break Ending::TimedOut;
        }
        let check_again = deadline
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(50));
        exit.wait(check_again, pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    };
    let _ = child.wait();
    // A background process the program left behind may hold the pipes open:
    // wait a little for the output, then kill the leftovers.
    let grace = Instant::now() + PIPE_GRACE;
    let lingering = [&out, &err]
        .iter()
        .any(|r| r.as_ref().is_some_and(|r| !wait_until_done(r, grace)));
    if lingering {
        kill_tree_by_id(pid);
    }
    if let Ok(mut live) = LIVE.lock() {
        live.remove(&pid);
    }
    let collect = |r: Option<Reader>| -> (String, bool) {
        let Some(r) = r else {
            return (String::new(), false);
        };
        // After the kill the pipe closes; give the reader a moment to finish.
        wait_until_done(&r, Instant::now() + Duration::from_millis(500));
        r.capture.lock().map(|c| c.finish()).unwrap_or_default()
    };
    let (mut stdout, t1) = collect(out);
    let (stderr, t2) = collect(err);
    if lingering {
        stdout.push_str(
            "\n[supportctl: background processes still held the output open and were killed]\n",
        );
    }
    ProcessResult {
        ending,
        stdout,
        stderr,
        truncated: t1 || t2 || lingering,
        duration: started.elapsed(),
        missing_program: false,
    }
}

/// How long output may stay open after the program exits.
pub const PIPE_GRACE: Duration = Duration::from_secs(2);

/// The first wait between checks on a program or its output readers,
/// doubled after each check.
const FIRST_PAUSE: Duration = Duration::from_micros(100);

/// Waiting for a child to exit without polling: a pidfd on Linux (5.3 and
/// later), readable when the process ends; elsewhere, or when the kernel
/// has none, a sleep.
struct ExitWatch {
    #[cfg(target_os = "linux")]
    fd: Option<std::os::fd::OwnedFd>,
}

impl ExitWatch {
    #[cfg(target_os = "linux")]
    fn new(pid: u32) -> ExitWatch {
        use std::os::fd::FromRawFd;
        // SAFETY: pidfd_open takes a pid and flags and returns a new file
        // descriptor or -1; the child is not reaped yet, so the pid is ours.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
        ExitWatch {
            // SAFETY: a descriptor just returned by the kernel, owned by no one else.
            fd: (fd >= 0).then(|| unsafe { std::os::fd::OwnedFd::from_raw_fd(fd as i32) }),
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn new(_pid: u32) -> ExitWatch {
        ExitWatch {}
    }

    /// Returns when the child exits or `limit` passes (with a pidfd), or
    /// after `pause` (without).
    fn wait(&self, limit: Duration, pause: Duration) {
        #[cfg(target_os = "linux")]
        if let Some(fd) = &self.fd {
            use std::os::fd::AsRawFd;
            let mut poll = libc::pollfd {
                fd: fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            let ms = limit.as_millis().clamp(1, 50) as libc::c_int;
            // SAFETY: one valid pollfd for the duration of the call.
            unsafe { libc::poll(&mut poll, 1, ms) };
            return;
        }
        let _ = limit;
        thread::sleep(pause);
    }
}

fn wait_until_done(reader: &Reader, until: Instant) -> bool {
    let mut pause = FIRST_PAUSE;
    while !reader.is_done() && Instant::now() < until {
        thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(5));
    }
    reader.is_done()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_keeps_head_and_tail() {
        let mut c = Capture::new(10);
        c.push(b"0123456789abcdefghij");
        let (text, truncated) = c.finish();
        assert!(truncated);
        assert!(text.starts_with("01234"), "{text}");
        assert!(text.ends_with("fghij"), "{text}");
        assert!(text.contains("10 bytes omitted"));
        let mut c = Capture::new(100);
        c.push(b"short");
        assert_eq!(c.finish(), ("short".to_string(), false));
    }

    #[test]
    fn cmd_tail_and_display() {
        assert_eq!(
            windows_cmd_tail("dir \"C:\\Program Files\""),
            "/D /S /C \"dir \"C:\\Program Files\"\""
        );
        assert_eq!(
            display_argv(&["ls".into(), "-l".into(), "a b".into(), "it's".into()]),
            r"ls -l 'a b' 'it'\''s'"
        );
    }

    #[cfg(unix)]
    #[test]
    fn runs_and_times_out() {
        let cancel = Cancel::new();
        let spec = |argv: &[&str]| ProcessSpec {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            max_output: 1 << 16,
            ..Default::default()
        };
        let r = run(
            &spec(&["sh", "-c", "echo hi; echo err >&2; exit 3"]),
            Instant::now() + Duration::from_secs(10),
            &cancel,
        );
        assert_eq!(r.ending, Ending::Exited(3));
        assert_eq!(r.stdout, "hi\n");
        assert_eq!(r.stderr, "err\n");
        let r = run(
            &spec(&["sleep", "30"]),
            Instant::now() + Duration::from_millis(200),
            &cancel,
        );
        assert_eq!(r.ending, Ending::TimedOut);
        let r = run(
            &spec(&["no-such-program-xyz"]),
            Instant::now() + Duration::from_secs(1),
            &cancel,
        );
        assert!(r.missing_program);
        assert!(matches!(r.ending, Ending::SpawnFailed(m) if m.contains("no-such-program-xyz")));
    }
}
