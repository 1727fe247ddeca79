//! Cancellation in fulfillment (ADR 0008 §2).
//!
//! 1. `OrderCancellationRequested`: the request is recorded as a compensation plan
//!    (ASSESSING) and the order's execution tasks are paused (no new claim).
//! 2. [`try_assess`], at once and again whenever an outcome of the order is recorded (and
//!    by the engine's sweep): once the plan has started and no call of the scope is in
//!    flight, the domain's `assess_plan` decides per task and item on the locked rows; the
//!    assessment is stored (PROPOSED) and published (`CancellationAssessmentCompleted`).
//! 3. `OrderCancellationAssessed` with a cancelling feasibility (order-capture recorded it,
//!    or an operator approved a manual review): the not-started tasks of the cancelled items
//!    are CANCELLED, their compensation tasks created (ids derived from request and task, so
//!    nothing twice) with the reverse dependency order as `depends_on`, the items go
//!    CANCELLING, the pause ends and the engine runs the compensations like any task.
//!    `OrderCancellationRejected` discards the plan and ends the pause.
//! 4. [`after_compensation`], in the transaction recording a compensation's success: the
//!    original becomes COMPENSATED, the next compensations are promoted, an item whose
//!    compensations all succeeded is CANCELLED and reported (`OrderItemCompensated`, with
//!    the installed-base effect it had reached), and the plan's end (`CompensationCompleted`).

use super::view;
use crate::events::{self, FactMeta};
use crate::flow::{ENGINE_ACTOR, Flow, FlowError};
use crate::model::{TaskState, TaskTrigger};
use crate::store::{
    self, StoreError, changes, items, orders,
    tasks::{NewTask, TaskRow},
    vocab,
};
use oms_domain::change::{PlanAssessment, TaskDisposition, assess_plan};
use oms_domain::events::{OrderCancellationAssessed, OrderCancellationRequested};
use oms_domain::vocab::{AssetEffect, CancellationFeasibility};
use sqlx::PgConnection;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// Namespace of compensation task ids (UUID v5 of request and task).
const COMPENSATION_NAMESPACE: Uuid = Uuid::from_u128(0x8f0c_3a5e_61d2_4b7a_9e41_2c6d_0a93_b715);

pub fn compensation_task_id(request_id: Uuid, original: Uuid) -> Uuid {
    let mut name = request_id.as_bytes().to_vec();
    name.extend_from_slice(original.as_bytes());
    Uuid::new_v5(&COMPENSATION_NAMESPACE, &name)
}

/// Records the request, pauses the order and assesses if it can. The caller ensured and
/// locked the order row.
pub async fn requested(
    conn: &mut PgConnection,
    flow: &Flow,
    request: &OrderCancellationRequested,
    meta: &FactMeta,
) -> Result<(), FlowError> {
    let order_id = request.base.order_id.as_uuid();
    let request_id = request.request_id.as_uuid();
    let scope: Vec<Uuid> = request
        .scope_item_ids
        .iter()
        .map(oms_domain::value::OrderItemId::as_uuid)
        .collect();
    let recorded = changes::insert_compensation_plan(
        conn,
        request_id,
        order_id,
        request.base.tenant_id.as_str(),
        &scope,
        request.force_manual_review,
        request.base.meta.correlation_id.as_str(),
    )
    .await?;
    if !recorded {
        return Ok(());
    }
    orders::freeze(conn, order_id, request_id, "CANCELLATION").await?;
    tracing::info!(%order_id, %request_id, "cancellation requested; execution paused");
    try_assess(conn, flow, order_id, meta).await
}

