//! Tenant isolation and token handling, over every documented route of every service.
//!
//! Tenant `acme` orders a fiber bundle through CPQ and it completes: its order, items, plan,
//! tasks and assets exist in every service. Then a caller of tenant `globex` with every scope
//! (a JWT of the local identity provider) calls every operation of every service's OpenAPI
//! document, with acme's real ids in the path, valid bodies for the writes, and acme's
//! customer, account and order number as list filters:
//!
//! - nothing of acme comes back (no acme id, customer, account or order number in any body);
//! - a route naming an acme resource answers exactly as it does for an id that exists nowhere
//!   (same status, same code, same detail once the id is replaced): the answer does not tell
//!   that the resource exists;
//! - acme's order is unchanged afterwards (same version, no hold, no change request).
//!
//! Then, on every protected operation: no token, a malformed token, a token that is not a
//! JWT of the provider, an expired JWT and a JWT for another service (wrong audience) are
//! each 401 `UNAUTHENTICATED`; a valid acme JWT for the service is accepted.
//!
//! Operations outside tenants are listed in [`PLATFORM_OPERATIONS`] (the deployment's
//! catalog, simulators, consumer dead letters, read-model rebuild, consumer lag).

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use oms_e2e::scenario::{Harness, party};
use oms_e2e::stack::{Service, ServiceStack, StackOptions};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// `deploy/local/*.toml` `[auth.jwt]`.
const JWT_ISSUER: &str = "oms-local-dev-idp";
const JWT_SECRET: &str = "dev-only-jwt-secret-never-deploy-0123456789";
const ALL_SCOPES: &str = "orders:read orders:write operator assets:read projections:rebuild";

/// Operations that act on the deployment, not on a tenant's data: an operator of any tenant
/// sees the same (documented in docs/api.md, "Authentication and tenants").
const PLATFORM_OPERATIONS: &[&str] = &[
    "get /api/v1/catalog/versions",
    "post /api/v1/catalog/versions",
    "get /api/v1/catalog/versions/{version}",
    "get /api/v1/simulators",
    "put /api/v1/simulators/{system}/faults/{task_type}",
    "delete /api/v1/simulators/{system}/faults/{task_type}",
    "get /ops/dead-letters",
    "post /ops/dead-letters/{id}/replay",
    "post /ops/rebuild",
    "get /api/v1/flow/lag",
];

/// Long-lived responses (server-sent events), whose tenant scoping the projections tests check.
const STREAMS: &[&str] = &["get /api/v1/stream"];

fn audience(service: Service) -> String {
    format!("oms-{}", service.name())
}

fn jwt(tenant: &str, audience: &str, expires_in: i64) -> String {
    let now = i64::try_from(jsonwebtoken::get_current_timestamp()).expect("time");
    let claims = json!({
        "iss": JWT_ISSUER, "aud": audience, "sub": format!("{tenant}-tester"),
        "tenant_id": tenant, "scope": ALL_SCOPES, "iat": now, "exp": now + expires_in,
    });
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()).expect("key"),
    )
    .expect("signed")
}

/// acme's ids, as path parameters and as values that must never reach globex.
struct AcmeData {
    path: BTreeMap<&'static str, String>,
    secrets: Vec<String>,
    customer_id: String,
    account_id: String,
    order_number: String,
}

/// A valid body for each write, so that the request passes the schema layer and reaches the
/// tenant check.
fn body_for(operation: &str, customer: &oms_omsctl::samples::Party) -> Option<Value> {
    let reason = json!({ "reason": "tenant isolation probe" });
    Some(match operation {
        "post /api/v1/orders/{orderId}/holds" => {
            json!({ "holdType": "CREDIT", "reason": "tenant isolation probe" })
        }
        "post /api/v1/orders/{orderId}/fallouts/{falloutId}/repair" => {
            json!({ "resolution": "RETRY_ITEM", "reason": "tenant isolation probe" })
        }
        "post /api/v1/orders/{orderId}/cancellation-assessments"
        | "post /api/v1/orders/{orderId}/cancellation-requests" => {
            json!({ "reasonCode": "CUSTOMER_CHANGED_MIND" })
        }
        "post /api/v1/orders/{orderId}/amendment-assessments"
        | "post /api/v1/orders/{orderId}/amendment-requests" => json!({
            "reasonCode": "CUSTOMER_REQUEST",
            "changes": [{ "type": "CHANGE_REQUESTED_DATES", "requestedCompletionDate": "2031-01-31" }]
        }),
        "post /api/v1/orders/{orderId}/supplemental-orders"
        | "post /api/v1/orders"
        | "post /api/v1/order-validations" => oms_e2e::scenario::support_order(customer, false),
        "post /api/v1/fulfillment/{order_id}/tasks/{task_id}/complete" => json!({
            "reason": "tenant isolation probe", "evidence": { "externalRef": "WO-PROBE" }
        }),
        "post /api/v1/fulfillment/{order_id}/items/{item_id}/waive" => {
            json!({ "reason": "tenant isolation probe", "policyRef": "POL-PROBE" })
        }
        "post /api/v1/asset-inconsistencies/{id}/resolve" => {
            json!({ "resolution": "tenant isolation probe" })
        }
        op if op.starts_with("post ") => reason,
        _ => return None,
    })
}

