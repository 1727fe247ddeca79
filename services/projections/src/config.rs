//! The projections service's own configuration keys, next to the shared sections (`http`,
//! `database`, `kafka`, `schema_registry`, `auth`; see `oms_runtime::config`):
//!
//! ```toml
//! [projections]
//! consumer = "projections"          # inbox consumer; the group is "<consumer>-g<generation>"
//! generation_poll_ms = 2000         # fallback poll for a rebuild started elsewhere
//! lag_cache_ms = 2000               # how long one lag measurement is served
//!
//! [projections.stuck_after_seconds] # per order state (lowercase), seconds without an event
//! in_progress = 3600                # OMS_PROJECTIONS__STUCK_AFTER_SECONDS__IN_PROGRESS
//!
//! [projections.lag_groups]          # consumer groups whose lag is reported, with their topics
//! "order-capture" = ["cpq.quote.events.v1", "oms.decomposition.events.v1", ...]
//!
//! [dashboard]                       # where the browser reaches the owning services' APIs
//! order_capture_url = "http://127.0.0.1:8080"
//! fulfillment_url = "http://127.0.0.1:8083"
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// Database the service owns on the local stack.
pub const LOCAL_DATABASE: &str = "oms_projections";
/// HTTP port on the local stack.
pub const LOCAL_PORT: u16 = 8085;

/// Keys outside the shared sections.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default)]
    pub projections: ProjectionSettings,
    #[serde(default)]
    pub dashboard: DashboardSettings,
}

/// `projections.*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectionSettings {
    /// Inbox consumer name. The Kafka consumer group (behind `kafka.topic_prefix`) is
    /// `<consumer>-g<generation>`: every rebuild starts a new generation, i.e. a new group that
    /// reads every topic from the beginning.
    pub consumer: String,
    /// Seconds an order may stay in a state without any event before it counts as stuck, by
    /// order state (lowercase, e.g. `in_progress`). States without a threshold are never stuck
    /// (the terminal ones).
    pub stuck_after_seconds: BTreeMap<String, u64>,
    /// Consumer groups (without the topic prefix) whose lag is reported, with the topics each
    /// reads. The projection's own group is always added.
    pub lag_groups: BTreeMap<String, Vec<String>>,
    /// How often the service looks for a rebuild started by another process (the
    /// `oms-projections rebuild` command), in milliseconds. A rebuild in this process or one
    /// announced by PostgreSQL NOTIFY is picked up at once.
    pub generation_poll_ms: u64,
    /// How long one lag measurement is reused, in milliseconds (each one asks the broker for
    /// every group's committed offsets and every partition's high watermark).
    pub lag_cache_ms: u64,
}

impl Default for ProjectionSettings {
    fn default() -> Self {
        let thresholds = [
            ("draft", 15 * 60),
            ("submitted", 5 * 60),
            ("validated", 15 * 60),
            ("decomposed", 10 * 60),
            ("in_progress", 60 * 60),
            ("partially_completed", 60 * 60),
            ("fallout", 30 * 60),
            ("cancellation_requested", 15 * 60),
            ("cancelling", 30 * 60),
        ];
        let topics = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        Self {
            consumer: crate::SERVICE.to_owned(),
            stuck_after_seconds: thresholds
                .into_iter()
                .map(|(state, seconds)| (state.to_owned(), seconds))
                .collect(),
            lag_groups: BTreeMap::from([
                (
                    "order-capture".to_owned(),
                    topics(&[
                        "cpq.quote.events.v1",
                        "oms.decomposition.events.v1",
                        "oms.fulfillment.events.v1",
                        "oms.asset.events.v1",
                    ]),
                ),
                ("decomposition".to_owned(), topics(&["oms.order.events.v1"])),
                (
                    "fulfillment".to_owned(),
                    topics(&["oms.order.events.v1", "oms.decomposition.events.v1"]),
                ),
                ("asset".to_owned(), topics(&["oms.fulfillment.events.v1"])),
            ]),
            generation_poll_ms: 2_000,
            lag_cache_ms: 2_000,
        }
    }
}

impl ProjectionSettings {
    /// The stuck thresholds keyed by order state as events spell it (`IN_PROGRESS`).
    pub fn stuck_thresholds(&self) -> BTreeMap<String, Duration> {
        self.stuck_after_seconds
            .iter()
            .map(|(state, seconds)| {
                (
                    state.trim().to_ascii_uppercase(),
                    Duration::from_secs(*seconds),
                )
            })
            .collect()
    }

    pub fn generation_poll(&self) -> Duration {
        Duration::from_millis(self.generation_poll_ms.max(100))
    }

    pub fn lag_cache(&self) -> Duration {
        Duration::from_millis(self.lag_cache_ms)
    }

    /// The consumer group of `generation` (before the topic prefix).
    pub fn group(&self, generation: i64) -> String {
        format!("{}-g{generation}", self.consumer)
    }
}

/// `dashboard.*`: the owning services' API base URLs as the *browser* reaches them. Operator
/// actions on the page call those services directly with the operator's token (ADR 0011), so
/// they must allow the dashboard's origin (`http.cors_allowed_origins`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DashboardSettings {
    pub order_capture_url: String,
    pub fulfillment_url: String,
}

impl Default for DashboardSettings {
    fn default() -> Self {
        Self {
            order_capture_url: "http://127.0.0.1:8080".to_owned(),
            fulfillment_url: "http://127.0.0.1:8083".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_keyed_by_the_state_names_of_the_events() {
        let mut settings = ProjectionSettings::default();
        settings.stuck_after_seconds.insert("fallout".to_owned(), 5);
        let thresholds = settings.stuck_thresholds();
        assert_eq!(thresholds["FALLOUT"], Duration::from_secs(5));
        assert_eq!(thresholds["IN_PROGRESS"], Duration::from_secs(3600));
        assert!(!thresholds.contains_key("COMPLETED"));
        assert_eq!(settings.group(3), "projections-g3");
    }
}
