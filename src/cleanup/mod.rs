//! Cleanup: deleting old temporary and cache files safely.
//!
//! - [`protect`]: roots that are refused (filesystem roots, home, system dirs)
//! - [`locations`]: named places (`user-temp`, `chrome-cache`, ...) per OS
//! - [`walk`]: the tree walk that decides and deletes, file by file
//!
//! Invariants (tested by `tests/cleanup.rs` on a hostile tree):
//! - symlinks (and Windows junctions) are never followed: a link inside a
//!   root is removed as a link when it matches, its target never touched;
//! - the walk never leaves the root's filesystem or the root itself; a root
//!   is never deleted, and a root that is itself a symlink is refused;
//! - on Unix every operation is relative to an open directory handle
//!   (`openat(O_NOFOLLOW)`, `unlinkat`), so a directory swapped for a
//!   symlink mid-walk is detected and skipped, never followed;
//! - files that cannot be deleted (in use, not permitted) or that vanish are
//!   counted and skipped; the walk goes on.

pub mod locations;
pub mod protect;
pub mod walk;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::values::Globs;

/// What to do with a file that matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Count what would be freed; change nothing.
    Preview,
    Delete,
    /// Move to the OS trash (recoverable).
    Trash,
}

/// Which timestamp `older_than` looks at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AgeBy {
    /// Last modification (default; reliable everywhere).
    #[default]
    Modified,
    /// Last access (often disabled or coarse: `noatime`, `relatime`).
    Accessed,
    /// The latest of modification, access and change (like systemd-tmpfiles):
    /// the most careful; files just unpacked with old dates are not old.
    Any,
}

/// Which files are candidates.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    /// Only files matching every one of these lists: the step's `include`,
    /// and a named location's own patterns (so `include` can only narrow).
    pub include: Vec<Globs>,
    /// Files and folders never looked at (a matching folder is not entered).
    pub exclude: Globs,
    /// Files and folders always kept (a kept folder is never removed).
    pub keep: Globs,
    /// Only files older than this (see [`AgeBy`]).
    pub older_than: Option<Duration>,
    /// Which time `older_than` measures age from.
    pub age_by: AgeBy,
    /// Only files at least this large.
    pub min_size: u64,
    /// Remove folders left empty (never the root).
    pub remove_empty_dirs: bool,
    /// "Now", for age comparisons.
    pub now: Option<SystemTime>,
}

impl Rules {
    /// Whether a file's age (seconds since the epoch) makes it a candidate.
    pub fn old_enough(&self, time_secs: i64) -> bool {
        let Some(age) = self.older_than else {
            return true;
        };
        let now = self.now.unwrap_or_else(SystemTime::now);
        let now_secs = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        now_secs.saturating_sub(time_secs) >= age.as_secs() as i64
    }
}

/// Why an entry was left alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Skip {
    /// Not matched by the rules (too new, too small, excluded, kept, not included).
    NotCandidate,
    PermissionDenied,
    InUse,
    /// Gone or changed between listing and deleting.
    Vanished,
    /// A folder on another filesystem (a mount point).
    OtherFilesystem,
    /// A folder replaced by something else while the walk ran.
    Changed,
    /// Devices, sockets, FIFOs.
    Special,
    /// Deeper than the walk goes.
    TooDeep,
    Other,
}

impl Skip {
    pub fn describe(self) -> &'static str {
        match self {
            Skip::NotCandidate => "kept by the rules",
            Skip::PermissionDenied => "permission denied",
            Skip::InUse => "in use",
            Skip::Vanished => "vanished during the run",
            Skip::OtherFilesystem => "on another filesystem",
            Skip::Changed => "changed during the run",
            Skip::Special => "special files",
            Skip::TooDeep => "too deeply nested",
            Skip::Other => "other errors",
        }
    }
}

