//! What the planner reads: the part of the released order that decides the plan, in a
//! canonical order, and its hash (the `inputHash` stored with every plan).
//!
//! Built from the `OrderContent` of `OrderReleasedForDecomposition`. Only fields that can
//! change a plan are kept (no prices, no parties except the service location), so the
//! input hash changes exactly when a re-decomposition could produce something different.
//! Items are sorted by (line number, item id) and prerequisites by item id, so the order
//! in which the event listed them never matters.

use oms_domain::events::OrderReleasedForDecomposition;
use oms_domain::order::{ItemDependency, OrderContent, OrderItem, ServiceAddress};
use oms_domain::value::{
    AssetId, ContentHash, LineNumber, OrderId, OrderItemId, ProductOfferingId, Quantity,
};
use oms_domain::vocab::{ItemAction, ItemInput};
use serde::{Deserialize, Serialize};

use crate::canonical::hash_json;

/// The order as the planner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanningInput {
    pub order_id: OrderId,
    /// Sorted by (line number, item id).
    pub items: Vec<PlanningItem>,
    /// Where technicians go and devices are shipped; required by rules with tasks on
    /// WORKFORCE_SCHEDULING or SHIPPING.
    pub service_location: Option<ServiceAddress>,
}

/// One order item as the planner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanningItem {
    pub item_id: OrderItemId,
    pub line_number: LineNumber,
    /// Bundle hierarchy: what this item belongs to commercially.
    pub parent_id: Option<OrderItemId>,
    pub action: ItemAction,
    pub offering_id: ProductOfferingId,
    pub offering_version: Option<u32>,
    pub quantity: Quantity,
    pub target_asset_id: Option<AssetId>,
    /// Hash of the configuration snapshot: a configuration change is a different input.
    pub configuration_hash: ContentHash,
    /// Items the order declares as prerequisites of this one, sorted by item id.
    pub prerequisites: Vec<ItemDependency>,
}

const INPUT_HASH_TAG: &str = "oms.decomposition.planning-input.v1";
const ITEM_HASH_TAG: &str = "oms.decomposition.planning-item.v1";
const ITEM_INPUTS_HASH_TAG: &str = "oms.decomposition.planning-item-inputs.v1";

impl PlanningInput {
    /// Normalises the order of items and prerequisites (see the module doc).
    pub fn new(
        order_id: OrderId,
        mut items: Vec<PlanningItem>,
        service_location: Option<ServiceAddress>,
    ) -> Self {
        for item in &mut items {
            item.prerequisites
                .sort_by_key(|d| (d.depends_on, d.dependency_type));
            item.prerequisites
                .dedup_by_key(|d| (d.depends_on, d.dependency_type));
        }
        items.sort_by_key(|i| (i.line_number, i.item_id));
        Self {
            order_id,
            items,
            service_location,
        }
    }

    pub fn from_content(order_id: OrderId, content: &OrderContent) -> Self {
        Self::new(
            order_id,
            content.items.iter().map(PlanningItem::from_item).collect(),
            content.header.parties.service_location.clone(),
        )
    }

    pub fn from_release(event: &OrderReleasedForDecomposition) -> Self {
        Self::from_content(event.base.order_id, &event.content)
    }

    /// SHA-256 (hex) of the canonical input: equal inputs decompose to equal plans under
    /// equal rules.
    pub fn input_hash(&self) -> String {
        hash_json(INPUT_HASH_TAG, self)
    }

    /// Digest of what one item's tasks act on: the item's product, action, quantity,
    /// target asset, configuration and parent (an add-on is provisioned on its parent's
    /// asset), and the order's service location. Part of every task id, so a task whose
    /// inputs changed gets a new id. The line number (a label) and the declared
    /// prerequisites (they matter only through the edges, which task ids cover) are left
    /// out, so renumbering lines or re-stating dependencies does not replace tasks.
    pub(crate) fn item_digest(&self, item: &PlanningItem) -> String {
        let acted_on = (
            item.item_id,
            item.parent_id,
            item.action,
            &item.offering_id,
            item.offering_version,
            item.quantity,
            &item.target_asset_id,
            &item.configuration_hash,
            &self.service_location,
        );
        hash_json(ITEM_HASH_TAG, &acted_on)
    }

    /// As [`Self::item_digest`], over only the inputs a template declares it uses (the item
    /// and its parent always count: a task belongs to its item). A change to any other
    /// input leaves the digest, and so the task id, as it was.
    pub(crate) fn item_digest_for(&self, item: &PlanningItem, inputs: &[ItemInput]) -> String {
        let uses = |i: ItemInput| inputs.contains(&i);
        let acted_on = (
            item.item_id,
            item.parent_id,
            uses(ItemInput::Action).then_some(item.action),
            uses(ItemInput::Offering).then_some((&item.offering_id, item.offering_version)),
            uses(ItemInput::Quantity).then_some(item.quantity),
            uses(ItemInput::TargetAsset).then_some(&item.target_asset_id),
            uses(ItemInput::Configuration).then_some(&item.configuration_hash),
            uses(ItemInput::ServiceLocation).then_some(&self.service_location),
        );
        hash_json(ITEM_INPUTS_HASH_TAG, &acted_on)
    }

    pub fn item(&self, id: OrderItemId) -> Option<&PlanningItem> {
        self.items.iter().find(|i| i.item_id == id)
    }
}

impl PlanningItem {
    pub fn from_item(item: &OrderItem) -> Self {
        Self {
            item_id: item.id,
            line_number: item.line_number,
            parent_id: item.parent_id,
            action: item.action,
            offering_id: item.product.offering_id.clone(),
            offering_version: item.product.offering_version,
            quantity: item.quantity,
            target_asset_id: item.target_asset_id.clone(),
            configuration_hash: item.configuration.hash().clone(),
            prerequisites: item.dependencies.clone(),
        }
    }

    /// `line 3 (po-static-ip ADD)`: how messages name an item for operators.
    pub fn label(&self) -> String {
        format!(
            "line {} ({} {})",
            self.line_number,
            self.offering_id,
            crate::catalog::action_str(self.action)
        )
    }
}
