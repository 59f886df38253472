//! Concluding a playbook: its `[[cause]]` tables are checked in order
//! against the steps' outcomes once every step has run; the first that
//! matches (every one with `conclude = "all"`) is the conclusion.
//!
//! A matched cause with resolvers (`fix = [...]`) tries them in order, like
//! Microsoft's troubleshooting packs did: after each, the cause's detecting
//! steps that had not passed are evaluated again, and as soon as the cause
//! no longer matches it is cleared (the re-checked steps that now pass
//! become `fixed`). In a dry run the resolvers are listed, not run.
//!
//! With no cause matched, the conclusion says so and lists the steps that
//! did not end well with their reasons; when every step ended well it says
//! that nothing was found. Playbooks without causes conclude nothing.

use std::collections::BTreeMap;

use super::conditions::{Ended, RealEnvironment, unmet};
use super::execute::{Env, recheck, run_as_fix};
use crate::playbook::Playbook;
use crate::playbook::model::{Cause, Conclude};
use crate::report::{ConcludedStep, Conclusion, FixTried, Status, StepOutcome};

/// What concluding needs of the run besides the playbook and its outcomes.
pub struct Context<'a> {
    pub facts: &'a crate::facts::Facts,
    pub cancel: &'a crate::cancel::Cancel,
    pub dry_run: bool,
    pub progress: &'a crate::progress::Progress,
    pub skip: &'a [String],
}

fn ended(steps: &[StepOutcome]) -> BTreeMap<String, Ended> {
    steps
        .iter()
        .map(|s| {
            (
                s.id.clone(),
                Ended {
                    status: s.status,
                    reason: s.reason.clone(),
                },
            )
        })
        .collect()
}

fn matches(cause: &Cause, ctx: &Context, statuses: &BTreeMap<String, Ended>) -> bool {
    unmet(
        &cause.when,
        ctx.facts,
        &RealEnvironment {
            dry_run: ctx.dry_run,
        },
        statuses,
    )
    .is_none()
}

fn concluded(steps: &[StepOutcome], ids: &[&str]) -> Vec<ConcludedStep> {
    ids.iter()
        .filter_map(|id| steps.iter().find(|s| s.id == *id))
        .map(|s| ConcludedStep {
            id: s.id.clone(),
            status: s.status,
            reason: s.reason.clone(),
        })
        .collect()
}

/// Checks the playbook's causes against `steps`, runs the resolvers of
/// those that match (updating `steps`), and returns the conclusions.
pub fn conclude(playbook: &Playbook, steps: &mut [StepOutcome], ctx: &Context) -> Vec<Conclusion> {
    if playbook.causes.is_empty() {
        return Vec::new();
    }
    let statuses = ended(steps);
    let matched: Vec<&Cause> = {
        let all = playbook
            .causes
            .iter()
            .filter(|c| matches(c, ctx, &statuses));
        match playbook.meta.conclude {
            Conclude::First => all.take(1).collect(),
            Conclude::All => all.collect(),
        }
    };
    if matched.is_empty() {
        return vec![no_cause(playbook, steps)];
    }
    matched
        .into_iter()
        .map(|cause| {
            let (fixes, cleared) = resolve(playbook, cause, steps, ctx);
            Conclusion {
                playbook: playbook.name.clone(),
                matched: true,
                id: Some(cause.id.clone()),
                summary: cause.summary.clone(),
                tell_user: cause.tell_user.clone(),
                next: cause.next.clone(),
                steps: concluded(steps, &cause.detecting_steps()),
                fixes,
                cleared,
            }
        })
        .collect()
}

