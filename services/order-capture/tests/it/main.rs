//! Integration tests of order-capture against the real PostgreSQL, broker and schema
//! registry: the service runs on port 0 with its own test database and topic prefix.

mod api_contract;
mod holds;
mod idempotency;
mod lifecycle;
mod persistence;
mod quotes;
mod service;
mod support;
mod tenancy;
mod validation;
