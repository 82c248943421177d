//! SQL over a lake: tables registered with partitions, results rendered,
//! and nothing but queries allowed.

use bannin_ingest::{Format, ImportOptions, Importer, Lake};
use bannin_query::{OutputFormat, QuerySession, output, rows::to_json_rows};

fn lake() -> (tempfile::TempDir, Lake) {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let options = ImportOptions {
        source: Some("fixture".into()),
        segment: Some("lgwan".into()),
        max_line_bytes: 4096,
        privileged_accounts: vec!["root".into()],
        ..ImportOptions::new(Format::Syslog, "sakuragaoka")
    };
    let mut importer = Importer::new(&lake, options).unwrap();
    let text = "Nov 22 09:00:00 lg-file01 sshd[1]: Accepted password for tanaka from 10.20.1.15 port 5 ssh2\n\
                <30>1 2026-11-22T09:00:01+09:00 lg-web01 httpd - - - 起動しました\n\
                garbage line\n";
    importer
        .import_reader(
            text.as_bytes(),
            "fixture",
            "2026-11-23T00:00:00Z".parse().unwrap(),
        )
        .unwrap();
    importer.finish().unwrap();
    (dir, lake)
}

#[tokio::test]
async fn tables_and_partition_columns_are_queryable() {
    let (_dir, lake) = lake();
    let session = QuerySession::open(&lake).unwrap();
    let batches = session
        .sql(
            "SELECT tenant, date, host, \"user\", outcome, segment, source, time FROM auth \
             UNION ALL SELECT tenant, date, host, app_name, message, segment, source, time FROM syslog \
             ORDER BY time",
        )
        .await
        .unwrap();
    let rows = to_json_rows(&batches).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["tenant"], "sakuragaoka");
    assert_eq!(rows[0]["date"], "2026-11-22");
    assert_eq!(rows[0]["user"], "tanaka");
    assert_eq!(rows[0]["segment"], "lgwan");
    assert_eq!(rows[1]["outcome"], "起動しました");
    let unparsed = to_json_rows(
        &session
            .sql("SELECT error, raw FROM unparsed")
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(unparsed.len(), 1);
    assert_eq!(unparsed[0]["raw"], "garbage line");
    assert!(unparsed[0]["error"].as_str().unwrap().contains("timestamp"));
}

#[tokio::test]
async fn output_formats() {
    let (_dir, lake) = lake();
    let session = QuerySession::open(&lake).unwrap();
    let batches = session
        .sql("SELECT host, src_port FROM auth UNION ALL SELECT 'x', NULL")
        .await
        .unwrap();
    let render = |format| {
        let mut out = Vec::new();
        output::write(&batches, format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let json = render(OutputFormat::Json);
    assert_eq!(json.lines().count(), 2);
    assert!(json.contains(r#""src_port":null"#), "{json}");
    assert!(render(OutputFormat::Csv).starts_with("host,src_port\n"));
    assert!(render(OutputFormat::Table).contains("| lg-file01 |"));

    let empty = session
        .sql("SELECT host, src_port FROM auth WHERE false")
        .await
        .unwrap();
    let mut csv = Vec::new();
    output::write(&empty, OutputFormat::Csv, &mut csv).unwrap();
    assert_eq!(String::from_utf8(csv).unwrap(), "host,src_port\n");
}

#[tokio::test]
async fn only_queries_are_allowed() {
    let (_dir, lake) = lake();
    let session = QuerySession::open(&lake).unwrap();
    for statement in [
        "CREATE TABLE t AS SELECT 1",
        "INSERT INTO auth SELECT * FROM auth",
        "COPY (SELECT 1) TO '/tmp/bannin-copy-test.csv'",
        "SET datafusion.execution.batch_size = 1",
        "DROP TABLE auth",
    ] {
        assert!(
            session.sql(statement).await.is_err(),
            "{statement} was allowed"
        );
    }
    assert!(session.sql("SELEC 1").await.is_err());
}

#[tokio::test]
async fn an_empty_lake_has_empty_tables() {
    let dir = tempfile::tempdir().unwrap();
    let session = QuerySession::open(&Lake::new(dir.path().join("lake"))).unwrap();
    let rows = to_json_rows(
        &session
            .sql("SELECT (SELECT count(*) FROM auth) a, (SELECT count(*) FROM syslog) s, (SELECT count(*) FROM unparsed) u")
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(rows[0]["a"], 0);
    assert_eq!(rows[0]["s"], 0);
    assert_eq!(rows[0]["u"], 0);
}
