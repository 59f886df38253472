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

pub mod select;
pub mod source;

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::cancel::Cancel;
use crate::process::{self, Ending, ProcessSpec};
use crate::report::{Evaluation, Measurement, Output, Report, Status};
use crate::values::{human_bytes, human_duration};
pub use select::FileSpec;

/// Renders a report as bytes (the Markdown renderer, handed in by the step).
pub type RenderReport = dyn Fn(&Report) -> io::Result<Vec<u8>>;

/// What the engine needs from the run it is part of.
pub struct Env<'a> {
    /// Preview: choose and list, write nothing.
    pub dry_run: bool,
    /// Everything stops by then.
    pub deadline: Instant,
    pub cancel: &'a Cancel,
    pub facts: &'a crate::facts::Facts,
    pub progress: &'a crate::progress::Progress,
    /// The run so far, stored as `report.json` (and `report.md` when
    /// `report_md` renders it).
    pub report: Option<&'a Report>,
    /// Renders a (redacted) report as Markdown: handed in, so the engine
    /// does not depend on the renderers.
    pub report_md: Option<&'a RenderReport>,
}

/// One program whose output goes into `commands/`.
#[derive(Clone, Debug)]
pub struct CommandSpec {
    /// Program and arguments; with `shell`, one command line.
    pub argv: Vec<String>,
    pub shell: bool,
    /// The command as people read it (redacted before it is shown).
    pub display: String,
    /// The file name inside `commands/` (made from the command when `None`).
    pub name: Option<String>,
    /// Environment variables for the program.
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
    /// Bytes of output kept.
    pub max_output: u64,
}

/// What one bundle holds and where it goes.
pub struct Params {
    pub output: PathBuf,
    pub overwrite: bool,
    pub max_total: u64,
    pub max_files: usize,
    /// Deflate level 0-9.
    pub compression_level: u8,
    /// The file sets that apply on this OS.
    pub files: Vec<FileSpec>,
    /// The commands that apply on this OS.
    pub commands: Vec<CommandSpec>,
    pub redact: RedactConfig,
}
use crate::redact::{Counts, RedactConfig, Redactor};
use archive::PendingZip;
use manifest::{Manifest, ManifestEntry};
use select::Selection;
use source::Encoding;

/// Put between a command's stdout and stderr in its file.
const STDERR_MARK: &str = "\n--- stderr ---\n";

