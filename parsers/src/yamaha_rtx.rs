//! YAMAHA RTX / NVR router logs. The router sends bare messages
//! (`<13> [INSPECT] LAN2[out][101098] TCP 192.168.100.2:51234 >
//! 203.0.113.1:443 (2026/11/23 10:00:00)` — a PRI, no timestamp, no host);
//! relays and files add an RFC 3164 / RFC 3339 timestamp and a host
//! (`<190>Nov 23 10:00:00 192.168.100.1 LAN2 Rejected at IN(200099)
//! filter: TCP …`); `show log` prints `2026/11/23 10:00:00: …`.
//!
//! Mapping:
//!
//! - Filter logs (`LAN2 Rejected at IN(200099) filter: TCP A:p > B:q`):
//!   `log_type` `traffic`, `subtype` `filter`, `action` `deny` for
//!   *Rejected* (a `reject` or `restrict` filter) and `pass` for *Passed*
//!   (the words of the RTX filter configuration, lower-cased), `rule` = the
//!   filter number (or `default`), and the interface goes to `src_zone` for
//!   `IN` filters and to `dst_zone` for `OUT` filters. ICMP lines keep the
//!   ICMP description (`echo request`) in `message`.
//! - Dynamic filter (`[INSPECT] LAN2[out][101098] …`): `subtype` `inspect`,
//!   `action` `pass` (the session was let through), zone as above from
//!   `[in]`/`[out]`, and the timestamp in parentheses, read in
//!   `ctx.offset`, as the record's time.
//! - Login lines (`Login succeeded as administrator for TELNET: A`, `Login
//!   failed for SSH: A`, `Logout from TELNET: A`, optionally behind a tag
//!   such as `[SSH]` or `[HTTPD]`): `log_type` `event`, `subtype` `login` /
//!   `logout`, `action` `success` / `failure` for logins, `app` = the
//!   service as written (`TELNET`), `src_ip` = the client, `message` = the
//!   line's text (it says `as administrator` and any user name).
//! - Anything else the router says (PPP, DHCP, VPN, …) is kept by
//!   [`parse`] as `log_type` `event` with the text in `message`, but not
//!   claimed by [`classify`].
//!
//! Time: the `[INSPECT]` timestamp, else the header's (or `show log`'s)
//! timestamp, else — bare router messages — `ctx.reference`, the time the
//! line was received. Addresses are `a.b.c.d[:port]`, `[v6][:port]`, or a
//! bare IPv6 address without port.

use std::net::IpAddr;

use chrono::{DateTime, TimeZone, Utc};

use std::sync::LazyLock;

use memchr::memmem::Finder;

use crate::panos::slash_datetime;
use crate::record::FirewallRecord;
use crate::timestamp::{self, preview};
use crate::{ParseContext, ParseError, SyslogRecord};

/// True when the line holds an RTX filter or dynamic-filter log: it
/// contains `[INSPECT] `, or `Rejected at ` / `Passed at ` together with
/// `) filter: `. Login lines are not sniffed (their wording is too generic
/// to pick a format by); they are claimed by [`classify`] on the syslog
/// path. Could be confused with another vendor's message quoting RTX
/// wording, which is unlikely.
pub fn looks_like(line: &str) -> bool {
    // One pass over the `[` and `)` bytes finds both markers; the verbs
    // are looked for only when `) filter: ` is there.
    static REJECTED: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("Rejected at "));
    static PASSED: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("Passed at "));
    let b = line.as_bytes();
    let mut filter = false;
    for i in memchr::memchr2_iter(b'[', b')', b) {
        let rest = b.get(i..).unwrap_or_default();
        if rest.starts_with(b"[INSPECT] ") {
            return true;
        }
        filter = filter || rest.starts_with(b") filter: ");
    }
    filter && (REJECTED.find(b).is_some() || PASSED.find(b).is_some())
}

