//! `TestDatabase` against the real local PostgreSQL: fresh, migrated, dropped by `cleanup`, by
//! `Drop` inside and outside a runtime; stale databases purged by age.

use oms_test_support::env::pg_admin_url;
use oms_test_support::{TEST_DATABASE_PREFIX, TestDatabase, purge_stale_databases};
use sqlx::Connection as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("tests/migrations");

async fn exists(name: &str) -> bool {
    let mut admin = sqlx::PgConnection::connect(&format!("{}/postgres", pg_admin_url()))
        .await
        .unwrap();
    sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
        .bind(name)
        .fetch_one(&mut admin)
        .await
        .unwrap()
}

async fn create_named(name: &str) {
    let mut admin = sqlx::PgConnection::connect(&format!("{}/postgres", pg_admin_url()))
        .await
        .unwrap();
    sqlx::Executor::execute(&mut admin, format!("create database \"{name}\"").as_str())
        .await
        .unwrap();
}

#[tokio::test]
async fn create_gives_a_fresh_migrated_database_and_cleanup_drops_it() {
    let database = TestDatabase::create(&MIGRATOR).await;
    let name = database.name().to_owned();
    assert!(name.starts_with(TEST_DATABASE_PREFIX), "{name}");
    assert!(
        database.url().ends_with(&format!("/{name}")),
        "{}",
        database.url()
    );
    sqlx::query("insert into widgets (id) values (1)")
        .execute(database.pool())
        .await
        .expect("migrated");
    let mut by_url = sqlx::PgConnection::connect(database.url()).await.unwrap();
    let count: i64 = sqlx::query_scalar("select count(*) from widgets")
        .fetch_one(&mut by_url)
        .await
        .unwrap();
    assert_eq!(count, 1, "the URL reaches the same database");
    drop(by_url);

    let other = TestDatabase::create(&MIGRATOR).await;
    assert_ne!(other.name(), name, "one database per test");

    database.cleanup().await;
    assert!(!exists(&name).await, "cleanup dropped it");
    other.cleanup().await;
}

#[tokio::test]
async fn dropping_inside_a_runtime_drops_the_database_even_with_open_connections() {
    let database = TestDatabase::create(&MIGRATOR).await;
    let name = database.name().to_owned();
    let _held = database.pool().acquire().await.unwrap();
    assert!(exists(&name).await);
    drop(database);
    assert!(!exists(&name).await, "Drop dropped it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_on_a_multi_thread_runtime_works_too() {
    let database = TestDatabase::create_empty().await;
    let name = database.name().to_owned();
    drop(database);
    assert!(!exists(&name).await);
}

#[test]
fn dropping_outside_any_runtime_works() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let database = runtime.block_on(TestDatabase::create_empty());
    let name = database.name().to_owned();
    drop(runtime);
    drop(database);
    let check = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert!(!check.block_on(exists(&name)));
}

#[tokio::test]
async fn purge_drops_only_test_databases_older_than_the_cut_off() {
    // Ten minutes old with a five-minute cut-off: old enough for this purge, too young for the
    // automatic one-hour purge that other test processes may run meanwhile.
    let fresh = TestDatabase::create_empty().await;
    let ten_minutes_ago = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .saturating_sub(Duration::from_mins(10));
    let old_id = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        ten_minutes_ago.as_secs(),
        ten_minutes_ago.subsec_nanos(),
    ));
    let stale = format!("{TEST_DATABASE_PREFIX}{}", old_id.simple());
    create_named(&stale).await;

    let dropped = purge_stale_databases(&pg_admin_url(), Duration::from_mins(5))
        .await
        .unwrap();
    assert!(dropped.contains(&stale), "{dropped:?}");
    assert!(
        !dropped.iter().any(|name| name == fresh.name()),
        "{dropped:?}"
    );
    assert!(!exists(&stale).await);
    assert!(
        exists(fresh.name()).await,
        "a running test's database is kept"
    );
    fresh.cleanup().await;
}
