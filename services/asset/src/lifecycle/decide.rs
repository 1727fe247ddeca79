//! `decide`: what one fulfilled item does to one asset. Pure: the current asset (if any), the
//! change, and the metadata of the event to emit go in; the next state and its event, or an
//! inconsistency and its event, come out.
//!
//! An item whose effect is NONE has no effect, whatever its action: fulfillment says the
//! installed base was not touched, and order-capture completes such an item on
//! `OrderItemFulfilled` without waiting for an asset event. Any other item yields exactly one
//! asset event, a change or an inconsistency, because order-capture completes (or fails) the
//! item on it. Checks, in order: the reported effect must be the effect of the item's action;
//! the table ([`super::rule`]) must allow the action in the asset's status; an existing asset
//! must belong to the item's customer and account; MOVE needs an address and RENEW a term.

use oms_domain::TransitionMeta;
use oms_domain::events::{
    AssetCreated, AssetEvent, AssetEventBase, AssetInconsistencyDetected, AssetModified,
    AssetMoved, AssetRenewed, AssetResumed, AssetSuspended, AssetTerminated, InstalledAsset,
};
use oms_domain::vocab::{AssetEffect, AssetStatus, ItemAction};

use super::table::{InconsistencyCode, Rule, expected_status, rule};
use super::term::{renewal_start, term_end};
use crate::model::{AssetState, FulfilledChange};

/// The outcome of one fulfilled item.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Effect NONE (NO_CHANGE): nothing to store, nothing to emit.
    NoEffect,
    /// The asset becomes `next`; `event` reports it.
    Apply {
        next: Box<AssetState>,
        event: AssetEvent,
    },
    /// The change is impossible; the asset stays as it is.
    Refuse(Inconsistency),
}

/// A change the installed base could not take.
#[derive(Debug, Clone, PartialEq)]
pub struct Inconsistency {
    pub code: InconsistencyCode,
    pub expected_status: Option<AssetStatus>,
    /// `None` when the asset does not exist.
    pub actual_status: Option<AssetStatus>,
    pub description: String,
    /// The `AssetInconsistencyDetected` to emit.
    pub event: AssetEvent,
}

/// Decides what `change` does to `current` (`None`: no asset with that id in the tenant).
/// `meta` becomes the emitted event's metadata.
pub fn decide(
    current: Option<&AssetState>,
    change: &FulfilledChange,
    meta: &TransitionMeta,
) -> Decision {
    let action = change.item.action;
    if change.effect == AssetEffect::None {
        return Decision::NoEffect;
    }
    let refuse = |code: InconsistencyCode, detail: String| {
        Decision::Refuse(inconsistency(current, change, meta, code, detail))
    };
    if change.effect != action.expected_effect() {
        return refuse(
            InconsistencyCode::AssetEffectMismatch,
            format!(
                "fulfillment reports effect {:?} for a {action:?} item, which has effect {:?}",
                change.effect,
                action.expected_effect()
            ),
        );
    }
    let to = match rule(action, current.map(AssetState::status)) {
        Rule::NoEffect => return Decision::NoEffect,
        Rule::Refuse(code) => {
            let status =
                current.map_or_else(|| "absent".to_owned(), |a| format!("{:?}", a.status()));
            return refuse(
                code,
                format!("{action:?} is not possible on an asset that is {status}"),
            );
        }
        Rule::Allow(to) => to,
    };
    let Some(asset) = current else {
        return created(change, meta);
    };
    let item = &change.item;
    if asset.installed.customer_id != item.customer_id
        || asset.installed.account_id != item.account_id
    {
        return refuse(
            InconsistencyCode::AssetOwnerMismatch,
            format!(
                "the item is for customer {} / account {}, the asset belongs to {} / {}",
                item.customer_id,
                item.account_id,
                asset.installed.customer_id,
                asset.installed.account_id
            ),
        );
    }
    let mut next = asset.clone();
    next.installed.status = to;
    next.last_order_id = change.order_id;
    next.last_item_id = change.item_id;
    if !change.service_refs.is_empty() {
        next.service_refs.clone_from(&change.service_refs);
    }
    if !change.resource_refs.is_empty() {
        next.resource_refs.clone_from(&change.resource_refs);
    }
    let base = base(change, meta);
    let event: AssetEvent = match action {
        ItemAction::Modify => {
            next.installed.configuration.clone_from(&item.configuration);
            next.installed.product = item.product.clone();
            next.installed.quantity = item.quantity;
            next.installed.price = item.price.clone();
            next.installed.billing_account_id = item.billing_account_id.clone();
            AssetModified {
                base,
                asset: next.installed.clone(),
            }
            .into()
        }
        ItemAction::Delete => {
            next.terminated_on = Some(change.fulfilled_on);
            AssetTerminated {
                base,
                asset: next.installed.clone(),
                terminated_on: change.fulfilled_on,
            }
            .into()
        }
        ItemAction::Suspend => AssetSuspended {
            base,
            asset: next.installed.clone(),
        }
        .into(),
        ItemAction::Resume => AssetResumed {
            base,
            asset: next.installed.clone(),
        }
        .into(),
        ItemAction::Move => {
            let Some(address) = item.service_address.clone() else {
                return refuse(
                    InconsistencyCode::MoveAddressMissing,
                    "the MOVE item carries no service address".to_owned(),
                );
            };
            let previous_location = next.installed.service_address.replace(address);
            AssetMoved {
                base,
                asset: next.installed.clone(),
                previous_location,
            }
            .into()
        }
        ItemAction::Renew => {
            let months = item.term_months.or(asset.installed.term_months);
            let start = renewal_start(asset.installed.term_end_date, change.fulfilled_on);
            let Some((months, end)) = months.and_then(|m| Some((m, term_end(start, m)?))) else {
                return refuse(
                    InconsistencyCode::RenewTermInvalid,
                    format!("cannot renew for a term of {months:?} months"),
                );
            };
            next.installed.term_months = Some(months);
            next.installed.term_end_date = Some(end);
            next.installed.price = item.price.clone();
            next.term_start_date = Some(start);
            next.renewal_count += 1;
            AssetRenewed {
                base,
                asset: next.installed.clone(),
                previous_term_end_date: asset.installed.term_end_date,
            }
            .into()
        }
        // ADD on an existing asset and NO_CHANGE never reach here: the table refuses the one
        // and has no effect for the other.
        ItemAction::Add | ItemAction::NoChange => return Decision::NoEffect,
    };
    Decision::Apply {
        next: Box::new(next),
        event,
    }
}

