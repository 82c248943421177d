//! bannin (番人): log collection and monitoring for Japanese local
//! governments. This binary is the CLI and the HTTP API; the work is done by
//! the workspace crates (parsers ← ingest ← query ← rules).

/// Prints a line to stdout. A closed stdout (`bannin … | head`, a
/// supervisor that stopped reading) must not panic the process, so write
/// errors are ignored here; commands whose output is the point (`sql`,
/// `parse`) write through `std::io::Write` and report errors instead.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// mimalloc instead of the system allocator: queries and ingest allocate
/// and free many large buffers, which glibc hands back to the kernel and
/// faults in again; the query set ran 1.07× → 1.01× DuckDB with it
/// (benches/README.md, issue 5).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod api;
mod auth;
mod cli;
mod commands;
mod config;
mod notify;
mod pg;
mod query_access;

use anyhow::Result;
use clap::Parser;

use cli::{Cli, Command, LakeCommand, NotifyCommand, RulesCommand, TokenCommand};
use config::{Config, DataDir};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_tracing(verbose: bool) {
    let default = if verbose { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("BANNIN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn run(cli: Cli) -> Result<()> {
    let config = Config::load(cli.config.as_deref())?;
    let data = DataDir::new(&cli.data_dir);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let audited = audited(&cli.command);
    let result = dispatch(cli.command, &config, &data, &runtime);
    if let Some((action, target)) = audited {
        let outcome = match &result {
            Ok(()) => "ok".to_owned(),
            Err(e) => format!("error: {e:#}"),
        };
        commands::audit_cli(&data, action, Some(target), &outcome)?;
    }
    result
}

/// The commands that change or read the lake beyond one query (those
/// audit themselves: `sql`, `token`, `notify`), for the audit log: the
/// action's name and its arguments.
fn audited(command: &Command) -> Option<(&'static str, String)> {
    Some(match command {
        Command::Ingest(args) => ("ingest", format!("{args:?}")),
        Command::Rules {
            command: RulesCommand::Run(args),
        } => ("rules.run", format!("{args:?}")),
        Command::Verify => ("lake.verify", String::new()),
        Command::Lake {
            command: LakeCommand::Compact(args),
        } => ("lake.compact", format!("{args:?}")),
        Command::Lake {
            command: LakeCommand::Retention(args),
        } => ("lake.retention", format!("{args:?}")),
        _ => return None,
    })
}

fn dispatch(
    command: Command,
    config: &Config,
    data: &DataDir,
    runtime: &tokio::runtime::Runtime,
) -> Result<()> {
    let (config, data) = (config.clone(), data.clone());
    match command {
        Command::Ingest(args) => commands::ingest::run(&config, &data, &args),
        Command::Parse(args) => commands::parse::run(&config, &args),
        Command::Sql(args) => runtime.block_on(commands::sql::run(&config, &data, &args)),
        Command::Rules { command } => match command {
            RulesCommand::List => commands::rules::list(&config, &data),
            RulesCommand::Validate(args) => {
                runtime.block_on(commands::rules::validate(&config, &data, &args))
            }
            RulesCommand::Test(args) => runtime.block_on(commands::rules::test(&config, &args)),
            RulesCommand::Run(args) => {
                runtime.block_on(commands::rules::run(&config, &data, &args))
            }
            RulesCommand::ImportSigma(args) => commands::sigma::import(&args),
        },
        Command::Verify => commands::verify::run(&data),
        Command::Lake {
            command: LakeCommand::Compact(args),
        } => commands::lake::compact(&config, &data, &args),
        Command::Lake {
            command: LakeCommand::Retention(args),
        } => commands::lake::retention(&config, &data, &args),
        Command::Token { command } => match command {
            TokenCommand::Create(args) => commands::token::create(&data, &args),
            TokenCommand::List => commands::token::list(&data),
            TokenCommand::Revoke { id } => commands::token::revoke(&data, &id),
        },
        Command::Notify { command } => match command {
            NotifyCommand::DeadLetters => commands::notify::dead_letters(&data),
            NotifyCommand::Retry { id } => commands::notify::retry(&data, id),
            NotifyCommand::Test { channel } => {
                runtime.block_on(commands::notify::test(&config, &channel))
            }
        },
        Command::Serve(args) => runtime.block_on(commands::serve::run(&config, &data, &args)),
        Command::Demo(args) => runtime.block_on(commands::demo::run(&config, &args)),
    }
}
