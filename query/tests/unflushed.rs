//! Rows accepted but not yet committed are queryable at once, from the
//! running pipeline or from the WAL beside it, and never counted twice.

use bannin_ingest::pipeline::{Pipeline, unflushed_in_wal};
use bannin_ingest::sources::Sources;
use bannin_ingest::wal::Entry;
use bannin_ingest::{Format, ImportOptions, Lake};
use bannin_query::rows::to_json_rows;
use bannin_query::{QuerySession, SessionOptions};
use chrono::Utc;

fn entry(i: usize, host: &str) -> Entry {
    Entry {
        received_at: Utc::now(),
        source: "fw-lgwan01".into(),
        bytes: format!("<134>Nov 23 10:00:{:02} {host} app[1]: message {i}", i % 60).into_bytes(),
        truncated_from: None,
        format: None,
    }
}

fn sources() -> Sources {
    Sources::new(Vec::new(), ImportOptions::new(Format::Auto, "sakuragaoka"))
}

fn live_session(
    lake: &Lake,
    unflushed: bannin_ingest::Unflushed,
) -> Result<QuerySession, bannin_query::QueryError> {
    let options = SessionOptions {
        unflushed,
        ..SessionOptions::default()
    };
    QuerySession::open_with(lake, &options)
}

async fn count(session: &QuerySession, sql: &str) -> i64 {
    let rows = to_json_rows(&session.sql(sql).await.unwrap()).unwrap();
    rows[0]["n"].as_i64().unwrap()
}

#[tokio::test]
async fn accepted_rows_are_seen_before_and_after_their_commit_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let wal = dir.path().join("wal");
    let (pipeline, _) = Pipeline::open(lake.clone(), &wal, sources(), 1_000_000).unwrap();

    let first: Vec<Entry> = (0..5000).map(|i| entry(i, "fw01")).collect();
    pipeline.accept(&first).unwrap();
    pipeline.flush().unwrap();
    let second: Vec<Entry> = (0..4100).map(|i| entry(i, "fw02")).collect();
    pipeline.accept(&second).unwrap();

    let all = "SELECT count(*) AS n FROM syslog";
    let by_host = "SELECT count(*) AS n FROM syslog WHERE host = 'fw02' AND tenant = 'sakuragaoka'";
    // The files alone hold only the committed rows.
    let files_only = QuerySession::open(&lake).unwrap();
    assert_eq!(count(&files_only, all).await, 5000);
    // The server's session sees the pending rows too, filters applied.
    let live = live_session(&lake, pipeline.unflushed().unwrap()).unwrap();
    assert_eq!(count(&live, all).await, 9100);
    assert_eq!(count(&live, by_host).await, 4100);
    let limited = live
        .sql("SELECT host FROM syslog WHERE host = 'fw02' LIMIT 3")
        .await
        .unwrap();
    assert_eq!(limited.iter().map(|b| b.num_rows()).sum::<usize>(), 3);
    // A reader beside the server (`bannin sql`) finds them in the WAL.
    let from_wal = unflushed_in_wal(&lake, &wal, sources()).unwrap();
    let beside = live_session(&lake, from_wal).unwrap();
    assert_eq!(count(&beside, all).await, 9100);
    assert_eq!(count(&beside, by_host).await, 4100);

    // Once committed, they come from the files, once.
    pipeline.flush().unwrap();
    let live = live_session(&lake, pipeline.unflushed().unwrap()).unwrap();
    assert_eq!(count(&live, all).await, 9100);
    let from_wal = unflushed_in_wal(&lake, &wal, sources()).unwrap();
    assert!(from_wal.rows.is_empty(), "nothing after the committed LSN");
    let beside = live_session(&lake, from_wal).unwrap();
    assert_eq!(count(&beside, all).await, 9100);
}

/// A commit that completes between taking the unflushed rows and listing
/// the files neither doubles nor drops them: files committed after the
/// rows were taken are left out of that session.
#[tokio::test]
async fn a_commit_racing_a_query_counts_its_rows_once() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let wal = dir.path().join("wal");
    let (pipeline, _) = Pipeline::open(lake.clone(), &wal, sources(), 1_000_000).unwrap();
    let all = "SELECT count(*) AS n FROM syslog";

    let first: Vec<Entry> = (0..300).map(|i| entry(i, "fw01")).collect();
    pipeline.accept(&first).unwrap();
    let taken = pipeline.unflushed().unwrap();
    let from_wal = unflushed_in_wal(&lake, &wal, sources()).unwrap();
    pipeline.flush().unwrap(); // the commit lands before the sessions list files
    assert_eq!(count(&live_session(&lake, taken).unwrap(), all).await, 300);
    assert_eq!(
        count(&live_session(&lake, from_wal).unwrap(), all).await,
        300
    );

    // Rows of a commit in progress are shown from memory until it is done.
    let second: Vec<Entry> = (0..200).map(|i| entry(i, "fw02")).collect();
    pipeline.accept(&second).unwrap();
    let taken = pipeline.unflushed().unwrap();
    assert_eq!(taken.committed, Some(300));
    pipeline.flush().unwrap();
    assert_eq!(count(&live_session(&lake, taken).unwrap(), all).await, 500);
    let now = pipeline.unflushed().unwrap();
    assert_eq!((now.rows.len(), now.committed), (0, Some(500)));
    assert_eq!(count(&live_session(&lake, now).unwrap(), all).await, 500);
}
