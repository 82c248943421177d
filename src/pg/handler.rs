//! Answers the simple query protocol (psql) and the extended protocol
//! (Parse / Bind / Describe / Execute: JDBC, DBeaver, Grafana) for
//! statements without parameters. Every query runs in a fresh read-only
//! session through [`query_access`], as the connection's [`Login`].

use std::fmt::Debug;
use std::sync::Arc;

use arrow_pg::datatypes::{arrow_schema_to_pg_fields, encode_recordbatch};
use async_trait::async_trait;
use bannin_query::arrow::array::RecordBatch;
use bannin_query::arrow::datatypes::Schema;

use bannin_query::{QueryError, statements};
use futures::Sink;
use futures::stream;
use pgwire::api::portal::{Format, Portal};
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::results::{
    DataRowEncoder, DescribePortalResponse, DescribeResponse, DescribeStatementResponse, FieldInfo,
    QueryResponse, Response, Tag,
};
use pgwire::api::stmt::{NoopQueryParser, StoredStatement};
use pgwire::api::store::PortalStore;
use pgwire::api::{ClientInfo, ClientPortalStore, PgWireServerHandlers, Type};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;

use super::auth::{self, Login, Startup};
use super::compat::{self, Answer};
use super::errors::{self, code};
use crate::auth::Gate;
use crate::query_access::QueryAccess;

/// The handlers of every connection.
pub struct Handlers {
    queries: Arc<Queries>,
    startup: Arc<Startup>,
}

impl Handlers {
    pub fn new(access: QueryAccess, gate: Gate) -> Self {
        Self {
            queries: Arc::new(Queries {
                access,
                parser: Arc::new(NoopQueryParser::new()),
            }),
            startup: Arc::new(Startup::new(gate)),
        }
    }
}

impl PgWireServerHandlers for Handlers {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        Arc::clone(&self.queries)
    }

    fn extended_query_handler(&self) -> Arc<impl ExtendedQueryHandler> {
        Arc::clone(&self.queries)
    }

    fn startup_handler(&self) -> Arc<impl pgwire::api::auth::StartupHandler> {
        Arc::clone(&self.startup)
    }
}

pub struct Queries {
    access: QueryAccess,
    parser: Arc<NoopQueryParser>,
}

impl Queries {
    /// Runs one statement; rows are encoded in `format`.
    async fn respond(
        &self,
        login: Option<&Login>,
        sql: &str,
        format: &Format,
    ) -> PgWireResult<Response> {
        if statements::is_blank(sql) {
            return Ok(Response::EmptyQuery);
        }
        if let Some(answer) = compat::answer(sql) {
            return answered(answer, format);
        }
        let login = login.ok_or_else(not_logged_in)?;
        let result = self
            .access
            .run_as(&login.principal, sql, "pg", Some(login.client.to_string()))
            .await;
        // A client shows rows as the whole answer: a cut result is refused.
        let result = result.and_then(|r| match r.truncated {
            true => Err(QueryError::TooManyRows(r.num_rows())),
            false => Ok(r),
        });
        let result = result.map_err(|e| {
            tracing::debug!(user = %login.user, error = %e, "pg: query failed");
            errors::query_error(&e)
        })?;
        rows(result.batches, format)
    }

    /// The columns `sql` would return, without running it.
    async fn describe(
        &self,
        login: Option<&Login>,
        sql: &str,
        format: &Format,
    ) -> PgWireResult<Vec<FieldInfo>> {
        if statements::is_blank(sql) {
            return Ok(Vec::new());
        }
        if let Some(answer) = compat::answer(sql) {
            return Ok(match answer {
                Answer::Value { column, .. } => vec![text_field(column, format)],
                _ => Vec::new(),
            });
        }
        let login = login.ok_or_else(not_logged_in)?;
        let query_error = |e: QueryError| errors::query_error(&e);
        let session = self
            .access
            .open_for(&login.principal, sql)
            .await
            .map_err(query_error)?;
        let schema = session.describe(sql).await.map_err(query_error)?;
        arrow_schema_to_pg_fields(&schema, format, None)
    }
}

/// A statement on a connection that never logged in (pgwire refuses
/// those before they reach the handlers; this is the second line).
fn not_logged_in() -> PgWireError {
    PgWireError::UserError(Box::new(pgwire::error::ErrorInfo::new(
        "FATAL".to_owned(),
        "28000".to_owned(),
        "not logged in".to_owned(),
    )))
}

