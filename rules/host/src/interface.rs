//! The interface versions the host runs, behind one face: a pre-instantiated plugin of either
//! version, and a live instance of it. The engine chooses the version from the types interface a
//! component imports; everything else in the host is written once against these two enums.

use wasmtime::Store;
use wasmtime::component::InstancePre;

use crate::sandbox::Sandbox;
use crate::types::{Decision, PluginInfo, Procurement};
use crate::{v1, v2};

/// An interface version this host runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterfaceVersion {
    V1,
    V2,
}

impl InterfaceVersion {
    pub const ALL: [InterfaceVersion; 2] = [InterfaceVersion::V1, InterfaceVersion::V2];

    /// The name of the interface a component of this version imports its types from.
    pub fn types_interface(self) -> &'static str {
        match self {
            InterfaceVersion::V1 => v1::TYPES_INTERFACE,
            InterfaceVersion::V2 => v2::TYPES_INTERFACE,
        }
    }

    /// `1.0.0` or `2.0.0`: the package version, as stored with each plugin.
    pub fn as_str(self) -> &'static str {
        match self {
            InterfaceVersion::V1 => "1.0.0",
            InterfaceVersion::V2 => "2.0.0",
        }
    }

    pub fn from_package_version(version: &str) -> Option<InterfaceVersion> {
        InterfaceVersion::ALL.into_iter().find(|v| v.as_str() == version)
    }
}

pub enum Pre {
    V1(v1::RulePluginPre<Sandbox>),
    V2(v2::RulePluginPre<Sandbox>),
}

pub enum Instance {
    V1(v1::RulePlugin),
    V2(v2::RulePlugin),
}

impl Pre {
    pub fn new(version: InterfaceVersion, pre: InstancePre<Sandbox>) -> wasmtime::Result<Pre> {
        Ok(match version {
            InterfaceVersion::V1 => Pre::V1(v1::RulePluginPre::new(pre)?),
            InterfaceVersion::V2 => Pre::V2(v2::RulePluginPre::new(pre)?),
        })
    }

    pub fn version(&self) -> InterfaceVersion {
        match self {
            Pre::V1(_) => InterfaceVersion::V1,
            Pre::V2(_) => InterfaceVersion::V2,
        }
    }

    pub fn engine(&self) -> &wasmtime::Engine {
        match self {
            Pre::V1(pre) => pre.engine(),
            Pre::V2(pre) => pre.engine(),
        }
    }

    pub fn instantiate(&self, store: &mut Store<Sandbox>) -> wasmtime::Result<Instance> {
        Ok(match self {
            Pre::V1(pre) => Instance::V1(pre.instantiate(store)?),
            Pre::V2(pre) => Instance::V2(pre.instantiate(store)?),
        })
    }
}

impl Instance {
    pub fn describe(&self, store: &mut Store<Sandbox>) -> wasmtime::Result<PluginInfo> {
        Ok(match self {
            Instance::V1(plugin) => v1::plugin_info(plugin.call_describe(store)?),
            Instance::V2(plugin) => v2::plugin_info(plugin.call_describe(store)?),
        })
    }

    /// A v1 plugin gets the fields version 1 has; the rest of `input` is not passed.
    pub fn evaluate(&self, store: &mut Store<Sandbox>, input: &Procurement) -> wasmtime::Result<Decision> {
        Ok(match self {
            Instance::V1(plugin) => v1::decision(plugin.call_evaluate(store, &v1::procurement(input))?),
            Instance::V2(plugin) => v2::decision(plugin.call_evaluate(store, &v2::procurement(input))?),
        })
    }
}
