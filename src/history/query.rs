//! Reading the history back: recent runs with filters, one stored report
//! with its notes, statistics per playbook and per cause, and everything
//! for export. Pure data out; `commands/history.rs` prints it.

use rusqlite::{OptionalExtension, params_from_iter};
use serde::Serialize;

use super::History;
use crate::report::{Note, Report};

/// Which runs `history` lists.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub ticket: Option<String>,
    pub playbook: Option<String>,
    /// Runs that started at or after this Unix time.
    pub since: Option<i64>,
    pub status: Option<String>,
    pub limit: usize,
}

/// One run, as `history` lists it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RunLine {
    pub run_id: String,
    pub started_at: String,
    pub duration_ms: i64,
    pub host: String,
    pub user: String,
    pub playbooks: String,
    pub status: String,
    pub exit_code: i64,
    pub dry_run: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<String>,
    /// How many notes the run has.
    pub notes: i64,
}

/// Per playbook: how often it ran, how its runs ended, the median time.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PlaybookStats {
    pub playbook: String,
    pub runs: i64,
    /// Runs whose worst step status was fail or error.
    pub failed: i64,
    /// Runs in which some step was fixed.
    pub fixed: i64,
    pub median_ms: i64,
}

/// Per cause: how often it was the conclusion and how its fixes did.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CauseStats {
    pub playbook: String,
    /// Empty: no known cause matched (or nothing was wrong).
    pub cause: String,
    pub summary: String,
    pub seen: i64,
    /// Runs in which at least one of its fixes ran.
    pub fixes_tried: i64,
    /// Runs in which its fixes cleared it.
    pub cleared: i64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Stats {
    pub runs: i64,
    pub playbooks: Vec<PlaybookStats>,
    pub causes: Vec<CauseStats>,
}

fn err(e: rusqlite::Error) -> String {
    e.to_string()
}

