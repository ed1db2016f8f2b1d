//! An import of a CSV file into a tenant's register or spend: the stored record and what the API
//! returns.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::clock;
use crate::db::schema::imports;
use crate::error::ApiResult;
use crate::text_enum::text_enum;

text_enum! {
    /// What a file holds.
    pub enum ImportKind {
        Contracts = "contracts",
        Spend = "spend",
    }
}

text_enum! {
    /// `running` while rows are written (in one transaction); `completed` when all are;
    /// `failed` when none are (the cause is in `failure`).
    pub enum ImportStatus {
        Running = "running",
        Completed = "completed",
        Failed = "failed",
    }
}

/// An import as the API returns it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a6c2-7f1e-7a40-9d7e-3f0f4b1c2d3e",
    "tenant": "lancashire-constabulary",
    "kind": "spend",
    "sha256": "9f2c…",
    "filename": "spend-2025-26.csv",
    "status": "running",
    "rows_total": 100000,
    "rows_written": 42000,
    "rows_skipped": 0,
    "failure": null,
    "started_by": "buyer@lancashire",
    "started_at": "2026-11-24T09:15:02Z",
    "finished_at": null
}))]
pub struct Import {
    pub id: String,
    pub tenant: String,
    pub kind: ImportKind,
    /// SHA-256 of the file: the same file is applied once.
    pub sha256: String,
    pub filename: Option<String>,
    pub status: ImportStatus,
    /// Data rows in the file.
    pub rows_total: i64,
    /// Rows written so far (all of them once completed; none are kept if it fails).
    pub rows_written: i64,
    /// Rows identical to ones already recorded, so not written again.
    pub rows_skipped: i64,
    /// Why it failed, when it did.
    pub failure: Option<String>,
    pub started_by: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = imports)]
pub struct ImportRow {
    pub id: String,
    pub tenant_slug: String,
    pub kind: String,
    pub sha256: String,
    pub filename: Option<String>,
    pub status: String,
    pub rows_total: i64,
    pub rows_written: i64,
    pub rows_skipped: i64,
    pub failure: Option<String>,
    pub started_by: String,
    pub started_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    /// The instance writing a running import, and until when its lease holds (see `leases`).
    pub owner: Option<String>,
    pub lease_expires_at: Option<NaiveDateTime>,
}

impl ImportRow {
    pub fn into_api(self) -> ApiResult<Import> {
        Ok(Import {
            kind: ImportKind::from_db(&self.kind)?,
            status: ImportStatus::from_db(&self.status)?,
            id: self.id,
            tenant: self.tenant_slug,
            sha256: self.sha256,
            filename: self.filename,
            rows_total: self.rows_total,
            rows_written: self.rows_written,
            rows_skipped: self.rows_skipped,
            failure: self.failure,
            started_by: self.started_by,
            started_at: clock::utc(self.started_at),
            finished_at: self.finished_at.map(clock::utc),
        })
    }
}

/// Filters for a tenant's imports.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportFilter {
    pub kind: Option<ImportKind>,
    pub status: Option<ImportStatus>,
    /// 1-200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Where an import's file was read from, for its record.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The file's name, kept on the record for people (optional).
    #[param(example = "spend-2025-26.csv")]
    pub filename: Option<String>,
}
