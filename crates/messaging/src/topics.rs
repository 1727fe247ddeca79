//! Topic names: the contract's topic, optionally behind an environment prefix.
//!
//! Production uses the bare names of ARCHITECTURE.md (`oms.order.events.v1`). A prefix lets
//! several isolated environments share one cluster: every end-to-end test run gets its own
//! (`t1a2b3c.oms.order.events.v1`), so tests never read each other's records. Schema subjects
//! follow the prefixed topic name (TopicRecordName strategy).

/// Maps contract topics to the topics of this environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicNaming {
    prefix: String,
}

impl TopicNaming {
    /// Bare topic names.
    pub fn unprefixed() -> Self {
        Self::default()
    }

    /// Names behind `prefix` (a `.` is added when missing).
    pub fn with_prefix(prefix: &str) -> Self {
        let prefix = prefix.trim();
        if prefix.is_empty() {
            return Self::default();
        }
        Self {
            prefix: if prefix.ends_with('.') {
                prefix.to_owned()
            } else {
                format!("{prefix}.")
            },
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// This environment's name of `topic`.
    pub fn name(&self, topic: &str) -> String {
        format!("{}{topic}", self.prefix)
    }

    /// The contract topic behind an environment topic name, if it carries this prefix.
    pub fn contract_topic<'a>(&self, name: &'a str) -> Option<&'a str> {
        name.strip_prefix(self.prefix.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_the_prefix() {
        let naming = TopicNaming::with_prefix("t42");
        assert_eq!(
            naming.name("oms.order.events.v1"),
            "t42.oms.order.events.v1"
        );
        assert_eq!(
            naming.contract_topic("t42.oms.order.events.v1"),
            Some("oms.order.events.v1")
        );
        assert_eq!(naming.contract_topic("oms.order.events.v1"), None);
        assert_eq!(TopicNaming::unprefixed().name("x"), "x");
        assert_eq!(TopicNaming::with_prefix("  "), TopicNaming::unprefixed());
        assert_eq!(TopicNaming::with_prefix("env.").name("x"), "env.x");
    }
}
