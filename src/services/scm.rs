//! Windows: the Service Control Manager through its API (`OpenSCManagerW`,
//! `QueryServiceStatusEx`, `QueryServiceConfigW`, `StartServiceW`,
//! `ControlService`, `EnumDependentServicesW`). Controls wait for the
//! target state within the step's time; a stop first stops the running
//! services that depend on it, and a restart starts them again after.

use std::time::{Duration, Instant};

use windows_sys::Win32::System::Services::{
    CloseServiceHandle, ControlService, ENUM_SERVICE_STATUS_PROCESSW, ENUM_SERVICE_STATUSW,
    EnumDependentServicesW, EnumServicesStatusExW, OpenSCManagerW, OpenServiceW,
    QUERY_SERVICE_CONFIGW, QueryServiceConfigW, QueryServiceStatusEx, SC_ENUM_PROCESS_INFO,
    SC_HANDLE, SC_MANAGER_CONNECT, SC_MANAGER_ENUMERATE_SERVICE, SC_STATUS_PROCESS_INFO,
    SERVICE_ACTIVE, SERVICE_AUTO_START, SERVICE_BOOT_START, SERVICE_CONTROL_STOP,
    SERVICE_DEMAND_START, SERVICE_DISABLED, SERVICE_ENUMERATE_DEPENDENTS, SERVICE_QUERY_CONFIG,
    SERVICE_QUERY_STATUS, SERVICE_RUNNING, SERVICE_START, SERVICE_START_PENDING, SERVICE_STATE_ALL,
    SERVICE_STATUS, SERVICE_STATUS_PROCESS, SERVICE_STOP, SERVICE_STOP_PENDING, SERVICE_STOPPED,
    SERVICE_SYSTEM_START, SERVICE_WIN32, StartServiceW,
};

use super::{Budget, Control, Manager, ServiceError, ServiceStatus, StartMode, State};

pub struct Scm;

const ACCESS_DENIED: i32 = 5;
const SERVICE_DOES_NOT_EXIST: i32 = 1060;
const SERVICE_ALREADY_RUNNING: i32 = 1056;
const SERVICE_NOT_ACTIVE: i32 = 1062;
const MORE_DATA: i32 = 234;
const INSUFFICIENT_BUFFER: i32 = 122;

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// A NUL-terminated UTF-16 string.
///
/// # Safety
/// `p` is null or points to a NUL-terminated UTF-16 string.
unsafe fn from_wide(p: *const u16) -> String {
    if p.is_null() {
        return String::new();
    }
    let mut len = 0;
    // SAFETY: the caller promises a terminating NUL.
    while unsafe { *p.add(len) } != 0 {
        len += 1;
    }
    // SAFETY: `len` u16s before the NUL are readable.
    String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(p, len) })
}

/// A service or manager handle, closed on drop.
struct Handle(SC_HANDLE);

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: a handle we opened and close once.
        unsafe { CloseServiceHandle(self.0) };
    }
}

fn last_error() -> std::io::Error {
    std::io::Error::last_os_error()
}

fn manager(access: u32) -> Result<Handle, ServiceError> {
    // SAFETY: null machine and database names mean this machine's active database.
    let h = unsafe { OpenSCManagerW(std::ptr::null(), std::ptr::null(), access) };
    if h.is_null() {
        let e = last_error();
        return Err(if e.raw_os_error() == Some(ACCESS_DENIED) {
            ServiceError::Denied(
                "access to the Service Control Manager denied (run supportctl as an administrator)"
                    .into(),
            )
        } else {
            ServiceError::NoManager(format!("cannot open the Service Control Manager: {e}"))
        });
    }
    Ok(Handle(h))
}

fn open(scm: &Handle, name: &str, access: u32) -> Result<Handle, ServiceError> {
    let w = wide(name);
    // SAFETY: `w` is NUL-terminated; `scm` is open.
    let h = unsafe { OpenServiceW(scm.0, w.as_ptr(), access) };
    if h.is_null() {
        let e = last_error();
        return Err(match e.raw_os_error() {
            Some(SERVICE_DOES_NOT_EXIST) => {
                ServiceError::NotFound(format!("no service `{name}` on this machine"))
            }
            Some(ACCESS_DENIED) => ServiceError::Denied(format!(
                "access to service `{name}` denied (run supportctl as an administrator)"
            )),
            _ => ServiceError::Failed(format!("cannot open service `{name}`: {e}")),
        });
    }
    Ok(Handle(h))
}

