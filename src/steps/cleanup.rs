//! `cleanup`: delete old temporary and cache files under declared roots,
//! safely (see `crate::cleanup` for the invariants), with a dry-run preview.

use std::path::Path;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Check, Evaluation, FieldProblem, StepContext};
pub use crate::cleanup::AgeBy;
use crate::cleanup::locations::{KnownDirs, Location};
use crate::cleanup::walk::{PlatformDir, Walk, clean_root};
use crate::cleanup::{Action, Rules, Stats, protect};
use crate::facts::Facts;
use crate::report::{Measurement, Output, Status};
use crate::values::{ByteSize, Dur, Globs, human_bytes};

/// What happens to matching files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Delete,
    /// Move to the OS trash / recycle bin (recoverable; slower).
    Trash,
}

fn yes() -> bool {
    true
}

/// Keys of a `cleanup` step.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct CleanupStep {
    /// Folders to clean (templated, absolute), e.g. `["{{ temp }}"]`.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Named locations resolved per OS, e.g. `["user-temp", "chrome-cache"]`.
    #[serde(default)]
    pub locations: Vec<Location>,
    /// Only files matching these globs (by name, or path below the root).
    #[serde(default)]
    pub include: Globs,
    /// Files and folders never touched (a matching folder is not entered).
    #[serde(default)]
    pub exclude: Globs,
    /// Files always kept (e.g. `["*.lock", "desktop.ini"]`).
    #[serde(default)]
    pub keep: Globs,
    /// Only files older than this (e.g. `"7d"`).
    pub older_than: Option<Dur>,
    /// `modified` (default), `accessed`, or `any` (the latest of modified, accessed, changed).
    #[serde(default)]
    pub age_by: AgeBy,
    /// Only files at least this large.
    pub min_size: Option<ByteSize>,
    /// Remove folders left empty (never a root). Default true.
    #[serde(default = "yes")]
    pub remove_empty_dirs: bool,
    /// `delete` (default) or `trash`.
    #[serde(default)]
    pub mode: Mode,
    /// Allow `paths` outside the machine's temporary, cache and log folders
    /// (an explicit, reviewable opt-in: `show` lists it).
    #[serde(default)]
    pub allow_outside_temp: bool,
}

/// A root to clean, with the include patterns of its named location.
struct Root {
    path: String,
    label: String,
    include: Vec<&'static str>,
    /// From `locations` (disposable by definition), not `paths`.
    named: bool,
}

impl CleanupStep {
    fn roots(&self, facts: &Facts) -> Vec<Root> {
        let mut roots: Vec<Root> = self
            .paths
            .iter()
            .map(|p| Root {
                path: trim_separators(p),
                label: p.clone(),
                include: Vec::new(),
                named: false,
            })
            .collect();
        let dirs = KnownDirs::current(facts);
        for loc in &self.locations {
            for r in loc.resolve(&dirs) {
                roots.push(Root {
                    label: format!("{} ({})", loc.name(), r.path),
                    path: trim_separators(&r.path),
                    include: r.include,
                    named: true,
                });
            }
        }
        // The same folder twice (user-temp and system-temp are both /tmp on Linux): once.
        let mut seen = std::collections::BTreeSet::new();
        roots.retain(|r| {
            seen.insert(
                dunce::canonicalize(&r.path)
                    .map_or_else(|_| r.path.clone(), |p| p.display().to_string()),
            )
        });
        roots
    }

    fn rules(&self, location_include: &[&str]) -> Result<Rules, String> {
        // A named location's own patterns narrow what it offers; the step's
        // `include` can narrow it further, never widen it.
        let mut include: Vec<Globs> = Vec::new();
        if !self.include.is_empty() {
            include.push(self.include.clone());
        }
        if !location_include.is_empty() {
            include.push(Globs::new(
                location_include.iter().map(|s| s.to_string()).collect(),
            )?);
        }
        Ok(Rules {
            include,
            exclude: self.exclude.clone(),
            keep: self.keep.clone(),
            older_than: self.older_than.map(|d| d.0),
            age_by: self.age_by,
            min_size: self.min_size.map_or(0, |s| s.0),
            remove_empty_dirs: self.remove_empty_dirs,
            now: None,
        })
    }
}

