//! Every configuration key a binary reads is documented in `docs/configuration.md`, and every
//! `OMS_*` variable documented there is read by something.
//!
//! The keys come from two places, so a new key cannot slip past:
//! - the configuration types themselves: each service's defaults (shared sections and its own),
//!   serialized to a key tree and named as `OMS_<SECTION>__<KEY>` environment variables, with
//!   one example entry in each map (`auth.tokens.<label>`, `kafka.properties.<name>`);
//! - every quoted `"OMS_…"`, `"OTEL_…"` and `"RUST_LOG"` literal in the binaries' and
//!   libraries' sources outside tests: clap `env = "…"` flags (omsctl, oms-relay, the schema
//!   registry stand-in), telemetry's `std::env::var` reads, the runtime's aliases.
//!
//! In the document, a `<PLACEHOLDER>` segment stands for any one segment (`<SYSTEM>` for the
//! fulfillment simulators, `<NAME>` for a librdkafka property).

use oms_runtime::config::{CommonConfig, JwtConfig, Secret, StaticToken, env_var_for};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const DOC: &str = "docs/configuration.md";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shared sections with one example entry in each map, so the map's value keys show.
fn common_exemplar(service: &str, database: &str, port: u16) -> CommonConfig {
    let mut common = CommonConfig::local(service, database, port);
    common.auth.tokens.insert(
        "<label>".to_owned(),
        StaticToken {
            token: Secret::new("t".to_owned()),
            tenant_id: "t".to_owned(),
            subject: "s".to_owned(),
            scopes: vec![],
        },
    );
    // both key kinds set, so that every JWT key shows (a deployment sets one of them)
    common.auth.jwt = Some(JwtConfig {
        issuer: "i".to_owned(),
        audience: "a".to_owned(),
        hs256_secret: Some(Secret::new("s".to_owned())),
        rs256_public_key_pem: Some("p".to_owned()),
        tenant_claim: "tenant_id".to_owned(),
        leeway_seconds: 30,
    });
    common
        .kafka
        .properties
        .insert("<name>".to_owned(), Secret::new("v".to_owned()));
    common
}

/// Key paths of a serialized configuration: leaves are scalars, arrays, `null` (an unset
/// option) and empty maps (`<key>`: a map whose entries are free-form).
fn key_paths(value: &Value, path: &mut Vec<String>, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) if map.is_empty() && !path.is_empty() => {
            path.push("<key>".to_owned());
            out.insert(env_var_for(path));
            path.pop();
        }
        Value::Object(map) => {
            for (key, child) in map {
                path.push(key.clone());
                key_paths(child, path, out);
                path.pop();
            }
        }
        _ => {
            out.insert(env_var_for(path));
        }
    }
}

fn keys_of<T: Serialize>(config: &T) -> BTreeSet<String> {
    let value = serde_json::to_value(config).expect("configuration serializes");
    let mut out = BTreeSet::new();
    key_paths(&value, &mut Vec::new(), &mut out);
    out
}

/// The keys the services read through `oms_runtime::config`.
fn typed_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    keys.extend(keys_of(&common_exemplar(
        "order-capture",
        "oms_order_capture",
        8080,
    )));
    keys.extend(keys_of(&oms_order_capture::ServiceSettings::default()));
    keys.extend(keys_of(&oms_decomposition::Settings::default()));
    keys.extend(keys_of(&oms_fulfillment::Settings::default()));
    keys.extend(keys_of(&oms_asset::Settings::default()));
    keys.extend(keys_of(&oms_projections::Settings::default()));
    keys
}

/// Service crates whose `Settings` `typed_keys` covers (the schema registry stand-in reads
/// clap flags only, found by the source scan).
const COVERED_SERVICES: [&str; 6] = [
    "order-capture",
    "decomposition",
    "fulfillment",
    "asset",
    "projections",
    "schema-registry",
];

fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Quoted environment variable names in `text`, up to its first `#[cfg(test)]`.
fn quoted_variables(text: &str) -> BTreeSet<String> {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut found = BTreeSet::new();
    for (start, _) in text.match_indices('"') {
        let rest = &text[start + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        let closed = rest[name.len()..].starts_with('"');
        let ours = ["OMS_", "OTEL_"]
            .iter()
            .any(|prefix| name.starts_with(prefix) && name.len() > prefix.len())
            || name == "RUST_LOG";
        if closed && ours {
            found.insert(name);
        }
    }
    found
}

/// Variables named in the sources of every crate and service (test support excluded).
fn scanned_variables() -> BTreeSet<String> {
    let mut files = Vec::new();
    for parent in ["crates", "services"] {
        for entry in std::fs::read_dir(root().join(parent))
            .expect("workspace folder")
            .filter_map(Result::ok)
        {
            if entry.file_name() == "test-support" {
                continue;
            }
            rust_sources(&entry.path().join("src"), &mut files);
        }
    }
    assert!(files.len() > 20, "found too few sources: {files:?}");
    files
        .iter()
        .flat_map(|file| quoted_variables(&std::fs::read_to_string(file).expect("source")))
        .collect()
}

/// `OMS_*` names the local stack's scripts and the test harness read (they may be documented
/// too; nothing requires them to be).
fn harness_variables() -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_sources(&root().join("crates/test-support/src"), &mut files);
    rust_sources(&root().join("tests/e2e/src"), &mut files);
    let mut names: BTreeSet<String> = files
        .iter()
        .flat_map(|file| quoted_variables(&std::fs::read_to_string(file).expect("source")))
        .collect();
    let scripts = std::fs::read_dir(root().join("deploy/local")).expect("deploy/local");
    for script in scripts.filter_map(Result::ok) {
        if script.path().extension().is_some_and(|e| e == "sh") {
            let text = std::fs::read_to_string(script.path()).expect("script");
            for (start, _) in text.match_indices("OMS_") {
                let name: String = text[start..]
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                names.insert(name);
            }
        }
    }
    names
}

