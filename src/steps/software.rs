//! `software`: a program is installed, optionally within a version range.
//!
//! Where: the first of `program` found on PATH, else the first existing
//! `paths` candidate (globs allowed), else the macOS `app` bundle. Which
//! version: the `app` bundle's Info.plist, else the `package` manager's
//! record (dpkg, rpm, pacman, apk, Homebrew, Windows uninstall keys), else
//! the program's own output (`version_args`, matched by `version_regex`).
//! A version that cannot be read is *undetermined* (`error`), never a pass.

use std::path::PathBuf;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Check, Evaluation, FieldProblem, StepContext};
use crate::facts::Facts;
use crate::packages::{self, Found, Missing};
use crate::process::{self, Ending, ProcessSpec};
use crate::report::{Output, Status};
use crate::values::{OneOrMany, Pattern, human_duration};
use crate::version::{Scheme, Version};

/// Keys of a `software` step.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct SoftwareStep {
    /// Program name(s) looked up on PATH; the first found is used, e.g. `["gcc", "clang", "cl"]`.
    #[serde(default)]
    pub program: OneOrMany<String>,
    /// Candidate paths tried when the program is not on PATH (templated, globs allowed),
    /// e.g. `['C:\Program Files\*\app.exe']`.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Package name to ask the package manager (dpkg, rpm, pacman, apk, brew), or on
    /// Windows the name shown in Apps (matched in the uninstall registry keys).
    pub package: Option<String>,
    /// A macOS app bundle, e.g. `"/Applications/Slack.app"` (version from its Info.plist).
    pub app: Option<String>,
    /// Arguments that make the program print its version (default `["--version"]`).
    pub version_args: Option<Vec<String>>,
    /// Where the version is in that output: the first capture group, or the whole match
    /// (default: the first dotted number, e.g. `2.39.2`, `9.2p1`).
    pub version_regex: Option<Pattern>,
    /// The version must be at least this.
    pub min_version: Option<Version>,
    /// The version must be below this (exclusive).
    pub below_version: Option<Version>,
    /// How versions are ordered: `auto` (any string), `dpkg`, `rpm`,
    /// `pep440` or `semver`, each exactly its own tool's order. Default: the
    /// package manager's scheme for `package` lookups through dpkg or rpm,
    /// `auto` otherwise.
    pub scheme: Option<Scheme>,
}

const DEFAULT_VERSION: &str = r"(\d+(?:\.\d+)+(?:[-+~]?[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?)";

/// Why no version was read, and whether the program at least ran cleanly
/// (exit 0 without a version: installed, version unknown).
#[derive(Clone, Debug)]
struct Unread {
    why: String,
    ran_ok: bool,
}

fn unread(why: impl Into<String>) -> Unread {
    Unread {
        why: why.into(),
        ran_ok: false,
    }
}

/// What was found on this machine.
#[derive(Debug)]
struct Located {
    path: Option<PathBuf>,
    found: Result<Found, Unread>,
}

impl SoftwareStep {
    fn what(&self) -> String {
        self.program
            .iter()
            .next()
            .cloned()
            .or_else(|| self.package.clone())
            .or_else(|| self.app.clone())
            .or_else(|| self.paths.first().cloned())
            .unwrap_or_else(|| "the program".into())
    }

