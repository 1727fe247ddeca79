//! Integration tests: the real HTTP server on a random port over a fresh PostgreSQL database per
//! test (created through the maintenance database and dropped afterwards).
//!
//! - `api`: every endpoint and error code over plain HTTP.
//! - `converter`: a round trip through `schema_registry_converter`, the crate our services use.
//! - `python_interop`: Confluent's Python client (`confluent-kafka`) against this registry.

mod api;
mod converter;
mod helpers;
mod python_interop;
