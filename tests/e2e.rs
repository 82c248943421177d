//! End to end: the built `bannin` binary, driven the way an operator does —
//! ingest → sql → rules run → serve, then `curl` against the API.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_bannin");

fn bannin(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("BANNIN_CONFIG")
        .output()
        .expect("run bannin")
}

fn ok(output: Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "bannin failed: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    String::from_utf8(output.stdout).expect("utf-8 stdout")
}

fn failed(output: Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(1),
        "expected a clean failure: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    stderr
}

fn curl(url: &str) -> Value {
    let output = Command::new("curl")
        .args(["-sS", "--fail", "--max-time", "10", url])
        .output()
        .expect("curl is installed (see .ci/run)");
    assert!(
        output.status.success(),
        "curl {url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON body")
}

/// A server child process, killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    base_url: String,
    /// What it printed up to and including the URL line.
    announced: String,
}

impl Server {
    /// Starts bannin with `args` and waits for the line announcing the URL.
    fn start(args: &[&str], url_marker: &str) -> Server {
        let mut child = Command::new(BIN)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start bannin");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut seen = String::new();
        let mut lines = BufReader::new(stdout).lines();
        while let Some(line) = lines.next() {
            let line = line.expect("read stdout");
            seen.push_str(&line);
            seen.push('\n');
            if let Some(rest) = line.split(url_marker).nth(1) {
                let url = rest.split_whitespace().next().unwrap_or_default();
                let base_url = url.trim_end_matches('/').trim_end_matches("/api/v1/alerts");
                // Keep reading, as a terminal would, so later output is not
                // written into a closed pipe.
                std::thread::spawn(move || lines.for_each(drop));
                return Server {
                    child,
                    base_url: base_url.to_owned(),
                    announced: seen,
                };
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("bannin exited before announcing its URL:\n{seen}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn fixture() -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut line = |l: &[u8]| {
        bytes.extend_from_slice(l);
        bytes.push(b'\n');
    };
    // auth.log (no PRI): a privileged brute force, ordinary traffic.
    for (i, t) in ["02:10:05", "02:11:40", "02:12:15", "02:13:50"]
        .iter()
        .enumerate()
    {
        line(format!("Nov 22 {t} lg-file01 sshd[{}]: Failed password for root from 10.30.5.77 port {} ssh2", 700 + i, 40000 + i).as_bytes());
    }
    line(b"Nov 22 08:45:12 lg-file01 sshd[800]: Accepted publickey for tanaka from 10.20.1.15 port 51234 ssh2: RSA SHA256:x");
    line(b"Nov 22 08:45:12 lg-file01 sshd[800]: pam_unix(sshd:session): session opened for user tanaka(uid=1001) by (uid=0)");
    line(b"Nov 22 11:00:00 inet-proxy01 sshd[900]: Invalid user test from 203.0.113.9 port 2222");
    // Network syslog with PRI, both RFCs.
    line(b"<86>Nov 22 09:00:00 lg-ad01 sudo:   tanaka : TTY=pts/0 ; PWD=/home/tanaka ; USER=root ; COMMAND=/usr/bin/id");
    line("<165>1 2026-11-22T09:10:00.120+09:00 mn-app01 backup 81 ID47 [meta@32473 zone=\"mynumber\"] バックアップが完了しました".as_bytes());
    // Hostile lines: each becomes exactly one unparsed row.
    line(b"\x00\x01\x02\x03\xff\xfe\xfd binary");
    line(b"Nov 22 09:00:00 host app: \xff\xfe invalid utf-8 \xc3\x28");
    line(&vec![b'x'; 1024 * 1024]);
    line(b"no timestamp here");
    // Empty lines are not records.
    line(b"");
    line(b"\r");
    bytes
}

/// `bannin sql --format FORMAT QUERY`, which must succeed.
fn sql(data: &Path, format: &str, query: &str) -> String {
    ok(bannin(data, &["sql", "--format", format, query]))
}

fn count(data: &Path, table: &str) -> u64 {
    let out = sql(data, "json", &format!("SELECT count(*) AS n FROM {table}"));
    let row: Value = serde_json::from_str(out.trim()).expect("one NDJSON row");
    row["n"].as_u64().expect("count")
}

#[test]
fn ingest_sql_rules_serve() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let input = dir.path().join("auth.log");
    std::fs::write(&input, fixture()).unwrap();

    let out = ok(bannin(
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
    assert!(
        out.contains(
            "total: 15 lines → syslog 2, auth 7, proxy 0, firewall 0, mail 0, cloud_audit 0, unparsed 4, empty 2"
        ),
        "{out}"
    );

    // Every non-empty line is in exactly one table.
    assert_eq!(
        count(&data, "auth") + count(&data, "syslog") + count(&data, "unparsed"),
        13
    );

    let out = sql(&data, "json", "SELECT error FROM unparsed ORDER BY error");
    let errors: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(errors.len(), 4);
    assert!(out.contains("invalid UTF-8"), "{out}");
    assert!(out.contains("longer than the 65536-byte limit"), "{out}");

    let csv = sql(
        &data,
        "csv",
        "SELECT \"user\", outcome FROM auth WHERE privileged ORDER BY time LIMIT 1",
    );
    assert_eq!(csv, "user,outcome\nroot,failure\n");
    let sudo = sql(
        &data,
        "csv",
        "SELECT \"user\", target_user, privileged FROM auth WHERE app = 'sudo'",
    );
    assert_eq!(sudo, "user,target_user,privileged\ntanaka,root,true\n");
    let table = sql(
        &data,
        "table",
        "SELECT tenant, count(*) AS n FROM auth GROUP BY tenant",
    );
    assert!(table.contains("| sakuragaoka | 7 |"), "{table}");

    let first = ok(bannin(&data, &["rules", "run"]));
    assert!(
        first.contains("priv.bruteforce: 1 incidents (1 new alerts, 0 updated)"),
        "{first}"
    );
    let again = ok(bannin(&data, &["rules", "run"]));
    assert!(
        again.contains("priv.bruteforce: 1 incidents (0 new alerts, 0 updated)"),
        "{again}"
    );

    let server = Server::start(
        &[
            "--data-dir",
            data.to_str().unwrap(),
            "serve",
            "--listen-http",
            "127.0.0.1:0",
        ],
        "listening on ",
    );
    assert_eq!(
        curl(&format!("{}/healthz", server.base_url))["status"],
        "ok"
    );
    let body = curl(&format!("{}/api/v1/alerts", server.base_url));
    assert_eq!(body["total"], 1);
    let alert = &body["alerts"][0];
    assert_eq!(alert["rule_id"], "priv.bruteforce");
    assert_eq!(alert["title_ja"], "特権IDへの連続ログイン失敗");
    assert_eq!(alert["tenant"], "sakuragaoka");
    assert_eq!(alert["event_count"], 4);
    assert_eq!(alert["key"]["user"], "root");
    assert_eq!(alert["key"]["host"], "lg-file01");
    assert_eq!(alert["status"], "new");
}

#[test]
fn demo_serves_the_injected_brute_force() {
    let dir = tempfile::tempdir().unwrap();
    let demo_dir = dir.path().join("demo");
    let server = Server::start(
        &[
            "demo",
            "--dir",
            demo_dir.to_str().unwrap(),
            "--listen-http",
            "127.0.0.1:0",
        ],
        "curl -s ",
    );
    let body = curl(&format!("{}/api/v1/alerts", server.base_url));
    let alerts = body["alerts"].as_array().expect("alerts array");
    assert_eq!(alerts.len(), 1, "{body}");
    assert_eq!(alerts[0]["rule_id"], "priv.bruteforce");
    assert_eq!(alerts[0]["key"]["user"], "root");
    assert_eq!(alerts[0]["key"]["host"], "lg-file01");
    assert_eq!(alerts[0]["evidence"]["src_ips"], "10.30.5.77");
    // The console is served too.
    let page = Command::new("curl")
        .args(["-sS", &format!("{}/", server.base_url)])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&page.stdout).contains("/api/v1/alerts"));
    drop(server);

    // Running the demo again starts fresh rather than piling up.
    let out = ok(Command::new(BIN)
        .args(["demo", "--dir", demo_dir.to_str().unwrap(), "--no-serve"])
        .output()
        .unwrap());
    assert!(out.contains("rules raised 1 alert(s)"), "{out}");
    // Every generated line is understood, and every table has rows.
    let data = demo_dir.join("data");
    assert_eq!(count(&data, "unparsed"), 0);
    for table in ["syslog", "auth", "proxy", "firewall"] {
        assert!(count(&data, table) > 10, "{table} is nearly empty");
    }
}

#[test]
fn demo_refuses_a_directory_it_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("precious.txt"), "keep me").unwrap();
    let err = failed(
        Command::new(BIN)
            .args(["demo", "--no-serve", "--dir", dir.path().to_str().unwrap()])
            .output()
            .unwrap(),
    );
    assert!(err.contains("not made by `bannin demo`"), "{err}");
    assert!(dir.path().join("precious.txt").exists());
}

