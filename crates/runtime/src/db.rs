//! Database bootstrap: create the service's database when missing, open the pool, migrate.
//!
//! `ensure_database_exists` is safe to run from several processes at once (replicas starting
//! together, parallel tests): losing the race to `CREATE DATABASE` is recognised by SQLSTATE and
//! treated as success. Migrations take sqlx's advisory lock, so concurrent migrators serialise.

use crate::config::DatabaseConfig;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection as _, Executor as _};
use std::str::FromStr as _;
use std::time::Duration;

/// SQLSTATE `duplicate_database`: the database was created between our check and our create.
const DUPLICATE_DATABASE: &str = "42P04";
/// SQLSTATE `unique_violation`: same race, caught by `pg_database`'s unique index instead.
const UNIQUE_VIOLATION: &str = "23505";
/// The maintenance database every PostgreSQL server has.
const MAINTENANCE_DATABASE: &str = "postgres";

/// Why the database could not be prepared. Messages never contain the URL (it may hold a
/// password).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the database URL is invalid: {0}")]
    InvalidUrl(#[source] sqlx::Error),
    #[error("the database URL names no database")]
    NoDatabaseName,
    #[error("cannot connect to PostgreSQL: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot create database `{database}`: {source}")]
    CreateDatabase {
        database: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] MigrateError),
}

/// Whether [`ensure_database_exists`] had to create the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseCreation {
    Created,
    AlreadyExisted,
}

/// Opens a pool of at most `max_connections` connections (with a 5 s acquire timeout).
pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, DbError> {
    let options = parse(url)?;
    pool_options(max_connections, Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(DbError::Connect)
}

/// Creates the database named in `url` when it does not exist, connecting to the server's
/// `postgres` maintenance database with the same credentials.
#[tracing::instrument(skip_all, err)]
pub async fn ensure_database_exists(url: &str) -> Result<DatabaseCreation, DbError> {
    let options = parse(url)?;
    let database = options
        .get_database()
        .filter(|name| !name.is_empty())
        .ok_or(DbError::NoDatabaseName)?
        .to_owned();
    let admin = PgConnection::connect_with(&options.database(MAINTENANCE_DATABASE))
        .await
        .map_err(DbError::Connect)?;
    let creation = create_if_missing(admin, &database)
        .await
        .map_err(|source| DbError::CreateDatabase {
            database: database.clone(),
            source,
        })?;
    if creation == DatabaseCreation::Created {
        tracing::info!(database, "created database");
    }
    Ok(creation)
}

/// Takes the connection by value: borrowing it across these awaits trips the compiler's
/// `Send` inference for callers that spawn the future.
async fn create_if_missing(
    mut admin: PgConnection,
    database: &str,
) -> Result<DatabaseCreation, sqlx::Error> {
    let exists: bool =
        sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
            .bind(database)
            .fetch_one(&mut admin)
            .await?;
    let creation = if exists {
        DatabaseCreation::AlreadyExisted
    } else {
        let statement = format!("create database {}", quote_identifier(database));
        // `Executor::execute` rather than `raw_sql`, whose future is not `Send` for callers
        // that spawn it (sqlx#3150).
        match admin.execute(statement.as_str()).await {
            Ok(_) => DatabaseCreation::Created,
            Err(error) if is_lost_creation_race(&error) => DatabaseCreation::AlreadyExisted,
            Err(error) => return Err(error),
        }
    };
    // Closing is best effort: the answer is already known.
    let _closed = admin.close().await;
    Ok(creation)
}

fn is_lost_creation_race(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(sqlx::error::DatabaseError::code)
        .is_some_and(|code| code == DUPLICATE_DATABASE || code == UNIQUE_VIOLATION)
}

/// Ensures the database exists (when configured to), opens the pool and runs pending
/// migrations.
#[tracing::instrument(skip_all, err)]
pub async fn connect_and_migrate(
    config: &DatabaseConfig,
    migrator: &Migrator,
) -> Result<PgPool, DbError> {
    let url = config.url.expose();
    if config.create_if_missing {
        ensure_database_exists(url).await?;
    }
    let pool = pool_options(config.max_connections, config.acquire_timeout())
        .connect_with(parse(url)?)
        .await
        .map_err(DbError::Connect)?;
    migrator.run(&pool).await?;
    Ok(pool)
}

/// Quotes an identifier for SQL text (`create database` cannot take a bind parameter).
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn pool_options(max_connections: u32, acquire_timeout: Duration) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(acquire_timeout)
}

fn parse(url: &str) -> Result<PgConnectOptions, DbError> {
    PgConnectOptions::from_str(url).map_err(DbError::InvalidUrl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_duplicate_create_is_recognised_by_sqlstate() {
        let admin_url = oms_test_support::env::pg_admin_url();
        let mut admin = PgConnection::connect(&format!("{admin_url}/postgres"))
            .await
            .unwrap();
        let name = format!(
            "{}{}",
            oms_test_support::TEST_DATABASE_PREFIX,
            uuid::Uuid::now_v7().simple()
        );
        let create = format!("create database {}", quote_identifier(&name));
        admin.execute(create.as_str()).await.unwrap();
        let error = admin.execute(create.as_str()).await.unwrap_err();
        let is_race = is_lost_creation_race(&error);
        let drop = format!("drop database {} with (force)", quote_identifier(&name));
        admin.execute(drop.as_str()).await.unwrap();
        assert!(is_race, "42P04 is the lost race: {error}");
        let other = admin
            .execute("select * from no_such_table")
            .await
            .unwrap_err();
        assert!(
            !is_lost_creation_race(&other),
            "other errors are not: {other}"
        );
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_identifier("oms_orders"), "\"oms_orders\"");
        assert_eq!(quote_identifier("we\"ird"), "\"we\"\"ird\"");
    }
}
