//! What every handler shares: the database pool and the token verifier.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::web;

use bluelight_rules::RuleEngine;

use crate::auth::Verifier;
use crate::clock::Clock;
use crate::db::{self, Backend, DbConnection, DbPool};
use crate::error::{ApiError, ApiResult};
use crate::idempotency;
use crate::imports::progress::ImportProgress;
use crate::metrics::metrics;
use crate::webhooks::settings::WebhookSettings;

pub struct AppState {
    pub pool: DbPool,
    pub verifier: Verifier,
    /// The one engine every tenant's rule plugins run in.
    pub rules: Arc<RuleEngine>,
    /// Rows written so far by this instance's running CSV imports.
    pub import_progress: ImportProgress,
    pub webhooks: WebhookSettings,
    /// Whether webhooks and OCDS fetches may go to http and private-network URLs (see `outbound`).
    pub allow_private_urls: bool,
    /// Which day it is for statuses, evaluations, awards and default report periods.
    pub clock: Clock,
    /// This run of the service, among the instances sharing the database (owns its imports).
    pub instance_id: String,
    /// Each tenant's share of the rule sandboxes.
    sandbox_shares: SandboxShares,
    /// SQLite allows one writer at a time, and two transactions that both read then write
    /// deadlock (one gets "database is locked" at once, whatever the busy timeout). Write
    /// transactions therefore take this lock first on SQLite; PostgreSQL needs none. A writer
    /// waits for it at most as long as for a database lock (`db::LOCK_WAIT_MILLIS`), so writers
    /// queued behind a long import get 503 with `Retry-After`, not an endless wait.
    write_lock: Option<Arc<tokio::sync::Mutex<()>>>,
    /// One permit per pooled connection: database work waits for a permit on its request's async
    /// task before it takes a blocking thread. Queued as blocked threads on the pool's own lock
    /// instead, 64 requests for 8 connections kept 56 threads being woken and put back to sleep
    /// at every return of a connection (the thread hand-offs in the README's read profile).
    db_permits: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(
        pool: DbPool,
        verifier: Verifier,
        backend: Backend,
        rules: Arc<RuleEngine>,
        webhooks: WebhookSettings,
        allow_private_urls: bool,
        clock: Clock,
    ) -> AppState {
        let write_lock = (backend == Backend::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(())));
        let sandbox_shares = SandboxShares::new(rules.limits().max_concurrent_instances);
        let db_permits = Arc::new(tokio::sync::Semaphore::new(pool.max_size() as usize));
        AppState {
            db_permits,
            sandbox_shares,
            pool,
            verifier,
            rules,
            import_progress: ImportProgress::default(),
            webhooks,
            allow_private_urls,
            clock,
            instance_id: crate::clock::new_id(),
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
        // Read here, on the request's task: the blocking pool's threads do not see it.
        let claimed = idempotency::claimed_by_this_request();
        let span = tracing::Span::current();
        // Taken before a connection, so queued writers do not hold connections readers need.
        let one_writer = match &self.write_lock {
            None => None,
            Some(lock) => Some(
                tokio::time::timeout(
                    Duration::from_millis(u64::from(db::LOCK_WAIT_MILLIS)),
                    lock.clone().lock_owned(),
                )
                .await
                .map_err(|_| {
                    ApiError::Busy(
                        "waited too long for the database's one writer (another write, such as an \
                         import, is under way); retry shortly"
                            .into(),
                    )
                })?,
            ),
        };
        let permit = self.db_permit().await?;
        web::block(move || {
            let _request = span.enter();
            let _one_writer = one_writer;
            let _permit = permit;
            on_pooled_connection(&pool, |conn| {
                db::write_transaction(conn, |conn| {
                    let done = work(conn)?;
                    // The request's key is marked in the same transaction as its write.
                    if let Some(claimed) = &claimed {
                        idempotency::mark_committed(conn, claimed)?;
                    }
                    Ok(done)
                })
            })
        })
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("blocking database task failed: {e}")))?
    }

    /// A turn at one of the pool's connections, waited for at most as long as the pool would
    /// wait (`db::POOL_WAIT`), then 503 with `Retry-After`.
    async fn db_permit(&self) -> ApiResult<tokio::sync::OwnedSemaphorePermit> {
        let started = std::time::Instant::now();
        let permit = tokio::time::timeout(db::POOL_WAIT, self.db_permits.clone().acquire_owned()).await;
        metrics().db_pool_wait.observe(started.elapsed().as_secs_f64());
        match permit {
            Ok(Ok(permit)) => Ok(permit),
            _ => {
                metrics().db_pool_timeouts.inc();
                Err(ApiError::Unavailable(
                    "database pool: every connection stayed busy for the whole wait".into(),
                ))
            }
        }
    }

    /// Runs blocking database work on actix's blocking pool, off the async HTTP workers.
    pub async fn db<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        let permit = self.db_permit().await?;
        web::block(move || {
            let _request = span.enter();
            let _permit = permit;
            on_pooled_connection(&pool, work)
        })
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("blocking database task failed: {e}")))?
    }

    /// Runs a tenant's plugin work (compiling, evaluating) on the blocking pool, off the async
    /// HTTP workers: a plugin that spins until its deadline must not hold up other requests.
    /// Within the tenant's share of the sandboxes: when all of it is in use, 503 at once.
    pub async fn sandboxed<T, F>(&self, tenant: &str, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&RuleEngine) -> ApiResult<T> + Send + 'static,
    {
        let share = self.sandbox_shares.take(tenant).inspect_err(|_| {
            metrics()
                .sandboxes_refused
                .with_label_values(&[tenant, "tenant_share"])
                .inc();
        })?;
        let engine = self.rules.clone();
        let span = tracing::Span::current();
        let in_use = SandboxInUse::take();
        web::block(move || {
            let _request = span.enter();
            let result = work(&engine);
            drop(share);
            drop(in_use);
            result
        })
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("blocking plugin task failed: {e}")))?
    }
}

