//! Alert notifications (docs/notifications.md): every alert change that a
//! route selects is delivered to its channels, at most once per channel,
//! retried with backoff, and kept as a dead letter when it cannot be.
//!
//! - [`config`]: `[notify]` — delivery settings, channels and routes;
//! - [`routing`]: which channels hear of a change;
//! - [`notice`]: what is said, Japanese first, English after;
//! - [`webhook`]: generic JSON, Slack and Teams payloads, sent by [`http`];
//! - [`mail`]: SMTP with STARTTLS or TLS (lettre);
//! - [`channel`]: a configured destination and how a send fails;
//! - [`outbox`]: the durable cursor and deliveries (`state/notify.sqlite`);
//! - [`delivery`]: the notifier task inside `bannin serve`;
//! - [`deadletter`]: deliveries given up, listed and retried.

pub mod channel;
pub mod config;
pub mod deadletter;
pub mod delivery;
pub mod http;
pub mod mail;
pub mod notice;
pub mod outbox;
pub mod routing;
pub mod webhook;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};

pub use config::NotifyConfig;
pub use deadletter::DeadLetter;
pub use outbox::NotifyCounts;

use crate::config::{Config, DataDir};

/// The outbox file.
pub fn outbox_path(data: &DataDir) -> PathBuf {
    data.state_dir().join("notify.sqlite")
}

/// Where links in notifications point: `[notify] base_url`, else the
/// HTTP listener.
pub fn base_url(config: &Config) -> String {
    let configured = config.notify.base_url.trim().trim_end_matches('/');
    if configured.is_empty() {
        format!("http://{}", config.serve.listen_http)
    } else {
        configured.to_owned()
    }
}

/// Starts the notifier (inside `bannin serve`): channels are set up first,
/// so a missing secret stops the start with its reason.
pub async fn start(config: &Config, data: &DataDir) -> Result<tokio::task::JoinHandle<()>> {
    let channels = channel::all(&config.notify)?;
    let (notify, base) = (config.notify.clone(), base_url(config));
    let (alerts, outbox) = (data.alerts(), outbox_path(data));
    let notifier = tokio::task::spawn_blocking(move || {
        delivery::Notifier::open(notify, channels, base, alerts, outbox)
    })
    .await
    .context("notifier task failed")?
    .context("cannot start the notifier")?;
    Ok(tokio::spawn(Arc::new(notifier).run()))
}

/// Totals for `/metrics`; zeros before the notifier ever ran. Blocking
/// (SQLite): call it from `spawn_blocking`.
pub fn counts(data: &DataDir) -> Result<NotifyCounts> {
    let path = outbox_path(data);
    if !path.exists() {
        return Ok(NotifyCounts::default());
    }
    outbox::Outbox::open(&path)?.counts()
}

/// Dead letters, newest first (only `tenants`' when given). Blocking.
pub fn dead_letters(
    data: &DataDir,
    tenants: Option<&[String]>,
    limit: usize,
) -> Result<Vec<DeadLetter>> {
    let path = outbox_path(data);
    if !path.exists() {
        return Ok(Vec::new());
    }
    outbox::Outbox::open(&path)?.dead_letters(tenants, limit)
}

/// Queues dead letter `id` again; `None` when there is none (of `tenants`,
/// when given). Blocking.
pub fn retry(data: &DataDir, id: i64, tenants: Option<&[String]>) -> Result<Option<DeadLetter>> {
    let path = outbox_path(data);
    if !path.exists() {
        return Ok(None);
    }
    outbox::Outbox::open(&path)?.retry(id, tenants)
}

/// Sends a made-up notice to the channel `name` now, without the outbox.
pub async fn send_test(config: &Config, name: &str) -> Result<()> {
    let Some(channel_config) = config.notify.channels.get(name) else {
        let known: Vec<&str> = config.notify.channels.keys().map(String::as_str).collect();
        bail!(
            "no channel `{name}` in [notify.channels] (channels: {})",
            known.join(", ")
        );
    };
    let timeout = config.notify.timeout.std();
    let channel = channel::Channel::new(channel_config, timeout)
        .with_context(|| format!("notify.channels.{name}"))?;
    channel
        .send(&notice::Notice::test(&base_url(config)), timeout)
        .await
        .map_err(|f| anyhow::anyhow!("{}", f.message))
        .with_context(|| format!("test notification to `{name}` failed"))
}
