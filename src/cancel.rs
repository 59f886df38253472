//! Cancellation: the run's flag (Ctrl-C, SIGTERM) and a step's own flag
//! (set by the watchdog when the step overruns its budget).
//!
//! Step kinds poll [`Cancel::is_set`] in their loops and stop promptly;
//! programs they run are killed (see `process`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether work should stop: the whole run, or just this step.
#[derive(Clone, Debug, Default)]
pub struct Cancel {
    run: Arc<AtomicBool>,
    step: Arc<AtomicBool>,
}

impl Cancel {
    /// A fresh flag for a whole run.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// A flag for one step: set when the run or the step is cancelled.
    pub fn for_step(&self) -> Cancel {
        Cancel {
            run: self.run.clone(),
            step: Arc::new(AtomicBool::new(false)),
        }
    }

    pub fn is_set(&self) -> bool {
        self.run.load(Ordering::Relaxed) || self.step.load(Ordering::Relaxed)
    }

    /// Whether the whole run was cancelled (not just this step).
    pub fn run_cancelled(&self) -> bool {
        self.run.load(Ordering::Relaxed)
    }

    /// Cancels the whole run; returns whether it was already cancelled.
    pub fn cancel_run(&self) -> bool {
        self.run.swap(true, Ordering::SeqCst)
    }

    /// Cancels this step only.
    pub fn cancel_step(&self) {
        self.step.store(true, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::Cancel;

    #[test]
    fn step_and_run_flags() {
        let run = Cancel::new();
        let a = run.for_step();
        let b = run.for_step();
        a.cancel_step();
        assert!(a.is_set() && !b.is_set() && !run.is_set());
        assert!(!run.cancel_run());
        assert!(b.is_set() && run.run_cancelled());
    }
}
