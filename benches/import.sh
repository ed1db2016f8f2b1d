#!/usr/bin/env bash
# Import run: a 100,000-line spend file into a tenant with the demo data, on SQLite and on
# PostgreSQL; prints the check and write times and the KPI report's time over the imported year.
# Builds release binaries, starts the service on loopback, stops the service it started. Not CI.
#
#   bash benches/import.sh
#   LINES=20000 PG_URL=postgres://postgres@127.0.0.1:5432/test bash benches/import.sh
set -euo pipefail
cd "$(dirname "$0")/.."

LINES=${LINES:-100000}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
PORT=${PORT:-18091}
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
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.1; done
  local token
  # A national admin may import for any tenant and read the national view.
  token=$("$BIN" token --role national_admin)
  "$TARGET/release/import_spend" --base-url "http://127.0.0.1:$PORT" --token "$token" \
    --lines "$LINES" --label "$label"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

export RUST_LOG=warn
export PGOPTIONS="--client-min-messages=warning"
run_on sqlite "$WORK/import.sqlite3"
SCHEMA="import_$$"
psql "$PG_URL" -qc "CREATE SCHEMA $SCHEMA"
run_on postgres "$PG_URL?options=-csearch_path%3D$SCHEMA"
psql "$PG_URL" -qc "DROP SCHEMA $SCHEMA CASCADE"
