//! Exit codes: the interface for scripts, RMM tools and CI.
//!
//! | code | meaning |
//! |------|---------|
//! | 0    | every step passed, was fixed or skipped (warnings allowed unless `--strict`) |
//! | 1    | some step failed (or warned, with `--strict`) |
//! | 2    | invalid invocation or playbook: nothing ran |
//! | 3    | some step could not be evaluated (error) and none failed |
//! | 130  | interrupted (Ctrl-C) |
//!
//! With `--format nagios` the plugin convention applies instead:
//! 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.

use crate::report::Summary;

/// The process exit code, as an enum with a tested merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Failed = 1,
    Invalid = 2,
    Errored = 3,
    Interrupted = 130,
}

impl Exit {
    /// The exit code for a run's summary.
    pub fn from_summary(s: &Summary, strict: bool, interrupted: bool) -> Exit {
        if interrupted {
            Exit::Interrupted
        } else if s.fail > 0 || (strict && s.warn > 0) {
            Exit::Failed
        } else if s.error > 0 {
            Exit::Errored
        } else {
            Exit::Ok
        }
    }

    /// Combines two outcomes: interruption wins, then invalid, then failure, then error.
    pub fn merge(self, other: Exit) -> Exit {
        fn rank(e: Exit) -> u8 {
            match e {
                Exit::Ok => 0,
                Exit::Errored => 1,
                Exit::Failed => 2,
                Exit::Invalid => 3,
                Exit::Interrupted => 4,
            }
        }
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

    /// The Nagios plugin state for a summary: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    /// 3 UNKNOWN also covers an interrupted run.
    pub fn nagios(s: &Summary, strict: bool, interrupted: bool) -> i32 {
        if interrupted {
            return 3;
        }

        if s.fail > 0 || (strict && s.warn > 0) {
            2
        } else if s.error > 0 {
            3
        } else if s.warn > 0 {
            1
        } else {
            0
        }
    }

    pub fn code(self) -> i32 {
        self as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(warn: usize, fail: usize, error: usize) -> Summary {
        Summary {
            total: 5,
            pass: 1,
            warn,
            fail,
            error,
            ..Summary::default()
        }
    }

    #[test]
    fn codes_from_summary() {
        assert_eq!(
            Exit::from_summary(&summary(0, 0, 0), false, false),
            Exit::Ok
        );
        assert_eq!(
            Exit::from_summary(&summary(1, 0, 0), false, false),
            Exit::Ok
        );
        assert_eq!(
            Exit::from_summary(&summary(1, 0, 0), true, false),
            Exit::Failed
        );
        assert_eq!(
            Exit::from_summary(&summary(0, 1, 1), false, false),
            Exit::Failed
        );
        assert_eq!(
            Exit::from_summary(&summary(0, 0, 1), false, false),
            Exit::Errored
        );
        assert_eq!(
            Exit::from_summary(&summary(0, 1, 0), false, true),
            Exit::Interrupted
        );
    }

    #[test]
    fn merge_order() {
        use Exit::*;
        assert_eq!(Ok.merge(Errored), Errored);
        assert_eq!(Errored.merge(Failed), Failed);
        assert_eq!(Failed.merge(Errored), Failed);
        assert_eq!(Failed.merge(Invalid), Invalid);
        assert_eq!(Invalid.merge(Interrupted), Interrupted);
        assert_eq!(Interrupted.merge(Ok), Interrupted);
    }

    #[test]
    fn nagios_states() {
        assert_eq!(Exit::nagios(&summary(0, 0, 0), false, true), 3);
        assert_eq!(Exit::nagios(&summary(0, 0, 0), false, false), 0);
        assert_eq!(Exit::nagios(&summary(1, 0, 0), false, false), 1);
        assert_eq!(Exit::nagios(&summary(1, 0, 0), true, false), 2);
        assert_eq!(Exit::nagios(&summary(0, 1, 0), false, false), 2);
        assert_eq!(Exit::nagios(&summary(0, 0, 1), false, false), 3);
    }
}
