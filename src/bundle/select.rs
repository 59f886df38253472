//! Choosing the files of a bundle: expand the declared paths, filter by age
//! and `exclude`, then fill the size budget newest first.
//!
//! Paths the playbook names literally are followed even when they are links;
//! inside folders and glob matches, links are not followed (listed as left
//! out). Only regular files are read: never a FIFO or a device, which could
//! block or never end. However many files the paths hold, only the newest
//! `max_files` are kept in memory while walking.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::cancel::Cancel;
use crate::pathglob;
use crate::values::Globs;

/// One set of files to collect (one `[[step.files]]` that applies here).
#[derive(Clone, Debug, Default)]
pub struct FileSpec {
    /// Paths and globs.
    pub paths: Vec<String>,
    /// Only files modified within this long.
    pub since: Option<std::time::Duration>,
    /// The newest tail kept of a larger file.
    pub max_size: u64,
    /// Names or paths below a folder left out.
    pub exclude: Globs,
    /// Binary content stored as is (else left out).
    pub binary: bool,
}

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
    /// What the file was when chosen: opening checks it is still that file.
    pub id: crate::safeopen::FileId,
    /// Named literally by the playbook: a final link is followed.
    pub literal: bool,
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
    /// Files left out because `max_files` newer ones were found (counted, not listed).
    pub over_max_files: u64,
    /// Left-out files past [`MAX_LISTED`] (counted, not listed).
    pub unlisted: u64,
}

impl Selection {
    pub fn bytes(&self) -> u64 {
        self.planned.iter().map(|p| p.keep).sum()
    }
}

/// Left-out files listed one by one; more are only counted.
pub const MAX_LISTED: usize = 1000;

fn left(selection: &mut Selection, path: &Path, reason: impl Into<String>) {
    if selection.left_out.len() >= MAX_LISTED {
        selection.unlisted += 1;
        return;
    }
    selection.left_out.push(LeftOut {
        source: path.display().to_string(),
        reason: reason.into(),
    });
}

/// A candidate ordered oldest first, so a max-heap of `Reverse` keeps the newest.
struct ByAge(Candidate);