/// Variable names in the first cell of every table row of the document.
fn documented() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join(DOC)).expect("docs/configuration.md");
    let mut names = BTreeSet::new();
    for line in text.lines().filter(|l| l.trim_start().starts_with('|')) {
        let first = line.trim_start().trim_start_matches('|');
        let cell = first.split('|').next().unwrap_or_default();
        for (i, part) in cell.split('`').enumerate() {
            if i % 2 == 1 && part.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                names.insert(part.trim().to_owned());
            }
        }
    }
    names
}

fn segments(name: &str) -> Vec<&str> {
    name.split("__").collect()
}

fn is_placeholder(segment: &str) -> bool {
    segment.starts_with('<') && segment.ends_with('>')
}

/// Whether documented `pattern` names `key`: a `<PLACEHOLDER>` segment of the pattern matches
/// any one segment; a placeholder in the key (a map entry) matches only a placeholder.
fn matches(pattern: &str, key: &str) -> bool {
    let (p, k) = (segments(pattern), segments(key));
    p.len() == k.len()
        && p.iter()
            .zip(&k)
            .all(|(p, k)| is_placeholder(p) || (p == k && !is_placeholder(k)))
}

#[test]
fn every_key_a_binary_reads_is_documented() {
    let documented = documented();
    assert!(
        documented.len() > 30,
        "{DOC} lists too few variables: {documented:?}"
    );
    let read: BTreeSet<String> = typed_keys()
        .into_iter()
        .chain(scanned_variables())
        .collect();
    let missing: Vec<_> = read
        .iter()
        .filter(|key| !documented.iter().any(|pattern| matches(pattern, key)))
        .collect();
    assert!(
        missing.is_empty(),
        "these configuration keys are read but not documented in {DOC}; add a row for each: {missing:#?}"
    );
}

#[test]
fn every_documented_oms_variable_is_read() {
    let read: BTreeSet<String> = typed_keys()
        .into_iter()
        .chain(scanned_variables())
        .chain(harness_variables())
        .collect();
    let stale: Vec<_> = documented()
        .into_iter()
        .filter(|name| name.starts_with("OMS_"))
        .filter(|pattern| !read.iter().any(|key| matches(pattern, key)))
        .collect();
    assert!(
        stale.is_empty(),
        "{DOC} documents variables nothing reads (renamed or removed?): {stale:#?}"
    );
}

#[test]
fn every_service_crate_has_its_keys_derived_here() {
    let services: BTreeSet<String> = std::fs::read_dir(root().join("services"))
        .expect("services folder")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let covered: BTreeSet<String> = COVERED_SERVICES.iter().map(|s| (*s).to_owned()).collect();
    let uncovered: Vec<_> = services.difference(&covered).collect();
    assert!(
        uncovered.is_empty(),
        "services whose configuration keys this test does not derive yet: {uncovered:?}; add \
         their Settings to `typed_keys` (crates/deploy/tests/configuration_documented.rs) and \
         document their keys in {DOC}"
    );
}

#[test]
fn the_matcher_and_the_scanner_behave() {
    assert!(matches(
        "OMS_SIMULATORS__<SYSTEM>__LATENCY_MS",
        "OMS_SIMULATORS__SHIPPING__LATENCY_MS"
    ));
    assert!(matches(
        "OMS_KAFKA__PROPERTIES__<NAME>",
        "OMS_KAFKA__PROPERTIES__<NAME>"
    ));
    assert!(!matches(
        "OMS_KAFKA__PROPERTIES__SASL_PASSWORD",
        "OMS_KAFKA__PROPERTIES__<NAME>"
    ));
    assert!(!matches("OMS_HTTP__ADDR", "OMS_HTTP__ADDR__PORT"));
    let scanned = quoted_variables(
        r#"#[arg(env = "OMS_TOKEN")] var("OTEL_X") "OMS_" "oms_x" `OMS_DOC` "RUST_LOG"
           #[cfg(test)] set_env("OMS_ONLY_IN_TESTS")"#,
    );
    let expected: BTreeSet<String> = ["OMS_TOKEN", "OTEL_X", "RUST_LOG"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(scanned, expected);
    let keys = typed_keys();
    for key in [
        "OMS_HTTP__ADDR",
        "OMS_DATABASE__MAX_CONNECTIONS",
        "OMS_SCHEMA_REGISTRY__PASSWORD",
        "OMS_AUTH__TOKENS__<LABEL>__TOKEN",
        "OMS_KAFKA__PROPERTIES__<NAME>",
        "OMS_ENGINE__MAX_CONCURRENCY",
        "OMS_SIMULATORS__INVENTORY__FAIL_FIRST__<KEY>",
    ] {
        assert!(keys.contains(key), "{key} not derived: {keys:#?}");
    }
}
