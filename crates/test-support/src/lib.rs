//! Helpers for integration tests against real components (a dev-dependency only, never linked
//! into a service binary):
//! - [`TestDatabase`]: a fresh, migrated PostgreSQL database per test, dropped afterwards;
//! - [`eventually`]: poll until a condition holds, failing with a descriptive message;
//! - [`env`](mod@env): where the local stack's PostgreSQL, broker and schema registry are, read from the
//!   same variables `deploy/local/stack.sh` uses, so tests and the stack agree;
//! - [`TestClient`]: an HTTP client with a base URL and a bearer token, plus [`expect_problem`]
//!   to check problem+json answers.
//!
//! A service's `spawn_app()` lives in that service's tests: it builds the service's
//! `Application` on port 0 against a `TestDatabase` and returns a `TestClient` for it.

mod client;
mod database;
pub mod env;
mod eventually;
mod purge;

pub use client::{TestClient, expect_problem};
pub use database::TestDatabase;
pub use eventually::eventually;
pub use purge::{TEST_DATABASE_PREFIX, purge_stale_databases};
