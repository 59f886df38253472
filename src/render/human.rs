//! The terminal report: one aligned line per step, details under problems,
//! and a summary line.
//!
//! ```text
//! quick-health — A quick look at this machine's health
//!   ✔ pass   uptime        up 3 days, 2 users, load average: 0.52
//!   ✘ fail   dns-config    stdout does not contain `nameserver`
//!            → Check the network adapter's DNS settings.
//!
//! 5 steps: 3 passed, 1 failed, 1 skipped in 1.2s
//! ```
//! Skipped steps that did nothing are counted but listed only with `-v`.
//! `-q` prints only steps that need attention and the summary; `-v` adds
//! skipped steps, measurements, attempts and the output of every step.

use std::io::{self, Write};

use colored::{ColoredString, Colorize};

use super::{Style, measurement_text, one_line, safe_text};
use crate::report::{Report, Status, StepOutcome, Summary};
use crate::values::human_duration;

fn mark(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Pass => ("✔", "pass"),
        Status::Fixed => ("✚", "fixed"),
        Status::Skipped => ("○", "skip"),
        Status::Warn => ("⚠", "warn"),
        Status::Fail => ("✘", "fail"),
        Status::Error => ("✖", "error"),
    }
}

fn paint(text: &str, status: Status, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let c: ColoredString = match status {
        Status::Pass | Status::Fixed => text.green(),
        Status::Skipped => text.dimmed(),
        Status::Warn => text.yellow(),
        Status::Fail | Status::Error => text.red().bold(),
    };
    c.to_string()
}

/// Skipped steps that did nothing (other OS, not selected...) are listed only with `-v`.
pub(super) fn hidden_skip(step: &StepOutcome, style: Style) -> bool {
    step.status == Status::Skipped && step.actions.is_empty() && !style.verbose
}

fn needs_attention(s: Status) -> bool {
    matches!(
        s,
        Status::Warn | Status::Fail | Status::Error | Status::Fixed
    )
}

/// At most `n` lines of `text`, the last ones (where errors usually are).
fn tail_lines(text: &str, n: usize) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].to_vec()
}

fn details(step: &StepOutcome, style: Style, indent: &str, out: &mut dyn Write) -> io::Result<()> {
    let problem = matches!(step.status, Status::Warn | Status::Fail | Status::Error);
    if style.verbose || problem || step.status == Status::Fixed {
        for a in &step.attempts {
            writeln!(
                out,
                "{indent}· {} {}: {}",
                a.label,
                a.status.as_str(),
                one_line(&a.message)
            )?;
        }
    }
    for action in &step.actions {
        writeln!(out, "{indent}• {}", one_line(action))?;
    }
    if style.verbose && !step.measurements.is_empty() {
        let ms: Vec<String> = step
            .measurements
            .iter()
            .map(|m| format!("{}={}", m.name, measurement_text(m)))
            .collect();
        writeln!(out, "{indent}{}", ms.join("  "))?;
    }
    if let Some(output) = &step.output
        && (problem || step.show_output || style.verbose)
    {
        let limit = if style.verbose || step.show_output {
            200
        } else {
            20
        };
        for (name, text) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            if text.trim().is_empty() {
                continue;
            }
            let lines = tail_lines(text, limit);
            let total = text.lines().count();
            let label = if total > lines.len() {
                format!("{name} (last {} of {total} lines)", lines.len())
            } else {
                name.to_string()
            };
            writeln!(out, "{indent}┌ {label}")?;
            for line in lines {
                writeln!(out, "{indent}│ {}", safe_text(line))?;
            }
        }
    }
    if let Some(advice) = &step.advice {
        let arrow = if style.color {
            "→".cyan().bold().to_string()
        } else {
            "→".into()
        };
        writeln!(out, "{indent}{arrow} {}", one_line(advice))?;
    }
    Ok(())
}

