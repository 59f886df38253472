//! `supportctl list`: shipped playbooks and those on the search path.

use crate::cli::{ListArgs, ListFormat};
use crate::playbook::source::{list, search_dirs};
use crate::render::one_line;

pub fn run(args: &ListArgs) -> i32 {
    let all = list();
    match args.format {
        ListFormat::Json => {
            crate::outln!("{}", serde_json::to_string_pretty(&all).unwrap_or_default())
        }
        ListFormat::Human => {
            let width = all.iter().map(|l| l.name.len()).max().unwrap_or(4).max(4);
            for l in &all {
                let note = if l.shadowed {
                    " (hidden by an earlier one of the same name)"
                } else {
                    ""
                };
                crate::outln!(
                    "{:<width$}  {}{note}",
                    one_line(&l.name),
                    one_line(&l.description)
                );
                if l.source != "shipped" {
                    crate::outln!("{:<width$}  ↳ {}", "", one_line(&l.source));
                }
            }
            let dirs: Vec<String> = search_dirs()
                .iter()
                .map(|d| one_line(&d.display().to_string()))
                .collect();
            crate::outln!();
            crate::outln!(
                "Search path (SUPPORTCTL_PATH, then the user directory): {}",
                dirs.join(", ")
            );
        }
    }
    0
}
