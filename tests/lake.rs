//! Lake maintenance through the built binary, the way an administrator
//! runs it: several small imports → `bannin lake compact` → the same counts
//! and a clean `bannin verify`; `bannin lake retention` drops only what the
//! configuration says.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The Parquet files under `dir`; none when retention removed it.
fn parquet_in(dir: &Path) -> Vec<PathBuf> {
    if !dir.exists() {
        return Vec::new();
    }
    walk_files(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect()
}

#[test]
fn compaction_and_retention_keep_counts_and_verify_clean() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Three imports of the same day: three small files in one partition.
    for (i, host) in ["lg-file01", "lg-file02", "lg-ad01"].iter().enumerate() {
        let log = dir.path().join(format!("auth-{i}.log"));
        let mut text = String::new();
        for n in 0..20 {
            text.push_str(&format!(
                "Nov 22 10:{n:02}:{i:02} {host} sshd[{}]: Failed password for root from 10.30.5.{n} port {} ssh2\n",
                700 + n,
                40000 + n
            ));
        }
        // A record from long ago, for retention.
        text.push_str(&format!(
            "<165>1 2024-01-10T09:00:0{i}+09:00 mn-app01 backup 81 ID47 - old backup {i}\n"
        ));
        std::fs::write(&log, text).unwrap();
        ok(bannin(&data, &["ingest", log.to_str().unwrap()]));
    }
    let auth = data.join("lake/auth/tenant=default/date=2026-11-22");
    assert_eq!(parquet_in(&auth).len(), 3);
    let (auth_rows, syslog_rows) = (count(&data, "auth"), count(&data, "syslog"));
    assert_eq!((auth_rows, syslog_rows), (60, 3));

    let out = ok(bannin(&data, &["lake", "compact", "--dry-run"]));
    assert!(
        out.contains("would merge auth/tenant=default/date=2026-11-22: 3 files"),
        "{out}"
    );
    assert_eq!(parquet_in(&auth).len(), 3, "a dry run changes nothing");

    let out = ok(bannin(&data, &["lake", "compact"]));
    assert!(
        out.contains("auth/tenant=default/date=2026-11-22: 3 files → 1 ("),
        "{out}"
    );
    assert!(
        out.contains("syslog/tenant=default/date=2024-01-10: 3 files → 1"),
        "{out}"
    );
    assert_eq!(parquet_in(&auth).len(), 1);
    assert_eq!(count(&data, "auth"), auth_rows);
    assert_eq!(count(&data, "syslog"), syslog_rows);
    let out = ok(bannin(&data, &["verify"]));
    assert!(out.starts_with("ok: 2 files verified"), "{out}");

    // Nothing is deleted unless configured.
    let out = ok(bannin(&data, &["lake", "retention"]));
    assert!(out.contains("no [retention] configured"), "{out}");
    let config = dir.path().join("bannin.toml");
    std::fs::write(&config, "[retention]\nsyslog = 365\n").unwrap();
    let config = config.to_str().unwrap();
    let out = ok(bannin(
        &data,
        &["--config", config, "lake", "retention", "--dry-run"],
    ));
    assert!(
        out.contains("would remove syslog/tenant=default/date=2024-01-10: 1 files, 3 rows"),
        "{out}"
    );
    assert_eq!(count(&data, "syslog"), 3);
    let out = ok(bannin(&data, &["--config", config, "lake", "retention"]));
    assert!(
        out.contains("removed syslog/tenant=default/date=2024-01-10"),
        "{out}"
    );
    assert_eq!(count(&data, "syslog"), 0);
    assert_eq!(count(&data, "auth"), auth_rows, "auth has no retention");
    let out = ok(bannin(&data, &["verify"]));
    assert!(out.starts_with("ok: 1 files verified"), "{out}");
    let manifest = std::fs::read_to_string(data.join("lake/manifest.jsonl")).unwrap();
    assert!(manifest.contains("\"reason\":\"retention\""));
}

/// `bannin serve` maintains the lake by itself: with a short
/// `lake.maintenance_minutes`, the small files of a past day are merged,
/// the partitions older than `[retention]` keeps go, the manifest says so,
/// and `bannin verify` passes afterwards.
#[test]
fn serve_compacts_and_applies_retention_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Four imports as four forwarders' batches: four small files in each of
    // two partitions of `syslog`, one recent and one from long ago.
    for (i, host) in ["mn-app01", "mn-app02", "mn-db01", "mn-web01"]
        .iter()
        .enumerate()
    {
        let log = dir.path().join(format!("app-{i}.log"));
        let mut text = String::new();
        for n in 0..25 {
            text.push_str(&format!(
                "<134>1 2026-06-01T10:{n:02}:0{i}+09:00 {host} jobnet 4{n:02} - - 夜間バッチ {n} 完了\n"
            ));
        }
        for n in 0..5 {
            text.push_str(&format!(
                "<165>1 2024-01-10T09:0{n}:0{i}+09:00 {host} backup 81 ID47 - old backup {n}\n"
            ));
        }
        std::fs::write(&log, text).unwrap();
        ok(bannin(&data, &["ingest", log.to_str().unwrap()]));
    }
    let recent = data.join("lake/syslog/tenant=default/date=2026-06-01");
    let old = data.join("lake/syslog/tenant=default/date=2024-01-10");
    assert_eq!(parquet_in(&recent).len(), 4);
    assert_eq!(parquet_in(&old).len(), 4);
    assert_eq!(count(&data, "syslog"), 120);

    let config = "[lake]\nmaintenance_minutes = 0.02\n\n[retention]\nsyslog = 365\n";
    let server = serve(dir.path(), config, &[]);
    let manifest = data.join("lake/manifest.jsonl");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let maintained = || {
        let text = std::fs::read_to_string(&manifest).unwrap();
        parquet_in(&recent).len() == 1
            && parquet_in(&old).is_empty()
            && text.contains("\"reason\":\"compaction\"")
            && text.contains("\"reason\":\"retention\"")
    };
    while !maintained() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    drop(server);

    assert_eq!(parquet_in(&recent).len(), 1, "the recent day is merged");
    assert!(parquet_in(&old).is_empty(), "the old day is gone");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let entries: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let merged: Vec<_> = entries
        .iter()
        .filter(|e| e["reason"] == "compaction")
        .collect();
    assert!(
        merged
            .iter()
            .any(|e| e["file"].as_str().unwrap().contains("date=2026-06-01")
                && e["replaces"].as_array().unwrap().len() == 4
                && e["rows"] == 100),
        "{text}"
    );
    let removed: u64 = entries
        .iter()
        .filter(|e| e["action"] == "remove" && e["reason"] == "retention")
        .inspect(|e| assert!(e["file"].as_str().unwrap().contains("date=2024-01-10")))
        .map(|e| e["rows"].as_u64().unwrap())
        .sum();
    assert_eq!(removed, 20, "every old row is recorded as removed");
    assert_eq!(count(&data, "syslog"), 100);
    let out = ok(bannin(&data, &["verify"]));
    assert!(out.starts_with("ok: 1 files verified"), "{out}");
}
