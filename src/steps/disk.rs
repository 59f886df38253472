//! `disk`: free space and inodes against thresholds, for one path's
//! filesystem or every real mounted filesystem; optionally what fills it.

use std::path::Path;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Check, Evaluation, FieldProblem, StepContext};
use crate::diskspace::{DiskSource, FsStats, PSEUDO_FILESYSTEMS, RealDisks};
use crate::facts::Facts;
use crate::report::{Measurement, Output, Status};
use crate::values::{SizeOrPercent, human_bytes};

/// Keys of a `disk` step.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct DiskStep {
    /// Check the filesystem holding this path (templated), e.g. `"{{ system_drive }}"`.
    pub path: Option<String>,
    /// Check every real mounted filesystem (pseudo ones such as tmpfs and proc are left out).
    #[serde(default)]
    pub all: bool,
    /// With `all`: filesystem types to check even though they are pseudo (e.g. `["tmpfs"]`).
    #[serde(default)]
    pub include_types: Vec<String>,
    /// Warn when free space is below this size or percentage.
    pub warn_free_below: Option<SizeOrPercent>,
    /// Fail when free space is below this size or percentage.
    pub fail_free_below: Option<SizeOrPercent>,
    /// Warn when free inodes are below this percentage (Unix).
    pub warn_inodes_free_below: Option<SizeOrPercent>,
    /// Fail when free inodes are below this percentage (Unix).
    pub fail_inodes_free_below: Option<SizeOrPercent>,
    /// List the N largest folders and files under `path` (one filesystem, links not followed).
    pub largest: Option<u32>,
    /// How many levels of folders below `path` are listed by `largest` (default 3).
    pub largest_depth: Option<u32>,
}

/// The worst verdict for one filesystem, with the reason (code, words).
fn verdict(step: &DiskStep, fs: &FsStats) -> (Status, Option<(&'static str, String)>) {
    let below = |t: &Option<SizeOrPercent>| t.is_some_and(|t| fs.free < t.bytes_of(fs.total));
    let inode_pct = fs.inodes_free_percent();
    let inode_below =
        |t: &Option<SizeOrPercent>| match (t, inode_pct, fs.inodes_total, fs.inodes_free) {
            (Some(SizeOrPercent::Percent(p)), Some(pct), _, _) => pct < *p,
            (Some(SizeOrPercent::Size(n)), _, Some(_), Some(free)) => free < n.0,
            _ => false,
        };
    if below(&step.fail_free_below) {
        return (
            Status::Fail,
            step.fail_free_below
                .map(|t| ("low_space", format!("below {t}"))),
        );
    }
    if inode_below(&step.fail_inodes_free_below) {
        return (
            Status::Fail,
            step.fail_inodes_free_below
                .map(|t| ("low_inodes", format!("free inodes below {t}"))),
        );
    }
    if below(&step.warn_free_below) {
        return (
            Status::Warn,
            step.warn_free_below
                .map(|t| ("low_space", format!("below {t}"))),
        );
    }
    if inode_below(&step.warn_inodes_free_below) {
        return (
            Status::Warn,
            step.warn_inodes_free_below
                .map(|t| ("low_inodes", format!("free inodes below {t}"))),
        );
    }
    (Status::Pass, None)
}

fn summary(fs: &FsStats) -> String {
    format!(
        "{} free of {} ({:.1}%) on {} ({})",
        human_bytes(fs.free),
        human_bytes(fs.total),
        fs.free_percent(),
        fs.mount_point,
        fs.filesystem
    )
}

fn threshold(t: &Option<SizeOrPercent>, fs: &FsStats, percent: bool) -> Option<f64> {
    t.as_ref().and_then(|t| match (t, percent) {
        (SizeOrPercent::Percent(p), true) => Some(*p),
        (SizeOrPercent::Percent(_), false) | (SizeOrPercent::Size(_), false) => {
            Some(t.bytes_of(fs.total) as f64)
        }
        (SizeOrPercent::Size(_), true) => None,
    })
}

impl super::Reasons for DiskStep {
    const REASONS: &'static [(&'static str, &'static str)] = &[
        (
            "low_space",
            "free space is below `warn_free_below`/`fail_free_below`",
        ),
        (
            "low_inodes",
            "free inodes are below `warn_inodes_free_below`/`fail_inodes_free_below`",
        ),
        (
            "unreadable",
            "the filesystem could not be read (no such path, or none mounted)",
        ),
    ];
}

