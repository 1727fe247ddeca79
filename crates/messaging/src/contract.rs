//! Event contracts: the Rust side of one topic's Avro record schemas.
//!
//! A topic carries several event types, one Avro record schema each (subject strategy
//! TopicRecordName). A *family* is the Rust enum of a topic's events, one variant per record;
//! [`event_family!`] generates it with its [`EventContract`] implementation from a list of
//! `Variant(Type) = "full.record.Name", schema_json;` lines. Every record type has an
//! `envelope: Envelope` field, the Avro `Envelope` record.

use crate::{Codec, CodecError, Envelope};
use std::future::Future;

/// One record schema of a family: its Avro full name and its JSON text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordSchema {
    pub name: &'static str,
    pub schema: &'static str,
}

/// Why a decoded Avro value does not map onto the family's Rust types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContractError {
    #[error("topic {topic} has no event type {record}")]
    UnknownRecord { topic: &'static str, record: String },
    #[error("record {record} does not match its Rust type: {reason}")]
    Mismatch { record: String, reason: String },
}

/// The events of one topic.
pub trait EventContract: Sized + Send + Sync + 'static {
    /// The topic every event of this family is published to.
    const TOPIC: &'static str;

    /// Every record schema of the family.
    fn schemas() -> &'static [RecordSchema];

    /// The Avro full name of this event's record.
    fn record_name(&self) -> &'static str;

    /// The event's envelope.
    fn envelope(&self) -> &Envelope;

    /// The Kafka key: the aggregate id, so one aggregate's events share a partition.
    fn key(&self) -> &str {
        &self.envelope().aggregate_id
    }

    /// Maps a decoded record onto the family.
    fn from_avro(
        record_name: &str,
        value: &apache_avro::types::Value,
    ) -> Result<Self, ContractError>;

    /// Encodes the event in the Confluent wire format with the schema registered for `topic`
    /// (the family's topic, possibly with an environment prefix, see [`crate::TopicNaming`]).
    fn encode(
        &self,
        codec: &Codec,
        topic: &str,
    ) -> impl Future<Output = Result<Vec<u8>, CodecError>> + Send;
}

/// Re-exports the macro needs, so families compile without naming these crates themselves.
#[doc(hidden)]
pub mod __private {
    pub use apache_avro::{from_value, types::Value};
}

/// Declares a topic's event family. See the module docs.
///
/// ```ignore
/// oms_messaging::event_family! {
///     /// Events of the order topic.
///     pub enum OrderEventV1 in "oms.order.events.v1" {
///         OrderCaptured(OrderCaptured) = "com.example.oms.order.v1.OrderCaptured",
///             include_str!("../schemas/oms.order.events.v1/OrderCaptured.avsc");
///     }
/// }
/// ```
#[macro_export]
macro_rules! event_family {
    (
        $(#[$meta:meta])*
        $vis:vis enum $family:ident in $topic:literal {
            $( $variant:ident($ty:ty) = $record:literal, $schema:expr; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        $vis enum $family {
            $( $variant($ty), )+
        }

        impl $crate::EventContract for $family {
            const TOPIC: &'static str = $topic;

            fn schemas() -> &'static [$crate::RecordSchema] {
                const SCHEMAS: &[$crate::RecordSchema] = &[
                    $( $crate::RecordSchema { name: $record, schema: $schema }, )+
                ];
                SCHEMAS
            }

            fn record_name(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => $record, )+
                }
            }

            fn envelope(&self) -> &$crate::Envelope {
                match self {
                    $( Self::$variant(event) => &event.envelope, )+
                }
            }

            fn from_avro(
                record_name: &str,
                value: &$crate::contract::__private::Value,
            ) -> ::std::result::Result<Self, $crate::ContractError> {
                match record_name {
                    $(
                        $record => $crate::contract::__private::from_value::<$ty>(value)
                            .map(Self::$variant)
                            .map_err(|error| $crate::ContractError::Mismatch {
                                record: record_name.to_owned(),
                                reason: error.to_string(),
                            }),
                    )+
                    other => Err($crate::ContractError::UnknownRecord {
                        topic: $topic,
                        record: other.to_owned(),
                    }),
                }
            }

            async fn encode(&self, codec: &$crate::Codec, topic: &str) -> ::std::result::Result<Vec<u8>, $crate::CodecError> {
                match self {
                    $( Self::$variant(event) => codec.encode_record(topic, $record, $schema, event).await, )+
                }
            }
        }

        $(
            impl ::std::convert::From<$ty> for $family {
                fn from(event: $ty) -> Self {
                    Self::$variant(event)
                }
            }
        )+
    };
}
