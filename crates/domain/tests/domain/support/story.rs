//! `Story` (drive an order through commands) and the given/when/then harness.

#![allow(dead_code)]

use oms_domain::lifecycle::OrderState;
use oms_domain::vocab::CancellationFeasibility;
use oms_domain::{
    DomainError, DomainEvent, Order, OrderCommand, OrderEvent, TransitionMeta, decide, evolve,
};

use super::*;

/// Drives an order through commands, keeping every event; panics on a refused command.
#[derive(Debug, Clone, Default)]
pub struct Story {
    pub events: Vec<OrderEvent>,
    pub order: Option<Order>,
}

impl Story {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn then(mut self, command: OrderCommand) -> Self {
        self.apply(command, &meta_r());
        self
    }

    pub fn apply(&mut self, command: OrderCommand, meta: &TransitionMeta) {
        let desc = format!("{command:?}");
        let events = decide(self.order.as_ref(), command, meta).unwrap_or_else(|e| {
            panic!(
                "{} refused in {:?}: {e}",
                desc.chars().take(80).collect::<String>(),
                self.state()
            )
        });
        for e in &events {
            self.order = evolve(self.order.take(), e);
        }
        self.events.extend(events);
    }

    pub fn state(&self) -> Option<OrderState> {
        self.order.as_ref().map(|o| o.state)
    }

    pub fn order(&self) -> &Order {
        self.order.as_ref().expect("order exists")
    }

    /// Captured and validated, `n` items.
    pub fn validated(n: usize) -> Self {
        Self::new().then(capture(quote_intake(n), context()))
    }

    pub fn decomposed(n: usize) -> Self {
        Self::validated(n)
            .then(OrderCommand::ReleaseForDecomposition)
            .then(plan(n))
    }

    pub fn in_progress(n: usize) -> Self {
        Self::decomposed(n).then(OrderCommand::ReleaseForFulfillment)
    }

    /// A representative history reaching `state` with `n` items (n >= 2 for
    /// PARTIALLY_COMPLETED).
    pub fn reaching(state: OrderState, n: usize) -> Self {
        match state {
            OrderState::Draft => Self::new().then(draft(quote_intake(n))),
            OrderState::Submitted => {
                Self::reaching(OrderState::Draft, n).then(OrderCommand::SubmitOrder)
            }
            OrderState::Validated => Self::validated(n),
            OrderState::Rejected => {
                let mut intake = quote_intake(n);
                intake.items[0].quantity = 0;
                Self::new().then(capture(intake, context()))
            }
            OrderState::Decomposed => Self::decomposed(n),
            OrderState::InProgress => Self::in_progress(n),
            OrderState::PartiallyCompleted => Self::in_progress(n).then(complete(0)),
            OrderState::Completed => (0..n).fold(Self::in_progress(n), |s, i| s.then(complete(i))),
            OrderState::Fallout => Self::in_progress(n).then(fail(0, 1)),
            OrderState::CancellationRequested => Self::in_progress(n).then(cancel()),
            OrderState::Cancelling => Self::reaching(OrderState::CancellationRequested, n)
                .then(assess(CancellationFeasibility::FullyCancellable, vec![])),
            OrderState::Cancelled => Self::validated(n).then(cancel()),
            OrderState::FailedClosed => {
                Self::reaching(OrderState::Fallout, n).then(OrderCommand::CloseAsFailed)
            }
        }
    }
}

/// given(history).when(command) → then_*.
pub fn given(story: &Story) -> Given {
    Given {
        order: story.order.clone(),
    }
}

pub struct Given {
    pub order: Option<Order>,
}

impl Given {
    pub fn when(self, command: OrderCommand) -> Then {
        self.when_with(command, &meta_r())
    }

    pub fn when_with(self, command: OrderCommand, meta: &TransitionMeta) -> Then {
        let result = decide(self.order.as_ref(), command, meta);
        Then {
            before: self.order,
            result,
        }
    }
}

pub struct Then {
    pub before: Option<Order>,
    pub result: Result<Vec<OrderEvent>, DomainError>,
}

impl Then {
    /// Asserts the event types in order and returns the order after applying them.
    pub fn then_expect_types(self, expected: &[&str]) -> Order {
        let events = self
            .result
            .unwrap_or_else(|e| panic!("expected {expected:?}, got error {} ({e})", e.code()));
        let types: Vec<&str> = events.iter().map(DomainEvent::event_type).collect();
        assert_eq!(types, expected);
        events
            .iter()
            .fold(self.before, evolve)
            .expect("order after events")
    }

    /// Asserts exact events.
    pub fn then_expect(self, expected: &[OrderEvent]) {
        assert_eq!(self.result.expect("events"), expected);
    }

    pub fn then_error(self, expected_code: &str) -> DomainError {
        match self.result {
            Ok(events) => panic!(
                "expected error {expected_code}, got events {:?}",
                events
                    .iter()
                    .map(DomainEvent::event_type)
                    .collect::<Vec<_>>()
            ),
            Err(e) => {
                assert_eq!(e.code(), expected_code, "{e}");
                e
            }
        }
    }
}
