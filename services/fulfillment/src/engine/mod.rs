//! The task engine (ADR 0007): claims runnable tasks up to the concurrency bound, commits
//! DISPATCHED with the idempotency key *before* calling the downstream system, then records
//! the outcome in a second transaction. Independent tasks run in parallel; dependents only
//! become READY when their dependencies are met (see `crate::flow`).
//!
//! One loop per process:
//! 1. every `recovery_interval` (and first of all at start-up): check the instance lock,
//!    take over DISPATCHED tasks of dead engines and re-dispatch them with the same key,
//!    promote anything a crash left PENDING, refresh the task gauges;
//! 2. claim READY and due RETRY_SCHEDULED tasks for the free slots and dispatch them;
//! 3. sleep until woken (a call finished, a callback or operator action committed) or the
//!    poll interval passed.
//!
//! On shutdown it stops claiming and waits for the calls in flight to be recorded.

mod dispatch;
mod instance;

pub use instance::{Instance, InstanceError, LOCK_CLASS};

use crate::config::EngineSettings;
use crate::downstream::Downstreams;
use crate::flow::Flow;
use crate::model::TaskState;
use crate::store;
use oms_runtime::Shutdown;
use oms_runtime::http::ReadyFlag;
use sqlx::PgPool;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, Semaphore};
use tokio_util::task::TaskTracker;

/// Wakes the engine loop (cheap; coalesces).
#[derive(Debug, Clone, Default)]
pub struct EngineWaker(Arc<Notify>);

impl EngineWaker {
    pub fn wake(&self) {
        self.0.notify_one();
    }

    async fn woken(&self) {
        self.0.notified().await;
    }
}

/// Live engine figures.
#[derive(Debug, Default)]
pub struct EngineStats {
    dispatched: AtomicU64,
    recovered: AtomicU64,
    in_flight: AtomicUsize,
}

impl EngineStats {
    /// Dispatches (first attempts, retries and recoveries) since start.
    pub fn dispatched(&self) -> u64 {
        self.dispatched.load(Ordering::Relaxed)
    }
    /// Tasks taken over from dead engines since start.
    pub fn recovered(&self) -> u64 {
        self.recovered.load(Ordering::Relaxed)
    }
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }
}

struct Inner {
    pool: PgPool,
    database_url: String,
    flow: Flow,
    downstreams: Downstreams,
    settings: EngineSettings,
    waker: EngineWaker,
    stats: Arc<EngineStats>,
}

/// The engine of one process; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("settings", &self.inner.settings)
            .field("downstreams", &self.inner.downstreams)
            .finish_non_exhaustive()
    }
}

