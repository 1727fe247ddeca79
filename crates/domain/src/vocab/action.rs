//! Item actions and their installed-base rules (DOMAIN §3), asset status and effects,
//! dependency types and price component kinds.

use serde::{Deserialize, Serialize};

/// What an order item does. TMF622 knows ADD/MODIFY/DELETE/NO_CHANGE; SUSPEND, RESUME,
/// MOVE and RENEW are our extensions. DELETE is the disconnect action (as in QuoteAccepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemAction {
    Add,
    Modify,
    Delete,
    Suspend,
    Resume,
    Move,
    Renew,
    NoChange,
}

impl ItemAction {
    pub const ALL: [Self; 8] = [
        Self::Add,
        Self::Modify,
        Self::Delete,
        Self::Suspend,
        Self::Resume,
        Self::Move,
        Self::Renew,
        Self::NoChange,
    ];

    /// Every action except ADD works on an existing asset; ADD must not name one.
    pub fn requires_target_asset(self) -> bool {
        self != Self::Add
    }

    /// NO_CHANGE carries bundle context and must never produce a mutating task.
    pub fn is_mutating(self) -> bool {
        self != Self::NoChange
    }

    /// Whether the asset's current status allows this action (DOMAIN §3): SUSPEND needs
    /// ACTIVE, RESUME needs SUSPENDED, a disconnect or NO_CHANGE works on ACTIVE or
    /// SUSPENDED, the other changes need ACTIVE, and nothing touches a TERMINATED asset or
    /// one still PENDING activation.
    pub fn allowed_on(self, status: AssetStatus) -> bool {
        match status {
            AssetStatus::Active => self != Self::Resume && self != Self::Add,
            AssetStatus::Suspended => matches!(self, Self::Resume | Self::Delete | Self::NoChange),
            AssetStatus::Pending | AssetStatus::Terminated => false,
        }
    }

    /// The effect fulfillment is expected to have on the installed base.
    pub fn expected_effect(self) -> AssetEffect {
        match self {
            Self::Add => AssetEffect::Create,
            Self::Modify => AssetEffect::Modify,
            Self::Delete => AssetEffect::Terminate,
            Self::Suspend => AssetEffect::Suspend,
            Self::Resume => AssetEffect::Resume,
            Self::Move => AssetEffect::Move,
            Self::Renew => AssetEffect::Renew,
            Self::NoChange => AssetEffect::None,
        }
    }
}

/// Lifecycle status of an installed-base asset as the asset service reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssetStatus {
    /// Being created by an order that has not completed yet.
    Pending,
    Active,
    Suspended,
    Terminated,
}

impl AssetStatus {
    pub const ALL: [Self; 4] = [
        Self::Pending,
        Self::Active,
        Self::Suspended,
        Self::Terminated,
    ];
}

/// Effect a fulfilled item had on the installed base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssetEffect {
    Create,
    Modify,
    Terminate,
    Suspend,
    Resume,
    Move,
    Renew,
    None,
}

/// Why one item must wait for another (000 §11). Separate from the bundle hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DependencyType {
    Sequence,
    Resource,
    Commercial,
    Technical,
    Billing,
}

/// Kind of price component; DISCOUNT amounts are negative, the others non-negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PriceKind {
    Recurring,
    OneTime,
    Discount,
    Fee,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_status_rules_of_domain_section_3() {
        use AssetStatus::{Active, Pending, Suspended, Terminated};
        assert!(ItemAction::Suspend.allowed_on(Active));
        assert!(!ItemAction::Suspend.allowed_on(Suspended));
        assert!(ItemAction::Resume.allowed_on(Suspended));
        assert!(!ItemAction::Resume.allowed_on(Active));
        assert!(ItemAction::Delete.allowed_on(Suspended));
        assert!(!ItemAction::Modify.allowed_on(Suspended));
        for action in ItemAction::ALL {
            assert!(!action.allowed_on(Terminated), "{action:?} on TERMINATED");
            assert!(!action.allowed_on(Pending), "{action:?} on PENDING");
        }
        assert!(!ItemAction::Add.requires_target_asset());
        assert!(
            ItemAction::ALL
                .iter()
                .filter(|a| a.requires_target_asset())
                .count()
                == 7
        );
    }
}
