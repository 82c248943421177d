//! The input formats `bannin ingest --format` accepts, and the per-input
//! state some of them need (a W3C log's `#Fields:` header).

use std::str::FromStr;

use bannin_parsers::{ParseContext, ParseError, Record, w3c};

use crate::IngestError;

/// How the lines of an input are parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Pick the parser from each record (see [`bannin_parsers::parse_auto`]).
    Auto,
    /// RFC 5424, RFC 3164, and syslog file lines without PRI (auth.log,
    /// maillog); Postfix lines are also correlated into `mail` rows.
    Syslog,
    /// Squid native access.log.
    Squid,
    /// NCSA common / combined access logs (Apache, nginx, Squid combined).
    Combined,
    /// W3C extended logs with a `#Fields:` header (ProxySG, IIS).
    W3c,
    /// FortiGate key=value logs.
    Fortigate,
    /// Palo Alto PAN-OS CSV syslog.
    Panos,
    /// Cisco ASA / FTD `%ASA-n-nnnnnn:` syslog.
    Asa,
    /// YAMAHA RTX / NVR router syslog.
    Rtx,
    /// Windows events as JSON lines (NXLog, Winlogbeat).
    Windows,
    /// Cloud audit records as JSON (Microsoft 365 / Entra ID, Google
    /// Workspace, AWS CloudTrail): one per line, or whole documents.
    Cloud,
}

/// What a stateful format remembers between the lines of one input.
#[derive(Debug, Clone, Default)]
pub struct InputState {
    w3c: Option<w3c::Fields>,
}

impl Format {
    pub const NAMES: [&'static str; 11] = [
        "auto",
        "syslog",
        "squid",
        "combined",
        "w3c",
        "fortigate",
        "panos",
        "asa",
        "rtx",
        "windows",
        "cloud",
    ];

    /// A stable one-byte code (for the WAL): 1 + the index in [`Format::NAMES`].
    pub fn code(self) -> u8 {
        let name = self.name();
        Self::NAMES
            .iter()
            .position(|n| *n == name)
            .map_or(0, |i| i as u8 + 1)
    }

    /// The format of a [`Format::code`].
    pub fn from_code(code: u8) -> Option<Self> {
        let name = Self::NAMES.get(usize::from(code).checked_sub(1)?)?;
        name.parse().ok()
    }

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Syslog => "syslog",
            Format::Squid => "squid",
            Format::Combined => "combined",
            Format::W3c => "w3c",
            Format::Fortigate => "fortigate",
            Format::Panos => "panos",
            Format::Asa => "asa",
            Format::Rtx => "rtx",
            Format::Windows => "windows",
            Format::Cloud => "cloud",
        }
    }

    /// Parses one decoded line of an input whose state is `state`:
    /// `Ok(None)` for a header line that describes the lines after it (W3C
    /// `#Fields:`) and is not a record.
    pub fn parse(
        self,
        line: &str,
        ctx: &ParseContext,
        state: &mut InputState,
    ) -> Result<Option<Record>, ParseError> {
        use bannin_parsers as p;
        let record = match self {
            Format::Auto | Format::W3c if w3c::is_directive(line) => {
                if let Some(fields) = w3c::Fields::from_directive(line) {
                    state.w3c = Some(fields);
                }
                return Ok(None);
            }
            Format::W3c => match &state.w3c {
                Some(fields) => w3c::parse(line, fields, ctx).map(Record::from)?,
                None => {
                    return Err(ParseError::AccessLog(
                        "W3C data line before any #Fields: header".into(),
                    ));
                }
            },
            Format::Auto => match &state.w3c {
                Some(fields) if w3c::looks_like_data(line) => {
                    w3c::parse(line, fields, ctx).map(Record::from)?
                }
                _ => p::parse_auto(line, ctx)?,
            },
            Format::Syslog => p::parse_syslog_line(line, ctx)?,
            Format::Squid => p::parse_squid_line(line)?,
            Format::Combined => p::access_log::parse(line).map(Record::from)?,
            Format::Fortigate => p::parse_fortigate_line(line, ctx)?,
            Format::Panos => p::panos::parse(line, ctx).map(Record::from)?,
            Format::Asa => p::asa::parse(line, ctx).map(Record::from)?,
            Format::Rtx => p::yamaha_rtx::parse(line, ctx).map(Record::from)?,
            Format::Windows => p::windows::parse(line, ctx)?,
            Format::Cloud => p::cloud::parse(line).map(Record::from)?,
        };
        Ok(Some(record))
    }
}

impl FromStr for Format {
    type Err = IngestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Format::Auto),
            "syslog" => Ok(Format::Syslog),
            "squid" => Ok(Format::Squid),
            "combined" => Ok(Format::Combined),
            "w3c" => Ok(Format::W3c),
            "fortigate" => Ok(Format::Fortigate),
            "panos" => Ok(Format::Panos),
            "asa" => Ok(Format::Asa),
            "rtx" => Ok(Format::Rtx),
            "windows" => Ok(Format::Windows),
            "cloud" => Ok(Format::Cloud),
            other => Err(IngestError::UnknownFormat(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        for name in Format::NAMES {
            let format: Format = name.parse().unwrap();
            assert_eq!(format.name(), name);
            assert_eq!(Format::from_code(format.code()), Some(format));
        }
        assert_eq!(Format::from_code(0), None);
        assert!("csv".parse::<Format>().is_err());
    }
}
