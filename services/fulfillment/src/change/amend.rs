//! Amendment in fulfillment (ADR 0008 §3): an amendment that needs a re-plan pauses the
//! order's execution until decomposition's new plan arrives; the domain's `replan` diff is
//! then applied to the running plan against the locked task rows — kept tasks keep their
//! rows, states and results (nothing that succeeded runs again), replaced pending tasks are
//! cancelled, new ones inserted PENDING — or refused when a task it would replace may have
//! applied its effect meanwhile. Amendments applied in place (no re-plan) only change the
//! content downstream requests are built from.

use super::view;
use crate::events::{self, FactMeta};
use crate::flow::{ENGINE_ACTOR, Flow, FlowError};
use crate::model::{TaskState, TaskTrigger};
use crate::store::{
    self, StoreError, changes, orders, spelling,
    tasks::{NewTask, TaskRow},
};
use oms_domain::change::replan;
use oms_domain::events::{OrderAmendmentApplied, OrderAmendmentRequested, OrderRedecomposed};
use oms_domain::order::OrderContent;
use oms_domain::value::{OrderItemId, PlanId, TaskId};
use oms_domain::vocab::RepairResolution;
use sqlx::PgConnection;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// States in which a task may have applied its effect: it cannot be replaced.
const STARTED: [TaskState; 4] = [
    TaskState::Dispatched,
    TaskState::WaitingForCallback,
    TaskState::Succeeded,
    TaskState::Compensated,
];

/// Records a re-planning amendment and pauses the order (the caller locked the row). When
/// decomposition's outcome for it arrived first (another topic, consumed independently), it
/// is applied at once: the re-plan, or the failure to re-plan.
pub async fn requested(
    conn: &mut PgConnection,
    flow: &Flow,
    request: &OrderAmendmentRequested,
    correlation_id: &str,
) -> Result<(), FlowError> {
    if !request.requires_redecomposition {
        return Ok(());
    }
    let order_id = request.base.order_id.as_uuid();
    let request_id = request.request_id.as_uuid();
    if !changes::insert_plan_amendment(conn, request_id, order_id, request.base.tenant_id.as_str())
        .await?
    {
        return Ok(());
    }
    orders::freeze(conn, order_id, request_id, "AMENDMENT").await?;
    orders::set_pending_content(conn, order_id, &request.proposed_content).await?;
    let Some(early) = changes::take_early_replan(conn, request_id).await? else {
        tracing::info!(%order_id, %request_id, "amendment requested; execution paused until the re-plan");
        return Ok(());
    };
    tracing::info!(%order_id, %request_id, "amendment requested after its re-plan arrived; applying the kept outcome");
    let meta = super::caused_by(correlation_id, early.event_id);
    match early.replan {
        Some(raw) => {
            let replanned: OrderRedecomposed =
                serde_json::from_value(raw).map_err(|e| StoreError::corrupt("early re-plan", e))?;
            redecomposed(conn, flow, &replanned, &meta).await
        }
        None => failed(conn, order_id, request_id).await,
    }
}

/// Keeps a decomposition outcome whose amendment request has not been consumed yet.
async fn park(
    conn: &mut PgConnection,
    order_id: Uuid,
    request_id: Uuid,
    tenant_id: &str,
    replan: Option<serde_json::Value>,
    event_id: Option<&str>,
) -> Result<(), FlowError> {
    let event_id = event_id
        .and_then(|id| Uuid::parse_str(id).ok())
        .ok_or_else(|| StoreError::corrupt("decomposition event", "no causation id"))?;
    if changes::park_early_replan(
        conn,
        request_id,
        order_id,
        tenant_id,
        replan.as_ref(),
        event_id,
    )
    .await?
    {
        tracing::info!(%order_id, %request_id, "decomposition's outcome arrived before the amendment request; kept until it arrives");
        metrics::counter!("oms_fulfillment_replans_early_total").increment(1);
    }
    Ok(())
}

/// Decomposition could not re-plan the amendment: the order runs on as it was; before the
/// request arrived, the failure is kept for it.
pub async fn redecomposition_failed(
    conn: &mut PgConnection,
    order_id: Uuid,
    request_id: Uuid,
    tenant_id: &str,
    meta: &FactMeta,
) -> Result<(), FlowError> {
    if changes::plan_amendment(conn, request_id).await?.is_none() {
        return park(
            conn,
            order_id,
            request_id,
            tenant_id,
            None,
            meta.causation_id.as_deref(),
        )
        .await;
    }
    failed(conn, order_id, request_id).await
}

