//! Locations cleanup must never take as a root.
//!
//! Pure functions over path text and an OS name, so the Windows and macOS
//! rules are unit-tested on any machine. The caller passes the canonical
//! root (symlinks in its ancestors resolved) and the user's home.
//!
//! Refused: filesystem roots and drive roots; the home directory and any of
//! its ancestors (`/home`, `C:\Users`); system directories themselves and,
//! for those never holding user caches (`/etc`, `/usr`, `C:\Program Files`,
//! `/System`...), everything below them too. Cleanable places *inside*
//! system directories stay allowed: `/var/tmp`, `/var/log`, `C:\Windows\Temp`,
//! `C:\Windows\SoftwareDistribution\Download`.

/// Normalises a path for comparison: Windows paths lowercased with `\`,
/// without `\\?\` and trailing separators.
pub fn normalize(path: &str, os: &str) -> String {
    if os == "windows" {
        let p = path.replace('/', "\\");
        let p = p
            .strip_prefix(r"\\?\UNC\")
            .map(|r| format!(r"\\{r}"))
            .unwrap_or(p);
        let p = p.strip_prefix(r"\\?\").map(str::to_string).unwrap_or(p);
        let mut p = p.to_lowercase();
        while p.len() > 3 && p.ends_with('\\') {
            p.pop();
        }
        p
    } else {
        // macOS filesystems ignore case by default: compare without it.
        let mut p = if os == "macos" {
            path.to_lowercase()
        } else {
            path.to_string()
        };
        while p.len() > 1 && p.ends_with('/') {
            p.pop();
        }
        p
    }
}

/// Folders whose children are users' home directories.
fn home_parents(os: &str) -> &'static [&'static str] {
    match os {
        "windows" => &[r"c:\users"],
        "macos" => &["/users", "/private/var/root"],
        _ => &["/home", "/var/home", "/export/home"],
    }
}

/// `d:\program files` -> `\program files`: the rules for these folders hold on every drive.
fn without_drive(p: &str) -> &str {
    if p.len() >= 2 && p.as_bytes()[1] == b':' {
        &p[2..]
    } else {
        p
    }
}

fn sep(os: &str) -> char {
    if os == "windows" { '\\' } else { '/' }
}

/// Whether `path` is `dir` or lies below it (both normalised).
fn within(path: &str, dir: &str, os: &str) -> bool {
    path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with(sep(os)) || dir.ends_with(sep(os)))
}

/// (directory, also everything below it) for each OS.
fn system_dirs(os: &str, windir: &str) -> Vec<(String, bool)> {
    let list: Vec<(&str, bool)> = match os {
        "windows" => {
            return [
                (windir.to_string(), false),
                (format!("{windir}\\system32"), true),
                (format!("{windir}\\syswow64"), true),
                (format!("{windir}\\winsxs"), true),
                (r"c:\program files".into(), true),
                (r"c:\program files (x86)".into(), true),
                (r"c:\programdata".into(), false),
                (r"c:\users".into(), false),
                (r"c:\users\public".into(), false),
                (r"c:\users\default".into(), true),
            ]
            .into_iter()
            .map(|(d, below)| (normalize(&d, os), below))
            .collect();
        }
        "macos" => vec![
            ("/System", true),
            ("/Library", false),
            ("/Applications", true),
            ("/bin", true),
            ("/sbin", true),
            ("/usr", true),
            ("/etc", true),
            ("/private", false),
            ("/private/etc", true),
            ("/private/var", false),
            ("/var", false),
            ("/Users", false),
            ("/Volumes", false),
            ("/opt", false),
        ],
        _ => vec![
            ("/bin", true),
            ("/boot", true),
            ("/dev", true),
            ("/etc", true),
            ("/lib", true),
            ("/lib32", true),
            ("/lib64", true),
            ("/proc", true),
            ("/sbin", true),
            ("/sys", true),
            ("/usr", true),
            ("/run", false),
            ("/var", false),
            ("/var/lib", true),
            ("/var/cache", false),
            ("/opt", false),
            ("/srv", false),
            ("/home", false),
            ("/mnt", false),
            ("/media", false),
            ("/root", false),
            ("/snap", true),
        ],
    };
    list.into_iter()
        .map(|(d, below)| (d.to_string(), below))
        .collect()
}

