//! `eventually`: poll an async probe until it yields a value, for effects that happen in the
//! background (a relay publishing, a consumer applying an event).

use std::future::Future;
use std::panic::Location;
use std::time::Duration;
use tokio::time::Instant;

/// Calls `probe` every `interval` until it returns `Some(value)` and returns the value. Panics,
/// naming the calling line, the timeout and the number of attempts, if `timeout` passes first.
/// A probe call that itself hangs is cut off at the deadline.
///
/// ```no_run
/// # async fn example(pool: sqlx::PgPool) {
/// use std::time::Duration;
/// let published: i64 = oms_test_support::eventually(Duration::from_secs(10), Duration::from_millis(100), || async {
///     let count: i64 = sqlx::query_scalar("select count(*) from outbox where published_at is not null")
///         .fetch_one(&pool).await.ok()?;
///     (count > 0).then_some(count)
/// }).await;
/// # }
/// ```
#[track_caller]
pub fn eventually<T, F, Fut>(
    timeout: Duration,
    interval: Duration,
    mut probe: F,
) -> impl Future<Output = T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let caller = Location::caller();
    async move {
        let deadline = Instant::now() + timeout;
        let mut attempts: u32 = 0;
        loop {
            attempts += 1;
            if let Ok(Some(value)) = tokio::time::timeout_at(deadline, probe()).await {
                return value;
            }
            let now = Instant::now();
            assert!(
                now < deadline,
                "condition polled at {caller} was not met within {timeout:?} \
                 ({attempts} attempts, every {interval:?})"
            );
            // The last attempt happens at the deadline itself.
            tokio::time::sleep_until((now + interval).min(deadline)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn returns_the_first_value() {
        let calls = AtomicU32::new(0);
        let value = eventually(Duration::from_secs(2), Duration::from_millis(5), || async {
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            (n >= 3).then_some(n * 10)
        })
        .await;
        assert_eq!(value, 30);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn times_out_with_a_message_naming_the_caller() {
        let outcome = tokio::spawn(eventually(
            Duration::from_millis(100),
            Duration::from_millis(10),
            || async { None::<()> },
        ))
        .await;
        let panic = outcome.expect_err("must time out").into_panic();
        let message = panic.downcast_ref::<String>().expect("a formatted message");
        assert!(message.contains("eventually.rs"), "{message}");
        assert!(message.contains("100ms"), "{message}");
        assert!(message.contains("attempts"), "{message}");
    }

    #[tokio::test]
    async fn a_hanging_probe_is_cut_off() {
        let outcome = tokio::spawn(eventually(
            Duration::from_millis(100),
            Duration::from_millis(10),
            std::future::pending::<Option<()>>,
        ));
        let result = tokio::time::timeout(Duration::from_secs(2), outcome)
            .await
            .expect("eventually returned despite the hanging probe");
        assert!(result.is_err(), "it panicked with the timeout message");
    }
}
