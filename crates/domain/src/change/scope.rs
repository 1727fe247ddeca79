//! What a cancellation covers: the whole order, or some items plus everything that could
//! never finish without them (their children in the item hierarchy, and the items that
//! depend on them). The expansion is reported item by item, so the caller sees why an item
//! it did not name is in the scope.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::error::DomainError;
use crate::order::Order;
use crate::value::OrderItemId;

/// The items a cancellation request names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CancellationScope {
    Order,
    Items {
        #[serde(rename = "orderItemIds")]
        item_ids: Vec<OrderItemId>,
    },
}

impl CancellationScope {
    pub fn is_order(&self) -> bool {
        matches!(self, Self::Order)
    }

    /// The item ids as named (empty for the whole order).
    pub fn named_items(&self) -> &[OrderItemId] {
        match self {
            Self::Order => &[],
            Self::Items { item_ids } => item_ids,
        }
    }

    /// From a list of item ids as published: empty means the whole order.
    pub fn from_items(item_ids: Vec<OrderItemId>) -> Self {
        if item_ids.is_empty() {
            Self::Order
        } else {
            Self::Items { item_ids }
        }
    }
}

/// Why an item is in the scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScopeReason {
    /// Named by the request (every item for an ORDER scope).
    Requested,
    /// A child, in the item hierarchy, of an item in scope.
    ChildOf {
        #[serde(rename = "itemId")]
        parent: OrderItemId,
    },
    /// Depends on an item in scope, so it could never start or finish.
    DependsOn {
        #[serde(rename = "itemId")]
        item: OrderItemId,
    },
}

/// The expanded scope, in the order's item order. Refuses ids the order does not have and
/// an empty item list.
pub fn expand(
    order: &Order,
    scope: &CancellationScope,
) -> Result<BTreeMap<OrderItemId, ScopeReason>, DomainError> {
    let mut found: BTreeMap<OrderItemId, ScopeReason> = BTreeMap::new();
    match scope {
        CancellationScope::Order => {
            for item in order.items() {
                found.insert(item.id, ScopeReason::Requested);
            }
            return Ok(found);
        }
        CancellationScope::Items { item_ids } => {
            if item_ids.is_empty() {
                return Err(DomainError::CancellationScopeInvalid {
                    detail: "an ITEMS scope names at least one item".into(),
                });
            }
            for id in item_ids {
                if order.item(*id).is_none() {
                    return Err(DomainError::ItemNotFound { item_id: *id });
                }
                found.insert(*id, ScopeReason::Requested);
            }
        }
    }
    loop {
        let before = found.len();
        for item in order.items() {
            if found.contains_key(&item.id) {
                continue;
            }
            if let Some(parent) = item.parent_id.filter(|p| found.contains_key(p)) {
                found.insert(item.id, ScopeReason::ChildOf { parent });
            } else if let Some(dep) = item
                .dependencies
                .iter()
                .find(|d| found.contains_key(&d.depends_on))
            {
                found.insert(
                    item.id,
                    ScopeReason::DependsOn {
                        item: dep.depends_on,
                    },
                );
            }
        }
        if found.len() == before {
            return Ok(found);
        }
    }
}