/// Whether and how a stream is redacted when stored.
#[derive(Clone, Copy)]
enum Redact {
    No,
    /// `cut`: the stream starts mid-file (see `Redactor::stream`).
    Yes {
        cut: bool,
    },
}

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
    // Names Windows reserves for devices, with or without an extension.
    let stem = name.split('.').next().unwrap_or("").to_ascii_lowercase();
    let reserved = matches!(stem.as_str(), "con" | "prn" | "aux" | "nul")
        || ((stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit());
    !reserved
        && !name.is_empty()
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
        // Characters Windows cannot have in a file name would stop Explorer
        // extracting the zip (a `[REDACTED:keyword]` in a path has a `:`).
        parts.push(
            part.chars()
                .filter(|c| !c.is_control())
                .map(|c| if "<>:\"|?*".contains(c) { '_' } else { c })
                .collect(),
        );
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
    ctx: &'a Env<'a>,
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
        redact: Redact,
    ) -> io::Result<(u64, String, Counts)> {
        let mut entry = self.zip.entry(name, modified, size_hint)?;
        let counts = if let Redact::Yes { cut } = redact {
            self.redactor
                .stream(input, &mut entry, self.ctx.cancel, cut)?
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

    /// Stores a generated file; `counts` are the redactions already made in it.
    fn add_generated(&mut self, name: &str, bytes: &[u8], counts: Counts) -> io::Result<()> {
        let name = self.unique(name.to_string());
        let (size, sha, _) =
            self.store(&name, None, bytes.len() as u64, &mut &bytes[..], Redact::No)?;
        for (rule, n) in &counts {
            *self.manifest.redaction.counts.entry(rule).or_default() += n;
        }
        self.manifest.entries.push(ManifestEntry {
            kind: "generated",
            name: Some(name),
            source: "supportctl".into(),
            size: Some(size),
            sha256: Some(sha),
            redacted: true,
            redactions: counts,
            ..Default::default()
        });
        Ok(())
    }

    /// A value as JSON with every string in it redacted (before any JSON
    /// escaping, which would hide quotes from the rules).
    fn redacted_json(
        &mut self,
        value: &impl serde::Serialize,
    ) -> io::Result<(serde_json::Value, Counts)> {
        let mut v = serde_json::to_value(value).map_err(io::Error::other)?;
        let mut counts = Counts::new();
        self.redactor.json(&mut v, &mut counts);
        Ok((v, counts))
    }

    /// Redacts captured output (held in memory, capped by `max_output`).
    /// Where the capture dropped its middle, what follows starts mid-stream
    /// (see `Redactor::stream`'s `cut`); stderr starts afresh.
    fn redact_capture(&mut self, text: &str) -> io::Result<(Vec<u8>, Counts)> {
        static OMITTED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(r"\n\[\.\.\. \d+ bytes omitted \.\.\.\]\n|\n--- stderr ---\n")
                .expect("valid")
        });
        let mut out = Vec::with_capacity(text.len());
        let mut counts = Counts::new();
        let mut bounds: Vec<(usize, usize)> = OMITTED
            .find_iter(text)
            .map(|m| (m.start(), m.end()))
            .collect();
        bounds.push((text.len(), text.len()));
        let (mut from, mut cut) = (0, false);
        for (start, end) in bounds {
            let piece = self.redactor.stream(
                &mut &text.as_bytes()[from..start],
                &mut out,
                self.ctx.cancel,
                cut,
            )?;
            for (rule, n) in piece {
                *counts.entry(rule).or_default() += n;
            }
            let separator = &text[start..end];
            out.extend_from_slice(separator.as_bytes());
            cut = separator != STDERR_MARK;
            from = end;
        }
        Ok((out, counts))
    }

    /// Runs one command and stores its output; returns the bytes stored.
    fn add_command(&mut self, cmd: &CommandSpec, room: u64) -> io::Result<u64> {
        let shown = self.redactor.text(&cmd.display);
        let timeout = cmd.timeout;
        let deadline = (Instant::now() + timeout).min(self.ctx.deadline);
        // Each command's output also counts against what is left of max_total.
        let cap = cmd.max_output.min(room).max(1);
        self.ctx
            .progress
            .detail(&format!("bundle: running {shown}"));
        let result = process::run(
            &ProcessSpec {
                argv: cmd.argv.clone(),
                shell: cmd.shell,
                env: cmd.env.clone(),
                max_output: usize::try_from(cap).unwrap_or(usize::MAX),
                ..Default::default()
            },
            deadline,
            self.ctx.cancel,
        );
        if self.ctx.cancel.is_set() {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
        }
        let cut_short = Instant::now() + timeout > self.ctx.deadline;
        let (ending, exit_code) = match &result.ending {
            Ending::Exited(code) => ("exited".to_string(), Some(*code)),
            Ending::TimedOut if cut_short => (
                "stopped: the bundle step's own timeout ran out; killed".to_string(),
                None,
            ),
            Ending::TimedOut => (
                format!("timed out after {}; killed", human_duration(timeout)),
                None,
            ),
            Ending::Interrupted => ("interrupted".to_string(), None),
            Ending::SpawnFailed(why) => (
                format!("could not start: {}", self.redactor.text(why)),
                None,
            ),
        };
        if exit_code != Some(0) {
            self.problems.push(format!(
                "`{shown}` {}",
                exit_code.map_or(ending.clone(), |c| format!("exited with {c}"))
            ));
        }
        let mut text = result.stdout;
        if !result.stderr.is_empty() {
            text.push_str(STDERR_MARK);
            text.push_str(&result.stderr);
        }
        if exit_code != Some(0) {
            // The file says why, not only the manifest.
            let why = exit_code.map_or_else(|| ending.clone(), |c| format!("exited with {c}"));
            text.push_str(&format!("\n[supportctl: {why}]\n"));
        }
        let name = self.unique(format!(
            "commands/{}",
            command_file_name(cmd.name.as_deref(), cmd.shell, &shown)
        ));
        let (text, counts) = self.redact_capture(&text)?;
        for (rule, n) in &counts {
            *self.manifest.redaction.counts.entry(rule).or_default() += n;
        }
        let (size, sha, _) =
            self.store(&name, None, text.len() as u64, &mut &text[..], Redact::No)?;
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
        let opened = match source::open(file, planned.keep) {
            Ok(o) => o,
            Err(e) if crate::safeopen::is_changed(&e) => {
                entry.skipped = Some(crate::safeopen::CHANGED.into());
                self.problems
                    .push(format!("{source}: changed during collection"));
                self.manifest.entries.push(entry);
                return Ok(0);
            }
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
        let mut reader = source::StopOnError::new(opened.reader);
        let name = self.unique(zip_name(&source));
        let redact = if opened.encoding == Encoding::Binary {
            Redact::No
        } else {
            Redact::Yes {
                cut: opened.skipped > 0,
            }
        };
        // Errors here are the archive's (a full disk...): reading errors end
        // the entry with a marker line instead (see StopOnError).
        let (size, sha, counts) = self.store(
            &name,
            Some(file.modified),
            planned.keep,
            &mut reader,
            redact,
        )?;
        if let Some(e) = reader.error() {
            self.problems
                .push(format!("{source}: reading stopped midway ({e})"));
        }
        entry.name = Some(name);
        entry.size = Some(size);
        entry.sha256 = Some(sha);
        let read_error = reader
            .error()
            .map(|e| format!("reading stopped midway: {e}"));
        entry.truncated = read_error.or_else(|| {
            (opened.skipped > 0).then(|| {
                format!(
                    "{}: the first {} were left out",
                    planned.cut.unwrap_or("max_size"),
                    human_bytes(opened.skipped)
                )
            })
        });
        entry.converted_from = opened.encoding.name();
        entry.redacted = matches!(redact, Redact::Yes { .. });
        entry.redactions = counts;
        self.manifest.entries.push(entry);
        Ok(planned.keep)
    }
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

/// The file name inside `commands/`: `name`, or one made from the command
/// line as displayed (pass it redacted, so no secret from the command line
/// reaches a name). `shell`: the command is one shell line.
pub fn command_file_name(name: Option<&str>, shell: bool, shown: &str) -> String {
    if let Some(name) = name {
        return name.to_string();
    }
    // The program without folder or extension, then the arguments.
    let (program, args) = if shell {
        ("", shown)
    } else {
        shown.split_once(' ').unwrap_or((shown, ""))
    };
    let program = program.rsplit(['/', '\\']).next().unwrap_or(program);
    let program = match program.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 4 => stem,
        _ => program,
    };
    let words: String = format!("{program} {args}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut name = words
        .split('-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    name.truncate(60);
    format!("{}.txt", name.trim_end_matches(['-', '.']))
}

/// The `bundle` step's evaluation.
pub fn evaluate(step: &Params, ctx: &Env) -> Evaluation {
    let target = step.output.clone();
    let refusal = match std::fs::symlink_metadata(&target) {
        Ok(m) if !m.is_file() => Some(format!(
            "`{}` exists and is not a regular file; refusing to replace it",
            target.display()
        )),
        Ok(_) if !step.overwrite => Some(format!(
            "`{}` already exists; add `overwrite = true`, or put {{{{ datetime }}}} in `output`",
            target.display()
        )),
        _ => None,
    };
    if let Some(why) = &refusal
        && !ctx.dry_run
    {
        return Evaluation::problem(Status::Error, "refused", why.clone());
    }
    let commands: Vec<&CommandSpec> = step.commands.iter().collect();
    if ctx.dry_run {
        let sel = select::select(
            &step.files,
            step.max_total,
            step.max_files,
            SystemTime::now(),
            ctx.cancel,
        );
        let mut e = dry_run(&target, &sel, &commands);
        if let Some(why) = refusal {
            // The preview still lists what would be collected.
            e.status = Status::Warn;
            e.reason = Some("refused");
            e.message = format!("dry run: the real run would fail: {why}");
        }
        return e;
    }
    match write(step, ctx, &target, &commands) {
        Ok(e) => e,
        Err(e) => Evaluation::problem(Status::Error, "write", explain_write_error(&e, &target)),
    }
}

fn dry_run(target: &Path, sel: &Selection, commands: &[&CommandSpec]) -> Evaluation {
    // What the real run would skip as binary (a look at each file's start).
    // Only where reading leaves no trace (O_NOATIME): a dry run changes
    // nothing, not even access times.
    let binary = |p: &select::Planned| {
        !p.file.binary
            && crate::safeopen::can_read_without_trace(&p.file.source)
            && crate::safeopen::open_chosen(&p.file.source, &p.file.id, p.file.literal)
                .and_then(|mut f| {
                    let mut head = vec![0u8; 8192];
                    let n = std::io::Read::read(&mut f, &mut head)?;
                    Ok(source::sniff(&head[..n]) == Encoding::Binary)
                })
                .unwrap_or(false)
    };
    let mut listing = String::new();
    let (mut files, mut bytes, mut left) = (0usize, 0u64, 0usize);
    for p in &sel.planned {
        if binary(p) {
            left += 1;
            listing.push_str(&format!(
                "left out: {}  (binary file; `binary = true` includes it)\n",
                p.file.source.display()
            ));
            continue;
        }
        files += 1;
        bytes += p.keep;
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
    for m in &sel.missing {
        listing.push_str(&format!("left out: {m}  (matched nothing)\n"));
    }
    left += sel.left_out.len()
        + sel.missing.len()
        + sel.unlisted as usize
        + sel.over_max_files as usize;
    let mut e = Evaluation::problem(
        Status::Skipped,
        "dry_run",
        format!(
            "dry run: would write `{}` with {files} file(s) ({}) and {} command output(s); {left} left out",
            target.display(),
            human_bytes(bytes),
            commands.len(),
        ),
    );
    for c in commands {
        e.actions.push(format!("would run: {}", c.display));
    }
    e.actions.push(format!("would write: {}", target.display()));
    e.measurements
        .push(Measurement::new("files", files as f64, "count"));
    e.measurements
        .push(Measurement::new("bytes", bytes as f64, "bytes"));
    e.output = Some(Output {
        stdout: listing,
        stderr: String::new(),
        truncated: false,
    });
    e.show_output = true;
    e
}

fn write(
    step: &Params,
    ctx: &Env,
    target: &Path,
    commands: &[&CommandSpec],
) -> io::Result<Evaluation> {
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Some(why) = crate::privilege::unsafe_output_dir(dir) {
            return Err(io::Error::other(format!(
                "running elevated, root does not write where another user controls the folder: {why}; put the bundle in a folder root owns (or /tmp)"
            )));
        }
        std::fs::create_dir_all(dir).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot create the folder `{}`: {e}", dir.display()),
            )
        })?;
    }
    let redactor = Redactor::new(&step.redact, &ctx.facts.hostname, &ctx.facts.user)
        .map_err(io::Error::other)?;
    let mut w = Writer {
        zip: PendingZip::create(target, step.compression_level)?,
        redactor,
        manifest: Manifest::default(),
        names: BTreeSet::new(),
        ctx,
        problems: Vec::new(),
    };
    let sel = collect(step, &mut w, commands)?;
    fill_manifest(step, &mut w, target, &sel);
    let manifest_json = serde_json::to_vec_pretty(&w.manifest).map_err(io::Error::other)?;
    let mut manifest_entry = w
        .zip
        .entry("manifest.json", None, manifest_json.len() as u64)?;
    manifest_entry.write_all(&manifest_json)?;
    manifest_entry.finish()?;
    let mapping = (!w.redactor.pseudonyms.is_empty()).then(|| w.redactor.pseudonyms.to_json());
    let Writer {
        zip,
        manifest,
        problems,
        ..
    } = w;
    let done = zip.finish(target, step.overwrite, ctx.cancel)?;
    let mut e = Evaluation::new(Status::Pass, String::new());
    e.actions.push(format!("wrote {}", done.path.display()));
    let sidecar_errors = write_sidecars(&done, mapping, &mut e.actions);
    e.message = summary(&done, &manifest);
    // Nothing from any file or command: the archive holds only our own files.
    let collected = manifest.entries.iter().any(|x| {
        x.sha256.is_some() && (x.kind == "file" || (x.kind == "command" && x.exit_code == Some(0)))
    });
    if !collected {
        e.status = Status::Warn;
        e.reason = Some("empty");
        e.message
            .push_str("; no log file or command output was collected");
    }
    if !sidecar_errors.is_empty() {
        e.status = Status::Error;
        e.reason = Some("write");
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
    let t = &manifest.totals;
    let redactions: u64 = manifest.redaction.counts.values().sum();
    e.measurements
        .push(Measurement::new("archive_size", done.size as f64, "bytes"));
    e.measurements
        .push(Measurement::new("entries", t.entries as f64, "count"));
    e.measurements
        .push(Measurement::new("left_out", t.left_out as f64, "count"));
    e.measurements
        .push(Measurement::new("redactions", redactions as f64, "count"));
    Ok(e)
}

