//! End-to-end tests of the BlueLight API: the real app, over real HTTP on a loopback port, against
//! SQLite (default) or PostgreSQL (`TEST_DATABASE_URL=postgres://...`), one fresh database per test.
//!
//! One test binary for every area, so the suite links once.
//!
//! - SQLite: `cargo test -p bluelight-e2e`
//! - PostgreSQL: `TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo test -p bluelight-e2e`
//!   (each test gets a fresh schema `t_<uuid>`, dropped when it ends)
//! - Regenerate the committed OpenAPI document: `UPDATE_OPENAPI=1 cargo test -p bluelight-e2e openapi`
//! - Known API bugs are `#[ignore = "api bug: ..."]` tests: `cargo test -p bluelight-e2e -- --ignored`

mod support;

mod audit;
mod auth;
mod authorization_order;
mod award_gate;
mod categories;
mod clock;
mod config;
mod contracts;
mod demo_data;
mod distribution;
mod errors;
mod faults;
mod fire_joins;
mod frameworks;
mod health;
mod idempotency;
mod imports;
mod kpis;
mod local_suppliers;
mod national;
mod national_rules;
mod observability;
mod ocds;
mod ocds_import;
mod openapi;
mod outbound;
mod procurements;
mod rules;
mod sandbox_shares;
mod suppliers;
mod tenant_isolation;
mod tenants;
mod webhooks;
