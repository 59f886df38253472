//! The cleanup walk: one generic walker over [`DirOps`], with a Unix
//! implementation on directory handles and a portable one on paths.
//!
//! On Unix each folder is opened with `openat(O_DIRECTORY | O_NOFOLLOW)`
//! relative to its parent's handle and checked to be the same inode that was
//! listed; entries are examined with `fstatat(AT_SYMLINK_NOFOLLOW)` and
//! removed with `unlinkat` on the parent handle. A folder swapped for a
//! symlink between listing and opening fails to open (or fails the inode
//! check) and is skipped as "changed"; nothing outside the root is reachable.
//! Elsewhere (Windows) the same walker works on paths and never descends
//! into links or junctions (which `symlink_metadata` reports as links).

use std::ffi::{OsStr, OsString};
use std::io;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use globset::GlobSet;
use rayon::prelude::*;

use super::{Action, Rules, Skip, Stats};
use crate::cancel::Cancel;

/// What an entry is, without following links.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dir,
    File,
    Link,
    Special,
}

/// The metadata the walk needs.
#[derive(Clone, Copy, Debug)]
pub struct Meta {
    pub kind: Kind,
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime: i64,
    pub atime: i64,
    pub nlink: u64,
}

/// Filesystem operations relative to an open folder.
pub trait DirOps: Sized {
    /// Opens the root; refuses a root that is itself a link.
    fn open_root(path: &Path) -> io::Result<(Self, Meta)>;
    fn names(&self) -> io::Result<Vec<OsString>>;
    fn stat(&self, name: &OsStr) -> io::Result<Meta>;
    /// Opens a sub-folder without following links, and checks it is `listed`.
    fn open_child(&self, name: &OsStr, listed: &Meta) -> Result<Self, Skip>;
    fn unlink(&self, name: &OsStr) -> io::Result<()>;
    fn rmdir(&self, name: &OsStr) -> io::Result<()>;
}

/// Classifies an I/O error for the report.
pub fn classify(e: &io::Error) -> Skip {
    match e.kind() {
        io::ErrorKind::NotFound => return Skip::Vanished,
        io::ErrorKind::PermissionDenied => return Skip::PermissionDenied,
        _ => {}
    }
    match e.raw_os_error() {
        #[cfg(unix)]
        Some(libc::EBUSY | libc::ETXTBSY) => Skip::InUse,
        #[cfg(unix)]
        Some(libc::EPERM | libc::EROFS) => Skip::PermissionDenied,
        #[cfg(unix)]
        Some(libc::ELOOP | libc::ENOTDIR) => Skip::Changed,
        // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
        #[cfg(windows)]
        Some(32 | 33) => Skip::InUse,
        _ => Skip::Other,
    }
}

/// How a walk should behave.
pub struct Walk<'a> {
    pub rules: &'a Rules,
    pub action: Action,
    pub cancel: &'a Cancel,
    pub deadline: Instant,
    /// Called now and then with the running totals (files, bytes).
    pub on_progress: &'a (dyn Fn(u64, u64) + Sync),
}

fn matches(set: &Option<GlobSet>, name: &OsStr, rel: &Path) -> bool {
    set.as_ref()
        .is_some_and(|s| s.is_match(name) || s.is_match(rel))
}

fn candidate(rules: &Rules, name: &OsStr, rel: &Path, m: &Meta) -> bool {
    let included = rules
        .include
        .iter()
        .all(|s| s.is_match(name) || s.is_match(rel));
    included
        && !matches(&rules.keep, name, rel)
        && m.size >= rules.min_size
        && rules.old_enough(if rules.by_access { m.atime } else { m.mtime })
}

/// What every folder's worker shares (folders are walked in parallel).
struct Shared<'w, 'a> {
    walk: &'w Walk<'a>,
    root: &'w Path,
    dev: u64,
    seen: AtomicU64,
    files: AtomicU64,
    bytes: AtomicU64,
    stop: Mutex<Option<String>>,
}

impl Shared<'_, '_> {
    fn should_stop(&self) -> bool {
        let mut stop = self.stop.lock().unwrap_or_else(|e| e.into_inner());
        if stop.is_none() {
            if self.walk.cancel.is_set() {
                *stop = Some("interrupted".into());
            } else if Instant::now() >= self.walk.deadline {
                *stop = Some("time ran out".into());
            }
        }
        stop.is_some()
    }

