//! The run history: every `run` is recorded in an SQLite database on the
//! machine (a problems-and-solutions log), read back by `supportctl
//! history` and `supportctl note`.
//!
//! - Where: per user, `<data dir>/supportctl/history.sqlite`; elevated,
//!   `/var/lib/supportctl` or `%ProgramData%\supportctl`. `SUPPORTCTL_HISTORY`
//!   names another file (when elevated, only in a folder no other user
//!   controls). The folder is made owner-only (0700), the file is created
//!   exclusively with 0600, and SQLite gives its `-wal`/`-shm` files the
//!   database's mode.
//! - What: the redacted JSON report (so secrets are never stored) and rows
//!   for queries: the run, its playbooks (version, signature), steps
//!   (status, reason, duration, fixed), conclusions (cause, fixes tried and
//!   verified), and notes.
//! - How: WAL mode, a busy timeout and retried transactions, so runs at
//!   once (an RMM push while a technician works) all land; each run is one
//!   transaction, so an interrupted write leaves nothing half-written. The
//!   schema is versioned (`PRAGMA user_version`) and migrated in order.
//! - When it breaks: a corrupt file is moved aside (`.corrupt-<time>`) with
//!   a warning and a fresh one started; any other failure is a warning.
//!   The history never stops a run.

pub mod query;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};

use crate::report::{Report, Status};

/// The schema, one migration per version (`user_version` = how many ran).
/// Never edit a migration that shipped: add one.
pub const MIGRATIONS: &[&str] = &[
    // 1: runs, their playbooks, steps and conclusions.
    "CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL UNIQUE,
        machine_id TEXT NOT NULL,
        host TEXT NOT NULL,
        user TEXT NOT NULL,
        started_at TEXT NOT NULL,
        started_unix INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        exit_code INTEGER NOT NULL,
        status TEXT NOT NULL,
        dry_run INTEGER NOT NULL,
        interrupted INTEGER NOT NULL,
        ticket TEXT,
        playbooks TEXT NOT NULL,
        conclusion TEXT,
        report TEXT NOT NULL
    );
    CREATE INDEX runs_started ON runs(started_unix);
    CREATE INDEX runs_ticket ON runs(ticket);
    CREATE TABLE run_playbooks (
        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        version TEXT,
        signature TEXT
    );
    CREATE INDEX run_playbooks_name ON run_playbooks(name, run);
    CREATE TABLE steps (
        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        playbook TEXT NOT NULL,
        step TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        duration_ms INTEGER NOT NULL
    );
    CREATE INDEX steps_run ON steps(run);
    CREATE TABLE conclusions (
        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        playbook TEXT NOT NULL,
        cause TEXT,
        summary TEXT NOT NULL,
        cleared INTEGER NOT NULL,
        fixes_tried INTEGER NOT NULL,
        fixes_verified INTEGER NOT NULL
    );
    CREATE INDEX conclusions_cause ON conclusions(playbook, cause);",
    // 2: the technicians' notes.
    "CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        run INTEGER REFERENCES runs(id) ON DELETE CASCADE,
        ticket TEXT,
        at TEXT NOT NULL,
        author TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE INDEX notes_run ON notes(run);
    CREATE INDEX notes_ticket ON notes(ticket);",
    // 3: whether a playbook's run fixed something (a fixed step or a
    // cleared cause), indexed: `suggest` and `stats` read it at any size.
    "ALTER TABLE run_playbooks ADD COLUMN fixed INTEGER NOT NULL DEFAULT 0;
    UPDATE run_playbooks SET fixed = 1
     WHERE EXISTS (SELECT 1 FROM steps s
                    WHERE s.run = run_playbooks.run AND s.playbook = run_playbooks.name
                      AND s.status = 'fixed')
        OR EXISTS (SELECT 1 FROM conclusions c
                    WHERE c.run = run_playbooks.run AND c.playbook = run_playbooks.name
                      AND c.cleared = 1);
    CREATE INDEX run_playbooks_fixed ON run_playbooks(fixed, name);",
];

/// An open history database.
pub struct History {
    pub conn: Connection,
    pub path: PathBuf,
}

/// The database file when nothing else is said: the user's data folder, or
/// the machine's when elevated.
pub fn default_path() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("SUPPORTCTL_HISTORY").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(p);
        if crate::privilege::is_elevated() {
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if let Some(why) = crate::privilege::unsafe_output_dir(dir) {
                return Err(format!(
                    "SUPPORTCTL_HISTORY is ignored when elevated unless its folder is safe: {why}"
                ));
            }
        }
        return Ok(path);
    }
    let dir = if crate::privilege::is_elevated() {
        if cfg!(windows) {
            PathBuf::from(
                std::env::var_os("ProgramData").unwrap_or_else(|| r"C:\ProgramData".into()),
            )
            .join("supportctl")
        } else {
            PathBuf::from("/var/lib/supportctl")
        }
    } else {
        dirs::data_dir()
            .ok_or("this user has no data folder (no HOME)")?
            .join("supportctl")
    };
    Ok(dir.join("history.sqlite"))
}

