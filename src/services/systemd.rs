//! systemd, through `systemctl` (`show` for state, `start`/`stop`/`restart`
//! for control, which wait for the job). Present when `/run/systemd/system`
//! exists, as sd_booted(3) tells.

use std::path::Path;

use super::{Budget, Control, Manager, ServiceError, ServiceStatus, StartMode, State};

pub struct Systemd {
    systemctl: String,
}

/// systemd, when it is this machine's init.
#[allow(dead_code)] // Not used on Windows and macOS.
pub fn detect() -> Result<Systemd, ServiceError> {
    if !Path::new("/run/systemd/system").is_dir() {
        let container = Path::new("/.dockerenv").exists()
            || Path::new("/run/.containerenv").exists()
            || std::env::var_os("container").is_some();
        return Err(ServiceError::NoManager(format!(
            "no supported service manager: systemd is not running here{}; OpenRC and SysV init are not supported",
            if container { " (a container)" } else { "" }
        )));
    }
    let systemctl = which::which("systemctl")
        .map(|p| p.display().to_string())
        .map_err(|_| {
            ServiceError::NoManager("systemd runs but `systemctl` is not on PATH".into())
        })?;
    Ok(Systemd { systemctl })
}

const PROPERTIES: &str = "Id,LoadState,ActiveState,SubState,UnitFileState,MainPID,Description";

/// `systemctl show -p …` output (`Key=Value` lines) as a status; a unit
/// systemd does not know is `NotFound`.
pub fn parse_show(name: &str, text: &str) -> Result<ServiceStatus, ServiceError> {
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(str::trim)
            .unwrap_or_default()
    };
    if get("LoadState") == "not-found" {
        return Err(ServiceError::NotFound(format!(
            "no service `{name}` (systemd does not know the unit)"
        )));
    }
    let (active, sub) = (get("ActiveState"), get("SubState"));
    let state = match active {
        "active" | "reloading" => State::Running,
        "inactive" => State::Stopped,
        "failed" => State::Failed,
        "activating" | "deactivating" => State::Changing(active.to_string()),
        "" => State::Other("unknown".into()),
        other => State::Other(other.to_string()),
    };
    let start_mode = match get("UnitFileState") {
        "enabled" | "enabled-runtime" | "linked" | "linked-runtime" | "alias" => {
            Some(StartMode::Auto)
        }
        "disabled" | "static" | "indirect" | "generated" | "transient" => Some(StartMode::Manual),
        "masked" | "masked-runtime" => Some(StartMode::Disabled),
        _ => None,
    };
    let id = get("Id");
    Ok(ServiceStatus {
        name: if id.is_empty() {
            name.to_string()
        } else {
            id.to_string()
        },
        state,
        detail: if sub.is_empty() {
            active.to_string()
        } else {
            format!("{active} ({sub})")
        },
        start_mode,
        pid: get("MainPID").parse().ok().filter(|p| *p != 0),
        description: Some(get("Description").to_string()).filter(|d| !d.is_empty()),
    })
}

/// `systemctl list-units --type=service --state=failed --no-legend --plain`:
/// `name.service loaded failed failed Description…` per line.
pub fn parse_list_failed(text: &str) -> Vec<ServiceStatus> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim_start_matches(['●', '*', ' ']);
            let mut f = l.split_whitespace();
            let name = f.next()?;
            let (_load, active, sub) = (f.next()?, f.next()?, f.next()?);
            Some(ServiceStatus {
                name: name.to_string(),
                state: State::Failed,
                detail: format!("{active} ({sub})"),
                start_mode: None,
                pid: None,
                description: Some(f.collect::<Vec<_>>().join(" ")).filter(|d| !d.is_empty()),
            })
        })
        .collect()
}

impl Systemd {
    fn systemctl(&self, args: &[&str], budget: &Budget) -> Result<String, ServiceError> {
        let mut argv = vec![self.systemctl.clone(), "--no-ask-password".to_string()];
        argv.extend(args.iter().map(|a| a.to_string()));
        let env = vec![
            ("SYSTEMD_PAGER".into(), String::new()),
            ("LC_ALL".into(), "C".into()),
        ];
        super::tool(argv, env, budget).map_err(|f| {
            let Some(code) = f.code else {
                return ServiceError::Failed(f.said);
            };
            let said = f.said;
            let msg = format!("`systemctl {}` exited with {code}: {said}", args.join(" "));
            if said.contains("Access denied") || said.contains("authentication required") {
                ServiceError::Denied(format!("{msg} (run supportctl elevated)"))
            } else if said.contains("not found") || said.contains("not loaded") {
                ServiceError::NotFound(msg)
            } else {
                ServiceError::Failed(msg)
            }
        })
    }
}

impl Manager for Systemd {
    fn name(&self) -> &'static str {
        "systemd"
    }

    fn query(&self, service: &str, budget: &Budget) -> Result<ServiceStatus, ServiceError> {
        let out = self.systemctl(&["show", "-p", PROPERTIES, "--", service], budget)?;
        parse_show(service, &out)
    }

    fn control(
        &self,
        service: &str,
        what: Control,
        budget: &Budget,
    ) -> Result<Vec<String>, ServiceError> {
        self.query(service, budget)?;
        self.systemctl(&[what.verb(), "--", service], budget)?;
        Ok(vec![format!("ran `systemctl {} {service}`", what.verb())])
    }

    fn plan(&self, service: &str, what: Control) -> String {
        format!("systemctl {} {service}", what.verb())
    }

    fn failed(&self, budget: &Budget) -> Result<Vec<ServiceStatus>, ServiceError> {
        let out = self.systemctl(
            &[
                "list-units",
                "--type=service",
                "--state=failed",
                "--no-legend",
                "--plain",
            ],
            budget,
        )?;
        Ok(parse_list_failed(&out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_output_of_real_units() {
        let cups = "Id=cups.service\nLoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\nMainPID=812\nDescription=CUPS Scheduler\n";
        let s = parse_show("cups", cups).unwrap();
        assert_eq!(s.name, "cups.service");
        assert_eq!(s.state, State::Running);
        assert_eq!(s.detail, "active (running)");
        assert_eq!(s.start_mode, Some(StartMode::Auto));
        assert_eq!(s.pid, Some(812));
        let failed = "Id=x.service\nLoadState=loaded\nActiveState=failed\nSubState=failed\nUnitFileState=masked\nMainPID=0\n";
        let s = parse_show("x", failed).unwrap();
        assert_eq!(
            (s.state, s.start_mode, s.pid),
            (State::Failed, Some(StartMode::Disabled), None)
        );
        let missing = "Id=nope.service\nLoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\n";
        assert!(matches!(
            parse_show("nope", missing),
            Err(ServiceError::NotFound(_))
        ));
    }

    #[test]
    fn failed_units_list() {
        let text = "● nginx.service loaded failed failed A high performance web server\nbad.service loaded failed failed Bad\n";
        let list = parse_list_failed(text);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].name, "nginx.service");
        assert_eq!(
            list[0].description.as_deref(),
            Some("A high performance web server")
        );
    }
}
