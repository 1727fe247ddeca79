//! One simulated downstream system: a [`Ledger`] (its own table) behind the
//! [`DownstreamSystem`] contract, with configured latency, failure injection and
//! asynchronous completion.
//!
//! Per call: a presented idempotency key returns the recorded result at once; otherwise the
//! call waits its latency, may fail (nothing recorded), and is applied by inserting its
//! record: COMPLETED, or ACCEPTED for asynchronous task types, finished later by
//! [`Simulator::deliver_due`] through the callback sink.

use super::faults::{ConcurrencyProbe, Fault, Faults, Injected};
use super::ledger::{self, Ledger, NewRecord, SimRecord};
use crate::config::SimulatorSettings;
use crate::downstream::{
    CallbackError, CallbackOutcome, CallbackSink, DownstreamCallback, DownstreamFailure,
    DownstreamRequest, DownstreamResponse, DownstreamSystem, ExternalRefs,
};
use crate::model::TargetSystem;
use chrono::Utc;
use futures::future::BoxFuture;
use sqlx::PgPool;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// A simulated system over its ledger.
#[derive(Debug)]
pub struct Simulator {
    ledger: Ledger,
    pool: PgPool,
    settings: SimulatorSettings,
    faults: Mutex<Faults>,
    probe: Arc<ConcurrencyProbe>,
}

impl Simulator {
    pub fn new(
        ledger: Ledger,
        pool: PgPool,
        settings: SimulatorSettings,
        probe: Arc<ConcurrencyProbe>,
    ) -> Self {
        Self {
            faults: Mutex::new(Faults::from_settings(&settings)),
            ledger,
            pool,
            settings,
            probe,
        }
    }

    fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What the system gives back for a record: the external reference, and as service or
    /// resource reference where this system owns one.
    fn refs(&self, record: &SimRecord) -> ExternalRefs {
        let reference = record.external_ref.clone();
        let (service_refs, resource_refs) = match self.ledger.system() {
            TargetSystem::NetworkProvisioning => (vec![reference.clone()], vec![]),
            TargetSystem::Inventory | TargetSystem::Shipping => (vec![], vec![reference.clone()]),
            TargetSystem::WorkforceScheduling | TargetSystem::BillingActivation => (vec![], vec![]),
        };
        ExternalRefs {
            external_ref: Some(reference),
            service_refs,
            resource_refs,
        }
    }

    fn answer(&self, record: &SimRecord) -> DownstreamResponse {
        if record.status == ledger::ACCEPTED {
            DownstreamResponse::Accepted {
                external_ref: Some(record.external_ref.clone()),
            }
        } else {
            DownstreamResponse::Completed(self.refs(record))
        }
    }

    fn latency(&self) -> Duration {
        let jitter = if self.settings.latency_jitter_ms == 0 {
            0
        } else {
            rand::random_range(0..=self.settings.latency_jitter_ms)
        };
        Duration::from_millis(self.settings.latency_ms + jitter)
    }

