//! Installed versions from package managers and OS registries: dpkg, rpm,
//! pacman, apk, Homebrew, Windows' uninstall registry keys, and macOS app
//! bundles' `Info.plist`.
//!
//! Each lookup runs the manager's own query tool through
//! [`crate::process::run`] (bounded in time) and parses its output with a
//! pure function, unit-tested here on every OS with real output samples.

use std::path::Path;
use std::time::Instant;

use crate::cancel::Cancel;
use crate::process::{self, Ending, ProcessSpec};

/// A version found, and where it came from (`dpkg`, `registry`, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub version: String,
    pub source: String,
    /// Where the program is installed, when the source says.
    pub location: Option<String>,
}

/// Why a lookup found nothing.
#[derive(Clone, Debug, PartialEq)]
pub enum Missing {
    /// The manager answered: not installed.
    NotInstalled(String),
    /// No manager of this kind on this machine, or it failed.
    Unavailable(String),
}

fn run(argv: &[&str], deadline: Instant, cancel: &Cancel) -> Result<String, Missing> {
    let spec = ProcessSpec {
        argv: argv.iter().map(|s| s.to_string()).collect(),
        max_output: 8 << 20,
        ..Default::default()
    };
    let r = process::run(&spec, deadline, cancel);
    match r.ending {
        Ending::Exited(0) => Ok(r.stdout),
        Ending::Exited(_) => Err(Missing::NotInstalled(format!(
            "{}: {}",
            argv[0],
            r.stderr
                .lines()
                .chain(r.stdout.lines())
                .next()
                .unwrap_or("not installed")
                .trim()
        ))),
        Ending::TimedOut => Err(Missing::Unavailable(format!("{} timed out", argv[0]))),
        Ending::Interrupted => Err(Missing::Unavailable("interrupted".into())),
        Ending::SpawnFailed(e) => Err(Missing::Unavailable(e)),
    }
}

use crate::version::Scheme;

/// The highest of several versions (multiarch or multi-version installs),
/// in the manager's own order.
fn highest(versions: impl Iterator<Item = String>, scheme: Scheme) -> Option<String> {
    versions.max_by(|a, b| scheme.compare(a, b))
}

/// `dpkg-query -W -f '${Status}\t${Version}\n'`: `install ok installed\t1:2.39.2-1`,
/// one line per architecture installed.
pub fn parse_dpkg(out: &str) -> Option<String> {
    highest(
        out.lines().filter_map(|line| {
            let (status, version) = line.trim().split_once('\t')?;
            (status.ends_with(" installed") && !version.is_empty()).then(|| version.to_string())
        }),
        Scheme::Dpkg,
    )
}

/// `rpm -q --qf '%{EPOCH}:%{VERSION}-%{RELEASE}\n'`: `(none):2.43.0-1.fc39`, a line per install.
pub fn parse_rpm(out: &str) -> Option<String> {
    highest(
        out.lines().filter_map(|line| {
            let v = line.trim();
            let v = v.strip_prefix("(none):").unwrap_or(v);
            (!v.is_empty() && !v.contains("not installed")).then(|| v.to_string())
        }),
        Scheme::Rpm,
    )
}

/// `pacman -Q NAME` / `brew list --versions NAME`: `git 2.43.0-1` (brew may list several).
pub fn parse_name_version(out: &str) -> Option<String> {
    let line = out.lines().next()?.trim();
    let words: Vec<&str> = line.split_whitespace().collect();
    (words.len() >= 2).then(|| words[words.len() - 1].to_string())
}

/// `apk info -v NAME` prints `NAME-VERSION-rN` (e.g. `git-2.43.0-r0`).
pub fn parse_apk(out: &str, name: &str) -> Option<String> {
    out.lines()
        .filter_map(|l| l.trim().strip_prefix(&format!("{name}-")))
        .find(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_string)
}

