//! `bundle`: collect logs, command outputs, system facts and the run report
//! into one redacted zip for a ticket (the work is in `crate::bundle`).
//!
//! The step runs alone, after every step before it, so the report inside
//! the bundle is complete up to this step. In a dry run nothing is written
//! and no command runs: the report says what would be collected.

use std::collections::BTreeSet;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::command::CommandLine;
use super::{Check, Evaluation, FieldProblem, StepContext};
use crate::bundle;
use crate::facts::Facts;
use crate::redact::RedactConfig;
use crate::values::OsFamily;
use crate::values::{ByteSize, Dur, Globs, OneOrMany};

/// Defaults, documented in the README.
pub const DEFAULT_MAX_SIZE: u64 = 25 << 20;
pub const DEFAULT_MAX_TOTAL: u64 = 200 << 20;
pub const DEFAULT_MAX_FILES: usize = 5000;
pub const DEFAULT_COMMAND_OUTPUT: u64 = 8 << 20;
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// Command output is held in memory: this bounds it.
pub const MAX_COMMAND_OUTPUT: u64 = 64 << 20;

/// One `[[step.files]]` entry: files to collect.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileSet {
    /// Files, folders (collected recursively) or globs, absolute and templated,
    /// e.g. `["/var/log/syslog*", "{{ temp }}/MyApp/"]`.
    pub paths: OneOrMany<String>,
    /// Only files modified within this long (e.g. `"7d"`).
    pub since: Option<Dur>,
    /// Per file: a larger file keeps its newest tail of this size (default 25 MiB).
    pub max_size: Option<ByteSize>,
    /// Files and folders left out (by name, or by path below a listed folder).
    #[serde(default)]
    pub exclude: Globs,
    /// Include binary files as they are (not redacted). Default: skipped and listed.
    #[serde(default)]
    pub binary: bool,
    /// Only on these operating systems (default: all).
    #[serde(default)]
    pub os: OneOrMany<OsFamily>,
}

/// One `[[step.commands]]` entry: a command whose output goes into the bundle.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleCommand {
    /// `["ipconfig", "/all"]`, or a command line string with `shell = true`.
    pub command: CommandLine,
    /// Run through the platform shell (`cmd /C` on Windows, `sh -c` elsewhere).
    #[serde(default)]
    pub shell: bool,
    /// File name inside the bundle's `commands/` folder (default: made from the command).
    pub name: Option<String>,
    /// Environment variables for the program (templates in a `shell = true`
    /// line reach it this way too).
    #[serde(default)]
    pub env: std::collections::BTreeMap<String, String>,
    /// Default 60s; the command and its children are killed after it.
    pub timeout: Option<Dur>,
    /// Output kept (head and tail), default 8 MiB.
    pub max_output: Option<ByteSize>,
    /// Only on these operating systems (default: all).
    #[serde(default)]
    pub os: OneOrMany<OsFamily>,
}

/// Keys of a `bundle` step.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct BundleStep {
    /// The zip to write (templated; relative to the current folder unless absolute), e.g.
    /// `"{{ desktop }}/support-{{ ticket }}-{{ hostname }}-{{ datetime }}.zip"`.
    /// Default: `support-<hostname>-<datetime>.zip` on the desktop.
    pub output: Option<String>,
    /// Replace an existing file at `output` (default: refuse).
    #[serde(default)]
    pub overwrite: bool,
    /// File and command content in all, newest files first (default 200 MiB).
    pub max_total: Option<ByteSize>,
    /// At most this many files (default 5000).
    pub max_files: Option<usize>,
    /// Deflate level, 0 (store) to 9 (smallest); default 6.
    pub compression_level: Option<u8>,
    #[serde(default)]
    pub files: Vec<FileSet>,
    #[serde(default)]
    pub commands: Vec<BundleCommand>,
    /// Redaction rules (built-in secret rules are on by default).
    #[serde(default)]
    pub redact: RedactConfig,
}

impl BundleCommand {
    /// The file name inside `commands/`: `name`, or one made from the
    /// command line as displayed (pass it redacted, so no secret from the
    /// command line reaches a name).
    pub fn file_name(&self, shown: &str) -> String {
        bundle::command_file_name(
            self.name.as_deref(),
            matches!(self.command, CommandLine::Line(_)),
            shown,
        )
    }

    pub fn applies(&self, os: &str) -> bool {
        self.os.is_empty() || self.os.iter().any(|f| f.matches(os))
    }
}

impl FileSet {
    pub fn applies(&self, os: &str) -> bool {
        self.os.is_empty() || self.os.iter().any(|f| f.matches(os))
    }
}

