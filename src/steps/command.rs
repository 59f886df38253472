//! `command`: run a program and check its exit code and output.
//!
//! No shell unless `shell = true` (then `cmd /C` on Windows, `sh -c`
//! elsewhere). A command marked `changes = true` is not run in a dry run;
//! the report says what would have run.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use super::{Check, Evaluation, FieldProblem, StepContext};
use crate::process::{self, Ending, ProcessSpec};
use crate::report::{Measurement, Output, Status};
use crate::values::{ByteSize, OneOrMany, Pattern};

/// The program to run: an argv array, or one command line with `shell = true`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum CommandLine {
    /// `["ipconfig", "/all"]`: run directly, no shell.
    Argv(Vec<String>),
    /// `"df -h | sort -k5"`: a shell line (needs `shell = true`).
    Line(String),
}

impl<'de> Deserialize<'de> for CommandLine {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CommandLine;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of strings (program and arguments) or, with shell = true, a command line string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<CommandLine, E> {
                Ok(CommandLine::Line(s.to_string()))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<CommandLine, A::Error> {
                let mut argv = Vec::new();
                while let Some(arg) = seq.next_element::<String>()? {
                    argv.push(arg);
                }
                Ok(CommandLine::Argv(argv))
            }
        }
        d.deserialize_any(V)
    }
}

impl CommandLine {
    /// What [`process::run`] takes: the argv, or the one shell line.
    pub fn argv(&self) -> Vec<String> {
        match self {
            CommandLine::Line(line) => vec![line.clone()],
            CommandLine::Argv(argv) => argv.clone(),
        }
    }

    /// The command as a technician would type it.
    pub fn display(&self) -> String {
        match self {
            CommandLine::Line(line) => line.clone(),
            CommandLine::Argv(argv) => process::display_argv(argv),
        }
    }

    /// Why this command cannot run with this `shell` setting (message, hint).
    pub fn problem(&self, shell: bool) -> Option<(&'static str, &'static str)> {
        match (self, shell) {
            (CommandLine::Line(_), false) => Some((
                "a command line string needs `shell = true`",
                "write an argv array like [\"ipconfig\", \"/all\"], or add `shell = true` to run it through the shell",
            )),
            (CommandLine::Line(l), true) if l.trim().is_empty() => {
                Some(("the command line is empty", "write the command to run"))
            }
            (CommandLine::Argv(_), true) => Some((
                "with `shell = true`, write the command as one string",
                "e.g. command = \"df -h | sort -k5\"",
            )),
            (CommandLine::Argv(a), false) if a.first().is_none_or(|p| p.trim().is_empty()) => {
                Some((
                    "the command is empty",
                    "write the program and its arguments, e.g. [\"ipconfig\", \"/all\"]",
                ))
            }
            _ if self.argv().iter().any(|a| a.contains('\0')) => {
                Some(("the command contains a NUL character", "remove it"))
            }
            _ => None,
        }
    }
}

fn default_exit() -> OneOrMany<i32> {
    OneOrMany(vec![0])
}

/// Keys of a `command` step (also the keys of an inline `[step.fix]`).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct CommandStep {
    /// `["program", "arg", ...]`, or a command line string with `shell = true`.
    pub command: CommandLine,
    /// Run through the platform shell (`cmd /C` on Windows, `sh -c` elsewhere).
    #[serde(default)]
    pub shell: bool,
    /// Working directory.
    pub cwd: Option<String>,
    /// Extra environment variables.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Exit codes that count as success (default 0).
    #[serde(default = "default_exit")]
    pub expect_exit: OneOrMany<i32>,
    /// Text that must appear in stdout (each of them).
    #[serde(default)]
    pub stdout_contains: OneOrMany<String>,
    /// Text that must not appear in stdout.
    #[serde(default)]
    pub stdout_not_contains: OneOrMany<String>,
    /// A regular expression stdout must match: the whole output, or any
    /// one of its lines (so `^…$` anchors a line, and a trailing newline
    /// does not defeat `$`).
    pub stdout_matches: Option<Pattern>,
    /// Output kept per stream (default 64 KiB; head and tail are kept).
    pub max_output: Option<ByteSize>,
    /// The command changes the system: not run in a dry run.
    #[serde(default)]
    pub changes: bool,
    /// Show the output in the report even when the step passes (informational commands).
    #[serde(default)]
    pub show_output: bool,
    /// SHA-256 (hex) of the file the command runs: the program, or the
    /// script given as its first argument (`["bash", "/opt/fix.sh"]`). A
    /// signed playbook so covers the scripts it runs: a changed file is
    /// never run.
    pub sha256: Option<String>,
}

const DEFAULT_MAX_OUTPUT: u64 = 64 * 1024;

impl CommandStep {
    /// The command as a technician would type it.
    pub fn display(&self) -> String {
        self.command.display()
    }

