//! Operator HTTP routes for a service's dead letters, the same in every service:
//!
//! - `GET  /ops/dead-letters?limit=` — open dead letters of this service's consumer, oldest
//!   first;
//! - `POST /ops/dead-letters/{id}/replay` — replay one through the consumer's own handlers.
//!
//! Both need the `operator` scope. Mount them under an [`oms_runtime::http::Authenticator`].

use crate::{
    Router as MessageRouter,
    dead_letter::{self, DeadLetter, ReplayError},
};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    routing::{get, post},
};
use oms_runtime::http::{ApiError, Caller};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Deserialize)]
struct ListQuery {
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DeadLetterList {
    consumer: String,
    dead_letters: Vec<DeadLetter>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Replayed {
    id: i64,
    status: &'static str,
}

/// The dead-letter routes for `router`'s consumer.
pub fn dead_letter_routes(router: Arc<MessageRouter>) -> Router {
    Router::new()
        .route("/ops/dead-letters", get(list))
        .route("/ops/dead-letters/{id}/replay", post(replay))
        .with_state(router)
}

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
