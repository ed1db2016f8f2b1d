//! Which instance owns a running import. An import is written in the background by the instance
//! that accepted it; that instance renews the import's lease while it runs. Any instance marks a
//! running import failed once its lease has run out (its owner stopped or lost the database), and
//! never before, so several instances can share one PostgreSQL without failing each other's
//! imports. Nothing of a failed import is written: its rows commit with its completion or not at
//! all.
//!
//! SQLite has one process by construction (the file is the service's own), so at start every
//! import left running there was the last run's and is failed at once (see `app`).

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::ImportStatus;
use crate::clock;
use crate::db::DbConnection;
use crate::db::schema::imports;
use crate::state::AppState;

/// How long a lease holds without renewal, and how often the owner renews its leases and every
/// instance looks for lapsed ones.
pub const LEASE: Duration = Duration::from_secs(60);
pub const RENEW_EVERY: Duration = Duration::from_secs(15);

const FAILURE: &str = "interrupted: the instance writing it stopped (its lease ran out); nothing from it was written; send the file again";

pub fn expires_from(now: NaiveDateTime) -> NaiveDateTime {
    now + chrono::Duration::from_std(LEASE).expect("a lease fits a chrono duration")
}

/// Renews the leases of the running imports `owner` writes; returns how many.
pub fn renew(conn: &mut DbConnection, owner: &str) -> QueryResult<usize> {
    diesel::update(
        imports::table
            .filter(imports::owner.eq(owner))
            .filter(imports::status.eq(ImportStatus::Running.as_str())),
    )
    .set(imports::lease_expires_at.eq(Some(expires_from(clock::now()))))
    .execute(conn)
}

/// Marks failed the running imports whose lease has run out (or that have none, from before
/// leases); returns how many.
pub fn fail_lapsed(conn: &mut DbConnection) -> QueryResult<usize> {
    diesel::update(
        imports::table
            .filter(imports::status.eq(ImportStatus::Running.as_str()))
            .filter(
                imports::lease_expires_at
                    .is_null()
                    .or(imports::lease_expires_at.lt(clock::now())),
            ),
    )
    .set((
        imports::status.eq(ImportStatus::Failed.as_str()),
        imports::rows_written.eq(0),
        imports::failure.eq(Some(FAILURE)),
        imports::finished_at.eq(Some(clock::now())),
    ))
    .execute(conn)
}

/// On every instance: renews this instance's leases and fails lapsed ones, every
/// [`RENEW_EVERY`]. A round that fails (the database away) is tried again next round.
pub fn spawn(state: actix_web::web::Data<AppState>) {
    actix_web::rt::spawn(async move {
        loop {
            actix_web::rt::time::sleep(RENEW_EVERY).await;
            let owner = state.instance_id.clone();
            let round = state
                .db(move |conn| Ok((renew(conn, &owner)?, fail_lapsed(conn)?)))
                .await;
            match round {
                Ok((_, 0)) => {}
                Ok((_, failed)) => tracing::warn!(failed, "imports of a stopped instance marked failed"),
                Err(e) => tracing::warn!(error = %e, "import leases not renewed this round; retrying"),
            }
        }
    });
}
