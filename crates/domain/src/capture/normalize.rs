//! Turns a validated intake into the typed order content (header + items).
//!
//! Runs only after the profile reported no errors, so every parse here is expected to
//! succeed; if one does not (a rule gap), the failure comes back as a violation and the
//! order is rejected instead of panicking. Item ids are the caller-allocated ids, aligned
//! with the intake's items by position.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

use super::codes::RuleCode;
use super::intake::{CaptureItem, CaptureOrder};
use super::violation::Violation;
use crate::error::ValueError;
use crate::lifecycle::{FulfillmentState, ItemState};
use crate::order::{
    CommercialSnapshot, ConfigurationSnapshot, ItemDependency, MigrationEvidence, OrderContent,
    OrderDates, OrderHeader, OrderItem, OrderRelation, OrderSource, PartyRoles, PriceComponent,
    PriceSnapshot, ProductSnapshot, QuoteReference, ServiceAddress,
};
use crate::value::{
    AccountId, ApprovalRef, AssetId, BillingAccountId, ClientItemRef, ContentHash, CurrencyCode,
    CustomerId, ExternalOrderRef, LineNumber, Money, OrderId, OrderItemId, PartyId, PriceListRef,
    ProductOfferingId, ProductSpecRef, Quantity, QuoteId, QuoteNumber, ReasonCode, SalesChannel,
    SourceSystem,
};
use crate::vocab::{CaptureMode, ItemAction, OrderIntent, OrderType, PriceKind};

type Built<T> = Result<T, Violation>;

/// Attaches a path and code to a value error.
fn at<T>(code: RuleCode, path: &str, r: Result<T, ValueError>) -> Built<T> {
    r.map_err(|e| code.at(path, e.to_string()))
}

fn opt<T>(
    path: &str,
    raw: Option<&str>,
    parse: fn(&str) -> Result<T, ValueError>,
) -> Built<Option<T>> {
    raw.map(|v| at(RuleCode::ReferenceInvalid, path, parse(v)))
        .transpose()
}

fn counter(path: &str, raw: i64, code: RuleCode) -> Built<u32> {
    u32::try_from(raw)
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| code.at(path, format!("{raw} is not positive")))
}

pub(crate) fn normalize(
    intake: &CaptureOrder,
    item_ids: &[OrderItemId],
    captured_at: DateTime<Utc>,
    accepted_at: DateTime<Utc>,
) -> Result<OrderContent, Vec<Violation>> {
    build(intake, item_ids, captured_at, accepted_at).map_err(|v| vec![v])
}

fn build(
    intake: &CaptureOrder,
    item_ids: &[OrderItemId],
    captured_at: DateTime<Utc>,
    accepted_at: DateTime<Utc>,
) -> Built<OrderContent> {
    let currency = at(
        RuleCode::InvalidCurrency,
        "currency",
        CurrencyCode::parse(&intake.currency),
    )?;
    let id_of = |client_ref: &str| -> Option<OrderItemId> {
        let idx = intake
            .items
            .iter()
            .position(|i| i.client_item_ref == client_ref)?;
        item_ids.get(idx).copied()
    };
    let mut items = Vec::with_capacity(intake.items.len());
    for (i, (raw, id)) in intake.items.iter().zip(item_ids).enumerate() {
        items.push(build_item(i, raw, *id, currency, &id_of)?);
    }
    let header = build_header(intake, &items, currency, captured_at, accepted_at)?;
    Ok(OrderContent { header, items })
}

