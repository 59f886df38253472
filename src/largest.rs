//! What fills a disk: the largest folders and files under a path, scanned in
//! parallel (rayon) on one filesystem, never following links.
//!
//! Sizes are apparent sizes (as `du -b`); a folder's size includes
//! everything below it, while only folders down to `depth` levels are listed.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::cancel::Cancel;

/// A path and its size.
#[derive(Clone, Debug, PartialEq)]
pub struct Usage {
    pub path: PathBuf,
    pub bytes: u64,
}

/// The result of a scan.
#[derive(Clone, Debug, Default)]
pub struct Largest {
    pub total: u64,
    pub files: u64,
    pub top_dirs: Vec<Usage>,
    pub top_files: Vec<Usage>,
    /// Entries that could not be read.
    pub unreadable: u64,
    /// The scan stopped early (deadline or interruption).
    pub incomplete: bool,
}

struct Limits<'a> {
    n: usize,
    depth: usize,
    dev: Option<u64>,
    cancel: &'a Cancel,
    deadline: Instant,
}

fn keep_top(list: &mut Vec<Usage>, n: usize) {
    list.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)));
    list.truncate(n);
}

impl Largest {
    fn merge(mut self, other: Largest, n: usize) -> Largest {
        self.total += other.total;
        self.files += other.files;
        self.unreadable += other.unreadable;
        self.incomplete |= other.incomplete;
        self.top_dirs.extend(other.top_dirs);
        self.top_files.extend(other.top_files);
        keep_top(&mut self.top_dirs, n);
        keep_top(&mut self.top_files, n);
        self
    }
}

#[cfg(unix)]
fn device(m: &fs::Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(m.dev())
}

#[cfg(not(unix))]
fn device(_: &fs::Metadata) -> Option<u64> {
    None
}

fn scan_dir(dir: &Path, level: usize, lim: &Limits) -> Largest {
    let mut here = Largest::default();
    if lim.cancel.is_set()
        || Instant::now() >= lim.deadline
        || level > crate::cleanup::walk::MAX_DEPTH
    {
        // Out of time, or nested deeper than any real tree (and than the stack allows).
        here.incomplete = true;
        return here;
    }
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(_) => {
            here.unreadable += 1;
            return here;
        }
    };
    let mut subdirs = Vec::new();
    for entry in entries {
        let Ok(entry) = entry else {
            here.unreadable += 1;
            continue;
        };
        // symlink_metadata: links are counted as links, never followed.
        let Ok(meta) = entry.path().symlink_metadata() else {
            here.unreadable += 1;
            continue;
        };
        let ft = meta.file_type();
        if ft.is_dir() && !ft.is_symlink() {
            if lim.dev.is_none() || device(&meta) == lim.dev {
                subdirs.push(entry.path());
            }
        } else {
            here.total += meta.len();
            here.files += 1;
            here.top_files.push(Usage {
                path: entry.path(),
                bytes: meta.len(),
            });
            if here.top_files.len() > lim.n * 4 {
                keep_top(&mut here.top_files, lim.n);
            }
        }
    }
    keep_top(&mut here.top_files, lim.n);
    let below = subdirs
        .par_iter()
        .map(|d| {
            let sub = scan_dir(d, level + 1, lim);
            let mut sub_total = sub;
            // `d` is `level` folders below the root: listed down to `depth`.
            if level <= lim.depth {
                let entry = Usage {
                    path: d.clone(),
                    bytes: sub_total.total,
                };
                sub_total.top_dirs.push(entry);
                keep_top(&mut sub_total.top_dirs, lim.n);
            }
            sub_total
        })
        .reduce(Largest::default, |a, b| a.merge(b, lim.n));
    here.merge(below, lim.n)
}

/// Scans `root` for its `n` largest folders (down to `depth` levels) and files.
pub fn scan(
    root: &Path,
    n: usize,
    depth: usize,
    cancel: &Cancel,
    deadline: Instant,
) -> std::io::Result<Largest> {
    let meta = root.symlink_metadata()?;
    let lim = Limits {
        n,
        depth,
        dev: device(&meta),
        cancel,
        deadline,
    };
    Ok(scan_dir(root, 1, &lim))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_largest() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path();
        fs::create_dir_all(p.join("a/b")).unwrap();
        fs::create_dir_all(p.join("c")).unwrap();
        fs::write(p.join("a/b/big"), vec![0u8; 5000]).unwrap();
        fs::write(p.join("a/small"), vec![0u8; 10]).unwrap();
        fs::write(p.join("c/mid"), vec![0u8; 300]).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/", p.join("link-to-root")).unwrap();
        let r = scan(
            p,
            2,
            3,
            &Cancel::new(),
            Instant::now() + std::time::Duration::from_secs(30),
        )
        .unwrap();
        assert_eq!(
            r.top_files[0],
            Usage {
                path: p.join("a/b/big"),
                bytes: 5000
            }
        );
        assert_eq!(
            r.top_dirs[0],
            Usage {
                path: p.join("a"),
                bytes: 5010
            }
        );
        assert_eq!(r.top_dirs.len(), 2);
        // Depth N lists N levels: depth 1 the root's own folders only.
        let at = |depth| {
            scan(
                p,
                10,
                depth,
                &Cancel::new(),
                Instant::now() + std::time::Duration::from_secs(30),
            )
            .unwrap()
            .top_dirs
            .into_iter()
            .map(|u| u.path)
            .collect::<std::collections::BTreeSet<_>>()
        };
        assert_eq!(at(1), [p.join("a"), p.join("c")].into_iter().collect());
        assert_eq!(
            at(2),
            [p.join("a"), p.join("a/b"), p.join("c")]
                .into_iter()
                .collect()
        );
        assert!(
            r.total >= 5310 && r.total < 5400,
            "links counted as links: {}",
            r.total
        );
    }
}
