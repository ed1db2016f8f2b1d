#!/usr/bin/env bash
# Builds of the service compared on draft evaluations, the same day: each build in turn serves a
# fresh database with the demo data (A B A B), and the load generator sends Bedfordshire's draft
# (benches/requests/bedfordshire-draft.json: the force's plugin and the national layer, two fresh
# sandboxes a request) at 64 connections and at 1. A draft reads the tenant, categories and both
# layers' active versions, so the national data set's size does not enter it. Not part of CI.
#
#   bash benches/ab_evaluate.sh OLD_BINARY NEW_BINARY [MORE...]     # SQLite
#   DATABASE=postgres bash benches/ab_evaluate.sh OLD_BINARY NEW_BINARY
#   bash benches/ab_evaluate.sh target/release/bluelight            # one build, measured alone
set -euo pipefail
cd "$(dirname "$0")/.."

[[ $# -ge 1 ]] || { echo "usage: $0 BINARY [BINARY...]" >&2; exit 2; }
BUILDS=()
for binary in "$@"; do BUILDS+=("$(realpath "$binary")"); done
DATABASE=${DATABASE:-sqlite}
ROUNDS=${ROUNDS:-2}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
PORT=${PORT:-18096}
export JWT_SECRET=${JWT_SECRET:-load-test-secret-load-test-secret-0123}
export RUST_LOG=warn PGOPTIONS="--client-min-messages=warning"

cargo build --release -p bluelight-benches --bin load
TARGET=${CARGO_TARGET_DIR:-target}
BASE=http://127.0.0.1:$PORT
source benches/scratch_database.sh evaluate

LABELS=(A B C D E F)
for round in $(seq 1 "$ROUNDS"); do
  for i in "${!BUILDS[@]}"; do
    binary=${BUILDS[$i]} build=${LABELS[$i]}
    # A fresh database per run, so no build evaluates on data another build wrote.
    scratch_reset
    serve "$binary"
    token=$("$binary" token --role buyer --tenant bedfordshire-police --sub bench@bedfordshire)
    for connections in 64 1; do
      "$TARGET/release/load" --base-url "$BASE" --token "$token" --seconds "$SECONDS_PER_RUN" \
        --label "$DATABASE $build round $round: draft evaluation, $connections conn" --concurrency "$connections" \
        --path /api/v1/tenants/bedfordshire-police/evaluate --post-json benches/requests/bedfordshire-draft.json
    done
    stop
  done
done
