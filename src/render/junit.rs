//! JUnit XML: a `<testsuite>` per playbook, a `<testcase>` per step.
//!
//! fail -> `<failure>`, error -> `<error>`, skipped -> `<skipped>`; warn is a
//! passing case with a note in `<system-out>`, or a `<failure>` with `--strict`.
//!
//! Valid against Jenkins xUnit's `junit-10.xsd` (the schema Jenkins, GitLab
//! and pytest's xunit2 follow). Against the stricter Ant schema
//! (windyroad's `JUnit.xsd`) it keeps two deviations on purpose: totals on
//! `<testsuites>` (read by consumers that show a run's totals) and each
//! step's output in its own `<testcase>` (Ant allows output only per
//! suite). Everything else Ant asks for is there: `package` and `id` on
//! each suite, a timestamp without zone (UTC), suite-level `<system-out>`
//! and `<system-err>`.

use std::io::{self, Write};

use crate::report::{Report, Status};

/// Escapes text for XML attributes and content, dropping characters XML 1.0 forbids.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn secs(ms: u64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

/// RFC 3339 to the form Ant's schema wants: to the second, no zone (UTC).
fn ant_timestamp(started_at: &str) -> String {
    match started_at.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
        Err(_) => started_at.to_string(),
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let failing = |s: Status| s == Status::Fail || (report.strict && s == Status::Warn);
    let count = |f: &dyn Fn(Status) -> bool| report.steps().filter(|(_, s)| f(s.status)).count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        // No `skipped` here: Jenkins' junit-10.xsd allows it on <testsuite> only.
        r#"<testsuites name="supportctl" tests="{}" failures="{}" errors="{}" time="{}">"#,
        report.summary.total,
        count(&failing),
        count(&|s| s == Status::Error),
        secs(report.duration_ms)
    )?;
    for (id, pb) in report.playbooks.iter().enumerate() {
        let in_pb = |f: &dyn Fn(Status) -> bool| pb.steps.iter().filter(|s| f(s.status)).count();
        writeln!(
            out,
            r#"  <testsuite name="{}" package="{}" id="{id}" tests="{}" failures="{}" errors="{}" skipped="{}" time="{}" timestamp="{}" hostname="{}">"#,
            xml_escape(&pb.name),
            xml_escape(&pb.name),
            pb.steps.len(),
            in_pb(&failing),
            in_pb(&|s| s == Status::Error),
            in_pb(&|s| s == Status::Skipped),
            secs(pb.duration_ms),
            xml_escape(&ant_timestamp(&report.started_at)),
            xml_escape(if report.host.hostname.is_empty() {
                "localhost"
            } else {
                &report.host.hostname
            })
        )?;
        writeln!(out, "    <properties>")?;
        // This playbook's conclusions, in words: what CI servers show for a suite.
        let mut props: Vec<(&str, String)> = vec![
            ("source", pb.source.clone()),
            ("run_id", report.run_id.clone()),
            ("dry_run", report.dry_run.to_string()),
        ];
        for c in report.conclusions.iter().filter(|c| c.playbook == pb.name) {
            props.push(("conclusion", super::conclusion::one_line(c)));
            props.extend(c.tell_user.iter().map(|t| ("tell_user", t.clone())));
            props.extend(c.next.iter().map(|t| ("next", t.clone())));
        }
        for (k, v) in &props {
            writeln!(
                out,
                r#"      <property name="{k}" value="{}"/>"#,
                xml_escape(v)
            )?;
        }
        writeln!(out, "    </properties>")?;
        for step in &pb.steps {
            write!(
                out,
                r#"    <testcase name="{}" classname="{}.{}" time="{}""#,
                xml_escape(&step.name),
                xml_escape(&pb.name),
                xml_escape(&step.kind),
                secs(step.duration_ms)
            )?;
            let mut body = String::new();
            let msg = xml_escape(&step.message);
            let mut detail = String::new();
            if let Some(advice) = &step.advice {
                detail.push_str(&format!("advice: {advice}\n"));
            }
            for a in &step.attempts {
                detail.push_str(&format!(
                    "{}: {} {}\n",
                    a.label,
                    a.status.as_str(),
                    a.message
                ));
            }
            match step.status {
                s if failing(s) => body.push_str(&format!(
                    "      <failure message=\"{msg}\" type=\"{}\">{}</failure>\n",
                    s.as_str(),
                    xml_escape(&detail)
                )),
                Status::Error => body.push_str(&format!(
                    "      <error message=\"{msg}\" type=\"error\">{}</error>\n",
                    xml_escape(&detail)
                )),
                Status::Skipped => body.push_str(&format!("      <skipped message=\"{msg}\"/>\n")),
                _ => {}
            }
            let mut system_out = String::new();
            if matches!(step.status, Status::Warn | Status::Fixed | Status::Pass) {
                // A fixed step's message already starts with "fixed:".
                let prefix = format!("{}: ", step.status.as_str());
                let message = step.message.strip_prefix(&prefix).unwrap_or(&step.message);
                system_out.push_str(&format!("{prefix}{message}\n"));
            }
            if let Some(o) = &step.output {
                system_out.push_str(&o.stdout);
            }
            if !system_out.is_empty() {
                body.push_str(&format!(
                    "      <system-out>{}</system-out>\n",
                    xml_escape(&system_out)
                ));
            }
            if let Some(o) = step.output.as_ref().filter(|o| !o.stderr.is_empty()) {
                body.push_str(&format!(
                    "      <system-err>{}</system-err>\n",
                    xml_escape(&o.stderr)
                ));
            }
            if body.is_empty() {
                writeln!(out, "/>")?;
            } else {
                write!(out, ">\n{body}    </testcase>\n")?;
            }
        }
        writeln!(out, "    <system-out/>\n    <system-err/>\n  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}
