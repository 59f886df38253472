//! Latency thresholds shared by the network step kinds (`dns`, `tcp`,
//! `http`): the load-time order check and the verdict with its measurement.

use std::time::Duration;

use super::{Evaluation, FieldProblem};
use crate::net::ms;
use crate::report::{Measurement, Status};
use crate::values::{Dur, human_duration};

/// The load-time problem when `warn_latency` is above `fail_latency`.
pub fn latency_order(warn: Option<Dur>, fail: Option<Dur>) -> Option<FieldProblem> {
    match (warn, fail) {
        (Some(w), Some(f)) if w.0 > f.0 => Some(FieldProblem {
            key: "warn_latency",
            message: "`warn_latency` is above `fail_latency`".into(),
            hint: Some("warn at the lower latency, fail at the higher".into()),
        }),
        _ => None,
    }
}

/// Adds the measurement `name` (ms) with its thresholds and, when `e`
/// passed, turns it into a warning or failure when `took` is over them.
pub fn judge_latency(
    e: &mut Evaluation,
    name: &str,
    took: Duration,
    warn: Option<Dur>,
    fail: Option<Dur>,
) {
    let mut m = Measurement::new(name, ms(took), "ms");
    m.warn = warn.map(|d| ms(d.0));
    m.fail = fail.map(|d| ms(d.0));
    e.measurements.push(m);
    if e.status != Status::Pass {
        return;
    }
    let over = |limit: Option<Dur>| limit.filter(|l| took > l.0);
    let (status, limit) = match (over(fail), over(warn)) {
        (Some(limit), _) => (Status::Fail, limit),
        (None, Some(limit)) => (Status::Warn, limit),
        (None, None) => return,
    };
    e.status = status;
    e.reason = Some("slow");
    e.message
        .push_str(&format!(", slower than {}", human_duration(limit.0)));
}
