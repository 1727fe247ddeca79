//! The planner: readiness checks, then a deterministic fulfillment plan for one released
//! order under one rules version (DOMAIN §6, 002 §16), and the re-decomposition diff.
//!
//! - [`input`]: [`PlanningInput`], the order as the planner sees it, and its hash;
//! - `readiness`: the checks of 000 §12, each failure classified ([`failure`]);
//! - `edges`: how items wait for each other (hierarchy and declared dependencies);
//! - `build`: tasks, edges, order and derived ids;
//! - [`plan`]: [`DecompositionPlan`] (persisted) and its `FulfillmentPlan` projection;
//! - [`replan`](mod@replan): [`replan()`] for amendments.
//!
//! `decompose` is a pure function: the same input and the same catalog give a
//! byte-identical plan, in any process, at any time.

mod build;
mod edges;
pub mod failure;
pub mod input;
pub mod plan;
mod readiness;
pub mod replan;

pub use failure::DecompositionFailure;
pub use input::{PlanningInput, PlanningItem};
pub use plan::{DecompositionPlan, PlanTask, PlannedItem};
pub use replan::{ReplanDiff, replan};

use crate::catalog::TechnicalCatalog;

/// Decomposes one order with one rules version: readiness checks first, then the plan.
pub fn decompose(
    input: &PlanningInput,
    catalog: &TechnicalCatalog,
) -> Result<DecompositionPlan, DecompositionFailure> {
    let rules = readiness::check(input, catalog)?;
    build::build(input, catalog, &rules)
}
