//! Records as syslog-ng's `loggen --syslog-proto --size 200` sends them,
//! batched as `bannin serve` reads them off a TCP connection: the input of
//! the ingest path benchmarks without the network.

use bannin_ingest::wal::Entry;
use chrono::{DateTime, Utc};

/// Messages per commit (the shipped `ingest.flush_rows`).
pub const MESSAGES: usize = 100_000;
/// Messages in one 64 KiB read of ~220-byte frames.
pub const PER_READ: usize = 290;

/// One loggen RFC 5424 message of 200 bytes, numbered `seq`.
pub fn message(seq: usize) -> Vec<u8> {
    let mut line = format!(
        "<38>1 2026-11-24T15:56:15+00:00 localhost prg00000 1234 - - \u{feff}seq: {seq:010}, \
         thread: 0001, runid: 1795535775, stamp: 2026-11-24T15:56:15 "
    );
    while line.len() < 200 {
        line.push_str("PADD");
    }
    line.truncate(200);
    line.into_bytes()
}

/// `messages` loggen messages from one peer, in reads of [`PER_READ`].
pub fn reads(messages: usize, received_at: DateTime<Utc>) -> Vec<Vec<Entry>> {
    let source: std::sync::Arc<str> = "127.0.0.1".into();
    (0..messages)
        .map(|seq| Entry {
            received_at,
            source: source.clone(),
            bytes: message(seq),
            truncated_from: None,
            format: None,
        })
        .collect::<Vec<_>>()
        .chunks(PER_READ)
        .map(<[Entry]>::to_vec)
        .collect()
}
