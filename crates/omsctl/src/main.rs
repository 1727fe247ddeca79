//! `omsctl`: the OMS command line.
//!
//! - `omsctl quote accept --sample fiber-bundle [--follow]` publishes a `QuoteAccepted` exactly
//!   as an upstream CPQ would (a CPQ simulator; `--count`/`--rate` for load);
//! - `omsctl order show <id>` shows an order with its items, plan, tasks, assets and timeline;
//! - `omsctl order cancel|amend <id> ... [--dry-run]` assesses a change, then requests it at
//!   the assessed version;
//! - `omsctl orders list`, `omsctl assets list`, `omsctl fallouts list`,
//!   `omsctl dead-letters list|replay`.
//!
//! Addresses and the token come from flags or environment variables (defaults: the local
//! stack and the `acme` operator dev token of `deploy/local/*.toml`).

use clap::{Args, Parser, Subcommand};
use oms_omsctl::{
    api::{Api, Endpoints},
    change, publish, samples, show,
};
use std::time::{Duration, Instant};

#[derive(Debug, Parser)]
#[command(
    name = "omsctl",
    about = "The OMS command line: CPQ simulator and order views",
    version
)]
struct Cli {
    #[command(flatten)]
    endpoints: EndpointArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct EndpointArgs {
    /// Bearer token (default: the local stack's `acme` operator token).
    #[arg(
        long,
        global = true,
        env = "OMS_TOKEN",
        default_value = "dev-acme-operator-token",
        hide_default_value = true
    )]
    token: String,
    #[arg(
        long,
        global = true,
        env = "OMS_ORDER_CAPTURE_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    order_capture_url: String,
    #[arg(
        long,
        global = true,
        env = "OMS_DECOMPOSITION_URL",
        default_value = "http://127.0.0.1:8082"
    )]
    decomposition_url: String,
    #[arg(
        long,
        global = true,
        env = "OMS_FULFILLMENT_URL",
        default_value = "http://127.0.0.1:8083"
    )]
    fulfillment_url: String,
    #[arg(
        long,
        global = true,
        env = "OMS_ASSET_URL",
        default_value = "http://127.0.0.1:8084"
    )]
    asset_url: String,
    #[arg(
        long,
        global = true,
        env = "OMS_KAFKA_BROKERS",
        default_value = "127.0.0.1:9092"
    )]
    brokers: String,
    #[arg(
        long,
        global = true,
        env = "OMS_SCHEMA_REGISTRY_URL",
        default_value = "http://127.0.0.1:8081"
    )]
    schema_registry_url: String,
    /// Environment prefix of topics (empty for the local stack).
    #[arg(
        long,
        global = true,
        env = "OMS_KAFKA__TOPIC_PREFIX",
        default_value = ""
    )]
    topic_prefix: String,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// CPQ simulator: publish accepted quotes.
    #[command(subcommand)]
    Quote(QuoteCommand),
    /// One order.
    #[command(subcommand)]
    Order(OrderCommand),
    /// Search orders.
    #[command(subcommand)]
    Orders(ListCommand),
    /// The installed base.
    #[command(subcommand)]
    Assets(AssetsCommand),
    /// Open fallout cases of fulfillment.
    #[command(subcommand)]
    Fallouts(ListCommand),
    /// Dead letters of a service.
    #[command(subcommand, name = "dead-letters")]
    DeadLetters(DeadLetterCommand),
}

#[derive(Debug, Subcommand)]
enum QuoteCommand {
    /// Publish `QuoteAccepted` for a sample quote.
    Accept(AcceptArgs),
    /// List the sample quotes.
    Samples,
}

#[derive(Debug, Args)]
struct AcceptArgs {
    /// Which sample (`omsctl quote samples`).
    #[arg(long, default_value = "fiber-bundle")]
    sample: String,
    #[arg(long, default_value = "acme")]
    tenant: String,
    #[arg(long, default_value = "cust-1001")]
    customer: String,
    #[arg(long, default_value = "acct-2001")]
    account: String,
    #[arg(long, default_value = "ba-3001")]
    billing_account: String,
    /// The existing asset a MODIFY/DELETE sample changes.
    #[arg(long)]
    asset_id: Option<String>,
    /// How many quotes to publish.
    #[arg(long, default_value_t = 1)]
    count: u32,
    /// Quotes per second (default: as fast as possible).
    #[arg(long)]
    rate: Option<f64>,
    /// Print each quote as JSON before publishing.
    #[arg(long)]
    print: bool,
    /// Wait for the order and show it once it settles (single quote only).
    #[arg(long)]
    follow: bool,
}

