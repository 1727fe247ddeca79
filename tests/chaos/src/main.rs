//! `oms-chaos` (`make chaos`): the whole OMS under a sustained mixed load while every one of
//! its processes and its infrastructure is killed, paused or restarted, then the invariants
//! (docs/reliability.md). Prints `name: value` figures; exits non-zero when an invariant broke.
//!
//! The run has its own PostgreSQL cluster, broker and schema registry (it kills them), its own
//! service processes (debug binaries by default: `cargo build --bins` first) and prints the
//! seed it used: `oms-chaos --seed N` replays the same fault and flow choices.

mod check;
mod driver;
mod faults;
mod infra;
mod poison;
mod world;

use clap::Parser;
use oms_e2e::{Infra as StackInfra, Service, ServiceStack, StackOptions};
use std::{
    collections::BTreeMap,
    sync::atomic::Ordering,
    time::{Duration, Instant},
};
use world::{Counters, World};

#[derive(Debug, Parser)]
#[command(
    about = "Kill, pause and restart every process under load; check nothing is lost or duplicated"
)]
struct Args {
    /// How long faults are injected (at least one full round of every kind runs), e.g. `90s`, `10m`.
    #[arg(long, env = "DURATION", default_value = "60s", value_parser = duration)]
    duration: Duration,
    /// Seed of the fault and flow choices (default: from the clock; printed either way).
    #[arg(long, env = "SEED")]
    seed: Option<u64>,
    /// Concurrent order flows.
    #[arg(long, default_value_t = 3)]
    workers: usize,
    /// `debug` or `release` binaries.
    #[arg(long, default_value = "debug")]
    profile: String,
}

fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text
        .find(|c: char| !c.is_ascii_digit())
        .map_or((text, "s"), |at| text.split_at(at));
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}`: expected e.g. 90s, 10m, 1h"))?;
    match unit {
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        _ => Err(format!("`{text}`: the unit is s, m or h")),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let seed = args.seed.unwrap_or_else(|| {
        u64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis(),
        )
        .unwrap_or(0)
    });
    println!("seed: {seed}");
    let run = uuid::Uuid::now_v7().simple().to_string()[..16].to_owned();
    let dir = oms_e2e::stack::workspace_root()
        .join(".state/chaos")
        .join(&run);
    std::fs::create_dir_all(&dir)?;
    println!("chaos: run {run}, logs in {}", dir.display());
    let infra = infra::Infra::start(&run, &dir, &args.profile).await?;
    let options = StackOptions {
        infra: StackInfra {
            pg_admin_url: infra.postgres.admin_url(),
            kafka_brokers: infra.brokers(),
            schema_registry_url: infra.registry_url(),
        },
        profile: args.profile.clone(),
        ..StackOptions::default()
    }
    .with_env(
        Service::Fulfillment,
        "OMS_SIMULATORS__WORKFORCE_SCHEDULING__ASYNC_COMPLETION_MS",
        // the technician reports back after 6 s: the window in which the in-flight
        // cancellation flow finds the static IP completed and the order still open
        "6000",
    )
    .with_env(
        Service::Fulfillment,
        "OMS_ENGINE__BACKOFF_INITIAL_MS",
        "200",
    )
    .with_env(Service::Fulfillment, "OMS_ENGINE__BACKOFF_MAX_MS", "2000");
    let options = match std::env::var("OMS_CHAOS_DEBUG_GROUP") {
        // Diagnosis: librdkafka's consumer-group protocol log of every service.
        Ok(_) => {
            let mut options = options;
            options.common_env = vec![
                (
                    "RUST_LOG".into(),
                    "warn,oms_messaging=info,librdkafka=debug,rdkafka=debug".into(),
                ),
                ("OMS_KAFKA__PROPERTIES__DEBUG".into(), "cgrp".into()),
            ];
            options
        }
        Err(_) => options,
    };
    let stack = match ServiceStack::start(&Service::ALL, options).await {
        Ok(stack) => stack,
        Err(error) => {
            infra.destroy().await;
            return Err(error);
        }
    };
    let world = World::new(stack, infra).await?;
    // Ctrl-C or SIGTERM: stop, and still remove the run's processes and cluster.
    let result = tokio::select! {
        result = run_chaos(&world, &args, seed) => result,
        () = interrupted() => Err(anyhow::anyhow!("interrupted")),
    };
    let World { stack, infra, .. } = world;
    stack.into_inner().shutdown().await;
    infra.into_inner().destroy().await;
    let failed = result?;
    if failed {
        println!(
            "chaos: FAILED (violations above); logs kept in {}",
            dir.display()
        );
        std::process::exit(1);
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("chaos: passed");
    Ok(())
}

async fn interrupted() {
    let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// The load, the faults, quiescence and the checks; `Ok(true)` when an invariant broke.
async fn run_chaos(world: &World, args: &Args, seed: u64) -> anyhow::Result<bool> {
    let started = Instant::now();
    let until = started + args.duration;
    let (outcomes, (injected, poison)) = tokio::select! {
        () = world.supervise() => unreachable!("the supervisor runs until the end"),
        () = driver::operator(world) => unreachable!("the operator runs until the end"),
        done = async {
            let load = driver::run(world, seed, args.workers);
            let faults = async {
                let (injected, poison) =
                    tokio::join!(faults::inject(world, seed, until, 1), poison::inject(world));
                // Faults over: the flows finish what they started, nothing new starts.
                world.draining.store(true, Ordering::Relaxed);
                (injected, poison)
            };
            tokio::join!(load, faults)
        } => done,
    };
    let poison = poison?;
    let load_secs = started.elapsed().as_secs_f64();
    println!("chaos: faults over after {load_secs:.0} s; waiting for quiescence");
    let pools = pools(world).await?;
    let quiet = tokio::select! {
        () = world.supervise() => unreachable!(),
        () = driver::operator(world) => unreachable!(),
        quiet = check::quiesce(world, &pools, Duration::from_secs(180)) => quiet,
    };
    let report = check::check(world, &pools, &outcomes, &poison).await?;
    let mut failed = !report.violations.is_empty();
    println!("seed: {seed}");
    println!("duration_s: {load_secs:.0}");
    println!("flows: {}", outcomes.len());
    println!(
        "flows_stopped: {}",
        outcomes.iter().filter(|o| o.error.is_some()).count()
    );
    println!("quiescent: {quiet}");
    let mut total = 0;
    for (kind, n) in &injected.count {
        println!("faults_{kind}: {n}");
        total += n;
    }
    println!("faults_total: {total}");
    let worst = injected
        .recovery
        .values()
        .max()
        .copied()
        .unwrap_or_default();
    println!("max_recovery_s: {:.1}", worst.as_secs_f64());
    for (kind, recovery) in &injected.recovery {
        println!("recovery_{kind}_s: {:.1}", recovery.as_secs_f64());
    }
    let c = &world.counters;
    println!("unplanned_exits: {}", Counters::get(&c.unplanned_exits));
    println!("operator_retries: {}", Counters::get(&c.operator_retries));
    println!("publish_retries: {}", Counters::get(&c.publish_retries));
    println!("http_retries: {}", Counters::get(&c.http_retries));
    println!(
        "idempotent_replays: {}",
        Counters::get(&c.idempotent_replays)
    );
    println!("cancels_in_flight: {}", Counters::get(&c.cancels_in_flight));
    println!("cancels_too_late: {}", Counters::get(&c.cancels_too_late));
    println!(
        "amendments_in_flight: {}",
        Counters::get(&c.amendments_in_flight)
    );
    println!(
        "amendments_refused: {}",
        Counters::get(&c.amendments_refused)
    );
    for (name, value) in &report.figures {
        println!("{name}: {value}");
    }
    for failure in &injected.failures {
        println!("chaos: FAULT {failure}");
        failed = true;
    }
    if !quiet {
        println!("chaos: the system did not quiesce within 180 s");
        failed = true;
    }
    println!("violations: {}", report.violations.len());
    for violation in &report.violations {
        println!("chaos: VIOLATION {violation}");
    }
    for note in world.notes.lock().map(|n| n.clone()).unwrap_or_default() {
        println!("chaos: note {note}");
    }
    Ok(failed)
}

/// One pool per service database.
async fn pools(world: &World) -> anyhow::Result<BTreeMap<Service, sqlx::PgPool>> {
    let stack = world.stack.lock().await;
    let mut pools = BTreeMap::new();
    for service in Service::ALL {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(2)
            .connect(&stack.database_url(service))
            .await?;
        pools.insert(service, pool);
    }
    Ok(pools)
}
