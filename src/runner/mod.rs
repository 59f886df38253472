//! Running playbooks: selection, scheduling, timeouts, progress.
//!
//! Steps start in playbook order. A step that changes nothing, has no fix,
//! does not look at other steps' statuses and does not stop the playbook may
//! run alongside others: up to `--net-jobs` (256) network checks, which
//! spend their time waiting, and up to `--jobs` (4) other steps, which
//! compute or read disks. Any other step ("alone")
//! waits until everything before it has finished, and nothing starts while
//! it runs. Outcomes are always reported in playbook order.
//!
//! Every step runs on a worker thread under a watchdog: if it has not
//! finished within its budget (see [`execute::budget`]) its cancel flag is
//! set (killing its programs), it gets a moment to report, and it is
//! reported as `error`. So no step kind can hang the whole run.

pub mod conclude;
pub mod conditions;
pub mod execute;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::cancel::Cancel;
use crate::exit::Exit;
use crate::facts::Facts;
use crate::playbook::{Playbook, StepDef};
use crate::progress::Progress;
use crate::report::{
    Conclusion, PlaybookReport, Report, SCHEMA_VERSION, Status, StepOutcome, Summary,
};
use crate::values::human_duration;
use conditions::Ended;
use execute::{Env, not_run, run_step};

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub dry_run: bool,
    /// Run only steps whose id or a tag is listed (empty: all).
    pub only: Vec<String>,
    /// Skip steps whose id or a tag is listed.
    pub skip: Vec<String>,
    pub jobs: usize,
    /// Network checks at once (see [`crate::steps::Check::waits_on_network`]).
    pub net_jobs: usize,
    pub strict: bool,
    /// The ticket the run is for (recorded in the report).
    pub ticket: Option<String>,
}

fn matches_selector(step: &StepDef, selectors: &[String]) -> bool {
    selectors
        .iter()
        .any(|s| *s == step.id || step.common.tags.contains(s))
}

/// Why a step is left out before it is even started.
fn selection_skip(step: &StepDef, opts: &RunOptions) -> Option<String> {
    if step.common.only_as_fix {
        return Some("runs only as a fix for another step".into());
    }
    if !opts.only.is_empty() && !matches_selector(step, &opts.only) {
        return Some("not selected by --only".into());
    }
    if matches_selector(step, &opts.skip) {
        return Some("skipped by --skip".into());
    }
    None
}

/// Whether a step must run with nothing else in flight.
fn runs_alone(step: &StepDef) -> bool {
    !step.kind.check().parallel_safe()
        || step.kind.check().needs_report()
        || step.fix.is_some()
        || step.common.stop_on_failure
        || step
            .common
            .when
            .as_ref()
            .is_some_and(|w| w.depends_on_steps())
}

/// What is known so far about a playbook's steps.
struct Board<'a> {
    results: Vec<Option<StepOutcome>>,
    /// Shared with the steps that read it (they run alone, so the map is
    /// only copied on write when one still holds it: a long run stays linear).
    statuses: Arc<BTreeMap<String, Ended>>,
    /// The id of a failed `stop_on_failure` step.
    stopped_by: Option<String>,
    progress: &'a Progress,
}

impl Board<'_> {
    /// Records a step's final outcome.
    fn finish(&mut self, step: &StepDef, index: usize, outcome: StepOutcome) {
        if step.common.stop_on_failure
            && matches!(outcome.status, Status::Fail | Status::Error)
            && self.stopped_by.is_none()
        {
            self.stopped_by = Some(step.id.clone());
        }
        Arc::make_mut(&mut self.statuses).insert(
            step.id.clone(),
            Ended {
                status: outcome.status,
                reason: outcome.reason.clone(),
            },
        );
        self.results[index] = Some(outcome);
        self.progress.step_done();
    }
}

struct InFlight {
    deadline: Instant,
    name: String,
    alone: bool,
    /// Counted against `--net-jobs` rather than `--jobs`.
    network: bool,
    cancel: Cancel,
}

/// The report as it stands when `step` starts: earlier playbooks (in
/// `so_far`) plus this playbook's finished steps.
fn snapshot(so_far: &Report, playbook: &Playbook, board: &Board, started: Instant) -> Report {
    let mut report = so_far.clone();
    let steps: Vec<StepOutcome> = board.results.iter().flatten().cloned().collect();
    let summary = Summary::of(&steps);
    report.summary.add(&summary);
    report.playbooks.push(PlaybookReport {
        name: playbook.name.clone(),
        version: playbook.meta.version.clone(),
        signature: playbook.signature.clone(),
        description: playbook.meta.description.clone(),
        source: playbook.source.clone(),
        summary,
        steps,
        duration_ms: started.elapsed().as_millis() as u64,
    });
    report.exit_code = Exit::from_summary(&report.summary, report.strict, false).code();
    report.duration_ms = jiff::Timestamp::now()
        .duration_since(
            report
                .started_at
                .parse::<jiff::Timestamp>()
                .unwrap_or_else(|_| jiff::Timestamp::now()),
        )
        .as_millis()
        .max(0) as u64;
    report
}

