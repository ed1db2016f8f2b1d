//! The rules part of the demo data: the national layer (the Procurement Act 2023), in force as its
//! first version, and the seed forces' plugins (Bedfordshire, Cheshire,
//! Lancashire), uploaded and activated as their first version, and some procurements for each
//! of them, evaluated so the decision log has entries.
//!
//! Idempotent per tenant: a tenant that already has any plugin version is left as it is.

use chrono::NaiveDate;
use std::sync::Arc;

use diesel::prelude::*;
use serde::Deserialize;

use bluelight_rules::{Plugin, RuleEngine};

use crate::auth::{Principal, Role, TenantScope};
use crate::categories::store as categories;
use crate::clock;
use crate::db::DbConnection;
use crate::db::schema::frameworks;
use crate::decisions::layers::combined_outcome;
use crate::decisions::model::DecisionRow;
use crate::decisions::store as decisions;
use crate::national_rules::store as national_store;
use crate::procurements::model::NewProcurement;
use crate::procurements::plugin_input::plugin_input;
use crate::procurements::store as procurements;
use crate::rule_plugins::model::{NewRulePluginRow, RulePluginRow};
use crate::rule_plugins::store as plugins;
use crate::tenants::store as tenants;

const PROCUREMENTS_JSON: &str = include_str!("procurements.json");
const LOADED_BY: &str = "demo-data";

#[derive(Deserialize)]
struct DemoProcurement {
    tenant: String,
    framework_reference: Option<String>,
    #[serde(flatten)]
    procurement: NewProcurement,
}

#[derive(Debug, Default)]
pub struct RulesReport {
    pub plugins: usize,
    pub procurements: usize,
    pub decisions: usize,
}

pub fn load(conn: &mut DbConnection, engine: &Arc<RuleEngine>, today: NaiveDate) -> anyhow::Result<RulesReport> {
    conn.transaction(|conn| {
        let mut report = RulesReport::default();
        let demo: Vec<DemoProcurement> = serde_json::from_str(PROCUREMENTS_JSON)?;
        let loader = Principal {
            subject: LOADED_BY.into(),
            roles: vec![Role::NationalAdmin],
            tenant: None,
            supplier: None,
        };
        let national = seed_national_layer(conn, engine)?;
        if national.is_some() {
            report.plugins += 1;
        }
        let national = match national {
            Some(layer) => Some(layer),
            None => match national_store::active(conn)? {
                Some(row) => {
                    let wasm = national_store::wasm(conn, &row.id)?;
                    let plugin = engine
                        .load(&wasm)
                        .map_err(|e| anyhow::anyhow!("national plugin: {e}"))?;
                    Some((row, plugin))
                }
                None => None,
            },
        };
        for seed in bluelight_rules_bundled::seed_plugins() {
            let scope = TenantScope::for_system(seed.tenant);
            if tenants::find(conn, seed.tenant)?.is_none() || plugins::next_version(conn, &scope)? > 1 {
                continue;
            }
            let (row, plugin) = first_version(engine, seed, "seed plugin")?;
            plugins::insert(conn, &row)?;
            plugins::activate(conn, &scope, &row.id, LOADED_BY)?;
            report.plugins += 1;

            let tenant = tenants::get(conn, seed.tenant).map_err(|e| anyhow::anyhow!("{e}"))?;
            let categories = categories::tree(conn)?;
            for demo in demo.iter().filter(|d| d.tenant == seed.tenant) {
                let mut input = demo.procurement.clone();
                if let Some(reference) = &demo.framework_reference {
                    input.framework_id = Some(
                        frameworks::table
                            .filter(frameworks::reference.eq(reference))
                            .select(frameworks::id)
                            .first(conn)?,
                    );
                }
                let quotes = procurements::resolve(conn, &tenant, &input)
                    .map_err(|e| anyhow::anyhow!("demo procurement {}: {e:?}", input.reference))?;
                let procurement =
                    procurements::to_row(&scope, input, quotes, &loader, None).map_err(|e| anyhow::anyhow!("{e}"))?;
                procurements::insert(conn, &scope, &procurement).map_err(|e| anyhow::anyhow!("{e}"))?;
                report.procurements += 1;

                let plugin_input = plugin_input(conn, &tenant, &categories, &procurement, today)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let evaluation = plugin
                    .evaluate(&plugin_input)
                    .map_err(|e| anyhow::anyhow!("demo procurement {}: {e}", procurement.reference))?;
                let national_evaluation = match &national {
                    Some((row, plugin)) => Some((
                        row,
                        plugin.evaluate(&plugin_input).map_err(|e| {
                            anyhow::anyhow!("demo procurement {} (national): {e}", procurement.reference)
                        })?,
                    )),
                    None => None,
                };
                let outcome = combined_outcome(
                    national_evaluation.as_ref().map(|(_, e)| &e.decision),
                    Some(&evaluation.decision),
                )
                .as_str();
                let (national_fuel, national_duration) = national_evaluation
                    .as_ref()
                    .map_or((0, 0), |(_, e)| (e.fuel_used as i64, e.duration.as_micros() as i64));
                decisions::insert(
                    conn,
                    &DecisionRow {
                        id: clock::new_id(),
                        tenant_slug: seed.tenant.to_owned(),
                        procurement_id: procurement.id.clone(),
                        plugin_id: Some(row.id.clone()),
                        plugin_version: Some(1),
                        plugin_sha256: Some(row.sha256.clone()),
                        replay_of: None,
                        requested_by: LOADED_BY.into(),
                        requested_at: clock::now(),
                        input: serde_json::to_string(&plugin_input)?,
                        decision: Some(serde_json::to_string(&evaluation.decision)?),
                        outcome: outcome.to_owned(),
                        fuel_used: evaluation.fuel_used as i64 + national_fuel,
                        duration_micros: evaluation.duration.as_micros() as i64 + national_duration,
                        procurement_version: Some(procurement.version),
                        national_plugin_id: national_evaluation.as_ref().map(|(r, _)| r.id.clone()),
                        national_plugin_version: national_evaluation.as_ref().map(|(r, _)| r.version),
                        national_plugin_sha256: national_evaluation.as_ref().map(|(r, _)| r.sha256.clone()),
                        national_decision: national_evaluation
                            .as_ref()
                            .map(|(_, e)| serde_json::to_string(&e.decision))
                            .transpose()?,
                    },
                )?;
                procurements::set_last_outcome(conn, &scope, &procurement.id, outcome)?;
                report.decisions += 1;
            }
        }
        Ok(report)
    })
}

