//! The input formats `bannin ingest --format` accepts.

use std::str::FromStr;

use bannin_parsers::{ParseContext, ParseError, Record};

use crate::IngestError;

/// How the lines of an input are parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Pick the parser from each record (see [`bannin_parsers::parse_auto`]).
    Auto,
    /// RFC 5424, RFC 3164, and syslog file lines without PRI (auth.log).
    Syslog,
    /// Squid native access.log.
    Squid,
    /// FortiGate key=value logs.
    Fortigate,
    /// Windows events as JSON lines (NXLog, Winlogbeat).
    Windows,
}

impl Format {
    pub const NAMES: [&'static str; 5] = ["auto", "syslog", "squid", "fortigate", "windows"];

    /// Parses one decoded line.
    pub fn parse(self, line: &str, ctx: &ParseContext) -> Result<Record, ParseError> {
        match self {
            Format::Auto => bannin_parsers::parse_auto(line, ctx),
            Format::Syslog => bannin_parsers::parse_syslog_line(line, ctx),
            Format::Squid => bannin_parsers::parse_squid_line(line),
            Format::Fortigate => bannin_parsers::parse_fortigate_line(line, ctx),
            Format::Windows => bannin_parsers::windows::parse(line, ctx),
        }
    }
}

impl FromStr for Format {
    type Err = IngestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Format::Auto),
            "syslog" => Ok(Format::Syslog),
            "squid" => Ok(Format::Squid),
            "fortigate" => Ok(Format::Fortigate),
            "windows" => Ok(Format::Windows),
            other => Err(IngestError::UnknownFormat(other.to_owned())),
        }
    }
}
