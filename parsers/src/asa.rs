//! Cisco ASA (and Firepower Threat Defense `%FTD-`, legacy PIX `%PIX-`)
//! syslog messages: `<166>Nov 23 2026 10:00:00: %ASA-6-302013: Built
//! outbound TCP connection 12345 for outside:203.0.113.20/443
//! (203.0.113.20/443) to inside:10.40.1.15/51234 (198.51.100.2/51234)`.
//!
//! Headers vary with `logging timestamp` / `logging device-id`: a BSD time
//! with or without year (read in `ctx.offset`), a trailing `:`, a host, an
//! RFC 5424 header (`logging timestamp rfc5424`), or nothing at all
//! (`<166>%ASA-…` with timestamps off — the record then gets
//! `ctx.reference`, the time it was received, as its time).
//!
//! Every record has `subtype` = the message id without `%`
//! (`ASA-6-302013`) and `message` = the device's text after the id.
//!
//! - `log_type` `traffic`: 302013/302015 (built TCP/UDP, `action` `accept`),
//!   302014/302016 (teardown, `action` `close`), 106001, 106006, 106015,
//!   106021, 106023, 106100, 313001, 710003 (`action` `deny`, or `accept`
//!   for 106100 `permitted` / `est-allowed`). Addresses are the real
//!   (pre-NAT) ones. For *built* messages the direction word decides the
//!   source: `outbound` connections were initiated by the second (`to`)
//!   side, `inbound` ones by the first (`for`) side. *Teardown* messages do
//!   not say; they list the sides in the same order as the matching *built*
//!   message, so the `for` side is taken as the source unless its port is a
//!   well-known one (< 1024) and the `to` side's is not, in which case the
//!   sides are swapped (the server is the destination). The teardown's
//!   `bytes N` is the total of both directions; it goes to `bytes_out`
//!   (an upper bound of what the source sent, so upload-volume rules never
//!   under-count) and `bytes_in` stays `None`.
//! - Messages about traffic to the ASA itself name the ingress interface
//!   (`on interface outside`, `to outside:…` in 710003/605004): it becomes
//!   `src_zone`.
//! - `log_type` `event`: 605004/605005 (login denied/permitted: `action`
//!   `failure`/`success`, `app` = the service, e.g. `ssh`), 111008/111010
//!   (command executed: `app` = the client application, `src_ip` from
//!   111010), and every other message id, well-formed or not in its text.

use chrono::{DateTime, Utc};

use crate::record::FirewallRecord;
use crate::timestamp::{self, preview};
use crate::{ParseContext, ParseError, SyslogRecord};

/// Message families: ASA, Firepower Threat Defense, PIX.
const FAMILIES: [&str; 3] = ["ASA", "FTD", "PIX"];

/// How far into a line [`looks_like`] searches for the message id.
const SNIFF_WINDOW: usize = 160;

/// True when a `%ASA-<level>-<6 digits>:` (or `%FTD-`, `%PIX-`) message id
/// appears within the first 160 bytes. Could be confused with text that
/// quotes such an id near its start (a relay's own message about an ASA
/// line); Cisco IOS ids (`%SEC-6-IPACCESSLOGP:`) do not match.
pub fn looks_like(line: &str) -> bool {
    let bytes = line.as_bytes();
    let window = bytes.get(..SNIFF_WINDOW).unwrap_or(bytes);
    memchr::memchr_iter(b'%', window).any(|i| line.get(i..).and_then(message_id).is_some())
}

/// Parses one ASA/FTD syslog line, with any of the header shapes above.
pub fn parse(line: &str, ctx: &ParseContext) -> Result<FirewallRecord, ParseError> {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let Some((start, id, text)) = line
        .match_indices('%')
        .find_map(|(i, _)| line.get(i..).and_then(message_id).map(|(id, t)| (i, id, t)))
    else {
        let why = if FAMILIES
            .iter()
            .any(|f| line.contains(&format!("%{f}-")[..]))
        {
            "malformed message id, expected `%ASA-<level 0-7>-<6 digits>:`"
        } else {
            "expected a `%ASA-<level>-<number>:` message id"
        };
        return Err(ParseError::Asa(format!("{why} in `{}`", preview(line))));
    };
    let (time, host) = header(line.get(..start).unwrap_or(""), ctx)?;
    Ok(message(id, text, time, host))
}

/// Returns the ASA/FTD message in a syslog record, if it is one: the id is
/// either the RFC 3164 tag (`fw-lgwan01 %ASA-6-302013: Built …`) or the
/// start of the message (`…10:00:00: %ASA-6-302013: Built …`, RFC 5424).
/// The syslog header supplies time and host.
pub fn classify(record: &SyslogRecord) -> Option<FirewallRecord> {
    let (id, text) = match record.app_name.as_deref() {
        Some(app) if app.starts_with('%') => {
            let id = app.strip_prefix('%').filter(|id| valid_id(id))?;
            (id, record.message.as_str())
        }
        _ => message_id(record.message.trim_start_matches([' ', ':']))?,
    };
    Some(message(id, text, record.time, record.host.clone()))
}

