//! The national demo data of the embedded default: every territorial police force of England
//! and Wales, some fire and rescue services, the national bodies, a category tree, frameworks
//! with lots and awards, and suppliers (fictional) with strategic-supplier history.
//!
//! Loading is idempotent: a record whose natural key (slug, supplier name, framework
//! reference) already exists is left as it is, so restarting never duplicates or overwrites.
//! Every record goes through the same validation as the API.

pub mod registers;
pub mod rules;

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveTime};
use diesel::prelude::*;
use serde::Deserialize;

use crate::area::Area;
use crate::categories::model::NewCategory;
use crate::clock;
use crate::db::DbConnection;
use crate::db::schema::{categories, frameworks, supplier_kpi_scores, supplier_risk_changes, suppliers, tenants};
use crate::frameworks::model::{AwardStatus, LotAwardInput, NewFramework, NewLot};
use crate::frameworks::store as framework_store;
use crate::money::Money;
use crate::region::Region;
use crate::suppliers::model::{Contact, ModernSlaveryRiskTier, NewSupplier, RiskRating, SocialValueCommitment};
use crate::suppliers::store as supplier_store;
use crate::suppliers::strategic::{KpiScoreRow, RiskChangeRow};
use crate::suppliers::strategic_profile::StrategicProfileInput;
use crate::tenants::model::NewTenant;