/// ADD on an absent asset: a new ACTIVE asset with everything the item carries.
fn created(change: &FulfilledChange, meta: &TransitionMeta) -> Decision {
    let item = &change.item;
    let term_start = change.activation_date.unwrap_or(change.fulfilled_on);
    let installed = InstalledAsset {
        customer_id: item.customer_id.clone(),
        account_id: item.account_id.clone(),
        billing_account_id: item.billing_account_id.clone(),
        product: item.product.clone(),
        quantity: item.quantity,
        status: AssetStatus::Active,
        configuration: item.configuration.clone(),
        service_address: item.service_address.clone(),
        price: item.price.clone(),
        activation_date: change.activation_date,
        term_months: item.term_months,
        term_end_date: item.term_months.and_then(|m| term_end(term_start, m)),
    };
    let next = AssetState {
        asset_id: change.asset_id.clone(),
        tenant_id: change.tenant_id.clone(),
        installed: installed.clone(),
        term_start_date: item.term_months.map(|_| term_start),
        renewal_count: 0,
        terminated_on: None,
        service_refs: change.service_refs.clone(),
        resource_refs: change.resource_refs.clone(),
        source_order_id: change.order_id,
        source_item_id: change.item_id,
        last_order_id: change.order_id,
        last_item_id: change.item_id,
    };
    let event = AssetCreated {
        base: base(change, meta),
        asset: installed,
    }
    .into();
    Decision::Apply {
        next: Box::new(next),
        event,
    }
}

fn inconsistency(
    current: Option<&AssetState>,
    change: &FulfilledChange,
    meta: &TransitionMeta,
    code: InconsistencyCode,
    description: String,
) -> Inconsistency {
    let action = change.item.action;
    let expected_status = expected_status(action);
    let actual_status = current.map(AssetState::status);
    let event = AssetInconsistencyDetected {
        base: base(change, meta),
        attempted_action: action,
        expected_status,
        actual_status,
        description: format!("{code}: {description}"),
    }
    .into();
    Inconsistency {
        code,
        expected_status,
        actual_status,
        description,
        event,
    }
}

fn base(change: &FulfilledChange, meta: &TransitionMeta) -> AssetEventBase {
    AssetEventBase {
        asset_id: change.asset_id.clone(),
        tenant_id: change.tenant_id.clone(),
        order_id: change.order_id,
        item_id: change.item_id,
        meta: meta.clone(),
    }
}
