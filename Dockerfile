# syntax=docker/dockerfile:1.7
#
# Container images of the OMS: one build of the whole workspace, one small runtime image per
# binary. Build one with its target name (docs/deployment.md, "Images"):
#
#   docker build --target order-capture -t oms/order-capture:$(git rev-parse --short HEAD) .
#
# Targets: order-capture, decomposition, fulfillment, asset, projections (services, each with oms-migrate
# for its init container and oms-probe for HEALTHCHECK), relay (standalone oms-relay), omsctl.
# The build needs no database: sqlx checks queries against the committed `.sqlx/` data
# (SQLX_OFFLINE, also set in .cargo/config.toml). `make images` builds every target.

ARG RUST_VERSION=1.95
ARG DEBIAN_SUITE=bookworm

# ---------------------------------------------------------------- build
FROM rust:${RUST_VERSION}-slim-${DEBIAN_SUITE} AS build
# librdkafka is compiled from source by rdkafka-sys (configure + make) and links the system
# OpenSSL (feature `ssl`: TLS and SASL/SCRAM) and zlib; sqlx and reqwest use native-tls.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential pkg-config libssl-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The release profile keeps line tables for backtraces (~100 MB per binary); the images keep
# symbol names only (~3-20 MB per binary).
ENV SQLX_OFFLINE=true \
    CARGO_TERM_COLOR=never \
    CARGO_INCREMENTAL=0 \
    CARGO_PROFILE_RELEASE_STRIP=debuginfo
# The registry and target caches survive between builds on one builder; the binaries are
# copied out of the cached target folder in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
      --bin oms-order-capture --bin oms-decomposition --bin oms-fulfillment --bin oms-asset \
      --bin oms-projections --bin oms-relay --bin oms-migrate --bin oms-probe --bin omsctl \
 && mkdir -p /out \
 && cp target/release/oms-order-capture target/release/oms-decomposition \
       target/release/oms-fulfillment target/release/oms-asset target/release/oms-projections \
       target/release/oms-relay \
       target/release/oms-migrate target/release/oms-probe target/release/omsctl /out/

# ---------------------------------------------------------------- runtime base
FROM debian:${DEBIAN_SUITE}-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 oms \
 && useradd --system --uid 10001 --gid oms --home-dir /app --shell /usr/sbin/nologin oms
WORKDIR /app
COPY --from=build /out/oms-migrate /out/oms-probe /usr/local/bin/
# JSON logs for the cluster's log shipper; every other setting comes from the environment.
ENV OMS_LOG_FORMAT=json
LABEL org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.description="OMS: event-driven order management services"
# numeric, so Kubernetes can check runAsNonRoot
USER 10001:10001

# ---------------------------------------------------------------- services
FROM runtime AS order-capture
COPY --from=build /out/oms-order-capture /usr/local/bin/
ENV OMS_HTTP__ADDR=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["oms-probe", "/health/live"]
ENTRYPOINT ["oms-order-capture"]

FROM runtime AS decomposition
COPY --from=build /out/oms-decomposition /usr/local/bin/
# the technical catalog, for OMS_DECOMPOSITION__CATALOG_FILES='["deploy/catalog/catalog-v1.toml"]'
COPY deploy/catalog/ /app/deploy/catalog/
ENV OMS_HTTP__ADDR=0.0.0.0:8082
EXPOSE 8082
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["oms-probe", "/health/live"]
ENTRYPOINT ["oms-decomposition"]

FROM runtime AS fulfillment
COPY --from=build /out/oms-fulfillment /usr/local/bin/
ENV OMS_HTTP__ADDR=0.0.0.0:8083
EXPOSE 8083
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["oms-probe", "/health/live"]
ENTRYPOINT ["oms-fulfillment"]

FROM runtime AS asset
COPY --from=build /out/oms-asset /usr/local/bin/
ENV OMS_HTTP__ADDR=0.0.0.0:8084
EXPOSE 8084
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["oms-probe", "/health/live"]
ENTRYPOINT ["oms-asset"]

# the read side; the dashboard's files are compiled into the binary
FROM runtime AS projections
COPY --from=build /out/oms-projections /usr/local/bin/
ENV OMS_HTTP__ADDR=0.0.0.0:8085
EXPOSE 8085
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["oms-probe", "/health/live"]
ENTRYPOINT ["oms-projections"]

# ---------------------------------------------------------------- tools
# A standalone outbox relay (no HTTP endpoint: Kubernetes watches the process).
FROM runtime AS relay
COPY --from=build /out/oms-relay /usr/local/bin/
HEALTHCHECK NONE
ENTRYPOINT ["oms-relay"]

# The command line: `docker run --rm oms/omsctl order show <id>` (addresses from OMS_*_URL).
FROM runtime AS omsctl
COPY --from=build /out/omsctl /usr/local/bin/
HEALTHCHECK NONE
ENTRYPOINT ["omsctl"]
