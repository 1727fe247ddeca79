//! Failure injection and the concurrency probe of the simulators.
//!
//! Deterministic faults come first (tests and demos rely on them): "fail the first N calls of
//! every task of type T transiently" and "reject type T permanently until repaired". Random
//! failures only happen when a rate is configured.

use crate::config::SimulatorSettings;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use uuid::Uuid;

/// A fault an operator or test sets on a task type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "mode", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Fault {
    /// The first `count` calls of every task of the type fail transiently.
    Transient { count: u32 },
    /// Every call of the type is rejected until the fault is cleared ("repaired").
    Permanent,
}

/// What the fault table decides for one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injected {
    Transient,
    Permanent,
}

/// The faults of one simulated system.
#[derive(Debug, Default)]
pub struct Faults {
    transient: BTreeMap<String, u32>,
    permanent: BTreeSet<String>,
    /// Calls failed so far per task (for `Transient { count }`).
    failed_calls: HashMap<Uuid, u32>,
    transient_rate: f64,
    permanent_rate: f64,
}

impl Faults {
    pub fn from_settings(settings: &SimulatorSettings) -> Self {
        Self {
            transient: settings.fail_first.clone(),
            permanent: settings.fail_permanently.iter().cloned().collect(),
            failed_calls: HashMap::new(),
            transient_rate: settings.transient_failure_rate.clamp(0.0, 1.0),
            permanent_rate: settings.permanent_failure_rate.clamp(0.0, 1.0),
        }
    }

    pub fn set(&mut self, task_type: &str, fault: Fault) {
        self.clear(task_type);
        match fault {
            Fault::Transient { count } => {
                self.transient.insert(task_type.to_owned(), count);
            }
            Fault::Permanent => {
                self.permanent.insert(task_type.to_owned());
            }
        }
    }

    /// Repairs `task_type`: no deterministic fault is left on it.
    pub fn clear(&mut self, task_type: &str) {
        self.transient.remove(task_type);
        self.permanent.remove(task_type);
    }

    /// The faults currently set, by task type.
    pub fn list(&self) -> BTreeMap<String, Fault> {
        let mut faults: BTreeMap<String, Fault> = self
            .transient
            .iter()
            .map(|(t, &count)| (t.clone(), Fault::Transient { count }))
            .collect();
        for t in &self.permanent {
            faults.insert(t.clone(), Fault::Permanent);
        }
        faults
    }

    /// Decides the fault of one call of `task_id` (of `task_type`), with `r` uniform in
    /// `[0, 1)` for the configured rates.
    pub fn decide(&mut self, task_type: &str, task_id: Uuid, r: f64) -> Option<Injected> {
        if self.permanent.contains(task_type) {
            return Some(Injected::Permanent);
        }
        if let Some(&count) = self.transient.get(task_type) {
            let failed = self.failed_calls.entry(task_id).or_default();
            if *failed < count {
                *failed += 1;
                return Some(Injected::Transient);
            }
        }
        if r < self.permanent_rate {
            Some(Injected::Permanent)
        } else if r < self.permanent_rate + self.transient_rate {
            Some(Injected::Transient)
        } else {
            None
        }
    }
}

/// Calls in flight across all simulators, and the most ever seen at once.
#[derive(Debug, Default)]
pub struct ConcurrencyProbe {
    current: AtomicUsize,
    max: AtomicUsize,
    calls: AtomicUsize,
}

/// Counts one call while alive.
#[derive(Debug)]
pub struct InFlight<'a>(&'a ConcurrencyProbe);

impl ConcurrencyProbe {
    pub fn enter(&self) -> InFlight<'_> {
        let now = self.current.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(now, Ordering::SeqCst);
        self.calls.fetch_add(1, Ordering::SeqCst);
        InFlight(self)
    }

    pub fn current(&self) -> usize {
        self.current.load(Ordering::SeqCst)
    }

    pub fn max_observed(&self) -> usize {
        self.max.load(Ordering::SeqCst)
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.current.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_n_calls_of_each_task_fail_then_succeed() {
        let mut faults = Faults::default();
        faults.set("RESERVE_PORT", Fault::Transient { count: 2 });
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let decide = |f: &mut Faults, id| f.decide("RESERVE_PORT", id, 0.5);
        assert_eq!(decide(&mut faults, a), Some(Injected::Transient));
        assert_eq!(decide(&mut faults, a), Some(Injected::Transient));
        assert_eq!(decide(&mut faults, a), None);
        assert_eq!(decide(&mut faults, b), Some(Injected::Transient));
        assert_eq!(faults.decide("OTHER", a, 0.5), None);
    }

    #[test]
    fn permanent_faults_hold_until_repaired() {
        let mut faults = Faults::default();
        faults.set("ACTIVATE_SERVICE", Fault::Permanent);
        let id = Uuid::from_u128(1);
        for _ in 0..3 {
            assert_eq!(
                faults.decide("ACTIVATE_SERVICE", id, 0.9),
                Some(Injected::Permanent)
            );
        }
        faults.clear("ACTIVATE_SERVICE");
        assert_eq!(faults.decide("ACTIVATE_SERVICE", id, 0.9), None);
        assert!(faults.list().is_empty());
    }

    #[test]
    fn rates_apply_only_when_configured() {
        let settings = SimulatorSettings {
            transient_failure_rate: 0.2,
            permanent_failure_rate: 0.1,
            ..SimulatorSettings::default()
        };
        let mut faults = Faults::from_settings(&settings);
        let id = Uuid::from_u128(1);
        assert_eq!(faults.decide("X", id, 0.05), Some(Injected::Permanent));
        assert_eq!(faults.decide("X", id, 0.25), Some(Injected::Transient));
        assert_eq!(faults.decide("X", id, 0.35), None);
        let mut quiet = Faults::default();
        assert_eq!(quiet.decide("X", id, 0.0), None);
    }

    #[test]
    fn the_probe_keeps_the_peak() {
        let probe = ConcurrencyProbe::default();
        {
            let _a = probe.enter();
            let _b = probe.enter();
            assert_eq!(probe.current(), 2);
        }
        let _c = probe.enter();
        assert_eq!(
            (probe.current(), probe.max_observed(), probe.calls()),
            (1, 2, 3)
        );
    }
}
