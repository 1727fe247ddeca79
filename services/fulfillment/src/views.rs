//! Read models of the HTTP API: an order's fulfillment (plan, items, tasks with their state,
//! fallout cases, operator audit) and the fallout queue. Internal columns that mean nothing
//! to a reader (engine instance ids, row versions) stay out.

use crate::model::TaskState;
use crate::store::{self, StoreError, audit::AuditRow, fallout::FalloutRow, tasks::TaskRow};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    pub task_id: Uuid,
    pub plan_id: Uuid,
    pub item_ids: Vec<Uuid>,
    pub task_type: String,
    pub target_system: String,
    pub depends_on: Vec<Uuid>,
    pub reversibility: String,
    pub external_effect_level: String,
    pub compensation_task_type: Option<String>,
    pub item_milestone: Option<bool>,
    #[schema(value_type = String, example = "IN_PROGRESS")]
    pub state: TaskState,
    pub attempt: i32,
    pub idempotency_key: String,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub external_ref: Option<String>,
    pub service_refs: Vec<String>,
    pub resource_refs: Vec<String>,
    pub last_error: Option<LastError>,
    pub completed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// EXECUTION (a step of the plan) or COMPENSATION (undoes `compensatesTaskId`).
    pub purpose: String,
    pub compensates_task_id: Option<Uuid>,
    pub compensation_plan_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LastError {
    pub code: String,
    pub message: String,
}

impl From<&TaskRow> for TaskView {
    fn from(t: &TaskRow) -> Self {
        Self {
            task_id: t.task_id,
            plan_id: t.plan_id,
            item_ids: t.item_ids.clone(),
            task_type: t.task_type.clone(),
            target_system: t.target_system.clone(),
            depends_on: t.depends_on.clone(),
            reversibility: t.reversibility.clone(),
            external_effect_level: t.external_effect_level.clone(),
            compensation_task_type: t.compensation_task_type.clone(),
            item_milestone: t.item_milestone,
            state: t.state,
            attempt: t.attempt,
            idempotency_key: t.idempotency_key(),
            next_attempt_at: t.next_attempt_at,
            external_ref: t.external_ref.clone(),
            service_refs: t.service_refs.clone(),
            resource_refs: t.resource_refs.clone(),
            last_error: t.last_error_code.as_ref().map(|code| LastError {
                code: code.clone(),
                message: t.last_error_message.clone().unwrap_or_default(),
            }),
            completed_at: t.completed_at,
            updated_at: t.updated_at,
            purpose: t.purpose.clone(),
            compensates_task_id: t.compensates_task_id,
            compensation_plan_id: t.compensation_plan_id,
        }
    }
}

