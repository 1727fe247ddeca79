//! The task state machine as an explicit transition table. Every change of a task's `state`
//! column goes through [`next_state`]: the engine, downstream callbacks and operator actions
//! name a [`TaskTrigger`], and a pair that is not in [`TRANSITIONS`] is refused. There is no
//! other way to write a state (operator actions are triggers too, never raw edits).
//!
//! ```text
//! PENDING ──DependenciesMet──▶ READY ──Dispatch──▶ DISPATCHED ──Complete──────▶ SUCCEEDED
//!                                ▲                   │  ▲ Recover (same key)      │
//!                                │                   │  └──┘                 Compensate
//!                    OperatorRetry│       AwaitCallback│                          ▼
//!                                │                   ▼                       COMPENSATED
//!    RETRY_SCHEDULED ◀─ScheduleRetry── WAITING_FOR_CALLBACK ──Complete──▶ SUCCEEDED
//!        │  └──Dispatch (due)──▶ DISPATCHED
//!        └─────────────── FALLOUT ◀──RaiseFallout── DISPATCHED | WAITING_FOR_CALLBACK
//! ```
//!
//! Terminal states: SUCCEEDED (until compensated), FAILED, SKIPPED, CANCELLED, COMPENSATED.
//! FAILED only arises from a waiver of an item whose task was in fallout: the failure is
//! accepted and nothing retries it. SKIPPED is a task a waiver made unnecessary before it ran.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Durable state of one fulfillment task (the `fulfillment_task.state` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskState {
    /// Waiting for its dependencies (or for the plan to be released).
    Pending,
    /// Dependencies met; waiting for a free engine slot.
    Ready,
    /// Claimed by an engine; the idempotency key is committed and the call may be in flight.
    Dispatched,
    /// The downstream system accepted the request and reports completion by callback.
    WaitingForCallback,
    Succeeded,
    /// A transient failure; the next attempt is due at `next_attempt_at`.
    RetryScheduled,
    /// Terminal failure accepted by a waiver of the item.
    Failed,
    /// Retries exhausted or a permanent failure: an open fallout case needs an operator.
    Fallout,
    /// Not run because every item it served was waived.
    Skipped,
    Cancelled,
    /// Its effect was reversed by compensation.
    Compensated,
}

impl TaskState {
    pub const ALL: [Self; 11] = [
        Self::Pending,
        Self::Ready,
        Self::Dispatched,
        Self::WaitingForCallback,
        Self::Succeeded,
        Self::RetryScheduled,
        Self::Failed,
        Self::Fallout,
        Self::Skipped,
        Self::Cancelled,
        Self::Compensated,
    ];

    /// States in which a dependent task may run: the dependency did its work, or an
    /// operator's waiver declared it unnecessary.
    pub const DEPENDENCY_MET: [Self; 3] = [Self::Succeeded, Self::Skipped, Self::Failed];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Ready => "READY",
            Self::Dispatched => "DISPATCHED",
            Self::WaitingForCallback => "WAITING_FOR_CALLBACK",
            Self::Succeeded => "SUCCEEDED",
            Self::RetryScheduled => "RETRY_SCHEDULED",
            Self::Failed => "FAILED",
            Self::Fallout => "FALLOUT",
            Self::Skipped => "SKIPPED",
            Self::Cancelled => "CANCELLED",
            Self::Compensated => "COMPENSATED",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// No trigger but compensation leaves these.
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Succeeded | Self::Failed | Self::Skipped | Self::Cancelled | Self::Compensated
        )
    }

    /// A downstream system may be working on the task right now.
    pub const fn is_in_flight(self) -> bool {
        matches!(self, Self::Dispatched | Self::WaitingForCallback)
    }

    pub fn meets_dependency(self) -> bool {
        Self::DEPENDENCY_MET.contains(&self)
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened to a task: the column of the transition table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskTrigger {
    /// Every dependency is met and the plan is released.
    DependenciesMet,
    /// An engine claimed the task and committed the idempotency key of the attempt.
    Dispatch,
    /// An engine took over a DISPATCHED task whose engine died; same attempt, same key.
    Recover,
    /// The downstream system reported success (synchronously or by callback).
    Complete,
    /// The downstream system accepted the request; completion comes by callback.
    AwaitCallback,
    /// A transient failure with retries left.
    ScheduleRetry,
    /// A permanent failure, or a transient one with no retries left.
    RaiseFallout,
    /// Operator: run the task again (fresh retry budget).
    OperatorRetry,
    /// Operator: the work was done outside the engine; evidence recorded.
    OperatorComplete,
    /// Operator: every item the task serves was waived.
    Waive,
    /// The order's fulfillment was stopped before the task took effect.
    Cancel,
    /// Compensation reversed the task's effect.
    Compensate,
}

impl TaskTrigger {
    pub const ALL: [Self; 12] = [
        Self::DependenciesMet,
        Self::Dispatch,
        Self::Recover,
        Self::Complete,
        Self::AwaitCallback,
        Self::ScheduleRetry,
        Self::RaiseFallout,
        Self::OperatorRetry,
        Self::OperatorComplete,
        Self::Waive,
        Self::Cancel,
        Self::Compensate,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DependenciesMet => "DEPENDENCIES_MET",
            Self::Dispatch => "DISPATCH",
            Self::Recover => "RECOVER",
            Self::Complete => "COMPLETE",
            Self::AwaitCallback => "AWAIT_CALLBACK",
            Self::ScheduleRetry => "SCHEDULE_RETRY",
            Self::RaiseFallout => "RAISE_FALLOUT",
            Self::OperatorRetry => "OPERATOR_RETRY",
            Self::OperatorComplete => "OPERATOR_COMPLETE",
            Self::Waive => "WAIVE",
            Self::Cancel => "CANCEL",
            Self::Compensate => "COMPENSATE",
        }
    }
}