#[test]
fn bad_input_gets_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let missing = dir.path().join("missing.log");
    let err = failed(bannin(&data, &["ingest", missing.to_str().unwrap()]));
    assert!(err.contains("missing.log"), "{err}");

    let err = failed(bannin(&data, &["sql", "SELECT nope FROM auth"]));
    assert!(err.contains("nope"), "{err}");
    let err = failed(bannin(&data, &["sql", "DROP TABLE auth"]));
    assert!(
        err.to_lowercase().contains("not allowed") || err.contains("DDL"),
        "{err}"
    );

    let err = failed(bannin(
        &data,
        &["ingest", "--tenant", "../x", missing.to_str().unwrap()],
    ));
    assert!(
        err.contains("missing.log") || err.contains("tenant"),
        "{err}"
    );

    let config = dir.path().join("bannin.toml");
    std::fs::write(&config, "[ingest]\ntimezone = \"Tokyo\"\n").unwrap();
    let err = failed(
        Command::new(BIN)
            .args(["--config", config.to_str().unwrap(), "rules", "list"])
            .output()
            .unwrap(),
    );
    assert!(err.contains("Tokyo"), "{err}");
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        &["--help"][..],
        &["ingest", "--help"],
        &["parse", "--help"],
        &["sql", "--help"],
        &["rules", "--help"],
        &["rules", "run", "--help"],
        &["rules", "list", "--help"],
        &["serve", "--help"],
        &["demo", "--help"],
        &["verify", "--help"],
    ] {
        let out = ok(Command::new(BIN).args(args).output().unwrap());
        assert!(out.contains("Usage: bannin"), "{args:?}: {out}");
    }
}

