//! `bannin sql`: a read-only query over the lake.

use anyhow::Result;
use bannin_query::{QuerySession, output};

use crate::cli::SqlArgs;
use crate::config::{Config, DataDir};

pub async fn run(config: &Config, data: &DataDir, args: &SqlArgs) -> Result<()> {
    let session = QuerySession::open(&data.lake())?.with_registers(&config.registers()?)?;
    let batches = session.sql(&args.sql).await?;
    let stdout = std::io::stdout();
    output::write(&batches, args.format.into(), &mut stdout.lock())?;
    Ok(())
}
