//! Claiming and running tasks. The two-transaction protocol of ADR 0007:
//!
//! 1. claim (`FOR UPDATE SKIP LOCKED`), move to DISPATCHED with owner, attempt and
//!    idempotency key, append `FulfillmentTaskStarted`, **commit**;
//! 2. call the downstream system with that key (no transaction open);
//! 3. lock the task again and record the outcome, if it is still ours and still this
//!    attempt (otherwise another engine recovered it and records it instead).
//!
//! A crash between 1 and 3 leaves the task DISPATCHED under a dead owner; recovery
//! re-dispatches it with the same key, and the downstream system answers with what it
//! recorded, so the work is applied at most once and recorded exactly once.

use super::{Engine, Instance};
use crate::downstream::{DownstreamFailure, DownstreamRequest, DownstreamResponse, ItemContext};
use crate::events::{self, FactMeta};
use crate::flow::ENGINE_ACTOR;
use crate::model::TaskTrigger;
use crate::store::{self, orders::OrderRow, tasks::TaskRow};
use chrono::Utc;
use oms_domain::order::OrderContent;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::task::TaskTracker;
use tracing::Instrument as _;
use uuid::Uuid;

/// A task on its way to the downstream system.
struct Claimed {
    task: TaskRow,
    request: DownstreamRequest,
    correlation_id: String,
    permit: OwnedSemaphorePermit,
}

fn free_slots(slots: &Arc<Semaphore>) -> Vec<OwnedSemaphorePermit> {
    std::iter::from_fn(|| slots.clone().try_acquire_owned().ok()).collect()
}

impl Engine {
    /// Claims READY and due RETRY_SCHEDULED tasks for the free slots and starts them.
    pub(super) async fn dispatch_runnable(
        &self,
        instance: &Arc<Instance>,
        slots: &Arc<Semaphore>,
        calls: &TaskTracker,
    ) -> anyhow::Result<()> {
        let mut permits = free_slots(slots);
        if permits.is_empty() {
            return Ok(());
        }
        let limit = i64::try_from(permits.len()).unwrap_or(i64::MAX);
        let mut tx = self.inner.pool.begin().await?;
        let tasks = store::tasks::claim_runnable(&mut tx, limit).await?;
        if tasks.is_empty() {
            return Ok(());
        }
        let contexts = load_contexts(&mut tx, &tasks).await?;
        let mut claimed = Vec::with_capacity(tasks.len());
        for task in tasks {
            let Some(permit) = permits.pop() else { break };
            let mut next = task.after(TaskTrigger::Dispatch)?;
            next.attempt += 1;
            next.dispatched_by = Some(instance.id());
            next.dispatched_at = Some(Utc::now());
            next.next_attempt_at = None;
            let stored = store::tasks::persist(
                &mut tx,
                &task,
                &next,
                TaskTrigger::Dispatch,
                ENGINE_ACTOR,
                None,
            )
            .await?;
            let order = contexts.get(&stored.order_id);
            let correlation_id =
                order.map_or_else(|| stored.order_id.to_string(), |o| o.correlation_id.clone());
            let started = events::task_started(&stored, &FactMeta::engine(&correlation_id))?;
            self.inner.flow.events().append(&mut tx, &started).await?;
            claimed.push(Claimed {
                request: request_for(&stored, order),
                task: stored,
                correlation_id,
                permit,
            });
        }
        self.inner.flow.events().outbox().commit(tx).await?;
        self.start_calls(instance, claimed, calls);
        Ok(())
    }

