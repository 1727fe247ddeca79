//! Deployment helpers shipped in every container image next to the service binary:
//!
//! - [`migrate`]: `oms-migrate <service>` applies a service's migrations (the same embedded
//!   migrator the service runs at start-up) and exits, so Kubernetes runs them as an init
//!   container and a failed migration stops the rollout before any new replica serves;
//! - [`probe`]: `oms-probe` asks the service's own `/health/live` (or another path) on the
//!   address of `http.addr`, for the image's `HEALTHCHECK` on runtimes without curl.
//!
//! Both read the services' configuration keys through the same layers (`oms_runtime::config`),
//! so an init container, a probe and the service share one ConfigMap and one Secret.

pub mod migrate;
pub mod probe;
