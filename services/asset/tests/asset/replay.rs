//! The "done when": replaying the whole fulfillment topic into a fresh consumer group
//! (a new inbox consumer name, so an empty inbox) produces no second asset and no changed asset.

use oms_domain::vocab::ItemAction;
use std::collections::BTreeMap;
use uuid::Uuid;

use crate::support::{ACME, GLOBEX, Stack, fulfilled, snapshot};

/// Tables whose rows must not change, with a stable order.
const TABLES: [(&str, &str); 4] = [
    ("asset", "tenant_id, asset_id"),
    ("asset_history", "id"),
    ("asset_change_applied", "tenant_id, order_item_id"),
    ("inconsistency_case", "id"),
];

async fn state(stack: &Stack) -> Vec<Vec<serde_json::Value>> {
    let mut tables = Vec::new();
    for (table, order) in TABLES {
        tables.push(snapshot(&stack.db, table, order).await);
    }
    tables.push(
        snapshot(&stack.db, "outbox", "id")
            .await
            .into_iter()
            .map(|row| row["event_id"].clone())
            .collect(),
    );
    tables
}

#[tokio::test]
async fn replaying_the_fulfillment_topic_into_a_new_consumer_group_changes_nothing() {
    let stack = Stack::new().await;
    let first = stack.start(oms_asset::SERVICE).await;

    // Several assets of two tenants through ADD, MODIFY, DELETE, plus a suspend, a refused
    // change and a NO_CHANGE, applied one after the other as order-capture would release them.
    let mut events: Vec<Uuid> = Vec::new();
    let add_r1 = fulfilled(ACME, ItemAction::Add, "r-1");
    let mut sequence = vec![
        add_r1.clone(),
        fulfilled(ACME, ItemAction::Add, "r-2"),
        fulfilled(GLOBEX, ItemAction::Add, "r-3"),
        fulfilled(ACME, ItemAction::Modify, "r-1"),
        fulfilled(GLOBEX, ItemAction::Modify, "r-3"),
        fulfilled(ACME, ItemAction::Delete, "r-2"),
        fulfilled(ACME, ItemAction::Suspend, "r-1"),
        fulfilled(ACME, ItemAction::Modify, "r-2"),
        fulfilled(GLOBEX, ItemAction::NoChange, "r-3"),
        fulfilled(GLOBEX, ItemAction::Delete, "r-3"),
    ];
    sequence[3].item.configuration = BTreeMap::from([("bandwidth".into(), "1G".into())]);
    sequence[4].item.configuration = BTreeMap::from([("bandwidth".into(), "2G".into())]);
    for event in sequence {
        events.push(stack.apply(event).await);
    }
    let applied = state(&stack).await;
    assert_eq!(applied[0].len(), 3, "three assets");
    assert_eq!(
        applied[1].len(),
        8,
        "history: 3 created, 2 modified, 2 terminated, 1 suspended"
    );
    assert_eq!(
        applied[3].len(),
        1,
        "MODIFY of the terminated r-2 is a case"
    );
    let published = stack.published_asset_records().await;
    assert_eq!(published, 9, "8 changes and 1 inconsistency");
    first.stop().await;

    // A second instance with another consumer group and inbox name reads the topic from the
    // beginning against the same database.
    let rebuild = "asset-rebuild";
    let second = stack.start(rebuild).await;
    for event_id in &events {
        stack.handled(rebuild, *event_id).await;
    }
    // And fulfillment re-emitting an already applied item under a new event id.
    let again = stack.publish(add_r1).await;
    stack.handled(rebuild, again).await;

    assert_eq!(
        state(&stack).await,
        applied,
        "no second asset, no changed asset, no new row"
    );
    assert_eq!(
        stack.published_asset_records().await,
        published,
        "no new asset events"
    );
    let inbox: i64 = sqlx::query_scalar("select count(*) from inbox where consumer = $1")
        .bind(rebuild)
        .fetch_one(stack.db.pool())
        .await
        .unwrap();
    assert_eq!(
        inbox, 11,
        "every record was read and handled by the new group"
    );
    let dead: i64 = sqlx::query_scalar("select count(*) from dead_letter")
        .fetch_one(stack.db.pool())
        .await
        .unwrap();
    assert_eq!(dead, 0);
    second.stop().await;
}
