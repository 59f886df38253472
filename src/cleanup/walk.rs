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
use std::path::{Path, PathBuf};
use std::time::Instant;

use globset::GlobSet;

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
    /// Called every few hundred entries with the running totals.
    pub on_progress: &'a dyn Fn(&Stats),
}

fn matches(set: &Option<GlobSet>, name: &OsStr, rel: &Path) -> bool {
    set.as_ref()
        .is_some_and(|s| s.is_match(name) || s.is_match(rel))
}

fn candidate(rules: &Rules, name: &OsStr, rel: &Path, m: &Meta) -> bool {
    let included = rules
        .include
        .as_ref()
        .is_none_or(|s| s.is_match(name) || s.is_match(rel));
    included
        && !matches(&rules.keep, name, rel)
        && m.size >= rules.min_size
        && rules.old_enough(if rules.by_access { m.atime } else { m.mtime })
}

struct State<'w, 'a> {
    walk: &'w Walk<'a>,
    root: &'w Path,
    dev: u64,
    stats: Stats,
    seen: u64,
}

impl State<'_, '_> {
    fn should_stop(&mut self) -> bool {
        if self.stats.stopped.is_some() {
            return true;
        }
        if self.walk.cancel.is_set() {
            self.stats.stopped = Some("interrupted".into());
        } else if Instant::now() >= self.walk.deadline {
            self.stats.stopped = Some("time ran out".into());
        }
        self.stats.stopped.is_some()
    }

    fn report(&self, rel: &Path) -> String {
        self.root.join(rel).display().to_string()
    }
}

/// Cleans one root. `Err` when the root itself cannot be opened or is a link.
pub fn clean_root<D: DirOps>(root: &Path, walk: &Walk) -> Result<Stats, String> {
    let (dir, meta) = D::open_root(root).map_err(|e| match classify(&e) {
        Skip::Changed => format!(
            "{} is a symbolic link or not a folder; name the real folder",
            root.display()
        ),
        Skip::Vanished => format!("{} does not exist", root.display()),
        _ => format!("cannot open {}: {e}", root.display()),
    })?;
    let mut state = State {
        walk,
        root,
        dev: meta.dev,
        stats: Stats::default(),
        seen: 0,
    };
    let mut rel = PathBuf::new();
    walk_dir(&dir, &mut rel, &mut state);
    (walk.on_progress)(&state.stats);
    Ok(state.stats)
}

/// Walks a folder; returns whether it is (or, previewing, would be) empty.
fn walk_dir<D: DirOps>(dir: &D, rel: &mut PathBuf, st: &mut State) -> bool {
    let names = match dir.names() {
        Ok(n) => n,
        Err(e) => {
            let why = classify(&e);
            let msg = format!("{}: {e}", st.report(rel));
            st.stats.error(why, msg);
            return false;
        }
    };
    let mut remaining = 0u64;
    for name in names {
        if st.should_stop() {
            return false;
        }
        st.seen += 1;
        if st.seen.is_multiple_of(512) {
            (st.walk.on_progress)(&st.stats);
        }
        rel.push(&name);
        if entry(dir, &name, rel, st) {
            remaining += 1;
        }
        rel.pop();
    }
    remaining == 0 && st.stats.stopped.is_none()
}

/// Handles one entry; returns whether it is still there afterwards.
fn entry<D: DirOps>(dir: &D, name: &OsStr, rel: &mut PathBuf, st: &mut State) -> bool {
    let rules = st.walk.rules;
    let meta = match dir.stat(name) {
        Ok(m) => m,
        Err(e) => {
            let why = classify(&e);
            if why == Skip::Vanished {
                st.stats.skip(why);
                return false;
            }
            let msg = format!("{}: {e}", st.report(rel));
            st.stats.error(why, msg);
            return true;
        }
    };
    if matches(&rules.exclude, name, rel) {
        st.stats.skip(Skip::NotCandidate);
        return true;
    }
    match meta.kind {
        Kind::Dir => {
            if meta.dev != st.dev {
                st.stats.skip(Skip::OtherFilesystem);
                return true;
            }
            let child = match dir.open_child(name, &meta) {
                Ok(c) => c,
                Err(Skip::Vanished) => return false,
                Err(why) => {
                    st.stats.skip(why);
                    return true;
                }
            };
            let empty = walk_dir(&child, rel, st);
            drop(child);
            // A folder is removed only when emptied, old enough itself, and allowed.
            if !empty || !rules.remove_empty_dirs || !rules.old_enough(meta.mtime) {
                return true;
            }
            if st.walk.action == Action::Preview {
                st.stats.dirs_removed += 1;
                return false;
            }
            match dir.rmdir(name) {
                Ok(()) => {
                    st.stats.dirs_removed += 1;
                    false
                }
                // Something new appeared in it, or it is already gone.
                Err(e) if classify(&e) == Skip::Vanished => false,
                Err(e) if e.kind() == io::ErrorKind::DirectoryNotEmpty => true,
                Err(e) => {
                    let msg = format!("{}: {e}", st.report(rel));
                    st.stats.error(classify(&e), msg);
                    true
                }
            }
        }
        Kind::File | Kind::Link => {
            if !candidate(rules, name, rel, &meta) {
                st.stats.skip(Skip::NotCandidate);
                return true;
            }
            let linked = meta.kind == Kind::File && meta.nlink > 1;
            let result = match st.walk.action {
                Action::Preview => Ok(()),
                Action::Delete => dir.unlink(name),
                Action::Trash => {
                    trash::delete(st.root.join(&*rel)).map_err(|e| io::Error::other(e.to_string()))
                }
            };
            match result {
                Ok(()) => {
                    let shown = st.report(rel);
                    st.stats.removed_file(shown, meta.size, linked);
                    false
                }
                Err(e) if classify(&e) == Skip::Vanished => {
                    st.stats.skip(Skip::Vanished);
                    false
                }
                Err(e) => {
                    let msg = format!("{}: {e}", st.report(rel));
                    st.stats.error(classify(&e), msg);
                    true
                }
            }
        }
        Kind::Special => {
            st.stats.skip(Skip::Special);
            true
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
