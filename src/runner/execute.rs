//! Running one step to its final outcome on a worker thread: conditions,
//! retries, fix then re-check, severity. The scheduler enforces the overall
//! time budget computed by [`budget`] and may cancel the step.
//!
//! Retries continue while the step is not `pass` (a warning is retried too);
//! the fix runs only when the final evaluation is `fail` (before `severity`
//! is applied). A panic inside a step kind becomes an `error` outcome.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use super::conditions::{Ended, RealEnvironment, unmet};
use crate::cancel::Cancel;
use crate::facts::Facts;
use crate::playbook::model::{Fix, Severity};
use crate::playbook::{Playbook, StepDef};
use crate::process::PIPE_GRACE;
use crate::progress::Progress;
use crate::report::{Attempt, Status, StepOutcome};
use crate::steps::{Check, Evaluation, StepContext};

const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(2);

/// What a step run needs besides the step itself.
pub struct Env<'a> {
    pub playbook: &'a Playbook,
    pub facts: &'a Facts,
    /// This step's cancel flag (also set when the run is cancelled).
    pub cancel: &'a Cancel,
    pub dry_run: bool,
    /// Statuses of the steps finished before this one started.
    pub statuses: &'a BTreeMap<String, Ended>,
    pub progress: &'a Progress,
    /// `--skip` selectors: a fix step they match is not applied.
    pub skip: &'a [String],
    /// The run so far, for steps that need it (`Check::needs_report`).
    pub report: Option<&'a crate::report::Report>,
}

fn timeout_of(step: &StepDef) -> Duration {
    step.common
        .timeout
        .map_or_else(|| step.kind.check().default_timeout(), |d| d.0)
}

fn retry_delay(step: &StepDef) -> Duration {
    step.common.retry_delay.map_or(DEFAULT_RETRY_DELAY, |d| d.0)
}

/// The longest evaluating a step with its retries can take.
fn evaluate_budget(step: &StepDef) -> Duration {
    let per_try = timeout_of(step)
        .saturating_add(retry_delay(step))
        .saturating_add(PIPE_GRACE);
    per_try.saturating_mul(step.common.retries.saturating_add(1))
}

/// What a step's fix runs: a check, its time budget, and its step (when it is one).
struct FixPlan<'a> {
    check: &'a dyn Check,
    timeout: Duration,
    step: Option<&'a StepDef>,
}

/// What a step's fix runs, in order (one plan, or one per step of `steps`).
fn fix_plans<'a>(step: &'a StepDef, playbook: &'a Playbook) -> Vec<FixPlan<'a>> {
    let of_step = |target: &'a StepDef| FixPlan {
        check: target.kind.check(),
        timeout: timeout_of(target),
        step: Some(target),
    };
    match step.fix.as_ref() {
        None => Vec::new(),
        Some(Fix::Step(id)) => playbook.step(id).map(of_step).into_iter().collect(),
        Some(Fix::Steps(ids)) => ids
            .iter()
            .filter_map(|id| playbook.step(id))
            .map(of_step)
            .collect(),
        Some(Fix::Command { command, timeout }) => vec![FixPlan {
            check: command.as_ref(),
            timeout: timeout.map_or_else(|| command.default_timeout(), |d| d.0),
            step: None,
        }],
    }
}

/// The longest a step may take, retries, fix and re-check included (the watchdog's limit).
pub fn budget(step: &StepDef, playbook: &Playbook) -> Duration {
    let evaluate = evaluate_budget(step);
    let plans = fix_plans(step, playbook);
    let fix = if plans.is_empty() {
        Duration::ZERO
    } else {
        plans
            .iter()
            .map(|f| {
                f.step
                    .map_or(f.timeout.saturating_add(PIPE_GRACE), evaluate_budget)
            })
            .fold(evaluate, Duration::saturating_add)
    };
    evaluate
        .saturating_add(fix)
        .saturating_add(Duration::from_secs(5))
}

