//! The execution view (`order_execution`, `order_task_view`; ADR 0008 §1): order-capture's
//! projection of each order's plan and of what fulfillment reported about its tasks, written
//! in the inbox transaction of the plan or task fact. The change rules assess cancellations
//! and amendments against it; every fact absorbed bumps the view's version, which is half of
//! an assessment's version.

use oms_domain::change::{ExecutionView, TaskProgress, TaskView};
use oms_domain::events::{FulfillmentPlan, PlanAmendmentApplied};
use oms_domain::value::{OrderId, OrderItemId, PlanId, TaskId};
use oms_domain::vocab::ItemInput;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{StoreError, from_wire, wire};

/// Task states as the view keeps them (fulfillment's words, coarser).
pub mod state {
    pub const PENDING: &str = "PENDING";
    pub const DISPATCHED: &str = "DISPATCHED";
    pub const SUCCEEDED: &str = "SUCCEEDED";
    pub const RETRY_SCHEDULED: &str = "RETRY_SCHEDULED";
    pub const FALLOUT: &str = "FALLOUT";
    pub const CANCELLED: &str = "CANCELLED";
    pub const COMPENSATED: &str = "COMPENSATED";
}

fn progress(raw: &str) -> TaskProgress {
    match raw {
        state::DISPATCHED => TaskProgress::Dispatched,
        state::SUCCEEDED => TaskProgress::Succeeded,
        state::CANCELLED | state::COMPENSATED => TaskProgress::Ended,
        _ => TaskProgress::NotStarted,
    }
}