/// `%ASA-6-302013: text` → (`ASA-6-302013`, `text`).
fn message_id(s: &str) -> Option<(&str, &str)> {
    let (id, text) = s.strip_prefix('%')?.split_once(':')?;
    valid_id(id).then(|| (id, text.strip_prefix(' ').unwrap_or(text)))
}

/// `ASA-6-302013`: a known family, a level 0–7, six digits.
fn valid_id(id: &str) -> bool {
    let mut parts = id.split('-');
    let (Some(family), Some(level), Some(number), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    FAMILIES.contains(&family)
        && matches!(level.as_bytes(), [b'0'..=b'7'])
        && number.len() == 6
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// Time and host from whatever precedes the message id.
fn header(header: &str, ctx: &ParseContext) -> Result<(DateTime<Utc>, Option<String>), ParseError> {
    let after_pri = match header.strip_prefix('<').and_then(|r| r.split_once('>')) {
        Some((pri, rest)) if !pri.is_empty() && pri.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => header,
    };
    let text = after_pri.trim_matches([' ', ':']);
    let host_of = |h: Option<&str>| {
        h.map(|h| h.trim_end_matches(':'))
            .filter(|h| !h.is_empty() && *h != "-")
            .map(str::to_owned)
    };
    if text.is_empty() {
        return Ok((ctx.reference, None));
    }
    if let Some(rfc5424) = text.strip_prefix("1 ") {
        let mut tokens = rfc5424.split(' ');
        let time = match tokens.next() {
            Some("-") | None => ctx.reference,
            Some(token) => timestamp::rfc3339(token)?,
        };
        return Ok((time, host_of(tokens.next())));
    }
    match timestamp::parse_leading(text, ctx) {
        Ok((rest, time)) => Ok((time, host_of(rest.split_ascii_whitespace().next()))),
        // `logging device-id` without `logging timestamp`: only a host.
        Err(_) if !text.contains(' ') => Ok((ctx.reference, host_of(Some(text)))),
        Err(_) => Err(ParseError::Asa(format!(
            "expected `Mmm dd [yyyy] hh:mm:ss [host]` before the message id in `{}`",
            preview(header)
        ))),
    }
}

/// The record for message `id` (`ASA-6-302013`) with text `text`.
fn message(id: &str, text: &str, time: DateTime<Utc>, host: Option<String>) -> FirewallRecord {
    let mut out = FirewallRecord {
        log_type: Some("event".into()),
        subtype: Some(id.to_owned()),
        message: (!text.is_empty()).then(|| text.to_owned()),
        ..FirewallRecord::new(time, host)
    };
    let number = id.rsplit('-').next().unwrap_or("");
    let parsed = match number {
        "302013" | "302015" => built(text),
        "302014" | "302016" => teardown(text),
        "106023" => deny_by_access_group(text),
        "106001" | "106006" | "106015" | "106021" => denied_on_interface(text),
        "106100" => access_list(text),
        "710003" => denied_to_the_box(text),
        "313001" => icmp_denied(text),
        "605004" | "605005" => login(text),
        "111008" | "111010" => command(text),
        _ => None,
    };
    if let Some(fields) = parsed {
        fields.apply(&mut out);
    }
    out
}

/// What a recognised message adds to the record.
#[derive(Default)]
struct Fields<'a> {
    traffic: bool,
    action: Option<&'static str>,
    proto: Option<&'a str>,
    src: Endpoint<'a>,
    dst: Endpoint<'a>,
    bytes: Option<u64>,
    rule: Option<&'a str>,
    app: Option<&'a str>,
}

/// One side of a connection: `[zone:]address[/port]`.
#[derive(Default, Clone, Copy)]
struct Endpoint<'a> {
    zone: Option<&'a str>,
    ip: Option<&'a str>,
    /// The port, or a service name where the ASA prints one (`/ssh`).
    port: Option<&'a str>,
}

impl Endpoint<'_> {
    fn port_number(&self) -> Option<u16> {
        self.port?.parse().ok()
    }
}

