//! bannin-rules: detection content and alerts.
//!
//! A [`rule::Rule`] is data (TOML, docs/rules.md): shipped in
//! `rules/packs/` and embedded by [`packs`], or the municipality's own.
//! Lengths of time are [`span`]s; a rule's SQL has placeholders filled by
//! [`params`] (the window bounds and thresholds), whose values [`tuning`]
//! sets per tenant. The [`engine`] runs a rule over one window and turns
//! each result row into an [`alert::Alert`] with a deterministic id; the
//! [`store`] keeps alerts (SQLite): a re-run merges into the known alert
//! instead of duplicating it, and people move alerts through their
//! lifecycle (new → acknowledged → resolved / false_positive,
//! docs/alerts.md) with comments and a history, and sum up a shift for
//! the next one (`AlertStore::handover`). [`check`] plans a rule's SQL
//! against the schema; [`backtest`] runs a rule's inline test cases
//! through the real parsers. The [`scheduler`] runs enabled rules inside
//! `bannin serve` over event-time windows with allowed lateness; [`runs`]
//! keeps each rule's watermark, run statistics, the gap log and the
//! run-time switches; [`state`] says whether a rule runs and why (the
//! configuration, or an admin's switch, which wins) with its last run.
//! [`sigma`] compiles Sigma YAML rules to rule SQL and pack entries.

pub mod alert;
pub mod backtest;
pub mod check;
pub mod engine;
pub mod error;
pub mod packs;
pub mod params;
pub mod rule;
pub mod runs;
pub mod scheduler;
pub mod sigma;
pub mod span;
pub mod state;
pub mod store;
pub mod tuning;

pub use alert::{Alert, AlertStatus};
pub use engine::{Evaluation, Sessions, evaluate};
pub use error::RulesError;
pub use rule::{Rule, Severity};
pub use scheduler::{CatchUp, RuleRun, Scheduler};
pub use span::Span;
pub use state::{RuleState, rule_states};
pub use store::{
    Action, AlertChange, AlertCounts, AlertDetail, AlertFilter, AlertStore, ChangePage, Handover,
    HandoverQuery, Recorded, Stored,
};
pub use tuning::Tuning;
