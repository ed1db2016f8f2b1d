//! The national view's reports, computed from the facts; pure, so each rule is tested exactly.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;

use super::facts::{NationalContract, SpendGroup};
use super::model::{
    CategoryExposure, ContractSummary, Dependant, ExpiryCluster, FrameworkUptake, LotUptake, StrategicDependency,
    SupplierExposure,
};
use crate::money::Money;

/// A supplier is one national record, or else one name (ignoring case) as tenants wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum SupplierKey<'a> {
    Id(&'a str),
    Name(String),
}

fn supplier_key<'a>(id: Option<&'a str>, name: &str) -> SupplierKey<'a> {
    match id {
        Some(id) => SupplierKey::Id(id),
        None => SupplierKey::Name(name.trim().to_lowercase()),
    }
}

pub fn summary(contract: &NationalContract, today: NaiveDate) -> ContractSummary {
    ContractSummary {
        tenant: contract.tenant.clone(),
        contract_id: contract.id.clone(),
        reference: contract.reference.clone(),
        title: contract.title.clone(),
        supplier_name: contract.supplier_name.clone(),
        category: contract.category.clone(),
        value: Money::from_pence(contract.value_pence),
        start_date: contract.start_date,
        end_date: contract.end_date,
        status: contract.status(today),
        arrangement: contract.arrangement,
    }
}

/// Spend and live contracts per supplier across all tenants, most spend first.
pub fn by_supplier<'a>(
    spend: &'a [SpendGroup],
    contracts: &'a [NationalContract],
    strategic: &HashSet<String>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<SupplierExposure> {
    let mut rows: HashMap<SupplierKey<'a>, SupplierExposure> = HashMap::new();
    let mut tenants: HashMap<SupplierKey<'a>, BTreeSet<&'a str>> = HashMap::new();
    for group in spend {
        let key = supplier_key(group.supplier_id.as_deref(), &group.supplier_name);
        let row = rows
            .entry(key.clone())
            .or_insert_with(|| new_exposure(group.supplier_id.as_deref(), &group.supplier_name, strategic));
        keep_first_name(row, &group.supplier_name);
        row.spend = Money::from_pence(row.spend.pence() + group.amount_pence);
        tenants.entry(key).or_default().insert(&group.tenant);
    }
    for contract in contracts.iter().filter(|c| c.live_in(from, to)) {
        let key = supplier_key(contract.supplier_id.as_deref(), &contract.supplier_name);
        let row = rows
            .entry(key.clone())
            .or_insert_with(|| new_exposure(contract.supplier_id.as_deref(), &contract.supplier_name, strategic));
        keep_first_name(row, &contract.supplier_name);
        row.contracts += 1;
        row.contract_value = Money::from_pence(row.contract_value.pence() + contract.value_pence);
        tenants.entry(key).or_default().insert(&contract.tenant);
    }
    let mut rows: Vec<SupplierExposure> = rows
        .into_iter()
        .map(|(key, mut row)| {
            row.tenants = tenants
                .remove(&key)
                .unwrap_or_default()
                .into_iter()
                .map(str::to_owned)
                .collect();
            row
        })
        .collect();
    rows.sort_by(|a, b| {
        b.spend
            .cmp(&a.spend)
            .then(b.contract_value.cmp(&a.contract_value))
            .then(a.supplier_name.cmp(&b.supplier_name))
    });
    rows
}

/// A supplier known only by name may be written differently by tenants ("Corner Shop", "corner
/// shop"): it is shown by the first of those names in sort order, whatever order the rows came in.
fn keep_first_name(row: &mut SupplierExposure, name: &str) {
    if row.supplier_id.is_none() && name < row.supplier_name.as_str() {
        row.supplier_name = name.to_owned();
    }
}

fn new_exposure(id: Option<&str>, name: &str, strategic: &HashSet<String>) -> SupplierExposure {
    SupplierExposure {
        supplier_id: id.map(str::to_owned),
        supplier_name: name.to_owned(),
        strategic: id.is_some_and(|id| strategic.contains(id)),
        spend: Money::ZERO,
        tenants: Vec::new(),
        contracts: 0,
        contract_value: Money::ZERO,
    }
}

fn add(total: &mut Money, pence: i64) {
    *total = Money::from_pence(total.pence() + pence);
}

