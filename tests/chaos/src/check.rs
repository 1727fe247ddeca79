//! The invariants, checked at quiescence from every service's database and every topic read
//! from the start. Each check adds `name: value` figures and, when broken, a violation.

use crate::{
    driver::{Amended, Outcome},
    poison::Poison,
    world::World,
};
use oms_contracts::OrderEventV1;
use oms_e2e::Service;
use oms_messaging::{Codec, EventContract as _, envelope::header};
use rdkafka::{
    ClientConfig, Message as _, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer as _},
    message::Headers as _,
};
use sqlx::{PgPool, Row as _};
use std::{
    collections::{BTreeMap, BTreeSet},
    time::{Duration, Instant},
};

/// The figures of the checks and what broke.
#[derive(Debug, Default)]
pub struct Report {
    pub figures: Vec<(String, String)>,
    pub violations: Vec<String>,
}

impl Report {
    fn figure(&mut self, name: &str, value: impl std::fmt::Display) {
        self.figures.push((name.to_owned(), value.to_string()));
    }

    fn violation(&mut self, line: String) {
        eprintln!("chaos: VIOLATION {line}");
        self.violations.push(line);
    }
}

const TERMINAL: [&str; 5] = [
    "COMPLETED",
    "REJECTED",
    "CANCELLED",
    "FALLOUT",
    "FAILED_CLOSED",
];

