//! Which migrations belong to which service, and running them.
//!
//! The migrators are the services' own (`oms_<service>::MIGRATOR`), embedded at compile time
//! from `migrations/<service>/`, so the init container of an image applies exactly the
//! migrations of the binary beside it. sqlx takes an advisory lock while migrating, so replicas
//! starting together apply each migration once; the service's own start-up run then finds
//! nothing left to do.

use oms_runtime::config::{CommonConfig, ConfigLoader, DatabaseConfig};
use serde::{Deserialize, Serialize};
use sqlx::migrate::Migrator;

/// A service with a database of its own.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub service: &'static str,
    pub migrator: &'static Migrator,
    /// The database's name on the local stack (the default of `database.url`).
    pub local_database: &'static str,
    /// The HTTP port on the local stack.
    pub local_port: u16,
}

/// Every service that owns a database, in start-up order.
pub const TARGETS: [Target; 5] = [
    Target {
        service: oms_order_capture::SERVICE,
        migrator: &oms_order_capture::MIGRATOR,
        local_database: "oms_order_capture",
        local_port: 8080,
    },
    Target {
        service: oms_decomposition::SERVICE,
        migrator: &oms_decomposition::MIGRATOR,
        local_database: oms_decomposition::config::LOCAL_DATABASE,
        local_port: oms_decomposition::config::LOCAL_PORT,
    },
    Target {
        service: oms_fulfillment::config::SERVICE,
        migrator: &oms_fulfillment::MIGRATOR,
        local_database: "oms_fulfillment",
        local_port: 8083,
    },
    Target {
        service: oms_asset::SERVICE,
        migrator: &oms_asset::MIGRATOR,
        local_database: oms_asset::config::LOCAL_DATABASE,
        local_port: oms_asset::config::LOCAL_PORT,
    },
    Target {
        service: oms_projections::SERVICE,
        migrator: &oms_projections::startup::MIGRATOR,
        local_database: oms_projections::config::LOCAL_DATABASE,
        local_port: oms_projections::config::LOCAL_PORT,
    },
];

/// The target named `service`.
pub fn target(service: &str) -> Option<Target> {
    TARGETS.into_iter().find(|target| target.service == service)
}

/// The only section `oms-migrate` reads: `database.*`, with the service's local default.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MigrateConfig {
    pub database: DatabaseConfig,
}

impl Target {
    /// `database.*` of this service, layered as the service loads it.
    pub fn load_config(&self) -> Result<MigrateConfig, oms_runtime::config::ConfigError> {
        let local = CommonConfig::local(self.service, self.local_database, self.local_port);
        ConfigLoader::new(self.service).load_one(&MigrateConfig {
            database: local.database,
        })
    }

    /// The newest migration version this build knows.
    pub fn latest_version(&self) -> Option<i64> {
        self.migrator.iter().map(|m| m.version).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_with_a_database_has_migrations_and_a_unique_name() {
        let mut names: Vec<_> = TARGETS.iter().map(|t| t.service).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TARGETS.len());
        for target in TARGETS {
            assert!(
                target.migrator.iter().count() > 0,
                "{} has no migrations",
                target.service
            );
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../migrations")
                .join(target.service);
            let files = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "sql"))
                .count();
            assert_eq!(
                target.migrator.iter().count(),
                files,
                "{}: the embedded migrator is the folder's",
                target.service
            );
        }
        assert_eq!(target("asset").map(|t| t.local_port), Some(8084));
        assert_eq!(target("projections").map(|t| t.local_port), Some(8085));
        assert!(target("schema-registry").is_none());
    }
}
