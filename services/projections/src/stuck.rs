//! Where an order that does not move is stuck: what it waits for, in the words of the runbook
//! ("An order does not move"), from its folded aggregate and its unfinished tasks.

use oms_domain::Order;
use oms_domain::lifecycle::{FulfillmentState, OrderState};

use crate::store::text_of;

/// An unfinished task: type, system, status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTask {
    pub task_type: String,
    pub target_system: String,
    pub status: String,
}

/// What the order waits for (one line) and the details behind it.
pub fn waiting_for(order: &Order, open_tasks: &[OpenTask]) -> (String, Vec<String>) {
    let blocking: Vec<String> = order
        .holds
        .iter()
        .filter(|h| h.is_active_blocking())
        .map(|h| format!("{} hold: {}", text_of(&h.hold_type), h.reason.as_str()))
        .collect();
    let tasks = || {
        open_tasks
            .iter()
            .map(|t| format!("{} @ {} ({})", t.task_type, t.target_system, t.status))
            .collect::<Vec<_>>()
    };
    match order.state {
        OrderState::Draft | OrderState::Submitted => {
            ("validation by order-capture".to_owned(), Vec::new())
        }
        OrderState::Validated | OrderState::Decomposed if !blocking.is_empty() => {
            ("the release of a blocking hold".to_owned(), blocking)
        }
        OrderState::Validated => (
            if order.released_for_decomposition {
                "a plan from decomposition".to_owned()
            } else {
                "the release for decomposition".to_owned()
            },
            Vec::new(),
        ),
        OrderState::Decomposed => ("the release for fulfillment".to_owned(), Vec::new()),
        OrderState::InProgress | OrderState::PartiallyCompleted => {
            let open = tasks();
            if !open.is_empty() {
                (
                    format!("{} unfinished task(s) in fulfillment", open.len()),
                    open,
                )
            } else if order
                .items()
                .iter()
                .any(|i| i.fulfillment_state == FulfillmentState::WaitingForExternalSystem)
            {
                (
                    "the installed base (asset service) to confirm fulfilled items".to_owned(),
                    Vec::new(),
                )
            } else {
                ("item results from fulfillment".to_owned(), Vec::new())
            }
        }
        OrderState::Fallout => (
            "an operator to repair the fallout".to_owned(),
            order
                .fallout
                .iter()
                .flat_map(|f| &f.cases)
                .map(|c| {
                    format!(
                        "{} {}: {}",
                        text_of(&c.category),
                        c.code.as_str(),
                        c.message
                    )
                })
                .collect(),
        ),
        OrderState::CancellationRequested => (
            "the cancellation assessment from fulfillment".to_owned(),
            Vec::new(),
        ),
        OrderState::Cancelling => ("compensation in fulfillment".to_owned(), tasks()),
        OrderState::Completed
        | OrderState::Rejected
        | OrderState::Cancelled
        | OrderState::FailedClosed => ("nothing (terminal)".to_owned(), Vec::new()),
    }
}
