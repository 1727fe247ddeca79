#!/usr/bin/env bash
# Regenerates the compile-time query data (`.sqlx/`) of one crate that uses sqlx::query! macros.
#
#   deploy/local/sqlx-prepare.sh <crate-dir> <migrations-dir>
#   e.g. deploy/local/sqlx-prepare.sh services/order-capture migrations/order-capture
#
# It (re)creates a scratch database `oms_prepare_<name>`, applies the crate's migrations with
# psql, then type-checks the crate online with SQLX_OFFLINE_DIR pointing at `<crate-dir>/.sqlx`,
# which makes the sqlx macros write one JSON file per query there. Commit the result.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
crate_dir=${1:?crate dir}
migrations_dir=${2:?migrations dir}
pkg=$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$root/$crate_dir/Cargo.toml" | head -n1)
name=$(basename "$crate_dir" | tr '-' '_')
db="oms_prepare_${name}"
pg_url_base=${OMS_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432}

psql "$pg_url_base/postgres" -qAtc "drop database if exists $db with (force)" >/dev/null
psql "$pg_url_base/postgres" -qAtc "create database $db" >/dev/null
for f in "$root/$migrations_dir"/*.sql; do
  psql "$pg_url_base/$db" -q -v ON_ERROR_STOP=1 -f "$f" >/dev/null
done

rm -rf "$root/$crate_dir/.sqlx"
mkdir -p "$root/$crate_dir/.sqlx"
cd "$root"
# Touch the sources so the macros re-expand, then check online.
find "$crate_dir/src" "$crate_dir/tests" -name '*.rs' -exec touch {} + 2>/dev/null || true
SQLX_OFFLINE=false DATABASE_URL="$pg_url_base/$db" SQLX_OFFLINE_DIR="$root/$crate_dir/.sqlx" \
  cargo check -q -p "$pkg" --all-targets
# Note: dependencies with their own queries (the messaging crate) are re-expanded too and also
# write their files here. They are harmless, and a crate may use the very same query (same
# file name), so they are kept.
echo "wrote $(ls "$root/$crate_dir/.sqlx" | wc -l) query files to $crate_dir/.sqlx"
