//! Values that must never be printed: variables marked `secret` in a
//! playbook's `[vars]` (or named like a secret: `password`, `token`, ...),
//! including the `--var` values given for them.
//!
//! The loader registers them once per process; every redaction pass (bundle
//! files, reports, `show`, error messages) replaces them with
//! `[REDACTED:secret-var]`, wherever they appear. A foundation module: it
//! imports nothing of the crate.

use std::borrow::Cow;
use std::sync::RwLock;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// What a secret value is replaced with.
pub const MARK: &str = "[REDACTED:secret-var]";

/// Values shorter than this are not scrubbed from text (a one-letter
/// "secret" would blank every occurrence of that letter); they are still
/// never shown where the variable itself is printed.
const MIN_LEN: usize = 3;

/// Remembers a value as secret for the rest of the process.
pub fn register(value: &str) {
    if value.len() < MIN_LEN {
        return;
    }
    let mut all = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    if !all.iter().any(|v| v == value) {
        all.push(value.to_string());
        // Longest first, so a secret containing another is replaced whole.
        all.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }
}

/// Whether any secret is registered (a quick test before scanning).
pub fn any() -> bool {
    !SECRETS.read().unwrap_or_else(|e| e.into_inner()).is_empty()
}

/// `text` with every registered secret value replaced by [`MARK`].
pub fn scrub(text: &str) -> Cow<'_, str> {
    let all = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    if !all.iter().any(|s| text.contains(s.as_str())) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for s in all.iter() {
        out = out.replace(s.as_str(), MARK);
    }
    Cow::Owned(out)
}

/// [`scrub`] on bytes; returns how many values were replaced.
pub fn scrub_bytes(bytes: &mut Vec<u8>, from: usize) -> u64 {
    let all = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    let mut n = 0;
    for s in all.iter() {
        let needle = s.as_bytes();
        let hay = &bytes[from..];
        if !hay.windows(needle.len()).any(|w| w == needle) {
            continue;
        }
        let mut out = Vec::with_capacity(hay.len());
        let mut i = 0;
        while i < hay.len() {
            if hay[i..].starts_with(needle) {
                out.extend_from_slice(MARK.as_bytes());
                i += needle.len();
                n += 1;
            } else {
                out.push(hay[i]);
                i += 1;
            }
        }
        bytes.truncate(from);
        bytes.extend_from_slice(&out);
    }
    n
}

/// Whether a variable's name says it holds a secret.
pub fn name_is_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "credential",
        "passphrase",
        "private_key",
        "psk",
    ]
    .iter()
    .any(|w| n.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_values_are_scrubbed() {
        register("hunter2-xyz");
        assert_eq!(scrub("pw hunter2-xyz!"), format!("pw {MARK}!"));
        let mut b = b"ab hunter2-xyz".to_vec();
        assert_eq!(scrub_bytes(&mut b, 2), 1);
        assert_eq!(b, format!("ab {MARK}").into_bytes());
        assert!(name_is_secret("db_PASSWORD") && !name_is_secret("ticket"));
    }
}
