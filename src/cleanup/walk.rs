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

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::io;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use super::{Action, AgeBy, Rules, Skip, Stats};
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
    /// Inode change time (Unix) or creation time (Windows).
    pub ctime: i64,
    pub nlink: u64,
    /// Owner (Unix; 0 elsewhere).
    pub uid: u32,
    /// Permission bits (Unix; 0 elsewhere).
    pub mode: u32,
}

impl Meta {
    /// Whether a user other than this process (and root) can change what
    /// this folder holds: it is group- or world-writable, or another user
    /// owns it. Trash mode moves files by path, so it stays out of such
    /// folders (a sub-folder swapped for a link would redirect the move).
    pub fn others_can_write(&self) -> bool {
        #[cfg(unix)]
        {
            // SAFETY: geteuid has no preconditions.
            let me = unsafe { libc::geteuid() };
            self.mode & 0o022 != 0 || (self.uid != me && self.uid != 0)
        }
        #[cfg(not(unix))]
        {
            false
        }
    }
}

/// Filesystem operations relative to an open folder.
pub trait DirOps: Sized {
    /// Opens the root; refuses a root that is itself a link. Returns the
    /// folder, its metadata, and its real path as resolved while opening.
    fn open_root(path: &Path) -> io::Result<(Self, Meta, std::path::PathBuf)>;
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
    /// (device, inode) of the step's other roots: walked on their own, never
    /// entered or removed from here.
    pub other_roots: &'a [(u64, u64)],
    /// Why the opened root (its real path as resolved while opening, and
    /// its metadata) must not be cleaned: checked on what was opened, not
    /// on the path given, so a folder swapped in between is caught.
    pub refuse: &'a (dyn Fn(&Path, &Meta) -> Option<String> + Sync),
}

/// How deep the walk goes; deeper folders are left alone and counted.
pub const MAX_DEPTH: usize = 128;

fn candidate(rules: &Rules, name: &OsStr, rel: &Path, m: &Meta) -> bool {
    let age = match rules.age_by {
        AgeBy::Modified => m.mtime,
        AgeBy::Accessed => m.atime,
        AgeBy::Any => m.mtime.max(m.atime).max(m.ctime),
    };
    rules.include.iter().all(|g| g.matches(name, rel))
        && !rules.keep.matches(name, rel)
        && m.size >= rules.min_size
        && rules.old_enough(age)
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
    /// Previewing: links left per hard-linked inode, so a preview frees the
    /// data when it would delete the last name, as the real run does.
    links: Mutex<HashMap<(u64, u64), u64>>,
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

    /// The folder directly under the root that holds `rel` (the root for a
    /// file directly in it): the per-folder breakdown's key.
    fn folder_of(&self, rel: &Path) -> String {
        let mut parts = rel.components();
        match (parts.next(), parts.next()) {
            (Some(first), Some(_)) => self.report(Path::new(first.as_os_str())),
            _ => self.root.display().to_string(),
        }
    }

    fn tick(&self) {
        if self.seen.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            (self.walk.on_progress)(
                self.files.load(Ordering::Relaxed),
                self.bytes.load(Ordering::Relaxed),
            );
        }
    }

    /// Whether deleting this name leaves the data on disk (other hard links).
    fn still_linked(&self, m: &Meta) -> bool {
        if m.kind != Kind::File || m.nlink <= 1 {
            return false;
        }
        if self.walk.action != Action::Preview {
            return true; // the live link count already drops as names go
        }
        let mut links = self.links.lock().unwrap_or_else(|e| e.into_inner());
        let left = links.entry((m.dev, m.ino)).or_insert(m.nlink);
        *left -= 1;
        *left > 0
    }
}

/// The result of walking a folder.
struct Walked {
    stats: Stats,
    /// Nothing is (or, previewing, would be) left in it.
    empty: bool,
    /// Something below it was (or would be) deleted.
    removed: bool,
}

impl Walked {
    /// A folder left alone (not entered), with why in `stats`; it stays.
    fn left(stats: Stats) -> (Walked, bool) {
        (
            Walked {
                stats,
                empty: false,
                removed: false,
            },
            true,
        )
    }
}

