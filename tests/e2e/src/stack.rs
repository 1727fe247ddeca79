//! A running set of services for one test or benchmark.
//!
//! Each service gets its database `oms_e2e_<run>_<service>` (created by the service itself),
//! a free port, the environment prefix `e<run>` for every topic, schema subject and consumer
//! group, its local configuration file (`deploy/local/<service>.toml`: dev tokens, simulator
//! settings) and whatever extra environment the caller adds. Logs go to
//! `.state/e2e/<run>/<service>.log`; spans to `.state/e2e/<run>/spans.jsonl`.

use anyhow::Context as _;
use oms_messaging::{KafkaSettings, TopicNaming, ensure_topic};
use std::{
    collections::BTreeMap,
    net::TcpListener,
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};
use tokio::process::{Child, Command};

/// The services of the OMS, in start order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Service {
    OrderCapture,
    Decomposition,
    Fulfillment,
    Asset,
    /// The read side: read models and the operations dashboard.
    Projections,
}

impl Service {
    pub const ALL: [Service; 5] = [
        Service::OrderCapture,
        Service::Decomposition,
        Service::Fulfillment,
        Service::Asset,
        Service::Projections,
    ];

    /// The services that take and execute orders (everything but the read side).
    pub const WRITE_SIDE: [Service; 4] = [
        Service::OrderCapture,
        Service::Decomposition,
        Service::Fulfillment,
        Service::Asset,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::OrderCapture => "order-capture",
            Self::Decomposition => "decomposition",
            Self::Fulfillment => "fulfillment",
            Self::Asset => "asset",
            Self::Projections => "projections",
        }
    }

    pub fn binary(self) -> String {
        format!("oms-{}", self.name())
    }
}

/// Where the infrastructure a stack runs against is: by default the local stack's
/// (`OMS_PG_ADMIN_URL`, `OMS_KAFKA_BROKERS`, `OMS_SCHEMA_REGISTRY_URL`); the chaos suite
/// points a stack at private instances it can kill.
#[derive(Debug, Clone)]
pub struct Infra {
    /// Admin connection without a database path.
    pub pg_admin_url: String,
    pub kafka_brokers: String,
    pub schema_registry_url: String,
}

impl Default for Infra {
    fn default() -> Self {
        Self {
            pg_admin_url: oms_test_support::env::pg_admin_url(),
            kafka_brokers: oms_test_support::env::kafka_brokers(),
            schema_registry_url: oms_test_support::env::schema_registry_url(),
        }
    }
}

/// How to start a stack.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// The PostgreSQL server, broker and schema registry to use.
    pub infra: Infra,
    /// `debug` (tests) or `release` (benchmarks).
    pub profile: String,
    /// Extra environment per service, e.g. simulator failure settings for fulfillment.
    pub env: BTreeMap<Service, Vec<(String, String)>>,
    /// Environment for every service (e.g. `RUST_LOG`).
    pub common_env: Vec<(String, String)>,
}

impl Default for StackOptions {
    fn default() -> Self {
        Self {
            infra: Infra::default(),
            profile: "debug".to_owned(),
            env: BTreeMap::new(),
            common_env: vec![("RUST_LOG".to_owned(), "warn".to_owned())],
        }
    }
}

impl StackOptions {
    /// Adds `key=value` to `service`'s environment.
    #[must_use]
    pub fn with_env(mut self, service: Service, key: &str, value: &str) -> Self {
        self.env
            .entry(service)
            .or_default()
            .push((key.to_owned(), value.to_owned()));
        self
    }
}

struct Running {
    service: Service,
    child: Child,
}

/// The running services; stopped (SIGTERM, then SIGKILL) and their databases dropped on drop.
pub struct ServiceStack {
    run: String,
    naming: TopicNaming,
    kafka: KafkaSettings,
    dir: PathBuf,
    running: Vec<Running>,
    /// What the stack was started with, for [`ServiceStack::crash_and_restart`].
    ports: BTreeMap<Service, u16>,
    options: StackOptions,
}

impl std::fmt::Debug for ServiceStack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceStack")
            .field("run", &self.run)
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// The workspace root (this crate lives in `tests/e2e`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