/// Whether an error says the file is not a usable database.
fn is_corrupt(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// On Windows, elevated: the folder's entries inherited from ProgramData
/// (where every user may read) are replaced by full control for
/// Administrators and SYSTEM alone, with `icacls` (on every Windows).
#[cfg(windows)]
fn restrict_to_administrators(dir: &Path) -> Result<(), String> {
    let cancel = crate::cancel::Cancel::new();
    crate::process::run_tool(
        vec![
            "icacls".into(),
            dir.display().to_string(),
            "/inheritance:r".into(),
            "/grant:r".into(),
            "*S-1-5-32-544:(OI)(CI)F".into(),
            "*S-1-5-18:(OI)(CI)F".into(),
        ],
        Vec::new(),
        64 * 1024,
        std::time::Instant::now() + Duration::from_secs(20),
        &cancel,
    )
    .map(|_| ())
    .map_err(|e| e.said)
}

/// The folder, owner-only when we make it (Administrators and SYSTEM only
/// on Windows, elevated); the file, created exclusively owner-only when
/// absent. `Ok` holds warnings.
fn prepare(path: &Path) -> Result<Vec<String>, String> {
    #[allow(unused_mut)]
    let mut warnings = Vec::new();
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        #[cfg(windows)]
        if crate::privilege::is_elevated()
            && let Err(e) = restrict_to_administrators(dir)
        {
            warnings.push(format!(
                "could not limit {} to Administrators: {e}",
                dir.display()
            ));
        }
    }
    if crate::privilege::is_elevated()
        && let Some(why) = crate::privilege::unsafe_output_dir(dir)
    {
        return Err(format!("{}: {why}", dir.display()));
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    match o.open(path) {
        Ok(_) => Ok(warnings),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            // Never through a link someone planted.
            match std::fs::symlink_metadata(path) {
                Ok(m) if m.file_type().is_file() => Ok(warnings),
                Ok(_) => Err(format!("{} is not a regular file", path.display())),
                Err(e) => Err(format!("{}: {e}", path.display())),
            }
        }
        Err(e) => Err(format!("cannot create {}: {e}", path.display())),
    }
}

fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrate(&conn)?;
    Ok(conn)
}

/// Runs the migrations this file lacks, one transaction each; another
/// process migrating at the same time is waited for, not repeated.
fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    // Up to date (every open but the first after an upgrade): no write
    // lock is taken, so `history` and `suggest` never wait on a writer.
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current as usize == MIGRATIONS.len() {
        return Ok(());
    }
    loop {
        let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let version: usize =
            tx.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
        if version > MIGRATIONS.len() {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "the history was written by a newer supportctl (schema {version}, this one knows {})",
                MIGRATIONS.len()
            )));
        }
        let Some(sql) = MIGRATIONS.get(version) else {
            return tx.commit();
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (version + 1) as i64)?;
        tx.commit()?;
    }
}

/// Moves a corrupt database (and its WAL and shared-memory files) aside;
/// returns where it went.
fn move_aside(path: &Path) -> Result<PathBuf, String> {
    let stamp = jiff::Zoned::now().strftime("%Y%m%dT%H%M%S").to_string();
    let aside = PathBuf::from(format!("{}.corrupt-{stamp}", path.display()));
    std::fs::rename(path, &aside).map_err(|e| format!("cannot move it aside: {e}"))?;
    for ext in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{ext}", path.display()));
        let _ = std::fs::rename(&side, format!("{}{ext}", aside.display()));
    }
    Ok(aside)
}

/// Opens (creating and migrating) the history at `path`. A corrupt file is
/// moved aside and a fresh one started; the warnings say what happened.
pub fn open(path: &Path) -> (Result<History, String>, Vec<String>) {
    let mut warnings = match prepare(path) {
        Ok(w) => w,
        Err(e) => return (Err(e), Vec::new()),
    };
    match connect(path) {
        Ok(conn) => (
            Ok(History {
                conn,
                path: path.to_path_buf(),
            }),
            warnings,
        ),
        Err(e) if is_corrupt(&e) => match move_aside(path) {
            Ok(aside) => {
                warnings.push(format!(
                    "the history {} was corrupt ({e}); it was moved to {} and a new one started",
                    path.display(),
                    aside.display()
                ));
                let fresh = prepare(path)
                    .and_then(|_| connect(path).map_err(|e| e.to_string()))
                    .map(|conn| History {
                        conn,
                        path: path.to_path_buf(),
                    });
                (fresh, warnings)
            }
            Err(why) => (
                Err(format!("{}: corrupt, and {why}", path.display())),
                warnings,
            ),
        },
        Err(e) => (Err(format!("{}: {e}", path.display())), warnings),
    }
}

