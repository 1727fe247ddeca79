//! Integration tests of the fulfillment service against real PostgreSQL, the broker and the
//! schema registry: one database and one topic prefix per test.

mod amend;
mod crash;
mod engine;
mod failures;
mod operator;
mod support;
