#!/usr/bin/env bash
# Contract tests: the running service against its published document, openapi/openapi.json.
#
#   bash tests/contract/run.sh path/to/bluelight
#
# 1. Installs the pinned tools into target/contract-tools/ (skipped when already there at the
#    pinned versions): a Python venv from tests/contract/requirements.txt (schemathesis,
#    openapi-python-client) and node_modules from tests/contract/ts/package-lock.json
#    (openapi-typescript, openapi-fetch, typescript) with `npm ci`.
# 2. Starts the service binary (SQLite, demo data, a random JWT_SECRET, a free loopback port,
#    a temporary data directory) and mints tokens with `bluelight token`.
# 3. Checks the served document is the committed one; generates a Python client
#    (openapi-python-client) and TypeScript types (openapi-typescript), failing on any generator
#    warning; type-checks the TypeScript scenario with `tsc --strict`; runs both vendor scenarios
#    (python/scenario.py, ts/scenario.ts) against a service started with ALLOW_PRIVATE_URLS=true,
#    so that their webhook receiver on 127.0.0.1 gets signed deliveries; checks what an operator's
#    tools see (python/operations.py): /metrics read by Prometheus's reference parser and moving
#    by exactly the traffic sent, and LOG_FORMAT=json lines carrying each request's id.
# 4. Runs schemathesis (all checks; examples, coverage, fuzzing and stateful phases) from the
#    committed document against a fresh service: the tenant-scoped operations
#    (/api/v1/tenants/{slug}/...) as Bedfordshire Police's tenant_admin with `slug` fixed to
#    bedfordshire-police, then the national ones as a national_admin. Accepted deviations, each
#    with its reason, live in accepted.toml (schema-valid requests refused, judged by
#    schemathesis_hooks.py), schemathesis.toml (statuses) and baseline.json (stateful checks);
#    any other failure (5xx, a response off its schema, an undocumented status, a valid request
#    refused, ...) fails the run.
#
# Steps 3 and 4 run in a network namespace of their own with only loopback (`unshare --net`)
# when the machine allows it, so that nothing a generated request names (webhook URLs, OCDS
# package URLs) can make the service reach beyond this machine. Without it, the operations that
# make the service fetch or deliver to a URL are left out of the schemathesis runs.
#
# Everything generated goes to target/contract/ (logs, reports, clients). Knobs (environment):
#   CONTRACT_ONLY=clients|schemathesis   run one half only
#   CONTRACT_MAX_EXAMPLES (default 100)  schemathesis examples per operation (fuzzing, stateful)
#   CONTRACT_SEED (default 20261202)     schemathesis seed; `random` for a fresh one each run
#   CONTRACT_WORKERS (default 1)         schemathesis workers (see schemathesis_once on why one)
#   CONTRACT_SCHEMATHESIS_ARGS           more schemathesis options, e.g. --continue-on-failure
#   CONTRACT_NO_NETNS=1                  do not use a network namespace
# The last line is "contract: N passed, M failed"; the exit status is non-zero on any failure.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS="$ROOT/target/contract-tools"
OUT="$ROOT/target/contract"
DOCUMENT="$ROOT/openapi/openapi.json"
VENV="$TOOLS/venv"
NODE_TOOLS="$TOOLS/ts"

usage() {
  echo "usage: $0 path/to/bluelight" >&2
  exit 2
}

ISOLATED=""
if [[ "${1:-}" == "--isolated" ]]; then
  ISOLATED=1
  shift
