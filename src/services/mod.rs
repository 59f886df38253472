//! Services: their state and start mode, and start / stop / restart, on
//! the machine's own service manager: systemd on Linux (`systemctl`),
//! launchd on macOS (`launchctl`), the Service Control Manager on Windows
//! (its API). A machine with none of these (a container, OpenRC, SysV
//! init) gets [`ServiceError::NoManager`], never a guess.
//!
//! An engine: names in, [`ServiceStatus`] and done-lists out.

// Its parsers serve the macOS manager only (tested everywhere).
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
mod launchd;
#[cfg(windows)]
mod scm;
mod systemd;

use std::time::Instant;

use crate::cancel::Cancel;

/// Where a service is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    Running,
    Stopped,
    /// On its way up or down (`activating`, `START_PENDING`...).
    Changing(String),
    /// Stopped after a failure (systemd's `failed`).
    Failed,
    Other(String),
}

/// How a service starts at boot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartMode {
    Auto,
    Manual,
    Disabled,
}

impl StartMode {
    pub fn as_str(self) -> &'static str {
        match self {
            StartMode::Auto => "auto",
            StartMode::Manual => "manual",
            StartMode::Disabled => "disabled",
        }
    }
}

/// A service as its manager reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceStatus {
    /// The manager's name for it (`cups.service`, `Spooler`, `system/org.cups.cupsd`).
    pub name: String,
    pub state: State,
    /// The manager's own words (`active (running)`, `RUNNING`, `state = running`).
    pub detail: String,
    pub start_mode: Option<StartMode>,
    pub pid: Option<u32>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ServiceError {
    /// No supported service manager here (and why).
    NoManager(String),
    NotFound(String),
    Denied(String),
    Failed(String),
}

impl ServiceError {
    /// The `service` kind's reason code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::NoManager(_) => "no_manager",
            ServiceError::NotFound(_) => "not_found",
            ServiceError::Denied(_) => "denied",
            ServiceError::Failed(_) => "control_failed",
        }
    }
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServiceError::NoManager(s)
            | ServiceError::NotFound(s)
            | ServiceError::Denied(s)
            | ServiceError::Failed(s) => f.write_str(s),
        }
    }
}

/// What to do to a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Start,
    Stop,
    Restart,
}

impl Control {
    pub fn verb(self) -> &'static str {
        match self {
            Control::Start => "start",
            Control::Stop => "stop",
            Control::Restart => "restart",
        }
    }
}

/// The time budget and interruption flag of the work.
pub struct Budget<'a> {
    pub deadline: Instant,
    pub cancel: &'a Cancel,
}

/// A service manager.
pub trait Manager {
    /// The manager's name, for messages (`systemd`, `launchd`, `Service Control Manager`).
    fn name(&self) -> &'static str;
    fn query(&self, service: &str, budget: &Budget) -> Result<ServiceStatus, ServiceError>;
    /// Starts, stops or restarts `service` and waits for it to get there;
    /// returns what was done, in order (dependents stopped and started again...).
    fn control(
        &self,
        service: &str,
        what: Control,
        budget: &Budget,
    ) -> Result<Vec<String>, ServiceError>;
    /// How the control would be done (for dry runs): `systemctl restart cups`.
    fn plan(&self, service: &str, what: Control) -> String;
    /// Services in a failed state.
    fn failed(&self, budget: &Budget) -> Result<Vec<ServiceStatus>, ServiceError>;
}

pub(crate) use crate::process::ToolFailure;

/// Runs a service manager's tool (`systemctl`, `launchctl`) within the
/// budget: its stdout when it exits 0.
pub(crate) fn tool(
    argv: Vec<String>,
    env: Vec<(String, String)>,
    budget: &Budget,
) -> Result<String, ToolFailure> {
    crate::process::run_tool(argv, env, 1 << 20, budget.deadline, budget.cancel).map(|(out, _)| out)
}

/// This machine's service manager.
pub fn this_machine() -> Result<Box<dyn Manager>, ServiceError> {
    #[cfg(windows)]
    {
        Ok(Box::new(scm::Scm))
    }
    #[cfg(target_os = "macos")]
    {
        Ok(Box::new(launchd::Launchd))
    }
    #[cfg(not(any(windows, target_os = "macos")))]
    {
        systemd::detect().map(|s| Box::new(s) as Box<dyn Manager>)
    }
}
