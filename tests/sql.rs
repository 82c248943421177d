//! The three SQL entry points over one lake: `bannin sql` (one query, -f,
//! formats), `POST /api/v1/query`, and the PostgreSQL wire protocol with
//! the real `psql` client and a hand-driven extended-protocol exchange.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};

/// sshd and sudo lines of two hosts, as /var/log/auth.log has them.
const AUTH_LOG: &str = "\
Nov 22 02:10:05 lg-file01 sshd[700]: Failed password for root from 10.30.5.77 port 40000 ssh2
Nov 22 02:11:40 lg-file01 sshd[701]: Failed password for root from 10.30.5.77 port 40001 ssh2
Nov 22 02:12:15 lg-file01 sshd[702]: Failed password for admin from 10.30.5.77 port 40002 ssh2
Nov 22 08:45:12 lg-file01 sshd[800]: Accepted publickey for tanaka from 10.20.1.15 port 51234 ssh2: RSA SHA256:x
Nov 22 09:00:00 lg-ad01 sudo:   tanaka : TTY=pts/0 ; PWD=/home/tanaka ; USER=root ; COMMAND=/usr/bin/id
Nov 22 11:00:00 inet-proxy01 sshd[900]: Invalid user test from 203.0.113.9 port 2222
";

const BY_HOST: &str = "SELECT host, count(*) AS n FROM auth GROUP BY host ORDER BY host";

/// A lake with the auth log of tenant sakuragaoka; returns the data dir.
fn lake(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
    let input = dir.join("auth.log");
    std::fs::write(&input, AUTH_LOG).unwrap();
    ok(bannin(
        &data,
        &[
            "ingest",
            "--format",
            "syslog",
            "--tenant",
            "sakuragaoka",
            input.to_str().unwrap(),
        ],
    ));
    data
}

#[test]
fn bannin_sql_one_shot_file_and_formats() {
    let dir = tempfile::tempdir().unwrap();
    let data = lake(dir.path());

    let csv = sql(&data, "csv", BY_HOST);
    assert_eq!(csv, "host,n\ninet-proxy01,1\nlg-ad01,1\nlg-file01,4\n");
    let table = sql(&data, "table", BY_HOST);
    assert!(table.contains("| lg-file01    | 4 |"), "{table}");

    // -f: statements in order, `;` inside quotes and comments kept.
    let script = dir.path().join("queries.sql");
    std::fs::write(
        &script,
        "-- failures; by user\nSELECT \"user\", count(*) AS n FROM auth\n  WHERE raw LIKE '%Failed password%' AND raw NOT LIKE '%;%'\n  GROUP BY \"user\" ORDER BY \"user\";\n\nSELECT count(*) AS n FROM auth WHERE host = 'lg-ad01';\n",
    )
    .unwrap();
    let out = ok(bannin(
        &data,
        &["sql", "--format", "json", "-f", script.to_str().unwrap()],
    ));
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        rows,
        vec![
            json!({"user": "admin", "n": 1}),
            json!({"user": "root", "n": 2}),
            json!({"n": 1}),
        ],
        "{out}"
    );

    // Parquet to a file, read back with the parquet reader.
    let file = dir.path().join("by-host.parquet");
    ok(bannin(
        &data,
        &[
            "sql",
            "--format",
            "parquet",
            "-o",
            file.to_str().unwrap(),
            BY_HOST,
        ],
    ));
    let reader =
        datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
            std::fs::File::open(&file).unwrap(),
        )
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<_> = reader.map(Result::unwrap).collect();
    let mut text = Vec::new();
    bannin_query::output::write(&batches, bannin_query::OutputFormat::Csv, &mut text).unwrap();
    assert_eq!(String::from_utf8(text).unwrap(), csv);
    // Parquet on stdout when it is a pipe.
    let piped = bannin(&data, &["sql", "--format", "parquet", BY_HOST]);
    assert!(piped.status.success());
    assert!(piped.stdout.starts_with(b"PAR1"), "a Parquet file");

    // Writes and bad SQL fail cleanly; a failing statement of a file is named.
    let stderr = failed(bannin(&data, &["sql", "DROP TABLE auth"]));
    assert!(
        stderr.contains("only read-only queries are allowed, not DROP TABLE"),
        "{stderr}"
    );
    let stderr = failed(bannin(
        &data,
        &["sql", "INSERT INTO auth SELECT * FROM auth"],
    ));
    assert!(
        stderr.contains("only read-only queries are allowed"),
        "{stderr}"
    );
    std::fs::write(&script, "SELECT 1;\nSELEC 2;\n").unwrap();
    let stderr = failed(bannin(&data, &["sql", "-f", script.to_str().unwrap()]));
    assert!(stderr.contains("statement 2 of 2 failed"), "{stderr}");
    // Statements on stdin when it is not a terminal.
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data)
        .args(["sql", "--format", "csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{BY_HOST};").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), csv);
}

