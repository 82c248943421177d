//! The shift handover over a night shift in two municipalities: actions on
//! both sides of the boundaries, fractional-second times at the edges, an
//! alert resolved twice, tenant scopes, the still-open list and its cap.

use bannin_rules::store::{HandoverQuery, OPEN_ALERTS_LIMIT};
use bannin_rules::{Action, Alert, AlertStatus, AlertStore, RulesError};
use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

fn object(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// An alert of `rule` on `host`, raised by the run at `created`.
fn raised(
    tenant: &str,
    rule: &str,
    severity: &str,
    host: &str,
    first_seen: &str,
    created: &str,
) -> Alert {
    Alert {
        id: format!("{tenant}-{rule}-{host}"),
        rule_id: rule.into(),
        severity: severity.into(),
        title_ja: "rootのログイン失敗".into(),
        title_en: "Failed root logins".into(),
        tenant: tenant.into(),
        status: AlertStatus::New,
        assignee: None,
        first_seen: first_seen.into(),
        last_seen: first_seen.into(),
        event_count: 12,
        key: object(json!({ "host": host })),
        evidence: object(json!({ "tenant": tenant, "host": host, "event_count": 12 })),
        evidence_sql: "SELECT tenant, host, count(*) AS event_count FROM auth GROUP BY 1, 2".into(),
        samples: vec![object(json!({ "host": host, "user": "root" }))],
        runbook_ja: "1. 端末の利用者に確認する".into(),
        created_at: created.into(),
        updated_at: created.into(),
    }
}

fn open() -> (tempfile::TempDir, AlertStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = AlertStore::open(&dir.path().join("alerts.sqlite")).unwrap();
    (dir, store)
}

fn store(store: &mut AlertStore, alert: &Alert) -> String {
    store.record(alert, Duration::hours(1)).unwrap().id
}

/// The night shift 17:15–08:45 JST (08:15Z–23:45Z) of 2026-11-20.
fn night(tenants: Option<Vec<String>>) -> HandoverQuery {
    HandoverQuery {
        since: at("2026-11-20T08:15:00Z"),
        until: at("2026-11-20T23:45:00Z"),
        tenants,
    }
}

const SAKURA: &str = "sakuragaoka";
const MOMIJI: &str = "momijidai";

/// The alerts of the day: tenant, rule, severity, host (names the alert
/// below), first seen, raised at. Before the night (08:15Z), during it,
/// a tenth of a second before its end and half a second after it (text
/// comparison would put 23:45:00.5Z before 23:45:00Z).
#[rustfmt::skip]
const RAISED: [(&str, &str, &str, &str, &str, &str); 7] = [
    (SAKURA, "priv.bruteforce", "high", "lg-file01", "2026-11-20T04:50:00Z", "2026-11-20T05:00:00Z"),
    (SAKURA, "net.port_scan", "medium", "lg-web02", "2026-11-20T05:55:00Z", "2026-11-20T06:00:00Z"),
    (MOMIJI, "mail.outbound_burst", "critical", "kikaku-pc07", "2026-11-20T02:50:00Z", "2026-11-20T03:00:00Z"),
    (MOMIJI, "priv.bruteforce", "high", "lg-ad01", "2026-11-20T11:50:00Z", "2026-11-20T12:00:00Z"),
    (SAKURA, "mail.outbound_burst", "critical", "zeimu-pc03", "2026-11-20T19:55:00Z", "2026-11-20T20:00:00Z"),
    (MOMIJI, "auth.after_hours", "low", "lg-hr01", "2026-11-20T23:40:00Z", "2026-11-20T23:44:59.9Z"),
    (SAKURA, "priv.bruteforce", "high", "lg-file02", "2026-11-20T23:44:00Z", "2026-11-20T23:45:00.5Z"),
];

/// What people did, by alert host: the day shift's kobayashi before the
/// night, the night shift, and kobayashi again from the end on (an action
/// at 23:45:00Z exactly is the morning's). Half a second into the night
/// comes a comment (text comparison would put 08:15:00.500Z before
/// 08:15:00Z).
#[rustfmt::skip]
fn actions() -> Vec<(&'static str, Action, &'static str, &'static str)> {
    use Action::*;
    vec![
        ("lg-file01", Acknowledge, "kobayashi", "2026-11-20T07:00:00Z"),
        ("kikaku-pc07", Resolve(Some("送信停止を確認".into())), "kobayashi", "2026-11-20T04:00:00Z"),
        ("lg-web02", Comment("夜間帯で継続監視".into()), "sato", "2026-11-20T08:15:00.5Z"),
        ("lg-file01", Resolve(None), "tanaka", "2026-11-20T09:10:00Z"),
        ("lg-file01", Reopen, "tanaka", "2026-11-20T10:00:00Z"),
        ("lg-file01", Resolve(Some("パスワード変更済み".into())), "yamada", "2026-11-20T11:00:00Z"),
        ("lg-ad01", FalsePositive(Some("脆弱性診断".into())), "suzuki", "2026-11-20T12:30:00Z"),
        ("lg-ad01", Comment("診断業者の予定表を確認".into()), "suzuki", "2026-11-20T12:31:00Z"),
        ("kikaku-pc07", Reopen, "suzuki", "2026-11-20T15:00:00Z"),
        ("zeimu-pc03", Acknowledge, "yamada", "2026-11-20T20:05:00Z"),
        ("zeimu-pc03", Assign("yamada".into()), "sato", "2026-11-20T20:06:00Z"),
        ("lg-hr01", Acknowledge, "kobayashi", "2026-11-20T23:50:00Z"),
        ("lg-web02", Acknowledge, "kobayashi", "2026-11-20T23:45:00Z"),
    ]
}

/// Stores the day's alerts and actions; the alert ids by host.
fn night_of_work(s: &mut AlertStore) -> HashMap<&'static str, String> {
    let mut ids = HashMap::new();
    for (tenant, rule, severity, host, first_seen, created) in RAISED {
        let alert = raised(tenant, rule, severity, host, first_seen, created);
        ids.insert(host, s.record(&alert, Duration::hours(1)).unwrap().id);
    }
    for (host, action, actor, when) in actions() {
        s.act(&ids[host], action, actor, at(when)).unwrap();
    }
    ids
}

