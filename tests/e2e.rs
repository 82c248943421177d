//! End to end: the built `bannin` binary, driven the way an operator does —
//! ingest → sql → rules run → serve, then `curl` against the API.

mod common;

use std::process::{Command, Stdio};

use common::*;
use serde_json::Value;

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

    // The fixture's events are days old: evaluate them explicitly (a plain
    // `rules run` starts from the last few minutes, as `serve` does).
    let run = ["rules", "run", "--from", "2020-01-01T00:00:00+09:00"];
    let first = ok(bannin(&data, &run));
    assert!(
        first.contains("priv.bruteforce: 1 incidents (1 new alerts, 0 updated)"),
        "{first}"
    );
    let again = ok(bannin(&data, &run));
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
    // The brute force, and the Sunday-morning sudo to root by an account
    // the (empty) privileged-ID register does not know.
    let mut rules: Vec<&str> = body["alerts"]
        .as_array()
        .expect("alerts array")
        .iter()
        .filter_map(|a| a["rule_id"].as_str())
        .collect();
    rules.sort_unstable();
    assert_eq!(
        rules,
        ["priv.bruteforce", "priv.off_hours", "priv.unregistered"],
        "{body}"
    );
    let alert = rule_alert(&body, "priv.bruteforce");
    assert_eq!(alert["title_ja"], "特権IDへの連続ログイン失敗");
    assert_eq!(alert["tenant"], "sakuragaoka");
    assert_eq!(alert["event_count"], 4);
    assert_eq!(alert["key"]["account"], "root");
    assert_eq!(alert["key"]["target"], "lg-file01");
    assert_eq!(alert["status"], "new");
}

/// The one alert of `rule_id` in an `/api/v1/alerts` body.
fn rule_alert<'a>(body: &'a Value, rule_id: &str) -> &'a Value {
    let matching: Vec<&Value> = body["alerts"]
        .as_array()
        .expect("alerts array")
        .iter()
        .filter(|a| a["rule_id"] == rule_id)
        .collect();
    assert_eq!(matching.len(), 1, "one {rule_id} alert: {body}");
    matching[0]
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
        "$BANNIN_TOKEN\" ",
    );
    assert!(server.token.is_some(), "the demo prints an admin token");
    let body = curl(&format!("{}/api/v1/alerts", server.base_url));
    let brute = rule_alert(&body, "priv.bruteforce");
    assert_eq!(brute["key"]["account"], "root");
    assert_eq!(brute["key"]["target"], "lg-file01");
    assert_eq!(brute["evidence"]["src_ips"], "10.30.5.77");
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
    assert!(out.contains("✓ priv.bruteforce"), "{out}");
    // Every generated line is understood, and every table has rows.
    let data = demo_dir.join("data");
    assert_eq!(count(&data, "unparsed"), 0);
    for table in ["syslog", "auth", "proxy", "firewall", "mail", "cloud_audit"] {
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
        err.contains("only read-only queries are allowed, not DROP TABLE"),
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
    // A wrong data directory is not an unaltered lake.
    let err = failed(bannin(&dir.path().join("nowhere"), &["verify"]));
    assert!(err.contains("no lake at"), "{err}");
}