fn build_item(
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

fn build_header(
    intake: &CaptureOrder,
    items: &[OrderItem],
    currency: CurrencyCode,
    captured_at: DateTime<Utc>,
    accepted_at: DateTime<Utc>,
) -> Built<OrderHeader> {
    let actions: Vec<ItemAction> = items.iter().map(|i| i.action).collect();
    let quote = intake.quote.as_ref();
    let order_total = at(
        RuleCode::AmountPrecisionExceeded,
        "orderTotal",
        Money::sum(currency, items.iter().map(|i| i.price.total())),
    )?;
    let mut totals_by_kind: BTreeMap<PriceKind, Money> = BTreeMap::new();
    for c in items.iter().flat_map(|i| i.price.components()) {
        let sum = totals_by_kind
            .get(&c.kind)
            .copied()
            .unwrap_or(Money::zero(currency));
        totals_by_kind.insert(
            c.kind,
            at(
                RuleCode::AmountPrecisionExceeded,
                "orderTotal",
                sum.checked_add(c.amount),
            )?,
        );
    }
    let mut relations = Vec::with_capacity(intake.relations.len());
    for (k, r) in intake.relations.iter().enumerate() {
        let related_order_id = at(
            RuleCode::RelatedOrderInvalid,
            &format!("relations[{k}].orderId"),
            OrderId::parse(&r.order_id),
        )?;
        relations.push(OrderRelation {
            relation_type: r.relation_type,
            related_order_id,
        });
    }
    let quote_ref = match quote {
        Some(q) => Some(QuoteReference {
            quote_id: at(
                RuleCode::FieldRequired,
                "quote.quoteId",
                QuoteId::parse(&q.quote_id),
            )?,
            revision: counter("quote.revision", q.revision, RuleCode::QuoteRevisionInvalid)?,
            quote_number: opt(
                "quote.quoteNumber",
                q.quote_number.as_deref(),
                QuoteNumber::parse,
            )?,
            accepted_at: q.accepted_at,
            accepted_by: q.accepted_by.clone(),
            valid_until: q.valid_until,
        }),
        None => None,
    };
    let migration = match (&intake.migration, intake.capture_mode) {
        (Some(m), CaptureMode::AdminMigration) => Some(MigrationEvidence {
            reason_code: at(
                RuleCode::MigrationEvidenceRequired,
                "migration",
                ReasonCode::parse(&m.reason_code),
            )?,
            evidence_ref: m.evidence_ref.clone(),
            allow_past_dates: m.allow_past_dates,
        }),
        _ => None,
    };
    let c = &intake.customer;
    Ok(OrderHeader {
        order_type: intake
            .order_type
            .unwrap_or(OrderType::derive_from_actions(&actions)),
        order_intent: intake
            .order_intent
            .unwrap_or(OrderIntent::default_for(intake.capture_mode)),
        source: OrderSource {
            system: at(
                RuleCode::FieldRequired,
                "sourceSystem",
                SourceSystem::parse(&intake.source_system),
            )?,
            channel: at(
                RuleCode::FieldRequired,
                "salesChannel",
                SalesChannel::parse(&intake.sales_channel),
            )?,
            external_order_ref: opt(
                "externalOrderRef",
                intake.external_order_ref.as_deref(),
                ExternalOrderRef::parse,
            )?,
            quote: quote_ref,
        },
        parties: PartyRoles {
            customer_id: at(
                RuleCode::FieldRequired,
                "customer.customerId",
                CustomerId::parse(&c.customer_id),
            )?,
            account_id: at(
                RuleCode::FieldRequired,
                "customer.accountId",
                AccountId::parse(&c.account_id),
            )?,
            billing_account_id: at(
                RuleCode::FieldRequired,
                "customer.billingAccountId",
                BillingAccountId::parse(&c.billing_account_id),
            )?,
            payer_id: opt("customer.payerId", c.payer_id.as_deref(), PartyId::parse)?,
            customer_display_name: c.display_name.clone(),
            service_location: intake.service_address.as_ref().map(|a| ServiceAddress {
                line1: a.line1.clone(),
                line2: a.line2.clone(),
                city: a.city.clone(),
                postal_code: a.postal_code.clone(),
                country_code: a.country_code.clone(),
            }),
        },
        dates: OrderDates {
            submitted_at: quote.map_or(captured_at, |q| q.accepted_at),
            accepted_at,
            requested_start: intake.requested_start_date,
            requested_completion: intake.requested_completion_date,
            committed_completion: None,
        },
        commercial: CommercialSnapshot {
            currency,
            price_list_ref: opt(
                "priceListRef",
                intake.price_list_ref.as_deref(),
                PriceListRef::parse,
            )?,
            term_months: intake
                .contract_term_months
                .map(|t| counter("contractTermMonths", t, RuleCode::ContractTermInvalid))
                .transpose()?,
            order_total,
            totals_by_kind,
            configuration_hash: opt(
                "quote.configurationHash",
                quote.map(|q| q.configuration_hash.as_str()),
                ContentHash::parse,
            )?,
            price_hash: opt(
                "quote.priceHash",
                quote.map(|q| q.price_hash.as_str()),
                ContentHash::parse,
            )?,
            approval_ref: opt(
                "quote.approvalRef",
                quote.and_then(|q| q.approval_ref.as_deref()),
                ApprovalRef::parse,
            )?,
        },
        relations,
        migration,
    })
}
