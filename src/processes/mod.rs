//! The process table: find running programs by name, command line and
//! owner, sample their CPU and memory, and stop them (ask, wait, force).
//!
//! An engine: plain parameters in ([`Filter`]), its own results out
//! ([`Proc`], [`Stopped`]). The table comes from sysinfo on every OS (name,
//! executable, command line, owner, start time, CPU, resident memory);
//! stopping uses platform calls sysinfo lacks: `kill(2)` with SIGTERM then
//! SIGKILL on Unix (so `EPERM` can be told apart), and on Windows `WM_CLOSE`
//! to the program's top-level windows, then `TerminateProcess`
//! ([`stop`]). A process is identified by its pid *and* start time, so a
//! pid reused while we wait is never signalled.

mod owner;
mod stop;

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use regex::Regex;
use sysinfo::{Pid, ProcessRefreshKind, ProcessStatus, ProcessesToUpdate, System, UpdateKind};

use crate::cancel::Cancel;

pub use stop::{Stopped, stop};

/// Which processes to look at; every part given must match.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// The program's name: the executable's file name, `argv[0]`'s or the
    /// kernel's process name. On Windows `.exe` is optional and case is ignored.
    pub program: Option<String>,
    /// A regex searched in the whole command line (arguments joined by spaces).
    pub cmdline: Option<Regex>,
    /// The owner's user name (case ignored on Windows).
    pub user: Option<String>,
}

/// One process, as seen when the table was read.
#[derive(Clone, Debug, PartialEq)]
pub struct Proc {
    pub pid: u32,
    pub name: String,
    pub user: String,
    /// Seconds since the Unix epoch.
    pub start_time: u64,
    /// Percent of one CPU over the sample window (can pass 100 on several cores).
    pub cpu: f64,
    /// Resident memory, bytes.
    pub memory: u64,
    pub cmdline: String,
    /// Exited but not yet collected by its parent (Unix): not running.
    pub zombie: bool,
}

/// A read of the process table.
pub struct Table {
    sys: System,
    owners: owner::Names,
    /// Whether CPU figures cover a sample window (else they are 0).
    pub sampled: bool,
}

fn refresh_kind() -> ProcessRefreshKind {
    ProcessRefreshKind::nothing()
        .with_cpu()
        .with_memory()
        .with_cmd(UpdateKind::OnlyIfNotSet)
        .with_exe(UpdateKind::OnlyIfNotSet)
        .with_user(UpdateKind::OnlyIfNotSet)
}

impl Table {
    /// Reads the table; with `sample`, reads it twice that far apart so
    /// CPU use is measured (stopping early if cancelled or past `deadline`).
    pub fn read(sample: Option<Duration>, deadline: Instant, cancel: &Cancel) -> Table {
        let mut sys = System::new();
        sys.refresh_processes_specifics(ProcessesToUpdate::All, true, refresh_kind());
        let mut sampled = false;
        if let Some(window) = sample {
            let window = window.max(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL);
            let until = (Instant::now() + window).min(deadline);
            while Instant::now() < until && !cancel.is_set() {
                std::thread::sleep(Duration::from_millis(50).min(until - Instant::now()));
            }
            sys.refresh_processes_specifics(ProcessesToUpdate::All, true, refresh_kind());
            sampled = true;
        }
        Table {
            sys,
            owners: owner::Names::new(),
            sampled,
        }
    }

    /// The processes `filter` matches, never this process or its parent,
    /// highest CPU first (then most memory, then pid).
    pub fn matching(&self, filter: &Filter) -> Vec<Proc> {
        let own = sysinfo::get_current_pid().ok();
        let parent = own
            .and_then(|p| self.sys.process(p))
            .and_then(|p| p.parent());
        let skip: HashSet<Pid> = own.into_iter().chain(parent).collect();
        let mut out: Vec<Proc> = self
            .sys
            .processes()
            .iter()
            .filter(|(pid, _)| !skip.contains(pid))
            .filter(|(_, p)| p.thread_kind().is_none())
            .map(|(pid, p)| self.describe(*pid, p))
            .filter(|(proc, names)| filter.accepts(proc, names))
            .map(|(proc, _)| proc)
            .collect();
        out.sort_by(|a, b| {
            b.cpu
                .total_cmp(&a.cpu)
                .then(b.memory.cmp(&a.memory))
                .then(a.pid.cmp(&b.pid))
        });
        out
    }

