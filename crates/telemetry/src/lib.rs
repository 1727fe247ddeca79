//! Telemetry shared by every OMS binary: structured logs through `tracing`, spans exported
//! with OpenTelemetry, and W3C trace-context propagation so one trace follows an order across
//! services through Kafka headers.
//!
//! `init` is called once by `main`; the returned [`TelemetryGuard`] flushes spans on drop.
//! Spans always get real trace ids (an SDK tracer provider is installed even when nothing is
//! exported), so `traceparent` headers are meaningful with or without a collector.
//! Exporters, chosen by configuration:
//! - OTLP over HTTP/protobuf when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (production);
//! - a JSON-lines span file when `OMS_SPAN_FILE` is set (local runs and end-to-end tests
//!   that check trace ids without a collector).

mod propagation;
mod span_file;

pub use propagation::{current_traceparent, set_parent_from_traceparent};
pub use span_file::{JsonLinesSpanExporter, SpanRecord};

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::{Resource, propagation::TraceContextPropagator, trace::SdkTracerProvider};
use std::path::PathBuf;
use tracing_subscriber::{
    EnvFilter, Layer as _, layer::SubscriberExt as _, util::SubscriberInitExt as _,
};

/// How log lines are rendered on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, for a terminal.
    Pretty,
    /// One JSON object per line, for log shippers.
    Json,
}

/// What [`init`] sets up.
#[derive(Debug, Clone)]
pub struct TelemetryConfig {
    pub service_name: String,
    pub log_format: LogFormat,
    /// `RUST_LOG`-style filter of log lines; defaults to `info`.
    pub log_filter: String,
    /// Filter of the spans exported as traces (`OMS_TRACE_FILTER`); defaults to `info`,
    /// independent of the log level.
    pub trace_filter: String,
    /// OTLP/HTTP collector endpoint, e.g. `http://127.0.0.1:4318`.
    pub otlp_endpoint: Option<String>,
    /// Append finished spans as JSON lines to this file.
    pub span_file: Option<PathBuf>,
}

impl TelemetryConfig {
    /// Reads `RUST_LOG`, `OMS_LOG_FORMAT` (`pretty`|`json`), `OTEL_EXPORTER_OTLP_ENDPOINT` and
    /// `OMS_SPAN_FILE`.
    pub fn from_env(service_name: &str) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self {
            service_name: service_name.to_owned(),
            log_format: match var("OMS_LOG_FORMAT").as_deref() {
                Some("json") => LogFormat::Json,
                _ => LogFormat::Pretty,
            },
            log_filter: var("RUST_LOG").unwrap_or_else(|| "info".to_owned()),
            trace_filter: var("OMS_TRACE_FILTER").unwrap_or_else(|| "info".to_owned()),
            otlp_endpoint: var("OTEL_EXPORTER_OTLP_ENDPOINT"),
            span_file: var("OMS_SPAN_FILE").map(PathBuf::from),
        }
    }
}

/// Errors while installing telemetry.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("invalid log filter: {0}")]
    Filter(String),
    #[error("cannot build the OTLP exporter: {0}")]
    Otlp(String),
    #[error("cannot open the span file {path}: {source}")]
    SpanFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("a global tracing subscriber is already installed")]
    AlreadyInstalled,
}

/// Keeps the tracer provider alive; flushes and shuts it down on drop.
#[derive(Debug)]
pub struct TelemetryGuard {
    provider: SdkTracerProvider,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        // Flush whatever the batch processors still hold; errors here can only be reported.
        if let Err(error) = self.provider.shutdown() {
            eprintln!("telemetry shutdown: {error}");
        }
    }
}

/// Installs the global subscriber, tracer provider and W3C propagator.
pub fn init(config: &TelemetryConfig) -> Result<TelemetryGuard, TelemetryError> {
    let provider = build_provider(config)?;
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    opentelemetry::global::set_tracer_provider(provider.clone());
    let tracer = provider.tracer(config.service_name.clone());

    // Logs and traces are filtered separately: a quiet log level (`RUST_LOG=warn`) must not
    // switch off the spans that carry the trace from service to service.
    let log_filter = EnvFilter::try_new(&config.log_filter)
        .map_err(|e| TelemetryError::Filter(e.to_string()))?;
    let trace_filter = EnvFilter::try_new(&config.trace_filter)
        .map_err(|e| TelemetryError::Filter(e.to_string()))?;
    let otel_layer = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_filter(trace_filter);
    let registry = tracing_subscriber::registry().with(otel_layer);
    let installed = match config.log_format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_filter(log_filter),
            )
            .try_init(),
        LogFormat::Pretty => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_target(true)
                    .with_filter(log_filter),
            )
            .try_init(),
    };
    installed.map_err(|_| TelemetryError::AlreadyInstalled)?;
    Ok(TelemetryGuard { provider })
}

/// Installs only the propagator and a tracer provider + tracing layer without log output,
/// ignoring an already installed subscriber. For tests that need real trace ids.
pub fn init_for_tests(service_name: &str) {
    let provider = SdkTracerProvider::builder()
        .with_resource(resource(service_name))
        .build();
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let tracer = provider.tracer(service_name.to_owned());
    let _ignored = tracing_subscriber::registry()
        .with(EnvFilter::new("info"))
        .with(tracing_opentelemetry::layer().with_tracer(tracer))
        .try_init();
    opentelemetry::global::set_tracer_provider(provider);
}

fn resource(service_name: &str) -> Resource {
    Resource::builder()
        .with_service_name(service_name.to_owned())
        .build()
}

fn build_provider(config: &TelemetryConfig) -> Result<SdkTracerProvider, TelemetryError> {
    let mut builder = SdkTracerProvider::builder().with_resource(resource(&config.service_name));
    if let Some(endpoint) = &config.otlp_endpoint {
        use opentelemetry_otlp::WithExportConfig as _;
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
            .build()
            .map_err(|e| TelemetryError::Otlp(e.to_string()))?;
        builder = builder.with_batch_exporter(exporter);
    }
    if let Some(path) = &config.span_file {
        let exporter =
            JsonLinesSpanExporter::create(path, &config.service_name).map_err(|source| {
                TelemetryError::SpanFile {
                    path: path.clone(),
                    source,
                }
            })?;
        builder = builder.with_batch_exporter(exporter);
    }
    Ok(builder.build())
}
