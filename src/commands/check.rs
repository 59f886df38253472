//! `supportctl check`: validate playbooks, reporting every error in every file.

use serde::Serialize;

use super::{load_all, overrides, print_diagnostics};
use crate::cli::{CheckArgs, ListFormat};
use crate::exit::Exit;
use crate::facts::Facts;
use crate::playbook::diagnostic::DiagnosticJson;
use crate::terminal::Terminal;

#[derive(Serialize)]
struct FileResult {
    file: String,
    valid: bool,
    steps: Option<usize>,
    errors: Vec<DiagnosticJson>,
}

pub fn run(args: &CheckArgs, term: &Terminal) -> i32 {
    let facts = Facts::gather();
    let loaded = load_all(&args.playbooks, &facts, &overrides(&args.vars.vars));
    match args.format {
        ListFormat::Json => {
            let files: Vec<FileResult> = loaded
                .files
                .iter()
                .map(|(file, steps, diags)| FileResult {
                    file: file.clone(),
                    valid: diags.is_empty(),
                    steps: *steps,
                    errors: diags
                        .iter()
                        .map(|d| {
                            let mut j = d.to_json();
                            j.message = super::redact_text(&j.message);
                            j.hint = j.hint.as_deref().map(super::redact_text);
                            j
                        })
                        .collect(),
                })
                .collect();
            crate::outln!(
                "{}",
                serde_json::to_string_pretty(&files).unwrap_or_default()
            );
        }
        ListFormat::Human => {
            print_diagnostics(loaded.diagnostics(), term.stderr_color);
            for (file, steps, diags) in &loaded.files {
                if diags.is_empty() {
                    crate::outln!("ok: {file} ({} steps)", steps.unwrap_or(0));
                }
            }
            let bad = loaded
                .files
                .iter()
                .filter(|(_, _, d)| !d.is_empty())
                .count();
            let errors: usize = loaded.files.iter().map(|(_, _, d)| d.len()).sum();
            if bad > 0 {
                crate::errln!(
                    "{errors} error(s) in {bad} of {} input(s); nothing was run",
                    loaded.files.len()
                );
            }
        }
    }
    if loaded.has_errors() {
        Exit::Invalid.code()
    } else {
        Exit::Ok.code()
    }
}
