//! Syslog listeners: bytes from the network into the durable
//! [`Pipeline`](crate::pipeline::Pipeline). A record counts as accepted
//! only once the pipeline has it in the WAL; a stream is read at most a
//! few batches ahead of that ([`InOrder`]), then not at all until the
//! pipeline catches up (back-pressure).
//!
//! The source of a record is the sender's address until sources are
//! configured by name. Stopping lets streams hand on what they read
//! ([`Draining`]).

pub mod drain;
pub mod relp;
pub mod tcp;
pub mod tls;
pub mod udp;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::net::{TcpListener, TcpStream};

pub use drain::{Drain, Draining};

use crate::IngestError;
use crate::pipeline::Pipeline;
use crate::sources::Listener;
use crate::wal::Entry;

/// A running listener: which, where, and its counters.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub listener: Listener,
    pub address: SocketAddr,
    pub counters: Arc<Counters>,
}

/// Counters of one listener.
#[derive(Debug, Default)]
pub struct Counters {
    /// Records accepted into the WAL.
    pub accepted: AtomicU64,
    /// Bytes received.
    pub bytes: AtomicU64,
    /// Connections ended because of bad input or an error.
    pub errors: AtomicU64,
    /// Records received but not accepted, which their sender will not
    /// send again (see `Refusal`).
    pub dropped: AtomicU64,
    /// Datagrams the kernel dropped because the receive queue was full
    /// (UDP only; read from the kernel).
    pub kernel_dropped: AtomicU64,
}

impl Counters {
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// A consistent-enough copy for reporting.
    pub fn snapshot(&self) -> CountersSnapshot {
        CountersSnapshot {
            accepted: self.accepted(),
            bytes: self.bytes.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            dropped: self.dropped(),
            kernel_dropped: self.kernel_dropped.load(Ordering::Relaxed),
        }
    }
}

/// [`Counters`] read at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CountersSnapshot {
    pub accepted: u64,
    pub bytes: u64,
    pub errors: u64,
    pub dropped: u64,
    pub kernel_dropped: u64,
}

/// What the listener does with records the pipeline refuses (it cannot
/// write, e.g. on a full disk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// UDP has no answer and no back-pressure: the records are lost and
    /// counted as dropped, per listener and per source.
    Dropped,
    /// A stream holds them and tries again every second, reading nothing
    /// more meanwhile (back-pressure: the sender's queue fills and waits).
    Retried,
    /// The sender is told and sends them again (RELP).
    Answered,
}

/// How long a held stream waits before offering its records again.
const RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// Hands records to the pipeline off the async threads (the WAL fsyncs).
async fn accept(
    pipeline: &Arc<Pipeline>,
    counters: &Counters,
    entries: Vec<Entry>,
    refusal: Refusal,
) -> Result<(), String> {
    if entries.is_empty() {
        return Ok(());
    }
    let n = entries.len() as u64;
    let entries = Arc::new(entries);
    let mut attempts = 0u64;
    loop {
        let (pipeline, batch) = (Arc::clone(pipeline), Arc::clone(&entries));
        let accepted = tokio::task::spawn_blocking(move || {
            let accepted = pipeline.accept(&batch);
            if let Err(e) = &accepted
                && lost(refusal, e)
            {
                pipeline.count_dropped(&batch);
            }
            accepted
        })
        .await;
        match accepted {
            Ok(Ok(_)) => {
                counters.accepted.fetch_add(n, Ordering::Relaxed);
                return Ok(());
            }
            Ok(Err(IngestError::Refused(why))) if refusal == Refusal::Retried => {
                attempts += 1;
                // 1st, 2nd, 4th… refusal: a long outage does not flood the log.
                if attempts.is_power_of_two() {
                    tracing::warn!(%why, attempts, records = n, "holding records until they can be written");
                }
                tokio::time::sleep(RETRY).await;
            }
            Ok(Err(e)) => {
                if lost(refusal, &e) {
                    counters.dropped.fetch_add(n, Ordering::Relaxed);
                }
                return Err(e.to_string());
            }
            Err(e) => return Err(format!("ingest task failed: {e}")),
        }
    }
}

/// Batches a stream may read ahead of the pipeline: the reader goes on
/// reading while earlier batches are logged, up to this many (measured:
/// 4 → 32 took loggen's rate from ~270k to ~380k msg/s, benches/README.md).
const READ_AHEAD: usize = 32;

