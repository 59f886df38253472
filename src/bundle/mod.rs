//! Log bundles for tickets: collect files and command outputs, cap them,
//! redact them, and write one zip atomically with bounded memory.
//!
//! Order of work ([`evaluate`]): refuse an existing target (unless
//! `overwrite`); run the commands (their output counts against `max_total`
//! first); choose the files newest first into what is left ([`select`]);
//! stream each through the redactor into the zip ([`archive`]); add
//! `facts.json`, `report.json`, `report.md` (the run so far) and finally
//! `manifest.json`; rename the finished zip into place and write
//! `<name>.zip.sha256` and, when values were pseudonymised,
//! `<name>.pseudonyms.json` (owner-only) beside it.
//!
//! Memory stays bounded: files are read line by line (lines cut at 1 MiB),
//! command output is capped (`max_output`), entries are deflated as they
//! stream. Layout inside the zip: `files/<source path without its root>`,
//! `commands/<name>`, and the generated files at the top.

pub mod archive;
pub mod manifest;
pub mod redact;
pub mod select;
pub mod source;

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use crate::playbook::values::{human_bytes, human_duration};
use crate::process::{self, Ending, ProcessSpec};
use crate::report::{Measurement, Output, Status};
use crate::steps::bundle::{BundleStep, DEFAULT_COMMAND_OUTPUT, DEFAULT_COMMAND_TIMEOUT};
use crate::steps::{Evaluation, StepContext};
use archive::PendingZip;
use manifest::{Manifest, ManifestEntry};
use redact::{Counts, Redactor};
use select::Selection;
use source::Encoding;

/// A host name or similar made safe for a file name.
pub fn safe_file_part(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() { "host".into() } else { s }
}

/// A plain file name: no folders, no `..`, nothing a zip tool could misread.
pub fn is_safe_entry_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// The path inside the zip for a source path: relative, `/`-separated,
/// no `..`: `/var/log/syslog` → `files/var/log/syslog`,
/// `C:\ProgramData\App\x.log` → `files/C/ProgramData/App/x.log`,
/// `\\srv\share\x.log` → `files/unc/srv/share/x.log`.
pub fn zip_name(source: &str) -> String {
    let text = source.replace('\\', "/");
    let text = text.strip_prefix("//?/").unwrap_or(&text);
    let (unc, text) = match text.strip_prefix("//") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut parts: Vec<String> = vec!["files".into()];
    if unc {
        parts.push("unc".into());
    }
    for part in text.split('/') {
        let part = part.trim_end_matches(':');
        if part.is_empty() || part == "." || part == ".." {
            continue;
        }
        parts.push(part.chars().filter(|c| !c.is_control()).collect());
    }
    parts.join("/")
}

/// RFC 3339 time of a file's modification.
fn rfc3339(t: SystemTime) -> Option<String> {
    jiff::Timestamp::try_from(t).ok().map(|ts| ts.to_string())
}

/// Everything needed while writing one bundle.
struct Writer<'a> {
    zip: PendingZip,
    redactor: Redactor,
    manifest: Manifest,
    names: BTreeSet<String>,
    ctx: &'a StepContext<'a>,
    /// Files read or commands that failed, for the message.
    problems: Vec<String>,
}

