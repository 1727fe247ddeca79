//! The closed list of downstream systems a fulfillment task can run against (DOMAIN §1:
//! inventory, workforce scheduling, shipping, network provisioning, billing activation).
//!
//! Closed on purpose: the fulfillment service has one adapter per system behind a trait, so
//! a catalog naming any other system could never be executed. An unknown name in a catalog
//! file is a load error (`UNKNOWN_SYSTEM`), never a task that falls out at run time.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Downstream system a task is executed against. Serialised as SCREAMING_SNAKE_CASE, the
/// same spelling in catalog files, plans, events and SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetSystem {
    /// Resource inventory: access ports, devices in stock, IP pools, SIM cards and numbers.
    Inventory,
    /// Field-force scheduling: appointments and technician dispatch.
    WorkforceScheduling,
    /// Logistics: device and SIM shipments, returns.
    Shipping,
    /// Network and service provisioning: OLT/BNG profiles, CPE configuration, HLR/HSS.
    NetworkProvisioning,
    /// Billing activation: start, change, suspend and stop charging (billing owns invoices).
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

    /// Parses the catalog spelling; `None` for anything outside the closed list.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Tasks on these systems need a physical place: a technician visit or a delivery.
    /// An order without a service location cannot be decomposed into them.
    pub const fn needs_service_location(self) -> bool {
        matches!(self, Self::WorkforceScheduling | Self::Shipping)
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
    fn spelling_round_trips_and_the_list_is_closed() {
        for system in TargetSystem::ALL {
            assert_eq!(TargetSystem::parse(system.as_str()), Some(system));
            let json = serde_json::to_string(&system).unwrap();
            assert_eq!(json, format!("\"{}\"", system.as_str()));
        }
        assert_eq!(TargetSystem::parse("CARRIER_PIGEON"), None);
        assert_eq!(TargetSystem::parse("inventory"), None);
    }
}
