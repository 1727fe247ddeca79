//! Views of one order across services: the order (order-capture), its plan (decomposition),
//! its tasks (fulfillment), the customer's assets (asset) and its timeline (history).

use crate::api::{Api, Fetched};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Order states after which nothing happens without a person (or that are final).
const SETTLED: &[&str] = &[
    "COMPLETED",
    "REJECTED",
    "CANCELLED",
    "FAILED_CLOSED",
    "FALLOUT",
];

pub fn service_url<'a>(api: &'a Api, service: &str) -> anyhow::Result<&'a str> {
    Ok(match service {
        "order-capture" => &api.endpoints.order_capture,
        "decomposition" => &api.endpoints.decomposition,
        "fulfillment" => &api.endpoints.fulfillment,
        "asset" => &api.endpoints.asset,
        other => anyhow::bail!(
            "unknown service `{other}` (order-capture, decomposition, fulfillment, asset)"
        ),
    })
}

/// Prints one GET as pretty JSON (or the problem document).
pub async fn print(api: &Api, base: &str, path: &str) -> anyhow::Result<()> {
    match api.get(base, path).await? {
        Fetched::Found(body) => println!("{}", serde_json::to_string_pretty(&body)?),
        Fetched::Missing(status, body) => {
            println!("{status}\n{}", serde_json::to_string_pretty(&body)?);
        }
    }
    Ok(())
}

fn section(title: &str) {
    println!(
        "\n== {title} {}",
        "=".repeat(70usize.saturating_sub(title.len()))
    );
}

fn text(value: &Value, pointer: &str) -> String {
    match value.pointer(pointer) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "-".to_owned(),
        Some(other) => other.to_string(),
    }
}

/// Everything about one order.
pub async fn order(api: &Api, order_id: &str) -> anyhow::Result<()> {
    let order = match api
        .get(
            &api.endpoints.order_capture,
            &format!("/api/v1/orders/{order_id}"),
        )
        .await?
    {
        Fetched::Found(order) => order,
        Fetched::Missing(status, body) => {
            anyhow::bail!(
                "order {order_id}: {status} {}",
                serde_json::to_string(&body)?
            )
        }
    };
    section("order");
    println!(
        "{}  {}  state {}  ({})  version {}",
        text(&order, "/orderNumber"),
        text(&order, "/orderId"),
        text(&order, "/state"),
        text(&order, "/customerStatus/label"),
        text(&order, "/version"),
    );
    if let Some(Value::Array(items)) = order.get("items") {
        section("items");
        for item in items {
            println!("{}", serde_json::to_string(item)?);
        }
    }
    for (key, title) in [
        ("holds", "holds"),
        ("violations", "violations"),
        ("fallout", "fallout"),
    ] {
        if let Some(value) = order
            .get(key)
            .filter(|v| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
        {
            section(title);
            println!("{}", serde_json::to_string_pretty(value)?);
        }
    }
    section("plan (decomposition)");
    print(
        api,
        &api.endpoints.decomposition,
        &format!("/api/v1/plans/{order_id}"),
    )
    .await?;
    section("tasks (fulfillment)");
    print(
        api,
        &api.endpoints.fulfillment,
        &format!("/api/v1/fulfillment/{order_id}"),
    )
    .await?;
    let customer = text(&order, "/header/parties/customerId");
    if customer != "-" {
        section(&format!("assets of {customer}"));
        print(
            api,
            &api.endpoints.asset,
            &format!("/api/v1/assets?customerId={customer}"),
        )
        .await?;
    }
    section("timeline");
    match api
        .get(
            &api.endpoints.order_capture,
            &format!("/api/v1/orders/{order_id}/history"),
        )
        .await?
    {
        Fetched::Found(history) => {
            if let Some(Value::Array(transitions)) = history.get("transitions") {
                for t in transitions {
                    println!(
                        "{}  {} -> {}  by {}  {}",
                        text(t, "/at"),
                        text(t, "/from"),
                        text(t, "/to"),
                        text(t, "/actor"),
                        text(t, "/reason"),
                    );
                }
            }
            if let Some(Value::Array(events)) = history.get("events") {
                println!(
                    "events: {}",
                    events
                        .iter()
                        .map(|e| text(e, "/eventType"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        Fetched::Missing(status, body) => println!("{status} {body}"),
    }
    Ok(())
}

/// Polls order-capture until an order exists for `quote_id`; returns its id.
pub async fn wait_for_quote(
    api: &Api,
    quote_id: &str,
    timeout: Duration,
) -> anyhow::Result<String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Fetched::Found(page) = api
            .get(
                &api.endpoints.order_capture,
                &format!("/api/v1/orders?quoteId={quote_id}"),
            )
            .await?
            && let Some(id) = page.pointer("/orders/0/orderId").and_then(Value::as_str)
        {
            return Ok(id.to_owned());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "no order for quote {quote_id} within {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Polls until the order is in `state` (or any settled state when `None`).
pub async fn wait_for_state(
    api: &Api,
    order_id: &str,
    state: Option<&str>,
    timeout: Duration,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    let mut last = String::new();
    loop {
        if let Fetched::Found(order) = api
            .get(
                &api.endpoints.order_capture,
                &format!("/api/v1/orders/{order_id}"),
            )
            .await?
        {
            let current = text(&order, "/state");
            if current != last {
                println!("  state {current}");
                last.clone_from(&current);
            }
            let done = match state {
                Some(wanted) => current == wanted,
                None => SETTLED.contains(&current.as_str()),
            };
            if done {
                return Ok(());
            }
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "order {order_id} still {last} after {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
