//! Locations cleanup must never take as a root.
//!
//! Pure functions over path text and an OS name, so the Windows and macOS
//! rules are unit-tested on any machine. The caller passes the canonical
//! root (symlinks in its ancestors resolved) and the user's home.
//!
//! Refused: filesystem roots and drive roots; every user's home (from the
//! account database, not only the current one, wherever it lives: `/srv/…`,
//! `/var/www`) and any of its ancestors (`/home`, `C:\Users`); the folders
//! that hold keys and credentials inside any home (`.ssh`, `.gnupg`, `.aws`,
//! `.kube`, `.config`, `Library/Keychains`, `AppData\Roaming`…) and
//! everything below them; system directories themselves and, for those
//! never holding user caches (`/etc`, `/usr`, `/root`, `/var/lib`,
//! `/var/www`, `/var/mail`, `/var/spool`, `/var/backups`, `C:\Program
//! Files`, `/System`...), everything below them too; application and
//! service folders directly under `/opt` and `/srv`. Cleanable places
//! *inside* system directories stay allowed: `/var/tmp`, `/var/log`,
//! `C:\Windows\Temp`, `C:\Windows\SoftwareDistribution\Download`.

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

/// Folders inside a home that hold keys, credentials or a person's own
/// settings: refused, with everything below them, in every home.
pub const SENSITIVE_IN_HOME: &[&str] = &[
    ".ssh",
    ".gnupg",
    ".aws",
    ".azure",
    ".kube",
    ".docker",
    ".password-store",
    ".pki",
    ".config",
    ".local/share/keyrings",
    ".mozilla",
    ".thunderbird",
    "Library/Keychains",
    "Library/Preferences",
    "Library/Application Support",
    "AppData/Roaming",
    "Documents",
    "Desktop",
    "Pictures",
];

/// Every home folder in the account database (Unix: `getpwent`, which
/// includes service accounts such as `/var/www` and `/var/backups`). The
/// filesystem root (`/`, some service accounts' home) is left out: it is
/// refused on its own.
#[cfg(unix)]
pub fn account_homes() -> Vec<String> {
    use std::sync::Mutex;
    // getpwent walks one process-wide cursor.
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut homes = Vec::new();
    // SAFETY: setpwent/getpwent/endpwent under a lock; each entry's fields
    // are copied out before the next call.
    unsafe {
        libc::setpwent();
        loop {
            let entry = libc::getpwent();
            if entry.is_null() || homes.len() > 100_000 {
                break;
            }
            let dir = (*entry).pw_dir;
            if !dir.is_null() {
                let home = std::ffi::CStr::from_ptr(dir).to_string_lossy().into_owned();
                // Shared temporary folders are nobody's home, whatever an
                // odd account says.
                let temp = matches!(home.trim_end_matches('/'), "/tmp" | "/var/tmp");
                if home.len() > 1 && home.starts_with('/') && !temp && !homes.contains(&home) {
                    homes.push(home);
                }
            }
        }
        libc::endpwent();
    }
    homes
}

/// Windows: the profiles under `C:\Users` are refused by rule (any drive).
#[cfg(not(unix))]
pub fn account_homes() -> Vec<String> {
    Vec::new()
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
            ("/private/var/root", true),
            ("/private/var/db", true),
            ("/private/var/mail", true),
            ("/private/var/spool", true),
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
            ("/var/www", true),
            ("/var/mail", true),
            ("/var/spool", true),
            ("/var/backups", true),
            ("/var/opt", true),
            ("/var/db", true),
            ("/opt", false),
            ("/srv", false),
            ("/home", false),
            ("/mnt", false),
            ("/media", false),
            ("/root", true),
            ("/snap", true),
        ],
    };
    list.into_iter()
        .map(|(d, below)| (d.to_string(), below))
        .collect()
}

