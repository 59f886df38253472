//! Plain text for ticket systems without Markdown (`--format ticket`): the
//! same note as the Markdown report — conclusion, facts, steps that need
//! attention with their next steps, then the others — with no markup, one
//! value per line, control characters made visible.

use std::io::{self, Write};

use super::Style;
use super::human::{hidden_skip, summary_line};
use super::markdown::{facts, needs_attention};
use crate::report::{Report, StepOutcome};

fn line(s: &StepOutcome) -> String {
    format!(
        "- [{}] {}: {}",
        s.status.as_str().to_uppercase(),
        super::one_line(&s.name),
        super::one_line(&s.message)
    )
}

pub fn render(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let names: Vec<&str> = report.playbooks.iter().map(|p| p.name.as_str()).collect();
    let title = format!("supportctl report: {}", super::one_line(&names.join(", ")));
    writeln!(out, "{title}")?;
    writeln!(out, "{}", "=".repeat(title.chars().count()))?;
    let multi = report.playbooks.len() > 1;
    for c in &report.conclusions {
        writeln!(out)?;
        for (i, (label, text)) in super::conclusion::lines(c).into_iter().enumerate() {
            let text = super::one_line(&text);
            match (i, multi) {
                (0, true) => writeln!(
                    out,
                    "{} ({}): {text}",
                    label.to_uppercase(),
                    super::one_line(&c.playbook)
                )?,
                (0, false) => writeln!(out, "{}: {text}", label.to_uppercase())?,
                _ => writeln!(out, "  {label}: {text}")?,
            }
        }
    }
    writeln!(out)?;
    for (label, text) in facts(report, jiff::tz::TimeZone::system()) {
        writeln!(out, "{label}: {}", super::one_line(&text))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Result: {}",
        summary_line(&report.summary, report.duration_ms)
    )?;
    for pb in &report.playbooks {
        writeln!(out)?;
        let name = super::one_line(&pb.name);
        let attention: Vec<&StepOutcome> = pb.steps.iter().filter(|s| needs_attention(s)).collect();
        if attention.is_empty() {
            writeln!(out, "{name}: every step ended well.")?;
        } else {
            writeln!(out, "Needs attention ({name}):")?;
            for s in attention {
                writeln!(out, "{}", line(s))?;
                if let Some(a) = &s.advice {
                    writeln!(out, "    Next step: {}", super::one_line(a))?;
                }
                for a in &s.actions {
                    writeln!(out, "    Action: {}", super::one_line(a))?;
                }
            }
        }
        let others: Vec<&StepOutcome> = pb
            .steps
            .iter()
            .filter(|s| !needs_attention(s) && !hidden_skip(s, style))
            .collect();
        if !others.is_empty() {
            writeln!(out)?;
            writeln!(out, "Other steps ({name}):")?;
            for s in others {
                writeln!(out, "{}", line(s))?;
            }
        }
        let hidden = pb.steps.iter().filter(|s| hidden_skip(s, style)).count();
        if hidden > 0 {
            writeln!(
                out,
                "({hidden} step{} skipped: another OS, or not selected)",
                if hidden == 1 { "" } else { "s" }
            )?;
        }
    }
    Ok(())
}
