#!/usr/bin/env bash
# Builds of the service compared on the same data, the same day: loads the national catalogue
# (20,000 suppliers, 5,000 frameworks, about 50,000 awards) once, then serves it with each build
# in turn, alternating A B A B (or A B C A B C), and measures the framework list (20 a page), a
# framework's detail and /health/live (the floor) at 64 connections, and the list at one. The
# machine's speed varies from day to day, so a change is judged by such a run, not against
# figures measured another day. Not part of CI.
#
#   bash benches/ab_reads.sh OLD_BINARY NEW_BINARY [MORE...]     # SQLite
#   DATABASE=postgres bash benches/ab_reads.sh OLD_BINARY NEW_BINARY
#
# Builds the load generator and the loader (release); the binaries compared are built by the
# caller, e.g. by copying target/release/bluelight aside before a change. A "binary" may be a
# script that sets an environment variable and runs the service, to compare settings.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ $# -ge 2 ]] || { echo "usage: $0 BINARY BINARY [BINARY...]" >&2; exit 2; }
BUILDS=()
for binary in "$@"; do BUILDS+=("$(realpath "$binary")"); done
A=${BUILDS[0]}
DATABASE=${DATABASE:-sqlite}
ROUNDS=${ROUNDS:-2}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
PORT=${PORT:-18095}
export JWT_SECRET=${JWT_SECRET:-load-test-secret-load-test-secret-0123}
export RUST_LOG=warn PGOPTIONS="--client-min-messages=warning"

cargo build --release -p bluelight-benches
TARGET=${CARGO_TARGET_DIR:-target}
BASE=http://127.0.0.1:$PORT
source benches/scratch_database.sh ab

serve "$A"
admin=$("$A" token --role national_admin --sub bench@bluelight)
"$TARGET/release/national_dataset" --base-url "$BASE" --token "$admin" --contracts 0 --spend-lines 0
[[ $DATABASE == postgres ]] && psql "$PG_URL" -qc "SET search_path = $SCRATCH_SCHEMA; ANALYZE"
buyer=$("$A" token --role buyer --tenant ns-lancashire-police --sub bench@lancashire)
framework=$(curl -fsS -H "Authorization: Bearer $buyer" "$BASE/api/v1/frameworks?limit=1&q=NS-FW-00042" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')
stop

LABELS=(A B C D E F)
for round in $(seq 1 "$ROUNDS"); do
  for i in "${!BUILDS[@]}"; do
    binary=${BUILDS[$i]} build=${LABELS[$i]}
    serve "$binary"
    for what in "64|health/live|/health/live" "64|framework list (20)|/api/v1/frameworks?limit=20" \
      "64|framework detail|/api/v1/frameworks/$framework" "1|framework list (20)|/api/v1/frameworks?limit=20"; do
      IFS='|' read -r connections name path <<<"$what"
      "$TARGET/release/load" --base-url "$BASE" --token "$buyer" --seconds "$SECONDS_PER_RUN" \
        --label "$DATABASE $build round $round: $name, $connections conn" --concurrency "$connections" --path "$path"
    done
    stop
  done
done