/// Runs one playbook's steps and returns their outcomes in order, with
/// what its causes concluded ([`conclude`]). `so_far` holds the run's
/// header and the playbooks already run (for steps that bundle the report).
pub fn run_playbook(
    playbook: Arc<Playbook>,
    facts: Arc<Facts>,
    opts: &RunOptions,
    cancel: &Cancel,
    progress: &Progress,
    so_far: &Report,
) -> (PlaybookReport, Vec<Conclusion>) {
    let started = Instant::now();
    let n = playbook.steps.len();
    progress.playbook(&playbook.name, n);
    let mut board = Board {
        results: vec![None; n],
        statuses: Arc::new(BTreeMap::new()),
        stopped_by: None,
        progress,
    };
    let mut in_flight: BTreeMap<usize, InFlight> = BTreeMap::new();
    let (tx, rx) = mpsc::channel::<(usize, StepOutcome)>();
    let mut next = 0;
    let jobs = opts.jobs.max(1);
    let net_jobs = opts.net_jobs.max(1);
    // Steps that do not run alone never read other steps' statuses.
    let no_statuses: Arc<BTreeMap<String, Ended>> = Arc::new(BTreeMap::new());

    loop {
        // Start every step that may start now.
        while next < n && !cancel.is_set() {
            let step = &playbook.steps[next];
            let pre_skip = match &board.stopped_by {
                Some(by) => Some((
                    "stopped",
                    format!("not run: step `{by}` failed and stops the playbook"),
                )),
                None => selection_skip(step, opts).map(|why| ("not_selected", why)),
            };
            if let Some((reason, why)) = pre_skip {
                board.finish(step, next, not_run(step, Status::Skipped, reason, why));
                next += 1;
                continue;
            }
            let alone = runs_alone(step);
            let network = step.kind.check().waits_on_network();
            let same_pool = in_flight.values().filter(|f| f.network == network).count();
            let busy = in_flight.values().any(|f| f.alone)
                || same_pool >= if network { net_jobs } else { jobs };
            if !in_flight.is_empty() && (alone || busy) {
                break;
            }
            let step_cancel = cancel.for_step();
            in_flight.insert(
                next,
                InFlight {
                    deadline: Instant::now() + execute::budget(step, &playbook),
                    name: step.name().to_string(),
                    alone,
                    network,
                    cancel: step_cancel.clone(),
                },
            );
            let report = step
                .kind
                .check()
                .needs_report()
                .then(|| snapshot(so_far, &playbook, &board, started));
            let (tx, pb, facts, statuses, progress, dry_run, index, skip) = (
                tx.clone(),
                playbook.clone(),
                facts.clone(),
                if alone {
                    board.statuses.clone()
                } else {
                    no_statuses.clone()
                },
                progress.clone(),
                opts.dry_run,
                next,
                opts.skip.clone(),
            );
            std::thread::spawn(move || {
                let outcome = {
                    let env = Env {
                        playbook: &pb,
                        facts: &facts,
                        cancel: &step_cancel,
                        dry_run,
                        statuses: &statuses,
                        progress: &progress,
                        skip: &skip,
                        report: report.as_ref(),
                    };
                    run_step(&pb.steps[index], &env)
                };
                // Let go of the statuses before reporting, so recording this
                // outcome does not copy them.
                drop(statuses);
                let _ = tx.send((index, outcome));
            });
            next += 1;
        }
        let names: Vec<&str> = in_flight.values().map(|f| f.name.as_str()).collect();
        progress.running(&names);
        if in_flight.is_empty() {
            if next >= n || cancel.is_set() {
                break;
            }
            continue;
        }
        // Wait for a step to finish, a deadline to pass, or an interruption.
        let now = Instant::now();
        let earliest = in_flight.values().map(|f| f.deadline).min().unwrap_or(now);
        match rx.recv_timeout(
            earliest
                .saturating_duration_since(now)
                .min(Duration::from_millis(100)),
        ) {
            Ok((i, outcome)) => {
                if in_flight.remove(&i).is_some() {
                    board.finish(&playbook.steps[i], i, outcome);
                }
            }
            Err(_) => {
                let now = Instant::now();
                let late: Vec<usize> = in_flight
                    .iter()
                    .filter(|(_, f)| f.deadline <= now)
                    .map(|(i, _)| *i)
                    .collect();
                for i in late {
                    let Some(flight) = in_flight.remove(&i) else {
                        continue;
                    };
                    flight.cancel.cancel_step();
                    let step = &playbook.steps[i];
                    let message = format!(
                        "did not finish within its time budget of {}",
                        human_duration(execute::budget(step, &playbook))
                    );
                    // Give the cancelled worker a moment, so its attempts are kept.
                    let outcome = wait_for(
                        &rx,
                        i,
                        Duration::from_secs(3),
                        &mut in_flight,
                        &mut board,
                        &playbook,
                    )
                    .map(|mut o| {
                        o.status = Status::Error;
                        o.reason = Some("budget".into());
                        o.message = format!("{message}; {}", o.message);
                        o
                    })
                    .unwrap_or_else(|| not_run(step, Status::Error, "budget", message));
                    board.finish(step, i, outcome);
                }
            }
        }
        if cancel.is_set() && !in_flight.is_empty() {
            // Interrupted: running programs are being killed; collect what they report.
            let grace = Instant::now() + Duration::from_secs(3);
            while !in_flight.is_empty() && Instant::now() < grace {
                if let Ok((i, outcome)) = rx.recv_timeout(Duration::from_millis(50))
                    && in_flight.remove(&i).is_some()
                {
                    board.finish(&playbook.steps[i], i, outcome);
                }
            }
            for (i, _) in std::mem::take(&mut in_flight) {
                board.finish(
                    &playbook.steps[i],
                    i,
                    not_run(
                        &playbook.steps[i],
                        Status::Error,
                        "interrupted",
                        "interrupted".into(),
                    ),
                );
            }
            break;
        }
    }
    let mut steps: Vec<StepOutcome> = board
        .results
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.unwrap_or_else(|| {
                not_run(
                    &playbook.steps[i],
                    Status::Skipped,
                    "interrupted",
                    "not run: interrupted".into(),
                )
            })
        })
        .collect();
    let conclusions = if cancel.is_set() {
        Vec::new()
    } else {
        let step_cancel = cancel.for_step();
        conclude::conclude(
            &playbook,
            &mut steps,
            &conclude::Context {
                facts: &facts,
                cancel: &step_cancel,
                dry_run: opts.dry_run,
                progress,
                skip: &opts.skip,
            },
        )
    };
    let report = PlaybookReport {
        name: playbook.name.clone(),
        version: playbook.meta.version.clone(),
        signature: playbook.signature.clone(),
        description: playbook.meta.description.clone(),
        source: playbook.source.clone(),
        summary: Summary::of(&steps),
        steps,
        duration_ms: started.elapsed().as_millis() as u64,
    };
    (report, conclusions)
}

