//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "bannin",
    version,
    about = "bannin (番人): log collection and monitoring for local governments",
    long_about = "bannin (番人) collects the logs of a municipality's systems into a \
                  Parquet lake, runs detection rules over them with SQL, and serves the \
                  resulting alerts for 24-hour monitoring.\n\nStart with `bannin demo`."
)]
pub struct Cli {
    /// Data directory (lake, alert store).
    #[arg(
        long,
        global = true,
        default_value = "./bannin-data",
        env = "BANNIN_DATA_DIR"
    )]
    pub data_dir: PathBuf,
    /// Configuration file (TOML); only the keys it sets override the built-in default.
    #[arg(long, global = true, env = "BANNIN_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log progress to stderr (or set BANNIN_LOG=debug).
    #[arg(long, short, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import log files into the lake (batch).
    Ingest(IngestArgs),
    /// Parse a file (or - for stdin) and print each record as JSON, without storing it.
    Parse(ParseArgs),
    /// Run a read-only SQL query over the lake.
    Sql(SqlArgs),
    /// Detection rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Check that the lake was not altered: the manifest's hash chain, every
    /// listed file's SHA-256, and no unlisted files. Exits 1 on any problem.
    Verify,
    /// Lake maintenance: merge small files, drop partitions past retention.
    Lake {
        #[command(subcommand)]
        command: LakeCommand,
    },
    /// API tokens: bearer tokens for the HTTP API, passwords for PostgreSQL clients.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Alert notifications: dead letters, test messages (docs/notifications.md).
    Notify {
        #[command(subcommand)]
        command: NotifyCommand,
    },
    /// Serve the HTTP API and web console.
    Serve(ServeArgs),
    /// Generate a day of a small municipality's logs, detect, and serve them.
    Demo(DemoArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// Pick the parser from each record (see docs/formats.md).
    Auto,
    /// RFC 5424, RFC 3164, and syslog files without PRI (auth.log, maillog).
    Syslog,
    /// Squid native access.log.
    Squid,
    /// Apache / nginx / Squid common or combined access logs.
    Combined,
    /// W3C extended logs with a #Fields header (ProxySG, IIS).
    W3c,
    /// FortiGate key=value logs (with or without PRI).
    Fortigate,
    /// Palo Alto PAN-OS CSV syslog (TRAFFIC, THREAT, SYSTEM, CONFIG).
    Panos,
    /// Cisco ASA / FTD syslog (%ASA-n-nnnnnn).
    Asa,
    /// YAMAHA RTX / NVR router syslog.
    Rtx,
    /// Windows Security events as JSON lines (NXLog, Winlogbeat).
    Windows,
    /// Cloud audit JSON: Microsoft 365 / Entra ID, Google Workspace, AWS CloudTrail.
    Cloud,
}

impl From<InputFormat> for bannin_ingest::Format {
    fn from(value: InputFormat) -> Self {
        match value {
            InputFormat::Auto => Self::Auto,
            InputFormat::Syslog => Self::Syslog,
            InputFormat::Squid => Self::Squid,
            InputFormat::Combined => Self::Combined,
            InputFormat::W3c => Self::W3c,
            InputFormat::Fortigate => Self::Fortigate,
            InputFormat::Panos => Self::Panos,
            InputFormat::Asa => Self::Asa,
            InputFormat::Rtx => Self::Rtx,
            InputFormat::Windows => Self::Windows,
            InputFormat::Cloud => Self::Cloud,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Segment {
    /// マイナンバー利用事務系
    Mynumber,
    /// LGWAN接続系
    Lgwan,
    /// インターネット接続系
    Internet,
}

impl Segment {
    pub fn as_str(self) -> &'static str {
        match self {
            Segment::Mynumber => "mynumber",
            Segment::Lgwan => "lgwan",
            Segment::Internet => "internet",
        }
    }
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Input format.
    #[arg(long, value_enum, default_value = "auto")]
    pub format: InputFormat,
    /// Tenant (municipality id); default from config `ingest.tenant`.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Source name; default: each file's name.
    #[arg(long)]
    pub source: Option<String>,
    /// Network zone (三層) the source sits in.
    #[arg(long, value_enum)]
    pub segment: Option<Segment>,
    /// Character set of the files: auto (UTF-8, else Shift_JIS), utf-8, shift_jis (cp932), euc-jp.
    #[arg(long)]
    pub charset: Option<String>,
    /// Import files from their start even when the lake's checkpoints say
    /// they were imported before (lines already in the lake are added again).
    #[arg(long)]
    pub again: bool,
    /// After reading each file to its end, keep reading what is appended
    /// (across rotation) until SIGINT / SIGTERM; a path may appear later.
    #[arg(long)]
    pub follow: bool,
    /// Files or directories (read recursively, sorted, hidden entries
    /// skipped) to import; gzip files are decompressed. A file imported
    /// before resumes after its last committed line.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Input format.
    #[arg(long, value_enum, default_value = "auto")]
    pub format: InputFormat,
    /// Zone of timestamps that carry none: +09:00, UTC, Asia/Tokyo; default from config.
    #[arg(long)]
    pub tz: Option<String>,
    /// Character set: auto (UTF-8, else Shift_JIS), utf-8, shift_jis (cp932), euc-jp.
    #[arg(long)]
    pub charset: Option<String>,
    /// File to parse; `-` reads standard input.
    pub file: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SqlFormat {
    /// Aligned text table.
    Table,
    /// CSV with a header row.
    Csv,
    /// One JSON object per row (NDJSON).
    Json,
    /// A Parquet file (to -o FILE, or to stdout when it is not a terminal).
    Parquet,
}

impl From<SqlFormat> for bannin_query::OutputFormat {
    fn from(value: SqlFormat) -> Self {
        match value {
            SqlFormat::Table => Self::Table,
            SqlFormat::Csv => Self::Csv,
            SqlFormat::Json => Self::Json,
            SqlFormat::Parquet => Self::Parquet,
        }
    }
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: SqlFormat,
    /// Run the `;`-separated statements of FILE in order, printing each result.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "sql"
    )]
    pub file: Option<PathBuf>,
    /// Write the result to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Query as this tenant (municipality id) only.
    #[arg(long)]
    pub tenant: Option<String>,
    /// The query, e.g. "SELECT count(*) FROM auth". Without a query or
    /// -f, an interactive prompt starts (history in ~/.bannin_sql_history).
    pub sql: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token and print it once (only its hash is kept).
    Create(TokenCreateArgs),
    /// List the tokens (never their secrets).
    List,
    /// Revoke a token by its id; it stops working at once.
    Revoke {
        /// The token's id (`bannin token list`).
        id: String,
    },
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["tenant", "all_tenants"])))]
pub struct TokenCreateArgs {
    /// What the token may do.
    #[arg(long, value_enum)]
    pub role: crate::auth::Role,
    /// The one tenant (municipality) the token sees.
    #[arg(long)]
    pub tenant: Option<String>,
    /// The token sees every tenant (a prefecture's security cloud, a SOC).
    #[arg(long)]
    pub all_tenants: bool,
    /// Who uses it: shown as the actor in alert histories and the audit log
    /// (default: the role and the tenant).
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules: those bannin ships and those of [rules] dir.
    List,
    /// Check rule packs: the format, the placeholders, and that each SQL
    /// plans against the lake's tables and returns the columns alerts need.
    Validate(RulesFilesArgs),
    /// Run the rules' backtests: fixture logs through the real parsers, each
    /// rule once over them. Exits 1 if any case fails.
    Test(RulesFilesArgs),
    /// Run the rules now: each over the event time since its last run (as
    /// `bannin serve` does), or over --from/--to. Alerts go to the store.
    Run(RulesRunArgs),
    /// Compile Sigma rules (*.yml / *.yaml files or directories) to a rule
    /// pack; refused rules are listed with the reason on stderr.
    ImportSigma(crate::commands::sigma::ImportSigmaArgs),
}

