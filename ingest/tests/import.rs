//! Importing real-looking and hostile input: every non-empty line lands in
//! exactly one table, nothing panics, and the lake files hold what the
//! counts say.

use std::fs::File;
use std::path::Path;

use bannin_ingest::{Format, ImportOptions, Importer, Lake, Table};
use chrono::{DateTime, Utc};
use parquet::file::reader::{FileReader, SerializedFileReader};

fn options(max_line_bytes: usize) -> ImportOptions {
    ImportOptions {
        format: Format::Syslog,
        tenant: "sakuragaoka".into(),
        source: None,
        segment: Some("lgwan".into()),
        offset: bannin_parsers::context::jst(),
        max_line_bytes,
        privileged_accounts: vec!["root".into(), "Administrator".into()],
    }
}

fn reference() -> DateTime<Utc> {
    "2026-11-23T00:00:00Z".parse().unwrap()
}

/// Rows per table that has any, read back from the Parquet files.
fn rows_in_lake(lake: &Lake) -> Vec<(&'static str, i64)> {
    let counts = Table::ALL.map(|table| {
        let mut rows = 0;
        for entry in walk(&lake.table_dir(table)) {
            if entry.extension().is_some_and(|e| e == "parquet") {
                let reader = SerializedFileReader::new(File::open(&entry).unwrap()).unwrap();
                rows += reader.metadata().file_metadata().num_rows();
            }
        }
        (table.name(), rows)
    });
    counts.into_iter().filter(|(_, rows)| *rows > 0).collect()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| {
            let path = e.path();
            if path.is_dir() {
                walk(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

#[test]
fn every_line_is_kept_once_even_when_hostile() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let mut input: Vec<u8> = Vec::new();
    let mut push = |line: &[u8]| {
        input.extend_from_slice(line);
        input.push(b'\n');
    };
    push(b"Nov 22 02:10:01 lg-file01 sshd[311]: Failed password for root from 10.30.5.77 port 40001 ssh2");
    push(b"Nov 22 02:10:31 lg-file01 sshd[312]: Failed password for ADMINISTRATOR from 10.30.5.77 port 40002 ssh2");
    push(b"Nov 22 02:10:40 lg-file01 sshd[313]: Failed password for invalid user root2 from 10.30.5.77 port 40003 ssh2");
    push(b"Nov 22 09:00:00 lg-file01 sshd[314]: Accepted publickey for tanaka from 10.20.1.15 port 51234 ssh2");
    push(b"<30>1 2026-11-22T09:00:01.5+09:00 lg-web01 httpd - - - started");
    push(b"<13>Nov 22 09:00:02 inet-fw01 kernel: link up");
    push(b"");
    push(b"   \r");
    push(b"\x00\x01\x02\xff\xfe binary junk \x7f");
    push(b"Nov 22 09:00:03 host app: caf\xc3 broken utf-8 \xff");
    push(&[b'A'; 1024 * 1024]);
    push(b"this is not syslog at all");
    // Shift_JIS: 「ログイン失敗」 from a Japanese appliance.
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("Nov 22 09:00:04 lg-ad01 auth: ログイン失敗");
    push(&sjis);
    input.extend_from_slice(b"Nov 22 09:00:05 lg-file01 cron[1]: last line without newline");

    let mut importer = Importer::new(&lake, options(64 * 1024)).unwrap();
    let stats = importer
        .import_reader(&input[..], "fixture", reference())
        .unwrap();
    let (totals, files) = importer.finish().unwrap();
    assert_eq!(stats, totals);
    assert_eq!(stats.lines, 14);
    assert_eq!(stats.empty, 2);
    assert_eq!((stats.auth, stats.syslog, stats.unparsed), (4, 4, 4));
    assert_eq!(stats.records() + stats.empty, stats.lines);
    assert!(!files.is_empty());
    assert_eq!(
        rows_in_lake(&lake),
        [("syslog", 4), ("auth", 4), ("unparsed", 4)]
    );
    // Partitions: tenant, then the UTC date of each event.
    let auth_dir = lake.table_dir(Table::Auth).join("tenant=sakuragaoka");
    assert!(
        auth_dir.join("date=2026-11-21").is_dir(),
        "02:10 JST is the previous UTC day"
    );
    assert!(auth_dir.join("date=2026-11-22").is_dir());
}

#[test]
fn missing_and_directory_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let mut importer = Importer::new(&lake, options(1024)).unwrap();
    let missing = dir.path().join("no-such.log");
    let err = importer.import_file(&missing).unwrap_err().to_string();
    assert!(err.contains("no-such.log"), "{err}");
    let err = importer.import_file(dir.path()).unwrap_err().to_string();
    assert!(err.contains("is a directory"), "{err}");
}

#[test]
fn tenant_names_cannot_escape_the_lake() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    for tenant in ["../etc", "", "a/b", "-x", "テナント"] {
        let mut opts = options(1024);
        opts.tenant = tenant.into();
        assert!(Importer::new(&lake, opts).is_err(), "{tenant:?} accepted");
    }
}

#[test]
fn auto_format_tells_squid_and_fortigate_from_syslog() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let mut opts = options(4096);
    opts.format = Format::Auto;
    let input = "1763769600.123    233 10.20.1.15 TCP_MISS/200 1027 GET http://www.example.jp/ - HIER_DIRECT/93.184.216.34 text/html\n\
                 1763769601.000      0 10.20.1.16 TCP_DENIED/403 3890 CONNECT storage.example.com:443 tanaka HIER_NONE/- text/html\n\
                 1763769601.000 garbage\n\
                 <13>Nov 22 09:00:00 inet-proxy01 squid[1]: Starting Squid Cache\n\
                 <189>date=2026-11-22 time=09:00:00 devname=\"inet-fw01\" devid=\"FGT\" type=\"traffic\" subtype=\"forward\" srcip=10.40.1.15 srcport=5 dstip=93.184.216.34 dstport=443 proto=6 action=\"deny\" policyid=0\n\
                 Nov 22 03:00:00 inet-web01 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=10.40.0.5 LEN=60 PROTO=TCP SPT=51234 DPT=22\n\
                 <189>date=2026-11-22 time=09:00:00 no device fields\n";
    let mut importer = Importer::new(&lake, opts).unwrap();
    let stats = importer
        .import_reader(input.as_bytes(), "access.log", reference())
        .unwrap();
    importer.finish().unwrap();
    assert_eq!(
        (stats.proxy, stats.firewall, stats.syslog, stats.unparsed),
        (2, 2, 1, 2)
    );
    assert_eq!(
        rows_in_lake(&lake),
        [
            ("syslog", 1),
            ("proxy", 2),
            ("firewall", 2),
            ("unparsed", 2)
        ]
    );
}