/// Bytes read ahead by all streams together, in KiB: many busy senders
/// cannot hold more than this in memory besides their socket buffers.
const READ_AHEAD_KIB: usize = 64 * 1024;

/// What every stream's read-ahead draws from ([`READ_AHEAD_KIB`]).
static READ_AHEAD_BYTES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(READ_AHEAD_KIB);

/// Records in one hand-over at most when batches that waited are joined
/// (one WAL write and fsync for all of them; fewer, larger hand-overs cost
/// less per record).
const JOINED_RECORDS: usize = 16 * 1024;

/// A batch read ahead and the share of [`READ_AHEAD_BYTES`] it holds.
type Queued = (Vec<Entry>, tokio::sync::SemaphorePermit<'static>);

/// A stream's batches, handed to the pipeline in the order they were read
/// while the stream is read further: back-pressure still holds, bounded
/// by [`READ_AHEAD`] batches per stream and [`READ_AHEAD_KIB`] for all.
/// Batches that waited are joined into one.
pub(crate) struct InOrder {
    batches: tokio::sync::mpsc::Sender<Queued>,
    handing: tokio::task::JoinHandle<Result<(), String>>,
}

impl InOrder {
    pub(crate) fn new(pipeline: &Arc<Pipeline>, counters: &Arc<Counters>) -> Self {
        let (batches, mut queue) = tokio::sync::mpsc::channel::<Queued>(READ_AHEAD);
        let (pipeline, counters) = (Arc::clone(pipeline), Arc::clone(counters));
        let handing = tokio::spawn(async move {
            while let Some((mut batch, permit)) = queue.recv().await {
                let mut permits = vec![permit];
                while batch.len() < JOINED_RECORDS {
                    match queue.try_recv() {
                        Ok((more, permit)) => {
                            batch.extend(more);
                            permits.push(permit);
                        }
                        Err(_) => break,
                    }
                }
                accept(&pipeline, &counters, batch, Refusal::Retried).await?;
                drop(permits);
            }
            Ok(())
        });
        Self { batches, handing }
    }

    /// Queues a batch; waits while this stream has [`READ_AHEAD`] batches
    /// waiting, or all streams [`READ_AHEAD_KIB`]. False when the pipeline
    /// stopped taking this stream's records: [`InOrder::finish`] says why.
    pub(crate) async fn send(&self, entries: Vec<Entry>) -> bool {
        if entries.is_empty() {
            return true;
        }
        let bytes: usize = entries.iter().map(|e| e.bytes.len()).sum();
        let kib = u32::try_from(bytes.div_ceil(1024).clamp(1, READ_AHEAD_KIB)).unwrap_or(1);
        let Ok(permit) = READ_AHEAD_BYTES.acquire_many(kib).await else {
            return false;
        };
        self.batches.send((entries, permit)).await.is_ok()
    }

    /// Waits until every batch queued is accepted, or for why not.
    pub(crate) async fn finish(self) -> Result<(), String> {
        drop(self.batches);
        match self.handing.await {
            Ok(done) => done,
            Err(e) => Err(format!("ingest task failed: {e}")),
        }
    }
}

/// Whether records the pipeline failed to take are lost for good: not
/// when the sender is told (RELP), nor when a stream holds them to retry.
fn lost(refusal: Refusal, error: &IngestError) -> bool {
    match refusal {
        Refusal::Dropped => true,
        Refusal::Retried => !matches!(error, IngestError::Refused(_)),
        Refusal::Answered => false,
    }
}

/// Accepts connections until the listener fails, each handled in a task of
/// its own; a handler's `Err(why)` ends only that connection, counted and
/// logged under `what`.
async fn each_connection<F, Fut>(
    listener: TcpListener,
    counters: Arc<Counters>,
    what: &'static str,
    handle: F,
) -> std::io::Result<()>
where
    F: Fn(TcpStream, SocketAddr) -> Fut,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    loop {
        let (stream, peer) = listener.accept().await?;
        let connection = handle(stream, peer);
        let counters = Arc::clone(&counters);
        tokio::spawn(async move {
            if let Err(why) = connection.await {
                counters.errors.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(%peer, %why, "{what} connection ended");
            }
        });
    }
}

/// Serves until `serving` ends or stopping is asked: a listener that stops
/// accepting connections (and lets go of its part of the drain).
async fn until_drained(
    mut drain: Drain,
    serving: impl Future<Output = std::io::Result<()>>,
) -> std::io::Result<()> {
    tokio::select! {
        served = serving => served,
        () = drain.asked() => Ok(()),
    }
}
