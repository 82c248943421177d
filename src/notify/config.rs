//! `[notify]` in bannin.toml: delivery settings, named channels and the
//! routes from alert changes to channels (docs/notifications.md).
//!
//! Secrets stay out of the file where they can: a webhook URL (its path
//! is the secret for Slack and Teams) may come from an environment
//! variable or a file, an SMTP password only from one of those.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use bannin_rules::{Severity, Span};
use serde::Deserialize;

/// The alert changes a route may name (the history's action names).
pub const CHANGES: [&str; 8] = [
    "created",
    "occurrence",
    "acknowledge",
    "assign",
    "comment",
    "resolve",
    "false_positive",
    "reopen",
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    /// Where operators reach this bannin; links are `{base_url}/api/v1/alerts/{id}`.
    /// Empty: `http://` + `serve.listen_http`.
    pub base_url: String,
    /// Attempts per delivery before it becomes a dead letter.
    pub max_attempts: u32,
    /// Wait before the first retry; doubled for each further one (at most an hour).
    pub retry_base: Span,
    /// Longest one attempt may take (connect, TLS, send, answer).
    pub timeout: Span,
    /// How often the notifier looks for new alert changes.
    pub poll_interval: Span,
    pub channels: BTreeMap<String, ChannelConfig>,
    pub routes: Vec<RouteConfig>,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            base_url: String::new(),
            max_attempts: 5,
            retry_base: Span::from_secs(30),
            timeout: Span::from_secs(10),
            poll_interval: Span::from_secs(2),
            channels: BTreeMap::new(),
            routes: Vec::new(),
        }
    }
}

/// One `[notify.channels.NAME]`, by `type`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ChannelConfig {
    /// Generic JSON POST.
    Webhook(WebhookConfig),
    /// Slack incoming webhook.
    Slack(WebhookConfig),
    /// Microsoft Teams workflow ("When a Teams webhook request is received").
    Teams(WebhookConfig),
    /// SMTP.
    Mail(MailConfig),
}

impl ChannelConfig {
    pub fn kind(&self) -> &'static str {
        match self {
            ChannelConfig::Webhook(_) => "webhook",
            ChannelConfig::Slack(_) => "slack",
            ChannelConfig::Teams(_) => "teams",
            ChannelConfig::Mail(_) => "mail",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// The URL in clear (fine for a generic receiver without a secret in it).
    pub url: Option<String>,
    /// Environment variable holding the URL.
    pub url_env: Option<String>,
    /// File holding the URL (first line).
    pub url_file: Option<PathBuf>,
    /// PEM file of CA certificates trusted for the receiver, beside the
    /// built-in public roots.
    pub ca_file: Option<PathBuf>,
    /// An HTTP proxy (`http://proxy.city.example.lg.jp:8080`) to reach the
    /// receiver through, with CONNECT — for segments that reach the
    /// Internet only through the proxy.
    pub proxy: Option<String>,
}

impl WebhookConfig {
    /// The URL, from exactly one of `url`, `url_env`, `url_file`.
    pub fn resolve_url(&self) -> Result<String> {
        match (&self.url, &self.url_env, &self.url_file) {
            (Some(url), None, None) => Ok(url.trim().to_owned()),
            (None, Some(var), None) => read_env(var),
            (None, None, Some(path)) => read_file(path),
            _ => bail!("set exactly one of url, url_env and url_file"),
        }
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MailTls {
    /// Plain connection upgraded with STARTTLS (required; port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
    /// No TLS: only for a relay on this machine (127.0.0.1, ::1, localhost).
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub host: String,
    /// Default: 587 (starttls), 465 (tls), 25 (none).
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: MailTls,
    /// SMTP AUTH user; no authentication when unset.
    pub username: Option<String>,
    /// Environment variable holding the password.
    pub password_env: Option<String>,
    /// File holding the password (first line).
    pub password_file: Option<PathBuf>,
    pub from: String,
    pub to: Vec<String>,
    /// PEM file of CA certificates trusted for the SMTP server.
    pub ca_file: Option<PathBuf>,
    /// The name bannin gives in EHLO (some relays want this host's FQDN);
    /// default: `[127.0.0.1]`.
    pub helo_name: Option<String>,
}

impl MailConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            MailTls::Starttls => 587,
            MailTls::Tls => 465,
            MailTls::None => 25,
        })
    }

    /// The password, when the channel authenticates.
    pub fn resolve_password(&self) -> Result<Option<String>> {
        match (&self.username, &self.password_env, &self.password_file) {
            (None, None, None) => Ok(None),
            (Some(_), Some(var), None) => read_env(var).map(Some),
            (Some(_), None, Some(path)) => read_file(path).map(Some),
            (Some(_), None, None) => bail!("username needs password_env or password_file"),
            (None, ..) => bail!("password_env / password_file need a username"),
            (Some(_), Some(_), Some(_)) => bail!("set password_env or password_file, not both"),
        }
    }
}

