//! Why a Sigma rule was not imported.

/// A Sigma rule bannin refuses, with the reason in words an operator can act
/// on (the construct, field or log source that stopped it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigmaError {
    #[error("not valid YAML: {0}")]
    Yaml(String),
    #[error("not a Sigma rule: {0}")]
    Invalid(String),
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("log source {0} is not stored by bannin")]
    LogSource(String),
    #[error("field `{field}` has no mapping for log source {logsource}")]
    UnmappedField { field: String, logsource: String },
    #[error("condition `{condition}`: {why}")]
    Condition { condition: String, why: String },
    #[error("field `{field}`: {why}")]
    Value { field: String, why: String },
}
