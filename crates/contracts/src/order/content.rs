//! `OrderContent`: the validated, typed order as `OrderValidated`,
//! `OrderReleasedForDecomposition` and `OrderReleasedForFulfillment` publish it. Mirrors the
//! domain's `OrderContent` minus the customer's display name (PII: references only).
//! The mapping lives in `content_map.rs`.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

use super::enums::{
    DependencyType, FulfillmentState, ItemState, OrderIntent, OrderType, RelationType,
};
use crate::common::{
    AssetEffect, ItemAction, PriceKind, PriceSnapshot, ProductRef, ServiceAddress,
};
use oms_messaging::avro_serde;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderContent {
    pub header: OrderHeader,
    pub items: Vec<OrderItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderHeader {
    pub order_type: OrderType,
    pub order_intent: OrderIntent,
    pub source: OrderSource,
    pub parties: PartyRoles,
    pub dates: OrderDates,
    pub commercial: CommercialSnapshot,
    pub relations: Vec<OrderRelation>,
    pub migration: Option<MigrationEvidence>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderSource {
    pub system: String,
    pub channel: String,
    pub external_order_ref: Option<String>,
    pub quote: Option<QuoteReference>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteReference {
    pub quote_id: String,
    pub revision: i64,
    pub quote_number: Option<String>,
    #[serde(with = "avro_serde::timestamp_millis")]
    pub accepted_at: DateTime<Utc>,
    pub accepted_by: Option<String>,
    #[serde(with = "avro_serde::date")]
    pub valid_until: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyRoles {
    pub customer_id: String,
    pub account_id: String,
    pub billing_account_id: String,
    pub payer_id: Option<String>,
    pub service_location: Option<ServiceAddress>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDates {
    #[serde(with = "avro_serde::timestamp_millis")]
    pub submitted_at: DateTime<Utc>,
    #[serde(with = "avro_serde::timestamp_millis")]
    pub accepted_at: DateTime<Utc>,
    #[serde(with = "avro_serde::date_opt", default)]
    pub requested_start: Option<NaiveDate>,
    #[serde(with = "avro_serde::date_opt", default)]
    pub requested_completion: Option<NaiveDate>,
    #[serde(with = "avro_serde::date_opt", default)]
    pub committed_completion: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommercialSnapshot {
    pub currency: String,
    pub price_list_ref: Option<String>,
    pub term_months: Option<i64>,
    #[serde(with = "avro_serde::decimal4")]
    pub order_total: Decimal,
    pub totals_by_kind: Vec<KindTotal>,
    pub configuration_hash: Option<String>,
    pub price_hash: Option<String>,
    pub approval_ref: Option<String>,
}

/// Order total of one price component kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KindTotal {
    pub kind: PriceKind,
    #[serde(with = "avro_serde::decimal4")]
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRelation {
    pub relation_type: RelationType,
    #[serde(with = "avro_serde::uuid")]
    pub related_order_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationEvidence {
    pub reason_code: String,
    pub evidence_ref: String,
    pub allow_past_dates: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderItem {
    #[serde(with = "avro_serde::uuid")]
    pub id: Uuid,
    pub client_item_ref: String,
    pub line_number: i64,
    #[serde(with = "avro_serde::uuid_opt", default)]
    pub parent_id: Option<Uuid>,
    pub action: ItemAction,
    pub quantity: i64,
    pub product: ProductRef,
    pub target_asset_id: Option<String>,
    pub actual_asset_id: Option<String>,
    pub configuration: Configuration,
    pub price: PriceSnapshot,
    pub state: ItemState,
    pub fulfillment_state: FulfillmentState,
    pub dependencies: Vec<ItemDependency>,
    pub asset_effect: Option<AssetEffect>,
    #[serde(with = "avro_serde::date_opt", default)]
    pub activation_date: Option<NaiveDate>,
}

/// Chosen characteristic values and OMS's hash of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Configuration {
    pub values: BTreeMap<String, String>,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemDependency {
    #[serde(with = "avro_serde::uuid")]
    pub depends_on: Uuid,
    pub dependency_type: DependencyType,
}
