//! The scheduler over a real lake: late records within the lateness are
//! seen, a restart neither misses nor duplicates an alert, downtime is
//! caught up and written to the gap log.

use std::path::Path;
use std::sync::Arc;

use bannin_ingest::{Format, ImportOptions, Importer, Lake};
use bannin_query::{QueryError, QuerySession, SessionOptions, TenantScope};
use bannin_rules::rule::parse_pack;
use bannin_rules::runs::RunLog;
use bannin_rules::{AlertFilter, AlertStore, CatchUp, Rule, Scheduler, Sessions, Tuning};
use chrono::{DateTime, Utc};

const PACK: &str = r#"
[[rules]]
id = "test.root_failures"
severity = "high"
title.ja = "rootのログイン失敗"
tables = ["auth"]
schedule = "1m"
window = "10m"
lateness = "5m"
suppress = "1h"
group = ["tenant", "host"]
runbook.ja = "1. 確認する。"
params = { min_failures = 3 }
sql = """
SELECT tenant, host, min(time) AS first_seen, max(time) AS last_seen, count(*) AS event_count
FROM auth
WHERE time >= {window_start} AND time < {window_end}
  AND outcome = 'failure' AND "user" = 'root'
GROUP BY tenant, host
HAVING count(*) >= {min_failures}
"""
"#;

struct LakeSessions(Lake);

impl Sessions for LakeSessions {
    fn open(&self, scope: &TenantScope) -> Result<QuerySession, QueryError> {
        let options = SessionOptions {
            scope: scope.clone(),
            ..SessionOptions::default()
        };
        QuerySession::open_with(&self.0, &options)
    }
}

fn rule() -> Rule {
    parse_pack("test.toml", PACK).unwrap().remove(0)
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// Imports sshd lines (JST, year from `reference`).
fn import(lake: &Lake, lines: &[&str], reference: &str) {
    let mut importer =
        Importer::new(lake, ImportOptions::new(Format::Auto, "sakuragaoka")).unwrap();
    let text = format!("{}\n", lines.join("\n"));
    importer
        .import_reader(text.as_bytes(), "auth.log", at(reference))
        .unwrap();
    importer.finish().unwrap();
}

fn failure(time: &str, host: &str, pid: u32) -> String {
    format!(
        "Nov 20 {time} {host} sshd[{pid}]: Failed password for root from 10.30.5.77 port 4{pid} ssh2"
    )
}

fn scheduler(lake: &Lake, db: &Path) -> Scheduler {
    Scheduler::new(
        vec![rule()],
        Tuning::default(),
        Arc::new(LakeSessions(lake.clone())),
        db,
        CatchUp::default(),
    )
    .unwrap()
}

fn alerts(db: &Path) -> Vec<bannin_rules::Alert> {
    AlertStore::open(db)
        .unwrap()
        .list(&AlertFilter::default())
        .unwrap()
}

#[tokio::test]
async fn late_records_restarts_and_downtime_neither_miss_nor_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let db = dir.path().join("alerts.sqlite");
    let lines: Vec<String> = ["10:00:00", "10:01:00", "10:02:00"]
        .iter()
        .enumerate()
        .map(|(i, t)| failure(t, "lg-file01", i as u32))
        .collect();
    import(
        &lake,
        &lines.iter().map(String::as_str).collect::<Vec<_>>(),
        "2026-11-20T01:03:00Z",
    );

    // 10:03 JST: the burst is seen at once.
    let mut first = scheduler(&lake, &db);
    let runs = first.tick(at("2026-11-20T10:03:00+09:00")).await;
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].new, runs[0].error.clone()), (1, None));
    // Not due again within its schedule.
    assert!(first.tick(at("2026-11-20T10:03:30+09:00")).await.is_empty());
    drop(first);

    // Two records of 10:02:30 arrive late (within the 5 minute lateness),
    // and bannin restarts meanwhile.
    let late = [
        failure("10:02:30", "lg-file01", 7),
        failure("10:02:40", "lg-file01", 8),
    ];
    import(
        &lake,
        &[late[0].as_str(), late[1].as_str()],
        "2026-11-20T01:06:00Z",
    );
    let mut restarted = scheduler(&lake, &db);
    let runs = restarted.tick(at("2026-11-20T10:06:00+09:00")).await;
    assert_eq!((runs[0].new, runs[0].updated), (0, 1), "{runs:?}");
    let stored = alerts(&db);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].event_count, 5);

    // Down from 10:06 to 16:00; a burst on another host at 12:00 meanwhile.
    let during: Vec<String> = ["12:00:00", "12:00:20", "12:00:40"]
        .iter()
        .enumerate()
        .map(|(i, t)| failure(t, "lg-ad01", 20 + i as u32))
        .collect();
    import(
        &lake,
        &during.iter().map(String::as_str).collect::<Vec<_>>(),
        "2026-11-20T07:00:00Z",
    );
    let mut after_downtime = scheduler(&lake, &db);
    let runs = after_downtime.tick(at("2026-11-20T16:00:00+09:00")).await;
    assert_eq!(runs[0].new, 1, "{runs:?}");
    assert!(runs[0].windows >= 6, "caught up in hourly steps: {runs:?}");
    let log = RunLog::open(&db).unwrap();
    let gaps = log.gaps(10).unwrap();
    // The restart (two runs missed) and the downtime, both caught up.
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    assert!(gaps.iter().all(|g| g.closed_at.is_some()), "{gaps:?}");
    let noon = at("2026-11-20T12:00:00+09:00");
    assert!(gaps[0].from < noon && noon < gaps[0].to, "{gaps:?}");
    let state = log.get("test.root_failures").unwrap().unwrap();
    assert_eq!(state.settled_until, Some(at("2026-11-20T15:55:00+09:00")));
    assert_eq!(state.failures, 0);
    assert!(state.last_rows_scanned > 0);

    // Running again over the same time changes nothing.
    let mut again = scheduler(&lake, &db);
    let runs = again.tick(at("2026-11-20T16:00:00+09:00")).await;
    assert_eq!((runs[0].new, runs[0].updated), (0, 0));
    let stored = alerts(&db);
    assert_eq!(stored.len(), 2);
    let hosts: Vec<&str> = stored
        .iter()
        .filter_map(|a| a.key.get("host").and_then(|h| h.as_str()))
        .collect();
    assert!(hosts.contains(&"lg-file01") && hosts.contains(&"lg-ad01"));
}

#[tokio::test]
async fn a_failing_rule_keeps_its_place_and_logs_the_gap() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let db = dir.path().join("alerts.sqlite");
    let mut broken = rule();
    broken.sql = broken.sql.replace("FROM auth", "FROM no_such_table");
    let mut scheduler = Scheduler::new(
        vec![broken],
        Tuning::default(),
        Arc::new(LakeSessions(lake.clone())),
        &db,
        CatchUp::default(),
    )
    .unwrap();
    let runs = scheduler.tick(at("2026-11-20T10:00:00+09:00")).await;
    let error = runs[0].error.clone().unwrap();
    assert!(error.contains("no_such_table"), "{error}");
    let runs = scheduler.tick(at("2026-11-20T10:30:00+09:00")).await;
    assert!(runs[0].error.is_some());
    let log = RunLog::open(&db).unwrap();
    let state = log.get("test.root_failures").unwrap().unwrap();
    assert_eq!(
        (state.runs, state.failures, state.settled_until),
        (2, 2, None)
    );
    assert!(state.last_error.unwrap().contains("no_such_table"));
}
