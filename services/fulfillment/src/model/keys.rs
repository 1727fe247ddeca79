//! Names fulfillment derives instead of drawing at random, so a crash and a redelivery
//! arrive at the same value: the idempotency key of a task's downstream request, and the id
//! of the asset a CREATE item brings into the installed base.

use uuid::Uuid;

/// Namespace of fulfillment's name-based (v5) UUIDs.
const ASSET_NAMESPACE: Uuid = Uuid::from_u128(0x5f1e_c0de_0fa1_4f6b_9a3c_0e7d_2b8a_1c44);

/// The idempotency key of a task's downstream request: `<task id>:<generation>`. The
/// generation starts at 1 and moves only when the downstream system closed the previous
/// request with a failure (ADR 0007), so every re-dispatch of the same request, whether a
/// retry or a recovery after a crash, presents the same key.
pub fn idempotency_key(task_id: Uuid, generation: i32) -> String {
    format!("{task_id}:{generation}")
}

/// The asset id of a CREATE item: a v5 UUID over order id and item id. The same item always
/// names the same new asset, however often fulfillment restarts or redelivers.
pub fn new_asset_id(order_id: Uuid, item_id: Uuid) -> String {
    Uuid::new_v5(&ASSET_NAMESPACE, format!("{order_id}/{item_id}").as_bytes()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names_are_stable_and_distinct() {
        let order = Uuid::from_u128(1);
        let (a, b) = (Uuid::from_u128(2), Uuid::from_u128(3));
        assert_eq!(new_asset_id(order, a), new_asset_id(order, a));
        assert_ne!(new_asset_id(order, a), new_asset_id(order, b));
        assert_eq!(
            idempotency_key(a, 1),
            "00000000-0000-0000-0000-000000000002:1"
        );
    }
}
