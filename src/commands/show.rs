//! `supportctl show`: a playbook's steps, conditions, and what it could change.

use std::fmt::Write as _;

use super::{load_all, overrides, print_diagnostics};
use crate::cli::ShowArgs;
use crate::exit::Exit;
use crate::facts::Facts;
use crate::playbook::Playbook;
use crate::playbook::model::{Fix, Severity, When};
use crate::steps::Check;
use crate::terminal::Terminal;
use crate::vars::BUILTINS;

fn describe_when(w: &When) -> Vec<String> {
    let mut parts = Vec::new();
    let list = |v: Vec<String>| v.join(" or ");
    if !w.os.is_empty() {
        parts.push(format!(
            "os is {}",
            list(
                w.os.iter()
                    .map(|o| format!("{o:?}").to_lowercase())
                    .collect()
            )
        ));
    }
    if !w.arch.is_empty() {
        parts.push(format!(
            "arch is {}",
            list(w.arch.iter().map(|a| a.as_str().to_string()).collect())
        ));
    }
    if let Some(v) = &w.min_os_version {
        parts.push(format!("OS version ≥ {v}"));
    }
    if let Some(v) = &w.below_os_version {
        parts.push(format!("OS version < {v}"));
    }
    for (what, items) in [
        ("env var set", &w.env),
        ("variable given", &w.var),
        ("path exists", &w.path_exists),
        ("command exists", &w.command_exists),
    ] {
        if !items.is_empty() {
            parts.push(format!("{what}: {}", items.0.join(", ")));
        }
    }
    for (cond, ids) in w.step_refs() {
        if !ids.is_empty() {
            parts.push(format!("step {} {cond}", ids.0.join(", ")));
        }
    }
    if let Some(d) = w.dry_run {
        parts.push(
            if d {
                "in a dry run"
            } else {
                "not in a dry run"
            }
            .to_string(),
        );
    }
    for r in w.reason.iter() {
        parts.push(format!("step {} ended for {}", r.step, r.is.0.join(" or ")));
    }
    parts
}

/// The text `show` prints for a playbook.
pub fn describe(pb: &Playbook) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}{}",
        pb.name,
        pb.meta
            .description
            .as_ref()
            .map(|d| format!(" — {d}"))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "source: {}", pb.source);
    if !pb.vars.is_empty() {
        let _ = writeln!(out, "\nvariables (override with --var NAME=VALUE):");
        for (k, v) in &pb.vars {
            if pb.secret_vars.contains(k) {
                let _ = writeln!(out, "  {k} = (secret, not shown)");
            } else {
                let _ = writeln!(out, "  {k} = {v:?}");
            }
        }
    }
    let _ = writeln!(out, "\nsteps:");
    for (i, s) in pb.steps.iter().enumerate() {
        let check = s.kind.check();
        let _ = writeln!(
            out,
            "  {}. {} [{}] {}",
            i + 1,
            s.id,
            s.kind.name(),
            check.describe()
        );
        let c = &s.common;
        if c.name.is_some() {
            let _ = writeln!(out, "       name: {}", s.name());
        }
        if let Some(d) = &c.description {
            let _ = writeln!(out, "       {d}");
        }
        if let Some(w) = &c.when {
            let _ = writeln!(out, "       when: {}", describe_when(w).join("; "));
        }
        let mut flags = Vec::new();
        if !c.tags.is_empty() {
            flags.push(format!("tags: {}", c.tags.join(", ")));
        }
        if let Some(t) = c.timeout {
            flags.push(format!("timeout {t}"));
        }
        if c.severity == Severity::Warn {
            flags.push("failure is a warning".into());
        }
        if c.retries > 0 {
            flags.push(format!("{} retries", c.retries));
        }
        if c.stop_on_failure {
            flags.push("stops the playbook on failure".into());
        }
        if c.only_as_fix {
            flags.push("only runs as a fix".into());
        }
        if !flags.is_empty() {
            let _ = writeln!(out, "       {}", flags.join(" · "));
        }
        match &s.fix {
            Some(Fix::Step(id)) => {
                let _ = writeln!(out, "       fix: runs step `{id}`, then checks again");
            }
            Some(Fix::Steps(ids)) => {
                let _ = writeln!(
                    out,
                    "       fix: runs steps `{}` in order, then checks again",
                    ids.join("`, `")
                );
            }
            Some(Fix::Command { command: cmd, .. }) => {
                let _ = writeln!(out, "       fix: {}, then checks again", cmd.describe());
            }
            None => {}
        }
    }
    if !pb.causes.is_empty() {
        let _ = writeln!(
            out,
            "\ncauses ({}, checked after the steps):",
            match pb.meta.conclude {
                crate::playbook::model::Conclude::First => "the first that matches concludes",
                crate::playbook::model::Conclude::All => "every one that matches concludes",
            }
        );
        for (i, c) in pb.causes.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}: {}", i + 1, c.id, c.summary);
            let _ = writeln!(out, "       when: {}", describe_when(&c.when).join("; "));
            if !c.fix.is_empty() {
                let _ = writeln!(
                    out,
                    "       fix: tries `{}` in order, checking again after each",
                    c.fix.0.join("`, `")
                );
            }
        }
    }
    let changes: Vec<String> = pb
        .steps
        .iter()
        .filter_map(|s| {
            let mut what = Vec::new();
            if s.kind.check().changes_system() {
                what.push(s.kind.check().describe());
            }
            if let Some(Fix::Command { command: cmd, .. }) = &s.fix {
                what.push(format!("fix {}", cmd.describe()));
            }
            (!what.is_empty()).then(|| format!("  - {}: {}", s.id, what.join("; ")))
        })
        .collect();
    let _ = writeln!(out, "\ncould change the system:");
    if changes.is_empty() {
        let _ = writeln!(out, "  nothing: every step only reads");
    } else {
        for c in changes {
            let _ = writeln!(out, "{c}");
        }
        let _ = writeln!(
            out,
            "  (`run --dry-run` shows what would happen without doing it)"
        );
    }
    let names: Vec<&str> = BUILTINS.iter().map(|(n, _)| *n).collect();
    let _ = writeln!(out, "\nbuilt-in variables: {}", names.join(", "));
    out
}

pub fn run(args: &ShowArgs, term: &Terminal) -> i32 {
    let facts = Facts::gather();
    let loaded = load_all(
        std::slice::from_ref(&args.playbook),
        &facts,
        &overrides(&args.vars.vars),
    );
    if loaded.has_errors() {
        print_diagnostics(loaded.diagnostics(), term.stderr_color);
        return Exit::Invalid.code();
    }
    for pb in &loaded.playbooks {
        // Playbook text reaches a terminal: no control sequences.
        crate::out!(
            "{}",
            crate::render::safe_text(&super::redact_text(&describe(pb)))
        );
    }
    Exit::Ok.code()
}
