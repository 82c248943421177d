//! Which tenants a session may see.
//!
//! A scoped session never has another tenant's files in its plans: the
//! lake store ([`crate::lake_store`]) lists and opens only files under
//! `<table>/tenant=<T>/` for the tenants in scope, so no SQL (filters,
//! `OR 1=1`, unions, subqueries, quoting tricks) can reach other rows.

use std::collections::BTreeSet;

use bannin_ingest::lake::check_name;

use crate::QueryError;

/// The tenants a session may read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TenantScope {
    /// Every tenant (administrators, `--all-tenants`, rules run by the lake
    /// owner).
    #[default]
    All,
    /// Only these tenants; an empty set sees empty tables.
    Tenants(BTreeSet<String>),
}

impl TenantScope {
    /// A scope of the given tenants. Each name must be a valid lake tenant
    /// name (1–64 of `a-z A-Z 0-9 _ -`, not starting with `-`), so a
    /// name can never point outside its partition directory.
    pub fn tenants<I, S>(names: I) -> Result<Self, QueryError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut set = BTreeSet::new();
        for name in names {
            let name = name.into();
            check_name("tenant", &name).map_err(|e| QueryError::Tenant(e.to_string()))?;
            set.insert(name);
        }
        Ok(Self::Tenants(set))
    }

    /// Whether rows of `tenant` are visible (exact, case-sensitive match).
    pub fn allows(&self, tenant: &str) -> bool {
        match self {
            Self::All => true,
            Self::Tenants(set) => set.contains(tenant),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_validated_and_matched_exactly() {
        let scope = TenantScope::tenants(["sakuragaoka", "minato-ku_2"]).unwrap();
        assert!(scope.allows("sakuragaoka"));
        assert!(!scope.allows("Sakuragaoka"));
        assert!(!scope.allows("sakuragaoka/../kita"));
        assert!(TenantScope::All.allows("anything"));
        for bad in ["", "../kita", "a/b", "a'b", "-x", "a b", "桜ケ丘", "a%2Fb"] {
            assert!(TenantScope::tenants([bad]).is_err(), "{bad:?} accepted");
        }
        assert!(
            !TenantScope::tenants(Vec::<String>::new())
                .unwrap()
                .allows("a")
        );
    }
}
