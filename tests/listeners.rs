//! End to end: appliances and pullers sending to `bannin serve` — real
//! logger, rsyslog (TCP, TLS, RELP), syslog-ng's loggen, openssl and curl —
//! and the records surviving a kill -9 exactly once.

mod common;

use std::process::{Command, Stdio};

use common::*;

#[test]
fn syslog_received_before_a_kill_9_is_in_the_lake_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Commit late, so the records are only in the write-ahead log when the
    // server is killed.
    let config = "[ingest]\ntenant = \"sakuragaoka\"\nflush_seconds = 60\n";
    let flags = [
        "--listen-syslog-udp",
        "127.0.0.1:0",
        "--listen-syslog-tcp",
        "127.0.0.1:0",
    ];
    let server = serve(dir.path(), config, &flags);
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
        committed(&data, "syslog"),
        0,
        "nothing was committed before the kill"
    );
    assert_eq!(
        count(&data, "syslog"),
        61,
        "yet every record is queryable, from the WAL"
    );

    let server = serve(dir.path(), config, &flags);
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
    let server = serve(dir.path(), config, &flags);
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
    let config = "[ingest]\nflush_seconds = 1\n";
    let server = serve(dir.path(), config, &["--listen-syslog-tcp", "127.0.0.1:0"]);
    let port = announced_port(&server, "tcp");
    // rsyslog tails a file and forwards it the way a municipality's relay
    // does: RFC 5424 with octet-counting framing.
    let lines: String = (1..=200)
        .map(|i| format!("業務システム ログ {i} (tanaka)\n"))
        .collect();
    let rsyslog = Rsyslog::start(
        dir.path(),
        &lines,
        "gyomu",
        "",
        &format!(
            "action(type=\"omfwd\" Target=\"127.0.0.1\" Port=\"{port}\" Protocol=\"tcp\" \
             TCP_Framing=\"octet-counted\" Template=\"RSYSLOG_SyslogProtocol23Format\")"
        ),
    );
    let n = wait_for(&data, "SELECT count(*) AS n FROM syslog", 200, 30);
    drop(rsyslog);
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

#[test]
fn http_ingest_answers_only_once_records_are_durable() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = "[ingest]\nflush_seconds = 60\n";
    let server = serve(dir.path(), config, &[]);
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
    let server = serve(dir.path(), config, &[]);
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

#[test]
fn rsyslog_forwards_over_tls_with_a_client_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    make_certificates(&certs);
    let data = dir.path().join("data");
    let c = certs.display();
    let config = format!(
        "[ingest]\nflush_seconds = 1\n[serve]\ntls_cert = \"{c}/server.pem\"\ntls_key = \"{c}/server.key\"\ntls_client_ca = \"{c}/ca.pem\"\n"
    );
    let server = serve(dir.path(), &config, &["--listen-syslog-tls", "127.0.0.1:0"]);
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

    let lines: String = (1..=50).map(|i| format!("TLS で転送 {i}\n")).collect();
    let rsyslog = Rsyslog::start(
        dir.path(),
        &lines,
        "relay",
        &format!(
            "DefaultNetstreamDriver=\"gtls\" DefaultNetstreamDriverCAFile=\"{c}/ca.pem\" \
             DefaultNetstreamDriverCertFile=\"{c}/client.pem\" \
             DefaultNetstreamDriverKeyFile=\"{c}/client.key\""
        ),
        &format!(
            "action(type=\"omfwd\" Target=\"127.0.0.1\" Port=\"{port}\" Protocol=\"tcp\" \
             StreamDriver=\"gtls\" StreamDriverMode=\"1\" StreamDriverAuthMode=\"x509/name\" \
             StreamDriverPermittedPeers=\"localhost\" TCP_Framing=\"octet-counted\" \
             Template=\"RSYSLOG_SyslogProtocol23Format\")"
        ),
    );
    wait_for(&data, "SELECT count(*) AS n FROM syslog", 50, 30);
    drop(rsyslog);
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

