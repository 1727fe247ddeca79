//! `oms.asset.events.v1` (namespace `com.example.oms.asset.v1`): changes to the installed
//! base, written by the asset service and keyed by **asset id**. Every record names the
//! order and item that caused it and carries the asset as it stands after the change, so
//! order-capture records the actual asset id on the item and keeps its asset snapshot
//! projection without calling back.
//!
//! - [`AssetEventV1`]: the family;
//! - `From<&AssetEvent>` (the asset service's outbox; mints the event id);
//! - `TryFrom<&AssetEventV1> for AssetEvent` (consumers).

mod mapping;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

use crate::common::{
    Actor, AssetEffect, AssetStatus, ItemAction, PriceSnapshot, ProductRef, ServiceAddress,
};
use oms_messaging::{Envelope, avro_serde};

/// The asset as it stands after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalledAsset {
    pub customer_id: String,
    pub account_id: String,
    pub billing_account_id: String,
    pub product: ProductRef,
    pub quantity: i64,
    pub status: AssetStatus,
    pub configuration: BTreeMap<String, String>,
    pub service_address: Option<ServiceAddress>,
    pub price: PriceSnapshot,
    #[serde(with = "avro_serde::date_opt", default)]
    pub activation_date: Option<NaiveDate>,
    pub term_months: Option<i64>,
    #[serde(with = "avro_serde::date_opt", default)]
    pub term_end_date: Option<NaiveDate>,
}

/// The common head of an asset record, borrowed.
#[derive(Debug)]
pub(crate) struct AssetHead<'a> {
    pub event_type: &'static str,
    pub envelope: &'a Envelope,
    pub asset_id: &'a str,
    pub order_id: Uuid,
    pub item_id: Uuid,
    pub actor: &'a Actor,
    pub reason: Option<&'a String>,
}

macro_rules! asset_event {
    ($(#[$doc:meta])* $name:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            pub envelope: Envelope,
            pub asset_id: String,
            #[serde(with = "avro_serde::uuid")]
            pub order_id: Uuid,
            #[serde(with = "avro_serde::uuid")]
            pub item_id: Uuid,
            pub actor: Actor,
            pub reason: Option<String>,
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $name {
            pub(crate) fn head(&self) -> AssetHead<'_> {
                AssetHead {
                    event_type: stringify!($name),
                    envelope: &self.envelope,
                    asset_id: &self.asset_id,
                    order_id: self.order_id,
                    item_id: self.item_id,
                    actor: &self.actor,
                    reason: self.reason.as_ref(),
                }
            }
        }
    };
}

asset_event!(AssetCreated {
    asset: InstalledAsset
});
asset_event!(AssetModified {
    asset: InstalledAsset
});
asset_event!(AssetTerminated {
    asset: InstalledAsset,
    #[serde(with = "avro_serde::date")]
    terminated_on: NaiveDate,
});
asset_event!(AssetSuspended {
    asset: InstalledAsset
});
asset_event!(AssetResumed {
    asset: InstalledAsset
});
asset_event!(AssetMoved {
    asset: InstalledAsset,
    previous_location: Option<ServiceAddress>,
});
asset_event!(AssetRenewed {
    asset: InstalledAsset,
    #[serde(with = "avro_serde::date_opt", default)]
    previous_term_end_date: Option<NaiveDate>,
});
asset_event!(AssetInconsistencyDetected {
    attempted_action: ItemAction,
    expected_status: Option<AssetStatus>,
    actual_status: Option<AssetStatus>,
    description: String,
});

asset_event!(AssetReverted {
    asset: InstalledAsset,
    reverted_effect: AssetEffect,
});

oms_messaging::event_family! {
    /// Every record of `oms.asset.events.v1`.
    pub enum AssetEventV1 in "oms.asset.events.v1" {
        AssetCreated(AssetCreated) = "com.example.oms.asset.v1.AssetCreated",
            include_str!("../../../../schemas/oms.asset.events.v1/AssetCreated.avsc");
        AssetModified(AssetModified) = "com.example.oms.asset.v1.AssetModified",
            include_str!("../../../../schemas/oms.asset.events.v1/AssetModified.avsc");
        AssetTerminated(AssetTerminated) = "com.example.oms.asset.v1.AssetTerminated",
            include_str!("../../../../schemas/oms.asset.events.v1/AssetTerminated.avsc");
        AssetSuspended(AssetSuspended) = "com.example.oms.asset.v1.AssetSuspended",
            include_str!("../../../../schemas/oms.asset.events.v1/AssetSuspended.avsc");
        AssetResumed(AssetResumed) = "com.example.oms.asset.v1.AssetResumed",
            include_str!("../../../../schemas/oms.asset.events.v1/AssetResumed.avsc");
        AssetMoved(AssetMoved) = "com.example.oms.asset.v1.AssetMoved",
            include_str!("../../../../schemas/oms.asset.events.v1/AssetMoved.avsc");
        AssetRenewed(AssetRenewed) = "com.example.oms.asset.v1.AssetRenewed",
            include_str!("../../../../schemas/oms.asset.events.v1/AssetRenewed.avsc");
        AssetInconsistencyDetected(AssetInconsistencyDetected) = "com.example.oms.asset.v1.AssetInconsistencyDetected",
            include_str!("../../../../schemas/oms.asset.events.v1/AssetInconsistencyDetected.avsc");
        AssetReverted(AssetReverted) = "com.example.oms.asset.v1.AssetReverted",
            include_str!("../../../../schemas/oms.asset.events.v1/AssetReverted.avsc");
    }
}
