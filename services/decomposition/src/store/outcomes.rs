//! One outcome per order: a plan or a recorded failure, never both, never two.
//!
//! The consumer takes a transaction-level advisory lock on the order first ([`lock_order`]),
//! then asks [`recorded`]: a second delivery of the same release (a redelivery, a replay of
//! the topic into a new consumer group, a dead-letter replay, the same fact under a new event
//! id) waits for the first transaction and then finds its outcome, so it writes and emits
//! nothing. Records of one order share a partition, so the lock is normally uncontended.

use oms_domain::value::OrderId;
use sqlx::PgConnection;

use super::StoreError;

/// What is already recorded for an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Plan,
    Failure,
}

/// Advisory-lock key of an order: the high 64 bits of its id (UUID v7: the timestamp and
/// version, unique enough; a collision only makes two orders wait for each other).
fn lock_key(order_id: OrderId) -> i64 {
    let (high, _) = order_id.as_uuid().as_u64_pair();
    i64::from_be_bytes(high.to_be_bytes())
}

/// Serialises work on `order_id` until the caller's transaction ends.
pub async fn lock_order(conn: &mut PgConnection, order_id: OrderId) -> Result<(), StoreError> {
    sqlx::query!("select pg_advisory_xact_lock($1)", lock_key(order_id))
        .execute(conn)
        .await?;
    Ok(())
}

/// The outcome already recorded for `order_id`, if any.
pub async fn recorded(
    conn: &mut PgConnection,
    order_id: OrderId,
) -> Result<Option<Recorded>, StoreError> {
    let row = sqlx::query!(
        r#"select exists (select 1 from decomposition_plan where order_id = $1) as "plan!",
                  exists (select 1 from decomposition_failure where order_id = $1) as "failure!""#,
        order_id.as_uuid(),
    )
    .fetch_one(conn)
    .await?;
    Ok(match (row.plan, row.failure) {
        (true, _) => Some(Recorded::Plan),
        (false, true) => Some(Recorded::Failure),
        (false, false) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn lock_keys_follow_the_id() {
        let a = OrderId::from_uuid(Uuid::from_u128(0x0190_f0d2_7c1e_7a3b_9c4d_5e6f_7081_92a3));
        let b = OrderId::from_uuid(Uuid::from_u128(0x0190_f0d2_7c1f_7a3b_9c4d_5e6f_7081_92a3));
        assert_eq!(lock_key(a), 0x0190_f0d2_7c1e_7a3b);
        assert_ne!(lock_key(a), lock_key(b));
        let high = OrderId::from_uuid(Uuid::from_u128(u128::MAX - 1));
        assert_eq!(lock_key(high), -1);
    }
}
