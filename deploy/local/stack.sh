#!/usr/bin/env bash
# The local stack: everything the OMS needs on one machine, started in the background.
#
#   stack.sh up [--infra]   install what is missing, start PostgreSQL, the Kafka-protocol broker
#                           (Tansu), the schema registry, databases, topics and (without --infra)
#                           every service; wait until each is healthy
#   stack.sh down           stop exactly what `up` started (PostgreSQL only if `up` started it)
#   stack.sh status         what runs, where
#   stack.sh logs           follow every log under .state/logs
#   stack.sh pyenv          create the Python venv of the interoperability tests, the deploy
#                           checks and the browser test (and install Debian's Chromium for the
#                           browser test when missing)
#
# State lives in .state/ (gitignored): pid files, logs, the broker's SQLite file, the venv.
# Every address can be overridden by the same environment variables the services read.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE="$ROOT/.state"
PIDS="$STATE/pids"
LOGS="$STATE/logs"
mkdir -p "$PIDS" "$LOGS"

TANSU_VERSION=0.6.0
PG_HOST=${OMS_PG_HOST:-127.0.0.1}
PG_PORT=${OMS_PG_PORT:-5432}
PG_ADMIN_URL=${OMS_PG_ADMIN_URL:-postgres://postgres@$PG_HOST:$PG_PORT}
BROKER=${OMS_KAFKA_BROKERS:-127.0.0.1:9092}
REGISTRY_URL=${OMS_SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081}
CARGO_PROFILE_DIR=${OMS_CARGO_PROFILE_DIR:-debug}
BIN="$ROOT/target/$CARGO_PROFILE_DIR"

log() { printf '\033[1;34m[stack]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[stack] %s\033[0m\n' "$*" >&2; exit 1; }

# wait_until <seconds> <description> <command...>
wait_until() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then die "$what did not become healthy within ${seconds}s (logs: $LOGS)"; fi
    sleep 0.3
  done
}

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

is_running() { [[ -f "$PIDS/$1.pid" ]] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

# start_bg <name> <workdir> <command...>: start a process in its own session, remember its pid.
start_bg() {
  local name=$1 dir=$2; shift 2
  if is_running "$name"; then log "$name already running (pid $(cat "$PIDS/$name.pid"))"; return; fi
  (cd "$dir" && exec setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null) &
  echo $! >"$PIDS/$name.pid"
  log "started $name (pid $!, log .state/logs/$name.log)"
}

# ---------------------------------------------------------------- PostgreSQL
pg_ready() { psql "$PG_ADMIN_URL/postgres" -qAtc 'select 1' >/dev/null 2>&1; }

ensure_postgres() {
  if pg_ready; then log "PostgreSQL is up at $PG_HOST:$PG_PORT"; return; fi
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    log "PostgreSQL is not installed: installing it with apt"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    local hba
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -n1)
    # local development only: trust loopback connections, as the CI machine does
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust' "$hba"
  fi
  local ver
  ver=$(ls /etc/postgresql | sort -V | tail -n1)
  log "starting PostgreSQL $ver"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  echo "$ver" >"$PIDS/postgres.started"
  wait_until 60 PostgreSQL pg_ready
  log "PostgreSQL is up at $PG_HOST:$PG_PORT"
}

ensure_database() {
  local db=$1
  if [[ -z $(psql "$PG_ADMIN_URL/postgres" -qAtc "select 1 from pg_database where datname = '$db'") ]]; then
    psql "$PG_ADMIN_URL/postgres" -qAtc "create database \"$db\"" >/dev/null
    log "created database $db"
  fi
}

# ---------------------------------------------------------------- Tansu broker
tansu_installed() { command -v tansu >/dev/null 2>&1 && tansu --version 2>/dev/null | grep -q "$TANSU_VERSION"; }

ensure_tansu() {
  if tansu_installed; then return; fi
  log "installing the Tansu broker $TANSU_VERSION from crates.io (one time, about 10 minutes)"
  cargo install tansu --version "$TANSU_VERSION" --locked --features libsql
  tansu_installed || die "tansu $TANSU_VERSION is still not on PATH (is ~/.cargo/bin on PATH?)"
}

