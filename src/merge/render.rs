//! Drawing a [`Merged`] report: human, JSON, Markdown, CSV.
//!
//! CSV has one row per host and step
//! (`host,run_id,playbook,step,status,message,reason`), ready for a
//! spreadsheet's filter; the other formats show per-host counts, then for
//! each step the hosts that did not pass and how many for each reason
//! ("12 hosts: cert_expired"), then the conclusions with their hosts.

use std::io::{self, Write};

use super::{Hosts, Merged};
use crate::render::markdown::cell;
use crate::render::one_line;
use crate::report::Status;

/// Output formats of `report merge`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MergeFormat {
    Human,
    Json,
    Markdown,
    Csv,
}

/// The statuses that need attention, worst first.
const ATTENTION: [Status; 3] = [Status::Fail, Status::Error, Status::Warn];

/// The steps that failed, errored or warned on some host.
fn needing_attention(m: &Merged) -> Vec<&super::StepAcross> {
    m.steps
        .iter()
        .filter(|s| ATTENTION.iter().any(|&a| s.hosts.count(a) > 0))
        .collect()
}

pub fn render(m: &Merged, format: MergeFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        MergeFormat::Human => human(m, out),
        MergeFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, m)?;
            writeln!(out)
        }
        MergeFormat::Markdown => markdown(m, out),
        MergeFormat::Csv => csv(m, out),
    }
}

fn counts(s: &crate::report::Summary) -> String {
    format!(
        "{} pass, {} fixed, {} warn, {} fail, {} error, {} skipped",
        s.pass, s.fixed, s.warn, s.fail, s.error, s.skipped
    )
}

/// "1 host", "12 hosts".
fn hosts_count(n: usize) -> String {
    format!("{n} host{}", if n == 1 { "" } else { "s" })
}

/// Reasons with their hosts, the most hosts first.
fn by_hosts(reasons: &std::collections::BTreeMap<String, Hosts>) -> Vec<(&String, &Hosts)> {
    let mut list: Vec<_> = reasons.iter().collect();
    list.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    list
}

fn cleared_note(c: &super::ConclusionAcross) -> String {
    if c.cleared.is_empty() {
        String::new()
    } else {
        format!(" (cleared by its fix on {})", c.cleared.len())
    }
}

fn human(m: &Merged, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{} host(s): {}", m.machines(), counts(&m.summary))?;
    let width = (0..m.host_count() as u32)
        .map(|h| m.name(h).len())
        .max()
        .unwrap_or(4);
    for h in m.hosts() {
        let h = h?;
        writeln!(
            out,
            "  {:width$}  exit {:<3}  {}  ({}, {})",
            one_line(&h.host),
            h.exit_code,
            counts(&h.summary),
            one_line(&h.playbooks.join(", ")),
            one_line(&h.started_at)
        )?;
    }
    let attention = needing_attention(m);
    if !attention.is_empty() {
        writeln!(out, "\nSteps that did not pass everywhere:")?;
        for s in attention {
            writeln!(out, "  {} / {}", one_line(&s.playbook), one_line(&s.step))?;
            for status in ATTENTION {
                if s.hosts.count(status) > 0 {
                    let hosts = m.joined(s.hosts.hosts(status));
                    writeln!(out, "    {:5} {}", status.as_str(), one_line(&hosts))?;
                }
            }
            for (reason, hosts) in by_hosts(&s.reasons) {
                writeln!(
                    out,
                    "    {}: {}",
                    hosts_count(hosts.len()),
                    one_line(reason)
                )?;
            }
        }
    }
    if !m.conclusions.is_empty() {
        writeln!(out, "\nConclusions:")?;
        for c in &m.conclusions {
            writeln!(
                out,
                "  {}: {} — {}{} ({})",
                hosts_count(c.hosts.len()),
                one_line(&c.playbook),
                one_line(&c.summary),
                cleared_note(c),
                one_line(&m.joined(c.hosts.iter().copied()))
            )?;
        }
    }
    // Counted first, then listed: the hosts are read back twice rather
    // than held.
    let mut unsigned = 0;
    for h in m.hosts() {
        unsigned += usize::from(!h?.unsigned.is_empty());
    }
    if unsigned > 0 {
        writeln!(out, "\nUnsigned playbooks ran on {unsigned} host(s):")?;
        for h in m.hosts() {
            let h = h?;
            if h.unsigned.is_empty() {
                continue;
            }
            writeln!(
                out,
                "  {}: {}",
                one_line(&h.host),
                one_line(&h.unsigned.join(", "))
            )?;
        }
    }
    if !m.problems.is_empty() {
        writeln!(out, "\nNot counted:")?;
        for p in &m.problems {
            writeln!(out, "  {}: {}", one_line(&p.source), one_line(&p.problem))?;
        }
    }
    Ok(())
}

