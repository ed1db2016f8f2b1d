//! What every handler shares: the database pool and the token verifier.

use actix_web::web;

use crate::auth::Verifier;
use crate::db::{DbConnection, DbPool};
use crate::error::{ApiError, ApiResult};

pub struct AppState {
    pub pool: DbPool,
    pub verifier: Verifier,
}

impl AppState {
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
