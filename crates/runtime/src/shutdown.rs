//! One shutdown signal for the whole process.
//!
//! [`Shutdown`] is a cloneable handle over a `CancellationToken`. `main` creates it with
//! [`Shutdown::on_signal`], so SIGTERM or Ctrl-C triggers it; the HTTP server, every consumer and
//! the relay hold a clone and stop taking new work once it fires, finish the unit of work they
//! are in, and return. Anything may also trigger it (a failed background task does, through
//! [`crate::tasks::TaskSet`]). Modelled on mini-redis's `shutdown.rs`.

use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

/// A cloneable shutdown signal; triggering any clone triggers them all.
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    token: CancellationToken,
}

impl Shutdown {
    /// A signal that only fires when [`Shutdown::trigger`] is called (tests).
    pub fn new() -> Self {
        Self::default()
    }

    /// A signal that also fires on SIGTERM or Ctrl-C (SIGINT). Must be called inside a Tokio
    /// runtime. The OS handlers are installed before this returns, so a signal that arrives
    /// right after startup is not lost.
    pub fn on_signal() -> Self {
        let shutdown = Self::new();
        let trigger = shutdown.clone();
        let signals = OsSignals::install();
        tokio::spawn(async move {
            tokio::select! {
                () = signals.recv() => trigger.trigger(),
                () = trigger.wait() => {}
            }
        });
        shutdown
    }

    /// Asks every holder to stop. Idempotent.
    pub fn trigger(&self) {
        if !self.token.is_cancelled() {
            tracing::info!("shutdown requested");
        }
        self.token.cancel();
    }

    pub fn is_triggered(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Completes once shutdown is triggered (immediately if it already was).
    pub async fn wait(&self) {
        self.token.cancelled().await;
    }

    /// Like [`Shutdown::wait`], but owns its handle, for APIs that want a `'static` future
    /// (`axum::serve(..).with_graceful_shutdown(..)`).
    pub fn wait_owned(&self) -> WaitForCancellationFutureOwned {
        self.token.clone().cancelled_owned()
    }

    /// A child signal: fires when this one does, but triggering it leaves the parent alone.
    /// For stopping one component without stopping the process.
    pub fn child(&self) -> Self {
        Self {
            token: self.token.child_token(),
        }
    }

    /// The underlying token, for libraries that take a `CancellationToken`.
    pub fn token(&self) -> &CancellationToken {
        &self.token
    }
}

/// SIGTERM and SIGINT handlers, installed eagerly.
struct OsSignals {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
}

impl OsSignals {
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let install = |kind: SignalKind, name: &str| {
                signal(kind)
                    .inspect_err(|error| tracing::error!(%error, "cannot listen for {name}"))
                    .ok()
            };
            Self {
                terminate: install(SignalKind::terminate(), "SIGTERM"),
                interrupt: install(SignalKind::interrupt(), "SIGINT"),
            }
        }
        #[cfg(not(unix))]
        Self {}
    }

    #[cfg(unix)]
    async fn recv(mut self) {
        async fn next(signal: Option<&mut tokio::signal::unix::Signal>) {
            match signal {
                Some(signal) => {
                    signal.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        tokio::select! {
            () = next(self.terminate.as_mut()) => tracing::info!("received SIGTERM"),
            () = next(self.interrupt.as_mut()) => tracing::info!("received SIGINT"),
        }
    }

    #[cfg(not(unix))]
    async fn recv(self) {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("received Ctrl-C");
        } else {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn triggering_a_clone_wakes_every_waiter() {
        let shutdown = Shutdown::new();
        let waiter = shutdown.clone();
        let waiting = tokio::spawn(async move { waiter.wait().await });
        assert!(!shutdown.is_triggered());
        shutdown.clone().trigger();
        tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("the waiter woke up")
            .unwrap();
        assert!(shutdown.is_triggered());
    }

    #[tokio::test]
    async fn a_child_stops_alone() {
        let parent = Shutdown::new();
        let child = parent.child();
        child.trigger();
        assert!(child.is_triggered());
        assert!(!parent.is_triggered());
        let other_child = parent.child();
        parent.trigger();
        assert!(other_child.is_triggered());
    }
}
