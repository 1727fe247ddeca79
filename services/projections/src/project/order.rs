//! Order events into the order summary and the fallout cases.
//!
//! The order is folded with the domain's own `evolve`, from the same events order-capture
//! decided them from, so its header state, items, holds and fallout are the writer's. The fold
//! keeps the aggregate (`order_view.aggregate`); the summary columns are derived from it after
//! every event, plus two things the aggregate does not keep: when each state was first entered
//! (milestones) and when the current one was. Fallout cases follow the aggregate: a case it
//! carries is OPEN, a case it dropped is CLOSED by the event that dropped it.
//!
//! Order events of one order arrive in version order (one partition, one writer); an event at
//! or below the folded version is a redelivery under another event id and changes nothing.

use chrono::{DateTime, Utc};
use oms_contracts::OrderEventV1;
use oms_domain::events::OrderEvent;
use oms_domain::order::FalloutCase;
use oms_domain::{DomainEvent as _, Order, evolve};
use oms_messaging::HandlerError;
use sqlx::PgConnection;
use std::collections::BTreeMap;
use uuid::Uuid;

use super::store_error;
use crate::store::orders::{self, Milestones, OrderRow};
use crate::store::{fallouts, text_of};

/// Applies one order event.
pub async fn apply(conn: &mut PgConnection, record: &OrderEventV1) -> Result<(), HandlerError> {
    let event = OrderEvent::try_from(record)?;
    let order_id = event.order_id().as_uuid();
    let base = event.base();
    let at = base.meta.at;
    let folded = orders::lock(conn, order_id).await.map_err(store_error)?;
    let (before, mut milestones, mut state_entered_at) = match folded {
        Some(f) => (Some(f.aggregate), f.milestones, f.state_entered_at),
        None => (None, Milestones::new(), at),
    };
    let version = i64::try_from(base.order_version).unwrap_or(i64::MAX);
    if let Some(folded) = &before {
        let folded_version = i64::try_from(folded.version).unwrap_or(i64::MAX);
        if version <= folded_version {
            tracing::debug!(%order_id, version, folded_version, "order event already folded");
            return Ok(());
        }
        if version > folded_version + 1 {
            // Something was dead-lettered in between; fold anyway (evolve is total) and say so.
            metrics::counter!("oms_projection_order_version_gaps_total").increment(1);
            tracing::warn!(%order_id, version, folded_version, "order version gap");
        }
    }
    let state_before = before.as_ref().map(|o| o.state);
    let Some(mut after) = evolve(before.clone(), &event) else {
        // Only OrderCaptured creates an order: this order's capture was never applied here.
        return Err(HandlerError::permanent(
            "ORDER_NOT_CAPTURED",
            format!(
                "{} for order {order_id}, whose OrderCaptured this projection has not applied",
                event.event_type()
            ),
        ));
    };
    after.version = base.order_version;
    if state_before != Some(after.state) {
        milestones.entry(text_of(&after.state)).or_insert(at);
        state_entered_at = at;
    }
    let row = summary(&after, milestones, state_entered_at);
    orders::upsert(conn, &row, &after)
        .await
        .map_err(store_error)?;
    sync_fallouts(conn, &after, &event, at).await
}

