//! Checks across steps: ids, `when` references to other steps, and fixes.
//!
//! Runs after every step decoded cleanly, so spans are known for each key.

use std::collections::BTreeMap;
use std::ops::Range;

use super::diagnostic::did_you_mean;
use super::load::{RawStep, Sink};
use super::model::Fix;

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

/// `all_ids` holds the id of every step in order, including steps that
/// failed to decode (absent from `steps`).
pub(super) fn validate(steps: &[RawStep], all_ids: &[String], sink: &mut Sink) {
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
        .collect();
    for step in steps {
        let i = step.index;
        if let Some(when) = &step.def.common.when {
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
                    Some(format!("add fix = {{ step = \"{}\" }} to the check it repairs, or remove only_as_fix", step.def.id)),
                );
            }
        }
    }
}