impl Writer<'_> {
    /// A unique name inside the zip.
    fn unique(&mut self, name: String) -> String {
        let mut candidate = name.clone();
        let mut n = 2;
        while !self.names.insert(candidate.to_ascii_lowercase()) {
            candidate = format!("{name}~{n}");
            n += 1;
        }
        candidate
    }

    /// Stores one stream, redacted (or as is when `redact` is false).
    fn store(
        &mut self,
        name: &str,
        modified: Option<SystemTime>,
        size_hint: u64,
        input: &mut dyn io::BufRead,
        redact: bool,
    ) -> io::Result<(u64, String, Counts)> {
        let mut entry = self.zip.entry(name, modified, size_hint)?;
        let counts = if redact {
            self.redactor.stream(input, &mut entry, self.ctx.cancel)?
        } else {
            copy_cancellable(input, &mut entry, self.ctx.cancel)?;
            Counts::new()
        };
        let (size, sha) = entry.finish()?;
        for (rule, n) in &counts {
            *self.manifest.redaction.counts.entry(rule).or_default() += n;
        }
        Ok((size, sha, counts))
    }

    fn add_generated(&mut self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let name = self.unique(name.to_string());
        let (size, sha, counts) =
            self.store(&name, None, bytes.len() as u64, &mut &bytes[..], true)?;
        self.manifest.entries.push(ManifestEntry {
            kind: "generated",
            name: Some(name.clone()),
            source: "supportctl".into(),
            size: Some(size),
            sha256: Some(sha),
            redacted: true,
            redactions: counts,
            ..Default::default()
        });
        Ok(())
    }

    /// Runs one command and stores its output; returns the bytes stored.
    fn add_command(&mut self, cmd: &crate::steps::bundle::BundleCommand) -> io::Result<u64> {
        let shown = self.redactor.text(&cmd.command.display());
        let timeout = cmd.timeout.map_or(DEFAULT_COMMAND_TIMEOUT, |d| d.0);
        let deadline = (Instant::now() + timeout).min(self.ctx.deadline);
        let cap = cmd.max_output.map_or(DEFAULT_COMMAND_OUTPUT, |s| s.0);
        self.ctx
            .progress
            .detail(&format!("bundle: running {shown}"));
        let result = process::run(
            &ProcessSpec {
                argv: cmd.command.argv(),
                shell: cmd.shell,
                max_output: usize::try_from(cap).unwrap_or(usize::MAX),
                ..Default::default()
            },
            deadline,
            self.ctx.cancel,
        );
        if self.ctx.cancel.is_set() {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
        }
        let (ending, exit_code) = match &result.ending {
            Ending::Exited(code) => ("exited".to_string(), Some(*code)),
            Ending::TimedOut => (
                format!("timed out after {}; killed", human_duration(timeout)),
                None,
            ),
            Ending::Interrupted => ("interrupted".to_string(), None),
            Ending::SpawnFailed(why) => (format!("could not start: {why}"), None),
        };
        if exit_code != Some(0) {
            self.problems.push(format!(
                "`{shown}` {}",
                exit_code.map_or(ending.clone(), |c| format!("exited with {c}"))
            ));
        }
        let mut text = result.stdout;
        if !result.stderr.is_empty() {
            text.push_str("\n--- stderr ---\n");
            text.push_str(&result.stderr);
        }
        let name = self.unique(format!("commands/{}", cmd.file_name(&shown)));
        let (size, sha, counts) =
            self.store(&name, None, text.len() as u64, &mut text.as_bytes(), true)?;
        self.manifest.entries.push(ManifestEntry {
            kind: "command",
            name: Some(name),
            source: shown,
            size: Some(size),
            sha256: Some(sha),
            truncated: result.truncated.then(|| "max_output".to_string()),
            redacted: true,
            redactions: counts,
            exit_code,
            ending: Some(ending),
            duration_ms: Some(result.duration.as_millis() as u64),
            ..Default::default()
        });
        Ok(text.len() as u64)
    }

    /// Stores one chosen file; unreadable files are recorded, not fatal.
    fn add_file(&mut self, planned: &select::Planned) -> io::Result<u64> {
        let file = &planned.file;
        let source = self.redactor.text(&file.source.display().to_string());
        let mut entry = ManifestEntry {
            kind: "file",
            source: source.clone(),
            source_size: Some(file.size),
            modified: rfc3339(file.modified),
            ..Default::default()
        };
        let opened = match source::open(&file.source, planned.keep) {
            Ok(o) => o,
            Err(e) => {
                entry.skipped = Some(format!("cannot be read: {e}"));
                self.problems.push(format!("{source}: cannot be read"));
                self.manifest.entries.push(entry);
                return Ok(0);
            }
        };
        if opened.encoding == Encoding::Binary && !file.binary {
            entry.skipped = Some(
                "binary file (add `binary = true` to its files entry to include it as is)".into(),
            );
            self.manifest.entries.push(entry);
            return Ok(0);
        }
        let mut reader = opened.reader;
        let name = self.unique(zip_name(&source));
        let redact = opened.encoding != Encoding::Binary;
        let (size, sha, counts) = match self.store(
            &name,
            Some(file.modified),
            planned.keep,
            &mut reader,
            redact,
        ) {
            Ok(r) => r,
            // A read error mid-file (a vanished network file...): the entry
            // is already in the zip; record it and go on.
            Err(e) if e.kind() != io::ErrorKind::Interrupted && !is_write_error(&e) => {
                entry.name = Some(name);
                entry.skipped = Some(format!("read failed midway: {e}"));
                self.problems.push(format!("{source}: read failed"));
                self.manifest.entries.push(entry);
                return Ok(0);
            }
            Err(e) => return Err(e),
        };
        entry.name = Some(name);
        entry.size = Some(size);
        entry.sha256 = Some(sha);
        entry.truncated = (opened.skipped > 0).then(|| {
            format!(
                "{}: the first {} were left out",
                planned.cut.unwrap_or("max_size"),
                human_bytes(opened.skipped)
            )
        });
        entry.converted_from = opened.encoding.name();
        entry.redacted = redact;
        entry.redactions = counts;
        self.manifest.entries.push(entry);
        Ok(planned.keep)
    }
}