impl fmt::Display for TaskTrigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

use TaskState as S;
use TaskTrigger as T;

/// Every allowed `(from, trigger, to)`. Deterministic: one target per `(from, trigger)`.
pub const TRANSITIONS: &[(TaskState, TaskTrigger, TaskState)] = &[
    (S::Pending, T::DependenciesMet, S::Ready),
    (S::Pending, T::Waive, S::Skipped),
    (S::Pending, T::Cancel, S::Cancelled),
    (S::Ready, T::Dispatch, S::Dispatched),
    (S::Ready, T::Waive, S::Skipped),
    (S::Ready, T::Cancel, S::Cancelled),
    (S::Dispatched, T::Recover, S::Dispatched),
    (S::Dispatched, T::Complete, S::Succeeded),
    (S::Dispatched, T::AwaitCallback, S::WaitingForCallback),
    (S::Dispatched, T::ScheduleRetry, S::RetryScheduled),
    (S::Dispatched, T::RaiseFallout, S::Fallout),
    (S::WaitingForCallback, T::Complete, S::Succeeded),
    (S::WaitingForCallback, T::ScheduleRetry, S::RetryScheduled),
    (S::WaitingForCallback, T::RaiseFallout, S::Fallout),
    (S::WaitingForCallback, T::OperatorComplete, S::Succeeded),
    // a cancellation undid work the downstream system was still doing (ADR 0008)
    (S::WaitingForCallback, T::Compensate, S::Compensated),
    (S::RetryScheduled, T::Dispatch, S::Dispatched),
    (S::RetryScheduled, T::OperatorRetry, S::Ready),
    (S::RetryScheduled, T::OperatorComplete, S::Succeeded),
    (S::RetryScheduled, T::Waive, S::Skipped),
    (S::RetryScheduled, T::Cancel, S::Cancelled),
    (S::Fallout, T::OperatorRetry, S::Ready),
    (S::Fallout, T::OperatorComplete, S::Succeeded),
    (S::Fallout, T::Waive, S::Failed),
    (S::Fallout, T::Cancel, S::Cancelled),
    (S::Succeeded, T::Compensate, S::Compensated),
];

/// The state `trigger` leads to from `from`, or `None` when the table refuses it.
pub fn next_state(from: TaskState, trigger: TaskTrigger) -> Option<TaskState> {
    TRANSITIONS
        .iter()
        .find(|&&(f, t, _)| f == from && t == trigger)
        .map(|&(_, _, to)| to)
}

/// A refused transition, with what was attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {from} task does not accept {trigger}")]
pub struct TransitionRefused {
    pub from: TaskState,
    pub trigger: TaskTrigger,
}

