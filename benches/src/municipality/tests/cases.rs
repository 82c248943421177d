//! The injected cases and look-alikes: each is really in the lines, with
//! the counts and times the truth claims, and every new line parses into
//! the table it is meant for.

use std::collections::BTreeSet;

use bannin_parsers::postfix::Correlator;
use bannin_parsers::{MailRecord, ParseContext, Record, parse_auto, parse_syslog_line};
use chrono::{DateTime, FixedOffset, NaiveTime, TimeDelta, Utc};

use super::{day, opts};
use crate::municipality::{FIRST_WAVE_RULES as FIRST_WAVE, LOCAL_DOMAINS, register_files};

fn ctx() -> ParseContext {
    let noon = opts(1).date.and_hms_opt(12, 0, 0).expect("time").and_utc();
    ParseContext::jst(noon)
}

fn jst(time: DateTime<Utc>) -> NaiveTime {
    time.with_timezone(&FixedOffset::east_opt(9 * 3600).expect("offset"))
        .time()
}

fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("time")
}

/// The mail rows of lg-mail01's maillog.
fn mail_rows(lines: &[String]) -> Vec<MailRecord> {
    let ctx = ctx();
    let domains: Vec<String> = LOCAL_DOMAINS.iter().map(|d| (*d).to_owned()).collect();
    let mut mail = Correlator::new(&domains);
    lines
        .iter()
        .filter_map(|line| match parse_syslog_line(line, &ctx) {
            Ok(Record::Syslog(record)) => mail.observe(&record),
            other => panic!("{line}\n{other:?}"),
        })
        .collect()
}

#[test]
fn one_case_per_first_wave_rule_in_rule_order() {
    let day = day(1);
    let ids: Vec<&str> = day.injected.iter().map(|c| c.rule_id).collect();
    assert_eq!(ids, FIRST_WAVE);
    assert!(day.injected.iter().all(|c| !c.what.is_empty()));
    assert!(day.look_alikes.len() >= 10);
    for look_alike in &day.look_alikes {
        assert!(FIRST_WAVE.contains(&look_alike.rule_id), "{look_alike:?}");
        assert!(!look_alike.key.is_empty(), "{look_alike:?}");
    }
}

#[test]
fn the_burst_and_the_newsletter_are_in_the_mail_table() {
    for seed in 0..3 {
        let day = day(seed);
        let rows = mail_rows(&day.mail_log_lines);
        assert!(
            rows.iter()
                .all(|r| r.status == "sent" || r.status == "rejected")
        );
        let from = |sender: &str| -> Vec<&MailRecord> {
            rows.iter()
                .filter(|r| r.sender.as_deref() == Some(sender))
                .collect()
        };
        let burst = from("kato@city.sakuragaoka.example");
        let burst: Vec<_> = burst
            .into_iter()
            .filter(|r| r.client_ip.as_deref() == Some("10.20.1.104"))
            .filter(|r| {
                let to = r.recipient.as_deref().unwrap_or_default();
                ["-shoji", "-kogyo", "-net", "-mail"]
                    .iter()
                    .any(|s| to.ends_with(&format!("{s}.example")))
            })
            .collect();
        assert!(
            burst
                .iter()
                .all(|r| jst(r.time) >= hm(9, 41) && jst(r.time) < hm(9, 50))
        );
        assert_eq!(burst.len(), 240, "seed {seed}");
        assert!(
            burst
                .iter()
                .all(|r| r.direction.as_deref() == Some("outbound"))
        );
        let domains: BTreeSet<_> = burst
            .iter()
            .filter_map(|r| r.recipient.as_deref()?.split_once('@').map(|(_, d)| d))
            .collect();
        assert_eq!(domains.len(), 80);
        let span = burst.last().expect("burst").time - burst[0].time;
        assert!(span < TimeDelta::minutes(10), "{span}");
        assert_eq!(
            day.injected[0].key.get("sender").map(String::as_str),
            Some("kato@city.sakuragaoka.example")
        );

        let newsletter = from("magazine@city.sakuragaoka.example");
        assert_eq!(newsletter.len(), 320);
        assert!(
            newsletter
                .iter()
                .all(|r| r.direction.as_deref() == Some("outbound")
                    && r.client_ip.as_deref() == Some("10.30.0.21"))
        );

        // Nobody else comes near the thresholds: the busiest other sender
        // sends a handful of messages in any hour.
        let others = rows
            .iter()
            .filter(|r| r.direction.as_deref() == Some("outbound"))
            .filter(|r| {
                !matches!(
                    r.sender.as_deref(),
                    Some("magazine@city.sakuragaoka.example")
                )
            })
            .filter(|r| jst(r.time) < hm(9, 41) || jst(r.time) >= hm(10, 0));
        let mut per_sender = std::collections::BTreeMap::<_, usize>::new();
        for row in others {
            *per_sender.entry(row.sender.clone()).or_default() += 1;
        }
        assert!(per_sender.values().all(|n| *n < 60), "{per_sender:?}");

        let rejected_in = |hour: u32| {
            rows.iter()
                .filter(|r| {
                    r.status == "rejected"
                        && jst(r.time).format("%H").to_string() == format!("{hour:02}")
                })
                .count()
        };
        assert_eq!(rejected_in(11), 150);
        assert!((0..24).filter(|h| *h != 11).all(|h| rejected_in(h) == 2));
    }
}