/// Errors that come from writing the archive, not from reading a source.
fn is_write_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded | io::ErrorKind::WriteZero
    ) || e.to_string().contains("zip")
}

fn copy_cancellable(
    input: &mut dyn io::BufRead,
    out: &mut dyn Write,
    cancel: &crate::cancel::Cancel,
) -> io::Result<()> {
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        out.write_all(buf)?;
        let n = buf.len();
        input.consume(n);
        if cancel.is_set() {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
        }
    }
}

/// A clear sentence for an error writing the archive.
fn explain_write_error(e: &io::Error, target: &Path) -> String {
    let dir = target.parent().unwrap_or(Path::new(".")).display();
    match e.kind() {
        io::ErrorKind::PermissionDenied => format!("cannot write in `{dir}`: permission denied"),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            format!(
                "`{dir}` ran out of space while writing the bundle; nothing was left at `{}`",
                target.display()
            )
        }
        io::ErrorKind::AlreadyExists => format!(
            "`{}` appeared while the bundle was written; not replaced",
            target.display()
        ),
        io::ErrorKind::Interrupted => "interrupted; no bundle was written".into(),
        _ => format!("writing `{}` failed: {e}", target.display()),
    }
}

/// The `bundle` step's evaluation.
pub fn evaluate(step: &BundleStep, ctx: &StepContext) -> Evaluation {
    let target = step.output_path(ctx.facts);
    match std::fs::symlink_metadata(&target) {
        Ok(m) if !m.is_file() => {
            return Evaluation::new(
                Status::Error,
                format!(
                    "`{}` exists and is not a regular file; refusing to replace it",
                    target.display()
                ),
            );
        }
        Ok(_) if !step.overwrite => {
            return Evaluation::new(
                Status::Error,
                format!(
                    "`{}` already exists; add `overwrite = true`, or put {{{{ datetime }}}} in `output`",
                    target.display()
                ),
            );
        }
        _ => {}
    }
    let os = std::env::consts::OS;
    let commands: Vec<_> = step.commands.iter().filter(|c| c.applies(os)).collect();
    if ctx.dry_run {
        let sel = select::select(
            &step.files,
            os,
            step.max_total(),
            step.max_files(),
            SystemTime::now(),
            ctx.cancel,
        );
        return dry_run(step, &target, &sel, &commands);
    }
    match write(step, ctx, &target, &commands) {
        Ok(e) => e,
        Err(e) => Evaluation::new(Status::Error, explain_write_error(&e, &target)),
    }
}

fn dry_run(
    step: &BundleStep,
    target: &Path,
    sel: &Selection,
    commands: &[&crate::steps::bundle::BundleCommand],
) -> Evaluation {
    let mut e = Evaluation::new(
        Status::Skipped,
        format!(
            "dry run: would write `{}` with {} file(s) ({}) and {} command output(s); {} left out",
            target.display(),
            sel.planned.len(),
            human_bytes(sel.bytes()),
            commands.len(),
            sel.left_out.len()
        ),
    );
    for c in commands {
        e.actions
            .push(format!("would run: {}", c.command.display()));
    }
    let mut listing = String::new();
    for p in &sel.planned {
        let cut = p.cut.map_or(String::new(), |c| {
            format!(" (newest {} kept: {c})", human_bytes(p.keep))
        });
        listing.push_str(&format!(
            "{}  {}{cut}\n",
            p.file.source.display(),
            human_bytes(p.file.size)
        ));
    }
    for l in &sel.left_out {
        listing.push_str(&format!("left out: {}  ({})\n", l.source, l.reason));
    }
    e.actions.push(format!("would write: {}", target.display()));
    e.measurements
        .push(Measurement::new("files", sel.planned.len() as f64, "count"));
    e.measurements
        .push(Measurement::new("bytes", sel.bytes() as f64, "bytes"));
    e.output = Some(Output {
        stdout: listing,
        stderr: String::new(),
        truncated: false,
    });
    e.show_output = true;
    let _ = step;
    e
}

