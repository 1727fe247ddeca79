//! Validation profiles: the common rule set plus one rule set per capture mode (001 §7).
//!
//! | mode | adds to the common rules |
//! |---|---|
//! | QUOTE_DERIVED | quote required, quote evidence (revision, expiry, hashes), not yet converted, items carry the accepted version and total |
//! | DIRECT_ORDER | quote forbidden, items name their catalog version |
//! | AMENDMENT | AMENDS relation; quote evidence if a quote is given |
//! | CANCELLATION | CANCELS relation |
//! | SUPPLEMENTAL | SUPPLEMENTS relation; quote evidence if a quote is given |
//! | ADMIN_MIGRATION | reason code and evidence (which also unlocks past requested dates) |
//!
//! SUPPLEMENTAL also checks the supplemented order's snapshot (exists in the tenant, not
//! rejected/cancelled/closed, same customer and account). Amendments and cancellations of
//! an order in flight are commands on that order (`crate::change`), not captures; the
//! AMENDMENT and CANCELLATION capture modes stay for upstream systems that send a whole
//! change order.

use super::codes::RuleCode;
use super::context::CaptureContext;
use super::intake::CaptureOrder;
use super::rules::{Rule, RuleInput, asset, dates, intake, pricing, profile, quote, structure};
use super::violation::ValidationReport;
use crate::value::OrderId;
use crate::vocab::CaptureMode;

/// Rules every capture runs, whatever its mode.
pub const COMMON_RULES: &[Rule] = &[
    intake::ITEMS_PRESENT,
    intake::TENANT_MATCHES,
    intake::REQUIRED_REFERENCES,
    intake::POSITIVE_NUMBERS,
    intake::CURRENCY,
    intake::AMOUNT_PRECISION,
    intake::CONFIGURATION_KEYS,
    structure::UNIQUE_LINES,
    structure::HIERARCHY,
    structure::DEPENDENCIES,
    structure::ADD_UNDER_DISCONNECT,
    structure::ORDER_TYPE,
    asset::TARGET_ASSET_PRESENCE,
    asset::TARGET_ASSET_SNAPSHOT,
    asset::ONE_CHANGE_PER_ASSET,
    dates::REQUESTED_DATES,
    pricing::PRICE_COMPONENTS,
    pricing::ORDER_TOTAL,
    profile::RELATION_IDS,
    profile::EXTERNAL_REF_UNIQUE,
];

const QUOTE_DERIVED: &[Rule] = &[
    quote::QUOTE_REQUIRED,
    quote::QUOTE_EVIDENCE,
    quote::QUOTE_NOT_CONVERTED,
    quote::QUOTE_ITEMS_COMPLETE,
];
const DIRECT_ORDER: &[Rule] = &[quote::QUOTE_FORBIDDEN, quote::DIRECT_ITEMS_COMPLETE];
const AMENDMENT: &[Rule] = &[
    profile::AMENDS_RELATION,
    quote::QUOTE_EVIDENCE,
    quote::QUOTE_NOT_CONVERTED,
];
const CANCELLATION: &[Rule] = &[profile::CANCELS_RELATION];
const SUPPLEMENTAL: &[Rule] = &[
    profile::SUPPLEMENTS_RELATION,
    profile::SUPPLEMENTED_ORDER,
    quote::QUOTE_EVIDENCE,
    quote::QUOTE_NOT_CONVERTED,
];
const ADMIN_MIGRATION: &[Rule] = &[profile::MIGRATION_EVIDENCE];

/// The mode-specific rules of a profile (run after [`COMMON_RULES`]).
pub fn profile_rules(mode: CaptureMode) -> &'static [Rule] {
    match mode {
        CaptureMode::QuoteDerived => QUOTE_DERIVED,
        CaptureMode::DirectOrder => DIRECT_ORDER,
        CaptureMode::Amendment => AMENDMENT,
        CaptureMode::Cancellation => CANCELLATION,
        CaptureMode::Supplemental => SUPPLEMENTAL,
        CaptureMode::AdminMigration => ADMIN_MIGRATION,
    }
}

/// Every rule code some rule of some profile can emit.
pub fn codes_with_a_rule() -> Vec<RuleCode> {
    let mut codes: Vec<RuleCode> = COMMON_RULES
        .iter()
        .chain(CaptureMode::ALL.iter().flat_map(|m| profile_rules(*m)))
        .flat_map(|r| r.codes.iter().copied())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// Runs the common rules and the intake's capture-mode profile. Pure and deterministic:
/// the same intake and context always give the same report, in the same order.
///
/// `order_id` is the order being (re)validated, so it never conflicts with itself; pass
/// `None` for the advisory validation endpoint.
pub fn validate_capture(
    intake: &CaptureOrder,
    context: &CaptureContext,
    order_id: Option<OrderId>,
) -> ValidationReport {
    let input = RuleInput {
        intake,
        context,
        order_id,
    };
    let mut violations = Vec::new();
    for rule in COMMON_RULES
        .iter()
        .chain(profile_rules(intake.capture_mode))
    {
        rule.run(&input, &mut violations);
    }
    ValidationReport { violations }
}
