//! One module per subcommand.

pub mod demo;
pub mod ingest;
pub mod lake;
pub mod notify;
pub mod parse;
pub mod rules;
pub mod serve;
pub mod sigma;
pub mod sql;
pub mod token;
pub mod verify;

/// Writes what the operator at this console did to the audit log
/// (`bannin_audit`), with its outcome; nothing when there is no data
/// directory (the command touched nothing).
pub fn audit_cli(
    data: &crate::config::DataDir,
    action: &str,
    target: Option<String>,
    outcome: &str,
) -> anyhow::Result<()> {
    use anyhow::Context;
    if !data.root().is_dir() {
        return Ok(());
    }
    let store = crate::auth::AuthStore::open(&data.auth())?;
    let mut entry = crate::auth::AuditEntry::by(&crate::auth::Principal::cli(), action);
    entry.target = target;
    entry.outcome = outcome.to_owned();
    store
        .audit(entry, chrono::Utc::now())
        .context("cannot write the audit log")
}