impl FileSet {
    /// The engine's parameters for this set.
    fn spec(&self) -> bundle::FileSpec {
        bundle::FileSpec {
            paths: self.paths.iter().cloned().collect(),
            since: self.since.map(|d| d.0),
            max_size: self.max_size.map_or(DEFAULT_MAX_SIZE, |s| s.0),
            exclude: self.exclude.clone(),
            binary: self.binary,
        }
    }
}

impl BundleCommand {
    /// The engine's parameters for this command.
    fn spec(&self) -> bundle::CommandSpec {
        bundle::CommandSpec {
            argv: self.command.argv(),
            shell: self.shell,
            display: self.command.display(),
            name: self.name.clone(),
            env: self.env.clone().into_iter().collect(),
            timeout: self.timeout.map_or(DEFAULT_COMMAND_TIMEOUT, |d| d.0),
            max_output: self.max_output.map_or(DEFAULT_COMMAND_OUTPUT, |s| s.0),
        }
    }
}

impl BundleStep {
    /// The engine's parameters: the sets and commands that apply on this OS.
    fn params(&self, facts: &Facts) -> bundle::Params {
        let os = std::env::consts::OS;
        bundle::Params {
            output: self.output_path(facts),
            overwrite: self.overwrite,
            max_total: self.max_total(),
            max_files: self.max_files(),
            compression_level: self.compression_level.unwrap_or(6),
            files: self
                .files
                .iter()
                .filter(|f| f.applies(os))
                .map(FileSet::spec)
                .collect(),
            commands: self
                .commands
                .iter()
                .filter(|c| c.applies(os))
                .map(BundleCommand::spec)
                .collect(),
            redact: self.redact.clone(),
        }
    }

    pub fn max_total(&self) -> u64 {
        self.max_total.map_or(DEFAULT_MAX_TOTAL, |s| s.0)
    }

    pub fn max_files(&self) -> usize {
        self.max_files.unwrap_or(DEFAULT_MAX_FILES)
    }

    /// Where the zip goes.
    pub fn output_path(&self, facts: &Facts) -> std::path::PathBuf {
        match &self.output {
            // A relative path (`--var output_dir=.`) is taken from the
            // folder supportctl runs in.
            Some(p) => std::path::absolute(p).unwrap_or_else(|_| p.into()),
            None => {
                let stamp = jiff::Zoned::now().strftime("%Y%m%d-%H%M%S").to_string();
                let name = format!(
                    "support-{}-{stamp}.zip",
                    bundle::safe_file_part(&facts.hostname)
                );
                let dir = dirs::desktop_dir()
                    .filter(|d| d.is_dir())
                    .or_else(dirs::home_dir)
                    .unwrap_or_else(std::env::temp_dir);
                dir.join(name)
            }
        }
    }
}

impl super::Reasons for BundleStep {
    const REASONS: &'static [(&'static str, &'static str)] = &[
        (
            "refused",
            "the archive cannot be written where asked (it exists, or the place is unsafe)",
        ),
        ("write", "writing the archive or its sidecar files failed"),
        (
            "empty",
            "the archive was written but no log file or command output was collected",
        ),
    ];
}

impl Check for BundleStep {
    fn evaluate(&self, ctx: &StepContext) -> Evaluation {
        let render_md = |report: &crate::report::Report| {
            let mut md = Vec::new();
            crate::render::markdown::render(report, crate::render::Style::default(), &mut md)?;
            Ok(md)
        };
        let env = bundle::Env {
            dry_run: ctx.dry_run,
            deadline: ctx.deadline,
            cancel: ctx.cancel,
            facts: ctx.facts,
            progress: ctx.progress,
            report: ctx.report,
            report_md: Some(&render_md),
        };
        bundle::evaluate(&self.params(ctx.facts), &env)
    }

    fn describe(&self) -> String {
        let files: usize = self.files.iter().map(|f| f.paths.iter().count()).sum();
        format!(
            "bundles {files} file pattern(s) and {} command output(s) into {}",
            self.commands.len(),
            self.output.as_deref().unwrap_or("a zip on the desktop")
        )
    }

    fn changes_system(&self) -> bool {
        // It writes a file; and it must see every earlier step finished.
        true
    }

    fn needs_report(&self) -> bool {
        true
    }

    fn uses_shell(&self) -> bool {
        self.commands.iter().any(|c| c.shell)
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(30 * 60)
    }

