//! Determinism across a restart: the application is stopped and a new one started on the
//! same database (it re-reads its catalog file and the stored versions). The same input then
//! gives the same plan, byte for byte and hash for hash — recomputed by the planner from the
//! stored input and the stored rules text, and re-decomposed by the service itself.

use oms_decomposition::catalog::TechnicalCatalog;
use oms_decomposition::planner::{PlanningInput, decompose};

use crate::support::{ACME, Stack, fiber_bundle, new_order_id, released};

#[tokio::test]
async fn the_same_input_gives_the_same_plan_hash_after_a_restart() {
    let stack = Stack::new().await;
    let first = stack.start().await;
    let (input, configuration) = fiber_bundle(new_order_id());
    let release = released(&input, ACME, &configuration);
    stack.release(&release).await;
    let stored = stack.plan_row(input.order_id).await.expect("planned");
    first.stop().await;

    let second = stack.start().await;

    // Redelivered after the restart: nothing new.
    stack.release(&release).await;
    assert_eq!(stack.plan_row(input.order_id).await.as_ref(), Some(&stored));
    assert_eq!(stack.events_of(input.order_id).await.len(), 1);

    // The planner on the stored input, with the rules text stored under the plan's version,
    // gives the stored plan: same input hash, same plan hash, same bytes.
    let stored_input: PlanningInput = serde_json::from_str(&stored.input_json).unwrap();
    assert_eq!(stored_input, input);
    assert_eq!(stored_input.input_hash(), stored.input_hash);
    let rules_text: String =
        sqlx::query_scalar("select source_text from catalog_version where version = $1")
            .bind(stored.rules_version)
            .fetch_one(stack.db.pool())
            .await
            .unwrap();
    let rules = TechnicalCatalog::from_toml("stored", &rules_text).unwrap();
    assert_eq!(rules.version().label(), stored.rules_label);
    let recomputed = decompose(&stored_input, &rules).unwrap();
    assert_eq!(recomputed.plan_hash, stored.plan_hash);
    assert_eq!(recomputed.to_canonical_json(), stored.plan_json.as_bytes());

    // The restarted service decomposes the same input again (its plan row removed, as if
    // lost) into the byte-identical plan.
    sqlx::query("delete from decomposition_plan where order_id = $1")
        .bind(input.order_id.as_uuid())
        .execute(stack.db.pool())
        .await
        .unwrap();
    stack.release(&release).await;
    let again = stack.plan_row(input.order_id).await.expect("planned again");
    assert_eq!(again.plan_hash, stored.plan_hash);
    assert_eq!(again.plan_json, stored.plan_json);
    assert_eq!(again.input_hash, stored.input_hash);
    assert_eq!(again.rules_label, stored.rules_label);
    second.stop().await;
}
