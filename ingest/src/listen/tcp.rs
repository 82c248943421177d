//! Syslog over TCP (RFC 6587): octet-counted or LF-framed, recognised per
//! frame. A connection is read only as fast as its records become durable;
//! one that sends a bad octet count, or nothing for the idle timeout, is
//! closed with the reason logged — the others are not affected.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bannin_parsers::framing::{Decoder, Frame};
use chrono::Utc;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::TcpListener;

use super::{Counters, InOrder, each_connection};
use crate::pipeline::Pipeline;
use crate::sources::Listener;
use crate::wal::Entry;

/// How long a connection may stay silent before it is closed.
const IDLE: Duration = Duration::from_secs(15 * 60);

/// Accepts connections until the listener fails.
pub async fn serve(
    listener: TcpListener,
    pipeline: Arc<Pipeline>,
    counters: Arc<Counters>,
    max_frame: usize,
) -> std::io::Result<()> {
    let handler_counters = Arc::clone(&counters);
    each_connection(listener, counters, "syslog/tcp", move |stream, peer| {
        let (pipeline, counters) = (Arc::clone(&pipeline), Arc::clone(&handler_counters));
        async move {
            let listener = Listener::SyslogTcp;
            connection(stream, listener, peer, &pipeline, &counters, max_frame).await
        }
    })
    .await
}

/// Reads one connection (plain or TLS) until it ends; the error says why
/// it ended early. What was framed before an error is still accepted.
pub(crate) async fn connection(
    stream: impl AsyncRead + Unpin,
    listener: Listener,
    peer: SocketAddr,
    pipeline: &Arc<Pipeline>,
    counters: &Arc<Counters>,
    max_frame: usize,
) -> Result<(), String> {
    let source: Arc<str> = pipeline.source_name(listener, peer.ip()).into();
    let handing = InOrder::new(pipeline, counters);
    let read = read_frames(stream, &source, counters, max_frame, &handing).await;
    let accepted = handing.finish().await;
    accepted.and(read)
}

/// Reads frames and queues them for the pipeline until the stream ends,
/// fails, or the pipeline stops taking them.
async fn read_frames(
    mut stream: impl AsyncRead + Unpin,
    source: &Arc<str>,
    counters: &Counters,
    max_frame: usize,
    handing: &InOrder,
) -> Result<(), String> {
    let mut decoder = Decoder::new(max_frame);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match tokio::time::timeout(IDLE, stream.read(&mut buf)).await {
            Ok(Ok(n)) => n,
            Ok(Err(e)) => return Err(format!("read failed: {e}")),
            Err(_) => return Err(format!("idle for {} s", IDLE.as_secs())),
        };
        counters.bytes.fetch_add(n as u64, Ordering::Relaxed);
        let mut entries = Vec::new();
        // Every frame of one read arrived at the same time.
        let received_at = Utc::now();
        if n == 0 {
            let last = decoder.finish();
            if let Ok(Some(frame)) = &last {
                entries.push(entry(source, received_at, frame.clone()));
            }
            handing.send(entries).await;
            return last.map(|_| ()).map_err(|e| e.to_string());
        }
        decoder.feed(buf.get(..n).unwrap_or_default());
        let outcome = loop {
            match decoder.next_frame() {
                Ok(Some(frame)) => entries.push(entry(source, received_at, frame)),
                Ok(None) => break Ok(()),
                Err(e) => break Err(e.to_string()),
            }
        };
        if !handing.send(entries).await {
            // The pipeline's error ends the connection.
            return Ok(());
        }
        outcome?;
    }
}

fn entry(source: &Arc<str>, received_at: chrono::DateTime<Utc>, frame: Frame) -> Entry {
    Entry {
        received_at,
        source: Arc::clone(source),
        bytes: frame.bytes,
        truncated_from: frame.truncated_from.map(|n| n as u64),
        format: None,
    }
}
