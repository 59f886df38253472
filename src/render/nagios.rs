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

/// NRPE (v2, and v3 by default) passes at most 1,024 bytes, its buffer's
/// end included: the first line and its newline stay within that.
const FIRST_LINE_MAX: usize = 1023;
/// RRD-based graphers (pnp4nagios) keep 19 characters of a label.
const LABEL_MAX: usize = 19;

/// Perfdata labels for `names`, unique within their first 19 characters:
/// a name that fits is kept (with `'` and `=` replaced); a longer one keeps
/// its first 14 characters and gets `~` and 4 hex digits of a hash of the
/// whole name (`root-disk.inod~3f2a`), so two long names never collide.
fn labels(names: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .iter()
        .map(|name| {
            let clean: String = name
                .chars()
                .map(|c| if matches!(c, '\'' | '=') { '_' } else { c })
                .collect();
            let mut salt = 0u32;
            loop {
                let label = if clean.chars().count() <= LABEL_MAX && salt == 0 {
                    clean.clone()
                } else {
                    let head: String = clean.chars().take(LABEL_MAX - 5).collect();
                    format!("{head}~{:04x}", fnv(&clean, salt) & 0xffff)
                };
                let key: String = label.chars().take(LABEL_MAX).collect();
                if seen.insert(key) {
                    return format!("'{label}'");
                }
                salt += 1;
            }
        })
        .collect()
}

/// FNV-1a: a small stable hash (the same label on every run and machine).
fn fnv(text: &str, salt: u32) -> u32 {
    let mut h: u32 = 0x811c_9dc5 ^ salt;
    for b in text.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h
}

/// Nagios units of measure, converting units Nagios lacks (days -> s).
fn uom(unit: &str, value: f64) -> (f64, &'static str) {
    match unit {
        "bytes" => (value, "B"),
        "percent" => (value, "%"),
        "ms" => (value, "ms"),
        "s" => (value, "s"),
        "days" => (value * 86_400.0, "s"),
        _ => (value, ""),
    }
}

/// One perfdata item per measurement, labelled `step.measurement`.
fn perfdata(report: &Report) -> Vec<String> {
    let items: Vec<_> = report
        .steps()
        .flat_map(|(_, st)| st.measurements.iter().map(move |m| (st, m)))
        .collect();
    let names: Vec<String> = items
        .iter()
        .map(|(st, m)| format!("{}.{}", st.id, m.name))
        .collect();
    items
        .iter()
        .zip(labels(&names))
        .map(|((_, m), label)| {
            let (value, unit) = uom(&m.unit, m.value);
            // Nagios ranges: `N` alerts above N; `N:` alerts below N (free space).
            let t = |v: Option<f64>| {
                v.map(|v| {
                    let v = uom(&m.unit, v).0;
                    if m.below {
                        format!("{v}:")
                    } else {
                        v.to_string()
                    }
                })
                .unwrap_or_default()
            };
            format!("{label}={value}{unit};{};{};;", t(m.warn), t(m.fail))
        })
        .collect()
}

/// The status line: counts, then as many problem step ids as fit.
fn status_line(report: &Report, state: &str) -> String {
    let s = &report.summary;
    let names: Vec<&str> = report.playbooks.iter().map(|p| p.name.as_str()).collect();
    // The conclusions say it in words first (a cause's summary, or that
    // none matched).
    let concluded: Vec<String> = report
        .conclusions
        .iter()
        .map(super::conclusion::one_line)
        .collect();
    let said = if concluded.is_empty() {
        String::new()
    } else {
        format!("{} — ", crate::text::clip(&concluded.join(" "), 300))
    };
    let mut line = format!(
        "SUPPORTCTL {state} - {said}{}: {} passed, {} warned, {} failed, {} errored of {} steps",
        crate::text::clip(&super::one_line(&names.join(",")), 120),
        s.pass + s.fixed,
        s.warn,
        s.fail,
        s.error,
        s.total
    );
    let problems: Vec<String> = report
        .steps()
        .filter(|(_, st)| matches!(st.status, Status::Fail | Status::Error | Status::Warn))
        .map(|(_, st)| super::one_line(&st.id))
        .collect();
    if !problems.is_empty() {
        // Room for the ids: the status text stays well under the limit,
        // leaving the rest of the first line to perfdata.
        let mut shown = Vec::new();
        let mut used = 0;
        for p in &problems {
            if used + p.len() + 2 > 300 {
                break;
            }
            used += p.len() + 2;
            shown.push(p.as_str());
        }
        let more = problems.len() - shown.len();
        line.push_str(&format!(" ({}", shown.join(", ")));
        if more > 0 {
            line.push_str(&format!(
                "{}+{more} more",
                if shown.is_empty() { "" } else { ", " }
            ));
        }
        line.push(')');
    }
    line.replace('|', "/")
}

/// The status line (at most 1,024 bytes, with as much perfdata as fits),
/// one long-text line per step that needs attention, and the rest of the
/// perfdata after a `|` on the last long-text line, as the Nagios plugin
/// guidelines lay out.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    let state = state_name(Exit::nagios(s, report.strict, report.interrupted));
    let mut first = status_line(report, state);
    let perf = perfdata(report);
    let mut rest = perf.iter().peekable();
    let mut sep = " | ";
    while let Some(item) = rest.next_if(|p| first.len() + sep.len() + p.len() <= FIRST_LINE_MAX) {
        first.push_str(sep);
        first.push_str(item);
        sep = " ";
    }
    writeln!(out, "{first}")?;
    let mut long: Vec<String> = report
        .steps()
        .filter(|(_, st)| st.status != Status::Pass && st.status != Status::Skipped)
        .map(|(_, st)| {
            format!(
                "{}: {} - {}",
                st.status.as_str().to_uppercase(),
                super::one_line(&st.id),
                super::one_line(&st.message)
            )
            .replace('|', "/")
        })
        .collect();
    let rest: Vec<&String> = rest.collect();
    if !rest.is_empty() {
        if long.is_empty() {
            long.push("More performance data follows.".into());
        }
        let last = long.len() - 1;
        long[last].push_str(" | ");
        long[last].push_str(
            &rest
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    for line in long {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_stay_unique_within_19_characters() {
        let names: Vec<String> = [
            "root-disk.inodes_free",
            "root-disk.inodes_free_percent",
            "root-disk.inodes_free_percent",
            "up.ms",
            "it's=odd",
        ]
        .map(String::from)
        .to_vec();
        let got = labels(&names);
        assert_eq!(got[3], "'up.ms'");
        assert_eq!(got[4], "'it_s_odd'");
        let keys: std::collections::HashSet<String> = got
            .iter()
            .map(|l| l.trim_matches('\'').chars().take(LABEL_MAX).collect())
            .collect();
        assert_eq!(keys.len(), got.len(), "{got:?}");
        assert!(got[0].starts_with("'root-disk.inod~"), "{got:?}");
        assert_eq!(labels(&names), got, "labels are stable");
    }
}
