//! Capture validation rules: small, composable, pure functions over the intake and the
//! looked-up context, each emitting violations for the codes it declares.
//!
//! A [`Rule`] is data (name, codes, fn pointer) so profiles are plain `const` slices and
//! tests can enumerate which rule owns which code. Rules never stop early: every violation
//! is reported, so the client can fix everything in one round trip.

pub(crate) mod asset;
pub(crate) mod dates;
pub(crate) mod intake;
pub(crate) mod pricing;
pub(crate) mod profile;
pub(crate) mod quote;
pub(crate) mod structure;

use rust_decimal::Decimal;

use super::codes::RuleCode;
use super::context::CaptureContext;
use super::intake::{CaptureItem, CaptureOrder};
use super::violation::Violation;
use crate::value::{MAX_REF_LEN, OrderId};

/// What a rule sees.
#[derive(Debug, Clone, Copy)]
pub struct RuleInput<'a> {
    pub intake: &'a CaptureOrder,
    pub context: &'a CaptureContext,
    /// The order being validated; `None` for advisory validation before an id exists.
    /// Used so an order never conflicts with itself (asset in flight, quote converted).
    pub order_id: Option<OrderId>,
}

impl RuleInput<'_> {
    /// Index of the first item with this client reference.
    pub fn index_of(&self, client_ref: &str) -> Option<usize> {
        self.intake
            .items
            .iter()
            .position(|i| i.client_item_ref == client_ref)
    }

    /// `Some(other)` when `owner` is another order than the one being validated.
    pub fn other_order(&self, owner: Option<OrderId>) -> Option<OrderId> {
        owner.filter(|o| Some(*o) != self.order_id)
    }
}

pub type Check = fn(&RuleInput<'_>, &mut Vec<Violation>);

/// One composable validation rule.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub name: &'static str,
    /// Codes this rule can emit (documentation and test coverage).
    pub codes: &'static [RuleCode],
    pub check: Check,
}

impl Rule {
    pub fn run(&self, input: &RuleInput<'_>, out: &mut Vec<Violation>) {
        (self.check)(input, out);
    }
}

pub(crate) fn item_path(i: usize, field: &str) -> String {
    format!("items[{i}].{field}")
}

/// FIELD_REQUIRED for a missing or blank required value; REFERENCE_INVALID for an
/// overlong value, control characters, or an optional value sent blank.
pub(crate) fn check_text(
    out: &mut Vec<Violation>,
    path: String,
    value: Option<&str>,
    required: bool,
) {
    let problem = match value {
        None if required => Some((RuleCode::FieldRequired, format!("{path} is required"))),
        Some(v) if v.trim().is_empty() && required => {
            Some((RuleCode::FieldRequired, format!("{path} must not be blank")))
        }
        Some(v) if v.trim().is_empty() => Some((
            RuleCode::ReferenceInvalid,
            format!("{path} is blank; leave it out instead"),
        )),
        Some(v) if v.chars().count() > MAX_REF_LEN || v.chars().any(char::is_control) => Some((
            RuleCode::ReferenceInvalid,
            format!(
                "{path} is longer than {MAX_REF_LEN} characters or contains control characters"
            ),
        )),
        _ => None,
    };
    if let Some((code, message)) = problem {
        out.push(code.at(path, message));
    }
}

/// The item's total as stated, or the sum of its components when the source gives none.
pub(crate) fn effective_item_total(item: &CaptureItem) -> Option<Decimal> {
    match item.item_total {
        Some(total) => Some(total),
        None => item
            .price_components
            .iter()
            .try_fold(Decimal::ZERO, |acc, c| acc.checked_add(c.amount)),
    }
}
