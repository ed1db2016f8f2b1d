#!/usr/bin/env bash
# Where a catalogue read's time goes (issue 13, item 2): loads the national catalogue (20,000
# suppliers, 5,000 frameworks with about 50,000 awards; no contracts or spend, which these reads
# do not touch) through the API into a fresh release service, then samples the service with
# `perf` while the load generator sends the framework list (20 a page) and a framework's detail
# at 64 connections, and prints each profile by shared object and by symbol. Linux with perf;
# SQLite by default, PostgreSQL with DATABASE=postgres. Not part of CI.
#
#   bash benches/profile_reads.sh                  # SQLite
#   DATABASE=postgres bash benches/profile_reads.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DATABASE=${DATABASE:-sqlite}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
PORT=${PORT:-18094}
export JWT_SECRET=${JWT_SECRET:-load-test-secret-load-test-secret-0123}
export RUST_LOG=warn PGOPTIONS="--client-min-messages=warning"

cargo build --release -p bluelight-api -p bluelight-benches
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/bluelight
BASE=http://127.0.0.1:$PORT
source benches/scratch_database.sh profile
"$BIN" serve --database-url "$URL" --listen "127.0.0.1:$PORT" --demo-data on >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do curl -sf "$BASE/health/ready" >/dev/null && break; sleep 0.1; done
admin=$("$BIN" token --role national_admin --sub bench@bluelight)
"$TARGET/release/national_dataset" --base-url "$BASE" --token "$admin" --contracts 0 --spend-lines 0 ||
  echo "(the loader stopped after the catalogue; the reads below need only the catalogue)"
[[ $DATABASE == postgres ]] && psql "$PG_URL" -qc "SET search_path = $SCRATCH_SCHEMA; ANALYZE"
buyer=$("$BIN" token --role buyer --tenant ns-lancashire-police --sub bench@lancashire)
framework=$(curl -fsS -H "Authorization: Bearer $buyer" "$BASE/api/v1/frameworks?limit=1&q=NS-FW-00042" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')

profile() {
  local name=$1 path=$2
  "$TARGET/release/load" --base-url "$BASE" --token "$buyer" --seconds "$SECONDS_PER_RUN" \
    --label "$DATABASE $name, 64 conn" --concurrency 64 --path "$path"
  # No call graphs: unwinding 64 connections' stacks on 2 cores slowed the service sevenfold.
  perf record -F 499 -p "$SERVER_PID" -o "$WORK/$name.data" -- sleep "$SECONDS_PER_RUN" 2>/dev/null &
  local perf_pid=$!
  "$TARGET/release/load" --base-url "$BASE" --token "$buyer" --seconds "$SECONDS_PER_RUN" \
    --label "$DATABASE $name, 64 conn, under perf" --concurrency 64 --path "$path"
  wait "$perf_pid" || true
  # The reports are read whole (head would stop perf mid-write).
  echo "== $DATABASE $name: by shared object"
  perf report -i "$WORK/$name.data" --sort dso --stdio 2>/dev/null >"$WORK/$name.dso" || true
  grep -v '^#' "$WORK/$name.dso" | grep -v '^$' | sed -n 1,12p | cut -c1-100
  echo "== $DATABASE $name: the 40 hottest symbols"
  perf report -i "$WORK/$name.data" --sort dso,symbol --stdio 2>/dev/null >"$WORK/$name.symbols" || true
  grep -v '^#' "$WORK/$name.symbols" | grep -v '^$' | sed -n 1,40p | cut -c1-120
}
profile "framework list" '/api/v1/frameworks?limit=20'
profile "framework detail" "/api/v1/frameworks/$framework"