#[test]
fn parse_shows_how_each_record_would_be_stored() {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(["parse", "--tz", "Asia/Tokyo", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = "Nov 22 02:10:01 lg-file01 sshd[1]: Failed password for root from 10.30.5.77 port 4 ssh2\n\
                 \n\
                 not syslog\n\
                 <30>1 2026-11-22T09:00:01+09:00 lg-web01 httpd - - - 起動\n";
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = ok(child.wait_with_output().unwrap());
    let records: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 3, "{out}");
    assert_eq!(records[0]["table"], "auth");
    assert_eq!(records[0]["user"], "root");
    assert_eq!(records[0]["privileged"], true);
    assert!(records[0]["time"].as_str().unwrap().ends_with("T17:10:01Z"));
    assert_eq!(records[1]["table"], "unparsed");
    assert_eq!(records[1]["raw"], "not syslog");
    assert_eq!(records[2]["table"], "syslog");
    assert_eq!(records[2]["message"], "起動");
    assert_eq!(records[2]["time"], "2026-11-22T00:00:01Z");

    let dir = tempfile::tempdir().unwrap();
    let err = failed(
        Command::new(BIN)
            .args(["parse", dir.path().join("nope.log").to_str().unwrap()])
            .output()
            .unwrap(),
    );
    assert!(err.contains("nope.log"), "{err}");
}

/// Runs `bannin parse ARGS -` on `input`; the JSON objects it prints.
fn parse_stdin(args: &[&str], input: &[u8]) -> Vec<Value> {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .arg("parse")
        .args(args)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = ok(child.wait_with_output().unwrap());
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn parse_understands_every_format_explicitly_and_by_sniffing() {
    // (format, line, table, a column and its expected value)
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        (
            "syslog",
            "<38>Nov 22 09:00:00 lg-file01 sudo:   tanaka : TTY=pts/0 ; PWD=/home/tanaka ; USER=root ; COMMAND=/bin/bash",
            "auth",
            "target_user",
            "root",
        ),
        (
            "squid",
            "1763769600.123    233 10.20.1.15 TCP_MISS/200 1027 GET http://www.example.jp/ - HIER_DIRECT/93.184.216.34 text/html",
            "proxy",
            "url_host",
            "www.example.jp",
        ),
        (
            "combined",
            r#"10.40.1.15 - tanaka [23/Nov/2026:10:00:00 +0900] "GET https://Drive.Example.com/x HTTP/1.1" 200 5120 "-" "curl/8""#,
            "proxy",
            "url_host",
            "drive.example.com",
        ),
        (
            "fortigate",
            "<189>date=2026-11-22 time=09:00:00 devname=\"inet-fw01\" type=\"traffic\" subtype=\"forward\" srcip=10.40.1.15 dstip=93.184.216.34 action=\"deny\"",
            "firewall",
            "action",
            "deny",
        ),
        (
            "panos",
            "<14>Nov 23 10:00:00 PA-3220 1,2026/11/23 10:00:00,012801012345,TRAFFIC,end,2561,2026/11/23 10:00:00,10.40.1.15,203.0.113.20,0.0.0.0,0.0.0.0,allow-web,,,ssl,vsys1,trust,untrust,ethernet1/1,ethernet1/2,fwd,2026/11/23 10:00:00,12345,1,51234,443,0,0,0x0,tcp,allow,5000,1200,3800,10,2026/11/23 09:59:50,10,any,0,1,0x0,10.0.0.0-10.255.255.255,Japan,0,6,4,tcp-fin",
            "firewall",
            "app",
            "ssl",
        ),
        (
            "asa",
            "<166>Nov 23 2026 10:00:00: %ASA-4-106023: Deny tcp src outside:203.0.113.9/51234 dst inside:10.40.0.5/22 by access-group \"OUTSIDE_IN\" [0x0, 0x0]",
            "firewall",
            "action",
            "deny",
        ),
        (
            "rtx",
            "<190>Nov 23 10:00:00 192.168.100.1 [IP] LAN2 Rejected at IN(200099) filter: TCP 203.0.113.5:51234 > 192.168.100.1:23",
            "firewall",
            "rule",
            "200099",
        ),
        (
            "windows",
            r#"{"EventTime":"2026-11-22 02:12:00","Hostname":"lg-ad01","EventID":4728,"SubjectUserName":"adm-suzuki","MemberName":"CN=sato,DC=city","TargetUserName":"Domain Admins","TargetSid":"S-1-5-21-1-2-3-512"}"#,
            "auth",
            "group_name",
            "Domain Admins",
        ),
        (
            "cloud",
            r#"{"CreationTime":"2026-11-23T01:00:00","Id":"x1","Operation":"Add member to role.","OrganizationId":"org1","RecordType":8,"UserKey":"k","UserType":0,"Workload":"AzureActiveDirectory","UserId":"adm@city.example.lg.jp","ObjectId":"sato@city.example.lg.jp","ResultStatus":"Success","ModifiedProperties":[{"Name":"Role.DisplayName","NewValue":"Global Administrator","OldValue":""}],"Target":[{"ID":"sato@city.example.lg.jp","Type":5}]}"#,
            "cloud_audit",
            "operation",
            "Add member to role.",
        ),
    ];
    for (format, line, table, column, value) in cases {
        for how in [*format, "auto"] {
            let records = parse_stdin(&["--format", how], format!("{line}\n").as_bytes());
            assert_eq!(records.len(), 1, "{how}: {records:?}");
            let r = &records[0];
            assert_eq!(r["table"], *table, "{how}: {r}");
            assert_eq!(r[*column].as_str(), Some(*value), "{how} {column}: {r}");
        }
    }
    // Stateful and multi-record inputs: a W3C header, a Postfix message,
    // a CloudTrail Records document, an EUC-JP source.
    let w3c = "#Fields: date time c-ip cs-method cs-uri sc-status\n2026-11-23 01:00:00 10.0.0.1 GET http://a.example.jp/x 200\n";
    for how in ["w3c", "auto"] {
        let r = parse_stdin(&["--format", how], w3c.as_bytes());
        assert_eq!(
            (r.len(), r[0]["table"].as_str()),
            (1, Some("proxy")),
            "{how}"
        );
    }
    let maillog = "Nov 23 10:00:01 mail01 postfix/qmgr[2]: 4Xc9Tq1Kz4: from=<tanaka@city.example.lg.jp>, size=2048, nrcpt=1 (queue active)\n\
                   Nov 23 10:00:02 mail01 postfix/smtp[3]: 4Xc9Tq1Kz4: to=<sato@example.com>, relay=mx.example.com[93.184.216.34]:25, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (250 ok)\n";
    let r = parse_stdin(&[], maillog.as_bytes());
    let tables: Vec<&str> = r.iter().map(|o| o["table"].as_str().unwrap()).collect();
    assert_eq!(tables, ["syslog", "syslog", "mail"]);
    assert_eq!(r[2]["sender"], "tanaka@city.example.lg.jp");
    let trail = r#"{"Records":[{"eventTime":"2026-11-23T01:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","userIdentity":{"type":"Root","accountId":"1"},"responseElements":{"ConsoleLogin":"Failure"}},{"eventTime":"2026-11-23T01:00:05Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","userIdentity":{"type":"Root","accountId":"1"},"responseElements":{"ConsoleLogin":"Success"}}]}"#;
    let r = parse_stdin(&["--format", "cloud"], trail.as_bytes());
    assert_eq!(r.len(), 2);
    assert_eq!(
        (r[0]["outcome"].as_str(), r[1]["outcome"].as_str()),
        (Some("failure"), Some("success"))
    );
    assert_eq!(r[0]["privileged"], true);
    let (euc, _, _) = encoding_rs::EUC_JP.encode("<13>Nov 23 10:00:00 rtx01 監視: 開始\n");
    let r = parse_stdin(&["--charset", "euc-jp"], &euc);
    assert_eq!(r[0]["message"], "開始");
}

#[test]
fn verify_proves_the_lake_unaltered_and_names_what_was_changed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("auth.log");
    std::fs::write(
        &log,
        "Nov 22 02:10:01 lg-file01 sshd[1]: Failed password for root from 10.30.5.77 port 4 ssh2\n",
    )
    .unwrap();
    ok(bannin(&data, &["ingest", log.to_str().unwrap()]));
    let out = ok(bannin(&data, &["verify"]));
    assert!(out.starts_with("ok: 1 files verified"), "{out}");
    // Tamper with the evidence: rewrite the Parquet file.
    let lake = data.join("lake").join("auth");
    let file = walk_files(&lake)
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "parquet"))
        .unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.push(0);
    std::fs::write(&file, bytes).unwrap();
    let output = bannin(&data, &["verify"]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let err = failed(output);
    assert!(
        stdout.contains("altered (SHA-256 differs): auth/tenant=default/"),
        "{stdout}"
    );
    assert!(err.contains("1 problem(s)"), "{err}");
}

