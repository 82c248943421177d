//! Syslog headers: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`),
//! RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`) and the file format
//! daemons write to /var/log (the RFC 3164 shape without PRI).

use nom::{
    IResult, Parser,
    bytes::complete::{take_while_m_n, take_while1},
    character::complete::char,
    combinator::{map_res, opt},
    sequence::delimited,
};

use crate::timestamp::{self, preview};
use crate::{ParseContext, ParseError, SyslogRecord};

/// Longest TAG (app name) accepted in an RFC 3164 header.
const MAX_TAG: usize = 64;

/// Parses one syslog line in any of the supported shapes.
pub fn parse(line: &str, ctx: &ParseContext) -> Result<SyslogRecord, ParseError> {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    if !line.starts_with('<') {
        return rfc3164_body(line, None, ctx);
    }
    let (rest, pri) = pri(line)?;
    match rest.strip_prefix("1 ") {
        Some(rest) => rfc5424_body(rest, pri, ctx),
        None => rfc3164_body(rest, Some(pri), ctx),
    }
}

/// `<PRI>`: 1–3 digits, at most 191 (facility 23, severity 7).
fn pri(line: &str) -> Result<(&str, u8), ParseError> {
    let parsed: IResult<&str, u8> = delimited(
        char('<'),
        map_res(
            take_while_m_n(1, 3, |c: char| c.is_ascii_digit()),
            str::parse::<u8>,
        ),
        char('>'),
    )
    .parse(line);
    match parsed {
        Ok((rest, pri)) if pri <= 191 => Ok((rest, pri)),
        Ok((_, pri)) => Err(ParseError::Pri(format!("{pri} is above 191"))),
        Err(_) => Err(ParseError::Pri(format!(
            "expected `<0>`..`<191>` at `{}`",
            preview(line)
        ))),
    }
}

fn split_pri(pri: Option<u8>) -> (Option<u8>, Option<u8>) {
    (pri.map(|p| p / 8), pri.map(|p| p % 8))
}

/// RFC 3164 after the PRI (or a file line): timestamp, host, then an
/// optional `TAG[PID]:` before the message. A header that names no host
/// (`Nov 22 09:00:00 sshd[1]: …`, sent by some appliances) is accepted.
fn rfc3164_body(
    input: &str,
    pri: Option<u8>,
    ctx: &ParseContext,
) -> Result<SyslogRecord, ParseError> {
    let (rest, time) = timestamp::parse_leading(input, ctx)?;
    let rest = rest.trim_start_matches(' ');
    let (facility, severity) = split_pri(pri);
    let mut record = SyslogRecord {
        time,
        facility,
        severity,
        host: None,
        app_name: None,
        procid: None,
        msgid: None,
        structured_data: None,
        message: String::new(),
    };
    let (first, after_first) = rest.split_once(' ').unwrap_or((rest, ""));
    let body = if first.is_empty() {
        return Err(ParseError::Header(
            "no host or message after the timestamp".into(),
        ));
    } else if first.ends_with(':') || first.contains('[') {
        rest
    } else {
        record.host = Some(first.to_owned());
        after_first
    };
    match tag(body) {
        Ok((message, (app, procid))) => {
            record.app_name = Some(app.to_owned());
            record.procid = procid.map(str::to_owned);
            record.message = message.strip_prefix(' ').unwrap_or(message).to_owned();
        }
        Err(_) => record.message = body.to_owned(),
    }
    Ok(record)
}

/// `TAG[PID]:` or `TAG:`.
fn tag(i: &str) -> IResult<&str, (&str, Option<&str>)> {
    let (i, app) = take_while_m_n(1, MAX_TAG, |c: char| {
        !c.is_whitespace() && c != '[' && c != ':' && !c.is_control()
    })
    .parse(i)?;
    let (i, procid) = opt(delimited(
        char('['),
        take_while1(|c: char| c != ']' && !c.is_whitespace()),
        char(']'),
    ))
    .parse(i)?;
    let (i, _) = char(':').parse(i)?;
    Ok((i, (app, procid)))
}

/// `s` split at its first space: before it, and after it (`""` when
/// there is none).
fn split_space(s: &str) -> (&str, &str) {
    match memchr::memchr(b' ', s.as_bytes()) {
        // A space is one byte: both sides are on character boundaries.
        Some(i) => (s.get(..i).unwrap_or(s), s.get(i + 1..).unwrap_or("")),
        None => (s, ""),
    }
}

/// The RFC 5424 header fields before STRUCTURED-DATA: TIMESTAMP, HOSTNAME,
/// APP-NAME, PROCID, MSGID, and the rest of the line.
type Header<'a> = [&'a str; 6];

