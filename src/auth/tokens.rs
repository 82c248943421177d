//! API tokens: `bnn_<id>_<secret>`. The secret (32 random bytes) is shown
//! once when the token is made; only its SHA-256 is kept, so a copy of the
//! data directory gives no working token. A revoked token stops working
//! at once.

use chrono::{DateTime, Duration, Utc};
use rand::TryRngCore;
use rand::rngs::OsRng;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::store::{AuthError, AuthStore, format_time};
use super::{Principal, Role, Scope};

const PREFIX: &str = "bnn_";
/// Hex digits of a token id (8 random bytes).
const ID_HEX: usize = 16;
/// Hex digits of a token secret (32 random bytes).
const SECRET_HEX: usize = 64;
/// `last_used_at` is written at most this often per token.
const LAST_USED_EVERY: Duration = Duration::seconds(60);

/// A token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub role: String,
    /// `None`: every tenant.
    pub tenant: Option<String>,
    pub created_at: String,
    pub created_by: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

/// A token's row, as verifying reads it.
struct StoredToken {
    name: String,
    role: String,
    tenant: Option<String>,
    digest: String,
    revoked: Option<String>,
    last_used: Option<String>,
}

/// A token just made: the only time its full text exists.
#[derive(Debug)]
pub struct NewToken {
    pub info: TokenInfo,
    /// `bnn_<id>_<secret>`: give it to the user, never store or log it.
    pub token: String,
}

fn random_hex(bytes: usize) -> Result<String, AuthError> {
    let mut buf = vec![0u8; bytes];
    OsRng
        .try_fill_bytes(&mut buf)
        .map_err(|e| AuthError::Random(e.to_string()))?;
    Ok(hex(&buf))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Splits `bnn_<id>_<secret>` when it has that shape.
fn parse(token: &str) -> Option<(&str, &str)> {
    let rest = token.trim().strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let hex_of = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex_of(id, ID_HEX) && hex_of(secret, SECRET_HEX)).then_some((id, secret))
}

