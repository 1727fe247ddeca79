//! `OrderContent` <-> domain `OrderContent`. Back to the domain every value goes through its
//! `parse` again, and the snapshots re-check their invariants (configuration hash, price
//! components summing to the total).

use oms_domain::ValueError;
use oms_domain::order as dom;
use oms_domain::value::{
    AccountId, ApprovalRef, AssetId, BillingAccountId, ClientItemRef, ContentHash, CurrencyCode,
    CustomerId, ExternalOrderRef, LineNumber, Money, OrderId, OrderItemId, PartyId, PriceListRef,
    Quantity, QuoteId, QuoteNumber, ReasonCode, SalesChannel, SourceSystem,
};
use std::collections::BTreeMap;

use super::content::{
    CommercialSnapshot, Configuration, ItemDependency, KindTotal, MigrationEvidence, OrderContent,
    OrderDates, OrderHeader, OrderItem, OrderRelation, OrderSource, PartyRoles, QuoteReference,
};
use crate::common::{PriceSnapshot, ProductRef, ServiceAddress};
use crate::error::{MappingError, count, count_opt, id, id_opt, parsed, parsed_opt};

impl From<&dom::OrderContent> for OrderContent {
    fn from(c: &dom::OrderContent) -> Self {
        let h = &c.header;
        let p = &h.parties;
        let m = &h.commercial;
        Self {
            header: OrderHeader {
                order_type: h.order_type.into(),
                order_intent: h.order_intent.into(),
                source: OrderSource {
                    system: h.source.system.as_str().to_owned(),
                    channel: h.source.channel.as_str().to_owned(),
                    external_order_ref: h
                        .source
                        .external_order_ref
                        .as_ref()
                        .map(|r| r.as_str().to_owned()),
                    quote: h.source.quote.as_ref().map(|q| QuoteReference {
                        quote_id: q.quote_id.as_str().to_owned(),
                        revision: i64::from(q.revision),
                        quote_number: q.quote_number.as_ref().map(|n| n.as_str().to_owned()),
                        accepted_at: q.accepted_at,
                        accepted_by: q.accepted_by.clone(),
                        valid_until: q.valid_until,
                    }),
                },
                parties: PartyRoles {
                    customer_id: p.customer_id.as_str().to_owned(),
                    account_id: p.account_id.as_str().to_owned(),
                    billing_account_id: p.billing_account_id.as_str().to_owned(),
                    payer_id: p.payer_id.as_ref().map(|v| v.as_str().to_owned()),
                    service_location: p.service_location.as_ref().map(ServiceAddress::from),
                },
                dates: OrderDates {
                    submitted_at: h.dates.submitted_at,
                    accepted_at: h.dates.accepted_at,
                    requested_start: h.dates.requested_start,
                    requested_completion: h.dates.requested_completion,
                    committed_completion: h.dates.committed_completion,
                },
                commercial: CommercialSnapshot {
                    currency: m.currency.as_str().to_owned(),
                    price_list_ref: m.price_list_ref.as_ref().map(|v| v.as_str().to_owned()),
                    term_months: m.term_months.map(i64::from),
                    order_total: m.order_total.amount(),
                    totals_by_kind: m
                        .totals_by_kind
                        .iter()
                        .map(|(kind, total)| KindTotal {
                            kind: (*kind).into(),
                            amount: total.amount(),
                        })
                        .collect(),
                    configuration_hash: m
                        .configuration_hash
                        .as_ref()
                        .map(|v| v.as_str().to_owned()),
                    price_hash: m.price_hash.as_ref().map(|v| v.as_str().to_owned()),
                    approval_ref: m.approval_ref.as_ref().map(|v| v.as_str().to_owned()),
                },
                relations: h
                    .relations
                    .iter()
                    .map(|r| OrderRelation {
                        relation_type: r.relation_type.into(),
                        related_order_id: r.related_order_id.as_uuid(),
                    })
                    .collect(),
                migration: h.migration.as_ref().map(|e| MigrationEvidence {
                    reason_code: e.reason_code.as_str().to_owned(),
                    evidence_ref: e.evidence_ref.clone(),
                    allow_past_dates: e.allow_past_dates,
                }),
            },
            items: c.items.iter().map(item_to_contract).collect(),
        }
    }
}

