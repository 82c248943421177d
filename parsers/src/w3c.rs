//! W3C extended log format, as Symantec/Broadcom ProxySG, Microsoft IIS and
//! other proxies write it: directive lines (`#Software:`, `#Version:`,
//! `#Date:`, `#Fields:`) and space-separated data lines whose columns the
//! last `#Fields:` header names, e.g.
//!
//! ```text
//! #Fields: date time time-taken c-ip cs-username sc-filter-result cs-categories sc-status s-action cs-method cs-host cs-uri-path sc-bytes cs-bytes cs(User-Agent)
//! 2026-11-23 01:00:00 35 10.40.1.15 tanaka OBSERVED "Technology/Internet" 200 TCP_NC_MISS GET www.example.com /a 5120 412 "Mozilla/5.0 (Windows NT 10.0)"
//! ```
//!
//! The format is stateful: a data line means nothing without its header,
//! so the caller keeps the [`Fields`] of each input. `date` and `time` are
//! UTC by the W3C definition; a `localtime` column (ProxySG) is read in
//! the context's zone instead. `-` means absent; values with spaces are
//! double-quoted (IIS writes `+` for spaces in its user agent instead).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use crate::record::ProxyRecord;
use crate::timestamp::preview;
use crate::url::split_url;
use crate::{ParseContext, ParseError};

/// What one column of a `#Fields:` header holds, for the columns bannin
/// stores; other columns are read past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Date,
    Time,
    /// ProxySG `localtime`: `[23/Nov/2026:10:00:00 +0900]` or a zone-less
    /// date-time.
    LocalTime,
    TimeTaken,
    ClientIp,
    User,
    Method,
    /// The whole request URI (`cs-uri`).
    Uri,
    Scheme,
    Host,
    Port,
    Path,
    Query,
    Status,
    BytesToClient,
    BytesFromClient,
    FilterResult,
    CacheAction,
    Categories,
    UserAgent,
    ContentType,
    Upstream,
    Other,
}

impl Column {
    fn of(name: &str) -> Self {
        match name.to_ascii_lowercase().as_str() {
            "date" => Column::Date,
            "time" | "gmttime" => Column::Time,
            "localtime" => Column::LocalTime,
            "time-taken" => Column::TimeTaken,
            "c-ip" => Column::ClientIp,
            "cs-username" | "cs-user" => Column::User,
            "cs-method" => Column::Method,
            "cs-uri" | "cs-url" => Column::Uri,
            "cs-uri-scheme" => Column::Scheme,
            "cs-host" | "cs(host)" | "r-host" | "cs-uri-host" => Column::Host,
            "cs-uri-port" | "r-port" => Column::Port,
            "cs-uri-path" | "cs-uri-stem" => Column::Path,
            "cs-uri-query" => Column::Query,
            "sc-status" => Column::Status,
            "sc-bytes" => Column::BytesToClient,
            "cs-bytes" => Column::BytesFromClient,
            "sc-filter-result" => Column::FilterResult,
            "s-action" => Column::CacheAction,
            "cs-categories" | "cs-category" | "sc-category" => Column::Categories,
            "cs(user-agent)" => Column::UserAgent,
            "rs(content-type)" | "sc(content-type)" => Column::ContentType,
            "s-supplier-name" | "s-supplier-ip" => Column::Upstream,
            _ => Column::Other,
        }
    }
}

/// The columns a `#Fields:` header announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    columns: Vec<Column>,
}

impl Fields {
    /// Reads a `#Fields:` directive; `None` for any other line.
    pub fn from_directive(line: &str) -> Option<Self> {
        let names = line.trim_start().strip_prefix("#Fields:")?;
        Some(Self {
            columns: names.split_ascii_whitespace().map(Column::of).collect(),
        })
    }
}

