//! The asset transition table: for every item action and every asset status (including "no
//! such asset"), the change is either allowed, leaving the asset in a given status, refused with
//! a stable [`InconsistencyCode`], or has no effect at all.
//!
//! It agrees with `ItemAction::allowed_on` (DOMAIN §3), the rule order-capture validates
//! orders against, so an order that passed validation against a fresh asset snapshot is never
//! refused here; a refusal means the installed base moved under the order.

use oms_domain::vocab::{AssetStatus, ItemAction};
use serde::Serialize;

/// Why a fulfilled item could not be applied. The codes are stable: they are stored on
/// inconsistency cases, shown by the operator API and counted in metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InconsistencyCode {
    /// ADD for an asset id that already exists.
    AssetAlreadyExists,
    /// A change to an asset that does not exist.
    AssetNotFound,
    /// A change to an asset that is still waiting for activation.
    AssetPendingActivation,
    /// MODIFY, MOVE, RENEW or SUSPEND on a SUSPENDED asset (they need ACTIVE).
    AssetNotActive,
    /// RESUME on an asset that is not SUSPENDED.
    AssetNotSuspended,
    /// Any change to a TERMINATED asset.
    AssetTerminated,
    /// The item's customer or account is not the asset's owner.
    AssetOwnerMismatch,
    /// The effect fulfillment reports is not the effect of the item's action.
    AssetEffectMismatch,
    /// MOVE without a new service address.
    MoveAddressMissing,
    /// RENEW without a term (neither the item nor the asset has one) or with a term out of range.
    RenewTermInvalid,
}

impl InconsistencyCode {
    pub const ALL: [Self; 10] = [
        Self::AssetAlreadyExists,
        Self::AssetNotFound,
        Self::AssetPendingActivation,
        Self::AssetNotActive,
        Self::AssetNotSuspended,
        Self::AssetTerminated,
        Self::AssetOwnerMismatch,
        Self::AssetEffectMismatch,
        Self::MoveAddressMissing,
        Self::RenewTermInvalid,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AssetAlreadyExists => "ASSET_ALREADY_EXISTS",
            Self::AssetNotFound => "ASSET_NOT_FOUND",
            Self::AssetPendingActivation => "ASSET_PENDING_ACTIVATION",
            Self::AssetNotActive => "ASSET_NOT_ACTIVE",
            Self::AssetNotSuspended => "ASSET_NOT_SUSPENDED",
            Self::AssetTerminated => "ASSET_TERMINATED",
            Self::AssetOwnerMismatch => "ASSET_OWNER_MISMATCH",
            Self::AssetEffectMismatch => "ASSET_EFFECT_MISMATCH",
            Self::MoveAddressMissing => "MOVE_ADDRESS_MISSING",
            Self::RenewTermInvalid => "RENEW_TERM_INVALID",
        }
    }
}

impl std::fmt::Display for InconsistencyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One cell of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The change applies and leaves the asset in this status.
    Allow(AssetStatus),
    /// The change is impossible in this status.
    Refuse(InconsistencyCode),
    /// The action does not touch the installed base.
    NoEffect,
}

use AssetStatus::{Active, Suspended, Terminated};
use InconsistencyCode::{
    AssetAlreadyExists as EXISTS, AssetNotActive as NOT_ACTIVE, AssetNotFound as NOT_FOUND,
    AssetNotSuspended as NOT_SUSPENDED, AssetPendingActivation as PENDING,
    AssetTerminated as TERMINATED,
};
use Rule::{Allow, NoEffect, Refuse};

/// Rows: item action. Columns: no such asset, PENDING, ACTIVE, SUSPENDED, TERMINATED.
#[rustfmt::skip]
const TABLE: [(ItemAction, [Rule; 5]); 8] = [
    //                        absent             PENDING         ACTIVE                SUSPENDED              TERMINATED
    (ItemAction::Add,       [Allow(Active),     Refuse(EXISTS),  Refuse(EXISTS),        Refuse(EXISTS),        Refuse(EXISTS)]),
    (ItemAction::Modify,    [Refuse(NOT_FOUND), Refuse(PENDING), Allow(Active),         Refuse(NOT_ACTIVE),    Refuse(TERMINATED)]),
    (ItemAction::Delete,    [Refuse(NOT_FOUND), Refuse(PENDING), Allow(Terminated),     Allow(Terminated),     Refuse(TERMINATED)]),
    (ItemAction::Suspend,   [Refuse(NOT_FOUND), Refuse(PENDING), Allow(Suspended),      Refuse(NOT_ACTIVE),    Refuse(TERMINATED)]),
    (ItemAction::Resume,    [Refuse(NOT_FOUND), Refuse(PENDING), Refuse(NOT_SUSPENDED), Allow(Active),         Refuse(TERMINATED)]),
    (ItemAction::Move,      [Refuse(NOT_FOUND), Refuse(PENDING), Allow(Active),         Refuse(NOT_ACTIVE),    Refuse(TERMINATED)]),
    (ItemAction::Renew,     [Refuse(NOT_FOUND), Refuse(PENDING), Allow(Active),         Refuse(NOT_ACTIVE),    Refuse(TERMINATED)]),
    (ItemAction::NoChange,  [NoEffect,          NoEffect,        NoEffect,              NoEffect,              NoEffect]),
];

/// The cell for `action` on an asset in `current` (`None`: no such asset).
pub fn rule(action: ItemAction, current: Option<AssetStatus>) -> Rule {
    let column = match current {
        None => 0,
        Some(AssetStatus::Pending) => 1,
        Some(Active) => 2,
        Some(Suspended) => 3,
        Some(Terminated) => 4,
    };
    TABLE
        .iter()
        .find(|(row, _)| *row == action)
        .map_or(NoEffect, |(_, cells)| cells[column])
}

/// The status an action needs (reported on a refusal): none for ADD (the asset must be
/// absent) and NO_CHANGE, SUSPENDED for RESUME, ACTIVE for the others (a disconnect also
/// accepts SUSPENDED).
pub fn expected_status(action: ItemAction) -> Option<AssetStatus> {
    match action {
        ItemAction::Add | ItemAction::NoChange => None,
        ItemAction::Resume => Some(Suspended),
        ItemAction::Modify
        | ItemAction::Delete
        | ItemAction::Suspend
        | ItemAction::Move
        | ItemAction::Renew => Some(Active),
    }
}
