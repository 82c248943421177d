//! The durable ingest pipeline behind the listeners: records are accepted
//! into the write-ahead log, routed into per-table batches, and committed
//! to the lake by size or age — by the server on a committer thread of its
//! own, so that senders never wait for Parquet to be written; the WAL is
//! trimmed behind each commit.
//!
//! Order is what makes it exact. Records are numbered (WAL LSN) and routed
//! in that order under one lock, so a batch always holds every record up
//! to its last LSN; commits run one at a time and the manifest records
//! that LSN. After a crash, [`Pipeline::open`] finishes or discards the
//! interrupted commit and replays only the WAL records after the last
//! committed LSN: every accepted record lands exactly once.
//!
//! Per-source counters are saved beside the WAL at each commit, with the
//! LSN they count through; a restart loads them and routes the WAL records
//! after that LSN again to count them (and to rebuild the routers' state),
//! keeping rows only of the records not yet committed. Counters survive a
//! restart exactly.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bannin_parsers::ParseContext;
use chrono::{DateTime, Utc};

use crate::batch::{PartitionRows, Row, Unflushed};
use crate::import::{load_mail_state, save_mail_state};
use crate::lines::LineRef;
use crate::route::Router;
use crate::sources::{Listener, Sources};
use crate::wal::{Entry, Lsn, Wal, WalError};
use crate::{IngestError, Lake, Partitions, Table};

/// WAL segment size.
const SEGMENT_BYTES: u64 = 64 * 1024 * 1024;

/// The per-source counters in the WAL directory.
pub const STATS_FILE: &str = "source-stats.json";

/// What one source has sent since it was first heard from.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
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
    /// Records received that could not be accepted and that the sender
    /// cannot send again (UDP, plain TCP or TLS syslog while the WAL
    /// failed, e.g. a full disk).
    pub dropped: u64,
    /// When its latest record arrived.
    pub last_seen: Option<DateTime<Utc>>,
}

/// The saved counters: through which LSN they count, and per source.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct SavedStats {
    lsn: Option<Lsn>,
    sources: BTreeMap<String, SourceStats>,
}

/// Rows routed and not yet committed.
struct Pending {
    sources: Sources,
    /// One router per source: its options, W3C header and mail correlation.
    /// Looked up for every record: a fast hasher.
    routers: HashMap<String, Router, foldhash::fast::RandomState>,
    partitions: Partitions,
    /// LSN of the last record routed into `partitions`.
    last_lsn: Option<Lsn>,
    /// When the oldest pending row arrived.
    since: Option<Instant>,
    /// Rows per table routed since start.
    rows: [u64; Table::ALL.len()],
    /// Per source, since first heard from (saved at each commit).
    stats: BTreeMap<String, SourceStats>,
    /// Why records are refused: a commit failed and awaits repair.
    broken: Option<String>,
}

impl Pending {
    fn new(sources: Sources, stats: BTreeMap<String, SourceStats>) -> Self {
        Self {
            sources,
            routers: HashMap::default(),
            partitions: Partitions::default(),
            last_lsn: None,
            since: None,
            rows: [0; Table::ALL.len()],
            stats,
            broken: None,
        }
    }
}

/// What queries need besides the pending rows to see every accepted
/// record once.
#[derive(Debug, Default)]
struct InFlight {
    rows: PartitionRows,
    /// The LSN through which commits are complete (files renamed in).
    committed: Lsn,
}

/// Commits that failed in a row, and when to try again: a full disk is
/// retried every second at first, then less often, up to every 16 s.
#[derive(Debug, Default)]
struct Failures {
    count: u32,
    retry_at: Option<Instant>,
}

/// How often the background committer looks at the age of what is
/// pending and retries a failed commit.
const COMMIT_TICK: Duration = Duration::from_millis(250);

