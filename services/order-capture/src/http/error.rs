//! The HTTP answers of the service's errors: the runtime's problem+json for the common
//! cases, plus the capture-specific bodies of 001 §16 (422 `ORDER_VALIDATION_FAILED` with
//! the domain's violations, 409 `QUOTE_ALREADY_CONVERTED` with the existing order id).
//!
//! Domain refusals keep the domain's stable code: `*_NOT_FOUND` is 404, a value error 422,
//! every other refusal 409 (the order's state does not allow it). A lost optimistic lock
//! is 409 `VERSION_CONFLICT`. Another tenant's order is 404 `ORDER_NOT_FOUND`, the same as
//! an order that does not exist.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oms_domain::DomainError;
use oms_domain::capture::Violation;
use oms_domain::value::OrderId;
use oms_runtime::http::{ApiError, PROBLEM_JSON, Problem};

use crate::app::AppError;
use crate::store::wire;

/// A handler's error.
#[derive(Debug)]
pub enum HttpError {
    Api(ApiError),
    /// 422 `ORDER_VALIDATION_FAILED`.
    ValidationFailed(Vec<Violation>),
    /// 409 `QUOTE_ALREADY_CONVERTED` with `existingOrderId`.
    QuoteAlreadyConverted(OrderId),
}

impl From<ApiError> for HttpError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

impl From<Problem> for HttpError {
    fn from(problem: Problem) -> Self {
        Self::Api(problem.into())
    }
}

pub fn order_not_found() -> HttpError {
    Problem::new(StatusCode::NOT_FOUND, "ORDER_NOT_FOUND")
        .detail("No order with this id exists for your tenant.")
        .into()
}

fn domain_problem(error: &DomainError) -> Problem {
    let code = error.code();
    let status = if code.ends_with("_NOT_FOUND") {
        StatusCode::NOT_FOUND
    } else if matches!(
        error,
        DomainError::Value(_)
            | DomainError::ReasonRequired { .. }
            | DomainError::CancellationScopeInvalid { .. }
    ) || matches!(
        error,
        DomainError::AmendmentInvalid { code, .. }
            if *code != "ORDER_COMPLETED" && *code != "ORDER_CLOSED" && *code != "AMENDMENT_NOT_ALLOWED"
    ) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::CONFLICT
    };
    let problem = Problem::new(status, code).detail(error.to_string());
    // a change refused for blockers names each, with what to do instead (004 §26)
    match error {
        DomainError::OrderNotCancellable { blockers }
        | DomainError::AmendmentBlocked { blockers, .. } => {
            let remediation = blockers.first().map(|b| b.remediation.clone());
            let problem = problem.extension(
                "blockers",
                serde_json::to_value(blockers).unwrap_or_default(),
            );
            match remediation {
                Some(r) => problem.extension("remediation", r),
                None => problem,
            }
        }
        DomainError::CompletedOrderNotCancellable { .. } => problem.extension(
            "remediation",
            "Place a DISCONNECT order for the assets the order created.",
        ),
        DomainError::AmendmentInvalid { code, .. }
            if *code == "ORDER_COMPLETED" || *code == "ORDER_CLOSED" =>
        {
            problem.extension(
                "remediation",
                "Raise a supplemental order (POST /api/v1/orders/{orderId}/supplemental-orders).",
            )
        }
        _ => problem,
    }
}

impl From<AppError> for HttpError {
    fn from(error: AppError) -> Self {
        if error.is_version_conflict() {
            return Problem::new(StatusCode::CONFLICT, "VERSION_CONFLICT")
                .detail(
                    "The order changed while the request was processed; read it again and retry.",
                )
                .into();
        }
        match error {
            AppError::OrderNotFound => order_not_found(),
            AppError::Domain(DomainError::QuoteAlreadyConverted { existing_order_id }) => {
                Self::QuoteAlreadyConverted(existing_order_id)
            }
            AppError::Domain(domain) => domain_problem(&domain).into(),
            other => Self::Api(ApiError::internal(other)),
        }
    }
}

/// A violation as the API shows it: 001 §16.1's `path`, plus `field` (the same path) so it
/// reads like the schema-layer violations of the runtime.
pub fn violation_json(v: &Violation) -> serde_json::Value {
    serde_json::json!({
        "code": v.code.code(),
        "path": v.path,
        "field": v.path,
        "message": v.message,
        "severity": wire(&v.severity),
        "remediation": v.remediation,
    })
}

fn problem_response(problem: Problem, extra: Option<(&str, serde_json::Value)>) -> Response {
    let mut problem = problem;
    if problem.correlation_id.is_none() {
        problem.correlation_id = oms_runtime::http::correlation::current().map(|id| id.to_string());
    }
    let status = problem.status_code();
    let mut body = serde_json::to_value(&problem).unwrap_or_default();
    if let (Some((name, value)), Some(map)) = (extra, body.as_object_mut()) {
        map.insert(name.to_owned(), value);
    }
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        match self {
            Self::Api(error) => error.into_response(),
            Self::ValidationFailed(violations) => {
                let problem =
                    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "ORDER_VALIDATION_FAILED")
                        .title("Order validation failed")
                        .detail(format!(
                            "{} rule(s) refused the order.",
                            violations.iter().filter(|v| v.is_error()).count()
                        ));
                let list = violations.iter().map(violation_json).collect();
                problem_response(
                    problem,
                    Some(("violations", serde_json::Value::Array(list))),
                )
            }
            Self::QuoteAlreadyConverted(existing) => {
                let problem = Problem::new(StatusCode::CONFLICT, "QUOTE_ALREADY_CONVERTED")
                    .title("Quote already converted")
                    .detail("This quote revision was already converted into an order.")
                    .extension("existingOrderId", existing.to_string());
                problem_response(problem, None)
            }
        }
    }
}
