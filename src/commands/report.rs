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
    let (files, problems) = merge::inputs(&args.inputs);
    // One report at a time: each is folded in and dropped (see crate::merge).
    let mut fold = merge::Fold::new(problems);
    fold.keep_notes(args.format == render::MergeFormat::Csv);
    for file in files {
        fold.add_file(&file);
    }
    if fold.reports() == 0 {
        let why: Vec<String> = fold
            .problems()
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
    let merged = match fold.finish() {
        Ok(merged) => merged,
        Err(e) => {
            print_error(
                &format!("cannot merge: the merge's working file failed: {e}"),
                Some(
                    "the merge keeps each run in a temporary file: free space in the temp folder (TMPDIR), or point TMPDIR at a folder with room",
                ),
                term.stderr_color,
            );
            return 2;
        }
    };
    // Written as it is drawn, not gathered first: at 10,000 hosts the JSON
    // is tens of megabytes.
    {
        use std::io::Write;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        let written = render::render(&merged, args.format, &mut out).and_then(|()| out.flush());
        if let Err(e) = written
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            crate::terminal::note_stdout_failure();
            print_error(
                &format!("cannot write the merge to stdout: {e}"),
                None,
                term.stderr_color,
            );
        }
    }
    if merged.problems.iter().any(|p| p.rejected) {
        3
    } else {
        0
    }
}
