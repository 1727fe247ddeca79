//! Amendment changes (004 §5-6, §14): each requested change is a typed domain command with
//! a class, the items it targets and the item inputs it alters — never a JSON patch applied
//! to the aggregate. [`apply_changes`] computes the order content after the changes (and its
//! totals); whether the changes are *allowed* is the safety matrix's question (`safety`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::report::codes;
use crate::error::{DomainError, ValueError};
use crate::order::{
    ConfigurationSnapshot, OrderContent, PriceSnapshot, ProductSnapshot, ServiceAddress,
};
use crate::value::{CurrencyCode, Money, OrderItemId, Quantity};
use crate::vocab::{ItemInput, PriceKind};

/// One requested change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "SCREAMING_SNAKE_CASE",
    rename_all_fields = "camelCase"
)]
pub enum AmendmentChange {
    /// New requested start and/or completion dates (`None` keeps the current one).
    ChangeRequestedDates {
        requested_start: Option<NaiveDate>,
        requested_completion: Option<NaiveDate>,
    },
    /// The installation / service address of the order.
    ChangeServiceAddress { address: ServiceAddress },
    /// Characteristic values of an item to set (others are kept).
    ChangeItemConfiguration {
        item_id: OrderItemId,
        set: BTreeMap<String, String>,
    },
    /// Another offering for the item (e.g. another speed profile), with CPQ's new price.
    ChangeItemOffering {
        item_id: OrderItemId,
        product: ProductSnapshot,
        price: PriceSnapshot,
    },
    ChangeItemQuantity {
        item_id: OrderItemId,
        quantity: Quantity,
        price: PriceSnapshot,
    },
    /// A price change alone; the accepted price is the quote's, so this is refused once the
    /// order is accepted (re-quote in CPQ instead).
    ChangeItemPrice {
        item_id: OrderItemId,
        price: PriceSnapshot,
    },
}

/// The kind of a change: the row of the safety matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChangeKind {
    RequestedDates,
    ServiceAddress,
    ItemConfiguration,
    ItemOffering,
    ItemQuantity,
    ItemPrice,
}

impl ChangeKind {
    pub const ALL: [Self; 6] = [
        Self::RequestedDates,
        Self::ServiceAddress,
        Self::ItemConfiguration,
        Self::ItemOffering,
        Self::ItemQuantity,
        Self::ItemPrice,
    ];

    /// 004 §6.
    pub const fn class(self) -> ChangeClass {
        match self {
            Self::RequestedDates => ChangeClass::Scheduling,
            Self::ServiceAddress => ChangeClass::FulfillmentRouting,
            Self::ItemConfiguration => ChangeClass::Technical,
            Self::ItemOffering | Self::ItemQuantity | Self::ItemPrice => ChangeClass::Commercial,
        }
    }

    /// The item inputs the change alters (tasks using them are replaced by a re-plan).
    pub const fn inputs(self) -> &'static [ItemInput] {
        match self {
            Self::RequestedDates | Self::ItemPrice => &[],
            Self::ServiceAddress => &[ItemInput::ServiceLocation],
            Self::ItemConfiguration => &[ItemInput::Configuration],
            Self::ItemOffering => &[ItemInput::Offering],
            Self::ItemQuantity => &[ItemInput::Quantity],
        }
    }
}

/// 004 §6: how risky a kind of change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChangeClass {
    Administrative,
    Scheduling,
    FulfillmentRouting,
    Commercial,
    Contractual,
    Technical,
}

impl AmendmentChange {
    pub fn kind(&self) -> ChangeKind {
        match self {
            Self::ChangeRequestedDates { .. } => ChangeKind::RequestedDates,
            Self::ChangeServiceAddress { .. } => ChangeKind::ServiceAddress,
            Self::ChangeItemConfiguration { .. } => ChangeKind::ItemConfiguration,
            Self::ChangeItemOffering { .. } => ChangeKind::ItemOffering,
            Self::ChangeItemQuantity { .. } => ChangeKind::ItemQuantity,
            Self::ChangeItemPrice { .. } => ChangeKind::ItemPrice,
        }
    }

