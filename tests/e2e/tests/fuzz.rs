//! Bad input gets clear errors: every HTTP service's OpenAPI document (generated from its
//! handlers with utoipa) is fuzzed with schemathesis against the real running binaries, real
//! PostgreSQL and the real broker. The run fails on any server error (5xx) and on any 4xx that
//! does not name its problem with a stable code: problem+json with a SCREAMING_SNAKE `code`
//! for the OMS services, Confluent's numeric `error_code` for the local schema registry
//! (tests/fuzz/hooks.py). The registry under test is a private instance with its own
//! database, so the fuzzer's deletes and configuration changes touch nothing else.
//!
//! `OMS_FUZZ_EXAMPLES` (default 25) sets the examples per operation, `OMS_FUZZ_SEED` replays a
//! run (the seed is printed).

use oms_e2e::scenario::OPERATOR_TOKEN;
use oms_e2e::stack::{Service, ServiceStack, StackOptions, workspace_root};
use oms_test_support::TestDatabase;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::Command;

fn target_binary(name: &str) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
        .join("debug")
        .join(name)
}

fn schemathesis() -> PathBuf {
    std::env::var_os("OMS_SCHEMATHESIS").map_or_else(
        || workspace_root().join(".state/venv/bin/schemathesis"),
        PathBuf::from,
    )
}

/// One fuzzed API: its name, base URL and error format (`problem` or `confluent`).
struct Target {
    name: &'static str,
    url: String,
    errors: &'static str,
    token: Option<&'static str>,
}

/// The outcome of one schemathesis run.
struct Outcome {
    name: &'static str,
    success: bool,
    output: String,
}

async fn fuzz(target: &Target, seed: u64, examples: u32, reports: &std::path::Path) -> Outcome {
    let mut command = Command::new(schemathesis());
    command
        .arg("run")
        .arg(format!("{}/api/v1/openapi.json", target.url))
        .args(["--url", &target.url])
        .args([
            "--checks",
            "not_a_server_error,client_errors_carry_a_stable_code",
        ])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", &examples.to_string()])
        .args(["--seed", &seed.to_string()])
        // one worker: CPython 3.11's compiler is not thread-safe (schemathesis crashed with
        // "AST constructor recursion depth mismatch" under two workers in a CI run)
        .args(["--workers", "1"])
        .args(["--request-timeout", "10"])
        .args(["--generation-database", "none"])
        .args(["--report", "junit"])
        .arg("--report-junit-path")
        .arg(reports.join(format!("{}.xml", target.name)))
        .args(["--no-color", "--output-truncate", "true"])
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("PYTHONPATH", workspace_root().join("tests/fuzz"))
        .env("OMS_FUZZ_ERRORS", target.errors)
        .stdin(Stdio::null());
    if let Some(token) = target.token {
        command.args(["--header", &format!("Authorization: Bearer {token}")]);
    }
    let output = command
        .output()
        .await
        .expect("schemathesis ran (create .state/venv with `make pyenv`)");
    Outcome {
        name: target.name,
        success: output.status.success(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// A private schema registry on a free port with a fresh database, stopped on drop.
struct PrivateRegistry {
    url: String,
    child: tokio::process::Child,
    database: Option<TestDatabase>,
}

impl PrivateRegistry {
    async fn start(dir: &std::path::Path) -> Self {
        let database = TestDatabase::create_empty().await;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let log = std::fs::File::create(dir.join("schema-registry.log")).expect("registry log");
        let child = Command::new(target_binary("oms-schema-registry"))
            .env("OMS_SCHEMA_REGISTRY_ADDR", format!("127.0.0.1:{port}"))
            .env("OMS_SCHEMA_REGISTRY_DATABASE_URL", database.url())
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("the registry binary is built (`cargo build --bins`; `make test` does)");
        let url = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let ready = client
                .get(format!("{url}/health/ready"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the private registry did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Self {
            url,
            child,
            database: Some(database),
        }
    }

    async fn stop(mut self) {
        drop(self.child.kill().await);
        if let Some(database) = self.database.take() {
            database.cleanup().await;
        }
    }
}

#[tokio::test]
async fn every_service_answers_generated_requests_without_server_errors_and_with_stable_codes() {
    let seed = std::env::var("OMS_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| u64::from(uuid::Uuid::now_v7().as_fields().1) << 16 | 0x5eed);
    let examples = std::env::var("OMS_FUZZ_EXAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(25);
    let stack = ServiceStack::start(&Service::ALL, StackOptions::default())
        .await
        .expect("stack started");
    let reports = stack.dir().join("fuzz");
    std::fs::create_dir_all(&reports).expect("report dir");
    let registry = PrivateRegistry::start(&reports).await;
    let mut targets: Vec<Target> = Service::ALL
        .iter()
        .map(|service| Target {
            name: service.name(),
            url: stack.url(*service),
            errors: "problem",
            token: Some(OPERATOR_TOKEN),
        })
        .collect();
    targets.push(Target {
        name: "schema-registry",
        url: registry.url.clone(),
        errors: "confluent",
        token: None,
    });
    println!("fuzz_seed: {seed}");
    println!("fuzz_examples_per_operation: {examples}");
    let mut failed = Vec::new();
    for target in &targets {
        let mut outcome = fuzz(target, seed, examples, &reports).await;
        // An error of the fuzzer itself (no check failed) is retried once with the next seed;
        // a failed check is a finding and is never retried.
        if !outcome.success && !outcome.output.contains("Failures:") {
            println!(
                "fuzz {}: schemathesis errored without a failed check; retrying once",
                target.name
            );
            outcome = fuzz(target, seed + 1, examples, &reports).await;
        }
        let summary: Vec<&str> = outcome
            .output
            .lines()
            .filter(|l| l.contains("passed") || l.contains("failed") || l.contains("Operations"))
            .collect();
        println!("fuzz {}: {}", outcome.name, summary.join(" | "));
        if !outcome.success {
            failed.push(format!("--- {} ---\n{}", outcome.name, outcome.output));
        }
    }
    registry.stop().await;
    assert!(
        failed.is_empty(),
        "schemathesis found problems (seed {seed}; reports in {}):\n{}",
        reports.display(),
        failed.join("\n")
    );
}