/// Spend and live contracts per category across all tenants, most spend first.
///
/// `framework_call_offs` holds the ids of every call-off from a national framework, live in the
/// period or not: spend under one went through a framework.
pub fn by_category(
    spend: &[SpendGroup],
    contracts: &[NationalContract],
    framework_call_offs: &HashSet<String>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<CategoryExposure> {
    let mut rows: HashMap<Option<String>, (CategoryExposure, BTreeSet<String>)> = HashMap::new();
    for group in spend {
        let (exposure, tenants) = rows
            .entry(group.category.clone())
            .or_insert_with(|| new_category(group.category.clone()));
        add(&mut exposure.spend, group.amount_pence);
        let through_framework = group
            .contract_id
            .as_deref()
            .is_some_and(|id| framework_call_offs.contains(id));
        if through_framework {
            add(&mut exposure.spend_through_frameworks, group.amount_pence);
        }
        tenants.insert(group.tenant.clone());
    }
    for contract in contracts.iter().filter(|c| c.live_in(from, to)) {
        let (exposure, tenants) = rows
            .entry(Some(contract.category.clone()))
            .or_insert_with(|| new_category(Some(contract.category.clone())));
        exposure.contracts += 1;
        add(&mut exposure.contract_value, contract.value_pence);
        tenants.insert(contract.tenant.clone());
    }
    let mut rows: Vec<CategoryExposure> = rows
        .into_values()
        .map(|(mut exposure, tenants)| {
            exposure.tenants = tenants.into_iter().collect();
            exposure
        })
        .collect();
    rows.sort_by(|a, b| {
        b.spend
            .cmp(&a.spend)
            .then(b.contract_value.cmp(&a.contract_value))
            .then(a.category.cmp(&b.category))
    });
    rows
}

fn new_category(category: Option<String>) -> (CategoryExposure, BTreeSet<String>) {
    (
        CategoryExposure {
            category,
            spend: Money::ZERO,
            spend_through_frameworks: Money::ZERO,
            tenants: Vec::new(),
            contracts: 0,
            contract_value: Money::ZERO,
        },
        BTreeSet::new(),
    )
}

/// A strategic supplier: its id, name and current risk rating.
pub struct StrategicSupplier {
    pub id: String,
    pub name: String,
    pub risk_rating: Option<String>,
}

/// For each strategic supplier, the tenants that depend on it: spend in the period and the
/// contracts live in it. Suppliers nobody depends on are listed with no dependants.
pub fn strategic_dependencies(
    suppliers: &[StrategicSupplier],
    spend: &[SpendGroup],
    contracts: &[NationalContract],
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Vec<StrategicDependency> {
    // Spend and live contracts by supplier once, so each supplier reads only its own (the facts
    // hold every tenant's spend and contracts: a scan per supplier would be quadratic).
    let mut spend_by_supplier: HashMap<&str, Vec<&SpendGroup>> = HashMap::new();
    for group in spend {
        if let Some(id) = group.supplier_id.as_deref() {
            spend_by_supplier.entry(id).or_default().push(group);
        }
    }
    let mut live_by_supplier: HashMap<&str, Vec<&NationalContract>> = HashMap::new();
    for contract in contracts.iter().filter(|c| c.live_in(from, to)) {
        if let Some(id) = contract.supplier_id.as_deref() {
            live_by_supplier.entry(id).or_default().push(contract);
        }
    }
    let mut out: Vec<StrategicDependency> = suppliers
        .iter()
        .map(|supplier| {
            let mut by_tenant: HashMap<&str, Dependant> = HashMap::new();
            for group in spend_by_supplier.get(supplier.id.as_str()).into_iter().flatten() {
                let dependant = by_tenant
                    .entry(&group.tenant)
                    .or_insert_with(|| new_dependant(&group.tenant));
                add(&mut dependant.spend, group.amount_pence);
            }
            let live: &[&NationalContract] = live_by_supplier.get(supplier.id.as_str()).map_or(&[], Vec::as_slice);
            for contract in live {
                by_tenant
                    .entry(&contract.tenant)
                    .or_insert_with(|| new_dependant(&contract.tenant))
                    .contracts
                    .push(summary(contract, today));
            }
            let mut dependants: Vec<Dependant> = by_tenant.into_values().collect();
            for dependant in &mut dependants {
                dependant
                    .contracts
                    .sort_by(|a, b| a.end_date.cmp(&b.end_date).then(a.reference.cmp(&b.reference)));
            }
            dependants.sort_by(|a, b| a.tenant.cmp(&b.tenant));
            StrategicDependency {
                supplier_id: supplier.id.clone(),
                supplier_name: supplier.name.clone(),
                risk_rating: supplier.risk_rating.clone(),
                spend: Money::from_pence(dependants.iter().map(|d| d.spend.pence()).sum()),
                contract_value: Money::from_pence(live.iter().map(|c| c.value_pence).sum()),
                next_contract_end: live
                    .iter()
                    .filter(|c| c.end_date >= today && c.terminated_on.is_none())
                    .map(|c| c.end_date)
                    .min(),
                dependants,
            }
        })
        .collect();
    out.sort_by(|a, b| b.spend.cmp(&a.spend).then(a.supplier_name.cmp(&b.supplier_name)));
    out
}

fn new_dependant(tenant: &str) -> Dependant {
    Dependant {
        tenant: tenant.to_owned(),
        spend: Money::ZERO,
        contracts: Vec::new(),
    }
}

/// Categories where at least `min_tenants` tenants have contracts (not terminated) ending in the
/// window: most tenants first, then soonest.
pub fn expiry_radar(
    contracts: &[NationalContract],
    from: NaiveDate,
    to: NaiveDate,
    min_tenants: usize,
    today: NaiveDate,
) -> Vec<ExpiryCluster> {
    let mut by_category: HashMap<&str, Vec<&NationalContract>> = HashMap::new();
    for contract in contracts
        .iter()
        .filter(|c| c.terminated_on.is_none() && c.end_date >= from && c.end_date <= to)
    {
        by_category.entry(&contract.category).or_default().push(contract);
    }
    let mut clusters: Vec<ExpiryCluster> = by_category
        .into_iter()
        .filter_map(|(category, mut ending)| {
            let tenants: BTreeSet<String> = ending.iter().map(|c| c.tenant.clone()).collect();
            if tenants.len() < min_tenants {
                return None;
            }
            ending.sort_by(|a, b| a.end_date.cmp(&b.end_date).then(a.reference.cmp(&b.reference)));
            Some(ExpiryCluster {
                category: category.to_owned(),
                tenants: tenants.into_iter().collect(),
                total_value: Money::from_pence(ending.iter().map(|c| c.value_pence).sum()),
                earliest_end: ending.first()?.end_date,
                latest_end: ending.last()?.end_date,
                contracts: ending.iter().map(|c| summary(c, today)).collect(),
            })
        })
        .collect();
    clusters.sort_by(|a, b| {
        b.tenants
            .len()
            .cmp(&a.tenants.len())
            .then(a.earliest_end.cmp(&b.earliest_end))
            .then(a.category.cmp(&b.category))
    });
    clusters
}

/// A framework and its lots, from the catalogue.
pub struct FrameworkLots {
    pub id: String,
    pub reference: String,
    pub title: String,
    /// (number, title)
    pub lots: Vec<(i32, String)>,
}

/// For every framework, the tenants calling off each lot and the spend through it; most spend
/// first, frameworks nobody uses last.
pub fn framework_uptake(
    frameworks: &[FrameworkLots],
    spend: &[SpendGroup],
    contracts: &[NationalContract],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<FrameworkUptake> {
    let spend_by_contract: HashMap<&str, i64> = spend.iter().fold(HashMap::new(), |mut acc, g| {
        if let Some(id) = g.contract_id.as_deref() {
            *acc.entry(id).or_insert(0) += g.amount_pence;
        }
        acc
    });
    // Call-offs grouped by framework once: a scan of every contract per framework would be
    // quadratic (5,000 frameworks × 100,000 contracts at national scale).
    let mut call_offs_by_framework: HashMap<&str, Vec<&NationalContract>> = HashMap::new();
    for contract in contracts
        .iter()
        .filter(|c| c.live_in(from, to) || spend_by_contract.contains_key(c.id.as_str()))
    {
        if let Some(framework_id) = contract.framework_id.as_deref() {
            call_offs_by_framework.entry(framework_id).or_default().push(contract);
        }
    }
    let mut out: Vec<FrameworkUptake> = frameworks
        .iter()
        .map(|framework| {
            let call_offs: &[&NationalContract] = call_offs_by_framework
                .get(framework.id.as_str())
                .map_or(&[], Vec::as_slice);
            let lots: Vec<LotUptake> = framework
                .lots
                .iter()
                .map(|(number, title)| {
                    let on_lot: Vec<&&NationalContract> =
                        call_offs.iter().filter(|c| c.lot_number == Some(*number)).collect();
                    let tenants: BTreeSet<String> = on_lot.iter().map(|c| c.tenant.clone()).collect();
                    LotUptake {
                        lot_number: *number,
                        title: title.clone(),
                        tenants: tenants.into_iter().collect(),
                        contracts: on_lot.len() as i64,
                        contract_value: Money::from_pence(on_lot.iter().map(|c| c.value_pence).sum()),
                        spend: Money::from_pence(
                            on_lot
                                .iter()
                                .map(|c| spend_by_contract.get(c.id.as_str()).copied().unwrap_or(0))
                                .sum(),
                        ),
                    }
                })
                .collect();
            let tenants: BTreeSet<String> = call_offs.iter().map(|c| c.tenant.clone()).collect();
            FrameworkUptake {
                framework_id: framework.id.clone(),
                reference: framework.reference.clone(),
                title: framework.title.clone(),
                tenants: tenants.into_iter().collect(),
                contracts: call_offs.len() as i64,
                contract_value: Money::from_pence(call_offs.iter().map(|c| c.value_pence).sum()),
                spend: Money::from_pence(lots.iter().map(|l| l.spend.pence()).sum()),
                lots,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.spend
            .cmp(&a.spend)
            .then(b.contract_value.cmp(&a.contract_value))
            .then(a.reference.cmp(&b.reference))
    });
    out
}