/// Cleans one root. `Err` when the root itself cannot be opened or is a link.
pub fn clean_root<D: DirOps + Sync>(root: &Path, walk: &Walk) -> Result<Stats, String> {
    let (dir, meta, real) = D::open_root(root).map_err(|e| match classify(&e) {
        Skip::Changed => format!(
            "{} is a symbolic link (or passes through one another user owns) or not a folder; name the real folder",
            root.display()
        ),
        Skip::Vanished => format!("{} does not exist", root.display()),
        _ => format!("cannot open {}: {e}", root.display()),
    })?;
    if let Some(why) = (walk.refuse)(&real, &meta) {
        return Err(format!("refused {}: {why}", root.display()));
    }
    if walk.action == Action::Trash && meta.others_can_write() {
        return Err(format!(
            "trash mode refused for {}: other users can write it (trash moves files by path); use mode = \"delete\"",
            root.display()
        ));
    }
    let shared = Shared {
        walk,
        root,
        dev: meta.dev,
        seen: AtomicU64::new(0),
        files: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
        stop: Mutex::new(None),
        links: Mutex::new(HashMap::new()),
    };
    let mut stats = walk_dir(&dir, Path::new(""), 0, &shared).stats;
    stats.stopped = shared.stop.into_inner().unwrap_or_else(|e| e.into_inner());
    (walk.on_progress)(stats.files, stats.bytes);
    Ok(stats)
}

/// Walks a folder. Sub-folders are walked in parallel.
fn walk_dir<D: DirOps + Sync>(dir: &D, rel: &Path, depth: usize, sh: &Shared) -> Walked {
    let mut out = Walked {
        stats: Stats::default(),
        empty: false,
        removed: false,
    };
    let names = match dir.names() {
        Ok(n) => n,
        Err(e) => {
            out.stats
                .error(classify(&e), format!("{}: {e}", sh.report(rel)));
            return out;
        }
    };
    let mut remaining = 0u64;
    let mut subdirs = Vec::new();
    for name in names {
        if sh.should_stop() {
            return out;
        }
        sh.tick();
        let path = rel.join(&name);
        match entry(dir, &name, &path, sh, &mut out.stats) {
            Entry::Gone => out.removed = true,
            Entry::Vanished => {}
            Entry::Stays => remaining += 1,
            Entry::Folder(_) if depth + 1 >= MAX_DEPTH => {
                out.stats.skip(Skip::TooDeep);
                remaining += 1;
            }
            Entry::Folder(meta) => subdirs.push((name, path, meta)),
        }
    }
    let children: Vec<(Walked, bool)> = subdirs
        .par_iter()
        .map(|(name, path, meta)| folder(dir, name, path, meta, depth + 1, sh))
        .collect();
    for (child, stays) in children {
        out.stats.add(child.stats);
        out.removed |= child.removed;
        if stays {
            remaining += 1;
        }
    }
    out.empty = remaining == 0 && !sh.should_stop();
    out
}

/// What became of an entry: gone, still there, or a folder to walk.
enum Entry {
    /// Deleted (or, previewing, would be) by this run.
    Gone,
    /// Gone, but not by this run (deleted by someone else meanwhile).
    Vanished,
    Stays,
    Folder(Meta),
}