/// The result rows of a query, as the client asked them encoded.
fn rows(batches: Vec<RecordBatch>, format: &Format) -> PgWireResult<Response> {
    let schema = batches
        .first()
        .map(RecordBatch::schema)
        .unwrap_or_else(|| Arc::new(Schema::empty()));
    let fields = Arc::new(arrow_schema_to_pg_fields(&schema, format, None)?);
    let rows: Vec<_> = batches
        .into_iter()
        .flat_map(|batch| encode_recordbatch(Arc::clone(&fields), batch))
        .collect();
    Ok(Response::Query(QueryResponse::new(
        fields,
        stream::iter(rows),
    )))
}

fn answered(answer: Answer, format: &Format) -> PgWireResult<Response> {
    Ok(match answer {
        Answer::Done(tag) => Response::Execution(Tag::new(tag)),
        Answer::TransactionStart(tag) => Response::TransactionStart(Tag::new(tag)),
        Answer::TransactionEnd(tag) => Response::TransactionEnd(Tag::new(tag)),
        Answer::Value { column, value } => {
            let fields = Arc::new(vec![text_field(column, format)]);
            let mut encoder = DataRowEncoder::new(Arc::clone(&fields));
            encoder.encode_field(&value)?;
            let row = encoder.take_row();
            Response::Query(QueryResponse::new(fields, stream::iter(vec![Ok(row)])))
        }
        Answer::UnknownSetting(name) => {
            return Err(errors::error(
                code::UNDEFINED_OBJECT,
                format!("unrecognized configuration parameter \"{name}\""),
            ));
        }
    })
}

fn text_field(column: String, format: &Format) -> FieldInfo {
    FieldInfo::new(column, None, None, Type::TEXT, format.format_for(0))
}

#[async_trait]
impl SimpleQueryHandler for Queries {
    async fn do_query<C>(&self, client: &mut C, query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let login = auth::login(client);
        let mut responses = Vec::new();
        let all = statements::split_all(query);
        if all.is_empty() {
            return Ok(vec![Response::EmptyQuery]);
        }
        for sql in all {
            // A failing statement ends the query string, as in PostgreSQL.
            match self
                .respond(login.as_deref(), &sql, &Format::UnifiedText)
                .await
            {
                Ok(response) => responses.push(response),
                Err(PgWireError::UserError(info)) => {
                    responses.push(Response::Error(info));
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(responses)
    }
}

#[async_trait]
impl ExtendedQueryHandler for Queries {
    type Statement = String;
    type QueryParser = NoopQueryParser;

    fn query_parser(&self) -> Arc<Self::QueryParser> {
        Arc::clone(&self.parser)
    }

    async fn do_query<C>(
        &self,
        client: &mut C,
        portal: &Portal<Self::Statement>,
        _max_rows: usize,
    ) -> PgWireResult<Response>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        refuse_parameters(portal.parameter_len())?;
        let login = auth::login(client);
        self.respond(
            login.as_deref(),
            &portal.statement.statement,
            &portal.result_column_format,
        )
        .await
    }

    async fn do_describe_statement<C>(
        &self,
        client: &mut C,
        statement: &StoredStatement<Self::Statement>,
    ) -> PgWireResult<DescribeStatementResponse>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        refuse_parameters(statement.parameter_types.len())?;
        let login = auth::login(client);
        // Columns of a described statement are reported in text format:
        // the format is only chosen at Bind.
        let fields = self
            .describe(login.as_deref(), &statement.statement, &Format::UnifiedText)
            .await?;
        if fields.is_empty() {
            return Ok(DescribeStatementResponse::no_data());
        }
        Ok(DescribeStatementResponse::new(Vec::new(), fields))
    }

    async fn do_describe_portal<C>(
        &self,
        client: &mut C,
        portal: &Portal<Self::Statement>,
    ) -> PgWireResult<DescribePortalResponse>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let login = auth::login(client);
        let fields = self
            .describe(
                login.as_deref(),
                &portal.statement.statement,
                &portal.result_column_format,
            )
            .await?;
        Ok(DescribePortalResponse::new(fields))
    }
}

/// Bound parameters (`$1`) are not supported yet.
fn refuse_parameters(count: usize) -> PgWireResult<()> {
    if count == 0 {
        return Ok(());
    }
    Err(errors::error(
        code::FEATURE_NOT_SUPPORTED,
        "statements with parameters ($1 …) are not supported yet: send the values in the SQL text",
    ))
}
