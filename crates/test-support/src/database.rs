//! `TestDatabase`: a fresh PostgreSQL database per test, migrated, and dropped afterwards.
//!
//! The database is named `oms_test_<uuid v7>` on the server at `OMS_PG_ADMIN_URL`. It is dropped
//! (`WITH (FORCE)`, so open pool connections do not block it) by [`TestDatabase::cleanup`], or
//! else when the value is dropped: `Drop` cannot await, so it runs the drop on a separate thread
//! with its own small runtime and waits for it, which works inside and outside a Tokio runtime.
//! Set `OMS_TEST_KEEP_DATABASES=1` to keep databases for inspection. Databases leaked by killed
//! test processes are purged by the first `create` of each process once older than an hour (and
//! by `cargo run -p oms-test-support --bin oms-purge-test-databases`).

use crate::env::pg_admin_url;
use crate::purge::{TEST_DATABASE_PREFIX, drop_database, purge_stale_databases};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection as _, Executor as _};
use std::str::FromStr as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Test databases older than this are taken as leaked.
const STALE_AFTER: Duration = Duration::from_hours(1);
/// Keep databases instead of dropping them.
const KEEP_VAR: &str = "OMS_TEST_KEEP_DATABASES";

static PURGED_THIS_PROCESS: AtomicBool = AtomicBool::new(false);

/// A migrated database that exists for one test.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
    admin_url: String,
    pool: PgPool,
    dropped: bool,
}

impl TestDatabase {
    /// Creates a fresh database and runs `migrator` on it. Panics with the reason when
    /// PostgreSQL is unreachable or a migration fails: a test cannot continue without it.
    pub async fn create(migrator: &Migrator) -> Self {
        let database = Self::create_empty().await;
        if let Err(error) = migrator.run(&database.pool).await {
            panic!("migrating test database {}: {error}", database.name);
        }
        database
    }

    /// Creates a fresh database without running migrations.
    pub async fn create_empty() -> Self {
        let admin_url = pg_admin_url();
        if !PURGED_THIS_PROCESS.swap(true, Ordering::SeqCst)
            && let Err(error) = purge_stale_databases(&admin_url, STALE_AFTER).await
        {
            eprintln!("warning: could not purge stale test databases: {error}");
        }
        let name = format!("{TEST_DATABASE_PREFIX}{}", uuid::Uuid::now_v7().simple());
        let mut admin = admin_connection(&admin_url).await;
        let create = format!("create database \"{name}\"");
        if let Err(error) = admin.execute(create.as_str()).await {
            panic!("creating test database {name}: {error}");
        }
        let _closed = admin.close().await;
        let url = database_url(&admin_url, &name);
        let pool = PgPoolOptions::new()
            .max_connections(5)
            .acquire_timeout(Duration::from_secs(10))
            .connect(&url)
            .await
            .unwrap_or_else(|error| panic!("connecting to test database {name}: {error}"));
        Self {
            name,
            url,
            admin_url,
            pool,
            dropped: false,
        }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Connection URL of the database, for the configuration of the app under test.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Closes the pool and drops the database now.
    pub async fn cleanup(mut self) {
        self.dropped = true;
        self.pool.close().await;
        if keep_databases() {
            return;
        }
        let mut admin = admin_connection(&self.admin_url).await;
        if let Err(error) = drop_database(&mut admin, &self.name).await {
            eprintln!(
                "warning: could not drop test database {}: {error}",
                self.name
            );
        }
        let _closed = admin.close().await;
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if self.dropped || keep_databases() {
            return;
        }
        self.dropped = true;
        let name = self.name.clone();
        let admin_url = self.admin_url.clone();
        // A thread of its own: this may run inside a Tokio runtime, where blocking on another
        // future is not allowed, or outside any runtime.
        let outcome = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| error.to_string())?;
            runtime.block_on(async {
                let options = PgConnectOptions::from_str(&admin_url)
                    .map_err(|error| error.to_string())?
                    .database("postgres");
                let mut admin = PgConnection::connect_with(&options)
                    .await
                    .map_err(|error| error.to_string())?;
                drop_database(&mut admin, &name)
                    .await
                    .map_err(|error| error.to_string())?;
                let _closed = admin.close().await;
                Ok::<(), String>(())
            })
        })
        .join();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!(
                "warning: could not drop test database {}: {error}",
                self.name
            ),
            Err(_) => eprintln!("warning: dropping test database {} panicked", self.name),
        }
    }
}

fn keep_databases() -> bool {
    std::env::var(KEEP_VAR).is_ok_and(|value| value == "1" || value == "true")
}

async fn admin_connection(admin_url: &str) -> PgConnection {
    let options = PgConnectOptions::from_str(admin_url)
        .unwrap_or_else(|error| panic!("OMS_PG_ADMIN_URL is not a PostgreSQL URL: {error}"))
        .database("postgres");
    PgConnection::connect_with(&options)
        .await
        .unwrap_or_else(|error| {
            panic!(
                "connecting to PostgreSQL for test databases (is it running? `make up`): {error}"
            )
        })
}

/// `postgres://host:port[?query]` + `name` -> `postgres://host:port/name[?query]`.
fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    let base = base.trim_end_matches('/');
    // An admin URL that names a database (`.../postgres`) has it replaced.
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_keep_the_server_and_the_query() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432", "db"),
            "postgres://postgres@127.0.0.1:5432/db"
        );
        assert_eq!(
            database_url("postgres://u:p@h:1/postgres?sslmode=disable", "db"),
            "postgres://u:p@h:1/db?sslmode=disable"
        );
        assert_eq!(database_url("postgres://h/", "db"), "postgres://h/db");
    }
}
