//! Markdown for tickets, read as a finished ticket note: the conclusion,
//! the facts (ticket, host, OS, user, addresses, gateway, DNS servers), the
//! steps that need attention with next steps, actions and output, then the
//! other steps folded in a `<details>` block.

use std::io::{self, Write};

use super::Style;
use super::human::{hidden_skip, summary_line};
use crate::report::{Report, Status, StepOutcome};

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

/// Inline Markdown that a reader sees as exactly `text` (on one line):
/// no HTML, headings, links, images, emphasis, list markers or table
/// breaks can reach the ticket. Outside code spans `\\ * _ [ ] # | ~ ` `
/// are backslash-escaped and `& < >` become entities; a code span the
/// text already holds (`` `ipconfig /all` ``) stays a code span, its content
/// untouched (Markdown shows code spans verbatim, so escaping inside them
/// would show the escapes). Line breaks become spaces.
pub fn cell(text: &str) -> String {
    let line = super::one_line(text);
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line.as_str();
    while !rest.is_empty() {
        if let Some((span, after)) = code_span(rest) {
            out.push_str(span);
            rest = after;
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '`' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    // A line that starts like a list item, quote or heading underline
    // (`- x`, `+ x`, `1. x`, `2) x`, `===`) would be read as one.
    let digits = out.bytes().take_while(u8::is_ascii_digit).count();
    if out.starts_with(['-', '+', '=']) {
        out.insert(0, '\\');
    } else if digits > 0
        && matches!(out.as_bytes().get(digits), Some(b'.' | b')'))
        && matches!(out.as_bytes().get(digits + 1), None | Some(b' '))
    {
        out.insert(digits, '\\');
    }
    out
}

/// The code span `text` starts with, if any: a run of backticks closed by a
/// run of the same length, with content that needs no escaping (no `|`,
/// which would end a table cell, and not space-padded, which Markdown trims).
fn code_span(text: &str) -> Option<(&str, &str)> {
    let n = text.bytes().take_while(|&b| b == b'`').count();
    if n == 0 {
        return None;
    }
    let body = &text[n..];
    let mut at = 0;
    while let Some(found) = body[at..].find('`') {
        let start = at + found;
        let run = body[start..].bytes().take_while(|&b| b == b'`').count();
        if run == n {
            let content = &body[..start];
            let padded = content.starts_with(' ') && content.ends_with(' ');
            if content.is_empty() || content.contains('|') || padded {
                return None;
            }
            let end = n + start + n;
            return Some((&text[..end], &text[end..]));
        }
        at = start + run;
    }
    None
}

/// Text inside an HTML element (a `<summary>`): Markdown is not read
/// there, so only `& < > "` are escaped, as entities.
fn html(text: &str) -> String {
    super::one_line(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// When the run started, in the machine's local time to the second with
/// its offset (`2026-11-28 09:14:03 +01:00`), as a ticket reader reads it
/// (unescaped text; unreadable times are shown as given).
pub(super) fn local_time_text(started_at: &str, zone: jiff::tz::TimeZone) -> String {
    match started_at.parse::<jiff::Timestamp>() {
        Ok(t) => t
            .to_zoned(zone)
            .strftime("%Y-%m-%d %H:%M:%S %:z")
            .to_string(),
        Err(_) => started_at.to_string(),
    }
}

/// "192.168.1.20/24 (eth0), fe80::1/64 (eth0)": the addresses of the
/// interfaces that are up, loopback left out.
pub(super) fn addresses(net: &crate::report::Network) -> String {
    net.interfaces
        .iter()
        .flat_map(|i| i.addresses.iter().map(move |a| format!("{a} ({})", i.name)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The facts a ticket wants, as (label, text): ticket, host, OS, user,
/// start, then the network (addresses, gateway, DNS servers).
pub(super) fn facts(report: &Report, zone: jiff::tz::TimeZone) -> Vec<(&'static str, String)> {
    let h = &report.host;
    let mut out = Vec::new();
    if let Some(t) = &report.ticket {
        out.push(("Ticket", t.clone()));
    }
    out.push(("Host", h.hostname.clone()));
    out.push(("OS", format!("{} {} ({})", h.os_name, h.os_version, h.arch)));
    out.push(("User", h.user.clone()));
    out.push(("Started", local_time_text(&report.started_at, zone)));
    if let Some(net) = &report.network {
        let ips = addresses(net);
        out.push((
            "IP addresses",
            if ips.is_empty() { "none".into() } else { ips },
        ));
        let gateway = match (&net.gateway, &net.gateway_interface) {
            (Some(g), Some(i)) => format!("{g} ({i})"),
            (Some(g), None) => g.to_string(),
            (None, _) => "none".into(),
        };
        out.push(("Gateway", gateway));
        let dns = &net.dns_servers;
        out.push((
            "DNS servers",
            if dns.is_empty() {
                "none".into()
            } else {
                dns.join(", ")
            },
        ));
    }
    if report.dry_run {
        out.push(("Mode", "dry run: nothing was changed".into()));
    }
    out
}

/// The labels of [`facts`] about the network.
const NETWORK_FACTS: [&str; 3] = ["IP addresses", "Gateway", "DNS servers"];

/// Whether a step belongs in the first table (it needs a reader's eyes).
pub(super) fn needs_attention(s: &StepOutcome) -> bool {
    matches!(
        s.status,
        Status::Fail | Status::Error | Status::Warn | Status::Fixed
    )
}

fn table<'a>(
    steps: impl IntoIterator<Item = &'a StepOutcome>,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "| Status | Step | Result |")?;
    writeln!(out, "|---|---|---|")?;
    for s in steps {
        writeln!(
            out,
            "| {} | {} | {} |",
            icon(s.status),
            cell(&s.name),
            cell(&s.message)
        )?;
    }
    Ok(())
}

/// Writes the ticket Markdown: the conclusion first (so the ticket starts
/// with it), the facts a ticket needs, the steps that need attention with
/// their advice, actions and output, then the other steps folded in a
/// `<details>` block. Steps skipped without doing anything (for another
/// OS, not selected) are counted on one line; `verbose` lists them.
pub fn render(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
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
    let multi = report.playbooks.len() > 1;
    for c in &report.conclusions {
        writeln!(out)?;
        let mut lines = super::conclusion::lines(c).into_iter();
        if let Some((label, text)) = lines.next() {
            let label = if multi {
                format!("{label} ({})", cell(&c.playbook))
            } else {
                label.to_string()
            };
            writeln!(out, "**{label}:** {}", cell(&text))?;
        }
        let rest: Vec<_> = lines.collect();
        if !rest.is_empty() {
            writeln!(out)?;
            for (label, text) in rest {
                writeln!(out, "- **{label}:** {}", cell(&text))?;
            }
        }
    }
    // Who and when on one line, the network on the next.
    let (network, who): (Vec<_>, Vec<_>) = facts(report, jiff::tz::TimeZone::system())
        .into_iter()
        .partition(|(label, _)| NETWORK_FACTS.contains(label));
    for group in [who, network].iter().filter(|g| !g.is_empty()) {
        let line: Vec<String> = group
            .iter()
            .map(|(label, text)| format!("**{label}:** {}", cell(text)))
            .collect();
        writeln!(out)?;
        writeln!(out, "{}", line.join(" · "))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "**Result:** {}",
        summary_line(&report.summary, report.duration_ms)
    )?;
    for pb in &report.playbooks {
        playbook(report, pb, style, out)?;
    }
    if !report.notes.is_empty() {
        writeln!(out)?;
        writeln!(out, "**Notes**")?;
        writeln!(out)?;
        for n in &report.notes {
            writeln!(
                out,
                "- {} ({}): {}",
                cell(&local_time_text(&n.at, jiff::tz::TimeZone::system())),
                cell(&n.author),
                cell(&n.text)
            )?;
        }
    }
    Ok(())
}

fn playbook(
    report: &Report,
    pb: &crate::report::PlaybookReport,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "### {}", cell(&pb.name))?;
    if let Some(d) = &pb.description {
        writeln!(out)?;
        writeln!(out, "{}", cell(d))?;
    }
    writeln!(out)?;
    let attention: Vec<&StepOutcome> = pb.steps.iter().filter(|s| needs_attention(s)).collect();
    if attention.is_empty() {
        writeln!(out, "Every step ended well.")?;
    } else {
        table(attention.iter().copied(), out)?;
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
            html(&s.name)
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
    let others: Vec<&StepOutcome> = pb
        .steps
        .iter()
        .filter(|s| !needs_attention(s) && !hidden_skip(s, style))
        .collect();
    if !others.is_empty() {
        let passed = others.iter().filter(|s| s.status == Status::Pass).count();
        writeln!(out)?;
        writeln!(
            out,
            "<details><summary>{} other step{}: {passed} passed, {} skipped</summary>",
            others.len(),
            if others.len() == 1 { "" } else { "s" },
            others.len() - passed
        )?;
        writeln!(out)?;
        table(others, out)?;
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }
    let hidden = pb.steps.iter().filter(|s| hidden_skip(s, style)).count();
    if hidden > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "{hidden} step{} skipped (another OS, or not selected); `-v` lists {}.",
            if hidden == 1 { "" } else { "s" },
            if hidden == 1 { "it" } else { "them" }
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn started_in_local_time_to_the_second() {
        let zone = jiff::tz::TimeZone::fixed(jiff::tz::offset(1));
        assert_eq!(
            local_time_text("2026-11-28T08:14:03.123456789Z", zone),
            "2026-11-28 09:14:03 +01:00"
        );
        assert_eq!(
            local_time_text("not a time", jiff::tz::TimeZone::UTC),
            "not a time"
        );
    }

    #[test]
    fn line_starts_that_markdown_would_read_as_blocks() {
        assert_eq!(cell("- x"), "\\- x");
        assert_eq!(cell("1. x"), "1\\. x");
        assert_eq!(cell("9.5 GiB"), "9.5 GiB");
        assert_eq!(cell("`a|b` `c`"), "\\`a\\|b\\` `c`");
    }
}
