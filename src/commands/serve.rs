//! `bannin serve`: the HTTP API and web console, and the syslog listeners
//! that feed the lake through the durable pipeline.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use bannin_ingest::listen::{self, Counters, Draining, Endpoint};
use bannin_ingest::pipeline::Pipeline;
use bannin_ingest::sources::Listener;
use tokio::net::{TcpListener, UdpSocket};

use crate::api::{self, AppState};
use crate::auth::Gate;
use crate::cli::ServeArgs;
use crate::config::{Config, DataDir};
use crate::query_access::QueryAccess;

pub async fn run(config: &Config, data: &DataDir, args: &ServeArgs) -> Result<()> {
    let addr = args
        .listen_http
        .as_deref()
        .unwrap_or(&config.serve.listen_http);
    let listener = bind(addr).await?;
    let udp = enabled(&args.listen_syslog_udp, &config.serve.listen_syslog_udp);
    let tcp = enabled(&args.listen_syslog_tcp, &config.serve.listen_syslog_tcp);
    let tls = enabled(&args.listen_syslog_tls, &config.serve.listen_syslog_tls);
    let relp = enabled(&args.listen_relp, &config.serve.listen_relp);
    let listeners = Listeners {
        udp,
        tcp,
        tls,
        relp,
    };
    let ingest = Ingest::start(config, data, listeners).await?;
    let notifier = crate::notify::start(config, data).await?;
    let query = QueryAccess::new(config, data, Some(Arc::clone(&ingest.pipeline)))?;
    let gate = Gate::new(query.auth());
    let pg = match enabled(&args.listen_pg, &config.serve.listen_pg) {
        Some(addr) => Some(serve_pg(&addr, query.clone(), gate.clone()).await?),
        None => None,
    };
    let scheduler = if config.rules.schedule {
        Some(start_rules(config, data, query.clone())?)
    } else {
        None
    };
    say!("bannin is listening on http://{}/", listener.local_addr()?);
    let state = AppState::new(
        data.clone(),
        query,
        gate,
        Some(Arc::clone(&ingest.pipeline)),
        ingest.endpoints.clone(),
        config.ingest.max_line_bytes,
    )
    .with_rules(config)?;
    let served = serve(listener, state).await;
    notifier.abort();
    if let Some(pg) = pg {
        pg.abort();
    }
    if let Some(scheduler) = scheduler {
        scheduler.abort();
    }
    ingest.stop().await?;
    served
}

/// The address a listener is set to, if it is on (flag over config; an
/// empty string is off).
fn enabled(flag: &Option<String>, config: &str) -> Option<String> {
    let addr = flag.as_deref().unwrap_or(config).trim();
    (!addr.is_empty()).then(|| addr.to_owned())
}

pub async fn bind(addr: &str) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(listener: TcpListener, state: AppState) -> Result<()> {
    state.data.ensure()?;
    let app = api::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .context("HTTP server failed")
}

/// Starts the rule scheduler: every enabled rule on its schedule, over
/// the lake and the rows not yet committed.
fn start_rules(
    config: &Config,
    data: &DataDir,
    query: QueryAccess,
) -> Result<tokio::task::JoinHandle<()>> {
    let rules = config.rules.load()?;
    let scheduler = bannin_rules::Scheduler::new(
        rules,
        config.rules.tuning(),
        Arc::new(query),
        &data.alerts(),
        bannin_rules::CatchUp::default(),
    )
    .context("cannot start the rule scheduler")?;
    say!(
        "bannin runs {} detection rule(s) on their schedules",
        scheduler.enabled_count()
    );
    Ok(tokio::spawn(scheduler.run(std::future::pending())))
}

/// Starts the PostgreSQL wire-protocol listener on `addr`.
async fn serve_pg(
    addr: &str,
    query: QueryAccess,
    gate: Gate,
) -> Result<tokio::task::JoinHandle<()>> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot serve PostgreSQL clients on {addr}"))?;
    say!("bannin serves SQL on postgres://{}", listener.local_addr()?);
    Ok(tokio::spawn(async move {
        if let Err(e) = crate::pg::serve(listener, query, gate).await {
            tracing::error!(error = %e, "PostgreSQL listener stopped");
        }
    }))
}

/// The syslog listeners asked for, by address.
struct Listeners {
    udp: Option<String>,
    tcp: Option<String>,
    tls: Option<String>,
    relp: Option<String>,
}

/// The TLS files from the configuration, checked before anything starts.
fn tls_files(config: &Config) -> Result<listen::tls::TlsFiles> {
    let path = |value: &str, key: &str| -> Result<std::path::PathBuf> {
        if value.trim().is_empty() {
            anyhow::bail!("syslog over TLS needs serve.{key} in the configuration");
        }
        Ok(value.into())
    };
    Ok(listen::tls::TlsFiles {
        cert: path(&config.serve.tls_cert, "tls_cert")?,
        key: path(&config.serve.tls_key, "tls_key")?,
        client_ca: (!config.serve.tls_client_ca.trim().is_empty())
            .then(|| config.serve.tls_client_ca.clone().into()),
    })
}

/// The running syslog listeners and the pipeline behind them.
struct Ingest {
    pipeline: Arc<Pipeline>,
    endpoints: Vec<Endpoint>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Stops the TCP and TLS connections so that they hand on what they read.
    draining: Draining,
    /// Writes Parquet while the listeners go on accepting.
    committer: std::thread::JoinHandle<()>,
}

