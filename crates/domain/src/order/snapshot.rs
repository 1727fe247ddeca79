//! Snapshots frozen at capture as evidence (DOMAIN §1: "if a later change elsewhere could
//! alter what was ordered, snapshot it").
//!
//! Invariants kept by construction (and re-checked on deserialisation):
//! - a configuration snapshot's hash is the SHA-256 of its canonical form;
//! - a price snapshot's components are all in the total's currency and sum to the total.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

use crate::error::ValueError;
use crate::value::{ContentHash, Money, ProductOfferingId, ProductSpecRef};
use crate::vocab::PriceKind;

/// What was sold, as the catalog described it at capture time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductSnapshot {
    pub offering_id: ProductOfferingId,
    pub offering_version: Option<u32>,
    pub offering_name: Option<String>,
    pub spec_ref: Option<ProductSpecRef>,
}

/// Chosen characteristic values (e.g. `bandwidth=1Gbps`) and our hash of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "ConfigurationRepr")]
pub struct ConfigurationSnapshot {
    values: BTreeMap<String, String>,
    hash: ContentHash,
}

#[derive(Deserialize)]
struct ConfigurationRepr {
    values: BTreeMap<String, String>,
    hash: ContentHash,
}

impl TryFrom<ConfigurationRepr> for ConfigurationSnapshot {
    type Error = ValueError;
    fn try_from(r: ConfigurationRepr) -> Result<Self, Self::Error> {
        let snapshot = Self::new(r.values)?;
        if snapshot.hash != r.hash {
            return Err(ValueError::Format {
                field: "configuration.hash",
                detail: "hash does not match the values".into(),
            });
        }
        Ok(snapshot)
    }
}

impl ConfigurationSnapshot {
    /// Freezes the values; keys must not be blank.
    pub fn new(values: BTreeMap<String, String>) -> Result<Self, ValueError> {
        if values.keys().any(|k| k.trim().is_empty()) {
            return Err(ValueError::Blank {
                field: "configuration key",
            });
        }
        let hash = ContentHash::parse(&Self::hash_of(&values))?;
        Ok(Self { values, hash })
    }

    /// SHA-256 (hex) over `len(key):key=len(value):value\n` lines in key order; the length
    /// prefixes make the encoding unambiguous whatever characters the values contain.
    pub fn hash_of(values: &BTreeMap<String, String>) -> String {
        let mut hasher = Sha256::new();
        for (k, v) in values {
            hasher.update(format!("{}:{k}={}:{v}\n", k.len(), v.len()));
        }
        hex::encode(hasher.finalize())
    }

    pub fn values(&self) -> &BTreeMap<String, String> {
        &self.values
    }

    pub fn hash(&self) -> &ContentHash {
        &self.hash
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceComponent {
    pub kind: PriceKind,
    /// Negative for discounts.
    pub amount: Money,
    /// e.g. `MONTHLY` for RECURRING components.
    pub recurrence_period: Option<String>,
    pub description: String,
}

/// The accepted price of one item: its components and their total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "PriceRepr")]
pub struct PriceSnapshot {
    components: Vec<PriceComponent>,
    total: Money,
}

#[derive(Deserialize)]
struct PriceRepr {
    components: Vec<PriceComponent>,
    total: Money,
}

impl TryFrom<PriceRepr> for PriceSnapshot {
    type Error = ValueError;
    fn try_from(r: PriceRepr) -> Result<Self, Self::Error> {
        Self::new(r.components, r.total)
    }
}

impl PriceSnapshot {
    /// Refuses components in another currency and components that do not sum to `total`.
    pub fn new(components: Vec<PriceComponent>, total: Money) -> Result<Self, ValueError> {
        let sum = Money::sum(total.currency(), components.iter().map(|c| c.amount))?;
        if sum.amount() != total.amount() {
            return Err(ValueError::Format {
                field: "price.total",
                detail: format!("components sum to {sum}, total is {total}"),
            });
        }
        Ok(Self { components, total })
    }

    pub fn components(&self) -> &[PriceComponent] {
        &self.components
    }

    pub fn total(&self) -> Money {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::CurrencyCode;
    use rust_decimal_macros::dec;

    fn money(a: rust_decimal::Decimal) -> Money {
        Money::parse(a, CurrencyCode::parse("IDR").unwrap()).unwrap()
    }

    fn component(kind: PriceKind, a: rust_decimal::Decimal) -> PriceComponent {
        PriceComponent {
            kind,
            amount: money(a),
            recurrence_period: None,
            description: "x".into(),
        }
    }

    #[test]
    fn price_components_must_sum_to_the_total() {
        let parts = vec![
            component(PriceKind::Recurring, dec!(100)),
            component(PriceKind::Discount, dec!(-10)),
        ];
        assert!(PriceSnapshot::new(parts.clone(), money(dec!(90))).is_ok());
        assert!(PriceSnapshot::new(parts, money(dec!(100))).is_err());
        let usd = Money::parse(dec!(90), CurrencyCode::parse("USD").unwrap()).unwrap();
        let e = PriceSnapshot::new(vec![component(PriceKind::Fee, dec!(90))], usd).unwrap_err();
        assert_eq!(e.code(), "CURRENCY_MISMATCH");
    }

    #[test]
    fn configuration_hash_is_stable_and_checked_on_load() {
        let values = BTreeMap::from([("bandwidth".to_owned(), "1Gbps".to_owned())]);
        let a = ConfigurationSnapshot::new(values.clone()).unwrap();
        assert_eq!(a, ConfigurationSnapshot::new(values).unwrap());
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            serde_json::from_str::<ConfigurationSnapshot>(&json).unwrap(),
            a
        );
        let tampered = json.replace("1Gbps", "10Gbps");
        assert!(serde_json::from_str::<ConfigurationSnapshot>(&tampered).is_err());
        // "a=b" + "" must not collide with "a" + "=b".
        let x = BTreeMap::from([("a=b".to_owned(), String::new())]);
        let y = BTreeMap::from([("a".to_owned(), "=b".to_owned())]);
        assert_ne!(
            ConfigurationSnapshot::hash_of(&x),
            ConfigurationSnapshot::hash_of(&y)
        );
        assert!(
            ConfigurationSnapshot::new(BTreeMap::from([(" ".to_owned(), "v".to_owned())])).is_err()
        );
    }
}