    fn report(&self, rel: &Path) -> String {
        self.root.join(rel).display().to_string()
    }

    fn tick(&self) {
        if self.seen.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            (self.walk.on_progress)(
                self.files.load(Ordering::Relaxed),
                self.bytes.load(Ordering::Relaxed),
            );
        }
    }
}

/// Cleans one root. `Err` when the root itself cannot be opened or is a link.
pub fn clean_root<D: DirOps + Sync>(root: &Path, walk: &Walk) -> Result<Stats, String> {
    let (dir, meta) = D::open_root(root).map_err(|e| match classify(&e) {
        Skip::Changed => format!(
            "{} is a symbolic link or not a folder; name the real folder",
            root.display()
        ),
        Skip::Vanished => format!("{} does not exist", root.display()),
        _ => format!("cannot open {}: {e}", root.display()),
    })?;
    let shared = Shared {
        walk,
        root,
        dev: meta.dev,
        seen: AtomicU64::new(0),
        files: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
        stop: Mutex::new(None),
    };
    let (mut stats, _) = walk_dir(&dir, Path::new(""), &shared);
    stats.stopped = shared.stop.into_inner().unwrap_or_else(|e| e.into_inner());
    (walk.on_progress)(stats.files, stats.bytes);
    Ok(stats)
}

/// Walks a folder; returns its stats and whether it is (or, previewing,
/// would be) empty afterwards. Sub-folders are walked in parallel.
fn walk_dir<D: DirOps + Sync>(dir: &D, rel: &Path, sh: &Shared) -> (Stats, bool) {
    let mut stats = Stats::default();
    let names = match dir.names() {
        Ok(n) => n,
        Err(e) => {
            stats.error(classify(&e), format!("{}: {e}", sh.report(rel)));
            return (stats, false);
        }
    };
    let mut remaining = 0u64;
    let mut subdirs = Vec::new();
    for name in names {
        if sh.should_stop() {
            return (stats, false);
        }
        sh.tick();
        let path = rel.join(&name);
        match entry(dir, &name, &path, sh, &mut stats) {
            Entry::Gone => {}
            Entry::Stays => remaining += 1,
            Entry::Folder(meta) => subdirs.push((name, path, meta)),
        }
    }
    let children: Vec<(Stats, bool)> = subdirs
        .par_iter()
        .map(|(name, path, meta)| folder(dir, name, path, meta, sh))
        .collect();
    for (child, stays) in children {
        stats.add(child);
        if stays {
            remaining += 1;
        }
    }
    (stats, remaining == 0 && !sh.should_stop())
}

/// What became of an entry: gone, still there, or a folder to walk.
enum Entry {
    Gone,
    Stays,
    Folder(Meta),
}

/// Walks a sub-folder and removes it when emptied; returns whether it stays.
fn folder<D: DirOps + Sync>(
    parent: &D,
    name: &OsStr,
    rel: &Path,
    meta: &Meta,
    sh: &Shared,
) -> (Stats, bool) {
    let rules = sh.walk.rules;
    let mut stats = Stats::default();
    let child = match parent.open_child(name, meta) {
        Ok(c) => c,
        Err(Skip::Vanished) => return (stats, false),
        Err(why) => {
            stats.skip(why);
            return (stats, true);
        }
    };
    let (below, empty) = walk_dir(&child, rel, sh);
    stats.add(below);
    drop(child);
    // A folder is removed only when emptied, old enough itself, and allowed.
    if !empty || !rules.remove_empty_dirs || !rules.old_enough(meta.mtime) {
        return (stats, true);
    }
    if sh.walk.action == Action::Preview {
        stats.dirs_removed += 1;
        return (stats, false);
    }
    match parent.rmdir(name) {
        Ok(()) => {
            stats.dirs_removed += 1;
            (stats, false)
        }
        // Already gone, or something new appeared in it.
        Err(e) if classify(&e) == Skip::Vanished => (stats, false),
        Err(e) if e.kind() == io::ErrorKind::DirectoryNotEmpty => (stats, true),
        Err(e) => {
            stats.error(classify(&e), format!("{}: {e}", sh.report(rel)));
            (stats, true)
        }
    }
}