/// Applies (or refuses) the re-plan of a pending amendment. The caller locked the order row.
pub async fn redecomposed(
    conn: &mut PgConnection,
    flow: &Flow,
    replanned: &OrderRedecomposed,
    meta: &FactMeta,
) -> Result<(), FlowError> {
    let order_id = replanned.base.order_id.as_uuid();
    let request_id = replanned.request_id.as_uuid();
    let Some(pending) = changes::plan_amendment(conn, request_id).await? else {
        let raw = serde_json::to_value(replanned).map_err(|e| StoreError::corrupt("re-plan", e))?;
        return park(
            conn,
            order_id,
            request_id,
            replanned.base.tenant_id.as_str(),
            Some(raw),
            meta.causation_id.as_deref(),
        )
        .await;
    };
    if pending.status != "PENDING" {
        return Ok(());
    }
    let order = orders::lock(conn, order_id)
        .await?
        .ok_or_else(|| StoreError::corrupt("order", "missing"))?;
    let current = order
        .started_plan_id
        .unwrap_or(replanned.previous_plan_id.as_uuid());
    let task_ids: Vec<Uuid> = store::tasks::of_order(conn, order_id)
        .await?
        .iter()
        .filter(|t| t.plan_id == current && !t.is_compensation())
        .map(|t| t.task_id)
        .collect();
    let locked: Vec<TaskRow> = store::tasks::lock(conn, &task_ids).await?;
    let old_view = view::of_plan(current, &locked)?;
    let old: Vec<TaskId> = old_view.tasks.iter().map(|t| t.task_id).collect();
    let started: BTreeSet<TaskId> = locked
        .iter()
        .filter(|t| STARTED.contains(&t.state))
        .map(|t| TaskId::from_uuid(t.task_id))
        .collect();
    let new_plan = &replanned.plan;
    let new: Vec<TaskId> = new_plan.tasks.iter().map(|t| t.task_id).collect();
    let diff = replan(&old, &new, &started);
    let diff_json =
        serde_json::to_value(&diff).map_err(|e| StoreError::corrupt("replan diff", e))?;
    let new_plan_id = new_plan.plan_id.as_uuid();
    let meta = FactMeta {
        correlation_id: order.correlation_id.clone(),
        ..meta.clone()
    };
    if !diff.is_safe() {
        let blockers = diff
            .blocked_by_started
            .iter()
            .filter_map(|id| locked.iter().find(|t| t.task_id == id.as_uuid()))
            .map(|t| {
                format!(
                    "{} on {} ({}) is {}: replacing it needs compensation",
                    t.task_type, t.target_system, t.task_id, t.state
                )
            })
            .collect();
        changes::decide_plan_amendment(
            conn,
            request_id,
            "REFUSED",
            Some(current),
            Some(new_plan_id),
            Some(&diff_json),
        )
        .await?;
        orders::unfreeze(conn, order_id, request_id).await?;
        let event = events::plan_amendment_refused(
            order_id,
            &order.tenant_id,
            replanned.request_id,
            blockers,
            &meta,
        )?;
        flow.events().append(conn, &event).await?;
        tracing::warn!(%order_id, %request_id, blocked = diff.blocked_by_started.len(), "re-plan refused: replaced tasks started");
        return Ok(());
    }
    apply(conn, flow, &order, replanned, current, &diff, &meta).await?;
    changes::decide_plan_amendment(
        conn,
        request_id,
        "APPLIED",
        Some(current),
        Some(new_plan_id),
        Some(&diff_json),
    )
    .await?;
    let mut tasks_per_item: BTreeMap<OrderItemId, u32> = BTreeMap::new();
    if let Some(content) = pending_or_current_content(&order)? {
        for item in &content.items {
            tasks_per_item.insert(item.id, 0);
        }
    }
    for task in &new_plan.tasks {
        for item in &task.item_ids {
            *tasks_per_item.entry(*item).or_default() += 1;
        }
    }
    let event = events::plan_amendment_applied(
        order_id,
        &order.tenant_id,
        replanned.request_id,
        PlanId::from_uuid(new_plan_id),
        &diff,
        tasks_per_item,
        &meta,
    )?;
    flow.events().append(conn, &event).await?;
    tracing::info!(%order_id, %request_id, kept = diff.keep.len(), added = diff.add.len(), cancelled = diff.cancel.len(), "re-plan applied to the running plan");
    metrics::counter!("oms_fulfillment_replans_applied_total").increment(1);
    Ok(())
}

fn pending_or_current_content(
    order: &orders::OrderRow,
) -> Result<Option<OrderContent>, StoreError> {
    let raw = order
        .pending_content
        .clone()
        .or_else(|| order.content.clone());
    raw.map(serde_json::from_value)
        .transpose()
        .map_err(|e| StoreError::corrupt("order content", e))
}

