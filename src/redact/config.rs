//! `[step.redact]` and `supportctl redact` flags: which rule families run.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::values::Pattern;

fn yes() -> bool {
    true
}

/// `[step.redact]`: which rules run. The built-in secret rules are on unless
/// `builtin = false`; everything else is opt-in.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedactConfig {
    /// The built-in secret rules (passwords, tokens, keys, credentials in URLs...). Default true.
    #[serde(default = "yes")]
    pub builtin: bool,
    /// Pseudonymise e-mail addresses.
    #[serde(default)]
    pub emails: bool,
    /// Pseudonymise IPv4 and IPv6 addresses (loopback and unspecified ones are kept).
    #[serde(default)]
    pub ip: bool,
    /// Pseudonymise MAC addresses.
    #[serde(default)]
    pub mac: bool,
    /// Pseudonymise this machine's host name (and `extra_hostnames`).
    #[serde(default)]
    pub hostnames: bool,
    /// Pseudonymise the current user's name, names in home-folder paths (and `extra_usernames`).
    #[serde(default)]
    pub usernames: bool,
    /// More host names to pseudonymise (implies `hostnames`).
    #[serde(default)]
    pub extra_hostnames: Vec<String>,
    /// More user names to pseudonymise (implies `usernames`).
    #[serde(default)]
    pub extra_usernames: Vec<String>,
    /// Words removed wherever they appear (case-insensitive), e.g. a project code name.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Regular expressions whose matches are removed.
    #[serde(default)]
    pub patterns: Vec<Pattern>,
}

impl Default for RedactConfig {
    fn default() -> Self {
        RedactConfig {
            builtin: true,
            emails: false,
            ip: false,
            mac: false,
            hostnames: false,
            usernames: false,
            extra_hostnames: Vec::new(),
            extra_usernames: Vec::new(),
            keywords: Vec::new(),
            patterns: Vec::new(),
        }
    }
}

impl RedactConfig {
    /// The names of the optional rules switched on (for the manifest).
    pub fn optional_rules(&self) -> Vec<&'static str> {
        let mut on = Vec::new();
        for (flag, name) in [
            (self.emails, "emails"),
            (self.ip, "ip"),
            (self.mac, "mac"),
            (
                self.hostnames || !self.extra_hostnames.is_empty(),
                "hostnames",
            ),
            (
                self.usernames || !self.extra_usernames.is_empty(),
                "usernames",
            ),
            (!self.keywords.is_empty(), "keywords"),
            (!self.patterns.is_empty(), "patterns"),
        ] {
            if flag {
                on.push(name);
            }
        }
        on
    }
}
