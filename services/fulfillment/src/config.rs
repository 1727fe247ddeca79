//! The service's own configuration keys, next to the shared sections of
//! `oms_runtime::config::CommonConfig` (`http`, `database`, `kafka`, `schema_registry`,
//! `auth`):
//!
//! - `[engine]`: concurrency bound, polling, retry schedule, call timeout, recovery sweep;
//! - `[simulators.<system>]` for `inventory`, `workforce_scheduling`, `shipping`,
//!   `network_provisioning`, `billing_activation`: latency, failure rates, deterministic
//!   fault injection and asynchronous completion (docs/simulators.md).
//!
//! Environment variables override any key: `OMS_ENGINE__MAX_CONCURRENCY=4`,
//! `OMS_SIMULATORS__SHIPPING__LATENCY_MS=200`.

use crate::model::{Backoff, TargetSystem};
use oms_runtime::config::CommonConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// Service name: consumer group, relay lock namespace, metrics label.
pub const SERVICE: &str = "fulfillment";

/// Local-stack defaults: port 8083, database `oms_fulfillment`.
pub fn local_defaults() -> CommonConfig {
    CommonConfig::local(SERVICE, "oms_fulfillment", 8083)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Settings {
    pub engine: EngineSettings,
    pub simulators: SimulatorsSettings,
}

/// `[engine]`: how tasks are run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EngineSettings {
    /// Downstream calls in flight at once, per engine (process).
    pub max_concurrency: usize,
    /// How often the engine looks for due work when nothing wakes it.
    pub poll_interval_ms: u64,
    /// Attempts per retry budget (the first included); then the task falls out.
    pub max_attempts: u32,
    pub backoff_initial_ms: u64,
    pub backoff_max_ms: u64,
    /// Fraction of each delay drawn at random (0 = none, 1 = up to the whole delay).
    pub backoff_jitter: f64,
    /// A downstream call still running after this long counts as a transient failure.
    pub call_timeout_ms: u64,
    /// How often the engine looks for tasks of dead engines and missed promotions.
    pub recovery_interval_ms: u64,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            max_concurrency: 8,
            poll_interval_ms: 200,
            max_attempts: 5,
            backoff_initial_ms: 1_000,
            backoff_max_ms: 60_000,
            backoff_jitter: 0.2,
            call_timeout_ms: 30_000,
            recovery_interval_ms: 5_000,
        }
    }
}

impl EngineSettings {
    pub fn backoff(&self) -> Backoff {
        Backoff {
            initial: Duration::from_millis(self.backoff_initial_ms),
            max: Duration::from_millis(self.backoff_max_ms.max(self.backoff_initial_ms)),
            jitter: self.backoff_jitter,
            max_attempts: self.max_attempts.max(1),
        }
    }

    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms.max(10))
    }

    pub fn call_timeout(&self) -> Duration {
        Duration::from_millis(self.call_timeout_ms.max(1))
    }

    pub fn recovery_interval(&self) -> Duration {
        Duration::from_millis(self.recovery_interval_ms.max(100))
    }
}

/// `[simulators]`: one section per downstream system.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimulatorsSettings {
    /// Run the in-process simulators (the only adapters this build has).
    pub enabled: bool,
    /// How often due asynchronous completions are delivered.
    pub callback_poll_ms: u64,
    pub inventory: SimulatorSettings,
    pub workforce_scheduling: SimulatorSettings,
    pub shipping: SimulatorSettings,
    pub network_provisioning: SimulatorSettings,
    pub billing_activation: SimulatorSettings,
}

impl Default for SimulatorsSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            callback_poll_ms: 100,
            inventory: SimulatorSettings::default(),
            workforce_scheduling: SimulatorSettings {
                // a technician visit completes later and is reported by callback
                async_task_types: vec!["DISPATCH_TECHNICIAN".to_owned()],
                async_completion_ms: 2_000,
                ..SimulatorSettings::default()
            },
            shipping: SimulatorSettings::default(),
            network_provisioning: SimulatorSettings::default(),
            billing_activation: SimulatorSettings::default(),
        }
    }
}

impl SimulatorsSettings {
    pub fn for_system(&self, system: TargetSystem) -> &SimulatorSettings {
        match system {
            TargetSystem::Inventory => &self.inventory,
            TargetSystem::WorkforceScheduling => &self.workforce_scheduling,
            TargetSystem::Shipping => &self.shipping,
            TargetSystem::NetworkProvisioning => &self.network_provisioning,
            TargetSystem::BillingActivation => &self.billing_activation,
        }
    }

    pub fn callback_poll(&self) -> Duration {
        Duration::from_millis(self.callback_poll_ms.max(10))
    }
}

/// `[simulators.<system>]`: behaviour of one simulated system.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SimulatorSettings {
    /// Time every call takes before the system answers.
    pub latency_ms: u64,
    /// Extra latency drawn uniformly from `0..=latency_jitter_ms`.
    pub latency_jitter_ms: u64,
    /// Probability in `[0, 1]` that a call fails transiently (nothing applied).
    pub transient_failure_rate: f64,
    /// Probability in `[0, 1]` that a call is rejected permanently (nothing applied).
    pub permanent_failure_rate: f64,
    /// Deterministic: the first N calls of every task of this type fail transiently.
    pub fail_first: BTreeMap<String, u32>,
    /// Deterministic: calls for these task types are rejected permanently until an operator
    /// repairs the simulator (`DELETE /api/v1/simulators/{system}/faults/{taskType}`).
    pub fail_permanently: Vec<String>,
    /// Task types the system accepts and completes later, reporting through a callback.
    pub async_task_types: Vec<String>,
    /// How long asynchronous work takes before its callback.
    pub async_completion_ms: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_give_a_working_engine_and_an_async_technician_visit() {
        let settings = Settings::default();
        let backoff = settings.engine.backoff();
        assert_eq!(backoff.max_attempts, 5);
        assert!(backoff.max >= backoff.initial);
        let workforce = settings
            .simulators
            .for_system(TargetSystem::WorkforceScheduling);
        assert_eq!(workforce.async_task_types, ["DISPATCH_TECHNICIAN"]);
        assert!(settings.simulators.enabled);
    }
}
