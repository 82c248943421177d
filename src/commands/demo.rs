//! `bannin demo`: the first thing a newcomer runs. Generates one day of a
//! small municipality's logs (syslog, auth.log, mail, both proxies, the
//! firewall, Microsoft 365) with one injected case per first-wave rule and
//! benign look-alikes, writes the registers and a configuration that match
//! it, imports it into a fresh demo directory, runs the rules, shows which
//! cases were caught, and serves the result. No configuration, no network
//! beyond the local listener.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bannin_benches::municipality::{
    BULK_SENDER, BUSINESS_HOURS, LGWAN_PROXY_SOURCE, LOCAL_DOMAINS, PRIVILEGED_ACCOUNTS,
};
use bannin_benches::{DayOptions, GeneratedDay, municipality_day, register_files};
use bannin_ingest::ImportOptions;
use bannin_rules::{Alert, AlertStore};
use chrono::{Days, Utc};
use serde_json::{Map, Value};

use crate::cli::DemoArgs;
use crate::commands::{ingest, rules, serve};
use crate::config::{Config, DataDir};

/// Marks a directory as made by `bannin demo`, so only such a directory is
/// ever emptied.
const MARKER: &str = ".bannin-demo";
const TENANT: &str = bannin_benches::municipality::TENANT;
const SEED: u64 = 20_261_122;
const CONFIG_FILE: &str = "bannin.toml";

/// One generated log file: its name under `input/`, the source it is
/// imported as, and its lines.
struct Feed<'a> {
    file: &'static str,
    source: &'static str,
    lines: &'a [String],
}

fn feeds(day: &GeneratedDay) -> [Feed<'_>; 7] {
    fn feed<'a>(file: &'static str, source: &'static str, lines: &'a [String]) -> Feed<'a> {
        Feed {
            file,
            source,
            lines,
        }
    }
    [
        feed("syslog.log", "syslog", &day.syslog_lines),
        feed("auth.log", "auth.log", &day.auth_log_lines),
        feed("maillog", "lg-mail01", &day.mail_log_lines),
        feed("inet-proxy01-access.log", "inet-proxy01", &day.proxy_lines),
        feed(
            "lg-proxy01-access.log",
            LGWAN_PROXY_SOURCE,
            &day.lgwan_proxy_lines,
        ),
        feed("fortigate.log", "inet-fw01", &day.firewall_lines),
        feed("m365-audit.jsonl", "m365", &day.cloud_lines),
    ]
}

pub async fn run(config: &Config, args: &DemoArgs) -> Result<()> {
    let dir = &args.dir;
    fresh_dir(dir)?;
    let data = DataDir::new(dir.join("data"));
    let inputs = dir.join("input");
    std::fs::create_dir_all(&inputs)
        .with_context(|| format!("cannot create {}", inputs.display()))?;

    // The last working day before today (a holiday would make the
    // administrators' daytime work off-hours).
    let today_jst = (Utc::now() + chrono::Duration::hours(9)).date_naive();
    let calendar = config.query.calendar()?;
    let mut date = today_jst;
    for back in 1..=10 {
        date = today_jst
            .checked_sub_days(Days::new(back))
            .unwrap_or(today_jst);
        if calendar.day_kind(date).is_working() {
            break;
        }
    }
    let day = municipality_day(&DayOptions { date, seed: SEED });
    let config = demo_config(config, dir, date)?;
    let mut counts = Vec::new();
    let mut files = Vec::new();
    for feed in feeds(&day) {
        files.push((
            write_lines(&inputs.join(feed.file), feed.lines)?,
            feed.source,
        ));
        counts.push(format!("{} {}", feed.lines.len(), feed.file));
    }
    say!(
        "generated {} lines for {TENANT} (桜ヶ丘市), {date} JST",
        counts.join(", ")
    );

    // The generated logs are in JST whatever the configuration says.
    for (file, source) in files {
        let options = ImportOptions {
            tenant: TENANT.to_owned(),
            source: Some(source.to_owned()),
            offset: bannin_parsers::context::jst(),
            ..config.ingest.import_options(bannin_ingest::Format::Auto)?
        };
        ingest::import(&data, options, &[file])?;
    }
    let day_start =
        date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - chrono::Duration::hours(9);
    // Evaluated as at the end of that day.
    let window = bannin_rules::params::Window {
        start: day_start,
        end: day_start + chrono::Duration::days(1),
    };
    let reports = rules::run_window(&config, &data, &config.rules.load()?, window).await?;
    let alerts: usize = reports.iter().map(|r| r.new + r.updated).sum();
    say!("rules raised {alerts} alert(s)");
    let stored = AlertStore::open(&data.alerts())?.list(&bannin_rules::AlertFilter::default())?;
    print_summary(&day, &stored);

    if args.no_serve {
        print_next_steps(&data, dir, None);
        return Ok(());
    }
    let addr = args
        .listen_http
        .as_deref()
        .unwrap_or(&config.serve.listen_http);
    let listener = serve::bind(addr).await?;
    let url = format!("http://{}", listener.local_addr()?);
    print_next_steps(&data, dir, Some(&url));
    let query = crate::query_access::QueryAccess::new(&config, &data, None)?;
    let gate = crate::auth::Gate::new(query.auth());
    let state = crate::api::AppState::new(
        data,
        query,
        gate,
        None,
        Vec::new(),
        config.ingest.max_line_bytes,
    )
    .with_rules(&config)?;
    serve::serve(listener, state).await
}