/// Every operation of a service's document: (method, path template, query parameter names).
async fn operations(base: &str) -> Vec<(String, String, Vec<String>)> {
    let document: Value = reqwest::get(format!("{base}/api/v1/openapi.json"))
        .await
        .expect("document")
        .json()
        .await
        .expect("JSON");
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let query = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect();
            found.push((method.clone(), path.clone(), query));
        }
    }
    found
}

/// The path with its parameters filled from `values` (unknown names get a fresh UUID).
fn fill(path: &str, values: &BTreeMap<&'static str, String>) -> String {
    let mut filled = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').expect("closing brace") + start;
        filled.push_str(&rest[..start]);
        let name = &rest[start + 1..end];
        filled.push_str(
            &values
                .get(name)
                .cloned()
                .unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
        );
        rest = &rest[end + 1..];
    }
    filled.push_str(rest);
    filled
}

/// Query filters that name acme's data, for the list parameters a route has.
fn filters(query: &[String], acme: &AcmeData) -> Vec<(String, String)> {
    query
        .iter()
        .filter_map(|name| {
            let value = match name.as_str() {
                "customerId" => acme.customer_id.clone(),
                "accountId" => acme.account_id.clone(),
                "q" => acme.order_number.clone(),
                _ => return None,
            };
            Some((name.clone(), value))
        })
        .collect()
}

async fn call(
    client: &reqwest::Client,
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).expect("method");
    let mut request = client
        .request(method, url)
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("response");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The parts of a problem that say whether something exists, with ids replaced.
fn shape(status: u16, body: &Value, ids: &[&str]) -> String {
    let mut detail = body["detail"].as_str().unwrap_or_default().to_owned();
    for id in ids {
        detail = detail.replace(id, "<id>");
    }
    format!(
        "{status} {} {detail}",
        body["code"].as_str().unwrap_or_default()
    )
}

async fn acme_data(h: &Harness) -> AcmeData {
    let customer = party("tenancy");
    let quote = h
        .accept("fiber-bundle", &customer, None)
        .await
        .expect("quote published");
    let order_id = h
        .order_for_quote(&quote.quote_id)
        .await
        .expect("order captured");
    let order = h
        .wait_for_state(&order_id, "COMPLETED", Duration::from_secs(120))
        .await
        .expect("order completed");
    let item_id = order["items"][0]["id"]
        .as_str()
        .expect("an item id")
        .to_owned();
    let fulfillment = h
        .get(
            Service::Fulfillment,
            &format!("/api/v1/fulfillment/{order_id}"),
        )
        .await
        .expect("fulfillment");
    let task_id = fulfillment["tasks"][0]["taskId"]
        .as_str()
        .expect("a task")
        .to_owned();
    let assets = h
        .get(
            Service::Asset,
            &format!("/api/v1/assets?customerId={}", customer.customer_id),
        )
        .await
        .expect("assets");
    let asset_id = assets["items"][0]["assetId"]
        .as_str()
        .expect("an asset")
        .to_owned();
    let order_number = order["orderNumber"].as_str().expect("number").to_owned();
    let path = BTreeMap::from([
        ("orderId", order_id.clone()),
        ("order_id", order_id.clone()),
        ("itemId", item_id.clone()),
        ("item_id", item_id.clone()),
        ("task_id", task_id.clone()),
        ("id", asset_id.clone()),
    ]);
    AcmeData {
        secrets: vec![
            order_id,
            item_id,
            task_id,
            asset_id,
            order_number.clone(),
            customer.customer_id.clone(),
            customer.account_id.clone(),
        ],
        path,
        customer_id: customer.customer_id,
        account_id: customer.account_id,
        order_number,
    }
}