#[test]
fn shadow_it_is_in_the_internet_proxy_log() {
    let day = day(2);
    let parsed: Vec<_> = day
        .proxy_lines
        .iter()
        .map(|line| match parse_auto(line, &ctx()) {
            Ok(Record::Proxy(p)) => p,
            other => panic!("{line}\n{other:?}"),
        })
        .collect();
    let to = |host: &str, ip: &str| {
        parsed
            .iter()
            .filter(|p| p.url_host.as_deref() == Some(host) && p.src_ip.as_deref() == Some(ip))
            .collect::<Vec<_>>()
    };
    let chatgpt = to("chatgpt.com", "10.40.1.105");
    assert_eq!(chatgpt.len(), 30);
    assert!(
        chatgpt
            .iter()
            .all(|p| (hm(10, 5)..hm(10, 50)).contains(&jst(p.time)))
    );
    let uploads = to("www.deepl.com", "10.40.1.102");
    let posts: Vec<_> = uploads
        .iter()
        .filter(|p| p.method.as_deref() == Some("POST"))
        .collect();
    assert_eq!(posts.len(), 4);
    let meeting = to("whereby.com", "10.40.1.109");
    assert!(meeting.len() >= 15, "{}", meeting.len());
    // Only the injected clients reach the injected services.
    for host in ["chatgpt.com", "whereby.com"] {
        let clients: BTreeSet<_> = parsed
            .iter()
            .filter(|p| p.url_host.as_deref() == Some(host))
            .filter_map(|p| p.src_ip.as_deref())
            .collect();
        assert_eq!(clients.len(), 1, "{host}");
    }
    let deepl_posts = parsed
        .iter()
        .filter(|p| {
            p.url_host.as_deref() == Some("www.deepl.com") && p.method.as_deref() == Some("POST")
        })
        .count();
    assert_eq!(deepl_posts, 4);
}

#[test]
fn the_lgwan_proxy_stops_at_12_58_and_uses_approved_services_only() {
    let day = day(3);
    let approved = [
        "sakuragaoka-city.sharepoint.com",
        "outlook.office365.com",
        "teams.microsoft.com",
        "sakuragaoka.app.box.com",
    ];
    let mut last = hm(0, 0);
    let mut box_uploads = 0;
    for line in &day.lgwan_proxy_lines {
        let Ok(Record::Proxy(p)) = parse_auto(line, &ctx()) else {
            panic!("{line}");
        };
        assert!(
            approved.contains(&p.url_host.as_deref().unwrap_or_default()),
            "{line}"
        );
        assert!(
            p.src_ip
                .as_deref()
                .unwrap_or_default()
                .starts_with("10.20.1.")
        );
        last = last.max(jst(p.time));
        box_uploads += usize::from(
            p.url_host.as_deref() == Some("sakuragaoka.app.box.com")
                && p.method.as_deref() == Some("POST"),
        );
    }
    assert!(last < hm(12, 58) && last > hm(12, 30), "{last}");
    assert_eq!(box_uploads, 60);
    assert!(day.injected.iter().any(|c| c.rule_id == "source.silent"
        && c.key.get("source").map(String::as_str) == Some("lg-proxy01")));
}

