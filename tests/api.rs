//! The HTTP API as operators use it with curl: every route × role ×
//! tenant (the authorization matrix), alert actions and their refusals,
//! the live stream, throttling, revocation and the audit log.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bannin_rules::{Alert, AlertStatus, AlertStore};
use common::{Server, bannin, ok, token};
use serde_json::{Map, Value, json};

/// Two municipalities, each with a firewall expected every 15 minutes.
const CONFIG: &str = r#"
[rules]
schedule = false

[[sources]]
name = "fw-kawasaki"
tenant = "kawasaki"
expected_interval = "15m"

[[sources]]
name = "fw-yokosuka"
tenant = "yokosuka"
expected_interval = "15m"
"#;

fn object(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

/// A brute-force alert of `tenant`, stored as the scheduler would.
fn alert(store: &mut AlertStore, tenant: &str) -> String {
    let first = "2026-11-23T17:10:00Z";
    let found = Alert {
        id: format!("priv.bruteforce-{tenant}"),
        rule_id: "priv.bruteforce".into(),
        severity: "high".into(),
        title_ja: "特権IDへの総当たり".into(),
        title_en: "Brute force on a privileged ID".into(),
        tenant: tenant.into(),
        status: AlertStatus::New,
        assignee: None,
        first_seen: first.into(),
        last_seen: "2026-11-23T17:14:00Z".into(),
        event_count: 40,
        key: object(json!({ "account": "root", "target": format!("{tenant}-file01") })),
        evidence: object(json!({ "src_ips": "10.30.5.77" })),
        evidence_sql: "SELECT 1".into(),
        samples: Vec::new(),
        runbook_ja: "1. 送信元端末を確認する".into(),
        created_at: first.into(),
        updated_at: first.into(),
    };
    store.record(&found, chrono::Duration::zero()).unwrap().id
}

struct Desk {
    _dir: tempfile::TempDir,
    data: std::path::PathBuf,
    server: Server,
    /// Alert ids of kawasaki and yokosuka.
    kawasaki: String,
    yokosuka: String,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let (kawasaki, yokosuka) = {
        let mut store = AlertStore::open(&data.join("alerts.sqlite")).unwrap();
        (alert(&mut store, "kawasaki"), alert(&mut store, "yokosuka"))
    };
    let server = common::serve(dir.path(), CONFIG, &[]);
    Desk {
        data,
        _dir: dir,
        server,
        kawasaki,
        yokosuka,
    }
}

/// curl `method url` with `token` and `body`: (status, body, headers).
fn call(method: &str, url: &str, token: Option<&str>, body: Option<&str>) -> (u16, String) {
    let mut command = Command::new("curl");
    // A stream does not end: its status is all there is to see here.
    let max_time = if url.contains("/stream") { "2" } else { "20" };
    command.args(["-s", "--max-time", max_time, "-X", method]);
    command.args(["-w", "\n%{http_code}"]);
    if let Some(token) = token {
        command.args(["-H", &format!("Authorization: Bearer {token}")]);
    }
    if let Some(body) = body {
        let json = body.starts_with(['{', '[']);
        let kind = if json {
            "application/json"
        } else {
            "text/plain"
        };
        command.args([
            "-H",
            &format!("Content-Type: {kind}"),
            "--data-binary",
            body,
        ]);
    }
    let out = command.arg(url).output().expect("curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or_default();
    (code.trim().parse().unwrap_or(0), body.to_owned())
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// One route of the matrix: its method and path as the OpenAPI document
/// names them, a request that succeeds for an allowed role, and the roles.
struct Route {
    method: &'static str,
    template: &'static str,
    path: String,
    body: Option<&'static str>,
    allowed: &'static [&'static str],
}

/// Every route behind a token.
fn routes(desk: &Desk) -> Vec<Route> {
    const READERS: &[&str] = &["admin", "analyst", "auditor"];
    const RESPONDERS: &[&str] = &["admin", "analyst"];
    let k = &desk.kawasaki;
    let route = |method, template, path: String, body, allowed| Route {
        method,
        template,
        path,
        body,
        allowed,
    };
    vec![
        route(
            "GET",
            "/api/v1/alerts",
            "/api/v1/alerts".into(),
            None,
            READERS,
        ),
        route(
            "GET",
            "/api/v1/alerts/stream",
            "/api/v1/alerts/stream?after=0".into(),
            None,
            READERS,
        ),
        route(
            "GET",
            "/api/v1/alerts/{id}",
            format!("/api/v1/alerts/{k}"),
            None,
            READERS,
        ),
        route(
            "POST",
            "/api/v1/alerts/{id}/{action}",
            format!("/api/v1/alerts/{k}/comment"),
            Some(r#"{"text":"確認中"}"#),
            RESPONDERS,
        ),
        route(
            "GET",
            "/api/v1/sources",
            "/api/v1/sources".into(),
            None,
            READERS,
        ),
        route(
            "GET",
            "/api/v1/rules",
            "/api/v1/rules".into(),
            None,
            READERS,
        ),
        route(
            "POST",
            "/api/v1/rules/{id}/{change}",
            "/api/v1/rules/priv.bruteforce/disable".into(),
            None,
            &["admin"],
        ),
        route(
            "POST",
            "/api/v1/rules/{id}/{change}",
            "/api/v1/rules/priv.bruteforce/enable".into(),
            None,
            &["admin"],
        ),
        route(
            "GET",
            "/api/v1/handover",
            "/api/v1/handover".into(),
            None,
            READERS,
        ),
        route(
            "POST",
            "/api/v1/query",
            "/api/v1/query".into(),
            Some(r#"{"sql":"SELECT 1 AS one"}"#),
            READERS,
        ),
        route(
            "GET",
            "/api/v1/audit",
            "/api/v1/audit".into(),
            None,
            &["admin", "auditor"],
        ),
        route(
            "POST",
            "/api/v1/ingest",
            "/api/v1/ingest?source=fw-kawasaki".into(),
            Some(r#"{"message":"x"}"#),
            &["admin", "ingest"],
        ),
        route(
            "GET",
            "/api/v1/notifications/dead-letters",
            "/api/v1/notifications/dead-letters".into(),
            None,
            READERS,
        ),
        route(
            "POST",
            "/api/v1/notifications/dead-letters/{id}/retry",
            "/api/v1/notifications/dead-letters/1/retry".into(),
            None,
            RESPONDERS,
        ),
        route("GET", "/metrics", "/metrics".into(), None, READERS),
    ]
}

#[test]
fn every_route_checks_the_token_and_its_role() {
    let desk = desk();
    let base = &desk.server.base_url;
    let tokens: Vec<(&str, String)> = ["admin", "analyst", "auditor", "ingest"]
        .into_iter()
        .map(|role| (role, token(&desk.data, role, None)))
        .collect();
    for Route {
        method,
        path,
        body,
        allowed,
        ..
    } in routes(&desk)
    {
        let url = format!("{base}{path}");
        let (code, answer) = call(method, &url, None, body);
        assert_eq!(code, 401, "{method} {path} without a token: {answer}");
        for (role, token) in &tokens {
            let (code, answer) = call(method, &url, Some(token), body);
            if allowed.contains(role) {
                // There is no dead letter 1: the route answers, with 404.
                let fine = (200..300).contains(&code) || (path.ends_with("/retry") && code == 404);
                assert!(fine, "{role} {method} {path}: {code} {answer}");
            } else {
                assert_eq!(code, 403, "{role} {method} {path}: {answer}");
                assert!(json(&answer)["error"].as_str().unwrap().contains(role));
            }
        }
    }
    // Health needs no token; the console neither.
    assert_eq!(call("GET", &format!("{base}/healthz"), None, None).0, 200);
    let (code, ready) = call("GET", &format!("{base}/readyz"), None, None);
    assert_eq!(code, 200, "{ready}");

    // Switching rules: what the list then says, and the refusals.
    let (_, admin) = &tokens[0];
    let switch = |path: &str| {
        call(
            "POST",
            &format!("{base}/api/v1/rules/{path}"),
            Some(admin),
            None,
        )
    };
    assert_eq!(switch("priv.bruteforce/disable").0, 200);
    let (_, listed) = call("GET", &format!("{base}/api/v1/rules"), Some(admin), None);
    let listed = json(&listed);
    let rule = listed["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "priv.bruteforce")
        .cloned()
        .unwrap();
    assert_eq!(rule["enabled"], false, "{rule}");
    assert_eq!(rule["why"]["by"], "override", "{rule}");
    assert_eq!(rule["why"]["actor"], "admin@*", "{rule}");
    let listed = ok(bannin(&desk.data, &["rules", "list"]));
    let line = listed
        .lines()
        .find(|l| l.starts_with("priv.bruteforce\t"))
        .unwrap();
    assert!(line.contains("\toff (admin@*, "), "{line}");
    assert_eq!(switch("priv.bruteforce/toggle").0, 400);
    assert_eq!(switch("no.such.rule/enable").0, 404);

    // A wrong or revoked token is refused like none.
    let (_, admin) = &tokens[0];
    let mut wrong = admin.clone();
    wrong.replace_range(wrong.len() - 4.., "0000");
    let alerts = |token: &str| call("GET", &format!("{base}/api/v1/alerts"), Some(token), None).0;
    assert_eq!(alerts(&wrong), 401);
    let analyst = token(&desk.data, "analyst", None);
    assert_eq!(alerts(&analyst), 200);
    let id = analyst.split('_').nth(1).unwrap();
    ok(bannin(&desk.data, &["token", "revoke", id]));
    assert_eq!(alerts(&analyst), 401);

    // Everything above is in the audit log: the refusals too.
    let (code, audit) = call(
        "GET",
        &format!("{base}/api/v1/audit?limit=1000"),
        Some(admin),
        None,
    );
    assert_eq!(code, 200);
    let entries = json(&audit)["entries"].as_array().unwrap().clone();
    let has = |actor: &str, action: &str, outcome: &str| {
        entries.iter().any(|e| {
            e["actor"].as_str().unwrap().starts_with(actor)
                && e["action"] == action
                && e["outcome"].as_str().unwrap().starts_with(outcome)
        })
    };
    assert!(
        has("analyst", "POST /api/v1/alerts/{id}/{action}", "ok"),
        "{audit}"
    );
    assert!(
        has("auditor", "POST /api/v1/alerts/{id}/{action}", "denied"),
        "{audit}"
    );
    assert!(has("unknown", "GET /api/v1/alerts", "denied"), "{audit}");
    assert!(has("cli:", "token.revoke", "ok"), "{audit}");
    assert!(has("admin", "sql (api)", "ok"), "{audit}");
    // Not a token's secret anywhere in it.
    for (_, token) in &tokens {
        assert!(!audit.contains(token.rsplit('_').next().unwrap()));
    }
    // The auditor reads it with SQL too; an analyst has no such table.
    let (_, auditor) = &tokens[2];
    let sql = r#"{"sql":"SELECT count(*) AS n FROM bannin_audit WHERE outcome LIKE 'denied%'"}"#;
    let (code, rows) = call(
        "POST",
        &format!("{base}/api/v1/query"),
        Some(auditor),
        Some(sql),
    );
    assert_eq!(code, 200, "{rows}");
    assert!(json(&rows)["rows"][0]["n"].as_i64().unwrap() >= 5, "{rows}");
    let analyst = token(&desk.data, "analyst", None);
    let (code, _) = call(
        "POST",
        &format!("{base}/api/v1/query"),
        Some(&analyst),
        Some(sql),
    );
    assert_eq!(code, 400);
}

#[test]
fn a_tenant_token_never_sees_another_tenant() {
    let desk = desk();
    let base = &desk.server.base_url;
    let kawasaki = token(&desk.data, "analyst", Some("kawasaki"));
    let get = |path: &str| {
        let (code, body) = call("GET", &format!("{base}{path}"), Some(&kawasaki), None);
        assert_eq!(code, 200, "{path}: {body}");
        json(&body)
    };
    let alerts = get("/api/v1/alerts");
    assert_eq!(alerts["total"], 1, "{alerts}");
    assert_eq!(alerts["alerts"][0]["tenant"], "kawasaki");
    // Asking for the other tenant finds nothing, not an error.
    assert_eq!(get("/api/v1/alerts?tenant=yokosuka")["total"], 0);
    let other = format!("{base}/api/v1/alerts/{}", desk.yokosuka);
    assert_eq!(call("GET", &other, Some(&kawasaki), None).0, 404);
    let ack = format!("{other}/ack");
    assert_eq!(call("POST", &ack, Some(&kawasaki), None).0, 404);
    let sources = get("/api/v1/sources");
    let names: Vec<&str> = sources["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["fw-kawasaki"], "{sources}");
    assert_eq!(sources["sources"][0]["silent"], true, "never heard from");
    assert!(sources["listeners"].as_array().unwrap().is_empty());
    let handover = get("/api/v1/handover?since=2026-01-01T00:00:00Z");
    assert_eq!(handover["opened"]["total"], 1, "{handover}");
    let metrics = call("GET", &format!("{base}/metrics"), Some(&kawasaki), None).1;
    assert!(metrics.contains("tenant=\"kawasaki\""), "{metrics}");
    assert!(!metrics.contains("yokosuka"), "{metrics}");

    // SQL: its tenant only, whatever the query tries; another tenant asked
    // for by name is refused.
    let query = |body: &str| {
        call(
            "POST",
            &format!("{base}/api/v1/query"),
            Some(&kawasaki),
            Some(body),
        )
    };
    let (code, rows) = query(r#"{"sql":"SELECT DISTINCT tenant FROM source_health"}"#);
    assert_eq!(code, 200, "{rows}");
    assert_eq!(json(&rows)["rows"], json!([{"tenant": "kawasaki"}]));
    let (code, _) = query(r#"{"sql":"SELECT 1","tenant":"yokosuka"}"#);
    assert_eq!(code, 403);
    // An ingest token of one tenant cannot send as another's source.
    let sender = token(&desk.data, "ingest", Some("kawasaki"));
    let url = format!("{base}/api/v1/ingest?source=fw-yokosuka");
    assert_eq!(call("POST", &url, Some(&sender), Some(r#"{"m":1}"#)).0, 403);
    let url = format!("{base}/api/v1/ingest?source=fw-kawasaki");
    assert_eq!(call("POST", &url, Some(&sender), Some(r#"{"m":1}"#)).0, 200);
    // A tenant admin cannot switch a rule every tenant runs.
    let admin = token(&desk.data, "admin", Some("kawasaki"));
    let url = format!("{base}/api/v1/rules/priv.bruteforce/disable");
    assert_eq!(call("POST", &url, Some(&admin), None).0, 403);
}

#[test]
fn alert_actions_follow_the_lifecycle_and_refuse_bad_requests() {
    let desk = desk();
    let base = &desk.server.base_url;
    let analyst = token(&desk.data, "analyst", None);
    let act = |action: &str, body: Option<&str>| {
        let url = format!("{base}/api/v1/alerts/{}/{action}", desk.kawasaki);
        call("POST", &url, Some(&analyst), body)
    };
    let (code, body) = act("ack", None);
    assert_eq!(code, 200, "{body}");
    assert_eq!(json(&body)["alert"]["status"], "acknowledged");
    let (code, body) = act("ack", None);
    assert_eq!(code, 409, "{body}");
    assert!(
        json(&body)["error"]
            .as_str()
            .unwrap()
            .contains("acknowledged")
    );
    let (code, body) = act("assign", Some(r#"{"assignee":"佐藤"}"#));
    assert_eq!(
        (code, json(&body)["alert"]["assignee"].clone()),
        (200, json!("佐藤"))
    );
    let (code, body) = act("resolve", Some(r#"{"reason":"管理者の作業と確認"}"#));
    assert_eq!(code, 200, "{body}");
    let detail = json(&body);
    assert_eq!(detail["alert"]["status"], "resolved");
    assert_eq!(detail["comments"][0]["text"], "管理者の作業と確認");
    let actors: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["actor"].as_str().unwrap())
        .collect();
    assert_eq!(
        actors,
        ["bannin", "analyst@*", "analyst@*", "analyst@*"],
        "{detail}"
    );
    assert_eq!(act("false_positive", None).0, 409);

    for (action, body, status, reason) in [
        ("comment", Some("{not json"), 400, "not an action request"),
        ("comment", Some(r#"{"txt":"typo"}"#), 400, "unknown field"),
        ("comment", None, 400, "needs `text`"),
        ("escalate", None, 400, "unknown action"),
    ] {
        let (code, answer) = act(action, body);
        assert_eq!(code, status, "{action} {body:?}: {answer}");
        assert!(
            json(&answer)["error"].as_str().unwrap().contains(reason),
            "{answer}"
        );
    }
    let huge = format!(r#"{{"text":"{}"}}"#, "あ".repeat(40_000));
    assert_eq!(act("comment", Some(&huge)).0, 413);
    let url = format!("{base}/api/v1/alerts/no-such-alert/ack");
    assert_eq!(call("POST", &url, Some(&analyst), None).0, 404);
    let url = format!("{base}/api/v1/alerts?status=open");
    assert_eq!(call("GET", &url, Some(&analyst), None).0, 400);
}

/// Reads server-sent events of a curl child into a channel, line by line.
fn stream(url: &str, token: &str) -> (std::process::Child, mpsc::Receiver<String>) {
    let mut child = Command::new("curl")
        .args(["-sN", "-H", &format!("Authorization: Bearer {token}"), url])
        .stdout(Stdio::piped())
        .spawn()
        .expect("curl");
    let stdout = child.stdout.take().unwrap();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                return;
            }
        }
    });
    (child, receive)
}

/// Lines received until one contains `needle` (or `secs` pass).
fn until(lines: &mpsc::Receiver<String>, needle: &str, secs: u64) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) => {
                let found = line.contains(needle);
                seen.push(line);
                if found {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    seen
}

fn open_streams(base: &str, token: &str) -> i64 {
    let (_, metrics) = call("GET", &format!("{base}/metrics"), Some(token), None);
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("bannin_alert_streams "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(-1)
}

#[test]
fn the_stream_shows_changes_of_its_tenant_and_leaks_nothing() {
    let desk = desk();
    let base = &desk.server.base_url;
    let admin = desk.server.token.clone().unwrap();
    let kawasaki = token(&desk.data, "analyst", Some("kawasaki"));
    let yokosuka = token(&desk.data, "analyst", Some("yokosuka"));
    let url = format!("{base}/api/v1/alerts/stream");
    let (mut k_child, k_lines) = stream(&url, &kawasaki);
    let (mut y_child, y_lines) = stream(&url, &yokosuka);
    // From the start of the feed: the alert each tenant already has.
    let (mut replay, replayed) = stream(&format!("{url}?after=0"), &kawasaki);
    let seen = until(&replayed, "created", 20).join("\n");
    assert!(
        seen.contains(&desk.kawasaki) && !seen.contains(&desk.yokosuka),
        "{seen}"
    );
    let _ = replay.kill();
    let _ = replay.wait();

    let deadline = Instant::now() + Duration::from_secs(20);
    while open_streams(base, &admin) < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let ack = format!("{base}/api/v1/alerts/{}/ack", desk.kawasaki);
    assert_eq!(call("POST", &ack, Some(&kawasaki), None).0, 200);
    let seen = until(&k_lines, "\"acknowledge\"", 20);
    let text = seen.join("\n");
    assert!(text.contains("event: alert"), "{text}");
    assert!(text.contains(&desk.kawasaki), "{text}");
    assert!(seen.iter().any(|l| l.starts_with("id: ")), "{text}");
    // The other tenant's desk saw nothing of it.
    let other = until(&y_lines, &desk.kawasaki, 3);
    assert!(
        other.iter().all(|l| !l.contains(&desk.kawasaki)),
        "{other:?}"
    );

    // Clients that go away leave no stream behind.
    for child in [&mut k_child, &mut y_child] {
        let _ = child.kill();
        let _ = child.wait();
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while open_streams(base, &admin) != 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(open_streams(base, &admin), 0);
}

#[test]
fn repeated_failures_from_one_address_are_throttled() {
    let desk = desk();
    let base = &desk.server.base_url;
    let admin = desk.server.token.clone().unwrap();
    let url = format!("{base}/api/v1/alerts");
    let guess = format!("bnn_{}_{}", "0".repeat(16), "1".repeat(64));
    for _ in 0..10 {
        assert_eq!(call("GET", &url, Some(&guess), None).0, 401);
    }
    // Now even a good token from this address waits.
    let out = Command::new("curl")
        .args([
            "-s",
            "-i",
            "-H",
            &format!("Authorization: Bearer {admin}"),
            &url,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_lowercase();
    assert!(text.starts_with("http/1.1 429"), "{text}");
    assert!(text.contains("retry-after: "), "{text}");
    let _ = Path::new(&desk.data);
}

#[test]
fn the_openapi_document_describes_exactly_the_routes_and_their_roles() {
    let desk = desk();
    let base = &desk.server.base_url;
    let (code, body) = call("GET", &format!("{base}/api/v1/openapi.json"), None, None);
    assert_eq!(code, 200, "served without a token");
    let doc = json(&body);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let mut described = Vec::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let roles: Vec<String> = operation["security"]
                .as_array()
                .and_then(|s| s.first())
                .and_then(|s| s["bearer"].as_array())
                .map(|r| r.iter().map(|r| r.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            if !roles.is_empty() {
                for code in ["401", "403", "429"] {
                    assert!(
                        operation["responses"][code].is_object(),
                        "{method} {path}: {code}"
                    );
                }
            }
            described.push((method.to_uppercase(), path.clone(), roles));
        }
    }
    let mut served: Vec<(String, String, Vec<String>)> = routes(&desk)
        .into_iter()
        .map(|r| {
            let roles = r.allowed.iter().map(|r| r.to_string()).collect();
            (r.method.to_owned(), r.template.to_owned(), roles)
        })
        .collect();
    served.push(("GET".into(), "/healthz".into(), vec![]));
    served.push(("GET".into(), "/readyz".into(), vec![]));
    described.sort();
    served.sort();
    served.dedup();
    assert_eq!(described, served);
    // And the public ones answer without a token.
    for path in ["/healthz", "/readyz"] {
        assert_eq!(call("GET", &format!("{base}{path}"), None, None).0, 200);
    }
}

#[test]
fn a_silent_source_raises_source_silent_through_the_alert_queue() {
    let dir = tempfile::tempdir().unwrap();
    let config = r#"
[[sources]]
name = "fw-lgwan01"
tenant = "kawasaki"
segment = "lgwan"
expected_interval = "15m"

[[sources]]
name = "proxy-inet01"
tenant = "kawasaki"
segment = "internet"
expected_interval = "15m"
"#;
    let server = common::serve(dir.path(), config, &[]);
    let base = &server.base_url;
    let admin = server.token.clone().unwrap();
    let line = "<134>Nov 24 09:00:00 proxy-inet01 squid[1]: 1763942400.000 5 10.1.2.3 TCP_MISS/200 512 GET http://www.example.jp/ - HIER_DIRECT/192.0.2.10 text/html";
    let url = format!("{base}/api/v1/ingest?source=proxy-inet01");
    let (code, body) = call("POST", &url, Some(&admin), Some(line));
    assert_eq!(code, 200, "{body}");

    // The scheduler runs source.silent at once: the firewall never sent.
    let deadline = Instant::now() + Duration::from_secs(60);
    let alerts = loop {
        let url = format!("{base}/api/v1/alerts?rule=source.silent");
        let (_, body) = call("GET", &url, Some(&admin), None);
        let alerts = json(&body)["alerts"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let found = alerts.iter().any(|a| a["key"]["source"] == "fw-lgwan01");
        if found || Instant::now() > deadline {
            break alerts;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    let silent = alerts
        .iter()
        .find(|a| a["key"]["source"] == "fw-lgwan01")
        .unwrap_or_else(|| panic!("no source.silent alert: {alerts:?}"));
    assert_eq!(silent["tenant"], "kawasaki");
    assert_eq!(silent["title_ja"], "ログ収集途絶");
    assert_eq!(silent["status"], "new");

    let (_, body) = call("GET", &format!("{base}/api/v1/sources"), Some(&admin), None);
    let sources = json(&body);
    let by_name = |name: &str| {
        sources["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} in {sources}"))
    };
    assert_eq!(by_name("fw-lgwan01")["silent"], true);
    let proxy = by_name("proxy-inet01");
    assert_eq!(proxy["silent"], false, "{proxy}");
    assert_eq!(proxy["received"], 1, "{proxy}");
    assert_eq!(proxy["bytes"], line.len(), "{proxy}");
    assert_eq!(sources["silent"], 1);
}