fn by_severity(tally: &bannin_rules::store::Tally) -> Vec<(&str, u64)> {
    tally
        .by_severity
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(s, n)| (s.as_str(), *n))
        .collect()
}

#[test]
fn a_night_shift_summed_up_for_the_morning() {
    let (_dir, mut s) = open();
    let ids = night_of_work(&mut s);
    let h = s.handover(&night(None)).unwrap();

    assert_eq!(h.opened.total, 3, "{h:#?}");
    assert_eq!(
        by_severity(&h.opened),
        [("critical", 1), ("high", 1), ("low", 1)]
    );
    assert_eq!(h.opened.by_severity.len(), 4, "every severity is present");
    assert_eq!(by_severity(&h.acknowledged), [("critical", 1)]);
    assert_eq!(h.resolved.total, 1, "resolved twice, counted once");
    assert_eq!(by_severity(&h.resolved), [("high", 1)]);
    assert_eq!(by_severity(&h.false_positive), [("high", 1)]);
    assert_eq!(by_severity(&h.reopened), [("critical", 1), ("high", 1)]);

    // Still open at 08:45 JST: the reopened burst, tonight's burst, the
    // day's port scan and the alert raised just before the end — not the
    // one raised after it.
    assert_eq!(h.still_open.total, 4);
    assert_eq!(
        by_severity(&h.still_open),
        [("critical", 2), ("low", 1), ("medium", 1)]
    );
    let open: Vec<&str> = h.open_alerts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        open,
        [
            ids["kikaku-pc07"].as_str(),
            ids["zeimu-pc03"].as_str(),
            ids["lg-web02"].as_str(),
            ids["lg-hr01"].as_str()
        ],
        "most severe first, then the oldest"
    );
    assert!(!h.truncated);
    assert_eq!(h.open_alerts[1].assignee.as_deref(), Some("yamada"));
    assert_eq!(h.open_alerts[1].status, AlertStatus::Acknowledged);

    let actors: Vec<(&str, u64)> = h
        .actors
        .iter()
        .map(|a| (a.actor.as_str(), a.total))
        .collect();
    assert_eq!(
        actors,
        [("suzuki", 3), ("sato", 2), ("tanaka", 2), ("yamada", 2)],
        "the day and morning shifts' kobayashi acted outside the night"
    );
    let suzuki = &h.actors[0].actions;
    assert_eq!(
        suzuki
            .iter()
            .map(|(a, n)| (a.as_str(), *n))
            .collect::<Vec<_>>(),
        [("comment", 1), ("false_positive", 1), ("reopen", 1)]
    );

    let json = serde_json::to_value(&h).unwrap();
    assert_eq!(json["since"], "2026-11-20T08:15:00Z");
    assert_eq!(json["still_open"]["by_severity"]["critical"], 2);
    assert_eq!(json["open_alerts"][0]["tenant"], MOMIJI);
    assert!(json["open_alerts"][0].get("samples").is_none());
    assert_eq!(json["truncated"], false);
}

