//! The platforms a playbook can name: OS families (`when.os`, per-OS file
//! sets) and CPU architectures (`when.arch`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Operating system families for `when.os`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OsFamily {
    Windows,
    Macos,
    Linux,
    /// macOS, Linux and the BSDs.
    Unix,
}

impl OsFamily {
    /// Whether a running OS (`std::env::consts::OS` naming) belongs to this family.
    pub fn matches(self, os: &str) -> bool {
        match self {
            OsFamily::Windows => os == "windows",
            OsFamily::Macos => os == "macos",
            OsFamily::Linux => os == "linux",
            OsFamily::Unix => os != "windows",
        }
    }
}

/// CPU architectures for `when.arch` (named as Rust's `std::env::consts::ARCH`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    #[serde(alias = "amd64", alias = "x64")]
    X86_64,
    #[serde(alias = "arm64")]
    Aarch64,
    #[serde(alias = "i386", alias = "i686")]
    X86,
    Arm,
}

impl Arch {
    /// The name Rust uses for this architecture.
    pub fn as_str(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
            Arch::X86 => "x86",
            Arch::Arm => "arm",
        }
    }
}