impl Engine {
    pub fn new(
        pool: PgPool,
        database_url: String,
        flow: Flow,
        downstreams: Downstreams,
        settings: EngineSettings,
        waker: EngineWaker,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                pool,
                database_url,
                flow,
                downstreams,
                settings,
                waker,
                stats: Arc::new(EngineStats::default()),
            }),
        }
    }

    pub fn stats(&self) -> Arc<EngineStats> {
        self.inner.stats.clone()
    }

    /// Runs until `shutdown`; `ready` is up while the instance lock is held.
    ///
    /// When the lock's connection is lost (the database restarted, a network cut), other
    /// engines may already be taking this instance's tasks over, so it stops dispatching,
    /// lets its calls in flight finish, and starts again under a new instance id: its own
    /// orphaned tasks are then recovered like a dead engine's, by whichever engine gets there
    /// first. A database restart therefore does not stop the service.
    pub async fn run(self, shutdown: Shutdown, ready: ReadyFlag) -> anyhow::Result<()> {
        let slots = Arc::new(Semaphore::new(self.inner.settings.max_concurrency.max(1)));
        loop {
            let Some(instance) = self.acquire(&shutdown).await else {
                return Ok(());
            };
            let instance = Arc::new(instance);
            let calls = TaskTracker::new();
            ready.set(true);
            tracing::info!(
                engine_instance = instance.id(),
                max_concurrency = self.inner.settings.max_concurrency,
                "engine started"
            );
            let result = self.serve(&instance, &shutdown, &slots, &calls).await;
            ready.set(false);
            calls.close();
            calls.wait().await;
            match result {
                Ok(()) => {
                    tracing::info!("engine stopped");
                    return Ok(());
                }
                Err(error) => tracing::warn!(
                    engine_instance = instance.id(),
                    error = %error,
                    "engine instance lock lost; calls in flight finished, starting again under a new instance id"
                ),
            }
        }
    }

    /// The instance lock, retried until it is held (`None` on shutdown).
    async fn acquire(&self, shutdown: &Shutdown) -> Option<Instance> {
        let mut delay = Duration::from_millis(200);
        loop {
            match Instance::acquire(&self.inner.database_url).await {
                Ok(instance) => return Some(instance),
                Err(error) => {
                    tracing::warn!(error = %error, retry_in_ms = delay.as_millis(), "engine instance lock not taken; retrying");
                }
            }
            tokio::select! {
                () = shutdown.wait() => return None,
                () = tokio::time::sleep(delay) => {}
            }
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    }

    /// Dispatches and sweeps under `instance` until shutdown (`Ok`) or until its lock is
    /// lost (`Err`).
    async fn serve(
        &self,
        instance: &Arc<Instance>,
        shutdown: &Shutdown,
        slots: &Arc<Semaphore>,
        calls: &TaskTracker,
    ) -> anyhow::Result<()> {
        let mut first_sweep = true;
        let mut next_sweep = Instant::now();
        loop {
            if shutdown.is_triggered() {
                return Ok(());
            }
            if Instant::now() >= next_sweep {
                if let Err(error) = instance.check().await {
                    return Err(anyhow::Error::from(error).context("engine instance lock lost"));
                }
                self.sweep(instance, first_sweep, slots, calls).await;
                first_sweep = false;
                next_sweep = Instant::now() + self.inner.settings.recovery_interval();
            }
            if let Err(error) = self.dispatch_runnable(instance, slots, calls).await {
                tracing::warn!(error = %error, "claiming runnable tasks failed; retrying");
            }
            tokio::select! {
                () = shutdown.wait() => {}
                () = self.inner.waker.woken() => {}
                () = tokio::time::sleep(self.inner.settings.poll_interval()) => {}
            }
        }
    }

    /// Recovery, missed promotions and gauges; failures are logged and retried next time.
    async fn sweep(
        &self,
        instance: &Arc<Instance>,
        include_mine: bool,
        slots: &Arc<Semaphore>,
        calls: &TaskTracker,
    ) {
        if let Err(error) = self.recover(instance, include_mine, slots, calls).await {
            tracing::warn!(error = %error, "recovering orphaned tasks failed; retrying");
        }
        if let Err(error) = self.promote_missed().await {
            tracing::warn!(error = %error, "promotion sweep failed; retrying");
        }
        if let Err(error) = self.close_stragglers().await {
            tracing::warn!(error = %error, "closing sweep failed; retrying");
        }
        if let Err(error) = self.assess_pending().await {
            tracing::warn!(error = %error, "cancellation assessment sweep failed; retrying");
        }
        if let Err(error) = self.report_gauges().await {
            tracing::debug!(error = %error, "task gauges not refreshed");
        }
    }

    async fn promote_missed(&self) -> anyhow::Result<()> {
        let mut conn = self.inner.pool.acquire().await?;
        let orders = store::tasks::orders_with_promotable_tasks(&mut conn, 100).await?;
        drop(conn);
        for order_id in orders {
            let mut tx = self.inner.pool.begin().await?;
            let promoted = self
                .inner
                .flow
                .promote(&mut tx, order_id, &[], crate::flow::ENGINE_ACTOR)
                .await?;
            tx.commit().await?;
            if promoted > 0 {
                tracing::info!(%order_id, promoted, "promotion sweep found ready tasks");
                self.inner.waker.wake();
            }
        }
        Ok(())
    }

    /// Cancels what calls in flight at an order's closing left waiting or retrying.
    async fn close_stragglers(&self) -> anyhow::Result<()> {
        let mut conn = self.inner.pool.acquire().await?;
        let orders = store::orders::closed_with_open_tasks(&mut conn, 100).await?;
        drop(conn);
        for order_id in orders {
            let mut tx = self.inner.pool.begin().await?;
            if store::orders::lock(&mut tx, order_id).await?.is_some() {
                self.inner
                    .flow
                    .close_order(&mut tx, order_id, "sweep", None)
                    .await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// Assesses cancellation requests that waited for their plan or for calls in flight.
    async fn assess_pending(&self) -> anyhow::Result<()> {
        let mut conn = self.inner.pool.acquire().await?;
        let orders = store::changes::orders_assessing(&mut conn, 100).await?;
        drop(conn);
        for order_id in orders {
            let mut tx = self.inner.pool.begin().await?;
            if let Some(order) = store::orders::lock(&mut tx, order_id).await? {
                let meta = crate::events::FactMeta::engine(&order.correlation_id);
                crate::change::cancel::try_assess(&mut tx, &self.inner.flow, order_id, &meta)
                    .await?;
            }
            self.inner.flow.events().outbox().commit(tx).await?;
        }
        Ok(())
    }

    async fn report_gauges(&self) -> anyhow::Result<()> {
        let mut conn = self.inner.pool.acquire().await?;
        let counts = store::tasks::count_by_state(&mut conn).await?;
        for state in TaskState::ALL {
            let count = counts
                .iter()
                .find(|(s, _)| s == state.as_str())
                .map_or(0, |(_, n)| *n);
            #[allow(clippy::cast_precision_loss)] // task counts stay far below 2^52
            metrics::gauge!("oms_fulfillment_tasks", "state" => state.as_str()).set(count as f64);
        }
        Ok(())
    }
}
