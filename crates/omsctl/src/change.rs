//! Changing an order in flight (ADR 0008): cancellation and amendment requests and their dry
//! runs, as `omsctl order cancel|amend` send them.
//!
//! A real request first asks for the assessment (unless the caller already has its version)
//! and sends its `assessmentVersion` as `If-Match`, so it is refused with 409
//! `ASSESSMENT_STALE` when the order moved in between: what was shown is what is decided on.

use crate::api::Api;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A cancellation: the whole order, or some of its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation {
    pub reason_code: String,
    pub reason: Option<String>,
    /// Empty: the whole order.
    pub item_ids: Vec<String>,
    pub manual_review: bool,
}

impl Cancellation {
    pub fn body(&self) -> Value {
        let scope = if self.item_ids.is_empty() {
            json!({ "type": "ORDER" })
        } else {
            json!({ "type": "ITEMS", "orderItemIds": self.item_ids })
        };
        json!({
            "reasonCode": self.reason_code,
            "reason": self.reason,
            "scope": scope,
            "forceManualReview": self.manual_review,
        })
    }
}

/// An amendment: typed changes as the API takes them (`{"type": "CHANGE_ITEM_CONFIGURATION",
/// ...}`; docs/api.md lists them).
#[derive(Debug, Clone, PartialEq)]
pub struct Amendment {
    pub reason_code: String,
    pub reason: Option<String>,
    pub changes: Vec<Value>,
}

impl Amendment {
    pub fn body(&self) -> Value {
        json!({
            "reasonCode": self.reason_code,
            "reason": self.reason,
            "changes": self.changes,
        })
    }
}

/// `ITEM_ID:key=value` (one `--set`): a configuration change of one item.
pub fn configuration_change(spec: &str) -> anyhow::Result<Value> {
    let (item, assignment) = spec
        .split_once(':')
        .ok_or_else(|| anyhow::anyhow!("`{spec}`: expected ITEM_ID:key=value"))?;
    let (key, value) = assignment
        .split_once('=')
        .ok_or_else(|| anyhow::anyhow!("`{spec}`: expected ITEM_ID:key=value"))?;
    anyhow::ensure!(
        !item.is_empty() && !key.is_empty(),
        "`{spec}`: expected ITEM_ID:key=value"
    );
    Ok(json!({
        "type": "CHANGE_ITEM_CONFIGURATION",
        "itemId": item,
        "set": { key: value },
    }))
}

/// Which change kind (the path segment of its routes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Cancellation,
    Amendment,
}

impl Kind {
    fn assessments(self) -> &'static str {
        match self {
            Self::Cancellation => "cancellation-assessments",
            Self::Amendment => "amendment-assessments",
        }
    }

    fn requests(self) -> &'static str {
        match self {
            Self::Cancellation => "cancellation-requests",
            Self::Amendment => "amendment-requests",
        }
    }
}

/// The dry run: `(status, {orderId, assessmentVersion, assessment})`; changes nothing.
pub async fn assess(
    api: &Api,
    kind: Kind,
    order_id: &str,
    body: &Value,
) -> anyhow::Result<(StatusCode, Value)> {
    api.post(
        &api.endpoints.order_capture,
        &format!("/api/v1/orders/{order_id}/{}", kind.assessments()),
        body,
    )
    .await
}

/// The real request, refused with 409 when the order is no longer at `assessment_version`
/// (when given). `idempotency_key` makes a retried call safe.
pub async fn request(
    api: &Api,
    kind: Kind,
    order_id: &str,
    body: &Value,
    assessment_version: Option<&str>,
    idempotency_key: &str,
) -> anyhow::Result<(StatusCode, Value)> {
    let mut headers = vec![("Idempotency-Key", idempotency_key.to_owned())];
    if let Some(version) = assessment_version {
        headers.push(("If-Match", format!("\"{version}\"")));
    }
    api.post_with(
        &api.endpoints.order_capture,
        &format!("/api/v1/orders/{order_id}/{}", kind.requests()),
        body,
        &headers,
    )
    .await
}

/// One request as order-capture keeps it (status, assessment, outcome).
pub async fn request_status(
    api: &Api,
    kind: Kind,
    order_id: &str,
    request_id: &str,
) -> anyhow::Result<Value> {
    match api
        .get(
            &api.endpoints.order_capture,
            &format!("/api/v1/orders/{order_id}/{}/{request_id}", kind.requests()),
        )
        .await?
    {
        crate::api::Fetched::Found(body) => Ok(body),
        crate::api::Fetched::Missing(status, body) => {
            anyhow::bail!("request {request_id} of order {order_id}: {status} {body}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancellation_without_items_covers_the_order() {
        let whole = Cancellation {
            reason_code: "CUSTOMER_CHANGED_MIND".into(),
            reason: None,
            item_ids: vec![],
            manual_review: false,
        };
        assert_eq!(whole.body()["scope"], json!({ "type": "ORDER" }));
        let some = Cancellation {
            item_ids: vec!["i-1".into()],
            ..whole
        };
        assert_eq!(
            some.body()["scope"],
            json!({ "type": "ITEMS", "orderItemIds": ["i-1"] })
        );
    }

    #[test]
    fn a_set_names_the_item_the_key_and_the_value() {
        assert_eq!(
            configuration_change("i-1:bandwidth=1Gbps").unwrap(),
            json!({ "type": "CHANGE_ITEM_CONFIGURATION", "itemId": "i-1", "set": { "bandwidth": "1Gbps" } })
        );
        for bad in ["i-1", "i-1:bandwidth", ":a=b", "i-1:=b"] {
            assert!(configuration_change(bad).is_err(), "{bad}");
        }
    }
}
