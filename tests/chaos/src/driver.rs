//! The load: concurrent flows of mixed orders through the CPQ topic and the API, each for its
//! own customer, and an operator who retries fallen-out tasks once the downstream system is
//! repaired. Every call survives the faults the way a real client would: a refused
//! connection, a timeout or a 5xx is retried (a POST with the same `Idempotency-Key`, a quote
//! republished as it is, which order-capture deduplicates by quote revision).

use crate::world::{Counters, World};
use oms_e2e::{
    Service,
    scenario::{party, support_order},
};
use oms_omsctl::{
    api::{Api, Fetched},
    change::{self, Amendment, Cancellation, Kind},
    samples::{self, Party},
};
use rand::{Rng as _, SeedableRng as _, rngs::StdRng};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

/// How long one step may take while faults are injected (a paused service, a restarted
/// database and a fallout waiting for the operator all fit in it).
const STEP: Duration = Duration::from_secs(240);

/// The kinds of flow, each ending in a known outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Flow {
    /// Quote for a fiber bundle, then a speed upgrade of its access, then a disconnect.
    Lifecycle,
    /// A direct order through the API, the POST sent twice with one `Idempotency-Key`.
    ApiOrder,
    /// A held order released by the sales channel.
    HoldRelease,
    /// A held order cancelled before release.
    HoldCancel,
    /// A quote for an offering the catalog cannot decompose: fallout with a reason.
    Unmapped,
    /// A fiber bundle whose static IP, completed while the technician visit is still out, is
    /// cancelled in flight: compensated in reverse order (billing, network, inventory), its
    /// asset reverted, the rest of the order completed. When the cancellation comes too late
    /// (the order completed first), the refusal is counted and the order must just complete.
    CancelInFlight,
    /// A fiber bundle whose access bandwidth is amended in flight (500 Mbps -> 1 Gbps): a
    /// re-plan that keeps what ran, then completion. Whatever the service answers (accepted,
    /// or refused because the order moved past the point where it can change), the order must
    /// complete, and an applied amendment must be in the completed order's configuration.
    AmendInFlight,
}

impl Flow {
    pub const ALL: [Flow; 7] = [
        Flow::Lifecycle,
        Flow::ApiOrder,
        Flow::HoldRelease,
        Flow::HoldCancel,
        Flow::Unmapped,
        Flow::CancelInFlight,
        Flow::AmendInFlight,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Lifecycle => "lifecycle",
            Self::ApiOrder => "api_order",
            Self::HoldRelease => "hold_release",
            Self::HoldCancel => "hold_cancel",
            Self::Unmapped => "unmapped",
            Self::CancelInFlight => "cancel_in_flight",
            Self::AmendInFlight => "amend_in_flight",
        }
    }
}

/// One order the driver caused and what it must end as.
#[derive(Debug, Clone)]
pub struct Expected {
    pub flow: Flow,
    pub customer_id: String,
    /// The quote it comes from; `None` for an API order (one per customer).
    pub quote_id: Option<String>,
    pub state: &'static str,
    /// For a fallout: the code its reason must carry.
    pub fallout_code: Option<&'static str>,
    /// An item a cancellation in flight was accepted for: it must end CANCELLED.
    pub cancelled_item: Option<String>,
    /// An amendment accepted in flight: its request id, the item, the key and the value it
    /// sets (in the configuration if the request ended APPLIED, not if it ended REJECTED).
    pub amendment: Option<Amended>,
}

/// See [`Expected::amendment`].
#[derive(Debug, Clone)]
pub struct Amended {
    pub request_id: String,
    pub item_id: String,
    pub key: &'static str,
    pub value: &'static str,
}

/// What one flow did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub flow: Flow,
    pub expected: Vec<Expected>,
    /// Why the flow could not go on (the checks then tell what was lost).
    pub error: Option<String>,
}

