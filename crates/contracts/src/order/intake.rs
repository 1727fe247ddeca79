//! `CaptureIntake`: the capture intake as `OrderCaptured` publishes it, and its mapping.
//!
//! The intake may be invalid (that is why it is kept: violation paths point into it), so
//! the contract is as loose as the domain's `CaptureOrder`: unchecked strings and longs, and
//! amounts as decimal *text*, because an amount with too many decimal places is a valid
//! intake (rejected with AMOUNT_PRECISION_EXCEEDED) but would not fit Avro decimal(18,4).
//! The customer's display name is not published (PII): it maps back as `None`.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::str::FromStr;

use super::enums::{CaptureMode, DependencyType, OrderIntent, OrderType, RelationType};
use crate::common::{ItemAction, PriceKind, ServiceAddress};
use crate::error::{MappingError, parsed};
use oms_domain::ValueError;
use oms_domain::capture as dom;
use oms_messaging::avro_serde;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureIntake {
    pub tenant_id: String,
    pub capture_mode: CaptureMode,
    pub order_type: Option<OrderType>,
    pub order_intent: Option<OrderIntent>,
    pub source_system: String,
    pub sales_channel: String,
    pub external_order_ref: Option<String>,
    pub quote: Option<QuoteIntake>,
    pub customer: CustomerIntake,
    pub service_address: Option<ServiceAddress>,
    #[serde(with = "avro_serde::date_opt", default)]
    pub requested_start_date: Option<NaiveDate>,
    #[serde(with = "avro_serde::date_opt", default)]
    pub requested_completion_date: Option<NaiveDate>,
    pub currency: String,
    pub price_list_ref: Option<String>,
    pub contract_term_months: Option<i64>,
    pub order_total: Option<String>,
    pub items: Vec<CaptureItemIntake>,
    pub relations: Vec<RelationIntake>,
    pub migration: Option<MigrationIntake>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteIntake {
    pub quote_id: String,
    pub revision: i64,
    pub quote_number: Option<String>,
    #[serde(with = "avro_serde::timestamp_millis")]
    pub accepted_at: DateTime<Utc>,
    pub accepted_by: Option<String>,
    #[serde(with = "avro_serde::date")]
    pub valid_until: NaiveDate,
    pub configuration_hash: String,
    pub price_hash: String,
    pub approval_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerIntake {
    pub customer_id: String,
    pub account_id: String,
    pub billing_account_id: String,
    pub payer_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureItemIntake {
    pub client_item_ref: String,
    pub line_number: i64,
    pub parent_ref: Option<String>,
    pub action: ItemAction,
    pub product_offering_id: String,
    pub product_offering_version: Option<i64>,
    pub product_offering_name: Option<String>,
    pub product_spec_ref: Option<String>,
    pub quantity: i64,
    pub target_asset_id: Option<String>,
    pub configuration: BTreeMap<String, String>,
    pub price_components: Vec<PriceComponentIntake>,
    pub item_total: Option<String>,
    pub currency: Option<String>,
    pub depends_on: Vec<DependencyIntake>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceComponentIntake {
    pub kind: PriceKind,
    pub amount: String,
    pub recurrence_period: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DependencyIntake {
    pub client_item_ref: String,
    pub dependency_type: DependencyType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelationIntake {
    pub relation_type: RelationType,
    pub order_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationIntake {
    pub reason_code: String,
    pub evidence_ref: String,
    pub allow_past_dates: bool,
}

impl From<&dom::CaptureOrder> for CaptureIntake {
    fn from(o: &dom::CaptureOrder) -> Self {
        Self {
            tenant_id: o.tenant_id.clone(),
            capture_mode: o.capture_mode.into(),
            order_type: o.order_type.map(Into::into),
            order_intent: o.order_intent.map(Into::into),
            source_system: o.source_system.clone(),
            sales_channel: o.sales_channel.clone(),
            external_order_ref: o.external_order_ref.clone(),
            quote: o.quote.as_ref().map(|q| QuoteIntake {
                quote_id: q.quote_id.clone(),
                revision: q.revision,
                quote_number: q.quote_number.clone(),
                accepted_at: q.accepted_at,
                accepted_by: q.accepted_by.clone(),
                valid_until: q.valid_until,
                configuration_hash: q.configuration_hash.clone(),
                price_hash: q.price_hash.clone(),
                approval_ref: q.approval_ref.clone(),
            }),
            customer: CustomerIntake {
                customer_id: o.customer.customer_id.clone(),
                account_id: o.customer.account_id.clone(),
                billing_account_id: o.customer.billing_account_id.clone(),
                payer_id: o.customer.payer_id.clone(),
            },
            service_address: o.service_address.as_ref().map(|a| ServiceAddress {
                line1: a.line1.clone(),
                line2: a.line2.clone(),
                city: a.city.clone(),
                postal_code: a.postal_code.clone(),
                country_code: a.country_code.clone(),
            }),
            requested_start_date: o.requested_start_date,
            requested_completion_date: o.requested_completion_date,
            currency: o.currency.clone(),
            price_list_ref: o.price_list_ref.clone(),
            contract_term_months: o.contract_term_months,
            order_total: o.order_total.map(|t| t.to_string()),
            items: o.items.iter().map(item_to_contract).collect(),
            relations: o
                .relations
                .iter()
                .map(|r| RelationIntake {
                    relation_type: r.relation_type.into(),
                    order_id: r.order_id.clone(),
                })
                .collect(),
            migration: o.migration.as_ref().map(|m| MigrationIntake {
                reason_code: m.reason_code.clone(),
                evidence_ref: m.evidence_ref.clone(),
                allow_past_dates: m.allow_past_dates,
            }),
        }
    }
}

fn item_to_contract(i: &dom::CaptureItem) -> CaptureItemIntake {
    CaptureItemIntake {
        client_item_ref: i.client_item_ref.clone(),
        line_number: i.line_number,
        parent_ref: i.parent_ref.clone(),
        action: i.action.into(),
        product_offering_id: i.product_offering_id.clone(),
        product_offering_version: i.product_offering_version,
        product_offering_name: i.product_offering_name.clone(),
        product_spec_ref: i.product_spec_ref.clone(),
        quantity: i.quantity,
        target_asset_id: i.target_asset_id.clone(),
        configuration: i.configuration.clone(),
        price_components: i
            .price_components
            .iter()
            .map(|c| PriceComponentIntake {
                kind: c.kind.into(),
                amount: c.amount.to_string(),
                recurrence_period: c.recurrence_period.clone(),
                description: c.description.clone(),
            })
            .collect(),
        item_total: i.item_total.map(|t| t.to_string()),
        currency: i.currency.clone(),
        depends_on: i
            .depends_on
            .iter()
            .map(|d| DependencyIntake {
                client_item_ref: d.client_item_ref.clone(),
                dependency_type: d.dependency_type.into(),
            })
            .collect(),
    }
}

/// Decimal text back to a `Decimal` (the intake's amounts are text on the wire).
fn decimal(field: &'static str, text: &str) -> Result<Decimal, MappingError> {
    parsed(
        field,
        Decimal::from_str(text).map_err(|e| ValueError::Format {
            field,
            detail: format!("'{text}' is not a decimal: {e}"),
        }),
    )
}

impl CaptureIntake {
    /// The domain intake. Only the decimal texts can fail: everything else is kept loose.
    pub fn to_domain(&self) -> Result<dom::CaptureOrder, MappingError> {
        let items = self
            .items
            .iter()
            .map(CaptureItemIntake::to_domain)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(dom::CaptureOrder {
            tenant_id: self.tenant_id.clone(),
            capture_mode: self.capture_mode.into(),
            order_type: self.order_type.map(Into::into),
            order_intent: self.order_intent.map(Into::into),
            source_system: self.source_system.clone(),
            sales_channel: self.sales_channel.clone(),
            external_order_ref: self.external_order_ref.clone(),
            quote: self.quote.as_ref().map(|q| dom::QuoteRefInput {
                quote_id: q.quote_id.clone(),
                revision: q.revision,
                quote_number: q.quote_number.clone(),
                accepted_at: q.accepted_at,
                accepted_by: q.accepted_by.clone(),
                valid_until: q.valid_until,
                configuration_hash: q.configuration_hash.clone(),
                price_hash: q.price_hash.clone(),
                approval_ref: q.approval_ref.clone(),
            }),
            customer: dom::CustomerInput {
                customer_id: self.customer.customer_id.clone(),
                account_id: self.customer.account_id.clone(),
                billing_account_id: self.customer.billing_account_id.clone(),
                payer_id: self.customer.payer_id.clone(),
                display_name: None,
            },
            service_address: self.service_address.as_ref().map(|a| dom::AddressInput {
                line1: a.line1.clone(),
                line2: a.line2.clone(),
                city: a.city.clone(),
                postal_code: a.postal_code.clone(),
                country_code: a.country_code.clone(),
            }),
            requested_start_date: self.requested_start_date,
            requested_completion_date: self.requested_completion_date,
            currency: self.currency.clone(),
            price_list_ref: self.price_list_ref.clone(),
            contract_term_months: self.contract_term_months,
            order_total: self
                .order_total
                .as_deref()
                .map(|t| decimal("intake.orderTotal", t))
                .transpose()?,
            items,
            relations: self
                .relations
                .iter()
                .map(|r| dom::RelationInput {
                    relation_type: r.relation_type.into(),
                    order_id: r.order_id.clone(),
                })
                .collect(),
            migration: self.migration.as_ref().map(|m| dom::MigrationInput {
                reason_code: m.reason_code.clone(),
                evidence_ref: m.evidence_ref.clone(),
                allow_past_dates: m.allow_past_dates,
            }),
        })
    }
}

impl CaptureItemIntake {
    fn to_domain(&self) -> Result<dom::CaptureItem, MappingError> {
        let price_components = self
            .price_components
            .iter()
            .map(|c| {
                Ok(dom::PriceComponentInput {
                    kind: c.kind.into(),
                    amount: decimal("intake.items.priceComponents.amount", &c.amount)?,
                    recurrence_period: c.recurrence_period.clone(),
                    description: c.description.clone(),
                })
            })
            .collect::<Result<Vec<_>, MappingError>>()?;
        Ok(dom::CaptureItem {
            client_item_ref: self.client_item_ref.clone(),
            line_number: self.line_number,
            parent_ref: self.parent_ref.clone(),
            action: self.action.into(),
            product_offering_id: self.product_offering_id.clone(),
            product_offering_version: self.product_offering_version,
            product_offering_name: self.product_offering_name.clone(),
            product_spec_ref: self.product_spec_ref.clone(),
            quantity: self.quantity,
            target_asset_id: self.target_asset_id.clone(),
            configuration: self.configuration.clone(),
            price_components,
            item_total: self
                .item_total
                .as_deref()
                .map(|t| decimal("intake.items.itemTotal", t))
                .transpose()?,
            currency: self.currency.clone(),
            depends_on: self
                .depends_on
                .iter()
                .map(|d| dom::DependencyInput {
                    client_item_ref: d.client_item_ref.clone(),
                    dependency_type: d.dependency_type.into(),
                })
                .collect(),
        })
    }
}
