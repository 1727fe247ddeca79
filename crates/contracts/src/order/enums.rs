//! Enums of `com.example.oms.order.v1`. Lifecycle states are closed sets (the transition
//! tables) and have no default symbol; the few with a `default` say why in the schema doc.

use crate::wire::contract_enum;
use oms_domain::{capture, lifecycle, vocab};

contract_enum! {
    /// Header state of a product order.
    OrderState <=> lifecycle::OrderState {
        Draft = "DRAFT", Submitted = "SUBMITTED", Validated = "VALIDATED",
        Decomposed = "DECOMPOSED", InProgress = "IN_PROGRESS",
        PartiallyCompleted = "PARTIALLY_COMPLETED", Completed = "COMPLETED",
        Rejected = "REJECTED", Fallout = "FALLOUT",
        CancellationRequested = "CANCELLATION_REQUESTED", Cancelling = "CANCELLING",
        Cancelled = "CANCELLED", FailedClosed = "FAILED_CLOSED",
    }
}

contract_enum! {
    /// Lifecycle state of one order item.
    ItemState <=> lifecycle::ItemState {
        Pending = "PENDING", InProgress = "IN_PROGRESS", Completed = "COMPLETED",
        Failed = "FAILED", Cancelling = "CANCELLING", Cancelled = "CANCELLED", Waived = "WAIVED",
    }
}

contract_enum! {
    /// Execution detail of an item; unknown (future) waiting states read as
    /// WAITING_FOR_EXTERNAL_SYSTEM.
    FulfillmentState <=> lifecycle::FulfillmentState, default = WaitingForExternalSystem {
        NotStarted = "NOT_STARTED", WaitingForDependency = "WAITING_FOR_DEPENDENCY",
        WaitingForExternalSystem = "WAITING_FOR_EXTERNAL_SYSTEM",
        WaitingForAppointment = "WAITING_FOR_APPOINTMENT",
        WaitingForManualAction = "WAITING_FOR_MANUAL_ACTION",
        RetryScheduled = "RETRY_SCHEDULED", Compensating = "COMPENSATING",
        Completed = "COMPLETED", Failed = "FAILED",
    }
}

contract_enum! {
    /// How the order entered the system.
    CaptureMode <=> vocab::CaptureMode {
        QuoteDerived = "QUOTE_DERIVED", DirectOrder = "DIRECT_ORDER", Amendment = "AMENDMENT",
        Cancellation = "CANCELLATION", Supplemental = "SUPPLEMENTAL",
        AdminMigration = "ADMIN_MIGRATION",
    }
}

contract_enum! {
    /// Lifecycle category of the whole order.
    OrderType <=> vocab::OrderType {
        NewProvide = "NEW_PROVIDE", Change = "CHANGE", Disconnect = "DISCONNECT", Move = "MOVE",
        Renewal = "RENEWAL", SuspendResume = "SUSPEND_RESUME", Supplemental = "SUPPLEMENTAL",
        Migration = "MIGRATION",
    }
}

contract_enum! {
    /// Business reason behind the order.
    OrderIntent <=> vocab::OrderIntent {
        CustomerPurchase = "CUSTOMER_PURCHASE", Amendment = "AMENDMENT",
        RetentionSave = "RETENTION_SAVE", ComplianceChange = "COMPLIANCE_CHANGE",
        TechnicalRemediation = "TECHNICAL_REMEDIATION", InternalMigration = "INTERNAL_MIGRATION",
        BillingAdjustment = "BILLING_ADJUSTMENT",
    }
}

contract_enum! {
    /// Link from this order to another one.
    RelationType <=> vocab::RelationType {
        Amends = "AMENDS", Cancels = "CANCELS", Supplements = "SUPPLEMENTS",
        Replaces = "REPLACES", Compensates = "COMPENSATES", Repairs = "REPAIRS",
    }
}

contract_enum! {
    /// Why one item waits for another; unknown types read as SEQUENCE (wait).
    DependencyType <=> vocab::DependencyType, default = Sequence {
        Sequence = "SEQUENCE", Resource = "RESOURCE", Commercial = "COMMERCIAL",
        Technical = "TECHNICAL", Billing = "BILLING",
    }
}

contract_enum! {
    /// Severity of a validation finding.
    Severity <=> capture::Severity {
        Error = "ERROR", Warning = "WARNING",
    }
}

contract_enum! {
    /// Where a fallout case came from; unknown categories read as MANUAL.
    FalloutCategory <=> vocab::FalloutCategory, default = Manual {
        Decomposition = "DECOMPOSITION", Fulfillment = "FULFILLMENT",
        ItemFailure = "ITEM_FAILURE", Compensation = "COMPENSATION", Manual = "MANUAL",
    }
}

contract_enum! {
    /// Kind of hold; unknown types read as MANUAL_VERIFICATION.
    HoldType <=> vocab::HoldType, default = ManualVerification {
        Credit = "CREDIT", Fraud = "FRAUD", Legal = "LEGAL", Document = "DOCUMENT",
        ManualVerification = "MANUAL_VERIFICATION", Capacity = "CAPACITY",
        Serviceability = "SERVICEABILITY",
    }
}
