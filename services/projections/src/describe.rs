//! What the timeline says about one event: the order it belongs to, who decided (actor,
//! reason), a one-line summary, and the ids it is about (item, task, fallout case, hold, plan,
//! asset). The envelope part of a timeline row is generic ([`crate::project::timeline`]); this
//! is the part that needs the record's own fields.
//!
//! One exhaustive `match` per topic family: a new event type on a topic does not compile until
//! it gets its line here, and then it reaches the timeline like every other. Summaries use only
//! the event's own fields (never other rows), so a rebuild writes the same text.

use oms_contracts::common::Actor;
use oms_contracts::{AssetEventV1, DecompositionEventV1, FulfillmentEventV1, OrderEventV1};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The record-specific part of a timeline row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub order_id: Uuid,
    /// The order's version after the event (order topic only).
    pub order_version: Option<i64>,
    pub actor_kind: String,
    pub actor_id: String,
    pub reason: Option<String>,
    pub summary: String,
    /// Ids the event is about, by camelCase name (`taskId`, `itemId`, ...).
    pub refs: Map<String, Value>,
}

impl Fact {
    fn new(order_id: Uuid, actor: &Actor, reason: Option<&String>, summary: String) -> Self {
        Self {
            order_id,
            order_version: None,
            actor_kind: actor.kind.symbol().to_owned(),
            actor_id: actor.id.clone(),
            reason: reason.cloned(),
            summary,
            refs: Map::new(),
        }
    }

    fn version(mut self, version: i64) -> Self {
        self.order_version = Some(version);
        self
    }

    fn with(mut self, name: &str, id: &impl ToString) -> Self {
        self.refs
            .insert(name.to_owned(), Value::String(id.to_string()));
        self
    }

    fn with_opt<T: ToString>(self, name: &str, id: Option<T>) -> Self {
        match id {
            Some(id) => self.with(name, &id),
            None => self,
        }
    }
}

