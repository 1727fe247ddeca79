//! Builds one typed order item (snapshots, hierarchy and dependency links) from a
//! validated intake line.

use rust_decimal::Decimal;

use super::{Built, at, counter, opt};
use crate::capture::codes::RuleCode;
use crate::capture::intake::CaptureItem;
use crate::lifecycle::{FulfillmentState, ItemState};
use crate::order::{
    ConfigurationSnapshot, ItemDependency, OrderItem, PriceComponent, PriceSnapshot,
    ProductSnapshot,
};
use crate::value::{
    AssetId, ClientItemRef, CurrencyCode, LineNumber, Money, OrderItemId, ProductOfferingId,
    ProductSpecRef, Quantity,
};
use crate::vocab::ItemAction;

pub(super) fn build_item(
    i: usize,
    raw: &CaptureItem,
    id: OrderItemId,
    currency: CurrencyCode,
    id_of: &dyn Fn(&str) -> Option<OrderItemId>,
) -> Built<OrderItem> {
    let p = |field: &str| format!("items[{i}].{field}");
    let money = |path: String, amount: Decimal| {
        at(
            RuleCode::AmountPrecisionExceeded,
            &path,
            Money::parse(amount, currency),
        )
    };
    let mut components = Vec::with_capacity(raw.price_components.len());
    for (j, c) in raw.price_components.iter().enumerate() {
        components.push(PriceComponent {
            kind: c.kind,
            amount: money(p(&format!("priceComponents[{j}].amount")), c.amount)?,
            recurrence_period: c.recurrence_period.clone(),
            description: c.description.clone(),
        });
    }
    let total = match raw.item_total {
        Some(total) => money(p("itemTotal"), total)?,
        None => at(
            RuleCode::AmountPrecisionExceeded,
            &p("itemTotal"),
            Money::sum(currency, components.iter().map(|c| c.amount)),
        )?,
    };
    let parent_id = match raw.parent_ref.as_deref() {
        Some(parent) => Some(
            id_of(parent).ok_or_else(|| RuleCode::ParentItemNotFound.at(p("parentRef"), parent))?,
        ),
        None => None,
    };
    let mut dependencies = Vec::with_capacity(raw.depends_on.len());
    for (j, dep) in raw.depends_on.iter().enumerate() {
        let depends_on = id_of(&dep.client_item_ref).ok_or_else(|| {
            RuleCode::DependencyTargetNotFound.at(
                p(&format!("dependsOn[{j}].clientItemRef")),
                dep.client_item_ref.clone(),
            )
        })?;
        dependencies.push(ItemDependency {
            depends_on,
            dependency_type: dep.dependency_type,
        });
    }
    Ok(OrderItem {
        id,
        client_item_ref: at(
            RuleCode::FieldRequired,
            &p("clientItemRef"),
            ClientItemRef::parse(&raw.client_item_ref),
        )?,
        line_number: at(
            RuleCode::LineNumberInvalid,
            &p("lineNumber"),
            LineNumber::parse(raw.line_number),
        )?,
        parent_id,
        action: raw.action,
        quantity: at(
            RuleCode::QuantityInvalid,
            &p("quantity"),
            Quantity::parse(raw.quantity),
        )?,
        product: ProductSnapshot {
            offering_id: at(
                RuleCode::FieldRequired,
                &p("productOfferingId"),
                ProductOfferingId::parse(&raw.product_offering_id),
            )?,
            offering_version: raw
                .product_offering_version
                .map(|v| {
                    counter(
                        &p("productOfferingVersion"),
                        v,
                        RuleCode::ProductOfferingVersionInvalid,
                    )
                })
                .transpose()?,
            offering_name: raw.product_offering_name.clone(),
            spec_ref: opt(
                &p("productSpecRef"),
                raw.product_spec_ref.as_deref(),
                ProductSpecRef::parse,
            )?,
        },
        // ADD never keeps a target: validation refuses one, and ignoring is the safe default.
        target_asset_id: if raw.action == ItemAction::Add {
            None
        } else {
            opt(
                &p("targetAssetId"),
                raw.target_asset_id.as_deref(),
                AssetId::parse,
            )?
        },
        actual_asset_id: None,
        configuration: at(
            RuleCode::ConfigurationKeyBlank,
            &p("configuration"),
            ConfigurationSnapshot::new(raw.configuration.clone()),
        )?,
        price: at(
            RuleCode::PriceComponentsMismatch,
            &p("itemTotal"),
            PriceSnapshot::new(components, total),
        )?,
        state: ItemState::Pending,
        fulfillment_state: FulfillmentState::NotStarted,
        dependencies,
        asset_effect: None,
        activation_date: None,
    })
}