#[derive(Debug, Args)]
pub struct RulesFilesArgs {
    /// Only this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Extra pack files to load beside the shipped packs and [rules] dir.
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RulesRunArgs {
    /// Only this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Evaluate event time from here (RFC 3339, e.g. 2026-11-20T00:00:00+09:00),
    /// without touching the scheduler's state.
    #[arg(long)]
    pub from: Option<String>,
    /// ... up to here (default: now).
    #[arg(long, requires = "from")]
    pub to: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// List the notifications given up after their last attempt.
    DeadLetters,
    /// Queue a dead letter again (a running `bannin serve` sends it).
    Retry { id: i64 },
    /// Send a test message to the channel CHANNEL of [notify.channels].
    Test { channel: String },
}

#[derive(Debug, Subcommand)]
pub enum LakeCommand {
    /// Merge each date partition's small files into one (rows sorted by
    /// time); every merge is recorded in the manifest.
    Compact(CompactArgs),
    /// Delete date partitions older than the [retention] days configured
    /// per table; every removal is recorded in the manifest.
    Retention(RetentionArgs),
}

#[derive(Debug, Args)]
pub struct CompactArgs {
    /// Merge files smaller than this, up to this much per merge (MiB);
    /// default from config `lake.compact_target_mib`.
    #[arg(long, value_name = "MIB")]
    pub target_mib: Option<u64>,
    /// Print what would be merged without changing anything.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct RetentionArgs {
    /// Print what would be deleted without changing anything.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address for the HTTP API; default from config `serve.listen_http`.
    #[arg(long)]
    pub listen_http: Option<String>,
    /// Receive syslog over UDP on ADDR (e.g. 0.0.0.0:514); default from config.
    #[arg(long, value_name = "ADDR")]
    pub listen_syslog_udp: Option<String>,
    /// Receive syslog over TCP on ADDR, octet-counted or LF-framed; default from config.
    #[arg(long, value_name = "ADDR")]
    pub listen_syslog_tcp: Option<String>,
    /// Receive syslog over TLS (RFC 5425) on ADDR; needs serve.tls_cert and serve.tls_key.
    #[arg(long, value_name = "ADDR")]
    pub listen_syslog_tls: Option<String>,
    /// Receive RELP (rsyslog omrelp) on ADDR; each record is acknowledged once durable.
    #[arg(long, value_name = "ADDR")]
    pub listen_relp: Option<String>,
    /// Serve the PostgreSQL wire protocol (psql, DBeaver, Grafana) on ADDR;
    /// 127.0.0.1:5433 when given without ADDR; default from config `serve.listen_pg`.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:5433")]
    pub listen_pg: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory for the demo's data; emptied first (only if it is a demo directory).
    #[arg(long, default_value = "./bannin-demo")]
    pub dir: PathBuf,
    /// Address for the HTTP API; default from config `serve.listen_http`.
    #[arg(long)]
    pub listen_http: Option<String>,
    /// Prepare the data and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}
