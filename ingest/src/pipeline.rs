//! The durable ingest pipeline behind the listeners: records are accepted
//! into the write-ahead log, routed into per-table batches, and committed
//! to the lake by size or age; the WAL is trimmed behind each commit.
//!
//! Order is what makes it exact. Records are numbered (WAL LSN) and routed
//! in that order under one lock, so a batch always holds every record up
//! to its last LSN; commits run one at a time and the manifest records
//! that LSN. After a crash, [`Pipeline::open`] finishes or discards the
//! interrupted commit and replays only the WAL records after the last
//! committed LSN: every accepted record lands exactly once.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bannin_parsers::ParseContext;
use chrono::{DateTime, Utc};

use crate::batch::Row;
use crate::import::{load_mail_state, save_mail_state};
use crate::lines::Line;
use crate::route::Router;
use crate::sources::{Listener, Sources};
use crate::wal::{Entry, Lsn, Wal};
use crate::{IngestError, Lake, Partitions, Table};

/// WAL segment size.
const SEGMENT_BYTES: u64 = 64 * 1024 * 1024;

/// What one source has sent since the pipeline opened.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SourceStats {
    pub tenant: String,
    /// Records accepted (in the WAL).
    pub received: u64,
    /// Bytes of those records.
    pub bytes: u64,
    /// Records that became rows of a table other than `unparsed`.
    pub parsed: u64,
    /// Records kept in `unparsed`, with the reason.
    pub unparsed: u64,
    /// When its latest record arrived.
    pub last_seen: Option<DateTime<Utc>>,
}

/// Rows routed and not yet committed.
struct Pending {
    sources: Sources,
    /// One router per source: its options, W3C header and mail correlation.
    routers: HashMap<String, Router>,
    partitions: Partitions,
    /// LSN of the last record routed into `partitions`.
    last_lsn: Option<Lsn>,
    /// When the oldest pending row arrived.
    since: Option<Instant>,
    /// Rows per table routed since start.
    rows: [u64; Table::ALL.len()],
    /// Per source, since start.
    stats: BTreeMap<String, SourceStats>,
}

/// Accepts records durably and commits them to the lake.
pub struct Pipeline {
    lake: Lake,
    wal: Wal,
    pending: Mutex<Pending>,
    /// Held for a whole commit: commits happen in LSN order.
    committing: Mutex<()>,
    flush_rows: usize,
}

/// What [`Pipeline::open`] found and did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Highest LSN already in the lake.
    pub committed: Option<Lsn>,
    /// WAL records replayed into the lake (accepted but not committed).
    pub replayed: u64,
}

impl Pipeline {
    /// Opens the pipeline over `lake` with its WAL in `wal_dir`, recovering
    /// from a crash if there was one.
    pub fn open(
        lake: Lake,
        wal_dir: &Path,
        sources: Sources,
        flush_rows: usize,
    ) -> Result<(Self, Recovery), IngestError> {
        let committed = lake.recover()?;
        let (wal, entries) = Wal::open_after(wal_dir, SEGMENT_BYTES, committed.unwrap_or(0))?;
        let pipeline = Self {
            lake,
            wal,
            pending: Mutex::new(Pending {
                sources,
                routers: HashMap::new(),
                partitions: Partitions::default(),
                last_lsn: None,
                since: None,
                rows: [0; Table::ALL.len()],
                stats: BTreeMap::new(),
            }),
            committing: Mutex::new(()),
            flush_rows: flush_rows.max(1),
        };
        let mut recovery = Recovery {
            committed,
            replayed: 0,
        };
        {
            let mut pending = pipeline.lock_pending();
            for (lsn, entry) in entries {
                if committed.is_some_and(|c| lsn <= c) {
                    continue;
                }
                route_entry(&mut pending, lsn, &entry)?;
                recovery.replayed += 1;
            }
        }
        pipeline.flush()?;
        Ok((pipeline, recovery))
    }

