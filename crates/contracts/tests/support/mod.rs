//! Fixtures of the contract tests: realistic domain events of every topic (order events
//! produced by driving the real aggregate through `decide`), and a registry environment with
//! a unique topic prefix per test.
#![allow(dead_code)] // each test binary uses a different subset

pub mod facts;
pub mod orders;
pub mod registry;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use oms_domain::value::{CausationId, CorrelationId, Reason, TenantId};
use oms_domain::{Actor, TransitionMeta};
use uuid::Uuid;

/// A fixed instant `minutes` after 2026-07-02 09:00:00.123 UTC (millisecond precision, as
/// Avro timestamp-millis keeps it).
pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 2, 9, 0, 0).unwrap()
        + Duration::milliseconds(123)
        + Duration::minutes(minutes)
}

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 7, 2).unwrap()
}

pub fn day(offset: i64) -> NaiveDate {
    today() + Duration::days(offset)
}

pub fn tenant() -> TenantId {
    TenantId::parse("tenant-a").unwrap()
}

/// Deterministic UUIDs (version 7 layout) numbered from a base.
pub fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + n)
}

/// Meta of a service decision, caused by a consumed event, with an optional reason.
pub fn meta(minutes: i64, reason: Option<&str>) -> TransitionMeta {
    let mut meta = TransitionMeta::new(
        Actor::service("order-capture"),
        at(minutes),
        CorrelationId::parse("corr-quote-q-1001").unwrap(),
    )
    .caused_by(
        CausationId::parse(&uuid(9000 + u128::from(minutes.unsigned_abs())).to_string()).unwrap(),
    );
    if let Some(reason) = reason {
        meta = meta.with_reason(Reason::parse(reason).unwrap());
    }
    meta
}

/// Meta of a person's decision (operator repairs, holds, waivers).
pub fn operator_meta(minutes: i64, reason: &str) -> TransitionMeta {
    TransitionMeta::new(
        Actor::user("ops-7").unwrap(),
        at(minutes),
        CorrelationId::parse("corr-quote-q-1001").unwrap(),
    )
    .with_reason(Reason::parse(reason).unwrap())
}
