//! Syslog over TCP (RFC 6587): octet-counted or LF-framed, recognised per
//! frame. A connection is read only as fast as its records become durable;
//! one that sends a bad octet count, or nothing for the idle timeout, is
//! closed with the reason logged — the others are not affected. Asked to
//! stop, a connection reads what its sender has already sent, hands all it
//! read on, and ends.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bannin_parsers::framing::{Decoder, Frame};
use chrono::Utc;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::TcpListener;

use super::{Counters, Drain, InOrder, each_connection, until_drained};
use crate::pipeline::Pipeline;
use crate::sources::Listener;
use crate::wal::Entry;

/// How long a connection may stay silent before it is closed.
const IDLE: Duration = Duration::from_secs(15 * 60);

/// Asked to stop, a connection still reads what its sender has already
/// sent (the socket's buffer), until the sender pauses this long…
const PAUSE: Duration = Duration::from_millis(200);

/// …or for this long at most, if it never pauses.
const LAST_READS: Duration = Duration::from_secs(5);

/// Accepts connections until the listener fails or `drain` asks to stop.
pub async fn serve(
    listener: TcpListener,
    pipeline: Arc<Pipeline>,
    counters: Arc<Counters>,
    max_frame: usize,
    drain: Drain,
) -> std::io::Result<()> {
    let handler_counters = Arc::clone(&counters);
    let part = drain.clone();
    let serving = each_connection(listener, counters, "syslog/tcp", move |stream, peer| {
        let (pipeline, counters) = (Arc::clone(&pipeline), Arc::clone(&handler_counters));
        let drain = part.clone();
        async move {
            let listener = Listener::SyslogTcp;
            connection(
                stream, listener, peer, &pipeline, &counters, max_frame, drain,
            )
            .await
        }
    });
    until_drained(drain, serving).await
}

/// Reads one connection (plain or TLS) until it ends or `drain` asks to
/// stop; the error says why it ended early. What was framed before an
/// error or the stop is still accepted; the connection's part of the
/// drain goes only once it is.
pub(crate) async fn connection(
    stream: impl AsyncRead + Unpin,
    listener: Listener,
    peer: SocketAddr,
    pipeline: &Arc<Pipeline>,
    counters: &Arc<Counters>,
    max_frame: usize,
    mut drain: Drain,
) -> Result<(), String> {
    let source: Arc<str> = pipeline.source_name(listener, peer.ip()).into();
    let handing = InOrder::new(pipeline, counters);
    let read = read_frames(stream, &source, counters, max_frame, &handing, &mut drain).await;
    let accepted = handing.finish().await;
    drop(drain);
    accepted.and(read)
}

/// Reads frames and queues them for the pipeline until the stream ends,
/// fails, stopping is asked, or the pipeline stops taking them.
async fn read_frames(
    mut stream: impl AsyncRead + Unpin,
    source: &Arc<str>,
    counters: &Counters,
    max_frame: usize,
    handing: &InOrder,
    drain: &mut Drain,
) -> Result<(), String> {
    let mut decoder = Decoder::new(max_frame);
    let mut buf = vec![0u8; 64 * 1024];
    let mut stopping: Option<Instant> = None;
    loop {
        let read = match stopping {
            None => tokio::select! {
                biased;
                () = drain.asked() => {
                    stopping = Some(Instant::now() + LAST_READS);
                    continue;
                }
                read = tokio::time::timeout(IDLE, stream.read(&mut buf)) => read,
            },
            Some(until) => {
                let left = until.saturating_duration_since(Instant::now());
                match tokio::time::timeout(PAUSE.min(left), stream.read(&mut buf)).await {
                    Ok(read) if !left.is_zero() => Ok(read),
                    // The sender paused, or the time is up: read no more.
                    _ => return Ok(()),
                }
            }
        };
        let n = match read {
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
