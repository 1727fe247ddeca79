//! Classified decomposition failures (DOMAIN §6): a code from `DecompositionFailureCode`,
//! the item it concerns, what is wrong, and what an operator should do about it.
//!
//! When each code applies (the planner checks in this order and reports the first failure;
//! within one phase, items in line order):
//!
//! | phase | code | applies when |
//! |---|---|---|
//! | 1 structure | ORDER_INVALID | no items; an item id twice; a parent or prerequisite that is not an item of the order, or the item itself; a cycle in the hierarchy or in the declared dependencies |
//! | 2 item data | ORDER_INVALID | ADD with a target asset; a mutating item without offering version; a child that builds up under a parent being disconnected or suspended (and anything but DELETE under a DELETE); an order with nothing but NO_CHANGE items |
//! | 3 assets | TARGET_ASSET_NOT_FOUND | any action other than ADD without a target asset (the asset the action works on cannot be found in the order) |
//! | 4 catalog | DECOMPOSITION_RULE_MISSING | the catalog has no rule for the item's offering at all (catalog fix: add the offering) |
//! | 4 catalog | TECHNICAL_CATALOG_MAPPING_MISSING | the offering is in the catalog, but no rule's version range contains the item's offering version (catalog fix: map that version) |
//! | 4 catalog | UNSUPPORTED_ACTION_TYPE | rules cover the offering and version, but none for the item's action (fix the order's action, or add a rule if the action should be supported) |
//! | 5 context | ORDER_INVALID | the item's rule needs a technician visit or a shipment and the order has no service location |
//! | 6 graph | ORDER_INVALID | the declared dependencies and the hierarchy, as the rules apply them, wait on each other in a cycle |
//!
//! NO_CHANGE items need no rule (they get no task) and are skipped in phase 4.
//! TEMPORARY_DEPENDENCY_UNAVAILABLE (retry) and INTERNAL_ERROR come from the service layer
//! ([`DecompositionFailure::temporary`], [`DecompositionFailure::internal`]); only the first
//! is retryable, every other code needs a data or catalog fix first.

use oms_domain::value::OrderItemId;

use oms_domain::vocab::DecompositionFailureCode as Code;

use super::input::PlanningItem;
use crate::catalog::{RuleMiss, VersionRange, action_str};
use serde::{Deserialize, Serialize};

/// Why an order could not be decomposed, for `OrderDecompositionFailed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{}: {message}", code.as_str())]
pub struct DecompositionFailure {
    pub code: Code,
    /// The item the failure concerns; `None` for order-level problems.
    pub item_id: Option<OrderItemId>,
    pub message: String,
    /// What an operator should do; shown in the fallout case.
    pub remediation: String,
}

impl DecompositionFailure {
    pub fn new(
        code: Code,
        item_id: Option<OrderItemId>,
        message: impl Into<String>,
        remediation: impl Into<String>,
    ) -> Self {
        Self {
            code,
            item_id,
            message: message.into(),
            remediation: remediation.into(),
        }
    }

    /// ORDER_INVALID: the order data must be repaired in order-capture.
    pub fn order_invalid(item_id: Option<OrderItemId>, message: impl Into<String>) -> Self {
        Self::new(
            Code::OrderInvalid,
            item_id,
            message,
            "Repair the order data in order-capture (item hierarchy, dependencies, actions, \
             offering versions, service location), then release the order for decomposition \
             again. Retrying the same order unchanged fails the same way.",
        )
    }

    /// TEMPORARY_DEPENDENCY_UNAVAILABLE, from the service layer (database or broker down).
    pub fn temporary(message: impl Into<String>) -> Self {
        Self::new(
            Code::TemporaryDependencyUnavailable,
            None,
            message,
            "None needed: decomposition retries with backoff. If it persists, check the \
             decomposition service's database and broker connectivity.",
        )
    }

    /// INTERNAL_ERROR, from the service layer (a bug or an inconsistent stored catalog).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            Code::InternalError,
            None,
            message,
            "Report to the OMS team with the order id; the decomposition service logs carry \
             the details. Re-run decomposition once fixed.",
        )
    }

    pub fn is_retryable(&self) -> bool {
        self.code.is_retryable()
    }

    /// The catalog phase's failure for an item whose rule lookup missed (see the table).
    pub fn catalog_miss(
        item: &PlanningItem,
        version: u32,
        miss: &RuleMiss,
        rules_version: &str,
    ) -> Self {
        let offering = &item.offering_id;
        let action = action_str(item.action);
        let (code, message, remediation) = match miss {
            RuleMiss::OfferingUnknown => (
                Code::DecompositionRuleMissing,
                format!(
                    "item {}: technical catalog {rules_version} has no decomposition rule for \
                     offering {offering}",
                    item.label()
                ),
                format!(
                    "Catalog fix: publish a technical catalog version with rules for offering \
                     {offering} (at least {action} for version {version}), then re-run \
                     decomposition for this order. If the offering id is wrong, correct the order \
                     instead."
                ),
            ),
            RuleMiss::VersionNotMapped { mapped } => (
                Code::TechnicalCatalogMappingMissing,
                format!(
                    "item {}: offering {offering} version {version} has no technical mapping in \
                     catalog {rules_version}; mapped versions: {}",
                    item.label(),
                    ranges(mapped)
                ),
                format!(
                    "Catalog fix: publish a technical catalog version whose rules for {offering} \
                     cover version {version}, then re-run decomposition for this order. If the \
                     order names the wrong offering version, correct the order instead."
                ),
            ),
            RuleMiss::ActionNotSupported { supported } => (
                Code::UnsupportedActionType,
                format!(
                    "item {}: offering {offering} version {version} does not support {action}; \
                     supported actions: {}",
                    item.label(),
                    supported
                        .iter()
                        .map(|a| action_str(*a))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!(
                    "Change the item's action in order-capture to one the product supports (for a \
                     replacement, DELETE the old item and ADD a new one), or, if {action} should \
                     be possible for this product, publish a catalog version with a {action} rule \
                     for {offering}."
                ),
            ),
        };
        Self::new(code, Some(item.item_id), message, remediation)
    }
}

fn ranges(mapped: &[VersionRange]) -> String {
    mapped
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
