//! `supportctl redact`: the redaction engine as a filter, files or standard
//! input to standard output, with the rule flags of `[step.redact]`.

use std::io::{self, BufReader, Write};

use super::print_error;
use crate::cancel::Cancel;
use crate::cli::RedactArgs;
use crate::exit::Exit;
use crate::facts::Facts;
use crate::redact::{Counts, RedactConfig, Redactor};
use crate::terminal::Terminal;
use crate::values::Pattern;

fn config(args: &RedactArgs) -> Result<RedactConfig, String> {
    let patterns = args
        .patterns
        .iter()
        .map(|p| {
            p.parse::<Pattern>()
                .map_err(|e| format!("--pattern `{p}`: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RedactConfig {
        builtin: !args.no_builtin,
        emails: args.emails,
        ip: args.ip,
        mac: args.mac,
        hostnames: args.hostnames,
        usernames: args.usernames,
        extra_hostnames: args.extra_hostnames.clone(),
        extra_usernames: args.extra_usernames.clone(),
        keywords: args.keywords.clone(),
        patterns,
    })
}

pub fn run(args: &RedactArgs, term: &Terminal) -> i32 {
    let cfg = match config(args) {
        Ok(c) => c,
        Err(e) => {
            print_error(
                &e,
                Some("write a Rust regular expression"),
                term.stderr_color,
            );
            return Exit::Invalid.code();
        }
    };
    let facts = Facts::gather();
    let mut redactor = match Redactor::new(&cfg, &facts.hostname, &facts.user) {
        Ok(r) => r,
        Err(e) => {
            print_error(
                &format!("cannot build the rules: {e}"),
                None,
                term.stderr_color,
            );
            return Exit::Invalid.code();
        }
    };
    let cancel = Cancel::new();
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(256 * 1024, stdout.lock());
    let mut total = Counts::new();
    let mut failed = false;
    let inputs: Vec<Option<&std::path::Path>> = if args.files.is_empty() {
        vec![None]
    } else {
        args.files
            .iter()
            .map(|p| (p.as_os_str() != "-").then_some(p.as_path()))
            .collect()
    };
    for input in inputs {
        let result = match input {
            None => redactor.stream(&mut io::stdin().lock(), &mut out, &cancel, false),
            Some(path) => match crate::safeopen::open_regular(path) {
                Ok(file) => redactor.stream(
                    &mut BufReader::with_capacity(256 * 1024, file),
                    &mut out,
                    &cancel,
                    false,
                ),
                Err(e) => Err(e),
            },
        };
        match result {
            Ok(counts) => {
                for (rule, n) in counts {
                    *total.entry(rule).or_default() += n;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return 0,
            Err(e) => {
                failed = true;
                let what = input.map_or("standard input".to_string(), |p| {
                    format!("`{}`", p.display())
                });
                print_error(
                    &format!("cannot redact {what}: {e}"),
                    None,
                    term.stderr_color,
                );
            }
        }
    }
    if let Err(e) = out.flush()
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        crate::terminal::note_stdout_failure();
    }
    if args.stats {
        let mut err = io::stderr().lock();
        let n: u64 = total.values().sum();
        let _ = writeln!(err, "{n} value(s) redacted");
        for (rule, count) in &total {
            let _ = writeln!(err, "  {rule}: {count}");
        }
    }
    if failed { Exit::Errored.code() } else { 0 }
}
