//! What a golden scenario does through the system's public faces only: publish accepted
//! quotes as CPQ would, call the services' HTTP APIs as a channel or operator would, and read
//! the order topic as billing would.

use crate::{Service, ServiceStack};
use oms_contracts::OrderEventV1;
use oms_messaging::{Codec, EventContract as _};
use oms_omsctl::{
    api::{Api, Endpoints, Fetched},
    publish::Publisher,
    samples::{self, Party},
};
use rdkafka::{
    ClientConfig, Message as _, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer as _},
};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The dev tokens of `deploy/local/*.toml`.
pub const OPERATOR_TOKEN: &str = "dev-acme-operator-token";
pub const SALES_TOKEN: &str = "dev-acme-sales-token";
pub const GLOBEX_TOKEN: &str = "dev-globex-sales-token";

/// A running stack plus a CPQ publisher and an API client.
pub struct Harness {
    pub stack: ServiceStack,
    pub publisher: Publisher,
    pub api: Api,
}

impl std::fmt::Debug for Harness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harness")
            .field("stack", &self.stack)
            .finish_non_exhaustive()
    }
}

/// A customer of tenant `acme` unique to one test.
pub fn party(tag: &str) -> Party {
    let id = uuid::Uuid::now_v7().simple().to_string();
    let id = &id[id.len() - 8..];
    Party {
        tenant: "acme".to_owned(),
        customer_id: format!("cust-{tag}-{id}"),
        account_id: format!("acct-{tag}-{id}"),
        billing_account_id: format!("ba-{tag}-{id}"),
    }
}

/// A direct order of one premium-support item (no installed-base effect) for `customer`,
/// held by a blocking credit check when `held`: the body of `POST /api/v1/orders`.
pub fn support_order(customer: &Party, held: bool) -> Value {
    let mut body = json!({
        "captureMode": "DIRECT_ORDER",
        "salesChannel": "WEB",
        "customer": {
            "customerId": customer.customer_id,
            "accountId": customer.account_id,
            "billingAccountId": customer.billing_account_id
        },
        "serviceAddress": { "line1": "1 Dock Road", "city": "Rotterdam", "postalCode": "3011 AA", "countryCode": "NL" },
        "currency": "EUR",
        "priceListRef": "pl-business-2026",
        "items": [{
            "clientItemRef": "support",
            "action": "ADD",
            "productOfferingId": "po-premium-support",
            "productOfferingVersion": 1,
            "productOfferingName": "Premium Support",
            "quantity": 1,
            "configuration": { "level": "24x7" },
            "priceComponents": [ { "kind": "RECURRING", "amount": "79.00", "recurrencePeriod": "MONTHLY", "description": "Premium support" } ],
            "itemTotal": "79.00"
        }]
    });
    if held {
        body["holds"] = json!([{ "holdType": "CREDIT", "reason": "credit check pending" }]);
    }
    body
}