#[test]
fn a_tenant_scope_sees_only_its_own_alerts() {
    let (_dir, mut s) = open();
    let ids = night_of_work(&mut s);
    let h = s.handover(&night(Some(vec![SAKURA.into()]))).unwrap();
    assert_eq!(
        (
            h.opened.total,
            h.acknowledged.total,
            h.resolved.total,
            h.false_positive.total,
            h.reopened.total,
            h.still_open.total
        ),
        (1, 1, 1, 0, 1, 2)
    );
    let open: Vec<&str> = h.open_alerts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(open, [ids["zeimu-pc03"].as_str(), ids["lg-web02"].as_str()]);
    assert!(h.open_alerts.iter().all(|a| a.tenant == SAKURA));
    let actors: Vec<&str> = h.actors.iter().map(|a| a.actor.as_str()).collect();
    assert_eq!(
        actors,
        ["sato", "tanaka", "yamada"],
        "suzuki worked on momijidai"
    );

    let none = s.handover(&night(Some(vec![]))).unwrap();
    assert_eq!((none.opened.total, none.still_open.total), (0, 0));
    assert!(none.actors.is_empty() && none.open_alerts.is_empty());
}

#[test]
fn the_open_list_is_capped_and_says_so() {
    let (_dir, mut s) = open();
    let start = at("2026-11-20T09:00:00Z");
    let total = OPEN_ALERTS_LIMIT + 5;
    for i in 0..total {
        let when = (start + Duration::seconds(i as i64 * 30)).to_rfc3339();
        let severity = if i == total - 1 { "critical" } else { "medium" };
        store(
            &mut s,
            &raised(
                SAKURA,
                "net.port_scan",
                severity,
                &format!("pc{i:03}"),
                &when,
                &when,
            ),
        );
    }
    let h = s.handover(&night(None)).unwrap();
    assert_eq!(
        (h.still_open.total, h.opened.total),
        (total as u64, total as u64)
    );
    assert_eq!(h.open_alerts.len(), OPEN_ALERTS_LIMIT);
    assert!(h.truncated);
    assert_eq!(
        h.open_alerts[0].severity, "critical",
        "the most severe is kept"
    );
    assert_eq!(
        h.open_alerts[1].first_seen,
        start.to_rfc3339(),
        "then the oldest"
    );
}

#[test]
fn an_empty_or_inverted_period_is_refused() {
    let (_dir, s) = open();
    let mut query = night(None);
    query.until = query.since;
    let err = s.handover(&query).unwrap_err();
    assert!(matches!(err, RulesError::BadQuery(_)), "{err}");
    assert!(err.to_string().contains("since"), "{err}");
}
