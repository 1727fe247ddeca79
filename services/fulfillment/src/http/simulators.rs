//! Operator/test hooks of the in-process simulators: see their faults and the concurrency
//! probe, inject a fault on a task type, repair it. These change the simulated *external*
//! systems, never fulfillment's own state; every change is logged with its operator.

use super::ApiState;
use crate::model::TargetSystem;
use crate::sim::{Fault, Simulators};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use oms_runtime::http::{ApiError, Caller, Json};
use serde::Serialize;
use std::collections::BTreeMap;

/// The simulated downstream systems: calls and the faults set on them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct SimulatorsView {
    /// Downstream calls in flight right now, across all simulators.
    in_flight: usize,
    /// The most calls ever in flight at once since start.
    max_concurrent_calls: usize,
    calls: usize,
    /// Faults by system, then by task type.
    #[schema(value_type = Object)]
    faults: BTreeMap<TargetSystem, BTreeMap<String, Fault>>,
}

fn simulators(state: &ApiState) -> Result<&Simulators, ApiError> {
    state
        .simulators
        .as_ref()
        .ok_or_else(|| ApiError::not_found("The simulators are not running in this deployment."))
}

fn system(raw: &str) -> Result<TargetSystem, ApiError> {
    TargetSystem::parse(raw)
        .ok_or_else(|| ApiError::not_found(format!("No downstream system {raw}.")))
}

/// The simulators' call counters and faults.
#[utoipa::path(
    get,
    path = "/api/v1/simulators",
    tag = "simulators",
    responses(
        (status = 200, description = "Calls and faults", body = SimulatorsView),
        (status = 404, description = "NOT_FOUND: the simulators do not run in this deployment",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["operator"]))
)]
pub(super) async fn list(State(state): State<ApiState>) -> Result<Json<SimulatorsView>, ApiError> {
    let sims = simulators(&state)?;
    let probe = sims.probe();
    Ok(Json(SimulatorsView {
        in_flight: probe.current(),
        max_concurrent_calls: probe.max_observed(),
        calls: probe.calls(),
        faults: sims
            .controls()
            .iter()
            .map(|c| (c.system(), c.faults()))
            .collect(),
    }))
}

/// Sets a fault on a task type of a simulated system.
#[utoipa::path(
    put,
    path = "/api/v1/simulators/{system}/faults/{task_type}",
    tag = "simulators",
    params(("system" = String, Path, description = "The downstream system, e.g. INVENTORY"),
           ("task_type" = String, Path, description = "The task type, e.g. RESERVE_ACCESS_PORT")),
    request_body = Fault,
    responses((status = 204, description = "The fault is set")),
    security(("bearer" = ["operator"]))
)]
pub(super) async fn set_fault(
    caller: Caller,
    State(state): State<ApiState>,
    Path((system_name, task_type)): Path<(String, String)>,
    Json(fault): Json<Fault>,
) -> Result<StatusCode, ApiError> {
    let target = system(&system_name)?;
    let control = simulators(&state)?
        .control(target)
        .ok_or_else(|| ApiError::not_found(format!("No simulator for {target}.")))?;
    control.set_fault(&task_type, fault);
    tracing::warn!(system = %target, %task_type, ?fault, operator = %caller.subject, "simulator fault injected");
    Ok(StatusCode::NO_CONTENT)
}

/// "Repairs" the simulated system for the task type.
#[utoipa::path(
    delete,
    path = "/api/v1/simulators/{system}/faults/{task_type}",
    tag = "simulators",
    params(("system" = String, Path, description = "The downstream system, e.g. INVENTORY"),
           ("task_type" = String, Path, description = "The task type")),
    responses((status = 204, description = "The fault is cleared")),
    security(("bearer" = ["operator"]))
)]
pub(super) async fn clear_fault(
    caller: Caller,
    State(state): State<ApiState>,
    Path((system_name, task_type)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let target = system(&system_name)?;
    let control = simulators(&state)?
        .control(target)
        .ok_or_else(|| ApiError::not_found(format!("No simulator for {target}.")))?;
    control.clear_fault(&task_type);
    tracing::warn!(system = %target, %task_type, operator = %caller.subject, "simulator repaired");
    Ok(StatusCode::NO_CONTENT)
}