/// The conclusion when no known cause matched.
fn no_cause(playbook: &Playbook, steps: &[StepOutcome]) -> Conclusion {
    let troubled: Vec<&StepOutcome> = steps
        .iter()
        .filter(|s| matches!(s.status, Status::Fail | Status::Error | Status::Warn))
        .collect();
    let summary = if troubled.is_empty() {
        "No problem found: every check ended well.".to_string()
    } else {
        let list: Vec<String> = troubled
            .iter()
            .map(|s| match &s.reason {
                Some(r) => format!("{} ({} {r})", s.id, s.status.as_str()),
                None => format!("{} ({})", s.id, s.status.as_str()),
            })
            .collect();
        format!(
            "No known cause matched; see the failed steps: {}.",
            list.join(", ")
        )
    };
    let ids: Vec<&str> = troubled.iter().map(|s| s.id.as_str()).collect();
    Conclusion {
        playbook: playbook.name.clone(),
        matched: false,
        id: None,
        summary,
        tell_user: None,
        next: None,
        steps: concluded(steps, &ids),
        fixes: Vec::new(),
        cleared: false,
    }
}

/// Tries the cause's resolvers in order until it no longer matches;
/// returns what was tried and whether the cause was cleared.
fn resolve(
    playbook: &Playbook,
    cause: &Cause,
    steps: &mut [StepOutcome],
    ctx: &Context,
) -> (Vec<FixTried>, bool) {
    let mut tried = Vec::new();
    for fix_id in cause.fix.iter() {
        let Some(fix_step) = playbook.step(fix_id) else {
            continue;
        };
        if ctx.cancel.is_set() {
            break;
        }
        let unmet_when = fix_step.common.when.as_ref().and_then(|w| {
            unmet(
                w,
                ctx.facts,
                &RealEnvironment {
                    dry_run: ctx.dry_run,
                },
                &ended(steps),
            )
        });
        // A resolver for another OS (the same fix, one step per OS) is
        // not part of this machine's story: it is left out, not listed.
        if unmet_when.as_ref().is_some_and(|u| u.reason == "other_os") {
            continue;
        }
        if ctx.dry_run {
            let message = match unmet_when {
                Some(why) => format!("would pass over it: {}", why.message),
                None => format!("would try: {}", fix_step.kind.check().describe()),
            };
            tried.push(FixTried {
                step: fix_id.clone(),
                status: Status::Skipped,
                message,
                verified: false,
            });
            continue;
        }
        let statuses = ended(steps);
        let env = Env {
            playbook,
            facts: ctx.facts,
            cancel: ctx.cancel,
            dry_run: false,
            statuses: &statuses,
            progress: ctx.progress,
            skip: ctx.skip,
            report: None,
        };
        let mut fix_attempts = Vec::new();
        let label = format!("cause {}: fix {fix_id}", cause.id);
        let (status, message) = match run_as_fix(fix_step, &env, &mut fix_attempts, &label) {
            Ok(e) => (e.status, e.message),
            Err(why) => (Status::Skipped, why),
        };
        let applied = status != Status::Skipped;
        if applied {
            recheck_detecting(playbook, cause, fix_id, steps, &env, fix_attempts);
        }
        let verified = applied && !matches(cause, ctx, &ended(steps));
        tried.push(FixTried {
            step: fix_id.clone(),
            status,
            message,
            verified,
        });
        if verified {
            return (tried, true);
        }
    }
    (tried, false)
}

/// Evaluates again the cause's detecting steps that had not passed,
/// recording the resolver and the re-check in their attempts; a step that
/// now passes becomes `fixed`.
fn recheck_detecting(
    playbook: &Playbook,
    cause: &Cause,
    fix_id: &str,
    steps: &mut [StepOutcome],
    env: &Env,
    fix_attempts: Vec<crate::report::Attempt>,
) {
    for id in cause.detecting_steps() {
        let (Some(def), Some(outcome)) = (playbook.step(id), steps.iter_mut().find(|s| s.id == id))
        else {
            continue;
        };
        if matches!(
            outcome.status,
            Status::Pass | Status::Fixed | Status::Skipped
        ) {
            continue;
        }
        outcome.attempts.extend(fix_attempts.iter().cloned());
        let (e, took) = recheck(def, env, &mut outcome.attempts, "re-check");
        outcome.duration_ms += took.as_millis() as u64;
        if e.status == Status::Pass {
            outcome.actions.extend(e.actions);
            outcome.message = format!(
                "fixed by cause `{}`'s fix `{fix_id}`: was \"{}\"; now \"{}\"",
                cause.id, outcome.message, e.message
            );
            outcome.status = Status::Fixed;
            outcome.advice = None;
        }
    }
}
