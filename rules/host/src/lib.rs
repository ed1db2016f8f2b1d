//! The host for forces' procurement-rule plugins.
//!
//! A plugin is a WebAssembly component of the `bluelight:rules@1.0.0` or `@2.0.0` world
//! (`rules/wit/`). It
//! runs in wasmtime under hard limits (fuel, a wall-clock deadline, memory, sizes), in a fresh
//! instance per evaluation, with nothing imported: its decision depends only on its input.

mod compiler;
pub mod engine;
pub mod error;
pub mod fixtures;
mod interface;
pub mod limits;
pub mod plugin;
mod sandbox;
mod v1;
mod v2;

pub use bluelight_rules_types as types;
pub use bluelight_rules_types::*;
pub use engine::{FIXTURES_SECTION, RuleEngine};
pub use error::{FailureKind, PluginError};
pub use fixtures::{Fixture, FixtureReport, FixtureResult};
pub use interface::InterfaceVersion;
pub use limits::Limits;
pub use plugin::{Batch, Evaluation, Plugin};
