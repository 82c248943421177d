//! `bannin ingest` as a back-fill: directories, a run killed with
//! `kill -9` and run again, and `--follow` across appends, rotation and
//! copytruncate — every line in the lake exactly once.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// `n` distinct auth.log lines (each lands in `auth`), numbered from
/// `first`.
fn auth_lines(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| {
            format!(
                "Nov 22 {:02}:{:02}:{:02} lg-file01 sshd[{i}]: Accepted password for user{} from 10.20.{}.{} port {} ssh2\n",
                (i / 3600) % 24,
                (i / 60) % 60,
                i % 60,
                i % 500,
                (i / 250) % 250,
                i % 250,
                40000 + i % 20000
            )
        })
        .collect()
}

fn append(path: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

/// Rows in `auth`, and how many distinct lines they hold.
fn auth_rows(data: &Path) -> (u64, u64) {
    let out = sql(
        data,
        "json",
        "SELECT count(*) AS n, count(DISTINCT raw) AS d FROM auth",
    );
    let row: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    (row["n"].as_u64().unwrap(), row["d"].as_u64().unwrap())
}

fn verified(data: &Path) {
    let out = ok(bannin(data, &["verify"]));
    assert!(out.contains("ok"), "{out}");
}

/// `bannin --config <dir>/bannin.toml ARGS…` started in the background.
fn spawn(dir: &Path, config: &str, args: &[&str]) -> Child {
    let path = dir.join("bannin.toml");
    std::fs::write(&path, config).unwrap();
    Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--config")
        .arg(&path)
        .args(args)
        .env_remove("BANNIN_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Lines of the lake's manifest.
fn manifest_lines(data: &Path) -> usize {
    std::fs::read_to_string(data.join("lake/manifest.jsonl"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[test]
fn a_killed_backfill_resumes_and_keeps_every_line_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let input = dir.path().join("auth.log");
    let total = 200_000;
    std::fs::write(&input, auth_lines(0, total)).unwrap();
    let config = "[ingest]\nflush_rows = 5000\n";

    let mut child = spawn(dir.path(), config, &["ingest", input.to_str().unwrap()]);
    let deadline = Instant::now() + Duration::from_secs(120);
    while manifest_lines(&data) < 1 {
        assert!(Instant::now() < deadline, "no commit within two minutes");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before it could be killed: make the input bigger"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let (partial, _) = auth_rows(&data);
    eprintln!("killed with {partial} of {total} rows committed");
    assert!(
        partial < total as u64,
        "killed after everything was committed"
    );

    let path = dir.path().join("bannin.toml");
    let out = ok(bannin(
        &data,
        &[
            "--config",
            path.to_str().unwrap(),
            "ingest",
            input.to_str().unwrap(),
        ],
    ));
    if partial > 0 {
        assert!(out.contains("(resumed at byte "), "{out}");
    }
    assert_eq!(auth_rows(&data), (total as u64, total as u64));
    verified(&data);

    let out = ok(bannin(&data, &["ingest", input.to_str().unwrap()]));
    assert!(out.contains("already imported"), "{out}");
    assert_eq!(auth_rows(&data).0, total as u64);
}

#[test]
fn directories_are_read_recursively_and_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(logs.join("b")).unwrap();
    std::fs::create_dir_all(logs.join(".snapshot")).unwrap();
    std::fs::write(logs.join("b/auth.log"), auth_lines(0, 30)).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(auth_lines(30, 20).as_bytes()).unwrap();
    std::fs::write(logs.join("auth.log.1.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(logs.join(".snapshot/auth.log"), auth_lines(0, 30)).unwrap();
    std::fs::write(logs.join(".auth.log.swp"), "not a log\n").unwrap();

    let out = ok(bannin(&data, &["ingest", logs.to_str().unwrap()]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "two files and the total: {out}");
    assert!(lines[0].contains("auth.log.1.gz: 20 lines"), "{out}");
    assert!(lines[1].contains("b/auth.log: 30 lines"), "{out}");
    assert_eq!(auth_rows(&data), (50, 50));

    append(&logs.join("b/auth.log"), &auth_lines(50, 5));
    let out = ok(bannin(&data, &["ingest", logs.to_str().unwrap()]));
    assert!(out.contains("auth.log.1.gz: already imported"), "{out}");
    assert!(out.contains("b/auth.log: 5 lines"), "{out}");
    assert_eq!(auth_rows(&data), (55, 55));
    verified(&data);
}

/// Waits until `auth` holds `n` rows (or 30 s pass); returns the count.
fn wait_auth(data: &Path, n: u64) -> u64 {
    wait_for(data, "SELECT count(*) AS n FROM auth", n, 30)
}

fn terminate(child: Child) -> String {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn follow_reads_appends_rotations_and_truncations_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("app.log");
    let later = dir.path().join("later.log");
    let config = "[ingest]\nflush_seconds = 1\n";
    let args = [
        "ingest",
        "--follow",
        log.to_str().unwrap(),
        later.to_str().unwrap(),
    ];
    std::fs::write(&log, auth_lines(0, 100)).unwrap();
    let child = spawn(dir.path(), config, &args);
    assert_eq!(wait_auth(&data, 100), 100);

    // Appends, the last line first without its newline: it waits.
    let next = auth_lines(100, 50);
    let (head, tail) = next.split_at(next.len() - 20);
    append(&log, head);
    assert_eq!(wait_auth(&data, 149), 149);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(auth_rows(&data).0, 149, "a half-written line was imported");
    append(&log, tail);
    assert_eq!(wait_auth(&data, 150), 150);

    // Rotation by rename: lines still written to the old file before the
    // new one appears are read too.
    let rotated = dir.path().join("app.log.1");
    std::fs::rename(&log, &rotated).unwrap();
    append(&rotated, &auth_lines(150, 10));
    std::thread::sleep(Duration::from_millis(600));
    std::fs::write(&log, auth_lines(160, 30)).unwrap();
    assert_eq!(wait_auth(&data, 190), 190);

    // copytruncate: copied away, truncated in place, written again.
    std::fs::copy(&log, dir.path().join("app.log.2")).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&log)
        .unwrap();
    append(&log, &auth_lines(190, 20));
    assert_eq!(wait_auth(&data, 210), 210);

    // A file that appears later.
    std::fs::write(&later, auth_lines(210, 5)).unwrap();
    assert_eq!(wait_auth(&data, 215), 215);

    let out = terminate(child);
    assert!(out.contains("total: "), "{out}");
    assert_eq!(auth_rows(&data), (215, 215));

    // Stopped, appended to, started again: it resumes exactly.
    append(&log, &auth_lines(215, 7));
    let child = spawn(dir.path(), config, &args);
    assert_eq!(wait_auth(&data, 222), 222);
    std::thread::sleep(Duration::from_millis(1500));
    terminate(child);
    assert_eq!(auth_rows(&data), (222, 222));
    verified(&data);
}
