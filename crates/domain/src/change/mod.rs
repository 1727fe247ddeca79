//! Changing an order in flight (004; DOMAIN §8; ADR 0008): the rules every service applies
//! the same way, free of IO.
//!
//! - [`execution`]: the execution view (plan tasks with their change metadata and progress);
//! - [`scope`]: what a cancellation covers, expanded with children and dependents;
//! - [`cancellation`]: the cancellation assessment (taxonomy, per-task disposition, point of
//!   no return, feasibility, price effect);
//! - [`compensation`]: the reverse dependency order of compensations;
//! - [`amendment`]: typed changes and the content after them;
//! - [`safety`]: the amendment safety matrix, as data;
//! - [`impact`]: the amendment impact assessment;
//! - [`replan`]: the re-decomposition diff fulfillment applies to a running plan;
//! - [`report`]: blockers (stable code + remediation) and price effects.

pub mod amendment;
pub mod cancellation;
pub mod compensation;
pub mod execution;
pub mod impact;
pub mod replan;
pub mod report;
pub mod safety;
pub mod scope;

pub use amendment::{AmendmentChange, ChangeClass, ChangeKind, apply_changes};
pub use cancellation::{
    CancellationAssessment, CancellationKind, CancellationSpec, ItemCancellation,
    ItemCancellationOutcome, PlanAssessment, TaskDisposition, TaskImpact, assess_cancellation,
    assess_plan,
};
pub use compensation::{CompensationStep, compensation_steps};
pub use execution::{ExecutionView, TaskProgress, TaskView};
pub use impact::{
    AmendmentAssessment, AmendmentFeasibility, AmendmentTaskDisposition, ChangeImpact,
    assess_amendment,
};
pub use replan::{ReplanDiff, replan};
pub use report::{ChangeBlocker, ItemPriceEffect, PriceEffect};
pub use safety::{AmendmentPhase, SAFETY_MATRIX, SafetyRule};
pub use scope::{CancellationScope, ScopeReason};
