//! The scheduler's memory, beside the alerts in the same SQLite file: per
//! rule, how far event time is settled and how its runs went (duration,
//! rows scanned, last success, last error), and the gap log — event-time
//! ranges that were not evaluated on time (downtime, failed runs), and
//! when they were caught up — and the rule switches: rules an admin
//! enabled or disabled at run time, by whom and when.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::RulesError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS rule_runs (
    rule_id           TEXT PRIMARY KEY,
    settled_until     TEXT,
    last_run_at       TEXT,
    last_success_at   TEXT,
    last_error        TEXT,
    last_duration_ms  INTEGER NOT NULL DEFAULT 0,
    last_rows_scanned INTEGER NOT NULL DEFAULT 0,
    last_incidents    INTEGER NOT NULL DEFAULT 0,
    runs              INTEGER NOT NULL DEFAULT 0,
    failures          INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS rule_gaps (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id     TEXT NOT NULL,
    range_from  TEXT NOT NULL,
    range_to    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    logged_at   TEXT NOT NULL,
    closed_at   TEXT
);
CREATE INDEX IF NOT EXISTS rule_gaps_open ON rule_gaps (rule_id, closed_at);
CREATE TABLE IF NOT EXISTS rule_switches (
    seq     INTEGER PRIMARY KEY,
    rule_id TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rule_switches_by_rule ON rule_switches (rule_id, seq);
";

/// One rule's run state and statistics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RuleRuns {
    pub rule_id: String,
    /// Event time before this has been evaluated with its lateness
    /// elapsed; the next run starts its window from here.
    pub settled_until: Option<DateTime<Utc>>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The error of the last run, if it failed.
    pub last_error: Option<String>,
    pub last_duration_ms: u64,
    pub last_rows_scanned: u64,
    pub last_incidents: u64,
    pub runs: u64,
    pub failures: u64,
}

/// What one run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutcome {
    pub at: DateTime<Utc>,
    pub duration_ms: u64,
    pub rows_scanned: u64,
    pub incidents: u64,
    /// `Ok(settled_until)` or the error.
    pub result: Result<DateTime<Utc>, String>,
}

/// A range of event time a rule did not evaluate on time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub rule_id: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub reason: String,
    pub logged_at: DateTime<Utc>,
    /// When a later run evaluated the range; `None` while it is open.
    pub closed_at: Option<DateTime<Utc>>,
}

/// A rule switched on or off at run time: the latest switch of the rule
/// wins over the configuration's `[rules] disabled` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Override {
    pub rule_id: String,
    pub enabled: bool,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// The run state, gap log and rule switches.
pub struct RunLog {
    conn: Connection,
    path: PathBuf,
}

fn text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| t.parse().ok())
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}

fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl RunLog {
    /// Opens (creating if needed) the run log in the SQLite file at `path`.
    pub fn open(path: &Path) -> Result<Self, RulesError> {
        let err = store_err(path);
        let conn = Connection::open(path).map_err(&err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(&err)?;
        conn.execute_batch(SCHEMA).map_err(&err)?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> RulesError + use<> {
        store_err(&self.path)
    }

    /// One rule's state, if it ever ran.
    pub fn get(&self, rule_id: &str) -> Result<Option<RuleRuns>, RulesError> {
        self.conn
            .query_row(
                "SELECT rule_id, settled_until, last_run_at, last_success_at, last_error,
                        last_duration_ms, last_rows_scanned, last_incidents, runs, failures
                 FROM rule_runs WHERE rule_id = ?1",
                [rule_id],
                runs_from_row,
            )
            .optional()
            .map_err(self.err())
    }

    /// Every rule that ever ran, by id.
    pub fn all(&self) -> Result<Vec<RuleRuns>, RulesError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT rule_id, settled_until, last_run_at, last_success_at, last_error,
                        last_duration_ms, last_rows_scanned, last_incidents, runs, failures
                 FROM rule_runs ORDER BY rule_id",
            )
            .map_err(self.err())?;
        let rows = stmt.query_map([], runs_from_row).map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// Records a run; a success moves `settled_until` forward and closes
    /// the gaps it covered.
    pub fn record(&mut self, rule_id: &str, outcome: &RunOutcome) -> Result<(), RulesError> {
        let err = self.err();
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute(
            "INSERT INTO rule_runs (rule_id) VALUES (?1) ON CONFLICT (rule_id) DO NOTHING",
            [rule_id],
        )
        .map_err(&err)?;
        let at = text(outcome.at);
        match &outcome.result {
            Ok(settled) => {
                tx.execute(
                    "UPDATE rule_runs SET
                        settled_until = CASE WHEN settled_until IS NULL OR settled_until < ?2
                                             THEN ?2 ELSE settled_until END,
                        last_run_at = ?3, last_success_at = ?3, last_error = NULL,
                        last_duration_ms = ?4, last_rows_scanned = ?5, last_incidents = ?6,
                        runs = runs + 1
                     WHERE rule_id = ?1",
                    params![
                        rule_id,
                        text(*settled),
                        at,
                        int(outcome.duration_ms),
                        int(outcome.rows_scanned),
                        int(outcome.incidents)
                    ],
                )
                .map_err(&err)?;
                close_gaps(&tx, rule_id, *settled, outcome.at).map_err(&err)?;
            }
            Err(error) => {
                tx.execute(
                    "UPDATE rule_runs SET last_run_at = ?2, last_error = ?3,
                        last_duration_ms = ?4, runs = runs + 1, failures = failures + 1
                     WHERE rule_id = ?1",
                    params![rule_id, at, error, int(outcome.duration_ms)],
                )
                .map_err(&err)?;
            }
        }
        tx.commit().map_err(&err)
    }

    /// Moves `settled_until` forward to `until` (during a catch-up, as each
    /// step is done) and closes the gaps it covers.
    pub fn settle(
        &mut self,
        rule_id: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), RulesError> {
        let err = self.err();
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute(
            "INSERT INTO rule_runs (rule_id, settled_until) VALUES (?1, ?2)
             ON CONFLICT (rule_id) DO UPDATE SET settled_until = ?2
             WHERE settled_until IS NULL OR settled_until < ?2",
            params![rule_id, text(until)],
        )
        .map_err(&err)?;
        close_gaps(&tx, rule_id, until, now).map_err(&err)?;
        tx.commit().map_err(&err)
    }

    /// Writes a gap, unless the same range is already open for the rule.
    pub fn log_gap(&mut self, gap: &Gap) -> Result<(), RulesError> {
        self.conn
            .execute(
                "INSERT INTO rule_gaps (rule_id, range_from, range_to, reason, logged_at, closed_at)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6
                 WHERE NOT EXISTS (SELECT 1 FROM rule_gaps WHERE rule_id = ?1
                     AND range_from = ?2 AND range_to = ?3 AND closed_at IS NULL)",
                params![
                    gap.rule_id,
                    text(gap.from),
                    text(gap.to),
                    gap.reason,
                    text(gap.logged_at),
                    gap.closed_at.map(text)
                ],
            )
            .map_err(self.err())?;
        Ok(())
    }

    /// The gap log, newest first.
    pub fn gaps(&self, limit: usize) -> Result<Vec<Gap>, RulesError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT rule_id, range_from, range_to, reason, logged_at, closed_at
                 FROM rule_gaps ORDER BY id DESC LIMIT ?1",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([int(limit as u64)], |row| {
                let at =
                    |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> { Ok(time(row.get(i)?)) };
                Ok(Gap {
                    rule_id: row.get(0)?,
                    from: at(1)?.unwrap_or_default(),
                    to: at(2)?.unwrap_or_default(),
                    reason: row.get(3)?,
                    logged_at: at(4)?.unwrap_or_default(),
                    closed_at: at(5)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }
}

impl RunLog {
    /// Switches `rule_id` on or off, by `actor` at `now`. Every switch is
    /// kept; the latest one is the rule's override. Whether the rule exists
    /// is the caller's to check ([`crate::state::switch`] does).
    pub fn set_enabled(
        &mut self,
        rule_id: &str,
        enabled: bool,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Override, RulesError> {
        let actor = actor.trim();
        if actor.is_empty() {
            return Err(RulesError::Invalid {
                rule: rule_id.to_owned(),
                why: "switching a rule on or off needs an actor".into(),
            });
        }
        self.conn
            .execute(
                "INSERT INTO rule_switches (rule_id, enabled, actor, at) VALUES (?1, ?2, ?3, ?4)",
                params![rule_id, enabled, actor, text(now)],
            )
            .map_err(self.err())?;
        Ok(Override {
            rule_id: rule_id.to_owned(),
            enabled,
            actor: actor.to_owned(),
            at: now,
        })
    }

    /// Each switched rule's latest switch, by rule id.
    pub fn overrides(&self) -> Result<BTreeMap<String, Override>, RulesError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT rule_id, enabled, actor, at FROM rule_switches
                 WHERE seq IN (SELECT max(seq) FROM rule_switches GROUP BY rule_id)",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |row| {
                Ok(Override {
                    rule_id: row.get(0)?,
                    enabled: row.get(1)?,
                    actor: row.get(2)?,
                    at: time(row.get(3)?).unwrap_or_default(),
                })
            })
            .map_err(self.err())?;
        rows.map(|o| o.map(|o| (o.rule_id.clone(), o)))
            .collect::<Result<_, _>>()
            .map_err(self.err())
    }
}

fn close_gaps(
    conn: &Connection,
    rule_id: &str,
    settled: DateTime<Utc>,
    now: DateTime<Utc>,
) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE rule_gaps SET closed_at = ?3
         WHERE rule_id = ?1 AND closed_at IS NULL AND range_to <= ?2",
        params![rule_id, text(settled), text(now)],
    )
}

