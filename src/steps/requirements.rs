//! `requirements`: the machine meets a product's published minimums.
//!
//! The machine's figures are read once into a [`Machine`]; [`judge`] is a
//! pure function from requirements and machine to one [`Line`] per
//! requirement (required, found, verdict), so every verdict is unit-tested
//! with injected figures. A figure that cannot be read is *undetermined*,
//! never a pass; the step is `fail` (not capable) when any requirement is
//! not met, else `error` (undetermined) when any could not be read, else
//! `pass` (capable).

use std::path::Path;
use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Check, Evaluation, FieldProblem, StepContext};
use crate::cancel::Cancel;
use crate::diskspace::{DiskSource, RealDisks};
use crate::facts::Facts;
use crate::process::{self, Ending, ProcessSpec};
use crate::report::{Measurement, Output, Status};
use crate::values::{Arch, OsFamily};
use crate::values::{ByteSize, OneOrMany, human_bytes};
use crate::version::Version;

/// Minimum OS versions, per OS.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OsVersions {
    /// NT form, e.g. `"10.0.19041"` (Windows 10 2004).
    pub windows: Option<Version>,
    /// e.g. `"12.0"`.
    pub macos: Option<Version>,
    /// The distribution's version (`os_version` fact), e.g. `"22.04"`.
    pub linux: Option<Version>,
}

/// Keys of a `requirements` step.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct RequirementsStep {
    /// The product these are the minimums of, for messages.
    pub product: Option<String>,
    /// Supported operating systems (default: any).
    #[serde(default)]
    pub os: OneOrMany<OsFamily>,
    /// Minimum OS version per OS: `{ windows = "10.0.19041", macos = "12.0" }`.
    #[serde(default)]
    pub min_os_version: OsVersions,
    /// Supported CPU architectures (default: any).
    #[serde(default)]
    pub arch: OneOrMany<Arch>,
    /// Installed memory at least this.
    pub min_memory: Option<ByteSize>,
    /// Logical CPU cores at least this.
    pub min_cpus: Option<usize>,
    /// CPU frequency at least this many MHz.
    pub min_cpu_mhz: Option<u64>,
    /// Free space on `disk_path` at least this.
    pub min_free_disk: Option<ByteSize>,
    /// Total size of the disk holding `disk_path` at least this.
    pub min_disk_size: Option<ByteSize>,
    /// The disk the two disk minimums apply to (default: the system drive).
    pub disk_path: Option<String>,
    /// Windows: a TPM of at least this version, e.g. `"2.0"`.
    pub tpm: Option<Version>,
    /// Windows: Secure Boot on.
    #[serde(default)]
    pub secure_boot: bool,
}

/// The machine's figures (`Err` = could not be read, with why).
#[derive(Clone, Debug)]
pub struct Machine {
    pub os: String,
    pub os_version: String,
    pub arch: String,
    pub memory: u64,
    pub cpus: usize,
    pub cpu_mhz: u64,
    pub disk: Result<(u64, u64), String>,
    /// `Ok(None)`: no TPM.
    pub tpm: Result<Option<String>, String>,
    pub secure_boot: Result<bool, String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Met,
    NotMet,
    Undetermined,
    NotApplicable,
}

/// One requirement's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub what: &'static str,
    pub required: String,
    pub found: String,
    pub verdict: Verdict,
}

fn line(what: &'static str, required: String, found: String, verdict: Verdict) -> Line {
    Line {
        what,
        required,
        found,
        verdict,
    }
}

fn at_least(what: &'static str, required: u64, found: u64, show: fn(u64) -> String) -> Line {
    if found == 0 {
        return line(
            what,
            format!(">= {}", show(required)),
            "could not be read".into(),
            Verdict::Undetermined,
        );
    }
    let verdict = if found >= required {
        Verdict::Met
    } else {
        Verdict::NotMet
    };
    line(what, format!(">= {}", show(required)), show(found), verdict)
}

