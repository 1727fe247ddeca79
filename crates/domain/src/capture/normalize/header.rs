//! Builds the typed order header (source, parties, dates, commercial snapshot, relations,
//! migration evidence) from a validated intake.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use super::{Built, at, counter, opt};
use crate::capture::codes::RuleCode;
use crate::capture::intake::CaptureOrder;
use crate::order::{
    CommercialSnapshot, MigrationEvidence, OrderDates, OrderHeader, OrderItem, OrderRelation,
    OrderSource, PartyRoles, QuoteReference, ServiceAddress,
};
use crate::value::{
    AccountId, ApprovalRef, BillingAccountId, ContentHash, CurrencyCode, CustomerId,
    ExternalOrderRef, Money, OrderId, PartyId, PriceListRef, QuoteId, QuoteNumber, ReasonCode,
    SalesChannel, SourceSystem,
};
use crate::vocab::{CaptureMode, ItemAction, OrderIntent, OrderType, PriceKind};

pub(super) fn build_header(
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