/// Waits until every outbox is drained and no consumer group lags (twice in a row).
pub async fn quiesce(world: &World, pools: &BTreeMap<Service, PgPool>, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    let mut calm = 0;
    while Instant::now() < deadline {
        if drained(world, pools).await.unwrap_or(false) {
            calm += 1;
            if calm == 2 {
                return true;
            }
        } else {
            calm = 0;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    false
}

async fn drained(world: &World, pools: &BTreeMap<Service, PgPool>) -> anyhow::Result<bool> {
    for pool in pools.values() {
        let unpublished: i64 =
            sqlx::query_scalar("select count(*) from outbox where published_at is null")
                .fetch_one(pool)
                .await?;
        if unpublished > 0 {
            return Ok(false);
        }
    }
    Ok(lag(world).await?.values().all(|lag| *lag == 0))
}

/// Total lag per consumer group, as the read side reports it (`GET /api/v1/flow/lag`).
async fn lag(world: &World) -> anyhow::Result<BTreeMap<String, i64>> {
    Ok(world
        .lag_groups()
        .await?
        .iter()
        .map(|group| {
            (
                group["service"].as_str().unwrap_or("?").to_owned(),
                group["totalLag"].as_i64().unwrap_or(i64::MAX),
            )
        })
        .collect())
}

/// Every check; `poison` is how many poison records the driver put on the quote topic.
pub async fn check(
    world: &World,
    pools: &BTreeMap<Service, PgPool>,
    outcomes: &[Outcome],
    poison: &[Poison],
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    orders(&mut report, &pools[&Service::OrderCapture], outcomes).await?;
    let codec = Codec::new(&world.registry_url)?;
    billing_effects(&mut report, world, &pools[&Service::OrderCapture], &codec).await?;
    causal_order(&mut report, world, pools).await?;
    assets(
        &mut report,
        &pools[&Service::Asset],
        &pools[&Service::Fulfillment],
    )
    .await?;
    downstream(&mut report, &pools[&Service::Fulfillment]).await?;
    queues(&mut report, world, pools, poison).await?;
    Ok(report)
}

/// 0 lost, 0 duplicated orders; each in the outcome its flow expects; every order terminal.
async fn orders(report: &mut Report, pool: &PgPool, outcomes: &[Outcome]) -> anyhow::Result<()> {
    let mut lost = 0;
    let mut duplicated = 0;
    let mut wrong = 0;
    let mut expected = 0;
    let mut per_flow: BTreeMap<&str, u64> = BTreeMap::new();
    for outcome in outcomes {
        for want in &outcome.expected {
            expected += 1;
            *per_flow.entry(want.flow.name()).or_default() += 1;
            let rows = match &want.quote_id {
                Some(quote) => {
                    sqlx::query(
                        "select order_id::text as id, state, aggregate::text as body from orders where quote_id = $1",
                    )
                    .bind(quote)
                    .fetch_all(pool)
                    .await?
                }
                None => {
                    sqlx::query(
                        "select order_id::text as id, state, aggregate::text as body from orders \
                         where customer_id = $1 and quote_id is null",
                    )
                    .bind(&want.customer_id)
                    .fetch_all(pool)
                    .await?
                }
            };
            let what = want.quote_id.as_ref().map_or_else(
                || format!("API order of {}", want.customer_id),
                |q| format!("quote {q}"),
            );
            match rows.len() {
                0 => {
                    lost += 1;
                    report.violation(format!("lost: {what} ({}) has no order", want.flow.name()));
                }
                1 => {
                    let state: String = rows[0].get("state");
                    let body: String = rows[0].get("body");
                    let id: String = rows[0].get("id");
                    let code_ok = want.fallout_code.is_none_or(|code| body.contains(code));
                    if let Some(item) = &want.cancelled_item {
                        let item_state: Option<String> = sqlx::query_scalar(
                            "select state from order_items where item_id = $1::uuid",
                        )
                        .bind(item)
                        .fetch_optional(pool)
                        .await?;
                        if item_state.as_deref() != Some("CANCELLED") {
                            wrong += 1;
                            report.violation(format!(
                                "wrong outcome: item {item} of order {id} ({}) is {item_state:?} \
                                 after its cancellation was accepted",
                                want.flow.name()
                            ));
                        }
                    }
                    if let Some(amended) = &want.amendment
                        && let Some(problem) = amendment_problem(pool, amended).await?
                    {
                        wrong += 1;
                        report.violation(format!(
                            "wrong outcome: order {id} ({}): {problem}",
                            want.flow.name()
                        ));
                    }
                    if state != want.state || !code_ok {
                        wrong += 1;
                        report.violation(format!(
                            "wrong outcome: order {id} of {what} ({}) is {state}, expected {}{}",
                            want.flow.name(),
                            want.state,
                            want.fallout_code
                                .map(|c| format!(" with {c}"))
                                .unwrap_or_default()
                        ));
                    }
                }
                n => {
                    duplicated += n - 1;
                    report.violation(format!("duplicated: {what} has {n} orders"));
                }
            }
        }
    }
    let total: i64 = sqlx::query_scalar("select count(*) from orders")
        .fetch_one(pool)
        .await?;
    let not_terminal: Vec<(String, String)> =
        sqlx::query_as("select order_id::text, state from orders where not (state = any($1))")
            .bind(TERMINAL.map(str::to_owned).to_vec())
            .fetch_all(pool)
            .await?;
    for (id, state) in &not_terminal {
        report.violation(format!("not terminal: order {id} is {state}"));
    }
    if total != expected {
        report.violation(format!(
            "order count: {total} orders for {expected} submitted"
        ));
    }
    report.figure("orders_submitted", expected);
    for (flow, n) in per_flow {
        report.figure(&format!("orders_{flow}"), n);
    }
    report.figure("orders_in_database", total);
    report.figure("orders_lost", lost);
    report.figure("orders_duplicated", duplicated);
    report.figure("orders_wrong_outcome", wrong);
    report.figure("orders_not_terminal", not_terminal.len());
    Ok(())
}

/// What is wrong with an accepted amendment at the end, if anything: it must have ended
/// APPLIED with its value in the item's configuration, or REJECTED without it.
async fn amendment_problem(pool: &PgPool, amended: &Amended) -> anyhow::Result<Option<String>> {
    let status: Option<String> =
        sqlx::query_scalar("select status from amendment_requests where request_id = $1::uuid")
            .bind(&amended.request_id)
            .fetch_optional(pool)
            .await?;
    let value: Option<String> = sqlx::query_scalar(
        "select i -> 'configuration' -> 'values' ->> $2 \
         from orders o, jsonb_array_elements(o.aggregate -> 'content' -> 'items') i \
         where i ->> 'id' = $1",
    )
    .bind(&amended.item_id)
    .bind(amended.key)
    .fetch_optional(pool)
    .await?
    .flatten();
    let has_value = value.as_deref() == Some(amended.value);
    Ok(match status.as_deref() {
        Some("APPLIED") if has_value => None,
        Some("REJECTED") if !has_value => None,
        other => Some(format!(
            "amendment {} of item {} ended {other:?} with {}={value:?}",
            amended.request_id, amended.item_id, amended.key
        )),
    })
}

/// One record of a topic, as read from the start.
struct Record {
    key: String,
    event_id: String,
    payload: Option<Vec<u8>>,
}

/// Every record of `topic` (all partitions, from the start up to the high watermarks).
async fn read_topic(brokers: &str, topic: &str) -> anyhow::Result<Vec<Record>> {
    let brokers = brokers.to_owned();
    let topic = topic.to_owned();
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &brokers)
            .set("group.id", format!("chaos-reader-{}", uuid::Uuid::now_v7()))
            .set("enable.auto.commit", "false")
            .create()?;
        let metadata = consumer.fetch_metadata(Some(&topic), Duration::from_secs(10))?;
        let partitions: Vec<i32> = metadata
            .topics()
            .iter()
            .flat_map(|t| {
                t.partitions()
                    .iter()
                    .map(rdkafka::metadata::MetadataPartition::id)
            })
            .collect();
        let mut assignment = TopicPartitionList::new();
        let mut expected = 0;
        for partition in partitions {
            let (low, high) =
                consumer.fetch_watermarks(&topic, partition, Duration::from_secs(10))?;
            if high > low {
                assignment.add_partition_offset(&topic, partition, Offset::Beginning)?;
                expected += high - low;
            }
        }
        consumer.assign(&assignment)?;
        let mut records = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        while i64::try_from(records.len()).unwrap_or(i64::MAX) < expected {
            anyhow::ensure!(
                Instant::now() < deadline,
                "{topic}: read {} of {expected} records in 120 s",
                records.len()
            );
            let Some(message) = consumer.poll(Duration::from_millis(500)) else {
                continue;
            };
            let message = message?;
            let header_value = |name: &str| {
                message.headers().and_then(|h| {
                    h.iter()
                        .find(|header| header.key == name)
                        .and_then(|header| header.value)
                        .map(|v| String::from_utf8_lossy(v).into_owned())
                })
            };
            records.push(Record {
                key: message
                    .key()
                    .map(|k| String::from_utf8_lossy(k).into_owned())
                    .unwrap_or_default(),
                event_id: header_value(header::EVENT_ID).unwrap_or_default(),
                payload: message.payload().map(<[u8]>::to_vec),
            });
        }
        Ok(records)
    })
    .await?
}

