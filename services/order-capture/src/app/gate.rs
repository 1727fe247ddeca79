//! An in-process gate per idempotency key: concurrent requests with the same tenant + key
//! on one replica queue here, in memory, instead of each holding a pooled database
//! connection while it waits on the key's row lock. The database stays the guard across
//! replicas (`idempotency_records_pkey`); this only keeps a burst of duplicates from
//! exhausting the pool.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

type Slots = Arc<Mutex<HashMap<String, Arc<AsyncMutex<()>>>>>;

#[derive(Debug, Default, Clone)]
pub struct KeyGate {
    slots: Slots,
}

/// Held while a request with this key runs; frees the slot when the last holder leaves.
#[derive(Debug)]
pub struct KeyGuard {
    slots: Slots,
    key: String,
    slot: Arc<AsyncMutex<()>>,
    guard: Option<OwnedMutexGuard<()>>,
}

impl KeyGate {
    pub fn new() -> Self {
        Self::default()
    }

    /// Waits until no other request of this replica holds `key`.
    pub async fn enter(&self, key: String) -> KeyGuard {
        let slot = self
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.clone())
            .or_default()
            .clone();
        let guard = slot.clone().lock_owned().await;
        KeyGuard {
            slots: self.slots.clone(),
            key,
            slot,
            guard: Some(guard),
        }
    }

    /// Keys currently held or awaited (tests).
    pub fn len(&self) -> usize {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for KeyGuard {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        // The map's clone and ours: nobody else waits for this key.
        if Arc::strong_count(&self.slot) <= 2 {
            slots.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn one_holder_per_key_and_slots_are_freed() {
        let gate = KeyGate::new();
        let inside = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let gate = gate.clone();
            let inside = inside.clone();
            tasks.push(tokio::spawn(async move {
                let _guard = gate.enter("acme/k".to_owned()).await;
                assert_eq!(
                    inside.fetch_add(1, Ordering::SeqCst),
                    0,
                    "one holder at a time"
                );
                tokio::time::sleep(Duration::from_millis(1)).await;
                inside.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        let other = gate.enter("acme/other".to_owned()).await;
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(gate.len(), 1, "only the other key is still held");
        drop(other);
        assert!(gate.is_empty());
    }
}
