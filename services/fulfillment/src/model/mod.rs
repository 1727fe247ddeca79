//! Fulfillment's own vocabulary, free of IO: the task state machine, the downstream systems,
//! the retry schedule and the names derived from ids.

pub mod backoff;
pub mod keys;
pub mod system;
pub mod task_state;

pub use backoff::Backoff;
pub use system::TargetSystem;
pub use task_state::{TaskState, TaskTrigger, TransitionRefused};
