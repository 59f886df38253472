//! System facts: what conditions, templates and reports know about the host.
//!
//! Gathered once per run and shared by every step. Each fact is read on its
//! own (no full sysinfo refresh): that is faster everywhere and avoids calls
//! some platforms (Wine) lack. Disks are listed only on demand
//! ([`list_disks`]) because a hung network mount can block a `statvfs`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sysinfo::{CpuRefreshKind, System};

/// Facts about the machine and the user running supportctl.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Facts {
    pub hostname: String,
    /// A stable id of this machine (`/etc/machine-id`, macOS's
    /// IOPlatformUUID, Windows' MachineGuid), so fleet reports tell two
    /// machines with one name apart; empty when it cannot be read.
    #[serde(default)]
    pub machine_id: String,
    pub user: String,
    /// `windows`, `macos`, `linux`, ... (Rust's `std::env::consts::OS`).
    pub os: String,
    /// Marketing name, e.g. `Debian GNU/Linux 12 (bookworm)`, `Windows 11 Pro`.
    pub os_name: String,
    /// Numeric OS version, e.g. `12`, `10.0.22631`, `14.4.1`.
    pub os_version: String,
    pub kernel_version: String,
    /// `x86_64`, `aarch64`, ...
    pub arch: String,
    pub cpus: usize,
    pub physical_cores: Option<usize>,
    pub cpu_brand: String,
    pub cpu_mhz: u64,
    pub memory_total_bytes: u64,
    pub memory_available_bytes: u64,
    pub uptime_secs: u64,
    pub home: String,
    pub temp: String,
    pub desktop: String,
    pub cache_dir: String,
    pub config_dir: String,
    /// `C:\` on Windows (from `%SystemDrive%`), `/` elsewhere.
    pub system_drive: String,
}

/// This machine's stable id (see [`Facts::machine_id`]).
fn machine_id() -> String {
    if cfg!(target_os = "linux") || cfg!(target_os = "freebsd") {
        return ["/etc/machine-id", "/var/lib/dbus/machine-id", "/etc/hostid"]
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .map(|s| s.trim().to_string())
            .find(|s| !s.is_empty() && s.len() <= 128)
            .unwrap_or_default();
    }
    let (argv, key): (&[&str], &str) = if cfg!(target_os = "macos") {
        (
            &["ioreg", "-rd1", "-c", "IOPlatformExpertDevice"],
            "IOPlatformUUID",
        )
    } else if cfg!(windows) {
        (
            &[
                "reg",
                "query",
                r"HKLM\SOFTWARE\Microsoft\Cryptography",
                "/v",
                "MachineGuid",
            ],
            "MachineGuid",
        )
    } else {
        return String::new();
    };
    let spec = crate::process::ProcessSpec {
        argv: argv.iter().map(|s| s.to_string()).collect(),
        max_output: 1 << 16,
        ..Default::default()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    let out = crate::process::run(&spec, deadline, &crate::cancel::Cancel::new());
    out.stdout
        .lines()
        .find(|l| l.contains(key))
        .and_then(|l| {
            l.split(['"', ' ', '='])
                .rfind(|w| !w.is_empty())
                .map(str::to_string)
        })
        .filter(|id| id.len() >= 8 && id.len() <= 64)
        .unwrap_or_default()
}

fn path_string(p: Option<PathBuf>, fallback: &Path) -> String {
    p.unwrap_or_else(|| fallback.to_path_buf())
        .display()
        .to_string()
}

/// The system drive root from the value of `%SystemDrive%` (Windows).
pub fn windows_system_drive(env_value: Option<&str>) -> String {
    match env_value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(d) if d.ends_with('\\') => d.to_string(),
        Some(d) => format!("{d}\\"),
        None => "C:\\".to_string(),
    }
}

/// The Windows version in NT form, `10.0.22631`, from sysinfo's marketing
/// form (`os_version` "11 (22631)", `os_name` "Windows 11 Pro", kernel
/// "22631"), so `min_os_version = "10.0.19045"` compares as on Windows.
pub fn windows_nt_version(os_version: &str, os_name: &str, kernel: &str) -> String {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let build = os_version
        .split_once('(')
        .map(|(_, b)| digits(b))
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| digits(kernel));
    let marketing = |s: &str| {
        let words: Vec<&str> = s.split_whitespace().collect();
        words
            .iter()
            .position(|w| w.eq_ignore_ascii_case("windows"))
            .and_then(|i| words.get(i + 1).map(|w| w.to_string()))
    };
    let release = os_version
        .split_whitespace()
        .next()
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()) && *w != "0")
        .map(str::to_string)
        .or_else(|| marketing(os_name))
        .unwrap_or_default();
    let nt = match release.as_str() {
        "7" => "6.1",
        "8" => "6.2",
        "8.1" => "6.3",
        "Vista" | "vista" => "6.0",
        "XP" | "xp" => "5.1",
        _ => "10.0",
    };
    if build.is_empty() {
        nt.to_string()
    } else {
        format!("{nt}.{build}")
    }
}

/// The name of the user running the process, from the environment.
pub fn current_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .or_else(passwd_user)
        .unwrap_or_else(|| "unknown".to_string())
}

