//! Playbook errors with their location, rendered in one place.
//!
//! A [`Diagnostic`] holds *what* went wrong (message and an optional hint)
//! apart from *where* (file, byte span). Rendering turns the span into
//! `file:line:col`, prints the source line and puts a caret under the culprit:
//!
//! ```text
//! error: unknown key `warn_fre_below` in step `system-disk`
//!   --> disk.toml:12:1
//!    |
//! 12 | warn_fre_below = "15%"
//!    | ^^^^^^^^^^^^^^
//!    = help: did you mean `warn_free_below`?
//! ```

use std::fmt::Write as _;
use std::ops::Range;
use std::sync::Arc;

use colored::Colorize;
use serde::Serialize;

use crate::text::{clip, one_line, safe_text};

/// One problem found in a playbook.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub file: String,
    pub source: Arc<str>,
    pub span: Option<Range<usize>>,
    pub message: String,
    pub hint: Option<String>,
}

/// The machine-readable form (`check --format json`).
#[derive(Serialize, Debug, PartialEq)]
pub struct DiagnosticJson {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    /// 1-based line and column (in characters) of the span's start.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let start = self.span.as_ref()?.start.min(self.source.len());
        let before = &self.source[..floor_char_boundary(&self.source, start)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        Some((line, col))
    }

    pub fn to_json(&self) -> DiagnosticJson {
        let lc = self.line_col();
        DiagnosticJson {
            file: self.file.clone(),
            line: lc.map(|l| l.0),
            column: lc.map(|l| l.1),
            message: self.message.clone(),
            hint: self.hint.clone(),
        }
    }

    /// Renders the diagnostic for a terminal (colours only when `color`).
    pub fn render(&self, color: bool) -> String {
        let paint = |s: &str, f: fn(&str) -> colored::ColoredString| {
            if color {
                f(s).to_string()
            } else {
                s.to_string()
            }
        };
        let mut out = String::new();
        // Messages quote playbook text and `--var` values: never a control
        // sequence on the terminal, and never megabytes of an unknown key.
        let message = safe_text(&clip(&self.message, MAX_MESSAGE));
        let _ = writeln!(
            out,
            "{}: {}",
            paint("error", |s| s.red().bold()),
            paint(&message, |s| s.bold())
        );
        let file = one_line(&self.file);
        match self.line_col() {
            // No location at all (an invocation error): no location line.
            None if self.file.is_empty() => {}
            None => {
                let _ = writeln!(out, "  --> {file}");
            }
            Some((line, col)) => {
                let gutter = line.to_string().len();
                let pad = " ".repeat(gutter);
                let bar = paint("|", |s| s.blue().bold());
                let _ = writeln!(
                    out,
                    "{pad}{} {file}:{line}:{col}",
                    paint("-->", |s| s.blue().bold()),
                );
                let full: Vec<char> = self
                    .source
                    .lines()
                    .nth(line - 1)
                    .unwrap_or("")
                    .trim_end()
                    .chars()
                    .collect();
                // A long line is shown as a window around the column.
                let first = (col - 1).saturating_sub(MAX_LINE / 2).min(full.len());
                let last = (first + MAX_LINE).min(full.len());
                let lead = if first > 0 { "…" } else { "" };
                let text: String = full[first..last].iter().collect();
                let span = self.span.clone().unwrap_or(0..0);
                // The caret covers the span, clipped to the first line and the window.
                let width = self.source[floor_char_boundary(&self.source, span.start)
                    ..floor_char_boundary(&self.source, span.end.max(span.start))]
                    .lines()
                    .next()
                    .map_or(1, |s| s.chars().count().max(1))
                    .min(MAX_LINE);
                let _ = writeln!(out, "{pad} {bar}");
                let _ = writeln!(
                    out,
                    "{} {bar} {lead}{}",
                    paint(&line.to_string(), |s| s.blue().bold()),
                    safe_text(&text)
                );
                let _ = writeln!(
                    out,
                    "{pad} {bar} {lead}{}{}",
                    // Keep the line's tabs so the caret lines up under tab indentation.
                    full[first..]
                        .iter()
                        .take((col - 1).saturating_sub(first))
                        .map(|c| if *c == '\t' { '\t' } else { ' ' })
                        .collect::<String>(),
                    paint(&"^".repeat(width), |s| s.red().bold())
                );
            }
        }
        if let Some(hint) = &self.hint {
            let pad = " ".repeat(self.line_col().map_or(1, |(l, _)| l.to_string().len()));
            let hint = safe_text(&clip(hint, MAX_MESSAGE));
            let _ = writeln!(
                out,
                "{pad} = {}: {hint}",
                paint("help", |s| s.cyan().bold())
            );
        }
        out
    }
}

/// The longest message or hint shown, in characters.
const MAX_MESSAGE: usize = 400;
/// The widest window of a source line shown, in characters.
const MAX_LINE: usize = 160;

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Re-exported: loaders and commands reach it here beside the diagnostics.
pub use crate::text::did_you_mean;

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(src: &str, span: Range<usize>) -> Diagnostic {
        Diagnostic {
            file: "p.toml".into(),
            source: src.into(),
            span: Some(span),
            message: "bad".into(),
            hint: Some("try this".into()),
        }
    }

    #[test]
    fn line_and_column() {
        let d = diag("a = 1\nbé = 2\n", 10..11);
        assert_eq!(d.line_col(), Some((2, 4)));
        assert_eq!(
            d.render(false),
            "error: bad\n --> p.toml:2:4\n  |\n2 | bé = 2\n  |    ^\n  = help: try this\n"
        );
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("timout", ["timeout", "tags"]), Some("timeout"));
        assert_eq!(did_you_mean("zzz", ["timeout", "tags"]), None);
        assert_eq!(did_you_mean("x", ["id"]), None);
    }
}
