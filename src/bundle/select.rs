//! Choosing the files of a bundle: expand the declared paths, filter by age
//! and `exclude`, then fill the size budget newest first.
//!
//! Paths the playbook names literally are followed even when they are links;
//! inside folders and glob matches, links are not followed (listed as left
//! out). Only regular files are read: never a FIFO or a device, which could
//! block or never end.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::cancel::Cancel;
use crate::pathglob;
use crate::steps::bundle::{DEFAULT_MAX_SIZE, FileSet};

/// A file found for the bundle.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub source: PathBuf,
    pub size: u64,
    pub modified: SystemTime,
    /// The set's per-file cap.
    pub max_size: u64,
    /// Binary content allowed (stored as is).
    pub binary: bool,
}

/// A file chosen, with how much of its tail to keep.
#[derive(Clone, Debug)]
pub struct Planned {
    pub file: Candidate,
    /// Bytes to keep (the newest tail): the file's size or less.
    pub keep: u64,
    /// Why fewer bytes than the file holds are kept.
    pub cut: Option<&'static str>,
}

/// A path found but not collected, with the reason (listed in the manifest).
#[derive(Clone, Debug, PartialEq)]
pub struct LeftOut {
    pub source: String,
    pub reason: String,
}

/// What [`select`] chose.
#[derive(Debug, Default)]
pub struct Selection {
    /// Sorted by path.
    pub planned: Vec<Planned>,
    pub left_out: Vec<LeftOut>,
    /// Files older than `since` (counted, not listed).
    pub older: u64,
    /// Files matching `exclude` (counted, not listed).
    pub excluded: u64,
    /// Declared paths that matched nothing.
    pub missing: Vec<String>,
}

impl Selection {
    pub fn bytes(&self) -> u64 {
        self.planned.iter().map(|p| p.keep).sum()
    }
}

fn left(selection: &mut Selection, path: &Path, reason: impl Into<String>) {
    selection.left_out.push(LeftOut {
        source: path.display().to_string(),
        reason: reason.into(),
    });
}

/// Finds every file of the applicable sets (before the budget).
fn find(
    sets: &[FileSet],
    os: &str,
    limit: usize,
    now: SystemTime,
    cancel: &Cancel,
    out: &mut Selection,
) -> Vec<Candidate> {
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    for set in sets.iter().filter(|s| s.applies(os)) {
        let oldest = set.since.and_then(|d| now.checked_sub(d.0));
        let max_size = set.max_size.map_or(DEFAULT_MAX_SIZE, |s| s.0);
        for pattern in set.paths.iter() {
            let literal = !pathglob::has_glob(pattern);
            let matches = pathglob::expand(pattern, limit.saturating_mul(4)).unwrap_or_default();
            if matches.is_empty() {
                out.missing.push(pattern.clone());
            }
            for root in matches {
                let meta = if literal {
                    std::fs::metadata(&root)
                } else {
                    std::fs::symlink_metadata(&root)
                };
                let Ok(meta) = meta else {
                    left(out, &root, "cannot be read (broken link or no permission)");
                    continue;
                };
                let mut consider =
                    |path: PathBuf, rel: &Path, meta: std::fs::Metadata, out: &mut Selection| {
                        if cancel.is_set() || found.len() >= limit.saturating_mul(4) {
                            return;
                        }
                        let name = path.file_name().unwrap_or_default().to_owned();
                        if set.exclude.matches(&name, rel) {
                            out.excluded += 1;
                            return;
                        }
                        if meta.file_type().is_symlink() {
                            return left(out, &path, "symbolic link (not followed)");
                        }
                        if !meta.is_file() {
                            return left(out, &path, "not a regular file");
                        }
                        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                        if oldest.is_some_and(|o| modified < o) {
                            out.older += 1;
                            return;
                        }
                        if seen.insert(path.clone()) {
                            found.push(Candidate {
                                source: path,
                                size: meta.len(),
                                modified,
                                max_size,
                                binary: set.binary,
                            });
                        }
                    };
                if !meta.is_dir() {
                    let rel = PathBuf::from(root.file_name().unwrap_or_default());
                    consider(root.clone(), &rel, meta, out);
                    continue;
                }
                let walk = walkdir::WalkDir::new(&root)
                    .min_depth(1)
                    .max_depth(pathglob::MAX_DEPTH)
                    .follow_links(false)
                    .sort_by_file_name();
                let mut it = walk.into_iter();
                while let Some(entry) = it.next() {
                    let entry = match entry {
                        Ok(e) => e,
                        Err(e) => {
                            let path = e
                                .path()
                                .map(Path::to_path_buf)
                                .unwrap_or_else(|| root.clone());
                            left(out, &path, "cannot be read (no permission?)");
                            continue;
                        }
                    };
                    let rel = entry
                        .path()
                        .strip_prefix(&root)
                        .unwrap_or(entry.path())
                        .to_path_buf();
                    if entry.file_type().is_dir() {
                        if set.exclude.matches(entry.file_name(), &rel) {
                            out.excluded += 1;
                            it.skip_current_dir();
                        }
                        continue;
                    }
                    match entry.metadata() {
                        Ok(meta) => consider(entry.into_path(), &rel, meta, out),
                        Err(_) => left(
                            out,
                            entry.path(),
                            "cannot be read (vanished or no permission)",
                        ),
                    }
                }
            }
        }
    }
    found
}

