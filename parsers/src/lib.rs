//! bannin-parsers: bytes → typed log records.
//!
//! Pure functions only: no I/O, no async, no clock. Whatever is not known
//! from the record itself (the year a BSD timestamp omits, the UTC offset of
//! a local timestamp) comes in through [`ParseContext`].

pub mod access_log;
pub mod apache_error;
pub mod asa;
pub mod cloud;
pub mod context;
pub mod error;
pub mod fortigate;
pub mod framing;
pub mod kv;
pub mod netfilter;
pub mod pam_unix;
pub mod panos;
pub mod postfix;
pub mod record;
pub mod squid;
pub mod sshd;
pub mod su;
pub mod sudo;
pub mod syslog;
pub mod timestamp;
pub mod url;
pub mod w3c;
pub mod windows;
pub mod yamaha_rtx;

#[cfg(test)]
mod test_support;

pub use context::ParseContext;
pub use error::ParseError;
pub use record::{
    AuthEvent, CloudAuditRecord, FirewallRecord, MailRecord, Outcome, ProxyRecord, Record,
    SyslogRecord,
};

/// The parsers that claim firewall events from syslog messages.
const FIREWALL_CLASSIFIERS: [fn(&SyslogRecord) -> Option<FirewallRecord>; 4] = [
    netfilter::classify,
    asa::classify,
    panos::classify,
    yamaha_rtx::classify,
];

/// The parsers that claim authentication events from syslog messages.
const AUTH_CLASSIFIERS: [fn(&SyslogRecord) -> Option<AuthEvent>; 5] = [
    sshd::classify,
    sudo::classify,
    su::classify,
    pam_unix::classify,
    windows::classify,
];

/// Parses one syslog-family line (RFC 5424, RFC 3164, or a syslog file line
/// without PRI) and lets the richer parsers claim it: a netfilter, Cisco
/// ASA, PAN-OS or YAMAHA RTX message becomes [`Record::Firewall`]; an
/// sshd, sudo, su or old-style PAM authentication event (or a Windows
/// event sent as JSON in the message) becomes [`Record::Auth`]; anything
/// else (Postfix lines included) stays [`Record::Syslog`].
pub fn parse_syslog_line(line: &str, ctx: &ParseContext) -> Result<Record, ParseError> {
    let record = syslog::parse(line, ctx)?;
    if let Some(firewall) = FIREWALL_CLASSIFIERS
        .iter()
        .find_map(|classify| classify(&record))
    {
        return Ok(Record::from(firewall));
    }
    Ok(
        match AUTH_CLASSIFIERS
            .iter()
            .find_map(|classify| classify(&record))
        {
            Some(auth) => Record::from((record, auth)),
            None => Record::from(record),
        },
    )
}

/// Parses one Squid native access.log line into a [`Record::Proxy`].
pub fn parse_squid_line(line: &str) -> Result<Record, ParseError> {
    squid::parse(line).map(Record::from)
}

/// Parses one FortiGate log line into a [`Record::Firewall`].
pub fn parse_fortigate_line(line: &str, ctx: &ParseContext) -> Result<Record, ParseError> {
    fortigate::parse(line, ctx).map(Record::from)
}

/// `--format auto`: picks the parser from how the line looks, first match
/// wins (docs/formats.md explains each test and where formats overlap):
///
/// 1. `{` — a JSON record: a cloud audit record when [`cloud::sniff`]
///    recognises its keys, else a Windows event.
/// 2. `1234567890.123 ` — Squid native access.log.
/// 3. `[<PRI>]date=` / `logver=` / `eventtime=` — FortiGate.
/// 4. `%ASA-n-nnnnnn:` near the start — Cisco ASA / FTD.
/// 5. `<n>,YYYY/MM/DD hh:mm:ss,<serial>,<TYPE>,` — PAN-OS CSV.
/// 6. `client ident user [dd/Mon/yyyy:` — NCSA common / combined.
/// 7. a YAMAHA RTX filter, inspect or login message.
/// 8. `[Www Mmm dd hh:mm:ss` — an Apache httpd error log line (→ syslog).
/// 9. anything else — syslog (RFC 5424, RFC 3164, file lines), whose
///    messages the firewall and auth classifiers may claim.
///
/// W3C extended logs need their `#Fields:` header, so the caller that keeps
/// the header of each input handles them before calling this.
pub fn parse_auto(line: &str, ctx: &ParseContext) -> Result<Record, ParseError> {
    if line.trim_start().starts_with('{') {
        parse_json(line, ctx)
    } else if squid::looks_like(line) {
        parse_squid_line(line)
    } else if fortigate::looks_like(line) {
        parse_fortigate_line(line, ctx)
    } else if asa::looks_like(line) {
        asa::parse(line, ctx).map(Record::from)
    } else if panos::looks_like(line) {
        panos::parse(line, ctx).map(Record::from)
    } else if access_log::looks_like(line) {
        access_log::parse(line).map(Record::from)
    } else if yamaha_rtx::looks_like(line) {
        yamaha_rtx::parse(line, ctx).map(Record::from)
    } else if apache_error::looks_like(line) {
        apache_error::parse(line, ctx).map(Record::from)
    } else {
        parse_syslog_line(line, ctx)
    }
}

/// A JSON record: cloud audit when its keys say which cloud, else a
/// Windows event (whose error then explains what was expected).
fn parse_json(line: &str, ctx: &ParseContext) -> Result<Record, ParseError> {
    match serde_json::from_str::<serde_json::Value>(line) {
        Ok(value) if cloud::sniff(&value).is_some() => cloud::parse_value(&value).map(Record::from),
        Ok(value) => windows::parse_value(&value, line, ctx),
        Err(_) => windows::parse(line, ctx),
    }
}