/// Walks a sub-folder and removes it when this run emptied it; returns
/// the walk's result and whether the folder stays.
fn folder<D: DirOps + Sync>(
    parent: &D,
    name: &OsStr,
    rel: &Path,
    meta: &Meta,
    depth: usize,
    sh: &Shared,
) -> (Walked, bool) {
    let rules = sh.walk.rules;
    let child = match parent.open_child(name, meta) {
        Ok(c) => c,
        Err(Skip::Vanished) => {
            return (
                Walked {
                    stats: Stats::default(),
                    empty: true,
                    removed: false,
                },
                false,
            );
        }
        Err(why) => {
            let mut stats = Stats::default();
            stats.skip(why);
            return Walked::left(stats);
        }
    };
    if sh.walk.action == Action::Trash && meta.others_can_write() {
        let mut stats = Stats::default();
        stats.error(
            Skip::Changed,
            format!(
                "{}: other users can write this folder; trash mode leaves it (use mode = \"delete\")",
                sh.report(rel)
            ),
        );
        return Walked::left(stats);
    }
    let mut walked = walk_dir(&child, rel, depth, sh);
    drop(child);
    // Removed only when this run emptied it (never a folder that was already
    // empty), it is old enough itself, not kept, and removal is allowed.
    let removable = walked.empty
        && walked.removed
        && rules.remove_empty_dirs
        && rules.old_enough(meta.mtime)
        && !rules.keep.matches(name, rel);
    if !removable {
        return (walked, true);
    }
    if sh.walk.action == Action::Preview {
        walked.stats.dirs_removed += 1;
        walked.removed = true;
        return (walked, false);
    }
    match parent.rmdir(name) {
        Ok(()) => {
            walked.stats.dirs_removed += 1;
            walked.removed = true;
            (walked, false)
        }
        // Already gone, or something new appeared in it.
        Err(e) if classify(&e) == Skip::Vanished => (walked, false),
        Err(e) if e.kind() == io::ErrorKind::DirectoryNotEmpty => (walked, true),
        Err(e) => {
            walked
                .stats
                .error(classify(&e), format!("{}: {e}", sh.report(rel)));
            (walked, true)
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
                return Entry::Vanished;
            }
            stats.error(why, format!("{}: {e}", sh.report(rel)));
            return Entry::Stays;
        }
    };
    if rules.exclude.matches(name, rel) {
        stats.skip(Skip::NotCandidate);
        return Entry::Stays;
    }
    // The trash's own folders (trash mode on the same filesystem) are never cleaned.
    if sh.walk.action == Action::Trash && name.to_string_lossy().starts_with(".Trash") {
        return Entry::Stays;
    }
    match meta.kind {
        Kind::Dir if sh.walk.other_roots.contains(&(meta.dev, meta.ino)) && meta.ino != 0 => {
            Entry::Stays
        }
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
            let result = match sh.walk.action {
                Action::Preview => Ok(()),
                Action::Delete => dir.unlink(name),
                Action::Trash => {
                    trash::delete(sh.root.join(rel)).map_err(|e| io::Error::other(e.to_string()))
                }
            };
            match result {
                Ok(()) => {
                    let linked = sh.still_linked(&meta);
                    stats.removed_file(sh.report(rel), sh.folder_of(rel), meta.size, linked);
                    sh.files.fetch_add(1, Ordering::Relaxed);
                    sh.bytes.fetch_add(meta.size, Ordering::Relaxed);
                    Entry::Gone
                }
                Err(e) if classify(&e) == Skip::Vanished => {
                    stats.skip(Skip::Vanished);
                    Entry::Vanished
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

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(mtime: i64, atime: i64, ctime: i64) -> Meta {
        Meta {
            uid: 0,
            mode: 0o755,
            kind: Kind::File,
            dev: 1,
            ino: 1,
            size: 10,
            mtime,
            atime,
            ctime,
            nlink: 1,
        }
    }

    #[test]
    fn age_bases() {
        let now = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(100 * 86_400);
        let day = 86_400;
        let rules = |age_by| Rules {
            older_than: Some(std::time::Duration::from_secs(7 * day as u64)),
            age_by,
            now: Some(now),
            ..Rules::default()
        };
        // Unpacked today from an archive with a 30-day-old date: only mtime is old.
        let unpacked = meta(70 * day, 100 * day, 100 * day);
        let (name, rel) = (OsStr::new("f"), Path::new("f"));
        assert!(candidate(&rules(AgeBy::Modified), name, rel, &unpacked));
        assert!(!candidate(&rules(AgeBy::Any), name, rel, &unpacked));
        assert!(!candidate(&rules(AgeBy::Accessed), name, rel, &unpacked));
        assert!(candidate(
            &rules(AgeBy::Any),
            name,
            rel,
            &meta(70 * day, 80 * day, 60 * day)
        ));
    }
}

/// Directory handles and `*at` calls (Linux, macOS, BSD).
#[cfg(unix)]
pub mod fd {
    use std::ffi::{OsStr, OsString};
    use std::io;
    use std::os::fd::OwnedFd;
    use std::os::unix::ffi::OsStrExt;
    use std::path::{Path, PathBuf};

    use rustix::fs::{
        AtFlags, CWD, Dir, FileType, Mode, OFlags, Stat, fstat, openat, statat, unlinkat,
    };

    use super::{DirOps, Kind, Meta};
    use crate::cleanup::Skip;

    /// An open folder and its mount id (Linux), to stop at bind mounts too.
    pub struct FdDir(OwnedFd, Option<u64>);

    #[cfg(target_os = "linux")]
    fn mount_id(fd: &OwnedFd) -> Option<u64> {
        use rustix::fs::{StatxFlags, statx};
        statx(fd, "", AtFlags::EMPTY_PATH, StatxFlags::MNT_ID)
            .ok()
            .filter(|s| s.stx_mask & StatxFlags::MNT_ID.bits() != 0)
            .map(|s| s.stx_mnt_id)
    }

    #[cfg(not(target_os = "linux"))]
    fn mount_id(_: &OwnedFd) -> Option<u64> {
        None
    }

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
            ctime: s.st_ctime as i64,
            nlink: s.st_nlink as u64,
            uid: s.st_uid as u32,
            mode: s.st_mode as u32 & 0o7777,
        }
    }

    /// Opens a folder with `O_NOATIME` where this process may (reading a
    /// folder's entries would otherwise change its access time, and a dry
    /// run leaves no trace), else without.
    fn open_dir(at: &OwnedFd, name: &OsStr) -> rustix::io::Result<OwnedFd> {
        #[cfg(target_os = "linux")]
        match openat(at, name, DIR_FLAGS | OFlags::NOATIME, Mode::empty()) {
            Err(rustix::io::Errno::PERM) => {}
            other => return other,
        }
        openat(at, name, DIR_FLAGS, Mode::empty())
    }

    /// Opens an absolute folder path one component at a time, each relative
    /// to the last without following links, so no component can be swapped
    /// between checking and opening (`renameat2` exchanges included). A link
    /// on the way is followed only when root owns it (`/var` ->
    /// `/private/var` on macOS, `/home` -> `/var/home`); a link another user
    /// owns, and a root that is itself a link, are refused. Returns the
    /// opened folder and its real path, built from what was opened.
    fn resolve_dir(path: &Path) -> io::Result<(OwnedFd, PathBuf)> {
        use std::path::Component;
        let changed = || io::Error::from_raw_os_error(libc::ELOOP);
        if !path.is_absolute() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not an absolute path",
            ));
        }
        let mut todo: Vec<OsString> = path
            .components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(n.to_os_string()),
                Component::ParentDir => Some(OsString::from("..")),
                _ => None,
            })
            .rev()
            .collect();
        // The folders opened so far, from `/`, with their names.
        let mut stack: Vec<(OwnedFd, OsString)> = vec![(
            openat(CWD, "/", DIR_FLAGS, Mode::empty())?,
            OsString::from("/"),
        )];
        let mut links = 0;
        while let Some(name) = todo.pop() {
            if name == ".." {
                if stack.len() > 1 {
                    stack.pop();
                }
                continue;
            }
            let last = todo.is_empty();
            let parent = &stack.last().ok_or_else(changed)?.0;
            match open_dir(parent, &name) {
                Ok(fd) => stack.push((fd, name)),
                Err(rustix::io::Errno::LOOP | rustix::io::Errno::NOTDIR) => {
                    let st = statat(parent, &name, AtFlags::SYMLINK_NOFOLLOW)?;
                    let is_link = FileType::from_raw_mode(st.st_mode as _) == FileType::Symlink;
                    if !is_link || last || st.st_uid != 0 {
                        return Err(changed());
                    }
                    links += 1;
                    if links > 40 {
                        return Err(changed());
                    }
                    let target = rustix::fs::readlinkat(parent, &name, Vec::new())?;
                    let target = PathBuf::from(OsStr::from_bytes(target.to_bytes()));
                    if target.is_absolute() {
                        stack.truncate(1);
                    }
                    for c in target.components().rev() {
                        match c {
                            Component::Normal(n) => todo.push(n.to_os_string()),
                            Component::ParentDir => todo.push(OsString::from("..")),
                            _ => {}
                        }
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        let real: PathBuf = stack.iter().map(|(_, n)| n.as_os_str()).collect();
        let (fd, _) = stack.pop().ok_or_else(changed)?;
        Ok((fd, real))
    }

    impl DirOps for FdDir {
        fn open_root(path: &Path) -> io::Result<(Self, Meta, PathBuf)> {
            let (fd, real) = resolve_dir(path)?;
            let m = meta(&fstat(&fd)?);
            let mnt = mount_id(&fd);
            Ok((FdDir(fd, mnt), m, real))
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
            let fd = open_dir(&self.0, name).map_err(|e| super::classify(&e.into()))?;
            let now = fstat(&fd).map_err(|e| super::classify(&e.into()))?;
            // Swapped between listing and opening?
            if now.st_ino as u64 != listed.ino || now.st_dev as u64 != listed.dev {
                return Err(Skip::Changed);
            }
            // A bind mount of the same filesystem has the same st_dev.
            let mnt = mount_id(&fd);
            if mnt.is_some() && self.1.is_some() && mnt != self.1 {
                return Err(Skip::OtherFilesystem);
            }
            Ok(FdDir(fd, mnt))
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
            ctime: secs(m.created()),
            nlink: 1,
            uid: 0,
            mode: 0,
        }
    }

    impl DirOps for PathDir {
        fn open_root(path: &Path) -> io::Result<(Self, Meta, PathBuf)> {
            let m = fs::symlink_metadata(path)?;
            if !m.file_type().is_dir() {
                return Err(io::Error::from_raw_os_error(if cfg!(unix) {
                    40
                } else {
                    4393
                }));
            }
            let real = dunce::canonicalize(path)?;
            Ok((PathDir(path.to_path_buf()), meta(&m), real))
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
