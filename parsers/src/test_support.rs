//! Helpers shared by the parsers' unit tests.

use crate::{ParseContext, SyslogRecord, syslog, timestamp::rfc3339};

/// The context unit tests parse in: received 2026-11-23T00:00Z, JST.
pub fn ctx() -> ParseContext {
    ParseContext::jst(rfc3339("2026-11-23T00:00:00Z").unwrap())
}

/// Parses a syslog line that the test knows is valid.
pub fn record(line: &str) -> SyslogRecord {
    syslog::parse(line, &ctx()).unwrap_or_else(|e| panic!("{line}: {e}"))
}