fn walk_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk_files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The port of the `scheme://host:port` address a server announced.
fn announced_port(server: &Server, scheme: &str) -> String {
    let line = server
        .announced
        .lines()
        .find(|l| l.contains(&format!("{scheme}://")))
        .unwrap_or_else(|| panic!("no {scheme} listener in {}", server.announced));
    line.rsplit(':').next().unwrap().trim().to_owned()
}

/// Sends each line of `lines` as one syslog message with util-linux logger.
fn logger(args: &[&str], lines: &str) {
    use std::io::Write;
    let mut child = Command::new("logger")
        .args(args)
        .stdin(Stdio::piped())
        .spawn()
        .expect("logger (util-linux) is installed (see .ci/run)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "logger {args:?}");
}

#[test]
fn syslog_received_before_a_kill_9_is_in_the_lake_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Commit late, so the records are only in the write-ahead log when the
    // server is killed.
    let config = dir.path().join("bannin.toml");
    std::fs::write(
        &config,
        "[ingest]\ntenant = \"sakuragaoka\"\nflush_seconds = 60\n",
    )
    .unwrap();
    let args = [
        "--data-dir",
        data.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "serve",
        "--listen-http",
        "127.0.0.1:0",
        "--listen-syslog-udp",
        "127.0.0.1:0",
        "--listen-syslog-tcp",
        "127.0.0.1:0",
    ];
    let server = Server::start(&args, "listening on ");
    let (udp, tcp) = (
        announced_port(&server, "udp"),
        announced_port(&server, "tcp"),
    );
    let tcp_lines: String = (0..50).map(|i| format!("tcp message {i}\n")).collect();
    let udp_lines: String = (0..10).map(|i| format!("udp message {i}\n")).collect();
    logger(
        &[
            "--tcp",
            "--octet-count",
            "--rfc5424",
            "--server",
            "127.0.0.1",
            "--port",
            &tcp,
            "-t",
            "app",
        ],
        &tcp_lines,
    );
    logger(
        &[
            "--tcp",
            "--rfc3164",
            "--server",
            "127.0.0.1",
            "--port",
            &tcp,
            "-t",
            "app",
        ],
        "lf framed\n",
    );
    logger(
        &[
            "--udp",
            "--rfc3164",
            "--server",
            "127.0.0.1",
            "--port",
            &udp,
            "-t",
            "app",
        ],
        &udp_lines,
    );
    // Wait until the last of each is accepted (in the WAL), then kill -9.
    let wal = data.join("wal");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let text: String = std::fs::read_dir(&wal)
            .map(|d| {
                d.flatten()
                    .map(|e| {
                        String::from_utf8_lossy(&std::fs::read(e.path()).unwrap_or_default())
                            .into_owned()
                    })
                    .collect()
            })
            .unwrap_or_default();
        if ["tcp message 49", "udp message 9", "lf framed"]
            .iter()
            .all(|m| text.contains(m))
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "records never reached the WAL"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    drop(server);
    assert_eq!(
        count(&data, "syslog"),
        0,
        "nothing was committed before the kill"
    );

    let server = Server::start(&args, "listening on ");
    assert!(
        server.announced.contains("recovered 61 accepted record(s)"),
        "{}",
        server.announced
    );
    drop(server);
    assert_eq!(count(&data, "syslog"), 61);
    let distinct = sql(
        &data,
        "csv",
        "SELECT count(DISTINCT message) AS n, count(*) AS rows FROM syslog",
    );
    assert_eq!(distinct, "n,rows\n61,61\n");
    // A third start has nothing to replay: no duplicates.
    let server = Server::start(&args, "listening on ");
    assert!(
        !server.announced.contains("recovered"),
        "{}",
        server.announced
    );
    drop(server);
    assert_eq!(count(&data, "syslog"), 61);
    let out = ok(bannin(&data, &["verify"]));
    assert!(out.starts_with("ok: "), "{out}");
}