    /// The item an item-level change targets; `None` for order-level changes.
    pub fn item_id(&self) -> Option<OrderItemId> {
        match self {
            Self::ChangeItemConfiguration { item_id, .. }
            | Self::ChangeItemOffering { item_id, .. }
            | Self::ChangeItemQuantity { item_id, .. }
            | Self::ChangeItemPrice { item_id, .. } => Some(*item_id),
            Self::ChangeRequestedDates { .. } | Self::ChangeServiceAddress { .. } => None,
        }
    }

    /// A new price comes with the change (it must be repriced).
    pub fn reprices(&self) -> bool {
        matches!(
            self,
            Self::ChangeItemOffering { .. }
                | Self::ChangeItemQuantity { .. }
                | Self::ChangeItemPrice { .. }
        )
    }

    /// `(path, before, after)` of the change on `content`, for the audit trail.
    pub fn describe(&self, content: &OrderContent) -> (String, String, String) {
        let item = |id: &OrderItemId| content.items.iter().find(|i| i.id == *id);
        match self {
            Self::ChangeRequestedDates {
                requested_start,
                requested_completion,
            } => (
                "/dates".into(),
                format!(
                    "start {:?}, completion {:?}",
                    content.header.dates.requested_start, content.header.dates.requested_completion
                ),
                format!("start {requested_start:?}, completion {requested_completion:?}"),
            ),
            Self::ChangeServiceAddress { address } => (
                "/parties/serviceLocation".into(),
                content
                    .header
                    .parties
                    .service_location
                    .as_ref()
                    .map_or_else(|| "none".into(), address_line),
                address_line(address),
            ),
            Self::ChangeItemConfiguration { item_id, set } => (
                format!("/items/{item_id}/configuration"),
                item(item_id)
                    .map_or_else(String::new, |i| format!("{:?}", i.configuration.values())),
                format!("set {set:?}"),
            ),
            Self::ChangeItemOffering {
                item_id,
                product,
                price,
            } => (
                format!("/items/{item_id}/product"),
                item(item_id).map_or_else(String::new, |i| {
                    format!("{} at {}", i.product.offering_id.as_str(), i.price.total())
                }),
                format!("{} at {}", product.offering_id.as_str(), price.total()),
            ),
            Self::ChangeItemQuantity {
                item_id,
                quantity,
                price,
            } => (
                format!("/items/{item_id}/quantity"),
                item(item_id).map_or_else(String::new, |i| {
                    format!("{} at {}", i.quantity, i.price.total())
                }),
                format!("{quantity} at {}", price.total()),
            ),
            Self::ChangeItemPrice { item_id, price } => (
                format!("/items/{item_id}/price"),
                item(item_id).map_or_else(String::new, |i| i.price.total().to_string()),
                price.total().to_string(),
            ),
        }
    }
}

fn address_line(a: &ServiceAddress) -> String {
    format!(
        "{}, {} {}, {}",
        a.line1, a.postal_code, a.city, a.country_code
    )
}

fn invalid(index: usize, detail: impl Into<String>) -> DomainError {
    DomainError::AmendmentInvalid {
        code: codes::AMENDMENT_INVALID,
        detail: format!("changes[{index}]: {}", detail.into()),
    }
}