/// The summary columns of `order`.
pub fn summary(order: &Order, milestones: Milestones, state_entered_at: DateTime<Utc>) -> OrderRow {
    let header = order.content.as_ref().map(|c| &c.header);
    let summary = order.fulfillment_summary();
    let (customer_id, account_id) = header.map_or_else(
        || {
            (
                order.intake.customer.customer_id.clone(),
                order.intake.customer.account_id.clone(),
            )
        },
        |h| {
            (
                h.parties.customer_id.as_str().to_owned(),
                h.parties.account_id.as_str().to_owned(),
            )
        },
    );
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    OrderRow {
        order_id: order.id.as_uuid(),
        tenant_id: order.tenant.as_str().to_owned(),
        order_number: order.number.as_str().to_owned(),
        capture_mode: text_of(&order.capture_mode),
        order_type: header.map(|h| text_of(&h.order_type)),
        customer_id,
        account_id,
        state: text_of(&order.state),
        customer_status: text_of(&order.customer_status()),
        order_version: i64::try_from(order.version).unwrap_or(i64::MAX),
        item_count: count(if order.content.is_some() {
            summary.total
        } else {
            order.item_ids.len()
        }),
        item_states: summary
            .by_state
            .iter()
            .map(|(state, n)| (text_of(state), i64::try_from(*n).unwrap_or(i64::MAX)))
            .collect(),
        active_holds: count(order.holds.iter().filter(|h| h.is_active()).count()),
        blocking_holds: count(order.active_blocking_holds().len()),
        open_fallouts: count(order.fallout.as_ref().map_or(0, |f| f.cases.len())),
        currency: header.map_or_else(
            || order.intake.currency.clone(),
            |h| h.commercial.currency.as_str().to_owned(),
        ),
        order_total: header.map(|h| h.commercial.order_total.amount()),
        totals_by_kind: header
            .map(|h| {
                h.commercial
                    .totals_by_kind
                    .iter()
                    .map(|(kind, money)| (text_of(kind), money.amount().to_string()))
                    .collect()
            })
            .unwrap_or_default(),
        plan_id: order.decomposition.as_ref().map(|d| d.plan_id.as_uuid()),
        milestones,
        captured_at: order.created_at,
        state_entered_at,
        updated_at: order.updated_at,
    }
}

/// Cases the order still carries: open ones, and those a pending cancellation set aside (they
/// come back if it is rejected).
fn carried(order: &Order) -> BTreeMap<Uuid, &FalloutCase> {
    let open = order.fallout.iter().flat_map(|f| &f.cases);
    let suspended = order
        .cancellation
        .iter()
        .filter_map(|c| c.prior_fallout.as_ref())
        .flat_map(|f| &f.cases);
    open.chain(suspended)
        .map(|case| (case.id.as_uuid(), case))
        .collect()
}

async fn sync_fallouts(
    conn: &mut PgConnection,
    order: &Order,
    event: &OrderEvent,
    at: DateTime<Utc>,
) -> Result<(), HandlerError> {
    let carried = carried(order);
    let recorded = fallouts::open_ids(conn, order.id.as_uuid())
        .await
        .map_err(store_error)?;
    for (id, case) in &carried {
        if !recorded.contains(id) {
            fallouts::open(conn, &raised(order, case))
                .await
                .map_err(store_error)?;
        }
    }
    let meta = &event.base().meta;
    let by = format!("{}:{}", text_of(&meta.actor.kind()), meta.actor.id());
    for id in recorded.iter().filter(|id| !carried.contains_key(id)) {
        let with = match event {
            OrderEvent::OrderFalloutRepaired(e) if e.fallout_id.as_uuid() == *id => {
                text_of(&e.resolution)
            }
            other => other.event_type().to_owned(),
        };
        fallouts::close(conn, *id, at, &by, &with)
            .await
            .map_err(store_error)?;
    }
    Ok(())
}

fn raised(order: &Order, case: &FalloutCase) -> fallouts::Raised {
    fallouts::Raised {
        fallout_id: case.id.as_uuid(),
        order_id: order.id.as_uuid(),
        tenant_id: order.tenant.as_str().to_owned(),
        category: text_of(&case.category),
        code: case.code.as_str().to_owned(),
        item_id: case.item_id.map(|i| i.as_uuid()),
        task_id: case.task_id.map(|t| t.as_uuid()),
        message: case.message.clone(),
        remediation: case.remediation.clone(),
        raised_at: case.raised_at,
        raised_by: format!(
            "{}:{}",
            text_of(&case.raised_by.kind()),
            case.raised_by.id()
        ),
    }
}
