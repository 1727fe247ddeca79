//! `QuoteAccepted` -> the domain's capture intake (`CaptureOrder`, mode QUOTE_DERIVED).
//!
//! Every field of the quote is copied, unchecked: the intake is deliberately loose so the
//! capture rules can report each problem as a located violation (a rejected quote still
//! becomes an order with its evidence). Quote item id -> client item ref, parent quote item
//! id -> parent ref; the quote's hashes, approval, acceptance and validity go into the quote
//! reference; amounts are copied as decimals, unchanged. CPQ states no order total, per-line
//! currency, spec ref or dependencies: those stay empty.

use chrono::{DateTime, Utc};
use oms_domain::capture::{
    AddressInput, CaptureItem, CaptureOrder, CustomerInput, PriceComponentInput, QuoteRefInput,
};
use oms_domain::value::{CausationId, CorrelationId};
use oms_domain::vocab::CaptureMode;
use oms_domain::{Actor, TransitionMeta};

use super::{QuoteAccepted, QuoteAcceptedEvent, QuoteItem};
use crate::error::{MappingError, parsed};

/// `sourceSystem` of every quote-derived intake.
pub const QUOTE_SOURCE_SYSTEM: &str = "cpq";

impl From<&QuoteAccepted> for CaptureOrder {
    fn from(q: &QuoteAccepted) -> Self {
        Self {
            tenant_id: q.tenant_id.clone(),
            capture_mode: CaptureMode::QuoteDerived,
            order_type: None,
            order_intent: None,
            source_system: QUOTE_SOURCE_SYSTEM.to_owned(),
            sales_channel: q.sales_channel.clone(),
            external_order_ref: None,
            quote: Some(QuoteRefInput {
                quote_id: q.quote_id.clone(),
                revision: i64::from(q.quote_revision),
                quote_number: Some(q.quote_number.clone()),
                accepted_at: q.accepted_at,
                accepted_by: Some(q.accepted_by.clone()),
                valid_until: q.valid_until,
                configuration_hash: q.configuration_hash.clone(),
                price_hash: q.price_hash.clone(),
                approval_ref: q.approval_ref.clone(),
            }),
            customer: CustomerInput {
                customer_id: q.customer.customer_id.clone(),
                account_id: q.customer.account_id.clone(),
                billing_account_id: q.customer.billing_account_id.clone(),
                payer_id: None,
                display_name: q.customer.display_name.clone(),
            },
            service_address: q.service_address.as_ref().map(|a| AddressInput {
                line1: a.line1.clone(),
                line2: a.line2.clone(),
                city: a.city.clone(),
                postal_code: a.postal_code.clone(),
                country_code: a.country_code.clone(),
            }),
            requested_start_date: q.requested_start_date,
            requested_completion_date: None,
            currency: q.currency.clone(),
            price_list_ref: Some(q.price_list_ref.clone()),
            contract_term_months: q.contract_term_months.map(i64::from),
            order_total: None,
            items: q.items.iter().map(item).collect(),
            relations: Vec::new(),
            migration: None,
        }
    }
}

fn item(i: &QuoteItem) -> CaptureItem {
    CaptureItem {
        client_item_ref: i.quote_item_id.clone(),
        line_number: i64::from(i.line_number),
        parent_ref: i.parent_quote_item_id.clone(),
        action: i.action.into(),
        product_offering_id: i.product_offering_id.clone(),
        product_offering_version: Some(i64::from(i.product_offering_version)),
        product_offering_name: Some(i.product_offering_name.clone()),
        product_spec_ref: None,
        quantity: i64::from(i.quantity),
        target_asset_id: i.target_asset_id.clone(),
        configuration: i.configuration.clone(),
        price_components: i
            .price_components
            .iter()
            .map(|c| PriceComponentInput {
                kind: c.kind.into(),
                amount: c.amount,
                recurrence_period: c.recurrence_period.clone(),
                description: c.description.clone(),
            })
            .collect(),
        item_total: Some(i.item_total),
        currency: None,
        depends_on: Vec::new(),
    }
}

impl QuoteAcceptedEvent {
    /// The capture intake of this quote.
    pub fn to_capture_order(&self) -> CaptureOrder {
        CaptureOrder::from(self.quote())
    }
}

/// The meta of the capture order-capture decides for this quote at `at`: actor the `cpq`
/// service, the quote's correlation id, caused by the quote event.
pub fn capture_meta(
    event: &QuoteAcceptedEvent,
    at: DateTime<Utc>,
) -> Result<TransitionMeta, MappingError> {
    let envelope = event.envelope();
    let correlation_id = parsed(
        "correlationId",
        CorrelationId::parse(&envelope.correlation_id),
    )?;
    let causation_id = parsed(
        "eventId",
        CausationId::parse(&envelope.event_id.to_string()),
    )?;
    Ok(
        TransitionMeta::new(Actor::service(QUOTE_SOURCE_SYSTEM), at, correlation_id)
            .caused_by(causation_id),
    )
}
