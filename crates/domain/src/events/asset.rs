//! The asset topic (`oms.asset.events.v1`), written by the asset service and keyed by
//! asset id. Every event names the order and item that caused it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::meta::TransitionMeta;
use crate::order::{PriceSnapshot, ProductSnapshot, ServiceAddress};
use crate::value::{
    AccountId, AssetId, BillingAccountId, CustomerId, OrderId, OrderItemId, Quantity, TenantId,
};
use crate::vocab::{AssetStatus, ItemAction};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetEventBase {
    pub asset_id: AssetId,
    pub tenant_id: TenantId,
    /// The order and item whose fulfillment caused the change.
    pub order_id: OrderId,
    pub item_id: OrderItemId,
    pub meta: TransitionMeta,
}

/// The installed-base asset as it stands *after* the change an event reports. Every asset
/// fact carries it whole, so a consumer (order-capture's asset snapshot projection, billing,
/// support) keeps its view by replacing what it had, without calling the asset service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalledAsset {
    pub customer_id: CustomerId,
    pub account_id: AccountId,
    pub billing_account_id: BillingAccountId,
    pub product: ProductSnapshot,
    pub quantity: Quantity,
    pub status: AssetStatus,
    pub configuration: BTreeMap<String, String>,
    pub service_address: Option<ServiceAddress>,
    /// The price the asset is billed at (from the order item that last changed it).
    pub price: PriceSnapshot,
    pub activation_date: Option<NaiveDate>,
    pub term_months: Option<u32>,
    /// Last day of the current contract term, when the asset has a term.
    pub term_end_date: Option<NaiveDate>,
}

macro_rules! asset_fact {
    ($(#[$doc:meta])* $name:ident { $( $(#[$fdoc:meta])* $field:ident : $ty:ty ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            #[serde(flatten)]
            pub base: AssetEventBase,
            $( $(#[$fdoc])* pub $field: $ty, )*
        }
    };
}

asset_fact!(
    /// A new asset exists (ADD item fulfilled); status ACTIVE or PENDING activation.
    AssetCreated { asset: InstalledAsset }
);
asset_fact!(
    /// The asset's configuration (or offering) changed (MODIFY item).
    AssetModified { asset: InstalledAsset }
);
asset_fact!(
    /// The asset was disconnected (DELETE item); its status is TERMINATED.
    AssetTerminated {
        asset: InstalledAsset,
        terminated_on: NaiveDate,
    }
);
asset_fact!(AssetSuspended {
    asset: InstalledAsset
});
asset_fact!(AssetResumed {
    asset: InstalledAsset
});
asset_fact!(
    /// The asset moved; the new address is `asset.service_address`.
    AssetMoved {
        asset: InstalledAsset,
        previous_location: Option<ServiceAddress>,
    }
);
asset_fact!(
    /// The contract term was renewed; the new term is in `asset`.
    AssetRenewed {
        asset: InstalledAsset,
        previous_term_end_date: Option<NaiveDate>,
    }
);
asset_fact!(
    /// The asset service found the installed base disagreeing with what the order said.
    AssetInconsistencyDetected {
        /// The item action the order asked for.
        attempted_action: ItemAction,
        /// The status the action needs (DOMAIN §3), if it needs one.
        expected_status: Option<AssetStatus>,
        /// The asset's current status; absent when the asset does not exist.
        actual_status: Option<AssetStatus>,
        /// Why the change could not be applied.
        description: String,
    }
);

asset_fact!(
    /// A cancelled order item's change to the asset was undone (ADR 0008): a created asset is
    /// TERMINATED, a changed one gets its previous product, configuration, address or term
    /// back, a terminated, suspended or resumed one its previous status.
    AssetReverted {
        asset: InstalledAsset,
        /// The effect that was undone.
        reverted_effect: crate::vocab::AssetEffect,
    }
);

topic_events! {
    AssetEvent, topic = "oms.asset.events.v1", aggregate = "Asset", id = |b| b.asset_id.to_string(),
    {
        AssetCreated,
        AssetModified,
        AssetTerminated,
        AssetSuspended,
        AssetResumed,
        AssetMoved,
        AssetRenewed,
        AssetInconsistencyDetected,
        AssetReverted,
    }
}
