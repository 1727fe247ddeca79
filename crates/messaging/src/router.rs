//! Routes records to handlers by topic, and processes one record effectively once: decode, then
//! in one transaction insert the inbox row and run the handler.
//!
//! The same [`Router::process`] serves the live consumer and dead-letter replay, so a replayed
//! record gets exactly the guarantees of a live one.

use crate::{
    Codec, DecodeError, Envelope, EventContract, OutboxWaker, PoisonClass, TopicNaming,
    handler::{Handler, HandlerError, MessageContext},
};
use futures::future::BoxFuture;
use sqlx::{PgConnection, PgPool};
use std::{collections::HashMap, sync::Arc};
use tracing::Instrument as _;
use uuid::Uuid;

/// A record as read from Kafka (or from a dead-letter row).
#[derive(Debug, Clone)]
pub struct Record {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    pub payload: Option<Vec<u8>>,
    pub headers: Vec<(String, String)>,
}

/// What happened to a batch of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchOutcome {
    /// Every record was applied (or was a redelivery) in one transaction.
    Applied { handled: u64, duplicates: u64 },
    /// Nothing was applied; process the records one at a time.
    Fallback,
}

struct Prepared {
    decoded: Box<dyn Decoded>,
    span: tracing::Span,
    ctx: MessageContext,
}

/// What happened to a record.
#[derive(Debug)]
pub enum Outcome {
    Handled,
    /// The inbox already had the event: a redelivery, skipped.
    Duplicate,
    Poison {
        class: PoisonClass,
        message: String,
    },
    Permanent {
        event_id: Uuid,
        code: String,
        message: String,
    },
    Transient(String),
}

trait Decoded: Send + Sync {
    fn envelope(&self) -> &Envelope;
    fn handle<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        ctx: &'a MessageContext,
    ) -> BoxFuture<'a, Result<(), HandlerError>>;
}

struct DecodedEvent<H: Handler> {
    event: H::Event,
    handler: Arc<H>,
}

impl<H: Handler> Decoded for DecodedEvent<H> {
    fn envelope(&self) -> &Envelope {
        self.event.envelope()
    }
    fn handle<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        ctx: &'a MessageContext,
    ) -> BoxFuture<'a, Result<(), HandlerError>> {
        Box::pin(self.handler.handle(conn, &self.event, ctx))
    }
}

trait Route: Send + Sync {
    fn decode<'a>(
        &'a self,
        codec: &'a Codec,
        payload: Option<&'a [u8]>,
    ) -> BoxFuture<'a, Result<Box<dyn Decoded>, DecodeError>>;
}

struct TypedRoute<H: Handler> {
    handler: Arc<H>,
}

impl<H: Handler> Route for TypedRoute<H> {
    fn decode<'a>(
        &'a self,
        codec: &'a Codec,
        payload: Option<&'a [u8]>,
    ) -> BoxFuture<'a, Result<Box<dyn Decoded>, DecodeError>> {
        Box::pin(async move {
            let event = codec.decode::<H::Event>(payload).await?;
            Ok(Box::new(DecodedEvent {
                event,
                handler: self.handler.clone(),
            }) as Box<dyn Decoded>)
        })
    }
}

/// The handlers of one consumer, by topic.
pub struct Router {
    consumer: String,
    pool: PgPool,
    codec: Arc<Codec>,
    naming: TopicNaming,
    routes: HashMap<String, Box<dyn Route>>,
    waker: Option<OutboxWaker>,
    after_commit: Vec<Arc<dyn Fn() + Send + Sync>>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("consumer", &self.consumer)
            .field("topics", &self.topics())
            .finish_non_exhaustive()
    }
}

impl Router {
    /// A router for the consumer named `consumer` (the inbox key; usually the service name).
    pub fn new(
        consumer: impl Into<String>,
        pool: PgPool,
        codec: Arc<Codec>,
        naming: TopicNaming,
    ) -> Self {
        Self {
            consumer: consumer.into(),
            pool,
            codec,
            naming,
            routes: HashMap::new(),
            waker: None,
            after_commit: Vec::new(),
        }
    }

