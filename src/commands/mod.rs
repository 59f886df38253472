//! One module per CLI verb. Each returns the process exit code; shared
//! helpers for loading playbooks and printing errors live here.

pub mod check;
pub mod complete;
pub mod facts;
pub mod history;
pub mod list;
pub mod man;
pub mod redact;
pub mod report;
pub mod run;
pub mod show;
pub mod sign;
pub mod suggest;
pub mod trust;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use crate::facts::Facts;
use crate::playbook::diagnostic::{Diagnostic, did_you_mean};
use crate::playbook::source::{NotFound, resolve};
use crate::playbook::{Playbook, SourceFile, load};
use crate::vars::BUILTINS;

/// Text through the built-in redaction (URL passwords, tokens) and the
/// secret variables, line by line, as bundles and reports are: for `show`
/// and for error messages, which quote playbook text and `--var` values.
pub fn redact_text(text: &str) -> String {
    match crate::redact::Redactor::new(&Default::default(), "", "") {
        Ok(mut r) => text.split_inclusive('\n').map(|l| r.text(l)).collect(),
        Err(_) => crate::secrets::scrub(text).into_owned(),
    }
}

/// Prints a plain error (no source location) with an optional hint.
pub fn print_error(message: &str, hint: Option<&str>, color: bool) {
    let d = Diagnostic {
        file: String::new(),
        source: Arc::from(""),
        span: None,
        message: redact_text(message),
        hint: hint.map(redact_text),
    };
    let text = d.render(color);
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// The result of loading several playbook arguments.
pub struct Loaded {
    pub playbooks: Vec<Playbook>,
    /// Per argument: its label, and its diagnostics (empty when valid).
    pub files: Vec<(String, Option<usize>, Vec<Diagnostic>)>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.files.iter().any(|(_, _, d)| !d.is_empty())
    }

    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.files.iter().flat_map(|(_, _, d)| d.iter())
    }
}

fn not_found_diag(arg: &str, nf: NotFound) -> Diagnostic {
    Diagnostic {
        file: arg.to_string(),
        source: Arc::from(""),
        span: None,
        message: nf.message,
        hint: nf.hint,
    }
}

/// Resolves and loads every argument, collecting all errors.
pub fn load_all(args: &[String], facts: &Facts, overrides: &BTreeMap<String, String>) -> Loaded {
    let mut loaded = Loaded {
        playbooks: Vec::new(),
        files: Vec::new(),
    };
    let mut sources: Vec<SourceFile> = Vec::new();
    for arg in args {
        match resolve(arg) {
            Ok(src) => sources.push(src),
            Err(nf) => loaded
                .files
                .push((arg.clone(), None, vec![not_found_diag(arg, nf)])),
        }
    }
    // The machine policy: unreadable or malformed, nothing runs.
    let policy = match crate::policy::load() {
        Ok(p) => Some(p),
        Err(e) => {
            let file = match e.at {
                Some((line, col)) => format!("{}:{line}:{col}", e.file),
                None => e.file.clone(),
            };
            loaded.files.push((
                e.file.clone(),
                None,
                vec![Diagnostic {
                    file,
                    source: Arc::from(""),
                    span: None,
                    message: e.message,
                    hint: Some(e.hint),
                }],
            ));
            None
        }
    };
    let elevated = crate::privilege::is_elevated();
    let now = jiff::Timestamp::now().as_second();
    for src in &sources {
        match load(src, facts, overrides) {
            Ok(mut pb) => {
                let verdict = policy
                    .as_ref()
                    .map(|p| trust::check(p, src, &pb, elevated, now));
                match verdict {
                    Some(Err(refusals)) => {
                        let diags = refusals
                            .into_iter()
                            .map(|message| Diagnostic {
                                file: src.label.clone(),
                                source: Arc::from(""),
                                span: None,
                                message,
                                hint: Some(
                                    "`supportctl policy show` prints the policy in force".into(),
                                ),
                            })
                            .collect();
                        loaded.files.push((src.label.clone(), None, diags));
                    }
                    verdict => {
                        pb.signature = verdict.and_then(Result::ok);
                        loaded
                            .files
                            .push((src.label.clone(), Some(pb.steps.len()), Vec::new()));
                        loaded.playbooks.push(pb);
                    }
                }
            }
            Err(diags) => {
                let diags = diags.into_iter().map(|d| blame_var(d, overrides)).collect();
                loaded.files.push((src.label.clone(), None, diags))
            }
        }
    }
    // `--var` names must mean something to at least one playbook.
    if !loaded.has_errors() {
        for name in overrides.keys() {
            let known = BUILTINS.iter().any(|(b, _)| b == name)
                || name == crate::vars::TICKET.0
                || loaded.playbooks.iter().any(|p| p.vars.contains_key(name));
            if !known {
                let declared: Vec<&str> = loaded
                    .playbooks
                    .iter()
                    .flat_map(|p| p.vars.keys().map(String::as_str))
                    .collect();
                let hint = match did_you_mean(
                    name,
                    declared
                        .iter()
                        .copied()
                        .chain(BUILTINS.iter().map(|(b, _)| *b)),
                ) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None if declared.is_empty() => "the playbook declares no [vars]".to_string(),
                    None => format!("the playbook declares: {}", declared.join(", ")),
                };
                let d = Diagnostic {
                    file: "--var".into(),
                    source: Arc::from(""),
                    span: None,
                    message: format!("unknown variable `{name}` in --var"),
                    hint: Some(hint),
                };
                loaded.files.push(("--var".into(), None, vec![d]));
            }
        }
    }
    loaded
}

/// Prints every diagnostic to stderr.
pub fn print_diagnostics<'a>(diags: impl IntoIterator<Item = &'a Diagnostic>, color: bool) {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let d = Diagnostic {
            message: redact_text(&d.message),
            hint: d.hint.as_deref().map(redact_text),
            ..d.clone()
        };
        let text = d.render(color);
        let _ = err.write_all(text.as_bytes());
    }
}

/// A load error whose location holds `{{ name }}` of a `--var` names that
/// `--var` as the culprit: the user typed the value, not the playbook line
/// (which may be inside a shipped playbook they cannot open).
fn blame_var(mut d: Diagnostic, overrides: &BTreeMap<String, String>) -> Diagnostic {
    let Some(span) = d.span.clone() else {
        return d;
    };
    let text = d.source.get(span).unwrap_or_default();
    let culprit = overrides.keys().find(|name| {
        text.split("{{").skip(1).any(|t| {
            t.split("}}")
                .next()
                .is_some_and(|inner| inner.trim() == name.as_str())
        })
    });
    if let Some(name) = culprit {
        d.message = format!(
            "--var {name}: {} (the playbook line is shown for context)",
            d.message
        );
    }
    d
}

/// `--var` pairs as a map (a later value wins).
pub fn overrides(vars: &[(String, String)]) -> BTreeMap<String, String> {
    vars.iter().cloned().collect()
}
