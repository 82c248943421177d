//! The scheduler over a real lake: late records within the lateness are
//! seen, a restart neither misses nor duplicates an alert, downtime is
//! caught up and written to the gap log; a rule switched off or on at run
//! time is obeyed at the next tick, across restarts and over the
//! configuration.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bannin_ingest::{Format, ImportOptions, Importer, Lake};
use bannin_query::{QueryError, QuerySession, SessionOptions, TenantScope};
use bannin_rules::rule::parse_pack;
use bannin_rules::runs::RunLog;
use bannin_rules::state::{Why, switch};
use bannin_rules::{
    AlertFilter, AlertStore, CatchUp, Rule, RulesError, Scheduler, Sessions, Tuning, rule_states,
};
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
fn import(lake: &Lake, lines: &[String], reference: &str) {
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

/// Failed root logins on `host` at `times` (JST), pids counting from `pid`.
fn burst(times: &[&str], host: &str, pid: u32) -> Vec<String> {
    (pid..)
        .zip(times)
        .map(|(pid, t)| failure(t, host, pid))
        .collect()
}

/// A lake and an alert store in `dir`; the lake holds three failed root
/// logins on lg-file01 at 10:00–10:02 JST, received at 10:03.
fn lake_with_burst(dir: &Path) -> (Lake, PathBuf) {
    let lake = Lake::new(dir.join("lake"));
    let lines = burst(&["10:00:00", "10:01:00", "10:02:00"], "lg-file01", 0);
    import(&lake, &lines, "2026-11-20T01:03:00Z");
    (lake, dir.join("alerts.sqlite"))
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
    let (lake, db) = lake_with_burst(dir.path());

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
    import(&lake, &late, "2026-11-20T01:06:00Z");
    let mut restarted = scheduler(&lake, &db);
    let runs = restarted.tick(at("2026-11-20T10:06:00+09:00")).await;
    assert_eq!((runs[0].new, runs[0].updated), (0, 1), "{runs:?}");
    let stored = alerts(&db);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].event_count, 5);

    // Down from 10:06 to 16:00; a burst on another host at 12:00 meanwhile.
    let during = burst(&["12:00:00", "12:00:20", "12:00:40"], "lg-ad01", 20);
    import(&lake, &during, "2026-11-20T07:00:00Z");
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

#[tokio::test]
async fn a_rule_switched_off_stops_at_the_next_tick_and_catches_up_when_switched_on() {
    let dir = tempfile::tempdir().unwrap();
    let (lake, db) = lake_with_burst(dir.path());
    let mut running = scheduler(&lake, &db);
    assert_eq!(
        running.tick(at("2026-11-20T10:03:00+09:00")).await[0].new,
        1
    );

    // An admin switches the rule off through the API (its own handle on
    // the same file); the running scheduler obeys at its next tick.
    let mut admin = RunLog::open(&db).unwrap();
    admin
        .set_enabled(
            "test.root_failures",
            false,
            "kanri-tanaka",
            at("2026-11-20T10:04:30+09:00"),
        )
        .unwrap();
    assert!(
        running
            .tick(at("2026-11-20T10:05:00+09:00"))
            .await
            .is_empty()
    );
    assert_eq!(running.enabled_count(), 0);
    let lines = burst(&["10:10:00", "10:10:20", "10:10:40"], "lg-ad01", 20);
    import(&lake, &lines, "2026-11-20T01:11:00Z");
    assert!(
        running
            .tick(at("2026-11-20T10:15:00+09:00"))
            .await
            .is_empty()
    );
    assert_eq!(alerts(&db).len(), 1, "nothing ran while switched off");

    // Switched on again: it runs from its settled point and finds the
    // burst it missed.
    admin
        .set_enabled(
            "test.root_failures",
            true,
            "kanri-tanaka",
            at("2026-11-20T10:19:00+09:00"),
        )
        .unwrap();
    let runs = running.tick(at("2026-11-20T10:20:00+09:00")).await;
    assert_eq!(
        (runs.len(), runs[0].new, runs[0].error.clone()),
        (1, 1, None)
    );
    let hosts: Vec<String> = alerts(&db)
        .iter()
        .filter_map(|a| a.key.get("host").and_then(|h| h.as_str()).map(String::from))
        .collect();
    assert!(hosts.contains(&"lg-ad01".to_owned()), "{hosts:?}");
    let state = admin.get("test.root_failures").unwrap().unwrap();
    assert_eq!(state.settled_until, Some(at("2026-11-20T10:15:00+09:00")));
    let gaps = admin.gaps(10).unwrap();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert!(gaps[0].reason.contains("disabled"), "{gaps:?}");
    assert!(gaps[0].closed_at.is_some(), "{gaps:?}");
    assert_eq!(gaps[0].from, at("2026-11-20T09:58:00+09:00"));
}

