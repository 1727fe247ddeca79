//! The loaded, validated [`TechnicalCatalog`] and rule resolution for one order item.
//!
//! Resolution classifies a miss precisely, because each needs a different repair
//! (DOMAIN §6); the planner turns a miss into the matching failure code:
//! - [`RuleMiss::OfferingUnknown`]: no rule mentions the offering at all
//!   (DECOMPOSITION_RULE_MISSING);
//! - [`RuleMiss::VersionNotMapped`]: the offering has rules, but none whose version range
//!   contains the item's offering version (TECHNICAL_CATALOG_MAPPING_MISSING);
//! - [`RuleMiss::ActionNotSupported`]: rules cover the offering and version, but none for
//!   the item's action (UNSUPPORTED_ACTION_TYPE).

use oms_domain::value::ProductOfferingId;
use oms_domain::vocab::ItemAction;
use std::collections::BTreeMap;

use super::model::{DecompositionRule, VersionRange};
use super::version::RulesVersion;

/// One published, immutable version of the decomposition rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TechnicalCatalog {
    version: RulesVersion,
    description: Option<String>,
    /// Per offering, sorted by (action, version range); ranges of one (offering, action)
    /// never overlap (checked on load).
    rules: BTreeMap<ProductOfferingId, Vec<DecompositionRule>>,
}

/// Why no rule applies to an item (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleMiss {
    OfferingUnknown,
    VersionNotMapped {
        /// Version ranges the offering is mapped for, ascending.
        mapped: Vec<VersionRange>,
    },
    ActionNotSupported {
        /// Actions the offering supports at this version, in `ItemAction` order.
        supported: Vec<ItemAction>,
    },
}

impl TechnicalCatalog {
    /// Assembles a catalog from rules the loader has validated.
    pub(crate) fn from_validated(
        version: RulesVersion,
        description: Option<String>,
        rules: Vec<DecompositionRule>,
    ) -> Self {
        let mut by_offering: BTreeMap<ProductOfferingId, Vec<DecompositionRule>> = BTreeMap::new();
        for rule in rules {
            by_offering
                .entry(rule.offering_id.clone())
                .or_default()
                .push(rule);
        }
        for list in by_offering.values_mut() {
            list.sort_by_key(|r| (r.action, r.versions));
        }
        Self {
            version,
            description,
            rules: by_offering,
        }
    }

    pub fn version(&self) -> &RulesVersion {
        &self.version
    }

    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Every rule, by offering id, then action, then version range.
    pub fn rules(&self) -> impl Iterator<Item = &DecompositionRule> {
        self.rules.values().flatten()
    }

    /// Offerings the catalog knows, ascending.
    pub fn offerings(&self) -> impl Iterator<Item = &ProductOfferingId> {
        self.rules.keys()
    }

    /// The rule for (offering, version, action), or why there is none.
    pub fn resolve(
        &self,
        offering: &ProductOfferingId,
        version: u32,
        action: ItemAction,
    ) -> Result<&DecompositionRule, RuleMiss> {
        let Some(rules) = self.rules.get(offering) else {
            return Err(RuleMiss::OfferingUnknown);
        };
        let at_version: Vec<&DecompositionRule> = rules
            .iter()
            .filter(|r| r.versions.contains(version))
            .collect();
        if at_version.is_empty() {
            let mut mapped: Vec<VersionRange> = rules.iter().map(|r| r.versions).collect();
            mapped.sort();
            mapped.dedup();
            return Err(RuleMiss::VersionNotMapped { mapped });
        }
        if let Some(rule) = at_version.iter().find(|r| r.action == action) {
            return Ok(rule);
        }
        let mut supported: Vec<ItemAction> = at_version.iter().map(|r| r.action).collect();
        supported.sort();
        supported.dedup();
        Err(RuleMiss::ActionNotSupported { supported })
    }
}