fn item_to_contract(i: &dom::OrderItem) -> OrderItem {
    OrderItem {
        id: i.id.as_uuid(),
        client_item_ref: i.client_item_ref.as_str().to_owned(),
        line_number: i64::from(i.line_number),
        parent_id: i.parent_id.map(|p| p.as_uuid()),
        action: i.action.into(),
        quantity: i64::from(i.quantity),
        product: ProductRef::from(&i.product),
        target_asset_id: i.target_asset_id.as_ref().map(|a| a.as_str().to_owned()),
        actual_asset_id: i.actual_asset_id.as_ref().map(|a| a.as_str().to_owned()),
        configuration: Configuration {
            values: i.configuration.values().clone(),
            hash: i.configuration.hash().as_str().to_owned(),
        },
        price: PriceSnapshot::from(&i.price),
        state: i.state.into(),
        fulfillment_state: i.fulfillment_state.into(),
        dependencies: i
            .dependencies
            .iter()
            .map(|d| ItemDependency {
                depends_on: d.depends_on.as_uuid(),
                dependency_type: d.dependency_type.into(),
            })
            .collect(),
        asset_effect: i.asset_effect.map(Into::into),
        activation_date: i.activation_date,
    }
}

impl OrderContent {
    pub fn to_domain(&self) -> Result<dom::OrderContent, MappingError> {
        Ok(dom::OrderContent {
            header: self.header.to_domain()?,
            items: self
                .items
                .iter()
                .map(OrderItem::to_domain)
                .collect::<Result<_, _>>()?,
        })
    }
}

impl OrderHeader {
    fn to_domain(&self) -> Result<dom::OrderHeader, MappingError> {
        let (s, p, c) = (&self.source, &self.parties, &self.commercial);
        let currency = parsed("commercial.currency", CurrencyCode::parse(&c.currency))?;
        let money = |field: &str, amount| parsed(field, Money::parse(amount, currency));
        let mut totals_by_kind = BTreeMap::new();
        for total in &c.totals_by_kind {
            totals_by_kind.insert(
                total.kind.into(),
                money("commercial.totalsByKind.amount", total.amount)?,
            );
        }
        Ok(dom::OrderHeader {
            order_type: self.order_type.into(),
            order_intent: self.order_intent.into(),
            source: dom::OrderSource {
                system: parsed("source.system", SourceSystem::parse(&s.system))?,
                channel: parsed("source.channel", SalesChannel::parse(&s.channel))?,
                external_order_ref: parsed_opt(
                    "source.externalOrderRef",
                    s.external_order_ref.as_ref(),
                    ExternalOrderRef::parse,
                )?,
                quote: s
                    .quote
                    .as_ref()
                    .map(QuoteReference::to_domain)
                    .transpose()?,
            },
            parties: dom::PartyRoles {
                customer_id: parsed("parties.customerId", CustomerId::parse(&p.customer_id))?,
                account_id: parsed("parties.accountId", AccountId::parse(&p.account_id))?,
                billing_account_id: parsed(
                    "parties.billingAccountId",
                    BillingAccountId::parse(&p.billing_account_id),
                )?,
                payer_id: parsed_opt("parties.payerId", p.payer_id.as_ref(), PartyId::parse)?,
                customer_display_name: None,
                service_location: p.service_location.as_ref().map(Into::into),
            },
            dates: dom::OrderDates {
                submitted_at: self.dates.submitted_at,
                accepted_at: self.dates.accepted_at,
                requested_start: self.dates.requested_start,
                requested_completion: self.dates.requested_completion,
                committed_completion: self.dates.committed_completion,
            },
            commercial: dom::CommercialSnapshot {
                currency,
                price_list_ref: parsed_opt(
                    "commercial.priceListRef",
                    c.price_list_ref.as_ref(),
                    PriceListRef::parse,
                )?,
                term_months: count_opt("commercial.termMonths", c.term_months)?,
                order_total: money("commercial.orderTotal", c.order_total)?,
                totals_by_kind,
                configuration_hash: parsed_opt(
                    "commercial.configurationHash",
                    c.configuration_hash.as_ref(),
                    ContentHash::parse,
                )?,
                price_hash: parsed_opt(
                    "commercial.priceHash",
                    c.price_hash.as_ref(),
                    ContentHash::parse,
                )?,
                approval_ref: parsed_opt(
                    "commercial.approvalRef",
                    c.approval_ref.as_ref(),
                    ApprovalRef::parse,
                )?,
            },
            relations: self
                .relations
                .iter()
                .map(|r| {
                    Ok(dom::OrderRelation {
                        relation_type: r.relation_type.into(),
                        related_order_id: id(
                            "relations.relatedOrderId",
                            r.related_order_id,
                            OrderId::parse,
                        )?,
                    })
                })
                .collect::<Result<_, MappingError>>()?,
            migration: self
                .migration
                .as_ref()
                .map(|m| {
                    Ok::<_, MappingError>(dom::MigrationEvidence {
                        reason_code: parsed(
                            "migration.reasonCode",
                            ReasonCode::parse(&m.reason_code),
                        )?,
                        evidence_ref: m.evidence_ref.clone(),
                        allow_past_dates: m.allow_past_dates,
                    })
                })
                .transpose()?,
        })
    }
}

