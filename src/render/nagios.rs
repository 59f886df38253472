//! Nagios / Icinga plugin output: one status line with perfdata, then one
//! line per step that needs attention. The exit code follows the plugin
//! convention (see `crate::exit::Exit::nagios`).

use std::io::{self, Write};

use crate::exit::Exit;
use crate::report::{Report, Status};

fn state_name(code: i32) -> &'static str {
    match code {
        0 => "OK",
        1 => "WARNING",
        2 => "CRITICAL",
        _ => "UNKNOWN",
    }
}

/// A perfdata label: quoted, with `'` and `=` replaced.
fn label(text: &str) -> String {
    format!("'{}'", text.replace(['\'', '='], "_"))
}

fn uom(unit: &str) -> &'static str {
    match unit {
        "bytes" => "B",
        "percent" => "%",
        "ms" => "ms",
        "s" => "s",
        _ => "",
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    let state = state_name(Exit::nagios(s, report.strict, report.interrupted));
    let problems: Vec<String> = report
        .steps()
        .filter(|(_, st)| matches!(st.status, Status::Fail | Status::Error | Status::Warn))
        .map(|(_, st)| st.id.clone())
        .collect();
    let names: Vec<&str> = report.playbooks.iter().map(|p| p.name.as_str()).collect();
    let mut line = format!(
        "SUPPORTCTL {state} - {}: {} passed, {} warned, {} failed, {} errored of {} steps",
        super::one_line(&names.join(",")),
        s.pass + s.fixed,
        s.warn,
        s.fail,
        s.error,
        s.total
    );
    if !problems.is_empty() {
        line.push_str(&format!(" ({})", problems.join(", ")));
    }
    let perf: Vec<String> = report
        .steps()
        .flat_map(|(_, st)| {
            st.measurements.iter().map(move |m| {
                // Nagios ranges: `N` alerts above N; `N:` alerts below N (free space).
                let t = |v: Option<f64>| {
                    v.map(|v| {
                        if m.below {
                            format!("{v}:")
                        } else {
                            v.to_string()
                        }
                    })
                    .unwrap_or_default()
                };
                format!(
                    "{}={}{};{};{};;",
                    label(&format!("{}.{}", st.id, m.name)),
                    m.value,
                    uom(&m.unit),
                    t(m.warn),
                    t(m.fail)
                )
            })
        })
        .collect();
    line = line.replace('|', "/");
    if perf.is_empty() {
        writeln!(out, "{line}")?;
    } else {
        writeln!(out, "{line} | {}", perf.join(" "))?;
    }
    for (_, st) in report
        .steps()
        .filter(|(_, st)| st.status != Status::Pass && st.status != Status::Skipped)
    {
        writeln!(
            out,
            "{}: {} - {}",
            st.status.as_str().to_uppercase(),
            st.id,
            super::one_line(&st.message).replace('|', "/")
        )?;
    }
    Ok(())
}