    /// Every candidate on disk, in order: each `program` on PATH, then each
    /// `paths` match (at most 10 in all).
    fn candidates(&self) -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = Vec::new();
        for p in self.program.iter() {
            if let Ok(all) = which::which_all(p) {
                found.extend(all);
            }
        }
        for pattern in &self.paths {
            found.extend(
                crate::pathglob::expand(pattern, 100)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|p| p.is_file()),
            );
        }
        let mut seen = std::collections::HashSet::new();
        found.retain(|p| seen.insert(p.clone()));
        found.truncate(10);
        found
    }

    /// The scheme for versions read from `source` (`dpkg`, `rpm`, `--version`...).
    fn scheme(&self, source: &str) -> Scheme {
        self.scheme.unwrap_or_else(|| Scheme::of_source(source))
    }

    fn in_range(&self, v: &str, scheme: Scheme) -> bool {
        self.min_version
            .as_ref()
            .is_none_or(|min| scheme.compare(v, min.as_str()).is_ge())
            && self
                .below_version
                .as_ref()
                .is_none_or(|below| scheme.compare(v, below.as_str()).is_lt())
    }

    /// Runs the program for its version.
    fn probe(&self, path: &std::path::Path, ctx: &StepContext) -> Result<Found, Unread> {
        let args = self
            .version_args
            .clone()
            .unwrap_or_else(|| vec!["--version".into()]);
        let mut argv = vec![path.display().to_string()];
        argv.extend(args);
        let shown = process::display_argv(&argv);
        let r = process::run(
            &ProcessSpec {
                argv,
                max_output: 64 * 1024,
                ..Default::default()
            },
            ctx.deadline,
            ctx.cancel,
        );
        let code = match r.ending {
            Ending::TimedOut => {
                return Err(unread(format!(
                    "`{shown}` did not answer within {}; it was killed",
                    human_duration(ctx.timeout)
                )));
            }
            Ending::Interrupted => return Err(unread("interrupted")),
            Ending::SpawnFailed(e) => return Err(unread(e)),
            Ending::Exited(code) => code,
        };
        // Some programs (java, older compilers) print their version on stderr.
        let text = format!("{}\n{}", r.stdout, r.stderr);
        let re = self
            .version_regex
            .as_ref()
            .map(|p| p.0.clone())
            .unwrap_or_else(|| regex::Regex::new(DEFAULT_VERSION).expect("valid"));
        let version = re
            .captures(&text)
            .and_then(|c| c.get(1).or_else(|| c.get(0)))
            .map(|m| m.as_str().trim().to_string())
            .filter(|v| Version::parse(v).has_digits());
        let first = text
            .trim()
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(80)
            .collect::<String>();
        match version {
            Some(version) => Ok(Found {
                version,
                source: format!("`{shown}`"),
                location: None,
            }),
            // A stub that fails (a Store alias, xcrun without tools) is no program.
            None if code != 0 => Err(unread(format!("`{shown}` exited with {code}: \"{first}\""))),
            None if first.is_empty() => Err(Unread {
                why: format!("`{shown}` printed nothing"),
                ran_ok: true,
            }),
            None => Err(Unread {
                why: format!("no version in the output of `{shown}`: \"{first}\""),
                ran_ok: true,
            }),
        }
    }

    /// Finds the program and its version. `None`: not installed anywhere.
    /// Candidates on disk are tried in turn: the first in range wins, else
    /// the highest version found, else the first one's error.
    fn locate(&self, ctx: &StepContext) -> Option<Located> {
        let explain = |m: Missing| match m {
            Missing::NotInstalled(s) | Missing::Unavailable(s) => unread(s),
        };
        if let Some(app) = self.app.as_ref().map(PathBuf::from).filter(|p| p.is_dir()) {
            return Some(Located {
                path: Some(app.clone()),
                found: packages::app_bundle(&app, ctx.deadline, ctx.cancel).map_err(explain),
            });
        }
        let mut probed: Vec<(PathBuf, Result<Found, Unread>)> = Vec::new();
        for path in self.candidates() {
            let found = self.probe(&path, ctx);
            let fits = found
                .as_ref()
                .is_ok_and(|f| self.in_range(&f.version, self.scheme(&f.source)));
            probed.push((path, found));
            if fits || ctx.cancel.is_set() {
                break;
            }
        }
        let best = probed
            .iter()
            .filter_map(|(p, f)| f.as_ref().ok().map(|f| (p, f)))
            .max_by(|(_, a), (_, b)| self.scheme(&a.source).compare(&a.version, &b.version))
            .map(|(p, f)| (p.clone(), f.clone()));
        if let Some((path, found)) = best {
            return Some(Located {
                path: Some(path),
                found: Ok(found),
            });
        }
        if let Some(package) = &self.package {
            let path = probed.first().map(|(p, _)| p.clone());
            return match packages::lookup(package, ctx.deadline, ctx.cancel) {
                Ok(found) => Some(Located {
                    path: path.or_else(|| found.location.as_ref().map(PathBuf::from)),
                    found: Ok(found),
                }),
                Err(Missing::NotInstalled(_)) if probed.is_empty() => None,
                Err(e) => Some(Located {
                    path,
                    found: Err(explain(e)),
                }),
            };
        }
        let (path, found) = probed.into_iter().next()?;
        Some(Located {
            path: Some(path),
            found,
        })
    }

    fn required(&self) -> Option<String> {
        match (&self.min_version, &self.below_version) {
            (Some(a), Some(b)) => Some(format!(">= {a}, < {b}")),
            (Some(a), None) => Some(format!(">= {a}")),
            (None, Some(b)) => Some(format!("< {b}")),
            (None, None) => None,
        }
    }
}

impl super::Reasons for SoftwareStep {
    const REASONS: &'static [(&'static str, &'static str)] = &[
        (
            "not_installed",
            "no candidate program, path, package or app was found",
        ),
        ("too_old", "the installed version is below `min_version`"),
        (
            "too_new",
            "the installed version is not below `below_version`",
        ),
        (
            "version_unknown",
            "installed, but its version could not be read",
        ),
    ];
}

