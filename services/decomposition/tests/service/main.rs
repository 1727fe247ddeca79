//! Integration tests of the decomposition service against real PostgreSQL, broker and schema
//! registry: each test gets its own database and topic prefix, releases orders on the order
//! topic exactly as order-capture does (contracts encoder, key = order id), and checks the
//! decomposition topic, the stored plans and failures, and the API.
//!
//! The orders are the core's fixtures (`tests/decomposition/support.rs`: the fiber bundle and
//! the realistic failing orders), turned into full `OrderReleasedForDecomposition` events.

#[allow(dead_code)] // the core's fixtures; each test binary uses a different subset
#[path = "../decomposition/support.rs"]
mod fixtures;
mod support;

mod catalog_api;
mod decompose;
mod failures;
mod restart;
