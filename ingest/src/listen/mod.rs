//! Syslog listeners: bytes from the network into the durable
//! [`Pipeline`](crate::pipeline::Pipeline). A record counts as accepted
//! only once the pipeline has it in the WAL; until then a TCP connection
//! is not read further (back-pressure).
//!
//! The source of a record is the sender's address until sources are
//! configured by name.

pub mod relp;
pub mod tcp;
pub mod tls;
pub mod udp;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::net::{TcpListener, TcpStream};

use crate::pipeline::Pipeline;
use crate::wal::Entry;

/// Counters of one listener.
#[derive(Debug, Default)]
pub struct Counters {
    /// Records accepted into the WAL.
    pub accepted: AtomicU64,
    /// Bytes received.
    pub bytes: AtomicU64,
    /// Connections ended because of bad input or an error.
    pub errors: AtomicU64,
}

impl Counters {
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }
}

/// Hands records to the pipeline off the async threads (the WAL fsyncs).
async fn accept(
    pipeline: &Arc<Pipeline>,
    counters: &Counters,
    entries: Vec<Entry>,
) -> Result<(), String> {
    if entries.is_empty() {
        return Ok(());
    }
    let n = entries.len() as u64;
    let pipeline = Arc::clone(pipeline);
    match tokio::task::spawn_blocking(move || pipeline.accept(&entries)).await {
        Ok(Ok(_)) => {
            counters.accepted.fetch_add(n, Ordering::Relaxed);
            Ok(())
        }
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(format!("ingest task failed: {e}")),
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