impl QuoteReference {
    fn to_domain(&self) -> Result<dom::QuoteReference, MappingError> {
        Ok(dom::QuoteReference {
            quote_id: parsed("source.quote.quoteId", QuoteId::parse(&self.quote_id))?,
            revision: count("source.quote.revision", self.revision)?,
            quote_number: parsed_opt(
                "source.quote.quoteNumber",
                self.quote_number.as_ref(),
                QuoteNumber::parse,
            )?,
            accepted_at: self.accepted_at,
            accepted_by: self.accepted_by.clone(),
            valid_until: self.valid_until,
        })
    }
}

impl OrderItem {
    fn to_domain(&self) -> Result<dom::OrderItem, MappingError> {
        let configuration = parsed(
            "items.configuration",
            dom::ConfigurationSnapshot::new(self.configuration.values.clone()),
        )?;
        if configuration.hash().as_str() != self.configuration.hash {
            return Err(MappingError::InvalidValue {
                field: "items.configuration.hash".into(),
                source: ValueError::Format {
                    field: "configuration.hash",
                    detail: "hash does not match the values".into(),
                },
            });
        }
        Ok(dom::OrderItem {
            id: id("items.id", self.id, OrderItemId::parse)?,
            client_item_ref: parsed(
                "items.clientItemRef",
                ClientItemRef::parse(&self.client_item_ref),
            )?,
            line_number: parsed("items.lineNumber", LineNumber::parse(self.line_number))?,
            parent_id: id_opt("items.parentId", self.parent_id, OrderItemId::parse)?,
            action: self.action.into(),
            quantity: parsed("items.quantity", Quantity::parse(self.quantity))?,
            product: self.product.to_domain()?,
            target_asset_id: parsed_opt(
                "items.targetAssetId",
                self.target_asset_id.as_ref(),
                AssetId::parse,
            )?,
            actual_asset_id: parsed_opt(
                "items.actualAssetId",
                self.actual_asset_id.as_ref(),
                AssetId::parse,
            )?,
            configuration,
            price: self.price.to_domain()?,
            state: self.state.into(),
            fulfillment_state: self.fulfillment_state.into(),
            dependencies: self
                .dependencies
                .iter()
                .map(|d| {
                    Ok(dom::ItemDependency {
                        depends_on: id(
                            "items.dependencies.dependsOn",
                            d.depends_on,
                            OrderItemId::parse,
                        )?,
                        dependency_type: d.dependency_type.into(),
                    })
                })
                .collect::<Result<_, MappingError>>()?,
            asset_effect: self.asset_effect.map(Into::into),
            activation_date: self.activation_date,
        })
    }
}