fn write(
    step: &BundleStep,
    ctx: &StepContext,
    target: &Path,
    commands: &[&crate::steps::bundle::BundleCommand],
) -> io::Result<Evaluation> {
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let redactor = Redactor::new(&step.redact, &ctx.facts.hostname, &ctx.facts.user)
        .map_err(io::Error::other)?;
    let mut w = Writer {
        zip: PendingZip::create(target, step.compression_level.unwrap_or(6))?,
        redactor,
        manifest: Manifest::default(),
        names: BTreeSet::new(),
        ctx,
        problems: Vec::new(),
    };
    let mut used = 0u64;
    for cmd in commands {
        used += w.add_command(cmd)?;
    }
    let budget = step.max_total().saturating_sub(used);
    ctx.progress.detail("bundle: finding files");
    let sel = select::select(
        &step.files,
        std::env::consts::OS,
        budget,
        step.max_files(),
        SystemTime::now(),
        ctx.cancel,
    );
    let total = sel.bytes();
    let bar = ctx.progress.transfer("bundle", total);
    for planned in &sel.planned {
        if ctx.cancel.is_set() {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
        }
        let n = w.add_file(planned)?;
        bar.advance(n);
    }
    drop(bar);
    for l in &sel.left_out {
        let source = w.redactor.text(&l.source);
        w.manifest.entries.push(ManifestEntry {
            kind: "file",
            source,
            skipped: Some(l.reason.clone()),
            ..Default::default()
        });
    }
    // The machine and the run so far.
    let facts = serde_json::to_vec_pretty(ctx.facts).map_err(io::Error::other)?;
    w.add_generated("facts.json", &facts)?;
    if let Some(report) = ctx.report {
        let json = serde_json::to_vec_pretty(report).map_err(io::Error::other)?;
        w.add_generated("report.json", &json)?;
        let mut md = Vec::new();
        crate::render::markdown::render(report, &mut md)?;
        w.add_generated("report.md", &md)?;
    }
    // The manifest, last.
    let stored: Vec<&ManifestEntry> = w
        .manifest
        .entries
        .iter()
        .filter(|e| e.sha256.is_some())
        .collect();
    let stored_count = stored.len();
    let stored_bytes: u64 = stored.iter().filter_map(|e| e.size).sum();
    let left_out = w.manifest.entries.len() - stored_count;
    let mapping = mapping_path(target);
    let host = w.redactor.text(&ctx.facts.hostname);
    let pseudonymised = !w.redactor.pseudonyms.is_empty();
    let m = &mut w.manifest;
    m.manifest_version = manifest::MANIFEST_VERSION;
    m.tool = "supportctl".into();
    m.tool_version = env!("CARGO_PKG_VERSION").into();
    m.created_at = jiff::Timestamp::now().to_string();
    m.host = host;
    m.archive = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    m.redaction.builtin = step.redact.builtin;
    m.redaction.optional = step.redact.optional_rules();
    m.redaction.mapping_file = pseudonymised.then(|| {
        mapping
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    });
    m.limits.max_total = step.max_total();
    m.limits.max_files = step.max_files();
    m.totals.entries = stored_count;
    m.totals.bytes = stored_bytes;
    m.totals.left_out = left_out;
    m.totals.older_than_since = sel.older;
    m.totals.excluded = sel.excluded;
    let manifest_json = serde_json::to_vec_pretty(&w.manifest).map_err(io::Error::other)?;
    let mut manifest_entry = w
        .zip
        .entry("manifest.json", None, manifest_json.len() as u64)?;
    manifest_entry.write_all(&manifest_json)?;
    manifest_entry.finish()?;
    let redactions: u64 = w.manifest.redaction.counts.values().sum();
    let problems = std::mem::take(&mut w.problems);
    let mapping_json = pseudonymised.then(|| w.redactor.pseudonyms.to_json());
    let done = w.zip.finish(target, step.overwrite)?;

    let mut e = Evaluation::new(Status::Pass, String::new());
    e.actions.push(format!("wrote {}", done.path.display()));
    // Beside the archive: its checksum, and the pseudonym mapping (owner-only).
    let sums = PathBuf::from(format!("{}.sha256", done.path.display()));
    let file_name = done
        .path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let mut sidecar_errors = Vec::new();
    match write_private(&sums, format!("{}  {file_name}\n", done.sha256).as_bytes()) {
        Ok(()) => e.actions.push(format!("wrote {}", sums.display())),
        Err(err) => sidecar_errors.push(format!("could not write `{}`: {err}", sums.display())),
    }
    if let Some(json) = mapping_json {
        let text = serde_json::to_vec_pretty(&json).map_err(io::Error::other)?;
        match write_private(&mapping, &text) {
            Ok(()) => e.actions.push(format!(
                "wrote {} (owner-only; keep it out of the ticket)",
                mapping.display()
            )),
            Err(err) => {
                sidecar_errors.push(format!("could not write `{}`: {err}", mapping.display()))
            }
        }
    }
    e.message = format!(
        "wrote `{}` ({}, {} entr{}, {} value{} redacted)",
        done.path.display(),
        human_bytes(done.size),
        stored_count,
        if stored_count == 1 { "y" } else { "ies" },
        redactions,
        if redactions == 1 { "" } else { "s" },
    );
    let failed_commands = w
        .manifest
        .entries
        .iter()
        .filter(|e| e.kind == "command" && e.exit_code != Some(0))
        .count();
    let mut notes = Vec::new();
    if left_out > 0 {
        notes.push(format!("{left_out} file(s) left out"));
    }
    if failed_commands > 0 {
        notes.push(format!("{failed_commands} command(s) failed"));
    }
    if !notes.is_empty() {
        e.message
            .push_str(&format!("; {} (see manifest.json)", notes.join(", ")));
    }
    if !sidecar_errors.is_empty() {
        e.status = Status::Error;
        e.message
            .push_str(&format!("; {}", sidecar_errors.join("; ")));
    }
    if !problems.is_empty() {
        e.output = Some(Output {
            stdout: problems.join("\n") + "\n",
            stderr: String::new(),
            truncated: false,
        });
    }
    e.measurements
        .push(Measurement::new("archive_size", done.size as f64, "bytes"));
    e.measurements
        .push(Measurement::new("entries", stored_count as f64, "count"));
    e.measurements
        .push(Measurement::new("left_out", left_out as f64, "count"));
    e.measurements
        .push(Measurement::new("redactions", redactions as f64, "count"));
    Ok(e)
}