/// Judges every requirement against the machine: one line each.
pub fn judge(r: &RequirementsStep, m: &Machine) -> Vec<Line> {
    let mut lines = Vec::new();
    if !r.os.is_empty() {
        let names: Vec<&str> =
            r.os.iter()
                .map(|o| match o {
                    OsFamily::Windows => "windows",
                    OsFamily::Macos => "macos",
                    OsFamily::Linux => "linux",
                    OsFamily::Unix => "unix",
                })
                .collect();
        let ok = r.os.iter().any(|o| o.matches(&m.os));
        lines.push(line(
            "operating system",
            names.join(" or "),
            m.os.clone(),
            if ok { Verdict::Met } else { Verdict::NotMet },
        ));
    }
    let min = match m.os.as_str() {
        "windows" => r.min_os_version.windows.as_ref(),
        "macos" => r.min_os_version.macos.as_ref(),
        "linux" => r.min_os_version.linux.as_ref(),
        _ => None,
    };
    if let Some(min) = min {
        let found = Version::parse(&m.os_version);
        let verdict = if !found.has_digits() {
            Verdict::Undetermined
        } else if found >= *min {
            Verdict::Met
        } else {
            Verdict::NotMet
        };
        lines.push(line(
            "OS version",
            format!(">= {min} ({})", m.os),
            m.os_version.clone(),
            verdict,
        ));
    }
    if !r.arch.is_empty() {
        let names: Vec<&str> = r.arch.iter().map(|a| a.as_str()).collect();
        let ok = names.contains(&m.arch.as_str());
        lines.push(line(
            "architecture",
            names.join(" or "),
            m.arch.clone(),
            if ok { Verdict::Met } else { Verdict::NotMet },
        ));
    }
    if let Some(min) = r.min_memory {
        // The OS reports usable memory: firmware and graphics keep a little of
        // what is installed (an 8 GB laptop shows about 7.8 GiB), so 5% short
        // still meets the requirement.
        let mut l = at_least("memory", min.0 - min.0 / 20, m.memory, human_bytes);
        l.required = format!(">= {}", human_bytes(min.0));
        lines.push(l);
    }
    if let Some(min) = r.min_cpus {
        lines.push(at_least(
            "logical CPU cores",
            min as u64,
            m.cpus as u64,
            |n| n.to_string(),
        ));
    }
    if let Some(min) = r.min_cpu_mhz {
        lines.push(at_least("CPU frequency", min, m.cpu_mhz, |n| {
            format!("{n} MHz")
        }));
    }
    for (what, min, pick) in [
        ("free disk space", r.min_free_disk, 0usize),
        ("disk size", r.min_disk_size, 1usize),
    ] {
        let Some(min) = min else { continue };
        lines.push(match &m.disk {
            Ok(figures) => at_least(
                what,
                min.0,
                if pick == 0 { figures.0 } else { figures.1 }.max(1),
                human_bytes,
            ),
            Err(why) => line(
                what,
                format!(">= {}", human_bytes(min.0)),
                format!("could not be read: {why}"),
                Verdict::Undetermined,
            ),
        });
    }
    let windows_only = |what: &'static str, required: String| {
        line(
            what,
            required,
            "not applicable: Windows only".into(),
            Verdict::NotApplicable,
        )
    };
    if let Some(min) = &r.tpm {
        lines.push(if m.os != "windows" {
            windows_only("TPM", format!(">= {min}"))
        } else {
            match &m.tpm {
                Ok(Some(v)) => {
                    let ok = Version::parse(v) >= *min;
                    line(
                        "TPM",
                        format!(">= {min}"),
                        v.clone(),
                        if ok { Verdict::Met } else { Verdict::NotMet },
                    )
                }
                Ok(None) => line("TPM", format!(">= {min}"), "none".into(), Verdict::NotMet),
                Err(why) => line(
                    "TPM",
                    format!(">= {min}"),
                    format!("could not be read: {why}"),
                    Verdict::Undetermined,
                ),
            }
        });
    }
    if r.secure_boot {
        lines.push(if m.os != "windows" {
            windows_only("Secure Boot", "on".into())
        } else {
            match &m.secure_boot {
                Ok(on) => line(
                    "Secure Boot",
                    "on".into(),
                    if *on { "on" } else { "off" }.into(),
                    if *on { Verdict::Met } else { Verdict::NotMet },
                ),
                Err(why) => line(
                    "Secure Boot",
                    "on".into(),
                    format!("could not be read: {why}"),
                    Verdict::Undetermined,
                ),
            }
        });
    }
    lines
}

