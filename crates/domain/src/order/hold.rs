//! Holds: orthogonal to state (000 §13). A hold records who placed it, when and why, and
//! later who released it, when and why; it is never deleted. An active *blocking* hold
//! stops release to decomposition and to fulfillment.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::meta::Actor;
use crate::value::{HoldId, Reason};
use crate::vocab::HoldType;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderHold {
    pub id: HoldId,
    pub hold_type: HoldType,
    pub blocking: bool,
    pub reason: Reason,
    pub placed_by: Actor,
    pub placed_at: DateTime<Utc>,
    pub released: Option<HoldRelease>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HoldRelease {
    pub released_by: Actor,
    pub released_at: DateTime<Utc>,
    pub reason: Reason,
}

impl OrderHold {
    pub fn is_active(&self) -> bool {
        self.released.is_none()
    }

    pub fn is_active_blocking(&self) -> bool {
        self.blocking && self.is_active()
    }
}