impl Harness {
    /// `POST path` on order-capture as the sales channel, with a new `Idempotency-Key`:
    /// the status and the body.
    pub async fn capture(&self, path: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.stack.url(Service::OrderCapture)))
            .bearer_auth(SALES_TOKEN)
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(body)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await?))
    }

    pub async fn new(stack: ServiceStack) -> anyhow::Result<Self> {
        let publisher = Publisher::connect(
            &stack.kafka().brokers,
            &stack.infra().schema_registry_url,
            stack.naming().prefix(),
        )
        .await?;
        let api = Self::api_for(&stack, OPERATOR_TOKEN)?;
        Ok(Self {
            stack,
            publisher,
            api,
        })
    }

    /// An API client of this stack with another token.
    pub fn api_for(stack: &ServiceStack, token: &str) -> anyhow::Result<Api> {
        Api::new(Endpoints {
            order_capture: stack.url(Service::OrderCapture),
            decomposition: stack.url(Service::Decomposition),
            fulfillment: stack.url(Service::Fulfillment),
            asset: stack.url(Service::Asset),
            token: token.to_owned(),
        })
    }

    /// Publishes a sample quote for `party`; returns the quote.
    pub async fn accept(
        &self,
        sample: &str,
        party: &Party,
        asset: Option<&str>,
    ) -> anyhow::Result<oms_contracts::quote::QuoteAccepted> {
        let quote = samples::quote(sample, party, asset)?;
        self.publisher.publish(quote.clone()).await?;
        Ok(quote)
    }

    /// The order captured from `quote_id` (waits for it).
    pub async fn order_for_quote(&self, quote_id: &str) -> anyhow::Result<String> {
        oms_omsctl::show::wait_for_quote(&self.api, quote_id, Duration::from_secs(60)).await
    }

    pub async fn order(&self, order_id: &str) -> anyhow::Result<Value> {
        self.get(Service::OrderCapture, &format!("/api/v1/orders/{order_id}"))
            .await
    }

    /// Waits until the order is in `state`; fails with the order's last view otherwise.
    pub async fn wait_for_state(
        &self,
        order_id: &str,
        state: &str,
        timeout: Duration,
    ) -> anyhow::Result<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let order = self.order(order_id).await?;
            if order["state"] == state {
                return Ok(order);
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "order {order_id} did not reach {state} within {timeout:?}; last seen: {}",
                serde_json::to_string_pretty(&order)?
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// GET on a service; an error status is an error.
    pub async fn get(&self, service: Service, path: &str) -> anyhow::Result<Value> {
        match self.api.get(&self.stack.url(service), path).await? {
            Fetched::Found(body) => Ok(body),
            Fetched::Missing(status, body) => {
                anyhow::bail!("GET {path} on {}: {status} {body}", service.name())
            }
        }
    }

    /// GET on a service, returning the status and body whatever they are.
    pub async fn get_any(&self, service: Service, path: &str) -> anyhow::Result<(u16, Value)> {
        Ok(match self.api.get(&self.stack.url(service), path).await? {
            Fetched::Found(body) => (200, body),
            Fetched::Missing(status, body) => (status.as_u16(), body),
        })
    }

    /// Every event of `order_id` on this stack's order topic, as billing would read them.
    pub async fn order_events(&self, order_id: &str) -> anyhow::Result<Vec<OrderEventV1>> {
        let topic = self.stack.naming().name(OrderEventV1::TOPIC);
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &self.stack.kafka().brokers)
            .set("group.id", format!("e2e-reader-{}", uuid::Uuid::now_v7()))
            .set("enable.auto.commit", "false")
            .create()?;
        let mut assignment = TopicPartitionList::new();
        let partitions = crate::stack::topics()?
            .into_iter()
            .find(|(name, _)| name == OrderEventV1::TOPIC)
            .map_or(1, |(_, n)| n);
        for partition in 0..partitions {
            let (_, high) = consumer.fetch_watermarks(&topic, partition, Duration::from_secs(5))?;
            if high > 0 {
                assignment.add_partition_offset(&topic, partition, Offset::Beginning)?;
            }
        }
        let expected: i64 = (0..partitions)
            .map(|p| {
                consumer
                    .fetch_watermarks(&topic, p, Duration::from_secs(5))
                    .map_or(0, |(_, h)| h)
            })
            .sum();
        consumer.assign(&assignment)?;
        let codec = Codec::new(&self.stack.infra().schema_registry_url)?;
        let mut events = Vec::new();
        let mut seen = 0;
        let deadline = Instant::now() + Duration::from_secs(30);
        while seen < expected && Instant::now() < deadline {
            if let Some(message) = consumer.poll(Duration::from_millis(200)) {
                let message = message?;
                seen += 1;
                if message.key() == Some(order_id.as_bytes()) {
                    events.push(codec.decode::<OrderEventV1>(message.payload()).await?);
                }
            }
        }
        Ok(events)
    }
}