/// Sleeps, waking early when cancelled.
fn pause(d: Duration, cancel: &Cancel) {
    let end = Instant::now() + d;
    while Instant::now() < end && !cancel.is_set() {
        std::thread::sleep(
            Duration::from_millis(20).min(end.saturating_duration_since(Instant::now())),
        );
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

fn evaluate_once(check: &dyn Check, timeout: Duration, env: &Env) -> (Evaluation, Duration) {
    let started = Instant::now();
    let ctx = StepContext {
        dry_run: env.dry_run,
        deadline: started
            .checked_add(timeout)
            .unwrap_or(started + Duration::from_secs(86_400 * 365)),
        timeout,
        cancel: env.cancel,
        facts: env.facts,
        progress: env.progress,
        report: env.report,
    };
    let e = catch_unwind(AssertUnwindSafe(|| check.evaluate(&ctx))).unwrap_or_else(|payload| {
        Evaluation::problem(
            Status::Error,
            "internal",
            format!(
                "internal error (a bug in supportctl, please report it): {}",
                panic_message(&*payload)
            ),
        )
    });
    (e, started.elapsed())
}

fn attempt(label: String, e: &Evaluation, took: Duration) -> Attempt {
    Attempt {
        label,
        status: e.status,
        message: e.message.clone(),
        duration_ms: took.as_millis() as u64,
    }
}

/// Evaluates a step with its retries until it passes (or is skipped); records
/// every try as `<prefix>attempt N` when the step has retries.
fn evaluate_with_retries(
    step: &StepDef,
    env: &Env,
    attempts: &mut Vec<Attempt>,
    prefix: &str,
) -> (Evaluation, Duration) {
    let started = Instant::now();
    let tries = step.common.retries.saturating_add(1);
    let mut n = 1;
    loop {
        let (e, took) = evaluate_once(step.kind.check(), timeout_of(step), env);
        if step.common.retries > 0 {
            attempts.push(attempt(format!("{prefix}attempt {n}"), &e, took));
        }
        if matches!(e.status, Status::Pass | Status::Skipped) || n >= tries || env.cancel.is_set() {
            return (e, started.elapsed());
        }
        pause(retry_delay(step), env.cancel);
        if env.cancel.is_set() {
            return (e, started.elapsed());
        }
        n += 1;
    }
}

/// Runs every part of the fix in order; the result is the worst part's
/// status with every part's message and actions. `Err` when no part ran.
fn apply_fixes(
    plans: &[FixPlan],
    env: &Env,
    attempts: &mut Vec<Attempt>,
) -> Result<Evaluation, String> {
    if let [only] = plans {
        return apply_fix(only, env, attempts, "fix");
    }
    let mut ran: Vec<Evaluation> = Vec::new();
    let mut passed_over = Vec::new();
    for plan in plans {
        let label = plan
            .step
            .map_or_else(|| "fix".to_string(), |t| format!("fix {}", t.id));
        match apply_fix(plan, env, attempts, &label) {
            Ok(e) => ran.push(e),
            Err(why) => {
                attempts.push(attempt(
                    label,
                    &Evaluation::new(Status::Skipped, why.clone()),
                    Duration::ZERO,
                ));
                passed_over.push(why);
            }
        }
        if env.cancel.is_set() {
            break;
        }
    }
    if ran.is_empty() {
        return Err(passed_over.join("; "));
    }
    let rank = |s: Status| match s {
        Status::Error => 3,
        Status::Fail => 2,
        Status::Warn => 1,
        _ => 0,
    };
    let worst = ran
        .iter()
        .map(|e| e.status)
        .max_by_key(|s| rank(*s))
        .unwrap_or(Status::Pass);
    let mut e = Evaluation::new(
        worst,
        ran.iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    );
    e.actions = ran.into_iter().flat_map(|e| e.actions).collect();
    Ok(e)
}

/// Runs the fix; `Err` carries why it was not applied.
fn apply_fix(
    plan: &FixPlan,
    env: &Env,
    attempts: &mut Vec<Attempt>,
    label: &str,
) -> Result<Evaluation, String> {
    if env.cancel.is_set() {
        return Err("interrupted before the fix".into());
    }
    match plan.step {
        Some(target) => {
            if env
                .skip
                .iter()
                .any(|s| *s == target.id || target.common.tags.contains(s))
            {
                return Err(format!(
                    "fix `{}` not applied: skipped by --skip",
                    target.id
                ));
            }
            if let Some(when) = &target.common.when
                && let Some(why) = unmet(
                    when,
                    env.facts,
                    &RealEnvironment {
                        dry_run: env.dry_run,
                    },
                    env.statuses,
                )
            {
                return Err(format!("fix `{}` not applied: {}", target.id, why.message));
            }
            let mut fix_attempts = Vec::new();
            let (e, took) =
                evaluate_with_retries(target, env, &mut fix_attempts, &format!("{label} "));
            attempts.extend(fix_attempts);
            attempts.push(attempt(label.into(), &e, took));
            Ok(e)
        }
        None => {
            let (e, took) = evaluate_once(plan.check, plan.timeout, env);
            attempts.push(attempt(label.into(), &e, took));
            Ok(e)
        }
    }
}

/// Runs `target` as a cause's resolver, like a step's fix (its `when`,
/// `--skip` and retries apply); `Err` says why it was not applied.
pub(super) fn run_as_fix(
    target: &StepDef,
    env: &Env,
    attempts: &mut Vec<Attempt>,
    label: &str,
) -> Result<Evaluation, String> {
    let plan = FixPlan {
        check: target.kind.check(),
        timeout: timeout_of(target),
        step: Some(target),
    };
    apply_fix(&plan, env, attempts, label)
}

/// Evaluates a step again (with its retries, without its fix): the
/// re-check after a cause's resolver.
pub(super) fn recheck(
    step: &StepDef,
    env: &Env,
    attempts: &mut Vec<Attempt>,
    label: &str,
) -> (Evaluation, Duration) {
    let mut tries = Vec::new();
    let (e, took) = evaluate_with_retries(step, env, &mut tries, &format!("{label} "));
    if tries.is_empty() {
        attempts.push(attempt(label.into(), &e, took));
    } else {
        attempts.extend(tries);
    }
    (e, took)
}

/// Runs one step (conditions, retries, fix) to its final outcome.
pub fn run_step(step: &StepDef, env: &Env) -> StepOutcome {
    let started = Instant::now();
    if let Some(when) = &step.common.when
        && let Some(why) = unmet(
            when,
            env.facts,
            &RealEnvironment {
                dry_run: env.dry_run,
            },
            env.statuses,
        )
    {
        return not_run(step, Status::Skipped, why.reason, why.message);
    }
    let mut attempts = Vec::new();
    let (mut e, first_took) = evaluate_with_retries(step, env, &mut attempts, "");
    let mut status = e.status;
    let plans = fix_plans(step, env.playbook);
    if status == Status::Fail && !plans.is_empty() {
        if env.dry_run {
            for plan in &plans {
                let unmet_when = plan.step.and_then(|t| {
                    let why = unmet(
                        t.common.when.as_ref()?,
                        env.facts,
                        &RealEnvironment {
                            dry_run: env.dry_run,
                        },
                        env.statuses,
                    )?;
                    Some(format!(
                        "would pass over fix step `{}`: {}",
                        t.id, why.message
                    ))
                });
                if let Some(note) = unmet_when {
                    e.actions.push(note);
                    continue;
                }
                e.actions
                    .push(format!("would apply fix: {}", plan.check.describe()));
                // A fix that can preview itself says exactly what it would do
                // (the pids it would stop, the service it would restart).
                if plan.check.previews() {
                    let (preview, _) = evaluate_once(plan.check, plan.timeout, env);
                    e.actions.extend(preview.actions);
                }
            }
            e.message = format!("{} (dry run: fix not applied)", e.message);
        } else {
            if attempts.is_empty() {
                attempts.push(attempt("check".into(), &e, first_took));
            }
            match apply_fixes(&plans, env, &mut attempts) {
                Err(why) => e.message = format!("{}; {why}", e.message),
                Ok(fix_eval) => {
                    let first_message = e.message.clone();
                    let first_reason = e.reason;
                    let mut actions = std::mem::take(&mut e.actions);
                    actions.extend(fix_eval.actions.iter().cloned());
                    if actions.is_empty() {
                        for plan in &plans {
                            actions.push(format!("applied fix: {}", plan.check.describe()));
                        }
                    }
                    let mut recheck_attempts = Vec::new();
                    let (recheck, took) =
                        evaluate_with_retries(step, env, &mut recheck_attempts, "re-check ");
                    if recheck_attempts.is_empty() {
                        attempts.push(attempt("re-check".into(), &recheck, took));
                    } else {
                        attempts.extend(recheck_attempts);
                    }
                    e = recheck;
                    e.actions.splice(0..0, actions);
                    if e.status == Status::Pass {
                        status = Status::Fixed;
                        // A fixed step keeps why it needed fixing.
                        e.reason = first_reason;
                        e.message =
                            format!("fixed: was \"{first_message}\"; now \"{}\"", e.message);
                    } else {
                        status = if e.status == Status::Error {
                            Status::Error
                        } else {
                            Status::Fail
                        };
                        let verdict = if matches!(fix_eval.status, Status::Fail | Status::Error) {
                            format!("fix failed ({})", fix_eval.message)
                        } else {
                            "fix applied but the check still fails".to_string()
                        };
                        e.message = format!("{}; {verdict}", e.message);
                    }
                }
            }
        }
    }
    if status == Status::Fail && step.common.severity == Severity::Warn {
        status = Status::Warn;
    }
    let reason = (status != Status::Pass).then_some(e.reason).flatten();
    let advice = matches!(status, Status::Fail | Status::Warn | Status::Error)
        .then(|| advice_for(step, reason))
        .flatten();
    StepOutcome {
        id: step.id.clone(),
        name: step.name().to_string(),
        kind: step.kind.name().to_string(),
        status,
        message: e.message,
        tags: step.common.tags.clone(),
        measurements: e.measurements,
        actions: e.actions,
        output: e.output.filter(|o| !o.is_empty()),
        show_output: e.show_output,
        reason: reason.map(str::to_string),
        advice,
        attempts,
        duration_ms: started.elapsed().as_millis() as u64,
    }
}

/// The step's advice for an outcome with this reason.
fn advice_for(step: &StepDef, reason: Option<&str>) -> Option<String> {
    step.common
        .advice
        .as_ref()?
        .for_reason(reason)
        .map(str::to_string)
}

/// An outcome for a step that did not run (or was stopped by the runner),
/// with the runner's reason code.
pub fn not_run(step: &StepDef, status: Status, reason: &str, message: String) -> StepOutcome {
    StepOutcome {
        id: step.id.clone(),
        name: step.name().to_string(),
        kind: step.kind.name().to_string(),
        status,
        reason: Some(reason.to_string()),
        advice: (status == Status::Error)
            .then(|| advice_for(step, Some(reason)))
            .flatten(),
        message,
        tags: step.common.tags.clone(),
        measurements: Vec::new(),
        actions: Vec::new(),
        output: None,
        show_output: false,
        attempts: Vec::new(),
        duration_ms: 0,
    }
}
