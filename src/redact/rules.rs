//! What a rule is: a pattern (an alternative of the one combined regex) and
//! what happens to its match.

use super::pseudonyms::Kind;

/// What a rule does with its match.
#[derive(Clone, Copy, Debug)]
pub(super) enum Action {
    /// Replace group `v` (or the whole match) with `[REDACTED:label]`, keeping `k` and `t`.
    Secret(&'static str),
    /// Replace group `v` (or the whole match) with a pseudonym, keeping `k`.
    Pseudonym(Kind),
}

pub(super) struct Rule {
    pub(super) pattern: String,
    pub(super) action: Action,
}

pub(super) fn rule(pattern: impl Into<String>, action: Action) -> Rule {
    Rule {
        pattern: pattern.into(),
        action,
    }
}
