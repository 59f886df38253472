//! Decisions about the terminal, made once: colour and progress display.
//!
//! Colour: `--color always|never` wins; with `auto`, `NO_COLOR` (non-empty)
//! turns it off, `CLICOLOR_FORCE` (non-empty, not `0`) turns it on, and
//! otherwise colour is used only when the stream is a terminal.

use std::io::IsTerminal;

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
