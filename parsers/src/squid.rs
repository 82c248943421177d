//! Squid's native access.log format:
//! `time elapsed client action/code size method URL ident hierarchy/peer type`
//! e.g. `1763769600.123    233 10.20.1.15 TCP_MISS/200 1027 GET
//! http://www.example.jp/index.html - HIER_DIRECT/93.184.216.34 text/html`.
//! The time is a Unix epoch with milliseconds, so no zone is needed.

use chrono::DateTime;

use crate::ParseError;
use crate::record::ProxyRecord;
use crate::timestamp::preview;
use crate::url::split_url;

/// True when `line` starts the way a native access.log line does
/// (`1234567890.123 `), which no syslog header does.
pub fn looks_like(line: &str) -> bool {
    let first = line.split_ascii_whitespace().next().unwrap_or_default();
    first.split_once('.').is_some_and(|(secs, ms)| {
        (9..=10).contains(&secs.len())
            && secs.bytes().all(|b| b.is_ascii_digit())
            && ms.len() == 3
            && ms.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Parses one native access.log line.
pub fn parse(line: &str) -> Result<ProxyRecord, ParseError> {
    let bad = |why: &str| ParseError::Squid(format!("{why} in `{}`", preview(line)));
    let fields: Vec<&str> = line.split_ascii_whitespace().collect();
    let [
        time,
        elapsed,
        client,
        action_code,
        size,
        method,
        url,
        ident,
        hierarchy,
        content_type,
        ..,
    ] = fields.as_slice()
    else {
        return Err(bad("expected 10 fields"));
    };
    let (secs, millis) = time
        .split_once('.')
        .ok_or_else(|| bad("time is not `seconds.millis`"))?;
    let secs: i64 = secs.parse().map_err(|_| bad("time is not a number"))?;
    let millis: u32 = millis.parse().map_err(|_| bad("time is not a number"))?;
    let time = DateTime::from_timestamp(secs, millis.saturating_mul(1_000_000))
        .ok_or_else(|| bad("time is out of range"))?;
    let duration_ms = elapsed
        .parse()
        .map_err(|_| bad("elapsed is not a number"))?;
    let (action, status) = action_code
        .split_once('/')
        .ok_or_else(|| bad("expected ACTION/CODE"))?;
    let status: u16 = status.parse().map_err(|_| bad("status is not a number"))?;
    let bytes_in = size.parse().map_err(|_| bad("size is not a number"))?;
    let (url_host, url_path) = split_url(method, url);
    let dash = |s: &str| (s != "-").then(|| s.to_owned());
    Ok(ProxyRecord {
        time,
        src_ip: dash(client),
        user: dash(ident),
        method: dash(method),
        url: dash(url),
        url_host,
        url_path,
        status: (status != 0).then_some(status),
        bytes_in: Some(bytes_in),
        bytes_out: None,
        action: Some(action.to_owned()),
        category: None,
        user_agent: None,
        duration_ms: Some(duration_ms),
        content_type: dash(content_type),
        upstream: hierarchy.split_once('/').and_then(|(_, peer)| dash(peer)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_get() {
        let r = parse("1763769600.123    233 10.20.1.15 TCP_MISS/200 1027 GET http://WWW.Example.jp:8080/a/b.html?q=1 - HIER_DIRECT/93.184.216.34 text/html").unwrap();
        assert_eq!(r.time.timestamp_millis(), 1_763_769_600_123);
        assert_eq!(r.duration_ms, Some(233));
        assert_eq!(r.src_ip.as_deref(), Some("10.20.1.15"));
        assert_eq!(
            (r.action.as_deref(), r.status),
            (Some("TCP_MISS"), Some(200))
        );
        assert_eq!(r.bytes_in, Some(1027));
        assert_eq!(r.url_host.as_deref(), Some("www.example.jp"));
        assert_eq!(r.url_path.as_deref(), Some("/a/b.html"));
        assert_eq!(r.user, None);
        assert_eq!(r.upstream.as_deref(), Some("93.184.216.34"));
        assert_eq!(r.content_type.as_deref(), Some("text/html"));
    }

    #[test]
    fn connect_denied_and_authenticated() {
        let r = parse("1763769601.000      0 10.20.1.16 TCP_DENIED/403 3890 CONNECT drive.example.com:443 tanaka HIER_NONE/- text/html").unwrap();
        assert_eq!(r.url_host.as_deref(), Some("drive.example.com"));
        assert_eq!(r.url_path, None);
        assert_eq!(r.user.as_deref(), Some("tanaka"));
        assert_eq!(r.upstream, None);
        let r = parse("1763769601.000      5 10.20.1.16 NONE_NONE/000 0 - error:invalid-request - HIER_NONE/- -").unwrap();
        assert_eq!(
            (r.status, r.method.as_deref(), r.url_host.as_deref()),
            (None, None, None)
        );
    }

    #[test]
    fn urls() {
        assert_eq!(
            split_url("GET", "https://user:pw@[2001:db8::1]:8443"),
            (Some("2001:db8::1".into()), Some("/".into()))
        );
        assert_eq!(
            split_url("GET", "http://example.jp?x"),
            (Some("example.jp".into()), Some("/".into()))
        );
    }

    #[test]
    fn rejects_with_reasons() {
        for line in [
            "1763769600.123 233 10.20.1.15 TCP_MISS/200 1027 GET http://x/",
            "abc 233 10.20.1.15 TCP_MISS/200 1027 GET http://x/ - HIER_DIRECT/1.2.3.4 text/html",
            "1763769600.123 x 10.20.1.15 TCP_MISS/200 1027 GET http://x/ - HIER_DIRECT/1.2.3.4 text/html",
            "1763769600.123 1 10.20.1.15 TCP_MISS 1027 GET http://x/ - HIER_DIRECT/1.2.3.4 text/html",
            "99999999999999999.123 1 10.20.1.15 TCP_MISS/200 1027 GET http://x/ - HIER_DIRECT/1.2.3.4 text/html",
        ] {
            let err = parse(line).unwrap_err().to_string();
            assert!(
                err.starts_with("malformed squid access.log line"),
                "{line}: {err}"
            );
        }
    }

    #[test]
    fn sniffing() {
        assert!(looks_like("1763769600.123    233 10.20.1.15 TCP_MISS/200"));
        assert!(!looks_like("<13>Nov 22 09:00:00 h a: m"));
        assert!(!looks_like("2026-11-22T09:00:00Z h a: m"));
        assert!(!looks_like(""));
    }
}
