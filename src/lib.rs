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

pub mod cli;
pub mod commands;
pub mod exit;
pub mod facts;
pub mod playbook;
pub mod process;
pub mod render;
pub mod report;
pub mod runner;
pub mod steps;
pub mod terminal;
pub mod vars;
pub mod version;

use clap::{CommandFactory, Parser};

use cli::{Cli, Command};

/// Parses the command line, runs the verb, and returns the exit code.
pub fn main_entry() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    let term = terminal::Terminal::detect(cli.color);
    colored::control::set_override(term.stdout_color);
    match &cli.command {
        Command::Run(args) => commands::run::run(args, &term),
        Command::Check(args) => commands::check::run(args, &term),
        Command::List(args) => commands::list::run(args),
        Command::Show(args) => commands::show::run(args, &term),
        Command::Facts(args) => commands::facts::run(args),
        Command::Schema => {
            print!("{}", playbook::schema::json());
            0
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "supportctl",
                &mut std::io::stdout(),
            );
            0
        }
        Command::Man => {
            match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("error: cannot write the man page: {e}");
                    exit::Exit::Errored.code()
                }
            }
        }
    }
}