    /// A router with no routes whose pool never connects: enough to build a service's HTTP
    /// router (and so its OpenAPI document) in a test that talks to no infrastructure.
    pub fn for_docs() -> Arc<Self> {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .connect_lazy("postgres://postgres@127.0.0.1:1/none")
            .expect("a lazy pool parses its URL");
        let codec = Codec::new("http://127.0.0.1:1").expect("a codec parses its URL");
        Arc::new(Self::new(
            "docs",
            pool,
            Arc::new(codec),
            TopicNaming::unprefixed(),
        ))
    }

    /// Routes the topic of `H::Event` to `handler`.
    #[must_use]
    pub fn route<H: Handler>(mut self, handler: H) -> Self {
        self.routes.insert(
            self.naming.name(H::Event::TOPIC),
            Box::new(TypedRoute {
                handler: Arc::new(handler),
            }),
        );
        self
    }

    /// Wakes the service's relay after each commit (handlers usually append events).
    #[must_use]
    pub fn wake_after_commit(mut self, waker: OutboxWaker) -> Self {
        self.waker = Some(waker);
        self
    }

    /// Runs `hook` after every commit that applied at least one record, e.g. to wake a
    /// service's own worker that should act on what the handler just stored.
    #[must_use]
    pub fn after_commit(mut self, hook: impl Fn() + Send + Sync + 'static) -> Self {
        self.after_commit.push(Arc::new(hook));
        self
    }

    fn committed(&self) {
        if let Some(waker) = &self.waker {
            waker.wake();
        }
        for hook in &self.after_commit {
            hook();
        }
    }

