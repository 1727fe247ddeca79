//! The service runtime: everything an OMS service binary needs that is not business logic.
//!
//! - [`config`]: layered configuration (defaults in code < TOML file < `OMS_*` environment) with
//!   the shared sections every service embeds, and [`config::Secret`] for values that must not
//!   print;
//! - [`db`]: create the service's database if missing, open the pool, run migrations;
//! - [`shutdown`] and [`tasks`]: one SIGTERM/Ctrl-C signal reaching every component, and a
//!   supervisor that stops the rest when one task fails and waits for the others to finish;
//! - [`http`]: problem+json errors, bearer authentication, correlation ids, health and metrics
//!   routes, and a server with graceful shutdown;
//! - [`prometheus`]: the process-wide metrics recorder behind `/metrics`.
//!
//! # The `Application` pattern
//!
//! `main` stays thin: read config, start telemetry, build, run. `build` does all the IO that can
//! fail at startup (database, binding the port) and exposes the port, so tests build the same
//! application with `http.addr = 127.0.0.1:0` and a fresh database.
//!
//! ```no_run
//! use oms_runtime::config::{self, CommonConfig, ServiceConfig};
//! use oms_runtime::http::{Authenticator, Readiness, Server, StaticTokens, health};
//! use oms_runtime::{Shutdown, TaskSet};
//! use serde::{Deserialize, Serialize};
//! use sqlx::migrate::Migrator;
//! use std::time::Duration;
//!
//! // In a service: `static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/order-capture");`
//! static MIGRATOR: Migrator = Migrator::DEFAULT;
//!
//! /// The service's own keys (`[capture]` in the file, `OMS_CAPTURE__...` in the environment).
//! #[derive(Debug, Clone, Default, Serialize, Deserialize)]
//! struct Settings {
//!     capture: CaptureSettings,
//! }
//!
//! #[derive(Debug, Clone, Default, Serialize, Deserialize)]
//! struct CaptureSettings {
//!     max_items_per_order: u32,
//! }
//!
//! pub struct Application {
//!     server: Server,
//!     router: axum::Router,
//!     tasks: TaskSet,
//! }
//!
//! impl Application {
//!     pub async fn build(config: ServiceConfig<Settings>, shutdown: Shutdown) -> anyhow::Result<Self> {
//!         let pool = oms_runtime::db::connect_and_migrate(&config.common.database, &MIGRATOR).await?;
//!         let readiness = Readiness::new();
//!         readiness.add_database(pool.clone());
//!         let relay_running = readiness.flag("relay running");
//!
//!         let authenticator = Authenticator::from_config(&config.common.auth)?;
//!         let api = axum::Router::new(); // .route("/orders", post(capture_order)).with_state(state)
//!         let router = authenticator.protect(api).merge(health::routes(readiness));
//!
//!         let mut tasks = TaskSet::new(shutdown);
//!         tasks.spawn("relay", move |shutdown: Shutdown| async move {
//!             relay_running.set(true);
//!             shutdown.wait().await; // a real relay drains the outbox until told to stop
//!             Ok::<(), anyhow::Error>(())
//!         });
//!         let server = Server::from_config(&config.common.http).await?;
//!         Ok(Self { server, router, tasks })
//!     }
//!
//!     pub fn port(&self) -> u16 {
//!         self.server.port()
//!     }
//!
//!     /// Runs until SIGTERM/Ctrl-C or until a component fails; every component finishes its
//!     /// current unit of work first.
//!     pub async fn run_until_stopped(self) -> anyhow::Result<()> {
//!         let Self { server, router, mut tasks } = self;
//!         tasks.spawn("http", move |shutdown| server.serve(router, shutdown));
//!         tasks.run(Duration::from_secs(20)).await?;
//!         Ok(())
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> anyhow::Result<()> {
//!     let defaults = CommonConfig::local("order-capture", "oms_order_capture", 8080);
//!     let config = config::load::<Settings>("order-capture", &defaults)?;
//!     let _telemetry =
//!         oms_telemetry::init(&oms_telemetry::TelemetryConfig::from_env("order-capture"))?;
//!     Application::build(config, Shutdown::on_signal()).await?.run_until_stopped().await
//! }
//! ```

pub mod config;
pub mod db;
pub mod http;
pub mod prometheus;
pub mod shutdown;
pub mod tasks;

pub use shutdown::Shutdown;
pub use tasks::TaskSet;