/// Puts the commands' output, the chosen files, the facts and the report
/// into the archive; returns the file selection (for the manifest).
fn collect(step: &Params, w: &mut Writer, commands: &[&CommandSpec]) -> io::Result<Selection> {
    let ctx = w.ctx;
    let mut used = 0u64;
    for cmd in commands {
        let room = step.max_total.saturating_sub(used);
        used += w.add_command(cmd, room)?;
    }
    ctx.progress.detail("bundle: finding files");
    let budget = step.max_total.saturating_sub(used);
    let sel = select::select(
        &step.files,
        budget,
        step.max_files,
        SystemTime::now(),
        ctx.cancel,
    );
    let bar = ctx.progress.transfer("bundle", sel.bytes());
    for planned in &sel.planned {
        if ctx.cancel.is_set() {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
        }
        bar.advance(w.add_file(planned)?);
    }
    drop(bar);
    if ctx.cancel.is_set() {
        return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
    }
    let reasons = sel
        .left_out
        .iter()
        .map(|l| (l.source.as_str(), l.reason.clone()))
        .chain(
            sel.missing
                .iter()
                .map(|p| (p.as_str(), "matched nothing".to_string())),
        );
    let left: Vec<(String, String)> = reasons.map(|(s, r)| (s.to_string(), r)).collect();
    for (source, reason) in left {
        let source = w.redactor.text(&source);
        w.manifest.entries.push(ManifestEntry {
            kind: "file",
            source,
            skipped: Some(reason),
            ..Default::default()
        });
    }
    // The machine and the run so far, every string redacted.
    #[derive(serde::Serialize)]
    struct BundleFacts<'a> {
        #[serde(flatten)]
        facts: &'a crate::facts::Facts,
        network: &'a crate::netfacts::NetworkFacts,
    }
    let (facts, counts) = w.redacted_json(&BundleFacts {
        facts: ctx.facts,
        network: crate::netfacts::cached(),
    })?;
    w.add_generated(
        "facts.json",
        &serde_json::to_vec_pretty(&facts).map_err(io::Error::other)?,
        counts,
    )?;
    if let Some(report) = ctx.report {
        let (json, counts) = w.redacted_json(report)?;
        let redacted: crate::report::Report =
            serde_json::from_value(json.clone()).map_err(io::Error::other)?;
        w.add_generated(
            "report.json",
            &serde_json::to_vec_pretty(&json).map_err(io::Error::other)?,
            counts,
        )?;
        if let Some(render) = ctx.report_md {
            w.add_generated("report.md", &render(&redacted)?, Counts::new())?;
        }
    }
    Ok(sel)
}