/// `curl` POSTing `body`: (status, content type, body bytes).
fn post_query(base: &str, body: &str) -> (u16, String, Vec<u8>) {
    let mut child = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "20",
            "-o",
            "-",
            "-w",
            "\n%{http_code} %{content_type}",
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            "@-",
            &format!("{base}/api/v1/query"),
        ])
        .args(common::auth_header(base))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("curl is installed (see .ci/run)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let split = out.stdout.iter().rposition(|b| *b == b'\n').unwrap();
    let trailer = String::from_utf8_lossy(&out.stdout[split + 1..]).into_owned();
    let (code, content_type) = trailer.split_once(' ').unwrap();
    (
        code.parse().unwrap(),
        content_type.to_owned(),
        out.stdout[..split].to_vec(),
    )
}

#[test]
fn http_query_json_csv_arrow_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    lake(dir.path());
    let server = serve(dir.path(), "", &[]);
    let base = &server.base_url;

    let request = json!({ "sql": BY_HOST }).to_string();
    let (code, content_type, body) = post_query(base, &request);
    assert_eq!(code, 200);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let result: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(result["row_count"], 3);
    assert_eq!(
        result["columns"][0],
        json!({"name": "host", "type": "Utf8"})
    );
    assert_eq!(result["columns"][1]["name"], "n");
    assert_eq!(result["rows"][2], json!({"host": "lg-file01", "n": 4}));

    let request = json!({ "sql": BY_HOST, "format": "csv" }).to_string();
    let (code, content_type, body) = post_query(base, &request);
    assert_eq!(
        (code, content_type.as_str()),
        (200, "text/csv; charset=utf-8")
    );
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "host,n\ninet-proxy01,1\nlg-ad01,1\nlg-file01,4\n"
    );

    let request = json!({ "sql": BY_HOST, "format": "arrow" }).to_string();
    let (code, content_type, body) = post_query(base, &request);
    assert_eq!(
        (code, content_type.as_str()),
        (200, "application/vnd.apache.arrow.stream")
    );
    let reader =
        bannin_query::arrow::ipc::reader::StreamReader::try_new(body.as_slice(), None).unwrap();
    let batches: Vec<_> = reader.map(Result::unwrap).collect();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 3);
    assert_eq!(batches[0].schema().field(0).name(), "host");

    for (sql, reason) in [
        ("SELEC host FROM auth", "SQL error"),
        ("SELECT nope FROM auth", "nope"),
        (
            "DROP TABLE auth",
            "only read-only queries are allowed, not DROP TABLE",
        ),
        (
            "INSERT INTO auth SELECT * FROM auth",
            "only read-only queries are allowed",
        ),
    ] {
        let (code, _, body) = post_query(base, &json!({ "sql": sql }).to_string());
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(code, 400, "{sql}: {body}");
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(reason), "{sql}: {error}");
    }
    let (code, _, body) = post_query(base, "{\"sql\": ");
    assert_eq!(code, 400);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("not a query request")
    );
    let (code, _, _) = post_query(
        base,
        &json!({ "sql": BY_HOST, "format": "xml" }).to_string(),
    );
    assert_eq!(code, 400);
    let huge = json!({ "sql": format!("SELECT '{}'", "x".repeat(2 * 1024 * 1024)) }).to_string();
    let (code, _, body) = post_query(base, &huge);
    assert_eq!(code, 413);
    assert!(serde_json::from_slice::<Value>(&body).unwrap()["error"].is_string());
}

