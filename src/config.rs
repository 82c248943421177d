//! Configuration: TOML with an embedded default, so no file is required.
//! A user file only needs the keys it changes; they are merged over the
//! default table by table.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bannin_ingest::decode::Charset;
use bannin_ingest::sources::{Listener, Source, Sources, parse_sender};
use bannin_ingest::{Format, ImportOptions};
use chrono::FixedOffset;
use serde::Deserialize;

/// The built-in configuration (`config/default.toml`).
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub ingest: IngestConfig,
    pub serve: ServeConfig,
    pub lake: LakeConfig,
    pub registers: RegistersConfig,
    pub query: QueryConfig,
    pub rules: RulesConfig,
    /// Days to keep each table's partitions (`[retention]`); a table not
    /// listed is kept forever.
    #[serde(default)]
    pub retention: std::collections::BTreeMap<String, u32>,
    /// Appliances by listener and sender address (`[[sources]]`).
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
    /// Alert notifications (`[notify]`, docs/notifications.md).
    #[serde(default)]
    pub notify: crate::notify::NotifyConfig,
}

/// One `[[sources]]` entry: which records it covers and how to read them;
/// unset keys come from `[ingest]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub name: String,
    /// `syslog-udp`, `syslog-tcp`, `syslog-tls`, `relp` or `http`; any when unset.
    pub listener: Option<String>,
    /// Sender addresses or CIDR networks.
    #[serde(default)]
    pub senders: Vec<String>,
    pub tenant: Option<String>,
    pub format: Option<String>,
    pub timezone: Option<String>,
    pub charset: Option<String>,
    /// `mynumber`, `lgwan` or `internet`.
    pub segment: Option<String>,
    /// How often the source is expected to send (e.g. "15m"); silence
    /// longer than this raises `source.silent` (ログ収集途絶).
    pub expected_interval: Option<bannin_rules::Span>,
}

/// `[rules]`: the municipality's own packs, and rules turned off or tuned
/// for every tenant or for one (docs/rules.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// Directory of extra rule packs (`*.toml`); empty: only the shipped
    /// packs.
    pub dir: String,
    /// Run the rules on their schedules inside `bannin serve`.
    pub schedule: bool,
    #[serde(default)]
    pub disabled: std::collections::BTreeSet<String>,
    #[serde(default)]
    pub params: std::collections::BTreeMap<String, bannin_rules::params::Params>,
    #[serde(default)]
    pub tenants: std::collections::BTreeMap<String, bannin_rules::tuning::TenantTuning>,
}

impl RulesConfig {
    /// The rules to run: shipped and local, checked against the tuning.
    pub fn load(&self) -> Result<Vec<bannin_rules::Rule>> {
        let dir = (!self.dir.trim().is_empty()).then(|| Path::new(&self.dir));
        let rules = bannin_rules::packs::load(dir)
            .with_context(|| format!("rules.dir \"{}\"", self.dir))?;
        self.tuning().check(&rules)?;
        Ok(rules)
    }

    pub fn tuning(&self) -> bannin_rules::Tuning {
        bannin_rules::Tuning {
            disabled: self.disabled.clone(),
            params: self.params.clone(),
            tenants: self.tenants.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestConfig {
    pub tenant: String,
    pub timezone: String,
    pub max_line_bytes: usize,
    pub privileged_accounts: Vec<String>,
    pub charset: String,
    pub local_domains: Vec<String>,
    pub flush_rows: usize,
    pub flush_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    pub listen_http: String,
    pub listen_syslog_udp: String,
    pub listen_syslog_tcp: String,
    /// Bytes of receive queue asked for the UDP socket.
    pub udp_receive_buffer: usize,
    pub listen_syslog_tls: String,
    pub listen_relp: String,
    /// PostgreSQL wire protocol for SQL clients; empty: off.
    pub listen_pg: String,
    pub tls_cert: String,
    pub tls_key: String,
    pub tls_client_ca: String,
}

/// `[lake]`: maintenance of the Parquet lake.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LakeConfig {
    /// Files smaller than this are merged, up to this much per merge (MiB).
    pub compact_target_mib: u64,
    /// How often `bannin serve` runs maintenance (minutes, fractions
    /// allowed; 0: never).
    pub maintenance_minutes: f64,
}

/// `[query]`: limits of every query and the business calendar.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryConfig {
    /// Working hours in JST for `is_business_hours`, `HH:MM-HH:MM`.
    pub business_hours: String,
    /// Whether 12/29–1/3 (年末年始) are closed days.
    pub year_end_closure: bool,
    /// Longest a query may run.
    pub timeout_seconds: u64,
    /// Memory a query may hold (no spilling to disk).
    pub memory_mib: usize,
    /// Rows a result may have; a longer one is cut and marked so.
    pub max_rows: usize,
}

impl QueryConfig {
    pub fn limits(&self) -> bannin_query::QueryLimits {
        bannin_query::QueryLimits {
            timeout: std::time::Duration::from_secs(self.timeout_seconds.max(1)),
            memory_bytes: self.memory_mib.max(1).saturating_mul(1024 * 1024),
            max_rows: self.max_rows.max(1),
        }
    }