    /// Accepts records: returns once they are durable in the WAL (their
    /// LSN, the last one). Commits when enough rows are pending.
    pub fn accept(&self, entries: &[Entry]) -> Result<Lsn, IngestError> {
        let (last, full) = {
            let mut pending = self.lock_pending();
            let last = self.wal.write(entries)?;
            let first = last + 1 - entries.len() as u64;
            for (i, entry) in entries.iter().enumerate() {
                route_entry(&mut pending, first + i as u64, entry)?;
            }
            (last, pending.partitions.row_count() >= self.flush_rows)
        };
        self.wal.sync(last)?;
        if full {
            self.flush()?;
        }
        Ok(last)
    }

    /// Commits what is pending if the oldest row has waited `max_age`.
    pub fn flush_if_older(&self, max_age: Duration) -> Result<(), IngestError> {
        let due = self
            .lock_pending()
            .since
            .is_some_and(|since| since.elapsed() >= max_age);
        if due { self.flush() } else { Ok(()) }
    }

    /// Commits everything pending, then trims the WAL behind it.
    pub fn flush(&self) -> Result<(), IngestError> {
        let _one_at_a_time = self
            .committing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (partitions, last_lsn) = {
            let mut pending = self.lock_pending();
            pending.since = None;
            (std::mem::take(&mut pending.partitions), pending.last_lsn)
        };
        let Some(last_lsn) = last_lsn else {
            return Ok(());
        };
        if !partitions.is_empty() {
            self.lake.commit_through(partitions, Some(last_lsn))?;
        }
        for router in self.lock_pending().routers.values_mut() {
            save_mail_state(router, true)?;
        }
        Ok(self.wal.trim(last_lsn)?)
    }

    /// The source name of a record from `peer` on `listener`.
    pub fn source_name(&self, listener: Listener, peer: IpAddr) -> String {
        self.lock_pending().sources.resolve(listener, peer)
    }

    /// Counters of every source that sent since the pipeline opened
    /// (replayed records included), by name.
    pub fn source_stats(&self) -> BTreeMap<String, SourceStats> {
        self.lock_pending().stats.clone()
    }

    /// Rows routed per table since the pipeline opened (replay included).
    pub fn rows(&self) -> [u64; Table::ALL.len()] {
        self.lock_pending().rows
    }

    fn lock_pending(&self) -> MutexGuard<'_, Pending> {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Routes one WAL record into the pending batches, with the router of its
/// source (made, and its mail correlation restored, on first use).
fn route_entry(pending: &mut Pending, lsn: Lsn, entry: &Entry) -> Result<(), IngestError> {
    if !pending.routers.contains_key(&entry.source) {
        let mut router = Router::new(pending.sources.options(&entry.source));
        if let Some(state) = load_mail_state(router.options())? {
            router.mail().restore(state);
        }
        pending.routers.insert(entry.source.clone(), router);
    }
    let Pending {
        routers,
        partitions,
        rows: counts,
        stats,
        ..
    } = pending;
    let Some(router) = routers.get_mut(&entry.source) else {
        return Ok(());
    };
    let ctx = ParseContext {
        reference: entry.received_at,
        offset: router.options().offset,
    };
    let line = Line {
        number: lsn,
        bytes: entry.bytes.clone(),
        truncated_from: entry.truncated_from.map(|n| n as usize),
    };
    let mut rows: Vec<Row> = Vec::with_capacity(2);
    let format = entry.format.unwrap_or(router.options().format);
    router.route_as(
        format,
        &line,
        &ctx,
        &entry.source,
        entry.received_at,
        &mut rows,
    );
    let tenant = router.options().tenant.clone();
    let source = stats.entry(entry.source.clone()).or_default();
    source.tenant.clone_from(&tenant);
    source.received += 1;
    source.bytes += entry.bytes.len() as u64;
    source.last_seen = source.last_seen.max(Some(entry.received_at));
    for row in rows {
        match row.table() {
            Table::Unparsed => source.unparsed += 1,
            // Correlated from a line already counted as syslog.
            Table::Mail => {}
            _ => source.parsed += 1,
        }
        if let Some(n) = counts.get_mut(row.table().index()) {
            *n += 1;
        }
        partitions.push(&tenant, row);
    }
    pending.last_lsn = Some(lsn);
    pending.since.get_or_insert_with(Instant::now);
    Ok(())
}
