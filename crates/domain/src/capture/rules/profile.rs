//! Rules that belong to one capture mode (001 §7) or that guard uniqueness across orders:
//! migration evidence, relations to the amended/cancelled/supplemented order, external
//! reference reuse.

use super::{Rule, RuleInput};
use crate::capture::codes::RuleCode;
use crate::capture::violation::Violation;
use crate::lifecycle::OrderState;
use crate::value::{OrderId, ReasonCode};
use crate::vocab::RelationType;

pub(crate) const MIGRATION_EVIDENCE: Rule = Rule {
    name: "migration-evidence",
    codes: &[RuleCode::MigrationEvidenceRequired],
    check: |input, out| {
        let ok = input.intake.migration.as_ref().is_some_and(|m| {
            ReasonCode::parse(&m.reason_code).is_ok() && !m.evidence_ref.trim().is_empty()
        });
        if !ok {
            out.push(RuleCode::MigrationEvidenceRequired.at(
                "migration",
                "admin migration needs a reason code and an evidence reference",
            ));
        }
    },
};

pub(crate) const RELATION_IDS: Rule = Rule {
    name: "relation-ids",
    codes: &[RuleCode::RelatedOrderInvalid],
    check: |input, out| {
        for (k, relation) in input.intake.relations.iter().enumerate() {
            let parsed = OrderId::parse(&relation.order_id);
            if parsed.is_err() || parsed.ok() == input.order_id {
                out.push(RuleCode::RelatedOrderInvalid.at(
                    format!("relations[{k}].orderId"),
                    format!("'{}' is not another order's id", relation.order_id),
                ));
            }
        }
    },
};

fn require_relation(input: &RuleInput<'_>, out: &mut Vec<Violation>, wanted: RelationType) {
    if !input
        .intake
        .relations
        .iter()
        .any(|r| r.relation_type == wanted)
    {
        out.push(RuleCode::RelatedOrderRequired.at(
            "relations",
            format!(
                "{:?} orders need a {wanted:?} relation",
                input.intake.capture_mode
            ),
        ));
    }
}

pub(crate) const AMENDS_RELATION: Rule = Rule {
    name: "amends-relation",
    codes: &[RuleCode::RelatedOrderRequired],
    check: |input, out| require_relation(input, out, RelationType::Amends),
};

pub(crate) const CANCELS_RELATION: Rule = Rule {
    name: "cancels-relation",
    codes: &[RuleCode::RelatedOrderRequired],
    check: |input, out| require_relation(input, out, RelationType::Cancels),
};

pub(crate) const SUPPLEMENTS_RELATION: Rule = Rule {
    name: "supplements-relation",
    codes: &[RuleCode::RelatedOrderRequired],
    check: |input, out| require_relation(input, out, RelationType::Supplements),
};

/// 004 §7, §20: a supplemental order builds on an order of the same tenant, customer and
/// account that was not rejected, cancelled or closed.
pub(crate) const SUPPLEMENTED_ORDER: Rule = Rule {
    name: "supplemented-order",
    codes: &[
        RuleCode::RelatedOrderNotFound,
        RuleCode::RelatedOrderStateInvalid,
        RuleCode::RelatedOrderPartyMismatch,
    ],
    check: |input, out| {
        for (k, relation) in input.intake.relations.iter().enumerate() {
            if relation.relation_type != RelationType::Supplements
                || OrderId::parse(&relation.order_id).is_err()
            {
                continue;
            }
            let path = format!("relations[{k}].orderId");
            let Some(related) = input.context.related_orders.get(relation.order_id.trim()) else {
                out.push(
                    RuleCode::RelatedOrderNotFound
                        .at(path, format!("order {} does not exist", relation.order_id)),
                );
                continue;
            };
            if matches!(
                related.state,
                OrderState::Rejected | OrderState::Cancelled | OrderState::FailedClosed
            ) {
                out.push(RuleCode::RelatedOrderStateInvalid.at(
                    path,
                    format!("order {} is {:?}", related.order_id, related.state),
                ));
                continue;
            }
            let customer = &input.intake.customer;
            let same_customer = related
                .customer_id
                .as_ref()
                .is_none_or(|c| c.as_str() == customer.customer_id.trim());
            let same_account = related
                .account_id
                .as_ref()
                .is_none_or(|a| a.as_str() == customer.account_id.trim());
            if !same_customer || !same_account {
                out.push(RuleCode::RelatedOrderPartyMismatch.at(
                    "customer",
                    format!(
                        "order {} belongs to another customer or account",
                        related.order_id
                    ),
                ));
            }
        }
    },
};

pub(crate) const EXTERNAL_REF_UNIQUE: Rule = Rule {
    name: "external-ref-unique",
    codes: &[RuleCode::DuplicateExternalOrderRef],
    check: |input, out| {
        if let Some(reference) = &input.intake.external_order_ref
            && let Some(other) = input.other_order(input.context.external_ref_used_by)
        {
            out.push(RuleCode::DuplicateExternalOrderRef.at(
                "externalOrderRef",
                format!("'{reference}' is used by order {other}"),
            ));
        }
    },
};