/// psql with `args`, connected to `port`: (success, stdout, stderr).
/// The password is a bannin token.
fn psql(server: &Server, port: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    psql_with(server.token.as_deref().unwrap(), port, args, stdin)
}

fn psql_with(password: &str, port: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new("psql")
        .arg(format!(
            "host=127.0.0.1 port={port} user=analyst password={password} dbname=bannin sslmode=disable connect_timeout=10"
        ))
        .args(["-X", "-A", "-t", "-F", ",", "-v", "VERBOSITY=verbose"])
        .args(args)
        .env_remove("PGPASSWORD")
        .env_remove("PGSERVICE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run psql");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn have_psql() -> bool {
    let found = Command::new("psql")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "psql is missing in CI (postgresql-client, see .ci/run)"
        );
        eprintln!("skipped: psql is not installed (apt-get install postgresql-client)");
    }
    found
}

#[test]
fn psql_answers_like_bannin_sql() {
    if !have_psql() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = lake(dir.path());
    let server = serve(dir.path(), "", &["--listen-pg", "127.0.0.1:0"]);
    let port = announced_port(&server, "postgres");

    // The same answer as `bannin sql` (CSV without its header).
    let (success, out, err) = psql(&server, &port, &["-c", BY_HOST], "");
    assert!(success, "{err}");
    // The password is a live token: anything else is refused.
    let (success, _, err) = psql_with("anything", &port, &["-c", BY_HOST], "");
    assert!(!success, "a wrong password logs in");
    assert!(err.contains("not a live bannin token"), "{err}");
    let csv = sql(&data, "csv", BY_HOST);
    assert_eq!(out, csv.split_once('\n').unwrap().1);

    // Our Arrow types in PostgreSQL's text forms.
    let types = "SELECT arrow_cast(7, 'UInt64') AS u, CAST(-3 AS SMALLINT) AS s, 1.5 AS f, \
                 true AS b, NULL AS z, DATE '2026-11-22' AS d, make_array('a', 'b c') AS l, \
                 arrow_cast(TIMESTAMP '2026-11-22 01:02:03', 'Timestamp(Microsecond, Some(\"UTC\"))') AS t, \
                 '番人' AS ja";
    let (success, out, err) = psql(&server, &port, &["-F", "|", "-c", types], "");
    assert!(success, "{err}");
    let fields: Vec<&str> = out.trim_end().split('|').collect();
    assert_eq!(
        fields[..7],
        ["7", "-3", "1.5", "t", "", "2026-11-22", "{a,\"b c\"}"],
        "{out}"
    );
    assert_eq!(fields[7], "2026-11-22 01:02:03.000000+00", "{out}");
    assert_eq!(fields[8], "番人");

    // Errors come back with their SQLSTATE and the session goes on.
    let script = "SELEC 1;\nDROP TABLE auth;\nSELECT nope FROM auth;\nSET extra_float_digits = 3;\nSHOW transaction isolation level;\nSELECT count(*) FROM auth;\n";
    let (_, out, err) = psql(&server, &port, &["-f", "-"], script);
    assert!(err.contains("ERROR:  42601"), "{err}");
    assert!(err.contains("ERROR:  42501"), "{err}");
    assert!(err.contains("ERROR:  42703"), "{err}");
    // psql echoes the SET command tag, as with PostgreSQL.
    assert_eq!(out, "SET\nread committed\n6\n", "{err}");

    // Garbage on the port ends that connection only.
    let mut junk = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    junk.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    junk.write_all(&[0xff; 64]).unwrap();
    junk.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    let _ = junk.read_to_end(&mut answer);
    let (success, out, err) = psql(&server, &port, &["-c", "SELECT count(*) FROM auth"], "");
    assert!(success, "{err}");
    assert_eq!(out, "6\n");
}