#[test]
fn privileged_cases_are_in_auth_log() {
    let day = day(4);
    let ctx = ctx();
    let logins: Vec<(NaiveTime, String, String, String)> = day
        .auth_log_lines
        .iter()
        .filter_map(|line| match parse_syslog_line(line, &ctx) {
            Ok(Record::Auth(envelope, event))
                if event.app == "sshd" && line.contains("Accepted ") =>
            {
                Some((
                    jst(envelope.time),
                    event.user.unwrap_or_default(),
                    envelope.host.unwrap_or_default(),
                    event.src_ip.unwrap_or_default(),
                ))
            }
            Ok(_) => None,
            Err(e) => panic!("{line}: {e}"),
        })
        .collect();
    let of = |user: &str| logins.iter().filter(|l| l.1 == user).collect::<Vec<_>>();
    let night: Vec<_> = of("opsadmin")
        .into_iter()
        .filter(|l| l.0 < hm(6, 0))
        .collect();
    assert_eq!(night.len(), 1);
    assert_eq!(
        (night[0].2.as_str(), night[0].3.as_str()),
        ("lg-ad01", "10.20.1.200")
    );
    assert!(night[0].0 >= hm(2, 31) && night[0].0 < hm(2, 32));

    let shared = of("svadmin");
    let afternoon: Vec<_> = shared.iter().filter(|l| l.0 >= hm(15, 0)).collect();
    assert_eq!(afternoon.len(), 2);
    assert_ne!(afternoon[0].3, afternoon[1].3);
    assert!(afternoon[1].0 - afternoon[0].0 < TimeDelta::minutes(5));
    let morning: BTreeSet<_> = shared
        .iter()
        .filter(|l| l.0 < hm(12, 0))
        .map(|l| &l.3)
        .collect();
    assert_eq!(morning.len(), 1, "the routine uses one terminal");

    let sudo = day
        .auth_log_lines
        .iter()
        .filter(|l| l.contains(" lg-web01 sudo:   yamamoto : ") && l.contains("USER=root"))
        .count();
    assert_eq!(sudo, 1);
}

#[test]
fn cloud_records_parse_and_hold_one_global_admin_grant() {
    let day = day(5);
    let records: Vec<_> = day
        .cloud_lines
        .iter()
        .map(|line| match parse_auto(line, &ctx()) {
            Ok(Record::CloudAudit(r)) => r,
            other => panic!("{line}\n{other:?}"),
        })
        .collect();
    assert!(records.len() > 150);
    let grants: Vec<_> = records
        .iter()
        .filter(|r| r.operation.starts_with("Add member to role"))
        .collect();
    assert_eq!(grants.len(), 1);
    assert!(grants[0].privileged);
    let granted = day
        .cloud_lines
        .iter()
        .filter(|l| l.contains(r#""NewValue":"Global Administrator""#));
    assert_eq!(granted.count(), 1);
    assert_eq!(
        grants[0].target.as_deref(),
        Some("kobayashi@city.sakuragaoka.example")
    );
    assert_eq!(jst(grants[0].time), hm(15, 20));
    // Every administrator action is the registered admin, in office hours,
    // from the city's address.
    for r in records.iter().filter(|r| r.privileged) {
        assert_eq!(
            r.actor.as_deref(),
            Some("admin@sakuragaoka-city.onmicrosoft.com")
        );
        assert_eq!(r.actor_ip.as_deref(), Some("192.0.2.10"));
        assert!((hm(8, 30)..hm(18, 0)).contains(&jst(r.time)));
    }
}

#[test]
fn the_registers_load_and_list_the_privileged_ids() {
    let dir = tempfile::tempdir().expect("tempdir");
    for file in register_files(opts(1).date) {
        std::fs::write(dir.path().join(file.name), file.text).expect("write");
    }
    let registers = bannin_query::registers::load_dir(dir.path()).expect("registers load");
    let text = format!("{registers:?}");
    for account in [
        "opsadmin",
        "svadmin",
        "admin@sakuragaoka-city.onmicrosoft.com",
    ] {
        assert!(text.contains(account), "{account}");
    }
    assert!(!text.contains("yamamoto"));
    assert!(text.contains("2026-04-01") && text.contains("2027-03-31"));
}
