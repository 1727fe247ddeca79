//! `oms-schema-registry`: the local stand-in for a Confluent Schema Registry.
//!
//! No Confluent registry can be installed on the development machines or in CI, so the local
//! stack runs this small service instead; production points at a real Confluent Schema Registry.
//! It implements the subset of Confluent's REST API that our clients (`schema_registry_converter`,
//! Confluent's own client libraries) use, for Avro schemas only, with Confluent's error codes and
//! content type, and keeps its state in PostgreSQL. See `docs/schema-registry.md`.
//!
//! Module map:
//! - [`config`]: command line / environment configuration.
//! - [`startup`]: builds the [`Application`] (database, migrations, listener) and runs it.
//! - [`database`]: creating the database if it is missing, connecting, migrating.
//! - [`http`]: the REST routes, request/response media types.
//! - [`error`]: API errors with Confluent's stable `error_code`s.
//! - [`registry`]: the use cases (register, look up, delete, configure, test compatibility).
//! - [`store`]: the PostgreSQL repository.
//! - [`schema`]: parsing submitted schemas, canonical form and fingerprint (schema identity).
//! - [`compatibility`]: compatibility levels and Avro schema-evolution rules.

pub mod compatibility;
pub mod config;
pub mod database;
pub mod error;
pub mod http;
pub mod registry;
pub mod schema;
pub mod startup;
pub mod store;

pub use config::Config;
pub use startup::Application;