/// Folders whose direct children are applications' or services' own.
fn service_parents(os: &str) -> &'static [&'static str] {
    match os {
        "windows" => &[],
        "macos" => &["/opt", "/usr/local"],
        _ => &["/opt", "/srv", "/usr/local"],
    }
}

/// Why `root` may not be cleaned, or `None` when it may: [`refusal_among`]
/// with only the current user's home known.
pub fn refusal(root: &str, home: &str, os: &str, windir: &str) -> Option<String> {
    refusal_among(root, home, &[], os, windir)
}

/// Why `root` may not be cleaned, or `None` when it may.
///
/// `root` should be canonical; `home` is the user's home and `homes` every
/// home in the account database (see [`account_homes`]); `windir` the
/// Windows directory (`C:\Windows`), ignored elsewhere.
pub fn refusal_among(
    root: &str,
    home: &str,
    homes: &[String],
    os: &str,
    windir: &str,
) -> Option<String> {
    if let Some(why) = system_refusal(root, home, os, windir) {
        return Some(why);
    }
    if let Some(why) = home_refusal(root, home, homes, os) {
        return Some(why);
    }
    let r = normalize(root, os);
    let parent = r
        .rsplit_once(sep(os))
        .map(|(p, _)| if p.is_empty() { "/" } else { p });
    if let Some(parent) = parent
        && service_parents(os)
            .iter()
            .any(|d| normalize(d, os) == parent)
    {
        return Some(format!(
            "{root} is an application's or a service's own folder; name a cache or log folder inside it"
        ));
    }
    None
}

/// Every home, its ancestors, and the sensitive folders inside each.
fn home_refusal(root: &str, home: &str, homes: &[String], os: &str) -> Option<String> {
    let r = normalize(root, os);
    for h in std::iter::once(home).chain(homes.iter().map(String::as_str)) {
        let h = normalize(h, os);
        if h.is_empty() || h == "/" {
            continue;
        }
        if within(&h, &r, os) {
            return Some(if r == h {
                format!("{root} is a user's home directory")
            } else {
                format!("{root} contains a user's home directory ({h})")
            });
        }
        for sensitive in SENSITIVE_IN_HOME {
            let s = normalize(
                &format!(
                    "{h}{}{}",
                    sep(os),
                    sensitive.replace('/', &sep(os).to_string())
                ),
                os,
            );
            if within(&r, &s, os) {
                return Some(format!(
                    "{root} is in {s}, which holds keys, credentials or a person's own files"
                ));
            }
        }
    }
    None
}

fn system_refusal(root: &str, home: &str, os: &str, windir: &str) -> Option<String> {
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
    // The print queue is the one folder under System32 meant to be emptied
    // (stuck jobs, with the Spooler stopped): that folder itself, nothing else.
    if os == "windows" && r == format!("{windir}\\system32\\spool\\printers") {
        return None;
    }
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
    use super::{refusal, refusal_among};

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
        // Every home in the account database, wherever it is, and the
        // key and credential folders inside each.
        let homes = ["/srv/carol".to_string(), "/var/www".to_string()];
        let among = |p: &str| refusal_among(p, "/root", &homes, "linux", "");
        for bad in [
            "/srv/carol",
            "/srv/carol/.ssh",
            "/srv/carol/.gnupg/private-keys-v1.d",
            "/root/.ssh",
            "/var/www",
            "/var/www/html",
            "/var/mail",
            "/var/spool/cron",
            "/var/backups",
            "/opt/app",
            "/srv/ftp",
            "/srv/carol/.config/google-chrome",
        ] {
            assert!(among(bad).is_some(), "{bad} must be refused");
        }
        for ok in ["/srv/carol/.cache", "/opt/app/logs", "/var/tmp/x"] {
            assert_eq!(among(ok), None, "{ok} should be allowed");
        }
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
            r"C:\Windows\System32\spool",
            r"C:\Windows\System32\spool\PRINTERS\..\..\config",
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
            r"C:\Windows\System32\spool\PRINTERS",
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
