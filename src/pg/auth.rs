//! Admitting a PostgreSQL connection: the client is asked for a cleartext
//! password, which is a bannin API token (`bannin token create`); the
//! token's role (admin, analyst or auditor — not ingest) and tenant scope
//! become the connection's [`Login`]. The user name is only shown in logs.
//! Failures count towards the same per-address throttle as the HTTP API's,
//! and every refusal is audited.

use std::fmt::Debug;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use async_trait::async_trait;
use futures::sink::{Sink, SinkExt};
use pgwire::api::auth::{
    DefaultServerParameterProvider, LoginInfo, StartupHandler, finish_authentication,
    protocol_negotiation, save_startup_parameters_to_metadata,
};
use pgwire::api::{
    ClientInfo, PgWireConnectionState, PidSecretKeyGenerator, RandomPidSecretKeyGenerator,
};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::startup::Authentication;
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};

use crate::auth::{AuditEntry, Gate, Principal, Role};

/// Who a connection acts as, kept in its session extensions.
#[derive(Debug, Clone)]
pub struct Login {
    pub user: String,
    pub principal: Principal,
    pub client: IpAddr,
}

/// Roles that may query over PostgreSQL.
const QUERY_ROLES: &[Role] = &[Role::Admin, Role::Analyst, Role::Auditor];

/// Checks the password (a token) a client at `client` sent for `user`.
async fn check_password(
    gate: &Gate,
    client: IpAddr,
    user: &str,
    password: &str,
) -> Result<Login, String> {
    if let Some(left) = gate.throttle.refused(client, Instant::now()) {
        return Err(format!(
            "too many failed logins from this address; retry in {} s",
            left.as_secs().max(1)
        ));
    }
    let refused = |why: &str| {
        let entry = AuditEntry {
            actor: if user.is_empty() {
                "unknown".into()
            } else {
                format!("pg:{user}")
            },
            action: "pg.login".into(),
            outcome: format!("denied: {why}"),
            client: Some(client.to_string()),
            ..AuditEntry::default()
        };
        (entry, why.to_owned())
    };
    let principal = match gate.verify(password.to_owned()).await {
        Ok(Some(principal)) => principal,
        Ok(None) => {
            gate.failures.fetch_add(1, Ordering::Relaxed);
            gate.throttle.failed(client, Instant::now());
            let (entry, why) = refused("the password is not a live bannin token");
            gate.audit(entry).await;
            return Err(why);
        }
        Err(e) => return Err(format!("cannot check the token: {e}")),
    };
    if !principal.is(QUERY_ROLES) {
        let (mut entry, why) = refused(&format!("a {} token cannot query", principal.role));
        entry.token = Some(principal.token_id.clone());
        gate.audit(entry).await;
        return Err(why);
    }
    Ok(Login {
        user: user.to_owned(),
        principal,
        client,
    })
}

pub struct Startup {
    parameters: DefaultServerParameterProvider,
    pids: RandomPidSecretKeyGenerator,
    gate: Gate,
}

impl Startup {
    pub fn new(gate: Gate) -> Self {
        let mut parameters = DefaultServerParameterProvider::default();
        parameters.server_version = super::compat::SERVER_VERSION.to_owned();
        parameters.default_transaction_read_only = true;
        parameters.is_superuser = false;
        Self {
            parameters,
            pids: RandomPidSecretKeyGenerator::default(),
            gate,
        }
    }
}

#[async_trait]
impl StartupHandler for Startup {
    async fn on_startup<C>(
        &self,
        client: &mut C,
        message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        match message {
            PgWireFrontendMessage::Startup(ref startup) => {
                protocol_negotiation(client, startup).await?;
                save_startup_parameters_to_metadata(client, startup);
                client.set_state(PgWireConnectionState::AuthenticationInProgress);
                client
                    .send(PgWireBackendMessage::Authentication(
                        Authentication::CleartextPassword,
                    ))
                    .await?;
            }
            PgWireFrontendMessage::PasswordMessageFamily(password) => {
                let password = password.into_password()?;
                let user = LoginInfo::from_client_info(client)
                    .user()
                    .unwrap_or_default()
                    .to_owned();
                let peer = client.socket_addr().ip();
                let checked = check_password(&self.gate, peer, &user, &password.password).await;
                let login = checked.map_err(|reason| {
                    tracing::info!(%user, %peer, %reason, "pg: login refused");
                    PgWireError::UserError(Box::new(ErrorInfo::new(
                        "FATAL".to_owned(),
                        "28P01".to_owned(),
                        reason,
                    )))
                })?;
                tracing::info!(%user, token = %login.principal.token_id, %peer, "pg: login");
                client.session_extensions().insert(login);
                let (pid, secret_key) = self.pids.generate(client);
                client.set_pid_and_secret_key(pid, secret_key);
                finish_authentication(client, &self.parameters).await?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// The login of a connection (every admitted connection has one).
pub fn login<C: ClientInfo + ?Sized>(client: &C) -> Option<Arc<Login>> {
    client.session_extensions().get::<Login>()
}