/// Runs flows on `workers` concurrent lanes until the world drains; returns every outcome.
pub async fn run(world: &World, seed: u64, workers: usize) -> Vec<Outcome> {
    let lanes = (0..workers).map(|lane| async move {
        let mut rng = StdRng::seed_from_u64(seed.wrapping_add(lane as u64 + 1));
        let mut outcomes = Vec::new();
        let mut n = 0usize;
        while !world.draining() {
            // Every kind in turn first, so a short run covers each; then at random.
            let flow = if n < Flow::ALL.len() {
                Flow::ALL[(n + lane) % Flow::ALL.len()]
            } else {
                Flow::ALL[rng.random_range(0..Flow::ALL.len())]
            };
            n += 1;
            outcomes.push(one(world, flow).await);
        }
        outcomes
    });
    futures::future::join_all(lanes)
        .await
        .into_iter()
        .flatten()
        .collect()
}

async fn one(world: &World, flow: Flow) -> Outcome {
    let mut outcome = Outcome {
        flow,
        expected: Vec::new(),
        error: None,
    };
    let result = match flow {
        Flow::Lifecycle => lifecycle(world, &mut outcome).await,
        Flow::ApiOrder => api_order(world, &mut outcome).await,
        Flow::HoldRelease => held(world, &mut outcome, false).await,
        Flow::HoldCancel => held(world, &mut outcome, true).await,
        Flow::Unmapped => unmapped(world, &mut outcome).await,
        Flow::CancelInFlight => cancel_in_flight(world, &mut outcome).await,
        Flow::AmendInFlight => amend_in_flight(world, &mut outcome).await,
    };
    match result {
        Ok(()) => println!("chaos: flow {} done", flow.name()),
        Err(error) => {
            world.note(format!("flow {} stopped: {error:#}", flow.name()));
            outcome.error = Some(format!("{error:#}"));
        }
    }
    outcome
}

