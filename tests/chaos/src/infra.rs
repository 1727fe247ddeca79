//! The run's private infrastructure: a PostgreSQL cluster, a Tansu broker and our schema
//! registry that only this run uses, so it can kill and restart them without disturbing the
//! local stack or another test.
//!
//! PostgreSQL runs from a fresh `initdb` under `/tmp/oms-chaos-<run>` (owned by the `postgres`
//! user when we are root, since the server refuses to run as root); the broker keeps its
//! SQLite file and the registry its log under `.state/chaos/<run>/`.

use anyhow::Context as _;
use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};
use tokio::process::{Child, Command};

/// How PostgreSQL is stopped before it is started again (`pg_ctl stop -m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PgShutdown {
    /// Disconnects every client and checkpoints.
    Fast,
    /// No checkpoint: the restart runs crash recovery from the WAL.
    Immediate,
}

impl PgShutdown {
    fn mode(self) -> &'static str {
        match self {
            Self::Fast => "fast",
            Self::Immediate => "immediate",
        }
    }
}

/// A private PostgreSQL cluster.
#[derive(Debug)]
pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    root: PathBuf,
    pub port: u16,
    switch_user: bool,
}

impl Postgres {
    /// `initdb` and start a cluster on a free port under `root`.
    pub async fn create(root: &Path) -> anyhow::Result<Self> {
        let switch_user = is_root();
        std::fs::create_dir_all(root)?;
        if switch_user {
            run("chown", &["postgres:postgres", &root.display().to_string()]).await?;
        }
        let pg = Self {
            bin: pg_bindir()?,
            data: root.join("data"),
            root: root.to_path_buf(),
            port: free_port()?,
            switch_user,
        };
        pg.pg(
            "initdb",
            &[
                "-D",
                &pg.data.display().to_string(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
            ],
        )
        .await
        .context("initdb of the private cluster")?;
        pg.start().await?;
        Ok(pg)
    }

    /// The admin URL (no database path).
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }

    async fn start(&self) -> anyhow::Result<()> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300",
            self.port,
            self.root.display()
        );
        self.pg(
            "pg_ctl",
            &[
                "-D",
                &self.data.display().to_string(),
                "-o",
                &options,
                "-l",
                &self.root.join("postgres.log").display().to_string(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        )
        .await
        .context("starting the private cluster")
    }

    /// Stops the cluster with `mode`, waits `down`, starts it again.
    pub async fn restart(&self, mode: PgShutdown, down: Duration) -> anyhow::Result<()> {
        self.pg(
            "pg_ctl",
            &[
                "-D",
                &self.data.display().to_string(),
                "-m",
                mode.mode(),
                "-w",
                "stop",
            ],
        )
        .await
        .context("stopping the private cluster")?;
        tokio::time::sleep(down).await;
        self.start().await
    }

    /// Stops the cluster and removes its files.
    pub async fn destroy(&self) {
        let _ = self
            .pg(
                "pg_ctl",
                &[
                    "-D",
                    &self.data.display().to_string(),
                    "-m",
                    "immediate",
                    "stop",
                ],
            )
            .await;
        let _ = std::fs::remove_dir_all(&self.root);
    }

    async fn pg(&self, tool: &str, args: &[&str]) -> anyhow::Result<()> {
        let tool = self.bin.join(tool).display().to_string();
        if self.switch_user {
            let mut all = vec!["-u", "postgres", "--", tool.as_str()];
            all.extend_from_slice(args);
            run("runuser", &all).await
        } else {
            run(&tool, args).await
        }
    }
}

/// A child process the harness restarts after killing it (the broker, the registry).
pub struct Process {
    pub name: &'static str,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    cwd: PathBuf,
    log: PathBuf,
    child: Option<Child>,
}

impl std::fmt::Debug for Process {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Process")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Process {
    pub fn spawn(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let child = Command::new(&self.program)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.cwd)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", self.program.display()))?;
        self.child = Some(child);
        Ok(())
    }

    /// SIGKILL and reap.
    pub async fn kill(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.start_kill()?;
            child.wait().await?;
        }
        Ok(())
    }

    /// The exit status when the process exited on its own since the last call.
    pub fn reap(&mut self) -> Option<std::process::ExitStatus> {
        let status = self.child.as_mut()?.try_wait().ok()??;
        self.child = None;
        Some(status)
    }

    pub fn log(&self) -> &Path {
        &self.log
    }
}

/// The broker and registry of the run, on free ports.
#[derive(Debug)]
pub struct Infra {
    pub postgres: Postgres,
    pub broker: Process,
    pub registry: Process,
    pub broker_port: u16,
    pub registry_port: u16,
}

