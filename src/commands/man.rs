//! `supportctl man [SUBCOMMAND...]`: the man pages, one per command, as
//! shipped in `man/` (`supportctl.1`, `supportctl-run.1`,
//! `supportctl-report-merge.1`, ...), so the references in each page
//! (`supportctl-run(1)`) name pages that exist.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit::Exit;

/// Every page: its file name (`supportctl-run.1`) and roff text, the main
/// page first, then each subcommand's, depth first.
pub fn pages() -> Vec<(String, Vec<u8>)> {
    let mut cmd = Cli::command();
    cmd.build();
    let cmd = hide_help(cmd);
    let mut out = Vec::new();
    collect(&cmd, &mut out);
    out
}

/// `supportctl help X` is `supportctl X --help`: no pages of its own, at
/// any level (`supportctl report help merge`).
fn hide_help(cmd: clap::Command) -> clap::Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
        .map(|s| s.get_name().to_string())
        .collect();
    let mut cmd = if cmd.find_subcommand("help").is_some() {
        cmd.mut_subcommand("help", |h| h.hide(true))
    } else {
        cmd
    };
    for name in names {
        cmd = cmd.mut_subcommand(name, hide_help);
    }
    cmd
}

fn collect(cmd: &clap::Command, out: &mut Vec<(String, Vec<u8>)>) {
    let name = cmd
        .get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_string();
    let mut roff = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .source(format!("supportctl {}", env!("CARGO_PKG_VERSION")))
        .render(&mut roff)
        .expect("rendering to memory cannot fail");
    out.push((format!("{name}.1"), roff));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, out);
    }
}

/// Prints the page of `path` (`[]` for supportctl itself, `["report", "merge"]`).
pub fn run(path: &[String]) -> i32 {
    let file = if path.is_empty() {
        "supportctl.1".to_string()
    } else {
        format!("supportctl-{}.1", path.join("-"))
    };
    let pages = pages();
    match pages.iter().find(|(name, _)| *name == file) {
        Some((_, roff)) => {
            crate::out!("{}", String::from_utf8_lossy(roff));
            0
        }
        None => {
            let known: Vec<String> = pages
                .iter()
                .filter_map(|(n, _)| n.strip_prefix("supportctl-")?.strip_suffix(".1"))
                .map(|n| n.replace('-', " "))
                .collect();
            crate::errln!(
                "error: no man page for `{}`\n  = help: pages: {}",
                path.join(" "),
                known.join(", ")
            );
            Exit::Invalid.code()
        }
    }
}