#[derive(Debug, Subcommand)]
enum OrderCommand {
    /// The order, its items, plan, tasks, assets and timeline.
    Show { order_id: String },
    /// Wait until the order reaches a state (or a settled one), then show it.
    Wait {
        order_id: String,
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 120)]
        timeout_secs: u64,
    },
    /// Cancel the order or some items: shows the assessment, then requests it at that version
    /// (`--dry-run`: only the assessment).
    Cancel(CancelArgs),
    /// Amend the order in flight: shows the impact, then requests it at that version
    /// (`--dry-run`: only the impact).
    Amend(AmendArgs),
}

#[derive(Debug, Args)]
struct CancelArgs {
    order_id: String,
    /// SCREAMING_SNAKE reason code, e.g. CUSTOMER_CHANGED_MIND.
    #[arg(long)]
    reason_code: String,
    /// Free text for the audit trail.
    #[arg(long)]
    reason: Option<String>,
    /// Cancel only this item (repeatable); without it, the whole order.
    #[arg(long = "item")]
    items: Vec<String>,
    /// Ask for an operator's approval even if every step is automatic.
    #[arg(long)]
    manual_review: bool,
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Args)]
struct AmendArgs {
    order_id: String,
    #[arg(long)]
    reason_code: String,
    #[arg(long)]
    reason: Option<String>,
    /// `ITEM_ID:key=value`: change one configuration value (repeatable).
    #[arg(long = "set")]
    sets: Vec<String>,
    /// Any other change as the API's JSON (repeatable), e.g.
    /// `{"type":"CHANGE_REQUESTED_DATES","requestedCompletionDate":"2027-01-15"}`.
    #[arg(long = "change")]
    changes: Vec<String>,
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Subcommand)]
enum ListCommand {
    /// List with optional filters (`key=value`, e.g. `customerId=cust-1001 state=COMPLETED`).
    List { filters: Vec<String> },
}

#[derive(Debug, Subcommand)]
enum AssetsCommand {
    /// List assets (`customerId=`, `accountId=`, `status=`).
    List { filters: Vec<String> },
    /// One asset with its history.
    Show { asset_id: String },
}

#[derive(Debug, Subcommand)]
enum DeadLetterCommand {
    /// Open dead letters of a service (order-capture, decomposition, fulfillment, asset).
    List { service: String },
    /// Replay one dead letter through the service's handlers.
    Replay { service: String, id: i64 },
}

fn query(filters: &[String]) -> String {
    if filters.is_empty() {
        String::new()
    } else {
        format!("?{}", filters.join("&"))
    }
}

async fn accept(cli: &EndpointArgs, api: &Api, args: &AcceptArgs) -> anyhow::Result<()> {
    let publisher =
        publish::Publisher::connect(&cli.brokers, &cli.schema_registry_url, &cli.topic_prefix)
            .await?;
    let party = samples::Party {
        tenant: args.tenant.clone(),
        customer_id: args.customer.clone(),
        account_id: args.account.clone(),
        billing_account_id: args.billing_account.clone(),
    };
    let interval = args
        .rate
        .filter(|r| *r > 0.0)
        .map(|r| Duration::from_secs_f64(1.0 / r));
    let started = Instant::now();
    let mut last_quote = None;
    for n in 0..args.count {
        if let Some(interval) = interval {
            let due = started + interval * n;
            tokio::time::sleep_until(due.into()).await;
        }
        let quote = samples::quote(&args.sample, &party, args.asset_id.as_deref())?;
        if args.print {
            println!("{}", serde_json::to_string_pretty(&quote)?);
        }
        let quote_id = quote.quote_id.clone();
        publisher.publish(quote).await?;
        if args.count <= 10 {
            println!(
                "published QuoteAccepted {quote_id} ({}) to {}",
                args.sample,
                publisher.topic()
            );
        }
        last_quote = Some(quote_id);
    }
    if args.count > 10 {
        println!(
            "published {} QuoteAccepted ({}) in {:.1}s to {}",
            args.count,
            args.sample,
            started.elapsed().as_secs_f64(),
            publisher.topic()
        );
    }
    if args.follow
        && let Some(quote_id) = last_quote
    {
        let order_id = show::wait_for_quote(api, &quote_id, Duration::from_secs(60)).await?;
        println!("order {order_id} captured from {quote_id}; following it...");
        show::wait_for_state(api, &order_id, None, Duration::from_secs(120)).await?;
        show::order(api, &order_id).await?;
    } else if args.count == 1 {
        println!(
            "see it with: omsctl orders list quoteId=<quote id above>, then omsctl order show <order id>"
        );
    }
    Ok(())
}

