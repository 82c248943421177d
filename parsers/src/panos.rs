//! Palo Alto Networks PAN-OS logs in the default syslog format: one CSV
//! record per message (`1,2026/11/23 10:00:00,012801012345,TRAFFIC,end,…`),
//! usually behind a syslog header (`<14>Nov 23 10:00:00 PA-3220 1,…`); the
//! header names no host unless "Send Hostname in Syslog" is on, and the
//! IETF (RFC 5424) header is used when the syslog profile asks for it.
//!
//! Field positions follow the PAN-OS 10.x/11.x syslog field descriptions.
//! Only the leading fields, which have been stable since PAN-OS 6, are
//! required; the device name near the end of the record is used for `host`
//! when present (else the syslog header's host).
//!
//! Mapping (all types: `time` = Generated Time, read in `ctx.offset`
//! because PAN-OS writes local time without a zone, falling back to Receive
//! Time; `log_type` = Type in lowercase; `subtype` = Threat/Content Type):
//!
//! - TRAFFIC: `action` as the device says (`allow`, `deny`, `drop`,
//!   `reset-both`, …), `rule` = Rule Name, `app` = Application, `src_zone` /
//!   `dst_zone` = Source / Destination Zone, `bytes_out` = Bytes Sent (by the
//!   session's client), `bytes_in` = Bytes Received.
//! - THREAT: as TRAFFIC but no byte counts; `message` = the URL for the
//!   `url` subtype, else the threat name (`Eicar Test File(39040)`), followed
//!   by ` (<URL/filename>)` when that field is set.
//! - SYSTEM: `action` = Event ID (`auth-fail`, `general`, …), `message` =
//!   Description.
//! - CONFIG: `action` = Command (`set`, `edit`, `commit`, …), `app` = Client
//!   (`Web`, `CLI`), `src_ip` = Host when it is an IP address, and — as the
//!   record has no user column — `message` = `admin=<Admin> cmd=<Command>
//!   path=<Configuration Path> result=<Result>`.
//! - Any other type (GLOBALPROTECT, USERID, HIPMATCH, DECRYPTION, …):
//!   `log_type`, `subtype` and `time` only, with `message` = the raw CSV
//!   after Generated Time, so nothing is lost.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::fortigate::protocol_name;
use crate::record::FirewallRecord;
use crate::timestamp::{self, preview};
use crate::{ParseContext, ParseError, SyslogRecord};

/// Fields kept from one record; the longest default record we read from is
/// THREAT, whose Device Name is field 60 (index 59).
const MAX_FIELDS: usize = 64;

// Indices (0-based) shared by all log types.
const RECEIVE_TIME: usize = 1;
const TYPE: usize = 3;
const SUBTYPE: usize = 4;
const GENERATED_TIME: usize = 6;

// TRAFFIC and THREAT.
const SRC: usize = 7;
const DST: usize = 8;
const RULE: usize = 11;
const APP: usize = 14;
const FROM_ZONE: usize = 16;
const TO_ZONE: usize = 17;
const SRC_PORT: usize = 24;
const DST_PORT: usize = 25;
const PROTO: usize = 29;
const ACTION: usize = 30;
const BYTES_SENT: usize = 32;
const BYTES_RECEIVED: usize = 33;
const TRAFFIC_DEVICE_NAME: usize = 52;
const THREAT_URL: usize = 31;
const THREAT_ID: usize = 32;
const THREAT_DEVICE_NAME: usize = 59;

// SYSTEM.
const SYSTEM_EVENT_ID: usize = 8;
const SYSTEM_DESCRIPTION: usize = 14;
const SYSTEM_DEVICE_NAME: usize = 22;

// CONFIG.
const CONFIG_HOST: usize = 7;
const CONFIG_COMMAND: usize = 9;
const CONFIG_ADMIN: usize = 10;
const CONFIG_CLIENT: usize = 11;
const CONFIG_RESULT: usize = 12;
const CONFIG_PATH: usize = 13;
const CONFIG_DEVICE_NAME: usize = 23;

