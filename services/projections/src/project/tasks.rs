//! Plans and fulfillment progress onto `order_task`.
//!
//! `OrderDecomposed` writes the plan columns of every task; fulfillment events write the
//! execution columns of the task they name. The task status is what the last fulfillment event
//! of the task said:
//!
//! | event | status |
//! |---|---|
//! | (plan only) | PLANNED (no row status) |
//! | `FulfillmentTaskStarted` | RUNNING (attempt n) |
//! | `FulfillmentTaskSucceeded` | SUCCEEDED |
//! | `FulfillmentTaskFailed` | RETRY_SCHEDULED, or FAILED when no retry follows |
//! | `FalloutRaised` naming the task | FALLOUT |
//! | `FalloutResolved` of that case | RESOLVED (the engine picks the task up again) |
//! | `PlanAmendmentApplied` listing the task as cancelled | CANCELLED |
//!
//! `OrderRedecomposed` writes the plan columns of the new plan's tasks, as `OrderDecomposed`
//! does (kept tasks keep their ids, so their execution columns stay).
//!
//! The other records (decomposition failures, item results, waivers, the cancellation loop)
//! change no task; they are on the timeline.

use oms_contracts::{DecompositionEventV1, FulfillmentEventV1};
use oms_messaging::HandlerError;
use sqlx::PgConnection;

use super::store_error;
use crate::store::tasks::{self, Planned, Progress};

pub async fn apply_decomposition(
    conn: &mut PgConnection,
    event: &DecompositionEventV1,
) -> Result<(), HandlerError> {
    let (order_id, tenant, plan) = match event {
        DecompositionEventV1::OrderDecomposed(r) => (r.order_id, &r.envelope.tenant_id, &r.plan),
        // A re-plan keeps the ids of the tasks it keeps, so their rows keep their execution
        // columns; tasks it drops are marked by fulfillment's `PlanAmendmentApplied`.
        DecompositionEventV1::OrderRedecomposed(r) => (r.order_id, &r.envelope.tenant_id, &r.plan),
        DecompositionEventV1::OrderDecompositionFailed(_)
        | DecompositionEventV1::OrderRedecompositionFailed(_) => return Ok(()),
    };
    for task in &plan.tasks {
        let planned = Planned {
            task_id: task.task_id,
            order_id,
            tenant_id: tenant.clone(),
            plan_id: plan.plan_id,
            task_type: task.task_type.clone(),
            target_system: task.target_system.clone(),
            item_ids: task.item_ids.clone(),
            depends_on: task.depends_on.clone(),
            reversibility: task.reversibility.symbol().to_owned(),
            external_effect_level: task.external_effect_level.symbol().to_owned(),
        };
        tasks::plan(conn, &planned).await.map_err(store_error)?;
    }
    Ok(())
}

pub async fn apply_fulfillment(
    conn: &mut PgConnection,
    event: &FulfillmentEventV1,
) -> Result<(), HandlerError> {
    use FulfillmentEventV1 as E;
    let progress = |task_id, order_id, tenant: &str, status, at| Progress {
        task_id,
        order_id,
        tenant_id: tenant.to_owned(),
        status,
        attempt: None,
        error: None,
        external_ref: None,
        fallout_id: None,
        started: false,
        at,
    };
    let update = match event {
        E::FulfillmentTaskStarted(r) => Some(Progress {
            attempt: Some(i32::try_from(r.attempt).unwrap_or(i32::MAX)),
            started: true,
            ..progress(
                r.task_id,
                r.order_id,
                &r.envelope.tenant_id,
                "RUNNING",
                r.envelope.occurred_at,
            )
        }),
        E::FulfillmentTaskSucceeded(r) => Some(Progress {
            external_ref: r.external_ref.clone(),
            ..progress(
                r.task_id,
                r.order_id,
                &r.envelope.tenant_id,
                "SUCCEEDED",
                r.envelope.occurred_at,
            )
        }),
        E::FulfillmentTaskFailed(r) => Some(Progress {
            attempt: Some(i32::try_from(r.attempt).unwrap_or(i32::MAX)),
            error: Some((r.code.clone(), r.message.clone())),
            ..progress(
                r.task_id,
                r.order_id,
                &r.envelope.tenant_id,
                if r.will_retry {
                    "RETRY_SCHEDULED"
                } else {
                    "FAILED"
                },
                r.envelope.occurred_at,
            )
        }),
        E::FalloutRaised(r) => r.task_id.map(|task_id| Progress {
            fallout_id: Some(r.fallout_id),
            error: Some((r.code.clone(), r.message.clone())),
            ..progress(
                task_id,
                r.order_id,
                &r.envelope.tenant_id,
                "FALLOUT",
                r.envelope.occurred_at,
            )
        }),
        E::FalloutResolved(r) => {
            tasks::resolve_fallout(conn, r.order_id, r.fallout_id, r.envelope.occurred_at)
                .await
                .map_err(store_error)?;
            None
        }
        E::PlanAmendmentApplied(r) => {
            for task_id in &r.cancelled_task_ids {
                let cancelled = progress(
                    *task_id,
                    r.order_id,
                    &r.envelope.tenant_id,
                    "CANCELLED",
                    r.envelope.occurred_at,
                );
                tasks::progress(conn, &cancelled)
                    .await
                    .map_err(store_error)?;
            }
            None
        }
        E::OrderItemFulfilled(_)
        | E::FulfillmentItemWaived(_)
        | E::CancellationAssessmentCompleted(_)
        | E::CompensationCompleted(_)
        | E::OrderItemCompensated(_)
        | E::PlanAmendmentRefused(_) => None,
    };
    if let Some(update) = update {
        tasks::progress(conn, &update).await.map_err(store_error)?;
    }
    Ok(())
}
