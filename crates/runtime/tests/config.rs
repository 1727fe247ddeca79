//! Layered configuration: defaults < file < environment, key-naming errors, secrets that never
//! print. `figment::Jail` isolates environment variables and the working directory per test.

// Jail closures must return `figment::Result`, whose error type is large; not ours to shrink.
#![allow(clippy::result_large_err)]

use figment::Jail;
use oms_runtime::config::{CommonConfig, ConfigError, ConfigLoader, ServiceConfig};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Settings {
    capture: Capture,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Capture {
    max_items: u32,
    quote_topic: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            capture: Capture {
                max_items: 100,
                quote_topic: "cpq.quote.events.v1".to_owned(),
            },
        }
    }
}

fn defaults() -> CommonConfig {
    CommonConfig::local("order-capture", "oms_order_capture", 8080)
}

fn load() -> Result<ServiceConfig<Settings>, ConfigError> {
    ConfigLoader::new("order-capture").load(&defaults())
}

#[test]
fn defaults_are_the_local_stack() {
    Jail::expect_with(|_jail| {
        let config = load().expect("configuration loads");
        assert_eq!(config.common.http.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(
            config.common.database.url.expose(),
            "postgres://postgres@127.0.0.1:5432/oms_order_capture"
        );
        assert_eq!(config.common.kafka.brokers, "127.0.0.1:9092");
        assert_eq!(config.common.kafka.client_id, "oms-order-capture");
        assert_eq!(config.common.schema_registry.url, "http://127.0.0.1:8081");
        assert!(config.common.auth.tokens.is_empty());
        assert_eq!(config.service, Settings::default());
        Ok(())
    });
}

#[test]
fn the_file_overrides_defaults_and_the_environment_overrides_the_file() {
    Jail::expect_with(|jail| {
        jail.create_dir("config")?;
        jail.create_file(
            "config/order-capture.toml",
            r#"
            [http]
            addr = "0.0.0.0:9000"
            [database]
            max_connections = 3
            [kafka]
            brokers = "file-broker:9092"
            [capture]
            max_items = 5
            "#,
        )?;
        jail.set_env("OMS_DATABASE__MAX_CONNECTIONS", "7");
        jail.set_env("OMS_CAPTURE__QUOTE_TOPIC", "cpq.quote.events.v2");
        let config = load().expect("configuration loads");
        assert_eq!(
            config.common.http.addr.to_string(),
            "0.0.0.0:9000",
            "file over default"
        );
        assert_eq!(config.common.database.max_connections, 7, "env over file");
        assert_eq!(
            config.common.kafka.brokers, "file-broker:9092",
            "file over default"
        );
        assert_eq!(config.service.capture.max_items, 5, "file over default");
        assert_eq!(
            config.service.capture.quote_topic, "cpq.quote.events.v2",
            "env over default"
        );
        assert_eq!(
            config.common.http.request_timeout_secs, 30,
            "untouched default"
        );

        jail.set_env("OMS_HTTP__ADDR", "127.0.0.1:0");
        let config = load().expect("configuration loads");
        assert_eq!(config.common.http.addr.port(), 0, "env over file");
        Ok(())
    });
}

#[test]
fn oms_config_file_names_the_file_and_must_exist() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "elsewhere.toml",
            "[schema_registry]\nurl = \"http://registry:8081\"",
        )?;
        jail.set_env("OMS_CONFIG_FILE", "elsewhere.toml");
        let config = load().expect("configuration loads");
        assert_eq!(config.common.schema_registry.url, "http://registry:8081");

        jail.set_env("OMS_CONFIG_FILE", "missing.toml");
        let error = load().expect_err("a named file must exist");
        assert!(matches!(error, ConfigError::MissingFile { .. }), "{error}");
        assert!(error.to_string().contains("missing.toml"), "{error}");
        Ok(())
    });
}

#[test]
fn the_stacks_single_underscore_variables_are_aliases() {
    Jail::expect_with(|jail| {
        jail.set_env("OMS_KAFKA_BROKERS", "alias-broker:9092");
        jail.set_env("OMS_SCHEMA_REGISTRY_URL", "http://alias-registry:8081");
        let config = load().expect("configuration loads");
        assert_eq!(config.common.kafka.brokers, "alias-broker:9092");
        assert_eq!(
            config.common.schema_registry.url,
            "http://alias-registry:8081"
        );

        jail.set_env("OMS_KAFKA__BROKERS", "nested-broker:9092");
        let config = load().expect("configuration loads");
        assert_eq!(
            config.common.kafka.brokers, "nested-broker:9092",
            "the nested key wins"
        );
        Ok(())
    });
}