/// Exactly one billing-relevant event per effect (item completed, order completed, order or
/// item cancelled): distinct event ids per effect, since a retried handler that wrote a new
/// event would be a second effect even though each event is unique.
async fn billing_effects(
    report: &mut Report,
    world: &World,
    capture: &PgPool,
    codec: &Codec,
) -> anyhow::Result<()> {
    let topic = world.stack.lock().await.naming().name(OrderEventV1::TOPIC);
    let mut records = read_topic(&world.brokers, &topic).await?;
    // The injected poison is the dead letters' business (`queues`).
    records.retain(|r| !r.key.starts_with("poison-"));
    let distinct: BTreeSet<&str> = records.iter().map(|r| r.event_id.as_str()).collect();
    report.figure("order_topic_records", records.len());
    report.figure("order_topic_redelivered", records.len() - distinct.len());
    let mut effects: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for record in &records {
        if !seen.insert(record.event_id.clone()) {
            continue;
        }
        let event = codec
            .decode::<OrderEventV1>(record.payload.as_deref())
            .await?;
        let effect = match &event {
            OrderEventV1::OrderItemCompleted(e) => {
                Some(("OrderItemCompleted", e.item_id.to_string()))
            }
            OrderEventV1::OrderItemCancelled(e) => {
                Some(("OrderItemCancelled", e.item_id.to_string()))
            }
            OrderEventV1::OrderCompleted(_) => Some(("OrderCompleted", record.key.clone())),
            OrderEventV1::OrderCancelled(_) => Some(("OrderCancelled", record.key.clone())),
            _ => None,
        };
        if let Some((kind, subject)) = effect {
            effects
                .entry((kind.to_owned(), subject))
                .or_default()
                .insert(record.event_id.clone());
        }
    }
    let mut duplicated = 0;
    for ((kind, subject), ids) in &effects {
        if ids.len() > 1 {
            duplicated += ids.len() - 1;
            report.violation(format!(
                "duplicated effect: {} {kind} events for {subject}",
                ids.len()
            ));
        }
    }
    // Lost: every completed order has its OrderCompleted, each completed item of it its
    // OrderItemCompleted; every cancelled order its OrderCancelled.
    let mut lost = 0;
    let orders: Vec<(String, String)> = sqlx::query_as(
        "select order_id::text, state from orders where state in ('COMPLETED', 'CANCELLED')",
    )
    .fetch_all(capture)
    .await?;
    for (order, state) in &orders {
        let kind = if state == "COMPLETED" {
            "OrderCompleted"
        } else {
            "OrderCancelled"
        };
        if !effects.contains_key(&(kind.to_owned(), order.clone())) {
            lost += 1;
            report.violation(format!("lost effect: no {kind} for {state} order {order}"));
        }
    }
    let items: Vec<String> = sqlx::query_scalar(
        "select i.item_id::text from order_items i join orders o using (order_id) \
         where o.state = 'COMPLETED' and i.state = 'COMPLETED'",
    )
    .fetch_all(capture)
    .await?;
    for item in &items {
        if !effects.contains_key(&("OrderItemCompleted".to_owned(), item.clone())) {
            lost += 1;
            report.violation(format!(
                "lost effect: no OrderItemCompleted for item {item}"
            ));
        }
    }
    // An item cancelled in flight out of an order that went on: its OrderItemCancelled.
    let cancelled: Vec<String> = sqlx::query_scalar(
        "select i.item_id::text from order_items i join orders o using (order_id) \
         where o.state = 'COMPLETED' and i.state = 'CANCELLED'",
    )
    .fetch_all(capture)
    .await?;
    for item in &cancelled {
        if !effects.contains_key(&("OrderItemCancelled".to_owned(), item.clone())) {
            lost += 1;
            report.violation(format!(
                "lost effect: no OrderItemCancelled for item {item}"
            ));
        }
    }
    report.figure("billing_effects", effects.len());
    report.figure("billing_effects_duplicated", duplicated);
    report.figure("billing_effects_lost", lost);
    Ok(())
}

