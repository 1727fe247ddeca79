//! The item transition table (DOMAIN §4): `PENDING → IN_PROGRESS → COMPLETED | FAILED`,
//! `CANCELLING → CANCELLED`, `WAIVED` by audited policy decision.
//!
//! Deliberate extras, each with a reason:
//! - PENDING → COMPLETED: items whose tasks finish in one step (or NO_CHANGE lines without
//!   tasks) report completion without a separate start fact.
//! - IN_PROGRESS → IN_PROGRESS on `Start`: an item has several tasks, each reporting a
//!   start; the later ones are absorbed (decide emits nothing).
//! - COMPLETED → CANCELLING: a completed item whose effect is reversible is compensated
//!   when the order is cancelled (004 §11: completed is not necessarily irreversible).
//! - FAILED → IN_PROGRESS on `Retry`: only through a fallout repair.
//! - PENDING | IN_PROGRESS → CANCELLED on `Cancel`: pre-execution cancellation and closing a
//!   failed order stop items that never had an external effect to compensate.

use serde::{Deserialize, Serialize};

use super::ItemState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemTrigger {
    Start,
    ReportProgress,
    Complete,
    Fail,
    Retry,
    Waive,
    BeginCancel,
    FinishCancel,
    Cancel,
}

impl ItemTrigger {
    pub const ALL: [Self; 9] = [
        Self::Start,
        Self::ReportProgress,
        Self::Complete,
        Self::Fail,
        Self::Retry,
        Self::Waive,
        Self::BeginCancel,
        Self::FinishCancel,
        Self::Cancel,
    ];
}

use ItemState as I;
use ItemTrigger as T;

pub const ITEM_TRANSITIONS: &[(ItemState, ItemTrigger, ItemState)] = &[
    (I::Pending, T::Start, I::InProgress),
    (I::Pending, T::ReportProgress, I::Pending),
    (I::Pending, T::Complete, I::Completed),
    (I::Pending, T::Fail, I::Failed),
    (I::Pending, T::Waive, I::Waived),
    (I::Pending, T::BeginCancel, I::Cancelling),
    (I::Pending, T::Cancel, I::Cancelled),
    (I::InProgress, T::Start, I::InProgress),
    (I::InProgress, T::ReportProgress, I::InProgress),
    (I::InProgress, T::Complete, I::Completed),
    (I::InProgress, T::Fail, I::Failed),
    (I::InProgress, T::Waive, I::Waived),
    (I::InProgress, T::BeginCancel, I::Cancelling),
    (I::InProgress, T::Cancel, I::Cancelled),
    (I::Failed, T::Retry, I::InProgress),
    (I::Failed, T::Waive, I::Waived),
    (I::Failed, T::BeginCancel, I::Cancelling),
    (I::Completed, T::BeginCancel, I::Cancelling),
    (I::Cancelling, T::ReportProgress, I::Cancelling),
    (I::Cancelling, T::FinishCancel, I::Cancelled),
];

pub fn can_transition_item(from: ItemState, trigger: ItemTrigger, to: ItemState) -> bool {
    ITEM_TRANSITIONS
        .iter()
        .any(|&(f, t, s)| f == from && t == trigger && s == to)
}

/// The target of `trigger` from `from` (the item table is deterministic), if allowed.
pub fn item_targets(from: ItemState, trigger: ItemTrigger) -> Option<ItemState> {
    ITEM_TRANSITIONS
        .iter()
        .find(|&&(f, t, _)| f == from && t == trigger)
        .map(|&(_, _, to)| to)
}
