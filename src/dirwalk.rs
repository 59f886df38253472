//! A depth-first folder walk that never follows links and leaves no trace.
//!
//! Like `walkdir` with `follow_links(false)`, with one difference that
//! matters to dry runs: on Linux each folder is listed through a handle
//! opened with `O_NOATIME` where this process may (root, or the folder's
//! owner), so choosing files for a bundle or expanding a glob does not
//! change folders' access times. Entries are visited in name order.
//! A foundation module: it imports nothing of the crate.

use std::ffi::OsString;
use std::fs::Metadata;
use std::io;
use std::path::{Path, PathBuf};

/// One entry below the root.
pub struct Entry {
    pub path: PathBuf,
    /// 1 for the root's own entries.
    pub depth: usize,
    /// `lstat` of the entry (links are not followed).
    pub meta: Metadata,
}

/// What to do after visiting an entry.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Continue,
    /// Do not enter this folder.
    SkipDir,
    Stop,
}

/// Walks below `root` (not the root itself) down to `max_depth`. `visit`
/// gets each entry; `failed` gets each path that could not be listed or
/// examined. A root that is a link is walked (the caller named it); links
/// below it are visited, never entered.
pub fn walk(
    root: &Path,
    max_depth: usize,
    visit: &mut dyn FnMut(&Entry) -> Next,
    failed: &mut dyn FnMut(&Path, io::Error) -> Next,
) {
    let _ = walk_dir(root, 1, max_depth, visit, failed);
}

/// `Err(())` when the walk was stopped.
fn walk_dir(
    dir: &Path,
    depth: usize,
    max_depth: usize,
    visit: &mut dyn FnMut(&Entry) -> Next,
    failed: &mut dyn FnMut(&Path, io::Error) -> Next,
) -> Result<(), ()> {
    if depth > max_depth {
        return Ok(());
    }
    let mut names = match list(dir) {
        Ok(n) => n,
        Err(e) => {
            return match failed(dir, e) {
                Next::Stop => Err(()),
                _ => Ok(()),
            };
        }
    };
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                if failed(&path, e) == Next::Stop {
                    return Err(());
                }
                continue;
            }
        };
        let is_dir = meta.is_dir();
        let entry = Entry { path, depth, meta };
        match visit(&entry) {
            Next::Stop => return Err(()),
            Next::SkipDir => continue,
            Next::Continue => {}
        }
        if is_dir {
            walk_dir(&entry.path, depth + 1, max_depth, visit, failed)?;
        }
    }
    Ok(())
}

/// The names in a folder (without `.` and `..`).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn list(dir: &Path) -> io::Result<Vec<OsString>> {
    use rustix::fs::{CWD, Dir, Mode, OFlags, openat};
    use std::os::unix::ffi::OsStrExt;
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let fd = match openat(CWD, dir, flags | OFlags::NOATIME, Mode::empty()) {
        Err(rustix::io::Errno::PERM) => openat(CWD, dir, flags, Mode::empty())?,
        other => other?,
    };
    let mut out = Vec::new();
    for entry in Dir::read_from(&fd)? {
        let entry = entry?;
        let name = entry.file_name().to_bytes();
        if name != b"." && name != b".." {
            out.push(std::ffi::OsStr::from_bytes(name).to_os_string());
        }
    }
    Ok(out)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn list(dir: &Path) -> io::Result<Vec<OsString>> {
    std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name()))
        .collect()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn walks_in_order_without_entering_links() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        std::fs::create_dir_all(p.join("b/c")).unwrap();
        std::fs::write(p.join("a.txt"), "").unwrap();
        std::fs::write(p.join("b/c/d.txt"), "").unwrap();
        std::os::unix::fs::symlink(p.join("b"), p.join("link")).unwrap();
        let mut seen = Vec::new();
        walk(
            p,
            10,
            &mut |e| {
                seen.push((
                    e.path.strip_prefix(p).unwrap().display().to_string(),
                    e.depth,
                ));
                Next::Continue
            },
            &mut |_, _| Next::Continue,
        );
        assert_eq!(
            seen,
            [
                ("a.txt".into(), 1),
                ("b".into(), 1),
                ("b/c".into(), 2),
                ("b/c/d.txt".into(), 3),
                ("link".into(), 1)
            ]
        );
    }
}
