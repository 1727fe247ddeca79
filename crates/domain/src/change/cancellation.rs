//! Cancellation assessment (004 §4, §10-12; ADR 0008 §2): from the order, its execution view
//! and the request's scope, what each task and item would do if the order were cancelled
//! now, what must be compensated in which order, what it does to the price, and whether the
//! whole thing is FULLY/PARTIALLY/NOT cancellable or needs a person.
//!
//! The decision is never taken from task state alone: a completed task is not necessarily
//! irreversible, and a running one is not necessarily safe to stop (004 §11). Per task:
//!
//! | progress | effect | reversibility | disposition |
//! |---|---|---|---|
//! | not started | any | any | CANCEL |
//! | applied or in flight | NO_EXTERNAL_EFFECT | any | NOTHING_TO_UNDO |
//! | applied or in flight | other | AUTOMATIC, PARTIAL | COMPENSATE |
//! | applied or in flight | other | MANUAL | COMPENSATE_AFTER_REVIEW |
//! | applied or in flight | other | NONE | IRREVERSIBLE (point of no return) |
//! | ended | any | any | NOTHING_TO_UNDO |
//!
//! An item with an IRREVERSIBLE task is past its point of no return: it is not cancelled,
//! and none of its tasks are touched.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use super::compensation::{CompensationStep, compensation_steps};
use super::execution::{ExecutionView, TaskProgress, TaskView};
use super::report::{ChangeBlocker, ItemPriceEffect, PriceEffect, codes};
use super::scope::{CancellationScope, ScopeReason, expand};
use crate::error::DomainError;
use crate::lifecycle::{ItemState, OrderState};
use crate::order::{Order, OrderItem};
use crate::value::{LineNumber, Money, OrderItemId, TaskId};
use crate::vocab::{AssetEffect, CancellationFeasibility, TaskReversibility};

/// The taxonomy of 004 §4, as far as the order has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CancellationKind {
    /// Nothing was released to fulfillment: the order is simply cancelled.
    PreExecution,
    /// Work ran, and all of it in scope can be undone.
    InFlightReversible,
    /// Some items in scope are past their point of no return.
    InFlightPartiallyIrreversible,
    /// The order is completed: a cancellation is a new (DISCONNECT) order.
    PostCompletion,
}

impl CancellationKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PreExecution => "PRE_EXECUTION",
            Self::InFlightReversible => "IN_FLIGHT_REVERSIBLE",
            Self::InFlightPartiallyIrreversible => "IN_FLIGHT_PARTIALLY_IRREVERSIBLE",
            Self::PostCompletion => "POST_COMPLETION",
        }
    }
}

/// What cancelling would do to one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskDisposition {
    /// Not started: dropped without any external call.
    Cancel,
    /// Applied (or in flight) and undone by its compensation task.
    Compensate,
    /// As COMPENSATE, but the undo is manual work: a person approves first.
    CompensateAfterReview,
    /// Applied, cannot be undone: its item is past the point of no return.
    Irreversible,
    /// Nothing to undo (read-only, or already cancelled/compensated).
    NothingToUndo,
    /// Not touched: outside the scope, or its item is not cancellable.
    Keep,
}

/// What cancelling would do to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemCancellationOutcome {
    /// Cancelled; nothing it did needs undoing.
    Cancel,
    /// Cancelled after its applied tasks are compensated.
    Compensate,
    /// Past its point of no return; it continues.
    NotCancellable,
    /// Already CANCELLED or WAIVED.
    AlreadyClosed,
}

