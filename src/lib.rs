//! supportctl: declarative TOML playbooks for IT support technicians.
//!
//! Map of the crate (see also the README's "Code map"):
//! - [`cli`]: clap definitions; [`commands`]: one module per verb
//! - [`playbook`]: format, loading with located errors, search path, schema
//! - [`vars`]: `{{ name }}` templating; [`facts`]: system facts
//! - [`steps`]: one module per step kind, all implementing [`steps::Check`]
//! - [`runner`]: conditions, retries, fixes, scheduling, timeouts, progress
//! - [`report`]: the run's results as data; [`render`]: one module per format
//! - [`process`]: running programs with timeouts and capped output
//! - [`exit`]: exit codes; [`terminal`]: colour and progress decisions

pub mod bundle;
pub mod cancel;
pub mod cleanup;
pub mod cli;
pub mod commands;
pub mod dirwalk;
pub mod diskspace;
pub mod exit;
pub mod facts;
pub mod history;
pub mod http;
pub mod largest;
pub mod logscan;
pub mod merge;
pub mod net;
pub mod netfacts;
pub mod openfiles;
pub mod packages;
pub mod pathglob;
pub mod playbook;
pub mod policy;
pub mod privilege;
pub mod process;
pub mod processes;
pub mod progress;
pub mod redact;
pub mod render;
pub mod report;
pub mod runner;
pub mod safeopen;
pub mod secrets;
pub mod services;
pub mod signing;
pub mod sntp;
pub mod steps;
pub mod suggest;
pub mod terminal;
pub mod text;
pub mod textcodec;
pub mod values;
pub mod vars;
pub mod version;
pub mod wifi;

use clap::Parser;

use cli::{Cli, Command};

/// Parses the command line, runs the verb, and returns the exit code.
pub fn main_entry() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Under --format nagios an invalid invocation is UNKNOWN (3), not CRITICAL (2).
            let args: Vec<String> = std::env::args().collect();
            let nagios = args
                .windows(2)
                .any(|w| w[0] == "--format" && w[1] == "nagios")
                || args.iter().any(|a| a == "--format=nagios");
            return if nagios && e.exit_code() == 2 {
                3
            } else {
                e.exit_code()
            };
        }
    };
    let term = terminal::Terminal::detect(cli.color);
    colored::control::set_override(term.stdout_color);
    let code = run_command(&cli, &term);
    if terminal::stdout_failed() {
        errln!("error: could not write all output to stdout (disk full or stream closed)");
        return if code == 0 {
            exit::Exit::Errored.code()
        } else {
            code
        };
    }
    code
}

fn run_command(cli: &Cli, term: &terminal::Terminal) -> i32 {
    let term = *term;
    match &cli.command {
        Command::Run(args) => commands::run::run(args, &term),
        Command::Check(args) => commands::check::run(args, &term),
        Command::List(args) => commands::list::run(args),
        Command::Show(args) => commands::show::run(args, &term),
        Command::Facts(args) => commands::facts::run(args),
        Command::Report(crate::cli::ReportCommand::Merge(args)) => {
            commands::report::merge(args, &term)
        }
        Command::History(args) => commands::history::run(args, &term),
        Command::Note(args) => commands::history::note(args, &term),
        Command::Suggest(args) => commands::suggest::run(args),
        Command::Redact(args) => commands::redact::run(args, &term),
        Command::Keygen(args) => commands::sign::keygen(args, &term),
        Command::Sign(args) => commands::sign::sign(args, &term),
        Command::Policy(crate::cli::PolicyCommand::Show { format }) => {
            commands::sign::policy_show(*format, &term)
        }
        Command::Schema { report } => {
            if *report {
                crate::out!("{}", report::schema::json());
            } else {
                crate::out!("{}", playbook::schema::json());
            }
            0
        }
        Command::Completions { shell } => {
            out!(
                "{}",
                String::from_utf8_lossy(&commands::complete::script(*shell))
            );
            0
        }
        Command::Complete {
            what: crate::cli::CompleteWhat::Playbooks,
        } => commands::complete::playbooks(),
        Command::Man { command } => commands::man::run(command),
    }
}
