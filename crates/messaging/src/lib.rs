//! Reliable messaging for every OMS service (ARCHITECTURE.md §2-3, ADR 0003).
//!
//! - [`Envelope`] and Avro contracts ([`EventContract`], [`event_family!`]) in the Confluent
//!   wire format through [`Codec`];
//! - [`Outbox::append`] writes an event in the caller's transaction; [`Relay`] publishes it;
//! - [`InboxConsumer`] applies records effectively once through a [`Router`] of [`Handler`]s,
//!   dead-letters what cannot be applied, and [`dead_letter::replay`] replays it.
//!
//! Every service uses it the same way:
//! ```ignore
//! let codec = Arc::new(Codec::new(&registry_url)?);
//! let outbox = Outbox::new(codec.clone(), naming.clone(), pool.clone(), "order-capture", 8);
//! outbox.register::<OrderEventV1>().await?;              // schemas, at start-up
//! let relay = Relay::new(pool.clone(), kafka.clone(), RelaySettings::new("order-capture", 8), Some(outbox.waker()));
//! let router = Arc::new(Router::new("order-capture", pool.clone(), codec, naming)
//!     .route(QuoteAcceptedHandler { outbox: outbox.clone() })
//!     .wake_after_commit(outbox.waker()));
//! let consumer = InboxConsumer::new(router, kafka, ConsumerSettings::new("order-capture", "oms.order-capture.dlq.v1"));
//! tokio::spawn(relay.run(shutdown.clone()));
//! tokio::spawn(consumer.run(shutdown.clone()));
//! ```

pub mod avro_serde;
pub mod codec;
pub mod consumer;
pub mod contract;
pub mod dead_letter;
pub mod envelope;
pub mod handler;
pub mod kafka;
pub mod ops;
pub mod outbox;
pub mod relay;
pub mod router;
pub mod service;
pub mod topics;

pub use codec::{Codec, CodecError, DecodeError, PoisonClass};
pub use consumer::{ConsumerError, ConsumerSettings, ConsumerStatus, InboxConsumer};
pub use contract::{ContractError, EventContract, RecordSchema};
pub use dead_letter::{DeadLetter, DeadLetterSink, ReplayError};
pub use envelope::Envelope;
pub use handler::{Handler, HandlerError, MessageContext};
pub use kafka::{KafkaSettings, ensure_topic};
pub use outbox::{Outbox, OutboxError, OutboxWaker};
pub use relay::{Relay, RelayError, RelaySettings, RelayStats};
pub use router::{BatchOutcome, Outcome, Record, Router};
pub use service::{MessagingSettings, ServiceMessaging};
pub use topics::TopicNaming;

/// The messaging tables' migration, for tests of this crate and as the template each service
/// copies into its own migrations folder.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");