/// One backend message: (type byte, body).
fn read_message(stream: &mut TcpStream) -> (u8, Vec<u8>) {
    let mut head = [0u8; 5];
    stream.read_exact(&mut head).unwrap();
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    let mut body = vec![0u8; len - 4];
    stream.read_exact(&mut body).unwrap();
    (head[0], body)
}

fn message(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    out.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// Messages up to ReadyForQuery.
fn until_ready(stream: &mut TcpStream) -> Vec<(u8, Vec<u8>)> {
    let mut seen = Vec::new();
    loop {
        let (kind, body) = read_message(stream);
        seen.push((kind, body));
        if kind == b'Z' {
            return seen;
        }
    }
}

/// The text of each column of a DataRow.
fn data_row(body: &[u8]) -> Vec<Option<String>> {
    let count = u16::from_be_bytes([body[0], body[1]]) as usize;
    let mut at = 2;
    (0..count)
        .map(|_| {
            let len = i32::from_be_bytes(body[at..at + 4].try_into().unwrap());
            at += 4;
            if len < 0 {
                return None;
            }
            let text = String::from_utf8(body[at..at + len as usize].to_vec()).unwrap();
            at += len as usize;
            Some(text)
        })
        .collect()
}

/// Parse / Bind / Describe / Execute / Sync as JDBC and Grafana send them.
#[test]
fn extended_query_protocol() {
    let dir = tempfile::tempdir().unwrap();
    lake(dir.path());
    let server = serve(dir.path(), "", &["--listen-pg", "127.0.0.1:0"]);
    let port = announced_port(&server, "postgres");
    let mut pg = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    pg.set_read_timeout(Some(Duration::from_secs(30))).unwrap();

    let mut startup = Vec::new();
    startup.extend_from_slice(&196608u32.to_be_bytes());
    startup.extend_from_slice(b"user\0grafana\0database\0bannin\0\0");
    let mut packet = (startup.len() as u32 + 4).to_be_bytes().to_vec();
    packet.extend_from_slice(&startup);
    pg.write_all(&packet).unwrap();
    let (kind, body) = read_message(&mut pg);
    assert_eq!(
        (kind, &body[..]),
        (b'R', &3u32.to_be_bytes()[..]),
        "cleartext password asked"
    );
    let mut password = server.token.clone().unwrap().into_bytes();
    password.push(0);
    pg.write_all(&message(b'p', &password)).unwrap();
    let seen = until_ready(&mut pg);
    assert_eq!(seen[0].0, b'R', "authentication ok");

    let run = |pg: &mut TcpStream, sql: &str| {
        let mut parse = b"\0".to_vec();
        parse.extend_from_slice(sql.as_bytes());
        parse.extend_from_slice(&[0, 0, 0]);
        let mut batch = message(b'P', &parse);
        batch.extend(message(b'B', &[0, 0, 0, 0, 0, 0, 0, 0]));
        batch.extend(message(b'D', b"P\0"));
        batch.extend(message(b'E', &[0, 0, 0, 0, 0]));
        batch.extend(message(b'S', &[]));
        pg.write_all(&batch).unwrap();
        until_ready(pg)
    };
    let seen = run(&mut pg, BY_HOST);
    let kinds: Vec<u8> = seen.iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, b"12TDDDCZ", "{seen:?}");
    let rows: Vec<_> = seen
        .iter()
        .filter(|(k, _)| *k == b'D')
        .map(|(_, body)| data_row(body))
        .collect();
    assert_eq!(
        rows[2],
        vec![Some("lg-file01".to_owned()), Some("4".to_owned())]
    );

    // A bad statement is an ErrorResponse; the connection goes on.
    let seen = run(&mut pg, "DROP TABLE auth");
    let error = seen.iter().find(|(k, _)| *k == b'E').expect("an error");
    assert!(
        String::from_utf8_lossy(&error.1).contains("C42501"),
        "{seen:?}"
    );
    let seen = run(&mut pg, "SET application_name = 'Grafana'");
    assert!(seen.iter().any(|(k, _)| *k == b'C'), "{seen:?}");
    let seen = run(&mut pg, "SELECT count(*) AS n FROM auth");
    let row = seen.iter().find(|(k, _)| *k == b'D').expect("a row");
    assert_eq!(data_row(&row.1), vec![Some("6".to_owned())]);
}