/// Assess, print, and (unless a dry run) request at the assessed version.
async fn change_order(
    api: &Api,
    kind: change::Kind,
    order_id: &str,
    body: &serde_json::Value,
    dry_run: bool,
) -> anyhow::Result<()> {
    let (status, assessment) = change::assess(api, kind, order_id, body).await?;
    println!("{}", serde_json::to_string_pretty(&assessment)?);
    anyhow::ensure!(status.is_success(), "the assessment was refused: {status}");
    if dry_run {
        return Ok(());
    }
    let version = assessment["assessmentVersion"].as_str();
    let key = uuid::Uuid::now_v7().to_string();
    let (status, reply) = change::request(api, kind, order_id, body, version, &key).await?;
    println!("{status}\n{}", serde_json::to_string_pretty(&reply)?);
    anyhow::ensure!(status.is_success(), "the request was refused: {status}");
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut telemetry = oms_telemetry::TelemetryConfig::from_env("omsctl");
    if std::env::var("RUST_LOG").is_err() {
        "warn".clone_into(&mut telemetry.log_filter);
    }
    // Spans go wherever the services' go (OMS_SPAN_FILE / OTLP), so a trace starts here.
    let _telemetry = oms_telemetry::init(&telemetry)?;
    let api = Api::new(Endpoints {
        order_capture: cli.endpoints.order_capture_url.clone(),
        decomposition: cli.endpoints.decomposition_url.clone(),
        fulfillment: cli.endpoints.fulfillment_url.clone(),
        asset: cli.endpoints.asset_url.clone(),
        token: cli.endpoints.token.clone(),
    })?;
    match &cli.command {
        Command::Quote(QuoteCommand::Samples) => {
            for (name, what) in samples::SAMPLES {
                println!("{name:<14} {what}");
            }
            Ok(())
        }
        Command::Quote(QuoteCommand::Accept(args)) => accept(&cli.endpoints, &api, args).await,
        Command::Order(OrderCommand::Show { order_id }) => show::order(&api, order_id).await,
        Command::Order(OrderCommand::Wait {
            order_id,
            state,
            timeout_secs,
        }) => {
            show::wait_for_state(
                &api,
                order_id,
                state.as_deref(),
                Duration::from_secs(*timeout_secs),
            )
            .await?;
            show::order(&api, order_id).await
        }
        Command::Order(OrderCommand::Cancel(args)) => {
            let body = change::Cancellation {
                reason_code: args.reason_code.clone(),
                reason: args.reason.clone(),
                item_ids: args.items.clone(),
                manual_review: args.manual_review,
            }
            .body();
            change_order(
                &api,
                change::Kind::Cancellation,
                &args.order_id,
                &body,
                args.dry_run,
            )
            .await
        }
        Command::Order(OrderCommand::Amend(args)) => {
            let mut changes = args
                .sets
                .iter()
                .map(|s| change::configuration_change(s))
                .collect::<anyhow::Result<Vec<_>>>()?;
            for raw in &args.changes {
                changes.push(
                    serde_json::from_str(raw)
                        .map_err(|e| anyhow::anyhow!("--change `{raw}`: {e}"))?,
                );
            }
            anyhow::ensure!(!changes.is_empty(), "name a change with --set or --change");
            let body = change::Amendment {
                reason_code: args.reason_code.clone(),
                reason: args.reason.clone(),
                changes,
            }
            .body();
            change_order(
                &api,
                change::Kind::Amendment,
                &args.order_id,
                &body,
                args.dry_run,
            )
            .await
        }
        Command::Orders(ListCommand::List { filters }) => {
            show::print(
                &api,
                &api.endpoints.order_capture,
                &format!("/api/v1/orders{}", query(filters)),
            )
            .await
        }
        Command::Assets(AssetsCommand::List { filters }) => {
            show::print(
                &api,
                &api.endpoints.asset,
                &format!("/api/v1/assets{}", query(filters)),
            )
            .await
        }
        Command::Assets(AssetsCommand::Show { asset_id }) => {
            show::print(
                &api,
                &api.endpoints.asset,
                &format!("/api/v1/assets/{asset_id}"),
            )
            .await
        }
        Command::Fallouts(ListCommand::List { filters }) => {
            let mut filters = filters.clone();
            if !filters.iter().any(|f| f.starts_with("status=")) {
                filters.push("status=OPEN".into());
            }
            show::print(
                &api,
                &api.endpoints.fulfillment,
                &format!("/api/v1/fallouts{}", query(&filters)),
            )
            .await
        }
        Command::DeadLetters(DeadLetterCommand::List { service }) => {
            show::print(&api, show::service_url(&api, service)?, "/ops/dead-letters").await
        }
        Command::DeadLetters(DeadLetterCommand::Replay { service, id }) => {
            let (status, body) = api
                .post(
                    show::service_url(&api, service)?,
                    &format!("/ops/dead-letters/{id}/replay"),
                    &serde_json::json!({}),
                )
                .await?;
            println!("{status}\n{}", serde_json::to_string_pretty(&body)?);
            Ok(())
        }
    }
}
