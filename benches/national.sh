#!/usr/bin/env bash
# The national-scale measurements (issue 13): loads the national data set (about 100 tenants,
# 20,000 suppliers, 5,000 frameworks with some 50,000 awards, 100,000 contracts, 1,000,000 spend
# lines; benches/src/bin/national_dataset.rs) through the API into a fresh service with the demo
# data, then measures on it: the framework list (20 a page) and a framework's detail at 64
# connections and at 1, /health/live as the floor, a draft evaluation (Bedfordshire's plugin and
# the national layer, benches/requests/bedfordshire-draft.json), the KPI report and the
# five national reports over a year, and a 100,000-line spend import. On SQLite and on
# PostgreSQL. Builds release binaries; stops what it started. Not part of CI.
#
#   bash benches/national.sh                   # both databases, the whole set
#   SCALE=0.1 BACKENDS=sqlite bash benches/national.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE=${SCALE:-1}
BACKENDS=${BACKENDS:-sqlite postgres}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
PORT=${PORT:-18093}
export JWT_SECRET=${JWT_SECRET:-load-test-secret-load-test-secret-0123}
export RUST_LOG=warn PGOPTIONS="--client-min-messages=warning"

cargo build --release -p bluelight-api -p bluelight-benches
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/bluelight
BASE=http://127.0.0.1:$PORT
WORK=$(mktemp -d)
SERVER_PID=""
SCHEMA="national_$$"
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# seconds URL TOKEN [curl options]: how long one request takes, end to end.
seconds() {
  local url=$1 token=$2
  shift 2
  curl -fsS -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "$@" "$url"
}

measure_on() {
  local label=$1 url=$2
  "$BIN" serve --database-url "$url" --listen "127.0.0.1:$PORT" --demo-data on >"$WORK/$label.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do curl -sf "$BASE/health/ready" >/dev/null && break; sleep 0.1; done
  local admin buyer
  admin=$("$BIN" token --role national_admin --sub bench@bluelight)
  echo "== $label: loading the national data set (scale $SCALE)"
  "$TARGET/release/national_dataset" --base-url "$BASE" --token "$admin" --scale "$SCALE"
  if [[ $label == postgres ]]; then
    # What autovacuum would do a minute or so after a bulk load, done now: right after loading,
    # the planner's statistics still describe the tables half-filled, and it hashes all 20,000
    # suppliers to join a framework's dozen awards (5.4 ms a detail read instead of 0.5 ms).
    psql "$PG_URL" -qc "SET search_path = $SCHEMA; ANALYZE"
  fi
  buyer=$("$BIN" token --role buyer --tenant ns-lancashire-police --sub bench@lancashire)
  local framework
  framework=$(curl -fsS -H "Authorization: Bearer $buyer" "$BASE/api/v1/frameworks?limit=1&q=NS-FW-00042" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')
  load() { "$TARGET/release/load" --base-url "$BASE" --token "$buyer" --seconds "$SECONDS_PER_RUN" "$@"; }
  echo "== $label: reads"
  load --label "$label /health/live, 64 conn" --concurrency 64 --path /health/live
  load --label "$label framework list (20), 64 conn" --concurrency 64 --path '/api/v1/frameworks?limit=20'
  load --label "$label framework list (20), 1 conn" --concurrency 1 --path '/api/v1/frameworks?limit=20'
  load --label "$label framework detail, 64 conn" --concurrency 64 --path "/api/v1/frameworks/$framework"
  load --label "$label framework detail, 1 conn" --concurrency 1 --path "/api/v1/frameworks/$framework"
  local bedfordshire
  bedfordshire=$("$BIN" token --role buyer --tenant bedfordshire-police --sub bench@bedfordshire)
  "$TARGET/release/load" --base-url "$BASE" --token "$bedfordshire" --seconds "$SECONDS_PER_RUN" \
    --label "$label draft evaluation (Bedfordshire and the national layer), 64 conn" --concurrency 64 \
    --path /api/v1/tenants/bedfordshire-police/evaluate --post-json benches/requests/bedfordshire-draft.json
  echo "== $label: reports over a year"
  for run in 1 2 3; do
    printf '%s KPI report (ns-lancashire-police, FY 2024-25), run %s: %ss\n' "$label" "$run" \
      "$(seconds "$BASE/api/v1/tenants/ns-lancashire-police/kpis?from=2024-04-01&to=2025-03-31" "$buyer")"
    # suppliers and categories take a top-N limit; the other two answer for every row.
    for report in 'suppliers?limit=100&' 'categories?limit=100&' 'strategic-suppliers?' 'framework-uptake?'; do
      printf '%s national %s report (every tenant, FY 2024-25), run %s: %ss\n' "$label" "${report%%\?*}" "$run" \
        "$(seconds "$BASE/api/v1/national/${report}from=2024-04-01&to=2025-03-31" "$admin")"
    done
    printf '%s national expiry radar (every tenant, 18 months from 2025-04-01), run %s: %ss\n' "$label" "$run" \
      "$(seconds "$BASE/api/v1/national/expiry-radar?from=2025-04-01" "$admin")"
  done
  echo "== $label: a 100,000-line spend import on top"
  "$TARGET/release/import_spend" --base-url "$BASE" --token "$buyer" --tenant ns-lancashire-police \
    --label "$label" || echo "(import_spend failed; see above)"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

for backend in $BACKENDS; do
  case $backend in
    sqlite) measure_on sqlite "$WORK/national.sqlite3" ;;
    postgres)
      psql "$PG_URL" -qc "CREATE SCHEMA $SCHEMA"
      measure_on postgres "$PG_URL?options=-csearch_path%3D$SCHEMA"
      ;;
  esac
done