/// Names of the leading TRAFFIC fields, for "ends before field N" errors.
const TRAFFIC_NAMES: [&str; 34] = [
    "FUTURE_USE",
    "receive time",
    "serial number",
    "type",
    "subtype",
    "config version",
    "generated time",
    "source address",
    "destination address",
    "NAT source IP",
    "NAT destination IP",
    "rule name",
    "source user",
    "destination user",
    "application",
    "virtual system",
    "source zone",
    "destination zone",
    "inbound interface",
    "outbound interface",
    "log action",
    "time logged",
    "session ID",
    "repeat count",
    "source port",
    "destination port",
    "NAT source port",
    "NAT destination port",
    "flags",
    "protocol",
    "action",
    "bytes",
    "bytes sent",
    "bytes received",
];

const THREAT_NAMES: [&str; 2] = ["URL/filename", "threat ID"];

const SYSTEM_NAMES: [&str; 8] = [
    "virtual system",
    "event ID",
    "object",
    "FUTURE_USE",
    "FUTURE_USE",
    "module",
    "severity",
    "description",
];

const CONFIG_NAMES: [&str; 7] = [
    "host",
    "virtual system",
    "command",
    "admin",
    "client",
    "result",
    "configuration path",
];

/// True when the line holds a PAN-OS CSV record: somewhere after an
/// optional syslog header, a token `<digits>,YYYY/MM/DD hh:mm:ss,<serial>,`
/// followed by an upper-case type. Could be confused with another vendor's
/// CSV that happens to start with a number and a slash-separated date, or
/// with PAN-OS-formatted records re-emitted by Panorama or a log collector
/// (which parse the same way).
pub fn looks_like(line: &str) -> bool {
    let Some(start) = csv_start(line) else {
        return false;
    };
    let mut fields = line.get(start..).unwrap_or("").splitn(5, ',');
    let (_, _, serial, kind) = (fields.next(), fields.next(), fields.next(), fields.next());
    serial.is_some_and(|s| !s.is_empty())
        && kind.is_some_and(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_uppercase()))
}

/// Parses one PAN-OS syslog line, with or without a syslog header or PRI.
pub fn parse(line: &str, ctx: &ParseContext) -> Result<FirewallRecord, ParseError> {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let start = csv_start(line).ok_or_else(|| {
        ParseError::PanOs(format!(
            "expected a `1,YYYY/MM/DD hh:mm:ss,serial,TYPE,…` CSV record in `{}`",
            preview(line)
        ))
    })?;
    let (header, body) = line.split_at_checked(start).unwrap_or(("", line));
    parse_csv(body, header_host(header, ctx), ctx)
}

/// Returns the PAN-OS record in a syslog message, if it carries one.
///
/// When the firewall sends no hostname, the RFC 3164 parser takes the start
/// of the CSV (`1,2026/11/23`) for the host and `10` for the tag; the line
/// is then put back together before parsing.
///
/// Without a [`ParseContext`] the zone of Generated Time is unknown, so the
/// record gets the syslog header's time (already in UTC), as netfilter
/// records do.
pub fn classify(record: &SyslogRecord) -> Option<FirewallRecord> {
    let ctx = ParseContext::jst(record.time);
    let message = record.message.trim_start();
    let mut parsed = if starts_with_csv(message) {
        parse_csv(message, record.host.clone(), &ctx).ok()?
    } else {
        let host = record.host.as_deref()?;
        let (digits, date) = host.split_once(',')?;
        if digits.is_empty()
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || !is_slash_date(date.as_bytes())
        {
            return None;
        }
        let joined = match record.app_name.as_deref() {
            Some(app) => format!("{host} {app}:{}", record.message),
            None => format!("{host} {}", record.message),
        };
        parse_csv(&joined, None, &ctx).ok()?
    };
    parsed.time = record.time;
    Some(parsed)
}

/// Byte offset of the CSV record: the first `<digits>,YYYY/MM/DD ` whose
/// digits start the line or follow a space or the PRI's `>`.
fn csv_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    for comma in memchr::memchr_iter(b',', bytes) {
        // The date after the comma first: it rules out nearly every comma
        // of other formats without looking back.
        if !(bytes.get(comma + 1..comma + 11).is_some_and(is_slash_date)
            && bytes.get(comma + 11) == Some(&b' '))
        {
            continue;
        }
        let digits_start = bytes
            .get(..comma)?
            .iter()
            .rposition(|b| !b.is_ascii_digit())
            .map_or(0, |p| p + 1);
        let boundary_ok =
            digits_start == 0 || matches!(bytes.get(digits_start - 1), Some(b' ') | Some(b'>'));
        if digits_start < comma && boundary_ok {
            return Some(digits_start);
        }
    }
    None
}

