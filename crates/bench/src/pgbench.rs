//! The PostgreSQL commit ceiling of a transaction shaped like ours, measured with `pgbench` in
//! the same run and on the same server as the benchmark it is compared with.

use crate::stats::report;
use std::{path::PathBuf, process::Command};

/// The shape of one business transaction: how many rows, how wide on average.
#[derive(Debug, Clone, Copy)]
pub struct TransactionShape {
    pub rows: u32,
    pub avg_row_bytes: u32,
}

/// Runs `pgbench` with `clients` connections for `seconds`, each transaction inserting
/// `shape.rows` rows of `shape.avg_row_bytes` bytes with one statement per row (as our
/// repositories do), in a scratch database. Returns transactions per second.
pub fn commit_ceiling(
    admin_url: &str,
    shape: TransactionShape,
    clients: u32,
    seconds: u32,
) -> anyhow::Result<f64> {
    let database = format!("oms_bench_pgbench_{}", uuid::Uuid::now_v7().simple());
    psql(
        admin_url,
        "postgres",
        &format!("create database {database}"),
    )?;
    let result = (|| {
        psql(
            admin_url,
            &database,
            "create table ceiling (id bigint generated always as identity primary key, \
             payload text not null, created_at timestamptz not null default now())",
        )?;
        let insert = format!(
            "insert into ceiling (payload) values (repeat('x', {}));\n",
            shape.avg_row_bytes.max(1)
        );
        let script = format!(
            "begin;\n{}commit;\n",
            insert.repeat(shape.rows.max(1) as usize)
        );
        let path: PathBuf = std::env::temp_dir().join(format!("{database}.sql"));
        std::fs::write(&path, script)?;
        let output = Command::new("pgbench")
            .args(["-n", "-M", "prepared", "-f"])
            .arg(&path)
            .args([
                "-c",
                &clients.to_string(),
                "-j",
                &clients.min(2).to_string(),
                "-T",
                &seconds.to_string(),
            ])
            .arg(format!("{}/{database}", admin_url.trim_end_matches('/')))
            .output()
            .map_err(|e| {
                anyhow::anyhow!("running pgbench (is it installed? it ships with PostgreSQL): {e}")
            })?;
        let _ = std::fs::remove_file(&path);
        let stdout = String::from_utf8_lossy(&output.stdout);
        anyhow::ensure!(
            output.status.success(),
            "pgbench failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
            .lines()
            .find_map(|line| {
                line.strip_prefix("tps = ")
                    .and_then(|rest| rest.split_whitespace().next())
                    .and_then(|n| n.parse::<f64>().ok())
            })
            .ok_or_else(|| anyhow::anyhow!("no tps in pgbench output: {stdout}"))
    })();
    let _ = psql(
        admin_url,
        "postgres",
        &format!("drop database if exists {database} with (force)"),
    );
    let tps = result?;
    report("pgbench_tx_rows", shape.rows);
    report("pgbench_tx_avg_row_bytes", shape.avg_row_bytes);
    report("pgbench_clients", clients);
    Ok(tps)
}

fn psql(admin_url: &str, database: &str, sql: &str) -> anyhow::Result<()> {
    let status = Command::new("psql")
        .arg(format!("{}/{database}", admin_url.trim_end_matches('/')))
        .args(["-qAtc", sql])
        .status()?;
    anyhow::ensure!(status.success(), "psql failed: {sql}");
    Ok(())
}
