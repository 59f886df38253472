//! Named cleanup locations, resolved per OS: `locations = ["user-temp",
//! "chrome-cache"]` in a cleanup step. Each entry says where it is on each
//! OS, which files in it are candidates, and why it is safe to clear. The
//! The table in docs/kinds/cleanup.md is written from [`LOCATIONS`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A named place that is safe to clear.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Location {
    /// The user's temporary folder (%TEMP%, $TMPDIR, /tmp).
    UserTemp,
    /// The machine's temporary folder (%windir%\Temp, /tmp, /var/tmp).
    SystemTemp,
    /// The user's cache folder (~/.cache, ~/Library/Caches, %LOCALAPPDATA%\Microsoft\Windows\INetCache).
    UserCache,
    /// Thumbnail caches (~/.cache/thumbnails, Explorer's thumbcache_*.db).
    Thumbnails,
    /// Google Chrome's disk cache.
    ChromeCache,
    /// Microsoft Edge's disk cache.
    EdgeCache,
    /// Firefox's disk cache (cache2 folders of every profile).
    FirefoxCache,
    /// Windows Update's download cache (%windir%\SoftwareDistribution\Download).
    WindowsUpdateCache,
    /// The print spooler's queue (%windir%\System32\spool\PRINTERS).
    PrintQueue,
    /// macOS ~/Library/Caches.
    MacosCaches,
    /// Linux ~/.cache.
    LinuxCache,
    /// Rotated (compressed or numbered) logs in /var/log.
    RotatedLogs,
}

/// Where things are on the machine (from facts and the environment).
#[derive(Clone, Debug, Default)]
pub struct KnownDirs {
    pub os: String,
    pub home: String,
    pub temp: String,
    /// `%LOCALAPPDATA%` on Windows.
    pub local_app_data: String,
    /// `%windir%` on Windows.
    pub windir: String,
}

impl KnownDirs {
    pub fn current(facts: &crate::facts::Facts) -> KnownDirs {
        let env = |k: &str| std::env::var(k).unwrap_or_default();
        KnownDirs {
            os: facts.os.clone(),
            home: facts.home.clone(),
            temp: facts.temp.clone(),
            local_app_data: env("LOCALAPPDATA"),
            windir: if facts.os == "windows" {
                std::env::var("windir").unwrap_or_else(|_| r"C:\Windows".into())
            } else {
                String::new()
            },
        }
    }
}

/// A location resolved on this OS.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    pub path: String,
    /// When not empty, only files matching one of these globs are candidates.
    pub include: Vec<&'static str>,
}

/// Every location with its description of what is safe to clear; the
/// table in docs/kinds/cleanup.md has the same text (a test checks).
pub const LOCATIONS: &[(&str, &str)] = &[
    (
        "user-temp",
        "the user's temp folder; programs recreate what they need",
    ),
    (
        "system-temp",
        "`%windir%\\Temp` on Windows, `/tmp` and `/var/tmp` elsewhere; files in use are skipped",
    ),
    (
        "user-cache",
        "`~/.cache` (Linux), `~/Library/Caches` (macOS), `%LOCALAPPDATA%\\Microsoft\\Windows\\INetCache` (Windows): caches rebuild themselves",
    ),
    (
        "thumbnails",
        "`~/.cache/thumbnails` (Linux), Explorer's `thumbcache_*.db` and `iconcache_*.db` (Windows); rebuilt on demand",
    ),
    (
        "chrome-cache",
        "Chrome's disk cache (not history, passwords or cookies)",
    ),
    (
        "edge-cache",
        "Edge's disk cache (not history, passwords or cookies)",
    ),
    (
        "firefox-cache",
        "Firefox's disk cache (`cache2` folders on Windows; not profile data)",
    ),
    (
        "windows-update-cache",
        "`%windir%\\SoftwareDistribution\\Download` (Windows; downloaded again when needed)",
    ),
    (
        "print-queue",
        "`%windir%\\System32\\spool\\PRINTERS` (Windows): the spool files of queued print jobs; clear it while the Spooler service is stopped (the `print-spooler` playbook does), and the stuck jobs are gone",
    ),
    ("macos-caches", "`~/Library/Caches` (macOS)"),
    ("linux-cache", "`~/.cache` (Linux)"),
    (
        "rotated-logs",
        "`/var/log` on Linux, `/private/var/log` on macOS: only rotated logs (`*.gz`, `*.xz`, `*.bz2`, `*.zst`, `*.old`, `*.1`, `*.1.log`, `*.log.1`, ...)",
    ),
];

