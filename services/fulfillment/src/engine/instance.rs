//! The engine's identity and liveness: a random instance id, held as a PostgreSQL
//! session-level advisory lock on a dedicated connection for as long as the engine runs.
//!
//! A DISPATCHED task records the instance that dispatched it. Whether that instance is
//! alive is a question PostgreSQL answers exactly: its lock is held while its session
//! exists, and released the moment the process dies (SIGKILL included) or its connection
//! drops. Recovery takes over only tasks whose owner's lock it can take itself
//! (`pg_try_advisory_xact_lock`), so a live engine's calls in flight are never duplicated by
//! another replica, and a dead engine's are resumed at once, without waiting for a lease.

use sqlx::{Connection as _, PgConnection};
use tokio::sync::Mutex;

/// First key of the two-key advisory lock space used for engine instances (the relay uses
/// the one-key space, which does not overlap).
pub const LOCK_CLASS: i32 = 0x0FF1_0E47;

/// A running engine's identity.
#[derive(Debug)]
pub struct Instance {
    id: i32,
    conn: Mutex<PgConnection>,
}

#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    #[error("engine lock connection: {0}")]
    Database(#[from] sqlx::Error),
    #[error("no free engine instance id after {0} tries")]
    NoFreeId(u32),
}

impl Instance {
    /// Picks a random id and holds its lock on a dedicated connection to `database_url`.
    pub async fn acquire(database_url: &str) -> Result<Self, InstanceError> {
        let mut conn = PgConnection::connect(database_url).await?;
        for _ in 0..16 {
            let id = rand::random_range(1..i32::MAX);
            let locked: bool = sqlx::query_scalar!(
                r#"select pg_try_advisory_lock($1, $2) as "locked!""#,
                LOCK_CLASS,
                id
            )
            .fetch_one(&mut conn)
            .await?;
            if locked {
                tracing::info!(engine_instance = id, "engine instance lock held");
                return Ok(Self {
                    id,
                    conn: Mutex::new(conn),
                });
            }
        }
        Err(InstanceError::NoFreeId(16))
    }

    pub fn id(&self) -> i32 {
        self.id
    }

    /// Fails when the lock connection is gone: then other engines may already be taking
    /// over this engine's tasks, so it must stop dispatching.
    pub async fn check(&self) -> Result<(), InstanceError> {
        let mut conn = self.conn.lock().await;
        let held: bool = sqlx::query_scalar!(
            r#"select exists (
                   select 1 from pg_locks
                   where locktype = 'advisory' and pid = pg_backend_pid() and granted
                     and classid = $1::int::oid and objid = $2::int::oid and objsubid = 2
               ) as "held!""#,
            LOCK_CLASS,
            self.id
        )
        .fetch_one(&mut *conn)
        .await?;
        if held {
            Ok(())
        } else {
            Err(InstanceError::Database(sqlx::Error::Protocol(
                "the engine instance lock is no longer held".into(),
            )))
        }
    }
}