    /// The business calendar of `business_hours` and `year_end_closure`.
    pub fn calendar(&self) -> Result<bannin_query::BusinessCalendar> {
        let bad = || {
            format!(
                "business_hours \"{}\" is not HH:MM-HH:MM (e.g. 08:30-17:15)",
                self.business_hours
            )
        };
        let (start, end) = self.business_hours.split_once('-').with_context(bad)?;
        let time = |t: &str| chrono::NaiveTime::parse_from_str(t.trim(), "%H:%M").with_context(bad);
        let hours =
            bannin_query::udf::BusinessHours::new(time(start)?, time(end)?).with_context(bad)?;
        Ok(bannin_query::BusinessCalendar::new(hours).with_year_end_closure(self.year_end_closure))
    }
}

/// `[registers]`: where the municipality's registers (台帳) are.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistersConfig {
    /// Directory of `<register>.csv` files; empty: only the built-in SaaS
    /// catalog (see docs/registers.md).
    pub dir: String,
}

impl Config {
    /// The registers of `[registers] dir` over the built-in SaaS catalog;
    /// warnings (unknown columns or files) are logged.
    pub fn registers(&self) -> Result<bannin_query::registers::Registers> {
        use bannin_query::registers;
        let loaded = if self.registers.dir.is_empty() {
            registers::Registers::builtin()
        } else {
            registers::load_dir(Path::new(&self.registers.dir))
        };
        let loaded = loaded.with_context(|| format!("registers.dir \"{}\"", self.registers.dir))?;
        for warning in &loaded.warnings {
            tracing::warn!(%warning, "registers");
        }
        Ok(loaded)
    }

    /// The `[retention]` table, checked: known table names, at least a day.
    pub fn retention_policy(&self) -> Result<bannin_ingest::retention::Policy> {
        let mut policy = bannin_ingest::retention::Policy::new();
        for (name, days) in &self.retention {
            let Some(table) = bannin_ingest::Table::from_name(name) else {
                let known: Vec<&str> = bannin_ingest::Table::ALL.iter().map(|t| t.name()).collect();
                bail!(
                    "retention.{name}: no such table (tables: {})",
                    known.join(", ")
                );
            };
            if *days == 0 {
                bail!("retention.{name} must be at least 1 day (leave it out to keep forever)");
            }
            policy.insert(table, *days);
        }
        Ok(policy)
    }

    /// The default, with `file` merged over it when given.
    pub fn load(file: Option<&Path>) -> Result<Self> {
        let mut merged: toml::Table =
            toml::from_str(DEFAULT_TOML).context("built-in default configuration is invalid")?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read config file {}", path.display()))?;
            let user: toml::Table = toml::from_str(&text)
                .with_context(|| format!("config file {} is not valid TOML", path.display()))?;
            merge(&mut merged, user);
        }
        let config: Config = toml::Value::Table(merged)
            .try_into()
            .with_context(|| match file {
                Some(path) => format!("config file {}", path.display()),
                None => "built-in default configuration".to_owned(),
            })?;
        config.ingest.offset()?;
        parse_charset(&config.ingest.charset).context("ingest.charset")?;
        config.sources(None)?;
        if !(1..=60).contains(&config.ingest.flush_seconds) {
            bail!("ingest.flush_seconds must be 1 to 60");
        }
        if config.lake.compact_target_mib == 0 {
            bail!("lake.compact_target_mib must be at least 1");
        }
        if !(config.lake.maintenance_minutes >= 0.0 && config.lake.maintenance_minutes.is_finite())
        {
            bail!("lake.maintenance_minutes must be a number of minutes, 0 or more");
        }
        config.retention_policy()?;
        config.rules.load()?;
        config.notify.check()?;
        Ok(config)
    }
}

