//! The HTTP API: tenant isolation (another tenant's asset is 404), filters, paging, scopes,
//! problem+json errors, health and metrics.

use oms_domain::vocab::ItemAction;
use oms_test_support::{TestClient, expect_problem};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{
    ACME, ACME_NO_SCOPE, ACME_OPERATOR, ACME_READER, GLOBEX, GLOBEX_READER, Stack, fulfilled,
};

async fn ids(client: &TestClient, path: &str) -> (Vec<String>, Value) {
    let response = client.get_ok(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let page: Value = response.json().await.unwrap();
    let ids = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|asset| asset["assetId"].as_str().unwrap().to_owned())
        .collect();
    (ids, page["nextCursor"].clone())
}

#[tokio::test]
async fn assets_are_tenant_scoped_filtered_and_paged() {
    let stack = Stack::new().await;
    let app = stack.start(oms_asset::SERVICE).await;
    let mut other_customer = fulfilled(ACME, ItemAction::Add, "a-2");
    other_customer.item.customer_id = oms_domain::value::CustomerId::parse("cust-2").unwrap();
    other_customer.item.account_id = oms_domain::value::AccountId::parse("acct-2").unwrap();
    for event in [
        fulfilled(ACME, ItemAction::Add, "a-1"),
        other_customer,
        fulfilled(ACME, ItemAction::Add, "a-3"),
        fulfilled(ACME, ItemAction::Suspend, "a-3"),
        // Same customer and account ids in another tenant.
        fulfilled(GLOBEX, ItemAction::Add, "g-1"),
    ] {
        stack.apply(event).await;
    }
    let acme = app.client(ACME_READER);
    let globex = app.client(GLOBEX_READER);

    assert_eq!(ids(&acme, "/api/v1/assets").await.0, ["a-1", "a-2", "a-3"]);
    assert_eq!(ids(&globex, "/api/v1/assets").await.0, ["g-1"]);
    assert_eq!(
        ids(&acme, "/api/v1/assets?customerId=cust-1").await.0,
        ["a-1", "a-3"]
    );
    assert_eq!(
        ids(&acme, "/api/v1/assets?accountId=acct-2").await.0,
        ["a-2"]
    );
    assert_eq!(
        ids(&acme, "/api/v1/assets?status=SUSPENDED").await.0,
        ["a-3"]
    );
    assert_eq!(
        ids(&acme, "/api/v1/assets?customerId=cust-1&status=ACTIVE")
            .await
            .0,
        ["a-1"]
    );
    assert!(
        ids(&acme, "/api/v1/assets?customerId=nobody")
            .await
            .0
            .is_empty()
    );

    let (first, cursor) = ids(&acme, "/api/v1/assets?limit=2").await;
    assert_eq!(
        (first, cursor.clone()),
        (vec!["a-1".to_owned(), "a-2".to_owned()], Value::from("a-2"))
    );
    let (second, cursor) = ids(&acme, "/api/v1/assets?limit=2&cursor=a-2").await;
    assert_eq!((second, cursor), (vec!["a-3".to_owned()], Value::Null));

    // Another tenant's asset does not exist for the caller.
    let problem = expect_problem(
        acme.get_ok("/api/v1/assets/g-1").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(problem["code"], "NOT_FOUND");
    assert_eq!(
        globex.get_ok("/api/v1/assets/g-1").await.status(),
        StatusCode::OK
    );
    expect_problem(
        globex.get_ok("/api/v1/assets/a-1").await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // Bad parameters, missing credentials and scopes are problems.
    let problem = expect_problem(
        acme.get_ok("/api/v1/assets?status=ALIVE&limit=0").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(problem["code"], "INVALID_QUERY");
    let fields: Vec<_> = problem["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["limit", "status"]);
    expect_problem(
        acme.clone().without_token().get_ok("/api/v1/assets").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let problem = expect_problem(
        app.client(ACME_NO_SCOPE).get_ok("/api/v1/assets").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(problem["code"], "MISSING_SCOPE");
    expect_problem(
        acme.get_ok("/ops/dead-letters").await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // Operators see their tenant's cases and the service's dead letters.
    let operator = app.client(ACME_OPERATOR);
    assert_eq!(
        operator.get_ok("/ops/dead-letters").await.status(),
        StatusCode::OK
    );
    let cases: Value = operator
        .get_ok("/api/v1/asset-inconsistencies")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cases["items"], Value::Array(vec![]));

    // Health and metrics, outside authentication.
    let anonymous = TestClient::for_port(app.port);
    let ready: Value = anonymous
        .get_ok("/health/ready")
        .await
        .json()
        .await
        .unwrap();
    let checks: Vec<_> = ready["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["database", "relay", "consumer"]);
    let metrics = anonymous.get_ok("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("oms_asset_changes_total"), "{metrics}");
    app.stop().await;
}
