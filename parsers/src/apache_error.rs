//! Apache httpd error log lines, which land in `syslog` (app `httpd`):
//!
//! - 2.2: `[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok …`
//! - 2.4: `[Sun Dec 04 04:47:44.123456 2005] [core:error] [pid 1234:tid 5678] [client 203.0.113.5:51234] AH00126: Invalid URI …`
//!
//! The time has no zone and is read in the context's; the level becomes
//! the syslog severity; a 2.4 `[module:level]` puts the module in `msgid`
//! and the pid in `procid`.

use chrono::{NaiveDateTime, TimeZone, Utc};

use crate::timestamp::preview;
use crate::{ParseContext, ParseError, SyslogRecord};

/// True when the line opens with `[Www Mmm dd hh:mm:ss`.
pub fn looks_like(line: &str) -> bool {
    let b = line.as_bytes();
    b.first() == Some(&b'[')
        && b.get(4) == Some(&b' ')
        && b.get(8) == Some(&b' ')
        && b.get(1..4)
            .is_some_and(|d| d.iter().all(u8::is_ascii_alphabetic))
}

/// Parses one error log line.
pub fn parse(line: &str, ctx: &ParseContext) -> Result<SyslogRecord, ParseError> {
    let bad =
        |why: &str| ParseError::Header(format!("Apache error log: {why} in `{}`", preview(line)));
    let rest = line.strip_prefix('[').ok_or_else(|| bad("no `[time]`"))?;
    let (stamp, mut rest) = rest
        .split_once(']')
        .ok_or_else(|| bad("unterminated `[time]`"))?;
    let naive = NaiveDateTime::parse_from_str(stamp.trim(), "%a %b %d %H:%M:%S%.f %Y")
        .map_err(|_| bad("time is not `Www Mmm dd hh:mm:ss yyyy`"))?;
    let time = ctx
        .offset
        .from_local_datetime(&naive)
        .single()
        .ok_or_else(|| bad("time does not exist in the source's zone"))?
        .with_timezone(&Utc);
    let (mut severity, mut msgid, mut procid) = (None, None, None);
    while let Some(tag) = rest.trim_start().strip_prefix('[') {
        let Some((inside, after)) = tag.split_once(']') else {
            break;
        };
        if let Some(pid) = inside.strip_prefix("pid ") {
            procid = Some(pid.split(':').next().unwrap_or(pid).to_owned());
        } else if severity.is_none() {
            let (module, level) = match inside.rsplit_once(':') {
                Some((module, level)) => (Some(module), level),
                None => (None, inside),
            };
            match level_severity(level) {
                Some(s) => {
                    severity = Some(s);
                    msgid = module.map(str::to_owned);
                }
                None => break,
            }
        } else {
            break;
        }
        rest = after;
    }
    if severity.is_none() {
        return Err(bad("no `[level]` after the time"));
    }
    Ok(SyslogRecord {
        time,
        facility: None,
        severity,
        host: None,
        app_name: Some("httpd".to_owned()),
        procid,
        msgid,
        structured_data: None,
        message: rest.trim().to_owned(),
    })
}

/// Apache's levels (`trace1`…`trace8` are debug) → syslog severity.
fn level_severity(level: &str) -> Option<u8> {
    Some(match level {
        "emerg" => 0,
        "alert" => 1,
        "crit" => 2,
        "error" => 3,
        "warn" => 4,
        "notice" => 5,
        "info" => 6,
        "debug" => 7,
        l if l.starts_with("trace") => 7,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::ctx;
    use crate::timestamp::rfc3339;

    #[test]
    fn apache_22_line() {
        let r = parse(
            "[Sun Nov 22 04:47:44 2026] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties",
            &ctx(),
        )
        .unwrap();
        assert_eq!(r.time, rfc3339("2026-11-21T19:47:44Z").unwrap());
        assert_eq!(r.severity, Some(5));
        assert_eq!(r.app_name.as_deref(), Some("httpd"));
        assert_eq!(
            r.message,
            "workerEnv.init() ok /etc/httpd/conf/workers2.properties"
        );
    }

    #[test]
    fn apache_24_line_with_module_pid_and_client() {
        let r = parse(
            "[Sun Nov 22 04:47:44.123456 2026] [core:error] [pid 1234:tid 5678] [client 203.0.113.5:51234] AH00126: Invalid URI in request",
            &ctx(),
        )
        .unwrap();
        assert_eq!(r.severity, Some(3));
        assert_eq!(r.msgid.as_deref(), Some("core"));
        assert_eq!(r.procid.as_deref(), Some("1234"));
        assert_eq!(
            r.message,
            "[client 203.0.113.5:51234] AH00126: Invalid URI in request"
        );
        assert_eq!(r.time.timestamp_subsec_micros(), 123_456);
    }

    #[test]
    fn bad_lines_say_why() {
        for (line, why) in [
            ("[Sun Nov 22 04:47:44 2026", "unterminated"),
            ("[Sun Nov 99 04:47:44 2026] [error] x", "time is not"),
            ("[Sun Nov 22 04:47:44 2026] no level", "no `[level]`"),
            ("[Sun Nov 22 04:47:44 2026] [loud] x", "no `[level]`"),
        ] {
            let err = parse(line, &ctx()).unwrap_err().to_string();
            assert!(err.contains(why), "{line}: {err}");
        }
        assert!(looks_like("[Sun Nov 22 04:47:44 2026] [error] x"));
        assert!(!looks_like("[UFW BLOCK] IN=eth0"));
        assert!(!looks_like("<13>Nov 22 04:47:44 host app: x"));
    }
}
