//! One executable commercial line (DOMAIN §2). Items form a hierarchy through `parent_id`
//! (what belongs to what commercially) and a separate dependency graph through
//! `dependencies` (what must happen before what). Both are acyclic; capture validation
//! guarantees it before an item exists.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::snapshot::{ConfigurationSnapshot, PriceSnapshot, ProductSnapshot};
use crate::lifecycle::{FulfillmentState, ItemState};
use crate::value::{AssetId, ClientItemRef, LineNumber, OrderItemId, Quantity};
use crate::vocab::{AssetEffect, DependencyType, ItemAction};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemDependency {
    pub depends_on: OrderItemId,
    pub dependency_type: DependencyType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderItem {
    pub id: OrderItemId,
    /// The source's line reference; for quote-derived orders the quote item id.
    pub client_item_ref: ClientItemRef,
    pub line_number: LineNumber,
    pub parent_id: Option<OrderItemId>,
    pub action: ItemAction,
    pub quantity: Quantity,
    pub product: ProductSnapshot,
    /// Existing asset the action works on; absent for ADD.
    pub target_asset_id: Option<AssetId>,
    /// Asset that resulted from fulfillment (new for ADD, usually the target otherwise).
    pub actual_asset_id: Option<AssetId>,
    pub configuration: ConfigurationSnapshot,
    pub price: PriceSnapshot,
    pub state: ItemState,
    pub fulfillment_state: FulfillmentState,
    pub dependencies: Vec<ItemDependency>,
    /// Effect reported by fulfillment when the item completed.
    pub asset_effect: Option<AssetEffect>,
    /// Service activation date reported at completion (billing start, not submission date).
    pub activation_date: Option<NaiveDate>,
}

impl OrderItem {
    /// Takes over what fulfillment has reported about the item (its lifecycle and results)
    /// from `live`: an amendment replaces what was ordered, never what has happened since it
    /// was requested (an item may complete while the re-plan is under way).
    pub fn keep_progress_of(&mut self, live: &Self) {
        self.state = live.state;
        self.fulfillment_state = live.fulfillment_state;
        self.actual_asset_id.clone_from(&live.actual_asset_id);
        self.asset_effect = live.asset_effect;
        self.activation_date = live.activation_date;
    }
}
