//! The amendment safety matrix (004 §15) as data: what each kind of change may do in each
//! phase of the items it touches. "Task started" means a task the change *affects* (uses the
//! changed input, or waits for one that does) may have applied its effect — not any task of
//! the order — so a speed change can still be re-planned after the port was reserved, but
//! not after the service was activated.
//!
//! | change | before decomposition | after decomposition | affected task started | item completed |
//! |---|---|---|---|---|
//! | requested dates | apply | apply | blocked | blocked |
//! | service address | apply | re-decompose | blocked | blocked |
//! | item configuration | apply | re-decompose | blocked | blocked |
//! | item offering | apply, reprice | re-decompose, reprice | blocked | blocked |
//! | item quantity | apply, reprice | re-decompose, reprice | blocked | blocked |
//! | item price alone | blocked | blocked | blocked | blocked |
//!
//! Requested dates are used by no task's identity; the tasks that book them are those on
//! the scheduling systems (workforce, shipping), so those are its "affected tasks".

use serde::{Deserialize, Serialize};

use super::amendment::ChangeKind;

/// Where the items a change touches are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AmendmentPhase {
    BeforeDecomposition,
    AfterDecomposition,
    AffectedTaskStarted,
    ItemCompleted,
}

impl AmendmentPhase {
    pub const ALL: [Self; 4] = [
        Self::BeforeDecomposition,
        Self::AfterDecomposition,
        Self::AffectedTaskStarted,
        Self::ItemCompleted,
    ];
}

/// What the matrix allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SafetyRule {
    /// Change the order content now; nothing to re-plan.
    Apply,
    /// As APPLY, with the new price the change carries.
    ApplyAndReprice,
    /// Re-decompose: replace the affected pending tasks.
    Redecompose,
    RedecomposeAndReprice,
    /// Refused.
    Blocked,
}

impl SafetyRule {
    pub fn allows(self) -> bool {
        self != Self::Blocked
    }

    pub fn redecomposes(self) -> bool {
        matches!(self, Self::Redecompose | Self::RedecomposeAndReprice)
    }

    pub fn reprices(self) -> bool {
        matches!(self, Self::ApplyAndReprice | Self::RedecomposeAndReprice)
    }
}

use AmendmentPhase as P;
use ChangeKind as K;
use SafetyRule as R;

/// Every (change kind, phase) cell of the matrix.
pub const SAFETY_MATRIX: &[(ChangeKind, AmendmentPhase, SafetyRule)] = &[
    (K::RequestedDates, P::BeforeDecomposition, R::Apply),
    (K::RequestedDates, P::AfterDecomposition, R::Apply),
    (K::RequestedDates, P::AffectedTaskStarted, R::Blocked),
    (K::RequestedDates, P::ItemCompleted, R::Blocked),
    (K::ServiceAddress, P::BeforeDecomposition, R::Apply),
    (K::ServiceAddress, P::AfterDecomposition, R::Redecompose),
    (K::ServiceAddress, P::AffectedTaskStarted, R::Blocked),
    (K::ServiceAddress, P::ItemCompleted, R::Blocked),
    (K::ItemConfiguration, P::BeforeDecomposition, R::Apply),
    (K::ItemConfiguration, P::AfterDecomposition, R::Redecompose),
    (K::ItemConfiguration, P::AffectedTaskStarted, R::Blocked),
    (K::ItemConfiguration, P::ItemCompleted, R::Blocked),
    (K::ItemOffering, P::BeforeDecomposition, R::ApplyAndReprice),
    (
        K::ItemOffering,
        P::AfterDecomposition,
        R::RedecomposeAndReprice,
    ),
    (K::ItemOffering, P::AffectedTaskStarted, R::Blocked),
    (K::ItemOffering, P::ItemCompleted, R::Blocked),
    (K::ItemQuantity, P::BeforeDecomposition, R::ApplyAndReprice),
    (
        K::ItemQuantity,
        P::AfterDecomposition,
        R::RedecomposeAndReprice,
    ),
    (K::ItemQuantity, P::AffectedTaskStarted, R::Blocked),
    (K::ItemQuantity, P::ItemCompleted, R::Blocked),
    (K::ItemPrice, P::BeforeDecomposition, R::Blocked),
    (K::ItemPrice, P::AfterDecomposition, R::Blocked),
    (K::ItemPrice, P::AffectedTaskStarted, R::Blocked),
    (K::ItemPrice, P::ItemCompleted, R::Blocked),
];

/// The matrix cell; every pair has one (a test checks the matrix is total).
pub fn rule(kind: ChangeKind, phase: AmendmentPhase) -> SafetyRule {
    SAFETY_MATRIX
        .iter()
        .find(|(k, p, _)| *k == kind && *p == phase)
        .map_or(SafetyRule::Blocked, |(_, _, r)| *r)
}