/// `/tmp/x/` -> `/tmp/x` (a trailing separator makes the OS follow a final link).
fn trim_separators(path: &str) -> String {
    let trimmed = path.trim_end_matches(['/', '\\']);
    if trimmed.is_empty() || trimmed.ends_with(':') {
        path.to_string()
    } else {
        trimmed.to_string()
    }
}

/// (device, inode) of a folder, to recognise the step's other roots.
#[cfg(unix)]
fn identity(path: &str) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path)
        .ok()
        .map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_: &str) -> Option<(u64, u64)> {
    None
}

/// Why trash mode cannot be used for a root: the trash lives on the home
/// folder's filesystem, and elsewhere it would be created inside the root.
#[cfg(unix)]
fn trash_refusal(root: &str, facts: &Facts) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let dev = |p: &str| std::fs::metadata(p).ok().map(|m| m.dev());
    (dev(root) != dev(&facts.home)).then(|| {
        format!("trash mode needs {root} on the home folder's filesystem; use mode = \"delete\"")
    })
}

#[cfg(not(unix))]
fn trash_refusal(_: &str, _: &Facts) -> Option<String> {
    None
}

/// The temporary, cache and log folders a cleanup may take as roots (or
/// folders inside them) without `allow_outside_temp`.
fn disposable_places(facts: &Facts) -> Vec<String> {
    let dirs = KnownDirs::current(facts);
    let mut places: Vec<String> = Location::ALL
        .iter()
        .flat_map(|l| l.resolve(&dirs))
        .map(|r| r.path)
        .collect();
    let home = |rest: &str| format!("{}/{rest}", facts.home);
    match facts.os.as_str() {
        "windows" => places.extend([
            facts.temp.clone(),
            format!(r"{}\Temp", dirs.windir),
            format!(r"{}\Logs", dirs.windir),
        ]),
        "macos" => places.extend([
            facts.temp.clone(),
            "/tmp".into(),
            "/private/tmp".into(),
            "/var/tmp".into(),
            "/private/var/tmp".into(),
            "/private/var/folders".into(),
            "/var/log".into(),
            "/private/var/log".into(),
            "/Library/Caches".into(),
            "/Library/Logs".into(),
            home("Library/Caches"),
            home("Library/Logs"),
        ]),
        _ => places.extend([
            facts.temp.clone(),
            "/tmp".into(),
            "/var/tmp".into(),
            "/var/log".into(),
            "/var/cache".into(),
            "/var/crash".into(),
            home(".cache"),
        ]),
    }
    places.retain(|p| !p.is_empty());
    // Each with its links resolved too (macOS /tmp -> /private/tmp).
    let resolved: Vec<String> = places
        .iter()
        .filter_map(|p| dunce::canonicalize(p).ok())
        .map(|p| p.display().to_string())
        .collect();
    places.extend(resolved);
    places
}

/// Why a root outside the disposable places needs the opt-in, or `None`.
fn outside_temp(path: &str, facts: &Facts) -> Option<String> {
    let os = facts.os.as_str();
    let r = protect::normalize(path, os);
    let sep = if os == "windows" { '\\' } else { '/' };
    let inside = disposable_places(facts).iter().any(|place| {
        let p = protect::normalize(place, os);
        r == p || r.strip_prefix(&p).is_some_and(|rest| rest.starts_with(sep))
    });
    (!inside).then(|| {
        format!("`{path}` is not inside a temporary, cache or log folder; add `allow_outside_temp = true` to the step if it is meant")
    })
}

/// (device, inode) of every home and protected system folder: the opened
/// root is compared with these, whatever path led to it.
#[cfg(unix)]
fn protected_identities(facts: &Facts) -> Vec<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let mut paths: Vec<String> = protect::account_homes();
    paths.push(facts.home.clone());
    paths.extend(
        [
            "/", "/etc", "/usr", "/var", "/var/lib", "/root", "/home", "/boot", "/opt", "/srv",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| (m.dev(), m.ino()))
        .collect()
}

#[cfg(not(unix))]
fn protected_identities(_: &Facts) -> Vec<(u64, u64)> {
    Vec::new()
}