/// `reg query <Uninstall key> /s` (every value of every program): the
/// entries whose DisplayName matches `name`, best first: the same name
/// (ignoring case), then names starting with it, then names containing it,
/// as (DisplayName, DisplayVersion, InstallLocation).
pub fn parse_reg_uninstall(out: &str, name: &str) -> Vec<(String, String, Option<String>)> {
    let mut found = Vec::new();
    let mut current: (Option<String>, Option<String>, Option<String>) = (None, None, None);
    let mut flush = |c: &mut (Option<String>, Option<String>, Option<String>)| {
        if let (Some(n), Some(v)) = (c.0.take(), c.1.take())
            && n.to_lowercase().contains(&name.to_lowercase())
        {
            found.push((n, v, c.2.take()));
        }
        *c = (None, None, None);
    };
    for line in out.lines() {
        if line.starts_with("HKEY_") {
            flush(&mut current);
            continue;
        }
        let mut cols = line.trim().splitn(3, "    ").map(str::trim);
        let (Some(key), Some(kind), value) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        if !kind.starts_with("REG_") {
            continue;
        }
        let value = value.unwrap_or("").to_string();
        match key {
            "DisplayName" => current.0 = Some(value),
            "DisplayVersion" => current.1 = Some(value),
            "InstallLocation" if !value.is_empty() => current.2 = Some(value),
            _ => {}
        }
    }
    flush(&mut current);
    let wanted = name.to_lowercase();
    found.sort_by_key(|(n, _, _)| {
        let n = n.to_lowercase();
        if n == wanted {
            0
        } else if n.starts_with(&wanted) {
            1
        } else {
            2
        }
    });
    found
}

/// `CFBundleShortVersionString` (else `CFBundleVersion`) from an XML plist.
pub fn parse_plist_version(xml: &str) -> Option<String> {
    ["CFBundleShortVersionString", "CFBundleVersion"]
        .iter()
        .find_map(|key| {
            let after = xml.split(&format!("<key>{key}</key>")).nth(1)?;
            let start = after.find("<string>")? + "<string>".len();
            let end = after[start..].find("</string>")?;
            Some(after[start..start + end].trim().to_string()).filter(|v| !v.is_empty())
        })
}

/// Looks `name` up in this machine's package manager(s): the first one
/// present that knows the package wins.
pub fn lookup(name: &str, deadline: Instant, cancel: &Cancel) -> Result<Found, Missing> {
    let found = |version: String, source: &str| Found {
        version,
        source: source.into(),
        location: None,
    };
    let mut last = Missing::Unavailable("no package manager found".into());
    if cfg!(windows) {
        return windows_registry(name, deadline, cancel);
    }
    type Query = (
        &'static str,
        fn(&str) -> Vec<String>,
        fn(&str, &str) -> Option<String>,
    );
    let managers: [Query; 5] = [
        (
            "dpkg",
            |n| {
                vec![
                    "dpkg-query".into(),
                    "-W".into(),
                    "-f".into(),
                    "${Status}\t${Version}\n".into(),
                    n.into(),
                ]
            },
            |out, _| parse_dpkg(out),
        ),
        (
            "rpm",
            |n| {
                vec![
                    "rpm".into(),
                    "-q".into(),
                    "--qf".into(),
                    "%{EPOCH}:%{VERSION}-%{RELEASE}\n".into(),
                    n.into(),
                ]
            },
            |out, _| parse_rpm(out),
        ),
        (
            "pacman",
            |n| vec!["pacman".into(), "-Q".into(), n.into()],
            |out, _| parse_name_version(out),
        ),
        (
            "apk",
            |n| vec!["apk".into(), "info".into(), "-v".into(), n.into()],
            parse_apk,
        ),
        (
            "brew",
            |n| vec!["brew".into(), "list".into(), "--versions".into(), n.into()],
            |out, _| parse_name_version(out),
        ),
    ];
    let mut failed = false;
    for (manager, argv, parse) in managers {
        let argv = argv(name);
        if which::which(&argv[0]).is_err() {
            continue;
        }
        let args: Vec<&str> = argv.iter().map(String::as_str).collect();
        match run(&args, deadline, cancel) {
            Ok(out) => match parse(&out, name) {
                Some(v) => return Ok(found(v, manager)),
                None => last = Missing::NotInstalled(format!("{manager}: {name} is not installed")),
            },
            // Another manager failing (a timeout) keeps the answer unknown.
            Err(Missing::NotInstalled(_)) if matches!(last, Missing::Unavailable(_)) && failed => {}
            Err(Missing::NotInstalled(_)) => {
                last = Missing::NotInstalled(format!("{manager}: {name} is not installed"))
            }
            Err(e) => {
                failed = true;
                last = e;
            }
        }
    }
    Err(last)
}

