//! Reverting a cancelled order item's change (ADR 0008 §2): pure. The asset goes back to
//! what it was before the item changed it — the `before` state of the item's history entry —
//! keeping its identity and bookkeeping; an asset the item created has no before and is
//! TERMINATED instead (it never should have existed, but its history stays).

use chrono::NaiveDate;
use oms_domain::value::{OrderId, OrderItemId};
use oms_domain::vocab::AssetStatus;

use crate::model::AssetState;

/// The asset after reverting the change of (`order_id`, `item_id`) that turned `before` into
/// (a state that is now) `current`, on `on`.
pub fn reverted(
    current: &AssetState,
    before: Option<&AssetState>,
    order_id: OrderId,
    item_id: OrderItemId,
    on: NaiveDate,
) -> AssetState {
    let mut next = current.clone();
    if let Some(before) = before {
        next.installed = before.installed.clone();
        next.term_start_date = before.term_start_date;
        next.renewal_count = before.renewal_count;
        next.terminated_on = before.terminated_on;
        next.service_refs.clone_from(&before.service_refs);
        next.resource_refs.clone_from(&before.resource_refs);
    } else {
        next.installed.status = AssetStatus::Terminated;
        next.terminated_on = Some(on);
    }
    next.last_order_id = order_id;
    next.last_item_id = item_id;
    next
}
