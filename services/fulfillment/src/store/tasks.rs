//! `fulfillment_task` and its append-only `fulfillment_task_transition` history.
//!
//! Invariant: [`persist`] is the only statement that writes a task after it was planned. It
//! checks the new state against the transition table, writes with optimistic locking on
//! `version`, and appends the history row, all in the caller's transaction.

use super::StoreError;
use crate::model::keys::idempotency_key;
use crate::model::task_state::{TaskState, TaskTrigger, transition};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// A task as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRow {
    pub task_id: Uuid,
    pub plan_id: Uuid,
    pub order_id: Uuid,
    pub tenant_id: String,
    pub item_ids: Vec<Uuid>,
    pub task_type: String,
    pub target_system: String,
    pub depends_on: Vec<Uuid>,
    pub reversibility: String,
    pub external_effect_level: String,
    pub template_key: Option<String>,
    pub compensation_task_type: Option<String>,
    pub item_milestone: Option<bool>,
    pub item_asset_effect: Option<String>,
    pub state: TaskState,
    pub attempt: i32,
    pub attempt_base: i32,
    pub key_generation: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub dispatched_by: Option<i32>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub external_ref: Option<String>,
    pub service_refs: Vec<String>,
    pub resource_refs: Vec<String>,
    pub last_error_code: Option<String>,
    pub last_error_message: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    pub purpose: String,
    pub compensates_task_id: Option<Uuid>,
    pub compensation_plan_id: Option<Uuid>,
    pub inputs: Option<Vec<String>>,
}

pub const PURPOSE_EXECUTION: &str = "EXECUTION";
pub const PURPOSE_COMPENSATION: &str = "COMPENSATION";

impl TaskRow {
    /// A compensation task (undoes `compensates_task_id`), not a step of the plan.
    pub fn is_compensation(&self) -> bool {
        self.purpose == PURPOSE_COMPENSATION
    }

    /// The idempotency key of the task's current downstream request.
    pub fn idempotency_key(&self) -> String {
        idempotency_key(self.task_id, self.key_generation)
    }

    /// Attempts made in the current retry budget.
    pub fn attempts_in_budget(&self) -> u32 {
        u32::try_from(self.attempt - self.attempt_base).unwrap_or(0)
    }

    /// A copy in the state `trigger` leads to; other fields are the caller's to change.
    pub fn after(&self, trigger: TaskTrigger) -> Result<Self, StoreError> {
        let mut next = self.clone();
        next.state = transition(self.state, trigger)?;
        Ok(next)
    }
}

/// A new task of a plan, before it is stored.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub task_id: Uuid,
    pub plan_id: Uuid,
    pub order_id: Uuid,
    pub tenant_id: String,
    pub item_ids: Vec<Uuid>,
    pub task_type: String,
    pub target_system: String,
    pub depends_on: Vec<Uuid>,
    pub reversibility: String,
    pub external_effect_level: String,
    pub template_key: Option<String>,
    pub compensation_task_type: Option<String>,
    pub item_milestone: Option<bool>,
    pub item_asset_effect: Option<String>,
    pub inputs: Option<Vec<String>>,
    /// Set on a compensation task: (its plan, the task it undoes).
    pub compensation: Option<(Uuid, Uuid)>,
}

