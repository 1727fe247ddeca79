//! Price rules (003 §9.4, 001 §8.8): component signs, recurrence period, components sum to
//! the item total, the stated order total equals the sum of item totals, and the order
//! total is not negative unless the order is a billing adjustment. Single item totals may
//! be negative (a bundle's discount line).

use rust_decimal::Decimal;

use super::{Rule, RuleInput, effective_item_total, item_path};
use crate::capture::codes::RuleCode;
use crate::capture::violation::Violation;
use crate::vocab::{OrderIntent, PriceKind};

pub(crate) const PRICE_COMPONENTS: Rule = Rule {
    name: "price-components",
    codes: &[
        RuleCode::PriceComponentSignInvalid,
        RuleCode::RecurrencePeriodRequired,
        RuleCode::PriceComponentsMismatch,
    ],
    check: price_components,
};

fn price_components(input: &RuleInput<'_>, out: &mut Vec<Violation>) {
    for (i, item) in input.intake.items.iter().enumerate() {
        for (j, c) in item.price_components.iter().enumerate() {
            let wrong_sign = match c.kind {
                PriceKind::Discount => c.amount > Decimal::ZERO,
                PriceKind::Recurring | PriceKind::OneTime | PriceKind::Fee => {
                    c.amount < Decimal::ZERO
                }
            };
            if wrong_sign {
                out.push(RuleCode::PriceComponentSignInvalid.at(
                    item_path(i, &format!("priceComponents[{j}].amount")),
                    format!("{:?} component has amount {}", c.kind, c.amount),
                ));
            }
            let period_missing = c
                .recurrence_period
                .as_deref()
                .is_none_or(|p| p.trim().is_empty());
            if c.kind == PriceKind::Recurring && period_missing {
                out.push(RuleCode::RecurrencePeriodRequired.at(
                    item_path(i, &format!("priceComponents[{j}].recurrencePeriod")),
                    "recurring charge without a recurrence period",
                ));
            }
        }
        let sum = item
            .price_components
            .iter()
            .try_fold(Decimal::ZERO, |acc, c| acc.checked_add(c.amount));
        if let Some(total) = item.item_total
            && sum != Some(total)
        {
            let shown = sum.map_or_else(|| "an overflowing amount".to_owned(), |s| s.to_string());
            out.push(RuleCode::PriceComponentsMismatch.at(
                item_path(i, "itemTotal"),
                format!("components sum to {shown}, itemTotal is {total}"),
            ));
        }
    }
}

pub(crate) const ORDER_TOTAL: Rule = Rule {
    name: "order-total",
    codes: &[
        RuleCode::OrderTotalMismatch,
        RuleCode::NegativeTotalNotAllowed,
    ],
    check: |input, out| {
        let o = input.intake;
        let computed = o.items.iter().try_fold(Decimal::ZERO, |acc, item| {
            effective_item_total(item).and_then(|t| acc.checked_add(t))
        });
        let Some(computed) = computed else {
            out.push(
                RuleCode::AmountPrecisionExceeded
                    .at("orderTotal", "the sum of item totals overflows"),
            );
            return;
        };
        if let Some(stated) = o.order_total
            && stated != computed
        {
            out.push(RuleCode::OrderTotalMismatch.at(
                "orderTotal",
                format!("orderTotal is {stated}, items sum to {computed}"),
            ));
        }
        let intent = o
            .order_intent
            .unwrap_or(OrderIntent::default_for(o.capture_mode));
        if computed < Decimal::ZERO && !intent.allows_negative_total() {
            out.push(RuleCode::NegativeTotalNotAllowed.at(
                "orderTotal",
                format!("order total {computed} is negative for intent {intent:?}"),
            ));
        }
    },
};
