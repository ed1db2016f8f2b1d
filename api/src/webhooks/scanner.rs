//! Events nobody's request causes: the calendar brings a contract or a framework near its end,
//! and makes a framework live or expired. A periodic scan notices them; `webhook_notices`
//! remembers each (subject, occasion) so an event is sent once, whichever instance scans and
//! however often. A framework whose dates are edited so that its status changes is announced
//! by the edit itself ([`framework_dates_changed`]), under the same occasion, so the scan does
//! not repeat it.

use std::collections::HashSet;

use chrono::{NaiveDate, TimeDelta};
use diesel::prelude::*;
use serde_json::json;

use super::events::{self, Audience};
use super::model::EventType;
use crate::clock;
use crate::db::schema::{contracts, frameworks, webhook_notices};
use crate::db::{self, DbConnection};
use crate::error::ApiResult;
use crate::frameworks::model::{Eligibility, FrameworkRow, FrameworkStatus};
use crate::money::Money;

/// A contract is announced as nearing expiry this many days before it ends.
pub const CONTRACT_NOTICE_DAYS: i64 = 90;
/// A live framework is announced as nearing expiry this many days before it ends.
pub const FRAMEWORK_NOTICE_DAYS: i64 = 180;
/// A calendar status change missed while the service was down is still announced this long after.
const CATCH_UP_DAYS: i64 = 7;

/// Emits every calendar event due on `today` not sent before; returns how many were emitted.
pub fn scan(conn: &mut DbConnection, today: NaiveDate) -> ApiResult<usize> {
    let mut noticed = Notices::load(conn)?;
    let mut emitted = 0;
    let all_frameworks: Vec<FrameworkRow> = frameworks::table.select(FrameworkRow::as_select()).load(conn)?;
    for framework in &all_frameworks {
        let status = FrameworkStatus::on(today, framework.start_date, framework.end_date);
        if let Some((occasion, began)) = status_occasion(status, framework)
            && began > today - TimeDelta::days(CATCH_UP_DAYS)
            && noticed.first_time(
                conn,
                db::NATIONAL_SCOPE,
                EventType::FrameworkStatusChanged,
                &framework.id,
                &occasion,
            )?
        {
            let from = FrameworkStatus::on(began - TimeDelta::days(1), framework.start_date, framework.end_date);
            emit_framework(
                conn,
                EventType::FrameworkStatusChanged,
                framework,
                json!({
                    "from": from, "to": status, "cause": "calendar",
                }),
            )?;
            emitted += 1;
        }
        if status == FrameworkStatus::Live
            && let Some(end) = framework.end_date
            && end <= today + TimeDelta::days(FRAMEWORK_NOTICE_DAYS)
            && noticed.first_time(
                conn,
                db::NATIONAL_SCOPE,
                EventType::FrameworkNearingExpiry,
                &framework.id,
                &end.to_string(),
            )?
        {
            emit_framework(
                conn,
                EventType::FrameworkNearingExpiry,
                framework,
                json!({
                    "days_left": (end - today).num_days(),
                }),
            )?;
            emitted += 1;
        }
    }

    let ending: Vec<EndingContract> = contracts::table
        .filter(contracts::end_date.ge(today))
        .filter(contracts::end_date.le(today + TimeDelta::days(CONTRACT_NOTICE_DAYS)))
        .filter(contracts::start_date.le(today))
        .filter(contracts::terminated_on.is_null())
        .select(EndingContract::as_select())
        .load(conn)?;
    for contract in ending {
        let occasion = contract.end_date.to_string();
        if !noticed.first_time(
            conn,
            &contract.tenant_slug,
            EventType::ContractNearingExpiry,
            &contract.id,
            &occasion,
        )? {
            continue;
        }
        events::emit(
            conn,
            EventType::ContractNearingExpiry,
            Audience::Tenant(&contract.tenant_slug),
            json!({
                "contract_id": contract.id,
                "reference": contract.reference,
                "title": contract.title,
                "supplier_name": contract.supplier_name,
                "category": contract.category_slug,
                "value": Money::from_pence(contract.value_pence),
                "end_date": contract.end_date,
                "max_end_date": contract.max_end_date,
                "extension_options": contract.extension_options,
                "days_left": (contract.end_date - today).num_days(),
            }),
        )?;
        emitted += 1;
    }
    Ok(emitted)
}

