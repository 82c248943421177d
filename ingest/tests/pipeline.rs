//! Durable ingest: every accepted record reaches the lake exactly once,
//! whether the process commits, or dies before committing and restarts.

use std::sync::Arc;

use bannin_ingest::manifest::verify;
use bannin_ingest::pipeline::Pipeline;
use bannin_ingest::sources::Sources;
use bannin_ingest::wal::Entry;
use bannin_ingest::{Format, ImportOptions, Lake, Table};
use chrono::Utc;
use parquet::file::reader::{FileReader, SerializedFileReader};

fn entry(i: usize) -> Entry {
    Entry {
        received_at: Utc::now(),
        source: "fw-lgwan01".into(),
        bytes: format!("<134>Nov 23 10:00:00 fw-lgwan01 app[1]: message {i}").into_bytes(),
        truncated_from: None,
        format: None,
    }
}

fn syslog_rows(lake: &Lake) -> i64 {
    let mut rows = 0;
    for entry in bannin_ingest::manifest::entries(lake.root()).unwrap() {
        if entry.table == "syslog" {
            let file = std::fs::File::open(lake.root().join(&entry.file)).unwrap();
            rows += SerializedFileReader::new(file)
                .unwrap()
                .metadata()
                .file_metadata()
                .num_rows();
        }
    }
    rows
}

fn open(
    dir: &std::path::Path,
    flush_rows: usize,
) -> (Pipeline, bannin_ingest::pipeline::Recovery, Lake) {
    let lake = Lake::new(dir.join("lake"));
    let (pipeline, recovery) = Pipeline::open(
        lake.clone(),
        &dir.join("wal"),
        Sources::new(Vec::new(), ImportOptions::new(Format::Auto, "t")),
        flush_rows,
    )
    .unwrap();
    (pipeline, recovery, lake)
}

#[test]
fn accepted_records_survive_a_crash_before_commit_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let (pipeline, _, lake) = open(dir.path(), 1_000_000);
    let entries: Vec<Entry> = (0..10).map(entry).collect();
    assert_eq!(pipeline.accept(&entries[..4]).unwrap(), 4);
    pipeline.flush().unwrap();
    assert_eq!(pipeline.accept(&entries[4..]).unwrap(), 10);
    assert_eq!(syslog_rows(&lake), 4);
    drop(pipeline); // kill -9: the last six were acknowledged, not committed

    let (pipeline, recovery, lake) = open(dir.path(), 1_000_000);
    assert_eq!(recovery.committed, Some(4));
    assert_eq!(recovery.replayed, 6);
    assert_eq!(syslog_rows(&lake), 10, "every acknowledged record, once");
    // Opening again replays nothing: no duplicates.
    drop(pipeline);
    let (pipeline, recovery, lake) = open(dir.path(), 1_000_000);
    assert_eq!(recovery.replayed, 0);
    assert_eq!(syslog_rows(&lake), 10);
    // Numbering continues after what the lake holds.
    assert_eq!(pipeline.accept(&[entry(10)]).unwrap(), 11);
    pipeline.flush().unwrap();
    assert!(verify(lake.root()).unwrap().problems.is_empty());
}

#[test]
fn concurrent_senders_and_size_flushes_keep_every_record_once() {
    let dir = tempfile::tempdir().unwrap();
    let (pipeline, _, _) = open(dir.path(), 64);
    let pipeline = Arc::new(pipeline);
    let senders: Vec<_> = (0..6)
        .map(|t| {
            let pipeline = Arc::clone(&pipeline);
            std::thread::spawn(move || {
                for i in 0..50 {
                    let batch: Vec<Entry> = (0..3).map(|k| entry(t * 1000 + i * 3 + k)).collect();
                    pipeline.accept(&batch).unwrap();
                }
            })
        })
        .collect();
    for sender in senders {
        sender.join().unwrap();
    }
    assert_eq!(pipeline.rows()[Table::Syslog.index()], 900);
    drop(pipeline);
    let (_, recovery, lake) = open(dir.path(), 64);
    assert_eq!(syslog_rows(&lake), 900, "replayed {}", recovery.replayed);
}

