//! End-to-end harness: starts every OMS service *binary* as its own process against the real
//! PostgreSQL, broker and schema registry, isolated from everything else by a fresh topic
//! prefix, fresh databases and free ports, and stops them on drop.
//!
//! Used by the golden scenarios in `tests/` and by `oms-bench pipeline`. The binaries must be
//! built first (`cargo build --bins`, which `make test` and `make bench` do); the harness
//! fails with that hint when one is missing.

pub mod scenario;
pub mod spans;
pub mod stack;

pub use stack::{Infra, Service, ServiceStack, StackOptions};