impl ItemCancellationOutcome {
    pub fn cancels(self) -> bool {
        matches!(self, Self::Cancel | Self::Compensate)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskImpact {
    pub task_id: TaskId,
    pub item_ids: Vec<OrderItemId>,
    pub task_type: String,
    pub target_system: String,
    pub progress: TaskProgress,
    pub disposition: TaskDisposition,
    /// The task type that undoes it (COMPENSATE dispositions).
    pub compensation_task_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemCancellation {
    pub item_id: OrderItemId,
    pub line_number: LineNumber,
    pub state: ItemState,
    pub scope: ScopeReason,
    pub outcome: ItemCancellationOutcome,
    /// The installed-base change to revert, if the item's effect reached the installed base.
    pub asset_revert: Option<AssetEffect>,
    /// Billing was told the item completed: the charge must be stopped, not just never started.
    pub billing_started: bool,
}

/// The full impact of cancelling (part of) an order now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancellationAssessment {
    pub kind: CancellationKind,
    pub feasibility: CancellationFeasibility,
    pub manual_review_required: bool,
    /// Items in the (expanded) scope, in order item order.
    pub items: Vec<ItemCancellation>,
    /// Every task of the plan, in plan order.
    pub tasks: Vec<TaskImpact>,
    /// Compensations in the order they may start (reverse dependency order).
    pub compensation: Vec<CompensationStep>,
    pub blockers: Vec<ChangeBlocker>,
    /// What cancelling does to the order total; `None` for an order that has no typed
    /// content yet (a draft or a submitted order before validation has no prices to reverse).
    pub price_effect: Option<PriceEffect>,
    /// Tasks in scope whose call is in flight: fulfillment waits for their outcome before it
    /// assesses for real (the dry run treats them as applied).
    pub awaiting_calls: Vec<TaskId>,
}

impl CancellationAssessment {
    /// Items the cancellation cancels (CANCEL or COMPENSATE).
    pub fn cancelling_item_ids(&self) -> Vec<OrderItemId> {
        self.items
            .iter()
            .filter(|i| i.outcome.cancels())
            .map(|i| i.item_id)
            .collect()
    }

    /// COMPLETED items among them (their effect is reversed).
    pub fn compensated_item_ids(&self) -> Vec<OrderItemId> {
        self.items
            .iter()
            .filter(|i| i.outcome.cancels() && i.state == ItemState::Completed)
            .map(|i| i.item_id)
            .collect()
    }

    /// Tasks to drop without a call.
    pub fn cancelled_task_ids(&self) -> Vec<TaskId> {
        self.tasks_with(TaskDisposition::Cancel)
    }

    fn tasks_with(&self, disposition: TaskDisposition) -> Vec<TaskId> {
        self.tasks
            .iter()
            .filter(|t| t.disposition == disposition)
            .map(|t| t.task_id)
            .collect()
    }

    pub fn blocker_summaries(&self) -> Vec<String> {
        self.blockers.iter().map(ChangeBlocker::summary).collect()
    }
}

/// What the request asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancellationSpec {
    pub scope: CancellationScope,
    /// A person must approve even an automatic compensation.
    #[serde(default)]
    pub force_manual_review: bool,
}

/// The task side of an assessment: what fulfillment decides on, from its own rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanAssessment {
    pub feasibility: CancellationFeasibility,
    /// Outcome per item in scope, in the given item order.
    pub items: Vec<(OrderItemId, ItemCancellationOutcome)>,
    pub tasks: Vec<TaskImpact>,
    pub compensation: Vec<CompensationStep>,
    pub blockers: Vec<ChangeBlocker>,
    pub awaiting_calls: Vec<TaskId>,
}

impl PlanAssessment {
    pub fn cancelling_item_ids(&self) -> Vec<OrderItemId> {
        self.items
            .iter()
            .filter(|(_, o)| o.cancels())
            .map(|(id, _)| *id)
            .collect()
    }

    pub fn outcome(&self, item: OrderItemId) -> Option<ItemCancellationOutcome> {
        self.items
            .iter()
            .find(|(id, _)| *id == item)
            .map(|(_, o)| *o)
    }
}