fn status(h: &Handle) -> Result<SERVICE_STATUS_PROCESS, ServiceError> {
    let mut s = SERVICE_STATUS_PROCESS::default();
    let mut needed = 0u32;
    // SAFETY: the buffer is a SERVICE_STATUS_PROCESS of the size given.
    let ok = unsafe {
        QueryServiceStatusEx(
            h.0,
            SC_STATUS_PROCESS_INFO,
            (&mut s as *mut SERVICE_STATUS_PROCESS).cast(),
            std::mem::size_of::<SERVICE_STATUS_PROCESS>() as u32,
            &mut needed,
        )
    };
    if ok == 0 {
        return Err(ServiceError::Failed(format!(
            "cannot read the service's status: {}",
            last_error()
        )));
    }
    Ok(s)
}

/// (start type, display name).
fn config(h: &Handle) -> Result<(u32, String), ServiceError> {
    let mut needed = 0u32;
    // SAFETY: asking for the size only.
    unsafe { QueryServiceConfigW(h.0, std::ptr::null_mut(), 0, &mut needed) };
    let e = last_error().raw_os_error();
    if needed == 0 || !matches!(e, Some(INSUFFICIENT_BUFFER) | Some(MORE_DATA)) {
        return Err(ServiceError::Failed(format!(
            "cannot read the service's configuration: {}",
            last_error()
        )));
    }
    // u64 words keep the buffer aligned for QUERY_SERVICE_CONFIGW.
    let mut buf = vec![0u64; (needed as usize).div_ceil(8)];
    let cfg = buf.as_mut_ptr().cast::<QUERY_SERVICE_CONFIGW>();
    // SAFETY: `buf` holds at least `needed` bytes, aligned.
    if unsafe { QueryServiceConfigW(h.0, cfg, (buf.len() * 8) as u32, &mut needed) } == 0 {
        return Err(ServiceError::Failed(format!(
            "cannot read the service's configuration: {}",
            last_error()
        )));
    }
    // SAFETY: filled by the call above; the strings point into `buf`.
    let (start, display) = unsafe { ((*cfg).dwStartType, from_wide((*cfg).lpDisplayName)) };
    Ok((start, display))
}

fn state_of(s: u32) -> (State, &'static str) {
    match s {
        SERVICE_RUNNING => (State::Running, "RUNNING"),
        SERVICE_STOPPED => (State::Stopped, "STOPPED"),
        SERVICE_START_PENDING => (State::Changing("start pending".into()), "START_PENDING"),
        SERVICE_STOP_PENDING => (State::Changing("stop pending".into()), "STOP_PENDING"),
        5 => (
            State::Changing("continue pending".into()),
            "CONTINUE_PENDING",
        ),
        6 => (State::Changing("pause pending".into()), "PAUSE_PENDING"),
        7 => (State::Other("paused".into()), "PAUSED"),
        _ => (State::Other(format!("state {s}")), "UNKNOWN"),
    }
}

fn mode_of(start: u32) -> Option<StartMode> {
    match start {
        SERVICE_AUTO_START | SERVICE_BOOT_START | SERVICE_SYSTEM_START => Some(StartMode::Auto),
        SERVICE_DEMAND_START => Some(StartMode::Manual),
        SERVICE_DISABLED => Some(StartMode::Disabled),
        _ => None,
    }
}

