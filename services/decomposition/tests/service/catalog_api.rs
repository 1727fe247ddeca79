//! The operator API for catalog versions: publication is validated (every error as
//! problem+json with its code, line and path), idempotent for the same rules, refused for a
//! re-used number with other rules or a number that is not higher, and operator-only. A
//! version published while an order is in flight leaves that order's plan byte-identical;
//! orders released later use the new version.

use oms_decomposition::planner::DecompositionPlan;
use oms_domain::events::DecompositionEvent;
use oms_test_support::{TestClient, expect_problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::SAMPLE_CATALOG;
use crate::support::{
    ACME, ACME_OPERATOR, ACME_READER, MAX_CATALOG_BYTES, Stack, fiber_bundle, new_order_id,
    released,
};

const VERSIONS: &str = "/api/v1/catalog/versions";

/// The sample catalog as version `n`, with `edit` applied.
fn catalog(n: u32, edit: impl Fn(String) -> String) -> String {
    edit(SAMPLE_CATALOG.replacen("version = 1", &format!("version = {n}"), 1))
}

/// Version `n` with one behavioural change: the router configuration is undone by a factory
/// reset instead of a configuration reset.
fn router_change(n: u32) -> String {
    catalog(n, |text| {
        text.replacen(
            "compensation = \"RESET_DEVICE_CONFIGURATION\"",
            "compensation = \"FACTORY_RESET_DEVICE\"",
            1,
        )
    })
}

async fn post_toml(client: &TestClient, text: &str) -> reqwest::Response {
    client
        .post(VERSIONS)
        .header("content-type", "application/toml")
        .body(text.to_owned())
        .send()
        .await
        .expect("sent")
}

/// 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    let offset = text.find(needle).expect("needle in text");
    u64::try_from(text[..offset].matches('\n').count() + 1).unwrap()
}

