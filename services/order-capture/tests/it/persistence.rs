//! 001 §21.3 / 000 §27.4 persistence: the unique constraints carry the invariants (quote
//! conversion, external reference, in-flight asset), check and foreign-key constraints
//! refuse bad rows, an optimistic lock refuses a stale update, and a capture writes order,
//! items, events, history, audit and outbox rows together.

use oms_domain::value::{OrderId, OrderNumber};
use oms_order_capture::store::{StoreError, assets, constraint, orders};
use serde_json::{Value, json};

use crate::support::{TestApp, direct_order, spawn_app};

fn quote_order(quote_id: &str, revision: i64) -> Value {
    let mut body = direct_order(1);
    body["captureMode"] = json!("QUOTE_DERIVED");
    body["quote"] = json!({
        "quoteId": quote_id, "revision": revision, "acceptedAt": "2026-01-02T03:04:05Z",
        "validUntil": "2099-12-31", "configurationHash": "cfg-hash", "priceHash": "price-hash"
    });
    body
}

async fn load(app: &TestApp, id: &str) -> oms_domain::Order {
    let mut conn = app.db.pool().acquire().await.unwrap();
    orders::load(&mut conn, OrderId::parse(id).unwrap())
        .await
        .unwrap()
        .unwrap()
}

/// The stored order under a new id and number (what a second writer would insert).
fn twin(order: &oms_domain::Order) -> oms_domain::Order {
    let mut copy = order.clone();
    copy.id = OrderId::from_uuid(uuid::Uuid::now_v7());
    copy.number = OrderNumber::from_parts(2026, 99_999_999).unwrap();
    copy
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unique_constraints_carry_the_invariants() {
    let app = spawn_app().await;
    let (status, first) = app.capture(&quote_order("q-1", 3)).await;
    assert_eq!(status, 201, "{first}");
    let first_id = first["orderId"].as_str().unwrap();

    // The API answers a second conversion of the revision with the existing order.
    let (status, problem) = app.capture(&quote_order("q-1", 3)).await;
    assert_eq!(status, 409);
    assert_eq!(problem["code"], "QUOTE_ALREADY_CONVERTED");
    assert_eq!(problem["existingOrderId"], first_id);
    let (status, _) = app.capture(&quote_order("q-1", 4)).await;
    assert_eq!(status, 201, "another revision is another order");

    // Below the rules, the unique index refuses a second order for the revision.
    let order = load(&app, first_id).await;
    let mut conn = app.db.pool().acquire().await.unwrap();
    let mut copy = twin(&order);
    if let Some(content) = copy.content.as_mut() {
        content.header.source.external_order_ref = None;
    }
    let error = orders::insert(&mut conn, &copy).await.unwrap_err();
    assert!(error.is_constraint(constraint::QUOTE_REVISION), "{error}");

    // Duplicate external reference: the rule, then the index.
    let mut body = direct_order(1);
    body["externalOrderRef"] = json!("WEB-DUP-1");
    let (status, direct) = app.capture(&body).await;
    assert_eq!(status, 201);
    let (status, problem) = app.capture(&body).await;
    assert_eq!(status, 422);
    assert_eq!(
        problem["violations"][0]["code"],
        "DUPLICATE_EXTERNAL_ORDER_REF"
    );
    let direct = load(&app, direct["orderId"].as_str().unwrap()).await;
    let mut copy = twin(&direct);
    copy.number = OrderNumber::from_parts(2026, 99_999_998).unwrap();
    let error = orders::insert(&mut conn, &copy).await.unwrap_err();
    assert!(error.is_constraint(constraint::EXTERNAL_REF), "{error}");

    // One in-flight order per asset.
    let tenant = order.tenant.clone();
    assets::reserve_in_flight(&mut conn, &tenant, order.id, &["asset-7".to_owned()])
        .await
        .unwrap();
    let error = assets::reserve_in_flight(&mut conn, &tenant, direct.id, &["asset-7".to_owned()])
        .await
        .unwrap_err();
    assert!(error.is_constraint(constraint::ASSET_IN_FLIGHT), "{error}");

    // Check and foreign-key constraints.
    let error: StoreError = sqlx::query("update orders set state = 'ON_HOLD' where order_id = $1")
        .bind(order.id.as_uuid())
        .execute(&mut *conn)
        .await
        .unwrap_err()
        .into();
    assert!(error.is_constraint("orders_state_check"), "{error}");
    let error: StoreError = sqlx::query(
        "insert into order_items (item_id, order_id, tenant_id, line_number, client_item_ref, action,
             product_offering_id, quantity, state, fulfillment_state, updated_at)
         values ($1, $2, 'acme', 1, 'x', 'ADD', 'po', 1, 'PENDING', 'NOT_STARTED', now())",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(uuid::Uuid::now_v7())
    .execute(&mut *conn)
    .await
    .unwrap_err()
    .into();
    assert!(error.is_constraint("order_items_order_id_fkey"), "{error}");
    let error: StoreError = sqlx::query("update order_items set quantity = 0 where order_id = $1")
        .bind(order.id.as_uuid())
        .execute(&mut *conn)
        .await
        .unwrap_err()
        .into();
    assert!(
        error.is_constraint("order_items_quantity_positive"),
        "{error}"
    );
    // History is append-only.
    let refused = sqlx::query("delete from order_state_history")
        .execute(&mut *conn)
        .await;
    assert!(refused.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_writes_everything_in_one_transaction_and_stale_updates_are_refused() {
    let app = spawn_app().await;
    let (status, body) = app.capture(&direct_order(2)).await;
    assert_eq!(status, 201);
    let id = body["orderId"].as_str().unwrap();
    let order = load(&app, id).await;
    assert_eq!(order.version, 3, "captured, validated, released");
    let q = |sql: &str| sql.replace("$id", &format!("'{id}'"));
    assert_eq!(
        app.count(&q("select count(*) from order_items where order_id = $id"))
            .await,
        2
    );
    assert_eq!(
        app.count(&q("select count(*) from order_events where order_id = $id"))
            .await,
        3
    );
    assert_eq!(
        app.count(&q("select count(*) from outbox where aggregate_id = $id"))
            .await,
        3
    );
    // null -> SUBMITTED -> VALIDATED; the release keeps the state.
    assert_eq!(
        app.count(&q(
            "select count(*) from order_state_history where order_id = $id"
        ))
        .await,
        2
    );
    // CAPTURE_ORDER (by the caller) and RELEASE_FOR_DECOMPOSITION (automatic).
    assert_eq!(
        app.count(&q(
            "select count(*) from order_audit_log where order_id = $id"
        ))
        .await,
        2
    );
    // Snapshots survive the JSONB round trip.
    assert_eq!(order.items()[0].price.total().amount().to_string(), "90.00");
    assert_eq!(
        order.items()[0].configuration.values()["bandwidth"],
        "1Gbps"
    );

    // Optimistic locking: a writer holding version 3 wins, a second one holding 3 loses.
    let mut conn = app.db.pool().acquire().await.unwrap();
    let mut newer = order.clone();
    newer.version += 1;
    orders::update(&mut conn, &newer, order.version)
        .await
        .unwrap();
    let mut stale = order.clone();
    stale.version += 1;
    let error = orders::update(&mut conn, &stale, order.version)
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::VersionConflict { expected: 3, .. }),
        "{error}"
    );
}
