//! Test harness: spawns the registry on a fresh database and talks to it over HTTP.

use std::time::Duration;

use oms_schema_registry::{Application, Config};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::Connection as _;
use tokio::sync::oneshot;

/// The registry's response media type.
pub const SR_JSON: &str = "application/vnd.schemaregistry.v1+json";

/// A running registry over its own database `oms_test_<uuid>`, dropped with the value.
pub struct TestApp {
    pub base_url: String,
    pub client: reqwest::Client,
    db_name: String,
    admin_base: String,
    stop: Option<oneshot::Sender<()>>,
}

/// Server base URL (`postgres://user@host:port`), from `OMS_PG_ADMIN_URL` like
/// `deploy/local/sqlx-prepare.sh`.
fn admin_base() -> String {
    std::env::var("OMS_PG_ADMIN_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
        .trim_end_matches('/')
        .to_owned()
}

impl TestApp {
    pub async fn spawn() -> Self {
        let admin_base = admin_base();
        let db_name = format!("oms_test_{}", uuid::Uuid::new_v4().simple());
        // The application creates the database itself (that is part of what is tested).
        let app = Application::build(Config::for_tests(format!("{admin_base}/{db_name}")))
            .await
            .expect("the schema registry starts (is PostgreSQL running on OMS_PG_ADMIN_URL?)");
        let base_url = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            app.run_until(async {
                let _ = stopped.await;
            })
            .await
            .expect("server runs");
        });
        Self {
            base_url,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("http client"),
            db_name,
            admin_base,
            stop: Some(stop),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let response = request.send().await.expect("request reaches the registry");
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert_eq!(
            content_type, SR_JSON,
            "every response uses the registry media type"
        );
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.client.get(self.url(path))).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.client.delete(self.url(path))).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(
            self.client
                .post(self.url(path))
                .header(reqwest::header::CONTENT_TYPE, SR_JSON)
                .body(body.to_string()),
        )
        .await
    }

    pub async fn put(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(
            self.client
                .put(self.url(path))
                .header(reqwest::header::CONTENT_TYPE, SR_JSON)
                .body(body.to_string()),
        )
        .await
    }

    /// Registers an Avro schema text; returns the id (panics unless 200).
    pub async fn register(&self, subject: &str, schema: &str) -> i64 {
        let (status, body) = self
            .post(
                &format!("/subjects/{subject}/versions"),
                &serde_json::json!({ "schema": schema }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "register {subject}: {body}");
        body["id"].as_i64().expect("id")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Drop the database from a separate thread and runtime: this also runs when a test
        // panicked, and `with (force)` ends the server's remaining connections.
        let url = format!("{}/postgres", self.admin_base);
        let db = self.db_name.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let mut conn = sqlx::PgConnection::connect(&url).await?;
                sqlx::raw_sql(&format!("drop database if exists \"{db}\" with (force)"))
                    .execute(&mut conn)
                    .await?;
                conn.close().await
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop test database {}: {e}", self.db_name);
        }
    }
}

/// Asserts a Confluent error response.
#[track_caller]
pub fn assert_error(response: &(StatusCode, Value), status: StatusCode, error_code: i64) {
    let (actual_status, body) = response;
    assert_eq!(*actual_status, status, "status of {body}");
    assert_eq!(
        body["error_code"].as_i64(),
        Some(error_code),
        "error_code of {body}"
    );
    assert!(body["message"].is_string(), "message in {body}");
}

/// An `OrderCaptured` v1 schema (as our services publish it).
pub const ORDER_CAPTURED_V1: &str = r#"{
  "type": "record",
  "name": "OrderCaptured",
  "namespace": "com.example.oms.order.v1",
  "fields": [
    {"name": "order_id", "type": "string"},
    {"name": "quantity", "type": "int"},
    {"name": "status", "type": {"type": "enum", "name": "OrderStatus", "symbols": ["CAPTURED", "PAID"]}},
    {"name": "note", "type": ["null", "string"], "default": null}
  ]
}"#;

/// v1 with its JSON edited by `edit`.
pub fn order_captured_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut json: Value = serde_json::from_str(ORDER_CAPTURED_V1).expect("valid json");
    edit(&mut json);
    json.to_string()
}

/// The `fields` array of a record schema JSON.
pub fn fields(json: &mut Value) -> &mut Vec<Value> {
    json["fields"].as_array_mut().expect("fields")
}

/// v1 plus a field `channel` (string), with or without a default.
pub fn order_captured_add_field(with_default: bool) -> String {
    order_captured_with(|j| {
        let mut field = serde_json::json!({"name": "channel", "type": "string"});
        if with_default {
            field["default"] = Value::String("web".to_owned());
        }
        fields(j).push(field);
    })
}

/// The subject our services use for OrderCaptured (TopicRecordNameStrategy).
pub const ORDER_SUBJECT: &str = "oms.order.events.v1-com.example.oms.order.v1.OrderCaptured";
