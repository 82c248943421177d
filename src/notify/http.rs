//! A one-request HTTP/1.1 client for webhooks: hyper's connection API
//! over a TCP stream, wrapped in rustls for `https`, the public roots
//! (webpki-roots) plus an optional CA file, directly or through an HTTP
//! proxy's CONNECT tunnel. Webhook URLs carry secrets (Slack, Teams), so
//! only [`redact`]ed URLs appear in errors and logs.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::channel::Failure;

/// Where a webhook posts, checked once when the channel is set up.
#[derive(Clone)]
pub struct Target {
    uri: Uri,
    host: String,
    port: u16,
    tls: Option<Arc<rustls::ClientConfig>>,
    /// The proxy's host and port, when the receiver is reached through one.
    proxy: Option<(String, u16)>,
}

/// Longest CONNECT answer read from a proxy.
const MAX_PROXY_ANSWER: usize = 16 * 1024;

/// `http://host:port` of a proxy.
fn proxy_address(url: &str) -> Result<(String, u16)> {
    let Ok(uri) = url.trim().parse::<Uri>() else {
        bail!("the proxy `{url}` is not a valid URL");
    };
    if uri.scheme_str() != Some("http") {
        bail!("the proxy `{url}` must be http://host:port");
    }
    let Some(host) = uri.host().map(|h| h.trim_matches(['[', ']']).to_owned()) else {
        bail!("the proxy `{url}` has no host");
    };
    Ok((host, uri.port_u16().unwrap_or(8080)))
}

/// Asks the proxy on `stream` for a tunnel to `host:port`.
async fn tunnel(stream: &mut TcpStream, host: &str, port: u16) -> Result<()> {
    let authority = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let ask = format!(
        "CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: bannin/{}\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    stream
        .write_all(ask.as_bytes())
        .await
        .context("cannot ask the proxy for a tunnel")?;
    // The receiver speaks only after bannin does, so everything up to the
    // blank line is the proxy's answer.
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r\n\r\n") {
        if answer.len() >= MAX_PROXY_ANSWER {
            bail!("the proxy's answer is longer than {MAX_PROXY_ANSWER} bytes");
        }
        let n = stream
            .read(&mut byte)
            .await
            .context("cannot read the proxy's answer")?;
        if n == 0 {
            bail!("the proxy closed the connection");
        }
        answer.extend_from_slice(&byte);
    }
    let status_line = answer
        .split(|b| *b == b'\n')
        .next()
        .map(|l| String::from_utf8_lossy(l).trim().to_owned())
        .unwrap_or_default();
    let code = status_line.split_whitespace().nth(1).unwrap_or_default();
    if code != "200" {
        bail!("the proxy refused the tunnel: {status_line}");
    }
    Ok(())
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact(&self.uri))
    }
}