/// With a background committer, how many times `flush_rows` may be
/// pending (routed, not yet taken by a commit) before [`Pipeline::accept`]
/// waits for the committer: memory stays bounded when the disk is slower
/// than the senders.
const PENDING_COMMITS: usize = 2;

/// Accepts records durably and commits them to the lake.
pub struct Pipeline {
    lake: Lake,
    wal: Wal,
    stats_file: PathBuf,
    pending: Mutex<Pending>,
    /// Signalled (with `pending`) when a commit is due or the committer is
    /// to stop.
    commit_due: Condvar,
    /// Signalled (with `pending`) when a commit has taken the pending rows.
    room: Condvar,
    /// A background committer runs ([`Pipeline::commit_in_background`]):
    /// `accept` leaves commits to it instead of writing Parquet itself.
    background: AtomicBool,
    /// The background committer is to stop.
    stopping: AtomicBool,
    /// Held for a whole commit: commits happen in LSN order.
    committing: Mutex<()>,
    /// The rows of the commit in progress (or failed, until repaired),
    /// still shown to queries, and the LSN committed before it.
    in_flight: Mutex<InFlight>,
    failures: Mutex<Failures>,
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
        let stats_file = wal_dir.join(STATS_FILE);
        let (pending, replayed) = rebuild(sources, &stats_file, entries, committed)?;
        let pipeline = Self {
            lake,
            wal,
            stats_file,
            pending: Mutex::new(pending),
            commit_due: Condvar::new(),
            room: Condvar::new(),
            background: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
            committing: Mutex::new(()),
            in_flight: Mutex::new(InFlight {
                rows: Vec::new(),
                committed: committed.unwrap_or(0),
            }),
            failures: Mutex::new(Failures::default()),
            flush_rows: flush_rows.max(1),
        };
        pipeline.flush()?;
        Ok((
            pipeline,
            Recovery {
                committed,
                replayed,
            },
        ))
    }

    /// After a failed commit (a full disk, say): cleans up the lake and
    /// rebuilds what is pending from the WAL, exactly as a restart would,
    /// then commits. Until this succeeds, records are refused.
    fn repair(&self) -> Result<(), IngestError> {
        {
            let _one_at_a_time = self.lock_committing();
            let committed = self.lake.recover()?;
            let mut pending = self.lock_pending();
            let entries = self.wal.read_after(0)?;
            let sources = pending.sources.clone();
            let (rebuilt, replayed) = rebuild(sources, &self.stats_file, entries, committed)?;
            *pending = rebuilt;
            // The failed commit's rows are pending again.
            self.lock_in_flight().rows.clear();
            tracing::info!(replayed, "retrying the commit that failed");
        }
        self.flush()
    }

    /// Accepts records: returns once they are durable in the WAL (their
    /// LSN, the last one). Commits when enough rows are pending — or, with
    /// a background committer, wakes it, and waits first while it is
    /// [`PENDING_COMMITS`] commits behind.
    pub fn accept(&self, entries: &[Entry]) -> Result<Lsn, IngestError> {
        let (last, full, background) = {
            let mut pending = self.lock_pending();
            // Read each time: a committer stopped meanwhile makes no room.
            while self.background.load(Ordering::Acquire)
                && pending.broken.is_none()
                && pending.partitions.row_count() >= self.flush_rows * PENDING_COMMITS
            {
                pending = self
                    .room
                    .wait(pending)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
            if let Some(why) = &pending.broken {
                return Err(IngestError::Refused(why.clone()));
            }
            let last = self.wal.write(entries).map_err(|e| match e {
                // Nothing was written: the sender may try again.
                WalError::Io { .. } | WalError::Failed => IngestError::Refused(e.to_string()),
                other => other.into(),
            })?;
            let first = last + 1 - entries.len() as u64;
            for (i, entry) in entries.iter().enumerate() {
                route_entry(&mut pending, first + i as u64, entry)?;
            }
            let full = pending.partitions.row_count() >= self.flush_rows;
            (last, full, self.background.load(Ordering::Acquire))
        };
        if full && background {
            self.commit_due.notify_one();
        }
        self.wal.sync(last)?;
        if full && !background {
            self.flush()?;
        }
        Ok(last)
    }

    /// Starts committing on a thread of its own: whenever `flush_rows`
    /// are pending, when the oldest pending row has waited `max_age`, and
    /// retrying a failed commit. [`Pipeline::accept`] then only logs and
    /// routes, so no sender waits while Parquet is written. Runs until
    /// [`Pipeline::stop_background`].
    pub fn commit_in_background(
        self: &Arc<Self>,
        max_age: Duration,
    ) -> std::io::Result<std::thread::JoinHandle<()>> {
        let pipeline = Arc::clone(self);
        let committer = std::thread::Builder::new()
            .name("bannin-commit".into())
            .spawn(move || pipeline.commit_loop(max_age))?;
        self.background.store(true, Ordering::Release);
        Ok(committer)
    }

    /// Stops the background committer (what is pending stays pending:
    /// call [`Pipeline::flush`] after joining it).
    pub fn stop_background(&self) {
        self.stopping.store(true, Ordering::Release);
        self.background.store(false, Ordering::Release);
        let _pending = self.lock_pending();
        self.commit_due.notify_all();
        // Whoever waits for room commits inline again.
        self.room.notify_all();
    }

    fn commit_loop(&self, max_age: Duration) {
        while !self.stopping.load(Ordering::Acquire) {
            let full = {
                let pending = self.lock_pending();
                let (pending, _) = self
                    .commit_due
                    .wait_timeout_while(pending, COMMIT_TICK, |p| {
                        p.partitions.row_count() < self.flush_rows
                            && !self.stopping.load(Ordering::Acquire)
                    })
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                pending.broken.is_none() && pending.partitions.row_count() >= self.flush_rows
            };
            if self.stopping.load(Ordering::Acquire) {
                break;
            }
            let done = if full {
                self.flush()
            } else {
                self.flush_if_older(max_age)
            };
            // The pipeline logs failed commits itself, sparingly.
            if let Err(e) = done {
                tracing::debug!(error = %e, "commit to the lake failed");
            }
        }
    }

    /// Commits what is pending if the oldest row has waited `max_age`.
    /// Also retries a commit that failed.
    pub fn flush_if_older(&self, max_age: Duration) -> Result<(), IngestError> {
        let (due, broken) = {
            let pending = self.lock_pending();
            let due = pending.since.is_some_and(|s| s.elapsed() >= max_age);
            (due, pending.broken.is_some())
        };
        if broken {
            let retry_at = self.lock_failures().retry_at;
            if retry_at.is_some_and(|at| Instant::now() < at) {
                return Ok(());
            }
            self.repair()
        } else if due {
            self.flush()
        } else {
            Ok(())
        }
    }

    /// Commits everything pending, then trims the WAL behind it.
    /// If the commit fails, the records stay in the WAL and new ones are
    /// refused until [`Pipeline::flush_if_older`] has repaired the pipeline.
    pub fn flush(&self) -> Result<(), IngestError> {
        let _one_at_a_time = self.lock_committing();
        let (partitions, last_lsn, stats) = {
            let mut pending = self.lock_pending();
            // Queries go on seeing these rows while they are written (on
            // an error here, nothing has been taken yet).
            pending.partitions.seal()?;
            self.lock_in_flight().rows = pending.partitions.snapshot()?;
            let partitions = std::mem::take(&mut pending.partitions);
            pending.since = None;
            self.room.notify_all();
            (partitions, pending.last_lsn, pending.stats.clone())
        };
        let Some(last_lsn) = last_lsn else {
            return Ok(());
        };
        if !partitions.is_empty()
            && let Err(e) = self.lake.commit_through(partitions, Some(last_lsn))
        {
            let why = format!("the lake cannot be written: {e}");
            let mut failures = self.lock_failures();
            failures.count += 1;
            let wait = 1u64 << failures.count.saturating_sub(1).min(4);
            failures.retry_at = Some(Instant::now() + Duration::from_secs(wait));
            // 1st, 2nd, 4th… failure in a row: an outage does not flood the log.
            if failures.count.is_power_of_two() {
                tracing::error!(%why, failures = failures.count, retry_in_s = wait,
                    "commit failed; records are refused until it succeeds");
            }
            self.lock_pending().broken = Some(why);
            // Whoever waits for room is refused instead.
            self.room.notify_all();
            return Err(e);
        }
        {
            let mut in_flight = self.lock_in_flight();
            in_flight.rows.clear();
            in_flight.committed = last_lsn;
        }
        if std::mem::take(&mut *self.lock_failures()).count > 0 {
            tracing::info!("the lake can be written again; records are accepted");
        }
        for router in self.lock_pending().routers.values_mut() {
            save_mail_state(router, true)?;
        }
        save_stats(
            &self.stats_file,
            &SavedStats {
                lsn: Some(last_lsn),
                sources: stats,
            },
        )?;
        Ok(self.wal.trim(last_lsn)?)
    }

    /// The rows accepted and not yet in the lake's files: pending, and
    /// those of a commit in progress.
    pub fn unflushed(&self) -> Result<Unflushed, IngestError> {
        let pending = self.lock_pending();
        let mut rows = pending.partitions.snapshot()?;
        let in_flight = self.lock_in_flight();
        rows.extend(in_flight.rows.iter().cloned());
        Ok(Unflushed {
            rows,
            committed: Some(in_flight.committed),
        })
    }

    /// The source name of a record from `peer` on `listener`.
    pub fn source_name(&self, listener: Listener, peer: IpAddr) -> String {
        self.lock_pending().sources.resolve(listener, peer)
    }

    /// Why records are refused now (the lake cannot be written), if they are.
    pub fn failure(&self) -> Option<String> {
        self.lock_pending().broken.clone()
    }

    /// The tenant whose rows the records of source `name` become.
    pub fn tenant_of(&self, name: &str) -> String {
        self.lock_pending().sources.options(name).tenant
    }

    /// Counters of every source ever heard from, by name.
    pub fn source_stats(&self) -> BTreeMap<String, SourceStats> {
        self.lock_pending().stats.clone()
    }

    /// Counts `entries` as dropped: received, not accepted, and not to be
    /// sent again by their sender.
    pub fn count_dropped(&self, entries: &[Entry]) {
        let mut pending = self.lock_pending();
        for entry in entries {
            let tenant = pending.sources.options(&entry.source).tenant.clone();
            let source = pending.stats.entry(entry.source.to_string()).or_default();
            source.tenant = tenant;
            source.dropped += 1;
        }
    }

    /// Rows routed per table since the pipeline opened (replay included).
    pub fn rows(&self) -> [u64; Table::ALL.len()] {
        self.lock_pending().rows
    }

    fn lock_failures(&self) -> MutexGuard<'_, Failures> {
        self.failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock_in_flight(&self) -> MutexGuard<'_, InFlight> {
        self.in_flight
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock_committing(&self) -> MutexGuard<'_, ()> {
        self.committing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock_pending(&self) -> MutexGuard<'_, Pending> {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The rows accepted into the WAL in `wal_dir` and not yet in `lake`, for
/// a reader beside a running server (`bannin sql`): the WAL records after
/// the last committed LSN, routed as the server routes them. Nothing is
/// changed; a record still being written is left out.
pub fn unflushed_in_wal(
    lake: &Lake,
    wal_dir: &Path,
    sources: Sources,
) -> Result<Unflushed, IngestError> {
    let committed = crate::manifest::entries(lake.root())?
        .iter()
        .filter_map(|e| e.wal_lsn)
        .max()
        .unwrap_or(0);
    let entries = Wal::peek_after(wal_dir, committed)?;
    let mut pending = Pending::new(sources, BTreeMap::new());
    for (lsn, entry) in entries {
        route_entry(&mut pending, lsn, &entry)?;
    }
    Ok(Unflushed {
        rows: pending.partitions.snapshot()?,
        committed: Some(committed),
    })
}

/// What is pending after a restart or a failed commit: the saved counters,
/// and the WAL records after them routed again — rows kept only for the
/// records after `committed` (returned: how many).
fn rebuild(
    sources: Sources,
    stats_file: &Path,
    entries: Vec<(Lsn, Entry)>,
    committed: Option<Lsn>,
) -> Result<(Pending, u64), IngestError> {
    let saved = load_stats(stats_file)?;
    let mut pending = Pending::new(sources, saved.sources);
    let mut replayed = 0;
    for (lsn, entry) in entries {
        if saved.lsn.is_some_and(|s| lsn <= s) {
            continue;
        }
        let rows = pending.rows;
        route_entry(&mut pending, lsn, &entry)?;
        if committed.is_some_and(|c| lsn <= c) {
            // In the lake already: counted, its rows not kept.
            pending.partitions = Partitions::default();
            pending.rows = rows;
        } else {
            replayed += 1;
        }
    }
    Ok((pending, replayed))
}

/// Routes one WAL record into the pending batches, with the router of its
/// source (made, and its mail correlation restored, on first use).
fn route_entry(pending: &mut Pending, lsn: Lsn, entry: &Entry) -> Result<(), IngestError> {
    let name: &str = &entry.source;
    if !pending.routers.contains_key(name) {
        let mut router = Router::new(pending.sources.options(name));
        if let Some(state) = load_mail_state(router.options())? {
            router.mail().restore(state);
        }
        pending.routers.insert(name.to_owned(), router);
    }
    let Pending {
        routers,
        partitions,
        rows: counts,
        stats,
        ..
    } = pending;
    let Some(router) = routers.get_mut(name) else {
        return Ok(());
    };
    let ctx = ParseContext {
        reference: entry.received_at,
        offset: router.options().offset,
    };
    let line = LineRef {
        number: lsn,
        bytes: &entry.bytes,
        truncated_from: entry.truncated_from.map(|n| n as usize),
    };
    let mut rows: Vec<Row> = Vec::with_capacity(2);
    let format = entry.format.unwrap_or(router.options().format);
    router.route_as(
        format,
        line,
        &ctx,
        &entry.source,
        entry.received_at,
        &mut rows,
    );
    let tenant = &router.options().tenant;
    let source = match stats.get_mut(name) {
        Some(source) => source,
        None => stats.entry(name.to_owned()).or_default(),
    };
    if source.tenant != *tenant {
        source.tenant.clone_from(tenant);
    }
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
        partitions.push(tenant, row)?;
    }
    pending.last_lsn = Some(lsn);
    pending.since.get_or_insert_with(Instant::now);
    Ok(())
}

/// The per-source counters a server beside this process saved with its
/// last commit into `wal_dir` (empty when it never committed).
pub fn saved_source_stats(wal_dir: &Path) -> Result<BTreeMap<String, SourceStats>, IngestError> {
    Ok(load_stats(&wal_dir.join(STATS_FILE))?.sources)
}

/// The saved counters; none yet is a fresh start, a damaged file is an
/// error (it is only ever replaced atomically).
fn load_stats(path: &Path) -> Result<SavedStats, IngestError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SavedStats::default()),
        Err(source) => {
            return Err(IngestError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    serde_json::from_str(&text).map_err(|e| IngestError::State {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

fn save_stats(path: &Path, stats: &SavedStats) -> Result<(), IngestError> {
    let text = serde_json::to_string(stats).map_err(|e| IngestError::State {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    crate::lake::write_atomically(path, text.as_bytes())
}
