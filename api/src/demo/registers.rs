//! The commercial part of the demo data: contracts registers and a year of spend for six police
//! forces and a fire and rescue service, so the KPIs and the national view show something on a
//! fresh clone. The files are CSV in the import formats and go through the importer's own checks.
//!
//! Idempotent: a file already imported (same SHA-256) is not imported again.

use std::sync::atomic::AtomicI64;

use diesel::Connection;

use crate::auth::{Principal, Role, TenantScope};
use crate::clock;
use crate::db::DbConnection;
use crate::imports::model::{ImportKind, ImportRow, ImportStatus};
use crate::imports::{self, store as import_store};
use crate::tenants::store as tenants;

const LOADED_BY: &str = "demo-data";

macro_rules! register_files {
    ($($slug:literal),+ $(,)?) => {
        &[$(
            ($slug,
             include_str!(concat!("registers/contracts/", $slug, ".csv")),
             include_str!(concat!("registers/spend/", $slug, ".csv"))),
        )+]
    };
}

/// (tenant, contracts register, spend file)
const REGISTERS: &[(&str, &str, &str)] = register_files!(
    "bedfordshire-police",
    "cheshire-constabulary",
    "lancashire-constabulary",
    "greater-manchester-police",
    "merseyside-police",
    "west-midlands-police",
    "lancashire-fire-and-rescue-service",
);

#[derive(Debug, Default)]
pub struct RegistersReport {
    pub contracts: i64,
    pub spend_lines: i64,
}

pub fn load(conn: &mut DbConnection, today: chrono::NaiveDate) -> anyhow::Result<RegistersReport> {
    let loader = Principal {
        subject: LOADED_BY.into(),
        roles: vec![Role::NationalAdmin],
        tenant: None,
        supplier: None,
    };
    let mut report = RegistersReport::default();
    for (slug, contracts_csv, spend_csv) in REGISTERS {
        let Some(tenant) = tenants::find(conn, slug)? else {
            continue;
        };
        let scope = TenantScope::for_system(slug);
        // Contracts first: spend lines name them.
        for (kind, file) in [(ImportKind::Contracts, contracts_csv), (ImportKind::Spend, spend_csv)] {
            let written =
                conn.transaction(|conn| import_one(conn, &scope, &tenant, &loader, kind, file.as_bytes(), today))?;
            match kind {
                ImportKind::Contracts => report.contracts += written,
                ImportKind::Spend => report.spend_lines += written,
            }
        }
    }
    Ok(report)
}

fn import_one(
    conn: &mut DbConnection,
    scope: &TenantScope,
    tenant: &crate::tenants::model::TenantRow,
    loader: &Principal,
    kind: ImportKind,
    bytes: &[u8],
    today: chrono::NaiveDate,
) -> anyhow::Result<i64> {
    let sha256 = imports::file_hash(bytes);
    if import_store::completed_with_hash(conn, scope, kind, &sha256)?.is_some() {
        return Ok(0);
    }
    let import_id = clock::new_id();
    let target = imports::ImportTarget {
        kind,
        scope: scope.clone(),
        tenant: tenant.clone(),
        principal: loader.clone(),
        import_id: import_id.clone(),
        today,
    };
    let prepared = imports::prepare(conn, &target, bytes)
        .map_err(|e| anyhow::anyhow!("demo {kind} file of {}: {e:?}", scope.slug()))?;
    let now = clock::now();
    import_store::insert(
        conn,
        &ImportRow {
            id: import_id.clone(),
            tenant_slug: scope.slug().to_owned(),
            kind: kind.as_str().to_owned(),
            sha256,
            filename: Some(format!("demo-{}-{}.csv", scope.slug(), kind)),
            status: ImportStatus::Running.as_str().to_owned(),
            rows_total: prepared.rows_total as i64,
            rows_written: 0,
            rows_skipped: prepared.rows_skipped as i64,
            failure: None,
            started_by: LOADED_BY.to_owned(),
            started_at: now,
            finished_at: None,
            owner: None,
            lease_expires_at: None,
        },
    )?;
    let written = prepared.rows.write(conn, &AtomicI64::new(0))?;
    import_store::complete(conn, scope, &import_id, written)?;
    Ok(written)
}
