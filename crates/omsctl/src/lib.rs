//! The library behind `omsctl`, shared with the end-to-end tests: sample quotes, a CPQ-like
//! `QuoteAccepted` publisher, a small client of the services' HTTP APIs, and order views.

pub mod api;
pub mod change;
pub mod publish;
pub mod samples;
pub mod show;