#[tokio::test]
async fn another_tenant_sees_and_changes_nothing_and_bad_tokens_are_refused_everywhere() {
    let stack = ServiceStack::start(&Service::ALL, StackOptions::default())
        .await
        .expect("stack started");
    let h = Harness::new(stack).await.expect("harness");
    let acme = acme_data(&h).await;
    let before = h.order(&acme.path["orderId"]).await.expect("acme order");
    let client = reqwest::Client::new();
    let globex_customer = oms_omsctl::samples::Party {
        tenant: "globex".to_owned(),
        ..party("globex")
    };
    let unknown: BTreeMap<&'static str, String> = acme
        .path
        .keys()
        .map(|k| (*k, uuid::Uuid::now_v7().to_string()))
        .collect();
    let mut checked = 0;
    let mut leaks = Vec::new();
    for service in Service::ALL {
        let base = h.stack.url(service);
        let globex = jwt("globex", &audience(service), 300);
        for (method, path, query) in operations(&base).await {
            let operation = format!("{method} {path}");
            if PLATFORM_OPERATIONS.contains(&operation.as_str())
                || STREAMS.contains(&operation.as_str())
            {
                continue;
            }
            let body = body_for(&operation, &globex_customer);
            let mut url = format!("{base}{}", fill(&path, &acme.path));
            let filter = filters(&query, &acme);
            if !filter.is_empty() {
                let pairs: Vec<String> = filter.iter().map(|(k, v)| format!("{k}={v}")).collect();
                url = format!("{url}?{}", pairs.join("&"));
            }
            let (status, answer) = call(&client, &method, &url, Some(&globex), body.as_ref()).await;
            checked += 1;
            let text = answer.to_string();
            // an id the caller sent may be echoed (its 404 says which id it looked for); any
            // other acme value in the answer is a leak
            for secret in &acme.secrets {
                if text.contains(secret.as_str()) && !url.contains(secret.as_str()) {
                    leaks.push(format!(
                        "{operation} ({status}) returned acme's {secret}: {text}"
                    ));
                }
            }
            if path.contains('{') {
                let elsewhere = format!("{base}{}", fill(&path, &unknown));
                let (other_status, other) =
                    call(&client, &method, &elsewhere, Some(&globex), body.as_ref()).await;
                let ids: Vec<&str> = acme
                    .path
                    .values()
                    .chain(unknown.values())
                    .map(String::as_str)
                    .collect();
                assert_eq!(
                    shape(status, &answer, &ids),
                    shape(other_status, &other, &ids),
                    "{operation}: acme's resource is told apart from a missing one"
                );
                assert!(
                    !(200..300).contains(&status),
                    "{operation}: globex got {status} on acme's resource: {answer}"
                );
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "cross-tenant reads:\n{}",
        leaks.join("\n")
    );
    // 37 tenant operations when this was written; new routes only add to it
    assert!(checked >= 37, "only {checked} operations were checked");
    let after = h.order(&acme.path["orderId"]).await.expect("acme order");
    assert_eq!(
        after["version"], before["version"],
        "globex changed acme's order"
    );
    assert_eq!(after["holds"], before["holds"]);
    let cancellations = h
        .get(
            Service::OrderCapture,
            &format!(
                "/api/v1/orders/{}/cancellation-requests",
                acme.path["orderId"]
            ),
        )
        .await
        .expect("requests");
    assert_eq!(
        cancellations["requests"],
        json!([]),
        "globex requested a cancellation"
    );
    println!("tenancy_operations_checked: {checked}");

    // Tokens: missing, malformed, not the provider's, expired, for another service.
    let mut refusals = 0;
    for service in Service::ALL {
        let base = h.stack.url(service);
        let other = if service == Service::OrderCapture {
            Service::Fulfillment
        } else {
            Service::OrderCapture
        };
        let valid = jwt("acme", &audience(service), 300);
        let (signed_part, _) = valid.rsplit_once('.').expect("a JWT");
        let forged = format!("{signed_part}.c2lnbmF0dXJlLW5vdC1vdXJz");
        let bad: [(&str, Option<String>); 5] = [
            ("missing", None),
            ("malformed", Some("not a token".to_owned())),
            ("forged signature", Some(forged)),
            ("expired", Some(jwt("acme", &audience(service), -120))),
            ("wrong audience", Some(jwt("acme", &audience(other), 300))),
        ];
        for (method, path, _) in operations(&base).await {
            let url = format!("{base}{}", fill(&path, &acme.path));
            let body = body_for(&format!("{method} {path}"), &globex_customer);
            for (kind, token) in &bad {
                let (status, answer) =
                    call(&client, &method, &url, token.as_deref(), body.as_ref()).await;
                assert_eq!(
                    (status, answer["code"].as_str()),
                    (401, Some("UNAUTHENTICATED")),
                    "{method} {path} with a {kind} token: {answer}"
                );
                refusals += 1;
            }
        }
        // the right token for the service works
        let (status, answer) = call(
            &client,
            "get",
            &format!("{base}{}", probe_path(service, &acme)),
            Some(&jwt("acme", &audience(service), 300)),
            None,
        )
        .await;
        assert_eq!(
            status,
            200,
            "a valid acme JWT on {}: {answer}",
            service.name()
        );
    }
    println!("tenancy_bad_token_refusals: {refusals}");
    h.stack.shutdown().await;
}

/// A read of acme's data on `service`.
fn probe_path(service: Service, acme: &AcmeData) -> String {
    match service {
        Service::OrderCapture => format!("/api/v1/orders/{}", acme.path["orderId"]),
        Service::Decomposition => format!("/api/v1/plans/{}", acme.path["orderId"]),
        Service::Fulfillment => format!("/api/v1/fulfillment/{}", acme.path["orderId"]),
        Service::Asset => format!("/api/v1/assets/{}", acme.path["id"]),
        Service::Projections => format!("/api/v1/orders?customerId={}", acme.customer_id),
    }
}
