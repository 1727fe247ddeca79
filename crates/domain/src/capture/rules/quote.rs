//! Quote rules (001 §8.6-8.7, 003 §9.5): a quote-derived order needs the accepted quote's
//! reference and evidence; a direct order must not carry one (otherwise a channel could
//! bypass the one-order-per-revision guard by calling it "direct"). The checks that need
//! CPQ (quote state, latest revision) happen upstream: CPQ only publishes accepted
//! revisions, so we check what the event itself proves.

use super::{Rule, check_text, item_path};
use crate::capture::codes::RuleCode;
use crate::vocab::CaptureMode;

pub(crate) const QUOTE_REQUIRED: Rule = Rule {
    name: "quote-required",
    codes: &[RuleCode::QuoteRefRequired],
    check: |input, out| {
        if input.intake.quote.is_none() {
            out.push(RuleCode::QuoteRefRequired.at(
                "quote",
                format!(
                    "{:?} orders need the accepted quote",
                    input.intake.capture_mode
                ),
            ));
        }
    },
};

pub(crate) const QUOTE_FORBIDDEN: Rule = Rule {
    name: "quote-forbidden",
    codes: &[RuleCode::QuoteRefNotAllowed],
    check: |input, out| {
        if input.intake.quote.is_some() {
            out.push(RuleCode::QuoteRefNotAllowed.at(
                "quote",
                "direct orders must not reference a quote; capture as QUOTE_DERIVED",
            ));
        }
    },
};

pub(crate) const QUOTE_EVIDENCE: Rule = Rule {
    name: "quote-evidence",
    codes: &[
        RuleCode::QuoteRevisionInvalid,
        RuleCode::QuoteExpired,
        RuleCode::QuoteHashMissing,
        RuleCode::ReferenceInvalid,
    ],
    check: |input, out| {
        let Some(quote) = &input.intake.quote else {
            return;
        };
        if quote.revision <= 0 || u32::try_from(quote.revision).is_err() {
            out.push(RuleCode::QuoteRevisionInvalid.at(
                "quote.revision",
                format!("revision {} is not positive", quote.revision),
            ));
        }
        if quote.valid_until < input.context.today {
            out.push(RuleCode::QuoteExpired.at(
                "quote.validUntil",
                format!(
                    "quote was valid until {}, today is {}",
                    quote.valid_until, input.context.today
                ),
            ));
        }
        for (path, hash) in [
            ("quote.configurationHash", &quote.configuration_hash),
            ("quote.priceHash", &quote.price_hash),
        ] {
            if hash.trim().is_empty() {
                out.push(RuleCode::QuoteHashMissing.at(path, format!("{path} is missing")));
            } else if hash.chars().count() > 256 || hash.chars().any(char::is_control) {
                out.push(RuleCode::ReferenceInvalid.at(
                    path,
                    format!("{path} is longer than 256 characters or contains control characters"),
                ));
            }
        }
    },
};

pub(crate) const QUOTE_NOT_CONVERTED: Rule = Rule {
    name: "quote-not-converted",
    codes: &[RuleCode::QuoteAlreadyConverted],
    check: |input, out| {
        if input.intake.quote.is_some()
            && let Some(existing) = input.other_order(input.context.quote_converted_by)
        {
            out.push(RuleCode::QuoteAlreadyConverted.at(
                "quote.quoteId",
                format!("already converted by order {existing}"),
            ));
        }
    },
};

/// Quote-derived items carry the accepted snapshot: offering version and item total.
pub(crate) const QUOTE_ITEMS_COMPLETE: Rule = Rule {
    name: "quote-items-complete",
    codes: &[
        RuleCode::ProductOfferingVersionInvalid,
        RuleCode::FieldRequired,
    ],
    check: |input, out| {
        for (i, item) in input.intake.items.iter().enumerate() {
            if item.product_offering_version.is_none() {
                out.push(RuleCode::ProductOfferingVersionInvalid.at(
                    item_path(i, "productOfferingVersion"),
                    "the accepted offering version is required",
                ));
            }
            if item.item_total.is_none() {
                out.push(RuleCode::FieldRequired.at(
                    item_path(i, "itemTotal"),
                    "the accepted item total is required",
                ));
            }
            check_text(
                out,
                item_path(i, "productOfferingName"),
                item.product_offering_name.as_deref(),
                true,
            );
        }
    },
};

/// Direct orders have no quote evidence, so every item must name its catalog version.
pub(crate) const DIRECT_ITEMS_COMPLETE: Rule = Rule {
    name: "direct-items-complete",
    codes: &[RuleCode::ProductOfferingVersionInvalid],
    check: |input, out| {
        debug_assert_eq!(input.intake.capture_mode, CaptureMode::DirectOrder);
        for (i, item) in input.intake.items.iter().enumerate() {
            if item.product_offering_version.is_none() {
                out.push(RuleCode::ProductOfferingVersionInvalid.at(
                    item_path(i, "productOfferingVersion"),
                    "direct orders must name the catalog version",
                ));
            }
        }
    },
};
