//! launchd (macOS), through `launchctl`: `print` for state, `kickstart`
//! to start, `kickstart -k` to restart (launchd has no restart of its own:
//! `-k` kills the running instance and starts it again), `kill SIGTERM` to
//! stop. A job with KeepAlive is started again by launchd right after a
//! stop, so a stop of such a job is reported as not holding. A name
//! without a domain is looked up in the `system` domain
//! (`org.cups.cupsd` is `system/org.cups.cupsd`); give `gui/501/LABEL`
//! for a user's agent.

use super::{ServiceStatus, StartMode, State};

/// The `domain/label` target of a service name.
pub fn target(service: &str) -> String {
    if service.contains('/') {
        service.to_string()
    } else {
        format!("system/{service}")
    }
}

/// `launchctl print DOMAIN/LABEL` output as a status (`disabled` from
/// `launchctl print-disabled DOMAIN`).
pub fn parse_print(service: &str, text: &str, disabled: bool) -> ServiceStatus {
    // Top-level keys are indented by one tab; nested blocks by more.
    let get = |key: &str| {
        text.lines()
            .filter(|l| l.starts_with('\t') && !l.starts_with("\t\t"))
            .find_map(|l| l.trim().strip_prefix(key)?.trim_start().strip_prefix('='))
            .map(|v| v.trim().to_string())
    };
    let raw = get("state").unwrap_or_else(|| "unknown".into());
    let state = match raw.as_str() {
        "running" => State::Running,
        "not running" | "waiting" => State::Stopped,
        other => State::Other(other.to_string()),
    };
    let properties = get("properties").unwrap_or_default();
    let start_mode = if disabled {
        StartMode::Disabled
    } else if properties.contains("runatload") || properties.contains("keepalive") {
        StartMode::Auto
    } else {
        StartMode::Manual
    };
    ServiceStatus {
        name: target(service),
        state,
        detail: format!("state = {raw}"),
        start_mode: Some(start_mode),
        pid: get("pid").and_then(|p| p.parse().ok()),
        description: get("path"),
    }
}

/// Whether `print-disabled` output lists `label` as disabled.
pub fn is_disabled(label: &str, text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l.starts_with(&format!("\"{label}\""))
            && (l.ends_with("=> disabled") || l.ends_with("=> true"))
    })
}

#[cfg(target_os = "macos")]
pub use real::Launchd;

#[cfg(target_os = "macos")]
mod real {
    use super::super::{Budget, Control, Manager, ServiceError, ServiceStatus};
    use super::{is_disabled, parse_print, target};

    pub struct Launchd;

    fn launchctl(args: &[&str], budget: &Budget) -> Result<String, (i32, String)> {
        let mut argv = vec!["/bin/launchctl".to_string()];
        argv.extend(args.iter().map(|a| a.to_string()));
        crate::services::tool(argv, Vec::new(), budget).map_err(|f| (f.code.unwrap_or(-1), f.said))
    }

    fn error(service: &str, (code, said): (i32, String)) -> ServiceError {
        if code == 113 || said.contains("Could not find service") {
            ServiceError::NotFound(format!(
                "no service `{service}` (launchd does not know {})",
                target(service)
            ))
        } else if code == 1 && said.contains("Operation not permitted")
            || said.contains("Permission denied")
        {
            ServiceError::Denied(format!("launchctl: {said} (run supportctl elevated)"))
        } else {
            ServiceError::Failed(format!("launchctl exited with {code}: {said}"))
        }
    }

    impl Manager for Launchd {
        fn name(&self) -> &'static str {
            "launchd"
        }

        fn query(&self, service: &str, budget: &Budget) -> Result<ServiceStatus, ServiceError> {
            let t = target(service);
            let text = launchctl(&["print", &t], budget).map_err(|e| error(service, e))?;
            let (domain, label) = t.rsplit_once('/').unwrap_or(("system", &t));
            let disabled = launchctl(&["print-disabled", domain], budget)
                .map(|d| is_disabled(label, &d))
                .unwrap_or(false);
            Ok(parse_print(service, &text, disabled))
        }

        fn control(
            &self,
            service: &str,
            what: Control,
            budget: &Budget,
        ) -> Result<Vec<String>, ServiceError> {
            self.query(service, budget)?;
            let plan = self.plan(service, what);
            let args: Vec<&str> = plan.split(' ').skip(1).collect();
            launchctl(&args, budget).map_err(|e| error(service, e))?;
            Ok(vec![format!("ran `{plan}`")])
        }

        fn plan(&self, service: &str, what: Control) -> String {
            let t = target(service);
            match what {
                Control::Start => format!("launchctl kickstart {t}"),
                Control::Restart => format!("launchctl kickstart -k {t}"),
                Control::Stop => format!("launchctl kill SIGTERM {t}"),
            }
        }

        fn failed(&self, _budget: &Budget) -> Result<Vec<ServiceStatus>, ServiceError> {
            Err(ServiceError::NoManager(
                "listing failed services is not supported with launchd (it has no failed state)"
                    .into(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRINT: &str = "system/org.cups.cupsd = {\n\tactive count = 1\n\tpath = /System/Library/LaunchDaemons/org.cups.cupsd.plist\n\ttype = LaunchDaemon\n\tstate = running\n\n\tprogram = /usr/sbin/cupsd\n\tpid = 4242\n\tproperties = keepalive | runatload | inferred program\n\tendpoints = {\n\t\tstate = active\n\t}\n}\n";

    #[test]
    fn print_output() {
        let s = parse_print("org.cups.cupsd", PRINT, false);
        assert_eq!(s.name, "system/org.cups.cupsd");
        assert_eq!(s.state, State::Running);
        assert_eq!(s.pid, Some(4242));
        assert_eq!(s.start_mode, Some(StartMode::Auto));
        let stopped = PRINT
            .replace("\tstate = running", "\tstate = not running")
            .replace("\tpid = 4242\n", "");
        let s = parse_print("org.cups.cupsd", &stopped, true);
        assert_eq!(
            (s.state, s.pid, s.start_mode),
            (State::Stopped, None, Some(StartMode::Disabled))
        );
        assert!(is_disabled(
            "org.cups.cupsd",
            "disabled services = {\n\t\"org.cups.cupsd\" => disabled\n}\n"
        ));
        assert!(!is_disabled(
            "org.cups.cupsd",
            "\t\"org.cups.cupsd\" => enabled\n"
        ));
        assert_eq!(
            target("gui/501/com.example.agent"),
            "gui/501/com.example.agent"
        );
    }
}
