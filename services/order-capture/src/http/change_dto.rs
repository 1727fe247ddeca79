//! Request bodies of the change-order routes (ADR 0008): cancellation and amendment requests
//! and their dry runs. Strict shapes like every body; the typed changes are mapped onto the
//! domain's `AmendmentChange` with a violation per bad field (422), before the domain
//! assesses them.

use chrono::NaiveDate;
use oms_domain::capture::PriceComponentInput;
use oms_domain::change::{AmendmentChange, CancellationScope, CancellationSpec};
use oms_domain::order::{PriceComponent, PriceSnapshot, ProductSnapshot, ServiceAddress};
use oms_domain::value::{
    CurrencyCode, Money, OrderItemId, ProductOfferingId, ProductSpecRef, Quantity,
};
use oms_runtime::http::Violation as FieldViolation;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What a cancellation covers (absent: the whole order).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScopeBody {
    Order,
    Items {
        #[serde(rename = "orderItemIds")]
        order_item_ids: Vec<String>,
    },
}

/// `POST .../cancellation-requests` and `.../cancellation-assessments`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancellationBody {
    /// SCREAMING_SNAKE reason code, e.g. CUSTOMER_CHANGED_MIND.
    pub reason_code: String,
    /// Free text for the audit trail.
    pub reason: Option<String>,
    pub scope: Option<ScopeBody>,
    #[serde(default)]
    pub force_manual_review: bool,
}

impl CancellationBody {
    pub fn spec(&self) -> Result<CancellationSpec, Vec<FieldViolation>> {
        let scope = match &self.scope {
            None | Some(ScopeBody::Order) => CancellationScope::Order,
            Some(ScopeBody::Items { order_item_ids }) => {
                if order_item_ids.is_empty() {
                    return Err(vec![FieldViolation::new(
                        "scope.orderItemIds",
                        "REQUIRED",
                        "name at least one item, or use the ORDER scope",
                    )]);
                }
                let mut ids = Vec::with_capacity(order_item_ids.len());
                let mut violations = Vec::new();
                for (k, raw) in order_item_ids.iter().enumerate() {
                    match OrderItemId::parse(raw) {
                        Ok(id) => ids.push(id),
                        Err(e) => violations.push(FieldViolation::new(
                            format!("scope.orderItemIds[{k}]"),
                            e.code(),
                            e.to_string(),
                        )),
                    }
                }
                if !violations.is_empty() {
                    return Err(violations);
                }
                CancellationScope::Items { item_ids: ids }
            }
        };
        Ok(CancellationSpec {
            scope,
            force_manual_review: self.force_manual_review,
        })
    }
}

/// A new price from CPQ for an item change.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PriceBody {
    pub price_components: Vec<PriceComponentInput>,
    pub item_total: Decimal,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressBody {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub postal_code: String,
    pub country_code: String,
}

/// One change of an amendment request.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(
    tag = "type",
    rename_all = "SCREAMING_SNAKE_CASE",
    rename_all_fields = "camelCase"
)]
pub enum ChangeBody {
    ChangeRequestedDates {
        requested_start_date: Option<NaiveDate>,
        requested_completion_date: Option<NaiveDate>,
    },
    ChangeServiceAddress {
        address: AddressBody,
    },
    ChangeItemConfiguration {
        item_id: String,
        set: BTreeMap<String, String>,
    },
    ChangeItemOffering {
        item_id: String,
        product_offering_id: String,
        product_offering_version: Option<u32>,
        product_offering_name: Option<String>,
        product_spec_ref: Option<String>,
        price: PriceBody,
    },
    ChangeItemQuantity {
        item_id: String,
        quantity: i64,
        price: PriceBody,
    },
    ChangeItemPrice {
        item_id: String,
        price: PriceBody,
    },
}

/// `POST .../amendment-requests` and `.../amendment-assessments`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AmendmentBody {
    pub reason_code: String,
    pub reason: Option<String>,
    pub changes: Vec<ChangeBody>,
}

/// `POST .../cancellation-requests/{id}/approve|reject`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewBody {
    pub reason: String,
}

struct Violations(Vec<FieldViolation>);

impl Violations {
    fn at<T, E: std::fmt::Display>(
        &mut self,
        path: impl Into<String>,
        code: &str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.0.push(FieldViolation::new(path, code, e.to_string()));
                None
            }
        }
    }
}

fn price(
    v: &mut Violations,
    path: &str,
    body: &PriceBody,
    currency: CurrencyCode,
) -> Option<PriceSnapshot> {
    let mut components = Vec::with_capacity(body.price_components.len());
    for (j, c) in body.price_components.iter().enumerate() {
        let amount = v.at(
            format!("{path}.priceComponents[{j}].amount"),
            "AMOUNT_INVALID",
            Money::parse(c.amount, currency),
        )?;
        components.push(PriceComponent {
            kind: c.kind,
            amount,
            recurrence_period: c.recurrence_period.clone(),
            description: c.description.clone(),
        });
    }
    let total = v.at(
        format!("{path}.itemTotal"),
        "AMOUNT_INVALID",
        Money::parse(body.item_total, currency),
    )?;
    v.at(
        format!("{path}.itemTotal"),
        "PRICE_COMPONENTS_MISMATCH",
        PriceSnapshot::new(components, total),
    )
}