#[tokio::test]
async fn catalog_publication_is_validated_idempotent_ordered_and_operator_only() {
    let stack = Stack::new().await;
    let app = stack.start().await;
    let operator = app.client(ACME_OPERATOR);

    // Every error of a broken file at once, with code, line and path.
    let broken = catalog(2, |text| {
        text.replacen("system = \"SHIPPING\"", "system = \"CARRIER_PIGEON\"", 1)
            .replacen(
                "depends_on = [\"reserve_port\"]",
                "depends_on = [\"reserve_prot\"]",
                1,
            )
    });
    let problem = expect_problem(
        post_toml(&operator, &broken).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["code"], "CATALOG_INVALID");
    let errors = problem["errors"].as_array().unwrap();
    let find = |code: &str| {
        errors
            .iter()
            .find(|e| e["code"] == code)
            .unwrap_or_else(|| panic!("{code} in {problem}"))
    };
    assert_eq!(
        find("UNKNOWN_SYSTEM")["line"],
        line_of(&broken, "CARRIER_PIGEON")
    );
    assert!(
        find("UNKNOWN_SYSTEM")["path"]
            .as_str()
            .unwrap()
            .ends_with(".system")
    );
    assert_eq!(
        find("UNKNOWN_DEPENDENCY")["line"],
        line_of(&broken, "reserve_prot")
    );
    let violations = problem["violations"].as_array().unwrap();
    assert_eq!(violations.len(), errors.len());
    assert!(
        violations.iter().any(|v| v["code"] == "UNKNOWN_SYSTEM"
            && v["message"].as_str().unwrap().starts_with("line "))
    );
    let syntax = expect_problem(
        post_toml(&operator, "[catalog]\nversion = 2\n[[rule]\n").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(syntax["errors"][0]["code"], "CATALOG_SYNTAX");
    assert_eq!(syntax["errors"][0]["line"], 3);

    // Version 1 is already published from the file: the same rules again are idempotent
    // (here in the JSON form), other rules under the same number are refused.
    let again = operator
        .post_json(VERSIONS, &json!({ "source": SAMPLE_CATALOG }))
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let v1: Value = again.json().await.unwrap();
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["active"], true);
    let conflict = expect_problem(
        post_toml(&operator, &router_change(1)).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(conflict["code"], "CATALOG_VERSION_CONFLICT");
    assert_eq!(conflict["publishedContentHash"], v1["contentHash"]);

    // A higher version is published and becomes active; a lower new number is refused.
    let v3_text = router_change(3);
    let created = post_toml(&operator, &v3_text).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["location"], "/api/v1/catalog/versions/3");
    let v3: Value = created.json().await.unwrap();
    assert_eq!(v3["active"], true);
    assert_eq!(v3["publishedBy"], format!("{ACME}-tester"));
    assert!(v3["label"].as_str().unwrap().starts_with("v3+"));
    let lower = expect_problem(
        post_toml(&operator, &router_change(2)).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(lower["code"], "CATALOG_VERSION_NOT_HIGHER");
    assert_eq!(lower["latestVersion"], 3);

    let list: Value = operator.get_ok(VERSIONS).await.json().await.unwrap();
    assert_eq!(list["activeVersion"], 3);
    let numbers: Vec<&Value> = list["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["version"])
        .collect();
    assert_eq!(numbers, [3, 1]);
    let one: Value = operator
        .get_ok(&format!("{VERSIONS}/3"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["source"], v3_text, "the published text, byte for byte");
    let missing = operator.get_ok(&format!("{VERSIONS}/2")).await;
    let missing = expect_problem(missing, StatusCode::NOT_FOUND).await;
    assert_eq!(missing["code"], "CATALOG_VERSION_NOT_FOUND");

    // Limits and media types.
    let huge = format!("{SAMPLE_CATALOG}\n#{}\n", "x".repeat(MAX_CATALOG_BYTES));
    let too_large = expect_problem(
        post_toml(&operator, &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert_eq!(too_large["limitBytes"], MAX_CATALOG_BYTES);
    let xml = operator
        .post(VERSIONS)
        .header("content-type", "application/xml")
        .body("<catalog/>")
        .send()
        .await
        .unwrap();
    expect_problem(xml, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;

    // Operator only: catalog routes and dead letters.
    let reader = app.client(ACME_READER);
    for response in [
        post_toml(&reader, &router_change(4)).await,
        reader.get_ok(VERSIONS).await,
        reader.get_ok("/ops/dead-letters").await,
    ] {
        let problem = expect_problem(response, StatusCode::FORBIDDEN).await;
        assert_eq!(problem["code"], "MISSING_SCOPE");
    }
    expect_problem(
        app.client(ACME_OPERATOR)
            .without_token()
            .get_ok(VERSIONS)
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        operator.get_ok("/ops/dead-letters").await.status(),
        StatusCode::OK
    );

    // Published versions are immutable in the database too.
    let edit = sqlx::query("update catalog_version set description = 'edited' where version = 1")
        .execute(stack.db.pool())
        .await;
    assert!(edit.is_err(), "the trigger refuses updates");
    app.stop().await;
}

#[tokio::test]
async fn a_version_published_while_an_order_is_in_flight_leaves_its_plan_unchanged() {
    let stack = Stack::new().await;
    let app = stack.start().await;
    let operator = app.client(ACME_OPERATOR);

    // Order A is decomposed under version 1 and in flight.
    let (first, configuration) = fiber_bundle(new_order_id());
    let release_a = released(&first, ACME, &configuration);
    stack.release(&release_a).await;
    let before = stack.plan_row(first.order_id).await.expect("planned");
    assert_eq!(before.rules_version, 1);

    // Version 2 changes the router rule that A's plan uses.
    let published = operator
        .post_json(VERSIONS, &json!({ "source": router_change(2) }))
        .await;
    assert_eq!(published.status(), StatusCode::CREATED);

    // A's release arriving again (a replay) does not re-plan it: same bytes, same hash,
    // same version, and its stored plan still verifies.
    stack.release(&release_a).await;
    let after = stack.plan_row(first.order_id).await.expect("still planned");
    assert_eq!(after, before, "the stored plan is byte-identical");
    assert_eq!(stack.events_of(first.order_id).await.len(), 1);
    let stored: DecompositionPlan = serde_json::from_str(&after.plan_json).unwrap();
    assert_eq!(stored.compute_hash(), before.plan_hash);
    assert!(stored.tasks.iter().all(|t| t.rules_version == 1));

    // Order B with the same content, released after the publication, uses version 2.
    let (second, configuration) = fiber_bundle(new_order_id());
    stack
        .release(&released(&second, ACME, &configuration))
        .await;
    let later = stack.plan_row(second.order_id).await.expect("planned");
    assert_eq!(later.rules_version, 2);
    assert!(
        later.rules_label.starts_with("v2+"),
        "{}",
        later.rules_label
    );
    let compensations = |events: Vec<(uuid::Uuid, DecompositionEvent)>| -> Vec<String> {
        let DecompositionEvent::OrderDecomposed(decomposed) = &events[0].1 else {
            panic!("expected OrderDecomposed");
        };
        decomposed
            .plan
            .tasks
            .iter()
            .filter(|t| t.template_key.as_deref() == Some("configure_device"))
            .filter_map(|t| t.compensation_task_type.clone())
            .collect()
    };
    assert_eq!(
        compensations(stack.events_of(first.order_id).await),
        ["RESET_DEVICE_CONFIGURATION"]
    );
    assert_eq!(
        compensations(stack.events_of(second.order_id).await),
        ["FACTORY_RESET_DEVICE"]
    );
    app.stop().await;
}