impl Fields<'_> {
    fn apply(self, out: &mut FirewallRecord) {
        let owned = |s: Option<&str>| s.map(str::to_owned);
        if self.traffic {
            out.log_type = Some("traffic".into());
        }
        out.action = self.action.map(str::to_owned);
        out.proto = self.proto.map(|p| p.to_ascii_lowercase());
        out.src_ip = owned(self.src.ip);
        out.src_port = self.src.port_number();
        out.dst_ip = owned(self.dst.ip);
        out.dst_port = self.dst.port_number();
        out.src_zone = owned(self.src.zone);
        out.dst_zone = owned(self.dst.zone);
        out.bytes_out = self.bytes;
        out.rule = owned(self.rule);
        out.app = owned(self.app);
    }
}

/// A host token: an IPv4/IPv6 address or a `names` alias.
fn host_token(s: &str) -> Option<&str> {
    (!s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'-' | b'_')))
    .then_some(s)
}

/// `address[/port]` (IPv6 addresses keep their colons).
fn endpoint(token: &str) -> Option<Endpoint<'_>> {
    let (ip, port) = match token.rsplit_once('/') {
        Some((ip, port)) => (ip, Some(port).filter(|p| !p.is_empty())),
        None => (token, None),
    };
    Some(Endpoint {
        zone: None,
        ip: Some(host_token(ip)?),
        port,
    })
}

/// `interface:address[/port]` (`outside:2001:db8::1/443`, `inside.100:…`).
fn zoned_endpoint(token: &str) -> Option<Endpoint<'_>> {
    let (zone, rest) = token.split_once(':')?;
    let mut ep = endpoint(rest)?;
    ep.zone = Some(zone).filter(|z| !z.is_empty());
    Some(ep)
}

/// `interface/address(port)` as in 106100.
fn acl_endpoint(token: &str) -> Option<Endpoint<'_>> {
    let (zone, rest) = token.split_once('/')?;
    let (ip, port) = match rest.split_once('(') {
        Some((ip, port)) => (ip, Some(port.strip_suffix(')')?)),
        None => (rest, None),
    };
    Some(Endpoint {
        zone: Some(zone).filter(|z| !z.is_empty()),
        ip: Some(host_token(ip)?),
        port,
    })
}

/// Consumes the next word, which must be `word`.
fn expect<'a>(words: &mut impl Iterator<Item = &'a str>, word: &str) -> Option<()> {
    (words.next()? == word).then_some(())
}

/// 302013/302015: `Built {inbound|outbound} TCP connection 1 for
/// outside:A/p (A'/p') to inside:B/q (B'/q')`.
fn built(text: &str) -> Option<Fields<'_>> {
    let mut w = text.split_ascii_whitespace();
    expect(&mut w, "Built")?;
    let direction = w.next()?;
    let proto = w.next()?;
    expect(&mut w, "connection")?;
    w.next()?;
    expect(&mut w, "for")?;
    let first = zoned_endpoint(w.next()?)?;
    w.find(|t| *t == "to")?;
    let second = zoned_endpoint(w.next()?)?;
    let (src, dst) = match direction {
        "outbound" => (second, first),
        "inbound" => (first, second),
        _ => return None,
    };
    Some(Fields {
        traffic: true,
        action: Some("accept"),
        proto: Some(proto),
        src,
        dst,
        ..Fields::default()
    })
}

/// 302014/302016: `Teardown TCP connection 1 for outside:A/p to inside:B/q
/// duration 0:00:30 bytes 1234 TCP FINs`.
fn teardown(text: &str) -> Option<Fields<'_>> {
    let mut w = text.split_ascii_whitespace();
    expect(&mut w, "Teardown")?;
    let proto = w.next()?;
    expect(&mut w, "connection")?;
    w.next()?;
    expect(&mut w, "for")?;
    let first = zoned_endpoint(w.next()?)?;
    w.find(|t| *t == "to")?;
    let second = zoned_endpoint(w.next()?)?;
    let bytes = w
        .find(|t| *t == "bytes")
        .and_then(|_| w.next())
        .and_then(|n| n.parse().ok());
    let well_known = |ep: &Endpoint<'_>| ep.port_number().map(|p| p < 1024);
    let (src, dst) = match (well_known(&first), well_known(&second)) {
        (Some(true), Some(false)) => (second, first),
        _ => (first, second),
    };
    Some(Fields {
        traffic: true,
        action: Some("close"),
        proto: Some(proto),
        src,
        dst,
        bytes,
        ..Fields::default()
    })
}

/// 106023: `Deny tcp src outside:A/p dst inside:B/q [(type 8, code 0)] by
/// access-group "OUTSIDE_IN" [0x0, 0x0]` (`Deny protocol 47 src …` for
/// protocols without a name).
fn deny_by_access_group(text: &str) -> Option<Fields<'_>> {
    let mut w = text.split_ascii_whitespace();
    expect(&mut w, "Deny")?;
    let mut proto = w.next()?;
    if proto == "protocol" {
        proto = w.next()?;
    }
    expect(&mut w, "src")?;
    let src = zoned_endpoint(w.next()?)?;
    w.find(|t| *t == "dst")?;
    let dst = zoned_endpoint(w.next()?)?;
    let rule = w
        .find(|t| *t == "access-group")
        .and_then(|_| w.next())
        .map(|r| r.trim_matches('"'));
    Some(Fields {
        traffic: true,
        action: Some("deny"),
        proto: Some(proto),
        src: without_icmp_ports(proto, src),
        dst: without_icmp_ports(proto, dst),
        rule,
        ..Fields::default()
    })
}

