//! The BlueLight category-management API: national catalogue data (tenants, categories,
//! frameworks, suppliers) served to every police force and fire and rescue service.

pub mod app;
pub mod audit;
pub mod auth;
pub mod categories;
pub mod clock;
pub mod config;
pub mod contracts;
pub mod db;
pub mod decisions;
pub mod demo;
pub mod error;
pub mod frameworks;
pub mod health;
pub mod http;
pub mod idempotency;
pub mod imports;
pub mod kpis;
pub mod money;
pub mod national;
pub mod national_rules;
pub mod ocds;
pub mod openapi;
pub mod outbound;
pub mod procurements;
pub mod region;
pub mod routes;
pub mod rule_plugins;
pub mod spend;
pub mod state;
pub mod suppliers;
pub mod tenants;
pub mod text_enum;
pub mod text_search;
pub mod validate;
pub mod webhooks;