    /// A process and the names it answers to (kernel name, executable, argv[0]).
    fn describe(&self, pid: Pid, p: &sysinfo::Process) -> (Proc, Vec<String>) {
        let name = p.name().to_string_lossy().into_owned();
        let cmd: Vec<String> = p
            .cmd()
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let mut names = vec![name.clone()];
        if let Some(exe) = p.exe().and_then(Path::file_name) {
            names.push(exe.to_string_lossy().into_owned());
        }
        if let Some(argv0) = cmd.first() {
            let base = argv0.rsplit(['/', '\\']).next().unwrap_or(argv0);
            names.push(base.to_string());
        }
        let user = p.user_id().map(|u| self.owners.name(u)).unwrap_or_default();
        let proc = Proc {
            pid: pid.as_u32(),
            name,
            user,
            start_time: p.start_time(),
            cpu: f64::from(p.cpu_usage()),
            memory: p.memory(),
            cmdline: if cmd.is_empty() {
                format!("[{}]", p.name().to_string_lossy())
            } else {
                cmd.join(" ")
            },
            zombie: matches!(p.status(), ProcessStatus::Zombie | ProcessStatus::Dead),
        };
        (proc, names)
    }
}

impl Filter {
    fn accepts(&self, p: &Proc, names: &[String]) -> bool {
        let windows = cfg!(windows);
        self.program
            .as_deref()
            .is_none_or(|want| names.iter().any(|n| program_matches(want, n, windows)))
            && self
                .cmdline
                .as_ref()
                .is_none_or(|re| re.is_match(&p.cmdline))
            && self.user.as_deref().is_none_or(|u| {
                if windows {
                    // `DOMAIN\user` or `user`.
                    let short = p.user.rsplit('\\').next().unwrap_or(&p.user);
                    u.eq_ignore_ascii_case(&p.user) || u.eq_ignore_ascii_case(short)
                } else {
                    u == p.user
                }
            })
    }
}

/// Programs `action = "kill"` never stops, whatever a playbook or a
/// `--var` names: the init system, the kernel's threads, the session and
/// security processes whose death logs everyone out or halts the machine,
/// and remote access (stopping it would cut off the technician).
const PROTECTED: &[&str] = &[
    "init",
    "systemd",
    "launchd",
    "kernel_task",
    "kthreadd",
    "sshd",
    // OpenSSH 9.8 and later: each session's process, and 10's authenticator.
    "sshd-session",
    "sshd-auth",
    "systemd-logind",
    "dbus-daemon",
    "loginwindow",
    "WindowServer",
    "System",
    "Registry",
    "smss",
    "csrss",
    "wininit",
    "winlogon",
    "services",
    "lsass",
    "svchost",
    "dwm",
    "fontdrvhost",
    "MsMpEng",
];

/// Why `p` must not be stopped, if it must not.
pub fn protected(p: &Proc) -> Option<String> {
    if p.pid <= 1 {
        return Some("the init process".into());
    }
    if p.cmdline.starts_with('[') && p.cmdline.ends_with(']') && cfg!(target_os = "linux") {
        return Some("a kernel thread".into());
    }
    PROTECTED
        .iter()
        .find(|name| program_matches(name, &p.name, true))
        .map(|name| format!("{name} is a protected system process"))
}

/// Whether a process called `name` is the program `want`. On Windows the
/// comparison ignores case and a trailing `.exe` on either side. Linux
/// cuts kernel names to 15 bytes, so a 15-byte name matches the start of
/// a longer wanted name (the executable's own name is compared too).
pub fn program_matches(want: &str, name: &str, windows: bool) -> bool {
    if windows {
        let strip = |s: &str| {
            let lower = s.to_lowercase();
            lower
                .strip_suffix(".exe")
                .map(str::to_string)
                .unwrap_or(lower)
        };
        return strip(want) == strip(name);
    }
    want == name || (name.len() == 15 && want.len() > 15 && want.starts_with(name))
}

#[cfg(test)]
mod tests {
    use super::program_matches;

    #[test]
    fn names_match_per_platform() {
        assert!(program_matches("outlook", "OUTLOOK.EXE", true));
        assert!(program_matches("Outlook.exe", "outlook", true));
        assert!(!program_matches("outlook", "outlook2.exe", true));
        assert!(program_matches("sleep", "sleep", false));
        assert!(!program_matches("Sleep", "sleep", false));
        assert!(program_matches(
            "supportctl-test-sleeper",
            "supportctl-test",
            false
        ));
        assert!(!program_matches("sleep", "sleeper", false));
    }
}
