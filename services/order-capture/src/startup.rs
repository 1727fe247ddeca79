//! `Application`: builds everything that can fail at start-up (database and migrations,
//! schema registration, the HTTP listener), then runs the HTTP server, the outbox relay and
//! the inbox consumer in one `TaskSet` under one shutdown signal.
//!
//! Readiness = database reachable + relay running + consumer running. Everything
//! environment-specific comes from configuration (database URL, brokers, registry, topic
//! prefix, tokens), so tests and benchmarks run the same binary against their own
//! database and topic prefix; nothing test-only is compiled in.

use anyhow::Context as _;
use oms_contracts::OrderEventV1;
use oms_messaging::{InboxConsumer, MessagingSettings, Relay, ServiceMessaging};
use oms_runtime::config::ServiceConfig;
use oms_runtime::http::{Authenticator, Readiness, Server};
use oms_runtime::{Shutdown, TaskSet};
use std::sync::Arc;
use std::time::Duration;

use crate::config::ServiceSettings;
use crate::http::{self, AppState};
use crate::{MIGRATOR, SERVICE, consumers};

/// How long components get to finish their unit of work after shutdown.
const GRACE: Duration = Duration::from_secs(20);

/// The order-capture service, built and bound, not yet running.
#[derive(Debug)]
pub struct Application {
    server: Server,
    router: axum::Router,
    relay: Relay,
    consumer: InboxConsumer,
    shutdown: Shutdown,
}

fn ready_when(readiness: &Readiness, name: &str, up: impl Fn() -> bool + Send + Sync + 'static) {
    readiness.add(name, move || {
        let ok = up();
        async move {
            if ok {
                Ok(())
            } else {
                Err("not running".to_owned())
            }
        }
    });
}

impl Application {
    pub async fn build(
        config: ServiceConfig<ServiceSettings>,
        shutdown: Shutdown,
    ) -> anyhow::Result<Self> {
        let common = &config.common;
        let pool = oms_runtime::db::connect_and_migrate(&common.database, &MIGRATOR)
            .await
            .context("preparing the database")?;
        let messaging = ServiceMessaging::connect(
            MessagingSettings::from_config(SERVICE, common),
            pool.clone(),
        )
        .context("connecting the schema registry codec")?;
        messaging
            .register::<OrderEventV1>()
            .await
            .context("registering the order event schemas")?;
        let message_router = Arc::new(consumers::router(&messaging, &config.service.capture));
        let consumer = messaging.consumer(message_router.clone());
        let relay = messaging.relay();

        let readiness = Readiness::new();
        readiness.add_database(pool.clone());
        let relay_stats = relay.stats();
        ready_when(&readiness, "relay running", move || {
            relay_stats.is_running()
        });
        let consumer_status = consumer.status();
        ready_when(&readiness, "consumer running", move || {
            consumer_status.is_running()
        });

        let authenticator =
            Authenticator::from_config(&common.auth).context("auth configuration")?;
        let state = AppState {
            pool,
            outbox: messaging.outbox().clone(),
            settings: config.service.capture.clone(),
            gate: crate::app::gate::KeyGate::new(),
        };
        let router = http::router(state, &authenticator, message_router, readiness);
        let server = Server::from_config(&common.http)
            .await
            .with_context(|| format!("binding {}", common.http.addr))?;
        Ok(Self {
            server,
            router,
            relay,
            consumer,
            shutdown,
        })
    }

    /// The bound HTTP port (the configured one, or the one picked for port 0).
    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// Runs until SIGTERM/Ctrl-C (or the shutdown handed to `build`) or until a component
    /// fails; each component finishes its current unit of work first.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Self {
            server,
            router,
            relay,
            consumer,
            shutdown,
        } = self;
        let mut tasks = TaskSet::new(shutdown);
        tasks.spawn("http", move |shutdown: Shutdown| {
            server.serve(router, shutdown)
        });
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
