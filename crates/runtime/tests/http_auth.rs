//! Bearer authentication with configured static tokens: 401 without or with a bad token, the
//! verified caller in handlers, 403 for a missing scope, operator routes, open health routes.

mod common;

use axum::Router;
use axum::routing::get;
use oms_runtime::config::{AuthConfig, StaticToken};
use oms_runtime::http::auth::{self, scopes};
use oms_runtime::http::{ApiError, Authenticator, Caller, Json, Readiness, StaticTokens, health};
use oms_test_support::expect_problem;
use reqwest::StatusCode;
use serde_json::{Value, json};

const READER: &str = "reader-token-0123456789";
const WRITER: &str = "writer-token-0123456789";
const OPERATOR: &str = "operator-token-0123456789";

fn token(value: &str, tenant: &str, subject: &str, scopes: &[&str]) -> StaticToken {
    StaticToken {
        token: value.into(),
        tenant_id: tenant.to_owned(),
        subject: subject.to_owned(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn authenticator() -> Authenticator {
    let mut config = AuthConfig::default();
    config.tokens.insert(
        "reader".to_owned(),
        token(READER, "tenant-a", "reporting", &[scopes::ORDERS_READ]),
    );
    config.tokens.insert(
        "writer".to_owned(),
        token(
            WRITER,
            "tenant-b",
            "sales-portal",
            &[scopes::ORDERS_READ, scopes::ORDERS_WRITE],
        ),
    );
    config.tokens.insert(
        "ops".to_owned(),
        token(OPERATOR, "tenant-a", "ops-alice", &[scopes::OPERATOR]),
    );
    Authenticator::new(StaticTokens::from_config(&config))
}

async fn whoami(caller: Caller) -> Json<Value> {
    Json(json!({ "tenantId": caller.tenant_id, "subject": caller.subject }))
}

async fn write_order(caller: Caller) -> Result<&'static str, ApiError> {
    caller.require_scope(scopes::ORDERS_WRITE)?;
    Ok("written")
}

fn router() -> Router {
    let authenticator = authenticator();
    let operator_routes = Router::new()
        .route("/operator/dead-letters", get(|| async { "replayable" }))
        .route_layer(axum::middleware::from_fn(auth::require_operator));
    let api = Router::new()
        .route("/whoami", get(whoami))
        .route("/orders", get(write_order).post(write_order))
        .merge(operator_routes);
    authenticator
        .protect(api)
        .merge(health::routes(Readiness::new()))
}

#[tokio::test]
async fn no_token_is_401_with_a_bearer_challenge() {
    let app = common::serve(router()).await;
    let response = app.client.get_ok("/whoami").await;
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(challenge, "Bearer realm=\"oms\"");
    let body = expect_problem(response, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "UNAUTHENTICATED");

    let basic = app
        .client
        .get("/whoami")
        .basic_auth("user", Some("pw"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        basic.status(),
        StatusCode::UNAUTHORIZED,
        "other schemes are not credentials"
    );
}

#[tokio::test]
async fn a_bad_token_is_401_invalid_token() {
    let app = common::serve(router()).await;
    for bad in ["nope", "reader-token-012345678", "reader-token-0123456789x"] {
        let response = app.client.clone().with_token(bad).get_ok("/whoami").await;
        let challenge = response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        let body = expect_problem(response, StatusCode::UNAUTHORIZED).await;
        assert_eq!(body["code"], "UNAUTHENTICATED");
    }
}

#[tokio::test]
async fn a_valid_token_reaches_the_handler_as_its_caller() {
    let app = common::serve(router()).await;
    let response = app
        .client
        .clone()
        .with_token(WRITER)
        .get_ok("/whoami")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({ "tenantId": "tenant-b", "subject": "sales-portal" })
    );
}

#[tokio::test]
async fn a_missing_scope_is_403_missing_scope() {
    let app = common::serve(router()).await;
    let reader = app.client.clone().with_token(READER);
    let body = expect_problem(
        reader.post("/orders").send().await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(body["code"], "MISSING_SCOPE");
    assert_eq!(body["requiredScope"], "orders:write");

    let writer = app.client.clone().with_token(WRITER);
    let response = writer.post("/orders").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "written");
}

#[tokio::test]
async fn operator_routes_need_the_operator_scope() {
    let app = common::serve(router()).await;
    let writer = app.client.clone().with_token(WRITER);
    let body = expect_problem(
        writer.get_ok("/operator/dead-letters").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(body["requiredScope"], "operator");

    let operator = app.client.clone().with_token(OPERATOR);
    let response = operator.get_ok("/operator/dead-letters").await;
    assert_eq!(response.status(), StatusCode::OK);

    let anonymous = app.client.get_ok("/operator/dead-letters").await;
    assert_eq!(
        anonymous.status(),
        StatusCode::UNAUTHORIZED,
        "authentication comes first"
    );
}

#[tokio::test]
async fn health_routes_need_no_token() {
    let app = common::serve(router()).await;
    assert_eq!(
        app.client.get_ok("/health/live").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.client.get_ok("/health/ready").await.status(),
        StatusCode::OK
    );
}