/// Why a root may not be cleaned, checked at load time and again before running.
fn root_refusal(path: &str, facts: &Facts) -> Option<String> {
    let p = Path::new(path);
    if !p.is_absolute() {
        return Some(format!("`{path}` is not an absolute path"));
    }
    // `/tmp/..` is `/`, and `link/.` follows the link: refuse `.` and `..`
    // segments (by text: Path::components hides a trailing `.`).
    if path.split(['/', '\\']).any(|seg| seg == "." || seg == "..") {
        return Some(format!(
            "`{path}` contains `.` or `..`; write the folder's plain path"
        ));
    }
    // Resolve links in the ancestors (macOS /var -> /private/var), not in the root itself.
    let canonical = match (
        p.parent().and_then(|d| dunce::canonicalize(d).ok()),
        p.file_name(),
    ) {
        (Some(dir), Some(name)) => dir.join(name).display().to_string(),
        _ => path.to_string(),
    };
    let windir = std::env::var("windir").unwrap_or_else(|_| r"C:\Windows".into());
    // Check the path as written, with its parents' links resolved, and fully
    // resolved (8.3 names, case, a final link): any of them protected is enough.
    let full = dunce::canonicalize(p).ok().map(|c| c.display().to_string());
    [Some(path.to_string()), Some(canonical), full]
        .into_iter()
        .flatten()
        .find_map(|candidate| {
            protect::refusal_among(&candidate, &facts.home, homes(), &facts.os, &windir)
        })
}

/// Every home in the account database, read once per process.
fn homes() -> &'static [String] {
    static HOMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    HOMES.get_or_init(protect::account_homes)
}

/// `1 file`, `2 files`, `1,204 files`.
fn files(n: u64) -> String {
    format!("{} {}", count(n), if n == 1 { "file" } else { "files" })
}

fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Folders shown in the breakdown (the largest first).
const FOLDERS_SHOWN: usize = 100;

/// The breakdown by folder (files, bytes; largest first) and every file by
/// name up to [`crate::cleanup::LISTED_KEPT`], with a count of the rest: the
/// step's output (in the JSON report; `-v` shows it in a terminal).
fn listing(total: &Stats, what: &str) -> String {
    if total.files == 0 {
        return String::new();
    }
    let mut folders: Vec<(&String, &(u64, u64))> = total.folders.iter().collect();
    folders.sort_by(|a, b| b.1.1.cmp(&a.1.1).then_with(|| a.0.cmp(b.0)));
    let width = folders
        .iter()
        .take(FOLDERS_SHOWN)
        .map(|(f, _)| f.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!("by folder ({what}):\n");
    for (folder, (n, bytes)) in folders.iter().take(FOLDERS_SHOWN) {
        out.push_str(&format!(
            "  {folder:<width$}  {:>10}  {:>10}\n",
            files(*n),
            human_bytes(*bytes)
        ));
    }
    if folders.len() > FOLDERS_SHOWN {
        out.push_str(&format!(
            "  … and {} more folders\n",
            count((folders.len() - FOLDERS_SHOWN) as u64)
        ));
    }
    let mut listed = total.listed.clone();
    listed.sort_by(|a, b| a.1.cmp(&b.1));
    out.push_str(&format!(
        "files ({} of {} listed):\n",
        count(listed.len() as u64),
        count(total.files)
    ));
    for (size, path) in &listed {
        out.push_str(&format!("  {path}  {}\n", human_bytes(*size)));
    }
    if total.unlisted.0 > 0 {
        out.push_str(&format!(
            "  … {} not listed ({})\n",
            files(total.unlisted.0),
            human_bytes(total.unlisted.1)
        ));
    }
    out
}

impl super::Reasons for CleanupStep {
    const REASONS: &'static [(&'static str, &'static str)] = &[
        ("unreadable", "no declared folder could be opened or listed"),
        (
            "partly_unreadable",
            "some declared folders could not be opened or listed",
        ),
        (
            "stopped_early",
            "the cleanup stopped before the end (time or file limit)",
        ),
    ];
}

