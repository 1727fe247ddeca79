//! Addresses of the local stack's components, from the environment variables that
//! `deploy/local/stack.sh` reads too (with the same defaults).

/// Admin connection (no database path) to the PostgreSQL server tests create databases on.
pub const PG_ADMIN_URL_VAR: &str = "OMS_PG_ADMIN_URL";
pub const DEFAULT_PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432";
/// Bootstrap servers of the Kafka-protocol broker.
pub const KAFKA_BROKERS_VAR: &str = "OMS_KAFKA_BROKERS";
pub const DEFAULT_KAFKA_BROKERS: &str = "127.0.0.1:9092";
/// Base URL of the schema registry.
pub const SCHEMA_REGISTRY_URL_VAR: &str = "OMS_SCHEMA_REGISTRY_URL";
pub const DEFAULT_SCHEMA_REGISTRY_URL: &str = "http://127.0.0.1:8081";

/// `OMS_PG_ADMIN_URL`, default `postgres://postgres@127.0.0.1:5432`.
pub fn pg_admin_url() -> String {
    var_or(process_env, PG_ADMIN_URL_VAR, DEFAULT_PG_ADMIN_URL)
}

/// `OMS_KAFKA_BROKERS`, default `127.0.0.1:9092`.
pub fn kafka_brokers() -> String {
    var_or(process_env, KAFKA_BROKERS_VAR, DEFAULT_KAFKA_BROKERS)
}

/// `OMS_SCHEMA_REGISTRY_URL`, default `http://127.0.0.1:8081`.
pub fn schema_registry_url() -> String {
    var_or(
        process_env,
        SCHEMA_REGISTRY_URL_VAR,
        DEFAULT_SCHEMA_REGISTRY_URL,
    )
}

fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The variable's value when set and not blank, else the default (trailing `/` trimmed).
pub fn var_or(lookup: impl Fn(&str) -> Option<String>, name: &str, default: &str) -> String {
    lookup(name)
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
        .unwrap_or_else(|| default.to_owned())
        .trim_end_matches('/')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_values_win_and_blank_ones_fall_back() {
        let set = |_: &str| Some("http://registry:8081/ ".to_owned());
        assert_eq!(
            var_or(set, SCHEMA_REGISTRY_URL_VAR, DEFAULT_SCHEMA_REGISTRY_URL),
            "http://registry:8081"
        );
        let blank = |_: &str| Some("  ".to_owned());
        assert_eq!(
            var_or(blank, KAFKA_BROKERS_VAR, DEFAULT_KAFKA_BROKERS),
            "127.0.0.1:9092"
        );
        let unset = |_: &str| None;
        assert_eq!(
            var_or(unset, PG_ADMIN_URL_VAR, DEFAULT_PG_ADMIN_URL),
            DEFAULT_PG_ADMIN_URL
        );
    }
}