/// Runs `work` on a connection from the pool. One that turned out to be lost (the database went
/// away under it) goes back to be dropped, not handed to the next request.
fn on_pooled_connection<T>(pool: &DbPool, work: impl FnOnce(&mut DbConnection) -> ApiResult<T>) -> ApiResult<T> {
    let mut conn = pool.get()?;
    let result = work(&mut conn);
    if let Err(ApiError::Unavailable(_)) = &result {
        db::discard_when_returned(&mut conn);
    }
    result
}

/// One sandbox counted in use (`bluelight_rule_sandboxes_in_use`) until dropped, however the work
/// ends.
struct SandboxInUse;

impl SandboxInUse {
    fn take() -> SandboxInUse {
        metrics().sandboxes_in_use.inc();
        SandboxInUse
    }
}

impl Drop for SandboxInUse {
    fn drop(&mut self) {
        metrics().sandboxes_in_use.dec();
    }
}

/// How many of the engine's sandboxes one tenant's work may hold at once: a quarter (at least
/// one), so a tenant flooding evaluations, or running a plugin that spins until its deadline,
/// leaves the rest to the others. The engine's own limit still caps them all together.
struct SandboxShares {
    per_tenant: usize,
    tenants: Mutex<HashMap<String, Arc<tokio::sync::Semaphore>>>,
}

impl SandboxShares {
    fn new(sandboxes: u32) -> SandboxShares {
        SandboxShares {
            per_tenant: (sandboxes as usize / 4).max(1),
            tenants: Mutex::new(HashMap::new()),
        }
    }

    fn take(&self, tenant: &str) -> ApiResult<tokio::sync::OwnedSemaphorePermit> {
        let share = self
            .tenants
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(tenant.to_owned())
            .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(self.per_tenant)))
            .clone();
        share.try_acquire_owned().map_err(|_| {
            ApiError::Busy(format!(
                "all {} of the tenant's share of the rule sandboxes are in use; retry shortly",
                self.per_tenant
            ))
        })
    }
}