#[test]
fn rsyslog_forwards_to_bannin_over_tcp_octet_counted() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("bannin.toml");
    std::fs::write(&config, "[ingest]\nflush_seconds = 1\n").unwrap();
    let server = Server::start(
        &[
            "--data-dir",
            data.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "serve",
            "--listen-http",
            "127.0.0.1:0",
            "--listen-syslog-tcp",
            "127.0.0.1:0",
        ],
        "listening on ",
    );
    let port = announced_port(&server, "tcp");
    // rsyslog tails a file and forwards it the way a municipality's relay
    // does: RFC 5424 with octet-counting framing.
    let work = dir.path().join("rsyslog");
    std::fs::create_dir_all(&work).unwrap();
    let input = work.join("app.log");
    let lines: String = (1..=200)
        .map(|i| format!("業務システム ログ {i} (tanaka)\n"))
        .collect();
    std::fs::write(&input, lines).unwrap();
    let conf = work.join("rsyslog.conf");
    std::fs::write(
        &conf,
        format!(
            "global(workDirectory=\"{work}\")\n\
             module(load=\"imfile\")\n\
             input(type=\"imfile\" File=\"{input}\" Tag=\"gyomu:\" freshStartTail=\"off\")\n\
             action(type=\"omfwd\" Target=\"127.0.0.1\" Port=\"{port}\" Protocol=\"tcp\" \
             TCP_Framing=\"octet-counted\" Template=\"RSYSLOG_SyslogProtocol23Format\")\n",
            work = work.display(),
            input = input.display(),
        ),
    )
    .unwrap();
    let mut rsyslog = Command::new("rsyslogd")
        .args(["-n", "-f"])
        .arg(&conf)
        .arg("-i")
        .arg(work.join("rsyslogd.pid"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("rsyslogd is installed (see .ci/run)");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut n = 0;
    while n < 200 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(500));
        n = count(&data, "syslog");
    }
    let _ = rsyslog.kill();
    let _ = rsyslog.wait();
    drop(server);
    assert_eq!(n, 200, "rows from rsyslog");
    let rows = sql(
        &data,
        "csv",
        "SELECT app_name, msgid IS NULL AS no_msgid, message FROM syslog ORDER BY message LIMIT 1",
    );
    assert_eq!(
        rows,
        "app_name,no_msgid,message\ngyomu,true,業務システム ログ 1 (tanaka)\n"
    );
}

