//! Progress on a terminal: a spinner with the steps in flight.
//!
//! Hidden (`ProgressBar::hidden()`) unless stdout and stderr are both
//! terminals, the format is `human` and `-q` is not given, so pipes, JSON
//! and CI logs stay clean.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A byte bar in progress (see [`Progress::transfer`]).
pub struct Transfer {
    bar: ProgressBar,
    saved: (Option<u64>, u64, ProgressStyle),
}

impl Transfer {
    pub fn advance(&self, bytes: u64) {
        if !self.bar.is_hidden() {
            self.bar.inc(bytes);
        }
    }
}

impl Drop for Transfer {
    fn drop(&mut self) {
        if !self.bar.is_hidden() {
            let (len, pos, style) = self.saved.clone();
            self.bar.set_style(style);
            if let Some(len) = len {
                self.bar.set_length(len);
            }
            self.bar.set_position(pos);
        }
    }
}

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

    /// A byte progress bar for a long transfer (bundling); the step
    /// display comes back when the returned guard is dropped. Steps that
    /// use it run alone, so nothing else updates the bar meanwhile.
    pub fn transfer(&self, label: &str, total: u64) -> Transfer {
        let saved = (self.bar.length(), self.bar.position(), self.bar.style());
        if !self.bar.is_hidden() {
            self.bar.set_style(
                ProgressStyle::with_template(
                    "{spinner:.cyan} {msg} [{bar:30.cyan/dim}] {bytes}/{total_bytes} {binary_bytes_per_sec}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            self.bar.set_length(total);
            self.bar.set_position(0);
            self.bar.set_message(label.to_string());
        }
        Transfer {
            bar: self.bar.clone(),
            saved,
        }
    }

    pub fn step_done(&self) {
        self.bar.inc(1);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
