//! Turns a validated intake into the typed order content (header + items).
//!
//! Runs only after the profile reported no errors, so every parse here is expected to
//! succeed; if one does not (a rule gap), the failure comes back as a violation and the
//! order is rejected instead of panicking. Item ids are the caller-allocated ids, aligned
//! with the intake's items by position.

mod header;
mod item;

use chrono::{DateTime, Utc};

use super::codes::RuleCode;
use super::intake::CaptureOrder;
use super::violation::Violation;
use crate::error::ValueError;
use crate::order::OrderContent;
use crate::value::{CurrencyCode, OrderItemId};

pub(super) type Built<T> = Result<T, Violation>;

/// Attaches a path and code to a value error.
pub(super) fn at<T>(code: RuleCode, path: &str, r: Result<T, ValueError>) -> Built<T> {
    r.map_err(|e| code.at(path, e.to_string()))
}

pub(super) fn opt<T>(
    path: &str,
    raw: Option<&str>,
    parse: fn(&str) -> Result<T, ValueError>,
) -> Built<Option<T>> {
    raw.map(|v| at(RuleCode::ReferenceInvalid, path, parse(v)))
        .transpose()
}

pub(super) fn counter(path: &str, raw: i64, code: RuleCode) -> Built<u32> {
    u32::try_from(raw)
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| code.at(path, format!("{raw} is not positive")))
}

pub(crate) fn normalize(
    intake: &CaptureOrder,
    item_ids: &[OrderItemId],
    captured_at: DateTime<Utc>,
    accepted_at: DateTime<Utc>,
) -> Result<OrderContent, Vec<Violation>> {
    build(intake, item_ids, captured_at, accepted_at).map_err(|v| vec![v])
}

fn build(
    intake: &CaptureOrder,
    item_ids: &[OrderItemId],
    captured_at: DateTime<Utc>,
    accepted_at: DateTime<Utc>,
) -> Built<OrderContent> {
    let currency = at(
        RuleCode::InvalidCurrency,
        "currency",
        CurrencyCode::parse(&intake.currency),
    )?;
    let id_of = |client_ref: &str| -> Option<OrderItemId> {
        let idx = intake
            .items
            .iter()
            .position(|i| i.client_item_ref == client_ref)?;
        item_ids.get(idx).copied()
    };
    let mut items = Vec::with_capacity(intake.items.len());
    for (i, (raw, id)) in intake.items.iter().zip(item_ids).enumerate() {
        items.push(item::build_item(i, raw, *id, currency, &id_of)?);
    }
    let header = header::build_header(intake, &items, currency, captured_at, accepted_at)?;
    Ok(OrderContent { header, items })
}