impl Config {
    /// The configured sources, each with its import options (defaults from
    /// `[ingest]`, the state kept in `state_dir`), checked.
    pub fn sources(&self, state_dir: Option<PathBuf>) -> Result<Sources> {
        let defaults = ImportOptions {
            state_dir: state_dir.clone(),
            ..self.ingest.import_options(Format::Auto)?
        };
        let mut sources = Vec::new();
        for s in &self.sources {
            let what = || format!("[[sources]] `{}`", s.name);
            if s.name.trim().is_empty() {
                bail!("every [[sources]] entry needs a name");
            }
            let listener = s
                .listener
                .as_deref()
                .map(str::parse::<Listener>)
                .transpose()
                .map_err(anyhow::Error::msg)
                .with_context(what)?;
            let senders = s
                .senders
                .iter()
                .map(|t| parse_sender(t))
                .collect::<Result<Vec<_>, _>>()
                .map_err(anyhow::Error::msg)
                .with_context(what)?;
            let mut options = defaults.clone();
            if let Some(tenant) = &s.tenant {
                options.tenant = tenant.clone();
            }
            if let Some(format) = &s.format {
                options.format = format.parse().with_context(what)?;
            }
            if let Some(zone) = &s.timezone {
                options.offset = parse_offset(zone).with_context(what)?;
            }
            if let Some(charset) = &s.charset {
                options.charset = parse_charset(charset).with_context(what)?;
            }
            if let Some(segment) = &s.segment {
                if !["mynumber", "lgwan", "internet"].contains(&segment.as_str()) {
                    bail!("{}: segment must be mynumber, lgwan or internet", what());
                }
                options.segment = Some(segment.clone());
            }
            bannin_ingest::lake::check_name("tenant", &options.tenant).with_context(what)?;
            sources.push(Source {
                name: s.name.clone(),
                listener,
                senders,
                options,
            });
        }
        Ok(Sources::new(sources, defaults))
    }
}

impl IngestConfig {
    /// `timezone` as a UTC offset.
    pub fn offset(&self) -> Result<FixedOffset> {
        parse_offset(&self.timezone).context("ingest.timezone")
    }

    /// Import options from this configuration, for `format`; callers
    /// override what their command line says.
    pub fn import_options(&self, format: bannin_ingest::Format) -> Result<ImportOptions> {
        Ok(ImportOptions {
            format,
            tenant: self.tenant.clone(),
            source: None,
            segment: None,
            offset: self.offset()?,
            max_line_bytes: self.max_line_bytes,
            privileged_accounts: self.privileged_accounts.clone(),
            charset: parse_charset(&self.charset).context("ingest.charset")?,
            local_domains: self.local_domains.clone(),
            state_dir: None,
        })
    }
}

/// A character set name: `auto`, `utf-8`, `shift_jis` (`sjis`, `cp932`),
/// `euc-jp`.
pub fn parse_charset(name: &str) -> Result<Charset> {
    name.parse::<Charset>().map_err(anyhow::Error::msg)
}

