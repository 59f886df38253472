//! Decisions about the terminal, made once: colour and progress display.
//!
//! Colour: `--color always|never` wins; with `auto`, `NO_COLOR` (non-empty)
//! turns it off, `CLICOLOR_FORCE` (non-empty, not `0`) turns it on, and
//! otherwise colour is used only when the stream is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cli::ColorChoice;

/// Whether to colour a stream, given the flag, the environment and whether it is a terminal.
pub fn use_color(
    choice: ColorChoice,
    no_color: Option<&str>,
    clicolor_force: Option<&str>,
    is_terminal: bool,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if no_color.is_some_and(|v| !v.is_empty()) {
                false
            } else if clicolor_force.is_some_and(|v| !v.is_empty() && v != "0") {
                true
            } else {
                is_terminal
            }
        }
    }
}

/// Resolved output settings for this process.
#[derive(Clone, Copy, Debug)]
pub struct Terminal {
    pub stdout_color: bool,
    pub stderr_color: bool,
    pub stdout_is_terminal: bool,
    pub stderr_is_terminal: bool,
}

impl Terminal {
    pub fn detect(choice: ColorChoice) -> Terminal {
        let no_color = std::env::var("NO_COLOR").ok();
        let force = std::env::var("CLICOLOR_FORCE").ok();
        let out = std::io::stdout().is_terminal();
        let err = std::io::stderr().is_terminal();
        Terminal {
            stdout_color: use_color(choice, no_color.as_deref(), force.as_deref(), out),
            stderr_color: use_color(choice, no_color.as_deref(), force.as_deref(), err),
            stdout_is_terminal: out,
            stderr_is_terminal: err,
        }
    }

    /// Progress is drawn only when a person is watching both streams.
    pub fn show_progress(&self) -> bool {
        self.stdout_is_terminal && self.stderr_is_terminal
    }
}

/// Set when writing to stdout failed (full disk, closed stream).
static STDOUT_FAILED: AtomicBool = AtomicBool::new(false);

/// Writes to stdout without panicking; a failure is remembered (see [`stdout_failed`]).
pub fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        STDOUT_FAILED.store(true, Ordering::Relaxed);
    }
}

/// Writes to stderr, ignoring failures (there is nowhere left to report them).
pub fn write_stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Records a failed write to stdout made elsewhere (e.g. by a renderer).
pub fn note_stdout_failure() {
    STDOUT_FAILED.store(true, Ordering::Relaxed);
}

/// Whether some write to stdout failed during this process.
pub fn stdout_failed() -> bool {
    STDOUT_FAILED.load(Ordering::Relaxed)
}

/// `println!` that never panics: a failed write makes the process exit 3.
#[macro_export]
macro_rules! outln {
    () => { $crate::terminal::write_stdout("\n") };
    ($($arg:tt)*) => { $crate::terminal::write_stdout(&format!("{}\n", format_args!($($arg)*))) };
}

/// `print!` that never panics.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::terminal::write_stdout(&format!($($arg)*)) };
}

/// `eprintln!` that never panics.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => { $crate::terminal::write_stderr(&format!("{}\n", format_args!($($arg)*))) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColorChoice::*;

    #[test]
    fn colour_rules() {
        assert!(use_color(Always, Some("1"), None, false));
        assert!(!use_color(Never, None, Some("1"), true));
        assert!(!use_color(Auto, Some("1"), Some("1"), true));
        assert!(use_color(Auto, Some(""), Some("1"), false));
        assert!(!use_color(Auto, None, Some("0"), false));
        assert!(use_color(Auto, None, None, true));
        assert!(!use_color(Auto, None, None, false));
    }
}
