//! The Avro codec: Confluent wire format (magic byte 0, 4-byte schema id, Avro body) through
//! `schema_registry_converter`, subject strategy TopicRecordName.
//!
//! Producing: a service registers every schema it writes at start-up ([`Codec::register`]);
//! the encoder caches the subject's id, so encoding afterwards does no IO. Schemas are never
//! guessed: the id written is the one the registry gave for our own schema text.
//!
//! Consuming: the schema is fetched by the id in the record (and cached). A record that cannot
//! be decoded is *poison* (it will never decode, so it goes to the dead-letter topic); a
//! registry that cannot be reached is *transient* (the same record is retried).

use crate::contract::{EventContract, RecordSchema};
use schema_registry_converter::{
    async_impl::{
        avro::{AvroDecoder, AvroEncoder},
        schema_registry::SrSettings,
    },
    error::SRCError,
    schema_registry_common::{SchemaType, SubjectNameStrategy, SuppliedSchema},
};
use serde::Serialize;
use std::time::Duration;

/// Why an event could not be encoded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CodecError {
    #[error("schema registry: {0}")]
    Registry(String),
    #[error("event {record} does not fit its schema: {reason}")]
    Encode { record: String, reason: String },
}

/// Why a record could not be decoded into a known event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The record will never decode; it belongs in the dead-letter topic.
    #[error("{class}: {message}")]
    Poison { class: PoisonClass, message: String },
    /// The registry could not be asked; retry the same record later.
    #[error("transient decode failure: {0}")]
    Transient(String),
}

/// The kinds of poison record, used as the dead-letter error class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoisonClass {
    EmptyPayload,
    BadMagicByte,
    UnknownSchemaId,
    UndecodableBody,
    UnknownEventType,
    ContractMismatch,
}

impl PoisonClass {
    pub fn code(self) -> &'static str {
        match self {
            Self::EmptyPayload => "POISON_EMPTY_PAYLOAD",
            Self::BadMagicByte => "POISON_BAD_MAGIC_BYTE",
            Self::UnknownSchemaId => "POISON_UNKNOWN_SCHEMA_ID",
            Self::UndecodableBody => "POISON_UNDECODABLE_BODY",
            Self::UnknownEventType => "POISON_UNKNOWN_EVENT_TYPE",
            Self::ContractMismatch => "POISON_CONTRACT_MISMATCH",
        }
    }
}

impl std::fmt::Display for PoisonClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Encoder and decoder against one schema registry.
#[derive(Debug)]
pub struct Codec {
    encoder: AvroEncoder,
    decoder: AvroDecoder,
    registry_url: String,
}

impl Codec {
    /// A codec for the registry at `registry_url` (e.g. `http://127.0.0.1:8081`).
    pub fn new(registry_url: &str) -> Result<Self, CodecError> {
        Self::with_credentials(registry_url, None)
    }

    /// A codec for a registry that requires HTTP basic authentication (`(user, password)`).
    pub fn with_credentials(
        registry_url: &str,
        credentials: Option<(&str, Option<&str>)>,
    ) -> Result<Self, CodecError> {
        let settings = || {
            let mut builder = SrSettings::new_builder(registry_url.to_owned());
            builder.set_timeout(Duration::from_secs(10));
            if let Some((user, password)) = credentials {
                builder.set_basic_authorization(user, password);
            }
            builder
                .build()
                .map_err(|e| CodecError::Registry(e.to_string()))
        };
        Ok(Self {
            encoder: AvroEncoder::new(settings()?),
            decoder: AvroDecoder::new(settings()?),
            registry_url: registry_url.to_owned(),
        })
    }

    pub fn registry_url(&self) -> &str {
        &self.registry_url
    }

    /// Registers every record schema of family `C` under its TopicRecordName subject for
    /// `topic` and returns `(subject, schema id)` pairs. Fails if the registry refuses a schema
    /// (e.g. incompatible with the subject's previous version).
    pub async fn register<C: EventContract>(
        &self,
        topic: &str,
    ) -> Result<Vec<(String, u32)>, CodecError> {
        let mut registered = Vec::with_capacity(C::schemas().len());
        for record in C::schemas() {
            let strategy = strategy(topic, record);
            let subject = strategy
                .get_subject()
                .map_err(|e| CodecError::Registry(e.to_string()))?;
            let schema = self
                .encoder
                .get_schema_and_id(&subject, strategy)
                .await
                .map_err(|e| {
                    self.encoder.remove_errors_from_cache();
                    CodecError::Registry(format!("registering {subject}: {}", describe(&e)))
                })?;
            registered.push((subject, schema.id));
        }
        Ok(registered)
    }

