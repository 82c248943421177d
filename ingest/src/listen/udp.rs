//! Syslog over UDP: one message per datagram. Datagrams waiting in the
//! socket are taken together, so one WAL fsync covers a burst.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::Utc;
use tokio::net::UdpSocket;

use super::{Counters, accept};
use crate::pipeline::Pipeline;
use crate::sources::Listener;
use crate::wal::Entry;

/// Datagrams taken per WAL append at most.
const BURST: usize = 512;

/// Receives until the socket fails.
pub async fn serve(
    socket: UdpSocket,
    pipeline: Arc<Pipeline>,
    counters: Arc<Counters>,
    max_frame: usize,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 65_536];
    loop {
        let (n, peer) = socket.recv_from(&mut buf).await?;
        let mut entries = vec![entry(&pipeline, &buf, n, peer, max_frame)];
        counters.bytes.fetch_add(n as u64, Ordering::Relaxed);
        while entries.len() < BURST {
            match socket.try_recv_from(&mut buf) {
                Ok((n, peer)) => {
                    counters.bytes.fetch_add(n as u64, Ordering::Relaxed);
                    entries.push(entry(&pipeline, &buf, n, peer, max_frame));
                }
                Err(_) => break,
            }
        }
        if let Err(why) = accept(&pipeline, &counters, entries).await {
            counters.errors.fetch_add(1, Ordering::Relaxed);
            tracing::error!(%why, "syslog/udp datagrams could not be accepted");
        }
    }
}

/// The first `n` bytes of `buf` as a record of the sender's source:
/// trailing LF / NUL dropped, cut to the limit.
fn entry(
    pipeline: &Pipeline,
    buf: &[u8],
    n: usize,
    peer: std::net::SocketAddr,
    max_frame: usize,
) -> Entry {
    let mut bytes = buf.get(..n).unwrap_or_default();
    while let Some(rest) = bytes
        .strip_suffix(b"\n")
        .or_else(|| bytes.strip_suffix(b"\0"))
        .or_else(|| bytes.strip_suffix(b"\r"))
    {
        bytes = rest;
    }
    let truncated_from = (bytes.len() > max_frame).then_some(bytes.len() as u64);
    Entry {
        received_at: Utc::now(),
        source: pipeline.source_name(Listener::SyslogUdp, peer.ip()),
        bytes: bytes
            .get(..bytes.len().min(max_frame))
            .unwrap_or_default()
            .to_vec(),
        truncated_from,
        format: None,
    }
}
