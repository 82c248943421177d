//! What the end-to-end tests share: running the built binary, a server
//! child process, SQL over its data dir, and real peers (curl, logger,
//! openssl).
#![allow(dead_code)] // each test binary uses its own share of these

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_bannin");

pub fn bannin(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("BANNIN_CONFIG")
        .output()
        .expect("run bannin")
}

pub fn ok(output: Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "bannin failed: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    String::from_utf8(output.stdout).expect("utf-8 stdout")
}

pub fn failed(output: Output) -> String {
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

/// The admin token of each running test server, by base URL: the HTTP
/// helpers below send it to URLs under that base, as an operator's script
/// would (tests run in parallel, each with its own server and token).
static TOKENS: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

/// `bannin token create` over `data_dir`: the token printed.
pub fn token(data_dir: &Path, role: &str, tenant: Option<&str>) -> String {
    let mut args = vec!["token", "create", "--role", role];
    match tenant {
        Some(t) => args.extend(["--tenant", t]),
        None => args.push("--all-tenants"),
    }
    let out = ok(bannin(data_dir, &args));
    let token = out.trim().to_owned();
    assert!(token.starts_with("bnn_"), "a token: {out}");
    token
}

/// The token registered for the server `url` belongs to.
pub fn token_for(url: &str) -> Option<String> {
    let tokens = TOKENS.lock().unwrap_or_else(|p| p.into_inner());
    tokens
        .iter()
        .find(|(base, _)| url.starts_with(base.as_str()))
        .map(|(_, token)| token.clone())
}

/// `-H "Authorization: Bearer …"` for `url`, if its server has a token.
pub fn auth_header(url: &str) -> Vec<String> {
    token_for(url)
        .map(|t| vec!["-H".to_owned(), format!("Authorization: Bearer {t}")])
        .unwrap_or_default()
}

pub fn curl(url: &str) -> Value {
    let output = Command::new("curl")
        .args(["-sS", "--fail", "--max-time", "10"])
        .args(auth_header(url))
        .arg(url)
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
pub struct Server {
    pub child: Child,
    pub base_url: String,
    /// Its admin token.
    pub token: Option<String>,
    /// What it printed up to and including the URL line.
    pub announced: String,
}

impl Server {
    /// Starts bannin with `args` and waits for the line announcing the URL.
    pub fn start(args: &[&str], url_marker: &str) -> Server {
        // A server over a data dir gets an admin token first (the demo
        // prints its own).
        let data_dir = args
            .iter()
            .position(|a| *a == "--data-dir")
            .and_then(|i| args.get(i + 1));
        let token = data_dir.map(|d| token(Path::new(d), "admin", None));
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
                let token = token.or_else(|| {
                    seen.split_whitespace()
                        .find_map(|w| w.find("bnn_").map(|at| w[at..].to_owned()))
                });
                if let Some(token) = &token {
                    TOKENS
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((base_url.to_owned(), token.clone()));
                }
                return Server {
                    token,
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

/// `bannin sql --format FORMAT QUERY`, which must succeed.
pub fn sql(data: &Path, format: &str, query: &str) -> String {
    ok(bannin(data, &["sql", "--format", format, query]))
}

pub fn count(data: &Path, table: &str) -> u64 {
    let out = sql(data, "json", &format!("SELECT count(*) AS n FROM {table}"));
    let row: Value = serde_json::from_str(out.trim()).expect("one NDJSON row");
    row["n"].as_u64().expect("count")
}

/// Rows of `table` in the lake's committed files, as the manifest lists
/// them (`bannin sql` also shows rows still only in the WAL).
pub fn committed(data: &Path, table: &str) -> u64 {
    let lake = data.join("lake");
    if !lake.join("manifest.jsonl").exists() {
        return 0;
    }
    bannin_ingest::manifest::live_set(&lake)
        .unwrap()
        .live
        .values()
        .filter(|f| f.table == table)
        .map(|f| f.rows)
        .sum()
}

/// Waits until `table` has `n` committed rows or `secs` pass; returns the
/// last count.
pub fn wait_committed(data: &Path, table: &str, n: u64, secs: u64) -> u64 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        let got = committed(data, table);
        if got >= n || std::time::Instant::now() >= deadline {
            return got;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

pub fn walk_files(dir: &Path) -> Vec<std::path::PathBuf> {
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
pub fn announced_port(server: &Server, scheme: &str) -> String {
    let line = server
        .announced
        .lines()
        .find(|l| l.contains(&format!("{scheme}://")))
        .unwrap_or_else(|| panic!("no {scheme} listener in {}", server.announced));
    line.rsplit(':').next().unwrap().trim().to_owned()
}

/// Sends each line of `lines` as one syslog message with util-linux logger.
pub fn logger(args: &[&str], lines: &str) {
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

/// `curl` POSTing `body` to `url` with extra `headers`: (status, body).
pub fn post(url: &str, headers: &[&str], body: &[u8]) -> (u16, Value) {
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
    let auth = auth_header(url);
    args.extend(auth.iter().map(String::as_str));
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

/// A CA, a server certificate for localhost / 127.0.0.1, and a client
/// certificate, made with the openssl CLI in `dir`.
pub fn make_certificates(dir: &Path) {
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

/// A TCP port free on 127.0.0.1 at the moment of asking.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real rsyslogd in the foreground that tails `lines` (written to a file
/// of its own, tagged `tag`) and forwards them with `action`; `global` is
/// added to its global() settings. Killed when dropped.
pub struct Rsyslog {
    child: Child,
}

impl Rsyslog {
    pub fn start(dir: &Path, lines: &str, tag: &str, global: &str, action: &str) -> Rsyslog {
        let work = dir.join("rsyslog");
        std::fs::create_dir_all(&work).unwrap();
        let input = work.join("app.log");
        std::fs::write(&input, lines).unwrap();
        let conf = work.join("rsyslog.conf");
        std::fs::write(
            &conf,
            format!(
                "global(workDirectory=\"{work}\" {global})\n\
                 module(load=\"imfile\")\nmodule(load=\"omrelp\")\n\
                 input(type=\"imfile\" File=\"{input}\" Tag=\"{tag}:\" freshStartTail=\"off\")\n\
                 {action}\n",
                work = work.display(),
                input = input.display(),
            ),
        )
        .unwrap();
        let child = Command::new("rsyslogd")
            .args(["-n", "-f"])
            .arg(&conf)
            .arg("-i")
            .arg(work.join("rsyslogd.pid"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rsyslogd (with rsyslog-relp and rsyslog-gnutls) is installed (see .ci/run)");
        Rsyslog { child }
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `query` (one count named `n`) until it reaches `n` or `secs`
/// pass; returns the last value.
pub fn wait_for(data: &Path, query: &str, n: u64, secs: u64) -> u64 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        let out = sql(data, "json", query);
        let got = serde_json::from_str::<Value>(out.trim()).expect("one NDJSON row")["n"]
            .as_u64()
            .expect("count");
        if got >= n || std::time::Instant::now() >= deadline {
            return got;
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
}

/// `bannin serve` on `<dir>/data` with the configuration `config` (TOML
/// text, written to `<dir>/bannin.toml`), HTTP on a free port, and `flags`.
pub fn serve(dir: &Path, config: &str, flags: &[&str]) -> Server {
    let path = dir.join("bannin.toml");
    std::fs::write(&path, config).unwrap();
    let data = dir.join("data");
    let mut args = vec![
        "--data-dir",
        data.to_str().unwrap(),
        "--config",
        path.to_str().unwrap(),
        "serve",
        "--listen-http",
        "127.0.0.1:0",
    ];
    args.extend_from_slice(flags);
    Server::start(&args, "listening on ")
}

/// Runs syslog-ng's load generator `loggen` with `args`; returns how many
/// messages it says it sent.
pub fn loggen(args: &[&str]) -> u64 {
    let out = Command::new("loggen")
        .args(args)
        .output()
        .expect("loggen (syslog-ng) is on PATH (see .ci/install-syslog-ng)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "loggen {args:?}:\n{text}");
    // The summary: "average rate = … msg/sec, count=N, time=…".
    text.lines()
        .filter_map(|l| l.split("count=").nth(1))
        .filter_map(|rest| rest.split(',').next()?.trim().parse().ok())
        .next_back()
        .unwrap_or_else(|| panic!("no count in loggen's output:\n{text}"))
}