#[tokio::test]
async fn a_switch_survives_a_restart_and_overrides_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let (lake, db) = lake_with_burst(dir.path());
    let config_off = Tuning {
        disabled: ["test.root_failures".to_owned()].into(),
        ..Tuning::default()
    };
    let start = |tuning: &Tuning| {
        Scheduler::new(
            vec![rule()],
            tuning.clone(),
            Arc::new(LakeSessions(lake.clone())),
            &db,
            CatchUp::default(),
        )
        .unwrap()
    };
    let mut scheduler = start(&config_off);
    assert_eq!(scheduler.rules().len(), 1, "a disabled rule stays known");
    assert!(
        scheduler
            .tick(at("2026-11-20T10:03:00+09:00"))
            .await
            .is_empty()
    );
    let states = rule_states(&[rule()], &config_off, &RunLog::open(&db).unwrap()).unwrap();
    assert!(!states[0].enablement.enabled);
    assert_eq!(states[0].enablement.why, Why::Config);
    assert_eq!(states[0].last_run, None);

    // Switched on through the API: the override wins over the configuration.
    let mut admin = RunLog::open(&db).unwrap();
    let unknown = switch(
        &mut admin,
        &[rule()],
        &config_off,
        "test.no_such_rule",
        true,
        "kanri-tanaka",
        at("2026-11-20T10:03:10+09:00"),
    )
    .unwrap_err();
    assert!(
        matches!(unknown, RulesError::UnknownRule { .. }),
        "{unknown}"
    );
    let on = switch(
        &mut admin,
        &[rule()],
        &config_off,
        "test.root_failures",
        true,
        "kanri-tanaka",
        at("2026-11-20T10:03:20+09:00"),
    )
    .unwrap();
    assert!(on.enablement.enabled);
    let runs = scheduler.tick(at("2026-11-20T10:03:30+09:00")).await;
    assert_eq!((runs.len(), runs[0].new), (1, 1));
    drop(scheduler);
    drop(admin);

    // After a restart the override still holds, with who and when.
    let mut restarted = start(&config_off);
    assert_eq!(restarted.enabled_count(), 1);
    let log = RunLog::open(&db).unwrap();
    let overrides = log.overrides().unwrap();
    let held = &overrides["test.root_failures"];
    assert_eq!(
        (held.enabled, held.actor.as_str(), held.at),
        (true, "kanri-tanaka", at("2026-11-20T10:03:20+09:00"))
    );
    let states = rule_states(&[rule()], &config_off, &log).unwrap();
    assert_eq!(
        states[0].enablement.why,
        Why::Override {
            actor: "kanri-tanaka".into(),
            at: at("2026-11-20T10:03:20+09:00")
        }
    );
    let last = states[0].last_run.clone().unwrap();
    assert_eq!(last.last_incidents, 1);
    assert!(last.last_rows_scanned > 0);
    let json = serde_json::to_value(&states[0]).unwrap();
    assert_eq!(json["enabled"], true);
    assert_eq!(json["why"]["by"], "override");
    assert_eq!(json["schedule"], "1m");

    // Switched off again: the latest switch wins, across the restart too.
    RunLog::open(&db)
        .unwrap()
        .set_enabled(
            "test.root_failures",
            false,
            "kanri-sato",
            at("2026-11-20T10:04:00+09:00"),
        )
        .unwrap();
    assert!(
        restarted
            .tick(at("2026-11-20T10:10:00+09:00"))
            .await
            .is_empty()
    );
    assert!(
        start(&Tuning::default())
            .tick(at("2026-11-20T10:11:00+09:00"))
            .await
            .is_empty()
    );
}
