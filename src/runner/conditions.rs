//! Evaluating `when` conditions against facts, the environment and the
//! statuses of earlier steps.

use std::collections::BTreeMap;
use std::path::Path;

use crate::facts::Facts;
use crate::playbook::model::When;
use crate::report::Status;
use crate::version::Version;

/// Where conditions look up things outside the playbook.
pub trait Environment {
    fn env_set(&self, name: &str) -> bool;
    fn path_exists(&self, path: &str) -> bool;
    fn command_exists(&self, name: &str) -> bool;
    /// Whether this run is a dry run.
    fn dry_run(&self) -> bool;
}

/// The real process environment and filesystem.
pub struct RealEnvironment {
    pub dry_run: bool,
}

impl Environment for RealEnvironment {
    fn env_set(&self, name: &str) -> bool {
        std::env::var_os(name).is_some_and(|v| !v.is_empty())
    }
    fn path_exists(&self, path: &str) -> bool {
        Path::new(path).exists()
    }
    fn command_exists(&self, name: &str) -> bool {
        which::which(name).is_ok()
    }
    fn dry_run(&self) -> bool {
        self.dry_run
    }
}

/// How an earlier step ended, as conditions see it.
#[derive(Clone, Debug, PartialEq)]
pub struct Ended {
    pub status: Status,
    pub reason: Option<String>,
}

impl From<Status> for Ended {
    fn from(status: Status) -> Ended {
        Ended {
            status,
            reason: None,
        }
    }
}

/// Why a step's conditions do not hold: the reason code (`other_os` for
/// OS, architecture and OS version; `condition` otherwise) and a sentence.
#[derive(Debug, PartialEq)]
pub struct Unmet {
    pub reason: &'static str,
    pub message: String,
}

/// `None` when every condition holds, else why the step is skipped.
pub fn unmet(
    when: &When,
    facts: &Facts,
    env: &dyn Environment,
    statuses: &BTreeMap<String, Ended>,
) -> Option<Unmet> {
    let platform = unmet_platform(when, facts);
    let reason = if platform.is_some() {
        "other_os"
    } else {
        "condition"
    };
    platform
        .or_else(|| unmet_condition(when, env, statuses))
        .map(|message| Unmet { reason, message })
}

/// The OS, architecture and OS version conditions.
fn unmet_platform(when: &When, facts: &Facts) -> Option<String> {
    if !when.os.is_empty() && !when.os.iter().any(|o| o.matches(&facts.os)) {
        let want: Vec<String> = when
            .os
            .iter()
            .map(|o| format!("{o:?}").to_lowercase())
            .collect();
        return Some(format!(
            "needs os {}, this is {}",
            want.join(" or "),
            facts.os
        ));
    }
    if !when.arch.is_empty() && !when.arch.iter().any(|a| a.as_str() == facts.arch) {
        let want: Vec<&str> = when.arch.iter().map(|a| a.as_str()).collect();
        return Some(format!(
            "needs arch {}, this is {}",
            want.join(" or "),
            facts.arch
        ));
    }
    let os_version = Version::parse(&facts.os_version);
    if let Some(min) = &when.min_os_version
        && os_version < *min
    {
        return Some(format!(
            "needs OS version {min} or later, this is {}",
            facts.os_version
        ));
    }
    if let Some(below) = &when.below_os_version
        && os_version >= *below
    {
        return Some(format!(
            "needs OS version below {below}, this is {}",
            facts.os_version
        ));
    }
    None
}

