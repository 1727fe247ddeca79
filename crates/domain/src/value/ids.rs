//! Technical identifiers (UUIDs) of the order aggregate and the facts it refers to.
//!
//! The domain never generates ids: callers mint them (UUID v7 in the services, fixed values
//! in tests) and hand them in through `from_uuid`, or parse them from text with `parse`.
//! The nil UUID is refused by `parse` because it is what a forgotten default looks like.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

use crate::error::ValueError;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an id the caller generated (e.g. `Uuid::now_v7()` in a service).
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// Parses the hyphenated text form; refuses malformed and nil ids.
            pub fn parse(raw: &str) -> Result<Self, ValueError> {
                let id = Uuid::parse_str(raw.trim()).map_err(|e| ValueError::Format {
                    field: $field,
                    detail: e.to_string(),
                })?;
                if id.is_nil() {
                    return Err(ValueError::Format { field: $field, detail: "nil uuid".into() });
                }
                Ok(Self(id))
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.to_string()
            }
        }
    };
}

uuid_id!(
    /// Technical, immutable identity of a product order.
    OrderId, "orderId"
);
uuid_id!(
    /// Identity of one order item; allocated by the caller at capture.
    OrderItemId, "orderItemId"
);
uuid_id!(
    /// Identity of one hold placed on an order.
    HoldId, "holdId"
);
uuid_id!(
    /// Identity of a fallout case (owned by the service that raised it).
    FalloutId, "falloutId"
);
uuid_id!(
    /// Identity of a durable cancellation request.
    CancellationRequestId, "cancellationRequestId"
);
uuid_id!(
    /// Identity of a durable amendment request.
    AmendmentRequestId, "amendmentRequestId"
);
uuid_id!(
    /// Identity of a fulfillment plan produced by decomposition.
    PlanId, "planId"
);
uuid_id!(
    /// Identity of one fulfillment task in a plan.
    TaskId, "taskId"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_and_refuses_nil_and_garbage() {
        let id = OrderId::parse("0190f0d2-7c1e-7a3b-9c4d-5e6f708192a3").unwrap();
        assert_eq!(OrderId::parse(&id.to_string()).unwrap(), id);
        assert_eq!(
            OrderId::parse("00000000-0000-0000-0000-000000000000")
                .unwrap_err()
                .code(),
            "INVALID_FORMAT"
        );
        assert!(OrderItemId::parse("not-a-uuid").is_err());
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<OrderId>(&json).unwrap(), id);
        assert!(
            serde_json::from_str::<OrderId>("\"00000000-0000-0000-0000-000000000000\"").is_err()
        );
    }
}
