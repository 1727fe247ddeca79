//! Consumer lag of every OMS consumer group: per group and partition, the partition's high
//! watermark minus the group's committed offset (or minus the low watermark when the group has
//! committed nothing there yet).
//!
//! A client created with another group's `group.id` may read that group's committed offsets
//! without joining it (OffsetFetch needs no membership), so one idle client per group is kept
//! and asked. Measuring talks to the broker (metadata, committed offsets, watermarks of every
//! partition), so one measurement is reused for `projections.lag_cache_ms`. Offsets are
//! committed by the consumers about once a second, so a lag of a few records under load is
//! normal; a lag that grows, or stays above zero while nothing is produced, is not.

use chrono::{DateTime, Utc};
use oms_messaging::{KafkaSettings, TopicNaming};
use rdkafka::consumer::{BaseConsumer, Consumer as _};
use rdkafka::{Offset, TopicPartitionList};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use utoipa::ToSchema;

const BROKER_TIMEOUT: Duration = Duration::from_secs(5);

/// One partition of one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartitionLag {
    pub topic: String,
    pub partition: i32,
    /// The next offset the group will read; absent when it has committed nothing yet.
    pub committed: Option<i64>,
    pub high_watermark: i64,
    pub lag: i64,
}

/// One consumer group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupLag {
    /// The service the group belongs to.
    pub service: String,
    /// The group id, with the environment's topic prefix.
    pub group: String,
    pub total_lag: i64,
    pub partitions: Vec<PartitionLag>,
    /// Why the group could not be measured, if it could not.
    pub error: Option<String>,
}

/// Every group, measured at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LagReport {
    pub measured_at: DateTime<Utc>,
    pub groups: Vec<GroupLag>,
}

/// What to measure: (service, group without prefix, contract topics).
pub type Watched = Vec<(String, String, Vec<String>)>;

/// Measures lag, with one idle client per group and a short cache.
#[derive(Clone)]
pub struct LagProbe {
    kafka: KafkaSettings,
    naming: TopicNaming,
    ttl: Duration,
    clients: Arc<Mutex<HashMap<String, Arc<BaseConsumer>>>>,
    last: Arc<tokio::sync::Mutex<Option<(Instant, Watched, LagReport)>>>,
}

impl std::fmt::Debug for LagProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LagProbe")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl LagProbe {
    pub fn new(kafka: KafkaSettings, naming: TopicNaming, ttl: Duration) -> Self {
        Self {
            kafka,
            naming,
            ttl,
            clients: Arc::default(),
            last: Arc::default(),
        }
    }

    /// The lag of `watched`, measured now or at most `ttl` ago.
    pub async fn report(&self, watched: Watched) -> LagReport {
        let mut last = self.last.lock().await;
        if let Some((at, for_watched, report)) = last.as_ref()
            && at.elapsed() < self.ttl
            && *for_watched == watched
        {
            return report.clone();
        }
        let probe = self.clone();
        let measuring = watched.clone();
        let report = tokio::task::spawn_blocking(move || probe.measure(&measuring))
            .await
            .unwrap_or_else(|error| LagReport {
                measured_at: Utc::now(),
                groups: vec![GroupLag {
                    service: "projections".to_owned(),
                    group: String::new(),
                    total_lag: 0,
                    partitions: Vec::new(),
                    error: Some(format!("measurement failed: {error}")),
                }],
            });
        *last = Some((Instant::now(), watched, report.clone()));
        report
    }

    fn client(&self, group: &str) -> Result<Arc<BaseConsumer>, String> {
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(client) = clients.get(group) {
            return Ok(client.clone());
        }
        let client: BaseConsumer = self
            .kafka
            .consumer(
                group,
                &format!("oms-projections-lag-{}", std::process::id()),
            )
            .create()
            .map_err(|e| format!("client for group {group}: {e}"))?;
        let client = Arc::new(client);
        clients.insert(group.to_owned(), client.clone());
        Ok(client)
    }

    fn measure(&self, watched: &Watched) -> LagReport {
        let mut partitions_of: BTreeMap<String, i32> = BTreeMap::new();
        let mut watermarks: BTreeMap<(String, i32), (i64, i64)> = BTreeMap::new();
        let groups = watched
            .iter()
            .map(|(service, bare_group, topics)| {
                let group = self.naming.name(bare_group);
                let measured = self.client(&group).and_then(|client| {
                    group_lag(
                        &client,
                        &self.naming,
                        topics,
                        &mut partitions_of,
                        &mut watermarks,
                    )
                });
                match measured {
                    Ok(partitions) => GroupLag {
                        service: service.clone(),
                        total_lag: partitions.iter().map(|p| p.lag).sum(),
                        group,
                        partitions,
                        error: None,
                    },
                    Err(error) => GroupLag {
                        service: service.clone(),
                        group,
                        total_lag: 0,
                        partitions: Vec::new(),
                        error: Some(error),
                    },
                }
            })
            .collect();
        LagReport {
            measured_at: Utc::now(),
            groups,
        }
    }
}

fn group_lag(
    client: &BaseConsumer,
    naming: &TopicNaming,
    topics: &[String],
    partitions_of: &mut BTreeMap<String, i32>,
    watermarks: &mut BTreeMap<(String, i32), (i64, i64)>,
) -> Result<Vec<PartitionLag>, String> {
    let mut list = TopicPartitionList::new();
    let mut wanted = Vec::new();
    for contract_topic in topics {
        let topic = naming.name(contract_topic);
        let count = if let Some(count) = partitions_of.get(&topic) {
            *count
        } else {
            let metadata = client
                .fetch_metadata(Some(&topic), BROKER_TIMEOUT)
                .map_err(|e| format!("metadata of {topic}: {e}"))?;
            let count = metadata
                .topics()
                .first()
                .map_or(0, |t| i32::try_from(t.partitions().len()).unwrap_or(0));
            partitions_of.insert(topic.clone(), count);
            count
        };
        for partition in 0..count {
            list.add_partition(&topic, partition);
            wanted.push((topic.clone(), partition));
        }
    }
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let committed = client
        .committed_offsets(list, BROKER_TIMEOUT)
        .map_err(|e| format!("committed offsets: {e}"))?;
    let mut result = Vec::with_capacity(wanted.len());
    for (topic, partition) in wanted {
        let (low, high) = if let Some(marks) = watermarks.get(&(topic.clone(), partition)) {
            *marks
        } else {
            let marks = client
                .fetch_watermarks(&topic, partition, BROKER_TIMEOUT)
                .map_err(|e| format!("watermarks of {topic}/{partition}: {e}"))?;
            watermarks.insert((topic.clone(), partition), marks);
            marks
        };
        let offset = committed
            .find_partition(&topic, partition)
            .and_then(|element| match element.offset() {
                Offset::Offset(offset) => Some(offset),
                _ => None,
            });
        let lag = (high - offset.unwrap_or(low)).max(0);
        result.push(PartitionLag {
            topic: naming.contract_topic(&topic).unwrap_or(&topic).to_owned(),
            partition,
            committed: offset,
            high_watermark: high,
            lag,
        });
    }
    Ok(result)
}
