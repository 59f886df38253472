//! Checks across steps: ids, `when` references to other steps, and fixes.
//!
//! Runs after every step decoded cleanly, so spans are known for each key.

use std::collections::BTreeMap;
use std::ops::Range;

use super::diagnostic::did_you_mean;
use super::load::{RawCause, RawStep, Sink};
use super::model::{Advice, Fix, When};
use crate::steps::{gives_reason, reason_codes};

/// Whether an id is made of letters, digits, `-`, `_` and `.`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// Reports every id given to more than one step: (id, id value span, step table span).
pub(super) fn duplicate_ids(ids: &[(String, Range<usize>, Range<usize>)], sink: &mut Sink) {
    let mut first: BTreeMap<&str, &Range<usize>> = BTreeMap::new();
    for (id, span, table) in ids {
        match first.get(id.as_str()) {
            None => {
                first.insert(id, table);
            }
            Some(first_table) => {
                let line = sink.source[..first_table.start.min(sink.source.len())]
                    .matches('\n')
                    .count()
                    + 1;
                sink.error(
                    Some(span.clone()),
                    format!("duplicate step id `{id}`"),
                    Some(format!(
                        "the first step with this id is at line {line}; ids must be unique"
                    )),
                );
            }
        }
    }
}

/// "did you mean" for a reason code a `kind` step never gives, or the list.
fn reason_hint(kind: &str, reason: &str) -> String {
    let codes = reason_codes(kind);
    match did_you_mean(reason, codes.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("a `{kind}` step's reasons: {}", codes.join(", ")),
    }
}

/// The span of `text` among `spans`, else `fallback`.
fn span_of(
    spans: Option<&Vec<(String, Range<usize>)>>,
    text: &str,
    fallback: Range<usize>,
) -> Range<usize> {
    spans
        .and_then(|v| v.iter().find(|(s, _)| s == text))
        .map_or(fallback, |(_, sp)| sp.clone())
}

/// Looks up a step named by a condition: its kind (`None` when the step has
/// errors of its own), or why it cannot be named (message, hint).
type KindOf<'a> = dyn Fn(&str) -> Result<Option<&'static str>, (String, String)> + 'a;

/// Checks `when.reason` entries: `kind_of` says the named step's kind
/// (`Ok(None)` when the step has errors of its own) or why it cannot be
/// named (message, hint); each code must be one its kind gives.
pub(super) fn check_reason_refs(
    when: &When,
    spans: Option<&Vec<(String, Range<usize>)>>,
    fallback: Range<usize>,
    kind_of: &KindOf,
    sink: &mut Sink,
) {
    for want in when.reason.iter() {
        let span = span_of(spans, &want.step, fallback.clone());
        match kind_of(&want.step) {
            Err((message, hint)) => sink.error(Some(span), message, Some(hint)),
            Ok(None) => {}
            Ok(Some(kind)) => {
                for code in want.is.iter().filter(|c| !gives_reason(kind, c)) {
                    sink.error(
                        Some(span_of(spans, code, fallback.clone())),
                        format!(
                            "`when.reason` expects `{}` to end for `{code}`, a reason a `{kind}` step never gives",
                            want.step
                        ),
                        Some(reason_hint(kind, code)),
                    );
                }
            }
        }
    }
}

