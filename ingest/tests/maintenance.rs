//! Lake maintenance keeps the evidence whole: compaction keeps every row
//! exactly once, sorted, and a crash at any step recovers to the old or the
//! new lake; retention drops only what the policy says, recorded in the
//! manifest; `verify` stays clean through both and still finds tampering.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use arrow::array::{Array, StringArray, TimestampMicrosecondArray};
use bannin_ingest::compact::CompactOptions;
use bannin_ingest::manifest::{self, Action, Problem, verify};
use bannin_ingest::retention::Policy;
use bannin_ingest::{Format, ImportOptions, Importer, Lake, Table};
use chrono::{DateTime, NaiveDate, Utc};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

const HOSTS: [&str; 3] = ["lg-file01", "lg-ad01", "fw-lgwan01"];

/// Syslog lines of 22 November (JST, so UTC date 2026-11-22 from 09:00),
/// committed in `commits` imports whose times interleave: sorting must
/// happen across files, not only inside them.
fn syslog_commits(lake: &Lake, day: u32, commits: usize, lines: usize) {
    let reference: DateTime<Utc> = "2026-11-30T00:00:00Z".parse().unwrap();
    for commit in 0..commits {
        let mut text = String::new();
        for i in 0..lines {
            let minute = i * commits + commit;
            text.push_str(&format!(
                "Nov {day} {:02}:{:02}:{:02} {} systemd[1]: Started session {} of user tanaka.\n",
                10 + minute / 60,
                minute % 60,
                (i * 7) % 60,
                HOSTS[i % HOSTS.len()],
                commit * 1000 + i,
            ));
        }
        let mut importer =
            Importer::new(lake, ImportOptions::new(Format::Syslog, "sakura")).unwrap();
        importer
            .import_reader(text.as_bytes(), "syslog", reference)
            .unwrap();
        importer.finish().unwrap();
    }
}

fn partition(lake: &Lake, day: u32) -> PathBuf {
    lake.root()
        .join(format!("syslog/tenant=sakura/date=2026-11-{day}"))
}

fn parquet_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|read| read.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "parquet"));
    files.sort();
    files
}

/// Every row of the files in `dir` as (time, raw), file by file.
fn rows(dir: &Path) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    for path in parquet_in(dir) {
        let file = std::fs::File::open(&path).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            let time = batch
                .column_by_name("time")
                .unwrap()
                .as_any()
                .downcast_ref::<TimestampMicrosecondArray>()
                .unwrap()
                .clone();
            let raw = batch
                .column_by_name("raw")
                .unwrap()
                .as_any()
                .downcast_ref::<StringArray>()
                .unwrap()
                .clone();
            for i in 0..batch.num_rows() {
                assert!(!time.is_null(i));
                out.push((time.value(i), raw.value(i).to_owned()));
            }
        }
    }
    out
}

/// The Parquet files in `dir` with their content.
fn copies(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    parquet_in(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Alters one byte in the middle of a file.
fn flip_a_byte(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(path, &bytes).unwrap();
}

fn sorted(mut rows: Vec<(i64, String)>) -> Vec<(i64, String)> {
    rows.sort();
    rows
}

fn assert_clean(lake: &Lake) -> manifest::Report {
    let report = verify(lake.root()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    report
}

/// Every file below `dir` (temporary ones included), relative.
fn all_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn compaction_keeps_every_row_exactly_once_sorted_by_time() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    syslog_commits(&lake, 22, 5, 40);
    syslog_commits(&lake, 21, 1, 10);
    let today = partition(&lake, 22);
    assert_eq!(parquet_in(&today).len(), 5);
    let before = rows(&today);
    assert_eq!(before.len(), 200);
    let untouched = std::fs::read(&parquet_in(&partition(&lake, 21))[0]).unwrap();

    let done = lake.compact(&CompactOptions::default()).unwrap();

    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(
        done[0].partition.to_string(),
        "syslog/tenant=sakura/date=2026-11-22"
    );
    assert_eq!((done[0].files, done[0].rows), (5, 200));
    let files = parquet_in(&today);
    assert_eq!(files.len(), 1);
    let after = rows(&today);
    assert!(
        after.windows(2).all(|w| w[0].0 <= w[1].0),
        "rows are sorted by time"
    );
    assert_eq!(sorted(after), sorted(before), "every row exactly once");
    assert_eq!(
        std::fs::read(&parquet_in(&partition(&lake, 21))[0]).unwrap(),
        untouched,
        "a partition with one file is left alone"
    );
    let report = assert_clean(&lake);
    assert_eq!((report.entries, report.live), (7, 2));
    assert!(report.unfinished.is_empty());

    let entries = manifest::entries(lake.root()).unwrap();
    let last = entries.last().unwrap();
    assert_eq!(last.action, None, "an addition, like every commit");
    assert_eq!(last.reason.as_deref(), Some("compaction"));
    assert_eq!(last.replaces.len(), 5);
    assert_eq!(last.replaces.iter().map(|r| r.rows).sum::<u64>(), 200);
    assert_eq!(last.rows, 200);
    // Commits still write entries an older bannin reads the same way.
    let text = std::fs::read_to_string(lake.root().join("manifest.jsonl")).unwrap();
    assert!(!text.lines().next().unwrap().contains("action"));

    assert!(lake.compact(&CompactOptions::default()).unwrap().is_empty());
}

#[test]
fn compaction_honours_target_date_and_dry_run() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    syslog_commits(&lake, 21, 3, 20);
    syslog_commits(&lake, 22, 3, 20);
    let manifest_before = std::fs::read(lake.root().join("manifest.jsonl")).unwrap();
    let plan = lake
        .compact(&CompactOptions {
            dry_run: true,
            ..CompactOptions::default()
        })
        .unwrap();
    assert_eq!(plan.len(), 2);
    assert_eq!(
        std::fs::read(lake.root().join("manifest.jsonl")).unwrap(),
        manifest_before,
        "a dry run changes nothing"
    );
    // Files at or above the target are not small: nothing to merge.
    let big = lake
        .compact(&CompactOptions {
            target_bytes: 1,
            ..CompactOptions::default()
        })
        .unwrap();
    assert!(big.is_empty());
    // A running server leaves today's partition to its commits.
    let done = lake
        .compact(&CompactOptions {
            before: Some(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()),
            ..CompactOptions::default()
        })
        .unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].partition.date.to_string(), "2026-11-21");
    assert_eq!(parquet_in(&partition(&lake, 21)).len(), 1);
    assert_eq!(parquet_in(&partition(&lake, 22)).len(), 3);
    assert_clean(&lake);
}