/// A zone for timestamps that carry none: a UTC offset (`+09:00`), `UTC` /
/// `Z`, or `Asia/Tokyo` / `JST` (Japan has no daylight saving time).
pub fn parse_offset(zone: &str) -> Result<FixedOffset> {
    let text = match zone {
        "Z" | "UTC" => "+00:00",
        "Asia/Tokyo" | "JST" => "+09:00",
        other => other,
    };
    match text.parse::<FixedOffset>() {
        Ok(offset) => Ok(offset),
        Err(_) => bail!("`{zone}` is not a UTC offset like `+09:00` (or UTC, Asia/Tokyo)"),
    }
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(base_table)), toml::Value::Table(over_table)) => {
                merge(base_table, over_table)
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Where a data directory keeps things.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The Parquet lake.
    pub fn lake(&self) -> bannin_ingest::Lake {
        bannin_ingest::Lake::new(self.root.join("lake"))
    }

    /// State kept between imports (mail correlation).
    pub fn state_dir(&self) -> PathBuf {
        self.root.join("state")
    }

    /// The write-ahead log of the listeners.
    pub fn wal_dir(&self) -> PathBuf {
        self.root.join("wal")
    }

    /// The alert store.
    pub fn alerts(&self) -> PathBuf {
        self.root.join("alerts.sqlite")
    }

    /// API tokens (hashes) and the audit log.
    pub fn auth(&self) -> PathBuf {
        self.state_dir().join("auth.sqlite")
    }

    /// Creates the directory if needed.
    pub fn ensure(&self) -> Result<()> {
        std::fs::create_dir_all(&self.root)
            .with_context(|| format!("cannot create data directory {}", self.root.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_loads() {
        let config = Config::load(None).unwrap();
        assert_eq!(config.serve.listen_http, "127.0.0.1:8080");
        assert_eq!(config.ingest.offset().unwrap().local_minus_utc(), 9 * 3600);
    }

    #[test]
    fn user_file_overrides_only_its_keys() {
        let dir = std::env::temp_dir().join(format!("bannin-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bannin.toml");
        std::fs::write(&path, "[ingest]\ntenant = \"sakuragaoka\"\n").unwrap();
        let config = Config::load(Some(&path)).unwrap();
        assert_eq!(config.ingest.tenant, "sakuragaoka");
        assert_eq!(config.ingest.timezone, "+09:00");
        std::fs::write(&path, "[ingest]\ntenantt = \"x\"\n").unwrap();
        let err = format!("{:#}", Config::load(Some(&path)).unwrap_err());
        assert!(err.contains("tenantt"), "{err}");
        std::fs::write(&path, "[ingest]\ntimezone = \"Tokyo\"\n").unwrap();
        assert!(Config::load(Some(&path)).is_err());
        std::fs::write(&path, "[retention]\nsyslog = 400\n").unwrap();
        let policy = Config::load(Some(&path))
            .unwrap()
            .retention_policy()
            .unwrap();
        assert_eq!(policy.get(&bannin_ingest::Table::Syslog), Some(&400));
        assert_eq!(policy.len(), 1, "other tables are kept forever");
        std::fs::write(&path, "[retention]\nsyslogs = 400\n").unwrap();
        let err = format!("{:#}", Config::load(Some(&path)).unwrap_err());
        assert!(err.contains("retention.syslogs"), "{err}");
        std::fs::write(&path, "[lake]\nmaintenance_minutes = 0.5\n").unwrap();
        let config = Config::load(Some(&path)).unwrap();
        assert_eq!(config.lake.maintenance_minutes, 0.5);
        assert_eq!(config.lake.compact_target_mib, 64);
        std::fs::write(&path, "[lake]\nmaintenance_minutes = -1\n").unwrap();
        let err = format!("{:#}", Config::load(Some(&path)).unwrap_err());
        assert!(err.contains("lake.maintenance_minutes"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn registers_dir_is_loaded_and_its_errors_named() {
        let config = Config::load(None).unwrap();
        let builtin = config.registers().unwrap();
        assert!(builtin.approved_services.is_empty());
        assert!(
            builtin
                .saas_catalog
                .iter()
                .any(|e| e.domain == "gigafile.nu")
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("assets.csv"),
            "cidr,zone\n10.20.0.0/16,lgwan\n10.20.0.0/16,lgwan\n",
        )
        .unwrap();
        let path = dir.path().join("bannin.toml");
        let toml = format!("[registers]\ndir = \"{}\"\n", dir.path().display());
        std::fs::write(&path, toml).unwrap();
        let config = Config::load(Some(&path)).unwrap();
        let err = format!("{:#}", config.registers().unwrap_err());
        assert!(
            err.contains("registers.dir") && err.contains("assets.csv:3: duplicate network"),
            "{err}"
        );
    }
}