/// The status a run is filed under: its worst step status, or `fixed`
/// when nothing was worse than fixed.
pub fn run_status(report: &Report) -> &'static str {
    match report.summary.worst() {
        Status::Pass if report.summary.fixed > 0 => "fixed",
        s => s.as_str(),
    }
}

impl History {
    /// Records a finished run in one transaction (retried while another
    /// writer holds the database). Returns the row id.
    pub fn record(&mut self, report: &Report) -> Result<i64, String> {
        let json = serde_json::to_string(report).map_err(|e| e.to_string())?;
        let started = report
            .started_at
            .parse::<jiff::Timestamp>()
            .map_or(0, |t| t.as_second());
        let mut tries = 0;
        loop {
            match self.insert(report, &json, started) {
                Ok(id) => return Ok(id),
                Err(e)
                    if tries < 50
                        && matches!(
                            e.sqlite_error_code(),
                            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                        ) =>
                {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(20 * tries.min(10)));
                }
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    fn insert(&mut self, report: &Report, json: &str, started: i64) -> rusqlite::Result<i64> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let playbooks: Vec<&str> = report.playbooks.iter().map(|p| p.name.as_str()).collect();
        tx.execute(
            "INSERT OR REPLACE INTO runs (run_id, machine_id, host, user, started_at, started_unix,
                duration_ms, exit_code, status, dry_run, interrupted, ticket, playbooks, conclusion, report)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                report.run_id,
                report.host.machine_id,
                report.host.hostname,
                report.host.user,
                report.started_at,
                started,
                report.duration_ms as i64,
                report.exit_code,
                run_status(report),
                report.dry_run,
                report.interrupted,
                report.ticket,
                playbooks.join(","),
                report.conclusions.first().map(|c| c.summary.as_str()),
                json,
            ],
        )?;
        let run = tx.last_insert_rowid();
        for pb in &report.playbooks {
            let fixed = pb.steps.iter().any(|s| s.status == Status::Fixed)
                || report
                    .conclusions
                    .iter()
                    .any(|c| c.playbook == pb.name && c.cleared);
            tx.execute(
                "INSERT INTO run_playbooks (run, name, version, signature, fixed)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    run,
                    pb.name,
                    pb.version,
                    pb.signature.as_ref().map(|s| s.status.as_str()),
                    fixed
                ],
            )?;
            let mut step = tx.prepare_cached(
                "INSERT INTO steps (run, playbook, step, kind, status, reason, duration_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for s in &pb.steps {
                step.execute(params![
                    run,
                    pb.name,
                    s.id,
                    s.kind,
                    s.status.as_str(),
                    s.reason,
                    s.duration_ms as i64
                ])?;
            }
        }
        for c in &report.conclusions {
            tx.execute(
                "INSERT INTO conclusions (run, playbook, cause, summary, cleared, fixes_tried, fixes_verified)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    run,
                    c.playbook,
                    c.id,
                    c.summary,
                    c.cleared,
                    c.fixes.iter().filter(|f| f.status != Status::Skipped).count() as i64,
                    c.fixes.iter().filter(|f| f.verified).count() as i64
                ],
            )?;
        }
        tx.commit()?;
        Ok(run)
    }

    /// Adds a note to a run (by row id) and/or a ticket.
    pub fn add_note(
        &self,
        run: Option<i64>,
        ticket: Option<&str>,
        author: &str,
        text: &str,
    ) -> Result<(), String> {
        self.conn
            .execute(
                "INSERT INTO notes (run, ticket, at, author, text) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    run,
                    ticket,
                    jiff::Timestamp::now().to_string(),
                    author,
                    text
                ],
            )
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// The newest run (optionally for a ticket): row id and run id.
    pub fn latest(&self, ticket: Option<&str>) -> Result<Option<(i64, String)>, String> {
        let sql = if ticket.is_some() {
            "SELECT id, run_id FROM runs WHERE ticket = ?1 ORDER BY started_unix DESC, id DESC LIMIT 1"
        } else {
            "SELECT id, run_id FROM runs WHERE ?1 IS NULL ORDER BY started_unix DESC, id DESC LIMIT 1"
        };
        self.conn
            .query_row(sql, params![ticket], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(|e| e.to_string())
    }
}

/// Opens the default history only when it exists (for reading: asking
/// never creates one); `None` when there is none or it cannot be opened.
pub fn open_existing() -> Option<History> {
    let path = default_path().ok()?;
    if !path.is_file() {
        return None;
    }
    open(&path).0.ok()
}

/// Opens the default history and records `report`; the returned lines are
/// warnings for stderr (the run goes on whatever happens here).
pub fn record_run(report: &Report) -> Vec<String> {
    let path = match default_path() {
        Ok(p) => p,
        Err(e) => return vec![format!("the run was not recorded in the history: {e}")],
    };
    let (history, mut warnings) = open(&path);
    match history.and_then(|mut h| h.record(report)) {
        Ok(_) => {}
        Err(e) => warnings.push(format!("the run was not recorded in the history: {e}")),
    }
    warnings
}
