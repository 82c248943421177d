//! NCSA access logs as Apache httpd, nginx and Squid (`logformat combined`)
//! write them:
//!
//! - common: `client ident user [23/Nov/2026:10:00:00 +0900] "GET /a HTTP/1.1" 200 1234`
//! - combined: common plus `"referer" "user-agent"`
//! - Squid's combined adds `ACTION:HIERARCHY` (`TCP_MISS:HIER_DIRECT`)
//! - Apache `vhost_combined` puts `vhost:port` in front.
//!
//! The timestamp carries its own offset, so no zone is needed. The size
//! (`%b`) is what went to the client, so it is `bytes_in` seen from the
//! staff member's terminal, as in the Squid native format.

use chrono::{DateTime, Utc};

use crate::ParseError;
use crate::record::ProxyRecord;
use crate::timestamp::preview;
use crate::url::split_url;

/// True when the fourth token opens a `[dd/Mon/yyyy:` timestamp (or the
/// fifth, after an Apache `vhost:port`).
pub fn looks_like(line: &str) -> bool {
    let b = line.as_bytes();
    let bracket = |from: usize, to: Option<usize>| {
        b.get(from..to.unwrap_or(b.len()))
            .is_some_and(|t| t.len() >= 13 && t.first() == Some(&b'[') && t.get(3) == Some(&b'/'))
    };
    // Tokens split on single spaces: the fourth follows the third space,
    // the fifth the fourth.
    let mut spaces = memchr::memchr_iter(b' ', b);
    let Some(third) = spaces.nth(2) else {
        return false;
    };
    let fourth = spaces.next();
    bracket(third + 1, fourth) || fourth.is_some_and(|f| bracket(f + 1, spaces.next()))
}

/// Parses one common / combined access log line.
pub fn parse(line: &str) -> Result<ProxyRecord, ParseError> {
    let bad = |why: &str| ParseError::AccessLog(format!("{why} in `{}`", preview(line)));
    let open = line.find(" [").ok_or_else(|| bad("no `[time]` field"))?;
    let head: Vec<&str> = line.get(..open).unwrap_or_default().split(' ').collect();
    let (client, user) = match head.as_slice() {
        [client, _ident, user] | [_, client, _ident, user] => (*client, *user),
        _ => return Err(bad("expected `client ident user` before the time")),
    };
    let rest = line.get(open + 2..).unwrap_or_default();
    let (time, rest) = rest
        .split_once("] ")
        .ok_or_else(|| bad("unterminated `[time]`"))?;
    let time = parse_time(time).ok_or_else(|| bad("time is not `dd/Mon/yyyy:HH:MM:SS +zzzz`"))?;
    let (request, rest) = quoted(rest).ok_or_else(|| bad("no quoted request"))?;
    let mut tail = rest.split_ascii_whitespace();
    let status = tail
        .next()
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| bad("status is not a number"))?;
    let size = match tail.next() {
        Some("-") => None,
        Some(n) => Some(n.parse::<u64>().map_err(|_| bad("size is not a number"))?),
        None => return Err(bad("no size")),
    };
    let rest = rest
        .trim_start()
        .split_once(' ')
        .and_then(|(_, r)| r.trim_start().split_once(' ').map(|(_, r)| r))
        .unwrap_or_default();
    let (_referer, rest) = quoted(rest.trim_start()).unwrap_or(("-", ""));
    let (user_agent, rest) = quoted(rest.trim_start()).unwrap_or(("-", ""));
    let squid_action = rest
        .split_ascii_whitespace()
        .next()
        .and_then(|t| t.split_once(':'))
        .filter(|(action, _)| action.starts_with("TCP_") || action.starts_with("UDP_"));
    let mut parts = request.splitn(3, ' ');
    let (method, url) = match (parts.next(), parts.next()) {
        (Some(m), Some(u)) if !m.is_empty() => (Some(m), Some(u)),
        _ => (None, None),
    };
    let (url_host, url_path) = match (method, url) {
        (Some(m), Some(u)) => split_url(m, u),
        _ => (None, None),
    };
    let dash = |s: &str| (s != "-" && !s.is_empty()).then(|| unescape(s));
    Ok(ProxyRecord {
        time,
        src_ip: dash(client),
        user: dash(user),
        method: method.map(str::to_owned),
        url: url.map(str::to_owned),
        url_host,
        url_path,
        status: (status != 0).then_some(status),
        bytes_in: size,
        bytes_out: None,
        action: squid_action.map(|(a, _)| a.to_owned()),
        category: None,
        user_agent: dash(user_agent),
        duration_ms: None,
        content_type: None,
        upstream: squid_action
            .map(|(_, hier)| hier)
            .filter(|h| *h != "HIER_NONE")
            .map(str::to_owned),
    })
}

/// A `"…"` field with `\"` escapes: its text and what follows it.
fn quoted(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix('"')?;
    let mut escaped = false;
    for (i, b) in body.bytes().enumerate() {
        match b {
            b'\\' if !escaped => escaped = true,
            b'"' if !escaped => return Some((body.get(..i)?, body.get(i + 1..)?)),
            _ => escaped = false,
        }
    }
    None
}