/// Per-aggregate order on every topic a service writes, from the first occurrence of each
/// event (a redelivery after a relay crash aside):
/// - the order topic has a single writer per order (order-capture, one transaction per order
///   version), so its events must appear exactly in the order the outbox got them;
/// - on the other topics, events of one aggregate may come from concurrent transactions (two
///   items of one order finishing at once), whose relative order is not causal; there the
///   topic must hold exactly the committed events, starting with the first (the aggregate's
///   creation, committed before anything else could name the aggregate), with the events of
///   each transaction (the outbox rows of one aggregate sharing a `created_at`, which is the
///   transaction's start) in their committed order. The last event is not required to come
///   last: the fulfillment topic has no concluding event, and two items' final transactions
///   may commit in either order (run 01a24297c99870b9).
async fn causal_order(
    report: &mut Report,
    world: &World,
    pools: &BTreeMap<Service, PgPool>,
) -> anyhow::Result<()> {
    let mut checked = 0;
    let mut out_of_order = 0;
    for (service, pool) in pools {
        let topics: Vec<String> = sqlx::query_scalar("select distinct topic from outbox")
            .fetch_all(pool)
            .await?;
        for topic in topics {
            let exact = topic.ends_with(OrderEventV1::TOPIC);
            let committed: Vec<(String, String, String)> = sqlx::query_as(
                "select partition_key, event_id::text, created_at::text from outbox \
                 where topic = $1 order by id",
            )
            .bind(&topic)
            .fetch_all(pool)
            .await?;
            let mut want: BTreeMap<String, Vec<String>> = BTreeMap::new();
            let mut transactions: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
            for (key, id, started) in committed {
                want.entry(key.clone()).or_default().push(id.clone());
                transactions.entry((key, started)).or_default().push(id);
            }
            let records = read_topic(&world.brokers, &topic).await?;
            let mut got: BTreeMap<String, Vec<String>> = BTreeMap::new();
            let mut seen = BTreeSet::new();
            for record in records {
                if seen.insert(record.event_id.clone()) {
                    got.entry(record.key).or_default().push(record.event_id);
                }
            }
            for (key, sequence) in &want {
                checked += 1;
                let on_topic = got.get(key).cloned().unwrap_or_default();
                let holds = if exact {
                    &on_topic == sequence
                } else {
                    on_topic.iter().collect::<BTreeSet<_>>() == sequence.iter().collect()
                        && on_topic.len() == sequence.len()
                        && on_topic.first() == sequence.first()
                        && transactions
                            .range((key.clone(), String::new())..)
                            .take_while(|((k, _), _)| k == key)
                            .all(|(_, events)| in_order(&on_topic, events))
                };
                if !holds {
                    out_of_order += 1;
                    report.violation(format!(
                        "order: {} on {topic}, key {key}: committed {sequence:?}, on the topic {on_topic:?}",
                        service.name()
                    ));
                }
            }
        }
    }
    report.figure("aggregates_order_checked", checked);
    report.figure("aggregates_out_of_order", out_of_order);
    Ok(())
}