impl Check for SoftwareStep {
    fn evaluate(&self, ctx: &StepContext) -> Evaluation {
        let what = self.what();
        let Some(located) = self.locate(ctx) else {
            let mut tried = Vec::new();
            if !self.program.is_empty() {
                tried.push(format!(
                    "not on PATH ({})",
                    self.program.iter().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            if !self.paths.is_empty() {
                tried.push("no candidate path exists".into());
            }
            if let Some(p) = &self.package {
                tried.push(format!("no package `{p}`"));
            }
            if let Some(a) = &self.app {
                tried.push(format!("no `{a}`"));
            }
            return Evaluation::problem(
                Status::Fail,
                "not_installed",
                format!("{what} is not installed: {}", tried.join("; ")),
            );
        };
        // Named as found (`py312` when `program = ["py310", "py312"]`).
        let what = match (&located.path, self.program.is_empty()) {
            (Some(p), false) => p
                .file_stem()
                .map_or(what, |s| s.to_string_lossy().into_owned()),
            _ => what,
        };
        let at = located
            .path
            .as_ref()
            .map_or(String::new(), |p| format!(" at {}", p.display()));
        let required = self.required();
        let found = match located.found {
            Ok(f) => f,
            Err(Unread { why, ran_ok }) => {
                // Installed-and-working without a range asked is enough;
                // anything else is undetermined, never a pass.
                let (status, tail) = match (&required, ran_ok && located.path.is_some()) {
                    (None, true) => (Status::Pass, String::new()),
                    (None, false) => (Status::Error, "; it could not be checked".to_string()),
                    (Some(r), _) => (
                        Status::Error,
                        format!("; version undetermined, required {r}"),
                    ),
                };
                let found_at = if located.path.is_some() {
                    format!(" found{at}")
                } else {
                    String::new()
                };
                let mut e = Evaluation::new(
                    status,
                    format!("{what}{found_at}: its version could not be read: {why}{tail}"),
                );
                if status != Status::Pass {
                    e.reason = Some("version_unknown");
                }
                return e;
            }
        };
        let scheme = self.scheme(&found.source);
        let cmp = |limit: &Version| scheme.compare(&found.version, limit.as_str());
        let mut e = Evaluation::new(Status::Pass, String::new());
        let detail = format!("{what} {}{at} (from {})", found.version, found.source);
        e.message = match (&self.min_version, &self.below_version) {
            (Some(min), _) if cmp(min).is_lt() => {
                e.status = Status::Fail;
                e.reason = Some("too_old");
                format!("{detail} is older than the required {min}")
            }
            (_, Some(below)) if cmp(below).is_ge() => {
                e.status = Status::Fail;
                e.reason = Some("too_new");
                format!("{detail} is too new: it must be below {below}")
            }
            _ => match &required {
                Some(r) => format!("{detail}; required {r}"),
                None => detail,
            },
        };
        e.output = Some(Output {
            stdout: format!(
                "path: {}\nversion: {}\nrequired: {}\nsource: {}\n",
                located
                    .path
                    .as_ref()
                    .map_or("-".into(), |p| p.display().to_string()),
                found.version,
                required.as_deref().unwrap_or("any"),
                found.source
            ),
            stderr: String::new(),
            truncated: false,
        });
        e
    }

    fn describe(&self) -> String {
        let range = self.required().map_or(String::new(), |r| format!(" {r}"));
        format!("checks that {}{range} is installed", self.what())
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(30)
    }

    fn validate(&self, _facts: &Facts) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        if self.program.is_empty()
            && self.paths.is_empty()
            && self.package.is_none()
            && self.app.is_none()
        {
            out.push(FieldProblem {
                key: "program",
                message: "say what to look for: `program`, `paths`, `package` or `app`".into(),
                hint: Some("e.g. program = \"git\"".into()),
            });
        }
        for p in &self.paths {
            if let Err(e) = crate::pathglob::check(p) {
                out.push(FieldProblem {
                    key: "paths",
                    message: e,
                    hint: Some("globs: * and ? within a folder name, ** across folders".into()),
                });
            }
        }
        let scheme = self.scheme.unwrap_or_default();
        for (key, v) in [
            ("min_version", &self.min_version),
            ("below_version", &self.below_version),
        ] {
            if let Some(v) = v
                && !scheme.accepts(v.as_str())
            {
                out.push(FieldProblem {
                    key,
                    message: format!("`{v}` is not a {} version", scheme.as_str()),
                    hint: Some(match scheme {
                        Scheme::Semver => {
                            "SemVer needs MAJOR.MINOR.PATCH, e.g. \"1.2.0\" or \"1.2.0-rc.1\""
                                .into()
                        }
                        _ => "PEP 440 versions look like \"1.2\", \"1.2.0rc1\", \"1!2.0.post1\""
                            .into(),
                    }),
                });
            }
        }
        if let (Some(a), Some(b)) = (&self.min_version, &self.below_version)
            && scheme.compare(a.as_str(), b.as_str()).is_ge()
        {
            out.push(FieldProblem {
                key: "below_version",
                message: format!("`below_version` {b} must be above `min_version` {a}"),
                hint: None,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_pattern_finds_real_world_versions() {
        let re = regex::Regex::new(super::DEFAULT_VERSION).unwrap();
        for (output, want) in [
            ("git version 2.39.2", "2.39.2"),
            ("Python 3.11.7", "3.11.7"),
            (
                "OpenSSH_9.2p1 Debian-2+deb12u6, OpenSSL 3.0.15 3 Sep 2024",
                "9.2p1",
            ),
            ("v20.11.0", "20.11.0"),
            ("openjdk version \"17.0.15\" 2025-04-15", "17.0.15"),
            ("gcc (Debian 12.2.0-14) 12.2.0", "12.2.0-14"),
            ("Google Chrome 126.0.6478.127 ", "126.0.6478.127"),
            ("1.0.0-rc.1", "1.0.0-rc.1"),
        ] {
            assert_eq!(&re.captures(output).unwrap()[1], want, "{output}");
        }
    }
}
