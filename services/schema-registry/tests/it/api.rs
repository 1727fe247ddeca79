//! Every endpoint and error code over HTTP, asserting Confluent's response shapes.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    ORDER_CAPTURED_V1, ORDER_SUBJECT, SR_JSON, TestApp, assert_error, fields,
    order_captured_add_field, order_captured_with,
};

#[tokio::test]
async fn root_health_types_and_unknown_routes() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/").await, (StatusCode::OK, json!({})));
    let (status, body) = app.get("/health/ready").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "UP");
    assert_eq!(
        app.get("/schemas/types").await,
        (StatusCode::OK, json!(["AVRO"]))
    );
    assert_error(
        &app.get("/no/such/endpoint").await,
        StatusCode::NOT_FOUND,
        404,
    );
    assert_error(
        &app.put("/schemas/types", &json!({})).await,
        StatusCode::METHOD_NOT_ALLOWED,
        405,
    );
}

#[tokio::test]
async fn register_is_idempotent_and_ids_are_global_and_stable() {
    let app = TestApp::spawn().await;
    let id = app.register(ORDER_SUBJECT, ORDER_CAPTURED_V1).await;
    assert_eq!(
        app.register(ORDER_SUBJECT, ORDER_CAPTURED_V1).await,
        id,
        "same schema, same id"
    );

    // Whitespace and key order do not make a new schema (canonical form), and the registry
    // keeps returning the text as first registered.
    let reformatted: Value = serde_json::from_str(ORDER_CAPTURED_V1).unwrap();
    let compact = reformatted.to_string();
    assert_ne!(compact, ORDER_CAPTURED_V1);
    assert_eq!(app.register(ORDER_SUBJECT, &compact).await, id);
    assert_eq!(
        app.get(&format!("/subjects/{ORDER_SUBJECT}/versions"))
            .await,
        (StatusCode::OK, json!([1])),
        "no new version for an already registered schema"
    );

    // Same schema under another subject: same global id, that subject's version 1.
    assert_eq!(app.register("other-subject", &compact).await, id);
    let (status, body) = app.get("/subjects/other-subject/versions/1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["id"].as_i64(), Some(id));
    assert_eq!(
        body["schema"], ORDER_CAPTURED_V1,
        "text as first registered"
    );

    // A different schema gets a different id.
    let other_id = app.register("strings", r#""string""#).await;
    assert_ne!(other_id, id);

    let (status, body) = app.get(&format!("/schemas/ids/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({ "schema": ORDER_CAPTURED_V1 }),
        "no schemaType for AVRO"
    );

    let response = app
        .client
        .get(app.url(&format!("/schemas/ids/{id}/schema")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], SR_JSON);
    assert_eq!(response.text().await.unwrap(), ORDER_CAPTURED_V1);

    assert_eq!(
        app.get(&format!("/schemas/ids/{id}/versions")).await,
        (
            StatusCode::OK,
            json!([
                {"subject": ORDER_SUBJECT, "version": 1},
                {"subject": "other-subject", "version": 1}
            ])
        )
    );
    assert_eq!(
        app.get(&format!("/schemas/ids/{id}/subjects")).await,
        (StatusCode::OK, json!([ORDER_SUBJECT, "other-subject"]))
    );
    assert_eq!(
        app.get("/subjects").await,
        (
            StatusCode::OK,
            json!([ORDER_SUBJECT, "other-subject", "strings"])
        )
    );
    assert_eq!(
        app.get("/subjects?subjectPrefix=oms.").await,
        (StatusCode::OK, json!([ORDER_SUBJECT]))
    );

    assert_error(
        &app.get("/schemas/ids/999999").await,
        StatusCode::NOT_FOUND,
        40403,
    );
    assert_error(
        &app.get("/schemas/ids/999999/versions").await,
        StatusCode::NOT_FOUND,
        40403,
    );
}

#[tokio::test]
async fn get_versions_latest_and_version_errors() {
    let app = TestApp::spawn().await;
    let id1 = app.register("s", ORDER_CAPTURED_V1).await;
    let v2 = order_captured_add_field(true);
    let id2 = app.register("s", &v2).await;
    assert_ne!(id1, id2);

    assert_eq!(
        app.get("/subjects/s/versions").await,
        (StatusCode::OK, json!([1, 2]))
    );
    assert_eq!(
        app.get("/subjects/s/versions/1").await,
        (
            StatusCode::OK,
            json!({"subject": "s", "version": 1, "id": id1, "schema": ORDER_CAPTURED_V1})
        )
    );
    for latest in ["latest", "-1"] {
        let (status, body) = app.get(&format!("/subjects/s/versions/{latest}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["version"], 2);
        assert_eq!(body["id"].as_i64(), Some(id2));
        assert_eq!(body["schema"], v2.as_str());
    }
    let raw = app
        .client
        .get(app.url("/subjects/s/versions/1/schema"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(raw, ORDER_CAPTURED_V1);

    for bad in ["0", "abc", "-2", "2147483648"] {
        assert_error(
            &app.get(&format!("/subjects/s/versions/{bad}")).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            42202,
        );
    }
    assert_error(
        &app.get("/subjects/s/versions/3").await,
        StatusCode::NOT_FOUND,
        40402,
    );
    assert_error(
        &app.get("/subjects/nope/versions/1").await,
        StatusCode::NOT_FOUND,
        40401,
    );
    assert_error(
        &app.get("/subjects/nope/versions/latest").await,
        StatusCode::NOT_FOUND,
        40401,
    );
    assert_error(
        &app.get("/subjects/nope/versions").await,
        StatusCode::NOT_FOUND,
        40401,
    );

    // A subject with a slash, percent-encoded in the path as clients send it.
    let id = app.register("team%2Fsubject", r#""long""#).await;
    assert_eq!(
        app.get("/subjects").await.1,
        json!(["s", "team/subject"]),
        "the subject name is decoded"
    );
    assert_eq!(
        app.get("/subjects/team%2Fsubject/versions/1").await.1["id"].as_i64(),
        Some(id)
    );
}

#[tokio::test]
async fn lookup_schema_under_subject() {
    let app = TestApp::spawn().await;
    let id = app.register("s", ORDER_CAPTURED_V1).await;
    let compact = serde_json::from_str::<Value>(ORDER_CAPTURED_V1)
        .unwrap()
        .to_string();
    assert_eq!(
        app.post("/subjects/s", &json!({ "schema": compact })).await,
        (
            StatusCode::OK,
            json!({"subject": "s", "version": 1, "id": id, "schema": ORDER_CAPTURED_V1})
        )
    );
    assert_error(
        &app.post("/subjects/s", &json!({"schema": r#""string""#}))
            .await,
        StatusCode::NOT_FOUND,
        40403,
    );
    assert_error(
        &app.post("/subjects/nope", &json!({"schema": r#""string""#}))
            .await,
        StatusCode::NOT_FOUND,
        40401,
    );
    assert_error(
        &app.post("/subjects/s", &json!({"schema": "{not avro"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        42201,
    );
}

#[tokio::test]
async fn incompatible_registration_is_409_and_names_the_field() {
    let app = TestApp::spawn().await;
    app.register("s", ORDER_CAPTURED_V1).await;

    // BACKWARD (default): a new field without a default cannot read old data.
    let response = app
        .post(
            "/subjects/s/versions",
            &json!({ "schema": order_captured_add_field(false) }),
        )
        .await;
    assert_error(&response, StatusCode::CONFLICT, 409);
    let message = response.1["message"].as_str().unwrap();
    assert!(
        message.contains("incompatible with an earlier schema"),
        "{message}"
    );
    assert!(
        message.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{message}"
    );
    assert!(message.contains("'channel'"), "{message}");
    assert_eq!(
        app.get("/subjects/s/versions").await.1,
        json!([1]),
        "nothing registered"
    );

    // int -> long is a promotion the new reader can do; long -> int back is not.
    let long_quantity = order_captured_with(|j| fields(j)[1]["type"] = json!("long"));
    app.register("s", &long_quantity).await;
    let int_again = order_captured_with(|j| fields(j)[1]["type"] = json!({"type": "int"}));
    app.register("t", &long_quantity).await;
    let response = app
        .post("/subjects/t/versions", &json!({ "schema": int_again }))
        .await;
    assert_error(&response, StatusCode::CONFLICT, 409);
    assert!(
        response.1["message"]
            .as_str()
            .unwrap()
            .contains("TYPE_MISMATCH")
    );
    assert!(
        response.1["message"]
            .as_str()
            .unwrap()
            .contains("'quantity'")
    );
    // A schema already registered under the subject is answered with its id without a
    // compatibility check (as Confluent does), even if the latest version moved on.
    let (status, body) = app
        .post(
            "/subjects/s/versions",
            &json!({ "schema": ORDER_CAPTURED_V1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.get("/subjects/s/versions/1").await.1["id"], body["id"]);
}

#[tokio::test]
async fn compatibility_endpoints() {
    let app = TestApp::spawn().await;
    app.register("s", ORDER_CAPTURED_V1).await;
    let good = json!({ "schema": order_captured_add_field(true) });
    let bad = json!({ "schema": order_captured_add_field(false) });

    for path in [
        "/compatibility/subjects/s/versions/latest",
        "/compatibility/subjects/s/versions/1",
        "/compatibility/subjects/s/versions",
    ] {
        assert_eq!(
            app.post(path, &good).await,
            (StatusCode::OK, json!({"is_compatible": true}))
        );
        assert_eq!(
            app.post(path, &bad).await,
            (StatusCode::OK, json!({"is_compatible": false}))
        );
    }

    let (status, body) = app
        .post(
            "/compatibility/subjects/s/versions/latest?verbose=true",
            &bad,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["is_compatible"], false);
    let messages = body["messages"].as_array().unwrap();
    assert!(
        messages[0].as_str().unwrap().contains("'channel'"),
        "the offending field is named: {messages:?}"
    );
    assert!(
        messages.contains(&json!("{oldSchemaVersion: 1}")),
        "{messages:?}"
    );
    assert!(
        messages.contains(&json!("{compatibility: 'BACKWARD'}")),
        "{messages:?}"
    );
    assert_eq!(
        app.post(
            "/compatibility/subjects/s/versions/latest?verbose=true",
            &good
        )
        .await,
        (
            StatusCode::OK,
            json!({"is_compatible": true, "messages": []})
        )
    );

    // No versions to compare with: compatible (all-versions form); the version form 40401.
    assert_eq!(
        app.post("/compatibility/subjects/new-subject/versions", &bad)
            .await,
        (StatusCode::OK, json!({"is_compatible": true}))
    );
    assert_error(
        &app.post("/compatibility/subjects/new-subject/versions/latest", &bad)
            .await,
        StatusCode::NOT_FOUND,
        40401,
    );
    assert_error(
        &app.post("/compatibility/subjects/s/versions/7", &good)
            .await,
        StatusCode::NOT_FOUND,
        40402,
    );
    assert_error(
        &app.post("/compatibility/subjects/s/versions/zero", &good)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        42202,
    );
    assert_error(
        &app.post(
            "/compatibility/subjects/s/versions/latest",
            &json!({"schema": "{"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        42201,
    );
}

#[tokio::test]
async fn transitive_levels_check_every_live_version() {
    let app = TestApp::spawn().await;
    let record = |fields: &str| format!(r#"{{"type":"record","name":"R","fields":[{fields}]}}"#);
    let v1 = record(r#"{"name":"a","type":"int"}"#);
    let v2 = record(r#"{"name":"a","type":"int"},{"name":"b","type":"int","default":0}"#);
    // Reads v2 data (b present) but not v1 data (b missing, no default).
    let v3 = record(r#"{"name":"a","type":"int"},{"name":"b","type":"int"}"#);
    app.register("s", &v1).await;
    app.register("s", &v2).await;

    app.put(
        "/config/s",
        &json!({"compatibility": "BACKWARD_TRANSITIVE"}),
    )
    .await;
    let response = app
        .post("/subjects/s/versions", &json!({ "schema": v3 }))
        .await;
    assert_error(&response, StatusCode::CONFLICT, 409);
    assert!(
        response.1["message"]
            .as_str()
            .unwrap()
            .contains("oldSchemaVersion: 1")
    );
    assert_eq!(
        app.post(
            "/compatibility/subjects/s/versions?verbose=true",
            &json!({ "schema": v3 })
        )
        .await
        .1["is_compatible"],
        false
    );

    app.put("/config/s", &json!({"compatibility": "BACKWARD"}))
        .await;
    app.register("s", &v3).await;
    assert_eq!(app.get("/subjects/s/versions").await.1, json!([1, 2, 3]));
}

#[tokio::test]
async fn global_and_subject_config() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/config").await,
        (StatusCode::OK, json!({"compatibilityLevel": "BACKWARD"}))
    );
    assert_eq!(
        app.put("/config", &json!({"compatibility": "FULL"})).await,
        (StatusCode::OK, json!({"compatibility": "FULL"}))
    );
    assert_eq!(
        app.get("/config").await.1,
        json!({"compatibilityLevel": "FULL"})
    );
    assert_error(
        &app.put("/config", &json!({"compatibility": "SIDEWAYS"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        42203,
    );
    assert_error(
        &app.put("/config", &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        42203,
    );

    assert_error(&app.get("/config/s").await, StatusCode::NOT_FOUND, 40408);
    assert_eq!(
        app.get("/config/s?defaultToGlobal=true").await,
        (StatusCode::OK, json!({"compatibilityLevel": "FULL"}))
    );
    // A subject can be configured before it has versions.
    for level in [
        "BACKWARD",
        "BACKWARD_TRANSITIVE",
        "FORWARD",
        "FORWARD_TRANSITIVE",
        "FULL",
        "FULL_TRANSITIVE",
        "NONE",
    ] {
        assert_eq!(
            app.put("/config/s", &json!({ "compatibility": level }))
                .await,
            (StatusCode::OK, json!({ "compatibility": level }))
        );
        assert_eq!(
            app.get("/config/s").await.1,
            json!({ "compatibilityLevel": level })
        );
    }
    assert_error(
        &app.put("/config/s", &json!({"compatibility": "FULLISH"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        42203,
    );

    // NONE on the subject overrides the global FULL: anything goes.
    app.register("s", ORDER_CAPTURED_V1).await;
    app.register("s", r#""string""#).await;
    assert_eq!(app.get("/subjects/s/versions").await.1, json!([1, 2]));

    assert_eq!(
        app.delete("/config/s").await,
        (StatusCode::OK, json!({"compatibilityLevel": "NONE"}))
    );
    assert_error(&app.delete("/config/s").await, StatusCode::NOT_FOUND, 40401);
    // Back on the global FULL: a string -> int change is rejected.
    assert_error(
        &app.post("/subjects/s/versions", &json!({"schema": r#""int""#}))
            .await,
        StatusCode::CONFLICT,
        409,
    );

    assert_eq!(
        app.delete("/config").await,
        (StatusCode::OK, json!({"compatibilityLevel": "FULL"}))
    );
    assert_eq!(
        app.get("/config").await.1,
        json!({"compatibilityLevel": "BACKWARD"})
    );
}

#[tokio::test]
async fn forward_and_full_levels_over_http() {
    let app = TestApp::spawn().await;
    app.register("fwd", ORDER_CAPTURED_V1).await;
    app.put("/config/fwd", &json!({"compatibility": "FORWARD"}))
        .await;
    // FORWARD: old readers must read new data. Adding an enum symbol breaks them ...
    let more_symbols = order_captured_with(|j| {
        fields(j)[2]["type"]["symbols"] = json!(["CAPTURED", "PAID", "SHIPPED"]);
    });
    let response = app
        .post("/subjects/fwd/versions", &json!({ "schema": more_symbols }))
        .await;
    assert_error(&response, StatusCode::CONFLICT, 409);
    assert!(
        response.1["message"]
            .as_str()
            .unwrap()
            .contains("MISSING_ENUM_SYMBOLS")
    );
    // ... adding a field without default does not.
    app.register("fwd", &order_captured_add_field(false)).await;

    app.register("full", ORDER_CAPTURED_V1).await;
    app.put("/config/full", &json!({"compatibility": "FULL"}))
        .await;
    assert_error(
        &app.post(
            "/subjects/full/versions",
            &json!({ "schema": order_captured_add_field(false) }),
        )
        .await,
        StatusCode::CONFLICT,
        409,
    );
    app.register("full", &order_captured_add_field(true)).await;
}

#[tokio::test]
async fn soft_and_permanent_deletes() {
    let app = TestApp::spawn().await;
    let id1 = app.register("s", ORDER_CAPTURED_V1).await;
    app.register("s", &order_captured_add_field(true)).await;
    app.register("keep", r#""string""#).await;
    app.put("/config/s", &json!({"compatibility": "NONE"}))
        .await;

    // Permanent before soft: 40405.
    assert_error(
        &app.delete("/subjects/s?permanent=true").await,
        StatusCode::NOT_FOUND,
        40405,
    );
    assert_eq!(
        app.delete("/subjects/s").await,
        (StatusCode::OK, json!([1, 2]))
    );
    assert_error(
        &app.delete("/subjects/s").await,
        StatusCode::NOT_FOUND,
        40404,
    );
    assert_error(
        &app.get("/subjects/s/versions").await,
        StatusCode::NOT_FOUND,
        40401,
    );
    assert_error(&app.get("/config/s").await, StatusCode::NOT_FOUND, 40408);
    assert_eq!(
        app.get("/subjects/s/versions?deleted=true").await.1,
        json!([1, 2])
    );
    assert_eq!(app.get("/subjects").await.1, json!(["keep"]));
    assert_eq!(
        app.get("/subjects?deleted=true").await.1,
        json!(["keep", "s"])
    );
    assert_eq!(app.get("/subjects?deleted_only=true").await.1, json!(["s"]));
    assert_eq!(
        app.get("/subjects/s/versions/1?deleted=true").await.1["id"].as_i64(),
        Some(id1)
    );
    assert_error(
        &app.get("/subjects/s/versions/1").await,
        StatusCode::NOT_FOUND,
        40401,
    );
    // Schemas stay readable by id after a soft delete (consumers of old messages).
    assert_eq!(
        app.get(&format!("/schemas/ids/{id1}")).await.0,
        StatusCode::OK
    );

    assert_eq!(
        app.delete("/subjects/s?permanent=true").await,
        (StatusCode::OK, json!([1, 2]))
    );
    assert_error(
        &app.delete("/subjects/s?permanent=true").await,
        StatusCode::NOT_FOUND,
        40401,
    );
    assert_error(
        &app.get(&format!("/schemas/ids/{id1}")).await,
        StatusCode::NOT_FOUND,
        40403,
    );
    assert_error(
        &app.delete("/subjects/never-existed").await,
        StatusCode::NOT_FOUND,
        40401,
    );

    // The same schema registered again gets its old id back (ids are stable), as version 1.
    assert_eq!(app.register("s", ORDER_CAPTURED_V1).await, id1);
    assert_eq!(app.get("/subjects/s/versions").await.1, json!([1]));
}

#[tokio::test]
async fn version_deletes() {
    let app = TestApp::spawn().await;
    app.register("s", ORDER_CAPTURED_V1).await;
    let id2 = app.register("s", &order_captured_add_field(true)).await;

    assert_error(
        &app.delete("/subjects/s/versions/2?permanent=true").await,
        StatusCode::NOT_FOUND,
        40407,
    );
    assert_eq!(
        app.delete("/subjects/s/versions/2").await,
        (StatusCode::OK, json!(2))
    );
    assert_error(
        &app.delete("/subjects/s/versions/2").await,
        StatusCode::NOT_FOUND,
        40406,
    );
    assert_eq!(app.get("/subjects/s/versions").await.1, json!([1]));
    assert_eq!(app.get("/subjects/s/versions/latest").await.1["version"], 1);
    assert_error(
        &app.delete("/subjects/s/versions/9").await,
        StatusCode::NOT_FOUND,
        40402,
    );
    assert_error(
        &app.delete("/subjects/s/versions/x").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        42202,
    );
    assert_error(
        &app.delete("/subjects/nope/versions/1").await,
        StatusCode::NOT_FOUND,
        40401,
    );

    // Re-registering the soft-deleted schema: same id, a new version number (3, not 2).
    assert_eq!(
        app.register("s", &order_captured_add_field(true)).await,
        id2
    );
    assert_eq!(app.get("/subjects/s/versions").await.1, json!([1, 3]));
    assert_eq!(
        app.get("/subjects/s/versions?deleted=true").await.1,
        json!([1, 2, 3])
    );

    assert_eq!(
        app.delete("/subjects/s/versions/2?permanent=true").await,
        (StatusCode::OK, json!(2))
    );
    assert_eq!(
        app.get("/subjects/s/versions?deleted=true").await.1,
        json!([1, 3])
    );
    // Soft-deleting the latest via "latest".
    assert_eq!(
        app.delete("/subjects/s/versions/latest").await,
        (StatusCode::OK, json!(3))
    );
    assert_eq!(app.get("/subjects/s/versions").await.1, json!([1]));
}

#[tokio::test]
async fn unsupported_types_references_and_bad_requests() {
    let app = TestApp::spawn().await;
    for schema_type in ["PROTOBUF", "JSON"] {
        let response = app
            .post(
                "/subjects/s/versions",
                &json!({"schema": "syntax = \"proto3\";", "schemaType": schema_type}),
            )
            .await;
        assert_error(&response, StatusCode::UNPROCESSABLE_ENTITY, 42201);
        assert!(
            response.1["message"]
                .as_str()
                .unwrap()
                .contains("supports AVRO only"),
            "{response:?}"
        );
    }
    assert_error(
        &app.post(
            "/subjects/s/versions",
            &json!({"schema": "\"int\"", "schemaType": "XML"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        42201,
    );
    let response = app
        .post(
            "/subjects/s/versions",
            &json!({"schema": "\"int\"", "references": [{"name": "x", "subject": "y", "version": 1}]}),
        )
        .await;
    assert_error(&response, StatusCode::UNPROCESSABLE_ENTITY, 42201);
    assert!(
        response.1["message"]
            .as_str()
            .unwrap()
            .contains("references are not supported")
    );
    assert_error(
        &app.post(
            "/subjects/s/versions",
            &json!({"schema": "\"int\"", "ruleSet": {"domainRules": []}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        42201,
    );
    // An explicit AVRO type and an empty reference list are fine.
    let (status, _) = app
        .post(
            "/subjects/s/versions",
            &json!({"schema": "\"int\"", "schemaType": "AVRO", "references": []}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    assert_error(
        &app.post(
            "/subjects/s/versions",
            &json!({"schema": "{\"type\": \"record\"}"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        42201,
    );
    assert_error(
        &app.post("/subjects/s/versions", &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        42201,
    );

    // Not JSON at all: 400.
    let response = app
        .client
        .post(app.url("/subjects/s/versions"))
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.json::<Value>().await.unwrap()["error_code"], 400);

    // Media types clients use are accepted; others are 415.
    for content_type in [
        "application/vnd.schemaregistry.v1+json",
        "application/vnd.schemaregistry+json",
        "application/json; charset=utf-8",
        "application/octet-stream",
    ] {
        let response = app
            .client
            .post(app.url("/subjects/media/versions"))
            .header("content-type", content_type)
            .body(json!({"schema": "\"bytes\""}).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{content_type}");
    }
    let response = app
        .client
        .post(app.url("/subjects/media/versions"))
        .header("content-type", "text/plain")
        .body(json!({"schema": "\"bytes\""}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(response.json::<Value>().await.unwrap()["error_code"], 415);
}

#[tokio::test]
async fn concurrent_registrations_of_one_schema_get_one_id() {
    let app = TestApp::spawn().await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = app.client.clone();
        let url = app.url(&format!("/subjects/subject-{}/versions", i % 4));
        tasks.push(tokio::spawn(async move {
            let response = client
                .post(url)
                .header("content-type", "application/vnd.schemaregistry.v1+json")
                .body(json!({ "schema": ORDER_CAPTURED_V1 }).to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<Value>().await.unwrap()["id"]
                .as_i64()
                .unwrap()
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one id for one schema: {ids:?}");
    for i in 0..4 {
        assert_eq!(
            app.get(&format!("/subjects/subject-{i}/versions")).await.1,
            json!([1]),
            "one version per subject"
        );
    }
}