    pub fn consumer(&self) -> &str {
        &self.consumer
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn naming(&self) -> &TopicNaming {
        &self.naming
    }

    /// This environment's names of the routed topics.
    pub fn topics(&self) -> Vec<&str> {
        let mut topics: Vec<_> = self.routes.keys().map(String::as_str).collect();
        topics.sort_unstable();
        topics
    }

    /// Decodes and applies one record effectively once.
    pub async fn process(&self, record: &Record) -> Outcome {
        let prepared = match self.prepare(record).await {
            Ok(prepared) => prepared,
            Err(outcome) => return outcome,
        };
        self.apply(prepared.decoded.as_ref(), &prepared.ctx)
            .instrument(prepared.span)
            .await
    }

    /// Applies consecutive records of one partition in a single transaction (one inbox row and
    /// one handler call per record, one commit), which amortises the commit over the batch.
    /// All or nothing: if any record fails to decode, any handler fails, or the commit fails,
    /// nothing is applied and the caller falls back to [`Router::process`] one record at a time,
    /// which isolates poison records and retries transient failures in order.
    pub async fn process_batch(&self, records: &[Record]) -> BatchOutcome {
        let mut prepared = Vec::with_capacity(records.len());
        for record in records {
            match self.prepare(record).await {
                Ok(p) => prepared.push(p),
                Err(_) => return BatchOutcome::Fallback,
            }
        }
        let Ok(mut tx) = self.pool.begin().await else {
            return BatchOutcome::Fallback;
        };
        let (mut handled, mut duplicates) = (0, 0);
        for p in &prepared {
            let applied = async {
                match self.insert_inbox(&mut tx, &p.ctx).await {
                    Ok(false) => Ok(false),
                    Ok(true) => p
                        .decoded
                        .handle(&mut tx, &p.ctx)
                        .await
                        .map(|()| true)
                        .map_err(drop),
                    Err(_) => Err(()),
                }
            }
            .instrument(p.span.clone())
            .await;
            match applied {
                Ok(true) => handled += 1,
                Ok(false) => duplicates += 1,
                Err(()) => return BatchOutcome::Fallback,
            }
        }
        if tx.commit().await.is_err() {
            return BatchOutcome::Fallback;
        }
        if handled > 0 {
            self.committed();
        }
        if duplicates > 0 {
            metrics::counter!("oms_inbox_duplicates_total", "consumer" => self.consumer.clone())
                .increment(duplicates);
        }
        BatchOutcome::Applied {
            handled,
            duplicates,
        }
    }

    /// Decodes `record` and builds its span (continuing the producer's trace) and context.
    async fn prepare(&self, record: &Record) -> Result<Prepared, Outcome> {
        let Some(route) = self.routes.get(record.topic.as_str()) else {
            return Err(Outcome::Poison {
                class: PoisonClass::UnknownEventType,
                message: format!(
                    "consumer {} has no handler for topic {}",
                    self.consumer, record.topic
                ),
            });
        };
        let decoded = match route.decode(&self.codec, record.payload.as_deref()).await {
            Ok(decoded) => decoded,
            Err(DecodeError::Poison { class, message }) => {
                return Err(Outcome::Poison { class, message });
            }
            Err(DecodeError::Transient(message)) => return Err(Outcome::Transient(message)),
        };
        let envelope = decoded.envelope().clone();
        let span = tracing::info_span!(
            "consume",
            consumer = %self.consumer,
            topic = %record.topic,
            partition = record.partition,
            offset = record.offset,
            event_type = %envelope.event_type,
            event_id = %envelope.event_id,
            aggregate_id = %envelope.aggregate_id,
            correlation_id = %envelope.correlation_id,
        );
        // Continue the producer's trace: from the envelope, or from the Kafka header for
        // contracts without one in the record (CPQ's QuoteAccepted).
        let traceparent = envelope.traceparent.as_deref().or_else(|| {
            record
                .headers
                .iter()
                .find(|(name, _)| name == crate::envelope::header::TRACEPARENT)
                .map(|(_, value)| value.as_str())
        });
        if let Some(traceparent) = traceparent {
            oms_telemetry::set_parent_from_traceparent(&span, traceparent);
        }
        let ctx = MessageContext {
            consumer: self.consumer.clone(),
            topic: record.topic.clone(),
            partition: record.partition,
            offset: record.offset,
            envelope,
        };
        Ok(Prepared { decoded, span, ctx })
    }

    /// Inserts the inbox row; false when the event was already handled (a redelivery).
    async fn insert_inbox(
        &self,
        conn: &mut PgConnection,
        ctx: &MessageContext,
    ) -> Result<bool, sqlx::Error> {
        let result = sqlx::query!(
            r#"insert into inbox (consumer, event_id, topic, kafka_partition, kafka_offset)
               values ($1, $2, $3, $4, $5)
               on conflict (consumer, event_id) do nothing"#,
            self.consumer,
            ctx.envelope.event_id,
            ctx.topic,
            ctx.partition,
            ctx.offset,
        )
        .execute(conn)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn apply(&self, decoded: &dyn Decoded, ctx: &MessageContext) -> Outcome {
        let event_id = ctx.envelope.event_id;
        let mut tx = match self.pool.begin().await {
            Ok(tx) => tx,
            Err(error) => return Outcome::Transient(format!("begin: {error}")),
        };
        match self.insert_inbox(&mut tx, ctx).await {
            Ok(false) => {
                metrics::counter!("oms_inbox_duplicates_total", "consumer" => self.consumer.clone())
                    .increment(1);
                return Outcome::Duplicate;
            }
            Ok(true) => {}
            Err(error) => return Outcome::Transient(format!("inbox insert: {error}")),
        }
        match decoded.handle(&mut tx, ctx).await {
            Ok(()) => match tx.commit().await {
                Ok(()) => {
                    self.committed();
                    Outcome::Handled
                }
                Err(error) => Outcome::Transient(format!("commit: {error}")),
            },
            Err(HandlerError::Transient(error)) => Outcome::Transient(format!("{error:#}")),
            Err(HandlerError::Permanent { code, message }) => Outcome::Permanent {
                event_id,
                code,
                message,
            },
        }
    }
}