    /// Encodes one record of `topic` (called by [`EventContract::encode`]).
    pub async fn encode_record<T: Serialize + Sync>(
        &self,
        topic: &str,
        record: &'static str,
        schema: &'static str,
        event: &T,
    ) -> Result<Vec<u8>, CodecError> {
        let strategy = strategy(
            topic,
            &RecordSchema {
                name: record,
                schema,
            },
        );
        // Resolve the schema id first (cached after start-up registration) so a registry
        // problem is reported as such, and any later failure is the event's own.
        let subject = format!("{topic}-{record}");
        self.encoder
            .get_schema_and_id(&subject, strategy.clone())
            .await
            .map_err(|e| {
                self.encoder.remove_errors_from_cache();
                CodecError::Registry(format!("schema for {subject}: {}", describe(&e)))
            })?;
        self.encoder
            .encode_struct(event, &strategy)
            .await
            .map_err(|e| CodecError::Encode {
                record: record.to_owned(),
                reason: describe(&e),
            })
    }

    /// Decodes a record payload into family `C`, classifying failures as poison or transient.
    pub async fn decode<C: EventContract>(&self, payload: Option<&[u8]>) -> Result<C, DecodeError> {
        let bytes = payload
            .filter(|b| !b.is_empty())
            .ok_or_else(|| poison(PoisonClass::EmptyPayload, "the record has no value"))?;
        if bytes[0] != 0 || bytes.len() < 5 {
            return Err(poison(
                PoisonClass::BadMagicByte,
                &format!(
                    "expected magic byte 0x00 and a 4-byte schema id, got first byte {:#04x} in {} bytes",
                    bytes[0],
                    bytes.len()
                ),
            ));
        }
        let id = u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
        if let Err(error) = self.decoder.get_schema(id).await {
            // The decoder caches failures; forget them so a retry or replay asks again.
            self.decoder.remove_errors_from_cache();
            return Err(if is_not_found(&error) {
                poison(
                    PoisonClass::UnknownSchemaId,
                    &format!("schema id {id} is not in the registry"),
                )
            } else {
                DecodeError::Transient(format!("fetching schema id {id}: {}", describe(&error)))
            });
        }
        let decoded = self
            .decoder
            .decode(Some(bytes))
            .await
            .map_err(|e| poison(PoisonClass::UndecodableBody, &describe(&e)))?;
        let name = decoded.name.map(|n| n.fullname(None)).ok_or_else(|| {
            poison(
                PoisonClass::UnknownEventType,
                "the schema is not a named record",
            )
        })?;
        C::from_avro(&name, &decoded.value).map_err(|e| match e {
            crate::ContractError::UnknownRecord { .. } => {
                poison(PoisonClass::UnknownEventType, &e.to_string())
            }
            crate::ContractError::Mismatch { .. } => {
                poison(PoisonClass::ContractMismatch, &e.to_string())
            }
        })
    }
}

fn strategy(topic: &str, record: &RecordSchema) -> SubjectNameStrategy {
    SubjectNameStrategy::TopicRecordNameStrategyWithSchema(
        topic.to_owned(),
        SuppliedSchema::new(
            Some(record.name.to_owned()),
            SchemaType::Avro,
            record.schema.to_owned(),
        ),
    )
}

fn poison(class: PoisonClass, message: &str) -> DecodeError {
    DecodeError::Poison {
        class,
        message: message.to_owned(),
    }
}

fn describe(error: &SRCError) -> String {
    match &error.cause {
        Some(cause) => format!("{}: {cause}", error.error),
        None => error.error.clone(),
    }
}

/// `schema_registry_converter` reports HTTP failures as text; a 404 (Confluent error 40403) is
/// the only non-retriable answer that means "this id does not exist" rather than "the registry
/// is unwell".
fn is_not_found(error: &SRCError) -> bool {
    !error.retriable && (error.error.contains("status 404") || describe(error).contains("40403"))
}
