//! Mail over SMTP with lettre: STARTTLS, implicit TLS, or plain to a relay
//! on this machine; optional AUTH with a password from the environment or
//! a file. The subject and body are UTF-8 Japanese first (lettre encodes
//! the subject as an RFC 2047 encoded word and the body for 7-bit
//! transport). The password is never logged nor put in an error.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::channel::Failure;
use super::config::{MailConfig, MailTls};
use super::notice::Notice;

/// A mail channel ready to send.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    /// `smtp://host:port`, for messages.
    peer: String,
}

/// What can be checked in the configuration alone.
pub fn check(config: &MailConfig) -> Result<()> {
    addresses(config)?;
    if config.tls == MailTls::None && !is_loopback(&config.host) {
        bail!(
            "tls = \"none\" is only for a relay on this machine (127.0.0.1, ::1, localhost), not {}",
            config.host
        );
    }
    Ok(())
}

fn addresses(config: &MailConfig) -> Result<(Mailbox, Vec<Mailbox>)> {
    let from = config
        .from
        .parse::<Mailbox>()
        .with_context(|| format!("from `{}` is not a mail address", config.from))?;
    if config.to.is_empty() {
        bail!("to has no address");
    }
    let to = config
        .to
        .iter()
        .map(|a| {
            a.parse::<Mailbox>()
                .with_context(|| format!("to `{a}` is not a mail address"))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((from, to))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Mailer {
    pub fn new(config: &MailConfig, timeout: Duration) -> Result<Self> {
        check(config)?;
        let (from, to) = addresses(config)?;
        let host = config.host.trim_matches(['[', ']']).to_owned();
        let tls = if config.tls == MailTls::None {
            Tls::None
        } else {
            let mut params = TlsParameters::builder(host.clone());
            if let Some(path) = &config.ca_file {
                let pem = std::fs::read(path)
                    .with_context(|| format!("cannot read ca_file {}", path.display()))?;
                let cert = Certificate::from_pem(&pem)
                    .with_context(|| format!("{}: no PEM certificate", path.display()))?;
                params = params.add_root_certificate(cert);
            }
            let params = params.build_rustls().context("TLS setup failed")?;
            match config.tls {
                MailTls::Tls => Tls::Wrapper(params),
                _ => Tls::Required(params),
            }
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
            .port(config.port())
            .tls(tls)
            .timeout(Some(timeout));
        if let Some(name) = &config.helo_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        if let (Some(user), Some(password)) = (&config.username, config.resolve_password()?) {
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Self {
            transport: builder.build(),
            from,
            to,
            peer: format!("smtp://{host}:{}", config.port()),
        })
    }

    pub async fn send(&self, notice: &Notice) -> Result<(), Failure> {
        let message = self
            .message(notice)
            .map_err(|e| Failure::permanent(format!("cannot build the mail: {e:#}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            // A 5xx answer (unknown recipient, refused sender) stays so.
            Err(e) if e.is_permanent() => Err(Failure::permanent(format!("{}: {e}", self.peer))),
            Err(e) => Err(Failure::retry(format!("{}: {e}", self.peer))),
        }
    }

    fn message(&self, notice: &Notice) -> Result<Message> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(notice.subject())
            .header(ContentType::TEXT_PLAIN);
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        Ok(builder.body(notice.text_body())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::notice::tests::mass_mail;

    fn config() -> MailConfig {
        MailConfig {
            host: "127.0.0.1".into(),
            port: Some(2525),
            tls: MailTls::None,
            username: None,
            password_env: None,
            password_file: None,
            from: "bannin <bannin@city.example.lg.jp>".into(),
            to: vec!["csirt@city.example.lg.jp".into()],
            ca_file: None,
            helo_name: Some("bannin01.city.example.lg.jp".into()),
        }
    }

    #[test]
    fn the_message_has_an_encoded_japanese_subject() {
        let mailer = Mailer::new(&config(), Duration::from_secs(1)).unwrap();
        let raw = String::from_utf8(mailer.message(&mass_mail()).unwrap().formatted()).unwrap();
        let subject = raw.lines().find(|l| l.starts_with("Subject:")).unwrap();
        assert!(subject.contains("=?utf-8?b?"), "{subject}");
        assert!(
            raw.contains("Content-Type: text/plain; charset=utf-8"),
            "{raw}"
        );
        assert!(raw.contains("To: csirt@city.example.lg.jp"), "{raw}");
    }

    #[test]
    fn plain_smtp_stays_on_this_machine() {
        assert!(is_loopback("localhost") && is_loopback("::1") && is_loopback("127.0.0.1"));
        let remote = MailConfig {
            host: "mail.city.example.lg.jp".into(),
            ..config()
        };
        assert!(check(&remote).is_err());
        let tls = MailConfig {
            tls: MailTls::Starttls,
            ..remote
        };
        check(&tls).unwrap();
    }
}
