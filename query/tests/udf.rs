//! The analyst SQL functions, run as SQL through a session over a lake.

use bannin_ingest::{Format, ImportOptions, Importer, Lake};
use bannin_query::udf::BusinessHours;
use bannin_query::{BusinessCalendar, QuerySession, SessionOptions, rows::to_json_rows};
use chrono::NaiveTime;
use serde_json::Value;

/// sshd logins at chosen JST instants: a Tuesday at 10:00 and 18:00, the
/// 国民の休日 2026-09-22, and 00:30 JST on Tuesday 11-24 (still 11-23 in
/// UTC, and 11-23 is 勤労感謝の日).
fn lake() -> (tempfile::TempDir, Lake) {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path().join("lake"));
    let options = ImportOptions {
        source: Some("fixture".into()),
        max_line_bytes: 4096,
        ..ImportOptions::new(Format::Syslog, "sakuragaoka")
    };
    let mut importer = Importer::new(&lake, options).unwrap();
    let line = |time: &str, user: &str, ip: &str| {
        format!(
            "<38>1 {time} lg-file01 sshd 812 - - Accepted password for {user} from {ip} port 50022 ssh2\n"
        )
    };
    let text = [
        line("2026-11-24T10:00:00+09:00", "tanaka", "10.20.1.15"),
        line("2026-11-24T18:00:00+09:00", "suzuki", "203.0.113.5"),
        line("2026-09-22T10:00:00+09:00", "sato", "2001:db8::5"),
        line(
            "2026-11-24T00:30:00+09:00",
            "takahashi",
            "::ffff:192.168.3.4",
        ),
    ]
    .concat();
    importer
        .import_reader(
            text.as_bytes(),
            "fixture",
            "2026-11-25T00:00:00Z".parse().unwrap(),
        )
        .unwrap();
    importer.finish().unwrap();
    (dir, lake)
}

async fn rows(session: &QuerySession, sql: &str) -> Vec<serde_json::Map<String, Value>> {
    let batches = session
        .sql(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    to_json_rows(&batches).unwrap()
}

fn column<'a>(rows: &'a [serde_json::Map<String, Value>], name: &str) -> Vec<&'a Value> {
    rows.iter().map(|row| &row[name]).collect()
}

#[tokio::test]
async fn functions_over_lake_rows() {
    let (_dir, lake) = lake();
    let session = QuerySession::open(&lake).unwrap();
    let rows = rows(
        &session,
        "SELECT \"user\", is_business_hours(time) AS open, is_private_ip(src_ip) AS private, \
         cidr_contains('10.20.0.0/16', src_ip) AS in_office, \
         cidr_contains('192.168.0.0/16', src_ip) AS in_lan, \
         CAST(jst_date(time) AS VARCHAR) AS jst_day, date, \
         CAST(to_jst(time) AS VARCHAR) AS jst \
         FROM auth ORDER BY time",
    )
    .await;
    assert_eq!(
        column(&rows, "user"),
        ["sato", "takahashi", "tanaka", "suzuki"]
    );
    assert_eq!(column(&rows, "open"), [false, false, true, false]);
    assert_eq!(column(&rows, "private"), [false, true, true, false]);
    assert_eq!(column(&rows, "in_office"), [false, false, true, false]);
    assert_eq!(column(&rows, "in_lan"), [false, true, false, false]);
    // The lake partitions by UTC day; jst_date is the municipality's day.
    assert_eq!(rows[1]["date"], "2026-11-23");
    assert_eq!(rows[1]["jst_day"], "2026-11-24");
    assert_eq!(rows[2]["jst"], "2026-11-24T10:00:00+09:00");
}

#[tokio::test]
async fn time_buckets_are_jst_days() {
    let (_dir, lake) = lake();
    let session = QuerySession::open(&lake).unwrap();
    let daily = rows(
        &session,
        "SELECT CAST(time_bucket(INTERVAL '1 day', time) AS VARCHAR) AS day, count(*) AS n \
         FROM auth GROUP BY 1 ORDER BY 1",
    )
    .await;
    assert_eq!(
        column(&daily, "day"),
        ["2026-09-22T00:00:00+09:00", "2026-11-24T00:00:00+09:00"]
    );
    assert_eq!(column(&daily, "n"), [1, 3]);
    // date_bin's UTC days split the same JST day in two.
    let utc = rows(
        &session,
        "SELECT count(DISTINCT date_bin(INTERVAL '1 day', time)) AS n FROM auth",
    )
    .await;
    assert_eq!(utc[0]["n"], 3);
    let hourly = rows(
        &session,
        "SELECT CAST(time_bucket('1 hour', time) AS VARCHAR) AS hour FROM auth \
         WHERE \"user\" = 'suzuki'",
    )
    .await;
    assert_eq!(hourly[0]["hour"], "2026-11-24T18:00:00+09:00");
}

