//! Textual references into systems that own the data (customer, account, asset, catalog,
//! quote, channel) plus the tracing ids that travel with every transition.
//!
//! A reference is only an id; it is kept verbatim (no trimming or case folding) because it
//! is evidence of what the source sent. Parsing refuses blank values, values longer than
//! [`MAX_REF_LEN`](super::MAX_REF_LEN) and control characters.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{MAX_REF_LEN, check_ref};
use crate::error::ValueError;

macro_rules! text_ref {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, ValueError> {
                check_ref($field, raw, $max)?;
                Ok(Self(raw.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> Self {
                v.0
            }
        }
    };
}

text_ref!(/// Buyer party (CRM customer).
    CustomerId, "customerId", MAX_REF_LEN);
text_ref!(/// Commercial account the order is placed for.
    AccountId, "accountId", MAX_REF_LEN);
text_ref!(/// Billing account that will be invoiced; never assumed equal to the account.
    BillingAccountId, "billingAccountId", MAX_REF_LEN);
text_ref!(/// Any other party role (payer).
    PartyId, "partyId", MAX_REF_LEN);
text_ref!(/// Installed-base asset (product instance) owned by the asset service.
    AssetId, "assetId", MAX_REF_LEN);
text_ref!(/// Commercial catalog offering.
    ProductOfferingId, "productOfferingId", MAX_REF_LEN);
text_ref!(/// Product specification reference.
    ProductSpecRef, "productSpecRef", MAX_REF_LEN);
text_ref!(/// CPQ quote id (upstream, never read live).
    QuoteId, "quoteId", MAX_REF_LEN);
text_ref!(/// Human-facing CPQ quote number.
    QuoteNumber, "quoteNumber", MAX_REF_LEN);
text_ref!(/// The source's own line reference (quote item id for quote-derived orders).
    ClientItemRef, "clientItemRef", MAX_REF_LEN);
text_ref!(/// Channel's own order reference; unique per tenant.
    ExternalOrderRef, "externalOrderRef", MAX_REF_LEN);
text_ref!(/// Price list / price book used when the price was calculated.
    PriceListRef, "priceListRef", MAX_REF_LEN);
text_ref!(/// Approval decision that covered the quote revision.
    ApprovalRef, "approvalRef", MAX_REF_LEN);
text_ref!(/// Policy decision that justifies a waiver or override.
    PolicyRef, "policyRef", MAX_REF_LEN);
text_ref!(/// System that originated the order (e.g. `cpq`, `web-shop`).
    SourceSystem, "sourceSystem", MAX_REF_LEN);
text_ref!(/// Sales channel (e.g. `DIRECT_SALES`, `PARTNER`, `WEB`).
    SalesChannel, "salesChannel", MAX_REF_LEN);
text_ref!(/// Evidence hash (CPQ configuration/price hash, our configuration hash).
    ContentHash, "hash", 256);
text_ref!(/// End-to-end correlation id; one per business flow.
    CorrelationId, "correlationId", MAX_REF_LEN);
text_ref!(/// Id of the message or request that caused a transition.
    CausationId, "causationId", MAX_REF_LEN);

/// Tenant scope of every aggregate and event. Restricted to `[A-Za-z0-9._-]{1,64}` because
/// tenant ids end up in topic headers, metric labels and SQL predicates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

impl TenantId {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        check_ref("tenantId", raw, 64)?;
        if !raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(ValueError::Format {
                field: "tenantId",
                detail: "only letters, digits, '.', '_' and '-' are allowed".into(),
            });
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TenantId {
    type Error = ValueError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<TenantId> for String {
    fn from(v: TenantId) -> Self {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_refuse_blank_long_and_control_characters() {
        assert_eq!(CustomerId::parse("  ").unwrap_err().code(), "BLANK");
        assert_eq!(
            CustomerId::parse(&"x".repeat(129)).unwrap_err().code(),
            "TOO_LONG"
        );
        assert_eq!(
            CustomerId::parse("a\nb").unwrap_err().code(),
            "CONTROL_CHARACTERS"
        );
        assert_eq!(CustomerId::parse(" cust-1 ").unwrap().as_str(), " cust-1 ");
    }

    #[test]
    fn tenant_id_is_restricted() {
        assert!(TenantId::parse("tenant-a.eu_1").is_ok());
        assert_eq!(
            TenantId::parse("tenant a").unwrap_err().code(),
            "INVALID_FORMAT"
        );
        assert!(serde_json::from_str::<TenantId>("\"a/b\"").is_err());
    }
}