/// Waits until the service is in `target`, or the budget ends.
fn wait_for(h: &Handle, name: &str, target: u32, budget: &Budget) -> Result<(), ServiceError> {
    loop {
        let s = status(h)?;
        if s.dwCurrentState == target {
            return Ok(());
        }
        if Instant::now() >= budget.deadline || budget.cancel.is_set() {
            return Err(ServiceError::Failed(format!(
                "`{name}` did not reach {} in time (it is {})",
                state_of(target).1,
                state_of(s.dwCurrentState).1
            )));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The running services that depend on `h`.
fn active_dependents(h: &Handle) -> Result<Vec<String>, ServiceError> {
    let (mut needed, mut count) = (0u32, 0u32);
    // SAFETY: asking for the size only.
    let ok = unsafe {
        EnumDependentServicesW(
            h.0,
            SERVICE_ACTIVE,
            std::ptr::null_mut(),
            0,
            &mut needed,
            &mut count,
        )
    };
    if ok != 0 || needed == 0 {
        return Ok(Vec::new());
    }
    let mut buf = vec![0u64; (needed as usize).div_ceil(8)];
    let list = buf.as_mut_ptr().cast::<ENUM_SERVICE_STATUSW>();
    // SAFETY: `buf` holds `needed` bytes, aligned for the records.
    if unsafe {
        EnumDependentServicesW(
            h.0,
            SERVICE_ACTIVE,
            list,
            (buf.len() * 8) as u32,
            &mut needed,
            &mut count,
        )
    } == 0
    {
        return Err(ServiceError::Failed(format!(
            "cannot list dependent services: {}",
            last_error()
        )));
    }
    // SAFETY: `count` records were written; their names point into `buf`.
    Ok((0..count as usize)
        .map(|i| unsafe { from_wide((*list.add(i)).lpServiceName) })
        .collect())
}

fn stop_one(
    scm: &Handle,
    name: &str,
    budget: &Budget,
    done: &mut Vec<String>,
) -> Result<Vec<String>, ServiceError> {
    let h = open(
        scm,
        name,
        SERVICE_STOP | SERVICE_QUERY_STATUS | SERVICE_ENUMERATE_DEPENDENTS,
    )?;
    let dependents = active_dependents(&h)?;
    for d in &dependents {
        stop_one(scm, d, budget, done)?;
    }
    if status(&h)?.dwCurrentState != SERVICE_STOPPED {
        let mut s: SERVICE_STATUS = unsafe { std::mem::zeroed() };
        // SAFETY: `h` has SERVICE_STOP; `s` receives the status.
        if unsafe { ControlService(h.0, SERVICE_CONTROL_STOP, &mut s) } == 0 {
            let e = last_error();
            if e.raw_os_error() != Some(SERVICE_NOT_ACTIVE) {
                return Err(ServiceError::Failed(format!("cannot stop `{name}`: {e}")));
            }
        }
        wait_for(&h, name, SERVICE_STOPPED, budget)?;
        done.push(format!("stopped {name}"));
    }
    Ok(dependents)
}

fn start_one(
    scm: &Handle,
    name: &str,
    budget: &Budget,
    done: &mut Vec<String>,
) -> Result<(), ServiceError> {
    let h = open(scm, name, SERVICE_START | SERVICE_QUERY_STATUS)?;
    if status(&h)?.dwCurrentState == SERVICE_RUNNING {
        return Ok(());
    }
    // SAFETY: `h` has SERVICE_START; no arguments.
    if unsafe { StartServiceW(h.0, 0, std::ptr::null()) } == 0 {
        let e = last_error();
        if e.raw_os_error() != Some(SERVICE_ALREADY_RUNNING) {
            return Err(ServiceError::Failed(format!("cannot start `{name}`: {e}")));
        }
    }
    wait_for(&h, name, SERVICE_RUNNING, budget)?;
    done.push(format!("started {name}"));
    Ok(())
}

/// One look at a service: state, start mode, pid, display name.
fn query_once(service: &str) -> Result<ServiceStatus, ServiceError> {
    let scm = manager(SC_MANAGER_CONNECT)?;
    let h = open(&scm, service, SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG)?;
    let s = status(&h)?;
    let (start, display) = config(&h).unwrap_or((u32::MAX, String::new()));
    let (state, word) = state_of(s.dwCurrentState);
    Ok(ServiceStatus {
        name: service.to_string(),
        state,
        detail: word.to_string(),
        start_mode: mode_of(start),
        pid: (s.dwProcessId != 0).then_some(s.dwProcessId),
        description: (!display.is_empty()).then_some(display),
    })
}

impl Manager for Scm {
    fn name(&self) -> &'static str {
        "Service Control Manager"
    }

    fn query(&self, service: &str, budget: &Budget) -> Result<ServiceStatus, ServiceError> {
        // Right after a stop, the manager can answer "invalid handle" for
        // a moment (seen under Wine): ask again, a few times.
        let mut tries = 0;
        loop {
            match query_once(service) {
                Err(ServiceError::Failed(why))
                    if why.contains("(os error 6)")
                        && tries < 5
                        && Instant::now() < budget.deadline =>
                {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(300));
                }
                other => return other,
            }
        }
    }

    fn control(
        &self,
        service: &str,
        what: Control,
        budget: &Budget,
    ) -> Result<Vec<String>, ServiceError> {
        let scm = manager(SC_MANAGER_CONNECT)?;
        let mut done = Vec::new();
        match what {
            Control::Start => start_one(&scm, service, budget, &mut done)?,
            Control::Stop => {
                stop_one(&scm, service, budget, &mut done)?;
            }
            Control::Restart => {
                let dependents = stop_one(&scm, service, budget, &mut done)?;
                start_one(&scm, service, budget, &mut done)?;
                for d in dependents.iter().rev() {
                    start_one(&scm, d, budget, &mut done)?;
                }
            }
        }
        if done.is_empty() {
            done.push(format!(
                "{service} was already {}",
                if what == Control::Stop {
                    "stopped"
                } else {
                    "running"
                }
            ));
        }
        Ok(done)
    }

    fn plan(&self, service: &str, what: Control) -> String {
        match what {
            Control::Start => format!("start {service}"),
            Control::Stop => format!("stop {service} (and the running services that depend on it)"),
            Control::Restart => format!(
                "stop {service} (and its running dependents), start it, start the dependents again"
            ),
        }
    }

    /// Automatic services that are stopped with an error exit code.
    fn failed(&self, _budget: &Budget) -> Result<Vec<ServiceStatus>, ServiceError> {
        let scm = manager(SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE)?;
        let (mut needed, mut count, mut resume) = (0u32, 0u32, 0u32);
        // SAFETY: asking for the size only.
        unsafe {
            EnumServicesStatusExW(
                scm.0,
                SC_ENUM_PROCESS_INFO,
                SERVICE_WIN32,
                SERVICE_STATE_ALL,
                std::ptr::null_mut(),
                0,
                &mut needed,
                &mut count,
                &mut resume,
                std::ptr::null(),
            )
        };
        let mut buf = vec![0u64; (needed as usize).div_ceil(8) + 1];
        resume = 0;
        // SAFETY: `buf` holds at least `needed` bytes, aligned for the records.
        let ok = unsafe {
            EnumServicesStatusExW(
                scm.0,
                SC_ENUM_PROCESS_INFO,
                SERVICE_WIN32,
                SERVICE_STATE_ALL,
                buf.as_mut_ptr().cast(),
                (buf.len() * 8) as u32,
                &mut needed,
                &mut count,
                &mut resume,
                std::ptr::null(),
            )
        };
        if ok == 0 {
            return Err(ServiceError::Failed(format!(
                "cannot list services: {}",
                last_error()
            )));
        }
        let list = buf.as_ptr().cast::<ENUM_SERVICE_STATUS_PROCESSW>();
        let mut out = Vec::new();
        for i in 0..count as usize {
            // SAFETY: `count` records were written; their strings point into `buf`.
            let (name, display, s) = unsafe {
                let r = &*list.add(i);
                (
                    from_wide(r.lpServiceName),
                    from_wide(r.lpDisplayName),
                    r.ServiceStatusProcess,
                )
            };
            if s.dwCurrentState != SERVICE_STOPPED || s.dwWin32ExitCode == 0 {
                continue;
            }
            let auto = open(&scm, &name, SERVICE_QUERY_CONFIG)
                .and_then(|h| config(&h))
                .is_ok_and(|(start, _)| start == SERVICE_AUTO_START);
            if auto {
                out.push(ServiceStatus {
                    name,
                    state: State::Failed,
                    detail: format!("STOPPED (exit code {})", s.dwWin32ExitCode),
                    start_mode: Some(StartMode::Auto),
                    pid: None,
                    description: Some(display),
                });
            }
        }
        Ok(out)
    }
}