/// Why `root` may not be cleaned, or `None` when it may.
///
/// `root` should be canonical; `home` is the user's home; `windir` the
/// Windows directory (`C:\Windows`), ignored elsewhere.
pub fn refusal(root: &str, home: &str, os: &str, windir: &str) -> Option<String> {
    let r = normalize(root, os);
    let is_fs_root = if os == "windows" {
        // `c:\`, `c:`, `\\server\share`
        (r.len() <= 3 && r.chars().nth(1) == Some(':'))
            || (r.starts_with(r"\\")
                && r.trim_start_matches('\\')
                    .split('\\')
                    .filter(|s| !s.is_empty())
                    .count()
                    <= 2)
    } else {
        r == "/"
    };
    if is_fs_root {
        return Some(format!("{root} is a filesystem root"));
    }
    let h = normalize(home, os);
    if !h.is_empty() && within(&h, &r, os) {
        return Some(if r == h {
            format!("{root} is the home directory itself")
        } else {
            format!("{root} contains the home directory")
        });
    }
    // Every user's home, not only the current one (sudo keeps HOME=/root).
    let parent = r
        .rsplit_once(sep(os))
        .map(|(p, _)| if p.is_empty() { "/" } else { p });
    if let Some(parent) = parent
        && home_parents(os)
            .iter()
            .any(|h| without_drive(parent) == without_drive(h))
    {
        return Some(format!("{root} is a user's home directory"));
    }
    let windir = normalize(windir, os);
    for (dir, below) in system_dirs(os, &windir) {
        let dir = normalize(&dir, os);
        // Windows: Program Files, ProgramData and Users hold on any drive.
        let (a, b) = if os == "windows" && !dir.starts_with(&windir) {
            (without_drive(&r), without_drive(&dir))
        } else {
            (r.as_str(), dir.as_str())
        };
        if a == b || (below && within(a, b, os)) {
            return Some(format!("{root} is a protected system location ({dir})"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::refusal;

    fn unix(p: &str) -> Option<String> {
        refusal(p, "/home/ana", "linux", "")
    }
    fn win(p: &str) -> Option<String> {
        refusal(p, r"C:\Users\ana", "windows", r"C:\Windows")
    }
    fn mac(p: &str) -> Option<String> {
        refusal(p, "/Users/ana", "macos", "")
    }

    #[test]
    fn unix_rules() {
        for bad in [
            "/",
            "/home",
            "/home/ana",
            "/home/ana/",
            "/etc",
            "/etc/ssl",
            "/usr/share/doc",
            "/var",
            "/var/lib/dpkg",
            "/boot",
        ] {
            assert!(unix(bad).is_some(), "{bad} must be refused");
        }
        for ok in [
            "/tmp",
            "/var/tmp",
            "/var/log",
            "/var/cache/apt/archives",
            "/home/ana/.cache",
            "/home/ana/Downloads/old",
            "/tmp/x",
        ] {
            assert_eq!(unix(ok), None, "{ok} should be allowed");
        }
        assert_eq!(
            unix("/home/ana").unwrap(),
            "/home/ana is the home directory itself"
        );
        assert_eq!(unix("/home").unwrap(), "/home contains the home directory");
        // Other users' homes too (HOME=/root under sudo).
        assert_eq!(
            refusal("/home/bob", "/root", "linux", "").unwrap(),
            "/home/bob is a user's home directory"
        );
        assert_eq!(refusal("/home/bob/.cache", "/root", "linux", ""), None);
    }

    #[test]
    fn windows_rules() {
        for bad in [
            r"D:\Program Files\App",
            r"E:\ProgramData",
            r"D:\Users\bob",
            r"C:\Users\bob",
        ] {
            assert!(win(bad).is_some(), "{bad} must be refused on any drive");
        }
        for bad in [
            r"C:\",
            "c:",
            r"D:\",
            r"\\server\share",
            r"\\?\C:\",
            r"C:\Windows",
            r"c:\windows\",
            r"C:\Windows\System32\drivers",
            r"C:\Program Files\App",
            r"C:\Program Files (x86)",
            r"C:\Users",
            r"C:\Users\ana",
            r"C:\ProgramData",
        ] {
            assert!(win(bad).is_some(), "{bad} must be refused");
        }
        for ok in [
            r"C:\Windows\Temp",
            r"C:\Windows\SoftwareDistribution\Download",
            r"C:\Users\ana\AppData\Local\Temp",
            r"\\?\C:\Users\ana\AppData\Local\Temp",
            r"C:\ProgramData\App\Logs",
            r"\\server\share\logs",
        ] {
            assert_eq!(win(ok), None, "{ok} should be allowed");
        }
    }

    #[test]
    fn macos_rules() {
        for bad in [
            "/users/ANA",
            "/applications",
            "/SYSTEM/Library",
            "/Users/bob",
        ] {
            assert!(
                mac(bad).is_some(),
                "{bad} must be refused (case-insensitive)"
            );
        }
        for bad in [
            "/System/Library",
            "/Applications/Safari.app",
            "/Library",
            "/Users",
            "/Users/ana",
            "/private/var",
        ] {
            assert!(mac(bad).is_some(), "{bad} must be refused");
        }
        for ok in [
            "/Users/ana/Library/Caches",
            "/private/tmp",
            "/private/var/folders/xy/T",
            "/Library/Caches",
            "/private/var/log",
        ] {
            assert_eq!(mac(ok), None, "{ok} should be allowed");
        }
    }
}