impl DiskStep {
    fn measurements(&self, fs: &FsStats, prefix: &str) -> Vec<Measurement> {
        let m = |name: &str, value: f64, unit: &str| {
            Measurement::new(&format!("{prefix}{name}"), value, unit)
        };
        let mut out = vec![
            m("total", fs.total as f64, "bytes"),
            m("used", fs.total.saturating_sub(fs.free) as f64, "bytes"),
            Measurement {
                warn: threshold(&self.warn_free_below, fs, false),
                fail: threshold(&self.fail_free_below, fs, false),
                below: true,
                ..m("free", fs.free as f64, "bytes")
            },
            Measurement {
                warn: threshold(&self.warn_free_below, fs, true),
                fail: threshold(&self.fail_free_below, fs, true),
                below: true,
                ..m(
                    "free_percent",
                    (fs.free_percent() * 10.0).round() / 10.0,
                    "percent",
                )
            },
        ];
        if let (Some(total), Some(free), Some(pct)) =
            (fs.inodes_total, fs.inodes_free, fs.inodes_free_percent())
        {
            out.push(m("inodes_total", total as f64, "count"));
            out.push(Measurement {
                warn: threshold(&self.warn_inodes_free_below, fs, true),
                fail: threshold(&self.fail_inodes_free_below, fs, true),
                below: true,
                ..m(
                    "inodes_free_percent",
                    (pct * 10.0).round() / 10.0,
                    "percent",
                )
            });
            out.push(m("inodes_free", free as f64, "count"));
        }
        out
    }

    /// Evaluates against any source of figures (tests inject their own).
    pub fn evaluate_with(&self, source: &dyn DiskSource, ctx: &StepContext) -> Evaluation {
        if self.all {
            return self.evaluate_all(source);
        }
        let path = self.path.clone().unwrap_or_default();
        let fs = match source.for_path(Path::new(&path)) {
            Ok(fs) => fs,
            Err(e) => {
                return Evaluation::problem(
                    Status::Error,
                    "unreadable",
                    format!("cannot read the filesystem of {path}: {e}"),
                );
            }
        };
        let (status, reason) = verdict(self, &fs);
        let mut message = summary(&fs);
        if let Some((_, r)) = &reason {
            message.push_str(&format!("; {r}"));
        }
        let mut e = Evaluation::new(status, message);
        e.reason = reason.map(|(code, _)| code);
        e.measurements = self.measurements(&fs, "");
        if let Some(n) = self.largest.filter(|n| *n > 0) {
            e.output = Some(self.largest_report(&path, n as usize, ctx));
            e.show_output = true;
        }
        e
    }

    fn evaluate_all(&self, source: &dyn DiskSource) -> Evaluation {
        let mut seen = std::collections::BTreeSet::new();
        let filesystems: Vec<FsStats> = source
            .all(&|fstype| {
                !PSEUDO_FILESYSTEMS.contains(&fstype)
                    || self.include_types.iter().any(|t| t == fstype)
            })
            .into_iter()
            .filter(|fs| fs.total > 0)
            .filter(|fs| seen.insert(fs.mount_point.clone()))
            .collect();
        if filesystems.is_empty() {
            return Evaluation::problem(
                Status::Error,
                "unreadable",
                "no real filesystem is mounted (or none could be read)",
            );
        }
        let mut worst = (Status::Pass, String::new(), None);
        let mut lines = Vec::new();
        let mut measurements = Vec::new();
        for fs in &filesystems {
            let (status, reason) = verdict(self, fs);
            let line = format!(
                "{:<5} {}{}",
                status.as_str(),
                summary(fs),
                reason
                    .as_ref()
                    .map(|(_, r)| format!("; {r}"))
                    .unwrap_or_default()
            );
            let rank = |s: Status| {
                [Status::Pass, Status::Warn, Status::Fail]
                    .iter()
                    .position(|x| *x == s)
                    .unwrap_or(0)
            };
            if rank(status) > rank(worst.0) {
                worst = (
                    status,
                    format!(
                        "{}{}",
                        summary(fs),
                        reason
                            .as_ref()
                            .map(|(_, r)| format!("; {r}"))
                            .unwrap_or_default()
                    ),
                    reason.map(|(code, _)| code),
                );
            }
            lines.push(line);
            measurements.extend(self.measurements(fs, &format!("{}:", fs.mount_point)));
        }
        let message = match worst.0 {
            Status::Pass if filesystems.len() == 1 => {
                "1 filesystem, above its thresholds".to_string()
            }
            Status::Pass => format!(
                "{} filesystems, all above their thresholds",
                filesystems.len()
            ),
            _ => worst.1,
        };
        let mut e = Evaluation::new(worst.0, message);
        e.reason = worst.2;
        e.measurements = measurements;
        e.output = Some(Output {
            stdout: lines.join("\n") + "\n",
            stderr: String::new(),
            truncated: false,
        });
        e.show_output = true;
        e
    }

