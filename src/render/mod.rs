//! Renderers: turn a finished [`Report`] into text for people or programs.
//!
//! Renderers only read the report and write to any `io::Write`; they never
//! run anything. One module per format.

pub mod conclusion;
pub mod human;
pub mod junit;
pub mod markdown;
pub mod nagios;
pub mod prometheus;
pub mod tap;
pub mod ticket;

use std::io::{self, Write};

use crate::report::Report;

/// Output formats for `run --format` and `--report FORMAT=PATH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Coloured lines for a terminal
    Human,
    /// The versioned JSON report, for scripts and fleet tools
    Json,
    /// JUnit XML, for CI systems
    Junit,
    /// A Markdown table to paste into a ticket
    Markdown,
    /// A Nagios/Icinga plugin status line with perfdata
    Nagios,
    /// Test Anything Protocol (version 13)
    Tap,
    /// Prometheus text format, for node_exporter's textfile collector
    Prometheus,
    /// Plain text for ticket systems without Markdown: conclusion, facts, steps
    Ticket,
}

/// Options that only affect how a report looks.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub color: bool,
    pub verbose: bool,
    pub quiet: bool,
}

/// Writes `report` in `format`.
pub fn render(
    format: Format,
    report: &Report,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, style, out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)
        }
        Format::Junit => junit::render(report, out),
        Format::Markdown => markdown::render(report, style, out),
        Format::Nagios => nagios::render(report, out),
        Format::Tap => tap::render(report, out),
        Format::Prometheus => prometheus::render(report, out),
        Format::Ticket => ticket::render(report, style, out),
    }
}

pub use crate::text::{one_line, safe_text};

/// Formats a measurement value with its unit for people.
pub fn measurement_text(m: &crate::report::Measurement) -> String {
    match m.unit.as_str() {
        "bytes" => crate::values::human_bytes(m.value.max(0.0) as u64),
        "ms" => format!("{}ms", m.value),
        "percent" => format!("{:.1}%", m.value),
        "" | "count" => format!("{}", m.value),
        unit => format!("{} {unit}", m.value),
    }
}
