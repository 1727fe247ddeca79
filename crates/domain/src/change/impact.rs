//! Amendment impact assessment (004 §17; ADR 0008 §3): for each requested change its class,
//! the phase of what it touches and the matrix rule; for each task of the plan whether it
//! is kept, replaced by the re-plan, or blocks the amendment; the price effect; and the
//! order content after the amendment. Nothing is applied partially: one blocked change
//! refuses the whole request.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use super::amendment::{AmendmentChange, ChangeClass, ChangeKind, apply_changes};
use super::execution::{ExecutionView, TaskProgress, TaskView};
use super::report::{ChangeBlocker, ItemPriceEffect, PriceEffect, codes};
use super::safety::{AmendmentPhase, SafetyRule, rule};
use crate::error::DomainError;
use crate::lifecycle::{ItemState, OrderState};
use crate::order::{Order, OrderContent};
use crate::value::{OrderItemId, TaskId};
use crate::vocab::ItemInput;

/// Systems whose tasks book the requested dates (appointments, deliveries).
const SCHEDULING_SYSTEMS: &[&str] = &["WORKFORCE_SCHEDULING", "SHIPPING", "workforce", "shipping"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AmendmentFeasibility {
    /// Applied at once: nothing to re-plan.
    Applicable,
    /// Applied once decomposition re-planned and fulfillment replaced the pending tasks.
    RequiresRedecomposition,
    Blocked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AmendmentTaskDisposition {
    /// Unchanged by the amendment (a succeeded task is never re-run).
    Keep,
    /// Not started and affected: cancelled and re-created by the re-plan.
    Replace,
    /// Affected but may already have applied its effect: blocks the amendment.
    Blocked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeImpact {
    pub index: usize,
    pub kind: ChangeKind,
    pub class: ChangeClass,
    pub item_ids: Vec<OrderItemId>,
    pub phase: AmendmentPhase,
    pub rule: SafetyRule,
    pub path: String,
    pub before: String,
    pub after: String,
    pub blocker: Option<ChangeBlocker>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmendmentTaskImpact {
    pub task_id: TaskId,
    pub task_type: String,
    pub target_system: String,
    pub item_ids: Vec<OrderItemId>,
    pub progress: TaskProgress,
    pub disposition: AmendmentTaskDisposition,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmendmentAssessment {
    pub feasibility: AmendmentFeasibility,
    pub changes: Vec<ChangeImpact>,
    /// Every task of the current plan, in plan order.
    pub tasks: Vec<AmendmentTaskImpact>,
    pub requires_repricing: bool,
    pub requires_reconfiguration: bool,
    pub requires_redecomposition: bool,
    /// This matrix has no approval path: a change is applied, re-planned or refused.
    pub requires_approval: bool,
    pub requires_manual_review: bool,
    pub blockers: Vec<ChangeBlocker>,
    pub price_effect: PriceEffect,
    /// Items whose tasks the re-plan replaces.
    pub replanned_item_ids: Vec<OrderItemId>,
    /// The order content once the amendment is applied.
    pub content_after: OrderContent,
}

impl AmendmentAssessment {
    pub fn blocker_summaries(&self) -> Vec<String> {
        self.blockers.iter().map(ChangeBlocker::summary).collect()
    }
}

/// Assesses `changes` on `order` with plan `view`. Refuses malformed changes
/// (`AMENDMENT_INVALID`, `AMENDMENT_NO_CHANGE`) and orders that are not amendable at all
/// (not validated yet, closed); a change the matrix blocks is reported, not refused.
pub fn assess_amendment(
    order: &Order,
    view: &ExecutionView,
    changes: &[AmendmentChange],
) -> Result<AmendmentAssessment, DomainError> {
    let Some(content) = order.content.as_ref() else {
        return Err(DomainError::AmendmentInvalid {
            code: codes::AMENDMENT_NOT_ALLOWED,
            detail: "the order is not validated yet: submit the draft with the changes instead"
                .into(),
        });
    };
    if order.state.is_terminal() {
        return Err(DomainError::AmendmentInvalid {
            code: if order.state == OrderState::Completed {
                codes::ORDER_COMPLETED
            } else {
                codes::ORDER_CLOSED
            },
            detail: format!(
                "the order is {:?}: raise a supplemental order for the change",
                order.state
            ),
        });
    }
    let content_after = apply_changes(content, changes)?;
    let planned = order.decomposition.is_some();
    let mut impacts = Vec::with_capacity(changes.len());
    let mut blockers = Vec::new();
    let mut replaced: BTreeSet<TaskId> = BTreeSet::new();
    let mut blocked_tasks: BTreeSet<TaskId> = BTreeSet::new();
    if !planned && order.released_for_decomposition {
        blockers.push(ChangeBlocker {
            code: codes::DECOMPOSITION_IN_PROGRESS.into(),
            item_id: None,
            task_id: None,
            message: "the order is being decomposed right now".into(),
            remediation: "Retry the amendment in a few seconds, once the plan is recorded.".into(),
        });
    }
    for (index, change) in changes.iter().enumerate() {
        let kind = change.kind();
        let targets = targets(order, view, change);
        let affected = affected_tasks(view, kind, &targets);
        let started: Vec<&TaskView> = view
            .tasks
            .iter()
            .filter(|t| affected.contains(&t.task_id) && t.progress.may_have_applied())
            .collect();
        let closed_item = targets.iter().find_map(|id| {
            order.item(*id).filter(|i| {
                matches!(
                    i.state,
                    ItemState::Completed
                        | ItemState::Cancelled
                        | ItemState::Cancelling
                        | ItemState::Waived
                )
            })
        });
        let phase = if !planned {
            AmendmentPhase::BeforeDecomposition
        } else if closed_item.is_some() {
            AmendmentPhase::ItemCompleted
        } else if !started.is_empty() {
            AmendmentPhase::AffectedTaskStarted
        } else {
            AmendmentPhase::AfterDecomposition
        };
        let mut cell = rule(kind, phase);
        // A re-plan that would replace nothing is an in-place change.
        if cell.redecomposes() && affected.is_empty() {
            cell = if cell.reprices() {
                SafetyRule::ApplyAndReprice
            } else {
                SafetyRule::Apply
            };
        }
        let blocker = (!cell.allows()).then(|| {
            blocker_for(
                kind,
                phase,
                closed_item.map(|i| i.id),
                started.first().copied(),
            )
        });
        if let Some(b) = &blocker {
            blockers.push(b.clone());
            blocked_tasks.extend(started.iter().map(|t| t.task_id));
        } else if cell.redecomposes() {
            replaced.extend(affected.iter().copied());
        }
        let (path, before, after) = change.describe(content);
        impacts.push(ChangeImpact {
            index,
            kind,
            class: kind.class(),
            item_ids: targets,
            phase,
            rule: cell,
            path,
            before,
            after,
            blocker,
        });
    }
    let tasks: Vec<AmendmentTaskImpact> = view
        .tasks
        .iter()
        .map(|t| AmendmentTaskImpact {
            task_id: t.task_id,
            task_type: t.task_type.clone(),
            target_system: t.target_system.clone(),
            item_ids: t.item_ids.clone(),
            progress: t.progress,
            disposition: if blocked_tasks.contains(&t.task_id) {
                AmendmentTaskDisposition::Blocked
            } else if replaced.contains(&t.task_id) {
                AmendmentTaskDisposition::Replace
            } else {
                AmendmentTaskDisposition::Keep
            },
        })
        .collect();
    let feasibility = if !blockers.is_empty() {
        AmendmentFeasibility::Blocked
    } else if impacts.iter().any(|c| c.rule.redecomposes()) {
        AmendmentFeasibility::RequiresRedecomposition
    } else {
        AmendmentFeasibility::Applicable
    };
    let replanned_item_ids: Vec<OrderItemId> = order
        .items()
        .iter()
        .filter(|i| {
            view.tasks
                .iter()
                .any(|t| replaced.contains(&t.task_id) && t.serves(i.id))
        })
        .map(|i| i.id)
        .collect();
    let price_effect = price_effect(content, &content_after)?;
    Ok(AmendmentAssessment {
        feasibility,
        requires_repricing: impacts
            .iter()
            .any(|c| c.kind.class() == ChangeClass::Commercial),
        requires_reconfiguration: impacts
            .iter()
            .any(|c| c.kind == ChangeKind::ItemConfiguration),
        requires_redecomposition: feasibility == AmendmentFeasibility::RequiresRedecomposition,
        requires_approval: false,
        requires_manual_review: false,
        changes: impacts,
        tasks,
        blockers,
        price_effect,
        replanned_item_ids,
        content_after,
    })
}

/// Items a change touches: its item, or for an order-level change every item that has a
/// task using the changed input (every item when none says).
fn targets(order: &Order, view: &ExecutionView, change: &AmendmentChange) -> Vec<OrderItemId> {
    if let Some(id) = change.item_id() {
        return vec![id];
    }
    let kind = change.kind();
    // Dates only matter to items still to be scheduled; an address also to completed ones
    // (the installation happened there).
    let open = |id: &OrderItemId| {
        order.item(*id).is_some_and(|i| match i.state {
            ItemState::Cancelled | ItemState::Waived => false,
            ItemState::Completed => kind != ChangeKind::RequestedDates,
            _ => true,
        })
    };
    let using: Vec<OrderItemId> = order
        .items()
        .iter()
        .map(|i| i.id)
        .filter(open)
        .filter(|id| view.tasks_of(*id).any(|t| uses(t, kind)))
        .collect();
    if using.is_empty() && view.tasks.is_empty() {
        order.items().iter().map(|i| i.id).filter(open).collect()
    } else {
        using
    }
}

fn uses(task: &TaskView, kind: ChangeKind) -> bool {
    if kind == ChangeKind::RequestedDates {
        return SCHEDULING_SYSTEMS.contains(&task.target_system.as_str());
    }
    kind.inputs().iter().any(|i: &ItemInput| task.uses(*i))
}

/// Tasks of the target items that use the changed input, and everything downstream of them
/// (their ids change with their upstream's).
fn affected_tasks(
    view: &ExecutionView,
    kind: ChangeKind,
    targets: &[OrderItemId],
) -> BTreeSet<TaskId> {
    if kind == ChangeKind::ItemPrice {
        return BTreeSet::new();
    }
    let direct: BTreeSet<TaskId> = view
        .tasks
        .iter()
        .filter(|t| targets.iter().any(|i| t.serves(*i)) && uses(t, kind))
        .map(|t| t.task_id)
        .collect();
    if kind == ChangeKind::RequestedDates {
        // dates are not part of any task's identity: nothing is replaced
        return direct;
    }
    let mut all = view.dependents(&direct);
    all.extend(direct);
    all
}

fn blocker_for(
    kind: ChangeKind,
    phase: AmendmentPhase,
    closed_item: Option<OrderItemId>,
    started: Option<&TaskView>,
) -> ChangeBlocker {
    match (kind, phase) {
        (ChangeKind::ItemPrice, _) => ChangeBlocker {
            code: codes::AMENDMENT_NOT_ALLOWED.into(),
            item_id: None,
            task_id: None,
            message: "the accepted price is the quote's; it does not change on its own".into(),
            remediation: "Re-quote in CPQ and amend with the new offering or quantity and its price, or raise a billing adjustment order.".into(),
        },
        (_, AmendmentPhase::ItemCompleted) => ChangeBlocker {
            code: codes::AMENDMENT_PAST_POINT_OF_NO_RETURN.into(),
            item_id: closed_item,
            task_id: None,
            message: format!("{kind:?} touches an item that is already completed or closed"),
            remediation: "Raise a supplemental order for the change once this order completes."
                .into(),
        },
        _ => ChangeBlocker {
            code: codes::AMENDMENT_PAST_POINT_OF_NO_RETURN.into(),
            item_id: started.and_then(|t| t.item_ids.first().copied()),
            task_id: started.map(|t| t.task_id),
            message: started.map_or_else(
                || format!("{kind:?} touches a task that has started"),
                |t| {
                    format!(
                        "{kind:?} would replace {} on {}, which has already been applied",
                        t.task_type, t.target_system
                    )
                },
            ),
            remediation: "Raise a supplemental order for the change once this order completes (or cancel the affected items and order again).".into(),
        },
    }
}

fn price_effect(before: &OrderContent, after: &OrderContent) -> Result<PriceEffect, DomainError> {
    let items = before
        .items
        .iter()
        .zip(&after.items)
        .filter(|(b, a)| b.price != a.price)
        .map(|(b, a)| ItemPriceEffect {
            item_id: b.id,
            before: b.price.total(),
            after: a.price.total(),
        })
        .collect();
    Ok(PriceEffect::of(
        items,
        before.header.commercial.order_total,
    )?)
}