/// The median of sorted values (0 when empty).
fn median(sorted: &[i64]) -> i64 {
    match sorted.len() {
        0 => 0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

impl History {
    /// Every row `sql` returns with `params`, each made by `row`.
    fn rows<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        row: impl FnMut(&rusqlite::Row) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, String> {
        let mut stmt = self.conn.prepare(sql).map_err(err)?;
        let rows = stmt.query_map(params, row).map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    /// Recent runs, newest first, matching the filter.
    pub fn list(&self, f: &Filter) -> Result<Vec<RunLine>, String> {
        let mut sql = String::from(
            "SELECT run_id, started_at, duration_ms, host, user, playbooks, status, exit_code,
                    dry_run, ticket, conclusion,
                    (SELECT count(*) FROM notes n WHERE n.run = runs.id)
             FROM runs WHERE 1 = 1",
        );
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(t) = &f.ticket {
            sql.push_str(" AND ticket = ?");
            args.push(t.clone().into());
        }
        if let Some(p) = &f.playbook {
            sql.push_str(" AND id IN (SELECT run FROM run_playbooks WHERE name = ?)");
            args.push(p.clone().into());
        }
        if let Some(s) = f.since {
            sql.push_str(" AND started_unix >= ?");
            args.push(s.into());
        }
        if let Some(s) = &f.status {
            sql.push_str(" AND status = ?");
            args.push(s.clone().into());
        }
        sql.push_str(" ORDER BY started_unix DESC, id DESC LIMIT ?");
        args.push((f.limit.max(1) as i64).into());
        self.rows(&sql, params_from_iter(args), |r| {
            Ok(RunLine {
                run_id: r.get(0)?,
                started_at: r.get(1)?,
                duration_ms: r.get(2)?,
                host: r.get(3)?,
                user: r.get(4)?,
                playbooks: r.get(5)?,
                status: r.get(6)?,
                exit_code: r.get(7)?,
                dry_run: r.get(8)?,
                ticket: r.get(9)?,
                conclusion: r.get(10)?,
                notes: r.get(11)?,
            })
        })
    }

    /// The run `which` names: its run id, an unambiguous part of it, or
    /// `last`. `Err` says why none or several matched.
    fn find(&self, which: &str) -> Result<i64, String> {
        if which == "last" {
            return self
                .latest(None)?
                .map(|(id, _)| id)
                .ok_or_else(|| "the history is empty".to_string());
        }
        if let Some(id) = self
            .conn
            .query_row("SELECT id FROM runs WHERE run_id = ?1", [which], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)?
        {
            return Ok(id);
        }
        let like = format!("%{}%", which.replace(['%', '_'], ""));
        let found: Vec<(i64, String)> = self.rows(
            "SELECT id, run_id FROM runs WHERE run_id LIKE ?1 ORDER BY id DESC LIMIT 6",
            [like],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        match found.as_slice() {
            [] => Err(format!("no run `{which}` in the history")),
            [(id, _)] => Ok(*id),
            many => Err(format!(
                "`{which}` matches several runs: {}",
                many.iter()
                    .map(|(_, r)| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// The stored report of a run, with its notes (and its ticket's).
    pub fn report(&self, which: &str) -> Result<Report, String> {
        let id = self.find(which)?;
        let (json, ticket): (String, Option<String>) = self
            .conn
            .query_row("SELECT report, ticket FROM runs WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(err)?;
        let mut report: Report = serde_json::from_str(&json)
            .map_err(|e| format!("the stored report cannot be read: {e}"))?;
        report.notes = self.notes(id, ticket.as_deref())?;
        Ok(report)
    }

    fn notes(&self, run: i64, ticket: Option<&str>) -> Result<Vec<Note>, String> {
        self.rows(
            "SELECT at, author, text FROM notes
                 WHERE run = ?1 OR (?2 IS NOT NULL AND run IS NULL AND ticket = ?2) ORDER BY id",
            rusqlite::params![run, ticket],
            |r| {
                Ok(Note {
                    at: r.get(0)?,
                    author: r.get(1)?,
                    text: r.get(2)?,
                })
            },
        )
    }

    /// Runs per playbook and per cause, with how their fixes did.
    pub fn stats(&self, since: Option<i64>) -> Result<Stats, String> {
        let since = since.unwrap_or(i64::MIN);
        let runs: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM runs WHERE started_unix >= ?1",
                [since],
                |r| r.get(0),
            )
            .map_err(err)?;
        let rows: Vec<(String, i64, bool, bool)> = self.rows(
            "SELECT p.name, r.duration_ms, r.status IN ('fail', 'error'), p.fixed
                 FROM run_playbooks p JOIN runs r ON r.id = p.run
                 WHERE r.started_unix >= ?1 AND r.dry_run = 0
                 ORDER BY p.name, r.duration_ms",
            [since],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let mut playbooks: Vec<PlaybookStats> = Vec::new();
        let mut durations: Vec<i64> = Vec::new();
        for (name, ms, failed, fixed) in rows {
            if playbooks.last().is_none_or(|p| p.playbook != name) {
                if let Some(p) = playbooks.last_mut() {
                    p.median_ms = median(&durations);
                }
                durations.clear();
                playbooks.push(PlaybookStats {
                    playbook: name,
                    runs: 0,
                    failed: 0,
                    fixed: 0,
                    median_ms: 0,
                });
            }
            let p = playbooks.last_mut().expect("just pushed");
            p.runs += 1;
            p.failed += i64::from(failed);
            p.fixed += i64::from(fixed);
            durations.push(ms);
        }
        if let Some(p) = playbooks.last_mut() {
            p.median_ms = median(&durations);
        }
        playbooks.sort_by_key(|p| std::cmp::Reverse(p.runs));
        let causes = self.rows(
            "SELECT c.playbook, coalesce(c.cause, ''), max(c.summary), count(*),
                        sum(c.fixes_tried > 0), sum(c.cleared)
                 FROM conclusions c JOIN runs r ON r.id = c.run
                 WHERE r.started_unix >= ?1 AND r.dry_run = 0
                 GROUP BY c.playbook, coalesce(c.cause, '')
                 ORDER BY count(*) DESC, c.playbook",
            [since],
            |r| {
                Ok(CauseStats {
                    playbook: r.get(0)?,
                    cause: r.get(1)?,
                    summary: r.get(2)?,
                    seen: r.get(3)?,
                    fixes_tried: r.get(4)?,
                    cleared: r.get(5)?,
                })
            },
        )?;
        Ok(Stats {
            runs,
            playbooks,
            causes,
        })
    }

    /// Per playbook, how many of its runs here fixed something (a dry run
    /// fixes nothing, so none of those count): an index-only scan, cheap at
    /// any history size.
    pub fn fixed_counts(&self) -> Result<Vec<(String, i64)>, String> {
        self.rows(
            "SELECT name, count(*) FROM run_playbooks WHERE fixed = 1 GROUP BY name",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Every stored report (with its notes), oldest first, for export.
    pub fn export(&self, since: Option<i64>) -> Result<Vec<Report>, String> {
        let ids: Vec<String> = self.rows(
            "SELECT run_id FROM runs WHERE started_unix >= ?1 ORDER BY started_unix, id",
            [since.unwrap_or(i64::MIN)],
            |r| r.get(0),
        )?;
        ids.iter().map(|id| self.report(id)).collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(super::median(&[]), 0);
        assert_eq!(super::median(&[5]), 5);
        assert_eq!(super::median(&[1, 3, 10]), 3);
        assert_eq!(super::median(&[1, 3, 5, 10]), 4);
    }
}
