//! Roles, tenant scopes and the principal a request acts as.

use std::fmt;

use bannin_query::TenantScope;
use serde::Serialize;

/// What a token may do (docs/api.md has the route matrix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including rule changes and the audit log.
    Admin,
    /// The monitoring desk: reads alerts, sources and SQL, acts on alerts.
    Analyst,
    /// Reads everything an analyst reads and the audit log; changes nothing.
    Auditor,
    /// Sends records to `POST /api/v1/ingest` and nothing else.
    Ingest,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Analyst, Role::Auditor, Role::Ingest];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Auditor => "auditor",
            Role::Ingest => "ingest",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The tenants a token sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every tenant (a prefecture's security cloud, the vendor's SOC).
    AllTenants,
    /// One municipality.
    Tenant(String),
}

impl Scope {
    /// The stored form: `None` for all tenants.
    pub fn tenant(&self) -> Option<&str> {
        match self {
            Scope::AllTenants => None,
            Scope::Tenant(t) => Some(t),
        }
    }

    pub fn from_tenant(tenant: Option<String>) -> Self {
        tenant.map_or(Scope::AllTenants, Scope::Tenant)
    }

    /// Whether rows of `tenant` are visible.
    pub fn sees(&self, tenant: &str) -> bool {
        self.tenant().is_none_or(|t| t == tenant)
    }

    /// The tenants to filter lists by (`None`: no restriction).
    pub fn tenants(&self) -> Option<Vec<String>> {
        self.tenant().map(|t| vec![t.to_owned()])
    }

    /// Narrows a tenant asked for in a request: within the scope it is
    /// kept; outside it nothing is visible (an empty list, never an
    /// error that would confirm the tenant exists).
    pub fn narrow(&self, asked: Option<&str>) -> Option<Vec<String>> {
        match (asked, self.tenant()) {
            (None, _) => self.tenants(),
            (Some(a), None) => Some(vec![a.to_owned()]),
            (Some(a), Some(t)) if a == t => Some(vec![a.to_owned()]),
            (Some(_), Some(_)) => Some(Vec::new()),
        }
    }

    /// The SQL session's scope.
    pub fn query_scope(&self) -> Result<TenantScope, bannin_query::QueryError> {
        match self.tenant() {
            None => Ok(TenantScope::All),
            Some(t) => TenantScope::tenants([t]),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tenant().unwrap_or("*"))
    }
}

/// Who a request (or a CLI command) acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's id (`cli` for the command line).
    pub token_id: String,
    /// The name shown as the actor in alert histories and the audit log.
    pub name: String,
    pub role: Role,
    pub scope: Scope,
}

impl Principal {
    /// The operator at this machine's command line: admin over every
    /// tenant (whoever can read the data directory can read everything).
    pub fn cli() -> Self {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".to_owned());
        Self {
            token_id: "cli".to_owned(),
            name: format!("cli:{user}"),
            role: Role::Admin,
            scope: Scope::AllTenants,
        }
    }

    /// The command-line operator narrowed to `tenant` when given.
    pub fn cli_in(tenant: Option<&str>) -> Self {
        let mut who = Self::cli();
        if let Some(t) = tenant {
            who.scope = Scope::Tenant(t.to_owned());
        }
        who
    }

    pub fn is(&self, roles: &[Role]) -> bool {
        roles.contains(&self.role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_scope_never_widens() {
        let a = Scope::Tenant("kawasaki".into());
        assert_eq!(a.narrow(None), Some(vec!["kawasaki".to_owned()]));
        assert_eq!(
            a.narrow(Some("kawasaki")),
            Some(vec!["kawasaki".to_owned()])
        );
        assert_eq!(a.narrow(Some("yokosuka")), Some(vec![]));
        assert!(a.sees("kawasaki") && !a.sees("yokosuka"));
        let all = Scope::AllTenants;
        assert_eq!(all.narrow(None), None);
        assert_eq!(
            all.narrow(Some("yokosuka")),
            Some(vec!["yokosuka".to_owned()])
        );
        assert!(all.sees("anything"));
    }

    #[test]
    fn roles_round_trip_by_name() {
        for role in Role::ALL {
            assert_eq!(Role::from_name(role.as_str()), Some(role));
        }
        assert_eq!(Role::from_name("root"), None);
    }
}
