//! `bannin token create|list|revoke`: API tokens at the server's console.
//! Each change is written to the audit log with the operator's login name.

use anyhow::{Context, Result};
use chrono::Utc;

use crate::auth::{AuditEntry, AuthStore, Principal, Scope};
use crate::cli::TokenCreateArgs;
use crate::config::DataDir;

fn open(data: &DataDir) -> Result<AuthStore> {
    data.ensure()?;
    let path = data.auth();
    AuthStore::open(&path)
        .with_context(|| format!("cannot open the token store {}", path.display()))
}

pub fn create(data: &DataDir, args: &TokenCreateArgs) -> Result<()> {
    let store = open(data)?;
    let scope = match (&args.tenant, args.all_tenants) {
        (Some(tenant), false) => Scope::Tenant(tenant.trim().to_owned()),
        _ => Scope::AllTenants,
    };
    let operator = Principal::cli();
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("{}@{scope}", args.role));
    let now = Utc::now();
    let made = store
        .create_token(&name, args.role, &scope, &operator.name, now)
        .context("cannot create the token")?;
    let mut entry = AuditEntry::by(&operator, "token.create");
    entry.tenant = scope.tenant().map(str::to_owned);
    entry.target = Some(made.info.id.clone());
    entry.detail = Some(format!("role {} for {scope}, name {name}", args.role));
    store
        .audit(entry, now)
        .context("cannot write the audit log")?;
    eprintln!(
        "created token {} ({} for {}); it is shown only now — keep it like a password:",
        made.info.id, args.role, scope
    );
    println!("{}", made.token);
    Ok(())
}

pub fn list(data: &DataDir) -> Result<()> {
    let store = open(data)?;
    let tokens = store.tokens()?;
    super::audit_cli(data, "token.list", None, "ok")?;
    println!(
        "{:<16}  {:<8}  {:<12}  {:<24}  {:<24}  name",
        "id", "role", "tenant", "created", "revoked"
    );
    for t in tokens {
        println!(
            "{:<16}  {:<8}  {:<12}  {:<24}  {:<24}  {}",
            t.id,
            t.role,
            t.tenant.as_deref().unwrap_or("*"),
            t.created_at,
            t.revoked_at.as_deref().unwrap_or("-"),
            t.name
        );
    }
    Ok(())
}

pub fn revoke(data: &DataDir, id: &str) -> Result<()> {
    let store = open(data)?;
    let operator = Principal::cli();
    let now = Utc::now();
    let result = store.revoke(id.trim(), &operator.name, now);
    let mut entry = AuditEntry::by(&operator, "token.revoke");
    entry.target = Some(id.to_owned());
    if let Err(e) = &result {
        entry.outcome = format!("error: {e}");
    }
    store.audit(entry, now)?;
    result.with_context(|| format!("cannot revoke token {id}"))?;
    eprintln!("revoked token {id}");
    Ok(())
}
