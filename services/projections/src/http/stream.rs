//! `GET /api/v1/stream`: server-sent events telling the dashboard what changed, so it reloads
//! only then (and only what it shows). One `changes` event per burst: changes arriving within
//! [`COALESCE`] of the first are sent together. A stream that fell behind, and every rebuild,
//! says `reload: true`. Only the caller's tenant's orders are named.

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use oms_runtime::http::{ApiError, Caller};
use serde::Serialize;
use std::collections::BTreeSet;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio_util::sync::CancellationToken;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ApiState, reader_tenant};
use crate::changes::Change;

/// How long changes are gathered into one event.
pub const COALESCE: Duration = Duration::from_millis(300);

/// The data of a `changes` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    /// Orders of the caller's tenant with new events.
    pub orders: Vec<Uuid>,
    /// Reload everything (a rebuild started, or the stream missed changes).
    pub reload: bool,
}

struct Subscription {
    receiver: broadcast::Receiver<Change>,
    tenant: String,
    shutdown: CancellationToken,
}

impl Subscription {
    /// Adds `change` to the burst; false when it is not for this tenant.
    fn take(&self, change: Result<Change, RecvError>, burst: &mut Changes) -> Option<bool> {
        match change {
            Ok(Change::Order {
                tenant_id,
                order_id,
            }) => {
                if tenant_id == self.tenant {
                    if !burst.orders.contains(&order_id) {
                        burst.orders.push(order_id);
                    }
                    Some(true)
                } else {
                    Some(false)
                }
            }
            Ok(Change::Rebuilt { .. }) | Err(RecvError::Lagged(_)) => {
                burst.reload = true;
                Some(true)
            }
            Err(RecvError::Closed) => None,
        }
    }

    /// The next burst of changes; `None` at shutdown.
    async fn next(&mut self) -> Option<Changes> {
        let mut burst = Changes {
            orders: Vec::new(),
            reload: false,
        };
        loop {
            let change = tokio::select! {
                () = self.shutdown.cancelled() => return None,
                change = self.receiver.recv() => change,
            };
            if self.take(change, &mut burst)? {
                break;
            }
        }
        let deadline = tokio::time::sleep(COALESCE);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                () = self.shutdown.cancelled() => return None,
                () = &mut deadline => break,
                change = self.receiver.recv() => { self.take(change, &mut burst)?; }
            }
        }
        let mut seen = BTreeSet::new();
        burst.orders.retain(|id| seen.insert(*id));
        Some(burst)
    }
}

/// Live updates: a `changes` event whenever orders of the caller's tenant change.
#[utoipa::path(
    get,
    path = "/api/v1/stream",
    tag = "orders",
    responses((
        status = 200,
        description = "text/event-stream of `changes` events (data: Changes as JSON); a \
                       comment every 15 s keeps idle connections open",
        body = Changes,
        content_type = "text/event-stream"
    )),
    security(("bearer" = []))
)]
pub async fn changes(
    caller: Caller,
    State(state): State<ApiState>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let tenant = reader_tenant(&caller)?.to_owned();
    let subscription = Subscription {
        receiver: state.changes.subscribe(),
        tenant,
        shutdown: state.shutdown.clone(),
    };
    let stream = futures::stream::unfold(subscription, |mut subscription| async move {
        let burst = subscription.next().await?;
        let event = Event::default()
            .event("changes")
            .json_data(&burst)
            .unwrap_or_else(|_| Event::default().event("changes").data("{\"reload\":true}"));
        Some((Ok(event), subscription))
    });
    // The first event tells the page the stream is live.
    let hello = futures::stream::once(async { Ok(Event::default().event("ready").data("{}")) });
    Ok(Sse::new(futures::StreamExt::chain(hello, stream))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
