//! Command-line definitions (clap derive) — parsing only, no behaviour.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::render::Format;

/// Declarative TOML playbooks for IT support: disk, cleanup, network and
/// software checks, fixes and log bundles, the same way on every machine.
#[derive(Parser, Debug)]
#[command(name = "supportctl", version, about, long_about = None, max_term_width = 100)]
#[command(
    after_help = "Exit codes: 0 all passed (warnings allowed unless --strict), 1 a step failed, \
2 invalid invocation or playbook (nothing ran), 3 a step could not be evaluated and none failed, 130 interrupted."
)]
pub struct Cli {
    /// When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run playbooks (a path, or the name of a shipped or search-path playbook)
    Run(RunArgs),
    /// Validate playbooks without running them; reports every error in every file
    Check(CheckArgs),
    /// List shipped playbooks and those on the search path
    List(ListArgs),
    /// Show a playbook's steps, conditions, and what it could change
    Show(ShowArgs),
    /// Show the system facts that conditions and templates use
    Facts(FactsArgs),
    /// Work with run reports: `report merge` summarises many machines' JSON reports
    #[command(subcommand)]
    Report(ReportCommand),
    /// The run history on this machine: recent runs, a run's full report,
    /// statistics per playbook and cause, export
    History(HistoryArgs),
    /// Attach a note (what was done, what fixed it) to the latest run, or to a ticket's
    Note(NoteArgs),
    /// Which playbook fits what the user said: `suggest "my printer wont print"`
    Suggest(SuggestArgs),
    /// Redact files or standard input to standard output with the same engine
    /// as bundles and reports (check a snippet before pasting it into a ticket)
    Redact(RedactArgs),
    /// Make a minisign key pair for signing playbooks (KEY.key, 0600, and KEY.pub)
    Keygen(KeygenArgs),
    /// Sign playbooks: writes PLAYBOOK.minisig next to each (minisign format)
    Sign(SignArgs),
    /// The machine policy: which playbooks this machine runs
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Print the JSON Schema of the playbook format (or, with --report, of the JSON report)
    Schema {
        /// The schema of the JSON run report instead of the playbook format
        #[arg(long)]
        report: bool,
    },
    /// Print shell completions
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Values for shell completion (used by the completion scripts)
    #[command(name = "__complete", hide = true)]
    Complete {
        #[arg(value_enum)]
        what: CompleteWhat,
    },
    /// Print a man page (roff): supportctl's, or a subcommand's (`man run`, `man report merge`)
    Man {
        /// The subcommand whose page to print
        command: Vec<String>,
    },
}

/// What `__complete` lists.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum CompleteWhat {
    /// Playbook names: shipped and on the search path
    Playbooks,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub command: Option<HistoryCommand>,
    #[command(flatten)]
    pub list: HistoryListArgs,
}

/// Filters of `history` (the list of recent runs).
#[derive(Args, Debug)]
pub struct HistoryListArgs {
    /// Runs for this ticket
    #[arg(long, value_name = "ID")]
    pub ticket: Option<String>,
    /// Runs of this playbook
    #[arg(long, value_name = "NAME")]
    pub playbook: Option<String>,
    /// Runs started within this long (7d, 12h) or since this date (2026-11-01)
    #[arg(long, value_name = "AGE|DATE", value_parser = parse_since)]
    pub since: Option<i64>,
    /// Runs that ended this way (their worst step)
    #[arg(long, value_enum)]
    pub status: Option<RunStatus>,
    /// At most this many runs, newest first
    #[arg(long, short = 'n', default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub limit: u32,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

/// How a run ended, as `history --status` filters it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RunStatus {
    Pass,
    Fixed,
    Warn,
    Fail,
    Error,
}

