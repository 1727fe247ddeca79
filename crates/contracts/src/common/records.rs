//! Records of `com.example.oms.common.v1` (actor, service address, product, price) and their
//! mapping from and to the domain values. Canonical definitions in `schemas/common/`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::enums::{ActorKind, PriceKind};
use crate::error::{MappingError, count_opt, parsed, parsed_opt};
use oms_domain::order as dom;
use oms_domain::value::{CurrencyCode, Money, ProductOfferingId, ProductSpecRef};
use oms_messaging::avro_serde;

/// Who decided a transition (an id reference only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub kind: ActorKind,
    pub id: String,
}

impl From<&oms_domain::Actor> for Actor {
    fn from(actor: &oms_domain::Actor) -> Self {
        Self {
            kind: actor.kind().into(),
            id: actor.id().to_owned(),
        }
    }
}

impl Actor {
    pub fn to_domain(&self, field: &str) -> Result<oms_domain::Actor, MappingError> {
        parsed(field, oms_domain::Actor::parse(self.kind.into(), &self.id))
    }
}

/// Where the service is delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAddress {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub postal_code: String,
    pub country_code: String,
}

impl From<&dom::ServiceAddress> for ServiceAddress {
    fn from(a: &dom::ServiceAddress) -> Self {
        Self {
            line1: a.line1.clone(),
            line2: a.line2.clone(),
            city: a.city.clone(),
            postal_code: a.postal_code.clone(),
            country_code: a.country_code.clone(),
        }
    }
}

impl From<&ServiceAddress> for dom::ServiceAddress {
    fn from(a: &ServiceAddress) -> Self {
        Self {
            line1: a.line1.clone(),
            line2: a.line2.clone(),
            city: a.city.clone(),
            postal_code: a.postal_code.clone(),
            country_code: a.country_code.clone(),
        }
    }
}

/// What was sold, as the catalog described it at capture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductRef {
    pub offering_id: String,
    pub offering_version: Option<i64>,
    pub offering_name: Option<String>,
    pub spec_ref: Option<String>,
}

impl From<&dom::ProductSnapshot> for ProductRef {
    fn from(p: &dom::ProductSnapshot) -> Self {
        Self {
            offering_id: p.offering_id.as_str().to_owned(),
            offering_version: p.offering_version.map(i64::from),
            offering_name: p.offering_name.clone(),
            spec_ref: p.spec_ref.as_ref().map(|s| s.as_str().to_owned()),
        }
    }
}

impl ProductRef {
    pub fn to_domain(&self) -> Result<dom::ProductSnapshot, MappingError> {
        Ok(dom::ProductSnapshot {
            offering_id: parsed(
                "product.offeringId",
                ProductOfferingId::parse(&self.offering_id),
            )?,
            offering_version: count_opt("product.offeringVersion", self.offering_version)?,
            offering_name: self.offering_name.clone(),
            spec_ref: parsed_opt(
                "product.specRef",
                self.spec_ref.as_ref(),
                ProductSpecRef::parse,
            )?,
        })
    }
}

/// One priced part of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceComponent {
    pub kind: PriceKind,
    #[serde(with = "avro_serde::decimal4")]
    pub amount: Decimal,
    pub recurrence_period: Option<String>,
    pub description: String,
}

/// The accepted price of one item: components and their total, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceSnapshot {
    pub currency: String,
    #[serde(with = "avro_serde::decimal4")]
    pub total: Decimal,
    pub components: Vec<PriceComponent>,
}

impl From<&dom::PriceSnapshot> for PriceSnapshot {
    fn from(p: &dom::PriceSnapshot) -> Self {
        Self {
            currency: p.total().currency().as_str().to_owned(),
            total: p.total().amount(),
            components: p
                .components()
                .iter()
                .map(|c| PriceComponent {
                    kind: c.kind.into(),
                    amount: c.amount.amount(),
                    recurrence_period: c.recurrence_period.clone(),
                    description: c.description.clone(),
                })
                .collect(),
        }
    }
}

impl PriceSnapshot {
    /// Re-checks the snapshot's invariants: currency, decimal(18,4) amounts, components
    /// summing to the total.
    pub fn to_domain(&self) -> Result<dom::PriceSnapshot, MappingError> {
        let currency = parsed("price.currency", CurrencyCode::parse(&self.currency))?;
        let components = self
            .components
            .iter()
            .map(|c| {
                Ok(dom::PriceComponent {
                    kind: c.kind.into(),
                    amount: parsed("price.components.amount", Money::parse(c.amount, currency))?,
                    recurrence_period: c.recurrence_period.clone(),
                    description: c.description.clone(),
                })
            })
            .collect::<Result<Vec<_>, MappingError>>()?;
        let total = parsed("price.total", Money::parse(self.total, currency))?;
        parsed("price", dom::PriceSnapshot::new(components, total))
    }
}
