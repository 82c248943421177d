//! Listeners survive garbage: a bad frame, a half frame or a huge one ends
//! or cuts that sender's input with the reason, while everyone else keeps
//! being served — and nothing whole is lost.

use std::sync::Arc;
use std::time::Duration;

use bannin_ingest::listen::{self, Counters, Draining};
use bannin_ingest::pipeline::Pipeline;
use bannin_ingest::sources::Sources;
use bannin_ingest::{Format, ImportOptions, Lake, Table};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

const MAX_FRAME: usize = 1024;

fn pipeline(dir: &std::path::Path) -> Arc<Pipeline> {
    let (pipeline, _) = Pipeline::open(
        Lake::new(dir.join("lake")),
        &dir.join("wal"),
        Sources::new(Vec::new(), ImportOptions::new(Format::Auto, "t")),
        1_000_000,
    )
    .unwrap();
    Arc::new(pipeline)
}

/// A syslog/TCP listener on a free port over a pipeline in `dir`.
async fn serve_tcp(
    dir: &std::path::Path,
) -> (Arc<Pipeline>, Arc<Counters>, std::net::SocketAddr, Draining) {
    let pipeline = pipeline(dir);
    let counters = Arc::new(Counters::default());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let draining = Draining::default();
    tokio::spawn(listen::tcp::serve(
        listener,
        Arc::clone(&pipeline),
        Arc::clone(&counters),
        MAX_FRAME,
        draining.drain(),
    ));
    (pipeline, counters, addr, draining)
}

async fn settle(counters: &Counters, expected: u64) {
    for _ in 0..200 {
        if counters.accepted() >= expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_survives_garbage_half_and_huge_frames() {
    let dir = tempfile::tempdir().unwrap();
    let (pipeline, counters, addr, _draining) = serve_tcp(dir.path()).await;

    // A bad octet count: the frames before it are kept, the connection is
    // closed by the server.
    let mut bad = TcpStream::connect(addr).await.unwrap();
    bad.write_all(b"5 <1>ab0 <13>never").await.unwrap();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), bad.read_to_end(&mut rest)).await;
    assert!(
        matches!(closed, Ok(Ok(0))),
        "server closed the bad connection"
    );

    // Someone else is still served: a huge LF frame is cut, and a half
    // octet-counted frame at the end of a stream is not invented.
    let mut good = TcpStream::connect(addr).await.unwrap();
    let huge = vec![b'x'; 5000];
    good.write_all(b"<13>Nov 23 10:00:00 h app: first\n")
        .await
        .unwrap();
    good.write_all(&huge).await.unwrap();
    good.write_all(b"\n<13>Nov 23 10:00:01 h app: last\n40 <13>half")
        .await
        .unwrap();
    good.shutdown().await.unwrap();
    drop(good);

    settle(&counters, 4).await;
    assert_eq!(counters.accepted(), 4, "ab + first + huge (cut) + last");
    assert_eq!(
        counters.errors.load(std::sync::atomic::Ordering::Relaxed),
        2
    );
    let rows = pipeline.rows();
    assert_eq!(rows[Table::Syslog.index()], 2);
    assert_eq!(
        rows[Table::Unparsed.index()],
        2,
        "`<1>ab` and the cut frame"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_hands_on_every_record_read_then_reads_no_more() {
    let dir = tempfile::tempdir().unwrap();
    let (pipeline, counters, addr, draining) = serve_tcp(dir.path()).await;
    // A busy sender: far more than one hand-over, so that batches are
    // still queued (read, not yet in the WAL) when the stop comes.
    const LINES: u64 = 200_000;
    let mut sender = TcpStream::connect(addr).await.unwrap();
    let mut sent = Vec::new();
    for i in 0..LINES {
        sent.extend_from_slice(format!("<13>Nov 23 10:00:00 h app: record {i}\n").as_bytes());
    }
    sender.write_all(&sent).await.unwrap();
    let read_all = async {
        while counters.bytes.load(std::sync::atomic::Ordering::Relaxed) < sent.len() as u64 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read_all)
        .await
        .expect("the server reads what was sent");

    assert!(draining.stop(Duration::from_secs(30)).await);
    assert_eq!(
        counters.accepted(),
        LINES,
        "every record read is in the WAL"
    );
    assert_eq!(pipeline.rows()[Table::Syslog.index()], LINES);

    // Stopped: the connection reads nothing more (the server let it go).
    sender
        .write_all(b"<13>Nov 23 10:00:01 h app: after the stop\n")
        .await
        .ok();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        counters.bytes.load(std::sync::atomic::Ordering::Relaxed),
        sent.len() as u64
    );
    assert_eq!(counters.accepted(), LINES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn udp_keeps_every_datagram_even_binary_junk() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = pipeline(dir.path());
    let counters = Arc::new(Counters::default());
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    tokio::spawn(listen::udp::serve(
        socket,
        Arc::clone(&pipeline),
        Arc::clone(&counters),
        MAX_FRAME,
    ));
    let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    for datagram in [
        &b"<13>Nov 23 10:00:00 h app: one\n"[..],
        &b"\x00\xff\xfe junk"[..],
        &[b'y'; 3000][..],
        &b""[..],
    ] {
        sender.send_to(datagram, addr).await.unwrap();
    }
    settle(&counters, 4).await;
    assert_eq!(counters.accepted(), 4);
    let rows = pipeline.rows();
    assert_eq!(rows[Table::Syslog.index()], 1);
    assert_eq!(
        rows[Table::Unparsed.index()],
        2,
        "junk and the cut datagram"
    );
    let stats = pipeline.source_stats();
    let sender = &stats["127.0.0.1"];
    assert_eq!(
        (sender.received, sender.parsed, sender.unparsed),
        (4, 1, 2),
        "the empty datagram is received but is no record"
    );
    // The line without its LF, the junk, and the big one cut to the limit.
    assert_eq!(sender.bytes, 30 + 8 + MAX_FRAME as u64);
    assert_eq!(sender.tenant, "t");
    assert!(sender.last_seen.is_some());
}