impl Infra {
    /// Starts PostgreSQL, the broker and the registry for run `run`; `dir` takes their logs.
    pub async fn start(run: &str, dir: &Path, profile: &str) -> anyhow::Result<Self> {
        let postgres =
            Postgres::create(&std::env::temp_dir().join(format!("oms-chaos-{run}"))).await?;
        let broker_port = free_port()?;
        let broker_dir = dir.join("broker");
        std::fs::create_dir_all(&broker_dir)?;
        let listener = format!("tcp://127.0.0.1:{broker_port}");
        let mut broker = Process {
            name: "broker",
            program: which("tansu")?,
            args: vec![
                "broker".into(),
                "--listener-url".into(),
                listener.clone(),
                "--advertised-listener-url".into(),
                listener,
                "--storage-engine".into(),
                "sqlite://tansu.db".into(),
            ],
            env: vec![("RUST_LOG".into(), "warn".into())],
            cwd: broker_dir,
            log: dir.join("broker.log"),
            child: None,
        };
        broker.spawn()?;
        let registry_port = free_port()?;
        let registry_db = "oms_schema_registry";
        create_database(&postgres.admin_url(), registry_db).await?;
        let mut registry = Process {
            name: "schema-registry",
            program: oms_e2e::stack::workspace_root()
                .join("target")
                .join(profile)
                .join("oms-schema-registry"),
            args: Vec::new(),
            env: vec![
                (
                    "OMS_SCHEMA_REGISTRY_ADDR".into(),
                    format!("127.0.0.1:{registry_port}"),
                ),
                (
                    "OMS_SCHEMA_REGISTRY_DATABASE_URL".into(),
                    format!("{}/{registry_db}", postgres.admin_url()),
                ),
                ("RUST_LOG".into(), "warn".into()),
            ],
            cwd: oms_e2e::stack::workspace_root(),
            log: dir.join("schema-registry.log"),
            child: None,
        };
        registry.spawn()?;
        let infra = Self {
            postgres,
            broker,
            registry,
            broker_port,
            registry_port,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !(infra.broker_ready().await && infra.registry_ready().await) {
            anyhow::ensure!(
                Instant::now() < deadline,
                "private broker or registry not ready within 60 s; see {} and {}",
                infra.broker.log().display(),
                infra.registry.log().display()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Ok(infra)
    }

    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.broker_port)
    }

    pub fn registry_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.registry_port)
    }

    /// The broker answers a metadata request.
    pub async fn broker_ready(&self) -> bool {
        let brokers = self.brokers();
        tokio::task::spawn_blocking(move || {
            use rdkafka::consumer::{BaseConsumer, Consumer as _};
            let consumer: Result<BaseConsumer, _> = rdkafka::ClientConfig::new()
                .set("bootstrap.servers", &brokers)
                .set("log_level", "0")
                .create();
            consumer.is_ok_and(|c| c.fetch_metadata(None, Duration::from_secs(2)).is_ok())
        })
        .await
        .unwrap_or(false)
    }

    pub async fn registry_ready(&self) -> bool {
        http_ok(&format!("{}/health/ready", self.registry_url())).await
    }

    pub async fn postgres_ready(&self) -> bool {
        let url = format!("{}/postgres", self.postgres.admin_url());
        match tokio::time::timeout(Duration::from_secs(2), sqlx::PgPool::connect(&url)).await {
            Ok(Ok(pool)) => {
                pool.close().await;
                true
            }
            _ => false,
        }
    }

    pub async fn destroy(mut self) {
        let _ = self.registry.kill().await;
        let _ = self.broker.kill().await;
        self.postgres.destroy().await;
    }
}

/// 200 from `url` within 2 s.
pub async fn http_ok(url: &str) -> bool {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build();
    match client {
        Ok(client) => client
            .get(url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success()),
        Err(_) => false,
    }
}

async fn create_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    let pool = sqlx::PgPool::connect(&format!("{admin_url}/postgres")).await?;
    sqlx::query(&format!("create database \"{name}\""))
        .execute(&pool)
        .await?;
    pool.close().await;
    Ok(())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The newest `/usr/lib/postgresql/<version>/bin` with `initdb`, else the directory of
/// `initdb` on `PATH`.
fn pg_bindir() -> anyhow::Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    which("initdb")?
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| anyhow::anyhow!("initdb has no directory"))
}

fn which(program: &str) -> anyhow::Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let home_cargo = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin"));
    std::env::split_paths(&path)
        .chain(home_cargo)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.exists())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{program} is not on PATH (`deploy/local/stack.sh up --infra` installs it)"
            )
        })
}

async fn run(program: &str, args: &[&str]) -> anyhow::Result<()> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .with_context(|| format!("running {program}"))?;
    anyhow::ensure!(
        output.status.success(),
        "{program} {}: {}\n{}{}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}
