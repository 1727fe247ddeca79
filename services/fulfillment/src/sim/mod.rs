//! In-process simulators of the five downstream systems (docs/simulators.md): inventory,
//! workforce scheduling, shipping, network provisioning and billing activation. Each keeps
//! its own records in its own `sim_*` table, honours idempotency keys, and takes latency,
//! failure rates, deterministic faults and asynchronous completion from
//! `[simulators.<system>]`. They sit behind the same [`DownstreamSystem`] trait a real
//! integration implements.

pub mod faults;
pub mod ledger;
mod simulator;

pub use faults::{ConcurrencyProbe, Fault};
pub use simulator::{Simulator, SimulatorControl};

use crate::config::SimulatorsSettings;
use crate::downstream::{CallbackSink, DownstreamSystem, Downstreams};
use crate::model::TargetSystem;
use oms_runtime::Shutdown;
use sqlx::PgPool;
use std::sync::Arc;

/// The five simulators, their shared concurrency probe and their control handles.
#[derive(Clone)]
pub struct Simulators {
    controls: Vec<Arc<dyn SimulatorControl>>,
    systems: Vec<Arc<dyn DownstreamSystem>>,
    probe: Arc<ConcurrencyProbe>,
    settings: SimulatorsSettings,
}

impl std::fmt::Debug for Simulators {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulators")
            .field("probe", &self.probe)
            .finish_non_exhaustive()
    }
}

impl Simulators {
    pub fn new(pool: &PgPool, settings: &SimulatorsSettings) -> Self {
        let probe = Arc::new(ConcurrencyProbe::default());
        let mut controls: Vec<Arc<dyn SimulatorControl>> = Vec::new();
        let mut systems: Vec<Arc<dyn DownstreamSystem>> = Vec::new();
        for ledger in ledger::Ledger::ALL {
            let sim = Arc::new(Simulator::new(
                ledger,
                pool.clone(),
                settings.for_system(ledger.system()).clone(),
                probe.clone(),
            ));
            controls.push(sim.clone());
            systems.push(sim);
        }
        Self {
            controls,
            systems,
            probe,
            settings: settings.clone(),
        }
    }

    /// Registers every simulator as the adapter of its system.
    pub fn register(&self, downstreams: &mut Downstreams) {
        for system in &self.systems {
            downstreams.register(system.clone());
        }
    }

    pub fn probe(&self) -> &Arc<ConcurrencyProbe> {
        &self.probe
    }

    pub fn control(&self, system: TargetSystem) -> Option<&Arc<dyn SimulatorControl>> {
        self.controls.iter().find(|c| c.system() == system)
    }

    pub fn controls(&self) -> &[Arc<dyn SimulatorControl>] {
        &self.controls
    }

    /// Delivers asynchronous completions until `shutdown`: the simulated systems' side of
    /// the callback (durable: a record is marked delivered only once the sink took it).
    pub async fn run_callbacks(
        self,
        sink: Arc<dyn CallbackSink>,
        shutdown: Shutdown,
    ) -> anyhow::Result<()> {
        let poll = self.settings.callback_poll();
        // The first pass visits every system (a previous run may have left accepted work);
        // afterwards only systems with asynchronous task types can have callbacks due, so
        // the others are not polled (each poll is two statements per system).
        let mut first_pass = true;
        while !shutdown.is_triggered() {
            for control in self
                .controls
                .iter()
                .filter(|c| first_pass || c.has_async_work())
            {
                if let Err(error) = control.deliver_due(sink.as_ref()).await {
                    tracing::warn!(system = %control.system(), %error, "simulator callbacks not delivered; retrying");
                }
            }
            first_pass = false;
            tokio::select! {
                () = shutdown.wait() => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
        Ok(())
    }
}