/// Assesses the tasks of `view` for cancelling the items of `scope` (in `item_order`);
/// `closed` items (CANCELLED or WAIVED) are already done. Fulfillment calls this with its
/// locked task rows; [`assess_cancellation`] calls it with order-capture's view.
pub fn assess_plan(
    view: &ExecutionView,
    item_order: &[OrderItemId],
    scope: &BTreeSet<OrderItemId>,
    closed: &BTreeSet<OrderItemId>,
    force_manual_review: bool,
) -> PlanAssessment {
    let mut dispositions: BTreeMap<TaskId, TaskDisposition> = BTreeMap::new();
    for task in &view.tasks {
        let in_scope = task.item_ids.iter().any(|i| scope.contains(i));
        let d = if in_scope {
            disposition(task)
        } else {
            TaskDisposition::Keep
        };
        dispositions.insert(task.task_id, d);
    }
    let mut items = Vec::new();
    let mut blockers = Vec::new();
    let mut not_cancellable: BTreeSet<OrderItemId> = BTreeSet::new();
    for item in item_order.iter().filter(|i| scope.contains(i)) {
        let tasks: Vec<&TaskView> = view.tasks_of(*item).collect();
        let irreversible = tasks
            .iter()
            .find(|t| dispositions[&t.task_id] == TaskDisposition::Irreversible);
        let outcome = if closed.contains(item) {
            ItemCancellationOutcome::AlreadyClosed
        } else if let Some(task) = irreversible {
            not_cancellable.insert(*item);
            blockers.push(past_point_of_no_return(*item, task));
            ItemCancellationOutcome::NotCancellable
        } else if tasks
            .iter()
            .any(|t| is_compensation(dispositions[&t.task_id]))
        {
            ItemCancellationOutcome::Compensate
        } else {
            ItemCancellationOutcome::Cancel
        };
        items.push((*item, outcome));
    }
    // Tasks of items that stay, and of closed items, are not touched.
    for task in &view.tasks {
        if task
            .item_ids
            .iter()
            .any(|i| not_cancellable.contains(i) || closed.contains(i))
        {
            dispositions.insert(task.task_id, TaskDisposition::Keep);
        }
    }
    let tasks: Vec<TaskImpact> = view
        .tasks
        .iter()
        .map(|t| {
            let disposition = dispositions[&t.task_id];
            TaskImpact {
                task_id: t.task_id,
                item_ids: t.item_ids.clone(),
                task_type: t.task_type.clone(),
                target_system: t.target_system.clone(),
                progress: t.progress,
                disposition,
                compensation_task_type: t
                    .compensation_task_type
                    .clone()
                    .filter(|_| is_compensation(disposition)),
            }
        })
        .collect();
    let compensated: Vec<TaskId> = tasks
        .iter()
        .filter(|t| is_compensation(t.disposition))
        .map(|t| t.task_id)
        .collect();
    let compensation = compensation_steps(view, &compensated);
    let needs_review = tasks
        .iter()
        .any(|t| t.disposition == TaskDisposition::CompensateAfterReview);
    for t in tasks
        .iter()
        .filter(|t| t.disposition == TaskDisposition::CompensateAfterReview)
    {
        blockers.push(ChangeBlocker {
            code: codes::COMPENSATION_NEEDS_REVIEW.into(),
            item_id: t.item_ids.first().copied(),
            task_id: Some(t.task_id),
            message: format!(
                "{} on {} can only be undone manually ({})",
                t.task_type,
                t.target_system,
                t.compensation_task_type
                    .as_deref()
                    .unwrap_or("no compensation type")
            ),
            remediation: "An operator approves the cancellation once the manual step is arranged, or rejects it.".into(),
        });
    }
    if force_manual_review {
        blockers.push(ChangeBlocker {
            code: codes::MANUAL_REVIEW_REQUESTED.into(),
            item_id: None,
            task_id: None,
            message: "the requester asked for a manual review".into(),
            remediation: "An operator approves or rejects the cancellation.".into(),
        });
    }
    let cancelling = items.iter().filter(|(_, o)| o.cancels()).count();
    let open = items
        .iter()
        .filter(|(_, o)| *o != ItemCancellationOutcome::AlreadyClosed)
        .count();
    let feasibility = if cancelling == 0 {
        CancellationFeasibility::NotCancellable
    } else if needs_review || force_manual_review {
        CancellationFeasibility::RequiresManualReview
    } else if cancelling == open {
        CancellationFeasibility::FullyCancellable
    } else {
        CancellationFeasibility::PartiallyCancellable
    };
    let awaiting_calls = view
        .tasks
        .iter()
        .filter(|t| t.progress.is_in_flight() && dispositions[&t.task_id] != TaskDisposition::Keep)
        .map(|t| t.task_id)
        .collect();
    PlanAssessment {
        feasibility,
        items,
        tasks,
        compensation,
        blockers,
        awaiting_calls,
    }
}