/// How long a stop waits at most for connections to hand on what they
/// have read: a connection reads for up to 5 s while its sender goes on
/// sending; only a pipeline that refuses records (a full disk) uses it all.
const DRAIN: Duration = Duration::from_secs(10);

impl Ingest {
    async fn start(config: &Config, data: &DataDir, listeners: Listeners) -> Result<Self> {
        let Listeners {
            udp,
            tcp,
            tls,
            relp,
        } = listeners;
        let acceptor = match &tls {
            Some(_) => {
                let files = tls_files(config)?;
                Some(listen::tls::acceptor(&files).context("cannot set up syslog over TLS")?)
            }
            None => None,
        };
        data.ensure()?;
        let sources = config.sources(Some(data.state_dir()))?;
        let max_frame = config.ingest.max_line_bytes;
        let (lake, wal_dir, flush_rows) = (data.lake(), data.wal_dir(), config.ingest.flush_rows);
        let (pipeline, recovery) = tokio::task::spawn_blocking(move || {
            Pipeline::open(lake, &wal_dir, sources, flush_rows)
        })
        .await
        .context("ingest task failed")?
        .context("cannot open the ingest pipeline")?;
        if recovery.replayed > 0 {
            say!(
                "recovered {} accepted record(s) from the write-ahead log",
                recovery.replayed
            );
        }
        let pipeline = Arc::new(pipeline);
        let draining = Draining::default();
        let mut tasks = Vec::new();
        let mut endpoints = Vec::new();
        let mut endpoint = |listener: Listener, address| {
            let counters = Arc::new(Counters::default());
            endpoints.push(Endpoint {
                listener,
                address,
                counters: Arc::clone(&counters),
            });
            (Arc::clone(&pipeline), counters)
        };
        if let Some(addr) = udp {
            let socket = UdpSocket::bind(&addr)
                .await
                .with_context(|| format!("cannot receive syslog on udp {addr}"))?;
            let wanted = config.serve.udp_receive_buffer;
            match listen::udp::set_receive_buffer(&socket, wanted) {
                Ok(granted) => tracing::info!(wanted, granted, "syslog/udp receive buffer"),
                Err(e) => tracing::warn!(error = %e, "cannot set the syslog/udp receive buffer"),
            }
            let address = socket.local_addr()?;
            say!("bannin receives syslog on udp://{address}");
            let (pipeline, counters) = endpoint(Listener::SyslogUdp, address);
            tasks.push(tokio::spawn(async move {
                if let Err(e) = listen::udp::serve(socket, pipeline, counters, max_frame).await {
                    tracing::error!(error = %e, "syslog/udp listener stopped");
                }
            }));
        }
        if let Some(addr) = tcp {
            let listener = TcpListener::bind(&addr)
                .await
                .with_context(|| format!("cannot receive syslog on tcp {addr}"))?;
            let address = listener.local_addr()?;
            say!("bannin receives syslog on tcp://{address}");
            let (pipeline, counters) = endpoint(Listener::SyslogTcp, address);
            let drain = draining.drain();
            tasks.push(tokio::spawn(async move {
                let served =
                    listen::tcp::serve(listener, pipeline, counters, max_frame, drain).await;
                if let Err(e) = served {
                    tracing::error!(error = %e, "syslog/tcp listener stopped");
                }
            }));
        }
        if let (Some(addr), Some(acceptor)) = (tls, acceptor) {
            let listener = TcpListener::bind(&addr)
                .await
                .with_context(|| format!("cannot receive syslog on tls {addr}"))?;
            let address = listener.local_addr()?;
            say!("bannin receives syslog on tls://{address}");
            let (pipeline, counters) = endpoint(Listener::SyslogTls, address);
            let drain = draining.drain();
            tasks.push(tokio::spawn(async move {
                let served =
                    listen::tls::serve(listener, acceptor, pipeline, counters, max_frame, drain)
                        .await;
                if let Err(e) = served {
                    tracing::error!(error = %e, "syslog/tls listener stopped");
                }
            }));
        }
        if let Some(addr) = relp {
            let listener = TcpListener::bind(&addr)
                .await
                .with_context(|| format!("cannot receive RELP on {addr}"))?;
            let address = listener.local_addr()?;
            say!("bannin receives RELP on relp://{address}");
            let (pipeline, counters) = endpoint(Listener::Relp, address);
            tasks.push(tokio::spawn(async move {
                if let Err(e) = listen::relp::serve(listener, pipeline, counters, max_frame).await {
                    tracing::error!(error = %e, "RELP listener stopped");
                }
            }));
        }
        tasks.extend(super::lake::spawn_maintenance(config, data.lake())?);
        let age = Duration::from_secs(config.ingest.flush_seconds);
        let committer = pipeline
            .commit_in_background(age)
            .context("cannot start the committer thread")?;
        Ok(Self {
            pipeline,
            endpoints,
            tasks,
            draining,
            committer,
        })
    }

    /// Stops receiving — TCP and TLS connections first hand on what they
    /// have read — and commits what is pending.
    async fn stop(self) -> Result<()> {
        if !self.draining.stop(DRAIN).await {
            tracing::warn!(
                "syslog connections still held records after {} s; stopping without them",
                DRAIN.as_secs()
            );
        }
        for task in &self.tasks {
            task.abort();
        }
        let (pipeline, committer) = (self.pipeline, self.committer);
        pipeline.stop_background();
        tokio::task::spawn_blocking(move || {
            if committer.join().is_err() {
                tracing::error!("the committer thread panicked");
            }
            pipeline.flush()
        })
        .await
        .context("ingest task failed")?
        .context("cannot commit the last records to the lake")
    }
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
