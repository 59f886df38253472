//! Prometheus text exposition, for node_exporter's textfile collector:
//! write it with `--report prometheus=/var/lib/node_exporter/textfile/supportctl.prom`
//! (written atomically, as the collector requires).
//!
//! Series (the `instance` label comes from node_exporter):
//! - `supportctl_run_info{playbooks,host,version}` 1
//! - `supportctl_run_timestamp_seconds{playbooks}`, `supportctl_run_exit_code{playbooks}`,
//!   `supportctl_run_duration_seconds{playbooks}`
//! - `supportctl_steps{playbooks,status}`: how many steps ended in each status
//! - `supportctl_step_status{playbook,step,status}`: 1 for the step's status,
//!   0 for the five others (a state set: alert on `{status="fail"} == 1`)
//! - `supportctl_step_duration_seconds{playbook,step}`
//! - `supportctl_conclusion{playbook,cause,cleared}` 1 per conclusion
//!   (`cause=""` when no known cause matched), for playbooks with causes
//! - `supportctl_step_reason{playbook,step,reason}` 1 for each step that did
//!   not pass (alert or count by reason across a fleet)
//! - each measurement, one metric per unit, in base units as Prometheus
//!   practice asks: `supportctl_step_measurement_bytes`,
//!   `supportctl_step_measurement_seconds` (from ms and days),
//!   `supportctl_step_measurement_ratio` (percent / 100), and
//!   `supportctl_step_measurement` for counts; labels `{playbook,step,name}`

use std::io::{self, Write};

use crate::report::{Report, Status};

/// A label value escaped as the exposition format requires.
pub fn label(value: &str) -> String {
    let value = &crate::text::safe_text(value);
    value
        .replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('\n', r"\n")
}

/// A sample value: Prometheus spells non-finite numbers `NaN`, `+Inf`, `-Inf`.
fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{v}")
    }
}

/// The measurement metrics, one per base unit.
const MEASUREMENT_METRICS: [(&str, &str); 4] = [
    (
        "supportctl_step_measurement_bytes",
        "Each step's measurements in bytes (free space, largest folders...).",
    ),
    (
        "supportctl_step_measurement_seconds",
        "Each step's measurements in seconds (latency, age, certificate lifetime...).",
    ),
    (
        "supportctl_step_measurement_ratio",
        "Each step's measurements as a ratio from 0 to 1 (free space, inodes...).",
    ),
    (
        "supportctl_step_measurement",
        "Each step's unitless measurements (counts).",
    ),
];

/// The metric a measurement belongs to and its value in that base unit.
fn base_unit(unit: &str, value: f64) -> (&'static str, f64) {
    match unit {
        "bytes" => ("supportctl_step_measurement_bytes", value),
        "ms" => ("supportctl_step_measurement_seconds", value / 1000.0),
        "s" => ("supportctl_step_measurement_seconds", value),
        "days" => ("supportctl_step_measurement_seconds", value * 86_400.0),
        "percent" => ("supportctl_step_measurement_ratio", value / 100.0),
        _ => ("supportctl_step_measurement", value),
    }
}

