//! The internet-edge feeds: Squid access.log and FortiGate logs.

use std::collections::BTreeSet;

use bannin_parsers::{ParseContext, Record, parse_fortigate_line, parse_squid_line};
use chrono::{DateTime, FixedOffset, NaiveTime, Utc};

use super::{day, opts};

fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("JST offset")
}

fn hms(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("time")
}

fn context(seed: u64) -> ParseContext {
    let noon = opts(seed).date.and_time(hms(12, 0)).and_utc();
    ParseContext::jst(noon)
}

/// The `1234567890.123` stamp of a proxy line, in milliseconds.
fn proxy_millis(line: &str) -> i64 {
    let stamp = line.split_ascii_whitespace().next().expect("time field");
    let (secs, millis) = stamp.split_once('.').expect("seconds.millis");
    secs.parse::<i64>().expect("seconds") * 1_000 + millis.parse::<i64>().expect("millis")
}

fn jst_time_of_millis(millis: i64) -> NaiveTime {
    let utc = DateTime::<Utc>::from_timestamp_millis(millis).expect("in range");
    utc.with_timezone(&jst()).time()
}

/// The value of `key=` (unquoted) or `key="…"` in a FortiGate line.
fn kv<'a>(line: &'a str, key: &str) -> &'a str {
    let pattern = format!("{key}=");
    let (at, _) = line
        .match_indices(&pattern)
        .find(|(at, _)| matches!(line[..*at].chars().last(), Some(' ' | '>')))
        .expect(key);
    let rest = &line[at + pattern.len()..];
    match rest.strip_prefix('"') {
        Some(quoted) => &quoted[..quoted.find('"').expect("closing quote")],
        None => rest.split(' ').next().unwrap_or_default(),
    }
}

fn eventtime(line: &str) -> i64 {
    kv(line, "eventtime").parse().expect("numeric eventtime")
}

#[test]
fn new_feeds_are_deterministic_per_seed() {
    let (a, b, c) = (day(7), day(7), day(8));
    assert_eq!(a.proxy_lines, b.proxy_lines);
    assert_eq!(a.firewall_lines, b.firewall_lines);
    assert_ne!(a.proxy_lines, c.proxy_lines);
    assert_ne!(a.firewall_lines, c.firewall_lines);
}

#[test]
fn proxy_lines_are_squid_native_and_parse() {
    for seed in 0..3 {
        let day = day(seed);
        let ctx_date = opts(seed).date;
        assert!(
            (2_000..=5_000).contains(&day.proxy_lines.len()),
            "seed {seed}"
        );
        for line in &day.proxy_lines {
            let fields: Vec<&str> = line.split_ascii_whitespace().collect();
            assert!(fields.len() >= 10, "{line}");
            let (secs, millis) = fields[0].split_once('.').expect("seconds.millis");
            assert!(
                secs.len() == 10 && secs.bytes().all(|b| b.is_ascii_digit()),
                "{line}"
            );
            assert!(
                millis.len() == 3 && millis.bytes().all(|b| b.is_ascii_digit()),
                "{line}"
            );
            assert_eq!(&line[14..15], " ", "{line}");
            assert!(line[15..21].trim_start().parse::<u32>().is_ok(), "{line}");
            assert!(fields[2].starts_with("10.40.1."), "{line}");
            let (_, status) = fields[3].split_once('/').expect("ACTION/status");
            assert_eq!(status.len(), 3, "{line}");
            let Ok(Record::Proxy(record)) = parse_squid_line(line) else {
                panic!("does not parse: {line}");
            };
            assert_eq!(record.time.timestamp_millis(), proxy_millis(line));
            assert_eq!(record.time.with_timezone(&jst()).date_naive(), ctx_date);
        }
    }
}

#[test]
fn proxy_lines_are_in_time_order_and_mostly_office_hours() {
    let day = day(3);
    let times: Vec<i64> = day.proxy_lines.iter().map(|l| proxy_millis(l)).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let office = times
        .iter()
        .map(|t| jst_time_of_millis(*t))
        .filter(|t| (hms(8, 30)..hms(18, 0)).contains(t))
        .count();
    assert!(
        office * 10 >= times.len() * 8,
        "{office} of {}",
        times.len()
    );
}