/// Whether `events` appear in `sequence` in this order (not necessarily next to each other).
fn in_order(sequence: &[String], events: &[String]) -> bool {
    let mut remaining = events.iter().peekable();
    for event in sequence {
        if remaining.peek() == Some(&event) {
            remaining.next();
        }
    }
    remaining.peek().is_none()
}

/// Exactly one installed-base change per fulfilled item that has an asset effect, and one
/// revert more for such an item cancelled afterwards (compensated).
async fn assets(report: &mut Report, asset: &PgPool, fulfillment: &PgPool) -> anyhow::Result<()> {
    let fulfilled: Vec<String> = sqlx::query_scalar(
        "select item_id::text from fulfillment_item where status = 'FULFILLED' \
         and asset_effect is not null and asset_effect <> 'NONE'",
    )
    .fetch_all(fulfillment)
    .await?;
    let applied: BTreeSet<String> =
        sqlx::query_scalar("select order_item_id::text from asset_change_applied")
            .fetch_all(asset)
            .await?
            .into_iter()
            .collect();
    // A change and its revert are two entries of one item's history, counted apart.
    let changes: Vec<(String, bool, i64)> = sqlx::query_as(
        "select item_id::text, event_type = 'AssetReverted', count(*) from asset_history \
         group by 1, 2",
    )
    .fetch_all(asset)
    .await?;
    // Items cancelled after their change was applied: the change must be reverted.
    let compensated: Vec<String> = sqlx::query_scalar(
        "select item_id::text from fulfillment_item where status = 'CANCELLED' \
         and asset_effect is not null and asset_effect <> 'NONE'",
    )
    .fetch_all(fulfillment)
    .await?;
    let reverted: BTreeSet<String> = sqlx::query_scalar(
        "select order_item_id::text from asset_change_reverted where outcome = 'REVERTED'",
    )
    .fetch_all(asset)
    .await?
    .into_iter()
    .collect();
    let mut lost = 0;
    for item in &fulfilled {
        if !applied.contains(item) {
            lost += 1;
            report.violation(format!(
                "lost: fulfilled item {item} never changed the installed base"
            ));
        }
    }
    for item in compensated.iter().filter(|item| applied.contains(*item)) {
        if !reverted.contains(item) {
            lost += 1;
            report.violation(format!(
                "lost: cancelled item {item} changed the installed base and was never reverted"
            ));
        }
    }
    let mut duplicated = 0;
    for (item, revert, n) in &changes {
        if *n > 1 {
            duplicated += n - 1;
            let what = if *revert { "reverted" } else { "changed" };
            report.violation(format!(
                "duplicated: item {item} {what} the installed base {n} times"
            ));
        }
    }
    report.figure("asset_changes", changes.iter().filter(|c| !c.1).count());
    report.figure("asset_changes_reverted", reverted.len());
    report.figure("asset_changes_lost", lost);
    report.figure("asset_changes_duplicated", duplicated);
    Ok(())
}

/// No task executed against a downstream system more often than its idempotency key allows
/// (one execution per key generation); repeats the systems absorbed are counted.
async fn downstream(report: &mut Report, fulfillment: &PgPool) -> anyhow::Result<()> {
    let mut executions = 0;
    let mut absorbed = 0;
    let mut duplicated = 0;
    for table in oms_fulfillment::sim::ledger::Ledger::ALL.map(|ledger| ledger.table()) {
        let rows = sqlx::query(&format!(
            "select s.task_id::text as task, count(*) as executions, \
                    sum(s.calls - 1) as repeats, max(t.key_generation) as generations \
             from {table} s join fulfillment_task t using (task_id) group by s.task_id"
        ))
        .fetch_all(fulfillment)
        .await?;
        for row in rows {
            let n: i64 = row.get("executions");
            let repeats: i64 = row.get("repeats");
            let generations: i32 = row.get("generations");
            executions += n;
            absorbed += repeats;
            if n > i64::from(generations) {
                duplicated += n - i64::from(generations);
                let task: String = row.get("task");
                report.violation(format!(
                    "duplicated: task {task} executed {n} times in {table} with {generations} key generation(s)"
                ));
            }
        }
    }
    report.figure("downstream_executions", executions);
    report.figure("downstream_repeats_absorbed", absorbed);
    report.figure("downstream_executions_duplicated", duplicated);
    Ok(())
}