/// A cancellation request as fulfillment handles it: its assessment and compensation plan.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompensationPlanView {
    /// The cancellation request id.
    pub compensation_plan_id: Uuid,
    /// ASSESSING, PROPOSED, EXECUTING, COMPLETED or DISCARDED.
    pub status: String,
    /// The expanded scope; empty: the whole order.
    pub scope_item_ids: Vec<Uuid>,
    pub feasibility: Option<String>,
    pub cancelling_item_ids: Vec<Uuid>,
    /// Per task disposition, compensation steps in order, blockers.
    #[schema(value_type = Option<Object>)]
    pub assessment: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub assessed_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// An amendment that asked for a re-plan, and the diff applied (or refused).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanAmendmentView {
    pub request_id: Uuid,
    /// PENDING, APPLIED, REFUSED or FAILED.
    pub status: String,
    pub previous_plan_id: Option<Uuid>,
    pub new_plan_id: Option<Uuid>,
    /// keep / add / cancel / blockedByStarted task ids.
    #[schema(value_type = Option<Object>)]
    pub diff: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemView {
    pub item_id: Uuid,
    /// IN_PROGRESS, FULFILLED, WAIVED, CANCELLING or CANCELLED.
    pub status: String,
    pub asset_effect: Option<String>,
    pub asset_id: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// `GET /api/v1/fulfillment/{orderId}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FulfillmentView {
    pub order_id: Uuid,
    pub tenant_id: String,
    pub order_number: Option<String>,
    /// WAITING_FOR_PLAN, WAITING_FOR_RELEASE, IN_PROGRESS, FALLOUT, CANCELLING, COMPLETED or
    /// CLOSED.
    pub status: &'static str,
    pub released_plan_id: Option<Uuid>,
    pub started_plan_id: Option<Uuid>,
    pub released_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub items: Vec<ItemView>,
    pub tasks: Vec<TaskView>,
    pub fallouts: Vec<FalloutRow>,
    pub audit: Vec<AuditRow>,
    /// The change request pausing execution, if any (CANCELLATION or AMENDMENT).
    pub paused_by: Option<PausedBy>,
    pub compensation_plans: Vec<CompensationPlanView>,
    pub plan_amendments: Vec<PlanAmendmentView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PausedBy {
    pub request_id: Uuid,
    pub reason: String,
}

/// The view of the tenant's order; `None` for an unknown order or another tenant's.
pub async fn fulfillment(
    conn: &mut PgConnection,
    tenant_id: &str,
    order_id: Uuid,
) -> Result<Option<FulfillmentView>, StoreError> {
    let Some(order) = store::orders::find(conn, tenant_id, order_id).await? else {
        return Ok(None);
    };
    let tasks = store::tasks::of_order(conn, order_id).await?;
    let items = store::items::of_order(conn, order_id).await?;
    let fallouts = store::fallout::of_order(conn, order_id).await?;
    let audit = store::audit::of_order(conn, order_id).await?;
    let compensation_plans = store::changes::compensation_plans_of(conn, order_id).await?;
    let plan_amendments = store::changes::plan_amendments_of(conn, order_id).await?;
    let status = if order.closed_at.is_some() {
        "CLOSED"
    } else if compensation_plans
        .iter()
        .any(|p| p.status == store::changes::EXECUTING)
    {
        "CANCELLING"
    } else if order.started_plan_id.is_some() {
        if fallouts.iter().any(|f| f.status == "OPEN") {
            "FALLOUT"
        } else if items.iter().all(|i| i.status != store::items::IN_PROGRESS) {
            "COMPLETED"
        } else {
            "IN_PROGRESS"
        }
    } else if order.released_plan_id.is_none() && !tasks.is_empty() {
        "WAITING_FOR_RELEASE"
    } else {
        // no plan yet, or the released plan has not arrived
        "WAITING_FOR_PLAN"
    };
    let started = order.started_plan_id.or(order.released_plan_id);
    let shown: Vec<TaskView> = tasks
        .iter()
        .filter(|t| started.is_none_or(|p| p == t.plan_id))
        .map(TaskView::from)
        .collect();
    Ok(Some(FulfillmentView {
        order_id,
        tenant_id: order.tenant_id,
        order_number: order.order_number,
        status,
        released_plan_id: order.released_plan_id,
        started_plan_id: order.started_plan_id,
        released_at: order.released_at,
        started_at: order.started_at,
        items: items
            .into_iter()
            .map(|i| ItemView {
                item_id: i.item_id,
                status: i.status,
                asset_effect: i.asset_effect,
                asset_id: i.asset_id,
                finished_at: i.finished_at,
            })
            .collect(),
        tasks: shown,
        fallouts,
        audit,
        paused_by: order
            .frozen_by
            .zip(order.frozen_reason)
            .map(|(request_id, reason)| PausedBy { request_id, reason }),
        compensation_plans: compensation_plans
            .into_iter()
            .map(|p| CompensationPlanView {
                compensation_plan_id: p.compensation_plan_id,
                status: p.status,
                scope_item_ids: p.scope_item_ids,
                feasibility: p.feasibility,
                cancelling_item_ids: p.cancelling_item_ids,
                assessment: p.assessment,
                created_at: p.created_at,
                assessed_at: p.assessed_at,
                started_at: p.started_at,
                finished_at: p.finished_at,
            })
            .collect(),
        plan_amendments: plan_amendments
            .into_iter()
            .map(|a| PlanAmendmentView {
                request_id: a.request_id,
                status: a.status,
                previous_plan_id: a.previous_plan_id,
                new_plan_id: a.new_plan_id,
                diff: a.diff,
                created_at: a.created_at,
                decided_at: a.decided_at,
            })
            .collect(),
    }))
}
