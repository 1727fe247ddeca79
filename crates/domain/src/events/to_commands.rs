//! Facts reported by other services, turned into the order commands that record them.
//! Order-capture is the single writer of order state: its consumers map each consumed
//! event through these functions and call `decide`, with the event id as causation id.
//!
//! Facts that carry no order decision map to no command: task success (the item result
//! arrives as `OrderItemFulfilled`), a task failure that will be retried, and
//! `FalloutResolved` (the repair is an order-capture command with its own actor and
//! reason, taken by an operator on the order).

use super::{DecompositionEvent, FulfillmentEvent};
use crate::command::{
    OrderCommand, RaiseFallout, RecordCancellationAssessment, RecordDecompositionFailure,
    RecordItemCompleted,
};
use crate::vocab::FalloutCategory;

impl DecompositionEvent {
    pub fn to_order_command(&self) -> OrderCommand {
        match self {
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
        }
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
            Self::OrderItemFulfilled(e) => {
                vec![OrderCommand::RecordItemCompleted(RecordItemCompleted {
                    item_id: e.item_id,
                    asset_effect: e.asset_effect,
                    actual_asset_id: e.asset_id.clone(),
                    activation_date: e.activation_date,
                })]
            }
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
                    },
                )]
            }
            Self::CompensationCompleted(e) => {
                vec![OrderCommand::CompleteCancellation {
                    request_id: e.request_id,
                }]
            }
            Self::FulfillmentTaskSucceeded(_)
            | Self::FulfillmentTaskFailed(_)
            | Self::FalloutResolved(_) => Vec::new(),
        }
    }
}
