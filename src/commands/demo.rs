//! `bannin demo`: the first thing a newcomer runs. Generates one day of a
//! small municipality's logs with an injected privileged brute force,
//! imports it into a fresh demo data directory, runs the rules and serves
//! the result. No configuration, no network beyond the local listener.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bannin_benches::{DayOptions, municipality_day};
use bannin_ingest::ImportOptions;
use chrono::{Days, Utc};

use crate::cli::DemoArgs;
use crate::commands::{ingest, rules, serve};
use crate::config::{Config, DataDir};

/// Marks a directory as made by `bannin demo`, so only such a directory is
/// ever emptied.
const MARKER: &str = ".bannin-demo";
const TENANT: &str = "sakuragaoka";
const SEED: u64 = 20_261_122;

pub async fn run(config: &Config, args: &DemoArgs) -> Result<()> {
    let dir = &args.dir;
    fresh_dir(dir)?;
    let data = DataDir::new(dir.join("data"));
    let inputs = dir.join("input");
    std::fs::create_dir_all(&inputs)
        .with_context(|| format!("cannot create {}", inputs.display()))?;

    let today_jst = (Utc::now() + chrono::Duration::hours(9)).date_naive();
    let date = today_jst
        .checked_sub_days(Days::new(1))
        .unwrap_or(today_jst);
    let day = municipality_day(&DayOptions { date, seed: SEED });
    let files = [
        write_lines(&inputs.join("syslog.log"), &day.syslog_lines)?,
        write_lines(&inputs.join("auth.log"), &day.auth_log_lines)?,
        write_lines(&inputs.join("proxy-access.log"), &day.proxy_lines)?,
        write_lines(&inputs.join("fortigate.log"), &day.firewall_lines)?,
    ];
    say!(
        "generated {} syslog, {} auth.log, {} proxy and {} firewall lines for {TENANT} (桜ヶ丘市), {date} JST",
        day.syslog_lines.len(),
        day.auth_log_lines.len(),
        day.proxy_lines.len(),
        day.firewall_lines.len()
    );

    // The generated logs are in JST whatever the configuration says.
    let options = ImportOptions {
        tenant: TENANT.to_owned(),
        offset: bannin_parsers::context::jst(),
        ..config.ingest.import_options(bannin_ingest::Format::Auto)?
    };
    ingest::import(&data, options, &files)?;
    let day_start =
        date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - chrono::Duration::hours(9);
    let window = bannin_rules::params::Window {
        start: day_start,
        end: Utc::now(),
    };
    let reports = rules::run_window(config, &data, &config.rules.load()?, window).await?;
    let alerts: usize = reports.iter().map(|r| r.new + r.updated).sum();
    say!(
        "rules raised {alerts} alert(s); injected: {} failed root logins on {} from {}",
        day.brute_force.failures,
        day.brute_force.host,
        day.brute_force.src_ip
    );

    if args.no_serve {
        print_next_steps(&data, None);
        return Ok(());
    }
    let addr = args
        .listen_http
        .as_deref()
        .unwrap_or(&config.serve.listen_http);
    let listener = serve::bind(addr).await?;
    let url = format!("http://{}", listener.local_addr()?);
    print_next_steps(&data, Some(&url));
    let query = crate::query_access::QueryAccess::new(config, &data, None)?;
    let state = crate::api::AppState {
        data,
        query,
        endpoints: std::sync::Arc::new(Vec::new()),
        pipeline: None,
        max_record_bytes: config.ingest.max_line_bytes,
    };
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

fn print_next_steps(data: &DataDir, url: Option<&str>) {
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
    say!();
    if let Some(url) = url {
        say!("  web console:  {url}/");
        say!("  alerts API:   curl -s {url}/api/v1/alerts");
    }
    say!(
        "  ad-hoc SQL:   {exe} --data-dir {data_dir} sql \"SELECT host, \\\"user\\\", src_ip, count(*) AS failures FROM auth WHERE outcome = 'failure' GROUP BY 1, 2, 3 ORDER BY failures DESC LIMIT 10\""
    );
    say!(
        "  web traffic:  {exe} --data-dir {data_dir} sql \"SELECT url_host, count(*) AS requests FROM proxy GROUP BY 1 ORDER BY 2 DESC LIMIT 10\""
    );
    say!("  re-run rules: {exe} --data-dir {data_dir} rules run");
    if url.is_some() {
        say!("\nPress Ctrl-C to stop.");
    }
}
