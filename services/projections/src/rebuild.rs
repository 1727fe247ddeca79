//! Rebuilding the read model, and the projector that runs one consumer per generation.
//!
//! [`rebuild`] (the `oms-projections rebuild` command and `POST /ops/rebuild`) drops the read
//! model and starts the next generation (`store::generation`). The [`Projector`] runs the
//! inbox consumer of the current generation in consumer group `<consumer>-g<generation>`; when
//! the generation changes (announced by NOTIFY, or found by its poll) it stops that consumer,
//! waits until it has finished, and only then starts the next one, in a new group, which reads
//! every topic from the beginning. The handlers check the generation in every transaction, so
//! the old consumer cannot write anything after the rebuild committed, even before it stopped.

use oms_messaging::{
    ConsumerSettings, ConsumerStatus, InboxConsumer, KafkaSettings, Router, TopicNaming,
};
use sqlx::PgPool;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::config::ProjectionSettings;
use crate::project::ActiveGeneration;
use crate::store::{StoreError, generation};

/// Drops the read model and starts the next generation; returns it.
pub async fn rebuild(pool: &PgPool, consumer: &str, by: &str) -> Result<i64, StoreError> {
    let generation = generation::rebuild(pool, consumer, by).await?;
    metrics::counter!("oms_projection_rebuilds_total").increment(1);
    tracing::info!(generation, %by, "read model dropped; replaying every topic");
    Ok(generation)
}

/// What the running consumer looks like from outside (readiness, lag, the ops route).
#[derive(Debug, Clone, Default)]
pub struct ProjectorStatus {
    inner: Arc<RwLock<Running>>,
}

#[derive(Debug, Default)]
struct Running {
    generation: i64,
    group: String,
    consumer: Option<Arc<ConsumerStatus>>,
}

impl ProjectorStatus {
    /// Whether a consumer runs (readiness).
    pub fn is_running(&self) -> bool {
        self.read(|r| r.consumer.as_ref().is_some_and(|c| c.is_running()))
    }

    /// The generation and consumer group (with the topic prefix) being consumed.
    pub fn generation_and_group(&self) -> (i64, String) {
        self.read(|r| (r.generation, r.group.clone()))
    }

    /// Records the projector consumed since the running consumer started.
    pub fn processed(&self) -> u64 {
        self.read(|r| r.consumer.as_ref().map_or(0, |c| c.processed()))
    }

    fn read<T>(&self, f: impl FnOnce(&Running) -> T) -> T {
        f(&self
            .inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    fn set(&self, running: Running) {
        *self
            .inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = running;
    }
}

/// Runs the consumer of the current generation, and the next one after a rebuild.
pub struct Projector {
    pub pool: PgPool,
    pub router: Arc<Router>,
    pub kafka: KafkaSettings,
    pub naming: TopicNaming,
    pub settings: ProjectionSettings,
    pub dead_letter_topic: String,
    pub generation: ActiveGeneration,
    pub status: ProjectorStatus,
    pub generation_changed: Arc<Notify>,
}

impl std::fmt::Debug for Projector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Projector")
            .field("router", &self.router)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Projector {
    /// Until `shutdown`, or until a consumer fails.
    pub async fn run(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        loop {
            let Some(current) = self.read_generation(&shutdown).await else {
                return Ok(());
            };
            // No consumer runs here: the handlers may now take the new generation as theirs.
            self.generation.set(current);
            let group = self.naming.name(&self.settings.group(current));
            let consumer = InboxConsumer::new(
                self.router.clone(),
                self.kafka.clone(),
                ConsumerSettings::new(&group, &self.dead_letter_topic),
            );
            self.status.set(Running {
                generation: current,
                group: group.clone(),
                consumer: Some(consumer.status()),
            });
            tracing::info!(generation = current, %group, "projecting");
            let stop = shutdown.child_token();
            let mut running = tokio::spawn(consumer.run(stop.clone()));
            let stopped_by_shutdown = loop {
                tokio::select! {
                    () = shutdown.cancelled() => break true,
                    finished = &mut running => {
                        finished??;
                        anyhow::bail!("the projection consumer stopped by itself");
                    }
                    () = self.generation_changed.notified() => {}
                    () = tokio::time::sleep(self.settings.generation_poll()) => {}
                }
                match generation::current(&self.pool).await {
                    Ok(stored) if stored.generation != current => break false,
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "cannot read the generation"),
                }
            };
            stop.cancel();
            running.await??;
            if stopped_by_shutdown {
                return Ok(());
            }
            tracing::info!(previous = current, "a rebuild started a new generation");
        }
    }

    /// The stored generation, retried while the database is unreachable; `None` on shutdown.
    async fn read_generation(&self, shutdown: &CancellationToken) -> Option<i64> {
        loop {
            match generation::current(&self.pool).await {
                Ok(stored) => return Some(stored.generation),
                Err(error) => tracing::warn!(%error, "cannot read the generation; retrying"),
            }
            tokio::select! {
                () = shutdown.cancelled() => return None,
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }
}
