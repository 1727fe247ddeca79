//! A small client of the services' HTTP APIs (bearer token, problem+json errors shown as-is).

use reqwest::{Client, StatusCode};
use serde_json::Value;

/// Where the services listen and which token to use.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub order_capture: String,
    pub decomposition: String,
    pub fulfillment: String,
    pub asset: String,
    pub token: String,
}

/// The answer of one GET: the JSON body, or the problem document of an error.
#[derive(Debug)]
pub enum Fetched {
    Found(Value),
    Missing(StatusCode, Value),
}

#[derive(Debug)]
pub struct Api {
    client: Client,
    pub endpoints: Endpoints,
}

impl Api {
    pub fn new(endpoints: Endpoints) -> anyhow::Result<Self> {
        Ok(Self {
            client: Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()?,
            endpoints,
        })
    }

    pub async fn get(&self, base: &str, path: &str) -> anyhow::Result<Fetched> {
        let url = format!("{}{path}", base.trim_end_matches('/'));
        let response = self
            .client
            .get(&url)
            .bearer_auth(&self.endpoints.token)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("GET {url}: {e} (is the service running? `make up`)"))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        Ok(if status.is_success() {
            Fetched::Found(body)
        } else {
            Fetched::Missing(status, body)
        })
    }

    pub async fn post(
        &self,
        base: &str,
        path: &str,
        body: &Value,
    ) -> anyhow::Result<(StatusCode, Value)> {
        self.send(reqwest::Method::POST, base, path, Some(body))
            .await
    }

    /// POST with extra request headers (`If-Match`, `Idempotency-Key`).
    pub async fn post_with(
        &self,
        base: &str,
        path: &str,
        body: &Value,
        headers: &[(&str, String)],
    ) -> anyhow::Result<(StatusCode, Value)> {
        let url = format!("{}{path}", base.trim_end_matches('/'));
        let mut request = self
            .client
            .post(&url)
            .bearer_auth(&self.endpoints.token)
            .json(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("POST {url}: {e} (is the service running? `make up`)"))?;
        let status = response.status();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }

    pub async fn put(
        &self,
        base: &str,
        path: &str,
        body: &Value,
    ) -> anyhow::Result<(StatusCode, Value)> {
        self.send(reqwest::Method::PUT, base, path, Some(body))
            .await
    }

    pub async fn delete(&self, base: &str, path: &str) -> anyhow::Result<(StatusCode, Value)> {
        self.send(reqwest::Method::DELETE, base, path, None).await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        base: &str,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(StatusCode, Value)> {
        let url = format!("{}{path}", base.trim_end_matches('/'));
        let mut request = self
            .client
            .request(method.clone(), &url)
            .bearer_auth(&self.endpoints.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| {
            anyhow::anyhow!("{method} {url}: {e} (is the service running? `make up`)")
        })?;
        let status = response.status();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }
}