fn runs_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RuleRuns> {
    Ok(RuleRuns {
        rule_id: row.get(0)?,
        settled_until: time(row.get(1)?),
        last_run_at: time(row.get(2)?),
        last_success_at: time(row.get(3)?),
        last_error: row.get(4)?,
        last_duration_ms: count(row.get(5)?),
        last_rows_scanned: count(row.get(6)?),
        last_incidents: count(row.get(7)?),
        runs: count(row.get(8)?),
        failures: count(row.get(9)?),
    })
}

fn store_err(path: &Path) -> impl Fn(rusqlite::Error) -> RulesError + use<> {
    let path = path.display().to_string();
    move |source| RulesError::Store {
        path: path.clone(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn success_settles_and_closes_gaps_failure_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = RunLog::open(&dir.path().join("alerts.sqlite")).unwrap();
        assert_eq!(log.get("mail.outbound_burst").unwrap(), None);
        let gap = Gap {
            rule_id: "mail.outbound_burst".into(),
            from: at("2026-11-20T00:00:00Z"),
            to: at("2026-11-20T06:00:00Z"),
            reason: "bannin was not running".into(),
            logged_at: at("2026-11-20T06:01:00Z"),
            closed_at: None,
        };
        log.log_gap(&gap).unwrap();
        log.log_gap(&gap).unwrap();
        assert_eq!(
            log.gaps(10).unwrap().len(),
            1,
            "the same open gap is logged once"
        );

        let failed = RunOutcome {
            at: at("2026-11-20T06:01:00Z"),
            duration_ms: 12,
            rows_scanned: 0,
            incidents: 0,
            result: Err("query failed: out of memory".into()),
        };
        log.record("mail.outbound_burst", &failed).unwrap();
        let state = log.get("mail.outbound_burst").unwrap().unwrap();
        assert_eq!(state.settled_until, None);
        assert_eq!((state.runs, state.failures), (1, 1));
        assert_eq!(
            state.last_error.as_deref(),
            Some("query failed: out of memory")
        );
        assert_eq!(log.gaps(10).unwrap()[0].closed_at, None);

        let ok = RunOutcome {
            at: at("2026-11-20T06:02:00Z"),
            duration_ms: 40,
            rows_scanned: 1234,
            incidents: 2,
            result: Ok(at("2026-11-20T05:57:00Z")),
        };
        log.record("mail.outbound_burst", &ok).unwrap();
        assert_eq!(log.gaps(10).unwrap()[0].closed_at, None, "not yet covered");
        let later = RunOutcome {
            result: Ok(at("2026-11-20T06:03:00Z")),
            at: at("2026-11-20T06:08:00Z"),
            ..ok.clone()
        };
        log.record("mail.outbound_burst", &later).unwrap();
        let state = log.get("mail.outbound_burst").unwrap().unwrap();
        assert_eq!(state.settled_until, Some(at("2026-11-20T06:03:00Z")));
        assert_eq!(state.last_error, None);
        assert_eq!(
            (state.runs, state.failures, state.last_rows_scanned),
            (3, 1, 1234)
        );
        assert_eq!(
            log.gaps(10).unwrap()[0].closed_at,
            Some(at("2026-11-20T06:08:00Z"))
        );
        // An older run never moves the settled point back.
        log.record("mail.outbound_burst", &ok).unwrap();
        let state = log.get("mail.outbound_burst").unwrap().unwrap();
        assert_eq!(state.settled_until, Some(at("2026-11-20T06:03:00Z")));
        assert_eq!(log.all().unwrap().len(), 1);
    }

    #[test]
    fn the_latest_switch_of_each_rule_is_its_override() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = RunLog::open(&dir.path().join("alerts.sqlite")).unwrap();
        assert!(log.overrides().unwrap().is_empty());
        log.set_enabled(
            "mail.inbound_spam_volume",
            true,
            "tanaka",
            at("2026-11-20T09:00:00Z"),
        )
        .unwrap();
        log.set_enabled("priv.bruteforce", false, "sato", at("2026-11-20T09:05:00Z"))
            .unwrap();
        log.set_enabled(
            "mail.inbound_spam_volume",
            false,
            " suzuki ",
            at("2026-11-20T09:10:00.25Z"),
        )
        .unwrap();
        let err = log
            .set_enabled("priv.bruteforce", true, "  ", at("2026-11-20T09:20:00Z"))
            .unwrap_err();
        assert!(err.to_string().contains("actor"), "{err}");
        let overrides = log.overrides().unwrap();
        assert_eq!(overrides.len(), 2);
        assert_eq!(
            overrides["mail.inbound_spam_volume"],
            Override {
                rule_id: "mail.inbound_spam_volume".into(),
                enabled: false,
                actor: "suzuki".into(),
                at: at("2026-11-20T09:10:00.25Z"),
            }
        );
        assert!(
            !overrides["priv.bruteforce"].enabled,
            "the refused switch changed nothing"
        );
    }
}