    /// Takes over DISPATCHED tasks of dead engines (and, at start-up, our own id's) and
    /// re-dispatches them with their recorded attempt and key.
    pub(super) async fn recover(
        &self,
        instance: &Arc<Instance>,
        include_mine: bool,
        slots: &Arc<Semaphore>,
        calls: &TaskTracker,
    ) -> anyhow::Result<()> {
        let mut permits = free_slots(slots);
        if permits.is_empty() {
            return Ok(());
        }
        let limit = i64::try_from(permits.len()).unwrap_or(i64::MAX);
        let mut tx = self.inner.pool.begin().await?;
        let orphans = store::tasks::claim_orphaned(
            &mut tx,
            instance.id(),
            include_mine,
            super::LOCK_CLASS,
            limit,
        )
        .await?;
        if orphans.is_empty() {
            return Ok(());
        }
        let contexts = load_contexts(&mut tx, &orphans).await?;
        let mut claimed = Vec::with_capacity(orphans.len());
        for task in orphans {
            let Some(permit) = permits.pop() else { break };
            let mut next = task.after(TaskTrigger::Recover)?;
            next.dispatched_by = Some(instance.id());
            next.dispatched_at = Some(Utc::now());
            let detail = format!(
                "engine {} is gone; re-dispatching attempt {} with key {}",
                task.dispatched_by.unwrap_or_default(),
                task.attempt,
                task.idempotency_key()
            );
            let stored = store::tasks::persist(
                &mut tx,
                &task,
                &next,
                TaskTrigger::Recover,
                ENGINE_ACTOR,
                Some(&detail),
            )
            .await?;
            tracing::warn!(task_id = %stored.task_id, idempotency_key = %stored.idempotency_key(), "{detail}");
            let order = contexts.get(&stored.order_id);
            claimed.push(Claimed {
                request: request_for(&stored, order),
                correlation_id: order
                    .map_or_else(|| stored.order_id.to_string(), |o| o.correlation_id.clone()),
                task: stored,
                permit,
            });
        }
        tx.commit().await?;
        self.inner
            .stats
            .recovered
            .fetch_add(claimed.len() as u64, Ordering::Relaxed);
        self.start_calls(instance, claimed, calls);
        Ok(())
    }

    fn start_calls(&self, instance: &Arc<Instance>, claimed: Vec<Claimed>, calls: &TaskTracker) {
        for claim in claimed {
            let span = tracing::info_span!(
                "fulfillment.task",
                task_id = %claim.task.task_id,
                order_id = %claim.task.order_id,
                task_type = %claim.task.task_type,
                system = %claim.task.target_system,
                attempt = claim.task.attempt,
                correlation_id = %claim.correlation_id,
            );
            let engine = self.clone();
            let me = instance.id();
            calls.spawn(async move { engine.run_one(me, claim).await }.instrument(span));
        }
    }

    /// Calls the downstream system and records the outcome (retrying the recording while
    /// the database is unavailable; a shutdown leaves the task to recovery).
    async fn run_one(self, me: i32, claim: Claimed) {
        let stats = &self.inner.stats;
        stats.dispatched.fetch_add(1, Ordering::Relaxed);
        stats.in_flight.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let response = self.call(&claim).await;
        let system = claim.task.target_system.clone();
        metrics::histogram!("oms_fulfillment_downstream_call_seconds", "system" => system.clone())
            .record(started.elapsed().as_secs_f64());
        let mut backoff = Duration::from_millis(100);
        loop {
            match self.record(me, &claim, response.clone()).await {
                Ok(outcome) => {
                    metrics::counter!("oms_fulfillment_task_outcomes_total", "system" => system.clone(), "outcome" => outcome).increment(1);
                    break;
                }
                Err(error) => {
                    tracing::warn!(error = %error, retry_in = ?backoff, "recording the outcome failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    if backoff >= Duration::from_secs(5) && self.inner.pool.is_closed() {
                        break;
                    }
                }
            }
        }
        stats.in_flight.fetch_sub(1, Ordering::Relaxed);
        drop(claim.permit);
        self.inner.waker.wake();
    }