/// The conditions on the environment and on other steps.
fn unmet_condition(
    when: &When,
    env: &dyn Environment,
    statuses: &BTreeMap<String, Ended>,
) -> Option<String> {
    if let Some(want) = when.dry_run
        && want != env.dry_run()
    {
        return Some(if want {
            "runs only in a dry run".to_string()
        } else {
            "does not run in a dry run".to_string()
        });
    }
    if let Some(var) = when.empty_vars.first() {
        return Some(format!(
            "variable {var} is empty (give it with --var {var}=…)"
        ));
    }
    if let Some(var) = when.env.iter().find(|v| !env.env_set(v)) {
        return Some(format!("environment variable {var} is not set"));
    }
    if let Some(path) = when.path_exists.iter().find(|p| !env.path_exists(p)) {
        return Some(format!("{path} does not exist"));
    }
    if let Some(cmd) = when.command_exists.iter().find(|c| !env.command_exists(c)) {
        return Some(format!("`{cmd}` is not installed (not on PATH)"));
    }
    for (cond, ids) in when.step_refs() {
        let wanted = match cond {
            "passed" | "ended_well" => Status::Pass,
            "failed" => Status::Fail,
            "warned" => Status::Warn,
            "fixed" => Status::Fixed,
            "errored" => Status::Error,
            _ => Status::Skipped,
        };
        for id in ids.iter() {
            let actual = statuses
                .get(id.as_str())
                .map_or(Status::Skipped, |e| e.status);
            let met = if cond == "ended_well" {
                matches!(actual, Status::Pass | Status::Warn | Status::Fixed)
            } else {
                actual == wanted
            };
            if !met {
                if cond == "ended_well" {
                    return Some(format!(
                        "runs when `{id}` ended well (passed, warned or fixed); it was {}",
                        actual.as_str()
                    ));
                }
                return Some(format!(
                    "runs when `{id}` {cond}; it was {}",
                    actual.as_str()
                ));
            }
        }
    }
    // A fixed step keeps why it needed fixing, but it ended well: a
    // condition on reasons looks at steps that did not.
    for want in when.reason.iter() {
        let ended = statuses.get(want.step.as_str());
        let reason = ended
            .filter(|e| !matches!(e.status, Status::Pass | Status::Fixed))
            .and_then(|e| e.reason.as_deref());
        if !reason.is_some_and(|r| want.is.iter().any(|w| w == r)) {
            let wanted: Vec<&str> = want.is.iter().map(String::as_str).collect();
            let actual = match (ended, reason) {
                (Some(e), Some(r)) => format!("it ended {} for {r}", e.status.as_str()),
                (Some(e), None) => format!("it was {}", e.status.as_str()),
                (None, _) => "it did not run".to_string(),
            };
            return Some(format!(
                "runs when `{}` ended for {}; {actual}",
                want.step,
                wanted.join(" or ")
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::OneOrMany;
    use crate::values::OsFamily;

    impl When {
        fn clone_with_reason(&self, step: &str, is: &[&str]) -> When {
            let mut w = self.clone();
            w.reason = OneOrMany(vec![crate::playbook::model::ReasonIs {
                step: step.into(),
                is: OneOrMany(is.iter().map(|s| s.to_string()).collect()),
            }]);
            w
        }
    }

    struct FakeEnv;
    impl Environment for FakeEnv {
        fn env_set(&self, name: &str) -> bool {
            name == "SET"
        }
        fn path_exists(&self, path: &str) -> bool {
            path == "/there"
        }
        fn command_exists(&self, name: &str) -> bool {
            name == "git"
        }
        fn dry_run(&self) -> bool {
            false
        }
    }

    fn facts(os: &str, version: &str, arch: &str) -> Facts {
        let mut f = Facts::gather();
        f.os = os.into();
        f.os_version = version.into();
        f.arch = arch.into();
        f
    }

    fn check(when: &When, f: &Facts) -> Option<String> {
        let statuses = BTreeMap::from([(
            "a".to_string(),
            Ended {
                status: Status::Fail,
                reason: Some("refused".into()),
            },
        )]);
        unmet(when, f, &FakeEnv, &statuses).map(|u| u.message)
    }

    #[test]
    fn platform_conditions_say_other_os() {
        let f = facts("linux", "6.1", "x86_64");
        let statuses = BTreeMap::new();
        let os = When {
            os: OneOrMany(vec![OsFamily::Windows]),
            ..When::default()
        };
        assert_eq!(
            unmet(&os, &f, &FakeEnv, &statuses).unwrap().reason,
            "other_os"
        );
        let env = When {
            env: OneOrMany(vec!["UNSET".into()]),
            ..When::default()
        };
        assert_eq!(
            unmet(&env, &f, &FakeEnv, &statuses).unwrap().reason,
            "condition"
        );
    }

    #[test]
    fn ended_well_accepts_pass_warn_and_fixed() {
        let f = facts("linux", "6.1", "x86_64");
        let mut statuses = BTreeMap::new();
        let when = When {
            ended_well: OneOrMany(vec!["a".into()]),
            ..When::default()
        };
        for (status, runs) in [
            (Status::Pass, true),
            (Status::Warn, true),
            (Status::Fixed, true),
            (Status::Fail, false),
            (Status::Error, false),
        ] {
            statuses.insert("a".to_string(), Ended::from(status));
            assert_eq!(
                unmet(&when, &f, &FakeEnv, &statuses).is_none(),
                runs,
                "{status:?}"
            );
        }
    }

    #[test]
    fn os_arch_and_version() {
        let win = facts("windows", "10.0.19045", "x86_64");
        let mut w = When {
            os: OneOrMany(vec![OsFamily::Windows]),
            ..When::default()
        };
        assert_eq!(check(&w, &win), None);
        assert_eq!(
            check(&w, &facts("linux", "12", "x86_64")).unwrap(),
            "needs os windows, this is linux"
        );
        w.arch = OneOrMany(vec![crate::values::Arch::X86_64]);
        assert_eq!(check(&w, &win), None);
        w.min_os_version = Some(Version::parse("10.0.22000"));
        assert!(check(&w, &win).unwrap().contains("10.0.22000 or later"));
        let unix = When {
            os: OneOrMany(vec![OsFamily::Unix]),
            ..When::default()
        };
        assert_eq!(check(&unix, &facts("macos", "14.1", "aarch64")), None);
        assert!(check(&unix, &win).is_some());
    }

    #[test]
    fn env_paths_commands_and_steps() {
        let f = facts("linux", "12", "x86_64");
        let w = |f: fn(&mut When)| {
            let mut w = When::default();
            f(&mut w);
            w
        };
        assert_eq!(
            check(&w(|w| w.env = OneOrMany(vec!["SET".into()])), &f),
            None
        );
        assert!(check(&w(|w| w.env = OneOrMany(vec!["UNSET".into()])), &f).is_some());
        assert_eq!(
            check(&w(|w| w.path_exists = OneOrMany(vec!["/there".into()])), &f),
            None
        );
        assert!(
            check(
                &w(|w| w.command_exists = OneOrMany(vec!["nope".into()])),
                &f
            )
            .is_some()
        );
        assert_eq!(
            check(&w(|w| w.failed = OneOrMany(vec!["a".into()])), &f),
            None
        );
        assert_eq!(
            check(&w(|w| w.passed = OneOrMany(vec!["a".into()])), &f).unwrap(),
            "runs when `a` passed; it was fail"
        );
        let reason = |is: &[&str]| w(|_| ()).clone_with_reason("a", is);
        assert_eq!(check(&reason(&["timeout", "refused"]), &f), None);
        assert_eq!(
            check(&reason(&["timeout"]), &f).unwrap(),
            "runs when `a` ended for timeout; it ended fail for refused"
        );
        let mut other = reason(&["refused"]);
        other.reason.0[0].step = "b".into();
        assert_eq!(
            check(&other, &f).unwrap(),
            "runs when `b` ended for refused; it did not run"
        );
    }
}
