//! Which files a scan reads: each glob's matches plus their rotated
//! siblings (`app.log.1`, `app.log.2.gz`, `app.log-20261120`,
//! `app.1.log`), oldest first so events are read in time order; files last
//! written before the window are left out unread. Opened without following
//! a link when elevated (a log folder another user can write must not lead
//! a root run to read, and quote, another file).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The files for `globs`, with rotated siblings, oldest first; at most `limit`.
pub fn expand(
    globs: &[String],
    since: Option<SystemTime>,
    limit: usize,
) -> (Vec<PathBuf>, Vec<String>) {
    let mut found: Vec<PathBuf> = Vec::new();
    let mut notes = Vec::new();
    for g in globs {
        match crate::pathglob::expand(g, limit) {
            Ok(paths) if paths.is_empty() => notes.push(format!("{g}: no file matches")),
            Ok(paths) => {
                for p in paths {
                    let siblings = rotated_siblings(&p);
                    found.push(p);
                    found.extend(siblings);
                }
            }
            Err(e) => notes.push(format!("{g}: {e}")),
        }
    }
    found.sort();
    found.dedup();
    let mut dated: Vec<(SystemTime, PathBuf)> = found
        .into_iter()
        .filter_map(|p| {
            let meta = std::fs::symlink_metadata(&p).ok()?;
            (meta.is_file() || meta.file_type().is_symlink())
                .then(|| (meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), p))
        })
        .filter(|(m, _)| since.is_none_or(|s| *m >= s))
        .collect();
    dated.sort();
    if dated.len() > limit {
        notes.push(format!(
            "{} more files left out (at most {limit})",
            dated.len() - limit
        ));
        dated.drain(..dated.len() - limit);
    }
    (dated.into_iter().map(|(_, p)| p).collect(), notes)
}

/// Whether `rest` (what follows a log's name) is a rotation suffix.
fn rotation_suffix(rest: &str) -> bool {
    let rest = rest.strip_suffix(".gz").unwrap_or(rest);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match rest.as_bytes().first() {
        Some(b'.') | Some(b'-') | Some(b'_') => digits(&rest[1..]),
        _ => false,
    }
}

/// `app.log.1`, `app.log.2.gz`, `app.log-20261120[.gz]` and `app.1.log` beside `path`.
fn rotated_siblings(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().into_string().ok()?;
            let ours = n.strip_prefix(name).is_some_and(rotation_suffix)
                || (!ext.is_empty()
                    && n.strip_prefix(stem)
                        .and_then(|r| {
                            r.strip_suffix(&format!(".{ext}"))
                                .or_else(|| r.strip_suffix(&format!(".{ext}.gz")))
                        })
                        .is_some_and(rotation_suffix));
            (ours && n != name).then(|| dir.join(n))
        })
        .collect()
}

/// Opens a log for reading: a regular file, without blocking; without
/// following a link when elevated.
pub fn open(path: &Path) -> io::Result<File> {
    crate::safeopen::open_regular_with(path, !crate::privilege::is_elevated()).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return io::Error::other(
                "a link: running elevated, logs are read only where they are, name the file itself",
            );
        }
        e
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_names() {
        for ok in [".1", ".2.gz", "-20261120", "-20261120.gz", "_3"] {
            assert!(rotation_suffix(ok), "{ok}");
        }
        for no in ["", ".old", ".1.bak", "x.1", ".gz"] {
            assert!(!rotation_suffix(no), "{no}");
        }
        let d = tempfile::tempdir().unwrap();
        for n in [
            "app.log",
            "app.log.1",
            "app.log.2.gz",
            "app.1.log",
            "app.log-20261120",
            "app.log.bak",
            "other.log.1",
        ] {
            std::fs::write(d.path().join(n), "x").unwrap();
        }
        let mut got: Vec<String> = rotated_siblings(&d.path().join("app.log"))
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        got.sort();
        assert_eq!(
            got,
            ["app.1.log", "app.log-20261120", "app.log.1", "app.log.2.gz"]
        );
    }
}
