//! Markdown for tickets: a heading, a status table, next steps, and the
//! output of problem steps in collapsible blocks.

use std::io::{self, Write};

use super::human::summary_line;
use crate::report::{Report, Status};

fn icon(s: Status) -> &'static str {
    match s {
        Status::Pass => "✅ pass",
        Status::Fixed => "🛠️ fixed",
        Status::Skipped => "⏭️ skipped",
        Status::Warn => "⚠️ warn",
        Status::Fail => "❌ fail",
        Status::Error => "⛔ error",
    }
}

/// Makes text from playbooks, programs and logs inert in Markdown, on one
/// line: no HTML, headings, links, images, emphasis or table breaks can
/// reach the ticket (`\\ * _ [ ] # | ~` are escaped, `& < >` become
/// entities, line breaks become spaces).
pub fn cell(text: &str) -> String {
    let line = super::one_line(text);
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // Code spans (`…`) stay: they are inert and read well.
            '\\' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let h = &report.host;
    writeln!(
        out,
        "## supportctl report: {}",
        report
            .playbooks
            .iter()
            .map(|p| cell(&p.name))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "**Host:** {} · {} {} ({}) · **User:** {} · **Started:** {}{}",
        cell(&h.hostname),
        cell(&h.os_name),
        cell(&h.os_version),
        h.arch,
        cell(&h.user),
        report.started_at,
        if report.dry_run {
            " · **dry run**"
        } else {
            ""
        }
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "**Result:** {}",
        summary_line(&report.summary, report.duration_ms)
    )?;
    for pb in &report.playbooks {
        writeln!(out)?;
        writeln!(out, "### {}", cell(&pb.name))?;
        if let Some(d) = &pb.description {
            writeln!(out)?;
            writeln!(out, "{}", cell(d))?;
        }
        writeln!(out)?;
        writeln!(out, "| Status | Step | Result |")?;
        writeln!(out, "|---|---|---|")?;
        for s in &pb.steps {
            writeln!(
                out,
                "| {} | {} | {} |",
                icon(s.status),
                cell(&s.name),
                cell(&s.message)
            )?;
        }
        let advice: Vec<_> = pb.steps.iter().filter(|s| s.advice.is_some()).collect();
        if !advice.is_empty() {
            writeln!(out)?;
            writeln!(out, "**Next steps**")?;
            writeln!(out)?;
            for s in advice {
                writeln!(
                    out,
                    "- **{}**: {}",
                    cell(&s.name),
                    cell(s.advice.as_deref().unwrap_or_default())
                )?;
            }
        }
        let actions: Vec<_> = pb
            .steps
            .iter()
            .flat_map(|s| s.actions.iter().map(move |a| (s, a)))
            .collect();
        if !actions.is_empty() {
            writeln!(out)?;
            writeln!(
                out,
                "**Actions{}**",
                if report.dry_run {
                    " (dry run: not taken)"
                } else {
                    ""
                }
            )?;
            writeln!(out)?;
            for (s, a) in actions {
                writeln!(out, "- {}: {}", cell(&s.name), cell(a))?;
            }
        }
        for s in pb.steps.iter().filter(|s| {
            matches!(s.status, Status::Fail | Status::Error | Status::Warn) || s.show_output
        }) {
            let Some(o) = &s.output else { continue };
            let text = format!("{}{}", o.stdout, o.stderr);
            if text.trim().is_empty() {
                continue;
            }
            writeln!(out)?;
            writeln!(
                out,
                "<details><summary>Output of {}</summary>",
                cell(&s.name)
            )?;
            writeln!(out)?;
            // A fence longer than any run of backticks in the output.
            let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
            let fence = "`".repeat(longest.max(2) + 1);
            writeln!(
                out,
                "{fence}text\n{}\n{fence}",
                super::safe_text(text.trim_end())
            )?;
            writeln!(out)?;
            writeln!(out, "</details>")?;
        }
    }
    Ok(())
}
