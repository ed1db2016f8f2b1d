# Sourced by the bench scripts (from the repository's root): a scratch database for one run, an
# SQLite file or a PostgreSQL schema per $DATABASE, removed on exit together with the service the
# script started (its process id in SERVER_PID).
#
#   source benches/scratch_database.sh NAME    # sets WORK (a scratch folder) and URL
#   scratch_reset                              # empties it again
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
