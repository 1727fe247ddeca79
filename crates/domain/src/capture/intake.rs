//! The normalized capture intake: what a source asked for, before validation.
//!
//! Deliberately loose (strings, `i64`, `Decimal`): it must be able to hold *invalid*
//! requests too, because a rejected capture still becomes an order aggregate whose
//! violations point into this intake (`items[2].quantity`). It carries everything in CPQ's
//! `QuoteAccepted` (quote ref, revision, number, acceptance, validity, hashes, approval,
//! channel, customer/account/billing account, service address, requested start, currency,
//! price list, term, items with quote item id, parent, action, offering, quantity, target
//! asset, configuration, price components and total) plus what direct and admin captures
//! add (order type/intent, requested completion, dependencies, relations, migration
//! evidence). The envelope fields of the event (event id, occurredAt, correlation id) are
//! not part of it: they go into the transition meta.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::vocab::{
    CaptureMode, DependencyType, ItemAction, OrderIntent, OrderType, PriceKind, RelationType,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureOrder {
    /// Tenant the source claims (QuoteAccepted.tenantId); must equal the caller's tenant.
    pub tenant_id: String,
    pub capture_mode: CaptureMode,
    /// Derived from the item actions when absent.
    pub order_type: Option<OrderType>,
    /// Defaults per capture mode when absent.
    pub order_intent: Option<OrderIntent>,
    pub source_system: String,
    pub sales_channel: String,
    pub external_order_ref: Option<String>,
    pub quote: Option<QuoteRefInput>,
    pub customer: CustomerInput,
    pub service_address: Option<AddressInput>,
    pub requested_start_date: Option<NaiveDate>,
    pub requested_completion_date: Option<NaiveDate>,
    pub currency: String,
    pub price_list_ref: Option<String>,
    pub contract_term_months: Option<i64>,
    /// Total the source states, if any; checked against the sum of item totals.
    pub order_total: Option<Decimal>,
    pub items: Vec<CaptureItem>,
    pub relations: Vec<RelationInput>,
    pub migration: Option<MigrationInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct QuoteRefInput {
    pub quote_id: String,
    pub revision: i64,
    pub quote_number: Option<String>,
    pub accepted_at: DateTime<Utc>,
    pub accepted_by: Option<String>,
    /// Last day the accepted quote may be converted.
    pub valid_until: NaiveDate,
    pub configuration_hash: String,
    pub price_hash: String,
    pub approval_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomerInput {
    pub customer_id: String,
    pub account_id: String,
    pub billing_account_id: String,
    pub payer_id: Option<String>,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AddressInput {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub postal_code: String,
    pub country_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureItem {
    /// The source's line id (QuoteAccepted `quoteItemId`); unique within the order.
    pub client_item_ref: String,
    pub line_number: i64,
    /// `clientItemRef` of the bundle parent (QuoteAccepted `parentQuoteItemId`).
    pub parent_ref: Option<String>,
    pub action: ItemAction,
    pub product_offering_id: String,
    pub product_offering_version: Option<i64>,
    pub product_offering_name: Option<String>,
    pub product_spec_ref: Option<String>,
    pub quantity: i64,
    pub target_asset_id: Option<String>,
    pub configuration: BTreeMap<String, String>,
    pub price_components: Vec<PriceComponentInput>,
    /// Required for quote-derived items; derived from the components when absent otherwise.
    pub item_total: Option<Decimal>,
    /// Item currency if the source states one per line; must equal the order currency.
    pub currency: Option<String>,
    pub depends_on: Vec<DependencyInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PriceComponentInput {
    pub kind: PriceKind,
    pub amount: Decimal,
    pub recurrence_period: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DependencyInput {
    /// `clientItemRef` of the item this one waits for.
    pub client_item_ref: String,
    pub dependency_type: DependencyType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RelationInput {
    pub relation_type: RelationType,
    pub order_id: String,
}

/// Manual evidence an ADMIN_MIGRATION order must carry; ignored in every other mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MigrationInput {
    pub reason_code: String,
    pub evidence_ref: String,
    /// Accept requested dates in the past (reported as WARNING instead of ERROR).
    pub allow_past_dates: bool,
}