/// Equal without an early exit on the first differing byte.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl AuthStore {
    /// Makes a token for `role` over `scope`, named `name` (the actor shown
    /// in alert histories and the audit log).
    pub fn create_token(
        &self,
        name: &str,
        role: Role,
        scope: &Scope,
        created_by: &str,
        now: DateTime<Utc>,
    ) -> Result<NewToken, AuthError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(AuthError::Invalid(
                "a token name is 1 to 100 printable characters".into(),
            ));
        }
        if let Scope::Tenant(t) = scope
            && t.trim().is_empty()
        {
            return Err(AuthError::Invalid("the tenant is blank".into()));
        }
        let id = random_hex(ID_HEX / 2)?;
        let secret = random_hex(SECRET_HEX / 2)?;
        let info = TokenInfo {
            id: id.clone(),
            name: name.to_owned(),
            role: role.as_str().to_owned(),
            tenant: scope.tenant().map(str::to_owned),
            created_at: format_time(now),
            created_by: created_by.to_owned(),
            revoked_at: None,
            last_used_at: None,
        };
        self.conn()
            .execute(
                "INSERT INTO api_tokens (id, name, role, tenant, secret_sha256, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    info.id,
                    info.name,
                    info.role,
                    info.tenant,
                    digest(&secret),
                    info.created_at,
                    info.created_by
                ],
            )
            .map_err(self.err())?;
        Ok(NewToken {
            token: format!("{PREFIX}{id}_{secret}"),
            info,
        })
    }

    /// The principal a token acts as; `None` for anything that is not a
    /// live token (malformed, unknown, wrong secret, revoked).
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Option<Principal>, AuthError> {
        let Some((id, secret)) = parse(token) else {
            return Ok(None);
        };
        let conn = self.conn();
        let row: Option<StoredToken> = conn
            .query_row(
                "SELECT name, role, tenant, secret_sha256, revoked_at, last_used_at
                 FROM api_tokens WHERE id = ?1",
                [id],
                |r| {
                    Ok(StoredToken {
                        name: r.get(0)?,
                        role: r.get(1)?,
                        tenant: r.get(2)?,
                        digest: r.get(3)?,
                        revoked: r.get(4)?,
                        last_used: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(self.err())?;
        let Some(StoredToken {
            name,
            role,
            tenant,
            digest: stored,
            revoked,
            last_used,
        }) = row
        else {
            return Ok(None);
        };
        if revoked.is_some() || !same(stored.as_bytes(), digest(secret).as_bytes()) {
            return Ok(None);
        }
        let Some(role) = Role::from_name(&role) else {
            return Err(AuthError::Invalid(format!(
                "token {id} has unknown role `{role}`"
            )));
        };
        let stale = format_time(now - LAST_USED_EVERY);
        if last_used.is_none_or(|t| t < stale) {
            conn.execute(
                "UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2",
                params![format_time(now), id],
            )
            .map_err(self.err())?;
        }
        Ok(Some(Principal {
            token_id: id.to_owned(),
            name,
            role,
            scope: Scope::from_tenant(tenant),
        }))
    }

    /// Every token, newest first, revoked ones included.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, AuthError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare(
                "SELECT id, name, role, tenant, created_at, created_by, revoked_at, last_used_at
                 FROM api_tokens ORDER BY created_at DESC, id",
            )
            .map_err(self.err())?;
        let rows = statement
            .query_map([], |r| {
                Ok(TokenInfo {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    role: r.get(2)?,
                    tenant: r.get(3)?,
                    created_at: r.get(4)?,
                    created_by: r.get(5)?,
                    revoked_at: r.get(6)?,
                    last_used_at: r.get(7)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(self.err())?;
        Ok(rows)
    }

    /// Revokes token `id` (revoking twice keeps the first time).
    pub fn revoke(&self, id: &str, by: &str, now: DateTime<Utc>) -> Result<(), AuthError> {
        let changed = self
            .conn()
            .execute(
                "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?1),
                        revoked_by = coalesce(revoked_by, ?2)
                 WHERE id = ?3",
                params![format_time(now), by, id],
            )
            .map_err(self.err())?;
        if changed == 0 {
            return Err(AuthError::UnknownToken(id.to_owned()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, AuthStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = AuthStore::open(&dir.path().join("auth.sqlite")).unwrap();
        (dir, store)
    }

    #[test]
    fn a_token_works_until_revoked_and_only_its_hash_is_kept() {
        let (dir, store) = store();
        let now = Utc::now();
        let scope = Scope::Tenant("kawasaki".into());
        let made = store
            .create_token("夜間当番", Role::Analyst, &scope, "cli:root", now)
            .unwrap();
        let principal = store.verify(&made.token, now).unwrap().unwrap();
        assert_eq!(principal.role, Role::Analyst);
        assert_eq!(principal.scope, scope);
        assert_eq!(principal.name, "夜間当番");

        // The secret is nowhere in the file.
        let (_, secret) = parse(&made.token).unwrap();
        let bytes = std::fs::read(dir.path().join("auth.sqlite")).unwrap();
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()));

        // A changed secret, a stranger, garbage: no principal.
        let mut wrong = made.token.clone();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '0' { '1' } else { '0' });
        assert_eq!(store.verify(&wrong, now).unwrap(), None);
        for garbage in [
            "",
            "Bearer",
            "bnn_",
            "bnn_zz_zz",
            "\u{0}\u{ff}",
            &"a".repeat(10_000),
        ] {
            assert_eq!(store.verify(garbage, now).unwrap(), None);
        }

        store.revoke(&made.info.id, "cli:root", now).unwrap();
        assert_eq!(store.verify(&made.token, now).unwrap(), None);
        let listed = store.tokens().unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].revoked_at.is_some());
        assert!(matches!(
            store.revoke("0000000000000000", "cli:root", now),
            Err(AuthError::UnknownToken(_))
        ));
    }

    #[test]
    fn names_must_be_printable() {
        let (_dir, store) = store();
        for bad in ["", "  ", "a\nb"] {
            assert!(
                store
                    .create_token(bad, Role::Admin, &Scope::AllTenants, "cli", Utc::now())
                    .is_err()
            );
        }
    }
}
