#!/usr/bin/env bash
# Load run: catalogue reads per second and latency, on SQLite and on PostgreSQL.
# Builds release binaries, starts the service on loopback with the demo data, runs the load
# generator for a fixed time, and stops the service it started. Not part of CI.
#
#   bash benches/load.sh                  # both databases
#   PG_URL=postgres://postgres@127.0.0.1:5432/test bash benches/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${SECONDS_PER_RUN:-15}
CONCURRENCY=${CONCURRENCY:-16}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
PORT=${PORT:-18090}
export JWT_SECRET=${JWT_SECRET:-load-test-secret-load-test-secret-0123}

cargo build --release -p bluelight-api -p bluelight-benches
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/bluelight
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

run_on() {
  local label=$1 url=$2
  "$BIN" serve --database-url "$url" --listen "127.0.0.1:$PORT" --demo-data on >"$WORK/$label.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.1; done
  local token
  token=$("$BIN" token --role buyer --tenant lancashire-constabulary)
  RUST_LOG=warn "$TARGET/release/load" --base-url "http://127.0.0.1:$PORT" --token "$token" \
    --concurrency "$CONCURRENCY" --seconds "$SECONDS_PER_RUN" --label "$label"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

export RUST_LOG=warn
export PGOPTIONS="--client-min-messages=warning"
run_on sqlite "$WORK/load.sqlite3"
# A schema of its own, so the run neither needs nor touches other data in the database.
SCHEMA="load_$$"
psql "$PG_URL" -qc "CREATE SCHEMA $SCHEMA"
run_on postgres "$PG_URL?options=-csearch_path%3D$SCHEMA"
psql "$PG_URL" -qc "DROP SCHEMA $SCHEMA CASCADE"