async fn apply(
    conn: &mut PgConnection,
    flow: &Flow,
    order: &orders::OrderRow,
    replanned: &OrderRedecomposed,
    current: Uuid,
    diff: &oms_domain::change::ReplanDiff,
    meta: &FactMeta,
) -> Result<(), FlowError> {
    let order_id = order.order_id;
    let plan = &replanned.plan;
    let new_plan_id = plan.plan_id.as_uuid();
    orders::insert_plan(
        conn,
        new_plan_id,
        order_id,
        &order.tenant_id,
        &plan.rules_version,
    )
    .await?;
    let added: BTreeSet<TaskId> = diff.add.iter().copied().collect();
    for task in plan.tasks.iter().filter(|t| added.contains(&t.task_id)) {
        store::tasks::insert(
            conn,
            &NewTask {
                task_id: task.task_id.as_uuid(),
                plan_id: new_plan_id,
                order_id,
                tenant_id: order.tenant_id.clone(),
                item_ids: task.item_ids.iter().map(OrderItemId::as_uuid).collect(),
                task_type: task.task_type.clone(),
                target_system: task.target_system.clone(),
                depends_on: task.depends_on.iter().map(TaskId::as_uuid).collect(),
                reversibility: spelling(&task.reversibility),
                external_effect_level: spelling(&task.external_effect_level),
                template_key: task.template_key.clone(),
                compensation_task_type: task.compensation_task_type.clone(),
                item_milestone: task.item_milestone,
                item_asset_effect: task.item_asset_effect.as_ref().map(spelling),
                inputs: task
                    .inputs
                    .as_ref()
                    .map(|i| i.iter().map(|x| x.as_str().to_owned()).collect()),
                compensation: None,
            },
        )
        .await?;
    }
    let replaced: Vec<Uuid> = diff.cancel.iter().map(TaskId::as_uuid).collect();
    let detail = format!(
        "replaced by amendment {} (plan {new_plan_id})",
        replanned.request_id
    );
    for task in store::tasks::lock(conn, &replaced).await? {
        if let Ok(next) = task.after(TaskTrigger::Cancel) {
            store::tasks::persist(
                conn,
                &task,
                &next,
                TaskTrigger::Cancel,
                ENGINE_ACTOR,
                Some(&detail),
            )
            .await?;
            if task.state == TaskState::Fallout
                && let Some(case) =
                    store::fallout::resolve_open(conn, task.task_id, "REPLACED", ENGINE_ACTOR)
                        .await?
            {
                // order-capture closes its case too: the cause went away with the task (a
                // repair is always audited with a reason, so the event carries one)
                let meta = FactMeta {
                    reason: Some(format!("task {detail}")),
                    ..meta.clone()
                };
                let event = events::fallout_resolved(&case, RepairResolution::Resume, &meta)?;
                flow.events().append(conn, &event).await?;
            }
        }
    }
    if new_plan_id != current {
        let kept: Vec<Uuid> = diff.keep.iter().map(TaskId::as_uuid).collect();
        store::tasks::move_to_plan(conn, &kept, new_plan_id).await?;
        orders::move_to_plan(conn, order_id, new_plan_id).await?;
    }
    if let Some(content) = pending_or_current_content(order)? {
        orders::set_content(conn, order_id, &content).await?;
    }
    orders::unfreeze(conn, order_id, replanned.request_id.as_uuid()).await?;
    if order.started_plan_id.is_some() {
        flow.promote(conn, order_id, &[], ENGINE_ACTOR).await?;
        // an item whose remaining tasks were all dropped may be done now
        let items: BTreeSet<Uuid> = plan
            .tasks
            .iter()
            .flat_map(|t| t.item_ids.iter().map(OrderItemId::as_uuid))
            .collect();
        let item_list: Vec<Uuid> = items.iter().copied().collect();
        store::items::lock(conn, order_id, &item_list).await?;
        for item in items {
            flow.fulfil_if_done(conn, order_id, &order.tenant_id, item, meta)
                .await?;
        }
    }
    Ok(())
}

/// The re-plan failed, or order-capture rejected the amendment: the order runs on as it was.
pub async fn failed(
    conn: &mut PgConnection,
    order_id: Uuid,
    request_id: Uuid,
) -> Result<(), FlowError> {
    if changes::decide_plan_amendment(conn, request_id, "FAILED", None, None, None).await? {
        tracing::info!(%order_id, %request_id, "amendment not applied; execution resumes");
    }
    orders::unfreeze(conn, order_id, request_id).await?;
    Ok(())
}

/// An amendment is in force: downstream requests use its content from now on.
pub async fn applied(
    conn: &mut PgConnection,
    applied: &OrderAmendmentApplied,
) -> Result<(), FlowError> {
    orders::set_content(conn, applied.base.order_id.as_uuid(), &applied.content).await?;
    Ok(())
}