/// Parses one RTX log line: bare, behind a PRI, behind a syslog header
/// (with or without host), or in `show log` form.
pub fn parse(line: &str, ctx: &ParseContext) -> Result<FirewallRecord, ParseError> {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let after_pri = strip_pri(line)?;
    let text = after_pri.trim_start();
    if after_pri.len() != line.len() && text.starts_with("1 ") {
        let record = crate::syslog::parse(line, ctx)?;
        let body = record.message.trim_start();
        return Ok(match interpret(body) {
            Some(event) => build(event, body, record.time, record.host, ctx),
            None => other(body, record.time, record.host),
        });
    }
    if let Some(time) = text.get(..19).and_then(|t| local(t, ctx)) {
        let body = text
            .get(19..)
            .unwrap_or("")
            .trim_start_matches(':')
            .trim_start();
        return finish(body, time, None, ctx, line);
    }
    match timestamp::parse_leading(text, ctx) {
        Ok((rest, time)) => {
            let rest = rest.trim_start();
            if let Some(event) = interpret(rest) {
                return Ok(build(event, rest, time, None, ctx));
            }
            let (first, after) = rest.split_once(' ').unwrap_or((rest, ""));
            let after = after.trim_start();
            if first.contains('[') || first.ends_with(':') {
                return finish(rest, time, None, ctx, line);
            }
            finish(after, time, Some(first), ctx, line)
        }
        Err(_) => finish(text, ctx.reference, None, ctx, line),
    }
}

/// Returns the RTX filter, dynamic-filter or login event in a syslog
/// record, if it is one. The header supplies time and host. When the
/// sender named no host, the RFC 3164 parser takes the message's first
/// word (`LAN2`, `Login`) for the host; the line is then put back together.
pub fn classify(record: &SyslogRecord) -> Option<FirewallRecord> {
    let body = record.message.trim_start();
    // Every syslog record passes here: rule out the others cheaply — RTX
    // messages start `[INSPECT]` or `Login…`/`Logout…` (perhaps after a
    // tag), or say `Rejected at` / `Passed at`. (A header-less `Login
    // failed …` has had `Login` taken for its host.)
    let login_as_host = matches!(record.host.as_deref(), Some("Login" | "Logout"));
    let candidate = login_as_host
        || body.starts_with("[INSPECT]")
        || untagged(body).starts_with("Log")
        || body.contains("ed at ");
    if !candidate {
        return None;
    }
    let ctx = ParseContext::jst(record.time);
    if let Some(event) = interpret(body) {
        let mut out = build(event, body, record.time, record.host.clone(), &ctx);
        out.time = record.time;
        return Some(out);
    }
    let host = record.host.as_deref()?;
    let joined = format!("{host} {body}");
    let event = interpret(&joined)?;
    let mut out = build(event, &joined, record.time, None, &ctx);
    out.time = record.time;
    Some(out)
}

fn strip_pri(line: &str) -> Result<&str, ParseError> {
    let Some(rest) = line.strip_prefix('<') else {
        return Ok(line);
    };
    match rest.split_once('>') {
        Some((pri, body))
            if (1..=3).contains(&pri.len())
                && pri.bytes().all(|b| b.is_ascii_digit())
                && pri.parse::<u8>().is_ok_and(|p| p <= 191) =>
        {
            Ok(body)
        }
        _ => Err(ParseError::Yamaha(format!(
            "expected `<0>`..`<191>` at `{}`",
            preview(line)
        ))),
    }
}

/// Builds the record for `body` (the message after any header).
fn finish(
    body: &str,
    time: DateTime<Utc>,
    host: Option<&str>,
    ctx: &ParseContext,
    line: &str,
) -> Result<FirewallRecord, ParseError> {
    if body.is_empty() {
        return Err(ParseError::Yamaha(format!(
            "expected a message after the header in `{}`",
            preview(line)
        )));
    }
    let host = host.map(str::to_owned);
    Ok(match interpret(body) {
        Some(event) => build(event, body, time, host, ctx),
        None => other(body, time, host),
    })
}

/// A message the router sent that is neither a filter nor a login log.
fn other(body: &str, time: DateTime<Utc>, host: Option<String>) -> FirewallRecord {
    FirewallRecord {
        log_type: Some("event".into()),
        message: Some(body.to_owned()),
        ..FirewallRecord::new(time, host)
    }
}