/// True when the text itself opens with `<digits>,YYYY/MM/DD ` (what
/// [`csv_start`] finds at offset 0, without scanning the rest).
fn starts_with_csv(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    digits > 0
        && b.get(digits) == Some(&b',')
        && b.get(digits + 1..digits + 11).is_some_and(is_slash_date)
        && b.get(digits + 11) == Some(&b' ')
}

/// `YYYY/MM/DD` (shape only).
fn is_slash_date(b: &[u8]) -> bool {
    matches!(
        b,
        [y1, y2, y3, y4, b'/', m1, m2, b'/', d1, d2]
            if [y1, y2, y3, y4, m1, m2, d1, d2].iter().all(|c| c.is_ascii_digit())
    )
}

/// The host named in the syslog header in front of the CSV, if any.
fn header_host(header: &str, ctx: &ParseContext) -> Option<String> {
    let header = header.trim();
    if header.is_empty() {
        return None;
    }
    let after_pri = match header.strip_prefix('<').and_then(|r| r.split_once('>')) {
        Some((pri, rest)) if pri.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => header,
    };
    let host = if let Some(rfc5424) = after_pri.strip_prefix("1 ") {
        rfc5424.split(' ').nth(1)
    } else {
        let (rest, _) = timestamp::parse_leading(after_pri, ctx).ok()?;
        rest.split(' ').find(|t| !t.is_empty())
    };
    host.map(|h| h.trim_end_matches(':'))
        .filter(|h| !h.is_empty() && *h != "-")
        .map(str::to_owned)
}

/// Parses the CSV record itself (`body` starts at its first field).
fn parse_csv(
    body: &str,
    header_host: Option<String>,
    ctx: &ParseContext,
) -> Result<FirewallRecord, ParseError> {
    let csv = Csv::split(body);
    let kind = csv.get(TYPE).unwrap_or("");
    let time = csv
        .get(GENERATED_TIME)
        .and_then(|t| local_time(t, ctx))
        .or_else(|| csv.get(RECEIVE_TIME).and_then(|t| local_time(t, ctx)))
        .ok_or_else(|| {
            ParseError::PanOs(format!(
                "expected generated time (field 7) as `YYYY/MM/DD hh:mm:ss` in `{}`",
                preview(body)
            ))
        })?;
    let mut out = FirewallRecord {
        log_type: Some(kind.to_ascii_lowercase()),
        subtype: csv.owned(SUBTYPE),
        ..FirewallRecord::new(time, None)
    };
    let device_name = match kind {
        "TRAFFIC" => {
            csv.require(kind, &TRAFFIC_NAMES, &[], body)?;
            session(&csv, &mut out);
            out.bytes_out = csv.number(BYTES_SENT);
            out.bytes_in = csv.number(BYTES_RECEIVED);
            TRAFFIC_DEVICE_NAME
        }
        "THREAT" => {
            csv.require(kind, &TRAFFIC_NAMES[..THREAT_URL], &THREAT_NAMES, body)?;
            session(&csv, &mut out);
            let target = csv.owned(THREAT_URL);
            out.message = if out.subtype.as_deref() == Some("url") {
                target
            } else {
                match (csv.owned(THREAT_ID), target) {
                    (Some(threat), Some(target)) => Some(format!("{threat} ({target})")),
                    (threat, target) => threat.or(target),
                }
            };
            THREAT_DEVICE_NAME
        }
        "SYSTEM" => {
            csv.require(kind, &TRAFFIC_NAMES[..SRC], &SYSTEM_NAMES, body)?;
            out.action = csv.owned(SYSTEM_EVENT_ID);
            out.message = csv.owned(SYSTEM_DESCRIPTION);
            SYSTEM_DEVICE_NAME
        }
        "CONFIG" => {
            csv.require(kind, &TRAFFIC_NAMES[..SRC], &CONFIG_NAMES, body)?;
            out.action = csv.owned(CONFIG_COMMAND);
            out.app = csv.owned(CONFIG_CLIENT);
            out.src_ip = csv
                .get(CONFIG_HOST)
                .filter(|h| h.parse::<IpAddr>().is_ok())
                .map(str::to_owned);
            out.message = Some(format!(
                "admin={} cmd={} path={} result={}",
                csv.text(CONFIG_ADMIN),
                csv.text(CONFIG_COMMAND),
                csv.text(CONFIG_PATH),
                csv.text(CONFIG_RESULT),
            ));
            CONFIG_DEVICE_NAME
        }
        _ => {
            if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(ParseError::PanOs(format!(
                    "expected the log type (field 4) in `{}`",
                    preview(body)
                )));
            }
            out.message = csv
                .rest_from(SRC)
                .filter(|r| !r.is_empty())
                .map(str::to_owned);
            usize::MAX
        }
    };
    out.host = csv.owned(device_name).or(header_host);
    Ok(out)
}

