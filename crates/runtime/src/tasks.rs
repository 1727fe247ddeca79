//! Supervision of a service's long-running tasks (HTTP server, consumers, relay).
//!
//! Invariants [`TaskSet::run`] keeps:
//! - if any task fails, panics, or returns before shutdown was requested, shutdown is triggered
//!   so the others stop too: a service never keeps running with a part missing;
//! - once shutdown is triggered every task gets `grace` to finish its current unit of work and
//!   return; tasks still running after that are aborted and reported;
//! - the result lists every task that did not end cleanly, so `main` exits non-zero.

use crate::shutdown::Shutdown;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::time::Duration;
use tokio::task::{Id, JoinError, JoinSet};

/// Named background tasks sharing one [`Shutdown`].
#[derive(Debug)]
pub struct TaskSet {
    shutdown: Shutdown,
    tasks: JoinSet<anyhow::Result<()>>,
    names: HashMap<Id, String>,
}

/// How one task ended badly.
#[derive(Debug)]
pub enum TaskFailure {
    /// Returned an error.
    Failed(anyhow::Error),
    /// Panicked; the panic message when it was a string.
    Panicked(String),
    /// Returned `Ok` although nobody asked it to stop.
    StoppedEarly,
    /// Still running when the grace period ended; it was aborted.
    DidNotStopInTime(Duration),
}

impl fmt::Display for TaskFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(error) => write!(f, "failed: {error:#}"),
            Self::Panicked(message) => write!(f, "panicked: {message}"),
            Self::StoppedEarly => f.write_str("stopped before shutdown was requested"),
            Self::DidNotStopInTime(grace) => write!(f, "did not stop within {grace:?}"),
        }
    }
}

/// Every task that did not end cleanly.
#[derive(Debug, thiserror::Error)]
pub struct TaskSetError {
    pub failures: Vec<(String, TaskFailure)>,
}

impl fmt::Display for TaskSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .failures
            .iter()
            .map(|(task, failure)| format!("task `{task}` {failure}"))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl TaskSet {
    pub fn new(shutdown: Shutdown) -> Self {
        Self {
            shutdown,
            tasks: JoinSet::new(),
            names: HashMap::new(),
        }
    }

    /// The signal every task receives.
    pub fn shutdown(&self) -> &Shutdown {
        &self.shutdown
    }

    /// Starts `task` with a clone of the shutdown signal. The task should return `Ok(())` once
    /// the signal fires and its current unit of work is done.
    pub fn spawn<F, Fut, E>(&mut self, name: impl Into<String>, task: F)
    where
        F: FnOnce(Shutdown) -> Fut,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<anyhow::Error> + 'static,
    {
        let future = task(self.shutdown.clone());
        let handle = self
            .tasks
            .spawn(async move { future.await.map_err(Into::into) });
        self.names.insert(handle.id(), name.into());
    }

    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Runs until every task has ended; see the module docs for what happens on failure.
    pub async fn run(mut self, grace: Duration) -> Result<(), TaskSetError> {
        let mut failures = Vec::new();
        while !self.shutdown.is_triggered() {
            // Biased: a task that returns because shutdown was just triggered must not be
            // mistaken for one that stopped early (both branches are ready then).
            let joined = tokio::select! {
                biased;
                () = self.shutdown.wait() => break,
                joined = self.tasks.join_next_with_id() => joined,
            };
            let Some(joined) = joined else { break };
            let (name, failure) = self.outcome(joined);
            let failure = match failure {
                Some(failure) => failure,
                // It ended cleanly, and shutdown was requested after the select was polled.
                None if self.shutdown.is_triggered() => {
                    tracing::info!(task = %name, "stopped");
                    break;
                }
                None => TaskFailure::StoppedEarly,
            };
            tracing::error!(task = %name, "{failure}; stopping the service");
            failures.push((name, failure));
            self.shutdown.trigger();
        }

        let deadline = tokio::time::Instant::now() + grace;
        loop {
            match tokio::time::timeout_at(deadline, self.tasks.join_next_with_id()).await {
                Ok(None) => break,
                Ok(Some(joined)) => {
                    let (name, failure) = self.outcome(joined);
                    if let Some(failure) = failure {
                        tracing::error!(task = %name, "{failure}");
                        failures.push((name, failure));
                    } else {
                        tracing::info!(task = %name, "stopped");
                    }
                }
                Err(_elapsed) => {
                    self.tasks.abort_all();
                    while let Some(joined) = self.tasks.join_next_with_id().await {
                        let id = match &joined {
                            Ok((id, _)) => *id,
                            Err(error) => error.id(),
                        };
                        let name = self.names.remove(&id).unwrap_or_default();
                        tracing::error!(task = %name, ?grace, "did not stop in time; aborted");
                        failures.push((name, TaskFailure::DidNotStopInTime(grace)));
                    }
                    break;
                }
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(TaskSetError { failures })
        }
    }

    /// The task's name and its failure, if it failed.
    fn outcome(
        &mut self,
        joined: Result<(Id, anyhow::Result<()>), JoinError>,
    ) -> (String, Option<TaskFailure>) {
        let (id, failure) = match joined {
            Ok((id, Ok(()))) => (id, None),
            Ok((id, Err(error))) => (id, Some(TaskFailure::Failed(error))),
            Err(error) => {
                let id = error.id();
                let message = if error.is_panic() {
                    panic_message(&*error.into_panic())
                } else {
                    "cancelled".to_owned()
                };
                (id, Some(TaskFailure::Panicked(message)))
            }
        };
        (self.names.remove(&id).unwrap_or_default(), failure)
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_task_ending_right_after_shutdown_is_not_stopped_early() {
        for _ in 0..50 {
            let shutdown = Shutdown::new();
            let mut tasks = TaskSet::new(shutdown.clone());
            tasks.spawn("quick", |s: Shutdown| async move {
                s.wait().await;
                Ok::<(), anyhow::Error>(())
            });
            let trigger = shutdown.clone();
            tokio::spawn(async move { trigger.trigger() });
            tasks
                .run(Duration::from_secs(5))
                .await
                .expect("a clean stop after shutdown is not a failure");
        }
    }

    #[tokio::test]
    async fn a_task_ending_on_its_own_stops_the_others() {
        let shutdown = Shutdown::new();
        let mut tasks = TaskSet::new(shutdown.clone());
        tasks.spawn("early", |_| async { Ok::<(), anyhow::Error>(()) });
        tasks.spawn("waiting", |s: Shutdown| async move {
            s.wait().await;
            Ok::<(), anyhow::Error>(())
        });
        let error = tasks.run(Duration::from_secs(5)).await.unwrap_err();
        assert_eq!(error.failures.len(), 1);
        assert!(matches!(error.failures[0].1, TaskFailure::StoppedEarly));
        assert!(shutdown.is_triggered());
    }
}
