//! Storage: one diesel connection type over PostgreSQL (production) and SQLite (embedded default),
//! chosen by the database URL, with a pool and the migrations embedded in the binary.

pub mod schema;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// A connection to whichever database the URL names. PostgreSQL is listed first because the
/// derived `establish` tries the variants in order and SQLite would accept almost any string.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

impl DbConnection {
    /// The PostgreSQL connection, for what only PostgreSQL needs (row locks: SQLite's writes are
    /// already one at a time); `None` on SQLite.
    pub fn postgres(&mut self) -> Option<&mut PgConnection> {
        match self {
            DbConnection::Pg(pg) => Some(pg),
            DbConnection::Sqlite(_) => None,
        }
    }
}

/// Writes many rows of one table: `COPY ... FROM STDIN` in PostgreSQL's binary format (no
/// statement to parse or plan: a 100,000-line spend import wrote in 2.14 s instead of 2.79 s
/// with multi-row `INSERT`s; the rest is index upkeep), a multi-row `INSERT` on SQLite
/// (embedded, where a statement is cheap). The row type must derive `Insertable` with `treat_none_as_default_value = false`,
/// as `COPY` has no defaults to fall back on. Returns the rows written.
macro_rules! bulk_insert {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            $crate::db::DbConnection::Pg(pg) => diesel::copy_from($table).from_insertable($rows).execute(pg),
            $crate::db::DbConnection::Sqlite(sqlite) => diesel::insert_into($table).values($rows).execute(sqlite),
        }
    };
}
pub(crate) use bulk_insert;

/// Inserts a slice of `rows`, and where a row with the same `key` is already there updates it
/// with `set` instead (`INSERT ... ON CONFLICT (key) DO UPDATE`). PostgreSQL takes them in one
/// statement; diesel builds no multi-row upsert for SQLite, which takes one prepared statement
/// per row (in-process, so no round trip each).
macro_rules! insert_or_update {
    ($conn:expr, $table:expr, $rows:expr, $key:expr, $set:expr) => {
        match $conn {
            $crate::db::DbConnection::Pg(pg) => diesel::insert_into($table)
                .values($rows)
                .on_conflict($key)
                .do_update()
                .set($set)
                .execute(pg),
            $crate::db::DbConnection::Sqlite(sqlite) => {
                let mut written = 0;
                for row in $rows {
                    written += diesel::insert_into($table)
                        .values(row)
                        .on_conflict($key)
                        .do_update()
                        .set($set)
                        .execute(sqlite)?;
                }
                Ok(written)
            }
        }
    };
}
pub(crate) use insert_or_update;

/// The tenant column's value on rows that belong to the national body rather than to a tenant
/// (national audit events, the national team's webhooks and idempotency keys, notices about
/// frameworks). Tables are distributed by tenant, and a distributed row must name its tenant
/// (Citus routes no NULL); no tenant may take this name (`tenants::model`).
pub const NATIONAL_SCOPE: &str = "national";

/// The tenant column's value for a row owned by `tenant`, or by the national body.
pub fn scope_of(tenant: Option<&str>) -> &str {
    tenant.unwrap_or(NATIONAL_SCOPE)
}

/// The tenant a stored scope names; `None` for the national scope.
pub fn tenant_of(scope: String) -> Option<String> {
    tenant_of_ref(&scope).map(str::to_owned)
}

/// [`tenant_of`] for a borrowed scope.
pub fn tenant_of_ref(scope: &str) -> Option<&str> {
    (scope != NATIONAL_SCOPE).then_some(scope)
}

pub type DbPool = Pool<ConnectionManager<DbConnection>>;
pub type PooledDb = PooledConnection<ConnectionManager<DbConnection>>;

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");