fn with_calendar(lake: &Lake, calendar: BusinessCalendar) -> QuerySession {
    let options = SessionOptions {
        calendar,
        ..SessionOptions::default()
    };
    QuerySession::open_with(lake, &options).unwrap()
}

#[tokio::test]
async fn the_calendar_and_hours_are_the_sessions() {
    let (_dir, lake) = lake();
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    let half_past_six = NaiveTime::from_hms_opt(18, 30, 0).unwrap();
    let calendar = BusinessCalendar::new(BusinessHours::new(nine, half_past_six).unwrap())
        .with_closed("2026-11-24".parse().unwrap(), "庁舎停電に伴う閉庁")
        .with_open("2026-09-22".parse().unwrap(), "休日窓口");
    let session = with_calendar(&lake, calendar);
    let rows = rows(
        &session,
        "SELECT \"user\", is_business_hours(time) AS open FROM auth ORDER BY time",
    )
    .await;
    assert_eq!(column(&rows, "open"), [true, false, false, false]);
    let calendar = BusinessCalendar::new(BusinessHours::new(nine, half_past_six).unwrap());
    let session = with_calendar(&lake, calendar);
    let late = self::rows(
        &session,
        "SELECT is_business_hours(time) AS open FROM auth WHERE \"user\" = 'suzuki'",
    )
    .await;
    assert_eq!(late[0]["open"], true);
}

#[tokio::test]
async fn text_functions_nulls_and_string_types() {
    let (_dir, lake) = lake();
    let session = QuerySession::open(&lake).unwrap();
    let rows = rows(
        &session,
        "SELECT registrable_domain(h) AS plain, registrable_domain(arrow_cast(h, 'Utf8View')) AS view, \
         registrable_domain(arrow_cast(h, 'LargeUtf8')) AS large, is_private_ip(h) AS private \
         FROM (VALUES (1, 'www.city.sapporo.jp'), (2, 'mail.pref.osaka.lg.jp'), \
                      (3, 'Drive.Google.com.'), (4, '10.0.0.1'), (5, NULL)) AS t(i, h) ORDER BY i",
    )
    .await;
    let expected = [
        Value::from("city.sapporo.jp"),
        Value::from("pref.osaka.lg.jp"),
        Value::from("google.com"),
        Value::Null,
        Value::Null,
    ];
    for name in ["plain", "view", "large"] {
        assert_eq!(
            column(&rows, name),
            expected.iter().collect::<Vec<_>>(),
            "{name}"
        );
    }
    assert_eq!(
        column(&rows, "private"),
        [
            &Value::Null,
            &Value::Null,
            &Value::Null,
            &Value::from(true),
            &Value::Null
        ]
    );
    let nulls = self::rows(
        &session,
        "SELECT to_jst(NULL) AS a, jst_date(NULL) AS b, is_business_hours(NULL) AS c, \
         cidr_contains(NULL, '10.0.0.1') AS d, cidr_contains('10.0.0.0/8', NULL) AS e, \
         time_bucket(INTERVAL '1 hour', NULL) AS f, is_private_ip('not an ip') AS g",
    )
    .await;
    for value in nulls[0].values() {
        assert_eq!(value, &Value::Null);
    }
    assert_eq!(nulls[0].len(), 7);
}

#[tokio::test]
async fn cidr_from_a_column_and_a_bad_literal() {
    let (_dir, lake) = lake();
    let session = QuerySession::open(&lake).unwrap();
    let rows = rows(
        &session,
        "SELECT a.\"user\", z.zone FROM auth a \
         JOIN (VALUES ('10.20.0.0/16', '本庁舎'), ('192.168.0.0/16', '支所'), ('bad', '壊れた行')) AS z(cidr, zone) \
         ON cidr_contains(z.cidr, a.src_ip) ORDER BY a.\"user\"",
    )
    .await;
    assert_eq!(column(&rows, "user"), ["takahashi", "tanaka"]);
    assert_eq!(column(&rows, "zone"), ["支所", "本庁舎"]);

    let error = session
        .sql("SELECT count(*) FROM auth WHERE cidr_contains('10.20.0.0/33', src_ip)")
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a CIDR"), "{error}");
    let error = session
        .sql("SELECT time_bucket(INTERVAL '1 month 1 day', time) FROM auth")
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("cannot mix months"), "{error}");
}
