//! `supportctl history` (recent runs, `show`, `stats`, `export`) and
//! `supportctl note`: the machine's problems-and-solutions log, printed.

use crate::cli::{ExportFormat, HistoryArgs, HistoryCommand, ListFormat, NoteArgs, RunStatus};
use crate::commands::print_error;
use crate::exit::Exit;
use crate::history::query::{Filter, RunLine, Stats};
use crate::history::{self, History};
use crate::merge::render::csv_field;
use crate::render::{self, Style, one_line};
use crate::terminal::Terminal;
use crate::values::human_duration;

/// Opens the history for reading or a note, printing why when it cannot.
fn open(term: &Terminal) -> Option<History> {
    let path = match history::default_path() {
        Ok(p) => p,
        Err(e) => {
            print_error(&e, None, term.stderr_color);
            return None;
        }
    };
    let (h, warnings) = history::open(&path);
    for w in warnings {
        print_error(&w, None, term.stderr_color);
    }
    match h {
        Ok(h) => Some(h),
        Err(e) => {
            print_error(
                &format!("cannot open the history: {e}"),
                Some(
                    "runs are recorded per user, or in /var/lib/supportctl (%ProgramData%\\supportctl) when elevated; SUPPORTCTL_HISTORY names another file",
                ),
                term.stderr_color,
            );
            None
        }
    }
}

fn ms(ms: i64) -> String {
    human_duration(std::time::Duration::from_millis(ms.max(0) as u64))
}

/// `2026-11-28 09:14` in the machine's zone.
fn local(started_at: &str) -> String {
    started_at
        .parse::<jiff::Timestamp>()
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::system())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| one_line(started_at))
}

fn line(r: &RunLine) -> String {
    let mut parts = vec![
        local(&r.started_at),
        format!("{:<6}", r.status),
        format!("{:>7}", ms(r.duration_ms)),
        one_line(&r.playbooks),
    ];
    if let Some(t) = &r.ticket {
        parts.push(one_line(t));
    }
    if r.dry_run {
        parts.push("[dry run]".into());
    }
    if let Some(c) = &r.conclusion {
        parts.push(one_line(c));
    }
    if r.notes > 0 {
        parts.push(format!(
            "({} note{})",
            r.notes,
            if r.notes == 1 { "" } else { "s" }
        ));
    }
    parts.push(format!("run {}", one_line(&r.run_id)));
    parts.join("  ")
}

pub fn run(args: &HistoryArgs, term: &Terminal) -> i32 {
    let Some(h) = open(term) else {
        return Exit::Errored.code();
    };
    match &args.command {
        None => list(&h, args, term),
        Some(HistoryCommand::Show { run, format }) => match h.report(run) {
            Ok(report) => {
                let style = Style {
                    color: term.stdout_color,
                    ..Style::default()
                };
                let mut out = std::io::stdout().lock();
                let _ = render::render(*format, &report, style, &mut out);
                0
            }
            Err(e) => {
                print_error(
                    &e,
                    Some("`supportctl history` lists the runs"),
                    term.stderr_color,
                );
                Exit::Invalid.code()
            }
        },
        Some(HistoryCommand::Stats { since, format }) => match h.stats(*since) {
            Ok(stats) => {
                match format {
                    ListFormat::Json => {
                        crate::outln!(
                            "{}",
                            serde_json::to_string_pretty(&stats).unwrap_or_default()
                        )
                    }
                    ListFormat::Human => print_stats(&stats),
                }
                0
            }
            Err(e) => {
                print_error(&e, None, term.stderr_color);
                Exit::Errored.code()
            }
        },
        Some(HistoryCommand::Export { format, since }) => match h.export(*since) {
            Ok(reports) => {
                match format {
                    ExportFormat::Json => crate::outln!(
                        "{}",
                        serde_json::to_string_pretty(&serde_json::json!({
                            "tool": "supportctl",
                            "history": reports,
                        }))
                        .unwrap_or_default()
                    ),
                    ExportFormat::Csv => print_csv(&reports),
                }
                0
            }
            Err(e) => {
                print_error(&e, None, term.stderr_color);
                Exit::Errored.code()
            }
        },
    }
}

fn list(h: &History, args: &HistoryArgs, term: &Terminal) -> i32 {
    let a = &args.list;
    let filter = Filter {
        ticket: a.ticket.clone(),
        playbook: a.playbook.clone(),
        since: a.since,
        status: a.status.map(|s| {
            match s {
                RunStatus::Pass => "pass",
                RunStatus::Fixed => "fixed",
                RunStatus::Warn => "warn",
                RunStatus::Fail => "fail",
                RunStatus::Error => "error",
            }
            .to_string()
        }),
        limit: a.limit as usize,
    };
    match h.list(&filter) {
        Ok(runs) => {
            match a.format {
                ListFormat::Json => {
                    crate::outln!(
                        "{}",
                        serde_json::to_string_pretty(&runs).unwrap_or_default()
                    )
                }
                ListFormat::Human if runs.is_empty() => {
                    crate::outln!(
                        "no runs recorded{}",
                        if a.ticket.is_some()
                            || a.playbook.is_some()
                            || a.since.is_some()
                            || a.status.is_some()
                        {
                            " that match"
                        } else {
                            ""
                        }
                    )
                }
                ListFormat::Human => {
                    for r in &runs {
                        crate::outln!("{}", line(r));
                    }
                }
            }
            0
        }
        Err(e) => {
            print_error(&e, None, term.stderr_color);
            Exit::Errored.code()
        }
    }
}