#[test]
fn a_background_committer_commits_by_size_and_age_while_senders_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let (pipeline, _, lake) = open(dir.path(), 100);
    let pipeline = Arc::new(pipeline);
    let committer = pipeline
        .commit_in_background(std::time::Duration::from_secs(1))
        .unwrap();
    // Far more than the committer's bound on pending rows (a few commits'
    // worth), from senders that never call flush themselves.
    let senders: Vec<_> = (0..4)
        .map(|t| {
            let pipeline = Arc::clone(&pipeline);
            std::thread::spawn(move || {
                for i in 0..250 {
                    let batch: Vec<Entry> = (0..4).map(|k| entry(t * 10_000 + i * 4 + k)).collect();
                    pipeline.accept(&batch).unwrap();
                }
            })
        })
        .collect();
    for sender in senders {
        sender.join().unwrap();
    }
    // Size commits ran on the committer's thread meanwhile …
    let bound = 2 * 100 + 4;
    assert!(
        syslog_rows(&lake) >= 4000 - bound,
        "{} committed",
        syslog_rows(&lake)
    );
    // … and the rest is committed by age, with nobody sending.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while syslog_rows(&lake) < 4000 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(syslog_rows(&lake), 4000);
    pipeline.stop_background();
    committer.join().unwrap();
    // Stopped: accept commits by size itself again.
    let more: Vec<Entry> = (0..100).map(|i| entry(50_000 + i)).collect();
    pipeline.accept(&more).unwrap();
    assert_eq!(syslog_rows(&lake), 4100);
    assert!(verify(lake.root()).unwrap().problems.is_empty());
}

#[test]
fn source_counters_survive_restarts_and_crashes_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = Entry {
        bytes: vec![0xff, 0xfe, b'x'],
        ..entry(0)
    };
    {
        let (pipeline, _, _) = open(dir.path(), 1_000_000);
        pipeline
            .accept(&[entry(1), entry(2), garbage.clone()])
            .unwrap();
        pipeline.flush().unwrap();
        pipeline.count_dropped(&[entry(3)]);
        // Accepted but not committed when the process dies.
        pipeline.accept(&[entry(4), entry(5)]).unwrap();
    }
    // The crash leaves the saved counters behind the WAL: the restart counts
    // what came after them, once.
    let (pipeline, recovery, lake) = open(dir.path(), 1_000_000);
    assert_eq!(recovery.replayed, 2);
    let stats = pipeline.source_stats();
    let fw = &stats["fw-lgwan01"];
    assert_eq!((fw.received, fw.parsed, fw.unparsed), (5, 4, 1));
    assert_eq!(fw.tenant, "t");
    assert_eq!(syslog_rows(&lake), 4);
    // Counters saved before the drop was counted lose it: a drop is not in
    // the WAL. Saved after a commit, they keep it.
    assert_eq!(fw.dropped, 0);
    pipeline.count_dropped(&[entry(6)]);
    pipeline.accept(&[entry(7)]).unwrap();
    pipeline.flush().unwrap();
    drop(pipeline);
    let (pipeline, recovery, _) = open(dir.path(), 1_000_000);
    assert_eq!(recovery.replayed, 0);
    let fw = &pipeline.source_stats()["fw-lgwan01"];
    assert_eq!((fw.received, fw.parsed, fw.dropped), (6, 5, 1));
    assert!(fw.last_seen.is_some());

    // A crash after a commit but before the counters were saved: the
    // committed records are counted again from the WAL, not stored again.
    let saved = dir
        .path()
        .join("wal")
        .join(bannin_ingest::pipeline::STATS_FILE);
    let before = std::fs::read(&saved).unwrap();
    pipeline.accept(&[entry(8), entry(9)]).unwrap();
    pipeline.flush().unwrap();
    drop(pipeline);
    std::fs::write(&saved, before).unwrap();
    let (pipeline, recovery, lake) = open(dir.path(), 1_000_000);
    assert_eq!(recovery.replayed, 0);
    let fw = &pipeline.source_stats()["fw-lgwan01"];
    assert_eq!((fw.received, fw.parsed, fw.dropped), (8, 7, 1));
    assert_eq!(syslog_rows(&lake), 7);
    assert!(verify(lake.root()).unwrap().problems.is_empty());
}