/// Which database a URL points at; decided once from the URL, never by probing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// PostgreSQL for a `postgres://` URL or a libpq keyword string (`host=… dbname=…`, as
    /// operators often write it); SQLite for anything else, a file path.
    pub fn of_url(url: &str) -> Backend {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") || is_libpq_keywords(url) {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// The backend of a connection actually made.
    pub fn of_connection(conn: &DbConnection) -> Backend {
        match conn {
            DbConnection::Pg(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Whether `text` is a libpq connection string of `keyword=value` pairs naming at least one
/// connection keyword. The connection type tries PostgreSQL first, so such a string connects to
/// PostgreSQL; taking it for an SQLite path would apply SQLite's defaults to a production
/// database (the development secret among them).
fn is_libpq_keywords(text: &str) -> bool {
    const KEYWORDS: [&str; 9] = [
        "host", "hostaddr", "port", "dbname", "user", "password", "service", "sslmode", "passfile",
    ];
    text.split_whitespace().any(|pair| {
        pair.split_once('=')
            .is_some_and(|(keyword, _)| KEYWORDS.contains(&keyword.trim()))
    })
}

/// Runs `work` in one write transaction: all of it or none of it.
///
/// On SQLite the transaction starts `IMMEDIATE`, taking the write lock at `BEGIN`, where the busy
/// timeout applies. A deferred transaction that reads first and then writes cannot wait for the
/// lock when another connection holds it: SQLite refuses at once with "database is locked", and
/// that became a 500 when an idempotency record or a webhook claim was being written beside it.
pub fn write_transaction<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, Connection, TransactionManager};
    type Manager = <DbConnection as Connection>::TransactionManager;
    match conn {
        DbConnection::Sqlite(sqlite) => AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?,
        DbConnection::Pg(_) => Manager::begin_transaction(conn)?,
    }
    match work(conn) {
        Ok(value) => match Manager::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(error) => {
                let _ = Manager::rollback_transaction(conn);
                Err(error.into())
            }
        },
        Err(error) => {
            // The work's own error is the one worth reporting; a failed rollback leaves the
            // connection broken, and the pool discards broken connections.
            let _ = Manager::rollback_transaction(conn);
            Err(error)
        }
    }
}

/// Makes the pool drop this connection when it comes back instead of handing it out again: for a
/// connection found dead (the database restarted or failed over, the socket dropped). The pool
/// does not test a connection each time it hands one out (that cost a round trip to PostgreSQL
/// on every request), so it is told here, the way diesel itself marks a connection whose
/// rollback failed; r2d2 discards connections diesel reports broken.
pub fn discard_when_returned(conn: &mut DbConnection) {
    use diesel::connection::{Connection, TransactionManager};
    <DbConnection as Connection>::TransactionManager::transaction_manager_status_mut(conn).set_in_error();
}

/// How long a request waits for a pooled connection before 503.
pub const POOL_WAIT: Duration = Duration::from_secs(1);

/// How long a statement waits for a lock another connection holds (SQLite's write lock, a
/// PostgreSQL row or table lock) before giving up; the request then gets 503 with `Retry-After`
/// (see `error.rs`) instead of waiting without limit.
pub const LOCK_WAIT_MILLIS: u32 = 5_000;

/// How much of an SQLite file its connections read through a memory map: pages come straight
/// from the kernel's page cache, shared by every connection, instead of being copied into each
/// connection's own 2 MB page cache, which a national data set (hundreds of megabytes) overflows
/// on every report. Address space, not memory: only pages read are resident.
const SQLITE_MMAP_BYTES: u64 = 1 << 30;

/// SQLite needs its pragmas on every pooled connection; they are set in one batch because setting
/// WAL on several fresh connections before `busy_timeout` gives "database is locked".
/// PostgreSQL connections get the same bound on lock waits.
#[derive(Debug)]
struct ConnectionSetup;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Pg(pg) = conn {
            pg.batch_execute(&format!("SET lock_timeout = {LOCK_WAIT_MILLIS}"))
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        if let DbConnection::Sqlite(sqlite) = conn {
            sqlite
                .batch_execute(&format!(
                    "PRAGMA busy_timeout = {LOCK_WAIT_MILLIS}; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                     PRAGMA mmap_size = {SQLITE_MMAP_BYTES};"
                ))
                .map_err(diesel::r2d2::Error::QueryError)?;
            // SQLite's own lower() folds only ASCII; searches must find "TÂN" from "tân" as
            // PostgreSQL does, so lower() is replaced by Rust's Unicode lower-casing.
            crate::text_search::lower_utils::register_impl(sqlite, |text: String| text.to_lowercase())
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// The pool's timeouts, for the metrics (requests' waits for a connection are timed where they
/// wait, in `AppState::db_permit`).
#[derive(Debug)]
struct PoolEvents;

impl diesel::r2d2::HandleEvent for PoolEvents {
    fn handle_timeout(&self, _event: diesel::r2d2::event::TimeoutEvent) {
        crate::metrics::metrics().db_pool_timeouts.inc();
    }
}

/// Opens a pool on `url` (a `postgres://` URL, or an SQLite file path, optionally `sqlite://`).
pub fn connect(url: &str, max_size: u32) -> anyhow::Result<DbPool> {
    let target = match Backend::of_url(url) {
        Backend::Postgres => url.to_owned(),
        Backend::Sqlite => {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            if let Some(parent) = std::path::Path::new(path).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent)
                    .map_err(|e| anyhow::anyhow!("DATABASE_URL: cannot create folder {}: {e}", parent.display()))?;
            }
            path.to_owned()
        }
    };
    let manager = ConnectionManager::<DbConnection>::new(target);
    Pool::builder()
        .max_size(max_size)
        // How long a request waits for a connection: with the database down (or every
        // connection busy) it gets 503 with `Retry-After` within about a second.
        .connection_timeout(POOL_WAIT)
        // No `SELECT 1` before each use: a dead connection shows itself by failing, and
        // `discard_when_returned` keeps the pool from handing it out again.
        .test_on_check_out(false)
        .connection_customizer(Box::new(ConnectionSetup))
        .event_handler(Box::new(PoolEvents))
        .build(manager)
        .map_err(|e| anyhow::anyhow!("DATABASE_URL: cannot connect to the database: {e}"))
}

/// Applies every pending migration for the connection's backend; returns how many ran.
pub fn migrate(conn: &mut DbConnection) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConnection::Pg(pg) => pg.run_pending_migrations(POSTGRES_MIGRATIONS),
        DbConnection::Sqlite(sqlite) => sqlite.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    Ok(applied.len())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every `.rs` file under `dir`, with its text.
    fn sources(dir: &Path, found: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("a source directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                found.push((path.display().to_string(), text));
            }
        }
    }

    /// The backends are told apart here and nowhere else, so that a third one, or a change to
    /// how one is driven, is a change to this module alone.
    #[test]
    fn only_the_db_module_tells_the_backends_apart() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let db = src.join("db");
        let mut found = Vec::new();
        sources(&src, &mut found);
        assert!(found.len() > 50, "read {} files", found.len());
        let outside: Vec<&String> = found
            .iter()
            .filter(|(path, text)| !Path::new(path).starts_with(&db) && text.contains("DbConnection::"))
            .map(|(path, _)| path)
            .collect();
        assert!(outside.is_empty(), "backend-specific code outside db/: {outside:?}");
    }

    /// SQLite reads through the memory map (a library built without one would answer 0).
    #[test]
    fn sqlite_connections_read_through_a_memory_map() {
        use diesel::RunQueryDsl;
        use diesel::sql_types::BigInt;
        #[derive(diesel::QueryableByName)]
        struct MmapSize {
            #[diesel(sql_type = BigInt)]
            mmap_size: i64,
        }
        let file = std::env::temp_dir().join(format!("bluelight-mmap-{}.sqlite3", crate::clock::new_id()));
        let pool = super::connect(file.to_str().unwrap(), 1).unwrap();
        let mut conn = pool.get().unwrap();
        let size: MmapSize = diesel::sql_query("PRAGMA mmap_size").get_result(&mut *conn).unwrap();
        assert_eq!(size.mmap_size, super::SQLITE_MMAP_BYTES as i64);
        drop(conn);
        drop(pool);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }

    /// A connection handed back after `discard_when_returned` is not handed out again; any other
    /// is. Told apart by a temporary table, which lives as long as its connection.
    #[test]
    fn a_connection_marked_lost_is_dropped_by_the_pool_and_others_are_reused() {
        use diesel::connection::SimpleConnection;
        let file = std::env::temp_dir().join(format!("bluelight-pool-{}.sqlite3", crate::clock::new_id()));
        let pool = super::connect(file.to_str().unwrap(), 1).unwrap();
        let same_connection = |conn: &mut super::DbConnection| conn.batch_execute("SELECT * FROM marker").is_ok();

        let mut conn = pool.get().unwrap();
        conn.batch_execute("CREATE TEMP TABLE marker (x INTEGER)").unwrap();
        drop(conn);
        let mut conn = pool.get().unwrap();
        assert!(same_connection(&mut conn), "a healthy connection is reused");

        super::discard_when_returned(&mut conn);
        drop(conn);
        let mut conn = pool.get().unwrap();
        assert!(
            !same_connection(&mut conn),
            "the marked connection was handed out again"
        );
        drop(conn);
        drop(pool);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }
}
