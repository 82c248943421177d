//! Errors of rule loading, evaluation and the alert store.

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("rule pack {pack}: {source}")]
    Pack {
        pack: String,
        source: toml::de::Error,
    },
    #[error("rule {rule}: {why}")]
    Invalid { rule: String, why: String },
    #[error("rule {rule}: query failed: {source}")]
    Query {
        rule: String,
        source: bannin_query::QueryError,
    },
    #[error("rule {rule}: result row {row}: {why}")]
    Row {
        rule: String,
        row: usize,
        why: String,
    },
    #[error("alert store {path}: {source}")]
    Store {
        path: String,
        source: rusqlite::Error,
    },
    #[error("alert store: {0}")]
    Data(String),
    #[error("no rule with id `{id}`")]
    UnknownRule { id: String },
    #[error("{0}")]
    BadQuery(String),
    #[error("no alert with id `{id}`")]
    NotFound { id: String },
    #[error("alert {id}: `{action}` is not allowed while it is `{from}` (it would become `{to}`)")]
    Transition {
        id: String,
        action: &'static str,
        from: crate::AlertStatus,
        to: crate::AlertStatus,
    },
    #[error("alert {id}: {why}")]
    Rejected { id: String, why: String },
}