impl AmendmentBody {
    /// The typed changes, in the order's `currency`.
    pub fn changes(
        &self,
        currency: CurrencyCode,
    ) -> Result<Vec<AmendmentChange>, Vec<FieldViolation>> {
        let mut v = Violations(Vec::new());
        let mut out = Vec::with_capacity(self.changes.len());
        for (k, change) in self.changes.iter().enumerate() {
            let at = |field: &str| format!("changes[{k}].{field}");
            let item = |v: &mut Violations, raw: &str| {
                v.at(at("itemId"), "INVALID_FORMAT", OrderItemId::parse(raw))
            };
            let typed = match change {
                ChangeBody::ChangeRequestedDates {
                    requested_start_date,
                    requested_completion_date,
                } => Some(AmendmentChange::ChangeRequestedDates {
                    requested_start: *requested_start_date,
                    requested_completion: *requested_completion_date,
                }),
                ChangeBody::ChangeServiceAddress { address } => {
                    let blank = [
                        ("line1", &address.line1),
                        ("city", &address.city),
                        ("postalCode", &address.postal_code),
                        ("countryCode", &address.country_code),
                    ]
                    .into_iter()
                    .find(|(_, value)| value.trim().is_empty());
                    if let Some((field, _)) = blank {
                        v.0.push(FieldViolation::new(
                            at(&format!("address.{field}")),
                            "REQUIRED",
                            "must not be blank",
                        ));
                        None
                    } else {
                        Some(AmendmentChange::ChangeServiceAddress {
                            address: ServiceAddress {
                                line1: address.line1.clone(),
                                line2: address.line2.clone(),
                                city: address.city.clone(),
                                postal_code: address.postal_code.clone(),
                                country_code: address.country_code.clone(),
                            },
                        })
                    }
                }
                ChangeBody::ChangeItemConfiguration { item_id, set } => {
                    item(&mut v, item_id).map(|item_id| AmendmentChange::ChangeItemConfiguration {
                        item_id,
                        set: set.clone(),
                    })
                }
                ChangeBody::ChangeItemOffering {
                    item_id,
                    product_offering_id,
                    product_offering_version,
                    product_offering_name,
                    product_spec_ref,
                    price: p,
                } => {
                    let item_id = item(&mut v, item_id);
                    let offering = v.at(
                        at("productOfferingId"),
                        "INVALID_FORMAT",
                        ProductOfferingId::parse(product_offering_id),
                    );
                    let spec = product_spec_ref.as_ref().map(|s| {
                        v.at(
                            at("productSpecRef"),
                            "INVALID_FORMAT",
                            ProductSpecRef::parse(s),
                        )
                    });
                    let price = price(&mut v, &at("price"), p, currency);
                    match (item_id, offering, price, spec) {
                        (Some(item_id), Some(offering_id), Some(price), None) => {
                            Some((item_id, offering_id, price, None))
                        }
                        (Some(item_id), Some(offering_id), Some(price), Some(Some(spec))) => {
                            Some((item_id, offering_id, price, Some(spec)))
                        }
                        _ => None,
                    }
                    .map(|(item_id, offering_id, price, spec_ref)| {
                        AmendmentChange::ChangeItemOffering {
                            item_id,
                            product: ProductSnapshot {
                                offering_id,
                                offering_version: *product_offering_version,
                                offering_name: product_offering_name.clone(),
                                spec_ref,
                            },
                            price,
                        }
                    })
                }
                ChangeBody::ChangeItemQuantity {
                    item_id,
                    quantity,
                    price: p,
                } => {
                    let item_id = item(&mut v, item_id);
                    let quantity = v.at(
                        at("quantity"),
                        "QUANTITY_INVALID",
                        Quantity::parse(*quantity),
                    );
                    let price = price(&mut v, &at("price"), p, currency);
                    match (item_id, quantity, price) {
                        (Some(item_id), Some(quantity), Some(price)) => {
                            Some(AmendmentChange::ChangeItemQuantity {
                                item_id,
                                quantity,
                                price,
                            })
                        }
                        _ => None,
                    }
                }
                ChangeBody::ChangeItemPrice { item_id, price: p } => {
                    let item_id = item(&mut v, item_id);
                    let price = price(&mut v, &at("price"), p, currency);
                    match (item_id, price) {
                        (Some(item_id), Some(price)) => {
                            Some(AmendmentChange::ChangeItemPrice { item_id, price })
                        }
                        _ => None,
                    }
                }
            };
            if let Some(typed) = typed {
                out.push(typed);
            }
        }
        if v.0.is_empty() { Ok(out) } else { Err(v.0) }
    }
}