/// Waits up to `limit` for step `want`'s outcome, recording others that arrive meanwhile.
fn wait_for(
    rx: &mpsc::Receiver<(usize, StepOutcome)>,
    want: usize,
    limit: Duration,
    in_flight: &mut BTreeMap<usize, InFlight>,
    board: &mut Board,
    playbook: &Playbook,
) -> Option<StepOutcome> {
    let until = Instant::now() + limit;
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok((i, o)) if i == want => return Some(o),
            Ok((i, o)) => {
                if in_flight.remove(&i).is_some() {
                    board.finish(&playbook.steps[i], i, o);
                }
            }
            Err(_) => return None,
        }
    }
    None
}

/// A run id unique to this host, time and process.
fn run_id(facts: &Facts, now: &jiff::Zoned) -> String {
    format!(
        "{}-{}-{}",
        facts.hostname,
        now.strftime("%Y%m%dT%H%M%S"),
        std::process::id()
    )
}

/// The network facts as the report shows them.
fn network(net: &crate::netfacts::NetworkFacts) -> crate::report::Network {
    crate::report::Network {
        interfaces: net
            .interfaces
            .iter()
            .filter(|i| i.up && !i.loopback && !i.addresses.is_empty())
            .map(|i| crate::report::NetworkInterface {
                name: i.name.clone(),
                addresses: i.addresses.clone(),
            })
            .collect(),
        gateway: net.gateway.or(net.gateway_v6).map(|g| g.to_string()),
        gateway_interface: net.gateway_interface.clone(),
        dns_servers: net.dns_servers.iter().map(ToString::to_string).collect(),
    }
}

/// Runs every playbook in order and builds the report.
pub fn run_all(
    playbooks: Vec<Playbook>,
    facts: Arc<Facts>,
    opts: &RunOptions,
    cancel: &Cancel,
    progress: &Progress,
) -> Report {
    let started = Instant::now();
    let now = jiff::Zoned::now();
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        tool: "supportctl".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        run_id: run_id(&facts, &now),
        started_at: now.timestamp().to_string(),
        duration_ms: 0,
        dry_run: opts.dry_run,
        strict: opts.strict,
        interrupted: false,
        host: (*facts).clone(),
        network: Some(network(crate::netfacts::cached())),
        ticket: opts.ticket.clone(),
        playbooks: Vec::new(),
        conclusions: Vec::new(),
        notes: Vec::new(),
        summary: Summary::default(),
        exit_code: 0,
    };
    for pb in playbooks {
        if cancel.is_set() {
            break;
        }
        let (r, conclusions) =
            run_playbook(Arc::new(pb), facts.clone(), opts, cancel, progress, &report);
        report.summary.add(&r.summary);
        report.playbooks.push(r);
        report.conclusions.extend(conclusions);
    }
    progress.finish();
    report.interrupted = cancel.run_cancelled();
    report.duration_ms = started.elapsed().as_millis() as u64;
    report.exit_code = Exit::from_summary(&report.summary, opts.strict, report.interrupted).code();
    report
}
