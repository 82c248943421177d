//! The PostgreSQL wire-protocol listener (`bannin serve --listen-pg`), so
//! psql, DBeaver, Grafana and JDBC clients can query the lake.
//!
//! [`auth`] admits a connection, [`handler`] answers the simple and the
//! extended query protocols through the same read-only session as every
//! other entry point, [`compat`] answers the session statements clients
//! send on connect (`SET`, `SHOW`, `BEGIN`, `SELECT version()`), and
//! [`errors`] gives each failure its SQLSTATE. Result rows are encoded by
//! the `arrow-pg` crate (text or binary, per the client's request).

mod auth;
mod compat;
mod errors;
mod handler;

use std::sync::Arc;

use anyhow::Result;
use tokio::net::TcpListener;

use crate::auth::Gate;
use crate::query_access::QueryAccess;

/// Serves PostgreSQL clients on `listener` until the task is dropped. A
/// connection that fails (garbage bytes, a client gone) is logged and
/// closed; the others go on.
pub async fn serve(listener: TcpListener, access: QueryAccess, gate: Gate) -> Result<()> {
    let handlers = Arc::new(handler::Handlers::new(access, gate));
    loop {
        let (socket, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait, then go on.
                tracing::warn!(error = %e, "pg: cannot accept a connection");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let handlers = Arc::clone(&handlers);
        tokio::spawn(async move {
            tracing::debug!(%peer, "pg: connection");
            if let Err(e) = pgwire::tokio::process_socket(socket, None, handlers).await {
                tracing::warn!(%peer, error = %e, "pg: connection closed on error");
            }
        });
    }
}
