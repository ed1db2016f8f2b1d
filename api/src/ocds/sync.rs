//! One imported release against what is stored: its suppliers found among the national supplier
//! records, the framework checked by the framework model's own validation, then created, updated
//! (its version bumped, as a PATCH would) or left as it is.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::json;

use super::import::{MappedRelease, SupplierKey};
use super::model::{ImportedFramework, RejectedRelease};
use crate::audit;
use crate::auth::Principal;
use crate::categories::store as categories;
use crate::db::DbConnection;
use crate::error::{ApiResult, FieldError};
use crate::frameworks::model::{
    AwardStatus, FrameworkChangeset, FrameworkRow, LotAwardInput, LotChangeset, LotRow, NewLot, RouteToMarket,
};
use crate::frameworks::store as frameworks;
use crate::money::Money;
use crate::suppliers::store as suppliers;
use crate::webhooks;

/// What became of one release.
#[derive(Debug)]
pub enum Outcome {
    Created(ImportedFramework),
    Updated(ImportedFramework),
    Unchanged(ImportedFramework),
    Rejected(RejectedRelease),
}

/// Imports one release. Call inside one transaction: its writes are all made or none. With
/// `write` false (a dry run) nothing is written and the outcome says what would be done.
pub fn import_release(
    conn: &mut DbConnection,
    principal: &Principal,
    mut mapped: MappedRelease,
    write: bool,
    today: NaiveDate,
) -> ApiResult<Outcome> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for award in mapped.awards.clone() {
        let found = match &award.supplier {
            SupplierKey::CompaniesHouse(number) => suppliers::find_by_companies_house_number(conn, number)?,
            SupplierKey::Id(id) => suppliers::find(conn, id)?,
        };
        let Some(supplier) = found else {
            if !errors.iter().any(|e| e.field == award.identifier_field) {
                let message = match &award.supplier {
                    SupplierKey::CompaniesHouse(number) => format!(
                        "no national supplier record has Companies House number {number}; add the supplier first"
                    ),
                    SupplierKey::Id(id) => format!("no national supplier record has id '{id}'"),
                };
                errors.push(FieldError::new(award.identifier_field.clone(), message));
            }
            continue;
        };
        let lot = &mut mapped.framework.lots[award.lot];
        // A compiled release may hold a cancelled award beside the active one that replaced it,
        // for the same supplier and lot: the supplier stands on the lot once, active if any
        // award says so.
        if let Some(existing) = lot.suppliers.iter_mut().find(|s| s.supplier_id == supplier.id) {
            if award.status == AwardStatus::Active {
                existing.status = AwardStatus::Active;
            }
            continue;
        }
        mapped.sources.insert(
            format!("lots[{}].suppliers[{}].supplier_id", award.lot, lot.suppliers.len()),
            award.field.clone(),
        );
        lot.suppliers.push(LotAwardInput {
            supplier_id: supplier.id.clone(),
            status: award.status,
        });
        names.insert(supplier.id, supplier.name);
    }
    let category_exists = categories::tree(conn)?.contains(&mapped.framework.category);
    mapped.validate(category_exists, &mut errors);
    if !errors.is_empty() {
        return Ok(Outcome::Rejected(mapped.rejected(errors)));
    }
    match frameworks::find_by_reference(conn, &mapped.framework.reference)? {
        None => create(conn, principal, mapped, write, today),
        Some(current) => update(conn, principal, mapped, current, &names, write, today),
    }
}

fn summary(mapped: &MappedRelease, framework_id: Option<String>, changes: Vec<String>) -> ImportedFramework {
    ImportedFramework {
        release: mapped.index,
        ocid: mapped.ocid.clone(),
        framework_id,
        reference: mapped.framework.reference.clone(),
        title: mapped.framework.title.trim().to_owned(),
        lots: mapped.framework.lots.len(),
        awards: mapped.framework.lots.iter().map(|lot| lot.suppliers.len()).sum(),
        changes,
    }
}