/// Assesses a cancellation of `spec` on `order` whose plan is `view`. Pure: same inputs,
/// same answer, in the same order. Refuses an ITEMS scope the order does not have, and any
/// cancellation of an order that is already closed.
pub fn assess_cancellation(
    order: &Order,
    view: &ExecutionView,
    spec: &CancellationSpec,
) -> Result<CancellationAssessment, DomainError> {
    if matches!(
        order.state,
        OrderState::Cancelled | OrderState::Rejected | OrderState::FailedClosed
    ) {
        return Err(DomainError::TransitionNotAllowed {
            from: order.state,
            trigger: crate::lifecycle::OrderTrigger::RequestCancellation,
        });
    }
    let scope = expand(order, &spec.scope)?;
    let item_order: Vec<OrderItemId> = order.items().iter().map(|i| i.id).collect();
    let scoped: BTreeSet<OrderItemId> = scope.keys().copied().collect();
    let closed: BTreeSet<OrderItemId> = order
        .items()
        .iter()
        .filter(|i| matches!(i.state, ItemState::Cancelled | ItemState::Waived))
        .map(|i| i.id)
        .collect();
    let completed_order = order.state == OrderState::Completed;
    let plan = if completed_order {
        PlanAssessment {
            feasibility: CancellationFeasibility::NotCancellable,
            items: item_order
                .iter()
                .filter(|i| scoped.contains(i))
                .map(|i| (*i, ItemCancellationOutcome::NotCancellable))
                .collect(),
            tasks: assess_plan(view, &item_order, &BTreeSet::new(), &closed, false).tasks,
            compensation: Vec::new(),
            blockers: vec![ChangeBlocker {
                code: codes::ORDER_COMPLETED.into(),
                item_id: None,
                task_id: None,
                message: "the order is completed".into(),
                remediation: "A completed order is never cancelled: place a DISCONNECT order for the assets it created.".into(),
            }],
            awaiting_calls: Vec::new(),
        }
    } else {
        assess_plan(
            view,
            &item_order,
            &scoped,
            &closed,
            spec.force_manual_review,
        )
    };
    let items: Vec<ItemCancellation> = order
        .items()
        .iter()
        .filter_map(|item| {
            let reason = scope.get(&item.id)?;
            let outcome = plan.outcome(item.id)?;
            let tasks: Vec<&TaskView> = view.tasks_of(item.id).collect();
            Some(ItemCancellation {
                item_id: item.id,
                line_number: item.line_number,
                state: item.state,
                scope: *reason,
                outcome,
                asset_revert: asset_revert(item, &tasks).filter(|_| outcome.cancels()),
                billing_started: item.state == ItemState::Completed,
            })
        })
        .collect();
    let kind = if completed_order {
        CancellationKind::PostCompletion
    } else if !order.fulfillment_started {
        CancellationKind::PreExecution
    } else if items
        .iter()
        .all(|i| i.outcome != ItemCancellationOutcome::NotCancellable)
    {
        CancellationKind::InFlightReversible
    } else {
        CancellationKind::InFlightPartiallyIrreversible
    };
    let price_effect = price_effect(order, &items)?;
    Ok(CancellationAssessment {
        kind,
        feasibility: plan.feasibility,
        manual_review_required: plan.feasibility == CancellationFeasibility::RequiresManualReview,
        items,
        tasks: plan.tasks,
        compensation: plan.compensation,
        blockers: plan.blockers,
        price_effect,
        awaiting_calls: plan.awaiting_calls,
    })
}

fn is_compensation(d: TaskDisposition) -> bool {
    matches!(
        d,
        TaskDisposition::Compensate | TaskDisposition::CompensateAfterReview
    )
}

/// The table of the module docs.
pub fn disposition(task: &TaskView) -> TaskDisposition {
    match task.progress {
        TaskProgress::NotStarted => TaskDisposition::Cancel,
        TaskProgress::Ended => TaskDisposition::NothingToUndo,
        TaskProgress::Dispatched | TaskProgress::AwaitingCallback | TaskProgress::Succeeded => {
            if task.mutates_externally() {
                match task.reversibility {
                    TaskReversibility::Automatic | TaskReversibility::Partial => {
                        TaskDisposition::Compensate
                    }
                    TaskReversibility::Manual => TaskDisposition::CompensateAfterReview,
                    TaskReversibility::None => TaskDisposition::Irreversible,
                }
            } else {
                TaskDisposition::NothingToUndo
            }
        }
    }
}

/// The installed-base effect to revert: the completed item's recorded effect, or the
/// planned one when every task of the item already succeeded (its asset may exist).
fn asset_revert(item: &OrderItem, tasks: &[&TaskView]) -> Option<AssetEffect> {
    let effect = if item.state == ItemState::Completed {
        item.asset_effect
    } else if !tasks.is_empty() && tasks.iter().all(|t| t.progress == TaskProgress::Succeeded) {
        Some(item.action.expected_effect())
    } else {
        None
    };
    effect.filter(|e| *e != AssetEffect::None)
}

fn past_point_of_no_return(item: OrderItemId, task: &TaskView) -> ChangeBlocker {
    ChangeBlocker {
        code: codes::ITEM_PAST_POINT_OF_NO_RETURN.into(),
        item_id: Some(item),
        task_id: Some(task.task_id),
        message: format!(
            "item {item} is past its point of no return: {} on {} ({:?} effect, not reversible) has already been applied",
            task.task_type, task.target_system, task.external_effect_level
        ),
        remediation: "Let the item complete, then place a DISCONNECT order for its asset, or a supplemental order for the change you need.".into(),
    }
}

fn price_effect(
    order: &Order,
    items: &[ItemCancellation],
) -> Result<Option<PriceEffect>, DomainError> {
    let Some(content) = order.content.as_ref() else {
        return Ok(None);
    };
    let before = content.header.commercial.order_total;
    let effects = items
        .iter()
        .filter(|i| i.outcome.cancels())
        .filter_map(|i| order.item(i.item_id))
        .map(|item| ItemPriceEffect {
            item_id: item.id,
            before: item.price.total(),
            after: Money::zero(item.price.total().currency()),
        })
        .collect();
    Ok(Some(PriceEffect::of(effects, before)?))
}
