//! bannin-rules: detection content and alerts.
//!
//! A [`rule::Rule`] is data (TOML, shipped in `rules/packs/` and embedded by
//! [`packs`]); the [`engine`] runs its SQL over a query session and turns
//! each result row into an [`alert::Alert`] with a deterministic id; the
//! [`store`] keeps alerts (SQLite) so a re-run updates instead of duplicating.
//! [`sigma`] compiles Sigma YAML rules to rule SQL and pack entries.

pub mod alert;
pub mod engine;
pub mod error;
pub mod packs;
pub mod rule;
pub mod sigma;
pub mod store;

pub use alert::{Alert, AlertStatus};
pub use engine::{RunReport, run_rules};
pub use error::RulesError;
pub use rule::{Rule, Severity};
pub use store::AlertStore;
