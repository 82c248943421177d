//! The safe session, attacked: nothing but one read-only query over the
//! lake's tables runs, limits hold and leave the session usable, and a
//! session scoped to one tenant never sees another's rows or name.

use std::time::Duration;

use bannin_ingest::{Format, ImportOptions, Importer, Lake};
use bannin_query::lake_store::LakeStore;
use bannin_query::{OutputFormat, QueryError, QueryLimits, QuerySession, TenantScope, output};
use datafusion::arrow::array::RecordBatch;
use datafusion::object_store::path::Path;
use datafusion::object_store::{ObjectStore, ObjectStoreExt};
use futures::TryStreamExt;

const A: &str = "sakuragaoka";
const B: &str = "kita-ku";
/// Text that appears only in tenant B's rows.
const B_SECRET: &str = "kita-secret";

fn import(lake: &Lake, tenant: &str, text: &str) {
    let options = ImportOptions {
        source: Some("fixture".into()),
        max_line_bytes: 4096,
        ..ImportOptions::new(Format::Syslog, tenant)
    };
    let mut importer = Importer::new(lake, options).unwrap();
    importer
        .import_reader(
            text.as_bytes(),
            "fixture",
            "2026-11-23T00:00:00Z".parse().unwrap(),
        )
        .unwrap();
    importer.finish().unwrap();
}

/// Tenant A: two days of syslog (3 rows); tenant B: one day (2 rows) whose
/// hosts and messages carry [`B_SECRET`].
fn lake() -> (tempfile::TempDir, Lake) {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    import(
        &lake,
        A,
        "<30>1 2026-11-21T10:00:00+09:00 lg-a-web01 httpd - - - 起動しました\n\
         <30>1 2026-11-22T10:00:00+09:00 lg-a-web01 httpd - - - 再起動しました\n\
         <30>1 2026-11-22T11:00:00+09:00 lg-a-file01 smbd - - - share opened\n",
    );
    import(
        &lake,
        B,
        "<30>1 2026-11-22T10:00:00+09:00 kita-secret-host httpd - - - kita-secret payroll\n\
         <30>1 2026-11-22T12:00:00+09:00 kita-secret-db postgres - - - kita-secret login\n",
    );
    (dir, lake)
}

fn scoped(lake: &Lake, tenants: &[&str], limits: QueryLimits) -> QuerySession {
    QuerySession::open_scoped(
        lake,
        TenantScope::tenants(tenants.iter().copied()).unwrap(),
        limits,
    )
    .unwrap()
}

