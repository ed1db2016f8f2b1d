//! CSV imports into a tenant's contracts register and spend: checked whole before anything is
//! written, then written in one transaction in the background while the client watches progress.

pub mod csv_file;
pub mod handlers;
pub mod leases;
pub mod model;
pub mod progress;
pub mod store;

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::NaiveDate;
use diesel::QueryResult;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{Principal, TenantScope};
use crate::contracts::import as contract_import;
use crate::contracts::model::ContractRow;
use crate::contracts::store as contracts;
use crate::db::DbConnection;
use crate::error::ApiResult;
use crate::imports::csv_file::CsvFile;
use crate::spend::import as spend_import;
use crate::spend::model::SpendLineRow;
use crate::spend::store as spend;
use crate::spend::year_totals as spend_year_totals;
use crate::tenants::model::TenantRow;
use model::ImportKind;

/// The rows a checked file will write, and what the check found.
#[derive(Debug)]
pub struct PreparedImport<T> {
    /// Data rows in the file.
    pub rows_total: usize,
    /// Rows identical to ones already recorded.
    pub rows_skipped: usize,
    pub rows: T,
}

/// A file's SHA-256 as lower-case hex: what makes an import of the same file idempotent. The
/// demo loader uses it too, so a demo file and the same file sent by a force are one file.
pub fn file_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The rows a checked file will write.
#[derive(Debug)]
pub enum ImportRows {
    Contracts(Vec<ContractRow>),
    Spend(Vec<SpendLineRow>),
}

/// Whose file an import is, of what kind, and on which day it is checked. Owned, so that the
/// steps of an import (run on different threads) can each be given a copy.
#[derive(Clone)]
pub struct ImportTarget {
    pub kind: ImportKind,
    pub scope: TenantScope,
    pub tenant: TenantRow,
    pub principal: Principal,
    pub import_id: String,
    /// The service's today: contracts may not be terminated after it.
    pub today: NaiveDate,
}

/// Reads a file of `kind`: its CSV and its columns, with no database connection held.
pub fn parse(kind: ImportKind, bytes: &[u8]) -> ApiResult<CsvFile> {
    let columns = match kind {
        ImportKind::Contracts => contract_import::COLUMNS,
        ImportKind::Spend => spend_import::COLUMNS,
    };
    CsvFile::read(bytes, columns)
}

/// What a file is checked against, loaded with a connection. A contracts register is checked in
/// full here (row by row against the database); a spend file's context is loaded, and its rows
/// are checked by [`check`] after the connection is given back.
pub enum ImportContext {
    Contracts(PreparedImport<Vec<ContractRow>>),
    Spend(Box<spend_import::SpendContext>),
}

pub fn load(conn: &mut DbConnection, target: &ImportTarget, file: &CsvFile) -> ApiResult<ImportContext> {
    let ImportTarget {
        kind,
        scope,
        tenant,
        principal,
        import_id,
        today,
    } = target;
    Ok(match kind {
        ImportKind::Contracts => ImportContext::Contracts(contract_import::prepare(
            conn, scope, tenant, principal, file, import_id, *today,
        )?),
        ImportKind::Spend => {
            ImportContext::Spend(Box::new(spend_import::SpendContext::load(conn, scope, tenant, file)?))
        }
    })
}

/// The rows to write, or every problem found; no connection needed.
pub fn check(target: &ImportTarget, file: &CsvFile, context: ImportContext) -> ApiResult<PreparedImport<ImportRows>> {
    Ok(match context {
        ImportContext::Contracts(p) => PreparedImport {
            rows_total: p.rows_total,
            rows_skipped: p.rows_skipped,
            rows: ImportRows::Contracts(p.rows),
        },
        ImportContext::Spend(context) => {
            let p = spend_import::check(file, &context, &target.scope, &target.import_id)?;
            PreparedImport {
                rows_total: p.rows_total,
                rows_skipped: p.rows_skipped,
                rows: ImportRows::Spend(p.rows),
            }
        }
    })
}

/// Parses and checks a whole file for its target with one connection throughout (the demo
/// loader, which holds its own).
pub fn prepare(conn: &mut DbConnection, target: &ImportTarget, bytes: &[u8]) -> ApiResult<PreparedImport<ImportRows>> {
    let file = parse(target.kind, bytes)?;
    let context = load(conn, target, &file)?;
    check(target, &file, context)
}

impl ImportRows {
    /// Writes every row in batches, advancing `progress` after each; returns how many. Run it in
    /// one transaction so that a failure leaves nothing written.
    pub fn write(&self, conn: &mut DbConnection, progress: &AtomicI64) -> QueryResult<i64> {
        match self {
            ImportRows::Contracts(rows) => {
                for chunk in rows.chunks(contracts::INSERT_BATCH) {
                    contracts::insert_batch(conn, chunk)?;
                    progress.fetch_add(chunk.len() as i64, Ordering::Relaxed);
                }
                Ok(rows.len() as i64)
            }
            ImportRows::Spend(rows) => {
                for chunk in rows.chunks(spend::INSERT_BATCH) {
                    spend::insert_batch(conn, chunk)?;
                    progress.fetch_add(chunk.len() as i64, Ordering::Relaxed);
                }
                spend_year_totals::add_lines(conn, rows)?;
                Ok(rows.len() as i64)
            }
        }
    }
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::import_contracts)
        .service(handlers::import_spend)
        .service(handlers::list_imports)
        .service(handlers::get_import);
}