fn markdown(m: &Merged, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## {} host(s): {}\n", m.machines(), counts(&m.summary))?;
    writeln!(
        out,
        "| host | playbooks | exit | pass | fixed | warn | fail | error | skipped | started |"
    )?;
    writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|")?;
    for h in m.hosts() {
        let h = h?;
        let s = &h.summary;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&h.host),
            cell(&h.playbooks.join(", ")),
            h.exit_code,
            s.pass,
            s.fixed,
            s.warn,
            s.fail,
            s.error,
            s.skipped,
            cell(&h.started_at)
        )?;
    }
    let attention = needing_attention(m);
    if attention.is_empty() {
        writeln!(
            out,
            "\nEvery step passed, was fixed or was skipped on every host."
        )?;
    } else {
        writeln!(out, "\n| playbook | step | fail | error | warn | why |")?;
        writeln!(out, "|---|---|---|---|---|---|")?;
    }
    for s in attention {
        let list = |status| cell(&m.joined(s.hosts.hosts(status)));
        let why: Vec<String> = by_hosts(&s.reasons)
            .into_iter()
            .map(|(reason, hosts)| format!("{}: {}", hosts_count(hosts.len()), reason))
            .collect();
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&s.playbook),
            cell(&s.step),
            list(Status::Fail),
            list(Status::Error),
            list(Status::Warn),
            cell(&why.join(", "))
        )?;
    }
    if !m.conclusions.is_empty() {
        writeln!(out, "\n| hosts | playbook | conclusion | which hosts |")?;
        writeln!(out, "|---:|---|---|---|")?;
        for c in &m.conclusions {
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                c.hosts.len(),
                cell(&c.playbook),
                cell(&format!("{}{}", c.summary, cleared_note(c))),
                cell(&m.joined(c.hosts.iter().copied()))
            )?;
        }
    }
    if !m.problems.is_empty() {
        writeln!(out, "\n**Not counted:**\n")?;
        for p in &m.problems {
            writeln!(
                out,
                "- `{}`: {}",
                p.source.replace('`', "'"),
                cell(&p.problem)
            )?;
        }
    }
    Ok(())
}

/// A CSV field (RFC 4180): quoted when it holds a comma, quote or line
/// break; a leading `=`, `+`, `-`, `@`, TAB or CR is prefixed with `'` so a
/// spreadsheet does not run it as a formula (OWASP's CSV-injection list).
pub fn csv_field(text: &str) -> String {
    // Report text may hold terminal control sequences: never in the CSV.
    let text = &crate::text::safe_text(text);
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn csv(m: &Merged, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "host,run_id,playbook,step,status,message,reason")?;
    // A host may appear once per set of playbooks it ran: each run's own steps.
    for h in m.hosts() {
        let h = h?;
        for note in m.notes(&h) {
            writeln!(
                out,
                "{},{},{},{},{},{},{}",
                csv_field(&h.host),
                csv_field(&h.run_id),
                csv_field(&note.step.playbook),
                csv_field(&note.step.step),
                note.status.as_str(),
                csv_field(note.message),
                csv_field(note.reason.unwrap_or_default())
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formula_safe() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
