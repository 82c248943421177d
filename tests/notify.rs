//! Alert notifications from a real `bannin serve`: a rule fires on live
//! ingest and the notifier delivers it to HTTP receivers this test runs
//! (generic JSON, Slack, Teams, one that fails twice, one that always
//! fails) and to a real SMTP server (aiosmtpd) over STARTTLS.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{FixedOffset, Utc};
use common::{Server, bannin, curl, free_port, make_certificates, ok, post, serve};
use serde_json::Value;

const PROBE_PACK: &str = r#"
[[rules]]
id = "local.root_failures"
severity = "high"
title.ja = "rootのログイン失敗 (試験)"
title.en = "Failed root logins (probe)"
tables = ["auth"]
schedule = "1s"
window = "10m"
lateness = "10s"
group = ["tenant", "host"]
runbook.ja = """
1. 送信元IPアドレスの端末を確認する。
2. rootでのSSHログインを禁止する。
3. 三行目。
4. 四行目は通知に載らない。
"""
params = { min_failures = 3 }
sql = """
SELECT tenant, host, min(time) AS first_seen, max(time) AS last_seen, count(*) AS event_count
FROM auth
WHERE time >= {window_start} AND time < {window_end} AND outcome = 'failure' AND "user" = 'root'
GROUP BY tenant, host HAVING count(*) >= {min_failures}
"""
"#;

/// What the receiver got: (path, JSON body), in order of arrival.
type Received = Arc<Mutex<Vec<(String, Value)>>>;

/// Runs `serve` on its own thread and runtime over a listener on
/// 127.0.0.1; returns the listener's address.
fn spawn_server<F, Fut>(serve: F) -> std::net::SocketAddr
where
    F: FnOnce(tokio::net::TcpListener) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            serve(tokio::net::TcpListener::from_std(listener).unwrap()).await;
        });
    });
    address
}