/// Handles one entry of a folder (files now; folders are returned to walk).
fn entry<D: DirOps>(dir: &D, name: &OsStr, rel: &Path, sh: &Shared, stats: &mut Stats) -> Entry {
    let rules = sh.walk.rules;
    let meta = match dir.stat(name) {
        Ok(m) => m,
        Err(e) => {
            let why = classify(&e);
            if why == Skip::Vanished {
                stats.skip(why);
                return Entry::Gone;
            }
            stats.error(why, format!("{}: {e}", sh.report(rel)));
            return Entry::Stays;
        }
    };
    if matches(&rules.exclude, name, rel) {
        stats.skip(Skip::NotCandidate);
        return Entry::Stays;
    }
    match meta.kind {
        Kind::Dir if meta.dev != sh.dev => {
            stats.skip(Skip::OtherFilesystem);
            Entry::Stays
        }
        Kind::Dir => Entry::Folder(meta),
        Kind::File | Kind::Link => {
            if !candidate(rules, name, rel, &meta) {
                stats.skip(Skip::NotCandidate);
                return Entry::Stays;
            }
            let linked = meta.kind == Kind::File && meta.nlink > 1;
            let result = match sh.walk.action {
                Action::Preview => Ok(()),
                Action::Delete => dir.unlink(name),
                Action::Trash => {
                    trash::delete(sh.root.join(rel)).map_err(|e| io::Error::other(e.to_string()))
                }
            };
            match result {
                Ok(()) => {
                    stats.removed_file(sh.report(rel), meta.size, linked);
                    sh.files.fetch_add(1, Ordering::Relaxed);
                    sh.bytes.fetch_add(meta.size, Ordering::Relaxed);
                    Entry::Gone
                }
                Err(e) if classify(&e) == Skip::Vanished => {
                    stats.skip(Skip::Vanished);
                    Entry::Gone
                }
                Err(e) => {
                    stats.error(classify(&e), format!("{}: {e}", sh.report(rel)));
                    Entry::Stays
                }
            }
        }
        Kind::Special => {
            stats.skip(Skip::Special);
            Entry::Stays
        }
    }
}

/// Directory handles and `*at` calls (Linux, macOS, BSD).
#[cfg(unix)]
pub mod fd {
    use std::ffi::{OsStr, OsString};
    use std::io;
    use std::os::fd::OwnedFd;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    use rustix::fs::{
        AtFlags, CWD, Dir, FileType, Mode, OFlags, Stat, fstat, openat, statat, unlinkat,
    };

    use super::{DirOps, Kind, Meta};
    use crate::cleanup::Skip;

    pub struct FdDir(OwnedFd);

    const DIR_FLAGS: OFlags = OFlags::RDONLY
        .union(OFlags::DIRECTORY)
        .union(OFlags::NOFOLLOW)
        .union(OFlags::CLOEXEC);

    // The field types differ between platforms (st_dev is i32 on macOS), so
    // casts that are no-ops on Linux are needed elsewhere.
    #[allow(clippy::unnecessary_cast)]
    fn meta(s: &Stat) -> Meta {
        let kind = match FileType::from_raw_mode(s.st_mode as _) {
            FileType::Directory => Kind::Dir,
            FileType::RegularFile => Kind::File,
            FileType::Symlink => Kind::Link,
            _ => Kind::Special,
        };
        Meta {
            kind,
            dev: s.st_dev as u64,
            ino: s.st_ino as u64,
            size: s.st_size.max(0) as u64,
            mtime: s.st_mtime as i64,
            atime: s.st_atime as i64,
            nlink: s.st_nlink as u64,
        }
    }

    impl DirOps for FdDir {
        fn open_root(path: &Path) -> io::Result<(Self, Meta)> {
            let fd = openat(CWD, path, DIR_FLAGS, Mode::empty())?;
            let m = meta(&fstat(&fd)?);
            Ok((FdDir(fd), m))
        }