/// Runs a PowerShell expression (Windows); its trimmed output.
fn powershell(expr: &str, deadline: Instant, cancel: &Cancel) -> Result<String, String> {
    let spec = ProcessSpec {
        argv: vec![
            "powershell.exe".into(),
            "-NoProfile".into(),
            "-NonInteractive".into(),
            "-Command".into(),
            expr.into(),
        ],
        max_output: 64 * 1024,
        ..Default::default()
    };
    let r = process::run(&spec, deadline, cancel);
    match r.ending {
        Ending::Exited(0) => Ok(r.stdout.trim().to_string()),
        Ending::Exited(_) => Err(r
            .stderr
            .lines()
            .next()
            .unwrap_or("PowerShell failed")
            .trim()
            .to_string()),
        Ending::TimedOut => Err("PowerShell timed out".into()),
        Ending::Interrupted => Err("interrupted".into()),
        Ending::SpawnFailed(e) => Err(e),
    }
}

/// `2.0, 0, 1.59` (Win32_Tpm.SpecVersion) → `2.0`.
pub fn tpm_version(spec_version: &str) -> Option<String> {
    spec_version
        .split(',')
        .next()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

impl Machine {
    /// Reads this machine (TPM and Secure Boot only when asked, on Windows).
    fn read(r: &RequirementsStep, ctx: &StepContext) -> Machine {
        let f = ctx.facts;
        let path = r
            .disk_path
            .clone()
            .unwrap_or_else(|| f.system_drive.clone());
        let disk = RealDisks
            .for_path(Path::new(&path))
            .map(|s| (s.free, s.total))
            .map_err(|e| format!("{path}: {e}"));
        let windows = cfg!(windows);
        let tpm = if windows && r.tpm.is_some() {
            powershell(
                "(Get-CimInstance -Namespace root/cimv2/Security/MicrosoftTpm -ClassName Win32_Tpm -ErrorAction Stop).SpecVersion",
                ctx.deadline,
                ctx.cancel,
            )
            .map(|out| tpm_version(&out))
            .map_err(|e| format!("{e} (reading the TPM needs an administrator)"))
        } else {
            Err("not read".into())
        };
        let secure_boot = if windows && r.secure_boot {
            match powershell("Confirm-SecureBootUEFI", ctx.deadline, ctx.cancel) {
                Ok(out) if out.eq_ignore_ascii_case("true") => Ok(true),
                Ok(out) if out.eq_ignore_ascii_case("false") => Ok(false),
                // Legacy BIOS: no UEFI, so no Secure Boot.
                Err(e) if e.contains("not supported on this platform") => Ok(false),
                Ok(out) => Err(format!("unexpected answer `{out}`")),
                Err(e) => Err(format!("{e} (needs an administrator)")),
            }
        } else {
            Err("not read".into())
        };
        Machine {
            os: f.os.clone(),
            os_version: f.os_version.clone(),
            arch: f.arch.clone(),
            memory: f.memory_total_bytes,
            cpus: f.cpus,
            cpu_mhz: f.cpu_mhz,
            disk,
            tpm,
            secure_boot,
        }
    }
}

/// The step's outcome from its lines.
pub fn verdict(product: &str, lines: &[Line]) -> Evaluation {
    let not_met: Vec<String> = lines
        .iter()
        .filter(|l| l.verdict == Verdict::NotMet)
        .map(|l| format!("{} {} (needs {})", l.what, l.found, l.required))
        .collect();
    let unknown: Vec<String> = lines
        .iter()
        .filter(|l| l.verdict == Verdict::Undetermined)
        .map(|l| l.what.to_string())
        .collect();
    let (status, reason, message) = if !not_met.is_empty() {
        (
            Status::Fail,
            Some("not_met"),
            format!("not capable of running {product}: {}", not_met.join("; ")),
        )
    } else if !unknown.is_empty() {
        (
            Status::Error,
            Some("undetermined"),
            format!(
                "undetermined for {product}: could not read {}",
                unknown.join(", ")
            ),
        )
    } else {
        let met = lines.iter().filter(|l| l.verdict == Verdict::Met).count();
        let what = if met == 0 {
            "nothing to check on this OS".to_string()
        } else {
            format!("{met} requirement(s) met")
        };
        (
            Status::Pass,
            None,
            format!("capable of running {product}: {what}"),
        )
    };
    let mut e = Evaluation::new(status, message);
    e.reason = reason;
    let width = lines.iter().map(|l| l.what.len()).max().unwrap_or(0);
    let mut table = String::new();
    for l in lines {
        let mark = match l.verdict {
            Verdict::Met => "ok",
            Verdict::NotMet => "NOT MET",
            Verdict::Undetermined => "UNDETERMINED",
            Verdict::NotApplicable => "n/a",
        };
        table.push_str(&format!(
            "{:width$}  required {}, found {}: {mark}\n",
            l.what, l.required, l.found
        ));
    }
    e.output = Some(Output {
        stdout: table,
        stderr: String::new(),
        truncated: false,
    });
    e.show_output = true;
    for l in lines {
        // 1 met, 0 not met; nothing for undetermined or not applicable.
        if matches!(l.verdict, Verdict::Met | Verdict::NotMet) {
            e.measurements.push(Measurement::new(
                &l.what.replace(' ', "_"),
                match l.verdict {
                    Verdict::Met => 1.0,
                    _ => 0.0,
                },
                "",
            ));
        }
    }
    e
}

impl super::Reasons for RequirementsStep {
    const REASONS: &'static [(&'static str, &'static str)] = &[
        (
            "not_met",
            "at least one requirement is not met (see the table)",
        ),
        ("undetermined", "none failed, but some could not be read"),
    ];
}

