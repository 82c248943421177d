//! Who may do what: API tokens, their roles and tenant scopes, throttling
//! of failed logins, and the self-audit (docs/api.md).
//!
//! - [`role`]: the roles (admin, analyst, auditor, ingest), a token's
//!   tenant scope and the [`Principal`] a request acts as;
//! - [`store`]: the SQLite file (`state/auth.sqlite`) that keeps both
//!   tables below;
//! - [`tokens`]: creating (the secret is shown once, only its SHA-256 is
//!   kept), verifying, listing and revoking tokens;
//! - [`audit`]: `bannin_audit`, every API and CLI action that reads or
//!   changes data;
//! - [`audit_table`]: the audit log as the SQL table `bannin_audit`;
//! - [`gate`]: the store, the throttle and the refusal count every entry
//!   point shares;
//! - [`throttle`]: repeated authentication failures from one address are
//!   refused for a while.

pub mod audit;
pub mod audit_table;
pub mod gate;
pub mod role;
pub mod store;
pub mod throttle;
pub mod tokens;

pub use audit::{AuditEntry, AuditFilter, AuditRow};
pub use gate::Gate;
pub use role::{Principal, Role, Scope};
pub use store::AuthStore;
pub use throttle::Throttle;
