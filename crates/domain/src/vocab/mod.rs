//! The shared words of the domain (DOMAIN.md §1-8) as closed enums, so every service uses
//! the same spelling in code, SQL, events and API. All serialise as SCREAMING_SNAKE_CASE.
//!
//! This module owns the order-level vocabulary; item/asset words live in `action.rs` and
//! execution words (decomposition, fulfillment, cancellation) in `execution.rs`.

mod action;
mod execution;

pub use action::{AssetEffect, AssetStatus, DependencyType, ItemAction, PriceKind};
pub use execution::{
    CancellationFeasibility, DecompositionFailureCode, ExternalEffectLevel, FalloutCategory,
    ItemInput, RepairResolution, TaskReversibility,
};

use serde::{Deserialize, Serialize};

/// How an order entered the system; selects the validation profile (001 §7). Not a UI label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CaptureMode {
    QuoteDerived,
    DirectOrder,
    Amendment,
    Cancellation,
    Supplemental,
    AdminMigration,
}

impl CaptureMode {
    pub const ALL: [Self; 6] = [
        Self::QuoteDerived,
        Self::DirectOrder,
        Self::Amendment,
        Self::Cancellation,
        Self::Supplemental,
        Self::AdminMigration,
    ];
}

/// Lifecycle category of the whole order (002 §7.1); item actions carry the per-line intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderType {
    NewProvide,
    Change,
    Disconnect,
    Move,
    Renewal,
    SuspendResume,
    Supplemental,
    Migration,
}

impl OrderType {
    /// Order type implied by the item actions when the source does not state one.
    /// `NO_CHANGE` lines are bundle context and do not vote.
    pub fn derive_from_actions(actions: &[ItemAction]) -> Self {
        let voting: Vec<ItemAction> = actions
            .iter()
            .copied()
            .filter(|a| *a != ItemAction::NoChange)
            .collect();
        let all =
            |pred: fn(ItemAction) -> bool| !voting.is_empty() && voting.iter().all(|a| pred(*a));
        if all(|a| a == ItemAction::Add) {
            Self::NewProvide
        } else if all(|a| a == ItemAction::Delete) {
            Self::Disconnect
        } else if all(|a| matches!(a, ItemAction::Suspend | ItemAction::Resume)) {
            Self::SuspendResume
        } else if voting.contains(&ItemAction::Move) {
            Self::Move
        } else if all(|a| a == ItemAction::Renew) {
            Self::Renewal
        } else {
            Self::Change
        }
    }

    /// Whether a stated order type plausibly matches the item actions. Used for a WARNING
    /// (not an error): real catalogs have bundle transitions we cannot enumerate here.
    pub fn consistent_with(self, actions: &[ItemAction]) -> bool {
        let voting = || {
            actions
                .iter()
                .copied()
                .filter(|a| *a != ItemAction::NoChange)
        };
        match self {
            Self::NewProvide => voting().all(|a| a == ItemAction::Add),
            Self::Disconnect => voting().all(|a| a == ItemAction::Delete),
            Self::SuspendResume => {
                voting().all(|a| matches!(a, ItemAction::Suspend | ItemAction::Resume))
            }
            Self::Move => voting().any(|a| a == ItemAction::Move),
            Self::Renewal => voting().any(|a| a == ItemAction::Renew),
            Self::Change | Self::Supplemental | Self::Migration => true,
        }
    }
}

/// Business reason behind the order (002 §7.2); same type may carry different governance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderIntent {
    CustomerPurchase,
    Amendment,
    RetentionSave,
    ComplianceChange,
    TechnicalRemediation,
    InternalMigration,
    /// Credit / refund orders: the only intent whose totals may be negative (001 §8.8).
    BillingAdjustment,
}

impl OrderIntent {
    pub fn allows_negative_total(self) -> bool {
        self == Self::BillingAdjustment
    }

    /// Default intent per capture mode when the source states none.
    pub fn default_for(mode: CaptureMode) -> Self {
        match mode {
            CaptureMode::QuoteDerived | CaptureMode::DirectOrder | CaptureMode::Supplemental => {
                Self::CustomerPurchase
            }
            CaptureMode::Amendment | CaptureMode::Cancellation => Self::Amendment,
            CaptureMode::AdminMigration => Self::InternalMigration,
        }
    }
}

/// Holds are orthogonal to state (000 §13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HoldType {
    Credit,
    Fraud,
    Legal,
    Document,
    ManualVerification,
    Capacity,
    Serviceability,
}

impl HoldType {
    pub const ALL: [Self; 7] = [
        Self::Credit,
        Self::Fraud,
        Self::Legal,
        Self::Document,
        Self::ManualVerification,
        Self::Capacity,
        Self::Serviceability,
    ];

    /// Holds the customer can clear themselves (send a document, settle credit). Only these
    /// surface as "Action required"; fraud/legal/capacity holds never leak to the customer.
    pub fn needs_customer_action(self) -> bool {
        matches!(self, Self::Credit | Self::Document)
    }
}

/// Link from this order to another one (004 §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RelationType {
    Amends,
    Cancels,
    Supplements,
    Replaces,
    Compensates,
    Repairs,
}
