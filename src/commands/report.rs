//! `supportctl report merge`: many machines' JSON reports in one summary.
//!
//! Exit codes: 0 merged (duplicates and older runs of a host are expected
//! and only listed); 3 merged, but some input was left out (unreadable, not
//! a supportctl report, an incompatible schema version, matching nothing);
//! 2 nothing could be merged.

use super::print_error;
use crate::cli::MergeArgs;
use crate::merge::{self, render};
use crate::terminal::Terminal;

pub fn merge(args: &MergeArgs, term: &Terminal) -> i32 {
    let (files, mut problems) = merge::inputs(&args.inputs);
    let mut reports = Vec::new();
    for file in files {
        let source = file.display().to_string();
        match merge::read(&file) {
            Ok(rs) => reports.extend(rs.into_iter().map(|r| (source.clone(), r))),
            Err(problem) => problems.push(merge::Problem {
                source,
                problem,
                rejected: true,
            }),
        }
    }
    if reports.is_empty() {
        let why: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}", p.source, p.problem))
            .collect();
        let why = if why.is_empty() {
            "no *.json file in the folders given".to_string()
        } else {
            why.join("\n")
        };
        print_error(
            &format!("no report to merge\n{why}"),
            Some(
                "pass the JSON reports written by `supportctl run --format json` (or --report json=FILE), or folders holding them",
            ),
            term.stderr_color,
        );
        return 2;
    }
    let merged = merge::merge(reports, problems);
    let mut buf = Vec::new();
    if render::render(&merged, args.format, &mut buf).is_err() {
        return 3;
    }
    crate::out!("{}", String::from_utf8_lossy(&buf));
    if merged.problems.iter().any(|p| p.rejected) {
        3
    } else {
        0
    }
}
