//! `bannin notify`: the dead letters of alert notifications, and a test
//! message to a channel.

use anyhow::Result;

use crate::config::{Config, DataDir};
use crate::notify;

/// `bannin notify dead-letters`: the totals, then one line per dead
/// letter, newest first.
pub fn dead_letters(data: &DataDir) -> Result<()> {
    super::audit_cli(data, "notify.dead_letters", None, "ok")?;
    let counts = notify::counts(data)?;
    say!(
        "sent {}, pending {}, failed attempts {}, dead letters {}",
        counts.sent,
        counts.pending,
        counts.failed_attempts,
        counts.dead_letters
    );
    let letters = notify::dead_letters(data, None, usize::MAX)?;
    if letters.is_empty() {
        return Ok(());
    }
    say!("ID\tAT\tCHANNEL\tTENANT\tALERT\tCHANGE\tATTEMPTS\tLAST ERROR");
    for l in letters {
        say!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            l.id,
            l.at,
            l.channel,
            l.tenant,
            l.alert_id,
            l.change,
            l.attempts,
            l.last_error
        );
    }
    Ok(())
}

/// `bannin notify retry ID`.
pub fn retry(data: &DataDir, id: i64) -> Result<()> {
    let retried = notify::retry(data, id, None)?;
    let outcome = if retried.is_some() { "ok" } else { "not found" };
    super::audit_cli(data, "notify.retry", Some(id.to_string()), outcome)?;
    match retried {
        Some(letter) => {
            say!(
                "dead letter {id} ({} → {}) is queued again; a running `bannin serve` sends it",
                letter.alert_id,
                letter.channel
            );
            Ok(())
        }
        None => anyhow::bail!("no dead letter {id}"),
    }
}

/// `bannin notify test CHANNEL`.
pub async fn test(config: &Config, channel: &str) -> Result<()> {
    notify::send_test(config, channel).await?;
    say!("sent a test notification to `{channel}`");
    Ok(())
}