fn print_stats(s: &Stats) {
    crate::outln!(
        "{} run{} recorded",
        s.runs,
        if s.runs == 1 { "" } else { "s" }
    );
    if !s.playbooks.is_empty() {
        let w = s
            .playbooks
            .iter()
            .map(|p| p.playbook.chars().count())
            .max()
            .unwrap_or(8)
            .max(8);
        crate::outln!();
        crate::outln!(
            "{:<w$}  {:>5}  {:>6}  {:>5}  {:>11}",
            "playbook",
            "runs",
            "failed",
            "fixed",
            "median time"
        );
        for p in &s.playbooks {
            crate::outln!(
                "{:<w$}  {:>5}  {:>6}  {:>5}  {:>11}",
                one_line(&p.playbook),
                p.runs,
                p.failed,
                p.fixed,
                ms(p.median_ms)
            );
        }
    }
    if !s.causes.is_empty() {
        let label = |c: &crate::history::query::CauseStats| {
            format!(
                "{} / {}",
                one_line(&c.playbook),
                if c.cause.is_empty() {
                    "(no known cause)"
                } else {
                    &c.cause
                }
            )
        };
        let w = s
            .causes
            .iter()
            .map(|c| label(c).chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        crate::outln!();
        crate::outln!(
            "{:<w$}  {:>5}  {:>11}  {:>12}",
            "cause",
            "seen",
            "fixes tried",
            "fix cleared"
        );
        for c in &s.causes {
            let rate = if c.fixes_tried > 0 {
                format!("{} ({}%)", c.cleared, c.cleared * 100 / c.fixes_tried)
            } else {
                c.cleared.to_string()
            };
            crate::outln!(
                "{:<w$}  {:>5}  {:>11}  {:>12}",
                label(c),
                c.seen,
                c.fixes_tried,
                rate
            );
        }
    }
}

fn print_csv(reports: &[crate::report::Report]) {
    crate::outln!(
        "started_at,run_id,host,user,playbooks,status,exit_code,duration_ms,ticket,conclusion,notes"
    );
    for r in reports {
        let playbooks: Vec<&str> = r.playbooks.iter().map(|p| p.name.as_str()).collect();
        let notes: Vec<&str> = r.notes.iter().map(|n| n.text.as_str()).collect();
        crate::outln!(
            "{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&r.started_at),
            csv_field(&r.run_id),
            csv_field(&r.host.hostname),
            csv_field(&r.host.user),
            csv_field(&playbooks.join(" ")),
            history::run_status(r),
            r.exit_code,
            r.duration_ms,
            csv_field(r.ticket.as_deref().unwrap_or_default()),
            csv_field(r.conclusions.first().map_or("", |c| c.summary.as_str())),
            csv_field(&notes.join(" | "))
        );
    }
}

pub fn note(args: &NoteArgs, term: &Terminal) -> i32 {
    let Some(h) = open(term) else {
        return Exit::Errored.code();
    };
    let latest = match h.latest(args.ticket.as_deref()) {
        Ok(l) => l,
        Err(e) => {
            print_error(&e, None, term.stderr_color);
            return Exit::Errored.code();
        }
    };
    if latest.is_none() && args.ticket.is_none() {
        print_error(
            "the history has no run to attach the note to",
            Some("run a playbook first, or give --ticket to note a ticket"),
            term.stderr_color,
        );
        return Exit::Invalid.code();
    }
    // A note is a technician's words: secrets in it are scrubbed like the report's.
    let text = crate::commands::redact_text(&args.text);
    let author = crate::facts::current_user();
    match h.add_note(
        latest.as_ref().map(|l| l.0),
        args.ticket.as_deref(),
        &author,
        &text,
    ) {
        Ok(()) => {
            match (&latest, &args.ticket) {
                (Some((_, run)), _) => crate::outln!("noted on run {}", one_line(run)),
                (None, Some(t)) => {
                    crate::outln!("noted on ticket {} (no run for it yet)", one_line(t))
                }
                (None, None) => {}
            }
            0
        }
        Err(e) => {
            print_error(
                &format!("cannot write the note: {e}"),
                None,
                term.stderr_color,
            );
            Exit::Errored.code()
        }
    }
}