/// Windows: the uninstall keys of the machine (64- and 32-bit) and the user.
fn windows_registry(name: &str, deadline: Instant, cancel: &Cancel) -> Result<Found, Missing> {
    const KEYS: [&str; 3] = [
        r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall",
        r"HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall",
        r"HKCU\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall",
    ];
    let mut best: Vec<(String, String, Option<String>)> = Vec::new();
    let mut failure = None;
    for key in KEYS {
        // `/s`: every value of every program. (A `/f NAME` search would
        // print only the values containing the name, never DisplayVersion.)
        match run(&["reg", "query", key, "/s"], deadline, cancel) {
            Ok(out) => best.extend(parse_reg_uninstall(&out, name)),
            // A key that does not exist (no 32-bit programs...) is fine.
            Err(Missing::NotInstalled(_)) => {}
            Err(e) => failure = Some(e),
        }
    }
    let wanted = name.to_lowercase();
    best.sort_by_key(|(n, _, _)| {
        let n = n.to_lowercase();
        (n != wanted, !n.starts_with(&wanted))
    });
    match best.into_iter().next() {
        Some((_, version, location)) => Ok(Found {
            version,
            source: "registry".into(),
            location,
        }),
        None => Err(failure.unwrap_or_else(|| {
            Missing::NotInstalled(format!(
                "no program named like `{name}` in the uninstall registry keys"
            ))
        })),
    }
}

/// macOS: the version in an app bundle's `Contents/Info.plist`.
pub fn app_bundle(app: &Path, deadline: Instant, cancel: &Cancel) -> Result<Found, Missing> {
    let plist = app.join("Contents").join("Info.plist");
    let bytes = std::fs::read(&plist)
        .map_err(|e| Missing::NotInstalled(format!("{}: {e}", plist.display())))?;
    let text = if bytes.starts_with(b"bplist") {
        // Binary plist: let the OS convert it.
        let path = plist.display().to_string();
        run(
            &["plutil", "-convert", "xml1", "-o", "-", &path],
            deadline,
            cancel,
        )?
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    };
    parse_plist_version(&text)
        .map(|version| Found {
            version,
            source: "Info.plist".into(),
            location: Some(app.display().to_string()),
        })
        .ok_or_else(|| {
            Missing::Unavailable(format!(
                "{} has no CFBundleShortVersionString",
                plist.display()
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_managers_output() {
        assert_eq!(
            parse_dpkg("install ok installed\t1:2.39.2-1.1"),
            Some("1:2.39.2-1.1".into())
        );
        assert_eq!(parse_dpkg("deinstall ok config-files\t2.39.2-1"), None);
        assert_eq!(
            parse_rpm("(none):2.43.0-1.fc39"),
            Some("2.43.0-1.fc39".into())
        );
        assert_eq!(
            parse_rpm("1:9.0.2120-1.fc39\n"),
            Some("1:9.0.2120-1.fc39".into())
        );
        assert_eq!(
            parse_name_version("git 2.43.0-1\n"),
            Some("2.43.0-1".into())
        );
        assert_eq!(
            parse_name_version("python@3.12 3.12.0 3.12.1\n"),
            Some("3.12.1".into())
        );
        assert_eq!(
            parse_apk("git-2.43.0-r0\n", "git"),
            Some("2.43.0-r0".into())
        );
        assert_eq!(parse_apk("git-lfs-3.4.0-r1\n", "git"), None);
        let plist = "<dict>\n\t<key>CFBundleName</key>\n\t<string>Slack</string>\n\t<key>CFBundleShortVersionString</key>\n\t<string>4.36.140</string>\n</dict>";
        assert_eq!(parse_plist_version(plist), Some("4.36.140".into()));
    }

    #[test]
    fn parses_reg_query_output() {
        let out = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Git_is1\r\n    \
                   DisplayName    REG_SZ    Git\r\n    DisplayVersion    REG_SZ    2.43.0\r\n    \
                   InstallLocation    REG_SZ    C:\\Program Files\\Git\\\r\n\r\n\
                   HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{ABC}\r\n    \
                   DisplayName    REG_SZ    GitHub Desktop\r\n    DisplayVersion    REG_SZ    3.3.6\r\n\r\n\
                   End of search: 2 match(es) found.\r\n";
        let found = parse_reg_uninstall(out, "git");
        assert_eq!(
            found[0],
            (
                "Git".to_string(),
                "2.43.0".to_string(),
                Some("C:\\Program Files\\Git\\".to_string())
            )
        );
        assert_eq!(found.len(), 2);
        assert!(parse_reg_uninstall(out, "zoom").is_empty());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn asks_the_real_dpkg_here() {
        if which::which("dpkg-query").is_err() {
            eprintln!("NOT RUN: no dpkg on this machine");
            return;
        }
        let deadline = Instant::now() + std::time::Duration::from_secs(20);
        let found = lookup("dpkg", deadline, &Cancel::new()).unwrap();
        assert_eq!(found.source, "dpkg");
        assert!(
            crate::version::Version::parse(&found.version) > crate::version::Version::parse("1.17")
        );
        match lookup("no-such-package-supportctl", deadline, &Cancel::new()) {
            Err(Missing::NotInstalled(why)) => assert!(why.contains("not installed"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
