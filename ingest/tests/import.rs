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
        segment: Some("lgwan".into()),
        max_line_bytes,
        privileged_accounts: vec!["root".into(), "Administrator".into()],
        ..ImportOptions::new(Format::Syslog, "sakuragaoka")
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
    assert_eq!(
        [Table::Auth, Table::Syslog, Table::Unparsed].map(|t| stats.count(t)),
        [4, 4, 4]
    );
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
        [
            Table::Proxy,
            Table::Firewall,
            Table::Syslog,
            Table::Unparsed
        ]
        .map(|t| stats.count(t)),
        [2, 2, 1, 2]
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

#[test]
fn w3c_header_applies_to_the_lines_after_it_in_each_file() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let mut importer = Importer::new(&lake, ImportOptions::new(Format::Auto, "t")).unwrap();
    let input = "#Software: SGOS 6.7.5.3\n\
                 #Fields: date time c-ip cs-username sc-filter-result cs-method cs-host cs-uri-path sc-status sc-bytes cs-bytes\n\
                 2026-11-23 01:00:00 10.40.1.15 tanaka OBSERVED POST files.example.net /up 200 300 4096000\n\
                 2026-11-23 01:00:01 10.40.1.16 - DENIED GET blocked.example.org / 403 100 0\n";
    let stats = importer
        .import_reader(input.as_bytes(), "proxysg", reference())
        .unwrap();
    assert_eq!(stats.directives, 2);
    assert_eq!(stats.count(Table::Proxy), 2);
    assert_eq!(stats.records() + stats.directives, stats.lines);
    // A new input does not inherit the previous one's header.
    let stats = importer
        .import_reader(
            "2026-11-23 01:00:02 10.40.1.17 - OBSERVED GET a.example / 200 1 1\n".as_bytes(),
            "other",
            reference(),
        )
        .unwrap();
    assert_eq!(stats.count(Table::Unparsed), 1);
    importer.finish().unwrap();
}

#[test]
fn cloudtrail_records_file_is_read_as_one_document() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let mut importer = Importer::new(&lake, ImportOptions::new(Format::Auto, "t")).unwrap();
    // Pretty-printed, as `aws s3 cp` + `jq` leave it: not one record a line.
    let input = r#"{
  "Records": [
    {
      "eventTime": "2026-11-23T01:00:00Z",
      "eventSource": "iam.amazonaws.com",
      "eventName": "AttachUserPolicy",
      "awsRegion": "ap-northeast-1",
      "sourceIPAddress": "203.0.113.5",
      "userIdentity": {"type": "IAMUser", "userName": "tanaka", "accountId": "111122223333"},
      "requestParameters": {"userName": "vendor01", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
      "eventID": "a1"
    },
    {"eventName": "Broken", "userIdentity": 5}
  ]
}"#;
    let stats = importer
        .import_reader(input.as_bytes(), "cloudtrail", reference())
        .unwrap();
    importer.finish().unwrap();
    assert_eq!(stats.lines, 2);
    assert_eq!(stats.count(Table::CloudAudit), 1);
    assert_eq!(stats.count(Table::Unparsed), 1);
    assert_eq!(rows_in_lake(&lake), [("cloud_audit", 1), ("unparsed", 1)]);
}

#[test]
fn mail_correlation_survives_between_imports() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let options = || ImportOptions {
        local_domains: vec!["city.example.lg.jp".into()],
        state_dir: Some(dir.path().join("state")),
        ..ImportOptions::new(Format::Syslog, "t")
    };
    let first = "Nov 23 10:00:00 mail01 postfix/smtpd[1]: 4Xc9Tq1Kz4: client=pc15[10.40.1.15], sasl_method=PLAIN, sasl_username=tanaka\n\
                 Nov 23 10:00:01 mail01 postfix/qmgr[2]: 4Xc9Tq1Kz4: from=<tanaka@city.example.lg.jp>, size=2048, nrcpt=1 (queue active)\n";
    let second = "Nov 23 10:05:00 mail01 postfix/smtp[3]: 4Xc9Tq1Kz4: to=<sato@example.com>, relay=mx.example.com[93.184.216.34]:25, delay=299, delays=0/0/299/0, dsn=2.0.0, status=sent (250 ok)\n";
    let mut importer = Importer::new(&lake, options()).unwrap();
    importer
        .import_reader(first.as_bytes(), "maillog", reference())
        .unwrap();
    importer.finish().unwrap();
    // A new process: the message's details come from the saved state.
    let mut importer = Importer::new(&lake, options()).unwrap();
    let stats = importer
        .import_reader(second.as_bytes(), "maillog", reference())
        .unwrap();
    importer.finish().unwrap();
    assert_eq!(stats.count(Table::Mail), 1);
    assert_eq!(stats.count(Table::Syslog), 1, "the line itself is kept");
    assert_eq!(stats.records(), stats.lines);
    let files = walk(&lake.table_dir(Table::Mail));
    let file = files
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "parquet"))
        .unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        File::open(file).unwrap(),
    )
    .unwrap()
    .build()
    .unwrap();
    let batch = reader.into_iter().next().unwrap().unwrap();
    let column = |name: &str| {
        batch
            .column_by_name(name)
            .unwrap()
            .as_any()
            .downcast_ref::<arrow::array::StringArray>()
            .unwrap()
            .value(0)
            .to_owned()
    };
    assert_eq!(column("sender"), "tanaka@city.example.lg.jp");
    assert_eq!(column("direction"), "outbound");
    assert_eq!(column("sasl_user"), "tanaka");
}

#[test]
fn euc_jp_sources_are_read_when_configured() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let (euc, _, _) =
        encoding_rs::EUC_JP.encode("Nov 23 10:00:00 rtx01 auth: 管理者ログイン失敗\n");
    let options = ImportOptions {
        charset: bannin_ingest::decode::Charset::EucJp,
        ..ImportOptions::new(Format::Syslog, "t")
    };
    let mut importer = Importer::new(&lake, options).unwrap();
    let stats = importer
        .import_reader(&euc[..], "rtx", reference())
        .unwrap();
    importer.finish().unwrap();
    assert_eq!(stats.count(Table::Syslog), 1);
    // Read as the default (UTF-8, else Shift_JIS) the same bytes are kept
    // as unparsed with the reason, not silently garbled.
    let mut importer = Importer::new(&lake, ImportOptions::new(Format::Syslog, "t")).unwrap();
    let stats = importer
        .import_reader(&euc[..], "rtx", reference())
        .unwrap();
    assert_eq!(stats.count(Table::Unparsed), 1);
}

#[test]
fn one_line_documents_in_a_file_of_lines_are_split_into_records() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let mut importer = Importer::new(&lake, ImportOptions::new(Format::Auto, "t")).unwrap();
    let record = |name: &str| {
        format!(
            r#"{{"eventTime":"2026-11-23T01:00:00Z","eventSource":"s3.amazonaws.com","eventName":"{name}","userIdentity":{{"type":"IAMUser","userName":"ito","accountId":"1"}}}}"#
        )
    };
    let input = format!(
        "{{\"Records\":[{},{}]}}\n[{}]\n[]\n{}\n",
        record("GetObject"),
        record("PutObject"),
        record("DeleteObject"),
        record("ListBuckets"),
    );
    let stats = importer
        .import_reader(input.as_bytes(), "trail.ndjson", reference())
        .unwrap();
    importer.finish().unwrap();
    assert_eq!(stats.lines, 4);
    assert_eq!(stats.count(Table::CloudAudit), 4);
    assert_eq!(
        stats.count(Table::Unparsed),
        1,
        "the empty array is kept, with why"
    );
}
