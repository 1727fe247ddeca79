//! Interoperability with an independent client from another ecosystem: Confluent's Python
//! `confluent-kafka` (SchemaRegistryClient, AvroSerializer, AvroDeserializer) runs
//! `tests/interop/schema_registry_client.py` against the test server.
//!
//! The interpreter is `$OMS_PYTHON`, else `<workspace>/.state/venv/bin/python`. A missing
//! interpreter fails the test (with how to create it): it is never skipped silently.

use std::path::PathBuf;
use std::process::Command;

use crate::helpers::TestApp;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> PathBuf {
    std::env::var_os("OMS_PYTHON").map_or_else(
        || workspace_root().join(".state/venv/bin/python"),
        PathBuf::from,
    )
}

#[tokio::test]
async fn confluent_python_client_interoperates() {
    let python = python();
    assert!(
        python.exists(),
        "Python interpreter for the interop test not found at {}. Create it with:\n  \
         python3 -m venv .state/venv && .state/venv/bin/pip install -r tests/interop/requirements.txt\n\
         (from the workspace root; `make test` does this), or point OMS_PYTHON at an interpreter \
         that has confluent-kafka[avro,schemaregistry] installed.",
        python.display()
    );
    let script = workspace_root().join("tests/interop/schema_registry_client.py");
    let app = TestApp::spawn().await;
    let base_url = app.base_url.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(&python)
            .arg(&script)
            .arg(&base_url)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()))
    })
    .await
    .expect("interop script ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "interop script failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    println!("{stdout}");
    assert!(
        stdout.contains("checks passed"),
        "unexpected interop output:\n{stdout}\n{stderr}"
    );
    drop(app);
}
