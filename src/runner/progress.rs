//! Progress on a terminal: a spinner with the steps in flight.
//!
//! Hidden (`ProgressBar::hidden()`) unless stdout and stderr are both
//! terminals, the format is `human` and `-q` is not given, so pipes, JSON
//! and CI logs stay clean.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// The run's progress display.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A visible spinner when `visible`, else a hidden one that draws nothing.
    pub fn new(visible: bool) -> Progress {
        let bar = if visible {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner:.cyan} [{pos}/{len}] {wide_msg} {elapsed:.dim}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        } else {
            ProgressBar::hidden()
        };
        Progress { bar }
    }

    pub fn hidden() -> Progress {
        Progress::new(false)
    }

    /// Starts a playbook of `steps` steps.
    pub fn playbook(&self, name: &str, steps: usize) {
        self.bar.set_length(steps as u64);
        self.bar.set_position(0);
        self.bar.set_message(name.to_string());
    }

    /// Shows which steps are running now.
    pub fn running(&self, names: &[&str]) {
        self.bar.set_message(names.join(", "));
    }

    /// Details from a long-running step (files scanned, bytes written...).
    pub fn detail(&self, text: &str) {
        self.bar.set_message(text.to_string());
    }

    pub fn step_done(&self) {
        self.bar.inc(1);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
