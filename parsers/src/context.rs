//! What a parser needs to know that the record may not say.

use chrono::{DateTime, FixedOffset, Offset, Utc};

/// The context a line is parsed in.
#[derive(Debug, Clone, Copy)]
pub struct ParseContext {
    /// When the record was received (or the file was read). A timestamp
    /// without a year gets the latest year that does not put it more than
    /// a day after this instant.
    pub reference: DateTime<Utc>,
    /// UTC offset for timestamps that carry none (RFC 3164, auth.log).
    pub offset: FixedOffset,
}

impl ParseContext {
    /// A context for records received at `reference`, local times in JST.
    pub fn jst(reference: DateTime<Utc>) -> Self {
        Self {
            reference,
            offset: jst(),
        }
    }
}

/// Japan Standard Time (UTC+09:00), the default for Japanese municipalities.
pub fn jst() -> FixedOffset {
    const NINE_HOURS: i32 = 9 * 3600;
    FixedOffset::east_opt(NINE_HOURS).unwrap_or(Utc.fix())
}
