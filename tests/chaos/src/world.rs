//! What the driver, the injector, the supervisor and the checks share: the running stack, the
//! private infrastructure, API clients and the run's counters.

use crate::infra::{Infra, http_ok};
use oms_e2e::{
    Service, ServiceStack,
    scenario::{OPERATOR_TOKEN, SALES_TOKEN},
};
use oms_omsctl::{
    api::{Api, Endpoints},
    publish::Publisher,
};
use std::{
    collections::BTreeMap,
    sync::{
        Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

/// The system under test and the run's bookkeeping.
pub struct World {
    pub stack: tokio::sync::Mutex<ServiceStack>,
    pub infra: tokio::sync::Mutex<Infra>,
    pub urls: BTreeMap<Service, String>,
    pub registry_url: String,
    pub brokers: String,
    /// Operator and sales clients (order-capture, fulfillment, ... of this stack).
    pub operator: Api,
    pub sales: Api,
    pub publisher: Publisher,
    /// A downstream fault window is open: the operator waits with retries until it closes.
    pub downstream_fault: AtomicBool,
    /// The load phase is over: flows finish what they started and start nothing new.
    pub draining: AtomicBool,
    pub counters: Counters,
    /// Lines for the report (unexpected things seen on the way).
    pub notes: Mutex<Vec<String>>,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World").finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
pub struct Counters {
    pub unplanned_exits: AtomicU64,
    pub operator_retries: AtomicU64,
    pub publish_retries: AtomicU64,
    pub http_retries: AtomicU64,
    pub idempotent_replays: AtomicU64,
    /// In-flight cancellations accepted, and refused because the order completed first.
    pub cancels_in_flight: AtomicU64,
    pub cancels_too_late: AtomicU64,
    /// In-flight amendments accepted, and refused.
    pub amendments_in_flight: AtomicU64,
    pub amendments_refused: AtomicU64,
}

impl Counters {
    pub fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

impl World {
    pub async fn new(stack: ServiceStack, infra: Infra) -> anyhow::Result<Self> {
        let urls: BTreeMap<Service, String> =
            Service::ALL.iter().map(|s| (*s, stack.url(*s))).collect();
        let api = |token: &str| {
            Api::new(Endpoints {
                order_capture: urls[&Service::OrderCapture].clone(),
                decomposition: urls[&Service::Decomposition].clone(),
                fulfillment: urls[&Service::Fulfillment].clone(),
                asset: urls[&Service::Asset].clone(),
                token: token.to_owned(),
            })
        };
        let publisher = Publisher::connect(
            &infra.brokers(),
            &infra.registry_url(),
            stack.naming().prefix(),
        )
        .await?;
        Ok(Self {
            operator: api(OPERATOR_TOKEN)?,
            sales: api(SALES_TOKEN)?,
            registry_url: infra.registry_url(),
            brokers: infra.brokers(),
            urls,
            publisher,
            stack: tokio::sync::Mutex::new(stack),
            infra: tokio::sync::Mutex::new(infra),
            downstream_fault: AtomicBool::new(false),
            draining: AtomicBool::new(false),
            counters: Counters::default(),
            notes: Mutex::new(Vec::new()),
        })
    }

    pub fn url(&self, service: Service) -> &str {
        &self.urls[&service]
    }

    pub fn note(&self, line: String) {
        eprintln!("chaos: {line}");
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(line);
        }
    }

    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    /// Every process answers: PostgreSQL, broker, registry, each service's `/health/ready`.
    pub async fn all_ready(&self) -> bool {
        {
            let infra = self.infra.lock().await;
            if !(infra.postgres_ready().await
                && infra.broker_ready().await
                && infra.registry_ready().await)
            {
                return false;
            }
        }
        for url in self.urls.values() {
            if !http_ok(&format!("{url}/health/ready")).await {
                return false;
            }
        }
        true
    }

    /// The high watermark of every partition each consumer group reads, as the read side's
    /// lag report gives it: `(group, topic, partition) -> offset`.
    pub async fn watermarks(&self) -> anyhow::Result<BTreeMap<(String, String, i64), i64>> {
        let mut marks = BTreeMap::new();
        for (group, topic, partition, _, high) in self.lag_report().await? {
            marks.insert((group, topic, partition), high);
        }
        Ok(marks)
    }

    /// Every group has committed at least `marks`.
    pub async fn caught_up(
        &self,
        marks: &BTreeMap<(String, String, i64), i64>,
    ) -> anyhow::Result<bool> {
        let now: BTreeMap<(String, String, i64), i64> = self
            .lag_report()
            .await?
            .into_iter()
            .map(|(group, topic, partition, committed, _)| ((group, topic, partition), committed))
            .collect();
        Ok(marks
            .iter()
            .all(|(key, high)| now.get(key).is_some_and(|committed| committed >= high)))
    }

    /// Every consumer group of `GET /api/v1/flow/lag`; an error reading any group is an error.
    pub async fn lag_groups(&self) -> anyhow::Result<Vec<serde_json::Value>> {
        let oms_omsctl::api::Fetched::Found(view) = self
            .operator
            .get(self.url(Service::Projections), "/api/v1/flow/lag")
            .await?
        else {
            anyhow::bail!("lag report not available");
        };
        let groups = view["groups"].as_array().cloned().unwrap_or_default();
        for group in &groups {
            anyhow::ensure!(
                group["error"].is_null(),
                "lag of {}: {}",
                group["group"],
                group["error"]
            );
        }
        anyhow::ensure!(!groups.is_empty(), "no consumer group reported: {view}");
        Ok(groups)
    }

    /// `(group, topic, partition, committed, high watermark)` from `GET /api/v1/flow/lag`.
    async fn lag_report(&self) -> anyhow::Result<Vec<(String, String, i64, i64, i64)>> {
        let mut rows = Vec::new();
        for group in self.lag_groups().await? {
            for partition in group["partitions"].as_array().into_iter().flatten() {
                rows.push((
                    group["service"].as_str().unwrap_or("?").to_owned(),
                    partition["topic"].as_str().unwrap_or("?").to_owned(),
                    partition["partition"].as_i64().unwrap_or(0),
                    partition["committed"].as_i64().unwrap_or(-1),
                    partition["highWatermark"].as_i64().unwrap_or(0),
                ));
            }
        }
        Ok(rows)
    }

    /// Restarts whatever exited on its own, as a supervisor (Kubernetes) would, and counts it;
    /// runs until the process ends.
    pub async fn supervise(&self) {
        loop {
            let exited = self.stack.lock().await.reap_exited();
            for (service, status) in exited {
                Counters::add(&self.counters.unplanned_exits);
                self.note(format!(
                    "{} exited on its own ({status}); restarted",
                    service.name()
                ));
                if let Err(error) = self.stack.lock().await.respawn(service) {
                    self.note(format!("restarting {}: {error:#}", service.name()));
                }
            }
            {
                let mut guard = self.infra.lock().await;
                let infra = &mut *guard;
                for process in [&mut infra.broker, &mut infra.registry] {
                    if let Some(status) = process.reap() {
                        Counters::add(&self.counters.unplanned_exits);
                        self.note(format!(
                            "{} exited on its own ({status}); restarted",
                            process.name
                        ));
                        if let Err(error) = process.spawn() {
                            self.note(format!("restarting {}: {error:#}", process.name));
                        }
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}
