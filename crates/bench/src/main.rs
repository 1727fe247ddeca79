//! `oms-bench`: the benchmarks behind `make bench`. Each prints `name: value` lines; figures are
//! measured against the local stack (PostgreSQL, broker, registry) in the same run.
//! Never used by tests: speed is measured here, not asserted.

mod capture;
mod dbstats;
mod event;
mod messaging;
mod pgbench;
mod pipeline;
mod rawkafka;
mod stats;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(about = "OMS benchmarks (run `make bench`)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Outbox, relay and inbox consumer against raw rdkafka.
    Messaging(messaging::MessagingArgs),
    /// Order capture through the API against the PostgreSQL insert-only ceiling.
    Capture(capture::CaptureArgs),
    /// QuoteAccepted to OrderCompleted through every service.
    Pipeline(pipeline::PipelineArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Messaging(args) => {
            stats::report("benchmark", "messaging");
            messaging::run(&args).await
        }
        Command::Capture(args) => {
            stats::report("benchmark", "capture");
            capture::run(&args).await
        }
        Command::Pipeline(args) => {
            stats::report("benchmark", "pipeline");
            pipeline::run(&args).await
        }
    }
}
