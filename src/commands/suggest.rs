//! `supportctl suggest WORDS...`: the playbooks that fit what the user said,
//! ranked by their symptoms (see `crate::suggest`), with the command to run.

use std::collections::BTreeMap;

use crate::cli::{ListFormat, SuggestArgs};
use crate::playbook::source::list;
use crate::render::one_line;
use crate::suggest::{Candidate, rank};

#[derive(serde::Serialize)]
struct Suggestion {
    playbook: String,
    description: String,
    score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    symptom: Option<String>,
    /// What to type; a dry run first when the playbook may change the system.
    command: String,
    /// Runs of it on this machine that fixed something.
    fixed_here: u32,
}

pub fn run(args: &SuggestArgs) -> i32 {
    let query = args.words.join(" ");
    // Shadowed playbooks are never what `run NAME` runs: leave them out.
    let listed: Vec<_> = list().into_iter().filter(|l| !l.shadowed).collect();
    let fixed: BTreeMap<String, u32> = crate::history::open_existing()
        .and_then(|h| h.fixed_counts().ok())
        .map(|counts| {
            counts
                .into_iter()
                .map(|(name, n)| (name, n.max(0) as u32))
                .collect()
        })
        .unwrap_or_default();
    let candidates: Vec<Candidate> = listed
        .iter()
        .map(|l| Candidate {
            name: l.name.clone(),
            description: l.description.clone(),
            category: l.category.clone(),
            symptoms: l.symptoms.clone(),
            fixed_before: fixed.get(&l.name).copied().unwrap_or(0),
        })
        .collect();
    let suggestions: Vec<Suggestion> = rank(&query, &candidates)
        .into_iter()
        .take(args.limit as usize)
        .map(|r| {
            let l = &listed[r.index];
            Suggestion {
                playbook: l.name.clone(),
                description: l.description.clone(),
                score: r.score,
                symptom: r.symptom,
                command: if l.changes {
                    format!("supportctl run {} --dry-run", l.name)
                } else {
                    format!("supportctl run {}", l.name)
                },
                fixed_here: candidates[r.index].fixed_before,
            }
        })
        .collect();
    match args.format {
        ListFormat::Json => {
            crate::outln!(
                "{}",
                serde_json::to_string_pretty(&suggestions).unwrap_or_default()
            );
        }
        ListFormat::Human if suggestions.is_empty() => {
            crate::outln!(
                "No playbook matches \"{}\"; `supportctl list` shows them all.",
                one_line(&query)
            );
        }
        ListFormat::Human => {
            for (i, s) in suggestions.iter().enumerate() {
                crate::outln!(
                    "{}. {} — {}",
                    i + 1,
                    one_line(&s.playbook),
                    one_line(&s.description)
                );
                if let Some(symptom) = &s.symptom {
                    crate::outln!("   matches \"{}\"", one_line(symptom));
                }
                if s.fixed_here > 0 {
                    crate::outln!(
                        "   fixed something here {} time{} before",
                        s.fixed_here,
                        if s.fixed_here == 1 { "" } else { "s" }
                    );
                }
                let note = if s.command.ends_with("--dry-run") {
                    "   (it can change the system: preview first, then run it without --dry-run)"
                } else {
                    ""
                };
                crate::outln!("   run: {}{note}", one_line(&s.command));
            }
        }
    }
    0
}
