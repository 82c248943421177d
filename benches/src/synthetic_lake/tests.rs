use arrow::array::{Array, Int64Array, RecordBatch};
use bannin_ingest::manifest;
use bannin_query::QuerySession;

use super::*;

/// Enough rows that the probe terminal (one of 1,000 of its tenant) has
/// logged in at least once (the generator is seeded: same rows every run).
const ROWS: u64 = 200_000;

fn spec() -> LakeSpec {
    LakeSpec {
        rows: ROWS,
        days: 2,
        commit_rows: 3_000,
        ..LakeSpec::default()
    }
}

fn int(batches: &[RecordBatch]) -> Vec<i64> {
    batches
        .iter()
        .flat_map(|b| {
            let col = b.column(b.num_columns() - 1);
            let ints = col.as_any().downcast_ref::<Int64Array>().unwrap().clone();
            (0..ints.len()).map(move |i| ints.value(i))
        })
        .collect()
}

#[test]
fn plan_covers_every_tenant_and_day_with_the_exact_total() {
    let plan = partition_rows(&spec());
    assert_eq!(plan.len(), TENANTS.len() * 2);
    assert_eq!(plan.iter().map(|(_, _, n)| n).sum::<u64>(), ROWS);
    let dates: Vec<String> = plan.iter().map(|(_, d, _)| d.to_string()).collect();
    assert!(dates.contains(&"2026-11-21".to_owned()));
    assert!(dates.contains(&"2026-11-22".to_owned()));
}

#[test]
fn lake_is_written_through_the_commit_path_and_is_queryable() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let mut commits = 0;
    let summary = write_lake(&lake, &spec(), |_| commits += 1).unwrap();
    assert_eq!(summary.rows, ROWS);
    assert!(commits >= 8, "{commits} commits");
    // Every file is live in the manifest, under tenant=/date= directories.
    let entries = manifest::entries(lake.root()).unwrap();
    assert!(!entries.is_empty());
    let first = lake
        .table_dir(bannin_ingest::Table::Proxy)
        .join("tenant=sakuragaoka")
        .join("date=2026-11-22");
    assert!(std::fs::read_dir(&first).unwrap().count() >= 1);

    let session = QuerySession::open(&lake).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let q = |sql: &str| int(&rt.block_on(session.sql(sql)).unwrap());
    let total = q(
        "SELECT (SELECT count(*) FROM proxy) + (SELECT count(*) FROM firewall) \
                   + (SELECT count(*) FROM auth)",
    );
    assert_eq!(total, vec![ROWS as i64]);
    assert_eq!(q("SELECT count(DISTINCT tenant) FROM proxy"), vec![4]);
    for table in ["proxy", "firewall", "auth"] {
        let hits = q(&format!(
            "SELECT count(*) FROM {table} WHERE src_ip = '{PROBE_IP}'"
        ));
        assert!(hits[0] > 0, "{table} has no row of {PROBE_IP}");
    }
    // Brute-force windows give some attacker at least 10 failures in 10 min.
    let bursts = q(
        "SELECT count(*) FROM (SELECT src_ip FROM auth WHERE outcome = 'failure' \
                    GROUP BY src_ip, date_bin(INTERVAL '10 minutes', time) HAVING count(*) >= 10)",
    );
    assert!(bursts[0] > 0);
    let shadow = q("SELECT count(*) FROM proxy WHERE url_host LIKE '%dropbox%'");
    assert!(shadow[0] > 0);
}
