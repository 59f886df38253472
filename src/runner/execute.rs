//! Running one step to its final outcome: retries, fix then re-check, and
//! severity. Runs on a worker thread; the scheduler enforces the overall
//! time budget computed by [`budget`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::facts::Facts;
use crate::playbook::model::{Fix, Severity};
use crate::playbook::{Playbook, StepDef};
use crate::report::{Attempt, Status, StepOutcome};
use crate::steps::{Check, Evaluation, StepContext};

const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(2);

/// What a step run needs besides the step itself.
pub struct Env<'a> {
    pub playbook: &'a Playbook,
    pub facts: &'a Facts,
    pub cancel: &'a AtomicBool,
    pub dry_run: bool,
}

fn timeout_of(step: &StepDef, check: &dyn Check) -> Duration {
    step.common
        .timeout
        .map_or_else(|| check.default_timeout(), |d| d.0)
}

fn retry_delay(step: &StepDef) -> Duration {
    step.common.retry_delay.map_or(DEFAULT_RETRY_DELAY, |d| d.0)
}

fn fix_check<'a>(step: &'a StepDef, playbook: &'a Playbook) -> Option<(&'a dyn Check, Duration)> {
    match step.fix.as_ref()? {
        Fix::Step(id) => {
            let target = playbook.step(id)?;
            Some((target.kind.check(), timeout_of(target, target.kind.check())))
        }
        Fix::Command(cmd) => Some((
            cmd.as_ref(),
            step.common
                .timeout
                .map_or_else(|| cmd.default_timeout(), |d| d.0),
        )),
    }
}

/// The longest a step may take, retries and fix included (the watchdog's limit).
pub fn budget(step: &StepDef, playbook: &Playbook) -> Duration {
    let check = step.kind.check();
    let tries = step.common.retries.saturating_add(1);
    let evaluate = (timeout_of(step, check) + retry_delay(step)) * tries;
    let fix = fix_check(step, playbook).map_or(Duration::ZERO, |(_, t)| t + evaluate);
    evaluate + fix + Duration::from_secs(5)
}

/// Sleeps, waking early when the run is interrupted.
fn pause(d: Duration, cancel: &AtomicBool) {
    let end = Instant::now() + d;
    while Instant::now() < end && !cancel.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(20).min(end - Instant::now()));
    }
}

fn evaluate_once(check: &dyn Check, timeout: Duration, env: &Env) -> (Evaluation, Duration) {
    let started = Instant::now();
    let ctx = StepContext {
        dry_run: env.dry_run,
        deadline: started + timeout,
        timeout,
        cancel: env.cancel,
        facts: env.facts,
    };
    let e = check.evaluate(&ctx);
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

/// Evaluates with retries until it passes (or is skipped); records every try.
fn evaluate_with_retries(
    step: &StepDef,
    env: &Env,
    attempts: &mut Vec<Attempt>,
    prefix: &str,
) -> Evaluation {
    let check = step.kind.check();
    let timeout = timeout_of(step, check);
    let tries = step.common.retries.saturating_add(1);
    let mut n = 1;
    loop {
        let (e, took) = evaluate_once(check, timeout, env);
        if step.common.retries > 0 {
            attempts.push(attempt(format!("{prefix}attempt {n}"), &e, took));
        }
        let done = matches!(e.status, Status::Pass | Status::Skipped);
        if done || n >= tries || env.cancel.load(Ordering::Relaxed) {
            return e;
        }
        pause(retry_delay(step), env.cancel);
        n += 1;
    }
}

/// Runs one step (with its retries and fix) to its final outcome.
pub fn run_step(step: &StepDef, env: &Env) -> StepOutcome {
    let started = Instant::now();
    let mut attempts = Vec::new();
    let mut e = evaluate_with_retries(step, env, &mut attempts, "");
    let mut status = e.status;
    if status == Status::Fail
        && let Some((fix, fix_timeout)) = fix_check(step, env.playbook)
    {
        if env.dry_run {
            e.actions
                .push(format!("would apply fix: {}", fix.describe()));
            e.message = format!("{} (dry run: fix not applied)", e.message);
        } else {
            if attempts.is_empty() {
                attempts.push(Attempt {
                    label: "check".into(),
                    status: e.status,
                    message: e.message.clone(),
                    duration_ms: started.elapsed().as_millis() as u64,
                });
            }
            let first_message = e.message.clone();
            let (fix_eval, took) = evaluate_once(fix, fix_timeout, env);
            attempts.push(attempt("fix".into(), &fix_eval, took));
            let mut actions = std::mem::take(&mut e.actions);
            actions.extend(fix_eval.actions.iter().cloned());
            if actions.is_empty() {
                actions.push(format!("applied fix: {}", fix.describe()));
            }
            let mut recheck_attempts = Vec::new();
            let recheck = evaluate_with_retries(step, env, &mut recheck_attempts, "re-check ");
            if recheck_attempts.is_empty() {
                attempts.push(attempt("re-check".into(), &recheck, started.elapsed()));
            } else {
                attempts.extend(recheck_attempts);
            }
            e = recheck;
            e.actions.splice(0..0, actions);
            if e.status == Status::Pass {
                status = Status::Fixed;
                e.message = format!("fixed: was \"{first_message}\"; now \"{}\"", e.message);
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
    if status == Status::Fail && step.common.severity == Severity::Warn {
        status = Status::Warn;
    }
    let advice = matches!(status, Status::Fail | Status::Warn | Status::Error)
        .then(|| step.common.advice.clone())
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
        output: e.output,
        show_output: e.show_output,
        advice,
        attempts,
        duration_ms: started.elapsed().as_millis() as u64,
    }
}

/// An outcome for a step that did not run.
pub fn not_run(step: &StepDef, status: Status, message: String) -> StepOutcome {
    StepOutcome {
        id: step.id.clone(),
        name: step.name().to_string(),
        kind: step.kind.name().to_string(),
        status,
        advice: (status == Status::Error)
            .then(|| step.common.advice.clone())
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