/// `all_ids` holds the id of every step in order, including steps that
/// failed to decode (absent from `steps`).
pub(super) fn validate(
    steps: &[RawStep],
    all_ids: &[String],
    causes: &[RawCause],
    sink: &mut Sink,
) {
    for step in steps {
        let id = step.def.id.as_str();
        if step.id_given && !is_valid_id(id) {
            sink.error(
                Some(step.spans.value("id")),
                format!("invalid step id `{id}`"),
                Some("use ASCII letters, digits, `-`, `_` and `.` (e.g. \"system-disk\")".into()),
            );
        }
        if step.def.common.timeout.is_some_and(|t| t.0.is_zero()) {
            sink.error(
                Some(step.spans.value("timeout")),
                format!("`timeout` of step `{id}` is zero"),
                Some("give the step time to run, e.g. \"30s\"".into()),
            );
        }
    }
    let ids: Vec<&str> = all_ids.iter().map(String::as_str).collect();
    let unknown_hint = |name: &str| match did_you_mean(name, ids.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("step ids in this playbook: {}", ids.join(", ")),
    };
    // Lookups by id, built once: a playbook of thousands of steps whose
    // `when` names its predecessors is checked in linear time.
    let mut position: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (j, id) in ids.iter().enumerate() {
        position.entry(id).or_insert(j);
    }
    let mut by_id: std::collections::HashMap<&str, &RawStep> = std::collections::HashMap::new();
    for s in steps {
        by_id.entry(s.def.id.as_str()).or_insert(s);
    }
    let fix_targets: std::collections::HashSet<&str> = steps
        .iter()
        .flat_map(|s| s.def.fix.iter().flat_map(Fix::step_ids))
        .chain(
            causes
                .iter()
                .flat_map(|c| c.cause.fix.iter().map(String::as_str)),
        )
        .collect();
    validate_causes(causes, &ids, &by_id, &unknown_hint, sink);
    for step in steps {
        let i = step.index;
        if let Some(Advice::ByReason(map)) = &step.def.common.advice {
            let kind = step.def.kind.name();
            for key in map
                .keys()
                .filter(|k| *k != "default" && !gives_reason(kind, k))
            {
                let span = step
                    .spans
                    .advice_keys
                    .iter()
                    .find(|(k, _)| k == key)
                    .map_or_else(|| step.spans.value("advice"), |(_, sp)| sp.clone());
                sink.error(
                    Some(span),
                    format!("`advice` names reason `{key}`, which a `{kind}` step never gives"),
                    Some(reason_hint(kind, key)),
                );
            }
        }
        if let Some(when) = &step.def.common.when {
            let kind_of = |id: &str| match position.get(id).copied() {
                None => Err((
                    format!("`when.reason` names unknown step `{id}`"),
                    unknown_hint(id),
                )),
                Some(j) if j >= i => Err((
                    format!(
                        "`when.reason` names step `{id}`, which does not run before step `{}`",
                        step.def.id
                    ),
                    "a condition can only look at steps earlier in the playbook".into(),
                )),
                Some(_) => Ok(by_id.get(id).map(|s| s.def.kind.name())),
            };
            check_reason_refs(
                when,
                step.spans.when_refs.get("reason"),
                step.spans.value("when"),
                &kind_of,
                sink,
            );
            for (cond, refs) in when.step_refs() {
                for target in refs.iter() {
                    let span = step
                        .spans
                        .when_refs
                        .get(cond)
                        .and_then(|v| v.iter().find(|(s, _)| s == target))
                        .map_or_else(|| step.spans.value("when"), |(_, sp)| sp.clone());
                    match position.get(target.as_str()).copied() {
                        None => sink.error(Some(span), format!("`when.{cond}` names unknown step `{target}`"), Some(unknown_hint(target))),
                        Some(j) if j >= i => sink.error(
                            Some(span),
                            format!("`when.{cond}` names step `{target}`, which does not run before step `{}`", step.def.id),
                            Some("a condition can only look at steps earlier in the playbook".into()),
                        ),
                        Some(_) => {}
                    }
                }
            }
        }
        for target in step.def.fix.iter().flat_map(Fix::step_ids) {
            let span = step.spans.value("fix");
            match by_id.get(target).copied() {
                None if ids.contains(&target) => {}
                None => sink.error(
                    Some(span),
                    format!("fix names unknown step `{target}`"),
                    Some(unknown_hint(target)),
                ),
                Some(t) if t.def.id == step.def.id => sink.error(
                    Some(span),
                    format!("step `{target}` names itself as its fix"),
                    Some("name a different step, usually one with only_as_fix = true".into()),
                ),
                Some(t) if t.def.fix.is_some() => sink.error(
                    Some(span),
                    format!("fix step `{target}` has a fix of its own"),
                    Some("fixes do not chain: give the fix step no [step.fix]".into()),
                ),
                Some(_) => {}
            }
        }
        if step.def.common.only_as_fix {
            let used = fix_targets.contains(step.def.id.as_str());
            if !used {
                sink.error(
                    Some(step.spans.key("only_as_fix")),
                    format!("step `{}` is only_as_fix, but no step names it as its fix", step.def.id),
                    Some(format!("add fix = {{ step = \"{}\" }} to the check it repairs (or name it in a [[cause]]'s fix), or remove only_as_fix", step.def.id)),
                );
            }
        }
    }
}

/// Checks the `[[cause]]` tables: ids valid and unique, `when` naming
/// steps that exist (any step: causes are checked after all of them) with
/// reasons their kinds give, and `fix` naming steps.
fn validate_causes(
    causes: &[RawCause],
    ids: &[&str],
    by_id: &std::collections::HashMap<&str, &RawStep>,
    unknown_hint: &dyn Fn(&str) -> String,
    sink: &mut Sink,
) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (n, c) in causes.iter().enumerate() {
        let id = c.cause.id.as_str();
        if !is_valid_id(id) {
            sink.error(
                Some(c.id.clone()),
                format!("invalid cause id `{id}`"),
                Some("use ASCII letters, digits, `-`, `_` and `.` (e.g. \"dns-only\")".into()),
            );
        }
        if let Some(first) = seen.insert(id, n) {
            sink.error(
                Some(c.id.clone()),
                format!("duplicate cause id `{id}`"),
                Some(format!(
                    "cause {} has this id already; ids must be unique",
                    first + 1
                )),
            );
        }
        let when = &c.cause.when;
        if !when.depends_on_steps() {
            sink.error(
                Some(c.table.clone()),
                format!("cause `{id}` looks at no step"),
                Some("give its `when` a step condition, e.g. when = { failed = \"dns\" }".into()),
            );
        }
        for (cond, refs) in when.step_refs() {
            for target in refs.iter().filter(|t| !ids.contains(&t.as_str())) {
                let span = span_of(c.when_refs.get(cond), target, c.table.clone());
                sink.error(
                    Some(span),
                    format!("cause `{id}`: `when.{cond}` names unknown step `{target}`"),
                    Some(unknown_hint(target)),
                );
            }
        }
        let kind_of = |step: &str| {
            if ids.contains(&step) {
                Ok(by_id.get(step).map(|s| s.def.kind.name()))
            } else {
                Err((
                    format!("cause `{id}`: `when.reason` names unknown step `{step}`"),
                    unknown_hint(step),
                ))
            }
        };
        check_reason_refs(
            when,
            c.when_refs.get("reason"),
            c.table.clone(),
            &kind_of,
            sink,
        );
        for target in c.cause.fix.iter().filter(|t| !ids.contains(&t.as_str())) {
            sink.error(
                Some(c.fix.clone()),
                format!("cause `{id}`: fix names unknown step `{target}`"),
                Some(unknown_hint(target)),
            );
        }
    }
}
