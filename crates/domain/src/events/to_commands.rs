//! Facts reported by other services, turned into the order commands that record them.
//! Order-capture is the single writer of order state: its consumers map each consumed
//! event through these functions and call `decide`, with the event id as causation id.
//!
//! Facts that carry no order decision map to no command: task success (the item result
//! arrives as `OrderItemFulfilled`), a task failure that will be retried, and
//! `FalloutResolved` (the repair is an order-capture command with its own actor and
//! reason, taken by an operator on the order). A waiver decided in fulfillment
//! (`FulfillmentItemWaived`) becomes `WaiveItem` with the operator's reason from the meta.
//!
//! Item completion has one trigger per item (ARCHITECTURE happy path): an item whose
//! fulfillment changes the installed base completes when the asset service reports the
//! change (`AssetCreated`, `AssetModified`, ...), with the actual asset id and the date the
//! change took effect; `OrderItemFulfilled` for such an item only records that it now
//! waits for the installed base. An item without an asset effect (NO_CHANGE) completes on
//! `OrderItemFulfilled` itself, since no asset event will ever follow.

use chrono::NaiveDate;

use super::{AssetEvent, AssetEventBase, DecompositionEvent, FulfillmentEvent, InstalledAsset};
use crate::command::{
    OrderCommand, RaiseFallout, RecordAmendmentApplied, RecordAmendmentRejected,
    RecordCancellationAssessment, RecordDecompositionFailure, RecordItemCompleted,
    RecordItemFailed,
};
use crate::error::ValueError;
use crate::lifecycle::FulfillmentState;
use crate::value::{FalloutId, ReasonCode};
use crate::vocab::{AssetEffect, FalloutCategory, RepairResolution};

/// Reason code of the fallout an `AssetInconsistencyDetected` opens on its item.
pub const ASSET_INCONSISTENCY_CODE: &str = "ASSET_INCONSISTENCY_DETECTED";

impl DecompositionEvent {
    /// The command recording the fact; `None` for a re-plan, which order-capture only
    /// records in its execution view (fulfillment decides whether it applies).
    pub fn to_order_command(&self) -> Result<Option<OrderCommand>, ValueError> {
        Ok(Some(match self {
            Self::OrderDecomposed(e) => OrderCommand::RecordDecomposition {
                plan: e.plan.clone(),
            },
            Self::OrderDecompositionFailed(e) => {
                OrderCommand::RecordDecompositionFailure(RecordDecompositionFailure {
                    fallout_id: e.fallout_id,
                    code: e.code,
                    item_id: e.item_id,
                    message: e.message.clone(),
                    remediation: e.remediation.clone(),
                })
            }
            Self::OrderRedecomposed(_) => return Ok(None),
            Self::OrderRedecompositionFailed(e) => {
                OrderCommand::RecordAmendmentRejected(RecordAmendmentRejected {
                    request_id: e.request_id,
                    code: ReasonCode::parse(e.code.as_str())?,
                    message: e.message.clone(),
                    remediation: e.remediation.clone(),
                })
            }
        }))
    }
}

impl FulfillmentEvent {
    /// Commands to decide in order (a task may cover several items).
    pub fn to_order_commands(&self) -> Vec<OrderCommand> {
        match self {
            Self::FulfillmentTaskStarted(e) => e
                .item_ids
                .iter()
                .map(|item_id| OrderCommand::RecordItemStarted { item_id: *item_id })
                .collect(),
            Self::OrderItemFulfilled(e) if e.asset_effect == AssetEffect::None => {
                vec![OrderCommand::RecordItemCompleted(RecordItemCompleted {
                    item_id: e.item_id,
                    asset_effect: e.asset_effect,
                    actual_asset_id: e.asset_id.clone(),
                    activation_date: e.activation_date,
                })]
            }
            // The asset service completes it (see the module docs); until then it waits.
            Self::OrderItemFulfilled(e) => vec![OrderCommand::RecordItemProgress {
                item_id: e.item_id,
                fulfillment_state: FulfillmentState::WaitingForExternalSystem,
            }],
            Self::FalloutRaised(e) => vec![OrderCommand::RaiseFallout(RaiseFallout {
                fallout_id: e.fallout_id,
                category: if e.during_compensation {
                    FalloutCategory::Compensation
                } else {
                    FalloutCategory::Fulfillment
                },
                code: e.code.clone(),
                item_id: e.item_id,
                task_id: e.task_id,
                message: e.message.clone(),
                remediation: e.remediation.clone(),
            })],
            Self::CancellationAssessmentCompleted(e) => {
                vec![OrderCommand::RecordCancellationAssessment(
                    RecordCancellationAssessment {
                        request_id: e.request_id,
                        feasibility: e.feasibility,
                        compensated_item_ids: e.compensated_item_ids.clone(),
                        blockers: e.blockers.clone(),
                        cancelling_item_ids: e.cancelling_item_ids.clone(),
                    },
                )]
            }
            // The item's work is undone; the asset service reverts the installed base on
            // its own (the order does not wait for it, see ADR 0008).
            Self::OrderItemCompensated(e) => vec![OrderCommand::RecordItemCancelled {
                item_id: e.item_id,
                asset_reverted: Some(e.reverted_effect).filter(|x| *x != AssetEffect::None),
            }],
            Self::PlanAmendmentApplied(e) => {
                vec![OrderCommand::RecordAmendmentApplied(
                    RecordAmendmentApplied {
                        request_id: e.request_id,
                        plan_id: e.plan_id,
                        tasks_per_item: e.tasks_per_item.clone(),
                    },
                )]
            }
            Self::PlanAmendmentRefused(e) => {
                vec![OrderCommand::RecordAmendmentRejected(
                    RecordAmendmentRejected {
                        request_id: e.request_id,
                        code: e.code.clone(),
                        message: e.blockers.join("; "),
                        remediation:
                            "Raise a supplemental order for the change once this order completes."
                                .into(),
                    },
                )]
            }
            // The operator's reason travels in the meta, which `WaiveItem` requires.
            Self::FulfillmentItemWaived(e) => vec![OrderCommand::WaiveItem {
                item_id: e.item_id,
                policy_ref: e.policy_ref.clone(),
            }],
            // Fulfillment resolved its case (a retry, a manual completion or a waiver by an
            // operator, whose actor and reason travel in the meta): on the order the cause was
            // fixed outside it, so the case closes with `Resume` and the header is re-derived
            // from the items. A waived item arrives separately as `FulfillmentItemWaived`.
            Self::FalloutResolved(e) => vec![OrderCommand::RepairFallout {
                fallout_id: e.fallout_id,
                resolution: RepairResolution::Resume,
            }],
            // Task facts feed order-capture's execution view only; the plan's end is known
            // from its items.
            Self::FulfillmentTaskSucceeded(_)
            | Self::FulfillmentTaskFailed(_)
            | Self::CompensationCompleted(_) => Vec::new(),
        }
    }
}