        fn names(&self) -> io::Result<Vec<OsString>> {
            let mut out = Vec::new();
            for entry in Dir::read_from(&self.0)? {
                let entry = entry?;
                let name = entry.file_name().to_bytes();
                if name != b"." && name != b".." {
                    out.push(OsStr::from_bytes(name).to_os_string());
                }
            }
            Ok(out)
        }

        fn stat(&self, name: &OsStr) -> io::Result<Meta> {
            Ok(meta(&statat(&self.0, name, AtFlags::SYMLINK_NOFOLLOW)?))
        }

        fn open_child(&self, name: &OsStr, listed: &Meta) -> Result<Self, Skip> {
            let fd = openat(&self.0, name, DIR_FLAGS, Mode::empty())
                .map_err(|e| super::classify(&e.into()))?;
            let now = fstat(&fd).map_err(|e| super::classify(&e.into()))?;
            // Swapped between listing and opening?
            if now.st_ino as u64 != listed.ino || now.st_dev as u64 != listed.dev {
                return Err(Skip::Changed);
            }
            Ok(FdDir(fd))
        }

        fn unlink(&self, name: &OsStr) -> io::Result<()> {
            Ok(unlinkat(&self.0, name, AtFlags::empty())?)
        }

        fn rmdir(&self, name: &OsStr) -> io::Result<()> {
            Ok(unlinkat(&self.0, name, AtFlags::REMOVEDIR)?)
        }
    }
}

/// Paths and `std::fs` (Windows and anything without `*at` calls).
pub mod portable {
    use std::ffi::{OsStr, OsString};
    use std::fs;
    use std::io;
    use std::path::{Path, PathBuf};
    use std::time::UNIX_EPOCH;

    use super::{DirOps, Kind, Meta};
    use crate::cleanup::Skip;

    pub struct PathDir(PathBuf);

    fn secs(t: io::Result<std::time::SystemTime>) -> i64 {
        t.ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs() as i64)
    }

    fn meta(m: &fs::Metadata) -> Meta {
        let ft = m.file_type();
        let kind = if ft.is_symlink() {
            Kind::Link
        } else if ft.is_dir() {
            Kind::Dir
        } else if ft.is_file() {
            Kind::File
        } else {
            Kind::Special
        };
        Meta {
            kind,
            dev: 0,
            ino: 0,
            size: m.len(),
            mtime: secs(m.modified()),
            atime: secs(m.accessed()),
            nlink: 1,
        }
    }

    impl DirOps for PathDir {
        fn open_root(path: &Path) -> io::Result<(Self, Meta)> {
            let m = fs::symlink_metadata(path)?;
            if !m.file_type().is_dir() {
                return Err(io::Error::from_raw_os_error(if cfg!(unix) {
                    40
                } else {
                    4393
                }));
            }
            Ok((PathDir(path.to_path_buf()), meta(&m)))
        }

        fn names(&self) -> io::Result<Vec<OsString>> {
            fs::read_dir(&self.0)?
                .map(|e| e.map(|e| e.file_name()))
                .collect()
        }

        fn stat(&self, name: &OsStr) -> io::Result<Meta> {
            Ok(meta(&fs::symlink_metadata(self.0.join(name))?))
        }

        fn open_child(&self, name: &OsStr, _listed: &Meta) -> Result<Self, Skip> {
            // Look again just before descending: never into a link or junction.
            let path = self.0.join(name);
            match fs::symlink_metadata(&path) {
                Ok(m) if m.file_type().is_dir() && !m.file_type().is_symlink() => Ok(PathDir(path)),
                Ok(_) => Err(Skip::Changed),
                Err(e) => Err(super::classify(&e)),
            }
        }

        fn unlink(&self, name: &OsStr) -> io::Result<()> {
            let path = self.0.join(name);
            // A directory symlink or junction on Windows is removed with remove_dir.
            fs::remove_file(&path).or_else(|e| {
                if fs::symlink_metadata(&path)?.file_type().is_symlink() {
                    fs::remove_dir(&path)
                } else {
                    Err(e)
                }
            })
        }

        fn rmdir(&self, name: &OsStr) -> io::Result<()> {
            fs::remove_dir(self.0.join(name))
        }
    }
}

/// The walker for this platform.
#[cfg(unix)]
pub type PlatformDir = fd::FdDir;
#[cfg(not(unix))]
pub type PlatformDir = portable::PathDir;