/// Announces a status change caused by editing a framework's dates, and records its occasion so
/// the calendar scan does not announce it again.
pub fn framework_dates_changed(
    conn: &mut DbConnection,
    before: &FrameworkRow,
    after: &FrameworkRow,
    today: NaiveDate,
) -> ApiResult<()> {
    let from = FrameworkStatus::on(today, before.start_date, before.end_date);
    let to = FrameworkStatus::on(today, after.start_date, after.end_date);
    if from == to {
        return Ok(());
    }
    if let Some((occasion, _)) = status_occasion(to, after) {
        Notices::default().first_time(
            conn,
            db::NATIONAL_SCOPE,
            EventType::FrameworkStatusChanged,
            &after.id,
            &occasion,
        )?;
    }
    emit_framework(
        conn,
        EventType::FrameworkStatusChanged,
        after,
        json!({
            "from": from, "to": to, "cause": "dates_changed",
        }),
    )?;
    Ok(())
}

/// Records a new framework's current status as already known, so the scan does not announce a
/// change (from pipeline to live, say) that no one saw happen.
pub fn framework_created(conn: &mut DbConnection, framework: &FrameworkRow, today: NaiveDate) -> ApiResult<()> {
    let status = FrameworkStatus::on(today, framework.start_date, framework.end_date);
    if let Some((occasion, _)) = status_occasion(status, framework) {
        Notices::default().first_time(
            conn,
            db::NATIONAL_SCOPE,
            EventType::FrameworkStatusChanged,
            &framework.id,
            &occasion,
        )?;
    }
    Ok(())
}

/// The occasion a status began on, as the notice key, and the day it began; none for pipeline,
/// which a framework never moves into with the calendar.
fn status_occasion(status: FrameworkStatus, framework: &FrameworkRow) -> Option<(String, NaiveDate)> {
    match status {
        FrameworkStatus::Live => framework.start_date.map(|start| (format!("live from {start}"), start)),
        FrameworkStatus::Expired => framework.end_date.map(|end| {
            let began = end + TimeDelta::days(1);
            (format!("expired from {began}"), began)
        }),
        FrameworkStatus::Pipeline => None,
    }
}

fn emit_framework(
    conn: &mut DbConnection,
    event_type: EventType,
    framework: &FrameworkRow,
    extra: serde_json::Value,
) -> ApiResult<()> {
    let mut data = json!({
        "framework_id": framework.id,
        "reference": framework.reference,
        "title": framework.title,
        "category": framework.category_slug,
        "eligibility": framework.eligibility,
        "start_date": framework.start_date,
        "end_date": framework.end_date,
        "max_end_date": framework.max_end_date,
    });
    if let (Some(data), serde_json::Value::Object(extra)) = (data.as_object_mut(), extra) {
        data.extend(extra);
    }
    let eligibility = Eligibility::from_db(&framework.eligibility)?;
    events::emit(conn, event_type, Audience::TenantsEligibleFor(eligibility), data)?;
    Ok(())
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = contracts)]
struct EndingContract {
    id: String,
    tenant_slug: String,
    reference: String,
    title: String,
    supplier_name: String,
    category_slug: String,
    value_pence: i64,
    end_date: NaiveDate,
    max_end_date: Option<NaiveDate>,
    extension_options: Option<String>,
}

/// The notices already recorded, loaded once per scan.
#[derive(Default)]
struct Notices(HashSet<(String, String, String, String)>);

impl Notices {
    fn load(conn: &mut DbConnection) -> ApiResult<Notices> {
        let rows: Vec<(String, String, String, String)> = webhook_notices::table
            .select((
                webhook_notices::tenant_slug,
                webhook_notices::event_type,
                webhook_notices::subject_id,
                webhook_notices::occasion,
            ))
            .load(conn)?;
        Ok(Notices(rows.into_iter().collect()))
    }

    /// Records the notice under its tenant (`db::NATIONAL_SCOPE` for a framework's); true if it
    /// had not been recorded before.
    fn first_time(
        &mut self,
        conn: &mut DbConnection,
        scope: &str,
        event_type: EventType,
        subject: &str,
        occasion: &str,
    ) -> ApiResult<bool> {
        let key = (
            scope.to_owned(),
            event_type.as_str().to_owned(),
            subject.to_owned(),
            occasion.to_owned(),
        );
        if self.0.contains(&key) {
            return Ok(false);
        }
        let exists = webhook_notices::table
            .find((&key.0, &key.1, &key.2, &key.3))
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if !exists {
            // Another instance scanning at the same moment fails here on the primary key and its
            // whole scan rolls back; its next scan finds the notice and moves on.
            diesel::insert_into(webhook_notices::table)
                .values((
                    webhook_notices::tenant_slug.eq(&key.0),
                    webhook_notices::event_type.eq(&key.1),
                    webhook_notices::subject_id.eq(&key.2),
                    webhook_notices::occasion.eq(&key.3),
                    webhook_notices::noticed_at.eq(clock::now()),
                ))
                .execute(conn)?;
        }
        self.0.insert(key);
        Ok(!exists)
    }
}