/// One `[[notify.routes]]`: which changes go to which channels.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// Rule ids, exact or a prefix ending in `*` (`mail.*`); empty: every rule.
    #[serde(default)]
    pub rules: Vec<String>,
    /// The lowest severity routed.
    #[serde(default = "lowest")]
    pub min_severity: Severity,
    /// Only these tenants; empty: every tenant.
    #[serde(default)]
    pub tenants: Vec<String>,
    /// Alert changes routed; default: `created` and `reopen`.
    #[serde(default = "default_changes")]
    pub changes: Vec<String>,
    pub channels: Vec<String>,
}

fn lowest() -> Severity {
    Severity::Low
}

fn default_changes() -> Vec<String> {
    vec!["created".to_owned(), "reopen".to_owned()]
}

impl NotifyConfig {
    /// Checks what can be checked without the secrets: routes name known
    /// channels and changes, mail addresses parse, plain SMTP stays local.
    pub fn check(&self) -> Result<()> {
        if self.max_attempts == 0 {
            bail!("notify.max_attempts must be at least 1");
        }
        for (i, route) in self.routes.iter().enumerate() {
            let what = || format!("notify.routes[{i}]");
            if route.channels.is_empty() {
                bail!("{}: channels is empty", what());
            }
            for name in &route.channels {
                if !self.channels.contains_key(name) {
                    bail!("{}: no channel `{name}` in [notify.channels]", what());
                }
            }
            for change in &route.changes {
                if !CHANGES.contains(&change.as_str()) {
                    bail!(
                        "{}: unknown change `{change}` (changes: {})",
                        what(),
                        CHANGES.join(", ")
                    );
                }
            }
            for rule in &route.rules {
                if rule.is_empty() || rule.trim_end_matches('*').contains('*') {
                    bail!(
                        "{}: rule `{rule}` must be an id or a prefix ending in *",
                        what()
                    );
                }
            }
        }
        for (name, channel) in &self.channels {
            let what = || format!("notify.channels.{name}");
            match channel {
                ChannelConfig::Mail(mail) => super::mail::check(mail).with_context(what)?,
                ChannelConfig::Webhook(hook)
                | ChannelConfig::Slack(hook)
                | ChannelConfig::Teams(hook) => {
                    let set = [
                        hook.url.is_some(),
                        hook.url_env.is_some(),
                        hook.url_file.is_some(),
                    ];
                    if set.iter().filter(|s| **s).count() != 1 {
                        bail!("{}: set exactly one of url, url_env and url_file", what());
                    }
                }
            }
        }
        Ok(())
    }
}

fn read_env(var: &str) -> Result<String> {
    let value =
        std::env::var(var).with_context(|| format!("environment variable {var} is not set"))?;
    let value = value.trim();
    if value.is_empty() {
        bail!("environment variable {var} is empty");
    }
    Ok(value.to_owned())
}