/// `YYYY/MM/DD hh:mm:ss` in the context's offset.
fn local(text: &str, ctx: &ParseContext) -> Option<DateTime<Utc>> {
    ctx.offset
        .from_local_datetime(&slash_datetime(text)?)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// What an RTX message says, borrowed from its text.
enum Event<'a> {
    Traffic {
        subtype: &'static str,
        action: &'static str,
        interface: &'a str,
        inbound: bool,
        rule: &'a str,
        packet: Packet<'a>,
        /// The `[INSPECT]` timestamp.
        time: Option<&'a str>,
    },
    Login {
        subtype: &'static str,
        action: Option<&'static str>,
        service: &'a str,
        client: Option<&'a str>,
    },
}

/// `TCP 192.168.100.2:51234 > 203.0.113.1:443 [: detail]`.
struct Packet<'a> {
    proto: &'a str,
    src: (&'a str, Option<u16>),
    dst: (&'a str, Option<u16>),
    /// Text after the destination (ICMP type, the INSPECT timestamp).
    tail: &'a str,
}

fn interpret(text: &str) -> Option<Event<'_>> {
    if let Some(rest) = text.strip_prefix("[INSPECT] ") {
        return inspect(rest);
    }
    filter(untagged(text)).or_else(|| login(text))
}

/// The text after a leading facility tag such as `[IP] ` (some firmware
/// and relays put one before filter logs).
fn untagged(text: &str) -> &str {
    text.strip_prefix('[')
        .and_then(|rest| rest.split_once("] "))
        .filter(|(tag, _)| !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_uppercase()))
        .map_or(text, |(_, rest)| rest)
}

/// `LAN2[out][101098] TCP A:p > B:q (2026/11/23 10:00:00)`.
fn inspect(text: &str) -> Option<Event<'_>> {
    let (where_, rest) = text.trim_start().split_once(' ')?;
    let (head, rule) = where_.strip_suffix(']')?.rsplit_once('[')?;
    let (interface, direction) = head.strip_suffix(']')?.rsplit_once('[')?;
    let inbound = match direction {
        "in" => true,
        "out" => false,
        _ => return None,
    };
    let packet = packet(rest)?;
    let time = packet
        .tail
        .trim()
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'));
    Some(Event::Traffic {
        subtype: "inspect",
        action: "pass",
        interface: nonempty(interface)?,
        inbound,
        rule: nonempty(rule)?,
        packet,
        time,
    })
}

/// `LAN2 Rejected at IN(200099) filter: TCP A:p > B:q`.
fn filter(text: &str) -> Option<Event<'_>> {
    let (interface, rest) = text.split_once(' ')?;
    let (action, rest) = if let Some(rest) = rest.strip_prefix("Rejected at ") {
        ("deny", rest)
    } else {
        ("pass", rest.strip_prefix("Passed at ")?)
    };
    let (inbound, rest) = if let Some(rest) = rest.strip_prefix("IN(") {
        (true, rest)
    } else {
        (false, rest.strip_prefix("OUT(")?)
    };
    let (rule, rest) = rest.split_once(") filter:")?;
    Some(Event::Traffic {
        subtype: "filter",
        action,
        interface: nonempty(interface)?,
        inbound,
        rule: nonempty(rule)?,
        packet: packet(rest)?,
        time: None,
    })
}

/// `TCP A:p > B:q[ rest]`.
fn packet(text: &str) -> Option<Packet<'_>> {
    let mut words = text.trim_start().splitn(4, ' ');
    let proto = nonempty(words.next()?)?;
    let src = address(words.next()?)?;
    if words.next()? != ">" {
        return None;
    }
    let rest = words.next()?;
    let (dst, tail) = rest.split_once(' ').unwrap_or((rest, ""));
    Some(Packet {
        proto,
        src,
        dst: address(dst)?,
        tail,
    })
}

