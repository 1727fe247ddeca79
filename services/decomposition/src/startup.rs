//! `Application`: builds the service (database and migrations, schema registration, the
//! configured catalog files published and the active version loaded, relay, order-event
//! consumer, HTTP API) and runs it until shutdown. `build` does all the IO that can fail at
//! start-up, so a misconfigured service — or one with an invalid catalog file — exits before
//! it reports ready; tests build it on port 0 against a fresh database and their own topic
//! prefix.
//!
//! Readiness (`/health/ready`) = database reachable + relay running + consumer running +
//! a technical catalog version loaded.

use anyhow::Context as _;
use oms_contracts::DecompositionEventV1;
use oms_messaging::{InboxConsumer, MessagingSettings, Relay, ServiceMessaging};
use oms_runtime::config::ServiceConfig;
use oms_runtime::http::{Authenticator, Readiness, Server, health};
use oms_runtime::{Shutdown, TaskSet};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::config::Settings;
use crate::consumer::ReleaseHandler;
use crate::http::{self, ApiState};
use crate::publish::{self, Published, Publisher};
use crate::registry::CatalogRegistry;

/// The service's migrations (0001 is the messaging tables, identical in every service).
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/decomposition");

/// How long components get to finish their unit of work after shutdown.
const GRACE: Duration = Duration::from_secs(20);

/// A built, not yet running, decomposition service.
pub struct Application {
    server: Server,
    router: axum::Router,
    relay: Relay,
    consumer: InboxConsumer,
    pool: PgPool,
    registry: Arc<CatalogRegistry>,
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
        let settings = &config.service.decomposition;
        let pool = oms_runtime::db::connect_and_migrate(&common.database, &MIGRATOR)
            .await
            .context("preparing the decomposition database")?;
        let messaging = ServiceMessaging::connect(
            MessagingSettings::from_config(crate::SERVICE, common),
            pool.clone(),
        )
        .context("connecting to the schema registry")?;
        messaging
            .register::<DecompositionEventV1>()
            .await
            .context("registering the decomposition event schemas")?;

        for path in &settings.catalog_files {
            publish_file(&pool, path).await?;
        }
        let registry = Arc::new(CatalogRegistry::new());
        let active = {
            let mut conn = pool.acquire().await.context("loading the active catalog")?;
            registry.active(&mut conn).await.context(
                "loading the active technical catalog version (configure \
                 decomposition.catalog_files, OMS_DECOMPOSITION__CATALOG_FILES)",
            )?
        };
        tracing::info!(rules_version = %active.version(), "active technical catalog version");

        let messages = Arc::new(messaging.router().route(ReleaseHandler::new(
            messaging.outbox().clone(),
            registry.clone(),
        )));
        let consumer = messaging.consumer(messages.clone());
        let relay = messaging.relay();

        let readiness = Readiness::new();
        readiness.add_database(pool.clone());
        let relay_stats = relay.stats();
        readiness.add("relay", move || {
            let up = relay_stats.is_running();
            async move {
                up.then_some(())
                    .ok_or_else(|| "relay not running".to_owned())
            }
        });
        let consumer_status = consumer.status();
        readiness.add("consumer", move || {
            let up = consumer_status.is_running();
            async move {
                up.then_some(())
                    .ok_or_else(|| "consumer not running".to_owned())
            }
        });
        let loaded = registry.clone();
        readiness.add("catalog", move || {
            let up = loaded.latest_loaded().is_some();
            async move {
                up.then_some(())
                    .ok_or_else(|| "no technical catalog version loaded".to_owned())
            }
        });

        let authenticator =
            Authenticator::from_config(&common.auth).context("auth configuration")?;
        let state = ApiState {
            pool: pool.clone(),
            max_catalog_bytes: settings.max_catalog_bytes,
        };
        let router = http::routes(state, &authenticator, messages).merge(health::routes(readiness));
        let server = Server::from_config(&common.http)
            .await
            .with_context(|| format!("binding {}", common.http.addr))?;
        tracing::info!(addr = %server.local_addr(), "decomposition service built");
        Ok(Self {
            server,
            router,
            relay,
            consumer,
            pool,
            registry,
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

    /// The catalog versions this instance has loaded.
    pub fn registry(&self) -> &Arc<CatalogRegistry> {
        &self.registry
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

/// Publishes one configured catalog file (idempotent); any problem stops start-up with every
/// error of the file.
async fn publish_file(pool: &PgPool, path: &Path) -> anyhow::Result<()> {
    let name = path.display().to_string();
    let text = tokio::fs::read_to_string(path)
        .await
        .with_context(|| format!("reading technical catalog file {name}"))?;
    let published = publish::publish(pool, &name, &text, &Publisher::startup())
        .await
        .with_context(|| format!("publishing technical catalog file {name}"))?;
    match published {
        Published::Created(v) => {
            tracing::info!(file = %name, version = v.version, "catalog file published");
        }
        Published::Unchanged(v) => {
            tracing::info!(file = %name, version = v.version, "catalog file already published");
        }
    }
    Ok(())
}