/// [`next_state`] as a `Result`.
pub fn transition(from: TaskState, trigger: TaskTrigger) -> Result<TaskState, TransitionRefused> {
    next_state(from, trigger).ok_or(TransitionRefused { from, trigger })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_table_is_deterministic() {
        let mut seen = BTreeSet::new();
        for (from, trigger, _) in TRANSITIONS {
            assert!(seen.insert((*from, *trigger)), "{from} + {trigger} twice");
        }
    }

    #[test]
    fn spellings_round_trip() {
        for state in TaskState::ALL {
            assert_eq!(TaskState::parse(state.as_str()), Some(state));
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
        }
        for trigger in TaskTrigger::ALL {
            let json = serde_json::to_string(&trigger).unwrap();
            assert_eq!(json, format!("\"{}\"", trigger.as_str()));
        }
        assert_eq!(TaskState::parse("DONE"), None);
    }

    #[test]
    fn terminal_states_are_left_only_by_compensation() {
        for &(from, trigger, _) in TRANSITIONS {
            if from.is_terminal() {
                assert_eq!((from, trigger), (S::Succeeded, T::Compensate));
            }
        }
        for state in [S::Failed, S::Skipped, S::Cancelled, S::Compensated] {
            for trigger in TaskTrigger::ALL {
                assert_eq!(next_state(state, trigger), None, "{state} + {trigger}");
            }
        }
    }

    #[test]
    fn every_state_is_reachable_from_pending() {
        let mut reached = BTreeSet::from([S::Pending]);
        loop {
            let before = reached.len();
            for &(from, _, to) in TRANSITIONS {
                if reached.contains(&from) {
                    reached.insert(to);
                }
            }
            if reached.len() == before {
                break;
            }
        }
        assert_eq!(reached.len(), TaskState::ALL.len(), "{reached:?}");
    }

    #[test]
    fn the_engine_path_is_allowed() {
        // happy path, asynchronous path, retry path, fallout path, crash recovery
        let paths: &[&[TaskTrigger]] = &[
            &[T::DependenciesMet, T::Dispatch, T::Complete],
            &[
                T::DependenciesMet,
                T::Dispatch,
                T::AwaitCallback,
                T::Complete,
            ],
            &[
                T::DependenciesMet,
                T::Dispatch,
                T::ScheduleRetry,
                T::Dispatch,
                T::Complete,
            ],
            &[
                T::DependenciesMet,
                T::Dispatch,
                T::RaiseFallout,
                T::OperatorRetry,
                T::Dispatch,
                T::Complete,
            ],
            &[
                T::DependenciesMet,
                T::Dispatch,
                T::Recover,
                T::Recover,
                T::Complete,
            ],
            &[
                T::DependenciesMet,
                T::Dispatch,
                T::AwaitCallback,
                T::ScheduleRetry,
                T::Dispatch,
                T::RaiseFallout,
                T::OperatorComplete,
            ],
        ];
        for path in paths {
            let mut state = S::Pending;
            for trigger in *path {
                state = transition(state, *trigger)
                    .unwrap_or_else(|e| panic!("path {path:?} refused: {e}"));
            }
            assert_eq!(state, S::Succeeded, "{path:?}");
        }
    }

    #[test]
    fn waivers_skip_unstarted_tasks_and_fail_fallen_out_ones() {
        for from in [S::Pending, S::Ready, S::RetryScheduled] {
            assert_eq!(next_state(from, T::Waive), Some(S::Skipped));
        }
        assert_eq!(next_state(S::Fallout, T::Waive), Some(S::Failed));
    }

    #[test]
    fn refused_transitions() {
        let refused = [
            // nothing runs before its dependencies, nor twice at once
            (S::Pending, T::Dispatch),
            (S::Pending, T::Complete),
            (S::Dispatched, T::Dispatch),
            (S::WaitingForCallback, T::Dispatch),
            // an operator cannot retry or complete a task while a call is in flight, nor
            // touch a task that already succeeded or has not started
            (S::Dispatched, T::OperatorRetry),
            (S::Dispatched, T::OperatorComplete),
            (S::Succeeded, T::OperatorRetry),
            (S::Succeeded, T::OperatorComplete),
            (S::Pending, T::OperatorComplete),
            (S::Ready, T::OperatorRetry),
            (S::WaitingForCallback, T::OperatorRetry),
            // a waiver never interrupts a call in flight or undoes a success
            (S::Dispatched, T::Waive),
            (S::WaitingForCallback, T::Waive),
            (S::Succeeded, T::Waive),
            // only dispatched work can be recovered, completed or fail
            (S::Ready, T::Recover),
            (S::RetryScheduled, T::Recover),
            (S::Ready, T::Complete),
            (S::Fallout, T::Complete),
            (S::Fallout, T::RaiseFallout),
            (S::RetryScheduled, T::ScheduleRetry),
            // compensation only reverses what succeeded
            (S::Fallout, T::Compensate),
            (S::Dispatched, T::Cancel),
            (S::WaitingForCallback, T::Cancel),
        ];
        for (from, trigger) in refused {
            assert_eq!(
                transition(from, trigger),
                Err(TransitionRefused { from, trigger }),
                "{from} + {trigger} must be refused"
            );
        }
    }

    #[test]
    fn in_flight_and_dependency_sets() {
        let in_flight: Vec<_> = TaskState::ALL
            .into_iter()
            .filter(|s| s.is_in_flight())
            .collect();
        assert_eq!(in_flight, [S::Dispatched, S::WaitingForCallback]);
        assert!(S::Skipped.meets_dependency());
        assert!(!S::Cancelled.meets_dependency());
        assert!(!S::Compensated.meets_dependency());
        assert!(!S::Fallout.meets_dependency());
    }
}
