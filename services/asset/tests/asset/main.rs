//! Integration tests of the asset service against real PostgreSQL, broker and schema
//! registry: each test gets its own database and topic prefix, publishes `OrderItemFulfilled`
//! records as the fulfillment service does, and checks the installed base, its history, the
//! asset events and the API.

mod api;
mod lifecycle;
mod replay;
mod support;
