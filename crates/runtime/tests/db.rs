//! Database bootstrap against the real local PostgreSQL (`OMS_PG_ADMIN_URL`).
//! Databases are named like test databases (`oms_test_<uuid v7>`) so a leaked one is purged.

use oms_runtime::config::{DatabaseConfig, Secret};
use oms_runtime::db::{self, DatabaseCreation, DbError};
use oms_test_support::env::pg_admin_url;
use sqlx::Connection as _;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("tests/migrations");

/// A database name that no one uses yet, and its URL; dropped when the guard goes.
struct Fresh {
    name: String,
    url: String,
}

impl Fresh {
    fn new() -> Self {
        let name = format!(
            "{}{}",
            oms_test_support::TEST_DATABASE_PREFIX,
            uuid::Uuid::now_v7().simple()
        );
        let url = format!("{}/{name}", pg_admin_url());
        Self { name, url }
    }

    async fn exists(&self) -> bool {
        let mut admin = sqlx::PgConnection::connect(&format!("{}/postgres", pg_admin_url()))
            .await
            .unwrap();
        sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
            .bind(&self.name)
            .fetch_one(&mut admin)
            .await
            .unwrap()
    }

    async fn drop_now(self) {
        let mut admin = sqlx::PgConnection::connect(&format!("{}/postgres", pg_admin_url()))
            .await
            .unwrap();
        let drop = format!("drop database if exists \"{}\" with (force)", self.name);
        sqlx::Executor::execute(&mut admin, drop.as_str())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn ensure_database_exists_creates_once_then_is_a_no_op() {
    let fresh = Fresh::new();
    assert!(!fresh.exists().await);
    assert_eq!(
        db::ensure_database_exists(&fresh.url).await.unwrap(),
        DatabaseCreation::Created
    );
    assert!(fresh.exists().await);
    assert_eq!(
        db::ensure_database_exists(&fresh.url).await.unwrap(),
        DatabaseCreation::AlreadyExisted
    );
    fresh.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creators_both_succeed_and_exactly_one_creates() {
    // Several rounds, so the lost-race path (42P04/23505) is exercised, not only the
    // exists-check path.
    for _round in 0..5 {
        let fresh = Fresh::new();
        let create =
            |url: String| tokio::spawn(async move { db::ensure_database_exists(&url).await });
        let (a, b) = tokio::join!(create(fresh.url.clone()), create(fresh.url.clone()));
        let outcomes = [a.unwrap().unwrap(), b.unwrap().unwrap()];
        let created = outcomes
            .iter()
            .filter(|outcome| **outcome == DatabaseCreation::Created)
            .count();
        assert_eq!(created, 1, "{outcomes:?}");
        assert!(fresh.exists().await);
        fresh.drop_now().await;
    }
}

#[tokio::test]
async fn connect_and_migrate_creates_migrates_and_is_repeatable() {
    let fresh = Fresh::new();
    let config = DatabaseConfig {
        url: Secret::new(fresh.url.clone()),
        max_connections: 2,
        ..DatabaseConfig::default()
    };
    let pool = db::connect_and_migrate(&config, &MIGRATOR).await.unwrap();
    sqlx::query("insert into probe (id, note) values (1, 'migrated')")
        .execute(&pool)
        .await
        .expect("the migration created the table");
    pool.close().await;

    let pool = db::connect_and_migrate(&config, &MIGRATOR).await.unwrap();
    let note: String = sqlx::query_scalar("select note from probe where id = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(note, "migrated", "a second start keeps the data");
    pool.close().await;
    fresh.drop_now().await;
}

#[tokio::test]
async fn without_create_if_missing_a_missing_database_is_an_error() {
    let fresh = Fresh::new();
    let config = DatabaseConfig {
        url: Secret::new(fresh.url.clone()),
        create_if_missing: false,
        ..DatabaseConfig::default()
    };
    let error = db::connect_and_migrate(&config, &MIGRATOR)
        .await
        .expect_err("the database does not exist");
    assert!(matches!(error, DbError::Connect(_)), "{error}");
    assert!(!fresh.exists().await, "nothing was created");
}

#[tokio::test]
async fn a_url_without_a_database_name_is_rejected() {
    let error = db::ensure_database_exists(&pg_admin_url())
        .await
        .expect_err("no database in the URL");
    assert!(matches!(error, DbError::NoDatabaseName), "{error}");
}

#[tokio::test]
async fn connect_opens_a_working_pool() {
    let pool = db::connect(&format!("{}/postgres", pg_admin_url()), 1)
        .await
        .unwrap();
    let one: i32 = sqlx::query_scalar("select 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(one, 1);
}
