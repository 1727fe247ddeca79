//! Health and metrics endpoints, outside authentication:
//! - `GET /health/live`: 200 while the process can answer at all (liveness probe);
//! - `GET /health/ready`: 200 only when every registered readiness check passes, else 503; the
//!   body lists each check with `up`/`down` (readiness probe, and `make up` waits on it);
//! - `GET /metrics`: Prometheus text from [`crate::prometheus`].
//!
//! Checks run concurrently, each bounded by a timeout, so one hanging dependency cannot hang the
//! probe. Components that know their own state (a consumer that got its partitions, a running
//! relay) register a [`ReadyFlag`] and flip it; dependencies (the database) register an async
//! check.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures::future::{BoxFuture, join_all};
use serde::Serialize;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Longest a single check may take before it counts as down.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// One readiness condition. Closures `Fn() -> impl Future<Output = Result<(), String>>` are
/// checks; so is any type implementing this trait.
pub trait ReadinessCheck: Send + Sync + 'static {
    /// `Err` carries a short operator-facing reason; never credentials or SQL.
    fn check(&self) -> BoxFuture<'_, Result<(), String>>;
}

impl<F, Fut> ReadinessCheck for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(self())
    }
}

type NamedCheck = (String, Arc<dyn ReadinessCheck>);

/// The registered readiness checks; clone it into whatever registers or serves them.
#[derive(Clone, Default)]
pub struct Readiness {
    checks: Arc<RwLock<Vec<NamedCheck>>>,
}

impl fmt::Debug for Readiness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Readiness")
            .field("checks", &self.names())
            .finish()
    }
}

/// A readiness condition a component sets itself ("consumer assigned", "relay running").
#[derive(Debug, Clone)]
pub struct ReadyFlag(Arc<AtomicBool>);

impl ReadyFlag {
    pub fn set(&self, ready: bool) {
        self.0.store(ready, Ordering::Release);
    }

    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// The `/health/ready` body.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReadinessReport {
    /// `ready` or `not_ready`.
    pub status: &'static str,
    pub checks: Vec<CheckReport>,
}

impl ReadinessReport {
    pub fn is_ready(&self) -> bool {
        self.status == "ready"
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CheckReport {
    pub name: String,
    /// `up` or `down`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Readiness {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a check under `name`.
    pub fn add(&self, name: impl Into<String>, check: impl ReadinessCheck) {
        self.checks
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((name.into(), Arc::new(check)));
    }

    /// Registers a flag, initially down, that its owner sets once ready.
    pub fn flag(&self, name: impl Into<String>) -> ReadyFlag {
        let flag = ReadyFlag(Arc::new(AtomicBool::new(false)));
        let probe = flag.clone();
        self.add(name, move || {
            let up = probe.is_set();
            async move {
                if up {
                    Ok(())
                } else {
                    Err("not ready yet".to_owned())
                }
            }
        });
        flag
    }

    /// Registers `database`: a `select 1` on the pool.
    pub fn add_database(&self, pool: sqlx::PgPool) {
        self.add("database", move || {
            let pool = pool.clone();
            async move {
                sqlx::query("select 1")
                    .execute(&pool)
                    .await
                    .map(drop)
                    .map_err(|error| {
                        tracing::warn!(%error, "readiness: database unreachable");
                        "database unreachable".to_owned()
                    })
            }
        });
    }

    pub fn names(&self) -> Vec<String> {
        self.snapshot().into_iter().map(|(name, _)| name).collect()
    }

    /// Runs every check concurrently.
    pub async fn report(&self) -> ReadinessReport {
        let checks = self.snapshot();
        let results = join_all(checks.iter().map(|(name, check)| async move {
            let outcome = match tokio::time::timeout(CHECK_TIMEOUT, check.check()).await {
                Ok(outcome) => outcome,
                Err(_) => Err(format!("no answer within {CHECK_TIMEOUT:?}")),
            };
            CheckReport {
                name: name.clone(),
                status: if outcome.is_ok() { "up" } else { "down" },
                reason: outcome.err(),
            }
        }))
        .await;
        let ready = results.iter().all(|check| check.status == "up");
        ReadinessReport {
            status: if ready { "ready" } else { "not_ready" },
            checks: results,
        }
    }

    fn snapshot(&self) -> Vec<NamedCheck> {
        self.checks
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// `/health/live`, `/health/ready` and `/metrics`. Merge it next to the protected API routes.
pub fn routes(readiness: Readiness) -> Router {
    crate::prometheus::install();
    Router::new()
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .route("/metrics", get(metrics))
        .with_state(readiness)
}

async fn live() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "live" }))
}

async fn ready(axum::extract::State(readiness): axum::extract::State<Readiness>) -> Response {
    let report = readiness.report().await;
    let status = if report.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(report)).into_response()
}

async fn metrics() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::prometheus::render(),
    )
        .into_response()
}
