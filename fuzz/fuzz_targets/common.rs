//! What every target shares: a fixed parse context (received
//! 2026-11-23T00:00Z, local times in JST), so a crash reproduces.

use bannin_parsers::ParseContext;
use chrono::DateTime;

pub fn ctx() -> ParseContext {
    let reference = DateTime::from_timestamp(1_763_856_000, 0).unwrap_or_default();
    ParseContext::jst(reference)
}

/// The input as text lines (invalid UTF-8 is replaced, as ingest keeps it).
pub fn lines(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data)
        .lines()
        .map(str::to_owned)
        .collect()
}