/// Assesses the order's ASSESSING request, if its plan started and no call of the scope is
/// in flight. The caller holds the order row's lock.
pub async fn try_assess(
    conn: &mut PgConnection,
    flow: &Flow,
    order_id: Uuid,
    meta: &FactMeta,
) -> Result<(), FlowError> {
    let Some(plan) = changes::open_compensation_plan(conn, order_id, &[changes::ASSESSING]).await?
    else {
        return Ok(());
    };
    let Some(order) = orders::contexts(conn, &[order_id])
        .await?
        .into_iter()
        .next()
    else {
        return Ok(());
    };
    let (Some(started), Some(content)) = (order.started_plan_id, order.content()?) else {
        tracing::debug!(%order_id, "cancellation waits for the plan to start");
        return Ok(());
    };
    let tasks = store::tasks::of_order(conn, order_id).await?;
    let view = view::of_plan(started, &tasks)?;
    let item_rows = items::of_order(conn, order_id).await?;
    let item_order: Vec<_> = content.items.iter().map(|i| i.id).collect();
    let scope: BTreeSet<_> = if plan.scope_item_ids.is_empty() {
        item_order.iter().copied().collect()
    } else {
        plan.scope_item_ids
            .iter()
            .copied()
            .map(oms_domain::value::OrderItemId::from_uuid)
            .collect()
    };
    let closed: BTreeSet<_> = item_rows
        .iter()
        .filter(|i| matches!(i.status.as_str(), items::WAIVED | items::CANCELLED))
        .map(|i| oms_domain::value::OrderItemId::from_uuid(i.item_id))
        .collect();
    let assessment = assess_plan(
        &view,
        &item_order,
        &scope,
        &closed,
        plan.force_manual_review,
    );
    if !assessment.awaiting_calls.is_empty() {
        tracing::info!(%order_id, calls = assessment.awaiting_calls.len(), "cancellation assessment waits for calls in flight");
        return Ok(());
    }
    let fulfilled: BTreeSet<Uuid> = item_rows
        .iter()
        .filter(|i| i.status == items::FULFILLED)
        .map(|i| i.item_id)
        .collect();
    let compensated: Vec<Uuid> = assessment
        .cancelling_item_ids()
        .iter()
        .map(oms_domain::value::OrderItemId::as_uuid)
        .filter(|i| fulfilled.contains(i))
        .collect();
    let json =
        serde_json::to_value(&assessment).map_err(|e| StoreError::corrupt("assessment", e))?;
    if !changes::mark_proposed(
        conn,
        plan.compensation_plan_id,
        &store::spelling(&assessment.feasibility),
        &json,
    )
    .await?
    {
        return Ok(());
    }
    let event = events::assessment_completed(
        order_id,
        &plan.tenant_id,
        plan.compensation_plan_id,
        &assessment,
        &compensated,
        &FactMeta {
            correlation_id: plan.correlation_id.clone(),
            ..meta.clone()
        },
    )?;
    flow.events().append(conn, &event).await?;
    tracing::info!(%order_id, feasibility = ?assessment.feasibility, steps = assessment.compensation.len(), "cancellation assessed");
    Ok(())
}

/// Order-capture recorded the decision: start the compensation of the decided items.
pub async fn decided(
    conn: &mut PgConnection,
    flow: &Flow,
    decision: &OrderCancellationAssessed,
    meta: &FactMeta,
) -> Result<(), FlowError> {
    if !matches!(
        decision.feasibility,
        CancellationFeasibility::FullyCancellable | CancellationFeasibility::PartiallyCancellable
    ) {
        return Ok(());
    }
    let order_id = decision.base.order_id.as_uuid();
    let request_id = decision.request_id.as_uuid();
    let Some(plan) = changes::compensation_plan(conn, request_id).await? else {
        tracing::warn!(%order_id, %request_id, "a decision for a cancellation fulfillment never assessed; ignored");
        return Ok(());
    };
    let cancelling: Vec<Uuid> = decision
        .cancelling_item_ids
        .iter()
        .map(oms_domain::value::OrderItemId::as_uuid)
        .collect();
    if !changes::mark_executing(conn, request_id, &cancelling).await? {
        return Ok(());
    }
    let assessment: PlanAssessment = plan
        .assessment
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| StoreError::corrupt("assessment", e))?
        .ok_or_else(|| StoreError::corrupt("assessment", "missing"))?;
    start(conn, flow, &plan, &assessment, &cancelling, meta).await
}