    fn largest_report(&self, path: &str, n: usize, ctx: &StepContext) -> Output {
        let depth = self.largest_depth.unwrap_or(3) as usize;
        ctx.progress.detail(&format!("measuring what fills {path}"));
        match crate::largest::scan(Path::new(path), n, depth, ctx.cancel, ctx.deadline) {
            Err(e) => Output {
                stdout: String::new(),
                stderr: format!("cannot scan {path}: {e}\n"),
                truncated: false,
            },
            Ok(l) => {
                let mut text = format!("Largest folders under {path}:\n");
                for u in &l.top_dirs {
                    text.push_str(&format!(
                        "  {:>10}  {}\n",
                        human_bytes(u.bytes),
                        u.path.display()
                    ));
                }
                text.push_str("Largest files:\n");
                for u in &l.top_files {
                    text.push_str(&format!(
                        "  {:>10}  {}\n",
                        human_bytes(u.bytes),
                        u.path.display()
                    ));
                }
                if l.unreadable > 0 {
                    text.push_str(&format!("({} entries could not be read)\n", l.unreadable));
                }
                Output {
                    stdout: text,
                    stderr: String::new(),
                    truncated: l.incomplete,
                }
            }
        }
    }
}

impl Check for DiskStep {
    fn evaluate(&self, ctx: &StepContext) -> Evaluation {
        self.evaluate_with(&RealDisks, ctx)
    }

    fn describe(&self) -> String {
        let what = if self.all {
            "every mounted filesystem".to_string()
        } else {
            format!("the filesystem of {}", self.path.as_deref().unwrap_or("?"))
        };
        let mut limits = Vec::new();
        if let Some(t) = self.warn_free_below {
            limits.push(format!("warn below {t}"));
        }
        if let Some(t) = self.fail_free_below {
            limits.push(format!("fail below {t}"));
        }
        let mut s = format!("checks free space on {what}");
        if !limits.is_empty() {
            s.push_str(&format!(" ({})", limits.join(", ")));
        }
        if let Some(n) = self.largest {
            s.push_str(&format!("; lists the {n} largest folders and files"));
        }
        s
    }

    fn default_timeout(&self) -> Duration {
        if self.largest.is_some() {
            Duration::from_secs(300)
        } else {
            Duration::from_secs(30)
        }
    }

