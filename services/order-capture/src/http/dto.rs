//! Request bodies (the schema layer, 001 §8.2): strict shapes (`deny_unknown_fields`),
//! closed enums, typed dates and decimals. Serde's failures become 400 `INVALID_BODY` with
//! the field path (`items[0].quantity`). They map onto the domain's loose capture intake,
//! whose rules then do the semantic layers; the tenant always comes from the token.

use chrono::NaiveDate;
use oms_domain::capture::{
    AddressInput, CaptureItem, CaptureOrder, CustomerInput, DependencyInput, MigrationInput,
    PriceComponentInput, QuoteRefInput, RelationInput,
};
use oms_domain::vocab::{
    CaptureMode, HoldType, ItemAction, OrderIntent, OrderType, RepairResolution,
};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Source system recorded for API captures that do not name one.
pub const DEFAULT_SOURCE_SYSTEM: &str = "api";

/// `POST /api/v1/orders` and `POST /api/v1/order-validations`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaptureOrderRequest {
    /// Optional; must equal the token's tenant (TENANT_MISMATCH otherwise).
    pub tenant_id: Option<String>,
    pub capture_mode: CaptureMode,
    pub order_type: Option<OrderType>,
    pub order_intent: Option<OrderIntent>,
    pub source_system: Option<String>,
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
    pub order_total: Option<Decimal>,
    pub items: Vec<CaptureItemRequest>,
    #[serde(default)]
    pub relations: Vec<RelationInput>,
    pub migration: Option<MigrationInput>,
    /// Holds placed at capture, before the order is released (capture only).
    #[serde(default)]
    pub holds: Vec<HoldBody>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaptureItemRequest {
    pub client_item_ref: String,
    /// Defaults to the item's position (1-based).
    pub line_number: Option<i64>,
    pub parent_ref: Option<String>,
    pub action: ItemAction,
    pub product_offering_id: String,
    pub product_offering_version: Option<i64>,
    pub product_offering_name: Option<String>,
    pub product_spec_ref: Option<String>,
    pub quantity: i64,
    pub target_asset_id: Option<String>,
    #[serde(default)]
    pub configuration: BTreeMap<String, String>,
    #[serde(default)]
    pub price_components: Vec<PriceComponentInput>,
    pub item_total: Option<Decimal>,
    pub currency: Option<String>,
    #[serde(default)]
    pub depends_on: Vec<DependencyInput>,
}

/// A hold to place: at capture, or on `POST /api/v1/orders/{id}/holds`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HoldBody {
    pub hold_type: HoldType,
    /// Whether the hold stops release to decomposition and fulfillment (default true).
    #[serde(default = "yes")]
    pub blocking: bool,
    pub reason: String,
}

const fn yes() -> bool {
    true
}

/// `POST /api/v1/orders/{id}/holds/{holdId}/release`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReleaseHoldBody {
    pub reason: String,
}

/// `POST /api/v1/orders/{id}/fallouts/{falloutId}/repair`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RepairBody {
    pub resolution: RepairResolution,
    pub reason: String,
}

impl CaptureOrderRequest {
    /// The domain intake for `tenant` (the token's; a differing `tenantId` in the body is
    /// kept so the TENANT_MISMATCH rule reports it).
    pub fn to_intake(&self, tenant: &str) -> CaptureOrder {
        CaptureOrder {
            tenant_id: self.tenant_id.clone().unwrap_or_else(|| tenant.to_owned()),
            capture_mode: self.capture_mode,
            order_type: self.order_type,
            order_intent: self.order_intent,
            source_system: self
                .source_system
                .clone()
                .unwrap_or_else(|| DEFAULT_SOURCE_SYSTEM.to_owned()),
            sales_channel: self.sales_channel.clone(),
            external_order_ref: self.external_order_ref.clone(),
            quote: self.quote.clone(),
            customer: self.customer.clone(),
            service_address: self.service_address.clone(),
            requested_start_date: self.requested_start_date,
            requested_completion_date: self.requested_completion_date,
            currency: self.currency.clone(),
            price_list_ref: self.price_list_ref.clone(),
            contract_term_months: self.contract_term_months,
            order_total: self.order_total,
            items: self
                .items
                .iter()
                .enumerate()
                .map(|(i, item)| item.to_intake(i))
                .collect(),
            relations: self.relations.clone(),
            migration: self.migration.clone(),
        }
    }
}

impl CaptureItemRequest {
    fn to_intake(&self, index: usize) -> CaptureItem {
        CaptureItem {
            client_item_ref: self.client_item_ref.clone(),
            line_number: self
                .line_number
                .unwrap_or_else(|| i64::try_from(index + 1).unwrap_or(i64::MAX)),
            parent_ref: self.parent_ref.clone(),
            action: self.action,
            product_offering_id: self.product_offering_id.clone(),
            product_offering_version: self.product_offering_version,
            product_offering_name: self.product_offering_name.clone(),
            product_spec_ref: self.product_spec_ref.clone(),
            quantity: self.quantity,
            target_asset_id: self.target_asset_id.clone(),
            configuration: self.configuration.clone(),
            price_components: self.price_components.clone(),
            item_total: self.item_total,
            currency: self.currency.clone(),
            depends_on: self.depends_on.clone(),
        }
    }
}
