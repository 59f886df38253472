//! `supportctl run`: load, run, render, write report files, exit.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use super::{load_all, overrides, print_diagnostics, print_error};
use crate::cancel::Cancel;
use crate::cli::RunArgs;
use crate::exit::Exit;
use crate::facts::Facts;
use crate::playbook::diagnostic::did_you_mean;
use crate::progress::Progress;
use crate::redact::Redactor;
use crate::render::{self, Format, Style};
use crate::report::Report;
use crate::runner::{RunOptions, run_all};
use crate::terminal::Terminal;

/// Writes a file via a temporary file in the same directory and a rename,
/// so a reader never sees half a report.
///
/// The temporary file is randomly named and created exclusively, owner-only
/// (0600: reports describe the host), so links planted in the folder by
/// another user are never followed. Refuses to replace anything but a
/// regular file: a symlink, a device such as `/dev/full` or a FIFO at the
/// path is an error, never overwritten.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Ok(meta) = std::fs::symlink_metadata(path)
        && !meta.file_type().is_file()
    {
        return Err(std::io::Error::other(
            "it exists and is not a regular file (a link, folder or device); refusing to replace it",
        ));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Some(why) = crate::privilege::unsafe_output_dir(dir) {
        return Err(std::io::Error::other(format!(
            "running elevated, root does not write where another user controls the folder: {why}; write the report to a folder root owns (or /tmp)"
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Every string of the report through the bundles' built-in redaction and
/// the secret variables, before any renderer sees it: reports reach tickets,
/// terminals and fleet dashboards, and a secret in a command line, an
/// error or a program's output must not.
pub fn redact_report(report: Report) -> Report {
    let Ok(mut redactor) = Redactor::new(&Default::default(), "", "") else {
        return report;
    };
    let Ok(mut value) = serde_json::to_value(&report) else {
        return report;
    };
    redactor.json(&mut value, &mut Default::default());
    serde_json::from_value(value).unwrap_or(report)
}

/// Checks that each --only/--skip selector names some step id or tag.
fn unknown_selectors(args: &RunArgs, loaded: &super::Loaded) -> Vec<(String, String)> {
    let mut known: Vec<&str> = Vec::new();
    for pb in &loaded.playbooks {
        for s in &pb.steps {
            known.push(&s.id);
            known.extend(s.common.tags.iter().map(String::as_str));
        }
    }
    let mut bad = Vec::new();
    for (flag, list) in [("--only", &args.only), ("--skip", &args.skip)] {
        for sel in list.iter().filter(|s| !known.contains(&s.as_str())) {
            let hint = match did_you_mean(sel, known.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "`supportctl show PLAYBOOK` lists step ids and tags".into(),
            };
            bad.push((format!("{flag} `{sel}` matches no step id or tag"), hint));
        }
    }
    bad
}

pub fn run(args: &RunArgs, term: &Terminal) -> i32 {
    let nagios = args.format == Format::Nagios;
    let invalid = || if nagios { 3 } else { Exit::Invalid.code() };
    let facts = Arc::new(Facts::gather());
    let mut vars = overrides(&args.vars.vars);
    if let Some(t) = &args.ticket {
        vars.insert("ticket".into(), t.clone());
    }
    let ticket = vars.get("ticket").filter(|t| !t.is_empty()).cloned();
    let loaded = load_all(&args.playbooks, &facts, &vars);
    if nagios && loaded.has_errors() {
        crate::outln!("SUPPORTCTL UNKNOWN - invalid playbook or invocation (see stderr)");
    }
    if loaded.has_errors() {
        print_diagnostics(loaded.diagnostics(), term.stderr_color);
        return invalid();
    }
    let bad = unknown_selectors(args, &loaded);
    if nagios && !bad.is_empty() {
        crate::outln!("SUPPORTCTL UNKNOWN - invalid invocation (see stderr)");
    }
    if !bad.is_empty() {
        for (msg, hint) in &bad {
            print_error(msg, Some(hint), term.stderr_color);
        }
        return invalid();
    }
    // Report destinations are checked before anything runs: a missing
    // folder must not be found out after the fixes ran.
    for (format, path) in &args.reports {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let why = if !dir.is_dir() {
            Some(format!("the folder `{}` does not exist", dir.display()))
        } else {
            crate::privilege::unsafe_output_dir(dir)
        };
        if let Some(why) = why {
            if nagios {
                crate::outln!("SUPPORTCTL UNKNOWN - invalid invocation (see stderr)");
            }
            print_error(
                &format!(
                    "cannot write the {} report to {}: {why}",
                    format!("{format:?}").to_lowercase(),
                    path.display()
                ),
                Some("create the folder first, or choose another --report path; nothing was run"),
                term.stderr_color,
            );
            return invalid();
        }
    }
    let cancel = Cancel::new();
    {
        let cancel = cancel.clone();
        // A first Ctrl-C, SIGTERM or SIGHUP stops the run, kills running
        // programs and still reports; a second exits at once, killing them first.
        let _ = ctrlc::set_handler(move || {
            if cancel.cancel_run() {
                crate::process::kill_all();
                std::process::exit(Exit::Interrupted.code());
            }
        });
    }
    let opts = RunOptions {
        dry_run: args.dry_run,
        only: args.only.clone(),
        skip: args.skip.clone(),
        jobs: args.jobs as usize,
        net_jobs: crate::openfiles::net_jobs(args.net_jobs as usize),
        strict: args.strict,
        ticket,
    };
    let progress =
        Progress::new(term.show_progress() && args.format == Format::Human && !args.quiet);
    let report = redact_report(run_all(loaded.playbooks, facts, &opts, &cancel, &progress));
    // The history records the redacted report; it never stops the run.
    if !args.no_history {
        for warning in crate::history::record_run(&report) {
            print_error(&warning, None, term.stderr_color);
        }
    }
    let style = Style {
        color: term.stdout_color,
        verbose: args.verbose,
        quiet: args.quiet,
    };
    let mut exit = if nagios {
        Exit::nagios(&report.summary, report.strict, report.interrupted)
    } else {
        report.exit_code
    };
    for (format, path) in &args.reports {
        let mut bytes = Vec::new();
        let plain = Style {
            color: false,
            ..style
        };
        let written = render::render(*format, &report, plain, &mut bytes)
            .and_then(|()| write_atomically(path, &bytes));
        if let Err(e) = written {
            print_error(
                &format!(
                    "cannot write the {} report to {}: {e}",
                    format!("{format:?}").to_lowercase(),
                    path.display()
                ),
                Some("check that the folder exists and is writable"),
                term.stderr_color,
            );
            if !nagios {
                exit = Exit::from_summary(&report.summary, report.strict, report.interrupted)
                    .merge(Exit::Errored)
                    .code();
            }
        }
    }
    // Stdout last: a closed stdout (`| head`) ends the process (SIGPIPE), and
    // the report files above must not be lost with it.
    {
        let mut out = std::io::stdout().lock();
        let written =
            render::render(args.format, &report, style, &mut out).and_then(|()| out.flush());
        if let Err(e) = written
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            crate::terminal::note_stdout_failure();
            print_error(
                &format!("cannot write the report to stdout: {e}"),
                None,
                term.stderr_color,
            );
        }
    }
    exit
}