impl Check for RequirementsStep {
    fn evaluate(&self, ctx: &StepContext) -> Evaluation {
        let machine = Machine::read(self, ctx);
        let product = self.product.clone().unwrap_or_else(|| "the product".into());
        verdict(&product, &judge(self, &machine))
    }

    fn describe(&self) -> String {
        format!(
            "checks this machine against the minimums of {}",
            self.product.as_deref().unwrap_or("a product")
        )
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn validate(&self, _facts: &Facts) -> Vec<FieldProblem> {
        let asks = !self.os.is_empty()
            || self.min_os_version.windows.is_some()
            || self.min_os_version.macos.is_some()
            || self.min_os_version.linux.is_some()
            || !self.arch.is_empty()
            || self.min_memory.is_some()
            || self.min_cpus.is_some()
            || self.min_cpu_mhz.is_some()
            || self.min_free_disk.is_some()
            || self.min_disk_size.is_some()
            || self.tpm.is_some()
            || self.secure_boot;
        if asks {
            Vec::new()
        } else {
            vec![FieldProblem {
                key: "product",
                message: "a requirements step needs at least one requirement".into(),
                hint: Some("e.g. min_memory = \"4 GiB\" or os = [\"windows\", \"macos\"]".into()),
            }]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> Machine {
        Machine {
            os: "windows".into(),
            os_version: "10.0.19045".into(),
            arch: "x86_64".into(),
            memory: 8 << 30,
            cpus: 4,
            cpu_mhz: 2400,
            disk: Ok((50 << 30, 256 << 30)),
            tpm: Ok(Some("2.0".into())),
            secure_boot: Ok(true),
        }
    }

    fn reqs(toml: &str) -> RequirementsStep {
        toml::from_str(toml).unwrap()
    }

    const TEAMS: &str = r#"
        product = "Teams"
        os = ["windows", "macos"]
        min_os_version = { windows = "10.0.19041", macos = "12.0" }
        arch = ["x86_64", "aarch64"]
        min_memory = "4 GiB"
        min_cpus = 2
        min_cpu_mhz = 1600
        min_free_disk = "3 GiB"
        min_disk_size = "64 GiB"
        tpm = "2.0"
        secure_boot = true
    "#;

    #[test]
    fn capable_machine_passes_every_line() {
        let lines = judge(&reqs(TEAMS), &machine());
        assert_eq!(lines.len(), 10);
        assert!(
            lines.iter().all(|l| l.verdict == Verdict::Met),
            "{lines:#?}"
        );
        assert_eq!(verdict("Teams", &lines).status, Status::Pass);
    }

    #[test]
    fn each_shortfall_is_named() {
        let m = Machine {
            os_version: "10.0.17763".into(),
            memory: 2 << 30,
            cpus: 1,
            disk: Ok((1 << 30, 32 << 30)),
            tpm: Ok(Some("1.2".into())),
            secure_boot: Ok(false),
            ..machine()
        };
        let lines = judge(&reqs(TEAMS), &m);
        let not_met: Vec<&str> = lines
            .iter()
            .filter(|l| l.verdict == Verdict::NotMet)
            .map(|l| l.what)
            .collect();
        assert_eq!(
            not_met,
            [
                "OS version",
                "memory",
                "logical CPU cores",
                "free disk space",
                "disk size",
                "TPM",
                "Secure Boot"
            ]
        );
        let e = verdict("Teams", &lines);
        assert_eq!(e.status, Status::Fail);
        assert!(
            e.message.contains("memory 2.0 GiB (needs >= 4.0 GiB)"),
            "{}",
            e.message
        );
    }

    #[test]
    fn unreadable_values_are_undetermined_never_a_pass() {
        let m = Machine {
            cpu_mhz: 0,
            tpm: Err("access denied".into()),
            ..machine()
        };
        let e = verdict("Teams", &judge(&reqs(TEAMS), &m));
        assert_eq!(e.status, Status::Error);
        assert!(
            e.message.contains("could not read CPU frequency, TPM"),
            "{}",
            e.message
        );
        // A real shortfall outranks an unknown.
        let m = Machine {
            memory: 1 << 30,
            ..m
        };
        assert_eq!(
            verdict("Teams", &judge(&reqs(TEAMS), &m)).status,
            Status::Fail
        );
    }

    #[test]
    fn windows_only_checks_are_not_applicable_elsewhere() {
        let m = Machine {
            os: "macos".into(),
            os_version: "14.4.1".into(),
            arch: "aarch64".into(),
            tpm: Err("not read".into()),
            secure_boot: Err("not read".into()),
            ..machine()
        };
        let lines = judge(&reqs(TEAMS), &m);
        let na: Vec<&str> = lines
            .iter()
            .filter(|l| l.verdict == Verdict::NotApplicable)
            .map(|l| l.what)
            .collect();
        assert_eq!(na, ["TPM", "Secure Boot"]);
        assert_eq!(verdict("Teams", &lines).status, Status::Pass);
        // Linux is not a supported OS here.
        let m = Machine {
            os: "linux".into(),
            ..m
        };
        assert_eq!(
            verdict("Teams", &judge(&reqs(TEAMS), &m)).status,
            Status::Fail
        );
    }

    #[test]
    fn usable_memory_a_little_under_the_installed_size_meets_it() {
        let r = reqs("min_memory = \"8 GiB\"");
        let m = Machine {
            memory: 7_800 << 20,
            ..machine()
        };
        assert_eq!(judge(&r, &m)[0].verdict, Verdict::Met);
        let m = Machine {
            memory: 7 << 30,
            ..machine()
        };
        assert_eq!(judge(&r, &m)[0].verdict, Verdict::NotMet);
        // Only Windows-only checks on macOS: capable, and it says why.
        let only = reqs("tpm = \"2.0\"\nsecure_boot = true");
        let mac = Machine {
            os: "macos".into(),
            ..machine()
        };
        let e = verdict("BitLocker", &judge(&only, &mac));
        assert!(
            e.message.ends_with("nothing to check on this OS"),
            "{}",
            e.message
        );
        assert!(e.measurements.is_empty());
    }

    #[test]
    fn tpm_spec_version() {
        assert_eq!(tpm_version("2.0, 0, 1.59"), Some("2.0".into()));
        assert_eq!(tpm_version(""), None);
    }
}