/// Inserts a planned task as PENDING; a task id already stored is left as it is (the same
/// plan delivered twice). Returns whether it was inserted.
#[tracing::instrument(skip_all, fields(task_id = %task.task_id), err)]
pub async fn insert(conn: &mut PgConnection, task: &NewTask) -> Result<bool, StoreError> {
    let inserted = sqlx::query!(
        r#"insert into fulfillment_task
               (task_id, plan_id, order_id, tenant_id, item_ids, task_type, target_system,
                depends_on, reversibility, external_effect_level, template_key,
                compensation_task_type, item_milestone, item_asset_effect, inputs, purpose,
                compensation_plan_id, compensates_task_id)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
           on conflict do nothing"#,
        task.task_id,
        task.plan_id,
        task.order_id,
        task.tenant_id,
        &task.item_ids,
        task.task_type,
        task.target_system,
        &task.depends_on,
        task.reversibility,
        task.external_effect_level,
        task.template_key,
        task.compensation_task_type,
        task.item_milestone,
        task.item_asset_effect,
        task.inputs.as_deref(),
        if task.compensation.is_some() {
            PURPOSE_COMPENSATION
        } else {
            PURPOSE_EXECUTION
        },
        task.compensation.map(|(plan, _)| plan),
        task.compensation.map(|(_, original)| original),
    )
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

struct Raw {
    task_id: Uuid,
    plan_id: Uuid,
    order_id: Uuid,
    tenant_id: String,
    item_ids: Vec<Uuid>,
    task_type: String,
    target_system: String,
    depends_on: Vec<Uuid>,
    reversibility: String,
    external_effect_level: String,
    template_key: Option<String>,
    compensation_task_type: Option<String>,
    item_milestone: Option<bool>,
    item_asset_effect: Option<String>,
    state: String,
    attempt: i32,
    attempt_base: i32,
    key_generation: i32,
    next_attempt_at: Option<DateTime<Utc>>,
    dispatched_by: Option<i32>,
    dispatched_at: Option<DateTime<Utc>>,
    external_ref: Option<String>,
    service_refs: Vec<String>,
    resource_refs: Vec<String>,
    last_error_code: Option<String>,
    last_error_message: Option<String>,
    completed_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
    version: i64,
    purpose: String,
    compensates_task_id: Option<Uuid>,
    compensation_plan_id: Option<Uuid>,
    inputs: Option<Vec<String>>,
}

impl TryFrom<Raw> for TaskRow {
    type Error = StoreError;
    fn try_from(r: Raw) -> Result<Self, StoreError> {
        let state = TaskState::parse(&r.state)
            .ok_or_else(|| StoreError::corrupt("task state", &r.state))?;
        Ok(Self {
            task_id: r.task_id,
            plan_id: r.plan_id,
            order_id: r.order_id,
            tenant_id: r.tenant_id,
            item_ids: r.item_ids,
            task_type: r.task_type,
            target_system: r.target_system,
            depends_on: r.depends_on,
            reversibility: r.reversibility,
            external_effect_level: r.external_effect_level,
            template_key: r.template_key,
            compensation_task_type: r.compensation_task_type,
            item_milestone: r.item_milestone,
            item_asset_effect: r.item_asset_effect,
            state,
            attempt: r.attempt,
            attempt_base: r.attempt_base,
            key_generation: r.key_generation,
            next_attempt_at: r.next_attempt_at,
            dispatched_by: r.dispatched_by,
            dispatched_at: r.dispatched_at,
            external_ref: r.external_ref,
            service_refs: r.service_refs,
            resource_refs: r.resource_refs,
            last_error_code: r.last_error_code,
            last_error_message: r.last_error_message,
            completed_at: r.completed_at,
            updated_at: r.updated_at,
            version: r.version,
            purpose: r.purpose,
            compensates_task_id: r.compensates_task_id,
            compensation_plan_id: r.compensation_plan_id,
            inputs: r.inputs,
        })
    }
}

fn typed(raw: Vec<Raw>) -> Result<Vec<TaskRow>, StoreError> {
    raw.into_iter().map(TaskRow::try_from).collect()
}

/// Loads and locks tasks (`FOR UPDATE`, in task id order).
#[tracing::instrument(skip_all, err)]
pub async fn lock(conn: &mut PgConnection, task_ids: &[Uuid]) -> Result<Vec<TaskRow>, StoreError> {
    let raw = sqlx::query_as!(
        Raw,
        r#"select task_id, plan_id, order_id, tenant_id, item_ids, task_type, target_system,
                  depends_on, reversibility, external_effect_level, template_key,
                  compensation_task_type, item_milestone, item_asset_effect, state, attempt, attempt_base,
                  key_generation, next_attempt_at, dispatched_by, dispatched_at, external_ref,
                  service_refs, resource_refs, last_error_code, last_error_message, completed_at,
                  updated_at, version, purpose, compensates_task_id, compensation_plan_id, inputs
           from fulfillment_task where task_id = any($1)
           order by task_id
           for update"#,
        task_ids,
    )
    .fetch_all(conn)
    .await?;
    typed(raw)
}

/// One task, locked; `None` if it does not exist.
#[tracing::instrument(skip_all, err)]
pub async fn lock_one(
    conn: &mut PgConnection,
    task_id: Uuid,
) -> Result<Option<TaskRow>, StoreError> {
    Ok(lock(conn, &[task_id]).await?.into_iter().next())
}

/// One task, unlocked; `None` if it does not exist.
#[tracing::instrument(skip_all, err)]
pub async fn of_task(
    conn: &mut PgConnection,
    task_id: Uuid,
) -> Result<Option<TaskRow>, StoreError> {
    let raw = sqlx::query_as!(
        Raw,
        r#"select task_id, plan_id, order_id, tenant_id, item_ids, task_type, target_system,
                  depends_on, reversibility, external_effect_level, template_key,
                  compensation_task_type, item_milestone, item_asset_effect, state, attempt, attempt_base,
                  key_generation, next_attempt_at, dispatched_by, dispatched_at, external_ref,
                  service_refs, resource_refs, last_error_code, last_error_message, completed_at,
                  updated_at, version, purpose, compensates_task_id, compensation_plan_id, inputs
           from fulfillment_task where task_id = $1"#,
        task_id,
    )
    .fetch_optional(conn)
    .await?;
    raw.map(TaskRow::try_from).transpose()
}

/// Every task of an order (no lock), in creation order.
#[tracing::instrument(skip_all, err)]
pub async fn of_order(conn: &mut PgConnection, order_id: Uuid) -> Result<Vec<TaskRow>, StoreError> {
    let raw = sqlx::query_as!(
        Raw,
        r#"select task_id, plan_id, order_id, tenant_id, item_ids, task_type, target_system,
                  depends_on, reversibility, external_effect_level, template_key,
                  compensation_task_type, item_milestone, item_asset_effect, state, attempt, attempt_base,
                  key_generation, next_attempt_at, dispatched_by, dispatched_at, external_ref,
                  service_refs, resource_refs, last_error_code, last_error_message, completed_at,
                  updated_at, version, purpose, compensates_task_id, compensation_plan_id, inputs
           from fulfillment_task where order_id = $1
           order by created_at, task_id"#,
        order_id,
    )
    .fetch_all(conn)
    .await?;
    typed(raw)
}

/// Writes `after` (derived from `before` by `trigger`) and appends the transition row.
/// Fails with [`StoreError::Stale`] when the row changed since `before` was read.
#[tracing::instrument(skip_all, fields(task_id = %before.task_id, trigger = %trigger), err)]
pub async fn persist(
    conn: &mut PgConnection,
    before: &TaskRow,
    after: &TaskRow,
    trigger: TaskTrigger,
    actor: &str,
    detail: Option<&str>,
) -> Result<TaskRow, StoreError> {
    let expected = transition(before.state, trigger)?;
    if after.state != expected || after.task_id != before.task_id {
        return Err(StoreError::corrupt(
            "transition",
            format!(
                "{} + {trigger} must lead to {expected}, not {}",
                before.state, after.state
            ),
        ));
    }
    let updated = sqlx::query!(
        r#"update fulfillment_task set
               state = $3, attempt = $4, attempt_base = $5, key_generation = $6,
               next_attempt_at = $7, dispatched_by = $8, dispatched_at = $9, external_ref = $10,
               service_refs = $11, resource_refs = $12, last_error_code = $13,
               last_error_message = $14, completed_at = $15,
               updated_at = clock_timestamp(), version = version + 1
           where task_id = $1 and version = $2
           returning updated_at, version"#,
        before.task_id,
        before.version,
        after.state.as_str(),
        after.attempt,
        after.attempt_base,
        after.key_generation,
        after.next_attempt_at,
        after.dispatched_by,
        after.dispatched_at,
        after.external_ref,
        &after.service_refs,
        &after.resource_refs,
        after.last_error_code,
        after.last_error_message,
        after.completed_at,
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::Stale {
        entity: "task",
        id: before.task_id.to_string(),
    })?;
    sqlx::query!(
        r#"insert into fulfillment_task_transition
               (task_id, order_id, from_state, to_state, trigger, attempt, actor, detail)
           values ($1, $2, $3, $4, $5, $6, $7, $8)"#,
        before.task_id,
        before.order_id,
        before.state.as_str(),
        after.state.as_str(),
        trigger.as_str(),
        after.attempt,
        actor,
        detail,
    )
    .execute(conn)
    .await?;
    let mut stored = after.clone();
    stored.updated_at = updated.updated_at;
    stored.version = updated.version;
    Ok(stored)
}

/// PENDING tasks of `order_id`'s started plan that wait on one of `finished` (or on
/// nothing, when `finished` is empty and `roots` is set), locked. Callers then check their
/// dependencies with [`unmet_dependencies`] *after* taking the lock, so two transactions
/// finishing two dependencies of the same task cannot both miss it.
#[tracing::instrument(skip_all, err)]
pub async fn lock_pending_dependents(
    conn: &mut PgConnection,
    order_id: Uuid,
    finished: &[Uuid],
) -> Result<Vec<TaskRow>, StoreError> {
    let ids: Vec<Uuid> = sqlx::query_scalar!(
        r#"select t.task_id from fulfillment_task t
           join fulfillment_order o on o.order_id = t.order_id and o.started_plan_id = t.plan_id
           where t.order_id = $1 and t.state = 'PENDING'
             and (cardinality($2::uuid[]) = 0 or t.depends_on && $2::uuid[])
           order by t.task_id"#,
        order_id,
        finished,
    )
    .fetch_all(&mut *conn)
    .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    lock(conn, &ids).await
}

/// How many of `task`'s dependencies are not met yet.
#[tracing::instrument(skip_all, err)]
pub async fn unmet_dependencies(
    conn: &mut PgConnection,
    task: &TaskRow,
) -> Result<i64, StoreError> {
    let met: Vec<String> = TaskState::DEPENDENCY_MET
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    let unmet = sqlx::query_scalar!(
        r#"select count(*) as "count!" from unnest($1::uuid[]) as dep(task_id)
           left join fulfillment_task d on d.task_id = dep.task_id
           where d.task_id is null or d.state <> all($2::text[])"#,
        &task.depends_on,
        &met,
    )
    .fetch_one(conn)
    .await?;
    Ok(unmet)
}

/// Orders with PENDING tasks of a started plan whose dependencies are all met: the
/// engine's safety net for promotions (normally done in the transaction that met them).
#[tracing::instrument(skip_all, err)]
pub async fn orders_with_promotable_tasks(
    conn: &mut PgConnection,
    limit: i64,
) -> Result<Vec<Uuid>, StoreError> {
    let met: Vec<String> = TaskState::DEPENDENCY_MET
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    Ok(sqlx::query_scalar!(
        r#"select distinct t.order_id as "order_id!" from fulfillment_task t
           join fulfillment_order o on o.order_id = t.order_id and o.started_plan_id = t.plan_id
           where t.state = 'PENDING'
             and not exists (
                 select 1 from unnest(t.depends_on) as dep(task_id)
                 left join fulfillment_task d on d.task_id = dep.task_id
                 where d.task_id is null or d.state <> all($1::text[]))
           limit $2"#,
        &met,
        limit,
    )
    .fetch_all(conn)
    .await?)
}

/// Claims up to `limit` runnable tasks (READY, or RETRY_SCHEDULED and due) of orders that
/// are not closed (and, for execution tasks, not paused by a change request), locked with `SKIP LOCKED` so engines in several replicas never claim the
/// same task.
#[tracing::instrument(skip_all, fields(limit = limit), err)]
pub async fn claim_runnable(
    conn: &mut PgConnection,
    limit: i64,
) -> Result<Vec<TaskRow>, StoreError> {
    let ids: Vec<Uuid> = sqlx::query_scalar!(
        r#"select t.task_id from fulfillment_task t
           where (t.state = 'READY' or (t.state = 'RETRY_SCHEDULED' and t.next_attempt_at <= now()))
             and not exists (select 1 from fulfillment_order o
                             where o.order_id = t.order_id
                               and (o.closed_at is not null
                                    or (o.frozen_by is not null and t.purpose = 'EXECUTION')))
           order by coalesce(t.next_attempt_at, t.updated_at), t.task_id
           limit $1
           for update of t skip locked"#,
        limit,
    )
    .fetch_all(&mut *conn)
    .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    lock(conn, &ids).await
}

/// DISPATCHED tasks whose engine is gone, locked (`SKIP LOCKED`): those owned by `me` when
/// `include_mine` (at start-up everything with our instance id is an orphan of an earlier
/// process), and those whose owner's advisory lock nobody holds any more.
#[tracing::instrument(skip_all, fields(engine = me), err)]
pub async fn claim_orphaned(
    conn: &mut PgConnection,
    me: i32,
    include_mine: bool,
    lock_class: i32,
    limit: i64,
) -> Result<Vec<TaskRow>, StoreError> {
    let ids: Vec<Uuid> = sqlx::query_scalar!(
        r#"select task_id from fulfillment_task
           where state = 'DISPATCHED'
             and ((dispatched_by = $1 and $2)
                  or (dispatched_by <> $1 and pg_try_advisory_xact_lock($3, dispatched_by)))
           order by task_id
           limit $4
           for update skip locked"#,
        me,
        include_mine,
        lock_class,
        limit,
    )
    .fetch_all(&mut *conn)
    .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    lock(conn, &ids).await
}

/// Task counts per state, for the metrics gauge.
#[tracing::instrument(skip_all, err)]
pub async fn count_by_state(conn: &mut PgConnection) -> Result<Vec<(String, i64)>, StoreError> {
    let rows =
        sqlx::query!(r#"select state, count(*) as "count!" from fulfillment_task group by state"#)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|r| (r.state, r.count)).collect())
}

/// Moves kept tasks onto a re-planned plan (an amendment, ADR 0008 §3). Not a state change:
/// the task keeps its state, attempts and results; only the plan it belongs to moves.
#[tracing::instrument(skip_all, fields(plan_id = %plan_id), err)]
pub async fn move_to_plan(
    conn: &mut PgConnection,
    task_ids: &[Uuid],
    plan_id: Uuid,
) -> Result<u64, StoreError> {
    let updated = sqlx::query!(
        r#"update fulfillment_task set plan_id = $2, version = version + 1
           where task_id = any($1) and plan_id <> $2"#,
        task_ids,
        plan_id,
    )
    .execute(conn)
    .await?;
    Ok(updated.rows_affected())
}

/// Compensation tasks of `compensation_plan_id` serving `item_id` that have not succeeded.
#[tracing::instrument(skip_all, err)]
pub async fn open_compensations(
    conn: &mut PgConnection,
    compensation_plan_id: Uuid,
    item_id: Uuid,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar!(
        r#"select count(*) as "count!" from fulfillment_task
           where compensation_plan_id = $1 and $2 = any(item_ids) and state <> 'SUCCEEDED'"#,
        compensation_plan_id,
        item_id,
    )
    .fetch_one(conn)
    .await?)
}