fn short(id: Uuid) -> String {
    id.simple().to_string()[..8].to_owned()
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// `oms.order.events.v1`, written by order-capture.
pub fn order_event(event: &OrderEventV1) -> Fact {
    use OrderEventV1 as E;
    macro_rules! fact {
        ($r:expr, $summary:expr) => {
            Fact::new($r.order_id, &$r.actor, $r.reason.as_ref(), $summary)
                .version($r.order_version)
        };
    }
    match event {
        E::OrderCaptured(r) => fact!(
            r,
            format!(
                "Captured {} ({}, {}) as {}",
                r.order_number,
                r.capture_mode.symbol(),
                plural(r.item_ids.len(), "item"),
                r.initial_state.symbol()
            )
        ),
        E::OrderSubmitted(r) => fact!(r, "Submitted".to_owned()),
        E::OrderValidated(r) => fact!(
            r,
            format!("Validated ({})", plural(r.warnings.len(), "warning"))
        ),
        E::OrderRejected(r) => {
            let codes: Vec<&str> = r.violations.iter().map(|v| v.code.as_str()).collect();
            fact!(r, format!("Rejected: {}", codes.join(", ")))
        }
        E::OrderReleasedForDecomposition(r) => fact!(r, "Released for decomposition".to_owned()),
        E::OrderDecompositionRecorded(r) => {
            let tasks: i64 = r.tasks_per_item.iter().map(|t| t.task_count).sum();
            fact!(
                r,
                format!(
                    "Plan {} recorded (rules {}, {} task slots)",
                    short(r.plan_id),
                    r.rules_version,
                    tasks
                )
            )
            .with("planId", &r.plan_id)
        }
        E::OrderReleasedForFulfillment(r) => {
            fact!(r, "Released for fulfillment".to_owned()).with("planId", &r.plan_id)
        }
        E::OrderItemStarted(r) => fact!(r, "Item started".to_owned()).with("itemId", &r.item_id),
        E::OrderItemProgressRecorded(r) => {
            fact!(r, format!("Item now {}", r.fulfillment_state.symbol()))
                .with("itemId", &r.item_id)
        }
        E::OrderItemCompleted(r) => fact!(
            r,
            format!(
                "Item {} completed ({}{})",
                r.line_number,
                r.asset_effect.symbol(),
                r.actual_asset_id
                    .as_ref()
                    .map(|a| format!(", asset {a}"))
                    .unwrap_or_default()
            )
        )
        .with("itemId", &r.item_id)
        .with_opt("assetId", r.actual_asset_id.as_ref()),
        E::OrderItemFailed(r) => fact!(r, format!("Item failed: {}", r.code))
            .with("itemId", &r.item_id)
            .with("falloutId", &r.fallout_id),
        E::OrderItemWaived(r) => {
            fact!(r, format!("Item waived under {}", r.policy_ref)).with("itemId", &r.item_id)
        }
        E::OrderPartiallyCompleted(r) => fact!(
            r,
            format!(
                "Partially completed ({} done)",
                plural(r.completed_item_ids.len(), "item")
            )
        ),
        E::OrderFalloutRaised(r) => fact!(
            r,
            format!(
                "Fallout {} {} raised",
                r.case.category.symbol(),
                r.case.code
            )
        )
        .with("falloutId", &r.case.id)
        .with_opt("itemId", r.case.item_id)
        .with_opt("taskId", r.case.task_id),
        E::OrderFalloutRepaired(r) => fact!(
            r,
            format!(
                "Fallout repaired ({}), resumed in {}",
                r.resolution.symbol(),
                r.resumed_state.symbol()
            )
        )
        .with("falloutId", &r.fallout_id)
        .with_opt("itemId", r.item_id),
        E::OrderHoldPlaced(r) => fact!(
            r,
            format!(
                "{} hold placed{}",
                r.hold.hold_type.symbol(),
                if r.hold.blocking { " (blocking)" } else { "" }
            )
        )
        .with("holdId", &r.hold.id),
        E::OrderHoldReleased(r) => {
            fact!(r, format!("{} hold released", r.hold_type.symbol())).with("holdId", &r.hold_id)
        }
        E::OrderCompleted(r) => fact!(
            r,
            format!(
                "Completed ({} completed, {} waived)",
                plural(r.completed_item_ids.len(), "item"),
                r.waived_item_ids.len()
            )
        ),
        E::OrderCancellationRequested(r) => {
            fact!(r, format!("Cancellation requested ({})", r.reason_code))
                .with("requestId", &r.request_id)
        }
        E::OrderCancellationAssessed(r) => fact!(
            r,
            format!("Cancellation assessed: {}", r.feasibility.symbol())
        )
        .with("requestId", &r.request_id),
        E::OrderCancellationRejected(r) => fact!(
            r,
            format!(
                "Cancellation rejected, resumed in {}",
                r.resumed_state.symbol()
            )
        )
        .with("requestId", &r.request_id),
        E::OrderCancelled(r) => {
            fact!(r, format!("Cancelled ({})", r.reason_code)).with("requestId", &r.request_id)
        }
        E::OrderFailedClosed(r) => fact!(
            r,
            format!(
                "Closed as failed ({} closed)",
                plural(r.closed_item_ids.len(), "item")
            )
        ),
        E::OrderItemCancelled(r) => fact!(
            r,
            format!(
                "Item {} cancelled{}",
                r.line_number,
                if r.billing_started {
                    " (billing had started)"
                } else {
                    ""
                }
            )
        )
        .with("itemId", &r.item_id)
        .with("requestId", &r.request_id),
        E::OrderCancellationCompleted(r) => fact!(
            r,
            format!(
                "Cancellation completed ({} cancelled), resumed in {}",
                plural(r.cancelled_item_ids.len(), "item"),
                r.resumed_state.symbol()
            )
        )
        .with("requestId", &r.request_id),
        E::OrderAmendmentRequested(r) => fact!(
            r,
            format!(
                "Amendment requested ({}, {}{})",
                r.reason_code,
                plural(r.changes.len(), "change"),
                if r.requires_redecomposition {
                    ", re-plan"
                } else {
                    ""
                }
            )
        )
        .with("requestId", &r.request_id),
        E::OrderAmendmentApplied(r) => fact!(r, "Amendment applied".to_owned())
            .with("requestId", &r.request_id)
            .with_opt("planId", r.plan_id),
        E::OrderAmendmentRejected(r) => {
            fact!(r, format!("Amendment rejected: {}", r.code)).with("requestId", &r.request_id)
        }
    }
}

/// `oms.decomposition.events.v1`, written by decomposition.
pub fn decomposition_event(event: &DecompositionEventV1) -> Fact {
    use DecompositionEventV1 as E;
    match event {
        E::OrderDecomposed(r) => Fact::new(
            r.order_id,
            &r.actor,
            r.reason.as_ref(),
            format!(
                "Decomposed into {} (rules {})",
                plural(r.plan.tasks.len(), "task"),
                r.plan.rules_version
            ),
        )
        .with("planId", &r.plan.plan_id),
        E::OrderDecompositionFailed(r) => Fact::new(
            r.order_id,
            &r.actor,
            r.reason.as_ref(),
            format!("Decomposition failed: {}", r.code.symbol()),
        )
        .with("falloutId", &r.fallout_id)
        .with_opt("itemId", r.item_id),
        E::OrderRedecomposed(r) => Fact::new(
            r.order_id,
            &r.actor,
            r.reason.as_ref(),
            format!(
                "Re-decomposed into {} (rules {}), replacing plan {}",
                plural(r.plan.tasks.len(), "task"),
                r.plan.rules_version,
                short(r.previous_plan_id)
            ),
        )
        .with("planId", &r.plan.plan_id)
        .with("requestId", &r.request_id),
        E::OrderRedecompositionFailed(r) => Fact::new(
            r.order_id,
            &r.actor,
            r.reason.as_ref(),
            format!("Re-decomposition failed: {}", r.code.symbol()),
        )
        .with("requestId", &r.request_id)
        .with_opt("itemId", r.item_id),
    }
}

/// `oms.fulfillment.events.v1`, written by fulfillment.
pub fn fulfillment_event(event: &FulfillmentEventV1) -> Fact {
    use FulfillmentEventV1 as E;
    macro_rules! fact {
        ($r:expr, $summary:expr) => {
            Fact::new($r.order_id, &$r.actor, $r.reason.as_ref(), $summary)
        };
    }
    match event {
        E::FulfillmentTaskStarted(r) => {
            fact!(r, format!("Task started (attempt {})", r.attempt)).with("taskId", &r.task_id)
        }
        E::FulfillmentTaskSucceeded(r) => fact!(
            r,
            format!(
                "Task succeeded{}",
                r.external_ref
                    .as_ref()
                    .map(|x| format!(" (ref {x})"))
                    .unwrap_or_default()
            )
        )
        .with("taskId", &r.task_id),
        E::FulfillmentTaskFailed(r) => fact!(
            r,
            format!(
                "Task failed: {} (attempt {}{})",
                r.code,
                r.attempt,
                if r.will_retry { ", will retry" } else { "" }
            )
        )
        .with("taskId", &r.task_id),
        E::OrderItemFulfilled(r) => fact!(
            r,
            format!(
                "Item {} fulfilled ({}{})",
                r.item.line_number,
                r.asset_effect.symbol(),
                r.asset_id
                    .as_ref()
                    .map(|a| format!(", asset {a}"))
                    .unwrap_or_default()
            )
        )
        .with("itemId", &r.item_id)
        .with_opt("assetId", r.asset_id.as_ref()),
        E::FalloutRaised(r) => fact!(
            r,
            format!(
                "Fallout raised: {}{}",
                r.code,
                if r.during_compensation {
                    " (during compensation)"
                } else {
                    ""
                }
            )
        )
        .with("falloutId", &r.fallout_id)
        .with_opt("taskId", r.task_id)
        .with_opt("itemId", r.item_id),
        E::FalloutResolved(r) => fact!(r, format!("Fallout resolved ({})", r.resolution.symbol()))
            .with("falloutId", &r.fallout_id)
            .with_opt("itemId", r.item_id),
        E::FulfillmentItemWaived(r) => {
            fact!(r, format!("Item waived in fulfillment ({})", r.policy_ref))
                .with("itemId", &r.item_id)
        }
        E::CancellationAssessmentCompleted(r) => fact!(
            r,
            format!(
                "Cancellation assessed in fulfillment: {}",
                r.feasibility.symbol()
            )
        )
        .with("requestId", &r.request_id),
        E::CompensationCompleted(r) => {
            fact!(r, "Compensation completed".to_owned()).with("requestId", &r.request_id)
        }
        E::OrderItemCompensated(r) => fact!(
            r,
            format!(
                "Item {} compensated ({} reverted)",
                r.item.line_number,
                r.reverted_effect.symbol()
            )
        )
        .with("itemId", &r.item_id)
        .with("requestId", &r.request_id)
        .with_opt("assetId", r.asset_id.as_ref()),
        E::PlanAmendmentApplied(r) => fact!(
            r,
            format!(
                "Plan amended: {} kept, {} added, {} cancelled",
                r.kept_task_ids.len(),
                r.added_task_ids.len(),
                r.cancelled_task_ids.len()
            )
        )
        .with("planId", &r.plan_id)
        .with("requestId", &r.request_id),
        E::PlanAmendmentRefused(r) => {
            fact!(r, format!("Plan amendment refused: {}", r.code)).with("requestId", &r.request_id)
        }
    }
}

/// `oms.asset.events.v1`, written by asset (keyed by asset id; every record names the order
/// and item that caused it).
pub fn asset_event(event: &AssetEventV1) -> Fact {
    use AssetEventV1 as E;
    macro_rules! fact {
        ($r:expr, $verb:literal) => {
            Fact::new(
                $r.order_id,
                &$r.actor,
                $r.reason.as_ref(),
                format!(
                    concat!("Asset {} ", $verb, " ({})"),
                    $r.asset_id,
                    $r.asset.status.symbol()
                ),
            )
            .with("assetId", &$r.asset_id)
            .with("itemId", &$r.item_id)
        };
    }
    match event {
        E::AssetCreated(r) => fact!(r, "created"),
        E::AssetModified(r) => fact!(r, "modified"),
        E::AssetTerminated(r) => fact!(r, "terminated"),
        E::AssetSuspended(r) => fact!(r, "suspended"),
        E::AssetResumed(r) => fact!(r, "resumed"),
        E::AssetMoved(r) => fact!(r, "moved"),
        E::AssetRenewed(r) => fact!(r, "renewed"),
        E::AssetInconsistencyDetected(r) => Fact::new(
            r.order_id,
            &r.actor,
            r.reason.as_ref(),
            format!(
                "Asset {} inconsistency on {}: {}",
                r.asset_id,
                r.attempted_action.symbol(),
                r.description
            ),
        )
        .with("assetId", &r.asset_id)
        .with("itemId", &r.item_id),
        E::AssetReverted(r) => Fact::new(
            r.order_id,
            &r.actor,
            r.reason.as_ref(),
            format!(
                "Asset {} reverted ({} undone, now {})",
                r.asset_id,
                r.reverted_effect.symbol(),
                r.asset.status.symbol()
            ),
        )
        .with("assetId", &r.asset_id)
        .with("itemId", &r.item_id),
    }
}
