//! Recording how a downstream request ended: success, acceptance for a callback, or a
//! failure that is retried on the persisted schedule or opens a fallout case.

use super::{Flow, FlowError};
use crate::downstream::{DownstreamFailure, DownstreamResponse, ExternalRefs};
use crate::events::{self, FactMeta};
use crate::model::TaskTrigger;
use crate::store::{self, fallout::NewFallout, tasks::TaskRow};
use chrono::Utc;
use sqlx::PgConnection;
use uuid::Uuid;

/// The engine actor, as written to the transition history.
pub const ENGINE_ACTOR: &str = "service:fulfillment";

/// What a recorded outcome did to the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DispatchOutcome {
    Succeeded,
    WaitingForCallback,
    RetryScheduled,
    Fallout,
}

impl DispatchOutcome {
    pub const fn label(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::WaitingForCallback => "waiting_for_callback",
            Self::RetryScheduled => "retry_scheduled",
            Self::Fallout => "fallout",
        }
    }
}

impl Flow {
    /// Applies a response to a DISPATCHED `task` (locked, with its items) and emits the facts.
    pub async fn record_response(
        &self,
        conn: &mut PgConnection,
        task: &TaskRow,
        response: DownstreamResponse,
        meta: &FactMeta,
    ) -> Result<DispatchOutcome, FlowError> {
        match response {
            DownstreamResponse::Completed(refs) => {
                self.complete(conn, task, TaskTrigger::Complete, &refs, meta, ENGINE_ACTOR)
                    .await?;
                Ok(DispatchOutcome::Succeeded)
            }
            DownstreamResponse::Accepted { external_ref } => {
                let mut next = task.after(TaskTrigger::AwaitCallback)?;
                next.external_ref = external_ref;
                store::tasks::persist(
                    conn,
                    task,
                    &next,
                    TaskTrigger::AwaitCallback,
                    ENGINE_ACTOR,
                    None,
                )
                .await?;
                Ok(DispatchOutcome::WaitingForCallback)
            }
            DownstreamResponse::TransientError(failure) => {
                self.fail(conn, task, &failure, true, false, meta).await
            }
            DownstreamResponse::PermanentError(failure) => {
                self.fail(conn, task, &failure, false, false, meta).await
            }
        }
    }

    /// Moves `task` to SUCCEEDED with `refs` (trigger COMPLETE or OPERATOR_COMPLETE), emits
    /// `FulfillmentTaskSucceeded`, then item results and dependents.
    pub async fn complete(
        &self,
        conn: &mut PgConnection,
        task: &TaskRow,
        trigger: TaskTrigger,
        refs: &ExternalRefs,
        meta: &FactMeta,
        actor: &str,
    ) -> Result<TaskRow, FlowError> {
        let mut next = task.after(trigger)?;
        if refs.external_ref.is_some() {
            next.external_ref.clone_from(&refs.external_ref);
        }
        next.service_refs.clone_from(&refs.service_refs);
        next.resource_refs.clone_from(&refs.resource_refs);
        next.next_attempt_at = None;
        next.completed_at = Some(Utc::now());
        let stored = store::tasks::persist(conn, task, &next, trigger, actor, None).await?;
        let event = events::task_succeeded(&stored, meta)?;
        self.events.append(conn, &event).await?;
        if stored.is_compensation() {
            crate::change::cancel::after_compensation(conn, self, &stored, meta).await?;
        } else {
            self.after_success(conn, &stored, meta, actor).await?;
        }
        Ok(stored)
    }

    /// A failed request. Transient with attempts left: RETRY_SCHEDULED at the persisted
    /// backoff time. Otherwise FALLOUT with an open case and `FalloutRaised`.
    /// `request_closed` (a failure reported by callback after acceptance) moves the
    /// idempotency key to the next generation, since the downstream system finished the
    /// old request and would only replay its failure.
    pub async fn fail(
        &self,
        conn: &mut PgConnection,
        task: &TaskRow,
        failure: &DownstreamFailure,
        transient: bool,
        request_closed: bool,
        meta: &FactMeta,
    ) -> Result<DispatchOutcome, FlowError> {
        let attempts = task.attempts_in_budget();
        let retry = transient && self.backoff.has_attempts_left(attempts);
        let trigger = if retry {
            TaskTrigger::ScheduleRetry
        } else {
            TaskTrigger::RaiseFallout
        };
        let mut next = task.after(trigger)?;
        next.last_error_code = Some(failure.code.clone());
        next.last_error_message = Some(failure.message.clone());
        if request_closed {
            next.key_generation += 1;
        }
        if retry {
            let delay = self.backoff.delay(attempts, rand::random::<f64>());
            let delay = chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
            next.next_attempt_at = Some(Utc::now() + delay);
        }
        let detail = format!("{}: {}", failure.code, failure.message);
        let stored =
            store::tasks::persist(conn, task, &next, trigger, ENGINE_ACTOR, Some(&detail)).await?;
        let failed = events::task_failed(&stored, &failure.code, &failure.message, retry, meta)?;
        self.events.append(conn, &failed).await?;
        if retry {
            tracing::warn!(task_id = %task.task_id, attempt = task.attempt, code = %failure.code, retry_at = ?next.next_attempt_at, "task failed transiently; retry scheduled");
            return Ok(DispatchOutcome::RetryScheduled);
        }
        self.raise_fallout(conn, &stored, failure, transient, meta)
            .await?;
        Ok(DispatchOutcome::Fallout)
    }

    async fn raise_fallout(
        &self,
        conn: &mut PgConnection,
        task: &TaskRow,
        failure: &DownstreamFailure,
        exhausted: bool,
        meta: &FactMeta,
    ) -> Result<(), FlowError> {
        let fallout_id = Uuid::now_v7();
        let message = if exhausted {
            format!(
                "{} failed {} times in a row, last: {}",
                task.task_type,
                task.attempts_in_budget(),
                failure.message
            )
        } else {
            format!("{} was rejected: {}", task.task_type, failure.message)
        };
        let remediation = if task.is_compensation() {
            format!(
                "The cancellation is stuck on undoing this step: repair the cause in {}, then retry the compensation task; or undo it by hand and complete the task with evidence.",
                task.target_system
            )
        } else {
            format!(
                "Repair the cause in {}, then retry the task; or complete it manually with evidence, or waive the item.",
                task.target_system
            )
        };
        store::fallout::open(
            conn,
            &NewFallout {
                fallout_id,
                order_id: task.order_id,
                tenant_id: &task.tenant_id,
                task_id: task.task_id,
                item_ids: &task.item_ids,
                code: &failure.code,
                message: &message,
                remediation: Some(&remediation),
            },
        )
        .await?;
        let raised = events::fallout_raised(
            task,
            fallout_id,
            &failure.code,
            &message,
            Some(&remediation),
            meta,
        )?;
        self.events.append(conn, &raised).await?;
        metrics::counter!("oms_fulfillment_fallouts_raised_total", "system" => task.target_system.clone()).increment(1);
        tracing::warn!(task_id = %task.task_id, order_id = %task.order_id, %fallout_id, code = %failure.code, "fallout raised");
        Ok(())
    }
}