/// Fills the manifest's header and totals (its strings redacted too).
fn fill_manifest(step: &Params, w: &mut Writer, target: &Path, sel: &Selection) {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let host = w.redactor.text(&w.ctx.facts.hostname);
    let archive = w.redactor.text(&name(target));
    let mapping =
        (!w.redactor.pseudonyms.is_empty()).then(|| w.redactor.text(&name(&mapping_path(target))));
    let m = &mut w.manifest;
    let stored: Vec<&ManifestEntry> = m.entries.iter().filter(|e| e.sha256.is_some()).collect();
    m.totals.entries = stored.len();
    m.totals.bytes = stored.iter().filter_map(|e| e.size).sum();
    m.totals.left_out = m.entries.len() - m.totals.entries;
    m.totals.older_than_since = sel.older;
    m.totals.excluded = sel.excluded;
    m.totals.over_max_files = sel.over_max_files;
    m.totals.left_out_unlisted = sel.unlisted;
    m.manifest_version = manifest::MANIFEST_VERSION;
    m.tool = "supportctl".into();
    m.tool_version = env!("CARGO_PKG_VERSION").into();
    m.created_at = jiff::Timestamp::now().to_string();
    m.host = host;
    m.archive = archive;
    m.redaction.builtin = step.redact.builtin;
    m.redaction.optional = step.redact.optional_rules();
    m.redaction.mapping_file = mapping;
    m.redaction.hashed_pseudonyms = w.redactor.pseudonyms.hashed;
    m.limits.max_total = step.max_total;
    m.limits.max_files = step.max_files;
}

