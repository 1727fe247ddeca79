//! `Application`: builds the service (database and migrations, schema registration, relay,
//! fulfillment consumer, HTTP API) and runs it until shutdown. `build` does all the IO that can
//! fail at start-up, so a misconfigured service exits before it reports ready; tests build it on
//! port 0 against a fresh database and their own topic prefix.
//!
//! Readiness (`/health/ready`) = database reachable + relay running + consumer running.

use anyhow::Context as _;
use oms_contracts::AssetEventV1;
use oms_messaging::{
    ConsumerSettings, InboxConsumer, MessagingSettings, Relay, Router as MessageRouter,
    ServiceMessaging,
};
use oms_runtime::config::ServiceConfig;
use oms_runtime::http::{Authenticator, Readiness, Server, health};
use oms_runtime::{Shutdown, TaskSet};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use std::sync::Arc;
use std::time::Duration;

use crate::config::Settings;
use crate::consumer::FulfillmentHandler;
use crate::http::{self, ApiState};

/// The service's migrations (0001 is the messaging tables, identical in every service).
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/asset");

/// How long components get to finish their unit of work after shutdown.
const GRACE: Duration = Duration::from_secs(20);

/// A built, not yet running, asset service.
pub struct Application {
    server: Server,
    router: axum::Router,
    relay: Relay,
    consumer: InboxConsumer,
    pool: PgPool,
    shutdown: Shutdown,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("addr", &self.server.local_addr())
            .field("consumer", &self.consumer)
            .finish_non_exhaustive()
    }
}

impl Application {
    pub async fn build(
        config: ServiceConfig<Settings>,
        shutdown: Shutdown,
    ) -> anyhow::Result<Self> {
        let common = &config.common;
        let pool = oms_runtime::db::connect_and_migrate(&common.database, &MIGRATOR)
            .await
            .context("preparing the asset database")?;
        let messaging = ServiceMessaging::connect(
            MessagingSettings::from_config(crate::SERVICE, common),
            pool.clone(),
        )
        .context("connecting to the schema registry")?;
        messaging
            .register::<AssetEventV1>()
            .await
            .context("registering the asset event schemas")?;

        let consumer_name = config.service.asset.consumer.clone();
        let messages = Arc::new(
            MessageRouter::new(
                consumer_name.clone(),
                pool.clone(),
                messaging.codec().clone(),
                messaging.naming().clone(),
            )
            .wake_after_commit(messaging.outbox().waker())
            .route(FulfillmentHandler::new(messaging.outbox().clone())),
        );
        let consumer = InboxConsumer::new(
            messages.clone(),
            messaging.settings().kafka.clone(),
            ConsumerSettings::new(
                &messaging.naming().name(&consumer_name),
                &messaging.settings().dead_letter_topic(),
            ),
        );
        let relay = messaging.relay();

        let readiness = Readiness::new();
        readiness.add_database(pool.clone());
        let relay_stats = relay.stats();
        readiness.add("relay", move || {
            let up = relay_stats.is_running();
            async move {
                if up {
                    Ok(())
                } else {
                    Err("relay not running".to_owned())
                }
            }
        });
        let consumer_status = consumer.status();
        readiness.add("consumer", move || {
            let up = consumer_status.is_running();
            async move {
                if up {
                    Ok(())
                } else {
                    Err("consumer not running".to_owned())
                }
            }
        });

        let authenticator =
            Authenticator::from_config(&common.auth).context("auth configuration")?;
        let api = http::routes(ApiState { pool: pool.clone() }, &authenticator, messages);
        let router = api.merge(health::routes(readiness));
        let server = Server::from_config(&common.http)
            .await
            .with_context(|| format!("binding {}", common.http.addr))?;
        tracing::info!(addr = %server.local_addr(), consumer = %consumer_name, "asset service built");
        Ok(Self {
            server,
            router,
            relay,
            consumer,
            pool,
            shutdown,
        })
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// The service's database pool (tests inspect state through it).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Runs the HTTP server, the relay and the consumer until SIGTERM/Ctrl-C or until one of
    /// them fails; each finishes its current unit of work first.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Self {
            server,
            router,
            relay,
            consumer,
            shutdown,
            ..
        } = self;
        let mut tasks = TaskSet::new(shutdown);
        tasks.spawn("http", move |shutdown| server.serve(router, shutdown));
        tasks.spawn("relay", move |shutdown: Shutdown| async move {
            relay.run(shutdown.token().clone()).await
        });
        tasks.spawn("consumer", move |shutdown: Shutdown| async move {
            consumer.run(shutdown.token().clone()).await
        });
        tasks.run(GRACE).await?;
        Ok(())
    }
}