fn join(base: &str, parts: &[&str], os: &str) -> String {
    let sep = if os == "windows" { "\\" } else { "/" };
    let mut out = base.trim_end_matches(['/', '\\']).to_string();
    for p in parts {
        out.push_str(sep);
        out.push_str(p);
    }
    out
}

impl Location {
    /// Every named location.
    pub const ALL: &'static [Location] = &[
        Location::UserTemp,
        Location::SystemTemp,
        Location::UserCache,
        Location::Thumbnails,
        Location::ChromeCache,
        Location::EdgeCache,
        Location::FirefoxCache,
        Location::WindowsUpdateCache,
        Location::PrintQueue,
        Location::MacosCaches,
        Location::LinuxCache,
        Location::RotatedLogs,
    ];

    /// Where the location is on this OS; empty when it does not exist there.
    pub fn resolve(self, d: &KnownDirs) -> Vec<Resolved> {
        let os = d.os.as_str();
        let (win, mac) = (os == "windows", os == "macos");
        let at = |base: &str, parts: &[&str]| Resolved {
            path: join(base, parts, os),
            include: Vec::new(),
        };
        let lad = |parts: &[&str]| at(&d.local_app_data, parts);
        let home = |parts: &[&str]| at(&d.home, parts);
        match self {
            Location::UserTemp => vec![at(&d.temp, &[])],
            Location::SystemTemp if win => vec![at(&d.windir, &["Temp"])],
            Location::SystemTemp => vec![at("/tmp", &[]), at("/var/tmp", &[])],
            Location::UserCache if win => vec![lad(&["Microsoft", "Windows", "INetCache"])],
            Location::UserCache if mac => vec![home(&["Library", "Caches"])],
            Location::UserCache => vec![home(&[".cache"])],
            Location::Thumbnails if win => {
                vec![Resolved {
                    include: vec!["thumbcache_*.db", "iconcache_*.db"],
                    ..lad(&["Microsoft", "Windows", "Explorer"])
                }]
            }
            Location::Thumbnails if mac => Vec::new(),
            Location::Thumbnails => vec![home(&[".cache", "thumbnails"])],
            Location::ChromeCache if win => {
                vec![lad(&["Google", "Chrome", "User Data", "Default", "Cache"])]
            }
            Location::ChromeCache if mac => vec![home(&["Library", "Caches", "Google", "Chrome"])],
            Location::ChromeCache => vec![home(&[".cache", "google-chrome"])],
            Location::EdgeCache if win => {
                vec![lad(&["Microsoft", "Edge", "User Data", "Default", "Cache"])]
            }
            Location::EdgeCache if mac => vec![home(&["Library", "Caches", "Microsoft Edge"])],
            Location::EdgeCache => vec![home(&[".cache", "microsoft-edge"])],
            Location::FirefoxCache if win => {
                vec![Resolved {
                    include: vec!["**/cache2/**"],
                    ..lad(&["Mozilla", "Firefox", "Profiles"])
                }]
            }
            Location::FirefoxCache if mac => vec![home(&["Library", "Caches", "Firefox"])],
            Location::FirefoxCache => vec![home(&[".cache", "mozilla", "firefox"])],
            Location::WindowsUpdateCache if win => {
                vec![at(&d.windir, &["SoftwareDistribution", "Download"])]
            }
            Location::WindowsUpdateCache => Vec::new(),
            Location::PrintQueue if win => {
                vec![at(&d.windir, &["System32", "spool", "PRINTERS"])]
            }
            Location::PrintQueue => Vec::new(),
            Location::MacosCaches if mac => vec![home(&["Library", "Caches"])],
            Location::LinuxCache if os == "linux" => vec![home(&[".cache"])],
            Location::MacosCaches | Location::LinuxCache => Vec::new(),
            Location::RotatedLogs if win => Vec::new(),
            Location::RotatedLogs => vec![Resolved {
                path: if mac {
                    "/private/var/log".into()
                } else {
                    "/var/log".into()
                },
                include: vec![
                    "*.gz",
                    "*.xz",
                    "*.bz2",
                    "*.zst",
                    "*.old",
                    "*.[0-9]",
                    "*.[0-9].log",
                    "*.log.[0-9]",
                ],
            }],
        }
    }

    /// The name as written in playbooks.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(os: &str) -> KnownDirs {
        match os {
            "windows" => KnownDirs {
                os: os.into(),
                home: r"C:\Users\ana".into(),
                temp: r"C:\Users\ana\AppData\Local\Temp".into(),
                local_app_data: r"C:\Users\ana\AppData\Local".into(),
                windir: r"C:\Windows".into(),
            },
            "macos" => KnownDirs {
                os: os.into(),
                home: "/Users/ana".into(),
                temp: "/var/folders/xy/T/".into(),
                ..Default::default()
            },
            _ => KnownDirs {
                os: os.into(),
                home: "/home/ana".into(),
                temp: "/tmp".into(),
                ..Default::default()
            },
        }
    }

    fn paths(l: Location, os: &str) -> Vec<String> {
        l.resolve(&dirs(os)).into_iter().map(|r| r.path).collect()
    }

    #[test]
    fn resolves_per_os() {
        assert_eq!(paths(Location::SystemTemp, "windows"), [r"C:\Windows\Temp"]);
        assert_eq!(
            paths(Location::WindowsUpdateCache, "windows"),
            [r"C:\Windows\SoftwareDistribution\Download"]
        );
        assert_eq!(
            paths(Location::ChromeCache, "windows"),
            [r"C:\Users\ana\AppData\Local\Google\Chrome\User Data\Default\Cache"]
        );
        assert_eq!(
            paths(Location::UserCache, "macos"),
            ["/Users/ana/Library/Caches"]
        );
        assert_eq!(paths(Location::UserTemp, "macos"), ["/var/folders/xy/T"]);
        assert_eq!(paths(Location::LinuxCache, "linux"), ["/home/ana/.cache"]);
        assert!(paths(Location::WindowsUpdateCache, "linux").is_empty());
        assert!(paths(Location::MacosCaches, "linux").is_empty());
        assert_eq!(
            Location::RotatedLogs.resolve(&dirs("linux"))[0].include[0],
            "*.gz"
        );
    }

    #[test]
    fn readme_lists_every_location_as_described_here() {
        let readme = include_str!("../../docs/kinds/cleanup.md");
        for (name, what) in LOCATIONS {
            let row = format!("| `{name}` | {what} |");
            assert!(
                readme.contains(&row),
                "docs/kinds/cleanup.md lacks the row: {row}"
            );
        }
    }

    #[test]
    fn no_location_is_protected() {
        for os in ["linux", "macos", "windows"] {
            let d = dirs(os);
            for (name, _) in LOCATIONS {
                let loc: Location = serde_json::from_value(serde_json::json!(name)).unwrap();
                assert_eq!(&loc.name(), name);
                for r in loc.resolve(&d) {
                    assert_eq!(
                        super::super::protect::refusal(&r.path, &d.home, os, &d.windir),
                        None,
                        "{name} on {os}: {}",
                        r.path
                    );
                }
            }
        }
    }
}
