//! Syslog over TLS (RFC 5425): TCP framing inside a TLS session (rustls),
//! with optional client-certificate authentication — an appliance without
//! a certificate from the configured CA cannot send.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use super::tcp::connection;
use super::{Counters, Drain, each_connection, until_drained};
use crate::pipeline::Pipeline;
use crate::sources::Listener;

/// How long a TLS handshake may take.
const HANDSHAKE: Duration = Duration::from_secs(30);

/// Where the listener's certificate, key and (optional) client CA are.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// When set, clients must present a certificate issued by this CA.
    pub client_ca: Option<PathBuf>,
}

/// A TLS setting that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {why}")]
    Pem { path: PathBuf, why: String },
    #[error("{path} holds no certificate")]
    NoCertificate { path: PathBuf },
    #[error("TLS configuration: {0}")]
    Config(String),
}

/// Builds the acceptor from PEM files.
pub fn acceptor(files: &TlsFiles) -> Result<TlsAcceptor, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs = certificates(&files.cert)?;
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| TlsError::Pem {
        path: files.key.clone(),
        why: e.to_string(),
    })?;
    let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?;
    let builder = match &files.client_ca {
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            for cert in certificates(ca)? {
                roots
                    .add(cert)
                    .map_err(|e| TlsError::Config(format!("client CA {}: {e}", ca.display())))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| TlsError::Config(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let config = builder
        .with_single_cert(certs, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| TlsError::Pem {
            path: path.to_path_buf(),
            why: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate {
            path: path.to_path_buf(),
        });
    }
    Ok(certs)
}

/// Accepts TLS connections until the listener fails or `drain` asks to
/// stop. A failed or slow handshake (no or a wrong client certificate, not
/// TLS at all) ends only that connection, with the reason logged.
pub async fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    pipeline: Arc<Pipeline>,
    counters: Arc<Counters>,
    max_frame: usize,
    drain: Drain,
) -> std::io::Result<()> {
    let handler_counters = Arc::clone(&counters);
    let part = drain.clone();
    let serving = each_connection(listener, counters, "syslog/tls", move |stream, peer| {
        let (acceptor, pipeline, counters, drain) = (
            acceptor.clone(),
            Arc::clone(&pipeline),
            Arc::clone(&handler_counters),
            part.clone(),
        );
        async move {
            let session = match tokio::time::timeout(HANDSHAKE, acceptor.accept(stream)).await {
                Ok(Ok(session)) => session,
                Ok(Err(e)) => return Err(format!("handshake failed: {e}")),
                Err(_) => return Err("handshake timed out".to_owned()),
            };
            let listener = Listener::SyslogTls;
            connection(
                session, listener, peer, &pipeline, &counters, max_frame, drain,
            )
            .await
        }
    });
    until_drained(drain, serving).await
}
