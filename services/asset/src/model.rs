//! The asset as this service keeps it ([`AssetState`]) and the change a fulfilled order item
//! asks for ([`FulfilledChange`]). Plain data with domain value types: valid by construction,
//! so the state machine never re-checks formats.

use chrono::NaiveDate;
use oms_domain::events::{FulfilledItem, InstalledAsset, OrderItemFulfilled};
use oms_domain::value::{AssetId, OrderId, OrderItemId, TenantId};
use oms_domain::vocab::{AssetEffect, AssetStatus};
use serde::{Deserialize, Serialize};

/// One asset of the installed base: what every asset event carries ([`InstalledAsset`]) plus
/// the bookkeeping only this service needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetState {
    pub asset_id: AssetId,
    pub tenant_id: TenantId,
    #[serde(flatten)]
    pub installed: InstalledAsset,
    /// First day of the current contract term.
    pub term_start_date: Option<NaiveDate>,
    /// How many RENEW items extended the term.
    pub renewal_count: u32,
    /// Set exactly when the status is TERMINATED.
    pub terminated_on: Option<NaiveDate>,
    /// Service instances and resources in downstream inventories, as fulfillment last reported.
    pub service_refs: Vec<String>,
    pub resource_refs: Vec<String>,
    /// The order and item that created the asset.
    pub source_order_id: OrderId,
    pub source_item_id: OrderItemId,
    /// The order and item of the last change.
    pub last_order_id: OrderId,
    pub last_item_id: OrderItemId,
}

impl AssetState {
    pub fn status(&self) -> AssetStatus {
        self.installed.status
    }
}

/// What one `OrderItemFulfilled` asks of the installed base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfilledChange {
    pub tenant_id: TenantId,
    pub order_id: OrderId,
    pub item_id: OrderItemId,
    /// The asset created (new id minted by fulfillment) or changed (the item's target).
    pub asset_id: AssetId,
    pub effect: AssetEffect,
    pub activation_date: Option<NaiveDate>,
    /// The day fulfillment finished the item (the fact's occurredAt): the effective date of a
    /// termination and the reference date of a renewal.
    pub fulfilled_on: NaiveDate,
    pub service_refs: Vec<String>,
    pub resource_refs: Vec<String>,
    pub item: FulfilledItem,
}

/// The fulfilled item names no asset: neither an asset id nor a target asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the fulfilled item names no asset (no assetId, no targetAssetId)")]
pub struct NoAssetNamed;

impl FulfilledChange {
    /// The change `event` reports. The asset is the event's `assetId`, else the item's target.
    pub fn from_event(event: &OrderItemFulfilled) -> Result<Self, NoAssetNamed> {
        let asset_id = event
            .asset_id
            .clone()
            .or_else(|| event.item.target_asset_id.clone())
            .ok_or(NoAssetNamed)?;
        Ok(Self {
            tenant_id: event.base.tenant_id.clone(),
            order_id: event.base.order_id,
            item_id: event.item_id,
            asset_id,
            effect: event.asset_effect,
            activation_date: event.activation_date,
            fulfilled_on: event.base.meta.at.date_naive(),
            service_refs: event.service_refs.clone(),
            resource_refs: event.resource_refs.clone(),
            item: (*event.item).clone(),
        })
    }
}