/// `a.b.c.d`, `a.b.c.d:port`, `[v6]:port`, `[v6]` or a bare IPv6 address.
fn address(token: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = token.strip_prefix('[') {
        let (ip, port) = rest.split_once(']')?;
        let port = match port.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if port.is_empty() => None,
            None => return None,
        };
        return ip.parse::<IpAddr>().is_ok().then_some((ip, port));
    }
    if token.parse::<IpAddr>().is_ok() {
        return Some((token, None));
    }
    let (ip, port) = token.rsplit_once(':')?;
    (ip.parse::<std::net::Ipv4Addr>().is_ok()).then_some(())?;
    Some((ip, Some(port.parse().ok()?)))
}

/// `[SSH] Login succeeded as administrator for SSH: A`, `Login failed for
/// TELNET: A`, `Logout from TELNET: A`.
fn login(text: &str) -> Option<Event<'_>> {
    let text = match text.strip_prefix('[') {
        Some(tagged) => tagged.split_once("] ")?.1,
        None => text,
    };
    let (subtype, action) = if text.starts_with("Login succeeded") {
        ("login", Some("success"))
    } else if text.starts_with("Login failed") {
        ("login", Some("failure"))
    } else if text.starts_with("Logout") {
        ("logout", None)
    } else {
        return None;
    };
    let (before, after) = text.split_once(": ").unwrap_or((text, ""));
    let (connector, service) = before.rsplit_once(' ')?;
    let service = service.strip_suffix(':').unwrap_or(service);
    if !(connector.ends_with(" for") || connector.ends_with(" from"))
        || service.is_empty()
        || !service
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return None;
    }
    let client = after
        .split([' ', ','])
        .next()
        .filter(|c| c.parse::<IpAddr>().is_ok());
    Some(Event::Login {
        subtype,
        action,
        service,
        client,
    })
}