/// The fields TRAFFIC and THREAT share.
fn session(csv: &Csv<'_>, out: &mut FirewallRecord) {
    out.src_ip = csv.owned(SRC);
    out.dst_ip = csv.owned(DST);
    out.rule = csv.owned(RULE);
    out.app = csv.owned(APP);
    out.src_zone = csv.owned(FROM_ZONE);
    out.dst_zone = csv.owned(TO_ZONE);
    out.src_port = csv.get(SRC_PORT).and_then(|p| p.parse().ok());
    out.dst_port = csv.get(DST_PORT).and_then(|p| p.parse().ok());
    out.proto = csv.get(PROTO).map(protocol_name);
    out.action = csv.owned(ACTION);
}

/// `YYYY/MM/DD hh:mm:ss` in the context's offset.
fn local_time(text: &str, ctx: &ParseContext) -> Option<DateTime<Utc>> {
    let naive = slash_datetime(text)?;
    ctx.offset
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// Parses `YYYY/MM/DD hh:mm:ss` (the date format PAN-OS and YAMAHA routers
/// write) without allocating.
pub(crate) fn slash_datetime(text: &str) -> Option<NaiveDateTime> {
    let [
        y1,
        y2,
        y3,
        y4,
        b'/',
        mo1,
        mo2,
        b'/',
        d1,
        d2,
        b' ',
        h1,
        h2,
        b':',
        mi1,
        mi2,
        b':',
        s1,
        s2,
    ] = *text.as_bytes()
    else {
        return None;
    };
    let num = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(num(&[y1, y2, y3, y4])?).ok()?;
    NaiveDate::from_ymd_opt(year, num(&[mo1, mo2])?, num(&[d1, d2])?)?.and_hms_opt(
        num(&[h1, h2])?,
        num(&[mi1, mi2])?,
        num(&[s1, s2])?,
    )
}

/// One CSV record split into (at most [`MAX_FIELDS`]) raw fields, without
/// allocating: a quoted field keeps its quotes and doubled `""` until it is
/// turned into an owned value.
struct Csv<'a> {
    body: &'a str,
    /// Byte ranges of the fields in `body`, quotes included.
    ranges: [(usize, usize); MAX_FIELDS],
    len: usize,
}

impl<'a> Csv<'a> {
    fn split(body: &'a str) -> Self {
        let mut csv = Csv {
            body,
            ranges: [(0, 0); MAX_FIELDS],
            len: 0,
        };
        let end = body.len();
        let next_comma = |from: usize| body.get(from..).and_then(|r| r.find(',')).map(|c| from + c);
        let mut pos = 0;
        while let Some(slot) = csv.ranges.get_mut(csv.len) {
            let mut scan = pos;
            if body.as_bytes().get(pos) == Some(&b'"') {
                // Quoted: skip to the closing quote (`""` is an escaped one).
                scan = pos + 1;
                loop {
                    match body.get(scan..).and_then(|r| r.find('"')) {
                        Some(q) if body.as_bytes().get(scan + q + 1) == Some(&b'"') => {
                            scan += q + 2;
                        }
                        Some(q) => {
                            scan += q + 1;
                            break;
                        }
                        None => {
                            scan = end;
                            break;
                        }
                    }
                }
            }
            match next_comma(scan) {
                Some(comma) => {
                    *slot = (pos, comma);
                    csv.len += 1;
                    pos = comma + 1;
                }
                None => {
                    *slot = (pos, end);
                    csv.len += 1;
                    break;
                }
            }
        }
        csv
    }