async fn lifecycle(world: &World, outcome: &mut Outcome) -> anyhow::Result<()> {
    let customer = party("chaos-life");
    let bundle = accept(world, outcome, "fiber-bundle", &customer, None, "COMPLETED").await?;
    let order = wait_for_state(world, &bundle, "COMPLETED").await?;
    let access = order["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|item| item.pointer("/product/offeringId") == Some(&json!("po-fiber-internet-500m")))
        .and_then(|item| item["actualAssetId"].as_str())
        .ok_or_else(|| anyhow::anyhow!("order {bundle} completed without an access asset"))?
        .to_owned();
    let upgrade = accept(
        world,
        outcome,
        "speed-upgrade",
        &customer,
        Some(&access),
        "COMPLETED",
    )
    .await?;
    wait_for_state(world, &upgrade, "COMPLETED").await?;
    let disconnect = accept(
        world,
        outcome,
        "disconnect",
        &customer,
        Some(&access),
        "COMPLETED",
    )
    .await?;
    wait_for_state(world, &disconnect, "COMPLETED").await?;
    Ok(())
}

async fn unmapped(world: &World, outcome: &mut Outcome) -> anyhow::Result<()> {
    let customer = party("chaos-unmapped");
    let order = accept(world, outcome, "unmapped", &customer, None, "FALLOUT").await?;
    if let Some(last) = outcome.expected.last_mut() {
        last.fallout_code = Some("DECOMPOSITION_RULE_MISSING");
    }
    wait_for_state(world, &order, "FALLOUT").await?;
    Ok(())
}

async fn cancel_in_flight(world: &World, outcome: &mut Outcome) -> anyhow::Result<()> {
    let customer = party("chaos-inflight");
    let order_id = accept(world, outcome, "fiber-bundle", &customer, None, "COMPLETED").await?;
    let deadline = Instant::now() + STEP;
    let path = format!("/api/v1/orders/{order_id}");
    let static_ip = loop {
        if let Ok(Fetched::Found(order)) = world
            .operator
            .get(world.url(Service::OrderCapture), &path)
            .await
        {
            if order["state"] == "COMPLETED" {
                Counters::add(&world.counters.cancels_too_late);
                return Ok(());
            }
            let completed_ip = order["items"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|item| {
                    item.pointer("/product/offeringId") == Some(&json!("po-static-ip"))
                        && item["state"] == "COMPLETED"
                });
            if let Some(item) = completed_ip {
                break id(item, "id")?;
            }
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "order {order_id}: static IP not completed within {STEP:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let body = Cancellation {
        reason_code: "CUSTOMER_CHANGED_MIND".into(),
        reason: Some("chaos: no fixed IP needed after all".into()),
        item_ids: vec![static_ip.clone()],
        manual_review: false,
    }
    .body();
    let (status, reply) = request_change(world, Kind::Cancellation, &order_id, &body).await?;
    if status.is_success() {
        Counters::add(&world.counters.cancels_in_flight);
        if let Some(last) = outcome.expected.last_mut() {
            last.cancelled_item = Some(static_ip);
        }
    } else {
        // Refused: the technician reported back first and the order completed (or is about
        // to). Anything else is a finding.
        anyhow::ensure!(
            status == StatusCode::CONFLICT,
            "in-flight cancellation of {static_ip}: {status} {reply}"
        );
        Counters::add(&world.counters.cancels_too_late);
        world.note(format!(
            "in-flight cancellation of order {order_id} refused: {} {}",
            reply["code"], reply["detail"]
        ));
    }
    wait_for_state(world, &order_id, "COMPLETED").await?;
    Ok(())
}

async fn amend_in_flight(world: &World, outcome: &mut Outcome) -> anyhow::Result<()> {
    let customer = party("chaos-amend");
    let order_id = accept(world, outcome, "fiber-bundle", &customer, None, "COMPLETED").await?;
    let released = ["IN_PROGRESS", "PARTIALLY_COMPLETED", "FALLOUT", "COMPLETED"];
    let order = wait_for(world, &order_id, "released", |o| {
        released.iter().any(|state| o["state"] == *state)
    })
    .await?;
    let access = order["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|item| item.pointer("/product/offeringId") == Some(&json!("po-fiber-internet-500m")))
        .map(|item| id(item, "id"))
        .transpose()?
        .ok_or_else(|| anyhow::anyhow!("order {order_id} without its access item"))?;
    let (key, value) = ("bandwidth", "1Gbps");
    let body = Amendment {
        reason_code: "CUSTOMER_UPGRADE".into(),
        reason: Some("chaos: 1 Gbps after all".into()),
        changes: vec![change::configuration_change(&format!(
            "{access}:{key}={value}"
        ))?],
    }
    .body();
    let (status, reply) = request_change(world, Kind::Amendment, &order_id, &body).await?;
    if status.is_success() {
        Counters::add(&world.counters.amendments_in_flight);
        if let Some(last) = outcome.expected.last_mut() {
            last.amendment = Some(Amended {
                request_id: id(&reply, "amendmentRequestId")?,
                item_id: access,
                key,
                value,
            });
        }
    } else {
        anyhow::ensure!(
            status == StatusCode::CONFLICT,
            "in-flight amendment of {access}: {status} {reply}"
        );
        Counters::add(&world.counters.amendments_refused);
        world.note(format!(
            "in-flight amendment of order {order_id} refused: {} {}",
            reply["code"], reply["detail"]
        ));
    }
    wait_for_state(world, &order_id, "COMPLETED").await?;
    Ok(())
}

async fn api_order(world: &World, outcome: &mut Outcome) -> anyhow::Result<()> {
    let customer = party("chaos-api");
    outcome
        .expected
        .push(expect(outcome.flow, &customer, None, "COMPLETED"));
    let key = uuid::Uuid::now_v7().to_string();
    let body = support_order(&customer, false);
    let first = capture(world, &body, &key).await?;
    // The channel did not see the answer (as after a timeout) and sends the same request again.
    let again = capture(world, &body, &key).await?;
    anyhow::ensure!(
        first["orderId"] == again["orderId"],
        "one Idempotency-Key gave two orders: {} and {}",
        first["orderId"],
        again["orderId"]
    );
    Counters::add(&world.counters.idempotent_replays);
    let order_id = id(&first, "orderId")?;
    wait_for_state(world, &order_id, "COMPLETED").await?;
    Ok(())
}

async fn held(world: &World, outcome: &mut Outcome, cancel: bool) -> anyhow::Result<()> {
    let customer = party(if cancel { "chaos-cancel" } else { "chaos-hold" });
    let state = if cancel { "CANCELLED" } else { "COMPLETED" };
    outcome
        .expected
        .push(expect(outcome.flow, &customer, None, state));
    let key = uuid::Uuid::now_v7().to_string();
    let captured = capture(world, &support_order(&customer, true), &key).await?;
    let order_id = id(&captured, "orderId")?;
    let hold_id = captured
        .pointer("/holds/0/id")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow::anyhow!("captured order without its hold: {captured}"))?
        .to_owned();
    wait_for_state(world, &order_id, "VALIDATED").await?;
    if cancel {
        let body = Cancellation {
            reason_code: "CUSTOMER_CHANGED_MIND".into(),
            reason: Some("chaos: cancelled before release".into()),
            item_ids: vec![],
            manual_review: false,
        }
        .body();
        let (status, reply) = request_change(world, Kind::Cancellation, &order_id, &body).await?;
        anyhow::ensure!(status.is_success(), "cancellation: {status} {reply}");
    } else {
        let path = format!("/api/v1/orders/{order_id}/holds/{hold_id}/release");
        let reason = json!({ "reason": "credit approved (chaos)" });
        let (status, reply) = call(world, "release", || {
            world
                .sales
                .post(world.url(Service::OrderCapture), &path, &reason)
        })
        .await?;
        // A release whose answer was lost is repeated; the second finds the hold released.
        anyhow::ensure!(
            status.is_success() || status == StatusCode::CONFLICT,
            "release: {status} {reply}"
        );
    }
    wait_for_state(world, &order_id, state).await?;
    Ok(())
}

/// Assesses, then requests the change (`kind`) `body` of `order_id` with the assessment's
/// version (again while the version went stale or the order changed under the request, one
/// `Idempotency-Key` throughout: a refusal stores no answer under it): the service's answer.
async fn request_change(
    world: &World,
    kind: Kind,
    order_id: &str,
    body: &Value,
) -> anyhow::Result<(StatusCode, Value)> {
    let key = uuid::Uuid::now_v7().to_string();
    let deadline = Instant::now() + STEP;
    loop {
        let (status, dry) = call(world, "cancellation assessment", || {
            change::assess(&world.operator, kind, order_id, body)
        })
        .await?;
        if !status.is_success() {
            // Refused at the assessment already (a completed order, say).
            return Ok((status, dry));
        }
        let version = dry["assessmentVersion"].as_str().map(str::to_owned);
        let (status, reply) = call(world, "cancellation request", || {
            change::request(
                &world.operator,
                kind,
                order_id,
                body,
                version.as_deref(),
                &key,
            )
        })
        .await?;
        // Both say: read the order again and retry (the order moved on meanwhile).
        let retry = status == StatusCode::CONFLICT
            && (reply["code"] == "ASSESSMENT_STALE" || reply["code"] == "VERSION_CONFLICT");
        if !retry {
            return Ok((status, reply));
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "cancellation: still {status} {reply} after {STEP:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn expect(flow: Flow, customer: &Party, quote_id: Option<String>, state: &'static str) -> Expected {
    Expected {
        flow,
        customer_id: customer.customer_id.clone(),
        quote_id,
        state,
        fallout_code: None,
        cancelled_item: None,
        amendment: None,
    }
}

fn id(body: &Value, field: &str) -> anyhow::Result<String> {
    body[field]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no {field} in {body}"))
}

/// Publishes a sample quote as CPQ would (again, as it is, until the broker takes it) and
/// waits for its order; records what it must end as.
async fn accept(
    world: &World,
    outcome: &mut Outcome,
    sample: &str,
    customer: &Party,
    asset: Option<&str>,
    state: &'static str,
) -> anyhow::Result<String> {
    let quote = samples::quote(sample, customer, asset)?;
    outcome.expected.push(expect(
        outcome.flow,
        customer,
        Some(quote.quote_id.clone()),
        state,
    ));
    let deadline = Instant::now() + STEP;
    while let Err(error) = world.publisher.publish(quote.clone()).await {
        Counters::add(&world.counters.publish_retries);
        anyhow::ensure!(
            Instant::now() < deadline,
            "quote {} not published: {error:#}",
            quote.quote_id
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let path = format!("/api/v1/orders?quoteId={}", quote.quote_id);
    loop {
        if let Ok(Fetched::Found(page)) = world
            .operator
            .get(world.url(Service::OrderCapture), &path)
            .await
            && let Some(id) = page.pointer("/orders/0/orderId").and_then(Value::as_str)
        {
            return Ok(id.to_owned());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "no order for quote {} within {STEP:?}",
            quote.quote_id
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// `POST /api/v1/orders` with `key`, repeated while the service cannot answer.
async fn capture(world: &World, body: &Value, key: &str) -> anyhow::Result<Value> {
    let headers = [("Idempotency-Key", key.to_owned())];
    let (status, reply) = call(world, "capture", || {
        world.sales.post_with(
            world.url(Service::OrderCapture),
            "/api/v1/orders",
            body,
            &headers,
        )
    })
    .await?;
    anyhow::ensure!(status.is_success(), "capture: {status} {reply}");
    Ok(reply)
}

/// Polls the order until `done` says so.
async fn wait_for(
    world: &World,
    order_id: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> anyhow::Result<Value> {
    let deadline = Instant::now() + STEP;
    let path = format!("/api/v1/orders/{order_id}");
    let mut last = Value::Null;
    loop {
        if let Ok(Fetched::Found(order)) = world
            .operator
            .get(world.url(Service::OrderCapture), &path)
            .await
        {
            if done(&order) {
                return Ok(order);
            }
            last = order;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "order {order_id} not {what} within {STEP:?}; last seen {}",
            last["state"]
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Polls the order until it is in `state`.
async fn wait_for_state(world: &World, order_id: &str, state: &str) -> anyhow::Result<Value> {
    let deadline = Instant::now() + STEP;
    let path = format!("/api/v1/orders/{order_id}");
    let mut last = Value::Null;
    loop {
        if let Ok(Fetched::Found(order)) = world
            .operator
            .get(world.url(Service::OrderCapture), &path)
            .await
        {
            if order["state"] == state {
                return Ok(order);
            }
            last = order;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "order {order_id} not {state} within {STEP:?}; last seen {} {}",
            last["state"],
            last["fallout"]
        );
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
}

/// Calls until the service answers with something other than a 5xx (or the step's time is
/// up): the answer.
async fn call<F, Fut>(world: &World, what: &str, mut f: F) -> anyhow::Result<(StatusCode, Value)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<(StatusCode, Value)>>,
{
    let deadline = Instant::now() + STEP;
    loop {
        let last = match f().await {
            Ok((status, body)) if !status.is_server_error() => return Ok((status, body)),
            Ok((status, body)) => format!("{status} {body}"),
            Err(error) => format!("{error:#}"),
        };
        Counters::add(&world.counters.http_retries);
        anyhow::ensure!(
            Instant::now() < deadline,
            "{what}: no answer within {STEP:?}; last: {last}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The operator: while no downstream fault is open, retries every task in fallout (the
/// downstream system has been repaired), until the process ends.
pub async fn operator(world: &World) {
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        if world.downstream_fault.load(Ordering::Relaxed) {
            continue;
        }
        if let Err(error) = retry_fallouts(world, &world.operator).await {
            // The service may be down right now; the next round tries again.
            let _ = error;
        }
    }
}

async fn retry_fallouts(world: &World, api: &Api) -> anyhow::Result<()> {
    let fulfillment = world.url(Service::Fulfillment);
    let Fetched::Found(list) = api.get(fulfillment, "/api/v1/fallouts?status=OPEN").await? else {
        return Ok(());
    };
    for case in list["fallouts"].as_array().into_iter().flatten() {
        let (Some(order_id), Some(task_id)) = (case["orderId"].as_str(), case["taskId"].as_str())
        else {
            continue;
        };
        let code = case["code"].as_str().unwrap_or("?");
        if code != "SIMULATED_REJECTION" {
            world.note(format!(
                "fallout {code} on task {task_id} of order {order_id} (not injected): {}",
                case["message"]
            ));
        }
        let (status, body) = api
            .post(
                fulfillment,
                &format!("/api/v1/fulfillment/{order_id}/tasks/{task_id}/retry"),
                &json!({ "reason": "chaos operator: downstream repaired" }),
            )
            .await?;
        if status.is_success() {
            Counters::add(&world.counters.operator_retries);
        } else if !status.is_server_error() && status != StatusCode::CONFLICT {
            world.note(format!("operator retry of {task_id}: {status} {body}"));
        }
    }
    Ok(())
}
