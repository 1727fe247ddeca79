//! The asset topic (`oms.asset.events.v1`), written by the asset service and keyed by
//! asset id. Every event names the order and item that caused it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::meta::TransitionMeta;
use crate::order::ServiceAddress;
use crate::value::{
    AccountId, AssetId, BillingAccountId, CustomerId, OrderId, OrderItemId, ProductOfferingId,
    TenantId,
};
use crate::vocab::AssetStatus;

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

macro_rules! asset_fact {
    ($(#[$doc:meta])* $name:ident { $( $field:ident : $ty:ty ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            #[serde(flatten)]
            pub base: AssetEventBase,
            $( pub $field: $ty, )*
        }
    };
}

asset_fact!(AssetCreated {
    customer_id: CustomerId,
    account_id: AccountId,
    billing_account_id: BillingAccountId,
    product_offering_id: ProductOfferingId,
    configuration: BTreeMap<String, String>,
    activation_date: Option<NaiveDate>,
});
asset_fact!(AssetModified { configuration: BTreeMap<String, String> });
asset_fact!(AssetTerminated {
    terminated_on: NaiveDate
});
asset_fact!(AssetSuspended {});
asset_fact!(AssetResumed {});
asset_fact!(AssetMoved {
    new_location: ServiceAddress
});
asset_fact!(AssetRenewed { term_months: Option<u32> });
asset_fact!(
    /// The asset service found the installed base disagreeing with what the order said.
    AssetInconsistencyDetected {
        expected_status: Option<AssetStatus>,
        actual_status: Option<AssetStatus>,
        description: String,
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
    }
}
