//! The order header (DOMAIN §2, 002 §5): source, party/account roles, dates and the
//! commercial snapshot. Roles and dates are kept apart on purpose: the billing account is
//! not the account, and the submission date is not the billing start (002 §5.3-5.4).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::value::{
    AccountId, ApprovalRef, BillingAccountId, ContentHash, CurrencyCode, CustomerId,
    ExternalOrderRef, Money, OrderId, PartyId, PriceListRef, QuoteId, QuoteNumber, ReasonCode,
    SalesChannel, SourceSystem,
};
use crate::vocab::{OrderIntent, OrderType, PriceKind, RelationType};

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
    /// Present only on ADMIN_MIGRATION orders: the manual evidence they require.
    pub migration: Option<MigrationEvidence>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderSource {
    pub system: SourceSystem,
    pub channel: SalesChannel,
    pub external_order_ref: Option<ExternalOrderRef>,
    pub quote: Option<QuoteReference>,
}

/// The exact accepted quote revision this order converts (traceability, not a live link).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteReference {
    pub quote_id: QuoteId,
    pub revision: u32,
    pub quote_number: Option<QuoteNumber>,
    pub accepted_at: DateTime<Utc>,
    pub accepted_by: Option<String>,
    pub valid_until: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyRoles {
    pub customer_id: CustomerId,
    pub account_id: AccountId,
    pub billing_account_id: BillingAccountId,
    pub payer_id: Option<PartyId>,
    /// Name snapshot for support display only.
    pub customer_display_name: Option<String>,
    pub service_location: Option<ServiceAddress>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAddress {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub postal_code: String,
    pub country_code: String,
}

/// Dates with distinct meanings; none may stand in for another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDates {
    /// When the customer/source submitted (quote acceptance for quote-derived orders).
    pub submitted_at: DateTime<Utc>,
    /// When OMS accepted the order for processing (validation passed).
    pub accepted_at: DateTime<Utc>,
    pub requested_start: Option<NaiveDate>,
    pub requested_completion: Option<NaiveDate>,
    /// Promised by the enterprise; set by fulfillment scheduling (a later issue).
    pub committed_completion: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommercialSnapshot {
    pub currency: CurrencyCode,
    pub price_list_ref: Option<PriceListRef>,
    pub term_months: Option<u32>,
    /// Sum of item totals (003 §9.4).
    pub order_total: Money,
    /// Order total split by component kind, for billing and reporting.
    pub totals_by_kind: BTreeMap<PriceKind, Money>,
    /// CPQ's evidence hashes, kept verbatim.
    pub configuration_hash: Option<ContentHash>,
    pub price_hash: Option<ContentHash>,
    pub approval_ref: Option<ApprovalRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRelation {
    pub relation_type: RelationType,
    pub related_order_id: OrderId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationEvidence {
    pub reason_code: ReasonCode,
    pub evidence_ref: String,
    /// Requested dates in the past were accepted (with a warning) on this evidence.
    pub allow_past_dates: bool,
}