impl AssetEvent {
    /// The command recording this installed-base fact on the order and item that caused it.
    ///
    /// A change completes the item with the asset id and the date the change took effect:
    /// the activation date of a created asset, the termination date of a terminated one,
    /// and the day of the event for the other changes. An inconsistency fails the item and
    /// opens fallout case `fallout_id` on it (derive the id from the event id, so a
    /// redelivered event names the same case).
    pub fn to_order_command(
        &self,
        fallout_id: FalloutId,
    ) -> Result<Option<OrderCommand>, ValueError> {
        let (effect, effective_on): (AssetEffect, Option<NaiveDate>) = match self {
            Self::AssetCreated(e) => (AssetEffect::Create, e.asset.activation_date),
            Self::AssetModified(_) => (AssetEffect::Modify, None),
            Self::AssetTerminated(e) => (AssetEffect::Terminate, Some(e.terminated_on)),
            Self::AssetSuspended(_) => (AssetEffect::Suspend, None),
            Self::AssetResumed(_) => (AssetEffect::Resume, None),
            Self::AssetMoved(_) => (AssetEffect::Move, None),
            Self::AssetRenewed(_) => (AssetEffect::Renew, None),
            // The order already recorded the cancellation (see `OrderItemCompensated`).
            Self::AssetReverted(_) => return Ok(None),
            Self::AssetInconsistencyDetected(e) => {
                return Ok(Some(OrderCommand::RecordItemFailed(RecordItemFailed {
                    item_id: e.base.item_id,
                    fallout_id,
                    code: ReasonCode::parse(ASSET_INCONSISTENCY_CODE)?,
                    message: format!(
                        "asset {}: {} (action {:?}, expected status {:?}, actual {:?})",
                        e.base.asset_id,
                        e.description,
                        e.attempted_action,
                        e.expected_status,
                        e.actual_status
                    ),
                })));
            }
        };
        let base = self.base();
        Ok(Some(OrderCommand::RecordItemCompleted(
            RecordItemCompleted {
                item_id: base.item_id,
                asset_effect: effect,
                actual_asset_id: Some(base.asset_id.clone()),
                activation_date: effective_on.or_else(|| Some(base.meta.at.date_naive())),
            },
        )))
    }

    /// The installed asset as it stands after the change, for projections; `None` for an
    /// inconsistency report, which changes nothing.
    pub fn installed_asset(&self) -> Option<&InstalledAsset> {
        match self {
            Self::AssetCreated(e) => Some(&e.asset),
            Self::AssetModified(e) => Some(&e.asset),
            Self::AssetTerminated(e) => Some(&e.asset),
            Self::AssetSuspended(e) => Some(&e.asset),
            Self::AssetResumed(e) => Some(&e.asset),
            Self::AssetMoved(e) => Some(&e.asset),
            Self::AssetRenewed(e) => Some(&e.asset),
            Self::AssetReverted(e) => Some(&e.asset),
            Self::AssetInconsistencyDetected(_) => None,
        }
    }

    /// Asset, tenant, causing order and item, and meta of any asset fact.
    pub fn base(&self) -> &AssetEventBase {
        match self {
            Self::AssetCreated(e) => &e.base,
            Self::AssetModified(e) => &e.base,
            Self::AssetTerminated(e) => &e.base,
            Self::AssetSuspended(e) => &e.base,
            Self::AssetResumed(e) => &e.base,
            Self::AssetMoved(e) => &e.base,
            Self::AssetRenewed(e) => &e.base,
            Self::AssetReverted(e) => &e.base,
            Self::AssetInconsistencyDetected(e) => &e.base,
        }
    }
}
