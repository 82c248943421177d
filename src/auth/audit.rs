//! `bannin_audit`: who read or changed what, when, from where, and what
//! came of it — every authenticated API request, every refused one, and
//! the CLI's queries and token changes. Only admin and auditor tokens read
//! it (`GET /api/v1/audit`, or SQL over the `bannin_audit` table), and a
//! token scoped to one tenant reads only that tenant's rows.

use chrono::{DateTime, Utc};
use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;
use serde::Serialize;

use super::store::{AuthError, AuthStore, format_time};
use super::{Principal, Scope};

/// One action to record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor: String,
    pub token: Option<String>,
    pub role: Option<String>,
    /// The tenant the action concerned (the token's, or the one asked for
    /// by an all-tenants token); `None` when it concerned every tenant.
    pub tenant: Option<String>,
    /// `GET /api/v1/alerts/{id}`, `token.create`, `sql`, `auth.failed`, …
    pub action: String,
    /// What it was done to: the request path, an alert or token id.
    pub target: Option<String>,
    /// The SQL text of a query, an alert action's reason, …
    pub detail: Option<String>,
    /// `ok`, `denied`, or the HTTP status / error.
    pub outcome: String,
    /// The client's address.
    pub client: Option<String>,
}

impl AuditEntry {
    /// An entry for what `who` did.
    pub fn by(who: &Principal, action: impl Into<String>) -> Self {
        Self {
            actor: who.name.clone(),
            token: Some(who.token_id.clone()),
            role: Some(who.role.as_str().to_owned()),
            tenant: who.scope.tenant().map(str::to_owned),
            action: action.into(),
            outcome: "ok".to_owned(),
            ..Self::default()
        }
    }
}

/// One recorded action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub token: Option<String>,
    pub role: Option<String>,
    pub tenant: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
    pub outcome: String,
    pub client: Option<String>,
}

/// Which rows to read.
#[derive(Debug, Clone)]
pub struct AuditFilter {
    /// The reader's scope: a tenant token reads its tenant's rows only.
    pub scope: Scope,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub actor: Option<String>,
    /// Newest first, at most this many (`None`: all).
    pub limit: Option<usize>,
}

/// Longest detail kept (a huge SQL text is cut, marked so).
const MAX_DETAIL_CHARS: usize = 8_000;

fn cut(text: Option<String>) -> Option<String> {
    text.map(|t| {
        if t.chars().count() <= MAX_DETAIL_CHARS {
            t
        } else {
            let mut kept: String = t.chars().take(MAX_DETAIL_CHARS).collect();
            kept.push_str(" …(cut)");
            kept
        }
    })
}

impl AuthStore {
    /// Records `entry` as happening at `now`.
    pub fn audit(&self, entry: AuditEntry, now: DateTime<Utc>) -> Result<(), AuthError> {
        self.conn()
            .execute(
                "INSERT INTO bannin_audit
                   (at, at_us, actor, token, role, tenant, action, target, detail, outcome, client)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                rusqlite::params![
                    format_time(now),
                    now.timestamp_micros(),
                    entry.actor,
                    entry.token,
                    entry.role,
                    entry.tenant,
                    entry.action,
                    cut(entry.target),
                    cut(entry.detail),
                    entry.outcome,
                    entry.client,
                ],
            )
            .map_err(self.err())?;
        Ok(())
    }

    /// The rows `filter` asks for, newest first.
    pub fn audit_rows(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>, AuthError> {
        let mut clauses = vec!["1".to_owned()];
        let mut values = Vec::new();
        if let Some(tenant) = filter.scope.tenant() {
            clauses.push("tenant = ?".into());
            values.push(SqlValue::Text(tenant.to_owned()));
        }
        if let Some(since) = filter.since {
            clauses.push("at_us >= ?".into());
            values.push(SqlValue::Integer(since.timestamp_micros()));
        }
        if let Some(until) = filter.until {
            clauses.push("at_us < ?".into());
            values.push(SqlValue::Integer(until.timestamp_micros()));
        }
        if let Some(actor) = &filter.actor {
            clauses.push("actor = ?".into());
            values.push(SqlValue::Text(actor.clone()));
        }
        values.push(SqlValue::Integer(
            filter
                .limit
                .and_then(|l| i64::try_from(l).ok())
                .unwrap_or(-1),
        ));
        let sql = format!(
            "SELECT seq, at, actor, token, role, tenant, action, target, detail, outcome, client
             FROM bannin_audit WHERE {} ORDER BY seq DESC LIMIT ?",
            clauses.join(" AND ")
        );
        let conn = self.conn();
        let mut statement = conn.prepare(&sql).map_err(self.err())?;
        let rows = statement
            .query_map(params_from_iter(values), |r| {
                Ok(AuditRow {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    token: r.get(3)?,
                    role: r.get(4)?,
                    tenant: r.get(5)?,
                    action: r.get(6)?,
                    target: r.get(7)?,
                    detail: r.get(8)?,
                    outcome: r.get(9)?,
                    client: r.get(10)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(self.err())?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    #[test]
    fn a_tenant_auditor_reads_only_its_tenants_rows() {
        let dir = tempfile::tempdir().unwrap();
        let store = AuthStore::open(&dir.path().join("auth.sqlite")).unwrap();
        let who = |tenant: &str| Principal {
            token_id: "t".into(),
            name: format!("analyst-{tenant}"),
            role: Role::Analyst,
            scope: Scope::Tenant(tenant.into()),
        };
        let now = Utc::now();
        store
            .audit(AuditEntry::by(&who("kawasaki"), "sql"), now)
            .unwrap();
        store
            .audit(AuditEntry::by(&who("yokosuka"), "sql"), now)
            .unwrap();
        let mut long = AuditEntry::by(&Principal::cli(), "sql");
        long.detail = Some("x".repeat(20_000));
        store.audit(long, now).unwrap();

        let read = |scope: Scope| {
            store
                .audit_rows(&AuditFilter {
                    scope,
                    since: None,
                    until: None,
                    actor: None,
                    limit: None,
                })
                .unwrap()
        };
        let kawasaki = read(Scope::Tenant("kawasaki".into()));
        assert_eq!(kawasaki.len(), 1);
        assert_eq!(kawasaki[0].actor, "analyst-kawasaki");
        let all = read(Scope::AllTenants);
        assert_eq!(all.len(), 3);
        assert!(all[0].detail.as_ref().unwrap().ends_with("…(cut)"));
    }
}
