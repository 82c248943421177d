//! bannin-rules: detection content and alerts.
//!
//! A [`rule::Rule`] is data (TOML, shipped in `rules/packs/` and embedded by
//! [`packs`]); the [`engine`] runs its SQL over a query session and turns
//! each result row into an [`alert::Alert`] with a deterministic id; the
//! [`store`] keeps alerts (SQLite): a re-run merges into the known alert
//! instead of duplicating it, and people move alerts through their lifecycle
//! (new → acknowledged → resolved / false_positive, docs/alerts.md) with
//! comments and a history.

pub mod alert;
pub mod engine;
pub mod error;
pub mod packs;
pub mod rule;
pub mod store;

pub use alert::{Alert, AlertStatus};
pub use engine::{RunReport, run_rules};
pub use error::RulesError;
pub use rule::{Rule, Severity};
pub use store::{Action, AlertCounts, AlertDetail, AlertFilter, AlertStore, Recorded, Stored};
