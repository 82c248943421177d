//! The alert store: merging runs, the lifecycle, queries, migration.

use bannin_rules::store::SYSTEM_ACTOR;
use bannin_rules::{
    Action, Alert, AlertFilter, AlertStatus, AlertStore, Recorded, RulesError, Severity, Stored,
};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

fn object(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

/// What `mail.outbound_burst` would find for `sender` between two times.
fn found(tenant: &str, sender: &str, first: &str, last: &str, count: i64) -> Alert {
    let run = "2026-11-20T03:00:00Z";
    Alert {
        id: format!("{tenant}-{sender}-{first}"),
        rule_id: "mail.outbound_burst".into(),
        severity: "high".into(),
        title_ja: "内部からの大量メール送信".into(),
        title_en: "Mass mail sent from inside".into(),
        tenant: tenant.into(),
        status: AlertStatus::New,
        assignee: None,
        first_seen: first.into(),
        last_seen: last.into(),
        event_count: count,
        key: object(json!({ "sender": sender })),
        evidence: object(json!({
            "tenant": tenant, "sender": sender, "first_seen": first,
            "last_seen": last, "event_count": count, "domains": 41,
        })),
        evidence_sql: "SELECT tenant, sender, count(*) AS event_count FROM mail \
                       WHERE time >= TIMESTAMP '2026-11-20 01:00:00' GROUP BY 1, 2"
            .into(),
        samples: (0..25)
            .map(|i| object(json!({ "queue_id": format!("4A1B{i:04}"), "to": "x@example.com" })))
            .collect(),
        runbook_ja: "1. 送信元PCをネットワークから切り離す".into(),
        created_at: run.into(),
        updated_at: run.into(),
    }
}

/// A burst of 250 messages between 01:10 and 01:15.
fn burst(tenant: &str, sender: &str) -> Alert {
    found(
        tenant,
        sender,
        "2026-11-20T01:10:00Z",
        "2026-11-20T01:15:00Z",
        250,
    )
}

const SENDER: &str = "kikaku@city.example.lg.jp";

fn open() -> (tempfile::TempDir, AlertStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = AlertStore::open(&dir.path().join("alerts.sqlite")).unwrap();
    (dir, store)
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn all(store: &AlertStore) -> Vec<Alert> {
    store.list(&AlertFilter::default()).unwrap()
}

#[test]
fn overlapping_runs_merge_and_a_rerun_changes_nothing() {
    let (_dir, mut store) = open();
    let hour = Duration::hours(1);
    let first = burst("sakuragaoka", SENDER);
    let Recorded { id, stored } = store.record(&first, hour).unwrap();
    assert_eq!((id.as_str(), stored), (first.id.as_str(), Stored::New));
    let stored_once = store.get(&id).unwrap().unwrap();
    assert_eq!(stored_once.alert.samples.len(), 20, "samples are capped");

    // The same incident again (a re-run over the same data).
    let mut again = first.clone();
    again.updated_at = "2026-11-20T03:05:00Z".into();
    assert_eq!(
        store.record(&again, hour).unwrap(),
        Recorded {
            id: id.clone(),
            stored: Stored::Unchanged
        }
    );
    assert_eq!(store.get(&id).unwrap().unwrap(), stored_once);

    // The next run's window overlaps: it sees some of the same mail and more.
    let mut next = found(
        "sakuragaoka",
        SENDER,
        "2026-11-20T01:12:00Z",
        "2026-11-20T01:20:00.5Z",
        240,
    );
    next.updated_at = "2026-11-20T03:10:00Z".into();
    assert_eq!(
        store.record(&next, hour).unwrap(),
        Recorded {
            id: id.clone(),
            stored: Stored::Updated
        }
    );
    // Within suppress, after a quiet half hour: still the same alert.
    let mut later = found(
        "sakuragaoka",
        SENDER,
        "2026-11-20T01:50:00Z",
        "2026-11-20T02:00:00Z",
        120,
    );
    later.updated_at = "2026-11-20T03:20:00Z".into();
    assert_eq!(store.record(&later, hour).unwrap().stored, Stored::Updated);

    let alerts = all(&store);
    assert_eq!(alerts.len(), 1);
    let merged = &alerts[0];
    assert_eq!(merged.first_seen, "2026-11-20T01:10:00Z");
    assert_eq!(merged.last_seen, "2026-11-20T02:00:00Z");
    assert_eq!(merged.event_count, 250, "counts are never added");
    assert_eq!(merged.evidence["event_count"], 120);
    assert_eq!(merged.updated_at, "2026-11-20T03:20:00Z");
    assert_eq!(merged.created_at, "2026-11-20T03:00:00Z");

    let history = store.get(&id).unwrap().unwrap().history;
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["created", "occurrence", "occurrence"]);
    assert!(history.iter().all(|h| h.actor == SYSTEM_ACTOR));
    let detail = history[1].detail.as_deref().unwrap();
    assert!(
        detail.contains("last_seen 2026-11-20T01:15:00Z → 2026-11-20T01:20:00.5Z"),
        "{detail}"
    );
}

#[test]
fn beyond_suppress_or_in_another_group_a_new_alert_opens() {
    let (_dir, mut store) = open();
    let hour = Duration::hours(1);
    let morning = burst("sakuragaoka", SENDER);
    let evening = found(
        "sakuragaoka",
        SENDER,
        "2026-11-20T09:00:00Z",
        "2026-11-20T09:05:00Z",
        300,
    );
    let other_sender = burst("sakuragaoka", "soumu@city.example.lg.jp");
    // Same id as `morning` (a group key without the tenant): still separate.
    let mut other_tenant = burst("momiji", SENDER);
    other_tenant.id = morning.id.clone();

    let ids: Vec<Recorded> = [&morning, &evening, &other_sender, &other_tenant]
        .into_iter()
        .map(|a| store.record(a, hour).unwrap())
        .collect();
    assert!(ids.iter().all(|r| r.stored == Stored::New));
    assert_eq!(ids[0].id, morning.id);
    assert_ne!(ids[3].id, morning.id, "a taken id is not reused");
    assert_eq!(store.count().unwrap(), 4);
    // Recording the other tenant again finds its own alert.
    assert_eq!(
        store.record(&other_tenant, hour).unwrap(),
        Recorded {
            id: ids[3].id.clone(),
            stored: Stored::Unchanged
        }
    );
}

#[test]
fn a_merged_resolved_alert_stays_resolved_but_its_history_shows_the_occurrence() {
    let (_dir, mut store) = open();
    let hour = Duration::hours(1);
    let first = burst("sakuragaoka", SENDER);
    let id = store.record(&first, hour).unwrap().id;
    store
        .act(
            &id,
            Action::Resolve(Some("送信元PCを隔離済み".into())),
            "tanaka",
            at("2026-11-20T02:00:00Z"),
        )
        .unwrap();
    let more = found(
        "sakuragaoka",
        SENDER,
        "2026-11-20T01:40:00Z",
        "2026-11-20T01:45:00Z",
        260,
    );
    assert_eq!(
        store.record(&more, hour).unwrap(),
        Recorded {
            id: id.clone(),
            stored: Stored::Updated
        }
    );
    let detail = store.get(&id).unwrap().unwrap();
    assert_eq!(detail.alert.status, AlertStatus::Resolved);
    let last = detail.history.last().unwrap();
    assert_eq!(last.action, "occurrence");
    assert_eq!(
        (last.from_status, last.to_status),
        (Some(AlertStatus::Resolved), Some(AlertStatus::Resolved))
    );
}

/// Brings a fresh alert to `status` through the lifecycle.
fn alert_in(store: &mut AlertStore, status: AlertStatus, n: usize) -> String {
    let sender = format!("user{n}@city.example.lg.jp");
    let id = store
        .record(&burst("sakuragaoka", &sender), Duration::hours(1))
        .unwrap()
        .id;
    let now = at("2026-11-20T04:00:00Z");
    let action = match status {
        AlertStatus::New => None,
        AlertStatus::Acknowledged => Some(Action::Acknowledge),
        AlertStatus::Resolved => Some(Action::Resolve(None)),
        AlertStatus::FalsePositive => Some(Action::FalsePositive(None)),
    };
    if let Some(action) = action {
        store.act(&id, action, "setup", now).unwrap();
    }
    id
}

#[test]
fn every_status_change_is_checked_against_the_lifecycle() {
    use AlertStatus::*;
    let (_dir, mut store) = open();
    let actions = [
        Action::Acknowledge,
        Action::Resolve(None),
        Action::FalsePositive(None),
        Action::Reopen,
    ];
    // (from, action index) → the status it leads to; everything else fails.
    let allowed = [
        ((New, 0), Acknowledged),
        ((New, 1), Resolved),
        ((New, 2), FalsePositive),
        ((Acknowledged, 1), Resolved),
        ((Acknowledged, 2), FalsePositive),
        ((Resolved, 3), Acknowledged),
        ((FalsePositive, 3), Acknowledged),
    ];
    let mut n = 0;
    for from in AlertStatus::ALL {
        for (index, action) in actions.iter().enumerate() {
            n += 1;
            let id = alert_in(&mut store, from, n);
            let before = store.get(&id).unwrap().unwrap();
            let result = store.act(&id, action.clone(), "suzuki", at("2026-11-20T05:00:00Z"));
            let expected = allowed
                .iter()
                .find(|(k, _)| *k == (from, index))
                .map(|(_, to)| *to);
            match (expected, result) {
                (Some(to), Ok(alert)) => {
                    assert_eq!(alert.status, to, "{from} {}", action.name());
                    assert_eq!(alert.updated_at, "2026-11-20T05:00:00Z");
                    let after = store.get(&id).unwrap().unwrap();
                    assert_eq!(after.alert, alert);
                    let last = after.history.last().unwrap();
                    assert_eq!(
                        (
                            last.actor.as_str(),
                            last.action.as_str(),
                            last.from_status,
                            last.to_status
                        ),
                        ("suzuki", action.name(), Some(from), Some(to))
                    );
                }
                (
                    None,
                    Err(RulesError::Transition {
                        id: got,
                        action: name,
                        from: f,
                        to: _,
                    }),
                ) => {
                    assert_eq!((got.as_str(), name, f), (id.as_str(), action.name(), from));
                    assert_eq!(
                        store.get(&id).unwrap().unwrap(),
                        before,
                        "a refused action changes nothing"
                    );
                }
                (expected, result) => panic!(
                    "{from} {}: expected {expected:?}, got {result:?}",
                    action.name()
                ),
            }
        }
    }
}

#[test]
fn the_refusal_says_what_was_refused() {
    let (_dir, mut store) = open();
    let id = alert_in(&mut store, AlertStatus::New, 1);
    let err = store
        .act(&id, Action::Reopen, "suzuki", at("2026-11-20T05:00:00Z"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "alert {id}: `reopen` is not allowed while it is `new` (it would become `acknowledged`)"
        )
    );
    let missing = store
        .act(
            "nope",
            Action::Acknowledge,
            "suzuki",
            at("2026-11-20T05:00:00Z"),
        )
        .unwrap_err();
    assert!(
        matches!(missing, RulesError::NotFound { ref id } if id == "nope"),
        "{missing}"
    );
    assert!(store.get("nope").unwrap().is_none());
}

#[test]
fn comments_assignment_and_reasons_are_recorded_with_their_actor() {
    let (_dir, mut store) = open();
    let id = alert_in(&mut store, AlertStatus::New, 1);
    let t = |m: u32| at(&format!("2026-11-20T05:{m:02}:00Z"));
    store.act(&id, Action::Acknowledge, "tanaka", t(0)).unwrap();
    let assigned = store
        .act(&id, Action::Assign("tanaka".into()), "tanaka", t(1))
        .unwrap();
    assert_eq!(assigned.assignee.as_deref(), Some("tanaka"));
    // Assigning the same person again writes nothing.
    store
        .act(&id, Action::Assign("tanaka".into()), "tanaka", t(2))
        .unwrap();
    store
        .act(
            &id,
            Action::Comment("送信元は企画課のPC。利用者に確認中".into()),
            "tanaka",
            t(3),
        )
        .unwrap();
    assert!(matches!(
        store.act(&id, Action::Comment("   ".into()), "tanaka", t(4)),
        Err(RulesError::Rejected { .. })
    ));
    assert!(
        store
            .act(&id, Action::Comment("x".into()), " ", t(4))
            .is_err(),
        "an actor is required"
    );
    store
        .act(
            &id,
            Action::FalsePositive(Some("メルマガの正規配信".into())),
            "sato",
            t(5),
        )
        .unwrap();
    store.act(&id, Action::Reopen, "sato", t(6)).unwrap();
    let unassigned = store
        .act(&id, Action::Assign(String::new()), "sato", t(7))
        .unwrap();
    assert_eq!(unassigned.assignee, None);

    let detail = store.get(&id).unwrap().unwrap();
    let comments: Vec<(&str, &str, &str)> = detail
        .comments
        .iter()
        .map(|c| (c.at.as_str(), c.actor.as_str(), c.text.as_str()))
        .collect();
    assert_eq!(
        comments,
        [
            (
                "2026-11-20T05:03:00Z",
                "tanaka",
                "送信元は企画課のPC。利用者に確認中"
            ),
            ("2026-11-20T05:05:00Z", "sato", "メルマガの正規配信"),
        ]
    );
    let history: Vec<(&str, &str, Option<&str>)> = detail
        .history
        .iter()
        .map(|h| (h.actor.as_str(), h.action.as_str(), h.detail.as_deref()))
        .collect();
    assert_eq!(
        history,
        [
            ("bannin", "created", None),
            ("tanaka", "acknowledge", None),
            ("tanaka", "assign", Some("tanaka")),
            (
                "tanaka",
                "comment",
                Some("送信元は企画課のPC。利用者に確認中")
            ),
            ("sato", "false_positive", Some("メルマガの正規配信")),
            ("sato", "reopen", None),
            ("sato", "assign", None),
        ]
    );
    assert_eq!(detail.alert.status, AlertStatus::Acknowledged);
}

#[test]
fn lists_filter_by_tenant_scope_status_severity_rule_and_time() {
    let (_dir, mut store) = open();
    let hour = Duration::hours(1);
    let mut rows = Vec::new();
    for (i, (tenant, severity, rule, last)) in [
        (
            "sakuragaoka",
            "high",
            "mail.outbound_burst",
            "2026-11-20T01:00:00Z",
        ),
        (
            "sakuragaoka",
            "critical",
            "priv.bruteforce",
            "2026-11-20T03:00:00.25Z",
        ),
        (
            "sakuragaoka",
            "low",
            "proxy.shadow_it",
            "2026-11-20T03:00:00Z",
        ),
        (
            "momiji",
            "medium",
            "mail.outbound_burst",
            "2026-11-20T02:00:00Z",
        ),
        ("kaede", "high", "priv.bruteforce", "2026-11-20T04:00:00Z"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut alert = found(
            tenant,
            &format!("s{i}@example.lg.jp"),
            "2026-11-20T00:30:00Z",
            last,
            10,
        );
        alert.severity = severity.into();
        alert.rule_id = rule.into();
        rows.push(store.record(&alert, hour).unwrap().id);
    }
    store
        .act(
            &rows[2],
            Action::Resolve(None),
            "tanaka",
            at("2026-11-20T05:00:00Z"),
        )
        .unwrap();

    let list = |filter: AlertFilter| -> Vec<String> {
        store
            .list(&filter)
            .unwrap()
            .into_iter()
            .map(|a| a.last_seen)
            .collect()
    };
    // Newest first, fractional seconds sorted by time, not by text.
    assert_eq!(
        list(AlertFilter::default()),
        [
            "2026-11-20T04:00:00Z",
            "2026-11-20T03:00:00.25Z",
            "2026-11-20T03:00:00Z",
            "2026-11-20T02:00:00Z",
            "2026-11-20T01:00:00Z",
        ]
    );
    let scoped = AlertFilter {
        tenants: Some(vec!["sakuragaoka".into(), "momiji".into()]),
        ..AlertFilter::default()
    };
    assert_eq!(store.list(&scoped).unwrap().len(), 4);
    assert!(
        store
            .list(&scoped)
            .unwrap()
            .iter()
            .all(|a| a.tenant != "kaede")
    );
    assert!(
        list(AlertFilter {
            tenants: Some(vec![]),
            ..AlertFilter::default()
        })
        .is_empty()
    );
    assert_eq!(
        list(AlertFilter {
            statuses: Some(vec![AlertStatus::Resolved]),
            ..AlertFilter::default()
        }),
        ["2026-11-20T03:00:00Z"]
    );
    assert_eq!(
        list(AlertFilter {
            min_severity: Some(Severity::High),
            ..scoped.clone()
        }),
        ["2026-11-20T03:00:00.25Z", "2026-11-20T01:00:00Z"]
    );
    assert_eq!(
        list(AlertFilter {
            severities: Some(vec![Severity::Low, Severity::Medium]),
            ..AlertFilter::default()
        }),
        ["2026-11-20T03:00:00Z", "2026-11-20T02:00:00Z"]
    );
    assert_eq!(
        list(AlertFilter {
            rule_id: Some("priv.bruteforce".into()),
            ..AlertFilter::default()
        }),
        ["2026-11-20T04:00:00Z", "2026-11-20T03:00:00.25Z"]
    );
    assert_eq!(
        list(AlertFilter {
            since: Some(at("2026-11-20T02:00:00Z")),
            until: Some(at("2026-11-20T03:00:00.25Z")),
            ..AlertFilter::default()
        }),
        ["2026-11-20T03:00:00Z", "2026-11-20T02:00:00Z"]
    );
    assert_eq!(
        list(AlertFilter {
            limit: Some(2),
            offset: 1,
            ..AlertFilter::default()
        }),
        ["2026-11-20T03:00:00.25Z", "2026-11-20T03:00:00Z"]
    );

    let counts = store
        .counts(&AlertFilter {
            limit: Some(1),
            ..scoped
        })
        .unwrap();
    assert_eq!(counts.total, 4);
    assert_eq!(counts.by_status["new"], 3);
    assert_eq!(counts.by_status["resolved"], 1);
    assert_eq!(counts.by_status["false_positive"], 0);
    assert_eq!(counts.by_severity["critical"], 1);
    assert_eq!(counts.by_severity["high"], 1);
}

/// The table the first release created, with one alert in it.
const OLD_SCHEMA: &str = "
CREATE TABLE alerts (
    id            TEXT PRIMARY KEY,
    rule_id       TEXT NOT NULL,
    severity      TEXT NOT NULL,
    title_ja      TEXT NOT NULL,
    title_en      TEXT NOT NULL,
    tenant        TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'new'
                  CHECK (status IN ('new', 'acknowledged', 'resolved', 'false_positive')),
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    event_count   INTEGER NOT NULL,
    key_json      TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    runbook_ja    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX alerts_by_time ON alerts (tenant, last_seen);
INSERT INTO alerts VALUES
  ('3f9a0c', 'priv.bruteforce', 'high', '特権IDへの連続ログイン失敗', 'Repeated failed privileged logins',
   'sakuragaoka', 'acknowledged', '2026-11-21T17:10:01Z', '2026-11-21T17:19:59Z', 3,
   '{\"host\":\"lg-file01\",\"user\":\"root\"}',
   '{\"host\":\"lg-file01\",\"user\":\"root\",\"event_count\":3}',
   '1. 接続元を確認する', '2026-11-23T00:00:00Z', '2026-11-23T00:00:00Z'),
  ('77b1e2', 'priv.bruteforce', 'high', '特権IDへの連続ログイン失敗', 'Repeated failed privileged logins',
   'sakuragaoka', 'new', '2026-11-22T01:00:00Z', '2026-11-22T01:05:00Z', 4,
   '{\"host\":\"lg-ad01\",\"user\":\"Administrator\"}',
   '{\"host\":\"lg-ad01\",\"user\":\"Administrator\",\"event_count\":4}',
   '1. 接続元を確認する', '2026-11-23T00:00:00Z', '2026-11-23T00:00:00Z');
";

#[test]
fn an_old_store_is_upgraded_in_place_and_keeps_its_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alerts.sqlite");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(OLD_SCHEMA)
        .unwrap();

    let mut store = AlertStore::open(&path).unwrap();
    let alerts = all(&store);
    let ids: Vec<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        ["77b1e2", "3f9a0c"],
        "newest first, by the backfilled last_seen"
    );
    let old = &alerts[1];
    assert_eq!(old.status, AlertStatus::Acknowledged);
    assert_eq!(old.event_count, 3);
    assert_eq!(old.key["user"], "root");
    assert_eq!(
        (old.assignee.as_deref(), old.evidence_sql.as_str()),
        (None, "")
    );
    assert!(old.samples.is_empty());
    let since = AlertFilter {
        since: Some(at("2026-11-22T00:00:00Z")),
        ..AlertFilter::default()
    };
    assert_eq!(store.list(&since).unwrap().len(), 1);

    // The upgraded store works: a later run merges into the old alert.
    let mut again = old.clone();
    again.id = "new-scheme-id".into();
    again.last_seen = "2026-11-21T17:25:00Z".into();
    again.event_count = 5;
    again.updated_at = "2026-11-23T01:00:00Z".into();
    assert_eq!(
        store.record(&again, Duration::minutes(30)).unwrap(),
        Recorded {
            id: "3f9a0c".into(),
            stored: Stored::Updated
        }
    );
    store
        .act(
            "3f9a0c",
            Action::Resolve(Some("検証用の操作".into())),
            "tanaka",
            at("2026-11-23T02:00:00Z"),
        )
        .unwrap();
    drop(store);

    // Opening again is a no-op that keeps everything.
    let store = AlertStore::open(&path).unwrap();
    assert_eq!(store.count().unwrap(), 2);
    let detail = store.get("3f9a0c").unwrap().unwrap();
    assert_eq!(detail.alert.status, AlertStatus::Resolved);
    assert_eq!(detail.alert.event_count, 5);
    assert_eq!(detail.comments.len(), 1);
    // An old row with a broken time is kept, and does not block its group.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE alerts SET last_seen = 'garbage' WHERE id = '77b1e2'",
        [],
    )
    .unwrap();
    let mut store = AlertStore::open(&path).unwrap();
    let broken = all(&store).into_iter().find(|a| a.id == "77b1e2").unwrap();
    let mut next = broken.clone();
    next.last_seen = "2026-11-22T01:06:00Z".into();
    assert_eq!(
        store.record(&next, Duration::minutes(30)).unwrap().stored,
        Stored::New
    );
    assert_eq!(store.count().unwrap(), 3);

    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, 1);
}

