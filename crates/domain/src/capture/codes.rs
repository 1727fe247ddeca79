//! The single registry of capture rule codes. Codes are stable API: clients and CPQ match
//! on them, so a code is never renamed or reused; `docs/validation-codes.md` lists them
//! (a test keeps the document and this enum in step).

use serde::{Deserialize, Serialize};

use super::violation::{Severity, Violation};

macro_rules! rule_codes {
    ($( $variant:ident => ($code:literal, $severity:ident, $path:literal, $meaning:literal, $fix:literal), )*) => {
        /// Stable validation rule code; serialises as the SCREAMING_SNAKE code itself.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum RuleCode { $( $variant, )* }

        impl RuleCode {
            pub const ALL: &'static [RuleCode] = &[ $( RuleCode::$variant, )* ];

            pub fn code(self) -> &'static str {
                match self { $( Self::$variant => $code, )* }
            }

            /// Severity the rule reports unless a profile says otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $( Self::$variant => Severity::$severity, )* }
            }

            /// Where in the intake the violation points (`i`, `j`, `k` are indices).
            pub fn path_pattern(self) -> &'static str {
                match self { $( Self::$variant => $path, )* }
            }

            /// What the code means; also the default message.
            pub fn meaning(self) -> &'static str {
                match self { $( Self::$variant => $meaning, )* }
            }

            pub fn remediation(self) -> &'static str {
                match self { $( Self::$variant => $fix, )* }
            }
        }
    };
}

