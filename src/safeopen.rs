//! Opening files that other users can touch, without trusting the path twice.
//!
//! A file chosen earlier (by `lstat` during a walk) is opened relative to
//! its opened parent folder, without following a link in its last
//! component and without blocking (`openat(O_NOFOLLOW | O_NONBLOCK)`), then
//! checked on the open handle (`fstat`): it must be a regular file and the
//! very file that was chosen (same device and inode). A file swapped for a
//! link, a FIFO or another file between choosing and opening is refused
//! with [`Changed`], never read. Where the process may, the file is opened
//! with `O_NOATIME`, so reading it leaves its access time as it was.
//!
//! Windows: the handle is opened with `FILE_FLAG_OPEN_REPARSE_POINT` (a
//! final link or junction is opened itself, not followed) and refused when
//! it is a reparse point; identity is the creation time, modification time
//! and size seen when chosen.
//!
//! A foundation module: it imports nothing of the crate.

use std::fs::File;
use std::io;
use std::path::Path;
#[cfg(not(unix))]
use std::time::SystemTime;

/// Opens `path` for reading without blocking (a FIFO cannot hang the
/// caller) and returns it only when the opened file is a regular file (a
/// device such as `/dev/zero` never ends). The caller caps what it reads.
pub fn open_regular(path: &Path) -> io::Result<File> {
    open_regular_with(path, true)
}

/// [`open_regular`]; without `follow_link`, a link at `path` itself is
/// refused (`ELOOP` on Unix) rather than followed.
pub fn open_regular_with(path: &Path, follow_link: bool) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if follow_link { 0 } else { libc::O_NOFOLLOW };
        options.custom_flags(libc::O_NONBLOCK | nofollow);
    }
    #[cfg(not(unix))]
    let _ = follow_link;
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other(
            "not a regular file (a FIFO, device or folder)",
        ));
    }
    Ok(file)
}

/// What a chosen file was when it was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileId {
    #[cfg(unix)]
    pub dev: u64,
    #[cfg(unix)]
    pub ino: u64,
    #[cfg(not(unix))]
    pub created: Option<SystemTime>,
    #[cfg(not(unix))]
    pub modified: Option<SystemTime>,
    #[cfg(not(unix))]
    pub size: u64,
}

impl FileId {
    /// The identity of a file from its metadata.
    pub fn of(meta: &std::fs::Metadata) -> FileId {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            FileId {
                dev: meta.dev(),
                ino: meta.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            FileId {
                created: meta.created().ok(),
                modified: meta.modified().ok(),
                size: meta.len(),
            }
        }
    }
}

/// The error kind message for a file that is no longer what was chosen.
pub const CHANGED: &str = "changed during collection (replaced by a link, a special file or another file since it was chosen)";

/// An error saying the file changed since it was chosen.
pub fn changed() -> io::Error {
    io::Error::other(CHANGED)
}

/// Whether an error from [`open_chosen`] means the file changed.
pub fn is_changed(e: &io::Error) -> bool {
    e.to_string() == CHANGED
}

/// Opens the regular file at `path` that was chosen as `id`, reading only.
///
/// `follow_last`: the playbook named this path literally, so a final link
/// is followed (the identity check still applies). Otherwise a final link
/// is refused.
pub fn open_chosen(path: &Path, id: &FileId, follow_last: bool) -> io::Result<File> {
    let file = open_no_block(path, follow_last)?;
    let meta = file.metadata()?;
    if !meta.is_file() || FileId::of(&meta) != *id {
        return Err(changed());
    }
    Ok(file)
}

#[cfg(unix)]
fn open_no_block(path: &Path, follow_last: bool) -> io::Result<File> {
    use rustix::fs::{CWD, Mode, OFlags, openat};
    let name = path.file_name().ok_or_else(changed)?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let dir = openat(
        CWD,
        parent,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let mut flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    if !follow_last {
        flags |= OFlags::NOFOLLOW;
    }
    let fd = match open_noatime(&dir, name, flags) {
        Ok(fd) => fd,
        // A final link under O_NOFOLLOW.
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(changed()),
        Err(e) => return Err(e),
    };
    Ok(File::from(fd))
}

/// `openat` with `O_NOATIME` where this process may use it (Linux: the
/// file's owner or root), else without.
#[cfg(unix)]
fn open_noatime(
    dir: &std::os::fd::OwnedFd,
    name: &std::ffi::OsStr,
    flags: rustix::fs::OFlags,
) -> io::Result<std::os::fd::OwnedFd> {
    use rustix::fs::{Mode, openat};
    #[cfg(any(target_os = "linux", target_os = "android"))]
    match openat(
        dir,
        name,
        flags | rustix::fs::OFlags::NOATIME,
        Mode::empty(),
    ) {
        Ok(fd) => return Ok(fd),
        Err(rustix::io::Errno::PERM) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(openat(dir, name, flags, Mode::empty())?)
}

/// Whether reading `path` can leave its access time as it was: `O_NOATIME`
/// is allowed here (Linux: root, or the file's owner). Dry runs read file
/// content only when it is.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn can_read_without_trace(path: &Path) -> bool {
    use rustix::fs::{CWD, Mode, OFlags, openat};
    openat(
        CWD,
        path,
        OFlags::RDONLY | OFlags::NOATIME | OFlags::NONBLOCK | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .is_ok()
}

/// Elsewhere there is no `O_NOATIME`: dry runs do not read content.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn can_read_without_trace(_path: &Path) -> bool {
    false
}

#[cfg(windows)]
fn open_no_block(path: &Path, follow_last: bool) -> io::Result<File> {
    use std::os::windows::fs::{MetadataExt, OpenOptionsExt};
    const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
    const FILE_ATTRIBUTE_REPARSE_POINT: u32 = 0x400;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    if !follow_last {
        options.custom_flags(FILE_FLAG_OPEN_REPARSE_POINT);
    }
    let file = options.open(path)?;
    if !follow_last && file.metadata()?.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0 {
        return Err(changed());
    }
    Ok(file)
}

#[cfg(not(any(unix, windows)))]
fn open_no_block(path: &Path, _follow_last: bool) -> io::Result<File> {
    File::open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn refuses_links_fifos_and_swaps() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.log"), "a").unwrap();
        std::fs::write(d.join("b.log"), "b").unwrap();
        let id = FileId::of(&std::fs::symlink_metadata(d.join("a.log")).unwrap());
        assert!(open_chosen(&d.join("a.log"), &id, false).is_ok());
        // Swapped for another file.
        std::fs::rename(d.join("b.log"), d.join("a.log")).unwrap();
        assert!(is_changed(
            &open_chosen(&d.join("a.log"), &id, false).unwrap_err()
        ));
        // Swapped for a link to the original content.
        std::fs::write(d.join("c.log"), "c").unwrap();
        let id = FileId::of(&std::fs::symlink_metadata(d.join("c.log")).unwrap());
        std::fs::rename(d.join("c.log"), d.join("real")).unwrap();
        std::os::unix::fs::symlink(d.join("real"), d.join("c.log")).unwrap();
        assert!(is_changed(
            &open_chosen(&d.join("c.log"), &id, false).unwrap_err()
        ));
        // Named literally, a link is followed (same file).
        assert!(open_chosen(&d.join("c.log"), &id, true).is_ok());
        // A FIFO neither blocks nor passes.
        let fifo = std::ffi::CString::new(d.join("f.log").to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        assert!(open_chosen(&d.join("f.log"), &id, false).is_err());
    }
}
