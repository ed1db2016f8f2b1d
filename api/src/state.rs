//! What every handler shares: the database pool and the token verifier.

use std::sync::{Arc, Mutex};

use actix_web::web;
use diesel::Connection;

use crate::auth::Verifier;
use crate::db::{Backend, DbConnection, DbPool};
use crate::error::{ApiError, ApiResult};

pub struct AppState {
    pub pool: DbPool,
    pub verifier: Verifier,
    /// SQLite allows one writer at a time, and two transactions that both read then write
    /// deadlock (one gets "database is locked" at once, whatever the busy timeout). Write
    /// transactions therefore take this lock first on SQLite; PostgreSQL needs none.
    write_lock: Option<Arc<Mutex<()>>>,
}

impl AppState {
    pub fn new(pool: DbPool, verifier: Verifier, backend: Backend) -> AppState {
        let write_lock = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        AppState {
            pool,
            verifier,
            write_lock,
        }
    }

    /// Runs `work` in one database transaction (all of it or none of it), off the HTTP workers.
    pub async fn write<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        let write_lock = self.write_lock.clone();
        web::block(move || {
            // Taken before a pooled connection, so queued writers do not hold connections that
            // readers need. A poisoned lock only means another write panicked and was rolled back.
            let _one_writer = write_lock
                .as_ref()
                .map(|lock| lock.lock().unwrap_or_else(|p| p.into_inner()));
            let mut conn = pool.get()?;
            (*conn).transaction(work)
        })
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("blocking database task failed: {e}")))?
    }

    /// Runs blocking database work on actix's blocking pool, off the async HTTP workers.
    pub async fn db<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("blocking database task failed: {e}")))?
    }
}