/// True for a W3C directive line (`#Fields:`, `#Software:`, …).
pub fn is_directive(line: &str) -> bool {
    let line = line.trim_start();
    line.strip_prefix('#')
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(name, _)| !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// True when a data line starts the way W3C data lines do (`YYYY-MM-DD `).
pub fn looks_like_data(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() > 11
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.get(10) == Some(&b' ')
        && b.iter().take(4).all(u8::is_ascii_digit)
}

/// Parses one data line with the columns of its header.
pub fn parse(line: &str, fields: &Fields, ctx: &ParseContext) -> Result<ProxyRecord, ParseError> {
    let bad = |why: &str| ParseError::AccessLog(format!("W3C: {why} in `{}`", preview(line)));
    let values = tokens(line).ok_or_else(|| bad("unterminated quoted value"))?;
    if values.len() != fields.columns.len() {
        return Err(bad(&format!(
            "{} values for {} #Fields columns",
            values.len(),
            fields.columns.len()
        )));
    }
    let mut v = Values::default();
    for (column, value) in fields.columns.iter().zip(values) {
        if value == "-" || value.is_empty() {
            continue;
        }
        v.set(*column, value);
    }
    let time = v.time(ctx).ok_or_else(|| bad("no usable date/time"))?;
    let number = |s: Option<&str>, what: &str| -> Result<Option<u64>, ParseError> {
        s.map(|n| {
            n.parse::<u64>()
                .map_err(|_| bad(&format!("{what} is not a number")))
        })
        .transpose()
    };
    let status = number(v.status, "sc-status")?.map(|s| u16::try_from(s).unwrap_or(0));
    let url = v.url();
    let method = v.method.map(str::to_owned);
    let (mut url_host, mut url_path) = match (&method, &url) {
        (Some(m), Some(u)) => split_url(m, u),
        (None, Some(u)) => split_url("GET", u),
        _ => (None, None),
    };
    if let Some(host) = v.host {
        url_host = Some(host.to_ascii_lowercase());
    }
    if let Some(path) = v.path {
        url_path = Some(path.to_owned());
    }
    let owned = |s: Option<&str>| s.map(str::to_owned);
    Ok(ProxyRecord {
        time,
        src_ip: owned(v.client_ip),
        user: owned(v.user),
        method,
        url,
        url_host,
        url_path,
        status: status.filter(|s| *s != 0),
        bytes_in: number(v.bytes_to_client, "sc-bytes")?,
        bytes_out: number(v.bytes_from_client, "cs-bytes")?,
        action: owned(v.filter_result.or(v.cache_action)),
        category: owned(v.categories),
        user_agent: v.user_agent.map(|ua| {
            if ua.contains(' ') {
                ua.to_owned()
            } else {
                ua.replace('+', " ")
            }
        }),
        duration_ms: number(v.time_taken, "time-taken")?,
        content_type: owned(v.content_type),
        upstream: owned(v.upstream),
    })
}

/// The values of one line that bannin stores, by column.
#[derive(Default)]
struct Values<'a> {
    date: Option<&'a str>,
    time: Option<&'a str>,
    local_time: Option<&'a str>,
    time_taken: Option<&'a str>,
    client_ip: Option<&'a str>,
    user: Option<&'a str>,
    method: Option<&'a str>,
    uri: Option<&'a str>,
    scheme: Option<&'a str>,
    host: Option<&'a str>,
    port: Option<&'a str>,
    path: Option<&'a str>,
    query: Option<&'a str>,
    status: Option<&'a str>,
    bytes_to_client: Option<&'a str>,
    bytes_from_client: Option<&'a str>,
    filter_result: Option<&'a str>,
    cache_action: Option<&'a str>,
    categories: Option<&'a str>,
    user_agent: Option<&'a str>,
    content_type: Option<&'a str>,
    upstream: Option<&'a str>,
}

impl<'a> Values<'a> {
    fn set(&mut self, column: Column, value: &'a str) {
        let slot = match column {
            Column::Date => &mut self.date,
            Column::Time => &mut self.time,
            Column::LocalTime => &mut self.local_time,
            Column::TimeTaken => &mut self.time_taken,
            Column::ClientIp => &mut self.client_ip,
            Column::User => &mut self.user,
            Column::Method => &mut self.method,
            Column::Uri => &mut self.uri,
            Column::Scheme => &mut self.scheme,
            Column::Host => &mut self.host,
            Column::Port => &mut self.port,
            Column::Path => &mut self.path,
            Column::Query => &mut self.query,
            Column::Status => &mut self.status,
            Column::BytesToClient => &mut self.bytes_to_client,
            Column::BytesFromClient => &mut self.bytes_from_client,
            Column::FilterResult => &mut self.filter_result,
            Column::CacheAction => &mut self.cache_action,
            Column::Categories => &mut self.categories,
            Column::UserAgent => &mut self.user_agent,
            Column::ContentType => &mut self.content_type,
            Column::Upstream => &mut self.upstream,
            Column::Other => return,
        };
        *slot = Some(value);
    }