/// Every topic of `deploy/topics.conf` with its local partition count (third column; the
/// production count when absent).
pub fn topics() -> anyhow::Result<Vec<(String, i32)>> {
    let text = std::fs::read_to_string(workspace_root().join("deploy/topics.conf"))?;
    Ok(text
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .filter_map(|line| {
            let parts: Vec<&str> = line.split_whitespace().collect();
            let count = parts.get(2).or_else(|| parts.get(1))?.parse().ok()?;
            Some(((*parts.first()?).to_owned(), count))
        })
        .collect())
}

impl ServiceStack {
    /// Starts `services` and waits until each reports ready.
    pub async fn start(services: &[Service], options: StackOptions) -> anyhow::Result<Self> {
        // The first 12 hex digits of a UUID v7 are its creation time in milliseconds, which lets
        // `purge_stale_databases` recognise leftovers of crashed runs.
        let run = uuid::Uuid::now_v7().simple().to_string()[..16].to_owned();
        purge_stale_databases(&options.infra.pg_admin_url).await;
        let naming = TopicNaming::with_prefix(&format!("e{run}"));
        let kafka = KafkaSettings::new(options.infra.kafka_brokers.clone());
        for (topic, partitions) in topics()? {
            ensure_topic(&kafka, &naming.name(&topic), partitions)
                .await
                .map_err(anyhow::Error::msg)?;
        }
        let dir = workspace_root().join(".state/e2e").join(&run);
        std::fs::create_dir_all(&dir)?;
        let mut stack = Self {
            run,
            naming,
            kafka,
            dir,
            running: Vec::new(),
            ports: BTreeMap::new(),
            options: options.clone(),
        };
        // Ports first: the dashboard (projections) and the services its operator actions call
        // (order-capture, fulfillment, which must allow its origin) need each other's address.
        // Every listener stays bound until all ports are picked, so no two services get one.
        let listeners = services
            .iter()
            .map(|service| Ok((*service, TcpListener::bind("127.0.0.1:0")?)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let ports: BTreeMap<Service, u16> = listeners
            .iter()
            .map(|(service, listener)| Ok((*service, listener.local_addr()?.port())))
            .collect::<anyhow::Result<_>>()?;
        drop(listeners);
        stack.ports.clone_from(&ports);
        for service in services {
            let env = wiring(*service, &ports);
            stack.spawn(*service, ports[service], &options, &env)?;
        }
        for service in services {
            stack.wait_ready(*service, Duration::from_secs(90)).await?;
        }
        Ok(stack)
    }

    fn spawn(
        &mut self,
        service: Service,
        port: u16,
        options: &StackOptions,
        wiring: &[(String, String)],
    ) -> anyhow::Result<()> {
        let binary = target_dir().join(&options.profile).join(service.binary());
        anyhow::ensure!(
            binary.exists(),
            "{} is missing: build the services first (`cargo build --bins{}`; `make test` does)",
            binary.display(),
            if options.profile == "release" {
                " --release"
            } else {
                ""
            }
        );
        let database_url = self.database_url(service);
        // appended to: a restarted service continues its log
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(format!("{}.log", service.name())))?;
        let mut command = Command::new(&binary);
        command
            .current_dir(workspace_root())
            .env(
                "OMS_CONFIG_FILE",
                workspace_root().join(format!("deploy/local/{}.toml", service.name())),
            )
            .env("OMS_HTTP__ADDR", format!("127.0.0.1:{port}"))
            .env("OMS_DATABASE__URL", &database_url)
            .env("OMS_KAFKA__BROKERS", &self.kafka.brokers)
            .env("OMS_KAFKA__TOPIC_PREFIX", self.naming.prefix())
            .env(
                "OMS_SCHEMA_REGISTRY__URL",
                &options.infra.schema_registry_url,
            )
            .env("OMS_SPAN_FILE", self.span_file())
            .envs(wiring.iter().map(|(k, v)| (k, v)))
            .envs(options.common_env.iter().map(|(k, v)| (k, v)))
            .envs(
                options
                    .env
                    .get(&service)
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k, v)),
            )
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true);
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        self.running.push(Running { service, child });
        Ok(())
    }

    /// Waits until `service` answers `/health/ready` with 200; fails early when it exited.
    pub async fn wait_ready(&mut self, service: Service, timeout: Duration) -> anyhow::Result<()> {
        let url = format!("{}/health/ready", self.url(service));
        let client = reqwest::Client::new();
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(response) = client.get(&url).send().await
                && response.status().is_success()
            {
                return Ok(());
            }
            if let Some(running) = self.running.iter_mut().find(|r| r.service == service)
                && let Ok(Some(status)) = running.child.try_wait()
            {
                anyhow::bail!(
                    "{} exited with {status}; see {}",
                    service.name(),
                    self.log(service).display()
                );
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "{} not ready within {timeout:?}; see {}",
                service.name(),
                self.log(service).display()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The base URL of `service`.
    pub fn url(&self, service: Service) -> String {
        let port = self.ports.get(&service).copied().unwrap_or(0);
        format!("http://127.0.0.1:{port}")
    }

    /// The infrastructure this stack runs against.
    pub fn infra(&self) -> &Infra {
        &self.options.infra
    }

    /// The directory of this run's logs and spans.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The environment prefix of topics, subjects and consumer groups.
    pub fn naming(&self) -> &TopicNaming {
        &self.naming
    }

    pub fn kafka(&self) -> &KafkaSettings {
        &self.kafka
    }

    pub fn log(&self, service: Service) -> PathBuf {
        self.dir.join(format!("{}.log", service.name()))
    }

    /// Where every service appends its finished spans (JSON lines).
    pub fn span_file(&self) -> PathBuf {
        self.dir.join("spans.jsonl")
    }

    /// `service`'s database URL.
    pub fn database_url(&self, service: Service) -> String {
        format!(
            "{}/{}",
            self.options.infra.pg_admin_url.trim_end_matches('/'),
            self.database(service)
        )
    }

    fn database(&self, service: Service) -> String {
        format!("oms_e2e_{}_{}", self.run, service.name().replace('-', "_"))
    }

    /// Kills `service` with SIGKILL (no shutdown work at all, as a crash or an OOM kill), then
    /// starts it again on the same port and database, as a supervisor would; waits until it is
    /// ready.
    pub async fn crash_and_restart(&mut self, service: Service) -> anyhow::Result<()> {
        self.kill(service).await?;
        self.respawn(service)?;
        self.wait_ready(service, Duration::from_secs(90)).await
    }

    /// SIGKILLs `service` and reaps it (no shutdown work at all, as a crash or an OOM kill).
    /// A service that is not running is left alone.
    pub async fn kill(&mut self, service: Service) -> anyhow::Result<()> {
        if let Some(k) = self.running.iter().position(|r| r.service == service) {
            let mut running = self.running.remove(k);
            // A stopped process dies of SIGKILL too, so no SIGCONT is needed first.
            running.child.start_kill()?;
            running.child.wait().await?;
        }
        Ok(())
    }

    /// Starts `service` again on its port and database, as a supervisor would, without
    /// waiting for it to be ready ([`ServiceStack::wait_ready`] does).
    pub fn respawn(&mut self, service: Service) -> anyhow::Result<()> {
        anyhow::ensure!(
            !self.running.iter().any(|r| r.service == service),
            "{} is still running",
            service.name()
        );
        let env = wiring(service, &self.ports);
        let options = self.options.clone();
        self.spawn(service, self.ports[&service], &options, &env)
    }

    /// Sends `signal` (e.g. `STOP`, `CONT`) to `service`'s process.
    pub fn signal(&self, service: Service, signal: &str) -> anyhow::Result<()> {
        let pid = self
            .running
            .iter()
            .find(|r| r.service == service)
            .and_then(|r| r.child.id())
            .ok_or_else(|| anyhow::anyhow!("{} is not running", service.name()))?;
        let status = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(pid.to_string())
            .status()?;
        anyhow::ensure!(status.success(), "kill -{signal} {pid}: {status}");
        Ok(())
    }

    /// The services that exited since the last call, with their exit status; they are no
    /// longer counted as running (a supervisor then calls [`ServiceStack::respawn`]).
    pub fn reap_exited(&mut self) -> Vec<(Service, std::process::ExitStatus)> {
        let mut exited = Vec::new();
        self.running.retain_mut(|r| match r.child.try_wait() {
            Ok(Some(status)) => {
                exited.push((r.service, status));
                false
            }
            _ => true,
        });
        exited
    }

    /// Whether `service` has a live process.
    pub fn is_running(&self, service: Service) -> bool {
        self.running.iter().any(|r| r.service == service)
    }

    /// Sends SIGTERM to `service` and waits for it to exit (it flushes its spans).
    pub async fn stop(&mut self, service: Service) -> anyhow::Result<()> {
        if let Some(running) = self.running.iter_mut().find(|r| r.service == service) {
            terminate(&mut running.child).await;
        }
        Ok(())
    }

    /// Stops every service gracefully (spans flushed), then drops their databases.
    pub async fn shutdown(mut self) {
        for running in &mut self.running {
            terminate(&mut running.child).await;
        }
        self.drop_databases().await;
        self.running.clear();
    }

    async fn drop_databases(&self) {
        if std::env::var_os("OMS_TEST_KEEP_DATABASES").is_some() {
            return;
        }
        let admin = format!(
            "{}/postgres",
            self.options.infra.pg_admin_url.trim_end_matches('/')
        );
        if let Ok(pool) = sqlx::PgPool::connect(&admin).await {
            for service in self.ports.keys() {
                let _ = sqlx::query(&format!(
                    "drop database if exists \"{}\" with (force)",
                    self.database(*service)
                ))
                .execute(&pool)
                .await;
            }
            pool.close().await;
        }
    }
}

/// The environment that wires the dashboard to the services its operator actions call: the
/// projections service learns their addresses, they allow its origin (CORS).
fn wiring(service: Service, ports: &BTreeMap<Service, u16>) -> Vec<(String, String)> {
    let url = |s: Service| ports.get(&s).map(|port| format!("http://127.0.0.1:{port}"));
    let Some(dashboard) = url(Service::Projections) else {
        return Vec::new();
    };
    let pair = |k: &str, v: String| (k.to_owned(), v);
    match service {
        Service::OrderCapture | Service::Fulfillment => {
            vec![pair("OMS_HTTP__CORS_ALLOWED_ORIGINS", dashboard)]
        }
        Service::Projections => [
            url(Service::OrderCapture).map(|u| pair("OMS_DASHBOARD__ORDER_CAPTURE_URL", u)),
            url(Service::Fulfillment).map(|u| pair("OMS_DASHBOARD__FULFILLMENT_URL", u)),
        ]
        .into_iter()
        .flatten()
        .collect(),
        Service::Decomposition | Service::Asset => Vec::new(),
    }
}

/// Drops `oms_e2e_*` databases of runs older than an hour (a panicking test cannot clean up).
async fn purge_stale_databases(pg_admin_url: &str) {
    let admin = format!("{}/postgres", pg_admin_url.trim_end_matches('/'));
    let Ok(pool) = sqlx::PgPool::connect(&admin).await else {
        return;
    };
    let names: Vec<String> =
        sqlx::query_scalar("select datname from pg_database where datname like 'oms_e2e_%'")
            .fetch_all(&pool)
            .await
            .unwrap_or_default();
    let now_ms = u64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis(),
    )
    .unwrap_or(u64::MAX);
    for name in names {
        let created_ms = name
            .strip_prefix("oms_e2e_")
            .and_then(|rest| rest.get(..12))
            .and_then(|hex| u64::from_str_radix(hex, 16).ok());
        if created_ms.is_some_and(|ms| now_ms.saturating_sub(ms) > 3_600_000) {
            let _ = sqlx::query(&format!("drop database if exists \"{name}\" with (force)"))
                .execute(&pool)
                .await;
        }
    }
    pool.close().await;
}

async fn terminate(child: &mut Child) {
    if let Some(pid) = child.id() {
        // SIGTERM: the service finishes its current unit of work and flushes telemetry.
        let _ = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status();
        if tokio::time::timeout(Duration::from_secs(15), child.wait())
            .await
            .is_err()
        {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }
}

impl Drop for ServiceStack {
    fn drop(&mut self) {
        // Children are killed by `kill_on_drop`; databases are left for the next purge when a
        // test panicked before `shutdown` (their names start with `oms_e2e_`).
        for running in &mut self.running {
            let _ = running.child.start_kill();
        }
    }
}
