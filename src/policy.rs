//! The machine policy: which playbooks this machine runs, from one file
//! that root (Administrators) owns:
//!
//! - Linux and other Unix: `/etc/supportctl/policy.toml`
//! - macOS: `/Library/Application Support/supportctl/policy.toml`
//! - Windows: `%ProgramData%\supportctl\policy.toml`
//!
//! A policy file that another user owns or can write (or a folder above
//! it) is refused, and so is a malformed one: supportctl then runs nothing
//! (it fails closed). Without a file, nothing is required.
//! `SUPPORTCTL_POLICY` may name another file only where the machine has no
//! policy file of its own, and that file must pass the same ownership
//! check (for tests and staging; it can never loosen a machine's policy).

use std::path::{Path, PathBuf};

use minisign::PublicKey;
use serde::{Deserialize, Serialize};

use crate::values::Dur;

/// When playbooks must be signed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Require {
    Always,
    /// When running as root, Administrators or SYSTEM: the pushed-fix case.
    Elevated,
    #[default]
    Never,
}

/// Whether `shell = true` may be used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shell {
    #[default]
    Allowed,
    Refused,
    /// Only in signed playbooks.
    Signed,
}

impl<'de> Deserialize<'de> for Shell {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Bool(true) => Ok(Shell::Allowed),
            Raw::Bool(false) => Ok(Shell::Refused),
            Raw::Text(t) if t == "signed" => Ok(Shell::Signed),
            Raw::Text(t) => Err(serde::de::Error::custom(format!(
                "allow_shell must be true, false or \"signed\", not \"{t}\""
            ))),
        }
    }
}

/// `policy.toml`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Public keys (minisign base64, `RWQ…`) whose signatures are trusted.
    #[serde(default)]
    pub trusted_keys: Vec<String>,
    #[serde(default)]
    pub require_signature: Require,
    #[serde(default)]
    pub allow_shell: Shell,
    /// Step kinds that may run (every kind when absent).
    pub allowed_kinds: Option<Vec<String>>,
    /// Folders playbook files may come from when running elevated.
    pub allowed_paths: Option<Vec<PathBuf>>,
    /// Signatures older than this are refused (revocation by expiry).
    pub max_age: Option<Dur>,
}

/// The policy in force and where it came from.
#[derive(Clone, Debug)]
pub struct InForce {
    pub policy: Policy,
    /// `None`: no policy file (nothing required).
    pub source: Option<PathBuf>,
    pub keys: Vec<PublicKey>,
}

/// Why the policy could not be read: the run stops.
#[derive(Debug)]
pub struct PolicyError {
    pub file: String,
    /// 1-based line and column, when the error is inside the file.
    pub at: Option<(usize, usize)>,
    pub message: String,
    pub hint: String,
}

/// This OS's policy file.
pub fn default_path() -> PathBuf {
    if cfg!(windows) {
        let base = std::env::var_os("ProgramData").unwrap_or_else(|| r"C:\ProgramData".into());
        PathBuf::from(base).join("supportctl").join("policy.toml")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/supportctl/policy.toml")
    } else {
        PathBuf::from("/etc/supportctl/policy.toml")
    }
}

/// The policy file to read: the machine's, or `SUPPORTCTL_POLICY` when the
/// machine has none.
pub fn path() -> PathBuf {
    let machine = default_path();
    if std::fs::symlink_metadata(&machine).is_err()
        && let Some(other) = std::env::var_os("SUPPORTCTL_POLICY").filter(|v| !v.is_empty())
    {
        return PathBuf::from(other);
    }
    machine
}

/// Reads the policy in force.
pub fn load() -> Result<InForce, PolicyError> {
    load_from(&path())
}

/// Reads a policy file (a missing file means no policy).
pub fn load_from(path: &Path) -> Result<InForce, PolicyError> {
    let file = path.display().to_string();
    let error = |message: String, hint: &str| PolicyError {
        file: file.clone(),
        at: None,
        message,
        hint: hint.into(),
    };
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(InForce {
                policy: Policy::default(),
                source: None,
                keys: Vec::new(),
            });
        }
        Err(e) => {
            return Err(error(
                format!("cannot read the policy: {e}"),
                "check its permissions",
            ));
        }
    };
    if !meta.is_file() {
        return Err(error(
            "the policy is not a regular file (a link, folder or device)".into(),
            "make it a plain file owned by root (Administrators)",
        ));
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    if let Some(why) = crate::privilege::untrusted_reason(&absolute) {
        return Err(error(
            format!("policy refused: {why}"),
            "the policy must be owned by root (Administrators) and writable by no one else, nor any folder above it",
        ));
    }
    if meta.len() > 1 << 20 {
        return Err(error(
            "the policy is larger than 1 MiB".into(),
            "keep it short",
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| error(format!("cannot read the policy: {e}"), "save it as UTF-8"))?;
    let policy: Policy = toml::from_str(&text).map_err(|e| {
        let at = e.span().map(|s| {
            let before = &text[..s.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            (line, col)
        });
        PolicyError {
            file: file.clone(),
            at,
            message: format!("invalid policy: {}", e.message().trim_end()),
            hint: "keys: trusted_keys, require_signature, allow_shell, allowed_kinds, allowed_paths, max_age".into(),
        }
    })?;
    let keys = policy
        .trusted_keys
        .iter()
        .map(|k| {
            crate::signing::parse_public_key(k).map_err(|e| {
                error(
                    format!("trusted key `{k}`: {e}"),
                    "paste the second line of a minisign .pub file",
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(InForce {
        policy,
        source: Some(absolute),
        keys,
    })
}
