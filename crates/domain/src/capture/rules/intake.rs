//! Intake-shape rules: items present, required references, tenant, positive numbers,
//! currency, amount precision, configuration keys. These are the checks a typed parse
//! would fail on; running them as rules turns each failure into a located violation.

use rust_decimal::Decimal;

use super::{Rule, RuleInput, check_text, item_path};
use crate::capture::codes::RuleCode;
use crate::capture::violation::Violation;
use crate::value::{CurrencyCode, check_amount};

pub(crate) const ITEMS_PRESENT: Rule = Rule {
    name: "items-present",
    codes: &[RuleCode::OrderHasNoItems],
    check: |input, out| {
        if input.intake.items.is_empty() {
            out.push(RuleCode::OrderHasNoItems.at("items", "the order has no items"));
        }
    },
};

pub(crate) const TENANT_MATCHES: Rule = Rule {
    name: "tenant-matches-caller",
    codes: &[RuleCode::TenantMismatch],
    check: |input, out| {
        if input.intake.tenant_id != input.context.caller_tenant.as_str() {
            out.push(RuleCode::TenantMismatch.at(
                "tenantId",
                format!(
                    "tenant '{}' is not the caller's tenant",
                    input.intake.tenant_id
                ),
            ));
        }
    },
};

pub(crate) const REQUIRED_REFERENCES: Rule = Rule {
    name: "required-references",
    codes: &[RuleCode::FieldRequired, RuleCode::ReferenceInvalid],
    check: required_references,
};

fn required_references(input: &RuleInput<'_>, out: &mut Vec<Violation>) {
    let o = input.intake;
    check_text(out, "sourceSystem".into(), Some(&o.source_system), true);
    check_text(out, "salesChannel".into(), Some(&o.sales_channel), true);
    check_text(
        out,
        "externalOrderRef".into(),
        o.external_order_ref.as_deref(),
        false,
    );
    check_text(
        out,
        "priceListRef".into(),
        o.price_list_ref.as_deref(),
        false,
    );
    check_text(
        out,
        "customer.customerId".into(),
        Some(&o.customer.customer_id),
        true,
    );
    check_text(
        out,
        "customer.accountId".into(),
        Some(&o.customer.account_id),
        true,
    );
    check_text(
        out,
        "customer.billingAccountId".into(),
        Some(&o.customer.billing_account_id),
        true,
    );
    check_text(
        out,
        "customer.payerId".into(),
        o.customer.payer_id.as_deref(),
        false,
    );
    if let Some(address) = &o.service_address {
        check_text(
            out,
            "serviceAddress.line1".into(),
            Some(&address.line1),
            true,
        );
        check_text(out, "serviceAddress.city".into(), Some(&address.city), true);
        check_text(
            out,
            "serviceAddress.postalCode".into(),
            Some(&address.postal_code),
            true,
        );
        check_text(
            out,
            "serviceAddress.countryCode".into(),
            Some(&address.country_code),
            true,
        );
    }
    if let Some(quote) = &o.quote {
        check_text(out, "quote.quoteId".into(), Some(&quote.quote_id), true);
        check_text(
            out,
            "quote.quoteNumber".into(),
            quote.quote_number.as_deref(),
            false,
        );
        check_text(
            out,
            "quote.approvalRef".into(),
            quote.approval_ref.as_deref(),
            false,
        );
    }
    for (i, item) in o.items.iter().enumerate() {
        check_text(
            out,
            item_path(i, "clientItemRef"),
            Some(&item.client_item_ref),
            true,
        );
        check_text(
            out,
            item_path(i, "productOfferingId"),
            Some(&item.product_offering_id),
            true,
        );
        check_text(
            out,
            item_path(i, "productSpecRef"),
            item.product_spec_ref.as_deref(),
            false,
        );
        check_text(
            out,
            item_path(i, "targetAssetId"),
            item.target_asset_id.as_deref(),
            false,
        );
        check_text(
            out,
            item_path(i, "parentRef"),
            item.parent_ref.as_deref(),
            false,
        );
        for (j, dep) in item.depends_on.iter().enumerate() {
            check_text(
                out,
                item_path(i, &format!("dependsOn[{j}].clientItemRef")),
                Some(&dep.client_item_ref),
                true,
            );
        }
    }
}

