//! TAP version 13 (what Test::Harness 3.44 reads; tappy and node's
//! tap-parser take it too): one test point per step, a YAML block under
//! problems. `\\` and `#` in names are escaped as the TAP spec says, so
//! a name cannot turn a failure into a TODO or SKIP.
//! Skipped steps are `ok ... # SKIP reason`; warn is `ok` (or `not ok`
//! with `--strict`).

use std::io::{self, Write};

use crate::report::{Report, Status};

fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "TAP version 13")?;
    writeln!(out, "1..{}", report.summary.total)?;
    let multi = report.playbooks.len() > 1;
    for (n, (pb, step)) in report.steps().enumerate() {
        let name = if multi {
            format!("{}/{}", pb.name, step.name)
        } else {
            step.name.clone()
        };
        let name = super::one_line(&name)
            .replace('\\', "\\\\")
            .replace('#', "\\#");
        let failing = matches!(step.status, Status::Fail | Status::Error)
            || (report.strict && step.status == Status::Warn);
        let ok = if failing { "not ok" } else { "ok" };
        match step.status {
            Status::Skipped => writeln!(
                out,
                "{ok} {} - {name} # SKIP {}",
                n + 1,
                super::one_line(&step.message)
            )?,
            _ => writeln!(out, "{ok} {} - {name}", n + 1)?,
        }
        if matches!(
            step.status,
            Status::Fail | Status::Error | Status::Warn | Status::Fixed
        ) {
            writeln!(out, "  ---")?;
            writeln!(out, "  status: {}", step.status.as_str())?;
            writeln!(out, "  message: {}", yaml_string(&step.message))?;
            if let Some(a) = &step.advice {
                writeln!(out, "  advice: {}", yaml_string(a))?;
            }
            if let Some(r) = &step.reason {
                writeln!(out, "  reason: {}", yaml_string(r))?;
            }
            writeln!(out, "  duration_ms: {}", step.duration_ms)?;
            writeln!(out, "  ...")?;
        }
    }
    // The conclusions as diagnostics after the plan (harnesses show them).
    for c in &report.conclusions {
        for (label, text) in super::conclusion::lines(c) {
            writeln!(out, "# {label}: {}", super::one_line(&text))?;
        }
    }
    Ok(())
}
