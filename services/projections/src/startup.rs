//! `Application`: builds the service (database and migrations, the router of the four topic
//! handlers, the projector that runs the consumer of the current generation, the change
//! listener, the HTTP API and dashboard) and runs it until shutdown. `build` does the IO that
//! can fail at start-up, so a misconfigured service exits before it reports ready; tests build
//! it on port 0 against a fresh database and their own topic prefix.
//!
//! Readiness (`/health/ready`) = database reachable + a consumer running.

use anyhow::Context as _;
use oms_messaging::{MessagingSettings, Router as MessageRouter, ServiceMessaging};
use oms_runtime::config::ServiceConfig;
use oms_runtime::http::{Authenticator, Readiness, Server};
use oms_runtime::{Shutdown, TaskSet};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use std::sync::Arc;
use std::time::Duration;

use crate::changes::Changes;
use crate::config::Settings;
use crate::http::{self, ApiState};
use crate::lag::LagProbe;
use crate::project::{
    ActiveGeneration, AssetEvents, DecompositionEvents, FulfillmentEvents, OrderEvents,
};
use crate::rebuild::{Projector, ProjectorStatus};

/// The service's migrations (0001 is the messaging tables, identical in every service).
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/projections");

/// How long components get to finish their unit of work after shutdown.
const GRACE: Duration = Duration::from_secs(20);

/// A built, not yet running, projections service.
pub struct Application {
    server: Server,
    router: axum::Router,
    tasks: TaskSet,
    pool: PgPool,
    status: ProjectorStatus,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("addr", &self.server.local_addr())
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Application {
    pub async fn build(
        config: ServiceConfig<Settings>,
        shutdown: Shutdown,
    ) -> anyhow::Result<Self> {
        let ServiceConfig { common, service } = config;
        let pool = oms_runtime::db::connect_and_migrate(&common.database, &MIGRATOR)
            .await
            .context("preparing the projections database")?;
        let messaging = ServiceMessaging::connect(
            MessagingSettings::from_config(crate::SERVICE, &common),
            pool.clone(),
        )
        .context("connecting to the schema registry")?;

        let generation = ActiveGeneration::default();
        let settings = Arc::new(service);
        let messages = Arc::new(
            MessageRouter::new(
                settings.projections.consumer.clone(),
                pool.clone(),
                messaging.codec().clone(),
                messaging.naming().clone(),
            )
            .route(OrderEvents {
                generation: generation.clone(),
            })
            .route(DecompositionEvents {
                generation: generation.clone(),
            })
            .route(FulfillmentEvents {
                generation: generation.clone(),
            })
            .route(AssetEvents {
                generation: generation.clone(),
            }),
        );
        let changes = Changes::new();
        let status = ProjectorStatus::default();
        let projector = Projector {
            pool: pool.clone(),
            router: messages.clone(),
            kafka: messaging.settings().kafka.clone(),
            naming: messaging.naming().clone(),
            settings: settings.projections.clone(),
            dead_letter_topic: messaging.settings().dead_letter_topic(),
            generation,
            status: status.clone(),
            generation_changed: changes.generation_changed(),
        };

        let readiness = Readiness::new();
        readiness.add_database(pool.clone());
        let consumer = status.clone();
        readiness.add("consumer", move || {
            let up = consumer.is_running();
            async move {
                if up {
                    Ok(())
                } else {
                    Err("consumer not running".to_owned())
                }
            }
        });

        let tasks = TaskSet::new(shutdown);
        let state = ApiState {
            pool: pool.clone(),
            settings: settings.clone(),
            lag: LagProbe::new(
                messaging.settings().kafka.clone(),
                messaging.naming().clone(),
                settings.projections.lag_cache(),
            ),
            projector: status.clone(),
            changes: changes.clone(),
            shutdown: tasks.shutdown().token().clone(),
        };
        let authenticator =
            Authenticator::from_config(&common.auth).context("auth configuration")?;
        let router = http::router(state, &authenticator, messages, readiness);
        let server = Server::from_config(&common.http)
            .await
            .with_context(|| format!("binding {}", common.http.addr))?;

        let mut tasks = tasks;
        let listener_pool = pool.clone();
        tasks.spawn("change listener", move |shutdown: Shutdown| {
            changes.listen(listener_pool, shutdown.token().clone())
        });
        tasks.spawn("projector", move |shutdown: Shutdown| {
            projector.run(shutdown.token().clone())
        });
        tracing::info!(
            addr = %server.local_addr(),
            dashboard = %format!("http://{}/dashboard/", server.local_addr()),
            "projections service built"
        );
        Ok(Self {
            server,
            router,
            tasks,
            pool,
            status,
        })
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// The service's database pool (tests inspect the read model through it).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Runs the HTTP server, the projector and the change listener until SIGTERM/Ctrl-C or
    /// until one of them fails; each finishes its current unit of work first.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Self {
            server,
            router,
            mut tasks,
            ..
        } = self;
        tasks.spawn("http", move |shutdown| server.serve(router, shutdown));
        tasks.run(GRACE).await?;
        Ok(())
    }
}