    /// Which of the output checks failed, if any.
    fn output_problem(&self, stdout: &str) -> Option<String> {
        if let Some(missing) = self
            .stdout_contains
            .iter()
            .find(|s| !stdout.contains(s.as_str()))
        {
            return Some(format!("stdout does not contain `{missing}`"));
        }
        if let Some(found) = self
            .stdout_not_contains
            .iter()
            .find(|s| stdout.contains(s.as_str()))
        {
            return Some(format!("stdout contains `{found}`"));
        }
        match &self.stdout_matches {
            Some(p) if !stdout_matches(&p.0, stdout) => {
                Some(format!("stdout does not match /{}/", p.0.as_str()))
            }
            _ => None,
        }
    }
}

/// Whether stdout matches: as a whole, or (so `^0$` works on any line,
/// `\r\n` endings too) one of its lines. A pattern anchored to the whole
/// text (`\A`, `\z`: `'\A\s*\z'` is "empty") is only tried on the whole.
fn stdout_matches(re: &regex::Regex, stdout: &str) -> bool {
    let whole_text = re.as_str().contains(r"\A") || re.as_str().contains(r"\z");
    re.is_match(stdout) || (!whole_text && stdout.lines().any(|l| re.is_match(l)))
}

/// The last non-empty line of a text, shortened for a one-line message.
fn last_line(text: &str) -> Option<String> {
    let line = text.lines().rev().map(str::trim).find(|l| !l.is_empty())?;
    Some(if line.chars().count() > 100 {
        format!("{}…", line.chars().take(99).collect::<String>())
    } else {
        line.to_string()
    })
}

impl super::Reasons for CommandStep {
    const REASONS: &'static [(&'static str, &'static str)] = &[
        (
            "exit",
            "the program exited with a code outside `expect_exit`",
        ),
        (
            "output",
            "stdout lacks `stdout_contains`, holds `stdout_not_contains` or misses `stdout_matches`",
        ),
        (
            "timeout",
            "the program did not finish in time and was killed",
        ),
        (
            "not_found",
            "the program does not exist (not installed, or not on PATH)",
        ),
        (
            "cannot_run",
            "the program exists but could not be started (permissions, format)",
        ),
        ("cwd", "the working directory `cwd` does not exist"),
        (
            "script_changed",
            "the script's SHA-256 differs from `sha256`, or it cannot be read",
        ),
    ];
}

impl Check for CommandStep {
    fn evaluate(&self, ctx: &StepContext) -> Evaluation {
        let shown = self.display();
        if let Some(why) = self.script_mismatch() {
            return Evaluation::problem(Status::Error, "script_changed", why);
        }
        if self.changes && ctx.dry_run {
            let mut e = Evaluation::problem(
                Status::Skipped,
                "dry_run",
                format!("dry run: would run `{shown}`"),
            );
            e.actions.push(format!("would run: {shown}"));
            return e;
        }
        let spec = ProcessSpec {
            argv: self.command.argv(),
            shell: self.shell,
            cwd: self.cwd.as_ref().map(PathBuf::from),
            env: self
                .env
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            max_output: self.max_output.map_or(DEFAULT_MAX_OUTPUT, |s| s.0) as usize,
        };
        if let Some(dir) = &self.cwd
            && !std::path::Path::new(dir).is_dir()
        {
            return Evaluation::problem(
                Status::Error,
                "cwd",
                format!("working directory `{dir}` does not exist or is not a folder"),
            );
        }
        let result = process::run(&spec, ctx.deadline, ctx.cancel);
        let mut e = match &result.ending {
            Ending::SpawnFailed(msg) => Evaluation::problem(
                Status::Error,
                if result.missing_program {
                    "not_found"
                } else {
                    "cannot_run"
                },
                msg.clone(),
            ),
            Ending::TimedOut => Evaluation::problem(
                Status::Error,
                "timeout",
                format!(
                    "`{shown}` timed out after {}; it and its child processes were killed",
                    crate::values::human_duration(ctx.timeout)
                ),
            ),
            Ending::Interrupted => Evaluation::problem(
                Status::Error,
                "interrupted",
                format!("`{shown}` interrupted"),
            ),
            Ending::Exited(code) => {
                let expected = self.expect_exit.iter().any(|c| c == code);
                let mut m = Evaluation::new(Status::Pass, String::new());
                if !expected {
                    let want: Vec<String> = self.expect_exit.iter().map(i32::to_string).collect();
                    m.status = Status::Fail;
                    m.reason = Some("exit");
                    m.message = format!(
                        "`{shown}` exited with {code} (expected {})",
                        want.join(" or ")
                    );
                } else if let Some(problem) = self.output_problem(&result.stdout) {
                    m.status = Status::Fail;
                    m.reason = Some("output");
                    m.message = problem;
                } else if self.show_output {
                    // The output itself is shown under the step.
                    m.message = format!("exited with {code}");
                } else {
                    m.message =
                        last_line(&result.stdout).unwrap_or_else(|| format!("exited with {code}"));
                }
                m.measurements
                    .push(Measurement::new("exit_code", *code as f64, ""));
                m
            }
        };
        if self.changes && !matches!(result.ending, Ending::SpawnFailed(_)) {
            e.actions.push(format!("ran: {shown}"));
        }
        e.measurements.push(Measurement::new(
            "duration",
            result.duration.as_millis() as f64,
            "ms",
        ));
        e.output = Some(Output {
            stdout: result.stdout,
            stderr: result.stderr,
            truncated: result.truncated,
        });
        e.show_output = self.show_output;
        e
    }

