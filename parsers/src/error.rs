//! Why a record was not accepted by a parser.

/// A parse failure. The message is what lands in the `unparsed` table's
/// `error` column next to the raw record, so it says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("empty record")]
    Empty,
    #[error("malformed PRI: {0}")]
    Pri(String),
    #[error("malformed timestamp: {0}")]
    Timestamp(String),
    #[error("malformed syslog header: {0}")]
    Header(String),
    #[error("malformed RFC 5424 structured data: {0}")]
    StructuredData(String),
    #[error("malformed squid access.log line: {0}")]
    Squid(String),
    #[error("malformed FortiGate log: {0}")]
    FortiGate(String),
    #[error("malformed Windows event: {0}")]
    Windows(String),
    #[error("malformed web access log line: {0}")]
    AccessLog(String),
    #[error("malformed PAN-OS log: {0}")]
    PanOs(String),
    #[error("malformed Cisco ASA log: {0}")]
    Asa(String),
    #[error("malformed YAMAHA RTX log: {0}")]
    Yamaha(String),
    #[error("malformed cloud audit record: {0}")]
    CloudAudit(String),
    #[error("malformed frame: {0}")]
    Frame(String),
}
