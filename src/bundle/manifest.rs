//! `manifest.json`: what is in a bundle, where each entry came from, what
//! was cut, skipped or redacted. Written last, inside the archive.
//!
//! Hashes are of the bytes stored (after redaction), so a reader can check
//! an entry; no hash or copy of a redacted secret is kept anywhere.

use std::collections::BTreeMap;

use serde::Serialize;

/// Bumped on incompatible changes to the manifest's shape.
pub const MANIFEST_VERSION: u32 = 1;

#[derive(Debug, Default, Serialize)]
pub struct Manifest {
    pub manifest_version: u32,
    pub tool: String,
    pub tool_version: String,
    pub created_at: String,
    pub host: String,
    /// The archive's file name.
    pub archive: String,
    pub redaction: RedactionInfo,
    pub limits: Limits,
    pub totals: Totals,
    pub entries: Vec<ManifestEntry>,
}

#[derive(Debug, Default, Serialize)]
pub struct RedactionInfo {
    pub builtin: bool,
    pub optional: Vec<&'static str>,
    /// Values replaced, per rule, across the bundle.
    pub counts: BTreeMap<&'static str, u64>,
    /// Where the pseudonym mapping was written (beside the archive), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapping_file: Option<String>,
    /// Replacements made with hashed placeholders (past the first 50,000
    /// distinct values of a kind; consistent, not in the mapping).
    pub hashed_pseudonyms: u64,
}

#[derive(Debug, Default, Serialize)]
pub struct Limits {
    pub max_total: u64,
    pub max_files: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct Totals {
    pub entries: usize,
    pub bytes: u64,
    pub left_out: usize,
    /// Files older than a set's `since` (not listed one by one).
    pub older_than_since: u64,
    /// Files and folders matching `exclude` (not listed one by one).
    pub excluded: u64,
    /// Files left out because `max_files` newer ones were found (not listed).
    pub over_max_files: u64,
    /// Left-out files past the first 1,000 listed (not listed).
    pub left_out_unlisted: u64,
}

/// One source: stored (with `name`) or left out (with `skipped`).
#[derive(Debug, Default, Serialize)]
pub struct ManifestEntry {
    /// `file`, `command` or `generated`.
    pub kind: &'static str,
    /// The path inside the zip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The file path or command line it came from.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// Bytes stored (after redaction).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Why only part was stored (`max_size`, `max_total`, `max_output`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated: Option<String>,
    /// Why nothing was stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Text converted to UTF-8 from this encoding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converted_from: Option<&'static str>,
    /// `false` for binary files stored as they are.
    pub redacted: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub redactions: BTreeMap<&'static str, u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// For commands: `exited`, `timed out`, `could not start: ...`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ending: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
}
