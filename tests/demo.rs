//! `bannin demo` end to end: the real binary generates the day, imports it
//! with its own registers and configuration, runs the rules and reports
//! which injected cases were caught.

mod common;

use std::path::Path;
use std::process::Command;

use bannin_benches::municipality::FIRST_WAVE_RULES as FIRST_WAVE;
use common::*;

fn demo(dir: &Path) -> String {
    ok(Command::new(BIN)
        .args(["demo", "--no-serve", "--dir", dir.to_str().unwrap()])
        .output()
        .unwrap())
}

/// The summary line of an injected case: `  ✓ rule.id  what`.
fn case_line<'a>(out: &'a str, rule_id: &str) -> &'a str {
    out.lines()
        .find(|l| {
            let mut words = l.split_whitespace();
            matches!(words.next(), Some("✓" | "✗")) && words.next() == Some(rule_id)
        })
        .unwrap_or_else(|| panic!("no summary line for {rule_id}:\n{out}"))
}

#[test]
fn demo_writes_matching_registers_and_config_and_lists_every_case() {
    let dir = tempfile::tempdir().unwrap();
    let demo_dir = dir.path().join("demo");
    let out = demo(&demo_dir);
    for rule_id in FIRST_WAVE {
        case_line(&out, rule_id);
    }
    // The written configuration is accepted and brings the registers along.
    let config = demo_dir.join("bannin.toml");
    let data = demo_dir.join("data");
    let rows = ok(Command::new(BIN)
        .args([
            "--config",
            config.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ])
        .args([
            "sql",
            "--format",
            "csv",
            "SELECT account FROM privileged_accounts ORDER BY account",
        ])
        .output()
        .unwrap());
    assert_eq!(
        rows.lines().collect::<Vec<_>>(),
        [
            "account",
            "admin@sakuragaoka-city.onmicrosoft.com",
            "opsadmin",
            "root",
            "svadmin"
        ]
    );
    // Mail got its direction from the demo's local domain.
    let outbound = sql(
        &data,
        "csv",
        "SELECT count(*) AS n FROM mail WHERE direction = 'outbound'",
    );
    let n: u64 = outbound.lines().nth(1).unwrap().parse().unwrap();
    assert!(n > 560, "{outbound}");
    // The silent proxy is a source of its own.
    let last = sql(
        &data,
        "csv",
        "SELECT count(*) AS n FROM proxy WHERE source = 'lg-proxy01'",
    );
    assert!(last.lines().nth(1).unwrap() != "0", "{last}");
}

#[test]
fn demo_catches_every_injected_case_and_no_look_alike() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo(&dir.path().join("demo"));
    for rule_id in FIRST_WAVE {
        let line = case_line(&out, rule_id);
        assert!(line.trim_start().starts_with('✓'), "{line}\n{out}");
    }
    let look_alikes = out
        .lines()
        .find(|l| l.starts_with("look-alikes"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(look_alikes.ends_with(" 0 alert(s)"), "{look_alikes}");
}
