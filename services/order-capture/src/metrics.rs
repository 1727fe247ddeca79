//! The service's Prometheus series (rendered by the runtime's `/metrics`). Consumer, relay,
//! inbox and HTTP figures come from the messaging and runtime crates.
//!
//! - `oms_orders_captured_total{source, capture_mode, outcome}`: capture rate (outcome
//!   VALIDATED / REJECTED);
//! - `oms_validation_rejections_total{source, code}`: rejection rate by rule code;
//! - `oms_idempotency_replays_total` and `oms_idempotency_conflicts_total`;
//! - `oms_order_version_conflicts_total{path}`: lost optimistic locks (api / consumer);
//! - `oms_order_state_entered_total{state}`: orders entering each state (per-state flow);
//! - `oms_order_facts_absorbed_total{reason}`: redelivered or stale facts absorbed as no-ops.

use oms_domain::capture::Violation;
use oms_domain::lifecycle::OrderState;

fn label<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "UNKNOWN".to_owned())
}

pub fn order_captured<M: serde::Serialize>(source: &'static str, mode: &M, rejected: bool) {
    let outcome = if rejected { "REJECTED" } else { "VALIDATED" };
    metrics::counter!(
        "oms_orders_captured_total",
        "source" => source,
        "capture_mode" => label(mode),
        "outcome" => outcome
    )
    .increment(1);
}

pub fn validation_rejected(source: &'static str, violations: &[Violation]) {
    for violation in violations.iter().filter(|v| v.is_error()) {
        metrics::counter!(
            "oms_validation_rejections_total",
            "source" => source,
            "code" => violation.code.code()
        )
        .increment(1);
    }
}

pub fn idempotency_replayed() {
    metrics::counter!("oms_idempotency_replays_total").increment(1);
}

pub fn idempotency_conflict() {
    metrics::counter!("oms_idempotency_conflicts_total").increment(1);
}

pub fn version_conflict(path: &'static str) {
    metrics::counter!("oms_order_version_conflicts_total", "path" => path).increment(1);
}

pub fn state_entered(state: OrderState) {
    metrics::counter!("oms_order_state_entered_total", "state" => label(&state)).increment(1);
}

pub fn fact_absorbed(reason: &'static str) {
    metrics::counter!("oms_order_facts_absorbed_total", "reason" => reason).increment(1);
}

/// A cancellation or amendment request (`kind`) was `outcome` (accepted, refused).
pub fn change_request(kind: &'static str, outcome: &'static str) {
    metrics::counter!("oms_change_requests_total", "kind" => kind, "outcome" => outcome)
        .increment(1);
}
