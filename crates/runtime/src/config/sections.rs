//! The configuration sections every service shares, with the local stack's addresses as
//! defaults: PostgreSQL on 127.0.0.1:5432 (user `postgres`), the broker on 127.0.0.1:9092 and the
//! schema registry on http://127.0.0.1:8081. Production overrides them through the config file or
//! `OMS_...` environment variables; the keys are the same everywhere.

use super::Secret;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

/// Sections shared by every service: `http`, `database`, `kafka`, `schema_registry`, `auth`.
///
/// A service config puts it next to its own sections (see [`super::ServiceConfig`]), so the keys
/// stay top-level: `OMS_HTTP__ADDR`, `OMS_DATABASE__URL`, ...
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommonConfig {
    pub http: HttpConfig,
    pub database: DatabaseConfig,
    pub kafka: KafkaConfig,
    pub schema_registry: SchemaRegistryConfig,
    pub auth: AuthConfig,
}

impl CommonConfig {
    /// Local-stack defaults for one service: its HTTP port, its own database on the local
    /// PostgreSQL server, and a Kafka client id `oms-<service>`.
    pub fn local(service: &str, database: &str, http_port: u16) -> Self {
        Self {
            http: HttpConfig {
                addr: SocketAddr::from(([127, 0, 0, 1], http_port)),
                ..HttpConfig::default()
            },
            database: DatabaseConfig {
                url: Secret::new(format!("postgres://postgres@127.0.0.1:5432/{database}")),
                ..DatabaseConfig::default()
            },
            kafka: KafkaConfig {
                client_id: format!("oms-{service}"),
                ..KafkaConfig::default()
            },
            schema_registry: SchemaRegistryConfig::default(),
            auth: AuthConfig::default(),
        }
    }
}

/// `http.*`: where the API listens and how much it accepts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HttpConfig {
    /// Listen address; port 0 picks a free port (tests).
    pub addr: SocketAddr,
    /// Largest accepted request body; larger bodies get 413.
    pub body_limit_bytes: usize,
    /// A request still running after this long is answered 503 (`TIMEOUT`).
    pub request_timeout_secs: u64,
    /// Browser origins allowed to call this API cross-origin (CORS), e.g. the operations
    /// dashboard `http://127.0.0.1:8085`. Empty (the default): no CORS headers at all. A list,
    /// or one comma-separated string (`OMS_HTTP__CORS_ALLOWED_ORIGINS`).
    #[serde(default, deserialize_with = "crate::http::cors::origins")]
    pub cors_allowed_origins: Vec<String>,
}

impl HttpConfig {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            body_limit_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            cors_allowed_origins: Vec::new(),
        }
    }
}

/// `database.*`: the service's own PostgreSQL database.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatabaseConfig {
    /// `postgres://user[:password]@host:port/database`; a secret because it may hold a password.
    pub url: Secret<String>,
    pub max_connections: u32,
    /// How long to wait for a pooled connection before failing the unit of work.
    pub acquire_timeout_secs: u64,
    /// Create the database at startup when it does not exist (local stack and tests). Turn it off
    /// where the service's role may not create databases.
    pub create_if_missing: bool,
}

impl DatabaseConfig {
    pub fn acquire_timeout(&self) -> Duration {
        Duration::from_secs(self.acquire_timeout_secs)
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: Secret::new("postgres://postgres@127.0.0.1:5432/oms".to_owned()),
            max_connections: 10,
            acquire_timeout_secs: 5,
            create_if_missing: true,
        }
    }
}

/// `kafka.*`: the Kafka-protocol cluster.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KafkaConfig {
    /// Bootstrap servers, comma separated (`host:port,host:port`).
    pub brokers: String,
    /// `client.id` of producers and consumers, which brokers show in their logs and quotas.
    pub client_id: String,
    /// Extra librdkafka properties (`security.protocol`, `sasl.mechanism`, `sasl.password`, ...).
    /// Values are secrets because some of them are credentials. Environment variables cannot
    /// carry dots in keys, so `_` stands for `.`: `OMS_KAFKA__PROPERTIES__SASL_PASSWORD`. Read
    /// them through [`KafkaConfig::client_properties`].
    #[serde(deserialize_with = "scalar_properties")]
    pub properties: BTreeMap<String, Secret<String>>,
    /// Environment prefix for every topic, schema subject and consumer group (ADR 0003, "topic
    /// naming"): empty in production; tests and side-by-side environments set one, e.g. `t42`.
    pub topic_prefix: String,
    /// Shards of the transactional outbox; every replica of a service must use the same value.
    pub outbox_shards: u16,
    /// When non-zero, a consumer that has had no partition assigned for this long leaves and
    /// rejoins its group. A workaround for the local broker (Tansu 0.6), whose coordinator can
    /// settle a group on an empty assignment after its leader was killed mid-rebalance
    /// (docs/broker-notes.md); 0 (off) against Kafka, where a replica without partitions is
    /// normal and rejoining would only cause rebalances.
    pub rejoin_unassigned_after_ms: u64,
}

