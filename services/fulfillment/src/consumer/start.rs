//! Starting an order's released plan, exactly once: called by both handlers while they hold
//! the order row's lock; the first one to find plan and release together starts it, and
//! `started_plan_id` makes every later call a no-op.
//!
//! Starting means: the order's items become IN_PROGRESS, items the plan gives no task
//! (NO_CHANGE lines) are fulfilled at once, and the plan's root tasks become READY.

use crate::events::FactMeta;
use crate::flow::{ENGINE_ACTOR, Flow};
use crate::store::{self, items::ItemProgress, orders};
use oms_messaging::HandlerError;
use sqlx::PgConnection;
use std::collections::BTreeSet;
use uuid::Uuid;

/// Whether the call started the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Started {
    Now,
    /// Plan or release still missing, started earlier, or the order was closed.
    NotYet,
}

/// Starts the order's released plan if plan and release are both stored and it has not
/// started. The caller holds the order row's lock.
pub async fn try_start(
    conn: &mut PgConnection,
    flow: &Flow,
    order_id: Uuid,
    meta: &FactMeta,
) -> Result<Started, HandlerError> {
    let fail = super::handler_error;
    let order = orders::lock(conn, order_id)
        .await
        .map_err(super::store_error)?
        .ok_or_else(|| HandlerError::transient(anyhow::anyhow!("order {order_id} vanished")))?;
    if order.started_plan_id.is_some() || order.closed_at.is_some() {
        return Ok(Started::NotYet);
    }
    let Some(plan_id) = order.released_plan_id else {
        return Ok(Started::NotYet);
    };
    if orders::plan_rules_version(conn, order_id, plan_id)
        .await
        .map_err(super::store_error)?
        .is_none()
    {
        return Ok(Started::NotYet);
    }
    let content = order
        .content()
        .map_err(super::store_error)?
        .ok_or_else(|| HandlerError::permanent("RELEASE_WITHOUT_CONTENT", "no order content"))?;
    let tasks: Vec<_> = store::tasks::of_order(conn, order_id)
        .await
        .map_err(super::store_error)?
        .into_iter()
        .filter(|t| t.plan_id == plan_id)
        .collect();
    let content_items: BTreeSet<Uuid> = content.items.iter().map(|i| i.id.as_uuid()).collect();
    let planned_items: BTreeSet<Uuid> = tasks.iter().flat_map(|t| t.item_ids.clone()).collect();
    if let Some(unknown) = planned_items.difference(&content_items).next() {
        return Err(HandlerError::permanent(
            "PLAN_CONTENT_MISMATCH",
            format!(
                "plan {plan_id} has a task for item {unknown}, which the released order does not have"
            ),
        ));
    }
    orders::mark_started(conn, order_id, plan_id)
        .await
        .map_err(super::store_error)?;
    let all_items: Vec<Uuid> = content_items.iter().copied().collect();
    store::items::insert_all(conn, order_id, &order.tenant_id, &all_items)
        .await
        .map_err(super::store_error)?;
    for item_id in content_items.difference(&planned_items) {
        flow.fulfil(
            conn,
            order_id,
            &order.tenant_id,
            *item_id,
            &ItemProgress::default(),
            meta,
        )
        .await
        .map_err(fail)?;
    }
    let ready = flow
        .promote(conn, order_id, &[], ENGINE_ACTOR)
        .await
        .map_err(fail)?;
    tracing::info!(%order_id, %plan_id, tasks = tasks.len(), ready, "plan started");
    metrics::counter!("oms_fulfillment_plans_started_total").increment(1);
    Ok(Started::Now)
}

/// A tenant mismatch between the two halves of an order is a contract violation.
pub fn check_tenant(order: &orders::OrderRow, tenant_id: &str) -> Result<(), HandlerError> {
    if order.tenant_id == tenant_id {
        Ok(())
    } else {
        Err(HandlerError::permanent(
            "TENANT_MISMATCH",
            format!(
                "order {} belongs to tenant {}, the event names {tenant_id}",
                order.order_id, order.tenant_id
            ),
        ))
    }
}
