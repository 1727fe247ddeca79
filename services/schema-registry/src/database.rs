//! Database bootstrap: create the registry's database when it does not exist (through the
//! `postgres` maintenance database of the same server), connect a pool, apply the migrations in
//! `migrations/schema-registry`.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions as _, Connection as _, PgPool};

/// SQLSTATE `duplicate_database`: someone else created it between our check and our create.
const DUPLICATE_DATABASE: &str = "42P04";

/// The maintenance database used to create (and, in tests, drop) databases.
pub const MAINTENANCE_DATABASE: &str = "postgres";

/// Connection options for `url` and the database name it names.
pub fn parse_url(url: &str) -> anyhow::Result<(PgConnectOptions, String)> {
    let options = PgConnectOptions::from_str(url)
        .with_context(|| "invalid database URL (expected postgres://user@host:port/database)")?;
    let name = options
        .get_database()
        .context("the database URL names no database")?
        .to_owned();
    Ok((options, name))
}

/// Quotes an SQL identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Creates the database named by `url` unless it exists.
pub async fn ensure_database(url: &str) -> anyhow::Result<()> {
    let (options, name) = parse_url(url)?;
    let mut admin = options
        .clone()
        .database(MAINTENANCE_DATABASE)
        .connect()
        .await
        .with_context(|| {
            format!("connecting to the `{MAINTENANCE_DATABASE}` maintenance database")
        })?;
    // Runtime-checked queries: these run against the maintenance database, not our schema.
    let exists: bool =
        sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
            .bind(&name)
            .fetch_one(&mut admin)
            .await
            .context("checking whether the database exists")?;
    if !exists {
        let create = format!("create database {}", quote_ident(&name));
        match sqlx::raw_sql(&create).execute(&mut admin).await {
            Ok(_) => tracing::info!(database = %name, "created database"),
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some(DUPLICATE_DATABASE) => {}
            Err(e) => return Err(e).with_context(|| format!("creating database {name}")),
        }
    }
    admin.close().await.ok();
    Ok(())
}

/// Creates the database if needed, connects a pool and applies the migrations.
pub async fn connect_and_migrate(url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    ensure_database(url).await?;
    let (options, _) = parse_url(url)?;
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .context("connecting to the schema registry database")?;
    sqlx::migrate!("../../migrations/schema-registry")
        .run(&pool)
        .await
        .context("applying the schema registry migrations")?;
    Ok(pool)
}
