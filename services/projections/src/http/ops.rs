//! Who is calling and where the owning services are (the dashboard's start), and the
//! operator's rebuild.

use axum::extract::State;
use oms_runtime::http::{ApiError, Caller, Json};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ApiState, internal, tenant_of};

/// Base URLs of the services whose APIs the dashboard's operator actions call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceLinks {
    pub order_capture: String,
    pub fulfillment: String,
}

/// The caller and the environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub tenant_id: String,
    pub subject: String,
    pub scopes: Vec<String>,
    pub operator: bool,
    pub services: ServiceLinks,
    /// The read model's generation.
    pub generation: i64,
}

/// The caller's tenant, subject and scopes, and where the owning services' APIs are.
#[utoipa::path(
    get,
    path = "/api/v1/session",
    tag = "operations",
    responses(
        (status = 200, description = "The caller", body = Session),
        (status = 401, description = "UNAUTHENTICATED", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn session(
    caller: Caller,
    State(state): State<ApiState>,
) -> Result<Json<Session>, ApiError> {
    let tenant = tenant_of(&caller)?.to_owned();
    let dashboard = &state.settings.dashboard;
    Ok(Json(Session {
        tenant_id: tenant,
        operator: caller.is_operator(),
        subject: caller.subject,
        scopes: caller.scopes.into_iter().collect(),
        services: ServiceLinks {
            order_capture: dashboard.order_capture_url.trim_end_matches('/').to_owned(),
            fulfillment: dashboard.fulfillment_url.trim_end_matches('/').to_owned(),
        },
        generation: state.projector.generation_and_group().0,
    }))
}

/// Scope that may drop and rebuild the read model. It affects every tenant, so it is its own
/// scope on top of `operator` (which is per tenant).
pub const REBUILD_SCOPE: &str = "projections:rebuild";

/// A rebuild that started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rebuilt {
    /// The new generation.
    pub generation: i64,
    /// The consumer group that replays every topic (without the topic prefix).
    pub consumer_group: String,
    pub started_by: String,
}

/// Drops the read model (every tenant's: scope `projections:rebuild`) and replays every topic from the beginning in a new
/// consumer group. The API answers from the rebuilt model as it fills; `GET /api/v1/flow/lag`
/// shows the replay's progress.
#[utoipa::path(
    post,
    path = "/ops/rebuild",
    tag = "operations",
    responses(
        (status = 202, description = "The rebuild started", body = Rebuilt),
        (status = 403, description = "MISSING_SCOPE: needs `operator` and `projections:rebuild`",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn rebuild(
    caller: Caller,
    State(state): State<ApiState>,
) -> Result<(axum::http::StatusCode, Json<Rebuilt>), ApiError> {
    caller.require_operator()?;
    caller.require_scope(REBUILD_SCOPE)?;
    let by = format!("USER:{}", caller.subject);
    let settings = &state.settings.projections;
    let generation = crate::rebuild::rebuild(&state.pool, &settings.consumer, &by)
        .await
        .map_err(internal)?;
    Ok((
        axum::http::StatusCode::ACCEPTED,
        Json(Rebuilt {
            generation,
            consumer_group: settings.group(generation),
            started_by: by,
        }),
    ))
}
