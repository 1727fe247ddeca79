//! `cpq.quote.events.v1`: CPQ's `QuoteAccepted`, the contract we ask CPQ to publish
//! (`schemas/cpq.quote.events.v1/QuoteAccepted.avsc`, a byte-identical copy of theirs).
//!
//! CPQ's layout is flat: no `envelope` record. [`QuoteEventV1`] therefore implements
//! [`EventContract`] by hand and builds the [`Envelope`] from the flat fields: eventId,
//! occurredAt, tenantId, correlationId (the quote id when CPQ sends none), aggregate type
//! `Quote`, aggregate id = quote id (CPQ's Kafka key). Order-capture consumes it and maps it
//! to a capture intake (`capture.rs`: `From<&QuoteAccepted> for CaptureOrder`, [`capture_meta`]).

mod capture;

pub use capture::{QUOTE_SOURCE_SYSTEM, capture_meta};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

use crate::wire::contract_enum;
use oms_domain::vocab;
use oms_messaging::{
    Codec, CodecError, ContractError, Envelope, EventContract, RecordSchema, avro_serde,
};

/// The Avro full name of CPQ's record.
pub const QUOTE_ACCEPTED: &str = "com.example.cpq.quote.v1.QuoteAccepted";
const SCHEMA: &str = include_str!("../../../../schemas/cpq.quote.events.v1/QuoteAccepted.avsc");

contract_enum! {
    /// CPQ's item action (same symbols as ours; DELETE is the disconnect).
    ItemAction <=> vocab::ItemAction {
        Add = "ADD", Modify = "MODIFY", Delete = "DELETE", Suspend = "SUSPEND",
        Resume = "RESUME", Move = "MOVE", Renew = "RENEW", NoChange = "NO_CHANGE",
    }
}

contract_enum! {
    /// CPQ's price component kind.
    PriceKind <=> vocab::PriceKind {
        Recurring = "RECURRING", OneTime = "ONE_TIME", Discount = "DISCOUNT", Fee = "FEE",
    }
}

/// One accepted quote revision, exactly as CPQ publishes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteAccepted {
    #[serde(with = "avro_serde::uuid")]
    pub event_id: Uuid,
    #[serde(with = "avro_serde::timestamp_millis")]
    pub occurred_at: DateTime<Utc>,
    pub tenant_id: String,
    pub correlation_id: Option<String>,
    pub quote_id: String,
    pub quote_revision: i32,
    pub quote_number: String,
    #[serde(with = "avro_serde::timestamp_millis")]
    pub accepted_at: DateTime<Utc>,
    #[serde(with = "avro_serde::date")]
    pub valid_until: NaiveDate,
    pub sales_channel: String,
    pub accepted_by: String,
    pub approval_ref: Option<String>,
    pub customer: CustomerRef,
    pub service_address: Option<Address>,
    #[serde(with = "avro_serde::date_opt", default)]
    pub requested_start_date: Option<NaiveDate>,
    pub currency: String,
    pub price_list_ref: String,
    pub contract_term_months: Option<i32>,
    pub items: Vec<QuoteItem>,
    pub configuration_hash: String,
    pub price_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerRef {
    pub customer_id: String,
    pub account_id: String,
    pub billing_account_id: String,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub postal_code: String,
    pub country_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteItem {
    pub quote_item_id: String,
    pub line_number: i32,
    pub parent_quote_item_id: Option<String>,
    pub action: ItemAction,
    pub product_offering_id: String,
    pub product_offering_version: i32,
    pub product_offering_name: String,
    pub quantity: i32,
    pub target_asset_id: Option<String>,
    pub configuration: BTreeMap<String, String>,
    pub price_components: Vec<PriceComponent>,
    #[serde(with = "avro_serde::decimal4")]
    pub item_total: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceComponent {
    pub kind: PriceKind,
    #[serde(with = "avro_serde::decimal4")]
    pub amount: Decimal,
    pub recurrence_period: Option<String>,
    pub description: String,
}

/// A `QuoteAccepted` with the envelope built from its flat fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteAcceptedEvent {
    envelope: Envelope,
    quote: QuoteAccepted,
}

impl QuoteAcceptedEvent {
    pub fn new(quote: QuoteAccepted) -> Self {
        let envelope = Envelope {
            event_id: quote.event_id,
            event_type: "QuoteAccepted".to_owned(),
            event_version: 1,
            aggregate_type: "Quote".to_owned(),
            aggregate_id: quote.quote_id.clone(),
            tenant_id: quote.tenant_id.clone(),
            occurred_at: quote.occurred_at,
            correlation_id: quote
                .correlation_id
                .clone()
                .unwrap_or_else(|| quote.quote_id.clone()),
            causation_id: None,
            traceparent: None,
        };
        Self { envelope, quote }
    }

    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    pub fn quote(&self) -> &QuoteAccepted {
        &self.quote
    }

    pub fn into_quote(self) -> QuoteAccepted {
        self.quote
    }
}

/// The family of `cpq.quote.events.v1` (one event type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteEventV1 {
    QuoteAccepted(QuoteAcceptedEvent),
}

impl From<QuoteAccepted> for QuoteEventV1 {
    fn from(quote: QuoteAccepted) -> Self {
        Self::QuoteAccepted(QuoteAcceptedEvent::new(quote))
    }
}

impl EventContract for QuoteEventV1 {
    const TOPIC: &'static str = "cpq.quote.events.v1";

    fn schemas() -> &'static [RecordSchema] {
        const SCHEMAS: &[RecordSchema] = &[RecordSchema {
            name: QUOTE_ACCEPTED,
            schema: SCHEMA,
        }];
        SCHEMAS
    }

    fn record_name(&self) -> &'static str {
        QUOTE_ACCEPTED
    }

    fn envelope(&self) -> &Envelope {
        match self {
            Self::QuoteAccepted(event) => event.envelope(),
        }
    }

    fn from_avro(
        record_name: &str,
        value: &apache_avro::types::Value,
    ) -> Result<Self, ContractError> {
        if record_name != QUOTE_ACCEPTED {
            return Err(ContractError::UnknownRecord {
                topic: Self::TOPIC,
                record: record_name.to_owned(),
            });
        }
        apache_avro::from_value::<QuoteAccepted>(value)
            .map(Self::from)
            .map_err(|error| ContractError::Mismatch {
                record: record_name.to_owned(),
                reason: error.to_string(),
            })
    }

    async fn encode(&self, codec: &Codec, topic: &str) -> Result<Vec<u8>, CodecError> {
        match self {
            Self::QuoteAccepted(event) => {
                codec
                    .encode_record(topic, QUOTE_ACCEPTED, SCHEMA, event.quote())
                    .await
            }
        }
    }
}