    fn describe(&self) -> String {
        let how = if self.shell { "runs (shell)" } else { "runs" };
        let mut passes = Vec::new();
        if self.expect_exit.0 != [0] {
            let codes: Vec<String> = self.expect_exit.iter().map(i32::to_string).collect();
            passes.push(format!("exit {}", codes.join(" or ")));
        }
        for t in self.stdout_contains.iter() {
            passes.push(format!("output contains `{t}`"));
        }
        for t in self.stdout_not_contains.iter() {
            passes.push(format!("output lacks `{t}`"));
        }
        if let Some(p) = &self.stdout_matches {
            passes.push(format!("output matches `{}`", p.0.as_str()));
        }
        if self.sha256.is_some() {
            passes.push("its script's sha256 is pinned".into());
        }
        if passes.is_empty() {
            format!("{how} `{}`", self.display())
        } else {
            format!(
                "{how} `{}`; passes when {}",
                self.display(),
                passes.join(", ")
            )
        }
    }

    fn changes_system(&self) -> bool {
        self.changes
    }

    fn uses_shell(&self) -> bool {
        self.shell
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn validate(&self, _facts: &crate::facts::Facts) -> Vec<FieldProblem> {
        match self.command.problem(self.shell) {
            Some((message, hint)) => vec![FieldProblem {
                key: "command",
                message: message.into(),
                hint: Some(hint.into()),
            }],
            None => {
                let mut problems = self.text_problems();
                if self
                    .sha256
                    .as_ref()
                    .is_some_and(|h| h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()))
                {
                    problems.push(FieldProblem {
                        key: "sha256",
                        message: "`sha256` must be 64 hexadecimal digits".into(),
                        hint: Some("`sha256sum FILE` (or `Get-FileHash FILE`) prints it".into()),
                    });
                }
                if self
                    .max_output
                    .is_some_and(|s| s.0 == 0 || s.0 > super::bundle::MAX_COMMAND_OUTPUT)
                {
                    problems.push(FieldProblem {
                        key: "max_output",
                        message: "`max_output` must be above zero and at most 64 MiB (the output is held in memory)".into(),
                        hint: Some("keep the default (1 MiB) or a few MiB; write big output to a file and bundle it".into()),
                    });
                }
                problems
            }
        }
    }
}

impl CommandStep {
    /// The file `sha256` covers: the program when it is a path, else the
    /// first argument when it names a file.
    fn script(&self) -> Option<PathBuf> {
        let argv = self.command.argv();
        argv.iter()
            .take(2)
            .map(PathBuf::from)
            .find(|p| p.components().count() > 1 && p.is_file())
    }

    /// Why the file the command runs is not the one the playbook pinned.
    fn script_mismatch(&self) -> Option<String> {
        use sha2::Digest;
        let want = self.sha256.as_ref()?.to_ascii_lowercase();
        let Some(path) = self.script() else {
            return Some(
                "`sha256` is set but the command names no file to check (give the script's path)"
                    .into(),
            );
        };
        let mut hasher = sha2::Sha256::new();
        let read = std::fs::File::open(&path).and_then(|mut f| std::io::copy(&mut f, &mut hasher));
        if let Err(e) = read {
            return Some(format!(
                "cannot read `{}` to check its sha256: {e}",
                path.display()
            ));
        }
        let got: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        (got != want).then(|| {
            format!(
                "`{}` has changed: its sha256 is {got}, the playbook pins {want}; not run",
                path.display()
            )
        })
    }

    /// Text the operating system cannot pass to a program.
    fn text_problems(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        if self
            .cwd
            .as_ref()
            .is_some_and(|c| c.contains('\0') || c.is_empty())
        {
            out.push(FieldProblem {
                key: "cwd",
                message: "`cwd` is empty or contains a NUL character".into(),
                hint: None,
            });
        }
        for (k, v) in &self.env {
            if k.is_empty() || k.contains(['=', '\0']) || v.contains('\0') {
                out.push(FieldProblem {
                    key: "env",
                    message: format!("invalid environment variable `{k}`"),
                    hint: Some("names must be non-empty without `=`; names and values without NUL characters".into()),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::stdout_matches;

    #[test]
    fn empty_means_empty_and_lines_anchor() {
        let empty = regex::Regex::new(r"\A\s*\z").unwrap();
        assert!(stdout_matches(&empty, ""));
        assert!(stdout_matches(&empty, "\n \n"));
        // A blank line inside real output is not an empty output.
        assert!(!stdout_matches(
            &empty,
            "dpkg: package half-installed\n\nmore\n"
        ));
        let zero = regex::Regex::new(r"^0$").unwrap();
        assert!(stdout_matches(&zero, "counting\n0\r\n"));
        assert!(!stdout_matches(&zero, "10\n"));
    }
}
