//! What the services did to their databases during a benchmark: commits (from
//! `pg_stat_database.xact_commit`) and rows (counted per table), so figures can be stated per
//! order and compared with the PostgreSQL commit ceiling of a transaction of the same shape.

use sqlx::{PgPool, Row as _};

/// Commits of database `name` so far (all sessions), from the statistics collector.
pub async fn commits(admin: &PgPool, name: &str) -> anyhow::Result<i64> {
    // Statistics are flushed by backends at most once a second; ask for a fresh snapshot.
    sqlx::query("select pg_stat_clear_snapshot()")
        .execute(admin)
        .await?;
    Ok(sqlx::query_scalar(
        "select coalesce(xact_commit, 0) from pg_stat_database where datname = $1",
    )
    .bind(name)
    .fetch_one(admin)
    .await?)
}

/// Rows and their total size over every table of the database at `url`.
#[derive(Debug, Clone, Copy, Default)]
pub struct RowStats {
    pub rows: i64,
    pub bytes: i64,
}

pub async fn rows(url: &str) -> anyhow::Result<RowStats> {
    let pool = PgPool::connect(url).await?;
    let tables: Vec<String> = sqlx::query_scalar(
        "select table_name::text from information_schema.tables
         where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&pool)
    .await?;
    let mut stats = RowStats::default();
    for table in tables {
        let row = sqlx::query(&format!(
            "select count(*)::bigint as n, coalesce(sum(pg_column_size(t.*)), 0)::bigint as b from \"{table}\" t"
        ))
        .fetch_one(&pool)
        .await?;
        stats.rows += row.get::<i64, _>("n");
        stats.bytes += row.get::<i64, _>("b");
    }
    pool.close().await;
    Ok(stats)
}

/// The database name at the end of a PostgreSQL URL.
pub fn database_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}
