# Sourced by the bench scripts (from the repository's root): a scratch database for one run, an
# SQLite file or a PostgreSQL schema per $DATABASE, removed on exit together with the service the
# script started (its process id in SERVER_PID).
#
#   source benches/scratch_database.sh NAME    # sets WORK (a scratch folder) and URL
#   scratch_reset                              # empties it again
#   serve BINARY; ...; stop                    # a service on it (needs PORT and BASE)
SCRATCH_NAME=$1
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
WORK=$(mktemp -d)
SERVER_PID=""
SCRATCH_SCHEMA="${SCRATCH_NAME}_$$"
scratch_cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [[ $DATABASE == postgres ]] && psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $SCRATCH_SCHEMA CASCADE" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap scratch_cleanup EXIT
case $DATABASE in
  sqlite) URL="$WORK/$SCRATCH_NAME.sqlite3" ;;
  postgres)
    psql "$PG_URL" -qc "CREATE SCHEMA $SCRATCH_SCHEMA"
    URL="$PG_URL?options=-csearch_path%3D$SCRATCH_SCHEMA"
    ;;
  *) echo "DATABASE must be sqlite or postgres, not $DATABASE" >&2; exit 2 ;;
esac

# Empties the scratch database (while no service uses it), for a run that must start fresh.
scratch_reset() {
  case $DATABASE in
    sqlite) rm -f "$URL" "$URL-wal" "$URL-shm" ;;
    postgres) psql "$PG_URL" -qc "DROP SCHEMA $SCRATCH_SCHEMA CASCADE; CREATE SCHEMA $SCRATCH_SCHEMA" ;;
  esac
}

# Serves the scratch database with BINARY on $PORT, with the demo data (its log in
# $WORK/server.log), once it answers at $BASE/health/ready; `stop` ends it.
serve() {
  "$1" serve --database-url "$URL" --listen "127.0.0.1:$PORT" --demo-data on >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do curl -sf "$BASE/health/ready" >/dev/null && return; sleep 0.1; done
  echo "the service did not start:" >&2; cat "$WORK/server.log" >&2; exit 1
}
stop() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }
