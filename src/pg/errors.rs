//! Failures as PostgreSQL ErrorResponses with a SQLSTATE, so clients show
//! them and the connection goes on.

use bannin_query::QueryError;
use datafusion::error::DataFusionError;
use pgwire::error::{ErrorInfo, PgWireError};

/// SQLSTATE codes we send (PostgreSQL Appendix A).
pub mod code {
    pub const SYNTAX_ERROR: &str = "42601";
    pub const INSUFFICIENT_PRIVILEGE: &str = "42501";
    pub const UNDEFINED_TABLE: &str = "42P01";
    pub const UNDEFINED_COLUMN: &str = "42703";
    pub const UNDEFINED_OBJECT: &str = "42704";
    pub const FEATURE_NOT_SUPPORTED: &str = "0A000";
    pub const DATA_EXCEPTION: &str = "22000";
    pub const QUERY_CANCELED: &str = "57014";
    pub const OUT_OF_MEMORY: &str = "53200";
    pub const PROGRAM_LIMIT_EXCEEDED: &str = "54000";
    pub const INTERNAL_ERROR: &str = "XX000";
}

/// An ERROR (not FATAL: the connection survives) with `code`.
pub fn error(code: &str, message: impl Into<String>) -> PgWireError {
    PgWireError::UserError(Box::new(ErrorInfo::new(
        "ERROR".to_owned(),
        code.to_owned(),
        message.into(),
    )))
}

/// The ErrorResponse for a failed query.
pub fn query_error(e: &QueryError) -> PgWireError {
    error(sqlstate(e), e.to_string())
}

/// The SQLSTATE of a failed query.
pub fn sqlstate(e: &QueryError) -> &'static str {
    let e = match e {
        QueryError::DataFusion(e) => e,
        QueryError::Refused(_) | QueryError::Tenant(_) => return code::INSUFFICIENT_PRIVILEGE,
        QueryError::TimeLimit(_) => return code::QUERY_CANCELED,
        QueryError::MemoryLimit { .. } => return code::OUT_OF_MEMORY,
        QueryError::TooManyRows(_) => return code::PROGRAM_LIMIT_EXCEEDED,
        _ => return code::INTERNAL_ERROR,
    };
    match e.find_root() {
        DataFusionError::SQL(..) => code::SYNTAX_ERROR,
        DataFusionError::SchemaError(..) => code::UNDEFINED_COLUMN,
        DataFusionError::ResourcesExhausted(..) => code::OUT_OF_MEMORY,
        DataFusionError::NotImplemented(..) => code::FEATURE_NOT_SUPPORTED,
        DataFusionError::Plan(message) => plan_sqlstate(message),
        DataFusionError::Execution(message) if is_timeout(message) => code::QUERY_CANCELED,
        DataFusionError::Execution(..) | DataFusionError::ArrowError(..) => code::DATA_EXCEPTION,
        _ => code::INTERNAL_ERROR,
    }
}

fn plan_sqlstate(message: &str) -> &'static str {
    // The read-only session refuses with "DDL/DML/Statement not supported".
    if [
        "DDL not supported",
        "DML not supported",
        "Statement not supported",
    ]
    .iter()
    .any(|refusal| message.starts_with(refusal))
    {
        code::INSUFFICIENT_PRIVILEGE
    } else if message.starts_with("table '") && message.ends_with("not found") {
        code::UNDEFINED_TABLE
    } else {
        code::SYNTAX_ERROR
    }
}

fn is_timeout(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("timed out") || lower.contains("time limit")
}
