//! In-process simulators of the five downstream systems (docs/simulators.md): inventory,
//! workforce scheduling, shipping, network provisioning and billing activation. Each keeps
//! its own records in its own `sim_*` table, honours idempotency keys, and takes latency,
//! failure rates, deterministic faults and asynchronous completion from
//! `[simulators.<system>]`. They sit behind the same [`DownstreamSystem`] trait a real
//! integration implements.

mod billing;
pub mod faults;
mod inventory;
pub mod ledger;
mod network;
mod shipping;
mod simulator;
mod workforce;

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
        macro_rules! add {
            ($ledger:expr) => {{
                let ledger = $ledger;
                let sim = Arc::new(Simulator::new(
                    ledger,
                    pool.clone(),
                    settings.for_system(ledger::Ledger::system(&ledger)).clone(),
                    probe.clone(),
                ));
                controls.push(sim.clone());
                systems.push(sim);
            }};
        }
        add!(inventory::InventoryLedger);
        add!(workforce::WorkforceLedger);
        add!(shipping::ShippingLedger);
        add!(network::NetworkLedger);
        add!(billing::BillingLedger);
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
        while !shutdown.is_triggered() {
            for control in &self.controls {
                if let Err(error) = control.deliver_due(sink.as_ref()).await {
                    tracing::warn!(system = %control.system(), %error, "simulator callbacks not delivered; retrying");
                }
            }
            tokio::select! {
                () = shutdown.wait() => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
        Ok(())
    }
}