impl Check for CleanupStep {
    fn evaluate(&self, ctx: &StepContext) -> Evaluation {
        let action = match (ctx.dry_run, self.mode) {
            (true, _) => Action::Preview,
            (false, Mode::Delete) => Action::Delete,
            (false, Mode::Trash) => Action::Trash,
        };
        let (verb, what) = match action {
            Action::Preview => ("would free", "would delete"),
            Action::Delete => ("freed", "deleted"),
            Action::Trash => ("moved to the trash", "moved to the trash"),
        };
        let mut total = Stats::default();
        let mut actions = Vec::new();
        let mut root_errors = Vec::new();
        let mut missing = Vec::new();
        let roots = self.roots(ctx.facts);
        let identities: Vec<Option<(u64, u64)>> = roots.iter().map(|r| identity(&r.path)).collect();
        for (index, root) in roots.iter().enumerate() {
            if let Some(why) = root_refusal(&root.path, ctx.facts) {
                root_errors.push(format!("refused {}: {why}", root.label));
                continue;
            }
            if std::fs::symlink_metadata(&root.path).is_err() {
                missing.push(root.label.clone());
                continue;
            }
            if action == Action::Trash
                && let Some(why) = trash_refusal(&root.path, ctx.facts)
            {
                root_errors.push(why);
                continue;
            }
            let others: Vec<(u64, u64)> = identities
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != index)
                .filter_map(|(_, id)| *id)
                .collect();
            let rules = match self.rules(&root.include) {
                Ok(r) => r,
                Err(e) => {
                    root_errors.push(e);
                    continue;
                }
            };
            let progress = |files: u64, bytes: u64| {
                ctx.progress.detail(&format!(
                    "{}: {} files, {}",
                    root.label,
                    count(files),
                    human_bytes(bytes)
                ));
            };
            let protected = protected_identities(ctx.facts);
            let refuse = |real: &Path, meta: &crate::cleanup::walk::Meta| {
                if protected.contains(&(meta.dev, meta.ino)) && meta.ino != 0 {
                    return Some(format!(
                        "the folder opened ({}) is a home or a protected system folder",
                        real.display()
                    ));
                }
                let real = real.display().to_string();
                root_refusal(&real, ctx.facts).or_else(|| {
                    // Named locations are disposable by definition.
                    (!self.allow_outside_temp && root.include.is_empty() && !root.named)
                        .then(|| outside_temp(&real, ctx.facts))
                        .flatten()
                })
            };
            let walk = Walk {
                refuse: &refuse,
                rules: &rules,
                action,
                cancel: ctx.cancel,
                deadline: ctx.deadline,
                on_progress: &progress,
                other_roots: &others,
            };
            match clean_root::<PlatformDir>(Path::new(&root.path), &walk) {
                Ok(stats) => {
                    actions.push(format!(
                        "{what} {} ({}) under {}",
                        files(stats.files),
                        human_bytes(stats.bytes),
                        root.label
                    ));
                    total.add(stats);
                }
                Err(e) => root_errors.push(e),
            }
        }
        for (size, path) in &total.largest {
            actions.push(format!("{what} {path} ({})", human_bytes(*size)));
        }
        let mut message = format!(
            "{verb} {} in {}",
            human_bytes(total.bytes),
            files(total.files)
        );
        if total.dirs_removed > 0 {
            let folders = if action == Action::Preview {
                "would remove"
            } else {
                "removed"
            };
            let noun = if total.dirs_removed == 1 {
                "empty folder"
            } else {
                "empty folders"
            };
            message.push_str(&format!(", {folders} {} {noun}", count(total.dirs_removed)));
        }
        if total.linked_bytes > 0 {
            message.push_str(&format!(
                " (+{} in hard-linked files, not freed)",
                human_bytes(total.linked_bytes)
            ));
        }
        let problems: Vec<String> = total
            .problem_counts()
            .map(|(k, v)| format!("{} {}", count(v), k.describe()))
            .collect();
        if !problems.is_empty() {
            message.push_str(&format!("; skipped {}", problems.join(", ")));
        }
        if !missing.is_empty() {
            message.push_str(&format!("; not present: {}", missing.join(", ")));
        }
        let cleaned = roots.len() - root_errors.len() - missing.len();
        let status = if !root_errors.is_empty() && cleaned == 0 && missing.len() < roots.len() {
            Status::Error
        } else if !root_errors.is_empty() || total.stopped.is_some() {
            Status::Warn
        } else {
            Status::Pass
        };
        if let Some(why) = &total.stopped {
            message.push_str(&format!("; stopped early: {why}"));
        }
        if !root_errors.is_empty() {
            message = format!("{}; {message}", root_errors.join("; "));
        }
        let mut e = Evaluation::new(status, message);
        e.reason = match status {
            Status::Error => Some("unreadable"),
            Status::Warn if root_errors.is_empty() => Some("stopped_early"),
            Status::Warn => Some("partly_unreadable"),
            _ => None,
        };
        e.actions = actions;
        e.measurements = vec![
            Measurement::new("files", total.files as f64, "count"),
            Measurement::new("bytes", total.bytes as f64, "bytes"),
            Measurement::new("folders", total.dirs_removed as f64, "count"),
            Measurement::new("skipped", total.problems() as f64, "count"),
        ];
        let listing = listing(&total, what);
        if !listing.is_empty() || !total.errors.is_empty() {
            e.output = Some(Output {
                stdout: listing,
                stderr: total.errors.join("\n"),
                truncated: total.unlisted.0 > 0,
            });
        }
        e
    }

    fn describe(&self) -> String {
        let mut places: Vec<String> = self.paths.clone();
        places.extend(self.locations.iter().map(|l| l.name()));
        let mut what = match self.older_than {
            Some(d) => {
                let by = match self.age_by {
                    AgeBy::Modified => "",
                    AgeBy::Accessed => " (by last access)",
                    AgeBy::Any => " (by the newest of modified, accessed and changed)",
                };
                format!("deletes files older than {d}{by} in {}", places.join(", "))
            }
            None => format!("deletes files in {}", places.join(", ")),
        };
        if !self.include.patterns.is_empty() {
            what.push_str(&format!(" matching {}", self.include.patterns.join(", ")));
        }
        if !self.exclude.patterns.is_empty() || !self.keep.patterns.is_empty() {
            let kept: Vec<String> = self
                .exclude
                .patterns
                .iter()
                .chain(&self.keep.patterns)
                .cloned()
                .collect();
            what.push_str(&format!(" (keeping {})", kept.join(", ")));
        }
        if self.mode == Mode::Trash {
            what = what.replacen("deletes", "moves to the trash", 1);
        }
        if self.allow_outside_temp {
            what.push_str(" [allowed outside temporary, cache and log folders]");
        }
        what
    }

    fn changes_system(&self) -> bool {
        true
    }

    fn previews(&self) -> bool {
        true
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(600)
    }

    fn validate(&self, facts: &Facts) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        if self.paths.is_empty() && self.locations.is_empty() {
            out.push(FieldProblem {
                key: "paths",
                message: "a cleanup step needs `paths` or `locations`".into(),
                hint: Some("e.g. paths = [\"{{ temp }}\"] or locations = [\"user-temp\"]".into()),
            });
        }
        for path in &self.paths {
            if let Some(why) = root_refusal(path, facts) {
                out.push(FieldProblem {
                    key: "paths",
                    message: format!("refusing to clean `{path}`: {why}"),
                    hint: Some("name a folder that only holds disposable files, e.g. \"{{ temp }}\" or a cache folder".into()),
                });
            } else if !self.allow_outside_temp
                && let Some(why) = outside_temp(path, facts)
            {
                out.push(FieldProblem {
                    key: "paths",
                    message: format!("refusing to clean `{path}`: {why}"),
                    hint: Some("cleanup roots are temporary, cache and log folders unless the playbook says otherwise".into()),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(toml_text: &str) -> CleanupStep {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn a_locations_patterns_cannot_be_widened_by_include() {
        let s = step("locations = [\"rotated-logs\"]\ninclude = [\"*\"]\n");
        let rules = s.rules(&["*.gz"]).unwrap();
        let matches_all = |name: &str| {
            rules
                .include
                .iter()
                .all(|g| g.matches(std::ffi::OsStr::new(name), Path::new(name)))
        };
        assert!(matches_all("syslog.2.gz"));
        assert!(
            !matches_all("syslog"),
            "include = * must not widen rotated-logs to every log"
        );
    }

    #[test]
    fn dot_dot_and_relative_roots_are_refused() {
        let facts = Facts::gather();
        for bad in ["/tmp/..", "/tmp/../etc", "relative", "/"] {
            assert!(root_refusal(bad, &facts).is_some(), "{bad}");
        }
        assert_eq!(root_refusal("/tmp/supportctl-test-root", &facts), None);
    }
}
