//! Stopping processes: ask (SIGTERM; `WM_CLOSE` to the program's windows
//! on Windows), wait up to a grace period, then force (SIGKILL;
//! `TerminateProcess`), and say what became of each one.

use std::time::{Duration, Instant};

use sysinfo::{Pid, ProcessRefreshKind, ProcessStatus, ProcessesToUpdate, System};

use super::Proc;
use crate::cancel::Cancel;

/// What became of one process.
#[derive(Clone, Debug, PartialEq)]
pub enum Stopped {
    /// It exited when asked.
    Asked,
    /// It was forced after the grace period.
    Forced,
    /// It had already exited (or its pid now belongs to another program).
    AlreadyGone,
    /// Still running, and why (access denied, did not die...).
    Survived(String),
}

/// How long a forced process may take to disappear.
const AFTER_FORCE: Duration = Duration::from_secs(3);

/// Stops `targets`: asks each, waits up to `grace` (never past
/// `deadline`), forces the ones left, and reports each.
pub fn stop(
    targets: &[Proc],
    grace: Duration,
    deadline: Instant,
    cancel: &Cancel,
) -> Vec<(Proc, Stopped)> {
    let mut sys = System::new();
    let mut results: Vec<Option<Stopped>> = vec![None; targets.len()];
    let mut denied: Vec<Option<String>> = vec![None; targets.len()];
    for (i, p) in targets.iter().enumerate() {
        if !alive(&mut sys, p) {
            results[i] = Some(Stopped::AlreadyGone);
            continue;
        }
        if let Err(e) = platform::ask(p.pid) {
            denied[i] = Some(e);
        }
    }
    let asked_until = (Instant::now() + grace).min(deadline);
    wait(
        &mut sys,
        targets,
        &mut results,
        asked_until,
        cancel,
        Stopped::Asked,
    );
    for (i, p) in targets.iter().enumerate() {
        if results[i].is_none()
            && let Err(e) = platform::force(p.pid)
        {
            denied[i] = Some(e);
        }
    }
    let forced_until = (Instant::now() + AFTER_FORCE)
        .min(deadline.max(Instant::now() + Duration::from_millis(500)));
    wait(
        &mut sys,
        targets,
        &mut results,
        forced_until,
        cancel,
        Stopped::Forced,
    );
    targets
        .iter()
        .zip(results)
        .zip(denied)
        .map(|((p, r), denied)| {
            let r = r.unwrap_or_else(|| {
                Stopped::Survived(denied.unwrap_or_else(|| {
                    "still running after it was forced (stuck in the kernel, e.g. on a hung disk or network share)"
                        .into()
                }))
            });
            (p.clone(), r)
        })
        .collect()
}

/// Waits until every pending target is gone or `until`, marking the gone ones `how`.
fn wait(
    sys: &mut System,
    targets: &[Proc],
    results: &mut [Option<Stopped>],
    until: Instant,
    cancel: &Cancel,
    how: Stopped,
) {
    loop {
        for (i, p) in targets.iter().enumerate() {
            if results[i].is_none() && !alive(sys, p) {
                results[i] = Some(how.clone());
            }
        }
        if results.iter().all(Option::is_some) || Instant::now() >= until || cancel.is_set() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether `p` still runs: same pid, same start time, not a zombie.
fn alive(sys: &mut System, p: &Proc) -> bool {
    let pid = Pid::from_u32(p.pid);
    sys.refresh_processes_specifics(
        ProcessesToUpdate::Some(&[pid]),
        true,
        ProcessRefreshKind::nothing(),
    );
    sys.process(pid).is_some_and(|now| {
        now.start_time() == p.start_time
            && !matches!(now.status(), ProcessStatus::Zombie | ProcessStatus::Dead)
    })
}

#[cfg(unix)]
mod platform {
    /// SIGTERM.
    pub fn ask(pid: u32) -> Result<(), String> {
        signal(pid, libc::SIGTERM)
    }

    /// SIGKILL.
    pub fn force(pid: u32) -> Result<(), String> {
        signal(pid, libc::SIGKILL)
    }

    fn signal(pid: u32, sig: libc::c_int) -> Result<(), String> {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return Err(format!("pid {pid} out of range"));
        };
        // SAFETY: kill(2) with a positive pid signals that one process.
        if unsafe { libc::kill(pid, sig) } == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::ESRCH) => Ok(()),
            Some(libc::EPERM) => {
                Err("access denied: it belongs to another user (run supportctl elevated)".into())
            }
            _ => Err(e.to_string()),
        }
    }
}

#[cfg(windows)]
mod platform {
    use windows_sys::Win32::Foundation::{CloseHandle, HWND, LPARAM, TRUE};
    use windows_sys::Win32::System::Threading::{OpenProcess, PROCESS_TERMINATE, TerminateProcess};
    use windows_sys::Win32::UI::WindowsAndMessaging::{
        EnumWindows, GetWindowThreadProcessId, PostMessageW, WM_CLOSE,
    };
    use windows_sys::core::BOOL;

    /// `WM_CLOSE` to each top-level window of `pid` (a program without
    /// windows is left to the force).
    pub fn ask(pid: u32) -> Result<(), String> {
        unsafe extern "system" fn each(hwnd: HWND, lparam: LPARAM) -> BOOL {
            let mut owner = 0u32;
            // SAFETY: `hwnd` comes from EnumWindows; `owner` is a valid u32.
            unsafe { GetWindowThreadProcessId(hwnd, &mut owner) };
            if owner == lparam as u32 {
                // SAFETY: posting a message to a window handle is always safe.
                unsafe { PostMessageW(hwnd, WM_CLOSE, 0, 0) };
            }
            TRUE
        }
        // SAFETY: the callback only reads its arguments.
        unsafe { EnumWindows(Some(each), pid as LPARAM) };
        Ok(())
    }

    /// `TerminateProcess`.
    pub fn force(pid: u32) -> Result<(), String> {
        // SAFETY: OpenProcess returns null or a handle we close below.
        let handle = unsafe { OpenProcess(PROCESS_TERMINATE, 0, pid) };
        if handle.is_null() {
            let e = std::io::Error::last_os_error();
            return Err(if e.raw_os_error() == Some(5) {
                "access denied: a protected or elevated process (run supportctl as an administrator)"
                    .into()
            } else {
                e.to_string()
            });
        }
        // SAFETY: `handle` is a valid process handle with PROCESS_TERMINATE.
        let ok = unsafe { TerminateProcess(handle, 1) };
        let e = std::io::Error::last_os_error();
        // SAFETY: closing the handle we opened.
        unsafe { CloseHandle(handle) };
        if ok == 0 {
            return Err(if e.raw_os_error() == Some(5) {
                "access denied: a protected process".into()
            } else {
                e.to_string()
            });
        }
        Ok(())
    }
}

#[cfg(not(any(unix, windows)))]
mod platform {
    pub fn ask(_: u32) -> Result<(), String> {
        Err("stopping processes is not supported on this OS".into())
    }
    pub fn force(_: u32) -> Result<(), String> {
        Err("stopping processes is not supported on this OS".into())
    }
}