const NATIONAL_JSON: &str = include_str!("national.json");
const LOADED_BY: &str = "demo-data";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoData {
    tenants: Vec<NewTenant>,
    categories: Vec<NewCategory>,
    suppliers: Vec<DemoSupplier>,
    frameworks: Vec<DemoFramework>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoSupplier {
    name: String,
    companies_house_number: Option<String>,
    sme: bool,
    vcse: bool,
    regions: Vec<Region>,
    based_in: Option<Area>,
    strategic: bool,
    contacts: Vec<Contact>,
    strategic_profile: Option<DemoStrategicProfile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoStrategicProfile {
    risk_history: Vec<DemoRiskChange>,
    kpis: Vec<DemoKpi>,
    social_value_commitments: Vec<SocialValueCommitment>,
    modern_slavery_statement_url: Option<String>,
    modern_slavery_risk_tier: Option<ModernSlaveryRiskTier>,
    code_of_ethics_signed_on: Option<NaiveDate>,
    contingency_plan_summary: Option<String>,
    exit_plan_summary: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoRiskChange {
    rating: RiskRating,
    reason: String,
    changed_on: NaiveDate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoKpi {
    period: String,
    name: String,
    score: i32,
    target: Option<i32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoFramework {
    reference: String,
    title: String,
    description: String,
    owning_body: String,
    category: String,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    max_end_date: Option<NaiveDate>,
    extension_options: Option<String>,
    max_value: Option<Money>,
    eligibility: crate::frameworks::model::Eligibility,
    lots: Vec<DemoLot>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoLot {
    number: i32,
    title: String,
    description: String,
    direct_award: bool,
    further_competition: bool,
    min_value: Option<Money>,
    max_value: Option<Money>,
    suppliers: Vec<DemoAward>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoAward {
    supplier: String,
    status: AwardStatus,
}

/// How many records a load created (zero everywhere on a second load).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    pub tenants: usize,
    pub categories: usize,
    pub suppliers: usize,
    pub frameworks: usize,
}

/// Loads the national demo data, in one transaction, skipping what is already there.
pub fn load(conn: &mut DbConnection) -> anyhow::Result<LoadReport> {
    let data: DemoData = serde_json::from_str(NATIONAL_JSON)?;
    conn.transaction(|conn| load_data(conn, data))
}

fn load_data(conn: &mut DbConnection, data: DemoData) -> anyhow::Result<LoadReport> {
    let mut report = LoadReport::default();

    let existing: HashSet<String> = tenants::table.select(tenants::slug).load(conn)?.into_iter().collect();
    // Demo data loaded before areas were kept gets them, never overwriting one recorded since.
    for tenant in data.tenants.iter().filter(|t| existing.contains(&t.slug)) {
        if let Some(area) = tenant.area {
            diesel::update(tenants::table.find(&tenant.slug).filter(tenants::area.is_null()))
                .set(tenants::area.eq(area.as_str()))
                .execute(conn)?;
        }
    }
    for tenant in data.tenants.into_iter().filter(|t| !existing.contains(&t.slug)) {
        tenant
            .validate()
            .map_err(|e| anyhow::anyhow!("demo tenant {}: {e:?}", tenant.slug))?;
        diesel::insert_into(tenants::table)
            .values(tenant.into_row())
            .execute(conn)?;
        report.tenants += 1;
    }

    let existing: HashSet<String> = categories::table
        .select(categories::slug)
        .load(conn)?
        .into_iter()
        .collect();
    for category in data.categories.into_iter().filter(|c| !existing.contains(&c.slug)) {
        let tree = crate::categories::store::tree(conn)?;
        category
            .validate(&tree)
            .map_err(|e| anyhow::anyhow!("demo category {}: {e:?}", category.slug))?;
        diesel::insert_into(categories::table)
            .values(category.into_row())
            .execute(conn)?;
        report.categories += 1;
    }

    let mut supplier_ids: HashMap<String, String> = suppliers::table
        .select((suppliers::name, suppliers::id))
        .load(conn)?
        .into_iter()
        .collect();
    for supplier in data.suppliers {
        if let Some(id) = supplier_ids.get(&supplier.name) {
            if let Some(area) = supplier.based_in {
                diesel::update(suppliers::table.find(id).filter(suppliers::based_in.is_null()))
                    .set(suppliers::based_in.eq(area.as_str()))
                    .execute(conn)?;
            }
            continue;
        }
        let id = load_supplier(conn, supplier, &mut supplier_ids)?;
        tracing::debug!(%id, "demo supplier loaded");
        report.suppliers += 1;
    }

    let existing: HashSet<String> = frameworks::table
        .select(frameworks::reference)
        .load(conn)?
        .into_iter()
        .collect();
    for framework in data.frameworks.into_iter().filter(|f| !existing.contains(&f.reference)) {
        load_framework(conn, framework, &supplier_ids)?;
        report.frameworks += 1;
    }
    Ok(report)
}

fn load_supplier(
    conn: &mut DbConnection,
    supplier: DemoSupplier,
    supplier_ids: &mut HashMap<String, String>,
) -> anyhow::Result<String> {
    let name = supplier.name.clone();
    let (history, kpis, profile) = match supplier.strategic_profile {
        None => (Vec::new(), Vec::new(), None),
        Some(p) => (
            p.risk_history,
            p.kpis,
            Some(StrategicProfileInput {
                modern_slavery_statement_url: p.modern_slavery_statement_url,
                modern_slavery_risk_tier: p.modern_slavery_risk_tier,
                code_of_ethics_signed_on: p.code_of_ethics_signed_on,
                contingency_plan_summary: p.contingency_plan_summary,
                exit_plan_summary: p.exit_plan_summary,
                social_value_commitments: p.social_value_commitments,
            }),
        ),
    };
    let new = NewSupplier {
        name: supplier.name,
        companies_house_number: supplier.companies_house_number,
        sme: supplier.sme,
        vcse: supplier.vcse,
        regions: supplier.regions,
        based_in: supplier.based_in,
        strategic: supplier.strategic,
        contacts: supplier.contacts,
        evidence: Vec::new(),
        strategic_profile: profile,
    };
    new.validate()
        .map_err(|e| anyhow::anyhow!("demo supplier {name}: {e:?}"))?;
    let (row, profile) = new.into_rows();
    let id = row.id.clone();
    supplier_store::insert(conn, &row, profile.as_ref()).map_err(|e| anyhow::anyhow!("demo supplier {name}: {e}"))?;

    let mut previous: Option<String> = None;
    for change in history {
        let row = RiskChangeRow {
            id: clock::new_id(),
            supplier_id: id.clone(),
            rating: change.rating.as_str().to_owned(),
            previous_rating: previous.clone(),
            reason: change.reason,
            changed_by: LOADED_BY.to_owned(),
            changed_at: change
                .changed_on
                .and_time(NaiveTime::from_hms_opt(9, 0, 0).expect("a valid time")),
        };
        previous = Some(row.rating.clone());
        diesel::insert_into(supplier_risk_changes::table)
            .values(&row)
            .execute(conn)?;
    }
    if let Some(rating) = previous {
        diesel::update(crate::db::schema::strategic_profiles::table.find(&id))
            .set(crate::db::schema::strategic_profiles::risk_rating.eq(Some(rating)))
            .execute(conn)?;
    }
    for kpi in kpis {
        let row = KpiScoreRow {
            id: clock::new_id(),
            supplier_id: id.clone(),
            period: kpi.period,
            name: kpi.name,
            score: kpi.score,
            target: kpi.target,
            recorded_by: LOADED_BY.to_owned(),
            recorded_at: clock::now(),
        };
        diesel::insert_into(supplier_kpi_scores::table)
            .values(&row)
            .execute(conn)?;
    }
    supplier_ids.insert(name, id.clone());
    Ok(id)
}

fn load_framework(
    conn: &mut DbConnection,
    framework: DemoFramework,
    supplier_ids: &HashMap<String, String>,
) -> anyhow::Result<()> {
    let reference = framework.reference.clone();
    let mut lots = Vec::new();
    for lot in framework.lots {
        let mut routes = Vec::new();
        if lot.direct_award {
            routes.push(crate::frameworks::model::RouteToMarket::DirectAward);
        }
        if lot.further_competition {
            routes.push(crate::frameworks::model::RouteToMarket::FurtherCompetition);
        }
        let suppliers = lot
            .suppliers
            .into_iter()
            .map(|award| {
                let supplier_id = supplier_ids.get(&award.supplier).cloned().ok_or_else(|| {
                    anyhow::anyhow!("demo framework {reference}: no supplier named {}", award.supplier)
                })?;
                Ok(LotAwardInput {
                    supplier_id,
                    status: award.status,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        lots.push(NewLot {
            number: lot.number,
            title: lot.title,
            description: lot.description,
            routes,
            min_value: lot.min_value,
            max_value: lot.max_value,
            suppliers,
        });
    }
    let new = NewFramework {
        reference: framework.reference,
        title: framework.title,
        description: framework.description,
        owning_body: framework.owning_body,
        category: framework.category,
        start_date: framework.start_date,
        end_date: framework.end_date,
        max_end_date: framework.max_end_date,
        extension_options: framework.extension_options,
        max_value: framework.max_value,
        eligibility: framework.eligibility,
        lots,
    };
    let category_exists = crate::categories::store::tree(conn)?.contains(&new.category);
    new.validate(category_exists)
        .map_err(|e| anyhow::anyhow!("demo framework {reference}: {e:?}"))?;
    let (row, lots) = new.into_rows();
    framework_store::insert(conn, &row, &lots).map_err(|e| anyhow::anyhow!("demo framework {reference}: {e}"))?;
    Ok(())
}
