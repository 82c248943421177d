//! Session statements PostgreSQL clients send on connect or around their
//! queries, answered here instead of by the lake's SQL: `SET`, `RESET`,
//! `DISCARD` (accepted, changing nothing), `BEGIN` / `COMMIT` /
//! `ROLLBACK` (accepted: every query is read-only), `SHOW` of the settings
//! drivers read, and `SELECT version()`.

/// The version reported to clients: a PostgreSQL release whose protocol
/// and text formats we follow, so drivers that parse it are satisfied.
pub const SERVER_VERSION: &str = "16.6";

/// How a session statement is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A command tag, no rows (e.g. `SET`).
    Done(&'static str),
    /// A transaction started or ended (tag `BEGIN`, `COMMIT`, `ROLLBACK`).
    TransactionStart(&'static str),
    TransactionEnd(&'static str),
    /// One text row in one column.
    Value {
        column: String,
        value: String,
    },
    /// `SHOW` of a setting we do not know (SQLSTATE 42704).
    UnknownSetting(String),
}

/// The answer to `sql` when it is a session statement; `None` for
/// everything else (it goes to the lake's SQL).
pub fn answer(sql: &str) -> Option<Answer> {
    let text = sql.trim().trim_end_matches(';').trim();
    let lower = text.to_ascii_lowercase();
    let mut words = lower.split_whitespace();
    let first = words.next()?;
    match first {
        "set" | "reset" => Some(Answer::Done(if first == "set" { "SET" } else { "RESET" })),
        "discard" => Some(Answer::Done("DISCARD ALL")),
        "begin" | "start" => Some(Answer::TransactionStart("BEGIN")),
        "commit" | "end" => Some(Answer::TransactionEnd("COMMIT")),
        "rollback" | "abort" => Some(Answer::TransactionEnd("ROLLBACK")),
        "show" => {
            let name = lower.get("show".len()..).unwrap_or_default().trim();
            Some(show(name))
        }
        "select" if is_version_query(&lower) => Some(Answer::Value {
            column: "version".to_owned(),
            value: format!(
                "PostgreSQL {SERVER_VERSION} (bannin {}, read-only SQL over the lake)",
                env!("CARGO_PKG_VERSION")
            ),
        }),
        _ => None,
    }
}

fn is_version_query(lower: &str) -> bool {
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    matches!(
        compact.as_str(),
        "selectversion()" | "selectpg_catalog.version()"
    )
}

fn show(name: &str) -> Answer {
    let value = match name {
        "server_version" => SERVER_VERSION,
        "server_encoding" | "client_encoding" => "UTF8",
        "transaction isolation level" | "default_transaction_isolation" => "read committed",
        "transaction_read_only" | "default_transaction_read_only" => "on",
        "search_path" => "public",
        "standard_conforming_strings" | "integer_datetimes" => "on",
        "timezone" => "UTC",
        "datestyle" => "ISO, YMD",
        "intervalstyle" => "postgres",
        "max_identifier_length" => "63",
        "application_name" => "",
        _ => return Answer::UnknownSetting(name.to_owned()),
    };
    let column = match name {
        "transaction isolation level" => "transaction_isolation",
        other => other,
    };
    Answer::Value {
        column: column.to_owned(),
        value: value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_statements_are_answered_here() {
        assert_eq!(
            answer("SET extra_float_digits = 3"),
            Some(Answer::Done("SET"))
        );
        assert_eq!(
            answer("  BEGIN READ ONLY;"),
            Some(Answer::TransactionStart("BEGIN"))
        );
        assert_eq!(answer("rollback"), Some(Answer::TransactionEnd("ROLLBACK")));
        assert_eq!(
            answer("SHOW TRANSACTION ISOLATION LEVEL"),
            Some(Answer::Value {
                column: "transaction_isolation".into(),
                value: "read committed".into()
            })
        );
        assert_eq!(
            answer("show no_such_thing"),
            Some(Answer::UnknownSetting("no_such_thing".into()))
        );
        let Some(Answer::Value { value, .. }) = answer("select VERSION( )") else {
            panic!("version() is answered");
        };
        assert!(value.starts_with("PostgreSQL 16."), "{value}");
    }

    #[test]
    fn queries_go_to_the_lake() {
        assert_eq!(answer("SELECT count(*) FROM auth"), None);
        assert_eq!(answer("SELECT version() AS v, 1"), None);
        assert_eq!(answer("settle"), None);
        assert_eq!(answer(""), None);
        // Not a session statement: refused by the read-only session.
        assert_eq!(answer("DROP TABLE auth"), None);
    }
}
