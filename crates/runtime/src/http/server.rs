//! `Server`: bind first (so tests can use port 0 and learn the port), serve later, and stop
//! gracefully: on shutdown the listener closes, in-flight requests finish, then `serve` returns.

use super::edge::{EdgeOptions, with_edge_layers};
use crate::config::HttpConfig;
use crate::shutdown::Shutdown;
use axum::Router;
use std::io;
use std::net::SocketAddr;
use tokio::net::{TcpListener, ToSocketAddrs};

/// A bound HTTP listener waiting for its router.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    options: EdgeOptions,
    cors_allowed_origins: Vec<String>,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port) with the default limits.
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        Ok(Self {
            listener,
            local_addr,
            options: EdgeOptions::default(),
            cors_allowed_origins: Vec::new(),
        })
    }

    /// Binds `http.addr` with `http.*` limits and CORS origins.
    pub async fn from_config(config: &HttpConfig) -> io::Result<Self> {
        Ok(Self::bind(config.addr)
            .await?
            .with_options(EdgeOptions::from(config))
            .with_cors_allowed_origins(config.cors_allowed_origins.clone()))
    }

    pub fn with_options(mut self, options: EdgeOptions) -> Self {
        self.options = options;
        self
    }

    /// Browser origins allowed to call cross-origin (see [`super::cors`]); none by default.
    pub fn with_cors_allowed_origins(mut self, origins: Vec<String>) -> Self {
        self.cors_allowed_origins = origins;
        self
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    /// Serves `router` behind the edge layers until `shutdown` fires and in-flight requests have
    /// finished.
    pub async fn serve(self, router: Router, shutdown: Shutdown) -> io::Result<()> {
        let app = super::cors::allow_origins(
            with_edge_layers(router, self.options),
            &self.cors_allowed_origins,
        );
        tracing::info!(addr = %self.local_addr, "HTTP server listening");
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown.wait_owned())
            .await?;
        tracing::info!("HTTP server stopped");
        Ok(())
    }
}
