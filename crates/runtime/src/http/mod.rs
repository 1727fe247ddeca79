//! The HTTP edge of a service: errors as problem+json, bearer authentication, correlation ids,
//! health and metrics routes, opt-in CORS for browser front ends, and a server that binds early
//! and stops gracefully.

pub mod auth;
pub mod correlation;
pub mod cors;
pub mod edge;
pub mod error;
pub mod health;
pub mod json;
pub mod openapi;
pub mod problem;
pub mod server;

pub use auth::{Authenticator, Caller, StaticTokens, TokenVerifier};
pub use correlation::CorrelationId;
pub use edge::EdgeOptions;
pub use error::ApiError;
pub use health::{Readiness, ReadyFlag};
pub use json::Json;
pub use problem::{PROBLEM_JSON, Problem, Violation};
pub use server::Server;