fn csv(batches: &[RecordBatch]) -> String {
    let mut out = Vec::new();
    output::write(batches, OutputFormat::Csv, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

async fn count(session: &QuerySession, sql: &str) -> String {
    csv(&session.sql(sql).await.unwrap())
        .lines()
        .nth(1)
        .unwrap()
        .to_owned()
}

fn refused(result: Result<impl std::fmt::Debug, QueryError>) -> String {
    match result {
        Err(e @ QueryError::Refused(_)) => e.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn only_one_read_only_query_runs() {
    let (dir, lake) = lake();
    let session = QuerySession::open(&lake).unwrap();
    let target = dir.path().join("out.csv");
    let target = target.display();
    for (sql, named) in [
        ("CREATE TABLE t AS SELECT 1".to_owned(), "CREATE TABLE"),
        (
            "create view v as select * from syslog".into(),
            "CREATE VIEW",
        ),
        (
            "INSERT INTO syslog SELECT * FROM syslog".into(),
            "INSERT INTO",
        ),
        ("DELETE FROM syslog".into(), "DELETE"),
        ("UPDATE syslog SET host = 'x'".into(), "UPDATE"),
        ("DROP TABLE syslog".into(), "DROP TABLE"),
        ("SET datafusion.execution.batch_size = 1".into(), "SET"),
        ("RESET datafusion.execution.batch_size".into(), "RESET"),
        (format!("COPY (SELECT 1) TO '{target}'"), "COPY"),
        (format!("COPY syslog TO '{target}' STORED AS CSV"), "COPY"),
        (format!("EXPLAIN COPY (SELECT 1) TO '{target}'"), "COPY"),
        (
            "CREATE EXTERNAL TABLE p STORED AS CSV LOCATION '/etc/passwd'".into(),
            "CREATE EXTERNAL TABLE",
        ),
        (
            "SELECT 1; DROP TABLE syslog".into(),
            "one statement at a time",
        ),
        ("SELECT 1; SELECT 2".into(), "one statement at a time"),
        ("  -- nothing\n".into(), "no statement"),
        (
            "SELECT * FROM '/etc/passwd'".into(),
            "reading files or URLs",
        ),
        (
            "SELECT * FROM \"/etc/passwd\"".into(),
            "reading files or URLs",
        ),
        (
            "SELECT * FROM 'syslog.parquet'".into(),
            "reading files or URLs",
        ),
        (
            "SELECT * FROM 'https://example.com/x.csv'".into(),
            "reading files or URLs",
        ),
        (
            "SELECT * FROM \"bannin-lake://lake/syslog/tenant=kita-ku/\"".into(),
            "reading files or URLs",
        ),
        (
            "SELECT * FROM read_parquet('/etc/x.parquet')".into(),
            "table function",
        ),
        (
            "SELECT * FROM read_csv('/etc/passwd')".into(),
            "table function",
        ),
        (
            "SELECT * FROM (SELECT 1) s, READ_JSON('/etc/x.json')".into(),
            "table function",
        ),
    ] {
        let message = refused(session.sql(&sql).await);
        assert!(message.contains(named), "{sql}: {message}");
    }
    // Refused by DataFusion's plan check (SELECT INTO creates a table).
    assert!(
        session
            .sql("SELECT * INTO copied FROM syslog")
            .await
            .is_err()
    );
    assert!(!std::path::Path::new(&target.to_string()).exists());
    assert!(session.sql("SELECT * FROM copied").await.is_err());

    // What is allowed: queries with CTEs and table functions the session
    // has, EXPLAIN, SHOW.
    assert_eq!(
        count(
            &session,
            "WITH s AS (SELECT * FROM syslog) SELECT count(*) FROM s"
        )
        .await,
        "5"
    );
    assert_eq!(
        count(&session, "SELECT count(*) FROM generate_series(1, 10)").await,
        "10"
    );
    assert!(
        csv(&session.sql("EXPLAIN SELECT * FROM syslog").await.unwrap()).contains("physical_plan")
    );
    assert!(csv(&session.sql("SHOW TABLES").await.unwrap()).contains("syslog"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_over_its_time_limit_is_cancelled_and_the_session_goes_on() {
    let (_dir, lake) = lake();
    let limits = QueryLimits {
        timeout: Duration::from_secs(1),
        ..QueryLimits::default()
    };
    let session = scoped(&lake, &[A], limits);
    let error = session
        .sql("SELECT sum(value % 7) FROM generate_series(1, 1000000000000)")
        .await
        .unwrap_err();
    assert!(matches!(error, QueryError::TimeLimit(_)), "{error:?}");
    assert_eq!(error.to_string(), "query exceeded its time limit of 1 s");
    assert_eq!(count(&session, "SELECT count(*) FROM syslog").await, "3");
}

#[tokio::test]
async fn a_query_over_its_memory_limit_fails_and_the_session_goes_on() {
    let (_dir, lake) = lake();
    let limits = QueryLimits {
        memory_bytes: 8 << 20,
        ..QueryLimits::default()
    };
    let session = scoped(&lake, &[A], limits);
    let error = session
        .sql(
            "SELECT k, count(*) FROM (SELECT concat('key-', value) k FROM generate_series(1, 3000000)) \
             GROUP BY k HAVING count(*) > 1",
        )
        .await
        .unwrap_err();
    assert!(matches!(error, QueryError::MemoryLimit { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("query exceeded its memory limit of 8 MiB"),
        "{error}"
    );
    assert_eq!(count(&session, "SELECT count(*) FROM syslog").await, "3");
}

#[tokio::test]
async fn the_row_cap_cuts_results_and_says_so() {
    let (_dir, lake) = lake();
    let limits = QueryLimits {
        max_rows: 10,
        ..QueryLimits::default()
    };
    let session = scoped(&lake, &[A], limits);

    let cut = session
        .query("SELECT value FROM generate_series(1, 1000000) ORDER BY value DESC")
        .await
        .unwrap();
    assert!(cut.truncated);
    assert_eq!(cut.num_rows(), 10);
    assert!(csv(&cut.batches).starts_with("value\n1000000\n999999\n"));

    let exact = session
        .query("SELECT value FROM generate_series(1, 10)")
        .await
        .unwrap();
    assert!(!exact.truncated);
    assert_eq!(exact.num_rows(), 10);

    let error = session
        .sql("SELECT value FROM generate_series(1, 11)")
        .await
        .unwrap_err();
    assert!(matches!(error, QueryError::TooManyRows(10)), "{error:?}");
    assert!(error.to_string().contains("more than 10 rows"));
}

#[tokio::test]
async fn a_scoped_session_never_sees_another_tenant() {
    let (_dir, lake) = lake();
    let everyone = QuerySession::open(&lake).unwrap();
    // The fixture is what the test thinks it is: B's rows exist.
    let all = csv(&everyone.sql("SELECT * FROM syslog").await.unwrap());
    assert!(all.contains(B_SECRET) && all.contains(B), "{all}");
    let only_b = scoped(&lake, &[B], QueryLimits::default());
    assert_eq!(count(&only_b, "SELECT count(*) FROM syslog").await, "2");

    let session = scoped(&lake, &[A], QueryLimits::default());
    assert_eq!(count(&session, "SELECT count(*) FROM syslog").await, "3");
    for sql in [
        "SELECT * FROM syslog",
        "SELECT * FROM syslog WHERE tenant = 'kita-ku'",
        "SELECT * FROM syslog WHERE tenant = 'kita-ku' OR 1 = 1",
        "SELECT * FROM syslog WHERE \"tenant\" <> 'sakuragaoka' OR true",
        "SELECT * FROM SYSLOG WHERE TENANT = 'kita-ku' /* comment */ OR 1=1 -- x",
        "SELECT DISTINCT tenant, date FROM syslog",
        "SELECT * FROM syslog WHERE CAST(tenant AS BYTEA) IS NOT NULL",
        "SELECT * FROM syslog WHERE lower(tenant) LIKE '%kita%'",
        "SELECT host, message FROM syslog UNION ALL SELECT host, message FROM datafusion.public.syslog",
        "SELECT * FROM public.syslog WHERE tenant IN (SELECT 'kita-ku')",
        "WITH x AS (SELECT * FROM syslog WHERE tenant != 'sakuragaoka') SELECT * FROM x",
        "SELECT * FROM (SELECT * FROM syslog) s WHERE s.tenant NOT IN ('sakuragaoka')",
        "SELECT string_agg(host, ',') FROM syslog",
        "SELECT * FROM syslog WHERE date = '2026-11-22'",
        "SELECT * FROM auth, syslog",
        "SELECT * FROM unparsed",
        "SELECT * FROM information_schema.tables",
        "SELECT * FROM information_schema.columns",
        "SHOW TABLES",
        "SHOW COLUMNS FROM syslog",
        "EXPLAIN SELECT * FROM syslog",
        "EXPLAIN ANALYZE SELECT * FROM syslog WHERE tenant = 'kita-ku' OR true",
        "EXPLAIN VERBOSE SELECT * FROM syslog",
    ] {
        let text = csv(&session.sql(sql).await.unwrap());
        assert!(!text.contains(B_SECRET), "{sql} leaked B's rows: {text}");
        assert!(!text.contains(B), "{sql} leaked B's name: {text}");
    }
    // Filters select within the scope as usual.
    assert_eq!(
        count(
            &session,
            "SELECT count(*) FROM syslog WHERE host = 'lg-a-web01'"
        )
        .await,
        "2"
    );
    assert_eq!(
        count(
            &session,
            "SELECT count(*) FROM syslog WHERE tenant = 'kita-ku'"
        )
        .await,
        "0"
    );
}

#[tokio::test]
async fn the_store_lists_and_opens_only_live_files_in_scope() {
    let (_dir, lake) = lake();
    let root = std::path::absolute(lake.root()).unwrap();
    let store = LakeStore::new(&root, TenantScope::tenants([A]).unwrap(), None);
    let listed: Vec<String> = store
        .list(None)
        .map_ok(|meta| meta.location.to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(
        listed
            .iter()
            .all(|f| f.starts_with("syslog/tenant=sakuragaoka/date="))
    );

    // B's files exist on disk but are neither acknowledged nor readable.
    let everything = LakeStore::new(&root, TenantScope::All, None);
    let b_file: String = everything
        .list(Some(&Path::from("syslog/tenant=kita-ku")))
        .map_ok(|meta| meta.location.to_string())
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert!(everything.get(&Path::from(b_file.as_str())).await.is_ok());
    let err = store.get(&Path::from(b_file.as_str())).await.unwrap_err();
    assert!(
        matches!(err, datafusion::object_store::Error::NotFound { .. }),
        "{err}"
    );
    assert!(store.head(&Path::from("manifest.jsonl")).await.is_err());
    // Nothing can be written.
    let own = Path::from(listed[0].as_str());
    assert!(store.put(&own, "x".into()).await.is_err());
    assert!(store.delete(&own).await.is_err());
    assert!(
        store
            .copy(
                &own,
                &Path::from("syslog/tenant=sakuragaoka/date=2026-11-21/c.parquet")
            )
            .await
            .is_err()
    );
    assert!(std::fs::metadata(root.join(&listed[0])).is_ok());
}

#[tokio::test]
async fn the_file_list_comes_from_the_manifest_on_every_query() {
    let (_dir, lake) = lake();
    let session = QuerySession::open(&lake).unwrap();
    assert_eq!(count(&session, "SELECT count(*) FROM syslog").await, "5");

    // A copy of a committed file the manifest does not list (as during a
    // compaction swap) and a half-written temp file are not read.
    let partition = lake.root().join("syslog/tenant=kita-ku/date=2026-11-22");
    let file = std::fs::read_dir(&partition)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "parquet"))
        .unwrap();
    std::fs::copy(&file, partition.join("part-1-1-1.parquet")).unwrap();
    std::fs::write(partition.join(".part-2-2-2.parquet.tmp"), b"PAR1 half").unwrap();
    assert_eq!(count(&session, "SELECT count(*) FROM syslog").await, "5");

    // Rows committed after the session opened are seen by its next query.
    import(
        &lake,
        A,
        "<30>1 2026-11-23T10:00:00+09:00 lg-a-web01 httpd - - - 停止しました\n",
    );
    assert_eq!(count(&session, "SELECT count(*) FROM syslog").await, "6");
}

#[tokio::test]
async fn filters_on_tenant_and_date_prune_files() {
    let (_dir, lake) = lake();
    let session = QuerySession::open(&lake).unwrap();
    let files_scanned = |plan: String| {
        plan.lines()
            .filter(|line| line.contains("DataSourceExec"))
            .map(|line| line.matches(".parquet").count())
            .sum::<usize>()
    };
    let plan = |sql: &'static str| {
        let session = &session;
        async move { csv(&session.sql(&format!("EXPLAIN {sql}")).await.unwrap()) }
    };
    assert_eq!(files_scanned(plan("SELECT * FROM syslog").await), 3);
    let pruned =
        plan("SELECT * FROM syslog WHERE tenant = 'sakuragaoka' AND date = '2026-11-22'").await;
    assert_eq!(files_scanned(pruned.clone()), 1, "{pruned}");
    assert!(
        pruned.contains("tenant=sakuragaoka/date=2026-11-22/"),
        "{pruned}"
    );
    assert_eq!(
        files_scanned(plan("SELECT * FROM syslog WHERE date >= '2026-11-22'").await),
        2
    );
}