fn header(out: &mut dyn Write, name: &str, help: &str) -> io::Result<()> {
    writeln!(out, "# HELP {name} {help}")?;
    writeln!(out, "# TYPE {name} gauge")
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // Run-level series carry the playbooks, so two timers writing two
    // files (quick-health, disk-full) do not clash in node_exporter. The
    // run id is no label: it would start a new series on every run.
    let names: Vec<&str> = report.playbooks.iter().map(|p| p.name.as_str()).collect();
    let run = format!("playbooks=\"{}\"", label(&names.join(",")));
    header(out, "supportctl_run_info", "The run that wrote this file.")?;
    writeln!(
        out,
        "supportctl_run_info{{{run},host=\"{}\",version=\"{}\"}} 1",
        label(&report.host.hostname),
        label(&report.tool_version)
    )?;
    let started: jiff::Timestamp = report
        .started_at
        .parse()
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let s = &report.summary;
    for (name, help, value) in [
        (
            "supportctl_run_timestamp_seconds",
            "When the run started (Unix time).",
            started.as_second().to_string(),
        ),
        (
            "supportctl_run_exit_code",
            "The run's exit code (0 ok, 1 failed, 3 errored, 130 interrupted).",
            report.exit_code.to_string(),
        ),
        (
            "supportctl_run_duration_seconds",
            "How long the run took.",
            number(report.duration_ms as f64 / 1000.0),
        ),
    ] {
        header(out, name, help)?;
        writeln!(out, "{name}{{{run}}} {value}")?;
    }
    header(out, "supportctl_steps", "Steps by final status.")?;
    for (status, n) in [
        ("pass", s.pass),
        ("fixed", s.fixed),
        ("skipped", s.skipped),
        ("warn", s.warn),
        ("fail", s.fail),
        ("error", s.error),
    ] {
        writeln!(out, "supportctl_steps{{{run},status=\"{status}\"}} {n}")?;
    }
    header(
        out,
        "supportctl_step_status",
        "1 for each step's final status, 0 for the others.",
    )?;
    for (pb, step) in report.steps() {
        for status in Status::ALL {
            writeln!(
                out,
                "supportctl_step_status{{playbook=\"{}\",step=\"{}\",status=\"{}\"}} {}",
                label(&pb.name),
                label(&step.id),
                status.as_str(),
                u8::from(step.status == status)
            )?;
        }
    }
    header(
        out,
        "supportctl_step_duration_seconds",
        "How long each step took.",
    )?;
    for (pb, step) in report.steps() {
        writeln!(
            out,
            "supportctl_step_duration_seconds{{playbook=\"{}\",step=\"{}\"}} {}",
            label(&pb.name),
            label(&step.id),
            number(step.duration_ms as f64 / 1000.0)
        )?;
    }
    if !report.conclusions.is_empty() {
        header(
            out,
            "supportctl_conclusion",
            "1 for each conclusion: the known cause found (empty: none matched), and whether its fix cleared it.",
        )?;
        for c in &report.conclusions {
            writeln!(
                out,
                "supportctl_conclusion{{playbook=\"{}\",cause=\"{}\",cleared=\"{}\"}} 1",
                label(&c.playbook),
                label(c.id.as_deref().unwrap_or_default()),
                c.cleared
            )?;
        }
    }
    let reasons: Vec<String> = report
        .steps()
        .filter_map(|(pb, step)| {
            let reason = step.reason.as_deref()?;
            Some(format!(
                "supportctl_step_reason{{playbook=\"{}\",step=\"{}\",reason=\"{}\"}} 1",
                label(&pb.name),
                label(&step.id),
                label(reason)
            ))
        })
        .collect();
    if !reasons.is_empty() {
        header(
            out,
            "supportctl_step_reason",
            "1 for each step that did not pass, labelled with why.",
        )?;
        for line in reasons {
            writeln!(out, "{line}")?;
        }
    }
    for (metric, help) in MEASUREMENT_METRICS {
        let samples: Vec<String> = report
            .steps()
            .flat_map(|(pb, step)| step.measurements.iter().map(move |m| (pb, step, m)))
            .filter_map(|(pb, step, m)| {
                let (name, value) = base_unit(&m.unit, m.value);
                (name == metric).then(|| {
                    format!(
                        "{metric}{{playbook=\"{}\",step=\"{}\",name=\"{}\"}} {}",
                        label(&pb.name),
                        label(&step.id),
                        label(&m.name),
                        number(value)
                    )
                })
            })
            .collect();
        if !samples.is_empty() {
            header(out, metric, help)?;
            for s in samples {
                writeln!(out, "{s}")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_are_escaped() {
        assert_eq!(super::label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(super::number(f64::NAN), "NaN");
        assert_eq!(super::number(2.5), "2.5");
        assert_eq!(
            super::base_unit("percent", 25.0),
            ("supportctl_step_measurement_ratio", 0.25)
        );
        assert_eq!(
            super::base_unit("days", 1.0),
            ("supportctl_step_measurement_seconds", 86_400.0)
        );
    }
}