/// An HTTP receiver on 127.0.0.1: `/flaky` answers 500 to its first two
/// requests, `/down` always; every other path 200.
fn start_receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let seen = Arc::clone(&received);
    let address = spawn_server(move |listener| async move {
        let app =
            axum::Router::new().fallback(move |uri: axum::http::Uri, body: axum::body::Bytes| {
                let seen = Arc::clone(&seen);
                async move {
                    let path = uri.path().to_owned();
                    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    let mut seen = seen.lock().unwrap();
                    seen.push((path.clone(), json));
                    let calls = seen.iter().filter(|(p, _)| *p == path).count();
                    match path.as_str() {
                        "/flaky" if calls <= 2 => axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        "/down" => axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        _ => axum::http::StatusCode::OK,
                    }
                }
            });
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{address}"), received)
}

/// A CONNECT-only HTTP proxy on 127.0.0.1, as a municipality's Internet
/// segment has; returns its URL and the targets it tunnelled to.
fn start_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let tunnels: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&tunnels);
    let address = spawn_server(move |listener| async move {
        loop {
            let (mut client, _) = listener.accept().await.unwrap();
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let mut words = head.split_whitespace();
                if words.next() != Some("CONNECT") {
                    let _ = client
                        .write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
                        .await;
                    return;
                }
                let target = words.next().unwrap_or_default().to_owned();
                seen.lock().unwrap().push(target.clone());
                let Ok(mut upstream) = tokio::net::TcpStream::connect(&target).await else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                let _ = client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (format!("http://{address}"), tunnels)
}

fn by_path(received: &Received) -> BTreeMap<String, Vec<Value>> {
    let mut map: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (path, body) in received.lock().unwrap().iter() {
        map.entry(path.clone()).or_default().push(body.clone());
    }
    map
}

fn calls(received: &Received, path: &str) -> usize {
    by_path(received).get(path).map_or(0, Vec::len)
}

/// Waits until `done` holds or `secs` pass; whether it held.
fn wait_until(secs: u64, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Four failed root logins on lg-file09, stamped now (JST, as sshd
/// writes them), posted to the server's ingest API.
fn fire_probe(server: &Server) {
    let jst = FixedOffset::east_opt(9 * 3600).unwrap();
    let stamp = Utc::now().with_timezone(&jst).format("%b %e %H:%M:%S");
    let lines: String = (0..4)
        .map(|i| format!("{stamp} lg-file09 sshd[{i}]: Failed password for root from 10.30.5.77 port 4000{i} ssh2\n"))
        .collect();
    let (code, body) = post(
        &format!("{}/api/v1/ingest?format=syslog", server.base_url),
        &[],
        lines.as_bytes(),
    );
    assert_eq!(code, 200, "{body}");
}

/// The alert the probe rule raised (shipped rules may raise others on
/// the same logins).
fn probe_alert(server: &Server) -> Value {
    let list = curl(&format!(
        "{}/api/v1/alerts?rule=local.root_failures",
        server.base_url
    ));
    let alerts = list["alerts"].as_array().cloned().unwrap_or_default();
    assert_eq!(alerts.len(), 1, "{list}");
    alerts[0].clone()
}

/// The probe pack in `<dir>/rules`, tenant kawasaki, and `[notify]`
/// with fast rounds and links to the city's bannin; tests add the rest
/// of `[notify]`, then channels and routes.
fn config_head(dir: &Path) -> String {
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(rules.join("local.toml"), PROBE_PACK).unwrap();
    format!(
        "[ingest]\ntenant = \"kawasaki\"\n[rules]\ndir = {:?}\n[notify]\n\
         base_url = \"https://bannin.city.example.lg.jp/\"\npoll_interval = \"200ms\"",
        rules.display().to_string()
    )
}

fn dead_letters(server: &Server) -> Vec<Value> {
    curl(&format!(
        "{}/api/v1/notifications/dead-letters",
        server.base_url
    ))["dead_letters"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn webhooks_get_the_alert_retry_and_dead_letter_and_a_restart_sends_nothing_again() {
    let dir = tempfile::tempdir().unwrap();
    let (hook, received) = start_receiver();
    let (proxy, tunnels) = start_proxy();
    // The Slack URL comes from a file, as a secret would.
    let slack_url = dir.path().join("slack-url");
    std::fs::write(&slack_url, format!("{hook}/slack\n")).unwrap();
    let config = format!(
        r#"{head}
max_attempts = 3
retry_base = "300ms"
[notify.channels.generic]
type = "webhook"
url = "{hook}/generic"
[notify.channels.slack]
type = "slack"
url_file = {slack:?}
[notify.channels.teams]
type = "teams"
url = "{hook}/teams"
[notify.channels.flaky]
type = "webhook"
url = "{hook}/flaky"
[notify.channels.down]
type = "webhook"
url = "{hook}/down"
[notify.channels.pager]
type = "webhook"
url = "{hook}/pager"
[notify.channels.outside]
type = "webhook"
url = "{hook}/outside"
proxy = "{proxy}"
[[notify.routes]]
rules = ["local.*"]
min_severity = "high"
channels = ["generic", "slack", "teams", "flaky", "down", "outside"]
[[notify.routes]]
rules = ["local.root_failures"]
channels = ["generic"]
[[notify.routes]]
min_severity = "critical"
channels = ["pager"]
[[notify.routes]]
tenants = ["sakuragaoka"]
channels = ["pager"]
"#,
        head = config_head(dir.path()),
        slack = slack_url.display().to_string(),
    );
    let server = serve(dir.path(), &config, &[]);
    fire_probe(&server);
    assert!(
        wait_until(60, || calls(&received, "/down") >= 3
            && calls(&received, "/flaky") >= 3
            && calls(&received, "/teams") >= 1),
        "{:#?}",
        by_path(&received)
    );
    let alert = &probe_alert(&server);
    let id = alert["id"].as_str().unwrap().to_owned();
    let link = format!("https://bannin.city.example.lg.jp/api/v1/alerts/{id}");

    let got = by_path(&received);
    // Two routes name `generic`: it hears once; `pager` is not routed.
    assert_eq!(got["/generic"].len(), 1, "{got:#?}");
    // Through the proxy, and only that channel.
    assert!(
        wait_until(20, || calls(&received, "/outside") == 1),
        "{got:#?}"
    );
    let receiver = hook.trim_start_matches("http://").to_owned();
    assert_eq!(*tunnels.lock().unwrap(), vec![receiver]);
    assert_eq!(
        by_path(&received)["/outside"][0]["alert"]["id"],
        id.as_str()
    );
    assert!(!got.contains_key("/pager"), "{got:#?}");
    let generic = &got["/generic"][0];
    assert_eq!(generic["change"], "created");
    let a = &generic["alert"];
    assert_eq!(a["id"], id.as_str());
    assert_eq!(a["tenant"], "kawasaki");
    assert_eq!(a["rule_id"], "local.root_failures");
    assert_eq!(a["severity"], "high");
    assert_eq!(a["title"]["ja"], "rootのログイン失敗 (試験)");
    assert_eq!(a["title"]["en"], "Failed root logins (probe)");
    assert_eq!(a["status"], "new");
    assert_eq!(a["event_count"], 4);
    assert_eq!(a["first_seen"], alert["first_seen"]);
    assert_eq!(a["last_seen"], alert["last_seen"]);
    assert_eq!(a["link"], link.as_str());

    let slack = &got["/slack"];
    assert_eq!(slack.len(), 1);
    assert_eq!(
        slack[0]["text"],
        "【bannin】重大度:高 rootのログイン失敗 (試験) (kawasaki)"
    );
    let blocks = slack[0]["blocks"].to_string();
    assert!(
        blocks.contains("1. 送信元IPアドレスの端末を確認する。"),
        "{blocks}"
    );
    assert!(
        !blocks.contains("四行目"),
        "only the runbook's first lines: {blocks}"
    );
    assert!(blocks.contains(&format!("<{link}|")), "{blocks}");

    let teams = &got["/teams"];
    assert_eq!(teams.len(), 1);
    let card = &teams[0]["attachments"][0];
    assert_eq!(
        card["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(
        card["content"]["body"][0]["text"],
        "【bannin】重大度:高 rootのログイン失敗 (試験) (kawasaki)"
    );
    assert_eq!(card["content"]["actions"][0]["url"], link.as_str());

    // 500, 500, 200: delivered on the third attempt, the same document.
    assert_eq!(got["/flaky"].len(), 3);
    assert_eq!(got["/flaky"][2], got["/flaky"][0]);
    assert_eq!(got["/flaky"][2]["alert"]["id"], id.as_str());

    // Always 500: a dead letter after max_attempts, visible in the API.
    let mut letters = Vec::new();
    assert!(wait_until(10, || {
        letters = dead_letters(&server);
        !letters.is_empty()
    }));
    assert_eq!(letters.len(), 1, "{letters:?}");
    let letter = &letters[0];
    assert_eq!(letter["channel"], "down");
    assert_eq!(letter["alert_id"], id.as_str());
    assert_eq!(letter["tenant"], "kawasaki");
    assert_eq!(letter["attempts"], 3);
    let error = letter["last_error"].as_str().unwrap();
    assert!(error.contains("HTTP 500"), "{error}");
    assert!(
        !error.contains("/down"),
        "the URL's path is not shown: {error}"
    );
    assert_eq!(calls(&received, "/down"), 3);
    let out = ok(bannin(
        &dir.path().join("data"),
        &["notify", "dead-letters"],
    ));
    assert!(
        out.contains("dead letters 1") && out.contains("HTTP 500"),
        "{out}"
    );
    drop(server);

    // Restarted: nothing is sent again; the dead letter is still there.
    let server = restart_sends_nothing(dir.path(), &config, &received);
    let letters = dead_letters(&server);
    assert_eq!(letters.len(), 1);

    // Retried by an operator: three more attempts, then dead again.
    let letter_id = letters[0]["id"].as_i64().unwrap();
    let retry = format!(
        "{}/api/v1/notifications/dead-letters/{letter_id}/retry",
        server.base_url
    );
    let (code, body) = post(&retry, &[], b"");
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["retried"]["channel"], "down");
    assert!(wait_until(20, || calls(&received, "/down") >= 6
        && dead_letters(&server).len() == 1));
    assert_eq!(calls(&received, "/down"), 6);
    let (code, _) = post(
        &format!(
            "{}/api/v1/notifications/dead-letters/999999/retry",
            server.base_url
        ),
        &[],
        b"",
    );
    assert_eq!(code, 404);
    drop(server);

    // A first start on an existing alert store begins after its newest
    // change: no flood of old alerts.
    std::fs::remove_file(dir.path().join("data/state/notify.sqlite")).unwrap();
    restart_sends_nothing(dir.path(), &config, &received);
}

/// Starts the server again and checks that the receiver hears nothing
/// new for a few seconds (several notifier rounds).
fn restart_sends_nothing(dir: &Path, config: &str, received: &Received) -> Server {
    let before = received.lock().unwrap().len();
    let server = serve(dir, config, &[]);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        received.lock().unwrap().len(),
        before,
        "{:#?}",
        by_path(received)
    );
    server
}

/// aiosmtpd on 127.0.0.1 requiring STARTTLS, storing mail in a Maildir.
struct Smtp {
    child: Child,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_smtp(certs: &Path, maildir: &Path, port: u16) -> Smtp {
    let child = Command::new("/usr/bin/python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .arg("--tlscert")
        .arg(certs.join("server.pem"))
        .arg("--tlskey")
        .arg(certs.join("server.key"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3-aiosmtpd is installed (see .ci/run)");
    let smtp = Smtp { child };
    assert!(
        wait_until(20, || std::net::TcpStream::connect(("127.0.0.1", port))
            .is_ok()),
        "aiosmtpd did not start"
    );
    smtp
}

/// The mails in `maildir`, decoded by Python's email package: subject,
/// to and the text body of each.
fn mails(maildir: &Path) -> Vec<Value> {
    let script = r#"
import email, email.policy, glob, json, sys
out = []
for name in sorted(glob.glob(sys.argv[1] + "/new/*")):
    with open(name, "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    out.append({"subject": str(m["subject"]), "to": str(m["to"]), "from": str(m["from"]),
                "body": m.get_content()})
print(json.dumps(out))
"#;
    let out = Command::new("/usr/bin/python3")
        .args(["-c", script])
        .arg(maildir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn mail_goes_over_starttls_with_a_japanese_subject_and_body() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    make_certificates(&certs);
    let maildir = dir.path().join("maildir");
    let port = free_port();
    let _smtp = start_smtp(&certs, &maildir, port);
    let config = format!(
        r#"{head}
[notify.channels.csirt]
type = "mail"
host = "127.0.0.1"
port = {port}
tls = "starttls"
ca_file = {ca:?}
helo_name = "bannin01.city.example.lg.jp"
from = "bannin <bannin@city.example.lg.jp>"
to = ["csirt@city.example.lg.jp", "soc@example.co.jp"]
[[notify.routes]]
rules = ["local.*"]
channels = ["csirt"]
"#,
        head = config_head(dir.path()),
        ca = certs.join("ca.pem").display().to_string(),
    );

    // The test message first, from the CLI.
    std::fs::write(dir.path().join("bannin.toml"), &config).unwrap();
    let out = ok(bannin(
        &dir.path().join("data"),
        &[
            "--config",
            dir.path().join("bannin.toml").to_str().unwrap(),
            "notify",
            "test",
            "csirt",
        ],
    ));
    assert!(out.contains("sent a test notification to `csirt`"), "{out}");
    let test = mails(&maildir);
    assert_eq!(test.len(), 1, "{test:?}");
    assert_eq!(test[0]["subject"], "【bannin】重大度:低 通知の試験 (test)");

    let server = serve(dir.path(), &config, &[]);
    fire_probe(&server);
    assert!(
        wait_until(60, || mails(&maildir).len() >= 2),
        "no alert mail arrived"
    );
    let alert = probe_alert(&server);
    let id = alert["id"].as_str().unwrap();
    let all = mails(&maildir);
    let mail = all
        .iter()
        .find(|m| m["subject"] != test[0]["subject"])
        .unwrap();
    assert_eq!(
        mail["subject"],
        "【bannin】重大度:高 rootのログイン失敗 (試験) (kawasaki)"
    );
    assert_eq!(mail["from"], "bannin <bannin@city.example.lg.jp>");
    assert_eq!(mail["to"], "csirt@city.example.lg.jp, soc@example.co.jp");
    let body = mail["body"].as_str().unwrap();
    let ja = body.find("bannin がアラートを検知しました。").unwrap();
    let en = body.find("bannin raised an alert.").unwrap();
    assert!(ja < en, "Japanese first:\n{body}");
    for expected in [
        "重大度: 高",
        "テナント: kawasaki",
        "件数: 4",
        "  1. 送信元IPアドレスの端末を確認する。",
        &format!("詳細: https://bannin.city.example.lg.jp/api/v1/alerts/{id}"),
        "Title: Failed root logins (probe)",
    ] {
        assert!(body.contains(expected), "{expected} not in:\n{body}");
    }
    assert!(!body.contains("四行目"), "{body}");
    // One mail per alert change routed, even with two recipients.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(mails(&maildir).len(), 2);
}