/// Checks the changes are well-formed for `content` (items exist, something changes, prices
/// in the order's currency, one change per field).
pub fn check_changes(
    content: &OrderContent,
    changes: &[AmendmentChange],
) -> Result<(), DomainError> {
    if changes.is_empty() {
        return Err(DomainError::AmendmentInvalid {
            code: codes::AMENDMENT_NO_CHANGE,
            detail: "an amendment names at least one change".into(),
        });
    }
    let currency = content.header.commercial.currency;
    let mut seen: Vec<(ChangeKind, Option<OrderItemId>)> = Vec::new();
    for (k, change) in changes.iter().enumerate() {
        let key = (change.kind(), change.item_id());
        if seen.contains(&key) {
            return Err(invalid(k, "the same field is changed twice"));
        }
        seen.push(key);
        if let Some(id) = change.item_id() {
            let Some(item) = content.items.iter().find(|i| i.id == id) else {
                return Err(DomainError::ItemNotFound { item_id: id });
            };
            match change {
                AmendmentChange::ChangeItemOffering { product, .. }
                    if product.offering_id == item.product.offering_id
                        && product.offering_version == item.product.offering_version =>
                {
                    return Err(invalid(k, "the item already has this offering"));
                }
                AmendmentChange::ChangeItemQuantity { quantity, .. }
                    if *quantity == item.quantity =>
                {
                    return Err(invalid(k, "the item already has this quantity"));
                }
                AmendmentChange::ChangeItemConfiguration { set, .. } => {
                    if set.is_empty() || set.keys().any(|key| key.trim().is_empty()) {
                        return Err(invalid(k, "name at least one characteristic, none blank"));
                    }
                    if set
                        .iter()
                        .all(|(key, v)| item.configuration.values().get(key) == Some(v))
                    {
                        return Err(invalid(k, "the item already has these values"));
                    }
                }
                _ => {}
            }
        }
        let price = match change {
            AmendmentChange::ChangeItemOffering { price, .. }
            | AmendmentChange::ChangeItemQuantity { price, .. }
            | AmendmentChange::ChangeItemPrice { price, .. } => Some(price),
            _ => None,
        };
        if let Some(price) = price
            && price.total().currency() != currency
        {
            return Err(invalid(
                k,
                format!("the price must be in the order's currency {currency}"),
            ));
        }
        if let AmendmentChange::ChangeRequestedDates {
            requested_start,
            requested_completion,
        } = change
        {
            if requested_start.is_none() && requested_completion.is_none() {
                return Err(invalid(k, "name a new start or completion date"));
            }
            let start = requested_start.or(content.header.dates.requested_start);
            let end = requested_completion.or(content.header.dates.requested_completion);
            if let (Some(s), Some(e)) = (start, end)
                && e < s
            {
                return Err(invalid(k, "the completion date is before the start date"));
            }
        }
    }
    Ok(())
}

/// The content after `changes` (checked first), with the order totals recomputed.
pub fn apply_changes(
    content: &OrderContent,
    changes: &[AmendmentChange],
) -> Result<OrderContent, DomainError> {
    check_changes(content, changes)?;
    let mut after = content.clone();
    for change in changes {
        match change {
            AmendmentChange::ChangeRequestedDates {
                requested_start,
                requested_completion,
            } => {
                let dates = &mut after.header.dates;
                if requested_start.is_some() {
                    dates.requested_start = *requested_start;
                }
                if requested_completion.is_some() {
                    dates.requested_completion = *requested_completion;
                }
            }
            AmendmentChange::ChangeServiceAddress { address } => {
                after.header.parties.service_location = Some(address.clone());
            }
            AmendmentChange::ChangeItemConfiguration { item_id, set } => {
                let item = item_mut(&mut after, *item_id)?;
                let mut values = item.configuration.values().clone();
                values.extend(set.clone());
                item.configuration = ConfigurationSnapshot::new(values)?;
            }
            AmendmentChange::ChangeItemOffering {
                item_id,
                product,
                price,
            } => {
                let item = item_mut(&mut after, *item_id)?;
                item.product = product.clone();
                item.price = price.clone();
            }
            AmendmentChange::ChangeItemQuantity {
                item_id,
                quantity,
                price,
            } => {
                let item = item_mut(&mut after, *item_id)?;
                item.quantity = *quantity;
                item.price = price.clone();
            }
            AmendmentChange::ChangeItemPrice { item_id, price } => {
                item_mut(&mut after, *item_id)?.price = price.clone();
            }
        }
    }
    let (total, by_kind) = totals(&after, after.header.commercial.currency)?;
    after.header.commercial.order_total = total;
    after.header.commercial.totals_by_kind = by_kind;
    Ok(after)
}

fn item_mut(
    content: &mut OrderContent,
    id: OrderItemId,
) -> Result<&mut crate::order::OrderItem, DomainError> {
    content
        .items
        .iter_mut()
        .find(|i| i.id == id)
        .ok_or(DomainError::ItemNotFound { item_id: id })
}

/// Order total and totals per component kind, from the items (003 §9.4).
pub fn totals(
    content: &OrderContent,
    currency: CurrencyCode,
) -> Result<(Money, BTreeMap<PriceKind, Money>), ValueError> {
    let total = Money::sum(currency, content.items.iter().map(|i| i.price.total()))?;
    let mut by_kind: BTreeMap<PriceKind, Money> = BTreeMap::new();
    for c in content.items.iter().flat_map(|i| i.price.components()) {
        let sum = by_kind
            .get(&c.kind)
            .copied()
            .unwrap_or(Money::zero(currency));
        by_kind.insert(c.kind, sum.checked_add(c.amount)?);
    }
    Ok((total, by_kind))
}
