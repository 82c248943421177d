//! FortiGate (FortiOS) logs: `key=value` pairs, sent over syslog right
//! after the PRI with no syslog header (`<189>date=2026-11-22 time=09:00:00
//! devname="FGT60F" … type="traffic" …`). Traffic, UTM and event logs all
//! land in `firewall`, told apart by `log_type` / `subtype`.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::kv::{get, pairs};
use crate::record::FirewallRecord;
use crate::timestamp::preview;
use crate::{ParseContext, ParseError};

/// True when the text after an optional PRI starts like a FortiGate log.
pub fn looks_like(line: &str) -> bool {
    let body = strip_pri(line);
    body.starts_with("date=") || body.starts_with("logver=") || body.starts_with("eventtime=")
}

fn strip_pri(line: &str) -> &str {
    match line.strip_prefix('<').and_then(|rest| rest.split_once('>')) {
        Some((pri, rest))
            if !pri.is_empty() && pri.len() <= 3 && pri.bytes().all(|b| b.is_ascii_digit()) =>
        {
            rest
        }
        _ => line,
    }
}

/// Parses one FortiGate log line (with or without PRI).
pub fn parse(line: &str, ctx: &ParseContext) -> Result<FirewallRecord, ParseError> {
    let bad = |why: &str| ParseError::FortiGate(format!("{why} in `{}`", preview(line)));
    let kv = pairs(strip_pri(line));
    let field = |key: &str| get(&kv, key);
    let owned = |key: &str| field(key).map(str::to_owned);
    if field("type").is_none() || (field("devname").is_none() && field("devid").is_none()) {
        return Err(bad("expected type= and devname= or devid="));
    }
    let time = event_time(field("eventtime"))
        .or_else(|| local_time(field("date")?, field("time")?, field("tz"), ctx))
        .ok_or_else(|| bad("no usable eventtime= or date= time="))?;
    let number = |key: &str| field(key).and_then(|v| v.parse::<u64>().ok());
    Ok(FirewallRecord {
        time,
        host: owned("devname").or_else(|| owned("devid")),
        log_type: owned("type"),
        subtype: owned("subtype"),
        action: owned("action").or_else(|| owned("utmaction")),
        src_ip: owned("srcip"),
        src_port: field("srcport").and_then(|v| v.parse().ok()),
        dst_ip: owned("dstip"),
        dst_port: field("dstport").and_then(|v| v.parse().ok()),
        proto: field("proto").map(protocol_name),
        bytes_in: number("rcvdbyte"),
        bytes_out: number("sentbyte"),
        rule: owned("policyid"),
        src_zone: owned("srcintf"),
        dst_zone: owned("dstintf"),
        app: owned("app").or_else(|| owned("service")),
        message: owned("msg"),
    })
}

/// `eventtime=` is an epoch in s, ms, µs or ns depending on the firmware.
fn event_time(value: Option<&str>) -> Option<DateTime<Utc>> {
    let n: i64 = value?.parse().ok()?;
    let nanos = match value?.len() {
        ..=10 => n.checked_mul(1_000_000_000)?,
        11..=13 => n.checked_mul(1_000_000)?,
        14..=16 => n.checked_mul(1_000)?,
        _ => n,
    };
    Some(DateTime::from_timestamp_nanos(nanos))
}

/// `date=` + `time=` in the device's zone (`tz="+0900"`, else the context's).
fn local_time(
    date: &str,
    time: &str,
    tz: Option<&str>,
    ctx: &ParseContext,
) -> Option<DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let time = NaiveTime::parse_from_str(time, "%H:%M:%S").ok()?;
    let offset = match tz {
        Some(tz) => {
            DateTime::parse_from_str(&format!("2000-01-01 00:00:00 {tz}"), "%Y-%m-%d %H:%M:%S %z")
                .ok()
                .map(|t| *t.offset())
                .unwrap_or(ctx.offset)
        }
        None => ctx.offset,
    };
    offset
        .from_local_datetime(&date.and_time(time))
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// IP protocol number → name for the common ones; others stay numeric.
pub fn protocol_name(proto: &str) -> String {
    match proto {
        "1" => "icmp".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "58" => "icmpv6".into(),
        other => other.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::ctx;

    const TRAFFIC: &str = r#"<189>date=2026-11-22 time=09:00:00 devname="inet-fw01" devid="FGT60FTK2109XXXX" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" eventtime=1763769600123456789 tz="+0900" srcip=10.40.1.15 srcport=51234 srcintf="internal" srcintfrole="lan" dstip=93.184.216.34 dstport=443 dstintf="wan1" dstintfrole="wan" proto=6 action="accept" policyid=12 service="HTTPS" sentbyte=1234 rcvdbyte=56789 app="Dropbox""#;

    #[test]
    fn traffic_log() {
        let r = parse(TRAFFIC, &ctx()).unwrap();
        assert_eq!(
            r.time.timestamp_nanos_opt(),
            Some(1_763_769_600_123_456_789)
        );
        assert_eq!(r.host.as_deref(), Some("inet-fw01"));
        assert_eq!(
            (r.log_type.as_deref(), r.subtype.as_deref()),
            (Some("traffic"), Some("forward"))
        );
        assert_eq!(r.action.as_deref(), Some("accept"));
        assert_eq!(
            (r.src_ip.as_deref(), r.src_port),
            (Some("10.40.1.15"), Some(51234))
        );
        assert_eq!(
            (r.dst_ip.as_deref(), r.dst_port),
            (Some("93.184.216.34"), Some(443))
        );
        assert_eq!(r.proto.as_deref(), Some("tcp"));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1234), Some(56789)));
        assert_eq!(r.rule.as_deref(), Some("12"));
        assert_eq!(
            (r.src_zone.as_deref(), r.dst_zone.as_deref()),
            (Some("internal"), Some("wan1"))
        );
        assert_eq!(r.app.as_deref(), Some("Dropbox"));
    }

    #[test]
    fn event_log_with_local_time_only() {
        let line = r#"date=2026-11-22 time=02:10:00 devname="inet-fw01" devid="FGT" logid="0100032002" type="event" subtype="system" level="alert" vd="root" logdesc="Admin login failed" user="admin" ui="https(10.30.5.77)" action="login" status="failed" msg="Administrator admin login failed from https(10.30.5.77) because of invalid password""#;
        let r = parse(line, &ctx()).unwrap();
        assert_eq!(r.time.to_rfc3339(), "2026-11-21T17:10:00+00:00");
        assert_eq!(r.log_type.as_deref(), Some("event"));
        assert!(
            r.message
                .as_deref()
                .is_some_and(|m| m.contains("invalid password"))
        );
    }

    #[test]
    fn eventtime_units() {
        for v in [
            "1763769600",
            "1763769600000",
            "1763769600000000",
            "1763769600000000000",
        ] {
            assert_eq!(
                event_time(Some(v)).map(|t| t.timestamp()),
                Some(1_763_769_600),
                "{v}"
            );
        }
    }

    #[test]
    fn rejects_with_reasons() {
        for line in [
            "date=2026-11-22 time=09:00:00 type=traffic",
            "<13>date=2026-99-01 time=x devname=a type=traffic",
            "",
        ] {
            let err = parse(line, &ctx()).unwrap_err().to_string();
            assert!(err.starts_with("malformed FortiGate log"), "{line}: {err}");
        }
    }

    #[test]
    fn sniffing() {
        assert!(looks_like(TRAFFIC));
        assert!(looks_like("date=2026-11-22 time=09:00:00"));
        assert!(!looks_like("<13>Nov 22 09:00:00 h a: date=1"));
    }
}
