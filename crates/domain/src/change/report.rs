//! Parts every change assessment reports: what blocks it (a stable code, where, and what to
//! do instead) and what it does to the price.

use serde::{Deserialize, Serialize};

use crate::error::ValueError;
use crate::value::{Money, OrderItemId, TaskId};

/// Why (part of) a change cannot be done as asked. `code` is stable; `remediation` tells
/// the caller what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeBlocker {
    pub code: String,
    pub item_id: Option<OrderItemId>,
    pub task_id: Option<TaskId>,
    pub message: String,
    pub remediation: String,
}

impl ChangeBlocker {
    /// The one-line form events carry (`CODE: message`).
    pub fn summary(&self) -> String {
        format!("{}: {}", self.code, self.message)
    }
}

/// Stable codes of change refusals and blockers.
pub mod codes {
    pub const ITEM_PAST_POINT_OF_NO_RETURN: &str = "ITEM_PAST_POINT_OF_NO_RETURN";
    pub const COMPENSATION_NEEDS_REVIEW: &str = "COMPENSATION_NEEDS_REVIEW";
    pub const MANUAL_REVIEW_REQUESTED: &str = "MANUAL_REVIEW_REQUESTED";
    pub const ORDER_COMPLETED: &str = "ORDER_COMPLETED";
    pub const ORDER_CLOSED: &str = "ORDER_CLOSED";
    pub const AMENDMENT_PAST_POINT_OF_NO_RETURN: &str = "AMENDMENT_PAST_POINT_OF_NO_RETURN";
    pub const AMENDMENT_NOT_ALLOWED: &str = "AMENDMENT_NOT_ALLOWED";
    pub const AMENDMENT_NO_CHANGE: &str = "AMENDMENT_NO_CHANGE";
    pub const AMENDMENT_INVALID: &str = "AMENDMENT_INVALID";
    pub const DECOMPOSITION_IN_PROGRESS: &str = "DECOMPOSITION_IN_PROGRESS";
    pub const REPLACED_TASK_STARTED: &str = "REPLACED_TASK_STARTED";
}

/// The effect of a change on the order total (and which items it changes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceEffect {
    pub before: Money,
    pub after: Money,
    /// `after - before`: negative when the customer will pay less.
    pub delta: Money,
    pub items: Vec<ItemPriceEffect>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemPriceEffect {
    pub item_id: OrderItemId,
    pub before: Money,
    pub after: Money,
}

impl PriceEffect {
    /// From the item totals before and after (same items, same order).
    pub fn of(items: Vec<ItemPriceEffect>, before: Money) -> Result<Self, ValueError> {
        let currency = before.currency();
        let mut after = before;
        for item in &items {
            after = after.checked_sub(item.before)?.checked_add(item.after)?;
        }
        let delta = after.checked_sub(before)?;
        debug_assert_eq!(delta.currency(), currency);
        Ok(Self {
            before,
            after,
            delta,
            items,
        })
    }
}