/// The summary line: `5 steps: 3 passed, 1 failed, 1 skipped in 1.2s`.
pub fn summary_line(s: &Summary, duration_ms: u64) -> String {
    let parts: Vec<String> = [
        (s.pass, "passed"),
        (s.fixed, "fixed"),
        (s.warn, "warned"),
        (s.fail, "failed"),
        (s.error, "errored"),
        (s.skipped, "skipped"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, w)| format!("{n} {w}"))
    .collect();
    let steps = if s.total == 1 { "step" } else { "steps" };
    format!(
        "{} {steps}: {} in {}",
        s.total,
        if parts.is_empty() {
            "none ran".to_string()
        } else {
            parts.join(", ")
        },
        human_duration(std::time::Duration::from_millis(duration_ms))
    )
}

pub fn render(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    for pb in &report.playbooks {
        let title = match &pb.description {
            Some(d) => one_line(&format!("{} — {d}", pb.name)),
            None => one_line(&pb.name),
        };
        let dry = if report.dry_run { " (dry run)" } else { "" };
        writeln!(
            out,
            "{}{dry}",
            if style.color {
                title.bold().to_string()
            } else {
                title
            }
        )?;
        // The name column fits the shown names up to 32 characters; a longer
        // name gets its own line, and its message starts under the column.
        let width = pb
            .steps
            .iter()
            .filter(|s| !hidden_skip(s, style))
            .map(|s| one_line(&s.name).chars().count())
            .max()
            .unwrap_or(0)
            .min(32);
        for step in &pb.steps {
            if style.quiet && !needs_attention(step.status) {
                // Quiet still names what was written (a bundle's path is the
                // one thing the technician needs from a passing step).
                for a in step.actions.iter().filter(|a| a.starts_with("wrote ")) {
                    writeln!(out, "  {}", one_line(a))?;
                }
                continue;
            }
            if hidden_skip(step, style) {
                continue;
            }
            let (sym, word) = mark(step.status);
            let label = paint(&format!("{sym} {word:<5}"), step.status, style.color);
            let message = one_line(&step.message);
            let message = if step.status == Status::Skipped && style.color {
                message.dimmed().to_string()
            } else {
                message
            };
            let name = one_line(&step.name);
            if name.chars().count() > width {
                writeln!(out, "  {label}  {name}")?;
                writeln!(out, "{}{message}", " ".repeat(width + 13))?;
            } else {
                writeln!(out, "  {label}  {name:<width$}  {message}")?;
            }
            details(step, style, &" ".repeat(width + 13), out)?;
        }
        if report.playbooks.len() > 1 {
            writeln!(out, "  {}", summary_line(&pb.summary, pb.duration_ms))?;
        }
        writeln!(out)?;
    }
    let line = summary_line(&report.summary, report.duration_ms);
    let line = if report.interrupted {
        format!("interrupted: {line}")
    } else {
        line
    };
    let hidden = report
        .steps()
        .filter(|(_, s)| hidden_skip(s, style))
        .count();
    let line = if hidden > 0 {
        format!("{line} (-v lists the {hidden} skipped)")
    } else {
        line
    };
    writeln!(out, "{}", paint(&line, report.summary.worst(), style.color))?;
    conclusions(report, style, out)
}

/// The conclusions, last: what a technician reads out to the user.
fn conclusions(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let multi = report.playbooks.len() > 1;
    for c in &report.conclusions {
        writeln!(out)?;
        for (i, (label, text)) in super::conclusion::lines(c).into_iter().enumerate() {
            let text = one_line(&text);
            if i == 0 {
                let head = if multi {
                    format!("{label} ({}):", one_line(&c.playbook))
                } else {
                    format!("{label}:")
                };
                let head = if style.color {
                    head.bold().to_string()
                } else {
                    head
                };
                writeln!(out, "{head} {text}")?;
            } else {
                writeln!(out, "  {label}: {text}")?;
            }
        }
    }
    Ok(())
}