/// `curl` POSTing `body` to `url` with extra `headers`: (status, body).
fn post(url: &str, headers: &[&str], body: &[u8]) -> (u16, Value) {
    use std::io::Write;
    let mut args = vec![
        "-sS",
        "--max-time",
        "20",
        "-o",
        "-",
        "-w",
        "\n%{http_code}",
        "-X",
        "POST",
    ];
    for h in headers {
        args.extend(["-H", h]);
    }
    args.extend(["--data-binary", "@-", url]);
    let mut child = Command::new("curl")
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("curl is installed (see .ci/run)");
    child.stdin.take().unwrap().write_all(body).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (json, code) = text.rsplit_once('\n').unwrap();
    (
        code.trim().parse().unwrap(),
        serde_json::from_str(json).unwrap_or(Value::Null),
    )
}

#[test]
fn http_ingest_answers_only_once_records_are_durable() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("bannin.toml");
    std::fs::write(&config, "[ingest]\nflush_seconds = 60\n").unwrap();
    let args = [
        "--data-dir",
        data.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "serve",
        "--listen-http",
        "127.0.0.1:0",
    ];
    let server = Server::start(&args, "listening on ");
    let url = format!("{}/api/v1/ingest", server.base_url);
    // A CloudTrail API page as a JSON array.
    let trail = r#"[{"eventTime":"2026-11-23T01:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","userIdentity":{"type":"Root","accountId":"1"}},
                    {"eventTime":"2026-11-23T01:00:01Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"IAMUser","userName":"ito","accountId":"1"}}]"#;
    let (status, body) = post(
        &format!("{url}?format=cloud&source=aws-111122223333"),
        &["Content-Type: application/json"],
        trail.as_bytes(),
    );
    assert_eq!(
        (status, body["accepted"].as_u64()),
        (200, Some(2)),
        "{body}"
    );
    // Raw syslog lines, gzip-compressed.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"<38>Nov 22 02:10:01 lg-file01 sshd[1]: Failed password for root from 10.30.5.77 port 4 ssh2\r\n\n<13>Nov 22 02:10:02 lg-file01 app: hello\n").unwrap();
    let (status, body) = post(
        &format!("{url}?source=relay01"),
        &["Content-Encoding: gzip", "Content-Type: text/plain"],
        &gz.finish().unwrap(),
    );
    assert_eq!(
        (status, body["accepted"].as_u64()),
        (200, Some(2)),
        "{body}"
    );
    // Bad requests get a 4xx with the reason, and keep nothing.
    for (query, headers, body, why) in [
        (
            "",
            vec!["Content-Type: application/json"],
            &b"[{\"a\":"[..],
            "not JSON",
        ),
        (
            "",
            vec!["Content-Encoding: gzip"],
            &b"not gzip at all"[..],
            "not valid gzip",
        ),
        ("?format=csv", vec![], &b"x"[..], "unknown format"),
        ("", vec![], &b"\n \n"[..], "no records"),
    ] {
        let (status, answer) = post(&format!("{url}{query}"), &headers, body);
        assert_eq!(status, 400, "{query} {answer}");
        let reason = answer["error"].as_str().unwrap_or_default();
        assert!(reason.contains(why), "{reason}");
    }
    drop(server); // kill -9 before any commit
    let server = Server::start(&args, "listening on ");
    assert!(
        server.announced.contains("recovered 4 accepted record(s)"),
        "{}",
        server.announced
    );
    drop(server);
    assert_eq!(count(&data, "cloud_audit"), 2);
    assert_eq!(count(&data, "auth") + count(&data, "syslog"), 2);
    let sources = sql(&data, "csv", "SELECT DISTINCT source FROM cloud_audit");
    assert_eq!(sources, "source\naws-111122223333\n");
}