/// Chooses the files: newest first until `budget` bytes or `max_files`
/// files; the file that crosses the budget keeps the tail that fits.
pub fn select(
    sets: &[FileSet],
    os: &str,
    budget: u64,
    max_files: usize,
    now: SystemTime,
    cancel: &Cancel,
) -> Selection {
    let mut out = Selection::default();
    let mut found = find(sets, os, max_files, now, cancel, &mut out);
    found.sort_by(|a, b| {
        b.modified
            .cmp(&a.modified)
            .then_with(|| a.source.cmp(&b.source))
    });
    let mut room = budget;
    for file in found {
        let want = file.size.min(file.max_size);
        let cut_by_size = file.size > file.max_size;
        if out.planned.len() >= max_files {
            left(
                &mut out,
                &file.source,
                format!("over max_files ({max_files})"),
            );
        } else if room == 0 || (want > room && room < 1024) {
            left(
                &mut out,
                &file.source,
                "over max_total (older than the files kept)",
            );
        } else {
            let keep = want.min(room);
            room -= keep;
            let cut = if keep < want {
                Some("max_total")
            } else if cut_by_size {
                Some("max_size")
            } else {
                None
            };
            out.planned.push(Planned { file, keep, cut });
        }
    }
    out.planned
        .sort_by(|a, b| a.file.source.cmp(&b.file.source));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn set(toml: &str) -> FileSet {
        toml::from_str(toml).unwrap()
    }

    fn touch(path: &Path, bytes: usize, age: Duration) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, vec![b'x'; bytes]).unwrap();
        let f = std::fs::File::options().write(true).open(path).unwrap();
        f.set_modified(SystemTime::now() - age).unwrap();
    }

    #[test]
    fn newest_first_within_budget_and_age() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let hour = Duration::from_secs(3600);
        touch(&d.join("logs/new.log"), 5000, hour);
        touch(&d.join("logs/mid.log"), 5000, 2 * hour);
        touch(&d.join("logs/old.log"), 5000, 3 * hour);
        touch(&d.join("logs/ancient.log"), 10, 24 * 30 * hour);
        touch(&d.join("logs/skip.tmp"), 10, hour);
        touch(&d.join("logs/cache/x.log"), 10, hour);
        let sets = [set(&format!(
            "paths = [\"{}/logs\", \"{}/nothing-*.log\"]\nsince = \"7d\"\nexclude = [\"*.tmp\", \"cache\"]\nmax_size = \"4 KiB\"",
            d.display(),
            d.display()
        ))];
        let s = select(
            &sets,
            std::env::consts::OS,
            4096 + 3000,
            100,
            SystemTime::now(),
            &Cancel::new(),
        );
        let kept: Vec<(String, u64, Option<&str>)> = s
            .planned
            .iter()
            .map(|p| {
                (
                    p.file
                        .source
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                    p.keep,
                    p.cut,
                )
            })
            .collect();
        assert_eq!(
            kept,
            [
                ("mid.log".into(), 3000, Some("max_total")),
                ("new.log".into(), 4096, Some("max_size"))
            ]
        );
        assert_eq!(s.left_out.len(), 1, "{:?}", s.left_out);
        assert!(s.left_out[0].source.ends_with("old.log"));
        assert_eq!((s.older, s.excluded), (1, 2));
        assert_eq!(s.missing.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn links_and_fifos_are_listed_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        touch(&d.join("outside/secret.txt"), 10, Duration::ZERO);
        std::fs::create_dir(d.join("logs")).unwrap();
        std::os::unix::fs::symlink(d.join("outside"), d.join("logs/link")).unwrap();
        let fifo = std::ffi::CString::new(d.join("logs/fifo").to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        let sets = [set(&format!("paths = \"{}/logs\"", d.display()))];
        let s = select(
            &sets,
            std::env::consts::OS,
            1 << 20,
            100,
            SystemTime::now(),
            &Cancel::new(),
        );
        assert!(s.planned.is_empty());
        let reasons: Vec<&str> = s.left_out.iter().map(|l| l.reason.as_str()).collect();
        assert_eq!(
            reasons,
            ["not a regular file", "symbolic link (not followed)"]
        );
    }
}
