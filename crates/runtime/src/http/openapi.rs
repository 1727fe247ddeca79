//! The OpenAPI documents of the services: what every document shares, and how it is served.
//!
//! Every service builds its document the same way: each handler carries `#[utoipa::path]`, the
//! router is a `utoipa_axum` `OpenApiRouter` that registers the axum route and the document
//! entry from that one attribute (so the two cannot drift), the JSON types derive `ToSchema`,
//! and the document is served, unauthenticated, at [`PATH`]. This module adds what would
//! otherwise be repeated in every handler:
//!
//! - [`BearerAuth`]: the `bearer` security scheme the handlers name in `security(...)`;
//! - [`StandardErrors`]: the problem+json responses every operation can give (400 for a
//!   request with inputs, 401/403 for a protected one, 404 for one with path parameters,
//!   413/415 for one with a body, 500 and 503 for all), each added only where the handler did
//!   not document that status itself;
//! - [`Problem`](super::Problem) and [`Violation`](super::Violation) as the `Problem` schema.
//!
//! `make fuzz` (schemathesis) reads these documents and checks that no generated request gets
//! a server error and that every 4xx is problem+json with a stable `code`.

use axum::Router;
use axum::routing::get;
use std::sync::Arc;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, PartialSchema, ToSchema};

use super::problem::{PROBLEM_JSON, Problem};

/// Where every service serves its document.
pub const PATH: &str = "/api/v1/openapi.json";

/// The `bearer` security scheme: a token of the caller's tenant.
#[derive(Debug, Clone, Copy)]
pub struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token of the caller's tenant; each operation names the scope it needs.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Adds the problem+json responses every operation can give, and the `Problem` schema.
#[derive(Debug, Clone, Copy)]
pub struct StandardErrors;

impl Modify for StandardErrors {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .schemas
            .insert(Problem::name().into_owned(), Problem::schema());
        components.schemas.insert(
            <super::problem::Violation as ToSchema>::name().into_owned(),
            super::problem::Violation::schema(),
        );
        let global_security = openapi.security.as_ref().is_some_and(|s| !s.is_empty());
        for item in openapi.paths.paths.values_mut() {
            let shared_parameters = item.parameters.clone().unwrap_or_default();
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                add_standard_errors(operation, &shared_parameters, global_security);
            }
        }
    }
}

fn add_standard_errors(
    operation: &mut Operation,
    shared: &[RefOr<utoipa::openapi::path::Parameter>],
    global_security: bool,
) {
    let parameters: Vec<&utoipa::openapi::path::Parameter> = shared
        .iter()
        .chain(operation.parameters.iter().flatten())
        .filter_map(|p| match p {
            RefOr::T(parameter) => Some(parameter),
            RefOr::Ref(_) => None,
        })
        .collect();
    let in_path = parameters
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Path));
    let with_inputs = operation.request_body.is_some()
        || parameters
            .iter()
            .any(|p| matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Header));
    let with_body = operation.request_body.is_some();
    let protected = operation.security.as_ref().map_or(global_security, |s| {
        s.iter().any(|r| r != &SecurityRequirement::default())
    });
    let mut standard: Vec<(&str, &str)> = Vec::new();
    if with_inputs {
        standard.push((
            "400",
            "INVALID_QUERY, INVALID_BODY, MALFORMED_JSON, MISSING_HEADER: an input is not \
             valid; `violations` names each field",
        ));
    }
    if protected {
        standard.push((
            "401",
            "UNAUTHENTICATED: the bearer token is missing, malformed, expired or not for this \
             service",
        ));
        standard.push((
            "403",
            "MISSING_SCOPE: the token lacks the scope the operation needs",
        ));
    }
    if in_path {
        standard.push((
            "404",
            "NOT_FOUND: no such resource in the caller's tenant (another tenant's resource is \
             reported the same way)",
        ));
    }
    if with_body {
        standard.push(("413", "PAYLOAD_TOO_LARGE: the body is over the limit"));
        standard.push((
            "415",
            "UNSUPPORTED_MEDIA_TYPE: the body is not `application/json`",
        ));
    }
    standard.push((
        "500",
        "INTERNAL_ERROR: an unexpected failure; the correlation id finds it in the logs",
    ));
    standard.push((
        "503",
        "SERVICE_UNAVAILABLE, TIMEOUT: a dependency is down or the request took too long; retry",
    ));
    for (status, description) in standard {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| problem_response(description));
    }
}

/// Completes a service's document once its routers are merged: the `bearer` scheme, the
/// `Problem` schema and the standard error responses of every operation.
#[must_use]
pub fn finish(mut document: OpenApi) -> OpenApi {
    BearerAuth.modify(&mut document);
    StandardErrors.modify(&mut document);
    document
}

/// A problem+json response with `description`.
pub fn problem_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name(Problem::name())))
                    .build(),
            )
            .build(),
    )
}

/// The route serving `document` at [`PATH`] (outside authentication).
pub fn route(document: OpenApi) -> Router {
    let document = Arc::new(document);
    Router::new().route(
        PATH,
        get(move || {
            let document = document.clone();
            async move { axum::Json((*document).clone()) }
        }),
    )
}

/// `method path` of every operation of `document`, sorted (for tests that pin a surface).
pub fn operations(document: &OpenApi) -> Vec<String> {
    let mut operations: Vec<String> = document
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            [
                ("get", &item.get),
                ("put", &item.put),
                ("post", &item.post),
                ("delete", &item.delete),
                ("patch", &item.patch),
            ]
            .into_iter()
            .filter(|(_, operation)| operation.is_some())
            .map(move |(method, _)| format!("{method} {path}"))
        })
        .collect();
    operations.sort();
    operations
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::OpenApi as _;

    #[derive(utoipa::OpenApi)]
    #[openapi(paths(read, write))]
    struct Doc;

    #[utoipa::path(get, path = "/things/{id}", params(("id" = String, Path)),
        responses((status = 200, description = "the thing")), security(("bearer" = [])))]
    #[allow(dead_code)]
    fn read() {}

    #[utoipa::path(post, path = "/things", request_body = String,
        responses((status = 201, description = "made"),
                  (status = 400, description = "own text")))]
    #[allow(dead_code)]
    fn write() {}

    #[test]
    fn standard_errors_follow_what_an_operation_takes_and_keep_its_own() {
        let json = serde_json::to_value(finish(Doc::openapi())).unwrap();
        let statuses = |path: &str, method: &str| -> Vec<String> {
            json["paths"][path][method]["responses"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        assert_eq!(
            statuses("/things/{id}", "get"),
            ["200", "401", "403", "404", "500", "503"]
        );
        assert_eq!(
            statuses("/things", "post"),
            ["201", "400", "413", "415", "500", "503"]
        );
        assert_eq!(
            json["paths"]["/things"]["post"]["responses"]["400"]["description"],
            "own text"
        );
        assert_eq!(
            json["paths"]["/things/{id}"]["get"]["responses"]["404"]["content"][PROBLEM_JSON]["schema"]
                ["$ref"],
            "#/components/schemas/Problem"
        );
        assert!(json.pointer("/components/schemas/Violation").is_some());
        assert!(json.pointer("/components/securitySchemes/bearer").is_some());
        assert_eq!(
            operations(&Doc::openapi()),
            ["get /things/{id}", "post /things"]
        );
    }
}
