//! Configuration of the binary: command-line flags, each with an environment variable.

use std::net::SocketAddr;

/// Default PostgreSQL database of the local stack.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/oms_schema_registry";

/// Runtime configuration. Every flag can also be given through its environment variable; the log
/// filter is read from `RUST_LOG` by the binary (default `info`).
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "oms-schema-registry",
    version,
    about = "Local stand-in for a Confluent Schema Registry (Avro only, PostgreSQL-backed). \
             Not for production: production uses a real Confluent Schema Registry."
)]
pub struct Config {
    /// Address to listen on (use port 0 for a random free port).
    #[arg(
        long = "listen-addr",
        env = "OMS_SCHEMA_REGISTRY_ADDR",
        default_value = "127.0.0.1:8081"
    )]
    pub listen_addr: SocketAddr,

    /// PostgreSQL URL. The database is created at startup if it does not exist (through the
    /// `postgres` maintenance database of the same server), then migrated.
    #[arg(long = "database-url", env = "OMS_SCHEMA_REGISTRY_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// Maximum number of pooled database connections.
    #[arg(
        long = "db-max-connections",
        env = "OMS_SCHEMA_REGISTRY_DB_MAX_CONNECTIONS",
        default_value_t = 8
    )]
    pub db_max_connections: u32,
}

impl Config {
    /// A configuration for the given database that listens on a random local port (tests).
    pub fn for_tests(database_url: impl Into<String>) -> Self {
        Self {
            listen_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: database_url.into(),
            db_max_connections: 4,
        }
    }
}