#[test]
fn the_change_feed_resumes_from_its_cursor_and_skips_other_tenants() {
    let (_dir, mut store) = open();
    assert_eq!(store.last_change().unwrap(), 0);
    let a = store
        .record(&burst("kawasaki", "a@example.jp"), Duration::zero())
        .unwrap();
    let b = store
        .record(&burst("yokosuka", "b@example.jp"), Duration::zero())
        .unwrap();
    store
        .act(
            &a.id,
            Action::Acknowledge,
            "tanaka",
            at("2026-11-20T10:00:00Z"),
        )
        .unwrap();

    let all = store.changes_after(0, None, 100).unwrap();
    let actions: Vec<_> = all
        .changes
        .iter()
        .map(|c| (c.alert.id.clone(), c.action.clone()))
        .collect();
    assert_eq!(
        actions,
        vec![
            (a.id.clone(), "created".to_owned()),
            (b.id.clone(), "created".to_owned()),
            (a.id.clone(), "acknowledge".to_owned()),
        ]
    );
    assert_eq!(all.next, store.last_change().unwrap());
    // The alert is as it is now, the change as it was.
    assert_eq!(all.changes[0].alert.status, AlertStatus::Acknowledged);
    assert_eq!(all.changes[2].from_status, Some(AlertStatus::New));
    assert_eq!(all.changes[2].actor, "tanaka");

    // A reader scoped to one tenant never sees the other, and its cursor
    // still moves past the other's changes.
    let kawasaki = vec!["kawasaki".to_owned()];
    let first = store.changes_after(0, Some(&kawasaki), 1).unwrap();
    assert_eq!(first.changes.len(), 1);
    assert_eq!(first.changes[0].action, "created");
    let rest = store
        .changes_after(first.next, Some(&kawasaki), 10)
        .unwrap();
    assert_eq!(rest.changes.len(), 1);
    assert_eq!(rest.changes[0].action, "acknowledge");
    assert_eq!(rest.next, all.next);
    assert!(
        store
            .changes_after(rest.next, None, 10)
            .unwrap()
            .changes
            .is_empty()
    );
    let none: Vec<String> = Vec::new();
    assert!(
        store
            .changes_after(0, Some(&none), 10)
            .unwrap()
            .changes
            .is_empty()
    );
}
