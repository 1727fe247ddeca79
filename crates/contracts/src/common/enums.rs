//! Enums of `com.example.oms.common.v1`: the ones more than one topic uses. Canonical
//! definitions in `schemas/common/`; each `default` is explained in the schema's `doc`.

use crate::wire::contract_enum;
use oms_domain::{meta, vocab};

contract_enum! {
    /// What kind of principal acted.
    ActorKind <=> meta::ActorKind {
        User = "USER", Service = "SERVICE", System = "SYSTEM",
    }
}

contract_enum! {
    /// Kind of price component (no default: billing must never guess).
    PriceKind <=> vocab::PriceKind {
        Recurring = "RECURRING", OneTime = "ONE_TIME", Discount = "DISCOUNT", Fee = "FEE",
    }
}

contract_enum! {
    /// What an order item does (no default: an unknown action must not run as another).
    ItemAction <=> vocab::ItemAction {
        Add = "ADD", Modify = "MODIFY", Delete = "DELETE", Suspend = "SUSPEND",
        Resume = "RESUME", Move = "MOVE", Renew = "RENEW", NoChange = "NO_CHANGE",
    }
}

contract_enum! {
    /// Effect a fulfilled item had on the installed base.
    AssetEffect <=> vocab::AssetEffect {
        Create = "CREATE", Modify = "MODIFY", Terminate = "TERMINATE", Suspend = "SUSPEND",
        Resume = "RESUME", Move = "MOVE", Renew = "RENEW", None = "NONE",
    }
}

contract_enum! {
    /// Lifecycle status of an installed-base asset.
    AssetStatus <=> vocab::AssetStatus {
        Pending = "PENDING", Active = "ACTIVE", Suspended = "SUSPENDED", Terminated = "TERMINATED",
    }
}

contract_enum! {
    /// Outcome of a cancellation assessment; unknown outcomes read as manual review.
    CancellationFeasibility <=> vocab::CancellationFeasibility, default = RequiresManualReview {
        FullyCancellable = "FULLY_CANCELLABLE",
        PartiallyCancellable = "PARTIALLY_CANCELLABLE",
        NotCancellable = "NOT_CANCELLABLE",
        RequiresManualReview = "REQUIRES_MANUAL_REVIEW",
    }
}

contract_enum! {
    /// What a manual repair does to the item of a fallout case.
    RepairResolution <=> vocab::RepairResolution {
        Resume = "RESUME", RetryItem = "RETRY_ITEM", WaiveItem = "WAIVE_ITEM",
    }
}

contract_enum! {
    /// How far a task's effect reaches; unknown levels read as the most conservative one.
    ExternalEffectLevel <=> vocab::ExternalEffectLevel, default = LegalVisible {
        NoExternalEffect = "NO_EXTERNAL_EFFECT",
        ReservationOnly = "RESERVATION_ONLY",
        CustomerVisible = "CUSTOMER_VISIBLE",
        BillingVisible = "BILLING_VISIBLE",
        NetworkVisible = "NETWORK_VISIBLE",
        LegalVisible = "LEGAL_VISIBLE",
    }
}