/// Undoes the `\"` and `\\` escaping Apache applies inside quoted fields.
fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_owned();
    }
    s.replace("\\\"", "\"").replace("\\\\", "\\")
}

/// `23/Nov/2026:10:00:00 +0900`.
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(s, "%d/%b/%Y:%H:%M:%S %z")
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::rfc3339;

    #[test]
    fn apache_combined() {
        let r = parse(r#"10.40.1.15 - tanaka [23/Nov/2026:10:00:00 +0900] "GET /portal/index.html?id=3 HTTP/1.1" 200 5120 "https://intra.city.example.lg.jp/" "Mozilla/5.0 (Windows NT 10.0; Win64; x64)""#).unwrap();
        assert_eq!(r.time, rfc3339("2026-11-23T01:00:00Z").unwrap());
        assert_eq!(r.src_ip.as_deref(), Some("10.40.1.15"));
        assert_eq!(r.user.as_deref(), Some("tanaka"));
        assert_eq!(r.method.as_deref(), Some("GET"));
        assert_eq!(r.url.as_deref(), Some("/portal/index.html?id=3"));
        assert_eq!(r.url_host, None);
        assert_eq!(r.url_path.as_deref(), Some("/portal/index.html?id=3"));
        assert_eq!((r.status, r.bytes_in), (Some(200), Some(5120)));
        assert_eq!(
            r.user_agent.as_deref(),
            Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
        );
        assert_eq!(r.action, None);
    }

    #[test]
    fn squid_combined_with_action_and_absolute_url() {
        let r = parse(r#"10.40.2.8 - - [23/Nov/2026:10:00:01 +0900] "POST https://Upload.Example.com/api/files HTTP/1.1" 200 830 "-" "curl/8.5.0" TCP_MISS:HIER_DIRECT"#).unwrap();
        assert_eq!(r.user, None);
        assert_eq!(r.url_host.as_deref(), Some("upload.example.com"));
        assert_eq!(r.url_path.as_deref(), Some("/api/files"));
        assert_eq!(r.action.as_deref(), Some("TCP_MISS"));
        assert_eq!(r.upstream.as_deref(), Some("HIER_DIRECT"));
        assert_eq!(r.user_agent.as_deref(), Some("curl/8.5.0"));
    }

    #[test]
    fn connect_and_common_format_without_size() {
        let r = parse(r#"10.40.2.9 - - [23/Nov/2026:10:00:02 +0900] "CONNECT drive.example.com:443 HTTP/1.1" 200 -"#).unwrap();
        assert_eq!(r.url_host.as_deref(), Some("drive.example.com"));
        assert_eq!(r.bytes_in, None);
        assert_eq!(r.user_agent, None);
    }

    #[test]
    fn vhost_combined_and_escaped_quotes() {
        let r = parse(r#"www.city.example.lg.jp:443 198.51.100.7 - - [23/Nov/2026:10:00:03 +0900] "GET / HTTP/2.0" 304 0 "-" "bot \"quoted\" agent""#).unwrap();
        assert_eq!(r.src_ip.as_deref(), Some("198.51.100.7"));
        assert_eq!(r.status, Some(304));
        assert_eq!(r.user_agent.as_deref(), Some(r#"bot "quoted" agent"#));
    }

    #[test]
    fn garbage_request_is_kept_without_method() {
        let r =
            parse(r#"203.0.113.9 - - [23/Nov/2026:10:00:04 +0900] "\x16\x03\x01" 400 226 "-" "-""#)
                .unwrap();
        assert_eq!(r.method, None);
        assert_eq!(r.status, Some(400));
    }

    #[test]
    fn bad_lines_say_why() {
        for (line, why) in [
            ("10.0.0.1 - - 23/Nov/2026", "no `[time]`"),
            (
                r#"10.0.0.1 - - [23/Nov/2026:10:00:00] "GET / HTTP/1.1" 200 1"#,
                "time is not",
            ),
            (
                r#"10.0.0.1 - - [23/Nov/2026:10:00:00 +0900] GET / 200 1"#,
                "no quoted request",
            ),
            (
                r#"10.0.0.1 - - [23/Nov/2026:10:00:00 +0900] "GET /" OK 1"#,
                "status",
            ),
            (
                r#"10.0.0.1 - - [23/Nov/2026:10:00:00 +0900] "GET /" 200"#,
                "no size",
            ),
            (
                r#"- [23/Nov/2026:10:00:00 +0900] "GET /" 200 1"#,
                "client ident user",
            ),
        ] {
            let err = parse(line).unwrap_err().to_string();
            assert!(err.contains(why), "{line}: {err}");
        }
    }

    #[test]
    fn sniffs_only_access_logs() {
        assert!(looks_like(
            r#"10.0.0.1 - - [23/Nov/2026:10:00:00 +0900] "GET / HTTP/1.1" 200 1"#
        ));
        assert!(looks_like(
            r#"vh:80 10.0.0.1 - - [23/Nov/2026:10:00:00 +0900] "GET / HTTP/1.1" 200 1"#
        ));
        assert!(!looks_like("Nov 23 10:00:00 host sshd[1]: [preauth] x y"));
        assert!(!looks_like("<13>Nov 23 10:00:00 host app: a"));
    }
}