/// `x/support.zip` → `x/support.pseudonyms.json`.
fn mapping_path(target: &Path) -> PathBuf {
    let stem = target.file_stem().unwrap_or_default().to_string_lossy();
    target.with_file_name(format!("{stem}.pseudonyms.json"))
}

/// Writes a small file atomically, owner-only on Unix (a temporary file is
/// created 0600 and renamed into place).
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".supportctl-")
        .suffix(".partial")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_names_are_relative_and_clean() {
        assert_eq!(zip_name("/var/log/syslog"), "files/var/log/syslog");
        assert_eq!(
            zip_name(r"C:\ProgramData\App\x.log"),
            "files/C/ProgramData/App/x.log"
        );
        assert_eq!(zip_name(r"\\?\C:\x.log"), "files/C/x.log");
        assert_eq!(zip_name(r"\\srv\share\x.log"), "files/unc/srv/share/x.log");
        assert_eq!(zip_name("/a/../../b/./c"), "files/a/b/c");
        assert!(is_safe_entry_name("ipconfig-all.txt"));
        for bad in ["", "..", "a/b", "a\\b", "x:y"] {
            assert!(!is_safe_entry_name(bad), "{bad}");
        }
        assert_eq!(safe_file_part("ws 01.corp"), "ws-01-corp");
        assert_eq!(
            mapping_path(Path::new("/t/support-x.zip")),
            Path::new("/t/support-x.pseudonyms.json")
        );
    }
}