/// A CA, a server certificate for localhost / 127.0.0.1, and a client
/// certificate, made with the openssl CLI in `dir`.
fn make_certificates(dir: &Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl is installed (see .ci/run)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("client.ext"),
        "subjectAltName=DNS:relay01.city.example.lg.jp\nextendedKeyUsage=clientAuth\n",
    )
    .unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=bannin test CA",
    ]);
    for (name, cn) in [
        ("server", "localhost"),
        ("client", "relay01.city.example.lg.jp"),
    ] {
        run(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={cn}"),
        ]);
        run(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &format!("{name}.pem"),
            "-days",
            "2",
            "-extfile",
            &format!("{name}.ext"),
        ]);
    }
}

#[test]
fn rsyslog_forwards_over_tls_with_a_client_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    make_certificates(&certs);
    let data = dir.path().join("data");
    let config = dir.path().join("bannin.toml");
    let c = certs.display();
    std::fs::write(
        &config,
        format!(
            "[ingest]\nflush_seconds = 1\n[serve]\ntls_cert = \"{c}/server.pem\"\ntls_key = \"{c}/server.key\"\ntls_client_ca = \"{c}/ca.pem\"\n"
        ),
    )
    .unwrap();
    let server = Server::start(
        &[
            "--data-dir",
            data.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "serve",
            "--listen-http",
            "127.0.0.1:0",
            "--listen-syslog-tls",
            "127.0.0.1:0",
        ],
        "listening on ",
    );
    let port = announced_port(&server, "tls");
    // Not TLS at all, and TLS without a client certificate: refused, and
    // the listener keeps serving.
    {
        use std::io::Write;
        let mut plain = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
        let _ = plain.write_all(b"<13>Nov 23 10:00:00 h app: plain text over the TLS port\n");
    }
    let anonymous = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-CAfile",
        ])
        .arg(certs.join("ca.pem"))
        .args(["-quiet", "-no_ign_eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            if let Some(mut stdin) = child.stdin.take() {
                let _ = stdin.write_all(b"<13>Nov 23 10:00:00 h app: no certificate\n");
            }
            child.wait()
        });
    assert!(anonymous.is_ok(), "openssl s_client runs");

    let work = dir.path().join("rsyslog");
    std::fs::create_dir_all(&work).unwrap();
    let input = work.join("app.log");
    let lines: String = (1..=50).map(|i| format!("TLS で転送 {i}\n")).collect();
    std::fs::write(&input, lines).unwrap();
    let conf = work.join("rsyslog.conf");
    std::fs::write(
        &conf,
        format!(
            "global(workDirectory=\"{work}\" DefaultNetstreamDriver=\"gtls\" \
             DefaultNetstreamDriverCAFile=\"{c}/ca.pem\" DefaultNetstreamDriverCertFile=\"{c}/client.pem\" \
             DefaultNetstreamDriverKeyFile=\"{c}/client.key\")\n\
             module(load=\"imfile\")\n\
             input(type=\"imfile\" File=\"{input}\" Tag=\"relay:\" freshStartTail=\"off\")\n\
             action(type=\"omfwd\" Target=\"127.0.0.1\" Port=\"{port}\" Protocol=\"tcp\" \
             StreamDriver=\"gtls\" StreamDriverMode=\"1\" StreamDriverAuthMode=\"x509/name\" \
             StreamDriverPermittedPeers=\"localhost\" TCP_Framing=\"octet-counted\" \
             Template=\"RSYSLOG_SyslogProtocol23Format\")\n",
            work = work.display(),
            input = input.display(),
        ),
    )
    .unwrap();
    let mut rsyslog = Command::new("rsyslogd")
        .args(["-n", "-f"])
        .arg(&conf)
        .arg("-i")
        .arg(work.join("rsyslogd.pid"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("rsyslogd is installed (see .ci/run)");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut n = 0;
    while n < 50 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(500));
        n = count(&data, "syslog");
    }
    let _ = rsyslog.kill();
    let _ = rsyslog.wait();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    drop(server);
    assert_eq!(
        count(&data, "syslog"),
        50,
        "only rsyslog's records, with its certificate"
    );
    let apps = sql(&data, "csv", "SELECT DISTINCT app_name FROM syslog");
    assert_eq!(apps, "app_name\nrelay\n");
}

