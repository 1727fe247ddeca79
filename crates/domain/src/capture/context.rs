//! Facts looked up by the caller before deciding a capture (the domain does no IO):
//! who is calling, what day it is, the installed-base snapshots of the target assets, and
//! whether the quote revision or external reference is already used by another order.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::lifecycle::OrderState;
use crate::value::{AccountId, AssetId, CustomerId, OrderId, ProductOfferingId, TenantId};
use crate::vocab::AssetStatus;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureContext {
    /// Tenant of the authenticated caller (token or consumer configuration).
    pub caller_tenant: TenantId,
    /// Business date used for "not in the past" and quote expiry checks.
    pub today: NaiveDate,
    /// Snapshots of every asset named by an item, keyed by the asset id as sent.
    /// A missing entry means the asset does not exist.
    pub assets: BTreeMap<String, AssetSnapshot>,
    /// Order that already converted this tenant + quote + revision, if any.
    pub quote_converted_by: Option<OrderId>,
    /// Order of this tenant that already uses the external order reference, if any.
    pub external_ref_used_by: Option<OrderId>,
    /// Snapshots of the orders the intake relates to (supplemented, amended, ...), keyed by
    /// the order id as sent; a missing entry means no such order in the caller's tenant.
    #[serde(default)]
    pub related_orders: BTreeMap<String, RelatedOrderSnapshot>,
}

/// What a capture needs to know of an order it relates to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedOrderSnapshot {
    pub order_id: OrderId,
    pub state: OrderState,
    pub customer_id: Option<CustomerId>,
    pub account_id: Option<AccountId>,
}

impl CaptureContext {
    pub fn new(caller_tenant: TenantId, today: NaiveDate) -> Self {
        Self {
            caller_tenant,
            today,
            assets: BTreeMap::new(),
            quote_converted_by: None,
            external_ref_used_by: None,
            related_orders: BTreeMap::new(),
        }
    }

    pub fn with_related_order(mut self, order: RelatedOrderSnapshot) -> Self {
        self.related_orders
            .insert(order.order_id.to_string(), order);
        self
    }

    pub fn with_asset(mut self, asset: AssetSnapshot) -> Self {
        self.assets
            .insert(asset.asset_id.as_str().to_owned(), asset);
        self
    }
}

/// The asset service's view of one installed-base asset, as projected by order-capture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetSnapshot {
    pub asset_id: AssetId,
    pub tenant_id: TenantId,
    pub customer_id: CustomerId,
    pub account_id: AccountId,
    pub status: AssetStatus,
    /// Another non-terminal order that mutates this asset, if any.
    pub in_flight_order_id: Option<OrderId>,
    pub product_offering_id: Option<ProductOfferingId>,
}
