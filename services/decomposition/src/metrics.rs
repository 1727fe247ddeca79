//! The service's Prometheus series (rendered by the runtime's `/metrics`). Consumer, relay,
//! inbox and HTTP figures come from the messaging and runtime crates.
//!
//! - `oms_decomposition_plans_total{rules_version}`: plans made;
//! - `oms_decomposition_plan_tasks`: tasks per plan (histogram);
//! - `oms_decomposition_failures_total{code}`: recorded failures by DOMAIN §6 code;
//! - `oms_decomposition_retries_total{reason}`: releases handed back for a retry
//!   (TEMPORARY_DEPENDENCY_UNAVAILABLE);
//! - `oms_decomposition_duplicates_total`: releases of orders already decomposed (no-ops);
//! - `oms_catalog_publications_total{outcome}`: CREATED, UNCHANGED, REFUSED (invalid,
//!   conflicting or not higher) or ERROR (database);
//! - `oms_catalog_active_version`: the latest rules version loaded for decomposition.
//!
//! Counters are incremented inside the consumer's transaction; a batch that falls back to
//! one-by-one processing can count a record twice (the same as the other services' series).

use oms_domain::vocab::DecompositionFailureCode;

pub fn plan_made(rules_version: u32, tasks: usize) {
    metrics::counter!(
        "oms_decomposition_plans_total",
        "rules_version" => rules_version.to_string()
    )
    .increment(1);
    #[allow(clippy::cast_precision_loss)] // task counts are small
    metrics::histogram!("oms_decomposition_plan_tasks").record(tasks as f64);
}

pub fn failure_recorded(code: DecompositionFailureCode) {
    metrics::counter!("oms_decomposition_failures_total", "code" => code.as_str()).increment(1);
}

pub fn retried(reason: &'static str) {
    metrics::counter!("oms_decomposition_retries_total", "reason" => reason).increment(1);
}

pub fn duplicate() {
    metrics::counter!("oms_decomposition_duplicates_total").increment(1);
}

pub fn publication(outcome: &'static str) {
    metrics::counter!("oms_catalog_publications_total", "outcome" => outcome).increment(1);
}

pub fn catalog_active(version: u32) {
    metrics::gauge!("oms_catalog_active_version").set(f64::from(version));
}