    fn time(&self, ctx: &ParseContext) -> Option<DateTime<Utc>> {
        if let (Some(date), Some(time)) = (self.date, self.time) {
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
            let time = NaiveTime::parse_from_str(time, "%H:%M:%S%.f").ok()?;
            return Some(Utc.from_utc_datetime(&NaiveDateTime::new(date, time)));
        }
        let local = self.local_time?.trim_matches(['[', ']']);
        if let Ok(t) = DateTime::parse_from_str(local, "%d/%b/%Y:%H:%M:%S %z") {
            return Some(t.with_timezone(&Utc));
        }
        let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S").ok()?;
        ctx.offset
            .from_local_datetime(&naive)
            .single()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The request URL: `cs-uri` as logged, or rebuilt from its parts.
    fn url(&self) -> Option<String> {
        if let Some(uri) = self.uri {
            return Some(uri.to_owned());
        }
        let host = self.host?;
        let scheme = self.scheme.unwrap_or("http");
        let port = match (scheme, self.port) {
            ("http", Some("80")) | ("https", Some("443")) | (_, None) => String::new(),
            (_, Some(p)) => format!(":{p}"),
        };
        let path = self.path.unwrap_or("/");
        let query = self
            .query
            .map(|q| {
                if q.starts_with('?') {
                    q.to_owned()
                } else {
                    format!("?{q}")
                }
            })
            .unwrap_or_default();
        Some(format!("{scheme}://{host}{port}{path}{query}"))
    }
}

/// Splits a data line into values: space-separated, `"…"` quoted (a
/// doubled `""` inside is a quote), `[…]` bracketed (ProxySG's
/// `localtime`). `None` when a quote or bracket is not closed.
fn tokens(line: &str) -> Option<Vec<&str>> {
    let mut out = Vec::with_capacity(32);
    let mut rest = line.trim();
    while !rest.is_empty() {
        if let Some(body) = rest.strip_prefix('"') {
            let mut end = None;
            let bytes = body.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if bytes.get(i) == Some(&b'"') {
                    if bytes.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    end = Some(i);
                    break;
                }
                i += 1;
            }
            let end = end?;
            out.push(body.get(..end)?);
            rest = body.get(end + 1..)?.trim_start();
        } else if rest.starts_with('[') {
            let end = rest.find(']')?;
            out.push(rest.get(..=end)?);
            rest = rest.get(end + 1..)?.trim_start();
        } else {
            let end = rest.find([' ', '\t']).unwrap_or(rest.len());
            out.push(rest.get(..end)?);
            rest = rest.get(end..)?.trim_start();
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::ctx;
    use crate::timestamp::rfc3339;

    const PROXYSG: &str = "#Fields: date time time-taken c-ip cs-username cs-auth-group x-exception-id sc-filter-result cs-categories cs(Referer) sc-status s-action cs-method rs(Content-Type) cs-uri-scheme cs-host cs-uri-port cs-uri-path cs-uri-query cs-uri-extension cs(User-Agent) s-ip sc-bytes cs-bytes x-virus-id";

    fn proxysg() -> Fields {
        Fields::from_directive(PROXYSG).unwrap()
    }

    #[test]
    fn proxysg_main_format() {
        let line = r#"2026-11-23 01:00:00 35 10.40.1.15 tanaka - - OBSERVED "Technology/Internet" - 200 TCP_NC_MISS POST text/html https Upload.Example.com 443 /api/v2/files ?name=a.xlsx xlsx "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" 10.40.0.3 830 2097152 -"#;
        let r = parse(line, &proxysg(), &ctx()).unwrap();
        assert_eq!(r.time, rfc3339("2026-11-23T01:00:00Z").unwrap());
        assert_eq!(r.duration_ms, Some(35));
        assert_eq!(r.src_ip.as_deref(), Some("10.40.1.15"));
        assert_eq!(r.user.as_deref(), Some("tanaka"));
        assert_eq!(r.action.as_deref(), Some("OBSERVED"));
        assert_eq!(r.category.as_deref(), Some("Technology/Internet"));
        assert_eq!(r.status, Some(200));
        assert_eq!(r.method.as_deref(), Some("POST"));
        assert_eq!(r.content_type.as_deref(), Some("text/html"));
        assert_eq!(
            r.url.as_deref(),
            Some("https://Upload.Example.com/api/v2/files?name=a.xlsx")
        );
        assert_eq!(r.url_host.as_deref(), Some("upload.example.com"));
        assert_eq!(r.url_path.as_deref(), Some("/api/v2/files"));
        assert_eq!((r.bytes_in, r.bytes_out), (Some(830), Some(2_097_152)));
        assert_eq!(
            r.user_agent.as_deref(),
            Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
        );
    }

    #[test]
    fn denied_connect_with_dashes() {
        let line = r#"2026-11-23 01:00:05 1 10.40.1.16 - - policy_denied DENIED "File Storage/Sharing" - 403 TCP_DENIED CONNECT - tcp files.example.net 443 / - - - 10.40.0.3 248 0 -"#;
        let r = parse(line, &proxysg(), &ctx()).unwrap();
        assert_eq!(r.user, None);
        assert_eq!(r.action.as_deref(), Some("DENIED"));
        assert_eq!(r.url_host.as_deref(), Some("files.example.net"));
        assert_eq!(r.status, Some(403));
        assert_eq!(r.user_agent, None);
    }

    #[test]
    fn iis_with_plus_for_spaces() {
        let fields = Fields::from_directive("#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken").unwrap();
        let line = "2026-11-23 00:59:59.123 10.40.0.20 GET /owa/auth/logon.aspx replaceCurrent=1 443 - 198.51.100.7 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 15";
        let r = parse(line, &fields, &ctx()).unwrap();
        assert_eq!(r.time, rfc3339("2026-11-23T00:59:59.123Z").unwrap());
        assert_eq!(r.url_path.as_deref(), Some("/owa/auth/logon.aspx"));
        assert_eq!(r.url_host, None);
        assert_eq!(
            r.user_agent.as_deref(),
            Some("Mozilla/5.0 (Windows NT 10.0)")
        );
        assert_eq!(r.duration_ms, Some(15));
    }

    #[test]
    fn localtime_is_read_in_the_source_zone() {
        let fields = Fields::from_directive("#Fields: localtime c-ip cs-uri sc-status").unwrap();
        let r = parse(
            "\"2026-11-23 10:00:00\" 10.0.0.1 http://a.example.jp/x 200",
            &fields,
            &ctx(),
        )
        .unwrap();
        assert_eq!(r.time, rfc3339("2026-11-23T01:00:00Z").unwrap());
        assert_eq!(r.url_host.as_deref(), Some("a.example.jp"));
        let r = parse(
            "[23/Nov/2026:10:00:00 +0900] 10.0.0.1 http://a.example.jp/x 200",
            &fields,
            &ctx(),
        )
        .unwrap();
        assert_eq!(r.time, rfc3339("2026-11-23T01:00:00Z").unwrap());
    }

    #[test]
    fn doubled_quotes_inside_a_value() {
        assert_eq!(
            tokens(r#"a "b ""c"" d" e"#).unwrap(),
            vec!["a", r#"b ""c"" d"#, "e"]
        );
        assert_eq!(tokens(r#"a "open"#), None);
    }

    #[test]
    fn mismatched_or_bad_lines_say_why() {
        let fields = proxysg();
        for (line, why) in [
            ("2026-11-23 01:00:00 35", "3 values for 25"),
            (r#"2026-11-23 01:00:00 "unterminated"#, "unterminated"),
        ] {
            let err = parse(line, &fields, &ctx()).unwrap_err().to_string();
            assert!(err.contains(why), "{line}: {err}");
        }
        let small = Fields::from_directive("#Fields: date time sc-bytes").unwrap();
        let err = parse("2026-11-23 01:00:00 lots", &small, &ctx()).unwrap_err();
        assert!(
            err.to_string().contains("sc-bytes is not a number"),
            "{err}"
        );
        let err = parse("2026-13-45 01:00:00 1", &small, &ctx()).unwrap_err();
        assert!(err.to_string().contains("date/time"), "{err}");
    }

    #[test]
    fn directives_and_data_are_told_apart() {
        assert!(is_directive("#Software: SGOS 6.7.5.3"));
        assert!(is_directive(PROXYSG));
        assert!(!is_directive("#1 not a directive"));
        assert!(Fields::from_directive("#Version: 1.0").is_none());
        assert!(looks_like_data("2026-11-23 01:00:00 35 10.0.0.1"));
        assert!(!looks_like_data("2026-11-23T01:00:00Z host app: x"));
    }
}