#[test]
fn proxy_mix_is_mostly_tunnels_with_some_denials_and_plain_http() {
    let day = day(4);
    let count = |needle: &str| {
        day.proxy_lines
            .iter()
            .filter(|l| l.contains(needle))
            .count()
    };
    let tunnels = count(" TCP_TUNNEL/200 ");
    assert!(tunnels * 2 > day.proxy_lines.len());
    assert!(count(" TCP_DENIED/403 ") > 20);
    assert!(count(" GET http://") > 100);
    assert!(count(" CONNECT www.e-gov.go.jp:443 ") > 0);
    assert!(count(".lg.jp:443 ") > 0);
}

#[test]
fn shadow_it_uploads_come_from_one_user_in_office_hours() {
    for seed in 0..20 {
        let day = day(seed);
        let uploads: Vec<&String> = day
            .proxy_lines
            .iter()
            .filter(|l| l.contains("example-storage.com"))
            .collect();
        assert!((3..=6).contains(&uploads.len()), "seed {seed}");
        let mut who = BTreeSet::new();
        for line in uploads {
            let fields: Vec<&str> = line.split_ascii_whitespace().collect();
            assert_eq!(fields[3], "TCP_TUNNEL/200", "{line}");
            assert_eq!(fields[5..7], ["CONNECT", "files.example-storage.com:443"]);
            assert_ne!(fields[7], "-", "{line}");
            who.insert((fields[2], fields[7]));
            let at = jst_time_of_millis(proxy_millis(line));
            assert!((hms(10, 0)..hms(17, 0)).contains(&at), "{line}");
        }
        assert_eq!(who.len(), 1, "seed {seed}");
    }
}

#[test]
fn firewall_lines_are_fortigate_and_parse() {
    for seed in 0..3 {
        let day = day(seed);
        let ctx = context(seed);
        assert!(
            (2_000..=5_000).contains(&day.firewall_lines.len()),
            "seed {seed}"
        );
        for line in &day.firewall_lines {
            assert!(line.starts_with('<'), "{line}");
            let (pri, body) = line[1..].split_once('>').expect("PRI");
            assert!(pri.parse::<u8>().is_ok_and(|p| p < 192), "{line}");
            assert!(body.starts_with("date="), "{line}");
            assert!(line.contains(r#"devname="inet-fw01""#), "{line}");
            assert!(line.contains(" type="), "{line}");
            let Ok(Record::Firewall(record)) = parse_fortigate_line(line, &ctx) else {
                panic!("does not parse: {line}");
            };
            assert_eq!(record.host.as_deref(), Some("inet-fw01"));
            let local = record.time.with_timezone(&jst());
            assert_eq!(kv(line, "date"), local.format("%Y-%m-%d").to_string());
            assert_eq!(kv(line, "time"), local.format("%H:%M:%S").to_string());
            assert_eq!(record.time.timestamp_nanos_opt(), Some(eventtime(line)));
        }
    }
}

#[test]
fn firewall_lines_are_in_time_order() {
    let day = day(5);
    let times: Vec<i64> = day.firewall_lines.iter().map(|l| eventtime(l)).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn firewall_mix_has_traffic_scans_and_admin_logins() {
    let day = day(6);
    let lines = &day.firewall_lines;
    let traffic = lines
        .iter()
        .filter(|l| l.contains(r#" type="traffic" "#))
        .count();
    assert!(traffic * 10 > lines.len() * 9);
    for action in ["accept", "close", "deny"] {
        let needle = format!(r#" action="{action}" "#);
        assert!(lines.iter().any(|l| l.contains(&needle)), "{action}");
    }
    let probes: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains(r#"action="deny""#) && l.contains(r#"srcintf="wan1""#))
        .collect();
    assert!(probes.len() > 50);
    for line in probes {
        let src = kv(line, "srcip");
        assert!(src.starts_with("198.51.100.") || src.starts_with("203.0.113."));
        assert!(kv(line, "dstip").starts_with("10.40.0."), "{line}");
        assert!(["22", "23", "445", "3389"].contains(&kv(line, "dstport")));
    }
    let logins = lines
        .iter()
        .filter(|l| {
            l.contains(r#"type="event" subtype="system""#)
                && l.contains(r#"logdesc="Admin login successful" user="admin" ui="https(10.40.1.5)" action="login" status="success" msg="Administrator admin logged in successfully from https(10.40.1.5)""#)
        })
        .count();
    assert!((2..=4).contains(&logins), "{logins}");
}