/// A lake compacted once, with copies of the files the compaction retired
/// and the name of the file it made.
struct Compacted {
    _dir: tempfile::TempDir,
    lake: Lake,
    before: Vec<(i64, String)>,
    retired: Vec<(PathBuf, Vec<u8>)>,
    new: PathBuf,
}

fn compacted() -> Compacted {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    syslog_commits(&lake, 22, 4, 25);
    let today = partition(&lake, 22);
    let before = rows(&today);
    let retired = copies(&today);
    lake.compact(&CompactOptions::default()).unwrap();
    let new = parquet_in(&today).remove(0);
    Compacted {
        _dir: dir,
        lake,
        before,
        retired,
        new,
    }
}

fn temporary(path: &Path) -> PathBuf {
    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
    path.with_file_name(format!(".{stem}.tmp"))
}

#[test]
fn a_crash_before_the_manifest_record_discards_the_merged_file() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    syslog_commits(&lake, 22, 3, 10);
    let today = partition(&lake, 22);
    let before = all_files(lake.root());
    // The merged file was written and fsynced, then the process died.
    let tmp = today.join(".part-1764000000000000-1-0.tmp");
    std::fs::copy(&parquet_in(&today)[0], &tmp).unwrap();
    assert_clean(&lake);

    lake.recover().unwrap();

    assert!(!tmp.exists());
    assert_eq!(all_files(lake.root()), before);
    assert_clean(&lake);
}

#[test]
fn a_crash_after_the_manifest_record_finishes_the_compaction() {
    let c = compacted();
    // Died right after the manifest append: nothing renamed or deleted.
    std::fs::rename(&c.new, temporary(&c.new)).unwrap();
    for (path, bytes) in &c.retired {
        std::fs::write(path, bytes).unwrap();
    }
    let report = verify(c.lake.root()).unwrap();
    assert_eq!(report.unfinished.len(), 4, "{report:?}");

    c.lake.recover().unwrap();

    let today = c.new.parent().unwrap();
    assert_eq!(parquet_in(today), vec![c.new.clone()]);
    assert_eq!(sorted(rows(today)), sorted(c.before.clone()));
    let report = assert_clean(&c.lake);
    assert!(report.unfinished.is_empty());
}

#[test]
fn a_crash_before_the_retired_files_are_deleted_is_finished_by_recovery() {
    let c = compacted();
    // Died after the rename, before (some of) the deletes.
    for (path, bytes) in &c.retired[1..] {
        std::fs::write(path, bytes).unwrap();
    }
    let report = assert_clean(&c.lake);
    assert_eq!(
        report.unfinished.len(),
        3,
        "verify is read-only and says so"
    );

    c.lake.recover().unwrap();

    let today = c.new.parent().unwrap();
    assert_eq!(parquet_in(today), vec![c.new.clone()]);
    assert_eq!(sorted(rows(today)), sorted(c.before.clone()));
    assert!(assert_clean(&c.lake).unfinished.is_empty());
}

