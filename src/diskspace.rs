//! Filesystem figures: size, free space and inodes of the filesystem holding
//! a path, or of every mounted filesystem. Behind [`DiskSource`] so tests can
//! inject figures.

use std::io;
use std::path::Path;

use serde::Serialize;

/// One filesystem's figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FsStats {
    pub mount_point: String,
    pub filesystem: String,
    pub total: u64,
    /// Free space available to unprivileged users.
    pub free: u64,
    pub inodes_total: Option<u64>,
    pub inodes_free: Option<u64>,
}

impl FsStats {
    pub fn free_percent(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.free as f64 * 100.0 / self.total as f64
        }
    }

    pub fn inodes_free_percent(&self) -> Option<f64> {
        match (self.inodes_total, self.inodes_free) {
            (Some(t), Some(f)) if t > 0 => Some(f as f64 * 100.0 / t as f64),
            _ => None,
        }
    }
}

/// Filesystem types that hold no user data; left out of `all = true`.
pub const PSEUDO_FILESYSTEMS: &[&str] = &[
    "proc",
    "sysfs",
    "tmpfs",
    "devtmpfs",
    "devpts",
    "overlay",
    "squashfs",
    "cgroup",
    "cgroup2",
    "mqueue",
    "debugfs",
    "tracefs",
    "securityfs",
    "pstore",
    "bpf",
    "autofs",
    "fusectl",
    "configfs",
    "hugetlbfs",
    "ramfs",
    "nsfs",
    "binfmt_misc",
    "efivarfs",
    "rpc_pipefs",
    "nfsd",
    "devfs",
    "fdescfs",
    "selinuxfs",
    "zram",
];

/// Where figures come from.
pub trait DiskSource {
    /// The filesystem holding `path`.
    fn for_path(&self, path: &Path) -> io::Result<FsStats>;
    /// Every mounted filesystem whose type `wanted` accepts (the others are
    /// not even asked for figures: a `statvfs` on an automount point mounts it).
    fn all(&self, wanted: &dyn Fn(&str) -> bool) -> Vec<FsStats>;
}

/// The real machine (sysinfo for mounts, `statvfs` for figures on Unix).
pub struct RealDisks;

/// Mounted filesystems: (mount point, type, total, free). On Linux every
/// mount in `/proc/self/mounts`, tmpfs included (sysinfo's list leaves
/// pseudo filesystems out, so a path on a tmpfs was measured as `/`);
/// figures there come from `statvfs`.
fn mounts() -> Vec<(String, String, u64, u64)> {
    #[cfg(target_os = "linux")]
    if let Ok(text) = std::fs::read_to_string("/proc/self/mounts") {
        let list = parse_proc_mounts(&text);
        if !list.is_empty() {
            return list
                .into_iter()
                .map(|(mount, fstype)| (mount, fstype, 0, 0))
                .collect();
        }
    }
    sysinfo::Disks::new_with_refreshed_list()
        .list()
        .iter()
        .map(|d| {
            (
                d.mount_point().display().to_string(),
                d.file_system().to_string_lossy().into_owned(),
                d.total_space(),
                d.available_space(),
            )
        })
        .collect()
}

/// `/proc/self/mounts` lines (`device mount-point type options 0 0`, with
/// `\040`-style octal escapes in the mount point): (mount point, type), one
/// per mount point, the last mounted kept (it hides the ones beneath).
pub fn parse_proc_mounts(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let mut fields = line.split(' ');
        let (Some(_), Some(mount), Some(fstype)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let mount = unescape_octal(mount);
        out.retain(|(m, _)| *m != mount);
        out.push((mount, fstype.to_string()));
    }
    out
}

/// Undoes the kernel's `\ooo` escapes (space, tab, newline, backslash).
fn unescape_octal(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match (bytes[i], octal) {
            (b'\\', Some(d)) => {
                out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
                i += 4;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The mount whose mount point is the longest prefix of `path`.
pub fn mount_of<'a>(
    path: &str,
    mount_points: impl IntoIterator<Item = &'a str>,
    windows: bool,
) -> Option<&'a str> {
    let norm = |s: &str| {
        if windows {
            s.to_lowercase().replace('/', "\\")
        } else {
            s.to_string()
        }
    };
    let p = norm(path);
    mount_points
        .into_iter()
        .filter(|m| {
            let m = norm(m);
            let sep = if windows { '\\' } else { '/' };
            p == m || (p.starts_with(&m) && (m.ends_with(sep) || p[m.len()..].starts_with(sep)))
        })
        .max_by_key(|m| m.len())
}

#[cfg(unix)]
fn statvfs_figures(path: &Path) -> io::Result<(u64, u64, Option<u64>, Option<u64>)> {
    let s = rustix::fs::statvfs(path)?;
    let frsize = if s.f_frsize > 0 {
        s.f_frsize
    } else {
        s.f_bsize
    };
    let inodes = (s.f_files > 0).then_some(s.f_files);
    Ok((
        s.f_blocks.saturating_mul(frsize),
        s.f_bavail.saturating_mul(frsize),
        inodes,
        inodes.map(|_| s.f_favail),
    ))
}

/// (total, free to the caller) of the volume holding `path`.
#[cfg(windows)]
fn windows_free_space(path: &Path) -> io::Result<(u64, u64)> {
    use std::os::windows::ffi::OsStrExt;
    let wide: Vec<u16> = path
        .as_os_str()
        .encode_wide()
        .chain(std::iter::once(0))
        .collect();
    let (mut avail, mut total, mut free) = (0u64, 0u64, 0u64);
    // SAFETY: `wide` is NUL-terminated and the out-pointers are valid u64s.
    let ok = unsafe {
        windows_sys::Win32::Storage::FileSystem::GetDiskFreeSpaceExW(
            wide.as_ptr(),
            &mut avail,
            &mut total,
            &mut free,
        )
    };
    if ok == 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok((total, avail))
    }
}