impl Target {
    pub fn new(url: &str, ca_file: Option<&std::path::Path>, proxy: Option<&str>) -> Result<Self> {
        let proxy = proxy.map(proxy_address).transpose()?;
        // The error must not echo the URL: it may be a secret.
        let Ok(uri) = url.parse::<Uri>() else {
            bail!("the webhook URL is not a valid URL");
        };
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => bail!("the webhook URL must start with http:// or https://"),
        };
        let Some(host) = uri.host().map(|h| h.trim_matches(['[', ']']).to_owned()) else {
            bail!("the webhook URL has no host");
        };
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let tls = if https {
            Some(Arc::new(client_config(ca_file)?))
        } else {
            None
        };
        Ok(Self {
            uri,
            host,
            port,
            tls,
            proxy,
        })
    }

    /// The URL without its path and query, for messages.
    pub fn redacted(&self) -> String {
        redact(&self.uri)
    }

    /// POSTs `body` as JSON; a 2xx answer is success.
    pub async fn post_json(&self, body: Vec<u8>, timeout: Duration) -> Result<(), Failure> {
        let status = tokio::time::timeout(timeout, self.exchange(body))
            .await
            .map_err(|_| {
                Failure::retry(format!(
                    "POST {}: no answer within {}s",
                    self.redacted(),
                    timeout.as_secs_f64()
                ))
            })?
            .map_err(|e| Failure::retry(format!("POST {}: {e:#}", self.redacted())))?;
        if status.is_success() {
            return Ok(());
        }
        let message = format!("POST {}: HTTP {status}", self.redacted());
        // A 4xx other than timeout and rate limiting will answer the same
        // again: the payload or the URL is wrong.
        let code = status.as_u16();
        if status.is_server_error() || code == 408 || code == 429 {
            Err(Failure::retry(message))
        } else {
            Err(Failure::permanent(message))
        }
    }

    async fn exchange(&self, body: Vec<u8>) -> Result<hyper::StatusCode> {
        let stream = match &self.proxy {
            None => TcpStream::connect((self.host.as_str(), self.port))
                .await
                .context("cannot connect")?,
            Some((proxy, port)) => {
                let mut stream = TcpStream::connect((proxy.as_str(), *port))
                    .await
                    .with_context(|| format!("cannot connect to the proxy {proxy}:{port}"))?;
                tunnel(&mut stream, &self.host, self.port).await?;
                stream
            }
        };
        let path = self
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let authority = self
            .uri
            .authority()
            .map_or(self.host.clone(), |a| a.as_str().to_owned());
        let request = Request::post(path)
            .header(hyper::header::HOST, authority)
            .header(
                hyper::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .header(
                hyper::header::USER_AGENT,
                concat!("bannin/", env!("CARGO_PKG_VERSION")),
            )
            .body(Full::new(Bytes::from(body)))
            .context("cannot build the request")?;
        match &self.tls {
            Some(config) => {
                let name =
                    ServerName::try_from(self.host.clone()).context("bad TLS server name")?;
                let stream = tokio_rustls::TlsConnector::from(Arc::clone(config))
                    .connect(name, stream)
                    .await
                    .context("TLS handshake failed")?;
                send(TokioIo::new(stream), request).await
            }
            None => send(TokioIo::new(stream), request).await,
        }
    }
}

async fn send<T>(io: T, request: Request<Full<Bytes>>) -> Result<hyper::StatusCode>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .context("HTTP handshake failed")?;
    let driver = tokio::spawn(connection);
    let response = sender.send_request(request).await;
    driver.abort();
    Ok(response.context("no HTTP answer")?.status())
}

/// TLS for a peer: the public roots, and the CAs of `ca_file` if given.
pub fn client_config(ca_file: Option<&std::path::Path>) -> Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        for cert in load_pem(path)? {
            roots
                .add(cert)
                .with_context(|| format!("{}: not a usable CA certificate", path.display()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS setup failed")?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// The certificates of a PEM file (at least one).
pub fn load_pem(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("cannot read certificates from {}", path.display()))?;
    if certs.is_empty() {
        bail!("{} holds no certificate", path.display());
    }
    Ok(certs)
}

/// `https://hooks.slack.com/…`: scheme, host and port, never the path or
/// query (where webhook secrets are).
pub fn redact(uri: &Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("?");
    let host = uri.host().unwrap_or("?");
    match uri.port_u16() {
        Some(port) => format!("{scheme}://{host}:{port}/…"),
        None => format!("{scheme}://{host}/…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_without_echoing_them() {
        let secret = "https://hooks.slack.com/services/T000/B000/XXXXSECRET";
        let target = Target::new(secret, None, None).unwrap();
        assert_eq!(target.redacted(), "https://hooks.slack.com/…");
        assert_eq!(format!("{target:?}"), "https://hooks.slack.com/…");
        let local = Target::new("http://127.0.0.1:8099/hook?token=abc", None, None).unwrap();
        assert_eq!(local.redacted(), "http://127.0.0.1:8099/…");
        for bad in [
            "ftp://example.jp/SECRET",
            "hooks.slack.com/SECRET",
            "http://",
        ] {
            let err = format!("{:#}", Target::new(bad, None, None).unwrap_err());
            assert!(!err.contains("SECRET"), "{err}");
        }
        for bad in ["https://proxy:8080", "proxy:8080", "http://"] {
            assert!(
                Target::new("https://hooks.slack.com/x", None, Some(bad)).is_err(),
                "{bad}"
            );
        }
        let proxied = Target::new(secret, None, Some("http://proxy.city.example.lg.jp")).unwrap();
        assert_eq!(
            proxied.proxy,
            Some(("proxy.city.example.lg.jp".to_owned(), 8080))
        );
    }
}