#[test]
fn tampering_is_still_detected_after_compaction() {
    let c = compacted();
    // The merged file is altered.
    flip_a_byte(&c.new);
    // A retired file comes back with other content.
    let (old, mut original) = c.retired[0].clone();
    original[10] ^= 0x01;
    std::fs::write(&old, &original).unwrap();

    let problems = verify(c.lake.root()).unwrap().problems;
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, Problem::Altered { .. })),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, Problem::ReplacedAfterRetirement { .. })),
        "{problems:?}"
    );
    // Recovery does not destroy the planted file: verify keeps reporting it.
    c.lake.recover().unwrap();
    assert!(old.exists());
    // Editing the compaction's entry (hiding a replaced file) breaks the chain.
    let path = c.lake.root().join("manifest.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen("\"reason\":\"compaction\"", "\"reason\":\"compactio\"", 1);
    assert_ne!(edited, text);
    std::fs::write(&path, edited).unwrap();
    let problems = verify(c.lake.root()).unwrap().problems;
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, Problem::BrokenChain { seq: 5 })),
        "{problems:?}"
    );
}

#[test]
fn an_altered_file_is_not_compacted() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    syslog_commits(&lake, 22, 3, 10);
    let file = parquet_in(&partition(&lake, 22))[1].clone();
    flip_a_byte(&file);
    let before = all_files(lake.root());

    let err = lake.compact(&CompactOptions::default()).unwrap_err();

    assert!(err.to_string().contains("SHA-256 differs"), "{err}");
    assert_eq!(all_files(lake.root()), before, "nothing changed");
}

fn policy(table: Table, days: u32) -> Policy {
    BTreeMap::from([(table, days)])
}

#[test]
fn retention_drops_only_old_partitions_and_records_it() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    for day in [20, 21, 22] {
        syslog_commits(&lake, day, 2, 5);
    }
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let before = all_files(lake.root());

    let planned = lake
        .apply_retention(&policy(Table::Syslog, 1), today, true)
        .unwrap();
    assert_eq!(planned.len(), 1);
    assert_eq!(all_files(lake.root()), before, "a dry run changes nothing");
    // No policy for the table: kept forever.
    assert!(
        lake.apply_retention(&policy(Table::Auth, 1), today, false)
            .unwrap()
            .is_empty()
    );

    let done = lake
        .apply_retention(&policy(Table::Syslog, 1), today, false)
        .unwrap();

    assert_eq!(done, planned);
    assert_eq!(
        done[0].partition.to_string(),
        "syslog/tenant=sakura/date=2026-11-20"
    );
    assert_eq!((done[0].files, done[0].rows), (2, 10));
    assert!(!partition(&lake, 20).exists(), "the partition is gone");
    assert_eq!(parquet_in(&partition(&lake, 21)).len(), 2);
    assert_eq!(parquet_in(&partition(&lake, 22)).len(), 2);
    let report = assert_clean(&lake);
    assert_eq!((report.entries, report.live), (8, 4));
    let removals: Vec<_> = manifest::entries(lake.root())
        .unwrap()
        .into_iter()
        .filter(|e| e.action == Some(Action::Remove))
        .collect();
    assert_eq!(removals.len(), 2);
    assert!(
        removals
            .iter()
            .all(|e| e.reason.as_deref() == Some("retention")
                && e.file.starts_with("syslog/tenant=sakura/date=2026-11-20/"))
    );
    assert!(
        lake.apply_retention(&policy(Table::Syslog, 1), today, false)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn retention_refuses_to_record_a_missing_file_as_removed() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    syslog_commits(&lake, 20, 2, 5);
    let gone = parquet_in(&partition(&lake, 20))[0].clone();
    std::fs::remove_file(&gone).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();

    assert!(
        lake.apply_retention(&policy(Table::Syslog, 1), today, false)
            .is_err()
    );

    let problems = verify(lake.root()).unwrap().problems;
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, Problem::Missing { .. })),
        "the deletion stays visible: {problems:?}"
    );
}

#[test]
fn a_crash_during_retention_is_finished_by_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    syslog_commits(&lake, 20, 2, 5);
    let old = partition(&lake, 20);
    let copies = copies(&old);
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    lake.apply_retention(&policy(Table::Syslog, 1), today, false)
        .unwrap();
    // Died after the manifest append, before the deletes.
    std::fs::create_dir_all(&old).unwrap();
    for (path, bytes) in &copies {
        std::fs::write(path, bytes).unwrap();
    }
    assert_eq!(assert_clean(&lake).unfinished.len(), 2);

    lake.recover().unwrap();

    assert!(!old.exists());
    assert!(assert_clean(&lake).unfinished.is_empty());
}
