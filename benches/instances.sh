#!/usr/bin/env bash
# Catalogue reads with one instance of the service and with two on the same PostgreSQL
# database, the load generator going to them in turn (round-robin on loopback). Builds release
# binaries, starts the instances, runs the same load against one then both, and stops what it
# started. Not part of CI (tests/instances/run.py checks two instances for correctness there).
#
#   bash benches/instances.sh
#   CONCURRENCY=64 SECONDS_PER_RUN=20 WORKERS=1 bash benches/instances.sh
#
# On a 2-core machine the instances and the load generator share the same two cores, so two
# instances cannot be faster than one there; the run shows what a second instance costs or
# gains on the hardware at hand, not what it gains on its own machine.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${SECONDS_PER_RUN:-15}
CONCURRENCY=${CONCURRENCY:-32}
# HTTP workers per instance (default: one per core, as in production).
WORKERS=${WORKERS:-}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
export JWT_SECRET=${JWT_SECRET:-load-test-secret-load-test-secret-0123}
export RUST_LOG=warn PGOPTIONS="--client-min-messages=warning"

cargo build --release -p bluelight-api -p bluelight-benches
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/bluelight
WORK=$(mktemp -d)
SCHEMA="instances_$$"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

psql "$PG_URL" -qc "CREATE SCHEMA $SCHEMA"
URL="$PG_URL?options=-csearch_path%3D$SCHEMA"

start() {
  local port=$1 demo=$2
  "$BIN" serve --database-url "$URL" --listen "127.0.0.1:$port" --demo-data "$demo" \
    ${WORKERS:+--workers "$WORKERS"} >"$WORK/$port.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return; sleep 0.1; done
  echo "the instance on port $port did not start" >&2
  cat "$WORK/$port.log" >&2
  exit 1
}

# The first loads the demo data; the second starts on it.
start 18091 on
start 18092 off
TOKEN=$("$BIN" token --role buyer --tenant lancashire-constabulary)
load() {
  "$TARGET/release/load" --token "$TOKEN" --concurrency "$CONCURRENCY" --seconds "$SECONDS_PER_RUN" "$@"
}
load --label "postgres, one instance" --base-url http://127.0.0.1:18091
load --label "postgres, two instances (round-robin)" --base-url http://127.0.0.1:18091 --base-url http://127.0.0.1:18092