#[derive(Subcommand, Debug)]
pub enum HistoryCommand {
    /// A stored run's full report, rendered in any run format (with its notes)
    Show {
        /// The run id, part of it, or `last`
        run: String,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Per playbook and per cause: how often, how often the fixes worked,
    /// the median service time
    Stats {
        /// Only runs started within this long (30d) or since this date
        #[arg(long, value_name = "AGE|DATE", value_parser = parse_since)]
        since: Option<i64>,
        /// Output format
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Every stored run: JSON (reports, which `report merge` reads) or CSV (one row per run)
    Export {
        /// Output format
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// Only runs started within this long (30d) or since this date
        #[arg(long, value_name = "AGE|DATE", value_parser = parse_since)]
        since: Option<i64>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
}

#[derive(Args, Debug)]
pub struct NoteArgs {
    /// What was done: "replaced toner, cleared queue"
    #[arg(value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub text: String,
    /// The ticket's latest run (or, with no run for it yet, the ticket itself)
    #[arg(long, value_name = "ID")]
    pub ticket: Option<String>,
}

#[derive(Args, Debug)]
pub struct SuggestArgs {
    /// What the user said, in their words
    #[arg(required = true, value_name = "WORDS")]
    pub words: Vec<String>,
    /// How many playbooks to suggest
    #[arg(long, short = 'n', default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: u32,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

/// `--since`: an age (`7d`, `12h`) back from now, or a date (`2026-11-01`,
/// local midnight), as Unix seconds.
fn parse_since(text: &str) -> Result<i64, String> {
    if let Ok(d) = text.parse::<crate::values::Dur>() {
        return Ok(jiff::Timestamp::now().as_second() - d.0.as_secs() as i64);
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        return date
            .to_zoned(jiff::tz::TimeZone::system())
            .map(|z| z.timestamp().as_second())
            .map_err(|e| e.to_string());
    }
    Err(format!(
        "`{text}` is neither an age (7d, 12h) nor a date (2026-11-01)"
    ))
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// Merge the JSON reports of many machines into one summary: per host
    /// pass/warn/fail counts, per step which hosts did not pass
    Merge(MergeArgs),
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Report files, folders (every *.json below them) or globs
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Output format (CSV: one row per host and step)
    #[arg(long, value_enum, default_value_t = crate::merge::render::MergeFormat::Human)]
    pub format: crate::merge::render::MergeFormat,
}

/// `KEY=VALUE` for `--var`.
fn parse_var(text: &str) -> Result<(String, String), String> {
    let (k, v) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not KEY=VALUE (e.g. --var ticket=INC0042)"))?;
    if !crate::vars::is_valid_name(k.trim()) {
        return Err(format!(
            "`{k}` is not a valid variable name (letters, digits and _)"
        ));
    }
    Ok((k.trim().to_string(), v.to_string()))
}

/// `FORMAT=PATH` for `--report`.
fn parse_report(text: &str) -> Result<(Format, PathBuf), String> {
    let (f, p) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not FORMAT=PATH (e.g. --report json=report.json)"))?;
    let format = Format::from_str(f, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|v| v.get_name().to_string())
            .collect();
        format!(
            "unknown report format `{f}`; expected one of: {}",
            names.join(", ")
        )
    })?;
    if p.is_empty() {
        return Err("the report path is empty".into());
    }
    Ok((format, PathBuf::from(p)))
}

#[derive(Args, Debug)]
pub struct VarArgs {
    /// Set a playbook variable (repeatable): --var ticket=INC0042
    #[arg(long = "var", value_name = "KEY=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Playbook paths or names
    #[arg(required = true, value_name = "PLAYBOOK")]
    pub playbooks: Vec<String>,
    /// Show what would change; change nothing (fixes, cleanups and `changes` commands do not run)
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub vars: VarArgs,
    /// The ticket this run is for (e.g. INC0042): shown in the reports and
    /// available to playbooks as {{ ticket }} (same as --var ticket=)
    #[arg(long, value_name = "ID", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub ticket: Option<String>,
    /// Run only steps with this id or tag (repeatable)
    #[arg(long, value_name = "TAG|ID", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub only: Vec<String>,
    /// Skip steps with this id or tag (repeatable)
    #[arg(long, value_name = "TAG|ID", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub skip: Vec<String>,
    /// Output format on stdout
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also write the report to a file (repeatable): --report json=report.json
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report)]
    pub reports: Vec<(Format, PathBuf)>,
    /// Treat warnings as failures (exit 1)
    #[arg(long)]
    pub strict: bool,
    /// Do not record this run in the history (`supportctl history`)
    #[arg(long)]
    pub no_history: bool,
    /// How many independent read-only steps that compute or read disks may run at once
    #[arg(long, short = 'j', value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// How many independent network checks (dns, tcp, http, ping) may run at once: they wait, not compute.
    /// Lowered to what the open-file limit allows (`ulimit -n`)
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub net_jobs: u16,
    /// Print only steps that need attention and the summary
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print measurements, attempts and output for every step
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Playbook paths or names
    #[arg(required = true, value_name = "PLAYBOOK")]
    pub playbooks: Vec<String>,
    #[command(flatten)]
    pub vars: VarArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// Folder for the key files
    #[arg(long, default_value = ".")]
    pub dir: std::path::PathBuf,
    /// Base name of the key files
    #[arg(long, default_value = "supportctl")]
    pub name: String,
    /// Replace existing key files
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct SignArgs {
    /// Playbook files to sign
    #[arg(required = true)]
    pub playbooks: Vec<std::path::PathBuf>,
    /// The secret key (minisign format; encrypted keys read their password
    /// from SUPPORTCTL_KEY_PASSWORD)
    #[arg(long, short = 'k', default_value = "supportctl.key")]
    pub key: std::path::PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Print the policy in force and where it came from
    Show {
        /// Output format
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
}

#[derive(Args, Debug)]
pub struct RedactArgs {
    /// Files to redact, one after the other (standard input when none, or `-`)
    pub files: Vec<std::path::PathBuf>,
    /// Leave out the built-in secret rules (only the flags below run)
    #[arg(long)]
    pub no_builtin: bool,
    /// Pseudonymise e-mail addresses
    #[arg(long)]
    pub emails: bool,
    /// Pseudonymise IPv4 and IPv6 addresses
    #[arg(long)]
    pub ip: bool,
    /// Pseudonymise MAC addresses
    #[arg(long)]
    pub mac: bool,
    /// Pseudonymise this machine's host name (and each --hostname)
    #[arg(long)]
    pub hostnames: bool,
    /// Pseudonymise the current user's name and names in home-folder paths (and each --username)
    #[arg(long)]
    pub usernames: bool,
    /// Another host name to pseudonymise (repeatable)
    #[arg(long = "hostname", value_name = "NAME")]
    pub extra_hostnames: Vec<String>,
    /// Another user name to pseudonymise (repeatable)
    #[arg(long = "username", value_name = "NAME")]
    pub extra_usernames: Vec<String>,
    /// A word removed wherever it appears, case-insensitive (repeatable)
    #[arg(long = "keyword", value_name = "WORD")]
    pub keywords: Vec<String>,
    /// A regular expression whose matches are removed (repeatable)
    #[arg(long = "pattern", value_name = "REGEX")]
    pub patterns: Vec<String>,
    /// Print how many values each rule replaced to standard error
    #[arg(long)]
    pub stats: bool,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// Playbook path or name
    pub playbook: String,
    #[command(flatten)]
    pub vars: VarArgs,
}

#[derive(Args, Debug)]
pub struct FactsArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_vars_and_reports() {
        assert_eq!(
            parse_var("ticket=INC=1").unwrap(),
            ("ticket".into(), "INC=1".into())
        );
        assert!(parse_var("novalue").is_err());
        assert!(parse_var("bad name=1").is_err());
        assert_eq!(
            parse_report("JSON=out/r.json").unwrap(),
            (Format::Json, PathBuf::from("out/r.json"))
        );
        assert!(parse_report("xml=r.xml").unwrap_err().contains("junit"));
    }
}
