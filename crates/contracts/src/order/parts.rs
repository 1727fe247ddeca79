//! Smaller records of the order topic (validation findings, fallout cases, holds, task
//! counts) and their mapping.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::enums::{FalloutCategory, HoldType, Severity};
use crate::common::Actor;
use crate::error::{MappingError, id, id_opt, parsed};
use oms_domain::ValueError;
use oms_domain::capture::{RuleCode, Violation as DomViolation};
use oms_domain::order as dom;
use oms_domain::value::{FalloutId, HoldId, OrderItemId, Reason, ReasonCode, TaskId};
use oms_messaging::avro_serde;

/// One validation finding. `code` is text: the rule-code registry grows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    pub code: String,
    pub path: String,
    pub message: String,
    pub severity: Severity,
    pub remediation: Option<String>,
}

impl From<&DomViolation> for Violation {
    fn from(v: &DomViolation) -> Self {
        Self {
            code: v.code.code().to_owned(),
            path: v.path.clone(),
            message: v.message.clone(),
            severity: v.severity.into(),
            remediation: v.remediation.clone(),
        }
    }
}

impl Violation {
    /// A code this build does not know cannot become a domain `RuleCode`.
    pub fn to_domain(&self) -> Result<DomViolation, MappingError> {
        let code = RuleCode::ALL
            .iter()
            .copied()
            .find(|c| c.code() == self.code)
            .ok_or_else(|| MappingError::InvalidValue {
                field: "violations.code".into(),
                source: ValueError::Format {
                    field: "code",
                    detail: format!("'{}' is not a known rule code", self.code),
                },
            })?;
        Ok(DomViolation {
            code,
            path: self.path.clone(),
            message: self.message.clone(),
            severity: self.severity.into(),
            remediation: self.remediation.clone(),
        })
    }
}

pub(crate) fn violations(list: &[Violation]) -> Result<Vec<DomViolation>, MappingError> {
    list.iter().map(Violation::to_domain).collect()
}

/// An incident that stops the order until repaired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FalloutCase {
    #[serde(with = "avro_serde::uuid")]
    pub id: Uuid,
    pub category: FalloutCategory,
    pub code: String,
    #[serde(with = "avro_serde::uuid_opt", default)]
    pub item_id: Option<Uuid>,
    #[serde(with = "avro_serde::uuid_opt", default)]
    pub task_id: Option<Uuid>,
    pub message: String,
    pub remediation: Option<String>,
    #[serde(with = "avro_serde::timestamp_millis")]
    pub raised_at: DateTime<Utc>,
    pub raised_by: Actor,
}

impl From<&dom::FalloutCase> for FalloutCase {
    fn from(c: &dom::FalloutCase) -> Self {
        Self {
            id: c.id.as_uuid(),
            category: c.category.into(),
            code: c.code.as_str().to_owned(),
            item_id: c.item_id.map(|i| i.as_uuid()),
            task_id: c.task_id.map(|t| t.as_uuid()),
            message: c.message.clone(),
            remediation: c.remediation.clone(),
            raised_at: c.raised_at,
            raised_by: Actor::from(&c.raised_by),
        }
    }
}

impl FalloutCase {
    pub fn to_domain(&self) -> Result<dom::FalloutCase, MappingError> {
        Ok(dom::FalloutCase {
            id: id("case.id", self.id, FalloutId::parse)?,
            category: self.category.into(),
            code: parsed("case.code", ReasonCode::parse(&self.code))?,
            item_id: id_opt("case.itemId", self.item_id, OrderItemId::parse)?,
            task_id: id_opt("case.taskId", self.task_id, TaskId::parse)?,
            message: self.message.clone(),
            remediation: self.remediation.clone(),
            raised_at: self.raised_at,
            raised_by: self.raised_by.to_domain("case.raisedBy")?,
        })
    }
}

/// A hold on the order, with its release once released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderHold {
    #[serde(with = "avro_serde::uuid")]
    pub id: Uuid,
    pub hold_type: HoldType,
    pub blocking: bool,
    pub reason: String,
    pub placed_by: Actor,
    #[serde(with = "avro_serde::timestamp_millis")]
    pub placed_at: DateTime<Utc>,
    pub released: Option<HoldRelease>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HoldRelease {
    pub released_by: Actor,
    #[serde(with = "avro_serde::timestamp_millis")]
    pub released_at: DateTime<Utc>,
    pub reason: String,
}

impl From<&dom::OrderHold> for OrderHold {
    fn from(h: &dom::OrderHold) -> Self {
        Self {
            id: h.id.as_uuid(),
            hold_type: h.hold_type.into(),
            blocking: h.blocking,
            reason: h.reason.as_str().to_owned(),
            placed_by: Actor::from(&h.placed_by),
            placed_at: h.placed_at,
            released: h.released.as_ref().map(|r| HoldRelease {
                released_by: Actor::from(&r.released_by),
                released_at: r.released_at,
                reason: r.reason.as_str().to_owned(),
            }),
        }
    }
}

impl OrderHold {
    pub fn to_domain(&self) -> Result<dom::OrderHold, MappingError> {
        Ok(dom::OrderHold {
            id: id("hold.id", self.id, HoldId::parse)?,
            hold_type: self.hold_type.into(),
            blocking: self.blocking,
            reason: parsed("hold.reason", Reason::parse(&self.reason))?,
            placed_by: self.placed_by.to_domain("hold.placedBy")?,
            placed_at: self.placed_at,
            released: self
                .released
                .as_ref()
                .map(|r| {
                    Ok::<_, MappingError>(dom::HoldRelease {
                        released_by: r.released_by.to_domain("hold.released.releasedBy")?,
                        released_at: r.released_at,
                        reason: parsed("hold.released.reason", Reason::parse(&r.reason))?,
                    })
                })
                .transpose()?,
        })
    }
}

/// How many plan tasks cover one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemTaskCount {
    #[serde(with = "avro_serde::uuid")]
    pub item_id: Uuid,
    pub task_count: i64,
}