/// ICMP "ports" are type/code; they are not kept as ports.
fn without_icmp_ports<'a>(proto: &str, ep: Endpoint<'a>) -> Endpoint<'a> {
    if proto.to_ascii_lowercase().starts_with("icmp") {
        Endpoint { port: None, ..ep }
    } else {
        ep
    }
}

/// 106001 `Inbound TCP connection denied from A/p to B/q flags SYN on
/// interface outside`, 106006 `Deny inbound UDP from A/p to B/q on
/// interface outside`, 106015 `Deny TCP (no connection) from A/p to B/q
/// flags RST on interface inside`, 106021 `Deny TCP reverse path check
/// from A to B on interface outside`.
fn denied_on_interface(text: &str) -> Option<Fields<'_>> {
    let (before, after) = text.split_once(" from ")?;
    let proto = before
        .split_ascii_whitespace()
        .find(|t| t.len() > 1 && t.bytes().all(|b| b.is_ascii_uppercase()))?;
    let mut w = after.split_ascii_whitespace();
    let src = endpoint(w.next()?)?;
    expect(&mut w, "to")?;
    let dst = endpoint(w.next()?)?;
    let zone = interface_after(&mut w);
    Some(Fields {
        traffic: true,
        action: Some("deny"),
        proto: Some(proto),
        src: Endpoint { zone, ..src },
        dst,
        ..Fields::default()
    })
}

/// The name after `on interface` (without a trailing `.`).
fn interface_after<'a>(words: &mut impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut previous = "";
    for word in words.by_ref() {
        if previous == "on" && word == "interface" {
            break;
        }
        previous = word;
    }
    words
        .next()
        .map(|i| i.trim_end_matches('.'))
        .filter(|i| !i.is_empty())
}

/// 106100: `access-list OUTSIDE_IN denied tcp outside/A(p) -> inside/B(q)
/// hit-cnt 1 first hit [0x…, 0x0]`.
fn access_list(text: &str) -> Option<Fields<'_>> {
    let mut w = text.split_ascii_whitespace();
    expect(&mut w, "access-list")?;
    let rule = w.next()?;
    let action = match w.next()? {
        "permitted" | "est-allowed" => "accept",
        "denied" => "deny",
        _ => return None,
    };
    let proto = w.next()?;
    let src = acl_endpoint(w.next()?)?;
    expect(&mut w, "->")?;
    let dst = acl_endpoint(w.next()?)?;
    Some(Fields {
        traffic: true,
        action: Some(action),
        proto: Some(proto),
        src: without_icmp_ports(proto, src),
        dst: without_icmp_ports(proto, dst),
        rule: Some(rule),
        ..Fields::default()
    })
}

/// 710003: `TCP access denied by ACL from A/p to outside:B/q`.
fn denied_to_the_box(text: &str) -> Option<Fields<'_>> {
    let mut w = text.split_ascii_whitespace();
    let proto = w.next()?;
    expect(&mut w, "access")?;
    expect(&mut w, "denied")?;
    w.find(|t| *t == "from")?;
    let src = endpoint(w.next()?)?;
    expect(&mut w, "to")?;
    let dst = zoned_endpoint(w.next()?)?;
    Some(Fields {
        traffic: true,
        action: Some("deny"),
        proto: Some(proto),
        src: Endpoint {
            zone: dst.zone,
            ..src
        },
        dst: Endpoint { zone: None, ..dst },
        ..Fields::default()
    })
}

/// 313001: `Denied ICMP type=8, code=0 from A on interface outside`.
fn icmp_denied(text: &str) -> Option<Fields<'_>> {
    let mut w = text.split_ascii_whitespace();
    expect(&mut w, "Denied")?;
    let proto = w.next()?;
    w.find(|t| *t == "from")?;
    let src = endpoint(w.next()?)?;
    let zone = interface_after(&mut w);
    Some(Fields {
        traffic: true,
        action: Some("deny"),
        proto: Some(proto),
        src: Endpoint {
            zone,
            port: None,
            ..src
        },
        ..Fields::default()
    })
}

