//! The fault injector: from the run's seed, a rotation over every kind of fault (each kind once
//! per round, the round shuffled), with random gaps; after each fault, the time until every
//! process answers again.

use crate::{infra::PgShutdown, world::World};
use oms_e2e::Service;
use rand::{Rng as _, SeedableRng as _, rngs::StdRng, seq::SliceRandom as _};
use serde_json::json;
use std::{
    collections::BTreeMap,
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

/// One kind of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    /// SIGKILL of a service process, restarted at once.
    KillService(Service),
    KillRegistry,
    /// SIGKILL of the broker, restarted after a few seconds.
    KillBroker,
    RestartPostgres(PgShutdown),
    /// SIGSTOP of a service for longer than the consumer session timeout, then SIGCONT.
    Pause(Service),
    /// The network provisioning system rejects every activation for a while: tasks fall
    /// out, and the operator retries them once it is repaired.
    DownstreamOutage,
}

impl Fault {
    /// The name in the report (`faults_<name>: n`).
    pub fn name(self) -> String {
        match self {
            Self::KillService(s) => format!("kill_{}", s.name().replace('-', "_")),
            Self::KillRegistry => "kill_schema_registry".to_owned(),
            Self::KillBroker => "kill_broker".to_owned(),
            Self::RestartPostgres(PgShutdown::Fast) => "restart_postgres_fast".to_owned(),
            Self::RestartPostgres(PgShutdown::Immediate) => "restart_postgres_immediate".to_owned(),
            Self::Pause(s) => format!("pause_{}", s.name().replace('-', "_")),
            Self::DownstreamOutage => "downstream_outage".to_owned(),
        }
    }

    /// One round: every kind once. Pauses rotate over the consumers between rounds.
    fn round(round: usize) -> Vec<Fault> {
        let mut faults: Vec<Fault> = Service::ALL
            .iter()
            .map(|s| Fault::KillService(*s))
            .collect();
        faults.extend([
            Fault::KillRegistry,
            Fault::KillBroker,
            Fault::RestartPostgres(PgShutdown::Fast),
            Fault::RestartPostgres(PgShutdown::Immediate),
            Fault::Pause(PAUSED[round % PAUSED.len()]),
            Fault::DownstreamOutage,
        ]);
        faults
    }
}

/// The services paused, one per round, in turn.
const PAUSED: [Service; 4] = [
    Service::Fulfillment,
    Service::OrderCapture,
    Service::Asset,
    Service::Decomposition,
];

/// Longer than the consumers' `session.timeout.ms` (10 s), so the group evicts the member.
const PAUSE: Duration = Duration::from_secs(13);

/// What the injector did.
#[derive(Debug, Default)]
pub struct Injected {
    pub count: BTreeMap<String, u64>,
    /// The longest time from the end of a fault until every process answered, per kind.
    pub recovery: BTreeMap<String, Duration>,
    pub failures: Vec<String>,
}

/// Injects faults until `until` has passed and at least `rounds` full rounds ran.
pub async fn inject(world: &World, seed: u64, until: Instant, rounds: usize) -> Injected {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut injected = Injected::default();
    // Let the load start before the first fault.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let mut round = 0;
    while round < rounds || Instant::now() < until {
        let mut faults = Fault::round(round);
        faults.shuffle(&mut rng);
        for fault in faults {
            let name = fault.name();
            println!("chaos: fault {name}");
            match apply(world, fault, &mut rng).await {
                Ok(()) => {}
                Err(error) => injected.failures.push(format!("{name}: {error:#}")),
            }
            let ended = Instant::now();
            let deadline = ended + Duration::from_secs(150);
            // Recovered: every process answers, and every consumer group has consumed what
            // had been written to its topics when the fault ended.
            let mut backlog = None;
            loop {
                if world.all_ready().await {
                    if backlog.is_none() {
                        backlog = world.watermarks().await.ok();
                    }
                    if let Some(marks) = &backlog
                        && world.caught_up(marks).await.unwrap_or(false)
                    {
                        break;
                    }
                }
                if Instant::now() > deadline {
                    injected.failures.push(format!(
                        "{name}: not recovered within 150 s (processes ready and backlog consumed)"
                    ));
                    break;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            let recovery = ended.elapsed();
            *injected.count.entry(name.clone()).or_default() += 1;
            let worst = injected.recovery.entry(name).or_default();
            *worst = (*worst).max(recovery);
            tokio::time::sleep(Duration::from_millis(rng.random_range(2000..5000))).await;
        }
        round += 1;
    }
    injected
}

async fn apply(world: &World, fault: Fault, rng: &mut StdRng) -> anyhow::Result<()> {
    match fault {
        Fault::KillService(service) => {
            let mut stack = world.stack.lock().await;
            stack.kill(service).await?;
            stack.respawn(service)?;
        }
        Fault::KillRegistry => {
            let mut infra = world.infra.lock().await;
            infra.registry.kill().await?;
            infra.registry.spawn()?;
        }
        Fault::KillBroker => {
            world.infra.lock().await.broker.kill().await?;
            tokio::time::sleep(Duration::from_millis(rng.random_range(1000..4000))).await;
            world.infra.lock().await.broker.spawn()?;
        }
        Fault::RestartPostgres(mode) => {
            let down = Duration::from_millis(rng.random_range(500..3000));
            world
                .infra
                .lock()
                .await
                .postgres
                .restart(mode, down)
                .await?;
        }
        Fault::Pause(service) => {
            world.stack.lock().await.signal(service, "STOP")?;
            tokio::time::sleep(PAUSE).await;
            world.stack.lock().await.signal(service, "CONT")?;
        }
        Fault::DownstreamOutage => {
            let path = "/api/v1/simulators/NETWORK_PROVISIONING/faults/ACTIVATE_SERVICE";
            let fulfillment = world.url(Service::Fulfillment);
            world.downstream_fault.store(true, Ordering::Relaxed);
            let (status, body) = world
                .operator
                .put(fulfillment, path, &json!({ "mode": "PERMANENT" }))
                .await?;
            anyhow::ensure!(status.is_success(), "{status} {body}");
            tokio::time::sleep(Duration::from_secs(6)).await;
            let cleared = world.operator.delete(fulfillment, path).await;
            world.downstream_fault.store(false, Ordering::Relaxed);
            let (status, body) = cleared?;
            anyhow::ensure!(status.is_success(), "{status} {body}");
        }
    }
    Ok(())
}
