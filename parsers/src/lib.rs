//! bannin-parsers: bytes → typed log records.
//!
//! Pure functions only: no I/O, no async, no clock. Whatever is not known
//! from the record itself (the year a BSD timestamp omits, the UTC offset of
//! a local timestamp) comes in through [`ParseContext`].

pub mod context;
pub mod error;
pub mod fortigate;
pub mod kv;
pub mod netfilter;
pub mod pam_unix;
pub mod record;
pub mod squid;
pub mod sshd;
pub mod su;
pub mod sudo;
pub mod syslog;
pub mod timestamp;
pub mod windows;

#[cfg(test)]
mod test_support;

pub use context::ParseContext;
pub use error::ParseError;
pub use record::{AuthEvent, FirewallRecord, Outcome, ProxyRecord, Record, SyslogRecord};

/// The parsers that claim authentication events from syslog messages.
const AUTH_CLASSIFIERS: [fn(&SyslogRecord) -> Option<AuthEvent>; 5] = [
    sshd::classify,
    sudo::classify,
    su::classify,
    pam_unix::classify,
    windows::classify,
];

/// Parses one syslog-family line (RFC 5424, RFC 3164, or a syslog file line
/// without PRI) and lets the richer parsers claim it: a netfilter packet log
/// becomes [`Record::Firewall`]; an sshd, sudo, su or old-style PAM
/// authentication event (or a Windows logon event sent as JSON in the
/// message) becomes [`Record::Auth`]; anything else stays
/// [`Record::Syslog`].
pub fn parse_syslog_line(line: &str, ctx: &ParseContext) -> Result<Record, ParseError> {
    let record = syslog::parse(line, ctx)?;
    if let Some(firewall) = netfilter::classify(&record) {
        return Ok(Record::Firewall(firewall));
    }
    Ok(
        match AUTH_CLASSIFIERS
            .iter()
            .find_map(|classify| classify(&record))
        {
            Some(auth) => Record::Auth(record, auth),
            None => Record::Syslog(record),
        },
    )
}

/// Parses one Squid native access.log line into a [`Record::Proxy`].
pub fn parse_squid_line(line: &str) -> Result<Record, ParseError> {
    squid::parse(line).map(Record::Proxy)
}

/// Parses one FortiGate log line into a [`Record::Firewall`].
pub fn parse_fortigate_line(line: &str, ctx: &ParseContext) -> Result<Record, ParseError> {
    fortigate::parse(line, ctx).map(Record::Firewall)
}

/// `--format auto`: picks the parser from how the line starts. A Unix
/// epoch with milliseconds (`1763769600.123`) is Squid's native format;
/// `[<PRI>]date=` / `logver=` / `eventtime=` is FortiGate; `{` is a JSON
/// Windows event; everything else is tried as syslog (RFC 5424, RFC 3164,
/// file lines).
pub fn parse_auto(line: &str, ctx: &ParseContext) -> Result<Record, ParseError> {
    if line.trim_start().starts_with('{') {
        windows::parse(line, ctx)
    } else if squid::looks_like(line) {
        parse_squid_line(line)
    } else if fortigate::looks_like(line) {
        parse_fortigate_line(line, ctx)
    } else {
        parse_syslog_line(line, ctx)
    }
}
