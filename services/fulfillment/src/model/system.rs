//! The downstream systems a task can run against (DOMAIN §1): inventory, workforce
//! scheduling, shipping, network provisioning and billing activation. Plans name them in the
//! decomposition catalog's spelling (`NETWORK_PROVISIONING`); the short lowercase names of
//! the domain's examples (`network`) are accepted too. A plan naming anything else runs into
//! fallout at dispatch (`NO_DOWNSTREAM_ADAPTER`), where an operator can see and repair it.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetSystem {
    Inventory,
    WorkforceScheduling,
    Shipping,
    NetworkProvisioning,
    BillingActivation,
}

impl TargetSystem {
    pub const ALL: [Self; 5] = [
        Self::Inventory,
        Self::WorkforceScheduling,
        Self::Shipping,
        Self::NetworkProvisioning,
        Self::BillingActivation,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Inventory => "INVENTORY",
            Self::WorkforceScheduling => "WORKFORCE_SCHEDULING",
            Self::Shipping => "SHIPPING",
            Self::NetworkProvisioning => "NETWORK_PROVISIONING",
            Self::BillingActivation => "BILLING_ACTIVATION",
        }
    }

    /// The configuration key of the system's simulator (`[simulators.<key>]`).
    pub const fn config_key(self) -> &'static str {
        match self {
            Self::Inventory => "inventory",
            Self::WorkforceScheduling => "workforce_scheduling",
            Self::Shipping => "shipping",
            Self::NetworkProvisioning => "network_provisioning",
            Self::BillingActivation => "billing_activation",
        }
    }

    /// Catalog spelling, configuration key, or the domain's short name; case-insensitive.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let short = |s: Self| match s {
            Self::Inventory => "inventory",
            Self::WorkforceScheduling => "workforce",
            Self::Shipping => "shipping",
            Self::NetworkProvisioning => "network",
            Self::BillingActivation => "billing",
        };
        Self::ALL.into_iter().find(|&s| {
            raw.eq_ignore_ascii_case(s.as_str())
                || raw.eq_ignore_ascii_case(s.config_key())
                || raw.eq_ignore_ascii_case(short(s))
        })
    }
}

impl fmt::Display for TargetSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_config_and_short_spellings_parse() {
        for system in TargetSystem::ALL {
            assert_eq!(TargetSystem::parse(system.as_str()), Some(system));
            assert_eq!(TargetSystem::parse(system.config_key()), Some(system));
        }
        assert_eq!(
            TargetSystem::parse("network"),
            Some(TargetSystem::NetworkProvisioning)
        );
        assert_eq!(
            TargetSystem::parse("Workforce"),
            Some(TargetSystem::WorkforceScheduling)
        );
        assert_eq!(TargetSystem::parse("CARRIER_PIGEON"), None);
    }
}
