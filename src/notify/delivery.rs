//! The notifier task: follows the alert change feed from the outbox's
//! cursor, records each routed (change, channel) in the outbox, then
//! delivers what is due, retrying with exponential backoff until the
//! attempts run out and the delivery becomes a dead letter. SQLite work
//! runs on the blocking pool, sends on the async threads with a timeout,
//! so neither the rule scheduler nor the API waits for a slow receiver.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use bannin_rules::AlertStore;

use super::channel::{Channel, Failure};
use super::config::NotifyConfig;
use super::notice::Notice;
use super::outbox::{Delivery, Outbox, now_ms};
use super::routing::channels_for;

/// Changes read from the feed per page.
const PAGE: usize = 200;
/// Deliveries attempted per round.
const BATCH: usize = 50;
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

pub struct Notifier {
    config: NotifyConfig,
    channels: BTreeMap<String, Channel>,
    base_url: String,
    alerts_path: PathBuf,
    /// The open files, used from the blocking pool only.
    files: Mutex<Files>,
}

struct Files {
    alerts: Option<AlertStore>,
    outbox: Outbox,
}

/// The wait before the next attempt after `failed` failed attempts:
/// `base`, doubled for each further failure, at most an hour.
pub fn backoff(base: Duration, failed: u32) -> Duration {
    let factor = 2u32.saturating_pow(failed.saturating_sub(1));
    base.saturating_mul(factor).min(MAX_BACKOFF)
}

impl Notifier {
    /// Opens the outbox; on the very first start the cursor is set to the
    /// newest change, so alerts raised before notifications existed are
    /// not sent.
    pub fn open(
        config: NotifyConfig,
        channels: BTreeMap<String, Channel>,
        base_url: String,
        alerts_path: PathBuf,
        outbox_path: PathBuf,
    ) -> Result<Self> {
        let mut outbox = Outbox::open(&outbox_path)?;
        let alerts = if alerts_path.exists() {
            Some(AlertStore::open(&alerts_path)?)
        } else {
            None
        };
        if outbox.cursor()?.is_none() {
            let start = match &alerts {
                Some(store) => store.last_change()?,
                None => 0,
            };
            outbox.enqueue(start, &[])?;
            tracing::info!(
                cursor = start,
                "notifications start after the newest alert change"
            );
        }
        Ok(Self {
            config,
            channels,
            base_url,
            alerts_path,
            files: Mutex::new(Files { alerts, outbox }),
        })
    }

    /// Runs until the task is aborted.
    pub async fn run(self: Arc<Self>) {
        let pause = self.config.poll_interval.std();
        loop {
            if let Err(e) = Arc::clone(&self).round().await {
                tracing::warn!(error = %format!("{e:#}"), "notifier round failed");
            }
            tokio::time::sleep(pause).await;
        }
    }

    /// Follows the feed, then makes the deliveries that are due.
    pub async fn round(self: Arc<Self>) -> Result<()> {
        let this = Arc::clone(&self);
        let due = tokio::task::spawn_blocking(move || -> Result<Vec<Delivery>> {
            this.follow()?;
            this.with_outbox(|o| o.due(now_ms(), BATCH))
        })
        .await
        .context("notifier task failed")??;
        let sends = due.into_iter().map(|d| {
            let this = Arc::clone(&self);
            async move { this.deliver(d).await }
        });
        for result in futures::future::join_all(sends).await {
            result?;
        }
        Ok(())
    }

    /// Records the routed changes after the cursor in the outbox.
    fn follow(&self) -> Result<()> {
        let mut files = self
            .files
            .lock()
            .map_err(|_| anyhow!("outbox lock poisoned"))?;
        let files = &mut *files;
        if files.alerts.is_none() {
            if !self.alerts_path.exists() {
                return Ok(());
            }
            files.alerts = Some(AlertStore::open(&self.alerts_path)?);
        }
        let Some(alerts) = &files.alerts else {
            return Ok(());
        };
        let mut cursor = files.outbox.cursor()?.unwrap_or(0);
        loop {
            let page = alerts.changes_after(cursor, None, PAGE)?;
            if page.next <= cursor {
                return Ok(());
            }
            let mut rows = Vec::new();
            for change in &page.changes {
                let notice = Notice::from_change(change, &self.base_url);
                for channel in channels_for(&self.config.routes, &notice) {
                    rows.push((notice.clone(), channel));
                }
            }
            files.outbox.enqueue(page.next, &rows)?;
            cursor = page.next;
        }
    }

    fn with_outbox<T>(&self, f: impl FnOnce(&mut Outbox) -> Result<T>) -> Result<T> {
        let mut files = self
            .files
            .lock()
            .map_err(|_| anyhow!("outbox lock poisoned"))?;
        f(&mut files.outbox)
    }

    async fn deliver(self: Arc<Self>, delivery: Delivery) -> Result<()> {
        let timeout = self.config.timeout.std();
        let result = match self.channels.get(&delivery.channel) {
            Some(channel) => channel.send(&delivery.notice, timeout).await,
            None => Err(Failure::permanent(format!(
                "channel `{}` is no longer configured",
                delivery.channel
            ))),
        };
        let attempts = delivery.attempts.saturating_add(1);
        let (channel, alert) = (delivery.channel.clone(), delivery.notice.alert_id.clone());
        let retry_at = match &result {
            Ok(()) => {
                tracing::info!(%channel, %alert, change = %delivery.notice.change, "notification sent");
                None
            }
            Err(f) if f.retry && attempts < self.config.max_attempts => {
                let wait = backoff(self.config.retry_base.std(), attempts);
                tracing::warn!(%channel, %alert, attempts, error = %f.message,
                    retry_in_ms = wait.as_millis() as u64, "notification failed, will retry");
                Some(now_ms().saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX)))
            }
            Err(f) => {
                tracing::error!(%channel, %alert, attempts, error = %f.message,
                    "notification failed, moved to the dead letters");
                None
            }
        };
        let this = Arc::clone(&self);
        tokio::task::spawn_blocking(move || {
            this.with_outbox(|o| match result {
                Ok(()) => o.sent(delivery.id),
                Err(f) => o.failed(delivery.id, &f.message, retry_at),
            })
        })
        .await
        .context("notifier task failed")?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let base = Duration::from_secs(30);
        let waits: Vec<u64> = (1..=5).map(|n| backoff(base, n).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480]);
        assert_eq!(backoff(base, 40), MAX_BACKOFF);
    }
}