/// Beside the archive: its checksum, and the pseudonym mapping (owner-only);
/// a stale mapping of an earlier bundle of the same name is removed.
fn write_sidecars(
    done: &archive::Finished,
    mapping: Option<serde_json::Value>,
    actions: &mut Vec<String>,
) -> Vec<String> {
    let mut errors = Vec::new();
    let mut sums = done.path.clone().into_os_string();
    sums.push(".sha256");
    let sums = PathBuf::from(sums);
    let file_name = done
        .path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    match write_private(&sums, format!("{}  {file_name}\n", done.sha256).as_bytes()) {
        Ok(()) => actions.push(format!("wrote {}", sums.display())),
        Err(err) => errors.push(format!("could not write `{}`: {err}", sums.display())),
    }
    let path = mapping_path(&done.path);
    match mapping {
        Some(json) => {
            let text = serde_json::to_vec_pretty(&json).unwrap_or_default();
            match write_private(&path, &text) {
                Ok(()) => actions.push(format!(
                    "wrote {} (owner-only; keep it out of the ticket)",
                    path.display()
                )),
                Err(err) => errors.push(format!("could not write `{}`: {err}", path.display())),
            }
        }
        None => {
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    errors
}

/// The step's one-line message.
fn summary(done: &archive::Finished, manifest: &Manifest) -> String {
    let t = &manifest.totals;
    let redactions: u64 = manifest.redaction.counts.values().sum();
    let mut message = format!(
        "wrote `{}` ({}, {} entr{}, {} value{} redacted)",
        done.path.display(),
        human_bytes(done.size),
        t.entries,
        if t.entries == 1 { "y" } else { "ies" },
        redactions,
        if redactions == 1 { "" } else { "s" },
    );
    let failed: Vec<&str> = manifest
        .entries
        .iter()
        .filter(|e| e.kind == "command" && e.exit_code != Some(0))
        .map(|e| e.source.as_str())
        .collect();
    let failed_commands = failed.len();
    let mut notes = Vec::new();
    let left = t.left_out as u64 + t.over_max_files + t.left_out_unlisted;
    if left > 0 {
        notes.push(format!("{left} file(s) left out"));
    }
    if failed_commands > 0 {
        // Name them (the first three): the console is where the technician looks.
        let named: Vec<String> = failed.iter().take(3).map(|c| format!("`{c}`")).collect();
        let more = failed_commands.saturating_sub(3);
        notes.push(format!(
            "{failed_commands} command(s) failed: {}{}",
            named.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    if !notes.is_empty() {
        message.push_str(&format!("; {} (see manifest.json)", notes.join(", ")));
    }
    message
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
        assert_eq!(
            zip_name("/logs/[REDACTED:keyword]/a?.log"),
            "files/logs/[REDACTED_keyword]/a_.log"
        );
        for bad in [
            "", "..", "a/b", "a\\b", "x:y", "con.txt", "NUL", "com1.log", "lpt9.txt",
        ] {
            assert!(!is_safe_entry_name(bad), "{bad}");
        }
        assert_eq!(safe_file_part("ws 01.corp"), "ws-01-corp");
        assert_eq!(
            mapping_path(Path::new("/t/support-x.zip")),
            Path::new("/t/support-x.pseudonyms.json")
        );
    }
}
