//! Decomposition tests, one binary (fast to link on a small machine). Pure: no database,
//! no broker. The catalog under test is the sample shipped in `deploy/catalog/`.

mod support;

mod catalog_load;
mod content;
mod determinism;
mod failures;
mod fiber_bundle;
mod properties;
mod replan;