/// Splits the header after `<PRI>1 ` at single spaces; every field but
/// MSGID must be non-empty.
fn rfc5424_header(input: &str) -> Result<Header<'_>, ParseError> {
    let mut rest = input;
    let mut next = |name: &str| {
        let (field, after) = split_space(rest);
        rest = after;
        Some(field)
            .filter(|f| !f.is_empty())
            .ok_or_else(|| ParseError::Header(format!("RFC 5424 header ends before {name}")))
    };
    let time = next("TIMESTAMP")?;
    let host = next("HOSTNAME")?;
    let app = next("APP-NAME")?;
    let procid = next("PROCID")?;
    if rest.is_empty() {
        return Err(ParseError::Header(
            "RFC 5424 header ends before MSGID".into(),
        ));
    }
    // MSGID may be empty (two spaces), but a space must follow it.
    if memchr::memchr(b' ', rest.as_bytes()).is_none() {
        return Err(ParseError::Header(
            "RFC 5424 header ends before STRUCTURED-DATA".into(),
        ));
    }
    let (msgid, rest) = split_space(rest);
    Ok([time, host, app, procid, msgid, rest])
}

/// RFC 5424 after `<PRI>1 `.
fn rfc5424_body(input: &str, pri: u8, ctx: &ParseContext) -> Result<SyslogRecord, ParseError> {
    let [time, host, app, procid, msgid, rest] = rfc5424_header(input)?;
    let (structured_data, message) = structured_data(rest)?;
    let time = if time == "-" {
        ctx.reference
    } else {
        timestamp::rfc3339(time)?
    };
    let nil = |s: &str| (s != "-").then(|| s.to_owned());
    let message = message.strip_prefix(' ').unwrap_or(message);
    let message = message.strip_prefix('\u{feff}').unwrap_or(message);
    let (facility, severity) = split_pri(Some(pri));
    Ok(SyslogRecord {
        time,
        facility,
        severity,
        host: nil(host),
        app_name: nil(app),
        procid: nil(procid),
        msgid: nil(msgid),
        structured_data: structured_data.map(str::to_owned),
        message: message.to_owned(),
    })
}

