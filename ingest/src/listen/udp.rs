//! Syslog over UDP: one message per datagram. Datagrams waiting in the
//! socket are taken together, so one WAL fsync covers a burst.
//!
//! UDP has no back-pressure: what the receive queue cannot hold the kernel
//! drops. Those drops are read from the kernel (`/proc/net/udp`) every
//! second into [`Counters::kernel_dropped`], so a lossy link shows.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::Utc;
use tokio::net::UdpSocket;

use super::{Counters, Refusal, accept};
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
    let inode = socket_inode(&socket);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        let received = tokio::select! {
            received = socket.recv_from(&mut buf) => received,
            _ = tick.tick() => {
                if let Some(drops) = inode.and_then(kernel_drops) {
                    counters.kernel_dropped.store(drops, Ordering::Relaxed);
                }
                continue;
            }
        };
        let (n, peer) = received?;
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
        if let Err(why) = accept(&pipeline, &counters, entries, Refusal::Dropped).await {
            let errors = counters.errors.fetch_add(1, Ordering::Relaxed) + 1;
            // 1st, 2nd, 4th, 8th… failure: a full disk does not flood the log.
            if errors.is_power_of_two() {
                let dropped = counters.dropped();
                tracing::error!(%why, errors, dropped, "syslog/udp datagrams dropped: they could not be accepted");
            }
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
        source: pipeline.source_name(Listener::SyslogUdp, peer.ip()).into(),
        bytes: bytes
            .get(..bytes.len().min(max_frame))
            .unwrap_or_default()
            .to_vec(),
        truncated_from,
        format: None,
    }
}

/// Asks the kernel for a receive queue of `bytes` (it may grant less: see
/// `net.core.rmem_max`); returns what it granted.
pub fn set_receive_buffer(socket: &UdpSocket, bytes: usize) -> std::io::Result<usize> {
    let socket = socket2::SockRef::from(socket);
    socket.set_recv_buffer_size(bytes)?;
    socket.recv_buffer_size()
}

/// The inode of the socket, which names it in `/proc/net/udp`.
fn socket_inode(socket: &UdpSocket) -> Option<u64> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;
    let fd = socket.as_raw_fd();
    std::fs::metadata(format!("/proc/self/fd/{fd}"))
        .ok()
        .map(|m| m.ino())
}

/// Datagrams the kernel dropped on the socket with `inode` (Linux only).
fn kernel_drops(inode: u64) -> Option<u64> {
    ["/proc/net/udp", "/proc/net/udp6"]
        .iter()
        .find_map(|table| {
            let text = std::fs::read_to_string(table).ok()?;
            drops_in(&text, inode)
        })
}

/// The `drops` column of the row for `inode` in a `/proc/net/udp` table.
fn drops_in(table: &str, inode: u64) -> Option<u64> {
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let matches = fields.get(9)?.parse::<u64>().ok()? == inode;
        matches.then(|| fields.get(12)?.parse().ok()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 1131: 0100007F:A2E9 00000000:0000 07 00000000:00034100 00:00000000 00000000     0        0 5551234 2 0000000000000000 17
 1200: 00000000:0202 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 6000 2 0000000000000000 0
";

    #[test]
    fn drops_are_read_from_the_row_of_the_socket() {
        assert_eq!(drops_in(TABLE, 5551234), Some(17));
        assert_eq!(drops_in(TABLE, 6000), Some(0));
        assert_eq!(drops_in(TABLE, 42), None);
        assert_eq!(drops_in("garbage\nmore garbage 1 2", 1), None);
    }

    #[tokio::test]
    async fn a_bound_socket_is_found_in_the_kernel_table() {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let inode = socket_inode(&socket).unwrap();
        assert_eq!(kernel_drops(inode), Some(0));
    }
}