/// A TCP port free on 127.0.0.1 at the moment of asking.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn relp_from_rsyslog_survives_a_kill_9_mid_stream() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port().to_string();
    let slow = dir.path().join("slow.toml");
    std::fs::write(&slow, "[ingest]\nflush_seconds = 60\n").unwrap();
    let fast = dir.path().join("fast.toml");
    std::fs::write(&fast, "[ingest]\nflush_seconds = 1\n").unwrap();
    let serve = |config: &Path| {
        Server::start(
            &[
                "--data-dir",
                data.to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
                "serve",
                "--listen-http",
                "127.0.0.1:0",
                "--listen-relp",
                &format!("127.0.0.1:{port}"),
            ],
            "listening on ",
        )
    };
    let server = serve(&slow);
    let work = dir.path().join("rsyslog");
    std::fs::create_dir_all(&work).unwrap();
    let input = work.join("app.log");
    let total = 5000;
    let lines: String = (1..=total)
        .map(|i| format!("relp record {i:05}\n"))
        .collect();
    std::fs::write(&input, lines).unwrap();
    let conf = work.join("rsyslog.conf");
    std::fs::write(
        &conf,
        format!(
            "global(workDirectory=\"{work}\")\n\
             module(load=\"imfile\")\nmodule(load=\"omrelp\")\n\
             input(type=\"imfile\" File=\"{input}\" Tag=\"relp:\" freshStartTail=\"off\")\n\
             action(type=\"omrelp\" Target=\"127.0.0.1\" Port=\"{port}\" \
             Template=\"RSYSLOG_SyslogProtocol23Format\" action.resumeRetryCount=\"-1\" \
             action.resumeInterval=\"1\")\n",
            work = work.display(),
            input = input.display(),
        ),
    )
    .unwrap();
    let mut rsyslog = Command::new("rsyslogd")
        .args(["-n", "-f"])
        .arg(&conf)
        .arg("-i")
        .arg(work.join("rsyslogd.pid"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("rsyslogd with omrelp is installed (see .ci/run)");
    // Kill -9 once some (not all) records are acknowledged.
    let wal = data.join("wal");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let bytes: usize = std::fs::read_dir(&wal)
            .map(|d| {
                d.flatten()
                    .map(|e| e.metadata().map_or(0, |m| m.len() as usize))
                    .sum()
            })
            .unwrap_or(0);
        if bytes > 20_000 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "RELP records never arrived"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    drop(server);
    // Same port: rsyslog reconnects and resends what was not acknowledged.
    let server = serve(&fast);
    eprintln!(
        "after the kill: {}",
        server.announced.lines().next().unwrap_or_default()
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut distinct = 0;
    while distinct < total && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(500));
        let out = sql(
            &data,
            "json",
            "SELECT count(DISTINCT message) AS n FROM syslog",
        );
        distinct = serde_json::from_str::<Value>(out.trim()).unwrap()["n"]
            .as_u64()
            .unwrap();
    }
    let _ = rsyslog.kill();
    let _ = rsyslog.wait();
    drop(server);
    assert_eq!(distinct, total, "every record sent is in the lake");
    // At-least-once: only records in flight at the kill (durable, answer
    // lost) may come twice — at most one RELP window (128) of them.
    let rows = count(&data, "syslog");
    eprintln!("rows {rows} for {total} records");
    assert!(rows - total <= 128, "{} duplicates", rows - total);
}

#[test]
fn sources_name_appliances_and_set_how_their_records_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("bannin.toml");
    std::fs::write(
        &config,
        "[ingest]\nflush_seconds = 1\n\
         [[sources]]\nname = \"fw-lgwan01\"\nlistener = \"syslog-udp\"\nsenders = [\"127.0.0.0/8\"]\n\
         tenant = \"momiji\"\nformat = \"fortigate\"\nsegment = \"lgwan\"\n",
    )
    .unwrap();
    let server = Server::start(
        &[
            "--data-dir",
            data.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "serve",
            "--listen-http",
            "127.0.0.1:0",
            "--listen-syslog-udp",
            "127.0.0.1:0",
            "--listen-syslog-tcp",
            "127.0.0.1:0",
        ],
        "listening on ",
    );
    let (udp, tcp) = (
        announced_port(&server, "udp"),
        announced_port(&server, "tcp"),
    );
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.send_to(
        b"<189>date=2026-11-22 time=09:00:00 devname=\"fw-lgwan01\" type=\"traffic\" srcip=10.40.1.15 dstip=203.0.113.9 action=\"deny\"",
        format!("127.0.0.1:{udp}"),
    )
    .unwrap();
    logger(
        &[
            "--tcp",
            "--server",
            "127.0.0.1",
            "--port",
            &tcp,
            "-t",
            "app",
        ],
        "not covered by a source\n",
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while count(&data, "firewall") + count(&data, "syslog") < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "records never committed"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    drop(server);
    let fw = sql(
        &data,
        "csv",
        "SELECT source, tenant, segment, action FROM firewall",
    );
    assert_eq!(
        fw,
        "source,tenant,segment,action\nfw-lgwan01,momiji,lgwan,deny\n"
    );
    let other = sql(&data, "csv", "SELECT source, tenant, segment FROM syslog");
    assert_eq!(other, "source,tenant,segment\n127.0.0.1,default,\n");

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[sources]]\nname = \"rtx\"\nsenders = [\"10.0.0.0/40\"]\n",
    )
    .unwrap();
    let err = failed(bannin(
        &data,
        &["--config", bad.to_str().unwrap(), "rules", "list"],
    ));
    assert!(
        err.contains("[[sources]] `rtx`") && err.contains("not an IP"),
        "{err}"
    );
}