#[test]
fn a_bad_environment_value_names_its_key_and_variable() {
    Jail::expect_with(|jail| {
        jail.set_env("OMS_DATABASE__MAX_CONNECTIONS", "many");
        let error = load().expect_err("not a number");
        assert_eq!(error.key(), Some("database.max_connections"));
        let text = error.to_string();
        assert!(text.contains("OMS_DATABASE__MAX_CONNECTIONS"), "{text}");
        assert!(text.contains("environment"), "names the origin: {text}");
        Ok(())
    });
}

#[test]
fn a_bad_file_value_names_its_key_and_the_file() {
    Jail::expect_with(|jail| {
        jail.create_dir("config")?;
        jail.create_file(
            "config/order-capture.toml",
            "[capture]\nmax_items = \"lots\"",
        )?;
        let error = load().expect_err("not a number");
        assert_eq!(error.key(), Some("capture.max_items"));
        let text = error.to_string();
        assert!(
            text.contains("order-capture.toml"),
            "names the file: {text}"
        );
        assert!(text.contains("OMS_CAPTURE__MAX_ITEMS"), "{text}");

        jail.create_file(
            "config/order-capture.toml",
            "[http]\naddr = \"not an address\"",
        )?;
        let error = load().expect_err("not a socket address");
        assert_eq!(error.key(), Some("http.addr"));
        Ok(())
    });
}

#[test]
fn auth_tokens_come_from_the_file_and_secrets_from_the_environment() {
    Jail::expect_with(|jail| {
        jail.create_dir("config")?;
        jail.create_file(
            "config/order-capture.toml",
            r#"
            [auth.tokens.sales_portal]
            token = "file-token"
            tenant_id = "tenant-a"
            subject = "sales-portal"
            scopes = ["orders:read", "orders:write"]
            "#,
        )?;
        jail.set_env("OMS_AUTH__TOKENS__SALES_PORTAL__TOKEN", "env-token-s3cret");
        let config = load().expect("configuration loads");
        let token = &config.common.auth.tokens["sales_portal"];
        assert_eq!(token.token.expose(), "env-token-s3cret");
        assert_eq!(token.tenant_id, "tenant-a");
        assert_eq!(token.scopes, ["orders:read", "orders:write"]);
        Ok(())
    });
}

#[test]
fn secrets_never_print() {
    Jail::expect_with(|jail| {
        jail.set_env(
            "OMS_DATABASE__URL",
            "postgres://oms:pg-pa55word@db:5432/oms",
        );
        jail.set_env("OMS_SCHEMA_REGISTRY__PASSWORD", "registry-pa55word");
        jail.set_env("OMS_KAFKA__PROPERTIES__SASL_PASSWORD", "kafka-pa55word");
        jail.create_dir("config")?;
        jail.create_file(
            "config/order-capture.toml",
            "[auth.tokens.ops]\ntoken = \"token-pa55word\"\ntenant_id = \"t\"\nsubject = \"ops\"\n",
        )?;
        let config = load().expect("configuration loads");
        assert_eq!(
            config.common.database.url.expose(),
            "postgres://oms:pg-pa55word@db:5432/oms",
            "the value is there"
        );
        let printed = format!("{config:?} {config:#?} {}", config.common.database.url);
        assert!(!printed.contains("pa55word"), "a secret leaked: {printed}");
        assert!(printed.contains("[redacted]"));
        let properties = config.common.kafka.client_properties();
        assert_eq!(properties[0].0, "sasl.password");
        assert_eq!(properties[0].1.expose(), "kafka-pa55word");
        Ok(())
    });
}

#[test]
fn kafka_properties_from_the_environment_keep_numbers_and_flags_as_text() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("OMS_KAFKA__PROPERTIES__FETCH_WAIT_MAX_MS", "20");
        jail.set_env("OMS_KAFKA__PROPERTIES__ENABLE_PARTITION_EOF", "false");
        let config = load().expect("configuration loads");
        let properties: Vec<(String, String)> = config
            .common
            .kafka
            .client_properties()
            .into_iter()
            .map(|(key, value)| (key, value.expose().clone()))
            .collect();
        assert_eq!(
            properties,
            vec![
                ("enable.partition.eof".to_owned(), "false".to_owned()),
                ("fetch.wait.max.ms".to_owned(), "20".to_owned()),
            ]
        );
        Ok(())
    });
}
