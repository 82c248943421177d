//! bannin-parsers: bytes → typed log records.
//!
//! Pure functions only: no I/O, no async, no clock. Whatever is not known
//! from the record itself (the year a BSD timestamp omits, the UTC offset of
//! a local timestamp) comes in through [`ParseContext`].

pub mod context;
pub mod error;
pub mod pam_unix;
pub mod record;
pub mod sshd;
pub mod su;
pub mod sudo;
pub mod syslog;
pub mod timestamp;

#[cfg(test)]
mod test_support;

pub use context::ParseContext;
pub use error::ParseError;
pub use record::{AuthEvent, Outcome, Record, SyslogRecord};

/// The parsers that claim authentication events from syslog messages.
const AUTH_CLASSIFIERS: [fn(&SyslogRecord) -> Option<AuthEvent>; 4] = [
    sshd::classify,
    sudo::classify,
    su::classify,
    pam_unix::classify,
];

/// Parses one syslog-family line (RFC 5424, RFC 3164, or a syslog file line
/// without PRI) and lets the richer parsers claim it: an sshd, sudo, su or
/// old-style PAM authentication event becomes [`Record::Auth`], anything else stays
/// [`Record::Syslog`].
pub fn parse_syslog_line(line: &str, ctx: &ParseContext) -> Result<Record, ParseError> {
    let record = syslog::parse(line, ctx)?;
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