impl PartialEq for ByAge {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for ByAge {}
impl PartialOrd for ByAge {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ByAge {
    /// Newer is greater; among equal times, the smaller path is greater.
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .modified
            .cmp(&other.0.modified)
            .then_with(|| other.0.source.cmp(&self.0.source))
    }
}

/// The newest `limit` files found, in bounded memory.
struct Newest {
    heap: BinaryHeap<Reverse<ByAge>>,
    paths: HashSet<PathBuf>,
    limit: usize,
    /// Files found beyond `limit` (older than all kept).
    over: u64,
}

impl Newest {
    fn offer(&mut self, c: Candidate) {
        if self.paths.contains(&c.source) {
            return;
        }
        self.paths.insert(c.source.clone());
        self.heap.push(Reverse(ByAge(c)));
        if self.heap.len() > self.limit
            && let Some(Reverse(ByAge(oldest))) = self.heap.pop()
        {
            self.paths.remove(&oldest.source);
            self.over += 1;
        }
    }
}

/// A file with several names whose owner is not its folder's owner: a user
/// who can write the folder may have linked someone else's file into it
/// (where the system does not forbid it), to have it collected.
#[cfg(unix)]
fn foreign_hard_link(path: &Path, meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.nlink() > 1
        && path
            .parent()
            .and_then(|p| std::fs::metadata(p).ok())
            .is_none_or(|dir| dir.uid() != meta.uid())
}

#[cfg(not(unix))]
fn foreign_hard_link(_path: &Path, _meta: &std::fs::Metadata) -> bool {
    false
}

/// Looks at one path of a set: a file is offered, a folder walked.
fn consider(
    set: &FileSpec,
    root: &Path,
    literal: bool,
    oldest: Option<SystemTime>,
    cancel: &Cancel,
    newest: &mut Newest,
    out: &mut Selection,
) {
    let max_size = set.max_size;
    let meta = if literal {
        std::fs::metadata(root)
    } else {
        std::fs::symlink_metadata(root)
    };
    let Ok(meta) = meta else {
        return left(out, root, "cannot be read (broken link or no permission)");
    };
    let is_dir = meta.is_dir();
    let mut one = |path: PathBuf, rel: &Path, meta: std::fs::Metadata, out: &mut Selection| {
        let name = path.file_name().unwrap_or_default().to_owned();
        if set.exclude.matches(&name, rel) {
            out.excluded += 1;
        } else if meta.file_type().is_symlink() {
            left(out, &path, "symbolic link (not followed)");
        } else if !meta.is_file() {
            left(out, &path, "not a regular file");
        } else if foreign_hard_link(&path, &meta) {
            left(
                out,
                &path,
                "hard link owned by another user than its folder's (it may be another user's file)",
            );
        } else {
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            if oldest.is_some_and(|o| modified < o) {
                out.older += 1;
            } else {
                newest.offer(Candidate {
                    source: path,
                    size: meta.len(),
                    modified,
                    max_size,
                    binary: set.binary,
                    id: crate::safeopen::FileId::of(&meta),
                    literal: literal && !is_dir,
                });
            }
        }
    };
    if !meta.is_dir() {
        let rel = PathBuf::from(root.file_name().unwrap_or_default());
        return one(root.to_path_buf(), &rel, meta, out);
    }
    use crate::dirwalk::{Next, walk};
    let mut unreadable: Vec<PathBuf> = Vec::new();
    walk(
        root,
        pathglob::MAX_DEPTH,
        &mut |entry| {
            if cancel.is_set() {
                return Next::Stop;
            }
            let rel = entry
                .path
                .strip_prefix(root)
                .unwrap_or(&entry.path)
                .to_path_buf();
            if entry.meta.is_dir() {
                if set
                    .exclude
                    .matches(entry.path.file_name().unwrap_or_default(), &rel)
                {
                    out.excluded += 1;
                    return Next::SkipDir;
                }
                return Next::Continue;
            }
            one(entry.path.clone(), &rel, entry.meta.clone(), out);
            Next::Continue
        },
        &mut |path, _| {
            unreadable.push(path.to_path_buf());
            Next::Continue
        },
    );
    for path in unreadable {
        left(out, &path, "cannot be read (vanished or no permission)");
    }
}

/// A declared path or glob with the links in its literal part resolved
/// (see [`crate::privilege::resolve_root_links`]); the glob part stays.
fn resolve_prefix(pattern: &str) -> Result<String, String> {
    let sep = |c: char| c == '/' || (cfg!(windows) && c == '\\');
    let cut = match pattern.find(['*', '?', '[', '{']) {
        Some(g) => pattern[..g].rfind(sep).map_or(0, |i| i + 1),
        None => pattern.len(),
    };
    if cut == 0 {
        return Ok(pattern.to_string());
    }
    let (literal, rest) = pattern.split_at(cut);
    let resolved = crate::privilege::resolve_root_links(Path::new(literal))?;
    let mut text = resolved.display().to_string();
    if !rest.is_empty() && !text.ends_with(sep) {
        text.push(std::path::MAIN_SEPARATOR);
    }
    text.push_str(rest);
    Ok(text)
}

/// Chooses the files: the newest `max_files` of all found, then newest
/// first until `budget` bytes; the file that crosses the budget keeps the
/// tail that fits. Memory is bounded by `max_files`, however many files the
/// paths hold.
pub fn select(
    sets: &[FileSpec],
    budget: u64,
    max_files: usize,
    now: SystemTime,
    cancel: &Cancel,
) -> Selection {
    let mut out = Selection::default();
    let mut newest = Newest {
        heap: BinaryHeap::new(),
        paths: HashSet::new(),
        limit: max_files,
        over: 0,
    };
    for set in sets {
        let oldest = set.since.and_then(|d| now.checked_sub(d));
        for declared in set.paths.iter() {
            let literal = !pathglob::has_glob(declared);
            // Running elevated, links on the way to what the playbook names
            // are followed only when root owns them.
            let pattern = match resolve_prefix(declared) {
                Ok(p) => p,
                Err(why) => {
                    left(&mut out, Path::new(declared), why);
                    continue;
                }
            };
            let pattern = &pattern;
            let mut any = false;
            let _ = pathglob::visit(pattern, |root| {
                any = true;
                consider(set, &root, literal, oldest, cancel, &mut newest, &mut out);
                !cancel.is_set()
            });
            if !any {
                out.missing.push(declared.clone());
            }
        }
    }
    out.over_max_files = newest.over;
    let mut found: Vec<Candidate> = newest
        .heap
        .into_sorted_vec()
        .into_iter()
        .map(|Reverse(ByAge(c))| c)
        .collect();
    // into_sorted_vec of Reverse is newest first.
    debug_assert!(found.windows(2).all(|w| w[0].modified >= w[1].modified));
    let mut room = budget;
    for file in found.drain(..) {
        let want = file.size.min(file.max_size);
        let cut_by_size = file.size > file.max_size;
        if room == 0 || (want > room && room < 1024) {
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

    fn set(paths: &[String], since: Option<Duration>, exclude: &[&str], max_size: u64) -> FileSpec {
        FileSpec {
            paths: paths.to_vec(),
            since,
            max_size,
            exclude: Globs::new(exclude.iter().map(|s| s.to_string()).collect()).unwrap(),
            binary: false,
        }
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
        let sets = [set(
            &[
                format!("{}/logs", d.display()),
                format!("{}/nothing-*.log", d.display()),
            ],
            Some(7 * 24 * hour),
            &["*.tmp", "cache"],
            4096,
        )];
        let s = select(&sets, 4096 + 3000, 100, SystemTime::now(), &Cancel::new());
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
        let sets = [set(&[format!("{}/logs", d.display())], None, &[], 25 << 20)];
        let s = select(&sets, 1 << 20, 100, SystemTime::now(), &Cancel::new());
        assert!(s.planned.is_empty());
        let reasons: Vec<&str> = s.left_out.iter().map(|l| l.reason.as_str()).collect();
        assert_eq!(
            reasons,
            ["not a regular file", "symbolic link (not followed)"]
        );
    }
}