#[test]
fn relp_from_rsyslog_survives_a_kill_9_mid_stream() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port().to_string();
    let relp = format!("127.0.0.1:{port}");
    let flags = ["--listen-relp", relp.as_str()];
    let server = serve(dir.path(), "[ingest]\nflush_seconds = 60\n", &flags);
    let total = 5000;
    let lines: String = (1..=total)
        .map(|i| format!("relp record {i:05}\n"))
        .collect();
    let rsyslog = Rsyslog::start(
        dir.path(),
        &lines,
        "relp",
        "",
        &format!(
            "action(type=\"omrelp\" Target=\"127.0.0.1\" Port=\"{port}\" \
             Template=\"RSYSLOG_SyslogProtocol23Format\" action.resumeRetryCount=\"-1\" \
             action.resumeInterval=\"1\")"
        ),
    );
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
    let server = serve(dir.path(), "[ingest]\nflush_seconds = 1\n", &flags);
    eprintln!(
        "after the kill: {}",
        server.announced.lines().next().unwrap_or_default()
    );
    let distinct = wait_for(
        &data,
        "SELECT count(DISTINCT message) AS n FROM syslog",
        total,
        60,
    );
    drop(rsyslog);
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
    let config = "[ingest]\nflush_seconds = 1\n\
         [[sources]]\nname = \"fw-lgwan01\"\nlistener = \"syslog-udp\"\nsenders = [\"127.0.0.0/8\"]\n\
         tenant = \"momiji\"\nformat = \"fortigate\"\nsegment = \"lgwan\"\n";
    let server = serve(
        dir.path(),
        config,
        &[
            "--listen-syslog-udp",
            "127.0.0.1:0",
            "--listen-syslog-tcp",
            "127.0.0.1:0",
        ],
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
    while committed(&data, "firewall") + committed(&data, "syslog") < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "records never committed"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let health = curl(&format!("{}/api/v1/sources", server.base_url));
    let names: Vec<&str> = health["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["127.0.0.1", "fw-lgwan01"], "{health}");
    let fw_health = &health["sources"][1];
    assert_eq!(
        (
            fw_health["tenant"].as_str(),
            fw_health["received"].as_u64(),
            fw_health["parsed"].as_u64()
        ),
        (Some("momiji"), Some(1), Some(1)),
        "{health}"
    );
    assert!(fw_health["last_seen"].as_str().is_some(), "{health}");
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

#[test]
fn loggen_over_tcp_lf_and_octet_counted_lands_every_message() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = "[ingest]\nflush_seconds = 1\n";
    let server = serve(dir.path(), config, &["--listen-syslog-tcp", "127.0.0.1:0"]);
    let port = announced_port(&server, "tcp");
    // Classic syslog, LF-framed, on two connections at once; then RFC 5424
    // with octet counting, as loggen's --syslog-proto sends it.
    let lf = loggen(&[
        "--inet",
        "--stream",
        "--active-connections",
        "2",
        "--rate",
        "20000",
        "--number",
        "4000",
        "--size",
        "200",
        "127.0.0.1",
        &port,
    ]);
    let octet = loggen(&[
        "--inet",
        "--stream",
        "--syslog-proto",
        "--rate",
        "20000",
        "--number",
        "6000",
        "--size",
        "300",
        "127.0.0.1",
        &port,
    ]);
    assert!(lf >= 4000 && octet == 6000, "loggen sent {lf} + {octet}");
    let sent = lf + octet;
    let n = wait_for(&data, "SELECT count(*) AS n FROM syslog", sent, 60);
    drop(server);
    assert_eq!(n, sent, "every message loggen sent is a syslog row");
    assert_eq!(count(&data, "unparsed"), 0);
    // Each message once: loggen numbers them per connection and run.
    let distinct = sql(
        &data,
        "csv",
        "SELECT count(DISTINCT message) AS d, min(host) AS h, min(app_name) AS a FROM syslog",
    );
    assert_eq!(distinct, format!("d,h,a\n{sent},localhost,prg00000\n"));
}

#[test]
fn loggen_over_udp_every_datagram_is_a_row_or_counted_as_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = "[ingest]\nflush_seconds = 1\n";
    let server = serve(dir.path(), config, &["--listen-syslog-udp", "127.0.0.1:0"]);
    let port = announced_port(&server, "udp");
    let sent = loggen(&[
        "--inet",
        "--dgram",
        "--rate",
        "5000",
        "--number",
        "5000",
        "--size",
        "200",
        "127.0.0.1",
        &port,
    ]);
    assert_eq!(sent, 5000);
    // UDP may lose datagrams in the kernel; what it loses must show.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let (rows, kernel_dropped) = loop {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        let rows = count(&data, "syslog");
        let status = curl(&format!("{}/api/v1/sources", server.base_url));
        let udp = &status["listeners"][0];
        assert_eq!(udp["listener"], "syslog-udp", "{status}");
        let kernel_dropped = udp["kernel_dropped"].as_u64().unwrap();
        let accepted = udp["accepted"].as_u64().unwrap();
        if rows + kernel_dropped >= sent && accepted == rows
            || std::time::Instant::now() >= deadline
        {
            break (rows, kernel_dropped);
        }
    };
    drop(server);
    assert_eq!(
        rows + kernel_dropped,
        sent,
        "rows {rows}, dropped by the kernel {kernel_dropped}"
    );
    assert!(
        rows >= sent / 2,
        "most datagrams arrive on loopback: {rows}"
    );
    assert_eq!(count(&data, "unparsed"), 0);
}
