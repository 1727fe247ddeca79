//! Operator HTTP routes for a service's dead letters, the same in every service:
//!
//! - `GET  /ops/dead-letters?limit=` — open dead letters of this service's consumer, oldest
//!   first;
//! - `POST /ops/dead-letters/{id}/replay` — replay one through the consumer's own handlers.
//!
//! Both need the `operator` scope. Mount them under an [`oms_runtime::http::Authenticator`];
//! they come as an `OpenApiRouter`, so they are part of each service's OpenAPI document.

use crate::{
    Router as MessageRouter,
    dead_letter::{self, DeadLetter, ReplayError},
};
use axum::{
    Json,
    extract::{Path, Query, State},
};
use oms_runtime::http::{ApiError, Caller};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// How many, 1 to 1000 (default 100; larger values are clamped).
    limit: Option<i64>,
}

/// The open dead letters of one consumer, oldest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct DeadLetterList {
    /// The consumer group whose dead letters these are.
    consumer: String,
    dead_letters: Vec<DeadLetter>,
}

/// A dead letter that went through the consumer's handlers again.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct Replayed {
    id: i64,
    #[schema(example = "REPLAYED")]
    status: &'static str,
}

/// The dead-letter routes for `router`'s consumer.
pub fn dead_letter_routes(router: Arc<MessageRouter>) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(replay))
        .with_state(router)
}

/// Open dead letters of this service's consumer, oldest first.
#[utoipa::path(
    get,
    path = "/ops/dead-letters",
    tag = "dead letters",
    params(ListQuery),
    responses((status = 200, description = "Open dead letters", body = DeadLetterList)),
    security(("bearer" = ["operator"]))
)]
async fn list(
    caller: Caller,
    State(router): State<Arc<MessageRouter>>,
    Query(query): Query<ListQuery>,
) -> Result<Json<DeadLetterList>, ApiError> {
    caller.require_operator()?;
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let dead_letters = dead_letter::list_open(router.pool(), router.consumer(), limit)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(DeadLetterList {
        consumer: router.consumer().to_owned(),
        dead_letters,
    }))
}

/// Replays one dead letter through the consumer's own handlers.
#[utoipa::path(
    post,
    path = "/ops/dead-letters/{id}/replay",
    tag = "dead letters",
    params(("id" = i64, Path, description = "The dead letter's id")),
    responses(
        (status = 200, description = "Replayed", body = Replayed),
        (status = 409, description = "DEAD_LETTER_NOT_OPEN, DEAD_LETTER_STILL_FAILING",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["operator"]))
)]
async fn replay(
    caller: Caller,
    State(router): State<Arc<MessageRouter>>,
    Path(id): Path<i64>,
) -> Result<Json<Replayed>, ApiError> {
    caller.require_operator()?;
    tracing::info!(dead_letter = id, operator = %caller.subject, "dead letter replay requested");
    match dead_letter::replay(&router, id).await {
        Ok(()) => Ok(Json(Replayed {
            id,
            status: "REPLAYED",
        })),
        Err(ReplayError::NotFound(_)) => Err(ApiError::not_found(format!(
            "No dead letter {id} for this service."
        ))),
        Err(ReplayError::NotOpen(_)) => Err(ApiError::conflict(
            "DEAD_LETTER_NOT_OPEN",
            format!("Dead letter {id} was already replayed or discarded."),
        )),
        Err(ReplayError::StillFailing(reason)) => Err(ApiError::conflict(
            "DEAD_LETTER_STILL_FAILING",
            format!(
                "Replaying dead letter {id} failed again: {reason}. Fix the cause, then replay."
            ),
        )),
        Err(ReplayError::Transient(reason)) => Err(ApiError::unavailable(format!(
            "Dead letter {id} could not be replayed right now ({reason}); try again."
        ))),
    }
}
