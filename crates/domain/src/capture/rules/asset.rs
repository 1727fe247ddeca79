//! Installed-base rules (DOMAIN §3, 001 §8.7): target asset presence per action, and the
//! looked-up asset snapshot: exists for this tenant, owned by the ordering customer and
//! account, in a status that allows the action, not changed by another in-flight order,
//! and changed by at most one item of this order.
//!
//! An asset of another tenant is reported as ASSET_NOT_FOUND, never as "owned by someone
//! else": a caller must not learn that another tenant's asset exists.

use std::collections::BTreeMap;

use super::{Rule, RuleInput, item_path};
use crate::capture::codes::RuleCode;
use crate::capture::violation::Violation;

pub(crate) const TARGET_ASSET_PRESENCE: Rule = Rule {
    name: "target-asset-presence",
    codes: &[
        RuleCode::TargetAssetRequired,
        RuleCode::TargetAssetNotAllowed,
    ],
    check: |input, out| {
        for (i, item) in input.intake.items.iter().enumerate() {
            let has_target = item
                .target_asset_id
                .as_deref()
                .is_some_and(|a| !a.trim().is_empty());
            if item.action.requires_target_asset() && !has_target {
                out.push(RuleCode::TargetAssetRequired.at(
                    item_path(i, "targetAssetId"),
                    format!("targetAssetId is required for {:?} action", item.action),
                ));
            } else if !item.action.requires_target_asset() && item.target_asset_id.is_some() {
                out.push(RuleCode::TargetAssetNotAllowed.at(
                    item_path(i, "targetAssetId"),
                    "ADD creates a new asset and must not name one",
                ));
            }
        }
    },
};

pub(crate) const TARGET_ASSET_SNAPSHOT: Rule = Rule {
    name: "target-asset-snapshot",
    codes: &[
        RuleCode::AssetNotFound,
        RuleCode::AssetNotOwnedByCustomer,
        RuleCode::AssetStateDisallowsAction,
        RuleCode::AssetInFlight,
    ],
    check: target_asset_snapshot,
};

fn target_asset_snapshot(input: &RuleInput<'_>, out: &mut Vec<Violation>) {
    let customer = &input.intake.customer;
    for (i, item) in input.intake.items.iter().enumerate() {
        let Some(asset_id) = item.target_asset_id.as_deref() else {
            continue;
        };
        if !item.action.requires_target_asset() {
            continue; // reported by TARGET_ASSET_PRESENCE
        }
        let path = item_path(i, "targetAssetId");
        let snapshot = input
            .context
            .assets
            .get(asset_id)
            .filter(|a| a.tenant_id == input.context.caller_tenant);
        let Some(asset) = snapshot else {
            out.push(
                RuleCode::AssetNotFound.at(path, format!("asset '{asset_id}' does not exist")),
            );
            continue;
        };
        if asset.customer_id.as_str() != customer.customer_id
            || asset.account_id.as_str() != customer.account_id
        {
            out.push(RuleCode::AssetNotOwnedByCustomer.at(
                &path,
                format!(
                    "asset '{asset_id}' does not belong to customer '{}' / account '{}'",
                    customer.customer_id, customer.account_id
                ),
            ));
        }
        if !item.action.allowed_on(asset.status) {
            out.push(RuleCode::AssetStateDisallowsAction.at(
                item_path(i, "action"),
                format!(
                    "{:?} is not allowed on an asset in status {:?}",
                    item.action, asset.status
                ),
            ));
        }
        if let Some(other) = input.other_order(asset.in_flight_order_id) {
            out.push(RuleCode::AssetInFlight.at(
                path,
                format!("order {other} is already changing asset '{asset_id}'"),
            ));
        }
    }
}

pub(crate) const ONE_CHANGE_PER_ASSET: Rule = Rule {
    name: "one-change-per-asset",
    codes: &[RuleCode::ConflictingAssetActions],
    check: |input, out| {
        let mut seen = BTreeMap::new();
        for (i, item) in input.intake.items.iter().enumerate() {
            let Some(asset) = item.target_asset_id.as_deref() else {
                continue;
            };
            if !item.action.is_mutating() {
                continue;
            }
            if let Some(first) = seen.insert(asset, i) {
                out.push(RuleCode::ConflictingAssetActions.at(
                    item_path(i, "targetAssetId"),
                    format!("items[{first}] already changes asset '{asset}'"),
                ));
            }
        }
    },
};
