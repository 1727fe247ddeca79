//! Shared by the integration tests: serve a router on a random local port.

#![allow(dead_code)]

use oms_runtime::Shutdown;
use oms_runtime::http::{EdgeOptions, Server};
use oms_test_support::TestClient;
use tokio::task::JoinHandle;

/// A router served on 127.0.0.1:0 behind the edge layers.
pub struct Running {
    pub client: TestClient,
    pub shutdown: Shutdown,
    pub server: JoinHandle<std::io::Result<()>>,
}

pub async fn serve(router: axum::Router) -> Running {
    serve_with(router, EdgeOptions::default()).await
}

pub async fn serve_with(router: axum::Router, options: EdgeOptions) -> Running {
    let server = Server::bind("127.0.0.1:0")
        .await
        .expect("bind a random port")
        .with_options(options);
    let client = TestClient::for_port(server.port());
    let shutdown = Shutdown::new();
    let server = tokio::spawn(server.serve(router, shutdown.clone()));
    Running {
        client,
        shutdown,
        server,
    }
}
