//! The head shared by the decomposition and fulfillment records: facts other services
//! report about an order (`envelope`, `orderId`, `actor`, `reason`), keyed by order id.
//! [`fact_event!`] declares such a record; [`fact_base`] maps its head back to the domain's
//! `OrderFactBase`.

use oms_domain::events::OrderFactBase;
use oms_domain::value::OrderId;
use oms_messaging::Envelope;
use uuid::Uuid;

use super::{Actor, checked_tenant, meta_of};
use crate::error::{MappingError, id};

/// The common head of a fact record, borrowed.
#[derive(Debug)]
pub(crate) struct FactHead<'a> {
    pub event_type: &'static str,
    pub envelope: &'a Envelope,
    pub order_id: Uuid,
    pub actor: &'a Actor,
    pub reason: Option<&'a String>,
}

/// Access to the head of a fact record.
pub(crate) trait FactRecord {
    fn head(&self) -> FactHead<'_>;
}

/// Declares a fact record: the head fields, then the listed ones.
macro_rules! fact_event {
    ($(#[$doc:meta])* $name:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            pub envelope: ::oms_messaging::Envelope,
            #[serde(with = "oms_messaging::avro_serde::uuid")]
            pub order_id: ::uuid::Uuid,
            pub actor: $crate::common::Actor,
            pub reason: Option<String>,
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $crate::common::FactRecord for $name {
            fn head(&self) -> $crate::common::FactHead<'_> {
                $crate::common::FactHead {
                    event_type: stringify!($name),
                    envelope: &self.envelope,
                    order_id: self.order_id,
                    actor: &self.actor,
                    reason: self.reason.as_ref(),
                }
            }
        }
    };
}
pub(crate) use fact_event;

/// The domain base of a fact record, after checking its envelope.
pub(crate) fn fact_base(head: &FactHead<'_>) -> Result<OrderFactBase, MappingError> {
    let order_id = id("orderId", head.order_id, OrderId::parse)?;
    let tenant_id = checked_tenant(
        head.envelope,
        head.event_type,
        "Order",
        &order_id.to_string(),
    )?;
    Ok(OrderFactBase {
        order_id,
        tenant_id,
        meta: meta_of(head.envelope, head.actor, head.reason)?,
    })
}
