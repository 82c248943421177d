//! Admitting a PostgreSQL connection: the client is asked for a cleartext
//! password, which will be a bannin API token once tokens exist (issue 7);
//! the token's tenant scope then becomes the connection's [`Login`].
//! Until then any password is accepted and the connection sees every
//! tenant.

use std::fmt::Debug;
use std::sync::Arc;

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

/// Who a connection acts as, kept in its session extensions.
#[derive(Debug, Clone)]
pub struct Login {
    pub user: String,
    /// The tenant the connection is limited to (`None`: all tenants).
    pub tenant: Option<String>,
}

/// Checks the password a client sent for `user`.
///
/// TODO(issue 7): look the password up as an API token; refuse unknown or
/// revoked tokens and take the tenant from the token's scope.
fn check_password(user: &str, _password: &str) -> Result<Login, String> {
    Ok(Login {
        user: user.to_owned(),
        tenant: None,
    })
}

pub struct Startup {
    parameters: DefaultServerParameterProvider,
    pids: RandomPidSecretKeyGenerator,
}

impl Startup {
    pub fn new() -> Self {
        let mut parameters = DefaultServerParameterProvider::default();
        parameters.server_version = super::compat::SERVER_VERSION.to_owned();
        parameters.default_transaction_read_only = true;
        parameters.is_superuser = false;
        Self {
            parameters,
            pids: RandomPidSecretKeyGenerator::default(),
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
                let login = check_password(&user, &password.password).map_err(|reason| {
                    tracing::info!(%user, peer = %client.socket_addr(), %reason, "pg: login refused");
                    PgWireError::UserError(Box::new(ErrorInfo::new(
                        "FATAL".to_owned(),
                        "28P01".to_owned(),
                        reason,
                    )))
                })?;
                tracing::info!(%user, peer = %client.socket_addr(), "pg: login");
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