broker_ready() {
  tcp_open "${BROKER%:*}" "${BROKER##*:}" && tansu topic list --broker "tcp://$BROKER" >/dev/null 2>&1
}

start_broker() {
  if broker_ready; then log "broker is up at $BROKER"; return; fi
  ensure_tansu
  mkdir -p "$STATE/broker"
  # sqlite:// is the durable engine (survives a broker kill); path is relative to the workdir.
  start_bg broker "$STATE/broker" tansu broker \
    --listener-url "tcp://${BROKER}" \
    --advertised-listener-url "tcp://${BROKER}" \
    --storage-engine "sqlite://tansu.db"
  wait_until 60 "the broker" broker_ready
  add_broker_indexes
  log "broker is up at $BROKER"
}

# Tansu 0.6.0's SQLite schema has no index on header(topition, offset_id), and every fetched
# record looks its headers up by that pair: without the index each fetch scans every header
# ever written, so fetches slow down as the broker ages (20 s for 3,500 records after a few
# test runs; 0.2 s with the index). See docs/broker-notes.md.
add_broker_indexes() {
  python3 - "$STATE/broker/tansu.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
db.execute("create index if not exists oms_header_topition_offset on header (topition, offset_id)")
db.commit()
PY
}

ensure_topics() {
  local existing
  existing=$(tansu topic list --broker "tcp://$BROKER" 2>/dev/null || true)
  while read -r topic production local _; do
    [[ -z $topic || $topic == \#* ]] && continue
    local partitions=${local:-$production}
    if grep -q "\"$topic\"\|\b$topic\b" <<<"$existing"; then continue; fi
    tansu topic create "$topic" --partitions "$partitions" --broker "tcp://$BROKER" >/dev/null
    log "created topic $topic ($partitions partitions)"
  done <"$ROOT/deploy/topics.conf"
}

# ---------------------------------------------------------------- our binaries
build_binaries() {
  log "building the workspace binaries (cargo build --bins)"
  (cd "$ROOT" && cargo build --bins --quiet)
}

http_ok() { curl -fs -o /dev/null --max-time 2 "$1"; }

start_registry() {
  if http_ok "$REGISTRY_URL/health/ready"; then log "schema registry is up at $REGISTRY_URL"; return; fi
  ensure_database oms_schema_registry
  start_bg schema-registry "$ROOT" "$BIN/oms-schema-registry"
  wait_until 60 "the schema registry" http_ok "$REGISTRY_URL/health/ready"
  log "schema registry is up at $REGISTRY_URL"
}

# services.conf: name, binary, port, database
start_services() {
  while read -r name binary port db; do
    [[ -z $name || $name == \#* ]] && continue
    if [[ ! -x "$BIN/$binary" ]]; then continue; fi
    ensure_database "$db"
    # local-only settings (dev tokens, simulator knobs) live next to this script
    local config="$ROOT/deploy/local/$name.toml"
    if [[ -f $config ]]; then
      start_bg "$name" "$ROOT" env OMS_CONFIG_FILE="$config" "$BIN/$binary"
    else
      start_bg "$name" "$ROOT" "$BIN/$binary"
    fi
  done <"$ROOT/deploy/local/services.conf"
  while read -r name binary port db; do
    [[ -z $name || $name == \#* ]] && continue
    [[ -x "$BIN/$binary" ]] || continue
    wait_until 90 "$name" http_ok "http://127.0.0.1:$port/health/ready"
    log "$name is ready at http://127.0.0.1:$port"
  done <"$ROOT/deploy/local/services.conf"
}

# ---------------------------------------------------------------- python venv and browser for tests
# One venv for the interoperability tests' Kafka clients (tests/interop), the manifest checks'
# tools (kubectl, kubernetes-validate, hadolint; `make deploy-check`) and the dashboard's browser
# test (tests/browser: Playwright for Python, driving Debian's Chromium; Playwright's own browser
# download is never used). Rebuilt when any requirements file changes.
CHROMIUM=${OMS_CHROMIUM:-/usr/bin/chromium}

ensure_chromium() {
  if [[ -x $CHROMIUM ]]; then return; fi
  log "Chromium is not installed: installing it with apt (for the dashboard's browser test)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  [[ -x $CHROMIUM ]] || die "chromium is still missing at $CHROMIUM (set OMS_CHROMIUM to another path)"
}

ensure_pyenv() {
  local venv="$STATE/venv" wanted req
  local reqs=("$ROOT"/tests/*/requirements.txt "$ROOT/deploy/kubernetes/requirements.txt")
  ensure_chromium
  wanted=$(cat "${reqs[@]}")
  if [[ -x "$venv/bin/python" ]] && [[ "$(cat "$venv/.requirements.txt" 2>/dev/null)" == "$wanted" ]]; then return; fi
  log "creating the Python venv for interoperability tests, deploy checks and the browser test (.state/venv)"
  python3 -m venv "$venv"
  for req in "${reqs[@]}"; do
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  done
  printf '%s' "$wanted" >"$venv/.requirements.txt"
}

# ---------------------------------------------------------------- commands
cmd_up() {
  local infra_only=false
  [[ ${1:-} == --infra ]] && infra_only=true
  ensure_postgres
  start_broker
  ensure_topics
  build_binaries
  start_registry
  if ! $infra_only; then start_services; fi
  cmd_status
}

cmd_down() {
  local f name pid
  for f in "$PIDS"/*.pid; do
    [[ -e $f ]] || continue
    name=$(basename "$f" .pid); pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null || true
      log "stopped $name"
    fi
    rm -f "$f"
  done
  if [[ -f "$PIDS/postgres.started" ]]; then
    pg_ctlcluster --skip-systemctl-redirect "$(cat "$PIDS/postgres.started")" main stop || true
    rm -f "$PIDS/postgres.started"
    log "stopped PostgreSQL (this stack had started it)"
  fi
}

cmd_status() {
  local line
  printf '\n  %-18s %-8s %s\n' COMPONENT STATE ADDRESS
  pg_ready && line=up || line=down; printf '  %-18s %-8s %s\n' postgresql "$line" "$PG_HOST:$PG_PORT"
  broker_ready && line=up || line=down; printf '  %-18s %-8s %s\n' broker "$line" "$BROKER (Tansu, sqlite engine)"
  http_ok "$REGISTRY_URL/health/ready" && line=up || line=down; printf '  %-18s %-8s %s\n' schema-registry "$line" "$REGISTRY_URL"
  while read -r name binary port db; do
    [[ -z $name || $name == \#* ]] && continue
    [[ -x "$BIN/$binary" ]] || continue
    http_ok "http://127.0.0.1:$port/health/ready" && line=up || line=down
    printf '  %-18s %-8s %s\n' "$name" "$line" "http://127.0.0.1:$port"
  done <"$ROOT/deploy/local/services.conf"
  if [[ -x "$BIN/oms-projections" ]]; then
    printf '\n  dashboard: http://127.0.0.1:8085/dashboard/   (sign in with dev-acme-operator-token)\n'
  fi
  printf '\n  logs: .state/logs/   stop: make down (or Ctrl-C under make run)\n'
  printf '  try:  ./target/debug/omsctl quote accept --sample fiber-bundle --follow\n\n'
}

cmd_logs() { exec tail -n 20 -F "$LOGS"/*.log; }

# is-up: exit 0 when broker and registry answer (used by `make test` to leave a running stack alone)
cmd_is_up() { broker_ready && http_ok "$REGISTRY_URL/health/ready"; }

case ${1:-} in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  logs) cmd_logs ;;
  pyenv) ensure_pyenv ;;
  is-up) cmd_is_up ;;
  *) sed -n '2,15p' "$0"; exit 2 ;;
esac
