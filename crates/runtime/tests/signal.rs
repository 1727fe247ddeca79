//! SIGTERM triggers `Shutdown::on_signal` (its own test binary: it signals its own process).

#![cfg(unix)]

use oms_runtime::Shutdown;
use std::time::Duration;

#[tokio::test]
async fn sigterm_triggers_shutdown() {
    let shutdown = Shutdown::on_signal();
    assert!(!shutdown.is_triggered());
    let status = std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    tokio::time::timeout(Duration::from_secs(5), shutdown.wait())
        .await
        .expect("SIGTERM triggered shutdown");
}