fn read_file(path: &std::path::Path) -> Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    match text.lines().next().map(str::trim) {
        Some(line) if !line.is_empty() => Ok(line.to_owned()),
        _ => bail!("{} is empty", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<NotifyConfig> {
        let config: NotifyConfig = toml::from_str(text)?;
        config.check()?;
        Ok(config)
    }

    #[test]
    fn channels_and_routes_are_read_and_checked() {
        let config = parse(
            r#"
            base_url = "https://bannin.city.example.lg.jp"
            retry_base = "500ms"
            [channels.soc]
            type = "slack"
            url_env = "BANNIN_TEST_SLACK_URL"
            [channels.csirt]
            type = "mail"
            host = "mail.city.example.lg.jp"
            username = "bannin"
            password_file = "/etc/bannin/smtp-password"
            from = "bannin@city.example.lg.jp"
            to = ["csirt@city.example.lg.jp"]
            [[routes]]
            rules = ["mail.*"]
            min_severity = "high"
            channels = ["soc", "csirt"]
            "#,
        )
        .unwrap();
        assert_eq!(config.retry_base.std().as_millis(), 500);
        assert_eq!(config.max_attempts, 5);
        assert_eq!(config.channels["soc"].kind(), "slack");
        let ChannelConfig::Mail(mail) = &config.channels["csirt"] else {
            panic!("mail channel");
        };
        assert_eq!((mail.tls, mail.port()), (MailTls::Starttls, 587));
        assert_eq!(config.routes[0].changes, ["created", "reopen"]);
        assert_eq!(config.routes[0].min_severity, Severity::High);
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            (
                "[[routes]]\nchannels = [\"nowhere\"]\n",
                "no channel `nowhere`",
            ),
            (
                "[channels.a]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/\"\n[[routes]]\nchanges = [\"deleted\"]\nchannels = [\"a\"]\n",
                "unknown change `deleted`",
            ),
            (
                "[channels.a]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/\"\nsecret = \"x\"\n",
                "unknown field `secret`",
            ),
            (
                "[channels.m]\ntype = \"mail\"\nhost = \"mail.example.jp\"\ntls = \"none\"\nfrom = \"a@example.jp\"\nto = [\"b@example.jp\"]\n",
                "only for a relay on this machine",
            ),
            (
                "[channels.m]\ntype = \"mail\"\nhost = \"localhost\"\nusername = \"u\"\npassword = \"hunter2\"\nfrom = \"a@example.jp\"\nto = [\"b@example.jp\"]\n",
                "unknown field `password`",
            ),
            (
                "[channels.s]\ntype = \"slack\"\n",
                "set exactly one of url, url_env and url_file",
            ),
            (
                "[channels.m]\ntype = \"mail\"\nhost = \"localhost\"\nfrom = \"not an address\"\nto = [\"b@example.jp\"]\n",
                "from",
            ),
        ];
        for (text, expected) in cases {
            let err = format!("{:#}", parse(text).unwrap_err());
            assert!(err.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn secrets_come_from_the_environment_or_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "s3cret\n").unwrap();
        let mail = MailConfig {
            host: "localhost".into(),
            port: None,
            tls: MailTls::Tls,
            username: Some("bannin".into()),
            password_env: None,
            password_file: Some(file),
            from: "a@example.jp".into(),
            to: vec![],
            ca_file: None,
            helo_name: None,
        };
        assert_eq!(mail.resolve_password().unwrap().as_deref(), Some("s3cret"));
        assert_eq!(mail.port(), 465);
        let hook = WebhookConfig {
            url: None,
            url_env: Some("BANNIN_TEST_UNSET_VARIABLE_FOR_NOTIFY".into()),
            url_file: None,
            ca_file: None,
            proxy: None,
        };
        let err = format!("{:#}", hook.resolve_url().unwrap_err());
        assert!(
            err.contains("BANNIN_TEST_UNSET_VARIABLE_FOR_NOTIFY is not set"),
            "{err}"
        );
    }
}