fi
[[ $# -eq 1 ]] || usage
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[[ -x "$BIN" ]] || { echo "not an executable: $1" >&2; exit 2; }

log() { printf '%s\n' "$*" >&2; }
export PYTHONDONTWRITEBYTECODE=1

# ----- 1. tools --------------------------------------------------------------------------------

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

install_python_tools() {
  local want
  want="$(stamp_of "$HERE/requirements.txt") $(python3 --version 2>&1)"
  if [[ -f "$VENV/.installed" && "$(cat "$VENV/.installed")" == "$want" ]]; then
    return
  fi
  log "installing the Python tools into ${VENV#"$ROOT/"}"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
  "$VENV/bin/python" -m pip check >/dev/null
  printf '%s' "$want" >"$VENV/.installed"
}

install_node_tools() {
  local want
  want="$(stamp_of "$HERE/ts/package.json" "$HERE/ts/package-lock.json") node $(node --version)"
  if [[ -f "$NODE_TOOLS/.installed" && "$(cat "$NODE_TOOLS/.installed")" == "$want" ]]; then
    return
  fi
  log "installing the TypeScript tools into ${NODE_TOOLS#"$ROOT/"}"
  rm -rf "$NODE_TOOLS"
  mkdir -p "$NODE_TOOLS"
  cp "$HERE/ts/package.json" "$HERE/ts/package-lock.json" "$NODE_TOOLS/"
  (cd "$NODE_TOOLS" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  printf '%s' "$want" >"$NODE_TOOLS/.installed"
}

if [[ -z "$ISOLATED" ]]; then
  mkdir -p "$TOOLS"
  install_python_tools
  install_node_tools
  # Everything after the installs runs with only loopback, when the machine allows it.
  if [[ -z "${CONTRACT_NO_NETNS:-}" ]] && command -v unshare >/dev/null && command -v ip >/dev/null \
    && unshare --net ip link set lo up 2>/dev/null; then
    # shellcheck disable=SC2016 # expanded by the inner bash
    exec unshare --net -- bash -c 'ip link set lo up && exec bash "$0" --isolated "$1"' "$0" "$BIN"
  fi
  log "note: no private network namespace here; URL-fetching operations are left out of schemathesis"
fi

# ----- 2. the service --------------------------------------------------------------------------

rm -rf "$OUT"
mkdir -p "$OUT/logs"
PIDS=()
DATA_DIRS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if ((${#DATA_DIRS[@]})); then rm -rf "${DATA_DIRS[@]}"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export JWT_SECRET JWT_ISSUER=bluelight-contract JWT_AUDIENCE=bluelight-api
unset DATABASE_URL JWKS_URL LISTEN DEMO_DATA ALLOW_PRIVATE_URLS

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_service NAME [VAR=value ...]: sets SERVICE_URL and SERVICE_PID.
start_service() {
  local name=$1
  shift
  local dir port
  dir=$(mktemp -d -t bluelight-contract.XXXXXX)
  DATA_DIRS+=("$dir")
  port=$(free_port)
  env "$@" DATABASE_URL="$dir/bluelight.sqlite3" LISTEN="127.0.0.1:$port" DEMO_DATA=on HTTP_WORKERS=2 \
    RUST_LOG="${CONTRACT_RUST_LOG:-warn}" "$BIN" serve >"$OUT/logs/$name.log" 2>&1 &
  SERVICE_PID=$!
  PIDS+=("$SERVICE_PID")
  SERVICE_URL="http://127.0.0.1:$port"
  local deadline=$((SECONDS + 90))
  until curl -fsS -o /dev/null "$SERVICE_URL/health/ready" 2>/dev/null; do
    if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
      log "the service ($name) exited at start:"
      tail -n 30 "$OUT/logs/$name.log" >&2
      return 1
    fi
    if ((SECONDS > deadline)); then
      log "the service ($name) was not ready within 90 s"
      return 1
    fi
    sleep 0.2
  done
  log "service $name ready at $SERVICE_URL (pid $SERVICE_PID)"
}

stop_service() {
  kill "$SERVICE_PID" 2>/dev/null || true
  wait "$SERVICE_PID" 2>/dev/null || true
}

token() { "$BIN" token --ttl-minutes 120 "$@"; }

# ----- steps -----------------------------------------------------------------------------------

RESULTS=()
PASSED=0
FAILED=0

# run_step NAME COMMAND...: runs the command in a subshell with errexit in force, records it.
run_step() {
  local name=$1 status=0 started=$SECONDS
  shift
  log ""
  log "=== $name"
  ("$@") &
  wait $! || status=$?
  if ((status == 0)); then
    RESULTS+=("ok   $name ($((SECONDS - started)) s)")
    PASSED=$((PASSED + 1))
  else
    RESULTS+=("FAIL $name ($((SECONDS - started)) s)")
    FAILED=$((FAILED + 1))
  fi
}

served_document_is_the_committed_one() {
  curl -fsS "$SERVICE_URL/openapi.json" -o "$OUT/served-openapi.json"
  python3 - "$DOCUMENT" "$OUT/served-openapi.json" <<'EOF'
import json, sys
committed, served = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:])
if committed != served:
    sys.exit("the served /openapi.json differs from openapi/openapi.json: regenerate the committed one")
EOF
}

# Fails when a generator's output mentions a warning or an operation it left out.
no_warnings() {
  local output=$1
  if grep -qiE 'warn|will not be generated|unsupported|skipp|⚠' "$output"; then
    log "the generator warned (it must generate every operation):"
    grep -iE -A2 'warn|will not be generated|unsupported|skipp|⚠' "$output" >&2
    return 1
  fi
}

python_client_is_generated() {
  mkdir -p "$OUT/python"
  "$VENV/bin/openapi-python-client" generate --path "$DOCUMENT" --meta none \
    --output-path "$OUT/python/bluelight_client" --config "$HERE/python/openapi-python-client.yaml" \
    >"$OUT/logs/openapi-python-client.log" 2>&1 || { cat "$OUT/logs/openapi-python-client.log" >&2; return 1; }
  no_warnings "$OUT/logs/openapi-python-client.log"
  PYTHONPATH="$OUT/python" "$VENV/bin/python" -c 'import bluelight_client' 
}

typescript_types_are_generated() {
  mkdir -p "$OUT/ts"
  "$NODE_TOOLS/node_modules/.bin/openapi-typescript" "$DOCUMENT" -o "$OUT/ts/api.d.ts" \
    >"$OUT/logs/openapi-typescript.log" 2>&1 || { cat "$OUT/logs/openapi-typescript.log" >&2; return 1; }
  no_warnings "$OUT/logs/openapi-typescript.log"
}

typescript_scenario_type_checks() {
  cp "$HERE/ts/scenario.ts" "$HERE/ts/tsconfig.json" "$HERE/ts/package.json" "$OUT/ts/"
  ln -sfn "$NODE_TOOLS/node_modules" "$OUT/ts/node_modules"
  (cd "$OUT/ts" && ./node_modules/.bin/tsc --strict --noEmit -p tsconfig.json)
}

scenario_env() {
  env BLUELIGHT_URL="$SERVICE_URL" BLUELIGHT_TENANT=bedfordshire-police BLUELIGHT_OPENAPI="$DOCUMENT" \
    BLUELIGHT_BUYER_TOKEN="$BUYER_TOKEN" BLUELIGHT_ADMIN_TOKEN="$TENANT_ADMIN_TOKEN" BLUELIGHT_RECEIVER=loopback "$@"
}

python_scenario() {
  PYTHONPATH="$OUT/python" scenario_env "$VENV/bin/python" "$HERE/python/scenario.py"
}

typescript_scenario() {
  # Emitted even when the type-check above failed, so the run still shows what the service does.
  (cd "$OUT/ts" && ./node_modules/.bin/tsc -p tsconfig.json >/dev/null) || true
  [[ -f "$OUT/ts/dist/scenario.js" ]]
  scenario_env node "$OUT/ts/dist/scenario.js"
}

# schemathesis_run NAME TOKEN TENANT [schemathesis options...]: one run, retried once only when
# what failed was schemathesis itself (see schemathesis_only_crashed); a check that failed
# against the service is never retried.
schemathesis_run() {
  local name=$1
  schemathesis_once "$@" && return 0
  if schemathesis_only_crashed "$OUT/logs/schemathesis-$name.log"; then
    cp "$OUT/logs/schemathesis-$name.log" "$OUT/logs/schemathesis-$name-crashed.log"
    log "schemathesis crashed inside itself (a Runtime Error, no check failed); running it once more"
    schemathesis_once "$@"
  else
    return 1
  fi
}

# Whether a failed run's only problems were crashes inside schemathesis: every entry of its
# ERRORS section a "Runtime Error" (seen with two workers, below; the same seed passed when run
# again), and no FAILURES section. A network error, a timeout or any failed check is the service's and fails the run.
schemathesis_only_crashed() {
  python3 - "$1" <<'EOF'
import re, sys
log = open(sys.argv[1], encoding="utf-8", errors="replace").read()
if re.search(r"^=+ FAILURES =+$", log, re.M):
    sys.exit(1)
errors = re.search(r"^=+ ERRORS =+$(.*?)^=+ (WARNINGS|SUMMARY) =+$", log, re.M | re.S)
if not errors:
    sys.exit(1)
# Each entry: a "____ METHOD /path ____" line, then the kind of error on the next line.
kinds = re.findall(r"^_{3,} [A-Z]+ \S+ _{3,}\n(.*)$", errors.group(1), re.M)
sys.exit(0 if kinds and all(kind.strip() == "Runtime Error" for kind in kinds) else 1)
EOF
}

# schemathesis_once NAME TOKEN TENANT [schemathesis options...]
#
# One worker by default: with two, Hypothesis (inside schemathesis) parsed its own sources with
# `ast` from both threads at once and CPython 3.11.7 failed with "AST constructor recursion depth
# mismatch", reported as a Runtime Error on one operation in about half the national runs.
schemathesis_once() {
  local name=$1 token=$2 tenant=$3
  shift 3
  local seed=${CONTRACT_SEED:-20261202}
  local seed_option=(--seed "$seed")
  [[ "$seed" == random ]] && seed_option=()
  local reports="$OUT/schemathesis/$name"
  mkdir -p "$reports"
  local excluded=()
  if [[ -z "$ISOLATED" ]]; then
    excluded=(--exclude-operation-id create_tenant_subscription --exclude-operation-id create_national_subscription
      --exclude-operation-id import_frameworks)
  fi
  # shellcheck disable=SC2086 # CONTRACT_SCHEMATHESIS_ARGS is a list of options
  (
    cd "$reports"
    CONTRACT_TOKEN="$token" CONTRACT_TENANT="$tenant" SCHEMATHESIS_HOOKS="$HERE/schemathesis_hooks.py" \
      "$VENV/bin/schemathesis" \
      --config-file "$HERE/schemathesis.toml" run "$DOCUMENT" \
      --baseline "$HERE/baseline.json" \
      --url "$SERVICE_URL" \
      --checks all \
      --exclude-checks positive_data_acceptance \
      --phases examples,coverage,fuzzing,stateful \
      --max-examples "${CONTRACT_MAX_EXAMPLES:-100}" \
      --workers "${CONTRACT_WORKERS:-1}" \
      "${seed_option[@]}" \
      --request-timeout 20 \
      --report junit,ndjson --report-dir "$reports" \
      --no-color \
      "${excluded[@]}" "$@" ${CONTRACT_SCHEMATHESIS_ARGS:-} # word-split on purpose
  ) 2>&1 | tee "$OUT/logs/schemathesis-$name.log"
}

schemathesis_national() {
  schemathesis_run national "$NATIONAL_ADMIN_TOKEN" cheshire-constabulary \
    --exclude-path-regex '^/api/v1/tenants/\{slug\}/'
}

schemathesis_tenant() {
  schemathesis_run tenant "$TENANT_ADMIN_TOKEN" bedfordshire-police \
    --include-path-regex '^/api/v1/tenants/\{slug\}/'
}

# ----- 3. the generated clients and the vendor scenarios --------------------------------------

if [[ "${CONTRACT_ONLY:-}" != schemathesis ]]; then
  run_step "the Python client is generated (openapi-python-client, no warnings)" python_client_is_generated
  run_step "the TypeScript types are generated (openapi-typescript, no warnings)" typescript_types_are_generated
  run_step "the TypeScript scenario type-checks (tsc --strict)" typescript_scenario_type_checks
  if start_service scenarios ALLOW_PRIVATE_URLS=true; then
    BUYER_TOKEN=$(token --role buyer --tenant bedfordshire-police --sub contract-buyer@bedfordshire)
    TENANT_ADMIN_TOKEN=$(token --role tenant_admin --tenant bedfordshire-police --sub contract-admin@bedfordshire)
    run_step "the served /openapi.json is openapi/openapi.json" served_document_is_the_committed_one
    run_step "the Python vendor scenario" python_scenario
    run_step "the TypeScript vendor scenario" typescript_scenario
    stop_service
  else
    RESULTS+=("FAIL the service started for the scenarios")
    FAILED=$((FAILED + 1))
  fi
fi

# ----- 3b. what an operator's tools see ---------------------------------------------------------

operations_check() {
  BLUELIGHT_URL="$SERVICE_URL" BLUELIGHT_TENANT=bedfordshire-police \
    BLUELIGHT_NATIONAL_TOKEN="$(token --role national_viewer --sub contract-ops@bluelight)" \
    BLUELIGHT_BUYER_TOKEN="$(token --role buyer --tenant bedfordshire-police --sub contract-ops@bedfordshire)" \
    BLUELIGHT_LOG="$OUT/logs/operations.log" BLUELIGHT_SERVICE_PID="$SERVICE_PID" \
    "$VENV/bin/python" "$HERE/python/operations.py"
}

if [[ "${CONTRACT_ONLY:-}" != schemathesis ]]; then
  if CONTRACT_RUST_LOG=info start_service operations LOG_FORMAT=json; then
    run_step "operations: /metrics through Prometheus's parser, JSON log lines with request ids" operations_check
    stop_service
  else
    RESULTS+=("FAIL the service started for the operations check")
    FAILED=$((FAILED + 1))
  fi
fi

# ----- 4. schemathesis -------------------------------------------------------------------------

if [[ "${CONTRACT_ONLY:-}" != clients ]]; then
  if start_service schemathesis; then
    NATIONAL_ADMIN_TOKEN=$(token --role national_admin --sub contract-admin@bluelight)
    TENANT_ADMIN_TOKEN=$(token --role tenant_admin --tenant bedfordshire-police --sub contract-admin@bedfordshire)
    run_step "schemathesis: the tenant-scoped operations as bedfordshire-police's tenant_admin" schemathesis_tenant
    run_step "schemathesis: the national operations as a national_admin" schemathesis_national
    service_logged_no_panic() {
      # Malformed requests schemathesis sends on purpose are logged by actix as parse errors.
      if grep -E 'ERROR' "$OUT/logs/schemathesis.log" | grep -v 'request parse error' | head -n 20 | grep . >&2; then
        log "(errors the service logged during schemathesis: target/contract/logs/schemathesis.log)"
      fi
      ! grep -q 'panicked' "$OUT/logs/schemathesis.log"
    }
    run_step "the service did not panic under schemathesis" service_logged_no_panic
    log ""
    log "=== schemathesis failures, each once (reports in target/contract/schemathesis/)"
    python3 "$HERE/summarize.py" "$OUT/schemathesis" >&2 || true
    stop_service
  else
    RESULTS+=("FAIL the service started for schemathesis")
    FAILED=$((FAILED + 1))
  fi
fi

log ""
log "=== summary (logs and reports in target/contract/)"
printf '%s\n' "${RESULTS[@]}"
echo "contract: $PASSED passed, $FAILED failed"
((FAILED == 0))