/// Creates `dir`, or empties it if an earlier demo made it.
fn fresh_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        if !dir.join(MARKER).exists() {
            bail!(
                "{} exists and was not made by `bannin demo`; choose another --dir",
                dir.display()
            );
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot empty {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(dir.join(MARKER), "made by `bannin demo`; safe to delete\n")
        .with_context(|| format!("cannot write to {}", dir.display()))
}

fn write_lines(path: &Path, lines: &[String]) -> Result<PathBuf> {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path.to_path_buf())
}

/// Writes the registers and the demo's configuration file, and returns the
/// configuration the demo runs with: `config` with the same changes.
fn demo_config(config: &Config, dir: &Path, date: chrono::NaiveDate) -> Result<Config> {
    let registers = dir.join("registers");
    std::fs::create_dir_all(&registers)
        .with_context(|| format!("cannot create {}", registers.display()))?;
    for file in register_files(date) {
        let path = registers.join(file.name);
        std::fs::write(&path, file.text)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let registers = registers.display().to_string();
    let toml = format!(
        "# Written by `bannin demo` for the generated day of 桜ヶ丘市.\n\
         [ingest]\ntenant = {tenant}\nlocal_domains = {LOCAL_DOMAINS:?}\n\
         privileged_accounts = {PRIVILEGED_ACCOUNTS:?}\n\n\
         [query]\nbusiness_hours = {BUSINESS_HOURS:?}\n\n[registers]\ndir = {registers:?}\n\n\
         # The town's newsletter is sent from an approved bulk sender.\n\
         [rules.params.\"mail.outbound_burst\"]\nbulk_senders = {BULK_SENDER:?}\n\n\
         # Both proxies log every few seconds in working hours: silence longer\n\
         # than 15 minutes is ログ収集途絶.\n\
         [[sources]]\nname = {LGWAN_PROXY_SOURCE:?}\ntenant = {tenant}\nsegment = \"lgwan\"\n\
         expected_interval = \"15m\"\n\n\
         [[sources]]\nname = \"inet-proxy01\"\ntenant = {tenant}\nsegment = \"internet\"\n\
         expected_interval = \"15m\"\n",
        tenant = quoted(TENANT),
    );
    let path = dir.join(CONFIG_FILE);
    std::fs::write(&path, toml).with_context(|| format!("cannot write {}", path.display()))?;
    // The demo runs as `bannin --config <dir>/bannin.toml` would, serving
    // where the caller's configuration says.
    let mut demo = Config::load(Some(&path))?;
    demo.serve = config.serve.clone();
    Ok(demo)
}

fn quoted(text: &str) -> String {
    format!("{text:?}")
}

/// Per injected case whether an alert of its rule carries its key (✓/✗),
/// and how many alerts fell on look-alikes or on nothing injected.
fn print_summary(day: &GeneratedDay, alerts: &[Alert]) {
    say!("\ninjected cases (注入した事例):");
    let mut explained = vec![false; alerts.len()];
    for case in &day.injected {
        let hits: Vec<usize> = (0..alerts.len())
            .filter(|&i| {
                alerts
                    .get(i)
                    .is_some_and(|a| a.rule_id == case.rule_id && carries(a, case.key.values()))
            })
            .collect();
        for &i in &hits {
            if let Some(slot) = explained.get_mut(i) {
                *slot = true;
            }
        }
        let mark = if hits.len() == 1 { "✓" } else { "✗" };
        let note = match hits.len() {
            1 => String::new(),
            n => format!(" ({n} alerts)"),
        };
        say!("  {mark} {:<31} {}{note}", case.rule_id, case.what);
    }
    let on_look_alikes = alerts
        .iter()
        .filter(|a| {
            day.look_alikes
                .iter()
                .any(|l| l.rule_id == a.rule_id && carries(a, l.key.values()))
        })
        .count();
    say!(
        "look-alikes (誤検知してはならない正常な操作): {} checked, {on_look_alikes} alert(s)",
        day.look_alikes.len()
    );
    let other = explained.iter().filter(|e| !**e).count();
    say!("other alerts (注入事例以外): {other}");
}

/// Whether every value appears in the alert's group key or evidence, as a
/// whole value or as one item of a comma-separated list.
fn carries<'a>(alert: &Alert, mut values: impl Iterator<Item = &'a String>) -> bool {
    values.all(|v| has_value(&alert.key, v) || has_value(&alert.evidence, v))
}