    fn prefix(&self) -> &'static str {
        match self.ledger.system() {
            TargetSystem::Inventory => "INV",
            TargetSystem::WorkforceScheduling => "WO",
            TargetSystem::Shipping => "SHP",
            TargetSystem::NetworkProvisioning => "SVC",
            TargetSystem::BillingActivation => "BIL",
        }
    }

    async fn handle(&self, request: &DownstreamRequest) -> DownstreamResponse {
        let _in_flight = self.probe.enter();
        let unavailable = |e: sqlx::Error| {
            DownstreamResponse::TransientError(DownstreamFailure::new(
                "SIMULATOR_STORE_UNAVAILABLE",
                e.to_string(),
            ))
        };
        let received_at = Utc::now();
        match self.ledger.find(&self.pool, &request.idempotency_key).await {
            Ok(Some(record)) => return self.answer(&record),
            Ok(None) => {}
            Err(e) => return unavailable(e),
        }
        tokio::time::sleep(self.latency()).await;
        let injected =
            self.faults()
                .decide(&request.task_type, request.task_id, rand::random::<f64>());
        match injected {
            Some(Injected::Transient) => {
                return DownstreamResponse::TransientError(DownstreamFailure::new(
                    "SIMULATED_OUTAGE",
                    format!("{} is temporarily unavailable", self.ledger.system()),
                ));
            }
            Some(Injected::Permanent) => {
                return DownstreamResponse::PermanentError(DownstreamFailure::new(
                    "SIMULATED_REJECTION",
                    format!("{} rejected {}", self.ledger.system(), request.task_type),
                ));
            }
            None => {}
        }
        let is_async = self.settings.async_task_types.contains(&request.task_type);
        let now = Utc::now();
        let delay = chrono::Duration::milliseconds(
            i64::try_from(self.settings.async_completion_ms).unwrap_or(i64::MAX),
        );
        let record = NewRecord {
            request,
            status: if is_async {
                ledger::ACCEPTED
            } else {
                ledger::COMPLETED
            },
            external_ref: format!(
                "{}-{}",
                self.prefix(),
                &uuid::Uuid::now_v7().simple().to_string()[20..]
            ),
            received_at,
            complete_at: is_async.then(|| now + delay),
            completed_at: (!is_async).then_some(now),
        };
        match self.ledger.insert(&self.pool, &record).await {
            Ok(Some(stored)) => self.answer(&stored),
            // the same key was applied concurrently: answer with that record
            Ok(None) => match self.ledger.find(&self.pool, &request.idempotency_key).await {
                Ok(Some(stored)) => self.answer(&stored),
                Ok(None) => DownstreamResponse::TransientError(DownstreamFailure::new(
                    "SIMULATOR_CONFLICT",
                    "the request was recorded concurrently but cannot be read",
                )),
                Err(e) => unavailable(e),
            },
            Err(e) => unavailable(e),
        }
    }

    /// Finishes due asynchronous work and delivers the callbacks not acknowledged yet.
    pub async fn deliver_due(&self, sink: &dyn CallbackSink) -> Result<usize, sqlx::Error> {
        self.ledger.complete_due(&self.pool).await?;
        let mut delivered = 0;
        for record in self.ledger.pending_callbacks(&self.pool, 100).await? {
            let callback = DownstreamCallback {
                system: self.ledger.system(),
                task_id: record.task_id,
                idempotency_key: record.idempotency_key.clone(),
                outcome: CallbackOutcome::Completed(self.refs(&record)),
            };
            match sink.deliver(callback).await {
                Ok(()) => {
                    self.ledger
                        .mark_delivered(&self.pool, &record.idempotency_key)
                        .await?;
                    delivered += 1;
                }
                Err(CallbackError::NotYetWaiting(_)) => {}
                Err(error) => {
                    tracing::warn!(%error, key = %record.idempotency_key, "callback not taken; will retry");
                }
            }
        }
        Ok(delivered)
    }
}

impl DownstreamSystem for Simulator {
    fn system(&self) -> TargetSystem {
        self.ledger.system()
    }

    fn execute<'a>(&'a self, request: &'a DownstreamRequest) -> BoxFuture<'a, DownstreamResponse> {
        Box::pin(self.handle(request))
    }
}

/// Operator/test control of one simulator, independent of its ledger type.
pub trait SimulatorControl: Send + Sync + 'static {
    fn system(&self) -> TargetSystem;
    fn set_fault(&self, task_type: &str, fault: Fault);
    fn clear_fault(&self, task_type: &str);
    fn faults(&self) -> BTreeMap<String, Fault>;
    /// Whether this system completes any task type asynchronously (only those have
    /// callbacks to deliver once the start-up pass cleared what an earlier run left).
    fn has_async_work(&self) -> bool;
    fn deliver_due<'a>(
        &'a self,
        sink: &'a dyn CallbackSink,
    ) -> BoxFuture<'a, Result<usize, sqlx::Error>>;
}

impl SimulatorControl for Simulator {
    fn system(&self) -> TargetSystem {
        self.ledger.system()
    }

    fn set_fault(&self, task_type: &str, fault: Fault) {
        self.faults().set(task_type, fault);
    }

    fn clear_fault(&self, task_type: &str) {
        self.faults().clear(task_type);
    }

    fn has_async_work(&self) -> bool {
        !self.settings.async_task_types.is_empty()
    }

    fn faults(&self) -> BTreeMap<String, Fault> {
        Simulator::faults(self).list()
    }

    fn deliver_due<'a>(
        &'a self,
        sink: &'a dyn CallbackSink,
    ) -> BoxFuture<'a, Result<usize, sqlx::Error>> {
        Box::pin(Simulator::deliver_due(self, sink))
    }
}
