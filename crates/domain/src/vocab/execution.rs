//! Execution vocabulary shared by decomposition, fulfillment and cancellation
//! (DOMAIN §6-8, 004 §10-11).

use serde::{Deserialize, Serialize};

/// Whether a fulfillment task's effect can be undone, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskReversibility {
    None,
    Automatic,
    Manual,
    Partial,
}

/// How far a task's effect reaches outside our systems. Cancellation decides from this
/// *and* task state: a completed task is not necessarily irreversible (004 §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExternalEffectLevel {
    NoExternalEffect,
    ReservationOnly,
    CustomerVisible,
    BillingVisible,
    NetworkVisible,
    LegalVisible,
}

/// Classified decomposition failure; each needs a different repair (DOMAIN §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DecompositionFailureCode {
    OrderInvalid,
    DecompositionRuleMissing,
    TechnicalCatalogMappingMissing,
    TargetAssetNotFound,
    UnsupportedActionType,
    TemporaryDependencyUnavailable,
    InternalError,
}

impl DecompositionFailureCode {
    pub const ALL: [Self; 7] = [
        Self::OrderInvalid,
        Self::DecompositionRuleMissing,
        Self::TechnicalCatalogMappingMissing,
        Self::TargetAssetNotFound,
        Self::UnsupportedActionType,
        Self::TemporaryDependencyUnavailable,
        Self::InternalError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrderInvalid => "ORDER_INVALID",
            Self::DecompositionRuleMissing => "DECOMPOSITION_RULE_MISSING",
            Self::TechnicalCatalogMappingMissing => "TECHNICAL_CATALOG_MAPPING_MISSING",
            Self::TargetAssetNotFound => "TARGET_ASSET_NOT_FOUND",
            Self::UnsupportedActionType => "UNSUPPORTED_ACTION_TYPE",
            Self::TemporaryDependencyUnavailable => "TEMPORARY_DEPENDENCY_UNAVAILABLE",
            Self::InternalError => "INTERNAL_ERROR",
        }
    }

    /// Only a temporary dependency outage is worth retrying blindly; the others need a
    /// data or catalog fix first.
    pub fn is_retryable(self) -> bool {
        self == Self::TemporaryDependencyUnavailable
    }
}

/// Outcome of a cancellation assessment (004 §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CancellationFeasibility {
    FullyCancellable,
    PartiallyCancellable,
    NotCancellable,
    RequiresManualReview,
}

/// Where a fallout case came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FalloutCategory {
    Decomposition,
    Fulfillment,
    ItemFailure,
    Compensation,
    Manual,
}

/// What a manual repair does to the item linked to the fallout case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RepairResolution {
    /// The cause was fixed outside the order (data, catalog, downstream); nothing changes
    /// on the item. Refused while the linked item is still FAILED.
    Resume,
    /// The failed item goes back to IN_PROGRESS and fulfillment retries it.
    RetryItem,
    /// The item is waived by an audited policy decision.
    WaiveItem,
}

/// An order item's input a task may depend on (catalog `inputs`, 004 §18): a change to it
/// replaces the tasks that use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemInput {
    /// Offering id and version.
    Offering,
    Action,
    Quantity,
    TargetAsset,
    Configuration,
    ServiceLocation,
}

impl ItemInput {
    pub const ALL: [Self; 6] = [
        Self::Offering,
        Self::Action,
        Self::Quantity,
        Self::TargetAsset,
        Self::Configuration,
        Self::ServiceLocation,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Offering => "OFFERING",
            Self::Action => "ACTION",
            Self::Quantity => "QUANTITY",
            Self::TargetAsset => "TARGET_ASSET",
            Self::Configuration => "CONFIGURATION",
            Self::ServiceLocation => "SERVICE_LOCATION",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.as_str() == raw)
    }
}