fn nonempty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn build(
    event: Event<'_>,
    body: &str,
    time: DateTime<Utc>,
    host: Option<String>,
    ctx: &ParseContext,
) -> FirewallRecord {
    let mut out = FirewallRecord::new(time, host);
    match event {
        Event::Traffic {
            subtype,
            action,
            interface,
            inbound,
            rule,
            packet,
            time,
        } => {
            if let Some(t) = time.and_then(|t| local(t, ctx)) {
                out.time = t;
            }
            out.log_type = Some("traffic".into());
            out.subtype = Some(subtype.into());
            out.action = Some(action.into());
            out.rule = Some(rule.to_owned());
            if inbound {
                out.src_zone = Some(interface.to_owned());
            } else {
                out.dst_zone = Some(interface.to_owned());
            }
            out.proto = Some(packet.proto.to_ascii_lowercase());
            out.src_ip = Some(packet.src.0.to_owned());
            out.src_port = packet.src.1;
            out.dst_ip = Some(packet.dst.0.to_owned());
            out.dst_port = packet.dst.1;
            if subtype == "filter" {
                let detail = packet.tail.trim().trim_start_matches(':').trim_start();
                out.message = nonempty(detail).map(str::to_owned);
            }
        }
        Event::Login {
            subtype,
            action,
            service,
            client,
        } => {
            out.log_type = Some("event".into());
            out.subtype = Some(subtype.into());
            out.action = action.map(str::to_owned);
            out.app = Some(service.to_owned());
            out.src_ip = client.map(str::to_owned);
            out.message = Some(body.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{ctx, record};
    use crate::timestamp::rfc3339;

    const INSPECT: &str = "<190>Nov 23 10:00:05 192.168.100.1 [INSPECT] LAN2[out][101098] TCP 192.168.100.2:51234 > 203.0.113.1:443 (2026/11/23 10:00:00)";
    const REJECT_IN: &str = "<190>Nov 23 10:00:00 192.168.100.1 LAN2 Rejected at IN(200099) filter: TCP 203.0.113.5:51234 > 192.168.100.1:23";

    fn ok(line: &str) -> FirewallRecord {
        parse(line, &ctx()).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    fn endpoints(r: &FirewallRecord) -> (Option<&str>, Option<u16>, Option<&str>, Option<u16>) {
        (
            r.src_ip.as_deref(),
            r.src_port,
            r.dst_ip.as_deref(),
            r.dst_port,
        )
    }

    #[test]
    fn inspect_behind_relay_header_uses_the_router_timestamp() {
        let r = ok(INSPECT);
        assert_eq!(r.time, rfc3339("2026-11-23T01:00:00Z").unwrap());
        assert_eq!(r.host.as_deref(), Some("192.168.100.1"));
        assert_eq!(
            (
                r.log_type.as_deref(),
                r.subtype.as_deref(),
                r.action.as_deref()
            ),
            (Some("traffic"), Some("inspect"), Some("pass"))
        );
        assert_eq!(r.rule.as_deref(), Some("101098"));
        assert_eq!(
            (r.src_zone.as_deref(), r.dst_zone.as_deref()),
            (None, Some("LAN2"))
        );
        assert_eq!(r.proto.as_deref(), Some("tcp"));
        assert_eq!(
            endpoints(&r),
            (
                Some("192.168.100.2"),
                Some(51234),
                Some("203.0.113.1"),
                Some(443)
            )
        );
        assert_eq!(r.message, None);
    }

    #[test]
    fn bare_router_message_with_pri_only() {
        let r = ok(
            "<13> [INSPECT] PP[01][out][200080] UDP 10.40.1.15:53000 > 198.51.100.53:53 (2026/11/23 09:59:59)",
        );
        assert_eq!(r.time, rfc3339("2026-11-23T00:59:59Z").unwrap());
        assert_eq!(r.host, None);
        assert_eq!(r.dst_zone.as_deref(), Some("PP[01]"));
        assert_eq!(r.rule.as_deref(), Some("200080"));
        assert_eq!(r.proto.as_deref(), Some("udp"));

        let r = ok(
            "<13>TUNNEL[1] Rejected at IN(300001) filter: UDP 198.51.100.7:500 > 203.0.113.1:500",
        );
        assert_eq!(r.time, ctx().reference);
        assert_eq!(r.src_zone.as_deref(), Some("TUNNEL[1]"));
        assert_eq!(r.host, None);
    }

    #[test]
    fn a_leading_facility_tag_is_skipped() {
        let r = ok(
            "<190>Nov 23 10:00:00 rtx1210 [IP] LAN2 Rejected at IN(200099) filter: TCP 203.0.113.5:51234 > 192.168.100.1:23",
        );
        assert_eq!(r.rule.as_deref(), Some("200099"));
        assert_eq!(r.src_zone.as_deref(), Some("LAN2"));
    }

    #[test]
    fn rejected_in_goes_to_src_zone() {
        let r = ok(REJECT_IN);
        assert_eq!(r.time, rfc3339("2026-11-23T01:00:00Z").unwrap());
        assert_eq!(r.host.as_deref(), Some("192.168.100.1"));
        assert_eq!(
            (r.subtype.as_deref(), r.action.as_deref(), r.rule.as_deref()),
            (Some("filter"), Some("deny"), Some("200099"))
        );
        assert_eq!(
            (r.src_zone.as_deref(), r.dst_zone.as_deref()),
            (Some("LAN2"), None)
        );
        assert_eq!(
            endpoints(&r),
            (
                Some("203.0.113.5"),
                Some(51234),
                Some("192.168.100.1"),
                Some(23)
            )
        );
    }

    #[test]
    fn rejected_out_goes_to_dst_zone_and_header_without_host() {
        let r = ok(
            "<190>Nov 23 10:00:00 LAN2 Rejected at OUT(200030) filter: UDP 192.168.100.5:137 > 203.0.113.9:137",
        );
        assert_eq!(r.host, None);
        assert_eq!(
            (r.src_zone.as_deref(), r.dst_zone.as_deref()),
            (None, Some("LAN2"))
        );
        assert_eq!(r.action.as_deref(), Some("deny"));
        assert_eq!(r.rule.as_deref(), Some("200030"));
        assert_eq!(r.proto.as_deref(), Some("udp"));
    }

    #[test]
    fn passed_icmp_keeps_the_icmp_description() {
        let r = ok(
            "Nov 23 10:00:00 rtx1210-honcho LAN1.2 Passed at IN(200100) filter: ICMP 203.0.113.5 > 192.168.100.1 : echo request",
        );
        assert_eq!(r.host.as_deref(), Some("rtx1210-honcho"));
        assert_eq!(r.action.as_deref(), Some("pass"));
        assert_eq!(r.src_zone.as_deref(), Some("LAN1.2"));
        assert_eq!(r.proto.as_deref(), Some("icmp"));
        assert_eq!(
            endpoints(&r),
            (Some("203.0.113.5"), None, Some("192.168.100.1"), None)
        );
        assert_eq!(r.message.as_deref(), Some("echo request"));
    }

    #[test]
    fn default_filter_and_ipv6() {
        let r = ok(
            "<190>Nov 23 10:00:00 rtx830 LAN2 Rejected at IN(default) filter: TCP [2001:db8::5]:51234 > [2001:db8:40::1]:22",
        );
        assert_eq!(r.rule.as_deref(), Some("default"));
        assert_eq!(
            endpoints(&r),
            (
                Some("2001:db8::5"),
                Some(51234),
                Some("2001:db8:40::1"),
                Some(22)
            )
        );
        let r = ok("LAN2 Rejected at IN(101000) filter: ICMP6 2001:db8::5 > 2001:db8:40::1");
        assert_eq!(
            endpoints(&r),
            (Some("2001:db8::5"), None, Some("2001:db8:40::1"), None)
        );
        assert_eq!(r.proto.as_deref(), Some("icmp6"));
    }

    #[test]
    fn show_log_format() {
        let r = ok(
            "2026/11/23 10:00:00: LAN2 Rejected at IN(200099) filter: TCP 203.0.113.5:51234 > 192.168.100.1:23",
        );
        assert_eq!(r.time, rfc3339("2026-11-23T01:00:00Z").unwrap());
        assert_eq!(r.host, None);
        assert_eq!(r.rule.as_deref(), Some("200099"));
    }

    #[test]
    fn rfc5424_header() {
        let r = ok(
            "<190>1 2026-11-23T10:00:00+09:00 rtx1300 - - - - LAN2 Rejected at IN(200099) filter: TCP 203.0.113.5:51234 > 192.168.100.1:23",
        );
        assert_eq!(r.host.as_deref(), Some("rtx1300"));
        assert_eq!(r.time, rfc3339("2026-11-23T01:00:00Z").unwrap());
        assert_eq!(r.action.as_deref(), Some("deny"));
    }

    #[test]
    fn login_events() {
        let r = ok(
            "<190>Nov 23 10:00:00 192.168.100.1 Login succeeded as administrator for TELNET: 192.168.100.2",
        );
        assert_eq!(
            (
                r.log_type.as_deref(),
                r.subtype.as_deref(),
                r.action.as_deref()
            ),
            (Some("event"), Some("login"), Some("success"))
        );
        assert_eq!(r.app.as_deref(), Some("TELNET"));
        assert_eq!(r.src_ip.as_deref(), Some("192.168.100.2"));
        assert_eq!(r.host.as_deref(), Some("192.168.100.1"));
        assert_eq!(
            r.message.as_deref(),
            Some("Login succeeded as administrator for TELNET: 192.168.100.2")
        );

        let r = ok("<190>Login failed for TELNET: 192.168.100.9");
        assert_eq!(
            (
                r.subtype.as_deref(),
                r.action.as_deref(),
                r.src_ip.as_deref()
            ),
            (Some("login"), Some("failure"), Some("192.168.100.9"))
        );
        let r = ok("Nov 23 10:00:00 rtx1210 Logout from TELNET: 192.168.100.2");
        assert_eq!(
            (r.subtype.as_deref(), r.action.as_deref(), r.app.as_deref()),
            (Some("logout"), None, Some("TELNET"))
        );
        let r =
            ok("<190>Nov 23 10:00:00 rtx1210 [SSH] Login succeeded for SSH: 10.40.1.20 (netadmin)");
        assert_eq!(
            (r.app.as_deref(), r.src_ip.as_deref()),
            (Some("SSH"), Some("10.40.1.20"))
        );
        let r = ok("Login failed for CONSOLE");
        assert_eq!((r.app.as_deref(), r.src_ip), (Some("CONSOLE"), None));
    }

    #[test]
    fn other_messages_are_events() {
        let r = ok("<190>Nov 23 10:00:00 192.168.100.1 PP[01] PPPoE Connect");
        assert_eq!(r.log_type.as_deref(), Some("event"));
        assert_eq!(r.host.as_deref(), Some("192.168.100.1"));
        assert_eq!(r.message.as_deref(), Some("PP[01] PPPoE Connect"));
        assert_eq!(r.subtype, None);
        let r = ok("<190>Nov 23 10:00:00 PP[01] PPPoE Connect");
        assert_eq!(r.host, None);
        assert_eq!(r.message.as_deref(), Some("PP[01] PPPoE Connect"));
        // A filter line cut short is kept as text, not half-parsed.
        let r = ok("LAN2 Rejected at IN(200099) filter: TCP 203.0.113.5:51234 >");
        assert_eq!(
            (r.log_type.as_deref(), r.action.as_deref()),
            (Some("event"), None)
        );
        let r = ok("LAN2 Rejected at IN(200099) filter: TCP 203.0.113.5:99999 > 192.168.100.1:23");
        assert_eq!(r.log_type.as_deref(), Some("event"));
    }

    #[test]
    fn rejects_with_reasons() {
        assert_eq!(parse("", &ctx()), Err(ParseError::Empty));
        assert_eq!(parse("\r\n", &ctx()), Err(ParseError::Empty));
        for (line, want) in [
            (
                "<999>LAN2 Rejected at IN(1) filter: TCP 1.2.3.4:1 > 5.6.7.8:2",
                "expected `<0>`",
            ),
            ("<13x>hello", "expected `<0>`"),
            ("<190>Nov 23 10:00:00 ", "expected a message"),
            ("2026/11/23 10:00:00:", "expected a message"),
        ] {
            let e = parse(line, &ctx()).unwrap_err().to_string();
            assert!(e.starts_with("malformed YAMAHA RTX log"), "{line}: {e}");
            assert!(e.contains(want), "{line}: {e}");
        }
    }

    #[test]
    fn sniffing() {
        assert!(looks_like(INSPECT));
        assert!(looks_like(REJECT_IN));
        assert!(looks_like(
            "<13> [INSPECT] LAN2[in][1] TCP 1.2.3.4:1 > 5.6.7.8:2"
        ));
        assert!(!looks_like("Login succeeded for TELNET: 192.168.100.2"));
        assert!(!looks_like(
            "<38>Nov 22 09:01:02 h sshd[1]: Rejected at the gate"
        ));
        assert!(!looks_like(""));
    }

    #[test]
    fn classify_with_and_without_host() {
        let with_host = record(REJECT_IN);
        let r = classify(&with_host).unwrap();
        assert_eq!(r.host.as_deref(), Some("192.168.100.1"));
        assert_eq!(r.time, with_host.time);
        assert_eq!(r.src_zone.as_deref(), Some("LAN2"));

        let inspect = record(INSPECT);
        let r = classify(&inspect).unwrap();
        assert_eq!(r.time, inspect.time);
        assert_eq!(r.subtype.as_deref(), Some("inspect"));

        let no_host = record(
            "<190>Nov 23 10:00:00 LAN2 Rejected at OUT(200030) filter: UDP 192.168.100.5:137 > 203.0.113.9:137",
        );
        let r = classify(&no_host).unwrap();
        assert_eq!((r.host, r.dst_zone.as_deref()), (None, Some("LAN2")));

        let login = record("<190>Nov 23 10:00:00 Login failed for SSH: 192.168.100.9");
        let r = classify(&login).unwrap();
        assert_eq!(
            (r.host, r.action.as_deref(), r.src_ip.as_deref()),
            (None, Some("failure"), Some("192.168.100.9"))
        );

        for line in [
            "<190>Nov 23 10:00:00 192.168.100.1 PP[01] PPPoE Connect",
            "<38>Nov 22 09:01:02 lg-file01 sshd[4242]: Accepted password for tanaka",
            "<38>Nov 22 09:01:02 lg-file01 app: Login failed for tanaka: bad password",
        ] {
            assert_eq!(classify(&record(line)), None, "{line}");
        }
    }
}
