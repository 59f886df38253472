//! Log scanning: find the errors, their times and the addresses in a
//! machine's logs. An engine: [`Params`] in, [`Scan`] out.
//!
//! - `files.rs`: which files (globs, rotated siblings oldest first) and how
//!   they are opened;
//! - `text.rs`: one text log, plain / gzip / UTF-16, searched chunk by chunk,
//!   the window found by binary search;
//! - `time.rs`: timestamps at line starts, sniffed per file;
//! - `system.rs`: the journal, the Windows Event Log, the macOS unified log;
//! - `collect.rs`: bounded grouping, samples and extracted values.

pub mod collect;
pub mod files;
pub mod system;
pub mod text;
pub mod time;

use std::time::Instant;

use jiff::Timestamp;
use regex::bytes::Regex;

pub use collect::{Extract, Findings, GroupBy};

use crate::cancel::Cancel;
use collect::Collector;
use text::{FileNote, TextScan};

/// The systemd journal's part of a scan.
#[derive(Clone, Debug, Default)]
pub struct Journal {
    /// `emerg` … `debug`: this priority and worse.
    pub priority: Option<String>,
    pub units: Vec<String>,
}

/// The Windows Event Log's part of a scan.
#[derive(Clone, Debug, Default)]
pub struct EventLog {
    pub logs: Vec<String>,
    /// 1 critical … 5 verbose: this level and worse.
    pub level: Option<u8>,
    pub providers: Vec<String>,
    pub ids: Vec<u32>,
}

/// The macOS unified log's part of a scan.
#[derive(Clone, Debug, Default)]
pub struct Unified {
    pub predicate: Option<String>,
}

/// What to scan and how to count it.
pub struct Params {
    pub files: Vec<String>,
    pub journal: Option<Journal>,
    pub eventlog: Option<EventLog>,
    pub unified: Option<Unified>,
    pub patterns: Vec<Regex>,
    pub exclude: Vec<Regex>,
    pub since: Option<Timestamp>,
    pub group_by: GroupBy,
    pub samples: usize,
    pub extract: Vec<Extract>,
    pub max_files: usize,
    /// Events read at most from the journal / Event Log.
    pub max_events: u64,
    /// `std::env::consts::OS` naming: which system log applies.
    pub os: String,
}

/// What a scan found and read.
pub struct Scan {
    pub findings: Findings,
    pub files: Vec<FileNote>,
    /// Per system log: what was read (`journal: 1,204 entries`).
    pub sources: Vec<String>,
    /// Sources that could not be read.
    pub errors: Vec<String>,
    /// Sources left out (no file matched, another OS).
    pub notes: Vec<String>,
    pub stopped: bool,
}

/// Runs the scan within `deadline`.
pub fn run(p: &Params, deadline: Instant, cancel: &Cancel) -> Scan {
    let mut c = Collector::new(
        p.patterns.clone(),
        p.exclude.clone(),
        p.group_by,
        p.samples,
        p.since,
        &p.extract,
    );
    let mut scan = Scan {
        findings: Findings::default(),
        files: Vec::new(),
        sources: Vec::new(),
        errors: Vec::new(),
        notes: Vec::new(),
        stopped: false,
    };
    if !p.files.is_empty() {
        let since = p.since.map(std::time::SystemTime::from);
        let (paths, notes) = files::expand(&p.files, since, p.max_files);
        scan.notes.extend(notes);
        let combined = combine(&p.patterns);
        let ts = TextScan {
            combined: combined.as_ref(),
            since: p.since,
            zone: jiff::tz::TimeZone::system(),
            now: Timestamp::now(),
            deadline,
            cancel,
        };
        for path in paths {
            let note = text::scan(&path, &ts, &mut c);
            if let Some(e) = &note.error {
                scan.errors.push(format!("{}: {e}", note.path));
            }
            let stop = note.stopped;
            scan.files.push(note);
            if stop {
                scan.stopped = true;
                break;
            }
        }
    }
    let window_ms = p
        .since
        .map(|t| (Timestamp::now().as_millisecond() - t.as_millisecond()).max(0) as u64);
    let mut system = |name: &str,
                      argv: Vec<String>,
                      parse: fn(&str, &mut Collector) -> usize,
                      c: &mut Collector| {
        match system::run(argv, deadline, cancel) {
            Ok((out, cut)) => {
                let n = parse(&out, c);
                scan.sources.push(format!(
                    "{name}: {n} entries{}",
                    if cut { " (output cut at 64 MiB)" } else { "" }
                ));
            }
            Err(e) => scan.errors.push(format!("{name}: {e}")),
        }
    };
    match p.os.as_str() {
        "linux" => {
            if let Some(j) = &p.journal {
                let argv = system::journal_argv(p.since, j.priority.as_deref(), &j.units);
                system("journal", argv, system::parse_journal, &mut c);
            }
        }
        "macos" => {
            if let Some(u) = &p.unified {
                let argv = system::unified_argv(
                    p.since,
                    u.predicate.as_deref(),
                    &jiff::tz::TimeZone::system(),
                );
                system("unified log", argv, system::parse_unified, &mut c);
            }
        }
        "windows" => {
            if let Some(e) = &p.eventlog {
                let xpath = system::event_xpath(e.level, window_ms, &e.providers, &e.ids);
                for log in &e.logs {
                    let argv = system::eventlog_argv(log, &xpath, p.max_events);
                    system(
                        &format!("{log} event log"),
                        argv,
                        system::parse_eventlog,
                        &mut c,
                    );
                }
            }
        }
        _ => {}
    }
    scan.findings = c.finish();
    scan
}

/// All patterns in one multi-line regex, searched over whole chunks.
fn combine(patterns: &[Regex]) -> Option<Regex> {
    if patterns.is_empty() {
        return None;
    }
    let alternation: Vec<String> = patterns
        .iter()
        .map(|p| format!("(?:{})", p.as_str()))
        .collect();
    Regex::new(&format!("(?m){}", alternation.join("|"))).ok()
}