async fn start(
    conn: &mut PgConnection,
    flow: &Flow,
    plan: &changes::CompensationPlanRow,
    assessment: &PlanAssessment,
    cancelling: &[Uuid],
    meta: &FactMeta,
) -> Result<(), FlowError> {
    let order_id = plan.order_id;
    let request_id = plan.compensation_plan_id;
    let set: BTreeSet<Uuid> = cancelling.iter().copied().collect();
    let serves = |item_ids: &[oms_domain::value::OrderItemId]| {
        !item_ids.is_empty() && item_ids.iter().all(|i| set.contains(&i.as_uuid()))
    };
    let order = orders::contexts(conn, &[order_id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::corrupt("order", format!("{order_id} is missing")))?;
    let started = order
        .started_plan_id
        .ok_or_else(|| StoreError::corrupt("order", "cancellation of an order not started"))?;
    // items before tasks (store lock order)
    let all_items: Vec<Uuid> = items::of_order(conn, order_id)
        .await?
        .iter()
        .map(|i| i.item_id)
        .collect();
    items::lock(conn, order_id, &all_items).await?;
    let task_ids: Vec<Uuid> = store::tasks::of_order(conn, order_id)
        .await?
        .iter()
        .map(|t| t.task_id)
        .collect();
    let tasks: BTreeMap<Uuid, TaskRow> = store::tasks::lock(conn, &task_ids)
        .await?
        .into_iter()
        .map(|t| (t.task_id, t))
        .collect();
    let detail = format!("cancelled by request {request_id}");
    for impact in assessment
        .tasks
        .iter()
        .filter(|t| t.disposition == TaskDisposition::Cancel && serves(&t.item_ids))
    {
        if let Some(task) = tasks.get(&impact.task_id.as_uuid()) {
            cancel_task(conn, task, &detail, "CANCELLED").await?;
        }
    }
    let mut created = 0;
    for step in assessment
        .compensation
        .iter()
        .filter(|s| serves(&s.item_ids))
    {
        let original = step.compensates_task_id.as_uuid();
        let Some(task) = tasks.get(&original) else {
            continue;
        };
        let depends_on = step
            .after
            .iter()
            .filter(|a| {
                assessment
                    .compensation
                    .iter()
                    .any(|s| s.compensates_task_id == **a && serves(&s.item_ids))
            })
            .map(|a| compensation_task_id(request_id, a.as_uuid()))
            .collect();
        let inserted = store::tasks::insert(
            conn,
            &NewTask {
                task_id: compensation_task_id(request_id, original),
                plan_id: started,
                order_id,
                tenant_id: task.tenant_id.clone(),
                item_ids: task.item_ids.clone(),
                task_type: step.task_type.clone(),
                target_system: step.target_system.clone(),
                depends_on,
                reversibility: "NONE".into(),
                external_effect_level: task.external_effect_level.clone(),
                template_key: task.template_key.as_ref().map(|k| format!("undo_{k}")),
                compensation_task_type: None,
                item_milestone: None,
                item_asset_effect: None,
                inputs: None,
                compensation: Some((request_id, original)),
            },
        )
        .await?;
        created += usize::from(inserted);
    }
    items::begin_cancel(conn, order_id, cancelling).await?;
    orders::unfreeze(conn, order_id, request_id).await?;
    let meta = FactMeta {
        correlation_id: plan.correlation_id.clone(),
        ..meta.clone()
    };
    for item in cancelling {
        item_done_if_undone(conn, flow, plan, *item, &meta).await?;
    }
    flow.promote(conn, order_id, &[], ENGINE_ACTOR).await?;
    plan_done_if_undone(conn, flow, plan, &meta).await?;
    tracing::info!(%order_id, %request_id, compensations = created, items = cancelling.len(), "compensation started");
    metrics::counter!("oms_fulfillment_compensation_plans_started_total").increment(1);
    Ok(())
}

/// Cancels a task that has not applied anything (or a waiting one whose work stops).
async fn cancel_task(
    conn: &mut PgConnection,
    task: &TaskRow,
    detail: &str,
    resolution: &str,
) -> Result<bool, FlowError> {
    let Ok(next) = task.after(TaskTrigger::Cancel) else {
        return Ok(false);
    };
    store::tasks::persist(
        conn,
        task,
        &next,
        TaskTrigger::Cancel,
        ENGINE_ACTOR,
        Some(detail),
    )
    .await?;
    if task.state == TaskState::Fallout {
        store::fallout::resolve_open(conn, task.task_id, resolution, ENGINE_ACTOR).await?;
    }
    Ok(true)
}

/// Order-capture rejected the cancellation (or the review): the plan is discarded and the
/// order runs on.
pub async fn rejected(
    conn: &mut PgConnection,
    order_id: Uuid,
    request_id: Uuid,
) -> Result<(), FlowError> {
    if changes::finish_compensation_plan(conn, request_id, changes::DISCARDED).await? {
        tracing::info!(%order_id, %request_id, "cancellation rejected; execution resumes");
    }
    orders::unfreeze(conn, order_id, request_id).await?;
    Ok(())
}

/// After compensation task `task` SUCCEEDED (persisted; its item rows locked by the caller).
pub async fn after_compensation(
    conn: &mut PgConnection,
    flow: &Flow,
    task: &TaskRow,
    meta: &FactMeta,
) -> Result<(), FlowError> {
    let (Some(original), Some(plan_id)) = (task.compensates_task_id, task.compensation_plan_id)
    else {
        return Ok(());
    };
    if let Some(undone) = store::tasks::lock_one(conn, original).await? {
        let detail = format!("undone by {}", task.task_id);
        match undone.after(TaskTrigger::Compensate) {
            Ok(next) => {
                store::tasks::persist(
                    conn,
                    &undone,
                    &next,
                    TaskTrigger::Compensate,
                    ENGINE_ACTOR,
                    Some(&detail),
                )
                .await?;
            }
            // the original ended up not applied after all (its callback failed)
            Err(_) => {
                cancel_task(conn, &undone, &detail, "CANCELLED").await?;
            }
        }
    }
    flow.promote(conn, task.order_id, &[task.task_id], ENGINE_ACTOR)
        .await?;
    let Some(plan) = changes::compensation_plan(conn, plan_id).await? else {
        return Ok(());
    };
    for item in &task.item_ids {
        item_done_if_undone(conn, flow, &plan, *item, meta).await?;
    }
    plan_done_if_undone(conn, flow, &plan, meta).await
}

/// Reports the item cancelled once none of its compensations is left.
async fn item_done_if_undone(
    conn: &mut PgConnection,
    flow: &Flow,
    plan: &changes::CompensationPlanRow,
    item_id: Uuid,
    meta: &FactMeta,
) -> Result<(), FlowError> {
    if store::tasks::open_compensations(conn, plan.compensation_plan_id, item_id).await? > 0 {
        return Ok(());
    }
    let Some(row) = items::of_order(conn, plan.order_id)
        .await?
        .into_iter()
        .find(|i| i.item_id == item_id)
    else {
        return Ok(());
    };
    if !items::finish_cancel(conn, plan.order_id, item_id).await? {
        return Ok(());
    }
    let order = orders::contexts(conn, &[plan.order_id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::corrupt("order", "missing"))?;
    let content = order
        .content()?
        .ok_or_else(|| StoreError::corrupt("order", "no content"))?;
    // the effect the item had reached: recorded when it was fulfilled
    let effect: AssetEffect = match &row.asset_effect {
        Some(e) => vocab("asset effect", e)?,
        None => AssetEffect::None,
    };
    let event = events::item_compensated(
        plan.order_id,
        &plan.tenant_id,
        plan.compensation_plan_id,
        item_id,
        &content,
        (effect, row.asset_id.as_deref()),
        meta,
    )?;
    flow.events().append(conn, &event).await?;
    metrics::counter!("oms_fulfillment_items_compensated_total").increment(1);
    tracing::info!(order_id = %plan.order_id, %item_id, reverted = ?effect, "item compensated");
    Ok(())
}

async fn plan_done_if_undone(
    conn: &mut PgConnection,
    flow: &Flow,
    plan: &changes::CompensationPlanRow,
    meta: &FactMeta,
) -> Result<(), FlowError> {
    let current = changes::compensation_plan(conn, plan.compensation_plan_id)
        .await?
        .ok_or_else(|| StoreError::corrupt("compensation plan", "missing"))?;
    let rows = items::of_order(conn, plan.order_id).await?;
    let open = rows
        .iter()
        .any(|i| current.cancelling_item_ids.contains(&i.item_id) && i.status == items::CANCELLING);
    if open {
        return Ok(());
    }
    if changes::finish_compensation_plan(conn, plan.compensation_plan_id, changes::COMPLETED)
        .await?
    {
        let event = events::compensation_completed(
            plan.order_id,
            &plan.tenant_id,
            plan.compensation_plan_id,
            meta,
        )?;
        flow.events().append(conn, &event).await?;
        tracing::info!(order_id = %plan.order_id, request_id = %plan.compensation_plan_id, "compensation completed");
    }
    Ok(())
}