    fn validate(&self, _facts: &Facts) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let mut problem = |key: &'static str, message: String, hint: &str| {
            out.push(FieldProblem {
                key,
                message,
                hint: Some(hint.into()),
            })
        };
        if let Some(o) = &self.output
            && !o.to_ascii_lowercase().ends_with(".zip")
        {
            problem(
                "output",
                format!("`output` must end in .zip, not `{o}`"),
                "e.g. \"{{ desktop }}/support.zip\"",
            );
        }
        if self.compression_level.is_some_and(|l| l > 9) {
            problem(
                "compression_level",
                "`compression_level` must be 0 to 9".into(),
                "6 is the usual balance; 1 is fastest",
            );
        }
        if self.max_files == Some(0) || self.max_total.is_some_and(|s| s.0 == 0) {
            problem(
                "max_total",
                "`max_total` and `max_files` must be above zero".into(),
                "e.g. max_total = \"200 MiB\"",
            );
        }
        for p in &self.redact.patterns {
            if p.0.is_match("") {
                problem(
                    "redact",
                    format!("redaction pattern `{}` matches empty text", p.0.as_str()),
                    "a pattern must match at least one character, e.g. `EMP-[0-9]+` rather than `[0-9]*`",
                );
            }
        }
        for set in &self.files {
            for p in set.paths.iter() {
                if !is_absolute_anywhere(p) {
                    problem(
                        "files",
                        format!("file path `{p}` must be absolute"),
                        "start it with a folder variable such as {{ home }} or {{ playbook_dir }}",
                    );
                } else if let Err(e) = crate::pathglob::check(p) {
                    problem(
                        "files",
                        e,
                        "globs: * and ? within a folder name, ** across folders, {a,b}, [abc]",
                    );
                }
            }
            if set.max_size.is_some_and(|s| s.0 == 0) {
                problem(
                    "files",
                    "`max_size` must be above zero".into(),
                    "e.g. max_size = \"25 MiB\"",
                );
            }
        }
        // Names must differ among the commands that run on one OS.
        let mut names: BTreeSet<(&str, String)> = BTreeSet::new();
        for c in &self.commands {
            if c.max_output
                .is_some_and(|s| s.0 == 0 || s.0 > MAX_COMMAND_OUTPUT)
            {
                problem(
                    "commands",
                    "`max_output` must be above zero and at most 64 MiB (the output is held in memory)".into(),
                    "long logs are better collected as files (journalctl --output-file, wevtutil epl)",
                );
            }
            if let Some((message, hint)) = c.command.problem(c.shell) {
                problem("commands", message.into(), hint);
                continue;
            }
            let name = c.file_name(&c.command.display());
            if !bundle::is_safe_entry_name(&name) {
                problem(
                    "commands",
                    format!("command output name `{name}` is not a plain file name"),
                    "use letters, digits, dots, dashes and underscores, e.g. name = \"ipconfig.txt\"",
                );
            } else if ["windows", "macos", "linux"]
                .into_iter()
                .filter(|os| c.applies(os))
                .any(|os| !names.insert((os, name.to_ascii_lowercase())))
            {
                problem(
                    "commands",
                    format!("two commands write `{name}`"),
                    "give one of them another `name`",
                );
            }
        }
        out
    }
}

/// Absolute on Windows (`C:\`, `\\server\share`) or on Unix (`/`), whatever OS we run on.
fn is_absolute_anywhere(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with('/')
        || path.starts_with("\\\\")
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && (b[2] == b'\\' || b[2] == b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(toml: &str) -> BundleCommand {
        toml::from_str(toml).unwrap()
    }

    #[test]
    fn command_file_names() {
        let name = |toml: &str| {
            let c = command(toml);
            c.file_name(&c.command.display())
        };
        assert_eq!(
            name(r#"command = ["ipconfig", "/all"]"#),
            "ipconfig-all.txt"
        );
        assert_eq!(
            name(r#"command = ["C:\\Windows\\System32\\systeminfo.exe"]"#),
            "systeminfo.txt"
        );
        assert_eq!(
            name("command = \"journalctl -b --no-pager | tail\"\nshell = true"),
            "journalctl-b-no-pager-tail.txt"
        );
        assert_eq!(
            name("command = [\"x\"]\nname = \"custom.log\""),
            "custom.log"
        );
    }

    #[test]
    fn absolute_paths_on_every_os() {
        for p in ["/var/log", "C:\\Logs", "c:/x", "\\\\srv\\share\\x"] {
            assert!(is_absolute_anywhere(p), "{p}");
        }
        for p in ["logs", "C:logs", "./x", ""] {
            assert!(!is_absolute_anywhere(p), "{p}");
        }
    }
}
