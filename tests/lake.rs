//! Lake maintenance through the built binary, the way an administrator
//! runs it: several small imports → `bannin lake compact` → the same counts
//! and a clean `bannin verify`; `bannin lake retention` drops only what the
//! configuration says.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn parquet_in(dir: &Path) -> Vec<PathBuf> {
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
