//! Dropping test databases that earlier runs leaked (a killed test process never runs `Drop`).
//!
//! A test database is named `oms_test_<uuid v7 hex>`, and a UUID v7 starts with its creation time
//! in milliseconds, so the age of a database is read from its name: no bookkeeping table, and
//! databases of runs in progress (younger than the cut-off) are left alone.

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection as _, Executor as _};
use std::str::FromStr as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Prefix of every database [`crate::TestDatabase`] creates.
pub const TEST_DATABASE_PREFIX: &str = "oms_test_";

/// Drops the `oms_test_*` databases created more than `older_than` ago on the server at
/// `admin_url`; returns their names. Databases whose name carries no UUID v7 are left alone.
pub async fn purge_stale_databases(
    admin_url: &str,
    older_than: Duration,
) -> Result<Vec<String>, sqlx::Error> {
    let options = PgConnectOptions::from_str(admin_url)?.database("postgres");
    let mut admin = PgConnection::connect_with(&options).await?;
    let names: Vec<String> =
        sqlx::query_scalar("select datname from pg_database where datname like 'oms\\_test\\_%'")
            .fetch_all(&mut admin)
            .await?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let mut dropped = Vec::new();
    for name in names {
        let Some(created) = created_at(&name) else {
            continue;
        };
        if now.saturating_sub(created) > older_than {
            drop_database(&mut admin, &name).await?;
            dropped.push(name);
        }
    }
    let _closed = admin.close().await;
    Ok(dropped)
}

/// `DROP DATABASE IF EXISTS ... WITH (FORCE)`: ends the database's sessions first, and is a
/// no-op when another process dropped it already.
pub(crate) async fn drop_database(admin: &mut PgConnection, name: &str) -> Result<(), sqlx::Error> {
    let statement = format!(
        "drop database if exists \"{}\" with (force)",
        name.replace('"', "\"\"")
    );
    // `Executor::execute` rather than `raw_sql`, whose future is not `Send` (sqlx#3150).
    admin.execute(statement.as_str()).await.map(drop)
}

/// Creation time (since the Unix epoch) encoded in a test database name.
pub(crate) fn created_at(name: &str) -> Option<Duration> {
    let id = uuid::Uuid::try_parse(name.strip_prefix(TEST_DATABASE_PREFIX)?).ok()?;
    if id.get_version_num() != 7 {
        return None;
    }
    let (seconds, nanos) = id.get_timestamp()?.to_unix();
    Some(Duration::new(seconds, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_creation_time_is_read_from_the_name() {
        let before = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let name = format!("{TEST_DATABASE_PREFIX}{}", uuid::Uuid::now_v7().simple());
        let created = created_at(&name).expect("a v7 name");
        assert!(created + Duration::from_millis(1) >= before);
        assert!(created_at("oms_test_not_a_uuid").is_none());
        let v4 = format!("{TEST_DATABASE_PREFIX}{}", uuid::Uuid::new_v4().simple());
        assert!(created_at(&v4).is_none(), "only v7 names carry a time");
        assert!(created_at("oms_orders").is_none());
    }
}