/// Counters must be positive and fit `u32` (the typed model's range).
fn positive_u32(value: i64) -> bool {
    value > 0 && u32::try_from(value).is_ok()
}

pub(crate) const POSITIVE_NUMBERS: Rule = Rule {
    name: "positive-numbers",
    codes: &[
        RuleCode::QuantityInvalid,
        RuleCode::LineNumberInvalid,
        RuleCode::ProductOfferingVersionInvalid,
        RuleCode::ContractTermInvalid,
    ],
    check: |input, out| {
        for (i, item) in input.intake.items.iter().enumerate() {
            if !positive_u32(item.quantity) {
                out.push(RuleCode::QuantityInvalid.at(
                    item_path(i, "quantity"),
                    format!("quantity {} is not positive", item.quantity),
                ));
            }
            if !positive_u32(item.line_number) {
                out.push(RuleCode::LineNumberInvalid.at(
                    item_path(i, "lineNumber"),
                    format!("line number {} is not positive", item.line_number),
                ));
            }
            if let Some(v) = item.product_offering_version.filter(|v| !positive_u32(*v)) {
                out.push(RuleCode::ProductOfferingVersionInvalid.at(
                    item_path(i, "productOfferingVersion"),
                    format!("version {v} is not positive"),
                ));
            }
        }
        if let Some(term) = input
            .intake
            .contract_term_months
            .filter(|t| !positive_u32(*t))
        {
            out.push(
                RuleCode::ContractTermInvalid
                    .at("contractTermMonths", format!("term {term} is not positive")),
            );
        }
    },
};

pub(crate) const CURRENCY: Rule = Rule {
    name: "currency",
    codes: &[RuleCode::InvalidCurrency, RuleCode::CurrencyMismatch],
    check: |input, out| {
        let order_currency = &input.intake.currency;
        if CurrencyCode::parse(order_currency).is_err() {
            out.push(RuleCode::InvalidCurrency.at(
                "currency",
                format!("'{order_currency}' is not an ISO 4217 code"),
            ));
        }
        for (i, item) in input.intake.items.iter().enumerate() {
            let Some(currency) = &item.currency else {
                continue;
            };
            if CurrencyCode::parse(currency).is_err() {
                out.push(RuleCode::InvalidCurrency.at(
                    item_path(i, "currency"),
                    format!("'{currency}' is not an ISO 4217 code"),
                ));
            } else if currency != order_currency {
                out.push(RuleCode::CurrencyMismatch.at(
                    item_path(i, "currency"),
                    format!("item is priced in {currency}, the order in {order_currency}"),
                ));
            }
        }
    },
};

pub(crate) const AMOUNT_PRECISION: Rule = Rule {
    name: "amount-precision",
    codes: &[RuleCode::AmountPrecisionExceeded],
    check: |input, out| {
        let mut check = |path: String, amount: Decimal| {
            if check_amount(amount).is_err() {
                out.push(
                    RuleCode::AmountPrecisionExceeded
                        .at(path, format!("{amount} does not fit decimal(18,4)")),
                );
            }
        };
        for (i, item) in input.intake.items.iter().enumerate() {
            for (j, c) in item.price_components.iter().enumerate() {
                check(
                    item_path(i, &format!("priceComponents[{j}].amount")),
                    c.amount,
                );
            }
            if let Some(total) = item.item_total {
                check(item_path(i, "itemTotal"), total);
            }
        }
        if let Some(total) = input.intake.order_total {
            check("orderTotal".into(), total);
        }
    },
};

pub(crate) const CONFIGURATION_KEYS: Rule = Rule {
    name: "configuration-keys",
    codes: &[RuleCode::ConfigurationKeyBlank],
    check: |input, out| {
        for (i, item) in input.intake.items.iter().enumerate() {
            if item.configuration.keys().any(|k| k.trim().is_empty()) {
                out.push(RuleCode::ConfigurationKeyBlank.at(
                    item_path(i, "configuration"),
                    "a configuration characteristic has a blank name",
                ));
            }
        }
    },
};