fn has_value(map: &Map<String, Value>, wanted: &str) -> bool {
    map.values().any(|value| match value {
        Value::String(s) => s == wanted || s.split(',').any(|item| item.trim() == wanted),
        Value::Number(n) => n.to_string() == wanted,
        _ => false,
    })
}

/// An admin token over every tenant for the person trying the demo.
fn demo_token(data: &DataDir) -> Result<String> {
    let store = crate::auth::AuthStore::open(&data.auth())?;
    let made = store.create_token(
        "demo-admin",
        crate::auth::Role::Admin,
        &crate::auth::Scope::AllTenants,
        "bannin demo",
        chrono::Utc::now(),
    )?;
    Ok(made.token)
}

fn print_next_steps(data: &DataDir, dir: &Path, url: Option<&str>) {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|exe| {
            let cwd = std::env::current_dir().ok()?;
            exe.strip_prefix(&cwd)
                .ok()
                .map(|p| format!("./{}", p.display()))
        })
        .unwrap_or_else(|| "bannin".to_owned());
    let data_dir = data.root().display();
    let config = dir.join(CONFIG_FILE);
    let config = config.display();
    say!();
    if let Some(url) = url {
        match demo_token(data) {
            Ok(token) => say!(
                "  admin token:  export BANNIN_TOKEN={token}\n                (shown once; `{exe} --data-dir {data_dir} token create` makes more)"
            ),
            Err(e) => say!("  admin token:  cannot be made: {e:#}"),
        }
        say!("  web console:  {url}/");
        say!(
            "  alerts API:   curl -s -H \"Authorization: Bearer $BANNIN_TOKEN\" {url}/api/v1/alerts"
        );
        say!(
            "  live stream:  curl -sN -H \"Authorization: Bearer $BANNIN_TOKEN\" {url}/api/v1/alerts/stream?after=0"
        );
        say!(
            "  acknowledge:  curl -s -X POST -H \"Authorization: Bearer $BANNIN_TOKEN\" {url}/api/v1/alerts/ALERT_ID/ack"
        );
    }
    say!(
        "  ad-hoc SQL:   {exe} --data-dir {data_dir} sql \"SELECT host, \\\"user\\\", src_ip, count(*) AS failures FROM auth WHERE outcome = 'failure' GROUP BY 1, 2, 3 ORDER BY failures DESC LIMIT 10\""
    );
    say!(
        "  web traffic:  {exe} --data-dir {data_dir} sql \"SELECT url_host, count(*) AS requests FROM proxy GROUP BY 1 ORDER BY 2 DESC LIMIT 10\""
    );
    say!(
        "  mail:         {exe} --data-dir {data_dir} sql \"SELECT sender, count(*) AS messages FROM mail WHERE direction = 'outbound' GROUP BY 1 ORDER BY 2 DESC LIMIT 5\""
    );
    say!("  re-run rules: {exe} --config {config} --data-dir {data_dir} rules run");
    if url.is_some() {
        say!("\nPress Ctrl-C to stop.");
    }
}