/// STRUCTURED-DATA: `-` or one or more `[id k="v" …]` elements; inside a
/// quoted value `\"`, `\\` and `\]` are escapes. Returns the elements as
/// sent and the rest of the line.
fn structured_data(input: &str) -> Result<(Option<&str>, &str), ParseError> {
    if let Some(rest) = input.strip_prefix('-') {
        return Ok((None, rest));
    }
    if !input.starts_with('[') {
        return Err(ParseError::StructuredData(format!(
            "expected `-` or `[` at `{}`",
            preview(input)
        )));
    }
    let mut in_quotes = false;
    let mut escaped = false;
    let mut depth_open = false;
    for (idx, c) in input.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' if depth_open => in_quotes = !in_quotes,
            '[' if !in_quotes && !depth_open => depth_open = true,
            ']' if !in_quotes && depth_open => {
                depth_open = false;
                let end = idx + c.len_utf8();
                if !input[end..].starts_with('[') {
                    return Ok((Some(&input[..end]), &input[end..]));
                }
            }
            _ => {}
        }
    }
    Err(ParseError::StructuredData(format!(
        "unterminated element in `{}`",
        preview(input)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::rfc3339;

    fn ctx() -> ParseContext {
        ParseContext::jst(rfc3339("2026-11-23T00:00:00Z").unwrap())
    }

    fn ok(line: &str) -> SyslogRecord {
        parse(line, &ctx()).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    #[test]
    fn rfc3164_with_pri_host_tag_and_pid() {
        let r = ok(
            "<38>Nov 22 09:01:02 lg-file01 sshd[4242]: Accepted password for tanaka from 10.20.1.15 port 51234 ssh2",
        );
        assert_eq!((r.facility, r.severity), (Some(4), Some(6)));
        assert_eq!(r.host.as_deref(), Some("lg-file01"));
        assert_eq!(r.app_name.as_deref(), Some("sshd"));
        assert_eq!(r.procid.as_deref(), Some("4242"));
        assert!(r.message.starts_with("Accepted password"));
        assert_eq!(r.time, rfc3339("2026-11-22T00:01:02Z").unwrap());
    }

    #[test]
    fn file_line_without_pri() {
        let r = ok("Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186");
        assert_eq!((r.facility, r.severity), (None, None));
        assert_eq!(r.host.as_deref(), Some("LabSZ"));
        assert_eq!(r.message, "Invalid user webmaster from 173.234.31.186");
    }

    #[test]
    fn tag_without_pid_and_message_without_tag() {
        let r = ok("<13>Nov  2 01:00:00 inet-fw01 kernel: eth0 link up");
        assert_eq!(r.app_name.as_deref(), Some("kernel"));
        assert_eq!(r.procid, None);
        let r = ok("<13>Nov  2 01:00:00 inet-fw01 just some text here");
        assert_eq!(r.app_name, None);
        assert_eq!(r.message, "just some text here");
    }

    #[test]
    fn header_without_host() {
        let r = ok("<86>Nov 22 09:00:00 sshd[7]: Connection closed");
        assert_eq!(r.host, None);
        assert_eq!(r.app_name.as_deref(), Some("sshd"));
        assert_eq!(r.message, "Connection closed");
    }

    #[test]
    fn rfc5424_full() {
        let r = ok(
            r#"<165>1 2026-11-22T09:01:02.003+09:00 mn-app01 backup 812 ID47 [meta@32473 zone="mynumber" note="a \"q\" \]"][x@1 k="v"] バックアップが完了しました"#,
        );
        assert_eq!((r.facility, r.severity), (Some(20), Some(5)));
        assert_eq!(r.host.as_deref(), Some("mn-app01"));
        assert_eq!(r.app_name.as_deref(), Some("backup"));
        assert_eq!(r.procid.as_deref(), Some("812"));
        assert_eq!(r.msgid.as_deref(), Some("ID47"));
        assert_eq!(
            r.structured_data.as_deref(),
            Some(r#"[meta@32473 zone="mynumber" note="a \"q\" \]"][x@1 k="v"]"#)
        );
        assert_eq!(r.message, "バックアップが完了しました");
    }

    #[test]
    fn rfc5424_nil_values_bom_and_no_message() {
        let r = ok("<14>1 2026-11-22T00:00:00Z - - - - - \u{feff}hello");
        assert_eq!(
            (r.host, r.app_name, r.procid, r.msgid),
            (None, None, None, None)
        );
        assert_eq!(r.message, "hello");
        let r = ok("<14>1 - host app - - -");
        assert_eq!(r.time, ctx().reference);
        assert_eq!(r.message, "");
    }

    /// The header fields as `splitn` finds them, the way this parser
    /// first split them: the reference the byte-wise split must match.
    fn reference_header(input: &str) -> Result<Header<'_>, ParseError> {
        let mut fields = input.splitn(5, ' ');
        let mut next = |name: &str| {
            fields
                .next()
                .filter(|f| !f.is_empty())
                .ok_or_else(|| ParseError::Header(format!("RFC 5424 header ends before {name}")))
        };
        let time = next("TIMESTAMP")?;
        let host = next("HOSTNAME")?;
        let app = next("APP-NAME")?;
        let procid = next("PROCID")?;
        let rest = next("MSGID")?;
        let (msgid, rest) = rest.split_once(' ').ok_or_else(|| {
            ParseError::Header("RFC 5424 header ends before STRUCTURED-DATA".into())
        })?;
        Ok([time, host, app, procid, msgid, rest])
    }

    proptest::proptest! {
        #[test]
        fn rfc5424_fields_split_as_splitn_does(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("-".to_owned()),
                    proptest::strategy::Just("".to_owned()),
                    proptest::strategy::Just("2026-11-22T00:00:00Z".to_owned()),
                    proptest::strategy::Just("[a@1 k=\"v w\"]".to_owned()),
                    "[a-zé\u{feff}]{1,4}",
                ],
                0..9,
            ),
            trailing in proptest::bool::ANY,
        ) {
            let mut input = parts.join(" ");
            if trailing {
                input.push(' ');
            }
            let new = rfc5424_header(&input).map_err(|e| e.to_string());
            let old = reference_header(&input).map_err(|e| e.to_string());
            proptest::prop_assert_eq!(new, old, "{:?}", input);
        }
    }

    #[test]
    fn rejects_with_reasons() {
        let cases = [
            ("", "empty"),
            ("   ", "empty"),
            ("<999>Nov 22 09:00:00 h a: m", "PRI"),
            ("<192>Nov 22 09:00:00 h a: m", "PRI"),
            ("<1x>Nov 22 09:00:00 h a: m", "PRI"),
            ("<13>hello", "timestamp"),
            ("\u{0}\u{1}\u{2}binary", "timestamp"),
            ("<13>1 2026-11-22T00:00:00Z host", "header"),
            (
                "<13>1 2026-11-22T00:00:00Z h a p m [unterminated x=\"1\"",
                "structured data",
            ),
            (
                "<13>1 2026-11-22T00:00:00Z h a p m garbage",
                "structured data",
            ),
            ("Nov 22 09:00:00 ", "header"),
        ];
        for (line, want) in cases {
            let err = parse(line, &ctx()).unwrap_err().to_string();
            assert!(
                err.to_lowercase().contains(&want.to_lowercase()),
                "{line:?} -> {err}"
            );
        }
    }
}