    /// The raw field (quotes included).
    fn raw(&self, index: usize) -> Option<&'a str> {
        let (start, end) = *self.ranges.get(index).filter(|_| index < self.len)?;
        self.body.get(start..end)
    }

    /// The field without its surrounding quotes (a doubled `""` inside is
    /// left as is; use [`Csv::owned`] for the value).
    fn get(&self, index: usize) -> Option<&'a str> {
        let raw = self.raw(index)?;
        Some(match raw.strip_prefix('"') {
            Some(inner) => inner.strip_suffix('"').unwrap_or(inner),
            None => raw,
        })
    }

    /// The field's value, `None` when empty.
    fn owned(&self, index: usize) -> Option<String> {
        let raw = self.raw(index)?;
        let value = self.get(index)?;
        if value.is_empty() {
            None
        } else if raw.starts_with('"') && value.contains("\"\"") {
            Some(value.replace("\"\"", "\""))
        } else {
            Some(value.to_owned())
        }
    }

    /// The field's value for a message (`-` when absent).
    fn text(&self, index: usize) -> String {
        self.owned(index).unwrap_or_else(|| "-".into())
    }

    fn number(&self, index: usize) -> Option<u64> {
        self.get(index)?.parse().ok()
    }

    /// The raw record from field `index` to the end.
    fn rest_from(&self, index: usize) -> Option<&'a str> {
        let (start, _) = *self.ranges.get(index).filter(|_| index < self.len)?;
        self.body.get(start..)
    }

    /// Fails, naming the first missing field, unless the record has all of
    /// `names` followed by all of `more`.
    fn require(
        &self,
        kind: &str,
        names: &[&str],
        more: &[&str],
        body: &str,
    ) -> Result<(), ParseError> {
        let needed = names.len() + more.len();
        if self.len >= needed {
            return Ok(());
        }
        let name = names
            .iter()
            .chain(more)
            .nth(self.len)
            .copied()
            .unwrap_or("?");
        Err(ParseError::PanOs(format!(
            "{kind} record ends after {} fields; expected {name} (field {}) in `{}`",
            self.len,
            self.len + 1,
            preview(body)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{ctx, record};
    use crate::timestamp::rfc3339;

    const TRAFFIC: &str = r"1,2026/11/23 10:00:01,012801012345,TRAFFIC,end,2561,2026/11/23 10:00:00,10.40.1.15,203.0.113.20,198.51.100.2,203.0.113.20,allow-web,lgwan\tanaka,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1,default,2026/11/23 10:00:01,123456,1,51234,443,40123,443,0x40041c,tcp,allow,6789,1234,5555,20,2026/11/23 09:59:30,30,business-and-economy,,7012345678901234567,0x8000000000000000,10.0.0.0-10.255.255.255,Japan,,10,10,tcp-fin,0,0,0,0,,fw-lgwan01,from-policy,,,0,,0,,N/A,0,0,0,0";

    const THREAT_URL_LOG: &str = r#"1,2026/11/23 10:05:00,012801012345,THREAT,url,2561,2026/11/23 10:05:00,10.40.1.22,198.51.100.80,198.51.100.2,198.51.100.80,allow-web,,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,default,2026/11/23 10:05:00,223344,1,52100,80,41000,80,0x40b000,tcp,block-url,"shop.example.net/cart?items=1,2,3&q=""x""",(9999),shopping,informational,client-to-server,7012345678901234600,0x8000000000000000,10.0.0.0-10.255.255.255,United States,,text/html,0,,,1,"Mozilla/5.0 (Windows NT 10.0; Win64; x64)",,,,,,,0,0,0,0,0,,fw-lgwan01,,,,get"#;

    const THREAT_VULN: &str = r#"1,2026/11/23 10:06:00,012801012345,THREAT,vulnerability,2561,2026/11/23 10:06:00,198.51.100.44,10.40.0.5,198.51.100.44,203.0.113.5,inbound-web,,,web-browsing,vsys1,untrust,dmz,ethernet1/1,ethernet1/3,default,2026/11/23 10:06:00,334455,1,44321,80,44321,80,0x80402000,tcp,reset-both,"/cgi-bin/../../etc/passwd",HTTP Directory Traversal Vulnerability(30844),any,high,client-to-server,7012345678901234601,0x8000000000000000,United States,10.0.0.0-10.255.255.255,,,0,,,0,,,,,,,,0,0,0,0,0,,fw-lgwan01"#;

    const SYSTEM: &str = r#"1,2026/11/23 10:10:00,012801012345,SYSTEM,auth,2561,2026/11/23 10:10:00,,auth-fail,tanaka,0,0,general,medium,"failed authentication for user 'tanaka'. Reason: Invalid username/password. From: 10.40.1.15, auth profile ""LDAP-Prof""",7012345678901234700,0x0,0,0,0,0,,fw-lgwan01,0,0,2026-11-23T10:10:00.123+09:00"#;

    const CONFIG: &str = "1,2026/11/23 10:20:00,012801012345,CONFIG,0,2561,2026/11/23 10:20:00,10.40.9.5,vsys1,set,admin-sato,Web,Succeeded, vsys  vsys1 rulebase security rules  allow-web,,,7012345678901234800,0x0,0,0,0,0,,fw-lgwan01";

    fn ok(line: &str) -> FirewallRecord {
        parse(line, &ctx()).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    fn err(line: &str) -> String {
        parse(line, &ctx()).unwrap_err().to_string()
    }

    /// TRAFFIC cut after `fields` fields.
    fn traffic_prefix(fields: usize) -> String {
        TRAFFIC
            .split(',')
            .take(fields)
            .collect::<Vec<_>>()
            .join(",")
    }

    #[test]
    fn traffic_behind_bsd_header_with_hostname() {
        let r = ok(&format!("<14>Nov 23 10:00:01 PA-3220 {TRAFFIC}"));
        assert_eq!(r.time, rfc3339("2026-11-23T01:00:00Z").unwrap());
        assert_eq!(r.host.as_deref(), Some("fw-lgwan01"));
        assert_eq!(
            (r.log_type.as_deref(), r.subtype.as_deref()),
            (Some("traffic"), Some("end"))
        );
        assert_eq!(r.action.as_deref(), Some("allow"));
        assert_eq!(
            (r.src_ip.as_deref(), r.src_port),
            (Some("10.40.1.15"), Some(51234))
        );
        assert_eq!(
            (r.dst_ip.as_deref(), r.dst_port),
            (Some("203.0.113.20"), Some(443))
        );
        assert_eq!(r.proto.as_deref(), Some("tcp"));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1234), Some(5555)));
        assert_eq!(r.rule.as_deref(), Some("allow-web"));
        assert_eq!(
            (r.src_zone.as_deref(), r.dst_zone.as_deref()),
            (Some("trust"), Some("untrust"))
        );
        assert_eq!(r.app.as_deref(), Some("ssl"));
        assert_eq!(r.message, None);
    }

    #[test]
    fn header_without_hostname_and_no_header_at_all() {
        let with_pri = ok(&format!("<14>Nov 23 10:00:01 {TRAFFIC}"));
        let bare = ok(&format!("{TRAFFIC}\r\n"));
        assert_eq!(with_pri, bare);
        assert_eq!(bare.host.as_deref(), Some("fw-lgwan01"));
    }

    #[test]
    fn header_host_is_used_when_the_record_has_no_device_name() {
        let short = traffic_prefix(34);
        let r = ok(&format!("<14>Nov 23 10:00:01 PA-3220 {short}"));
        assert_eq!(r.host.as_deref(), Some("PA-3220"));
        assert_eq!(r.bytes_in, Some(5555));
        let r = ok(&format!(
            "<14>1 2026-11-23T10:00:01+09:00 pa-lgwan02.city.local - - - - {short}"
        ));
        assert_eq!(r.host.as_deref(), Some("pa-lgwan02.city.local"));
        assert_eq!(ok(&short).host, None);
    }

    #[test]
    fn ipv6_session() {
        let line = TRAFFIC
            .replacen("10.40.1.15", "2001:db8:40::15", 1)
            .replacen("203.0.113.20", "2001:db8:ffff::20", 1);
        let r = ok(&line);
        assert_eq!(r.src_ip.as_deref(), Some("2001:db8:40::15"));
        assert_eq!(r.dst_ip.as_deref(), Some("2001:db8:ffff::20"));
    }

    #[test]
    fn threat_url_with_quoted_commas_and_quotes() {
        let r = ok(&format!("<14>Nov 23 10:05:00 PA-3220 {THREAT_URL_LOG}"));
        assert_eq!(
            (r.log_type.as_deref(), r.subtype.as_deref()),
            (Some("threat"), Some("url"))
        );
        assert_eq!(r.action.as_deref(), Some("block-url"));
        assert_eq!(
            r.message.as_deref(),
            Some(r#"shop.example.net/cart?items=1,2,3&q="x""#)
        );
        assert_eq!(r.app.as_deref(), Some("web-browsing"));
        assert_eq!((r.src_port, r.dst_port), (Some(52100), Some(80)));
        assert_eq!((r.bytes_in, r.bytes_out), (None, None));
        assert_eq!(r.host.as_deref(), Some("fw-lgwan01"));
        assert_eq!(r.time, rfc3339("2026-11-23T01:05:00Z").unwrap());
    }

    #[test]
    fn threat_vulnerability_names_threat_and_target() {
        let r = ok(THREAT_VULN);
        assert_eq!(r.subtype.as_deref(), Some("vulnerability"));
        assert_eq!(r.action.as_deref(), Some("reset-both"));
        assert_eq!(
            r.message.as_deref(),
            Some("HTTP Directory Traversal Vulnerability(30844) (/cgi-bin/../../etc/passwd)")
        );
        assert_eq!(
            (r.src_zone.as_deref(), r.dst_zone.as_deref()),
            (Some("untrust"), Some("dmz"))
        );
        assert_eq!(r.rule.as_deref(), Some("inbound-web"));
    }

    #[test]
    fn system_description_with_commas_and_doubled_quotes() {
        let r = ok(&format!("<14>Nov 23 10:10:00 PA-3220 {SYSTEM}"));
        assert_eq!(
            (r.log_type.as_deref(), r.subtype.as_deref()),
            (Some("system"), Some("auth"))
        );
        assert_eq!(r.action.as_deref(), Some("auth-fail"));
        assert_eq!(
            r.message.as_deref(),
            Some(
                r#"failed authentication for user 'tanaka'. Reason: Invalid username/password. From: 10.40.1.15, auth profile "LDAP-Prof""#
            )
        );
        assert_eq!(r.host.as_deref(), Some("fw-lgwan01"));
        assert_eq!(r.src_ip, None);
    }

    #[test]
    fn config_admin_command_and_path_in_message() {
        let r = ok(CONFIG);
        assert_eq!(r.log_type.as_deref(), Some("config"));
        assert_eq!(r.action.as_deref(), Some("set"));
        assert_eq!(r.app.as_deref(), Some("Web"));
        assert_eq!(r.src_ip.as_deref(), Some("10.40.9.5"));
        assert_eq!(
            r.message.as_deref(),
            Some(
                "admin=admin-sato cmd=set path= vsys  vsys1 rulebase security rules  allow-web result=Succeeded"
            )
        );
        assert_eq!(r.host.as_deref(), Some("fw-lgwan01"));
        let by_name = ok(&CONFIG.replacen("10.40.9.5", "admin-pc01", 1));
        assert_eq!(by_name.src_ip, None);
    }

    #[test]
    fn other_types_keep_type_and_raw_message() {
        let line = "<14>Nov 23 10:30:00 PA-3220 1,2026/11/23 10:30:00,012801012345,GLOBALPROTECT,0,2561,2026/11/23 10:30:00,vsys1,gateway-auth,login,LDAP,,yamada,JP,PC-0123,203.0.113.77";
        let r = ok(line);
        assert_eq!(r.log_type.as_deref(), Some("globalprotect"));
        assert_eq!(r.subtype.as_deref(), Some("0"));
        assert_eq!(
            r.message.as_deref(),
            Some("vsys1,gateway-auth,login,LDAP,,yamada,JP,PC-0123,203.0.113.77")
        );
        assert_eq!(r.host.as_deref(), Some("PA-3220"));
        assert_eq!(r.src_ip, None);
    }

    #[test]
    fn truncated_records_name_the_missing_field() {
        let e = err(&traffic_prefix(20));
        assert!(
            e.contains("TRAFFIC record ends after 20 fields; expected log action (field 21)"),
            "{e}"
        );
        let e = err(&traffic_prefix(33));
        assert!(e.contains("expected bytes received (field 34)"), "{e}");
        let threat: String = THREAT_VULN
            .split(',')
            .take(31)
            .collect::<Vec<_>>()
            .join(",");
        let e = err(&threat);
        assert!(e.contains("expected URL/filename (field 32)"), "{e}");
        let e = err(
            "1,2026/11/23 10:20:00,012801012345,CONFIG,0,2561,2026/11/23 10:20:00,10.40.9.5,vsys1,set",
        );
        assert!(
            e.contains("CONFIG record ends after 10 fields; expected admin (field 11)"),
            "{e}"
        );
        let e = err(
            "1,2026/11/23 10:10:00,012801012345,SYSTEM,auth,2561,2026/11/23 10:10:00,,auth-fail",
        );
        assert!(e.contains("expected object (field 10)"), "{e}");
    }

    #[test]
    fn unterminated_quote_reads_to_the_end() {
        let line = traffic_prefix(34).replacen("allow-web", "\"allow-web", 1);
        let e = err(&line);
        assert!(e.contains("TRAFFIC record ends after 12 fields"), "{e}");
    }

    #[test]
    fn time_falls_back_to_receive_time_then_fails() {
        let r = ok(&TRAFFIC.replacen(",2026/11/23 10:00:00,10.40", ",not-a-time,10.40", 1));
        assert_eq!(r.time, rfc3339("2026-11-23T01:00:01Z").unwrap());
        let e = err(
            "1,2026/13/45 10:00:00,012801012345,TRAFFIC,end,2561,2026/11/31 10:00:00,10.40.1.15",
        );
        assert!(e.contains("expected generated time (field 7)"), "{e}");
    }

    #[test]
    fn rejects_what_is_not_pan_os() {
        assert_eq!(parse("", &ctx()), Err(ParseError::Empty));
        assert_eq!(parse(" \r\n", &ctx()), Err(ParseError::Empty));
        for line in [
            "<14>Nov 23 10:00:00 PA-3220 hello world",
            "a,2026/11/23 10:00:00,x,TRAFFIC",
            "<14>Nov 23 10:00:00 host sshd[1]: Accepted password for x from 10.40.1.1",
        ] {
            let e = err(line);
            assert!(
                e.starts_with("malformed PAN-OS log: expected a `1,"),
                "{line}: {e}"
            );
        }
        let e = err("1,2026/11/23 10:00:00,012801012345,,x,y,2026/11/23 10:00:00");
        assert!(e.contains("expected the log type (field 4)"), "{e}");
    }

    #[test]
    fn sniffing() {
        assert!(looks_like(TRAFFIC));
        assert!(looks_like(&format!("<14>Nov 23 10:00:01 PA-3220 {SYSTEM}")));
        assert!(looks_like(&format!("<14>Nov 23 10:00:01 {CONFIG}")));
        assert!(!looks_like(
            "<14>Nov 23 10:00:00 host app: 1,2026/11/23 10:00:00"
        ));
        assert!(!looks_like("date=2026-11-22 time=09:00:00 devname=x"));
        assert!(!looks_like("x1,2026/11/23 10:00:00,0128,TRAFFIC,end"));
        assert!(!looks_like(""));
    }

    #[test]
    fn classify_from_syslog_with_and_without_hostname() {
        let with_host = record(&format!("<14>Nov 23 10:00:01 PA-3220 {THREAT_VULN}"));
        let r = classify(&with_host).unwrap();
        assert_eq!(r.time, with_host.time);
        assert_eq!(r.subtype.as_deref(), Some("vulnerability"));
        assert_eq!(r.host.as_deref(), Some("fw-lgwan01"));

        let no_host = record(&format!("<14>Nov 23 10:00:01 {TRAFFIC}"));
        let r = classify(&no_host).unwrap();
        assert_eq!(r.src_ip.as_deref(), Some("10.40.1.15"));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1234), Some(5555)));
        assert_eq!(r.time, rfc3339("2026-11-23T01:00:01Z").unwrap());

        let rfc5424 = record(&format!(
            "<14>1 2026-11-23T10:00:01+09:00 PA-3220 - - - - {CONFIG}"
        ));
        assert_eq!(classify(&rfc5424).unwrap().action.as_deref(), Some("set"));

        for line in [
            "<14>Nov 23 10:00:01 lg-file01 sshd[4242]: Accepted password for tanaka",
            "<14>Nov 23 10:00:01 lg-file01 1,2,3",
        ] {
            assert_eq!(classify(&record(line)), None, "{line}");
        }
    }

    #[test]
    fn slash_datetime_shapes() {
        assert!(slash_datetime("2026/11/23 10:00:00").is_some());
        for bad in [
            "2026/11/23 10:00",
            "2026-11-23 10:00:00",
            "2026/02/30 10:00:00",
            "２026/11/23 10:00:0",
        ] {
            assert_eq!(slash_datetime(bad), None, "{bad}");
        }
    }
}
