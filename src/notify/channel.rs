//! Channels: a configured destination, its secrets resolved, able to send
//! one [`Notice`]; and how a send fails.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result};

use super::config::{ChannelConfig, NotifyConfig, WebhookConfig};
use super::http::Target;
use super::mail::Mailer;
use super::notice::Notice;
use super::webhook;

/// A failed attempt: what went wrong (secrets redacted) and whether
/// trying again may help.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub message: String,
    pub retry: bool,
}

impl Failure {
    pub fn retry(message: String) -> Self {
        Self {
            message,
            retry: true,
        }
    }

    pub fn permanent(message: String) -> Self {
        Self {
            message,
            retry: false,
        }
    }
}

/// The payload format of a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Generic,
    Slack,
    Teams,
}

pub enum Channel {
    Webhook(Target, Format),
    Mail(Box<Mailer>),
}

impl Channel {
    pub fn new(config: &ChannelConfig, timeout: Duration) -> Result<Self> {
        let hook = |c: &WebhookConfig, format| -> Result<Self> {
            let target = Target::new(&c.resolve_url()?, c.ca_file.as_deref(), c.proxy.as_deref())?;
            Ok(Channel::Webhook(target, format))
        };
        match config {
            ChannelConfig::Webhook(c) => hook(c, Format::Generic),
            ChannelConfig::Slack(c) => hook(c, Format::Slack),
            ChannelConfig::Teams(c) => hook(c, Format::Teams),
            ChannelConfig::Mail(c) => Ok(Channel::Mail(Box::new(Mailer::new(c, timeout)?))),
        }
    }

    pub async fn send(&self, notice: &Notice, timeout: Duration) -> Result<(), Failure> {
        match self {
            Channel::Webhook(target, format) => {
                let doc = match format {
                    Format::Generic => webhook::generic(notice),
                    Format::Slack => webhook::slack(notice),
                    Format::Teams => webhook::teams(notice),
                };
                target
                    .post_json(doc.to_string().into_bytes(), timeout)
                    .await
            }
            // lettre applies the timeout to each SMTP step itself.
            Channel::Mail(mailer) => mailer.send(notice).await,
        }
    }
}

/// Every configured channel, by name.
pub fn all(config: &NotifyConfig) -> Result<BTreeMap<String, Channel>> {
    config
        .channels
        .iter()
        .map(|(name, c)| {
            let channel = Channel::new(c, config.timeout.std())
                .with_context(|| format!("notify.channels.{name} ({})", c.kind()))?;
            Ok((name.clone(), channel))
        })
        .collect()
}