/// What a cleanup did (or, previewing, would do).
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Files deleted (or that would be).
    pub files: u64,
    /// Bytes freed (hard-linked files free nothing and are not counted here).
    pub bytes: u64,
    /// Bytes of deleted hard links whose data lives on elsewhere.
    pub linked_bytes: u64,
    pub dirs_removed: u64,
    pub skipped: BTreeMap<Skip, u64>,
    /// The largest files deleted (or that would be): (bytes, path).
    pub largest: Vec<(u64, String)>,
    /// Files and bytes by folder: each folder directly under a root (the
    /// root itself for files directly in it).
    pub folders: BTreeMap<String, (u64, u64)>,
    /// Every file deleted (or that would be), up to [`LISTED_KEPT`]: (bytes, path).
    pub listed: Vec<(u64, String)>,
    /// Files (and their bytes) past the listing's bound.
    pub unlisted: (u64, u64),
    /// A few error messages, for the report.
    pub errors: Vec<String>,
    /// Set when the walk stopped early (deadline, interruption).
    pub stopped: Option<String>,
}

const LARGEST_KEPT: usize = 5;
/// How many files a report lists by name.
pub const LISTED_KEPT: usize = 1000;
const ERRORS_KEPT: usize = 5;

impl Stats {
    pub fn skip(&mut self, why: Skip) {
        *self.skipped.entry(why).or_default() += 1;
    }

    pub fn error(&mut self, why: Skip, message: String) {
        self.skip(why);
        if self.errors.len() < ERRORS_KEPT {
            self.errors.push(message);
        }
    }

    /// Counts a file deleted (or that would be) at `path`, in `folder`.
    pub fn removed_file(&mut self, path: String, folder: String, size: u64, hard_linked: bool) {
        self.files += 1;
        let f = self.folders.entry(folder).or_default();
        f.0 += 1;
        f.1 += size;
        if self.listed.len() < LISTED_KEPT {
            self.listed.push((size, path.clone()));
        } else {
            self.unlisted.0 += 1;
            self.unlisted.1 += size;
        }
        if hard_linked {
            self.linked_bytes += size;
        } else {
            self.bytes += size;
        }
        self.push_largest(size, path);
    }

    /// Keeps `path` among the few largest examples.
    fn push_largest(&mut self, size: u64, path: String) {
        if self.largest.len() < LARGEST_KEPT || self.largest.last().is_some_and(|(s, _)| *s < size)
        {
            self.largest.push((size, path));
            self.largest.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
            self.largest.truncate(LARGEST_KEPT);
        }
    }

    pub fn add(&mut self, other: Stats) {
        self.files += other.files;
        self.bytes += other.bytes;
        self.linked_bytes += other.linked_bytes;
        self.dirs_removed += other.dirs_removed;
        for (k, v) in other.skipped {
            *self.skipped.entry(k).or_default() += v;
        }
        for (size, path) in other.largest {
            self.push_largest(size, path);
        }
        for (folder, (n, bytes)) in other.folders {
            let f = self.folders.entry(folder).or_default();
            f.0 += n;
            f.1 += bytes;
        }
        for (size, path) in other.listed {
            if self.listed.len() < LISTED_KEPT {
                self.listed.push((size, path));
            } else {
                self.unlisted.0 += 1;
                self.unlisted.1 += size;
            }
        }
        self.unlisted.0 += other.unlisted.0;
        self.unlisted.1 += other.unlisted.1;
        for e in other.errors {
            if self.errors.len() < ERRORS_KEPT {
                self.errors.push(e);
            }
        }
        self.stopped = self.stopped.take().or(other.stopped);
    }

    /// Skips for a reason other than the rules, by reason (what the
    /// step's message lists as "skipped").
    pub fn problem_counts(&self) -> impl Iterator<Item = (Skip, u64)> + '_ {
        self.skipped
            .iter()
            .filter(|(k, _)| **k != Skip::NotCandidate)
            .map(|(k, v)| (*k, *v))
    }

    /// How many entries [`Stats::problem_counts`] covers.
    pub fn problems(&self) -> u64 {
        self.problem_counts().map(|(_, v)| v).sum()
    }
}