/// Stores the tasks of `plan` (a first plan: it becomes the order's plan; a re-plan: its new
/// tasks wait until fulfillment applies it). Tasks already in the view keep their state.
pub async fn record_plan(
    conn: &mut PgConnection,
    order_id: OrderId,
    plan: &FulfillmentPlan,
    current: bool,
) -> Result<(), StoreError> {
    for (position, task) in plan.tasks.iter().enumerate() {
        let inputs: Option<Vec<String>> = task
            .inputs
            .as_ref()
            .map(|i| i.iter().map(|x| x.as_str().to_owned()).collect());
        let item_ids: Vec<Uuid> = task.item_ids.iter().map(OrderItemId::as_uuid).collect();
        let depends_on: Vec<Uuid> = task.depends_on.iter().map(TaskId::as_uuid).collect();
        sqlx::query!(
            r#"insert into order_task_view
                   (order_id, task_id, plan_id, position, item_ids, task_type, target_system,
                    depends_on, reversibility, external_effect_level, compensation_task_type,
                    item_milestone, inputs)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
               on conflict (order_id, task_id) do nothing"#,
            order_id.as_uuid(),
            task.task_id.as_uuid(),
            plan.plan_id.as_uuid(),
            i32::try_from(position).unwrap_or(i32::MAX),
            &item_ids,
            task.task_type,
            task.target_system,
            &depends_on,
            wire(&task.reversibility),
            wire(&task.external_effect_level),
            task.compensation_task_type,
            task.item_milestone.unwrap_or(false),
            inputs.as_deref(),
        )
        .execute(&mut *conn)
        .await?;
    }
    if current {
        sqlx::query!(
            r#"insert into order_execution (order_id, plan_id) values ($1, $2)
               on conflict (order_id) do nothing"#,
            order_id.as_uuid(),
            plan.plan_id.as_uuid(),
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Fulfillment moved the order onto a re-plan: kept and added tasks belong to it now, in
/// the new plan's order; cancelled ones are ended.
pub async fn apply_replan(
    conn: &mut PgConnection,
    order_id: OrderId,
    applied: &PlanAmendmentApplied,
) -> Result<(), StoreError> {
    let moved: Vec<Uuid> = applied
        .kept_task_ids
        .iter()
        .chain(&applied.added_task_ids)
        .map(TaskId::as_uuid)
        .collect();
    let cancelled: Vec<Uuid> = applied
        .cancelled_task_ids
        .iter()
        .map(TaskId::as_uuid)
        .collect();
    sqlx::query!(
        r#"update order_task_view set plan_id = $3, updated_at = now()
           where order_id = $1 and task_id = any($2)"#,
        order_id.as_uuid(),
        &moved,
        applied.plan_id.as_uuid(),
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"update order_task_view set state = 'CANCELLED', updated_at = now()
           where order_id = $1 and task_id = any($2)"#,
        order_id.as_uuid(),
        &cancelled,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"update order_execution set plan_id = $2, version = version + 1 where order_id = $1"#,
        order_id.as_uuid(),
        applied.plan_id.as_uuid(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a task fact: the task (or, for a compensation, the task it undoes) moves to
/// `to`, unless it already ended. Bumps the view's version.
pub async fn record_task(
    conn: &mut PgConnection,
    order_id: OrderId,
    task_id: TaskId,
    to: &str,
) -> Result<(), StoreError> {
    let updated = sqlx::query!(
        r#"update order_task_view set state = $3, updated_at = now()
           where order_id = $1 and task_id = $2 and state not in ('CANCELLED', 'COMPENSATED')"#,
        order_id.as_uuid(),
        task_id.as_uuid(),
        to,
    )
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() > 0 {
        sqlx::query!(
            "update order_execution set version = version + 1 where order_id = $1",
            order_id.as_uuid(),
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// The order's execution view (empty when nothing was planned yet).
pub async fn view(conn: &mut PgConnection, order_id: OrderId) -> Result<ExecutionView, StoreError> {
    let head = sqlx::query!(
        "select plan_id, version from order_execution where order_id = $1",
        order_id.as_uuid()
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(head) = head else {
        return Ok(ExecutionView::default());
    };
    let rows = sqlx::query!(
        r#"select task_id, item_ids, task_type, target_system, depends_on, reversibility,
                  external_effect_level, compensation_task_type, item_milestone, inputs, state
             from order_task_view where order_id = $1 and plan_id = $2
             order by position, task_id"#,
        order_id.as_uuid(),
        head.plan_id,
    )
    .fetch_all(conn)
    .await?;
    let corrupt =
        |what: &str, raw: &str| StoreError::corrupt("order_task_view", format!("{what} {raw}"));
    let mut tasks = Vec::with_capacity(rows.len());
    for r in rows {
        tasks.push(TaskView {
            task_id: TaskId::from_uuid(r.task_id),
            item_ids: r.item_ids.into_iter().map(OrderItemId::from_uuid).collect(),
            task_type: r.task_type,
            target_system: r.target_system,
            depends_on: r.depends_on.into_iter().map(TaskId::from_uuid).collect(),
            reversibility: from_wire(&r.reversibility)
                .ok_or_else(|| corrupt("reversibility", &r.reversibility))?,
            external_effect_level: from_wire(&r.external_effect_level)
                .ok_or_else(|| corrupt("effect level", &r.external_effect_level))?,
            compensation_task_type: r.compensation_task_type,
            item_milestone: r.item_milestone,
            inputs: r
                .inputs
                .map(|i| {
                    i.iter()
                        .map(|x| ItemInput::parse(x).ok_or_else(|| corrupt("input", x)))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
            progress: progress(&r.state),
        });
    }
    // a re-plan's tasks interleave with kept ones: order by dependencies, ties by position
    let tasks = dependency_order(tasks);
    Ok(ExecutionView {
        plan_id: Some(PlanId::from_uuid(head.plan_id)),
        version: u64::try_from(head.version).unwrap_or(0),
        tasks,
    })
}

/// Stable topological order (dependencies first, otherwise the given order).
fn dependency_order(tasks: Vec<TaskView>) -> Vec<TaskView> {
    let ids: std::collections::BTreeSet<TaskId> = tasks.iter().map(|t| t.task_id).collect();
    let mut placed: std::collections::BTreeSet<TaskId> = std::collections::BTreeSet::new();
    let mut remaining = tasks;
    let mut ordered = Vec::with_capacity(remaining.len());
    while !remaining.is_empty() {
        let before = remaining.len();
        let mut next = Vec::with_capacity(remaining.len());
        for task in remaining {
            if task
                .depends_on
                .iter()
                .all(|d| placed.contains(d) || !ids.contains(d))
            {
                placed.insert(task.task_id);
                ordered.push(task);
            } else {
                next.push(task);
            }
        }
        if next.len() == before {
            // a cycle cannot come from a valid plan; keep what is left as it is
            ordered.extend(next);
            break;
        }
        remaining = next;
    }
    ordered
}

/// Fulfillment cancelled an item: its tasks that did not end otherwise are cancelled.
pub async fn end_item_tasks(
    conn: &mut PgConnection,
    order_id: OrderId,
    item_id: OrderItemId,
) -> Result<(), StoreError> {
    let updated = sqlx::query!(
        r#"update order_task_view set state = 'CANCELLED', updated_at = now()
           where order_id = $1 and $2 = any(item_ids) and state not in ('CANCELLED', 'COMPENSATED')"#,
        order_id.as_uuid(),
        item_id.as_uuid(),
    )
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() > 0 {
        sqlx::query!(
            "update order_execution set version = version + 1 where order_id = $1",
            order_id.as_uuid(),
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}