/// Rows are queryable the moment they are acknowledged, long before their
/// commit — through HTTP, and through `bannin sql` beside the server
/// (from the WAL) — and a caller scoped to one tenant sees only its rows,
/// whatever its SQL says.
#[test]
fn fresh_rows_and_one_tenant_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = lake(dir.path()); // six auth rows of sakuragaoka, committed
    let files = count_files(&data.join("lake").join("auth"));
    let config = "[ingest]\ntenant = \"momijidai\"\nflush_rows = 1000000\nflush_seconds = 60\n";
    let server = serve(dir.path(), config, &[]);
    let base = &server.base_url;
    let lines = "\
Nov 23 03:00:01 md-file01 sshd[10]: Failed password for root from 198.51.100.7 port 1 ssh2
Nov 23 03:00:02 md-file01 sshd[11]: Failed password for root from 198.51.100.7 port 2 ssh2
Nov 23 03:00:03 md-file01 sshd[12]: Failed password for admin from 198.51.100.7 port 3 ssh2
";
    let (code, _) = post(
        &format!("{base}/api/v1/ingest?format=syslog"),
        &[],
        lines.as_bytes(),
    );
    assert_eq!(
        code, 200,
        "acknowledged (durable in the WAL, not committed)"
    );

    let by_tenant = "SELECT tenant, count(*) AS n FROM auth GROUP BY tenant ORDER BY tenant";
    let http = |tenant: Option<&str>, sql: &str| -> Value {
        let mut request = json!({ "sql": sql });
        if let Some(tenant) = tenant {
            request["tenant"] = json!(tenant);
        }
        let (code, _, body) = post_query(base, &request.to_string());
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(code, 200, "{body}");
        body["rows"].clone()
    };
    // At once, with nothing committed since: files and unflushed rows.
    assert_eq!(
        http(None, by_tenant),
        json!([{"tenant": "momijidai", "n": 3}, {"tenant": "sakuragaoka", "n": 6}])
    );
    // Beside the server, with its configuration: the same, from the WAL.
    let config_file = dir.path().join("bannin.toml");
    let beside = |extra: &[&str], sql: &str| {
        let mut args = vec![
            "--config",
            config_file.to_str().unwrap(),
            "sql",
            "--format",
            "csv",
        ];
        args.extend_from_slice(extra);
        args.push(sql);
        ok(bannin(&data, &args))
    };
    assert_eq!(
        beside(&[], by_tenant),
        "tenant,n\nmomijidai,3\nsakuragaoka,6\n"
    );
    assert_eq!(
        count_files(&data.join("lake").join("auth")),
        files,
        "still only the back-filled files: nothing else was committed"
    );

    // One tenant, whatever the SQL tries.
    let tricks = [
        by_tenant,
        "SELECT tenant, count(*) AS n FROM auth WHERE tenant = 'sakuragaoka' OR 1 = 1 GROUP BY tenant",
        "SELECT tenant, count(*) AS n FROM (SELECT * FROM auth UNION ALL SELECT * FROM datafusion.public.auth) GROUP BY tenant",
    ];
    for sql in tricks {
        let rows = http(Some("momijidai"), sql);
        let tenants: Vec<&str> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["tenant"].as_str().unwrap())
            .collect();
        assert_eq!(tenants, ["momijidai"], "{sql}: {rows}");
        let csv = beside(&["--tenant", "momijidai"], sql);
        assert!(!csv.contains("sakuragaoka"), "{sql}: {csv}");
    }
    assert_eq!(
        http(Some("sakuragaoka"), by_tenant),
        json!([{"tenant": "sakuragaoka", "n": 6}])
    );
    let (code, _, body) = post_query(
        base,
        &json!({"sql": "SELECT 1", "tenant": "../x"}).to_string(),
    );
    assert_eq!(code, 400, "{}", String::from_utf8_lossy(&body));
}

fn count_files(dir: &Path) -> usize {
    walk_files(dir)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .count()
}
