//! priv.bruteforce over a lake built from auth.log lines.

use bannin_ingest::{Format, ImportOptions, Importer, Lake};
use bannin_query::QuerySession;
use bannin_rules::{AlertFilter, AlertStore, packs, run_rules};
use chrono::{DateTime, Utc};

fn lake_with(lines: &[&str]) -> (tempfile::TempDir, Lake) {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let options = ImportOptions {
        max_line_bytes: 4096,
        ..ImportOptions::new(Format::Auto, "sakuragaoka")
    };
    let mut importer = Importer::new(&lake, options).unwrap();
    let text = lines.join("\n");
    let reference: DateTime<Utc> = "2026-11-23T00:00:00Z".parse().unwrap();
    importer
        .import_reader(text.as_bytes(), "auth.log", reference)
        .unwrap();
    importer.finish().unwrap();
    (dir, lake)
}

const LINES: &[&str] = &[
    // Burst: 3 root failures within 10 minutes on lg-file01 → one alert.
    "Nov 22 02:10:01 lg-file01 sshd[1]: Failed password for root from 10.30.5.77 port 40001 ssh2",
    "Nov 22 02:14:00 lg-file01 sshd[2]: Failed password for root from 10.30.5.78 port 40002 ssh2",
    "Nov 22 02:19:59 lg-file01 sshd[3]: Failed password for root from 10.30.5.77 port 40003 ssh2",
    // Slow: root failures on lg-ad01 more than 10 minutes apart → nothing.
    "Nov 22 03:00:00 lg-ad01 sshd[4]: Failed password for root from 10.20.1.9 port 1 ssh2",
    "Nov 22 03:08:00 lg-ad01 sshd[5]: Failed password for root from 10.20.1.9 port 2 ssh2",
    "Nov 22 03:18:01 lg-ad01 sshd[6]: Failed password for root from 10.20.1.9 port 3 ssh2",
    // An ordinary user failing often → not this rule.
    "Nov 22 09:00:00 lg-file01 sshd[7]: Failed password for sato from 10.20.1.20 port 1 ssh2",
    "Nov 22 09:00:10 lg-file01 sshd[8]: Failed password for sato from 10.20.1.20 port 2 ssh2",
    "Nov 22 09:00:20 lg-file01 sshd[9]: Failed password for sato from 10.20.1.20 port 3 ssh2",
    "Nov 22 09:00:30 lg-file01 sshd[10]: Failed password for sato from 10.20.1.20 port 4 ssh2",
    // Successful privileged logins are not failures.
    "Nov 22 10:00:00 mn-app01 sshd[11]: Accepted password for root from 10.10.1.5 port 1 ssh2",
    "Nov 22 10:00:01 mn-app01 sshd[12]: Accepted password for root from 10.10.1.5 port 2 ssh2",
    "Nov 22 10:00:02 mn-app01 sshd[13]: Accepted password for root from 10.10.1.5 port 3 ssh2",
];

#[tokio::test]
async fn raises_one_alert_per_privileged_burst_and_never_duplicates() {
    let (dir, lake) = lake_with(LINES);
    let rules = packs::builtin().unwrap();
    let session = QuerySession::open(&lake).unwrap();
    let mut store = AlertStore::open(&dir.path().join("alerts.sqlite")).unwrap();
    let now = Utc::now();

    let first = run_rules(&session, &rules, &mut store, now).await.unwrap();
    let brute = first
        .iter()
        .find(|r| r.rule_id == "priv.bruteforce")
        .unwrap();
    assert_eq!((brute.incidents, brute.new), (1, 1));

    let alerts = store.list(&AlertFilter::default()).unwrap();
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!(alert.tenant, "sakuragaoka");
    assert_eq!(alert.event_count, 3);
    assert_eq!(alert.first_seen, "2026-11-21T17:10:01Z");
    assert_eq!(alert.last_seen, "2026-11-21T17:19:59Z");
    assert_eq!(alert.key["host"], "lg-file01");
    assert_eq!(alert.key["user"], "root");
    assert_eq!(alert.evidence["src_ips"], "10.30.5.77,10.30.5.78");

    let second = run_rules(&session, &rules, &mut store, Utc::now())
        .await
        .unwrap();
    let brute = second
        .iter()
        .find(|r| r.rule_id == "priv.bruteforce")
        .unwrap();
    assert_eq!((brute.incidents, brute.new, brute.updated), (1, 0, 0));
    assert_eq!(store.count().unwrap(), 1);
    assert_eq!(store.list(&AlertFilter::default()).unwrap()[0].id, alert.id);
}

#[tokio::test]
async fn an_empty_lake_raises_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let session = QuerySession::open(&lake).unwrap();
    let mut store = AlertStore::open(&dir.path().join("alerts.sqlite")).unwrap();
    let reports = run_rules(&session, &packs::builtin().unwrap(), &mut store, Utc::now())
        .await
        .unwrap();
    assert!(reports.iter().all(|r| r.incidents == 0));
}

#[tokio::test]
async fn windows_administrator_bursts_are_caught() {
    let lines: Vec<String> = ["02:10:00", "02:11:00", "02:12:30"]
        .iter()
        .map(|t| {
            format!(
                r#"{{"EventTime":"2026-11-22 {t}","Hostname":"lg-ad01","EventID":4625,"TargetUserName":"Administrator","LogonType":"3","IpAddress":"10.30.5.77","SubStatus":"0xC000006A"}}"#
            )
        })
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (dir, lake) = lake_with(&refs);
    let session = QuerySession::open(&lake).unwrap();
    let mut store = AlertStore::open(&dir.path().join("alerts.sqlite")).unwrap();
    run_rules(&session, &packs::builtin().unwrap(), &mut store, Utc::now())
        .await
        .unwrap();
    let alerts = store.list(&AlertFilter::default()).unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].key["user"], "Administrator");
    assert_eq!(alerts[0].key["host"], "lg-ad01");
    assert_eq!(alerts[0].event_count, 3);
}