/// The login name of the real user id, from the password database.
#[cfg(unix)]
fn passwd_user() -> Option<String> {
    let mut buf = vec![0u8; 4096];
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: getpwuid_r writes into `pwd` and `buf`, both live and sized as declared.
    let rc = unsafe {
        libc::getpwuid_r(
            libc::getuid(),
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: pw_name points into `buf`, NUL-terminated by getpwuid_r.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    Some(name.to_string_lossy().into_owned())
}

#[cfg(not(unix))]
fn passwd_user() -> Option<String> {
    None
}

/// The CPU's maximum frequency where the OS exposes it (Linux cpufreq), so an
/// idle laptop clocked down to 800 MHz is judged by what it can do.
fn max_cpu_mhz() -> Option<u64> {
    let khz: u64 = std::fs::read_to_string("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(khz / 1000).filter(|&mhz| mhz > 0)
}

impl Facts {
    /// Reads the facts of this machine.
    pub fn gather() -> Facts {
        let mut sys = System::new();
        sys.refresh_memory();
        sys.refresh_cpu_list(CpuRefreshKind::nothing().with_frequency());
        let home = dirs::home_dir().unwrap_or_else(|| PathBuf::from("."));
        let os = std::env::consts::OS.to_string();
        let system_drive = if cfg!(windows) {
            windows_system_drive(std::env::var("SystemDrive").ok().as_deref())
        } else {
            "/".to_string()
        };
        let cpus = sys.cpus();
        Facts {
            machine_id: machine_id(),
            hostname: System::host_name().unwrap_or_else(|| "unknown".into()),
            user: current_user(),
            os_name: System::long_os_version()
                .or_else(System::name)
                .unwrap_or_else(|| os.clone()),
            os,
            os_version: {
                let v = System::os_version().unwrap_or_default();
                if cfg!(windows) {
                    let name = System::long_os_version().unwrap_or_default();
                    windows_nt_version(&v, &name, &System::kernel_version().unwrap_or_default())
                } else {
                    v
                }
            },
            kernel_version: System::kernel_version().unwrap_or_default(),
            arch: std::env::consts::ARCH.to_string(),
            cpus: std::thread::available_parallelism().map_or(cpus.len().max(1), |n| n.get()),
            physical_cores: System::physical_core_count(),
            cpu_brand: cpus
                .first()
                .map(|c| c.brand().trim().to_string())
                .unwrap_or_default(),
            cpu_mhz: max_cpu_mhz().unwrap_or_else(|| cpus.first().map_or(0, |c| c.frequency())),
            memory_total_bytes: sys.total_memory(),
            memory_available_bytes: sys.available_memory(),
            uptime_secs: System::uptime(),
            temp: std::env::temp_dir().display().to_string(),
            desktop: path_string(dirs::desktop_dir(), &home),
            cache_dir: path_string(dirs::cache_dir(), &home),
            config_dir: path_string(dirs::config_dir(), &home),
            home: home.display().to_string(),
            system_drive,
        }
    }

    /// The facts offered as template variables, by name.
    pub fn variables(&self) -> Vec<(&'static str, String)> {
        vec![
            ("home", self.home.clone()),
            ("temp", self.temp.clone()),
            ("desktop", self.desktop.clone()),
            ("cache_dir", self.cache_dir.clone()),
            ("config_dir", self.config_dir.clone()),
            ("hostname", self.hostname.clone()),
            ("user", self.user.clone()),
            ("os", self.os.clone()),
            ("os_version", self.os_version.clone()),
            ("arch", self.arch.clone()),
            ("system_drive", self.system_drive.clone()),
            ("os_name", self.os_name.clone()),
            ("kernel_version", self.kernel_version.clone()),
            ("cpus", self.cpus.to_string()),
            (
                "physical_cores",
                self.physical_cores.unwrap_or(self.cpus).to_string(),
            ),
            ("cpu_brand", self.cpu_brand.clone()),
            ("cpu_mhz", self.cpu_mhz.to_string()),
            ("memory_total_bytes", self.memory_total_bytes.to_string()),
            (
                "memory_available_bytes",
                self.memory_available_bytes.to_string(),
            ),
            ("uptime_secs", self.uptime_secs.to_string()),
        ]
    }
}

/// One mounted filesystem.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DiskFact {
    pub mount_point: String,
    pub filesystem: String,
    pub device: String,
    pub total_bytes: u64,
    pub available_bytes: u64,
    pub removable: bool,
}

/// Lists mounted filesystems (may be slow on hung network mounts).
pub fn list_disks() -> Vec<DiskFact> {
    sysinfo::Disks::new_with_refreshed_list()
        .list()
        .iter()
        .map(|d| DiskFact {
            mount_point: d.mount_point().display().to_string(),
            filesystem: d.file_system().to_string_lossy().into_owned(),
            device: d.name().to_string_lossy().into_owned(),
            total_bytes: d.total_space(),
            available_bytes: d.available_space(),
            removable: d.is_removable(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_drive_from_env() {
        assert_eq!(windows_system_drive(Some("D:")), "D:\\");
        assert_eq!(windows_system_drive(Some("E:\\")), "E:\\");
        assert_eq!(windows_system_drive(None), "C:\\");
        assert_eq!(windows_system_drive(Some("  ")), "C:\\");
    }

    #[test]
    fn windows_versions_in_nt_form() {
        assert_eq!(
            windows_nt_version("11 (22631)", "Windows 11 Pro", "22631"),
            "10.0.22631"
        );
        assert_eq!(
            windows_nt_version("10 (19045)", "Windows 10 Enterprise", "19045"),
            "10.0.19045"
        );
        assert_eq!(
            windows_nt_version("0 (7601)", "Microsoft Windows 7", "7601"),
            "6.1.7601"
        );
        assert_eq!(windows_nt_version("", "Windows 8.1", "9600"), "6.3.9600");
        assert_eq!(
            windows_nt_version("2022 (20348)", "Windows Server 2022", "20348"),
            "10.0.20348"
        );
    }

    #[test]
    fn gathers_real_facts() {
        let f = Facts::gather();
        assert_eq!(f.os, std::env::consts::OS);
        assert!(f.cpus >= 1);
        assert!(f.memory_total_bytes > 0);
        assert!(!f.hostname.is_empty());
    }
}
