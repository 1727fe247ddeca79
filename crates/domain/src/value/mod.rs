//! Value types: small newtypes whose `parse` constructor is the only way in.
//!
//! Every value here is valid by construction, so the rest of the domain never re-checks
//! formats. Loose input (the capture intake) is checked by the capture rules first and only
//! then parsed into these types. Serde deserialisation goes through the same `parse`
//! (`#[serde(try_from = ...)]`), so a stored aggregate cannot smuggle an invalid value in.

mod ids;
mod money;
mod number;
mod order_number;
mod refs;
mod text;

pub use ids::{
    AmendmentRequestId, CancellationRequestId, FalloutId, HoldId, OrderId, OrderItemId, PlanId,
    TaskId,
};
pub use money::{CurrencyCode, MONEY_INTEGER_DIGITS, MONEY_SCALE, Money, check_amount};
pub use number::{LineNumber, Quantity};
pub use order_number::OrderNumber;
pub use refs::{
    AccountId, ApprovalRef, AssetId, BillingAccountId, CausationId, ClientItemRef, ContentHash,
    CorrelationId, CustomerId, ExternalOrderRef, PartyId, PolicyRef, PriceListRef,
    ProductOfferingId, ProductSpecRef, QuoteId, QuoteNumber, SalesChannel, SourceSystem, TenantId,
};
pub use text::{Reason, ReasonCode};

/// Longest reference we accept; matches the `varchar(128)` columns of the services.
pub const MAX_REF_LEN: usize = 128;

/// Shared check for free-text references: not blank, bounded, no control characters.
pub(crate) fn check_ref(
    field: &'static str,
    raw: &str,
    max: usize,
) -> Result<(), crate::error::ValueError> {
    use crate::error::ValueError;
    if raw.trim().is_empty() {
        return Err(ValueError::Blank { field });
    }
    if raw.chars().count() > max {
        return Err(ValueError::TooLong { field, max });
    }
    if raw.chars().any(char::is_control) {
        return Err(ValueError::ControlCharacters { field });
    }
    Ok(())
}
