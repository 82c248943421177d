//! Statement checks before planning: one read-only query that reads only
//! the session's tables.
//!
//! The check works on the parsed statement, not on the text, so comments,
//! case and quoting change nothing. DataFusion's own `SQLOptions` check of
//! the plan (no DDL, DML or `SET`) runs after it as a second line.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::catalog::TableFunction;
use datafusion::sql::parser::{DFParser, Statement as DfStatement};
use datafusion::sql::sqlparser::ast::{ObjectName, Statement, TableFactor, Visit, Visitor};
use datafusion::sql::sqlparser::dialect::GenericDialect;

use crate::QueryError;

/// A statement that passed the checks.
#[derive(Debug)]
pub struct Checked {
    pub statement: DfStatement,
    /// A query whose rows are the answer (not EXPLAIN or SHOW), so a row
    /// cap can be pushed into its plan.
    pub is_query: bool,
}

/// Parses `sql` and accepts exactly one read-only statement: a query,
/// `EXPLAIN [ANALYZE]` of one, `SHOW TABLES` or `SHOW COLUMNS`. Table
/// functions must be among `table_functions` (the session's, none of
/// which reads files), and no relation may be named by a path or URL.
pub fn check(
    sql: &str,
    table_functions: &HashMap<String, Arc<TableFunction>>,
) -> Result<Checked, QueryError> {
    let mut statements = DFParser::parse_sql_with_dialect(sql, &GenericDialect {})?;
    if statements.len() > 1 {
        return Err(QueryError::Refused(format!(
            "one statement at a time, found {}",
            statements.len()
        )));
    }
    let statement = statements
        .pop_front()
        .ok_or_else(|| QueryError::Refused("no statement".into()))?;
    let is_query =
        matches!(&statement, DfStatement::Statement(s) if matches!(**s, Statement::Query(_)));
    read_only(&statement)?;
    sources(&statement, table_functions)?;
    Ok(Checked {
        statement,
        is_query,
    })
}

fn refused_statement(what: &str) -> QueryError {
    QueryError::Refused(format!("only read-only queries are allowed, not {what}"))
}

fn read_only(statement: &DfStatement) -> Result<(), QueryError> {
    match statement {
        DfStatement::Statement(inner) => read_only_sql(inner),
        DfStatement::Explain(explain) => read_only(&explain.statement),
        DfStatement::CreateExternalTable(_) => Err(refused_statement("CREATE EXTERNAL TABLE")),
        DfStatement::CopyTo(_) => Err(refused_statement("COPY")),
        DfStatement::Reset(_) => Err(refused_statement("RESET")),
    }
}

fn read_only_sql(statement: &Statement) -> Result<(), QueryError> {
    match statement {
        Statement::Query(_) | Statement::ShowTables { .. } | Statement::ShowColumns { .. } => {
            Ok(())
        }
        Statement::Explain { statement, .. } => read_only_sql(statement),
        other => Err(refused_statement(&leading_keywords(other))),
    }
}

/// `INSERT INTO`, `DROP TABLE`, `SET` …: the statement's leading keywords.
fn leading_keywords(statement: &Statement) -> String {
    let text = statement.to_string();
    let words: Vec<&str> = text
        .split_whitespace()
        .take_while(|w| w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .take(3)
        .collect();
    if words.is_empty() {
        "this statement".into()
    } else {
        words.join(" ")
    }
}

fn sources(
    statement: &DfStatement,
    table_functions: &HashMap<String, Arc<TableFunction>>,
) -> Result<(), QueryError> {
    let inner = match statement {
        DfStatement::Statement(inner) => inner.as_ref(),
        DfStatement::Explain(explain) => return sources(&explain.statement, table_functions),
        // Refused by `read_only` already.
        _ => return Ok(()),
    };
    let mut visitor = Sources { table_functions };
    match inner.visit(&mut visitor) {
        ControlFlow::Break(e) => Err(e),
        ControlFlow::Continue(()) => Ok(()),
    }
}

struct Sources<'a> {
    table_functions: &'a HashMap<String, Arc<TableFunction>>,
}

impl Sources<'_> {
    fn table_function(&self, name: &ObjectName) -> ControlFlow<QueryError> {
        let known = match name.0.as_slice() {
            [part] => part.as_ident().is_some_and(|ident| {
                self.table_functions
                    .contains_key(&ident.value.to_lowercase())
            }),
            _ => false,
        };
        if known {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(QueryError::Refused(format!(
                "table function {name} is not available: queries read only the lake's tables"
            )))
        }
    }
}

impl Visitor for Sources<'_> {
    type Break = QueryError;

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<QueryError> {
        match factor {
            TableFactor::Table {
                name,
                args: Some(_),
                ..
            }
            | TableFactor::Function { name, .. } => self.table_function(name),
            TableFactor::Table { name, .. } if names_a_file(name) => ControlFlow::Break(
                QueryError::Refused(format!("reading files or URLs is not allowed: {name}")),
            ),
            TableFactor::TableFunction { .. } => ControlFlow::Break(QueryError::Refused(
                "TABLE(…) is not available: queries read only the lake's tables".into(),
            )),
            _ => ControlFlow::Continue(()),
        }
    }
}

/// A relation named like a file or URL (`'/etc/passwd'`, `"x.parquet"`,
/// `'s3://…'`) rather than a table.
fn names_a_file(name: &ObjectName) -> bool {
    name.0.iter().any(|part| match part.as_ident() {
        Some(ident) => {
            ident.quote_style == Some('\'') || ident.value.contains(['/', '\\', ':', '.', '~'])
        }
        None => true,
    })
}