/// 605004/605005: `Login {denied|permitted} from A/p to inside:B/ssh for
/// user "admin"`.
fn login(text: &str) -> Option<Fields<'_>> {
    let mut w = text.split_ascii_whitespace();
    expect(&mut w, "Login")?;
    let action = match w.next()? {
        "permitted" => "success",
        "denied" => "failure",
        _ => return None,
    };
    expect(&mut w, "from")?;
    let src = endpoint(w.next()?)?;
    expect(&mut w, "to")?;
    let dst = zoned_endpoint(w.next()?)?;
    Some(Fields {
        action: Some(action),
        app: dst.port.filter(|p| p.parse::<u16>().is_err()),
        src: Endpoint {
            zone: dst.zone,
            ..src
        },
        dst: Endpoint { zone: None, ..dst },
        ..Fields::default()
    })
}

/// 111008 `User 'admin' executed the 'write memory' command.`, 111010
/// `User 'admin', running 'CLI' from IP 10.40.1.20, executed 'enable'`.
fn command(text: &str) -> Option<Fields<'_>> {
    let rest = text.strip_prefix("User ")?;
    let Some((_, running)) = rest.split_once(" running ") else {
        return Some(Fields::default());
    };
    let app = running.split_once(' ').map_or(running, |(a, _)| a);
    let ip = running
        .split_once(" from IP ")
        .and_then(|(_, r)| r.split([',', ' ']).next())
        .and_then(host_token);
    Some(Fields {
        app: Some(app.trim_matches(['\'', ',', '"'])).filter(|a| !a.is_empty()),
        src: Endpoint {
            ip,
            ..Endpoint::default()
        },
        ..Fields::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{ctx, record};
    use crate::timestamp::rfc3339;

    const BUILT_OUT: &str = "<166>Nov 23 2026 10:00:00: %ASA-6-302013: Built outbound TCP connection 12345 for outside:203.0.113.20/443 (203.0.113.20/443) to inside:10.40.1.15/51234 (198.51.100.2/51234)";

    fn ok(line: &str) -> FirewallRecord {
        parse(line, &ctx()).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    fn src(r: &FirewallRecord) -> (Option<&str>, Option<u16>, Option<&str>) {
        (r.src_ip.as_deref(), r.src_port, r.src_zone.as_deref())
    }

    fn dst(r: &FirewallRecord) -> (Option<&str>, Option<u16>, Option<&str>) {
        (r.dst_ip.as_deref(), r.dst_port, r.dst_zone.as_deref())
    }

    #[test]
    fn built_outbound_tcp_source_is_the_inside_side() {
        let r = ok(BUILT_OUT);
        assert_eq!(r.time, rfc3339("2026-11-23T01:00:00Z").unwrap());
        assert_eq!(r.host, None);
        assert_eq!(
            (r.log_type.as_deref(), r.subtype.as_deref()),
            (Some("traffic"), Some("ASA-6-302013"))
        );
        assert_eq!(r.action.as_deref(), Some("accept"));
        assert_eq!(r.proto.as_deref(), Some("tcp"));
        assert_eq!(src(&r), (Some("10.40.1.15"), Some(51234), Some("inside")));
        assert_eq!(dst(&r), (Some("203.0.113.20"), Some(443), Some("outside")));
        assert_eq!((r.bytes_in, r.bytes_out), (None, None));
        assert!(
            r.message
                .as_deref()
                .is_some_and(|m| m.starts_with("Built outbound TCP"))
        );
    }

    #[test]
    fn built_inbound_udp_with_device_id_and_dotted_interface() {
        let r = ok(
            "<166>Nov 23 2026 10:00:00 fw-lgwan01 : %ASA-6-302015: Built inbound UDP connection 777 for outside:198.51.100.53/53 (198.51.100.53/53) to dmz-web.10:10.40.0.53/53000 (203.0.113.53/53000)",
        );
        assert_eq!(r.host.as_deref(), Some("fw-lgwan01"));
        assert_eq!(r.proto.as_deref(), Some("udp"));
        assert_eq!(src(&r), (Some("198.51.100.53"), Some(53), Some("outside")));
        assert_eq!(
            dst(&r),
            (Some("10.40.0.53"), Some(53000), Some("dmz-web.10"))
        );
    }

    #[test]
    fn ipv6_endpoints_keep_their_colons() {
        let r = ok(
            "<166>Nov 23 2026 10:00:00: %ASA-6-302013: Built inbound TCP connection 9 for outside:2001:db8::1/51000 (2001:db8::1/51000) to inside:2001:db8:40::5/443 (2001:db8:40::5/443)",
        );
        assert_eq!(src(&r), (Some("2001:db8::1"), Some(51000), Some("outside")));
        assert_eq!(dst(&r), (Some("2001:db8:40::5"), Some(443), Some("inside")));
    }

    #[test]
    fn teardown_total_bytes_go_to_bytes_out_and_server_is_destination() {
        let r = ok(
            "<166>Nov 23 2026 10:01:00 fw-lgwan01 %ASA-6-302014: Teardown TCP connection 12345 for outside:203.0.113.20/443 to inside:10.40.1.15/51234 duration 0:01:00 bytes 654321 TCP FINs from inside",
        );
        assert_eq!(r.action.as_deref(), Some("close"));
        assert_eq!(r.log_type.as_deref(), Some("traffic"));
        assert_eq!(src(&r), (Some("10.40.1.15"), Some(51234), Some("inside")));
        assert_eq!(dst(&r), (Some("203.0.113.20"), Some(443), Some("outside")));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(654321), None));
        assert_eq!(r.time, rfc3339("2026-11-23T01:01:00Z").unwrap());

        let r = ok(
            "%ASA-6-302016: Teardown UDP connection 778 for outside:198.51.100.9/40000 to inside:10.40.1.30/50000 duration 0:02:01 bytes 1200",
        );
        assert_eq!(
            src(&r),
            (Some("198.51.100.9"), Some(40000), Some("outside"))
        );
        assert_eq!(dst(&r), (Some("10.40.1.30"), Some(50000), Some("inside")));
        assert_eq!(r.bytes_out, Some(1200));
    }

    #[test]
    fn deny_by_access_group() {
        let r = ok(
            r#"<164>Nov 23 2026 10:02:00: %ASA-4-106023: Deny tcp src outside:198.51.100.7/51234 dst inside:10.40.0.5/445 by access-group "OUTSIDE_IN" [0x8ed66b60, 0xf8852875]"#,
        );
        assert_eq!(r.action.as_deref(), Some("deny"));
        assert_eq!(r.rule.as_deref(), Some("OUTSIDE_IN"));
        assert_eq!(
            src(&r),
            (Some("198.51.100.7"), Some(51234), Some("outside"))
        );
        assert_eq!(dst(&r), (Some("10.40.0.5"), Some(445), Some("inside")));

        let r = ok(
            r#"%ASA-4-106023: Deny icmp src outside:198.51.100.7 dst inside:10.40.0.5 (type 8, code 0) by access-group "OUTSIDE_IN" [0x0, 0x0]"#,
        );
        assert_eq!(r.proto.as_deref(), Some("icmp"));
        assert_eq!((r.src_port, r.dst_port), (None, None));
        assert_eq!(r.dst_ip.as_deref(), Some("10.40.0.5"));

        let r = ok(
            r#"%ASA-4-106023: Deny protocol 47 src outside:198.51.100.7 dst inside:10.40.0.9 by access-group "OUTSIDE_IN" [0x0, 0x0]"#,
        );
        assert_eq!(r.proto.as_deref(), Some("47"));
    }

    #[test]
    fn access_list_hits() {
        let r = ok(
            "%ASA-6-106100: access-list INSIDE_OUT permitted udp inside/10.40.1.15(53000) -> outside/198.51.100.53(53) hit-cnt 1 first hit [0x91c26a3, 0x0]",
        );
        assert_eq!(r.action.as_deref(), Some("accept"));
        assert_eq!(r.rule.as_deref(), Some("INSIDE_OUT"));
        assert_eq!(src(&r), (Some("10.40.1.15"), Some(53000), Some("inside")));
        assert_eq!(dst(&r), (Some("198.51.100.53"), Some(53), Some("outside")));
        let r = ok(
            "%ASA-4-106100: access-list OUTSIDE_IN denied tcp outside/2001:db8::7(51234) -> inside/2001:db8:40::5(3389) hit-cnt 5 300-second interval [0x0, 0x0]",
        );
        assert_eq!(r.action.as_deref(), Some("deny"));
        assert_eq!(src(&r), (Some("2001:db8::7"), Some(51234), Some("outside")));
        assert_eq!(r.dst_port, Some(3389));
    }

    #[test]
    fn denies_on_an_interface() {
        let cases = [
            (
                "%ASA-2-106001: Inbound TCP connection denied from 198.51.100.7/51234 to 10.40.0.5/23 flags SYN  on interface outside",
                "tcp",
                Some(51234),
                Some(23),
            ),
            (
                "%ASA-2-106006: Deny inbound UDP from 198.51.100.7/137 to 10.40.0.5/137 on interface outside",
                "udp",
                Some(137),
                Some(137),
            ),
            (
                "%ASA-6-106015: Deny TCP (no connection) from 198.51.100.7/51234 to 10.40.0.5/443 flags RST  on interface outside",
                "tcp",
                Some(51234),
                Some(443),
            ),
            (
                "%ASA-1-106021: Deny TCP reverse path check from 198.51.100.7 to 10.40.0.5 on interface outside",
                "tcp",
                None,
                None,
            ),
        ];
        for (line, proto, sport, dport) in cases {
            let r = ok(line);
            assert_eq!(r.log_type.as_deref(), Some("traffic"), "{line}");
            assert_eq!(r.action.as_deref(), Some("deny"), "{line}");
            assert_eq!(r.proto.as_deref(), Some(proto), "{line}");
            assert_eq!(
                src(&r),
                (Some("198.51.100.7"), sport, Some("outside")),
                "{line}"
            );
            assert_eq!(dst(&r), (Some("10.40.0.5"), dport, None), "{line}");
        }
    }

    #[test]
    fn traffic_to_the_box() {
        let r = ok(
            "%ASA-3-710003: TCP access denied by ACL from 198.51.100.7/51234 to outside:203.0.113.1/22",
        );
        assert_eq!(r.action.as_deref(), Some("deny"));
        assert_eq!(
            src(&r),
            (Some("198.51.100.7"), Some(51234), Some("outside"))
        );
        assert_eq!(dst(&r), (Some("203.0.113.1"), Some(22), None));

        let r =
            ok("%ASA-3-313001: Denied ICMP type=8, code=0 from 198.51.100.7 on interface outside");
        assert_eq!(r.proto.as_deref(), Some("icmp"));
        assert_eq!(src(&r), (Some("198.51.100.7"), None, Some("outside")));
        assert_eq!(r.dst_ip, None);
    }

    #[test]
    fn login_and_command_events() {
        let r = ok(
            r#"<174>Nov 23 2026 10:03:00 fw-lgwan01 : %ASA-6-605004: Login denied from 10.40.1.20/51000 to inside:10.40.0.1/ssh for user "admin""#,
        );
        assert_eq!(
            (r.log_type.as_deref(), r.action.as_deref()),
            (Some("event"), Some("failure"))
        );
        assert_eq!(src(&r), (Some("10.40.1.20"), Some(51000), Some("inside")));
        assert_eq!(dst(&r), (Some("10.40.0.1"), None, None));
        assert_eq!(r.app.as_deref(), Some("ssh"));
        assert_eq!(
            r.message.as_deref(),
            Some(r#"Login denied from 10.40.1.20/51000 to inside:10.40.0.1/ssh for user "admin""#)
        );
        let r = ok(
            r#"%ASA-6-605005: Login permitted from 10.40.1.20/51001 to inside:10.40.0.1/https for user "netadmin""#,
        );
        assert_eq!(r.action.as_deref(), Some("success"));
        assert_eq!(r.app.as_deref(), Some("https"));

        let r = ok("%ASA-5-111008: User 'netadmin' executed the 'write memory' command.");
        assert_eq!(
            (
                r.log_type.as_deref(),
                r.subtype.as_deref(),
                r.action.as_deref()
            ),
            (Some("event"), Some("ASA-5-111008"), None)
        );
        assert_eq!(
            r.message.as_deref(),
            Some("User 'netadmin' executed the 'write memory' command.")
        );
        let r = ok(
            "%ASA-5-111010: User 'netadmin', running 'CLI' from IP 10.40.1.20, executed 'configure terminal'",
        );
        assert_eq!(r.app.as_deref(), Some("CLI"));
        assert_eq!(r.src_ip.as_deref(), Some("10.40.1.20"));
    }

    #[test]
    fn unknown_ids_and_garbage_text_become_events() {
        let r = ok(
            "<164>Nov 23 2026 10:04:00: %ASA-4-733100: [ Scanning] drop rate-1 exceeded. Current burst rate is 12 per second",
        );
        assert_eq!(
            (r.log_type.as_deref(), r.subtype.as_deref()),
            (Some("event"), Some("ASA-4-733100"))
        );
        assert_eq!(
            r.message.as_deref(),
            Some("[ Scanning] drop rate-1 exceeded. Current burst rate is 12 per second")
        );
        assert_eq!(r.src_ip, None);

        for (line, message) in [
            (
                "%ASA-6-302013: Built sideways TCP connection 1 for a:1.2.3.4/1 to b:5.6.7.8/2",
                Some("Built sideways TCP connection 1 for a:1.2.3.4/1 to b:5.6.7.8/2"),
            ),
            ("%ASA-6-302014:Teardown ###", Some("Teardown ###")),
            ("%ASA-6-106100:", None),
            (
                "%ASA-4-106023: Deny tcp src outside dst",
                Some("Deny tcp src outside dst"),
            ),
        ] {
            let r = ok(line);
            assert_eq!(r.log_type.as_deref(), Some("event"), "{line}");
            assert_eq!(
                (r.action.as_deref(), r.src_ip.as_deref()),
                (None, None),
                "{line}"
            );
            assert_eq!(r.message.as_deref(), message, "{line}");
        }
    }

    #[test]
    fn header_shapes() {
        let reference = ctx().reference;
        let r = ok(
            "<166>%ASA-6-302013: Built outbound TCP connection 1 for outside:203.0.113.20/443 (203.0.113.20/443) to inside:10.40.1.15/51234 (10.40.1.15/51234)",
        );
        assert_eq!((r.time, r.host.as_deref()), (reference, None));
        let r = ok(":%ASA-4-733100: x");
        assert_eq!((r.time, r.host.as_deref()), (reference, None));
        let r = ok("<166>fw-lgwan01 : %ASA-4-733100: x");
        assert_eq!((r.time, r.host.as_deref()), (reference, Some("fw-lgwan01")));
        let r = ok("<166>Nov 23 10:00:00 fw-lgwan01 %ASA-4-733100: x");
        assert_eq!(r.time, rfc3339("2026-11-23T01:00:00Z").unwrap());
        let r = ok("<166>1 2026-11-23T10:00:00.250+09:00 fw-lgwan01 - - - - %ASA-4-733100: x");
        assert_eq!(r.time, rfc3339("2026-11-23T01:00:00.25Z").unwrap());
        assert_eq!(r.host.as_deref(), Some("fw-lgwan01"));
        let r = ok(
            "<166>Nov 23 2026 10:00:00 ftd-lgwan01 : %FTD-6-302013: Built outbound TCP connection 1 for outside:203.0.113.20/443 (203.0.113.20/443) to inside:10.40.1.15/51234 (10.40.1.15/51234)\r\n",
        );
        assert_eq!(r.subtype.as_deref(), Some("FTD-6-302013"));
        assert_eq!(r.host.as_deref(), Some("ftd-lgwan01"));
        assert_eq!(r.src_ip.as_deref(), Some("10.40.1.15"));
    }

    #[test]
    fn rejects_with_reasons() {
        assert_eq!(parse("", &ctx()), Err(ParseError::Empty));
        for (line, want) in [
            ("<166>Nov 23 2026 10:00:00 fw: hello", "expected a `%ASA-"),
            ("%ASA-9-302013: Built", "malformed message id"),
            ("%ASA-6-30201: Built", "malformed message id"),
            ("%ASA-6-302013 Built", "malformed message id"),
            ("some garbage here %ASA-6-302013: x", "expected `Mmm dd"),
            ("<166>1 yesterday fw - - - - %ASA-6-302013: x", "RFC 3339"),
        ] {
            let e = parse(line, &ctx()).unwrap_err().to_string();
            assert!(e.contains(want), "{line}: {e}");
        }
    }

    #[test]
    fn sniffing() {
        assert!(looks_like(BUILT_OUT));
        assert!(looks_like("%FTD-6-430003: EventPriority: Low"));
        assert!(looks_like("<166>fw-lgwan01 : %PIX-6-302013: Built"));
        assert!(!looks_like(
            "<189>Nov 23 10:00:00 rtr01 123: %SEC-6-IPACCESSLOGP: list 101 denied"
        ));
        assert!(!looks_like("%ASA-6-302013 Built"));
        assert!(!looks_like(""));
        let far = format!("{} %ASA-6-302013: x", "a".repeat(200));
        assert!(!looks_like(&far));
    }

    #[test]
    fn classify_tag_and_message_forms() {
        let tag = record(
            "<166>Nov 23 2026 10:01:00 fw-lgwan01 %ASA-6-302014: Teardown TCP connection 12345 for outside:203.0.113.20/443 to inside:10.40.1.15/51234 duration 0:01:00 bytes 654321 TCP FINs",
        );
        let r = classify(&tag).unwrap();
        assert_eq!(r.host.as_deref(), Some("fw-lgwan01"));
        assert_eq!(r.time, tag.time);
        assert_eq!(r.bytes_out, Some(654321));
        assert_eq!(r.subtype.as_deref(), Some("ASA-6-302014"));

        let colon = record(BUILT_OUT);
        let r = classify(&colon).unwrap();
        assert_eq!(r.src_ip.as_deref(), Some("10.40.1.15"));
        assert_eq!(r, ok(BUILT_OUT));

        let rfc5424 =
            record("<166>1 2026-11-23T10:00:00+09:00 fw-lgwan01 - - - - %ASA-4-733100: x");
        assert_eq!(
            classify(&rfc5424).unwrap().log_type.as_deref(),
            Some("event")
        );

        for line in [
            "<38>Nov 22 09:01:02 lg-file01 sshd[4242]: Accepted password for tanaka",
            "<38>Nov 22 09:01:02 lg-file01 app: see %ASA-6-302013: in the manual",
        ] {
            assert_eq!(classify(&record(line)), None, "{line}");
        }
    }
}
