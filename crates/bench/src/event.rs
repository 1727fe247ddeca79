//! The benchmark's event family: the OMS envelope plus a payload shaped like an order-item fact
//! (~0.6 KB encoded with headers), so figures are representative of real traffic.

use chrono::{NaiveDate, Utc};
use oms_messaging::{Envelope, avro_serde};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

pub const BENCH_TOPIC: &str = "bench.events.v1";

oms_messaging::event_family! {
    /// Benchmark-only family.
    pub enum BenchEventV1 in "bench.events.v1" {
        BenchEvent(BenchEvent) = "com.example.oms.bench.v1.BenchEvent", include_str!("../schemas/BenchEvent.avsc");
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BenchKind {
    Standard,
    Premium,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchEvent {
    pub envelope: Envelope,
    #[serde(with = "avro_serde::uuid")]
    pub widget_id: Uuid,
    pub sequence: i64,
    #[serde(with = "avro_serde::decimal4")]
    pub price: Decimal,
    #[serde(with = "avro_serde::decimal4_opt", default)]
    pub previous_price: Option<Decimal>,
    #[serde(with = "avro_serde::timestamp_millis")]
    pub priced_at: chrono::DateTime<Utc>,
    #[serde(with = "avro_serde::date")]
    pub valid_until: NaiveDate,
    pub kind: BenchKind,
    pub tags: Vec<String>,
    pub attributes: BTreeMap<String, String>,
    pub note: Option<String>,
}

/// One event for aggregate `aggregate` with sequence number `sequence`.
pub fn bench_event(aggregate: Uuid, sequence: i64) -> BenchEventV1 {
    BenchEventV1::BenchEvent(BenchEvent {
        envelope: Envelope::new(
            "BenchEvent",
            1,
            "Order",
            aggregate.to_string(),
            "tenant-bench",
            format!("corr-{aggregate}"),
            Utc::now(),
        ),
        widget_id: aggregate,
        sequence,
        price: Decimal::new(12_345_678 + sequence, 4),
        previous_price: Some(Decimal::new(-1_000, 4)),
        priced_at: oms_messaging::envelope::truncate_to_millis(Utc::now()),
        valid_until: NaiveDate::from_ymd_opt(2027, 1, 31).unwrap_or_default(),
        kind: BenchKind::Standard,
        tags: vec!["fiber".into(), "business".into(), "install".into()],
        attributes: BTreeMap::from([
            ("bandwidth".into(), "1Gbps".into()),
            ("accessTechnology".into(), "GPON".into()),
            ("serviceAddressId".into(), "addr-000123".into()),
        ]),
        note: Some("benchmark payload".into()),
    })
}