    fn validate(&self, _facts: &Facts) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        match (&self.path, self.all) {
            (None, false) => out.push(FieldProblem {
                key: "path",
                message: "a disk step needs `path` or `all = true`".into(),
                hint: Some("e.g. path = \"{{ system_drive }}\"".into()),
            }),
            (Some(_), true) => out.push(FieldProblem {
                key: "all",
                message: "give either `path` or `all = true`, not both".into(),
                hint: None,
            }),
            _ => {}
        }
        if self.all && self.largest.is_some() {
            out.push(FieldProblem {
                key: "largest",
                message: "`largest` needs a `path`, not `all`".into(),
                hint: None,
            });
        }
        for (key, t) in [
            ("warn_inodes_free_below", &self.warn_inodes_free_below),
            ("fail_inodes_free_below", &self.fail_inodes_free_below),
        ] {
            if let Some(SizeOrPercent::Size(_)) = t {
                out.push(FieldProblem {
                    key,
                    message: format!("`{key}` takes a percentage"),
                    hint: Some("e.g. \"5%\"".into()),
                });
            }
        }
        if let (Some(SizeOrPercent::Percent(w)), Some(SizeOrPercent::Percent(f))) =
            (self.warn_free_below, self.fail_free_below)
            && w < f
        {
            out.push(FieldProblem {
                key: "warn_free_below",
                message: format!("the warning threshold ({w}%) is below the failure threshold ({f}%)"),
                hint: Some("warn earlier than you fail, e.g. warn_free_below = \"15%\", fail_free_below = \"5%\"".into()),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cancel::Cancel;
    use crate::progress::Progress;
    use std::io;
    use std::time::Instant;

    struct Fake(Vec<FsStats>);
    impl DiskSource for Fake {
        fn for_path(&self, _: &Path) -> io::Result<FsStats> {
            self.0
                .first()
                .cloned()
                .ok_or_else(|| io::Error::other("no such filesystem"))
        }
        fn all(&self, wanted: &dyn Fn(&str) -> bool) -> Vec<FsStats> {
            self.0
                .iter()
                .filter(|fs| wanted(&fs.filesystem))
                .cloned()
                .collect()
        }
    }

    fn fs(mount: &str, kind: &str, total: u64, free: u64) -> FsStats {
        FsStats {
            mount_point: mount.into(),
            filesystem: kind.into(),
            total,
            free,
            inodes_total: Some(1000),
            inodes_free: Some(40),
        }
    }

    fn run(step: &DiskStep, source: &Fake) -> Evaluation {
        let facts = Facts::gather();
        let cancel = Cancel::new();
        let progress = Progress::hidden();
        let ctx = StepContext {
            dry_run: false,
            deadline: Instant::now() + Duration::from_secs(5),
            timeout: Duration::from_secs(5),
            cancel: &cancel,
            facts: &facts,
            progress: &progress,
            report: None,
        };
        step.evaluate_with(source, &ctx)
    }

    fn step(warn: &str, fail: &str) -> DiskStep {
        DiskStep {
            path: Some("/".into()),
            warn_free_below: Some(warn.parse().unwrap()),
            fail_free_below: Some(fail.parse().unwrap()),
            ..Default::default()
        }
    }

    #[test]
    fn thresholds_in_percent_and_bytes() {
        let gib = 1u64 << 30;
        let source = |free| Fake(vec![fs("/", "ext4", 100 * gib, free)]);
        assert_eq!(
            run(&step("15%", "5%"), &source(50 * gib)).status,
            Status::Pass
        );
        let e = run(&step("15%", "5%"), &source(10 * gib));
        assert_eq!((e.status, e.reason), (Status::Warn, Some("low_space")));
        assert_eq!(
            e.message,
            "10.0 GiB free of 100.0 GiB (10.0%) on / (ext4); below 15%"
        );
        assert_eq!(
            run(&step("15%", "5%"), &source(4 * gib)).status,
            Status::Fail
        );
        assert_eq!(
            run(&step("20 GiB", "5 GiB"), &source(10 * gib)).status,
            Status::Warn
        );
        assert_eq!(
            run(&step("20 GiB", "5 GiB"), &source(4 * gib)).status,
            Status::Fail
        );
        let free = e.measurements.iter().find(|m| m.name == "free").unwrap();
        assert_eq!(
            (free.warn, free.fail, free.below),
            (Some(15.0 * gib as f64), Some(5.0 * gib as f64), true)
        );
    }

    #[test]
    fn inode_thresholds() {
        let mut s = step("1%", "1%");
        s.fail_inodes_free_below = Some("5%".parse().unwrap());
        let e = run(&s, &Fake(vec![fs("/", "ext4", 100, 90)]));
        assert_eq!((e.status, e.reason), (Status::Fail, Some("low_inodes")));
        assert!(e.message.ends_with("free inodes below 5%"), "{}", e.message);
    }

    #[test]
    fn all_skips_pseudo_filesystems_and_reports_the_worst() {
        let s = DiskStep {
            all: true,
            fail_free_below: Some("5%".parse().unwrap()),
            ..Default::default()
        };
        let source = Fake(vec![
            fs("/", "ext4", 100, 50),
            fs("/run", "tmpfs", 100, 1),
            fs("/data", "xfs", 100, 2),
        ]);
        let e = run(&s, &source);
        assert_eq!(e.status, Status::Fail);
        assert!(e.message.contains("on /data (xfs)"), "{}", e.message);
        let out = e.output.unwrap().stdout;
        assert!(!out.contains("/run"), "{out}");
        let with_tmpfs = DiskStep {
            include_types: vec!["tmpfs".into()],
            ..s
        };
        assert!(
            run(&with_tmpfs, &source)
                .output
                .unwrap()
                .stdout
                .contains("/run")
        );
    }

    #[test]
    fn unreadable_path_is_an_error() {
        let e = run(&step("1%", "1%"), &Fake(vec![]));
        assert_eq!((e.status, e.reason), (Status::Error, Some("unreadable")));
    }
}