/// The national layer (the Procurement Act 2023 plugin), stored and put in force as its first
/// version when no national version is stored yet. Returns it when it was loaded now.
fn seed_national_layer(
    conn: &mut DbConnection,
    engine: &Arc<RuleEngine>,
) -> anyhow::Result<Option<(RulePluginRow, Arc<Plugin>)>> {
    if national_store::next_version(conn)? > 1 {
        return Ok(None);
    }
    let Some(seed) = bluelight_rules_bundled::national_plugins().first() else {
        return Ok(None);
    };
    let (row, plugin) = first_version(engine, seed, "national plugin")?;
    national_store::insert(conn, &row)?;
    national_store::activate(conn, &row.id, LOADED_BY)?;
    let stored = national_store::get(conn, 1).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Some((stored, plugin)))
}

/// A bundled plugin loaded, its fixtures passed, as the row of its first stored version.
fn first_version(
    engine: &Arc<RuleEngine>,
    seed: &bluelight_rules_bundled::BundledPlugin,
    what: &str,
) -> anyhow::Result<(NewRulePluginRow, Arc<Plugin>)> {
    let plugin = engine
        .load(seed.wasm)
        .map_err(|e| anyhow::anyhow!("{what} {}: {e}", seed.crate_name))?;
    let fixtures = plugin.run_fixtures();
    anyhow::ensure!(
        fixtures.all_passed,
        "{what} {}: fixtures fail: {fixtures:?}",
        seed.crate_name
    );
    let info = plugin.info();
    let row = NewRulePluginRow {
        id: clock::new_id(),
        tenant_slug: seed.tenant.to_owned(),
        version: 1,
        sha256: plugin.sha256().to_owned(),
        wasm: seed.wasm.to_vec(),
        size_bytes: seed.wasm.len() as i64,
        name: info.name.clone(),
        plugin_version: info.version.clone(),
        interface_version: plugin.interface_version().to_owned(),
        rules: serde_json::to_string(&info.rules)?,
        fixtures_total: fixtures.total as i32,
        fixtures_passed: fixtures.passed as i32,
        fixture_report: serde_json::to_string(&fixtures)?,
        uploaded_by: LOADED_BY.into(),
        uploaded_at: clock::now(),
    };
    Ok((row, plugin))
}
