//! Decomposition service: turns a released product order into a deterministic fulfillment
//! plan, using a versioned technical catalog (DOMAIN §6-7, 000 §11-12, 002 §16).
//!
//! This library is the pure heart, with no IO: [`catalog`] (rules, loading and validating a
//! catalog file) and [`planner`] (readiness checks, the plan builder, classified failures,
//! and the re-decomposition diff). The service binary adds the consumer, persistence and
//! HTTP around it.

pub mod canonical;
pub mod catalog;
mod graph;
pub mod planner;
