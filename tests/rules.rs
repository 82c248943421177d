//! `bannin rules` and the scheduler inside `bannin serve`, driven the way
//! an operator does: the CLI, a local rules directory, live ingest over
//! HTTP and the alert queue over the API.

mod common;

use std::time::{Duration, Instant};

use chrono::{FixedOffset, Utc};
use common::{bannin, curl, failed, ok, post, serve};
use serde_json::Value;

/// The first wave of DOMAIN.md: every one ships, with backtests.
use bannin_benches::municipality::FIRST_WAVE_RULES as FIRST_WAVE;

#[test]
fn shipped_rules_pass_their_backtests() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(bannin(dir.path(), &["rules", "test"]));
    for id in FIRST_WAVE {
        assert!(
            out.contains(&format!("ok   {id} / ")),
            "{id} has no passing case:\n{out}"
        );
    }
    assert!(!out.contains("FAIL"), "{out}");
    let listed = ok(bannin(dir.path(), &["rules", "list"]));
    for id in FIRST_WAVE {
        assert!(listed.contains(id), "{listed}");
    }
    ok(bannin(dir.path(), &["rules", "validate"]));
}

const PROBE_PACK: &str = r#"
[[rules]]
id = "local.root_failures"
severity = "high"
title.ja = "rootのログイン失敗 (試験)"
tables = ["auth"]
schedule = "1s"
window = "10m"
lateness = "10s"
group = ["tenant", "host"]
runbook.ja = "1. 確認する。"
params = { min_failures = 3 }
sql = """
SELECT tenant, host, min(time) AS first_seen, max(time) AS last_seen, count(*) AS event_count
FROM auth
WHERE time >= {window_start} AND time < {window_end} AND outcome = 'failure' AND "user" = 'root'
GROUP BY tenant, host HAVING count(*) >= {min_failures}
"""
"#;

/// GET `url`: (status code, body).
fn get_status(url: &str) -> (u16, String) {
    let out = std::process::Command::new("curl")
        .args(["-s", "--max-time", "10", "-w", "\n%{http_code}"])
        .args(common::auth_header(url))
        .arg(url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or_default();
    (code.trim().parse().unwrap_or(0), body.to_owned())
}

fn alerts_for(base: &str, rule: &str) -> Vec<Value> {
    curl(&format!("{base}/api/v1/alerts"))["alerts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a["rule_id"] == rule)
        .collect()
}

fn wait_alerts(base: &str, rule: &str, n: usize, secs: u64) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let found = alerts_for(base, rule);
        if found.len() >= n || Instant::now() >= deadline {
            return found;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn serve_raises_alerts_from_live_ingest_and_a_restart_adds_none() {
    let dir = tempfile::tempdir().unwrap();
    let rules_dir = dir.path().join("rules");
    std::fs::create_dir_all(&rules_dir).unwrap();
    std::fs::write(rules_dir.join("local.toml"), PROBE_PACK).unwrap();
    let config = format!(
        "[ingest]\ntenant = \"sakuragaoka\"\n[rules]\ndir = {:?}\n",
        rules_dir.display().to_string()
    );
    // Events stamped now (JST, as sshd writes them).
    let jst = FixedOffset::east_opt(9 * 3600).unwrap();
    let stamp = Utc::now().with_timezone(&jst).format("%b %e %H:%M:%S");
    let lines: String = (0..4)
        .map(|i| format!("{stamp} lg-file09 sshd[{i}]: Failed password for root from 10.30.5.77 port 4000{i} ssh2\n"))
        .collect();

    let server = serve(dir.path(), &config, &[]);
    let base = server.base_url.clone();
    assert!(
        server.announced.contains("detection rule"),
        "{}",
        server.announced
    );
    let (code, body) = post(
        &format!("{base}/api/v1/ingest?format=syslog"),
        &[],
        lines.as_bytes(),
    );
    assert_eq!(code, 200, "{body}");
    let found = wait_alerts(&base, "local.root_failures", 1, 30);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["key"]["host"], "lg-file09");
    assert_eq!(found[0]["event_count"], 4);
    assert!(
        found[0]["samples"].as_array().is_some_and(|s| s.len() == 4),
        "sample rows kept with the alert: {}",
        found[0]
    );

    // The queue's filters and one alert with its history.
    let id = found[0]["id"].as_str().unwrap().to_owned();
    let detail = curl(&format!("{base}/api/v1/alerts/{id}"));
    assert_eq!(detail["alert"]["rule_id"], "local.root_failures");
    assert_eq!(detail["history"][0]["action"], "created", "{detail}");
    let page = curl(&format!(
        "{base}/api/v1/alerts?rule=local.root_failures&status=new,acknowledged&severity=high&tenant=sakuragaoka"
    ));
    assert_eq!(
        (
            page["total"].as_u64(),
            page["alerts"].as_array().map(Vec::len)
        ),
        (Some(1), Some(1))
    );
    let none = curl(&format!(
        "{base}/api/v1/alerts?rule=local.root_failures&status=resolved"
    ));
    assert_eq!(none["total"], 0);
    assert_eq!(
        get_status(&format!("{base}/api/v1/alerts?severity=urgent")).0,
        400
    );
    let (code, body) = get_status(&format!("{base}/api/v1/alerts?since=yesterday"));
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("RFC 3339"), "{body}");
    assert_eq!(get_status(&format!("{base}/api/v1/alerts/0123abcd")).0, 404);
    drop(server);

    // Restarted: the same incident is not raised again.
    let server = serve(dir.path(), &config, &[]);
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(alerts_for(&server.base_url, "local.root_failures").len(), 1);
}

#[test]
fn a_broken_local_pack_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let rules_dir = dir.path().join("rules");
    std::fs::create_dir_all(&rules_dir).unwrap();
    std::fs::write(
        rules_dir.join("mine.toml"),
        PROBE_PACK.replace("{min_failures}", "{min_failure}"),
    )
    .unwrap();
    let config = dir.path().join("bannin.toml");
    std::fs::write(
        &config,
        format!("[rules]\ndir = {:?}\n", rules_dir.display().to_string()),
    )
    .unwrap();
    let err = failed(bannin(
        dir.path(),
        &["--config", config.to_str().unwrap(), "rules", "list"],
    ));
    assert!(
        err.contains("local.root_failures") && err.contains("{min_failure}"),
        "{err}"
    );

    // A backtest that fails makes `rules test` fail, naming the case.
    let wrong = dir.path().join("wrong.toml");
    std::fs::write(
        &wrong,
        format!(
            "{}\n[[rules.tests]]\nname = \"expects too much\"\nnow = \"2026-11-20T10:30:00+09:00\"\nexpect = 1\n\
             [[rules.tests.logs]]\nlines = \"Nov 20 10:21:00 lg-file01 sshd[1]: Failed password for root from 10.30.5.77 port 1 ssh2\"\n",
            PROBE_PACK.replace("local.root_failures", "local.wrong")
        ),
    )
    .unwrap();
    let out = bannin(
        dir.path(),
        &[
            "rules",
            "test",
            "--rule",
            "local.wrong",
            wrong.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    failed(out);
    assert!(
        stdout.contains("FAIL local.wrong / expects too much: expected 1 alert(s), got 0"),
        "{stdout}"
    );
}
