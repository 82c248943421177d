//! `bannin serve`: the HTTP API and web console.

use anyhow::{Context, Result};
use tokio::net::TcpListener;

use crate::api;
use crate::cli::ServeArgs;
use crate::config::{Config, DataDir};

pub async fn run(config: &Config, data: &DataDir, args: &ServeArgs) -> Result<()> {
    let addr = args
        .listen_http
        .as_deref()
        .unwrap_or(&config.serve.listen_http);
    let listener = bind(addr).await?;
    say!("bannin is listening on http://{}/", listener.local_addr()?);
    serve(listener, data).await
}

pub async fn bind(addr: &str) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(listener: TcpListener, data: &DataDir) -> Result<()> {
    data.ensure()?;
    axum::serve(listener, api::router(data.clone()))
        .with_graceful_shutdown(shutdown())
        .await
        .context("HTTP server failed")
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