/// Outboxes drained, no consumer lag; every consumer dead-lettered each poison record of its
/// topics once, with the expected class, and nothing else.
async fn queues(
    report: &mut Report,
    world: &World,
    pools: &BTreeMap<Service, PgPool>,
    poison: &[Poison],
) -> anyhow::Result<()> {
    let mut unpublished_total = 0;
    let mut dead_total = 0;
    let mut expected_total = 0;
    for (service, pool) in pools {
        let unpublished: i64 =
            sqlx::query_scalar("select count(*) from outbox where published_at is null")
                .fetch_one(pool)
                .await?;
        unpublished_total += unpublished;
        if unpublished > 0 {
            report.violation(format!(
                "{}: {unpublished} outbox rows unpublished",
                service.name()
            ));
        }
        let dead: Vec<(String, Option<Vec<u8>>, String, String)> = sqlx::query_as(
            "select topic, record_key, error_class, error_message from dead_letter order by id",
        )
        .fetch_all(pool)
        .await?;
        dead_total += dead.len();
        let mut matched = vec![false; dead.len()];
        for p in poison.iter().filter(|p| p.consumers.contains(service)) {
            expected_total += 1;
            let rows: Vec<usize> = dead
                .iter()
                .enumerate()
                .filter(|(_, (topic, key, _, _))| {
                    topic.ends_with(&p.topic) && key.as_deref() == Some(p.key.as_bytes())
                })
                .map(|(k, _)| k)
                .collect();
            match rows.as_slice() {
                [k] => {
                    matched[*k] = true;
                    let class = &dead[*k].2;
                    let ok = p
                        .class
                        .map_or_else(|| class.starts_with("POISON_"), |c| c == class);
                    if !ok {
                        report.violation(format!(
                            "{}: {} on {} dead-lettered as {class}, expected {}: {}",
                            service.name(),
                            p.key,
                            p.topic,
                            p.class.unwrap_or("POISON_*"),
                            dead[*k].3
                        ));
                    }
                }
                [] => report.violation(format!(
                    "{}: {} on {} was not dead-lettered",
                    service.name(),
                    p.key,
                    p.topic
                )),
                more => report.violation(format!(
                    "{}: {} on {} dead-lettered {} times",
                    service.name(),
                    p.key,
                    p.topic,
                    more.len()
                )),
            }
        }
        for (k, (topic, _, class, message)) in dead.iter().enumerate() {
            if !matched[k] {
                report.violation(format!(
                    "{}: unexpected dead letter from {topic}: {class} {message}",
                    service.name()
                ));
            }
        }
    }
    let lags = match lag(world).await {
        Ok(lags) => lags,
        Err(error) => {
            report.violation(format!("consumer lag unknown: {error:#}"));
            BTreeMap::new()
        }
    };
    let lag_total: i64 = lags.values().sum();
    if lag_total != 0 {
        report.violation(format!("consumer lag at the end: {lags:?}"));
    }
    report.figure("outbox_unpublished", unpublished_total);
    report.figure("consumer_lag", lag_total);
    report.figure("poison_injected", poison.len());
    report.figure("dead_letters_expected", expected_total);
    report.figure("dead_letters", dead_total);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::in_order;

    fn ids(raw: &[&str]) -> Vec<String> {
        raw.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_transaction_may_interleave_with_others_but_not_reorder() {
        let topic = ids(&["a1", "b1", "a2", "b2"]);
        assert!(in_order(&topic, &ids(&["a1", "a2"])));
        assert!(in_order(&topic, &ids(&["b1", "b2"])));
        assert!(!in_order(&topic, &ids(&["a2", "a1"])));
        assert!(!in_order(&topic, &ids(&["a1", "c1"])), "a missing event");
    }
}