    async fn call(&self, claim: &Claimed) -> DownstreamResponse {
        let Some(system) = self.inner.downstreams.find(&claim.task.target_system) else {
            return DownstreamResponse::PermanentError(DownstreamFailure::new(
                "NO_DOWNSTREAM_ADAPTER",
                format!("no adapter for target system {}", claim.task.target_system),
            ));
        };
        let timeout = self.inner.settings.call_timeout();
        let span = tracing::info_span!("downstream.call", idempotency_key = %claim.request.idempotency_key);
        match tokio::time::timeout(timeout, system.execute(&claim.request).instrument(span)).await {
            Ok(response) => response,
            Err(_) => DownstreamResponse::TransientError(DownstreamFailure::new(
                "DOWNSTREAM_TIMEOUT",
                format!("no answer within {timeout:?}"),
            )),
        }
    }

    /// Records `response` if the task is still this engine's and still this attempt.
    async fn record(
        &self,
        me: i32,
        claim: &Claimed,
        response: DownstreamResponse,
    ) -> anyhow::Result<&'static str> {
        let claimed = &claim.task;
        let mut tx = self.inner.pool.begin().await?;
        store::items::lock(&mut tx, claimed.order_id, &claimed.item_ids).await?;
        let current = store::tasks::lock_one(&mut tx, claimed.task_id).await?;
        let ours = current.as_ref().is_some_and(|t| {
            t.state == crate::model::TaskState::Dispatched
                && t.dispatched_by == Some(me)
                && t.attempt == claimed.attempt
                && t.key_generation == claimed.key_generation
        });
        let Some(current) = current.filter(|_| ours) else {
            tracing::info!("the task moved on while the call was in flight; outcome dropped");
            return Ok("stale");
        };
        let meta = FactMeta::engine(&claim.correlation_id);
        let outcome = self
            .inner
            .flow
            .record_response(&mut tx, &current, response, &meta)
            .await?;
        // a cancellation of the order may have waited for this call's outcome
        crate::change::cancel::try_assess(&mut tx, &self.inner.flow, current.order_id, &meta)
            .await?;
        self.inner.flow.events().outbox().commit(tx).await?;
        Ok(outcome.label())
    }
}

async fn load_contexts(
    conn: &mut sqlx::PgConnection,
    tasks: &[TaskRow],
) -> anyhow::Result<HashMap<Uuid, OrderRow>> {
    let mut order_ids: Vec<Uuid> = tasks.iter().map(|t| t.order_id).collect();
    order_ids.sort_unstable();
    order_ids.dedup();
    Ok(store::orders::contexts(conn, &order_ids)
        .await?
        .into_iter()
        .map(|o| (o.order_id, o))
        .collect())
}

/// The request for `task`, with the item context of the released order content.
fn request_for(task: &TaskRow, order: Option<&OrderRow>) -> DownstreamRequest {
    let content: Option<OrderContent> = order.and_then(|o| match o.content() {
        Ok(content) => content,
        Err(error) => {
            tracing::error!(order_id = %o.order_id, %error, "released content unreadable");
            None
        }
    });
    let items = content.as_ref().map_or_else(Vec::new, |content| {
        task.item_ids
            .iter()
            .filter_map(|id| content.items.iter().find(|i| i.id.as_uuid() == *id))
            .map(|item| ItemContext {
                item_id: item.id.as_uuid(),
                action: item.action,
                offering_id: item.product.offering_id.as_str().to_owned(),
                target_asset_id: item.target_asset_id.as_ref().map(|a| a.as_str().to_owned()),
                configuration: item.configuration.values().clone(),
            })
            .collect()
    });
    let parties = content.as_ref().map(|c| &c.header.parties);
    DownstreamRequest {
        task_id: task.task_id,
        idempotency_key: task.idempotency_key(),
        task_type: task.task_type.clone(),
        order_id: task.order_id,
        tenant_id: task.tenant_id.clone(),
        correlation_id: order
            .map_or_else(|| task.order_id.to_string(), |o| o.correlation_id.clone()),
        items,
        billing_account_id: parties.map(|p| p.billing_account_id.as_str().to_owned()),
        service_address: parties.and_then(|p| p.service_location.clone()),
    }
}