fn create(
    conn: &mut DbConnection,
    principal: &Principal,
    mut mapped: MappedRelease,
    write: bool,
    today: NaiveDate,
) -> ApiResult<Outcome> {
    // A cancelled award on a framework not yet here awards nothing.
    for lot in &mut mapped.framework.lots {
        lot.suppliers.retain(|award| award.status != AwardStatus::Excluded);
    }
    if !write {
        return Ok(Outcome::Created(summary(&mapped, None, Vec::new())));
    }
    let (ocid, release_id) = (mapped.ocid.clone(), mapped.release_id.clone());
    let mut created = summary(&mapped, None, Vec::new());
    let (framework, lots) = mapped.framework.into_rows();
    frameworks::insert(conn, &framework, &lots)?;
    webhooks::scanner::framework_created(conn, &framework, today)?;
    audit::record(
        conn,
        principal,
        "framework.created",
        "framework",
        &framework.id,
        json!({
            "reference": framework.reference, "lots": lots.len(),
            "source": "ocds", "ocid": ocid, "release_id": release_id,
        }),
    )?;
    created.framework_id = Some(framework.id);
    Ok(Outcome::Created(created))
}

/// The framework's own fields that differ from the release, by their API names.
fn framework_changes(current: &FrameworkRow, mapped: &MappedRelease) -> Vec<String> {
    let new = &mapped.framework;
    let differs = [
        ("title", new.title.trim() != current.title),
        ("description", new.description != current.description),
        ("owning_body", new.owning_body.trim() != current.owning_body),
        ("category", new.category != current.category_slug),
        ("start_date", new.start_date != current.start_date),
        ("end_date", new.end_date != current.end_date),
        ("max_end_date", new.max_end_date != current.max_end_date),
        ("extension_options", new.extension_options != current.extension_options),
        ("max_value", new.max_value.map(Money::pence) != current.max_value_pence),
        ("eligibility", new.eligibility.as_str() != current.eligibility),
    ];
    differs
        .into_iter()
        .filter(|(_, differs)| *differs)
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// A stored lot's fields that differ from the release's lot: the changes to make, and their names.
fn lot_changes(current: &LotRow, new: &NewLot) -> (LotChangeset, Vec<&'static str>) {
    let title = new.title.trim();
    let direct = new.routes.contains(&RouteToMarket::DirectAward);
    let further = new.routes.contains(&RouteToMarket::FurtherCompetition);
    let min = new.min_value.map(Money::pence);
    let max = new.max_value.map(Money::pence);
    let title_differs = title != current.title;
    let description_differs = new.description != current.description;
    let routes_differ = direct != current.direct_award || further != current.further_competition;
    let min_differs = min != current.min_value_pence;
    let max_differs = max != current.max_value_pence;
    let names = [
        ("title", title_differs),
        ("description", description_differs),
        ("routes", routes_differ),
        ("min_value", min_differs),
        ("max_value", max_differs),
    ]
    .into_iter()
    .filter_map(|(name, differs)| differs.then_some(name))
    .collect();
    let changeset = LotChangeset {
        title: title_differs.then(|| title.to_owned()),
        description: description_differs.then(|| new.description.clone()),
        direct_award: routes_differ.then_some(direct),
        further_competition: routes_differ.then_some(further),
        min_value_pence: min_differs.then_some(min),
        max_value_pence: max_differs.then_some(max),
    };
    (changeset, names)
}

/// The status an award should have after the import, or `None` to leave it as it is. A
/// suspension is the national team's own decision, not something OCDS says: an `active` award in
/// the release does not lift it.
fn award_change(current: Option<AwardStatus>, wanted: AwardStatus) -> Option<AwardStatus> {
    match (current, wanted) {
        (Some(current), wanted) if current == wanted => None,
        (Some(AwardStatus::Suspended), AwardStatus::Active) => None,
        // A cancelled award of a supplier not on the lot changes nothing.
        (None, AwardStatus::Excluded) => None,
        (_, wanted) => Some(wanted),
    }
}

fn update(
    conn: &mut DbConnection,
    principal: &Principal,
    mapped: MappedRelease,
    current: FrameworkRow,
    names: &HashMap<String, String>,
    write: bool,
    today: NaiveDate,
) -> ApiResult<Outcome> {
    let mut changes = framework_changes(&current, &mapped);
    let stored_lots = frameworks::lot_rows(conn, &current.id)?;
    let lot_ids: Vec<String> = stored_lots.iter().map(|lot| lot.id.clone()).collect();
    let mut stored_awards: HashMap<(String, String), AwardStatus> = HashMap::new();
    for award in frameworks::awards_on(conn, &lot_ids)? {
        stored_awards.insert((award.lot_id, award.supplier_id), AwardStatus::from_db(&award.status)?);
    }

    // An import never removes a lot: call-offs and contracts may name it.
    let missing: Vec<FieldError> = stored_lots
        .iter()
        .filter(|stored| !mapped.framework.lots.iter().any(|lot| lot.number == stored.number))
        .map(|stored| {
            FieldError::new(
                format!("releases[{}].tender.lots", mapped.index),
                format!(
                    "lot {} ('{}') of framework {} is not in the release: an import does not remove lots",
                    stored.number, stored.title, current.reference
                ),
            )
        })
        .collect();
    if !missing.is_empty() {
        return Ok(Outcome::Rejected(mapped.rejected(missing)));
    }

    // Each lot: added, or changed field by field; then its awards.
    let mut lot_updates = Vec::new();
    let mut new_lots = Vec::new();
    let mut award_updates = Vec::new();
    for (i, lot) in mapped.framework.lots.iter().enumerate() {
        let Some(stored) = stored_lots.iter().find(|s| s.number == lot.number) else {
            changes.push(format!("lot {} added", lot.number));
            new_lots.push(i);
            continue;
        };
        let (changeset, changed) = lot_changes(stored, lot);
        for name in changed {
            changes.push(format!("lot {}: {name}", lot.number));
        }
        if !changeset.is_empty() {
            lot_updates.push((stored.id.clone(), changeset));
        }
        for award in &lot.suppliers {
            let current_status = stored_awards
                .get(&(stored.id.clone(), award.supplier_id.clone()))
                .copied();
            if let Some(status) = award_change(current_status, award.status) {
                let name = names
                    .get(&award.supplier_id)
                    .map_or(award.supplier_id.as_str(), String::as_str);
                changes.push(match current_status {
                    None => format!("lot {}: {name} awarded ({status})", lot.number),
                    Some(_) => format!("lot {}: {name} now {status}", lot.number),
                });
                award_updates.push((stored.id.clone(), award.supplier_id.clone(), status));
            }
        }
    }

    if changes.is_empty() {
        return Ok(Outcome::Unchanged(summary(&mapped, Some(current.id), Vec::new())));
    }
    let updated = summary(&mapped, Some(current.id.clone()), changes.clone());
    if !write {
        return Ok(Outcome::Updated(updated));
    }
    let new = &mapped.framework;
    let changeset = FrameworkChangeset {
        title: Some(new.title.trim().to_owned()),
        description: Some(new.description.clone()),
        owning_body: Some(new.owning_body.trim().to_owned()),
        category_slug: Some(new.category.clone()),
        start_date: Some(new.start_date),
        end_date: Some(new.end_date),
        max_end_date: Some(new.max_end_date),
        extension_options: Some(new.extension_options.clone()),
        max_value_pence: Some(new.max_value.map(Money::pence)),
        eligibility: Some(new.eligibility.as_str().to_owned()),
    };
    // Bumps the version (412 if someone else changed it since it was read above).
    frameworks::update(conn, &current.id, current.version, changeset)?;
    for (lot_id, changeset) in lot_updates {
        frameworks::update_lot(conn, &lot_id, changeset)?;
    }
    for (lot_id, supplier_id, status) in award_updates {
        frameworks::set_award(conn, &lot_id, &supplier_id, status)?;
    }
    for i in new_lots {
        let (lot, awards) = mapped.framework.lots[i].clone().into_rows(&current.id);
        frameworks::insert_lot(conn, &lot, &awards)?;
    }
    audit::record(
        conn,
        principal,
        "framework.updated",
        "framework",
        &current.id,
        json!({
            "source": "ocds", "ocid": mapped.ocid, "release_id": mapped.release_id,
            "changes": changes,
        }),
    )?;
    let now_stored = frameworks::get(conn, &current.id)?;
    webhooks::scanner::framework_dates_changed(conn, &current, &now_stored, today)?;
    Ok(Outcome::Updated(updated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suspension_is_not_lifted_by_an_active_award() {
        use AwardStatus::*;
        assert_eq!(award_change(None, Active), Some(Active));
        assert_eq!(award_change(Some(Active), Active), None);
        assert_eq!(award_change(Some(Suspended), Active), None);
        assert_eq!(award_change(Some(Suspended), Excluded), Some(Excluded));
        assert_eq!(award_change(Some(Excluded), Active), Some(Active));
    }
}
