//! `oms-bench`: the benchmarks behind `make bench`. Each prints `name: value` lines; figures are
//! measured against the local stack (PostgreSQL, broker, registry) in the same run.
//! Never used by tests: speed is measured here, not asserted.

mod event;
mod messaging;
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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Messaging(args) => {
            stats::report("benchmark", "messaging");
            messaging::run(&args).await
        }
    }
}
