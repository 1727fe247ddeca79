//! `TestClient` sends to its base URL with the bearer token; `expect_problem` checks problems.

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::get;
use oms_test_support::{TestClient, expect_problem};

async fn serve(router: Router) -> TestClient {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, router).await });
    TestClient::for_port(port)
}

fn router() -> Router {
    Router::new()
        .route(
            "/auth",
            get(|headers: HeaderMap| async move {
                headers.get(header::AUTHORIZATION).map_or_else(
                    || "none".to_owned(),
                    |value| value.to_str().unwrap().to_owned(),
                )
            }),
        )
        .route(
            "/problem",
            get(|| async {
                (
                    StatusCode::CONFLICT,
                    [(header::CONTENT_TYPE, "application/problem+json")],
                    r#"{"type":"urn:oms:problem:x","title":"Conflict","status":409,"code":"X"}"#,
                )
            }),
        )
}

#[tokio::test]
async fn the_token_is_sent_as_bearer_until_removed() {
    let client = serve(router()).await;
    assert!(client.base_url().starts_with("http://127.0.0.1:"));
    assert_eq!(client.get_ok("/auth").await.text().await.unwrap(), "none");
    let authed = client.clone().with_token("t-1");
    assert_eq!(
        authed.get_ok("/auth").await.text().await.unwrap(),
        "Bearer t-1"
    );
    let posted = authed.post("/auth").send().await.unwrap();
    assert_eq!(
        posted.status(),
        StatusCode::METHOD_NOT_ALLOWED,
        "POST went to the same URL"
    );
    assert_eq!(
        authed
            .without_token()
            .get_ok("/auth")
            .await
            .text()
            .await
            .unwrap(),
        "none"
    );
}

#[tokio::test]
async fn expect_problem_returns_the_body_of_a_problem() {
    let client = serve(router()).await;
    let body = expect_problem(client.get_ok("/problem").await, StatusCode::CONFLICT).await;
    assert_eq!(body["code"], "X");
}

#[tokio::test]
#[should_panic(expected = "content type")]
async fn expect_problem_rejects_a_non_problem() {
    let client = serve(router()).await;
    expect_problem(client.get_ok("/auth").await, StatusCode::OK).await;
}
