//! Layered configuration (defaults in code, then a TOML file, then `OMS_*` environment variables).
//!
//! Precedence, lowest first:
//! 1. the service's `Default` values (the local stack's addresses);
//! 2. a TOML file: the path in `OMS_CONFIG_FILE` (which must exist), else `config/<service>.toml`
//!    relative to the working directory when it exists;
//! 3. `OMS_KAFKA_BROKERS` and `OMS_SCHEMA_REGISTRY_URL`, the single-underscore names the local
//!    stack and the test helpers use, as aliases of `kafka.brokers` and `schema_registry.url`;
//! 4. `OMS_<KEY>` environment variables, `__` separating nested keys: `OMS_HTTP__ADDR`,
//!    `OMS_DATABASE__URL`, `OMS_DATABASE__MAX_CONNECTIONS`, `OMS_KAFKA__BROKERS`,
//!    `OMS_SCHEMA_REGISTRY__URL`, `OMS_AUTH__TOKENS__<LABEL>__TOKEN`, ...
//!
//! A bad value fails startup with an error naming the key, its environment variable and where
//! the value came from. Unknown keys are ignored, so unrelated `OMS_*` variables (such as
//! `OMS_LOG_FORMAT`, read by telemetry) do not disturb loading.

mod secret;
mod sections;

pub use secret::Secret;
pub use sections::{
    AuthConfig, CommonConfig, DatabaseConfig, HttpConfig, JwtConfig, KafkaConfig,
    SchemaRegistryConfig, StaticToken,
};

use figment::Figment;
use figment::providers::{Env, Format as _, Serialized, Toml};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::PathBuf;

/// Prefix of every configuration environment variable.
pub const ENV_PREFIX: &str = "OMS_";
/// Environment variable naming the configuration file.
pub const CONFIG_FILE_ENV: &str = "OMS_CONFIG_FILE";

/// Single-underscore aliases kept for the local stack's scripts: variable, key.
const ENV_ALIASES: [(&str, &str); 2] = [
    ("OMS_KAFKA_BROKERS", "kafka.brokers"),
    ("OMS_SCHEMA_REGISTRY_URL", "schema_registry.url"),
];

/// A service's whole configuration: the shared sections plus its own.
///
/// Both halves read the same top-level keys; `S` owns whatever keys the common sections do not
/// (`[capture]`, `[relay]`, ...). They are extracted separately rather than with
/// `#[serde(flatten)]`, because flattening loses the key path in error messages.
#[derive(Debug, Clone)]
pub struct ServiceConfig<S> {
    pub common: CommonConfig,
    pub service: S,
}

/// Why configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {path} (from {CONFIG_FILE_ENV}) does not exist")]
    MissingFile { path: PathBuf },
    #[error(
        "invalid configuration key `{key}` (environment variable {env_var}) from {origin}: {message}"
    )]
    Invalid {
        /// Dotted key, such as `database.max_connections`.
        key: String,
        /// The environment variable that sets the key.
        env_var: String,
        /// Where the rejected value came from.
        origin: String,
        message: String,
    },
    #[error("invalid configuration: {0}")]
    Other(String),
}

impl ConfigError {
    /// The dotted key the error is about, when it is about one.
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::Invalid { key, .. } => Some(key),
            _ => None,
        }
    }

    fn from_figment(error: &figment::Error) -> Self {
        if error.path.is_empty() {
            return Self::Other(error.to_string());
        }
        let key = error.path.join(".");
        let env_var = env_var_for(&error.path);
        let origin = match &error.metadata {
            Some(metadata) => match &metadata.source {
                Some(source) => format!("{} {source}", metadata.name),
                None => metadata.name.to_string(),
            },
            None => "defaults".to_owned(),
        };
        Self::Invalid {
            key,
            env_var,
            origin,
            message: error.kind.to_string(),
        }
    }
}

/// The environment variable that sets a key path: `["database", "url"]` -> `OMS_DATABASE__URL`.
pub fn env_var_for<S: AsRef<str>>(path: &[S]) -> String {
    let joined: Vec<String> = path
        .iter()
        .map(|part| part.as_ref().to_ascii_uppercase())
        .collect();
    format!("{ENV_PREFIX}{}", joined.join("__"))
}

/// Loads a service's configuration: `common_defaults` and `S::default()` overlaid by the file and
/// the environment.
pub fn load<S>(
    service: &str,
    common_defaults: &CommonConfig,
) -> Result<ServiceConfig<S>, ConfigError>
where
    S: Default + Serialize + DeserializeOwned,
{
    ConfigLoader::new(service).load(common_defaults)
}

/// Builds the layered [`Figment`]; [`load`] is the usual entry point.
#[derive(Debug, Clone)]
pub struct ConfigLoader {
    service: String,
    file: Option<PathBuf>,
}

impl ConfigLoader {
    pub fn new(service: &str) -> Self {
        Self {
            service: service.to_owned(),
            file: None,
        }
    }

    /// Reads this file instead of `OMS_CONFIG_FILE` / `config/<service>.toml`; it must exist.
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// Loads the common sections and the service's own sections from the same layers.
    pub fn load<S>(&self, common_defaults: &CommonConfig) -> Result<ServiceConfig<S>, ConfigError>
    where
        S: Default + Serialize + DeserializeOwned,
    {
        let figment = self.figment(common_defaults, &S::default())?;
        let common = figment
            .extract()
            .map_err(|error| ConfigError::from_figment(&error))?;
        let service = figment
            .extract()
            .map_err(|error| ConfigError::from_figment(&error))?;
        Ok(ServiceConfig { common, service })
    }

    /// Loads one self-contained configuration type (no common sections).
    pub fn load_one<T>(&self, defaults: &T) -> Result<T, ConfigError>
    where
        T: Serialize + DeserializeOwned,
    {
        self.layers(Figment::from(Serialized::defaults(defaults)))?
            .extract()
            .map_err(|error| ConfigError::from_figment(&error))
    }

    /// The merged layers, for services that need to add a provider of their own.
    pub fn figment<C: Serialize, S: Serialize>(
        &self,
        common_defaults: &C,
        service_defaults: &S,
    ) -> Result<Figment, ConfigError> {
        let defaults = Figment::from(Serialized::defaults(common_defaults))
            .merge(Serialized::defaults(service_defaults));
        self.layers(defaults)
    }

    fn layers(&self, defaults: Figment) -> Result<Figment, ConfigError> {
        let mut figment = defaults;
        if let Some(path) = self.config_file()? {
            figment = figment.merge(Toml::file_exact(path));
        }
        for (variable, key) in ENV_ALIASES {
            figment = figment.merge(Env::raw().only(&[variable]).map(move |_| key.into()));
        }
        Ok(figment.merge(Env::prefixed(ENV_PREFIX).split("__")))
    }

    fn config_file(&self) -> Result<Option<PathBuf>, ConfigError> {
        let explicit = self.file.clone().or_else(|| {
            std::env::var_os(CONFIG_FILE_ENV)
                .filter(|value| !value.is_empty())
                .map(PathBuf::from)
        });
        if let Some(path) = explicit {
            return if path.is_file() {
                Ok(Some(path))
            } else {
                Err(ConfigError::MissingFile { path })
            };
        }
        let conventional = PathBuf::from("config").join(format!("{}.toml", self.service));
        Ok(conventional.is_file().then_some(conventional))
    }
}
