//! `Application`: builds everything that can fail at start-up (database and migrations,
//! schema registration, the port), then runs the HTTP server, the relay, the inbox consumer,
//! the task engine and the simulators' callback delivery in one [`TaskSet`] under one
//! shutdown signal. Readiness = database + relay + consumer + engine.

use crate::config::{SERVICE, Settings};
use crate::consumer::{PlanHandler, ReleaseHandler};
use crate::downstream::{CallbackSink, Downstreams};
use crate::engine::{Engine, EngineStats, EngineWaker};
use crate::events::EventWriter;
use crate::flow::{Callbacks, Flow};
use crate::http::{self, ApiState};
use crate::operator::Operator;
use crate::sim::Simulators;
use anyhow::Context as _;
use oms_contracts::FulfillmentEventV1;
use oms_messaging::{MessagingSettings, ServiceMessaging};
use oms_runtime::config::ServiceConfig;
use oms_runtime::http::{Authenticator, Readiness, Server};
use oms_runtime::{Shutdown, TaskSet};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use std::sync::Arc;
use std::time::Duration;

/// Fulfillment's migrations: the messaging tables, its own tables, the simulators' tables.
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/fulfillment");

/// How long components get to finish their unit of work after shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// The running service.
pub struct Application {
    server: Server,
    router: axum::Router,
    tasks: TaskSet,
    pool: PgPool,
    simulators: Option<Simulators>,
    engine: Arc<EngineStats>,
    callbacks: Arc<dyn CallbackSink>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("server", &self.server)
            .field("simulators", &self.simulators)
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
            .context("preparing the fulfillment database")?;
        let readiness = Readiness::new();
        readiness.add_database(pool.clone());

        let messaging = ServiceMessaging::connect(
            MessagingSettings::from_config(SERVICE, &common),
            pool.clone(),
        )
        .context("schema registry client")?;
        messaging
            .register::<FulfillmentEventV1>()
            .await
            .context("registering the fulfillment event schemas")?;
        let flow = Flow::new(
            EventWriter::new(messaging.outbox().clone()),
            service.engine.backoff(),
        );
        let waker = EngineWaker::default();

        let simulators = service
            .simulators
            .enabled
            .then(|| Simulators::new(&pool, &service.simulators));
        let mut downstreams = Downstreams::new();
        if let Some(sims) = &simulators {
            sims.register(&mut downstreams);
        }
        let engine = Engine::new(
            pool.clone(),
            common.database.url.expose().clone(),
            flow.clone(),
            downstreams,
            service.engine.clone(),
            waker.clone(),
        );
        let engine_stats = engine.stats();

        let consumer_router = Arc::new(
            messaging
                .router()
                .route(PlanHandler::new(flow.clone()))
                .route(ReleaseHandler::new(flow.clone()))
                // A stored plan or release may make tasks runnable: wake the engine at once
                // instead of letting it find them at its next poll.
                .after_commit({
                    let waker = waker.clone();
                    move || waker.wake()
                }),
        );
        let consumer = messaging.consumer(consumer_router.clone());
        let consumer_status = consumer.status();
        readiness.add("consumer", move || {
            let running = consumer_status.is_running();
            async move {
                if running {
                    Ok(())
                } else {
                    Err("consumer not running".to_owned())
                }
            }
        });
        let relay = messaging.relay();
        let relay_stats = relay.stats();
        readiness.add("relay", move || {
            let running = relay_stats.is_running();
            async move {
                if running {
                    Ok(())
                } else {
                    Err("relay not running".to_owned())
                }
            }
        });
        let engine_ready = readiness.flag("engine");

        let state = ApiState {
            pool: pool.clone(),
            operator: Operator::new(pool.clone(), flow.clone(), waker.clone()),
            simulators: simulators.clone(),
        };
        let authenticator =
            Authenticator::from_config(&common.auth).context("auth configuration")?;
        let router = http::router(state, &authenticator, consumer_router, readiness);
        let server = Server::from_config(&common.http)
            .await
            .with_context(|| format!("binding {}", common.http.addr))?;

        let mut tasks = TaskSet::new(shutdown);
        tasks.spawn("relay", move |s: Shutdown| relay.run(s.token().clone()));
        tasks.spawn("consumer", move |s: Shutdown| {
            consumer.run(s.token().clone())
        });
        tasks.spawn("engine", move |s| engine.run(s, engine_ready));
        let callbacks: Arc<dyn CallbackSink> = Arc::new(Callbacks::new(pool.clone(), flow, waker));
        if let Some(sims) = simulators.clone() {
            let sink = callbacks.clone();
            tasks.spawn("simulator callbacks", move |s| sims.run_callbacks(sink, s));
        }
        tracing::info!(addr = %server.local_addr(), "fulfillment built");
        Ok(Self {
            server,
            router,
            tasks,
            pool,
            simulators,
            engine: engine_stats,
            callbacks,
        })
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The in-process simulators (tests read their concurrency probe and set faults).
    pub fn simulators(&self) -> Option<&Simulators> {
        self.simulators.as_ref()
    }

    /// Where asynchronous downstream completions enter the task state machine: the
    /// simulators call it, and so would an HTTP or message front of a real integration.
    pub fn callbacks(&self) -> Arc<dyn CallbackSink> {
        self.callbacks.clone()
    }

    pub fn engine_stats(&self) -> Arc<EngineStats> {
        self.engine.clone()
    }

    /// Runs until SIGTERM/Ctrl-C or until a component fails; every component finishes its
    /// current unit of work first.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Self {
            server,
            router,
            mut tasks,
            ..
        } = self;
        tasks.spawn("http", move |shutdown| server.serve(router, shutdown));
        tasks.run(SHUTDOWN_GRACE).await?;
        Ok(())
    }
}