impl KafkaConfig {
    /// `properties` with librdkafka's dotted names (`sasl_password` -> `sasl.password`).
    pub fn client_properties(&self) -> Vec<(String, &Secret<String>)> {
        self.properties
            .iter()
            .map(|(key, value)| (key.replace('_', "."), value))
            .collect()
    }
}

impl Default for KafkaConfig {
    fn default() -> Self {
        Self {
            brokers: "127.0.0.1:9092".to_owned(),
            client_id: "oms".to_owned(),
            properties: BTreeMap::new(),
            topic_prefix: String::new(),
            outbox_shards: 8,
            rejoin_unassigned_after_ms: 0,
        }
    }
}

/// `schema_registry.*`: the Confluent-compatible schema registry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SchemaRegistryConfig {
    pub url: String,
    /// Basic-auth user, when the registry requires it.
    pub username: Option<String>,
    pub password: Option<Secret<String>>,
}

impl Default for SchemaRegistryConfig {
    fn default() -> Self {
        Self {
            url: "http://127.0.0.1:8081".to_owned(),
            username: None,
            password: None,
        }
    }
}

/// `auth.*`: bearer tokens accepted by [`crate::http::auth::StaticTokens`].
///
/// Keyed by a label that names the token (never the token itself, so logs and error messages
/// can mention it):
///
/// ```toml
/// [auth.tokens.sales_portal]
/// token = "..."            # or OMS_AUTH__TOKENS__SALES_PORTAL__TOKEN
/// tenant_id = "tenant-a"
/// subject = "sales-portal"
/// scopes = ["orders:read", "orders:write"]
/// ```
///
/// Empty by default: a service without configured tokens authenticates nobody. A production
/// deployment accepts JWTs of its identity provider (`[auth.jwt]`, see `http::auth::jwt`);
/// static tokens may stay for machine clients.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuthConfig {
    #[serde(default)]
    pub tokens: BTreeMap<String, StaticToken>,
    /// JWTs of an identity provider, next to the static tokens.
    #[serde(default)]
    pub jwt: Option<JwtConfig>,
}

/// ```toml
/// [auth.jwt]
/// issuer = "https://idp.example.com/"
/// audience = "oms-order-capture"        # this service's own audience
/// hs256_secret = "..."                  # or rs256_public_key_pem = "-----BEGIN PUBLIC KEY-----..."
/// tenant_claim = "tenant_id"            # default
/// leeway_seconds = 30                   # default
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JwtConfig {
    pub issuer: String,
    pub audience: String,
    #[serde(default)]
    pub hs256_secret: Option<Secret<String>>,
    #[serde(default)]
    pub rs256_public_key_pem: Option<String>,
    #[serde(default = "default_tenant_claim")]
    pub tenant_claim: String,
    #[serde(default = "default_leeway_seconds")]
    pub leeway_seconds: u64,
}

fn default_tenant_claim() -> String {
    "tenant_id".to_owned()
}

const fn default_leeway_seconds() -> u64 {
    30
}

/// One accepted bearer token and the caller it stands for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaticToken {
    pub token: Secret<String>,
    pub tenant_id: String,
    pub subject: String,
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// librdkafka property values are strings, but environment variables and TOML give numbers and
/// booleans their own types (`OMS_KAFKA__PROPERTIES__FETCH_WAIT_MAX_MS=20` arrives as 20): take
/// any scalar and keep its text.
fn scalar_properties<'de, D>(deserializer: D) -> Result<BTreeMap<String, Secret<String>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        Text(String),
        Integer(i64),
        Float(f64),
        Flag(bool),
    }
    let raw = BTreeMap::<String, Scalar>::deserialize(deserializer)?;
    Ok(raw
        .into_iter()
        .map(|(key, value)| {
            let text = match value {
                Scalar::Text(text) => text,
                Scalar::Integer(n) => n.to_string(),
                Scalar::Float(x) => x.to_string(),
                Scalar::Flag(b) => b.to_string(),
            };
            (key, Secret::new(text))
        })
        .collect())
}
