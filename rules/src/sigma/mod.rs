//! Sigma import: Sigma YAML detection rules compiled to bannin rule SQL.
//!
//! - [`document`]: YAML → a typed Sigma rule (metadata, searches, conditions)
//! - [`logsource`]: `logsource` → the lake table and row filter
//! - [`fields`]: Sigma field names → columns, per log source
//! - [`modifiers`]: `|contains|all` and friends, what is supported
//! - [`condition`]: the condition expression parser (nom)
//! - [`sql`]: quoted literals and LIKE patterns from Sigma values
//! - [`compile`]: a rule → SQL ([`compile()`], [`CompiledSigma`])
//! - [`pack`]: compiled rules → a TOML rule pack ([`to_pack_toml`])
//!
//! What is refused, and why, is in docs/sigma.md; every refusal is a
//! [`SigmaError`] naming the construct, field or log source.

pub mod compile;
pub mod condition;
pub mod document;
pub mod error;
pub mod fields;
pub mod logsource;
pub mod modifiers;
pub mod pack;
pub mod sql;

pub use compile::{CompiledSigma, compile};
pub use error::SigmaError;
pub use pack::to_pack_toml;
