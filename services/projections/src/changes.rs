//! Change announcements from PostgreSQL to this process: every applied event notifies
//! `oms_projections_changed` with `<tenant> <order id>`, every rebuild notifies
//! `oms_projections_generation`, both delivered when their transaction commits, to every
//! replica. One listener per process fans them out to the dashboard's live streams and wakes
//! the projector on a new generation.

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, broadcast};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::store::generation::GENERATION_CHANNEL;
use crate::store::timeline::CHANGED_CHANNEL;

/// Something in the read model changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An event of this order was applied.
    Order { tenant_id: String, order_id: Uuid },
    /// The read model was dropped and is being rebuilt.
    Rebuilt { generation: i64 },
}

/// Subscribers and the projector's wake-up.
#[derive(Debug, Clone)]
pub struct Changes {
    sender: broadcast::Sender<Change>,
    generation: Arc<Notify>,
}

impl Default for Changes {
    fn default() -> Self {
        Self::new()
    }
}

impl Changes {
    pub fn new() -> Self {
        // A stream that falls this far behind is told to reload everything.
        let (sender, _) = broadcast::channel(1024);
        Self {
            sender,
            generation: Arc::new(Notify::new()),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.sender.subscribe()
    }

    /// Resolves when a new generation was announced.
    pub fn generation_changed(&self) -> Arc<Notify> {
        self.generation.clone()
    }

    fn dispatch(&self, channel: &str, payload: &str) {
        if channel == GENERATION_CHANNEL {
            self.generation.notify_one();
            if let Ok(generation) = payload.parse() {
                let _ = self.sender.send(Change::Rebuilt { generation });
            }
        } else if let Some((tenant, order)) = payload.split_once(' ')
            && let Ok(order_id) = Uuid::parse_str(order)
        {
            // No subscriber is fine: nobody watches.
            let _ = self.sender.send(Change::Order {
                tenant_id: tenant.to_owned(),
                order_id,
            });
        }
    }

    /// Listens until `shutdown`; reconnects after a lost connection.
    pub async fn listen(self, pool: PgPool, shutdown: CancellationToken) -> anyhow::Result<()> {
        loop {
            let mut listener = tokio::select! {
                () = shutdown.cancelled() => return Ok(()),
                listener = connect(&pool) => match listener {
                    Ok(listener) => listener,
                    Err(error) => {
                        tracing::warn!(%error, "change listener cannot connect; retrying");
                        if pause(&shutdown).await { return Ok(()) }
                        continue;
                    }
                },
            };
            loop {
                let notification = tokio::select! {
                    () = shutdown.cancelled() => return Ok(()),
                    notification = listener.recv() => notification,
                };
                match notification {
                    Ok(n) => self.dispatch(n.channel(), n.payload()),
                    Err(error) => {
                        tracing::warn!(%error, "change listener lost its connection");
                        break;
                    }
                }
            }
            if pause(&shutdown).await {
                return Ok(());
            }
        }
    }
}

async fn connect(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener
        .listen_all([CHANGED_CHANNEL, GENERATION_CHANNEL])
        .await?;
    Ok(listener)
}

/// Waits a moment; true when shutdown came first.
async fn pause(shutdown: &CancellationToken) -> bool {
    tokio::select! {
        () = shutdown.cancelled() => true,
        () = tokio::time::sleep(Duration::from_secs(1)) => false,
    }
}