rule_codes! {
    OrderHasNoItems => ("ORDER_HAS_NO_ITEMS", Error, "items", "The order has no items.", "Add at least one order item."),
    FieldRequired => ("FIELD_REQUIRED", Error, "<any required field>", "A required value is missing or blank.", "Provide the value named by the path."),
    ReferenceInvalid => ("REFERENCE_INVALID", Error, "<any reference field>", "A reference is longer than 128 characters or contains control characters.", "Send the identifier exactly as the owning system issued it."),
    TenantMismatch => ("TENANT_MISMATCH", Error, "tenantId", "The order names another tenant than the authenticated caller.", "Submit the order under the tenant it belongs to."),
    QuantityInvalid => ("QUANTITY_INVALID", Error, "items[i].quantity", "Quantity must be a whole number greater than zero (at most 4294967295).", "Send a positive quantity; remove the line instead of ordering zero."),
    LineNumberInvalid => ("LINE_NUMBER_INVALID", Error, "items[i].lineNumber", "Line numbers must be whole numbers greater than zero (at most 4294967295).", "Number the lines from 1."),
    DuplicateLineNumber => ("DUPLICATE_LINE_NUMBER", Error, "items[i].lineNumber", "Two items share a line number.", "Give every item a unique line number."),
    DuplicateClientItemRef => ("DUPLICATE_CLIENT_ITEM_REF", Error, "items[i].clientItemRef", "Two items share a client item reference.", "Give every item a unique clientItemRef (quote item id)."),
    ProductOfferingVersionInvalid => ("PRODUCT_OFFERING_VERSION_INVALID", Error, "items[i].productOfferingVersion", "The product offering version is missing where required, or not a positive number.", "Send the catalog version the item was configured against."),
    ConfigurationKeyBlank => ("CONFIGURATION_KEY_BLANK", Error, "items[i].configuration", "A configuration characteristic has a blank name.", "Name every configuration characteristic."),
    InvalidCurrency => ("INVALID_CURRENCY", Error, "currency | items[i].currency", "The currency is not an ISO 4217 code (three uppercase letters).", "Send an ISO 4217 code such as EUR or IDR."),
    CurrencyMismatch => ("CURRENCY_MISMATCH", Error, "items[i].currency", "An item is priced in another currency than the order.", "Price every item in the order currency; there is no conversion policy."),
    AmountPrecisionExceeded => ("AMOUNT_PRECISION_EXCEEDED", Error, "items[i].priceComponents[j].amount | items[i].itemTotal | orderTotal", "An amount does not fit decimal(18,4).", "Round to at most 4 decimal places and 14 integer digits."),
    ContractTermInvalid => ("CONTRACT_TERM_INVALID", Error, "contractTermMonths", "The contract term is not a positive number of months.", "Send a positive term in months or leave it out."),
    ParentItemNotFound => ("PARENT_ITEM_NOT_FOUND", Error, "items[i].parentRef", "The parent reference names no item of this order.", "Reference the clientItemRef of an item in the same order."),
    ItemHierarchyCycle => ("ITEM_HIERARCHY_CYCLE", Error, "items[i].parentRef", "The bundle hierarchy contains a cycle (an item is its own ancestor).", "Make the parent/child structure a tree."),
    DependencyTargetNotFound => ("DEPENDENCY_TARGET_NOT_FOUND", Error, "items[i].dependsOn[j].clientItemRef", "A dependency names no item of this order.", "Reference the clientItemRef of an item in the same order."),
    DependencyCycle => ("DEPENDENCY_CYCLE", Error, "items[i].dependsOn", "Item dependencies form a cycle, so nothing could start.", "Remove one dependency of the cycle."),
    AddUnderDisconnectedParent => ("ADD_UNDER_DISCONNECTED_PARENT", Error, "items[i].action", "A new add-on is ordered under a parent that is being disconnected.", "Order the add-on on a surviving parent, or model the bundle transition explicitly."),
    OrderTypeInconsistent => ("ORDER_TYPE_INCONSISTENT", Warning, "orderType", "The stated order type does not match the item actions.", "Check the order type, or leave it out so it is derived from the actions."),
    TargetAssetRequired => ("TARGET_ASSET_REQUIRED", Error, "items[i].targetAssetId", "The action works on an existing asset but names none.", "Send the id of the asset to change (every action except ADD needs one)."),
    TargetAssetNotAllowed => ("TARGET_ASSET_NOT_ALLOWED", Error, "items[i].targetAssetId", "An ADD item names a target asset; ADD creates a new asset.", "Remove targetAssetId, or use MODIFY to change the existing asset."),
    AssetNotFound => ("ASSET_NOT_FOUND", Error, "items[i].targetAssetId", "The target asset does not exist for this tenant.", "Refresh the installed base and reference an existing asset."),
    AssetNotOwnedByCustomer => ("ASSET_NOT_OWNED_BY_CUSTOMER", Error, "items[i].targetAssetId", "The target asset belongs to another customer or account.", "Order against the customer and account that own the asset."),
    AssetStateDisallowsAction => ("ASSET_STATE_DISALLOWS_ACTION", Error, "items[i].action", "The asset's status does not allow this action (e.g. RESUME on an ACTIVE asset, anything on TERMINATED).", "Choose an action valid for the asset's current status."),
    AssetInFlight => ("ASSET_IN_FLIGHT", Error, "items[i].targetAssetId", "Another in-flight order already changes this asset.", "Wait for the other order to finish, or amend it instead."),
    ConflictingAssetActions => ("CONFLICTING_ASSET_ACTIONS", Error, "items[i].targetAssetId", "Two items of this order change the same asset.", "Change each asset through one item per order."),
    RequestedDateInPast => ("REQUESTED_DATE_IN_PAST", Error, "requestedStartDate | requestedCompletionDate", "A requested date lies before today.", "Request today or a later date (admin migration may override with evidence)."),
    CompletionBeforeStart => ("COMPLETION_BEFORE_START", Error, "requestedCompletionDate", "The requested completion date is before the requested start date.", "Request a completion date on or after the start date."),
    QuoteRefRequired => ("QUOTE_REF_REQUIRED", Error, "quote", "A quote-derived order carries no quote reference.", "Send the accepted quote id, revision and evidence hashes."),
    QuoteRefNotAllowed => ("QUOTE_REF_NOT_ALLOWED", Error, "quote", "A direct order carries a quote reference.", "Capture it as QUOTE_DERIVED so the quote checks and the one-order-per-revision guard apply."),
    QuoteRevisionInvalid => ("QUOTE_REVISION_INVALID", Error, "quote.revision", "The quote revision is not a positive number.", "Send the accepted revision number."),
    QuoteExpired => ("QUOTE_EXPIRED", Error, "quote.validUntil", "The accepted quote's validity ended before today.", "Re-quote and accept a valid revision."),
    QuoteHashMissing => ("QUOTE_HASH_MISSING", Error, "quote.configurationHash | quote.priceHash", "The quote's configuration or price evidence hash is missing.", "Send CPQ's configuration and price hashes with the quote."),
    QuoteAlreadyConverted => ("QUOTE_ALREADY_CONVERTED", Error, "quote.quoteId", "This quote revision was already converted into an order.", "Use the existing order (its id is in the message); one revision yields at most one order."),
    PriceComponentsMismatch => ("PRICE_COMPONENTS_MISMATCH", Error, "items[i].itemTotal", "The item's price components do not sum to its total.", "Send the components and total exactly as accepted."),
    PriceComponentSignInvalid => ("PRICE_COMPONENT_SIGN_INVALID", Error, "items[i].priceComponents[j].amount", "A discount is positive or a charge is negative.", "Send discounts as negative amounts and charges as non-negative amounts."),
    RecurrencePeriodRequired => ("RECURRENCE_PERIOD_REQUIRED", Error, "items[i].priceComponents[j].recurrencePeriod", "A recurring charge has no recurrence period.", "State the period (e.g. MONTHLY)."),
    OrderTotalMismatch => ("ORDER_TOTAL_MISMATCH", Error, "orderTotal", "The stated order total is not the sum of the item totals.", "Send the sum of the item totals, or leave the order total out."),
    NegativeTotalNotAllowed => ("NEGATIVE_TOTAL_NOT_ALLOWED", Error, "orderTotal", "The order total is negative but the order is not a billing adjustment.", "Check discounts; credit orders must use intent BILLING_ADJUSTMENT."),
    MigrationEvidenceRequired => ("MIGRATION_EVIDENCE_REQUIRED", Error, "migration", "An admin migration order carries no reason code and evidence.", "Send migration.reasonCode (SCREAMING_SNAKE) and migration.evidenceRef."),
    RelatedOrderRequired => ("RELATED_ORDER_REQUIRED", Error, "relations", "The capture mode needs a relation to the order it amends, cancels or supplements.", "Add the relation (AMENDS / CANCELS / SUPPLEMENTS) with the related order id."),
    RelatedOrderInvalid => ("RELATED_ORDER_INVALID", Error, "relations[k].orderId", "A related order id is not a valid order id.", "Send the related order's id (UUID)."),
    RelatedOrderNotFound => ("RELATED_ORDER_NOT_FOUND", Error, "relations[k].orderId", "The related order does not exist for this tenant.", "Reference an order of your own tenant (GET /api/v1/orders/{id})."),
    RelatedOrderStateInvalid => ("RELATED_ORDER_STATE_INVALID", Error, "relations[k].orderId", "The supplemented order was rejected, cancelled or closed, so nothing can build on it.", "Place a new order (DIRECT_ORDER or QUOTE_DERIVED) instead of a supplemental one."),
    RelatedOrderPartyMismatch => ("RELATED_ORDER_PARTY_MISMATCH", Error, "customer", "The supplemental order's customer or account is not the supplemented order's.", "Order for the customer and account of the original order."),
    DuplicateExternalOrderRef => ("DUPLICATE_EXTERNAL_ORDER_REF", Error, "externalOrderRef", "Another order of this tenant already uses this external order reference.", "Use a new external reference, or look up the existing order."),
}

impl RuleCode {
    /// A violation at `path` with this code's default severity and remediation.
    pub fn at(self, path: impl Into<String>, message: impl Into<String>) -> Violation {
        Violation {
            code: self,
            path: path.into(),
            message: message.into(),
            severity: self.default_severity(),
            remediation: Some(self.remediation().to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_name_is_the_code_and_codes_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for code in RuleCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.code()));
            assert!(seen.insert(code.code()), "duplicate {}", code.code());
        }
    }
}