impl DiskSource for RealDisks {
    fn for_path(&self, path: &Path) -> io::Result<FsStats> {
        let canonical = dunce::canonicalize(path)?;
        let text = canonical.display().to_string();
        let all = mounts();
        let mount = mount_of(&text, all.iter().map(|m| m.0.as_str()), cfg!(windows))
            .and_then(|m| all.iter().find(|x| x.0 == m));
        #[cfg(unix)]
        {
            let (total, free, inodes_total, inodes_free) = statvfs_figures(&canonical)?;
            Ok(FsStats {
                mount_point: mount.map_or_else(|| "/".into(), |m| m.0.clone()),
                filesystem: mount.map_or_else(|| "unknown".into(), |m| m.1.clone()),
                total,
                free,
                inodes_total,
                inodes_free,
            })
        }
        #[cfg(windows)]
        {
            let (total, free) = windows_free_space(&canonical)?;
            let root = canonical
                .ancestors()
                .last()
                .map_or_else(|| text.clone(), |r| r.display().to_string());
            Ok(FsStats {
                mount_point: mount.map_or(root, |m| m.0.clone()),
                filesystem: mount.map_or_else(|| "unknown".into(), |m| m.1.clone()),
                total,
                free,
                inodes_total: None,
                inodes_free: None,
            })
        }
        #[cfg(not(any(unix, windows)))]
        {
            let m = mount
                .ok_or_else(|| io::Error::other(format!("no mounted filesystem holds {text}")))?;
            Ok(FsStats {
                mount_point: m.0.clone(),
                filesystem: m.1.clone(),
                total: m.2,
                free: m.3,
                inodes_total: None,
                inodes_free: None,
            })
        }
    }

    fn all(&self, wanted: &dyn Fn(&str) -> bool) -> Vec<FsStats> {
        mounts()
            .into_iter()
            .filter(|m| wanted(&m.1))
            .map(|(mount_point, filesystem, total, free)| {
                #[cfg(unix)]
                if let Ok((t, f, it, ifree)) = statvfs_figures(Path::new(&mount_point)) {
                    return FsStats {
                        mount_point,
                        filesystem,
                        total: t,
                        free: f,
                        inodes_total: it,
                        inodes_free: ifree,
                    };
                }
                FsStats {
                    mount_point,
                    filesystem,
                    total,
                    free,
                    inodes_total: None,
                    inodes_free: None,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{mount_of, parse_proc_mounts};

    #[test]
    fn proc_mounts_keep_every_type_and_the_last_mount() {
        let text = "/dev/sda1 / ext4 rw 0 0\nproc /proc proc rw 0 0\n\
                    tmpfs /mnt/my\\040disk tmpfs rw,size=10240k 0 0\n\
                    /dev/sdb1 /data ext4 rw 0 0\ntmpfs /data tmpfs rw 0 0\n";
        assert_eq!(
            parse_proc_mounts(text),
            vec![
                ("/".to_string(), "ext4".to_string()),
                ("/proc".into(), "proc".into()),
                ("/mnt/my disk".into(), "tmpfs".into()),
                ("/data".into(), "tmpfs".into()),
            ]
        );
    }

    #[test]
    fn longest_mount_prefix() {
        let mounts = ["/", "/home", "/home/ana/data", "/ho"];
        assert_eq!(mount_of("/home/ana/x", mounts, false), Some("/home"));
        assert_eq!(
            mount_of("/home/ana/data", mounts, false),
            Some("/home/ana/data")
        );
        assert_eq!(mount_of("/house", mounts, false), Some("/"));
        assert_eq!(
            mount_of(r"C:\Users\ana", [r"C:\", r"D:\"], true),
            Some(r"C:\")
        );
        assert_eq!(mount_of(r"d:\data", [r"C:\", r"D:\"], true), Some(r"D:\"));
    }
}
