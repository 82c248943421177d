//! End to end: `bannin serve` on a full disk (a small tmpfs). Ingest
//! refuses with a clear reason (HTTP 503) or holds the stream
//! (back-pressure on TCP); nothing acknowledged is lost, no Parquet file
//! is left half written, and ingestion resumes by itself once space
//! returns.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts one of `size` at `dir`; None (with the reason) where this
    /// process may not mount (not root, no CAP_SYS_ADMIN).
    fn mount(dir: &Path, size: &str) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(Tmpfs(dir.to_path_buf()))
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the filesystem of `path` to the last byte; returns the filler.
fn fill(path: &Path) -> PathBuf {
    let filler = path.join("filler");
    let mut file = std::fs::File::create(&filler).unwrap();
    for chunk in [1 << 20, 4096, 1] {
        let block = vec![0u8; chunk];
        while file.write_all(&block).is_ok() {}
    }
    filler
}

fn lines(prefix: &str, n: usize) -> String {
    (0..n)
        .map(|i| format!("<13>Nov 23 10:00:00 lg-app01 app: {prefix} {i}\n"))
        .collect()
}

/// A tmpfs of `size` at `dir`, or None (said why) outside CI where this
/// process may not mount; CI runs as root and must.
fn small_disk(dir: &Path, size: &str) -> Option<Tmpfs> {
    match Tmpfs::mount(dir, size) {
        Ok(tmpfs) => Some(tmpfs),
        Err(why) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: cannot mount a tmpfs here ({why}); CI runs this as root");
            None
        }
        Err(why) => panic!("cannot mount a tmpfs: {why}"),
    }
}

#[test]
fn a_wal_write_that_meets_a_full_disk_leaves_only_whole_records() {
    use bannin_ingest::wal::{Entry, Wal};
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("disk");
    let Some(_tmpfs) = small_disk(&disk, "4m") else {
        return;
    };
    let wal_dir = disk.join("wal");
    let entry = |i: usize| Entry {
        received_at: chrono::Utc::now(),
        source: "fw-lgwan01".into(),
        bytes: format!(
            "<134>Nov 23 10:00:00 fw-lgwan01 app: {i} {}",
            "x".repeat(3000)
        )
        .into_bytes(),
        truncated_from: None,
        format: None,
    };
    let (wal, _) = Wal::open_after(&wal_dir, 64 << 20, 0).unwrap();
    let filler = fill(&disk);
    // Batches of 3 records (~9 KiB) until one fails part-way.
    let mut written = 0;
    let failure = loop {
        let batch: Vec<Entry> = (written..written + 3).map(entry).collect();
        match wal.write(&batch) {
            Ok(lsn) => {
                wal.sync(lsn).unwrap();
                written += 3;
            }
            Err(e) => break e.to_string(),
        }
        assert!(written < 3000, "the disk never filled");
    };
    assert!(failure.contains("No space left on device"), "{failure}");
    std::fs::remove_file(filler).unwrap();
    // Space returns: the log goes on after the last whole record.
    let lsn = wal.write(&[entry(written)]).unwrap();
    wal.sync(lsn).unwrap();
    assert_eq!(lsn, written as u64 + 1);
    drop(wal);
    let (_, entries) = Wal::open_after(&wal_dir, 64 << 20, 0).unwrap();
    assert_eq!(entries.len(), written + 1);
    let lsns: Vec<u64> = entries.iter().map(|(lsn, _)| *lsn).collect();
    assert_eq!(lsns, (1..=written as u64 + 1).collect::<Vec<_>>());
}

#[test]
fn a_full_disk_refuses_or_holds_records_and_loses_none() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let Some(_tmpfs) = small_disk(&data, "32m") else {
        return;
    };
    let config = "[ingest]\nflush_seconds = 1\n";
    let server = serve(dir.path(), config, &["--listen-syslog-tcp", "127.0.0.1:0"]);
    let tcp = announced_port(&server, "tcp");
    let url = format!("{}/api/v1/ingest?source=relay01", server.base_url);
    let (status, _) = post(&url, &[], lines("before", 100).as_bytes());
    assert_eq!(status, 200);
    let mut acknowledged = 100;
    assert_eq!(
        wait_for(&data, "SELECT count(*) AS n FROM syslog", 100, 30),
        100
    );

    let filler = fill(&data);
    // The last free bytes may still take a few records; then the commit
    // fails and every record is refused with the reason.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut batch = 0;
    let reason = loop {
        batch += 1;
        let prefix = format!("while full {batch}");
        let (status, body) = post(&url, &[], lines(&prefix, 50).as_bytes());
        match status {
            200 => acknowledged += 50,
            503 => break body.to_string(),
            other => panic!("unexpected {other}: {body}"),
        }
        assert!(Instant::now() < deadline, "a full disk never refused");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(reason.contains("No space left on device"), "{reason}");
    // A stream is held, not dropped: logger's records wait in the socket.
    logger(
        &[
            "--tcp",
            "--octet-count",
            "--rfc5424",
            "--server",
            "127.0.0.1",
            "--port",
            &tcp,
            "-t",
            "app",
        ],
        &(0..20).map(|i| format!("held {i}\n")).collect::<String>(),
    );
    std::thread::sleep(Duration::from_secs(3));
    let status = curl(&format!("{}/api/v1/sources", server.base_url));
    let dropped: u64 = status["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["dropped"].as_u64().unwrap())
        .sum();
    assert_eq!(dropped, 0, "{status}");

    // Space returns: everything acknowledged and held lands, once.
    std::fs::remove_file(&filler).unwrap();
    let expected = acknowledged + 20;
    // Committed: the repair is done, records are accepted again.
    let n = wait_committed(&data, "syslog", expected, 60);
    assert_eq!(
        n, expected,
        "acknowledged over HTTP {acknowledged}, held on TCP 20"
    );
    let (status, body) = post(&url, &[], lines("after", 10).as_bytes());
    assert_eq!(status, 200, "{body}");
    let n = wait_for(&data, "SELECT count(*) AS n FROM syslog", expected + 10, 30);
    drop(server);
    assert_eq!(n, expected + 10, "seen at once, committed or not");
    assert_eq!(count(&data, "syslog"), expected + 10);
    let distinct = sql(
        &data,
        "csv",
        "SELECT count(DISTINCT message) AS d FROM syslog",
    );
    assert_eq!(
        distinct,
        format!("d\n{}\n", expected + 10),
        "each record once"
    );
    // No half-written or unlisted Parquet: the manifest accounts for all.
    let out = ok(bannin(&data, &["verify"]));
    assert!(out.starts_with("ok: "), "{out}");
    assert_eq!(count(&data, "unparsed"), 0);
}
