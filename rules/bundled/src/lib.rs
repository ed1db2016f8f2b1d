//! The seed forces' rule plugins, built from `rules/guest` by this crate's build script and
//! embedded: WebAssembly components of `bluelight:rules/rule-plugin@2.0.0` (the national layer,
//! Bedfordshire and Lancashire) or `@1.0.0` (Cheshire, whose rules need nothing version 2 adds)
//! that import nothing, each with its fixtures in the `bluelight-rules-fixtures` custom section.
//!
//! With the `test-plugins` feature it also embeds what the host's tests need: a plugin that
//! misbehaves on purpose, a component of another world, a core module, and an example plugin for a
//! tenant that is not seeded (West Yorkshire Fire and Rescue Service).

use std::fmt;

/// A plugin embedded in the binary.
#[derive(Clone, Copy)]
pub struct BundledPlugin {
    /// The plugin's crate name, which is also the name its `describe()` returns.
    pub crate_name: &'static str,
    /// The tenant whose policy it encodes.
    pub tenant: &'static str,
    /// The packaged component (fixtures embedded).
    pub wasm: &'static [u8],
}

impl fmt::Debug for BundledPlugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BundledPlugin")
            .field("crate_name", &self.crate_name)
            .field("tenant", &self.tenant)
            .field("wasm", &format_args!("{} bytes", self.wasm.len()))
            .finish()
    }
}

macro_rules! out_file {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/", $name))
    };
}

static SEED_PLUGINS: [BundledPlugin; 3] = [
    BundledPlugin {
        crate_name: "bedfordshire-police",
        tenant: "bedfordshire-police",
        wasm: out_file!("bedfordshire-police.wasm"),
    },
    BundledPlugin {
        crate_name: "cheshire-constabulary",
        tenant: "cheshire-constabulary",
        wasm: out_file!("cheshire-constabulary.wasm"),
    },
    BundledPlugin {
        crate_name: "lancashire-constabulary",
        tenant: "lancashire-constabulary",
        wasm: out_file!("lancashire-constabulary.wasm"),
    },
];

/// Bedfordshire, Cheshire, Lancashire: packaged components, fixtures embedded.
pub fn seed_plugins() -> &'static [BundledPlugin] {
    &SEED_PLUGINS
}

static NATIONAL_PLUGINS: [BundledPlugin; 1] = [BundledPlugin {
    crate_name: "procurement-act-2023",
    tenant: "national",
    wasm: out_file!("procurement-act-2023.wasm"),
}];

/// The national layer: the Procurement Act 2023 (interface version 2), fixtures embedded.
pub fn national_plugins() -> &'static [BundledPlugin] {
    &NATIONAL_PLUGINS
}

/// The `hostile` test plugin (tenant `hostile-test-constabulary`), packaged with one benign
/// fixture. Its behaviour is chosen by `input.reference`: `hostile:loop`, `hostile:memory`,
/// `hostile:recursion`, `hostile:panic`, `hostile:huge-output`, `hostile:many-findings`,
/// `hostile:inconsistent`; anything else is a compliant decision with one info finding.
#[cfg(feature = "test-plugins")]
pub fn hostile() -> &'static [u8] {
    out_file!("hostile.wasm")
}

/// The `west-yorkshire-fire-and-rescue-service` example plugin (tenant
/// `west-yorkshire-fire-and-rescue-service`): illustrative fire-service contract standing orders,
/// packaged like the seed plugins with its 15 fixtures embedded. Not in [`seed_plugins`]: it is not
/// demo data, a new tenant uploads it in tests. Its rules and boundary decisions are in
/// `rules/guest/plugins/west-yorkshire-fire-and-rescue-service/README.md`.
#[cfg(feature = "test-plugins")]
pub fn west_yorkshire_fire() -> &'static [u8] {
    out_file!("west-yorkshire-fire-and-rescue-service.wasm")
}

/// The `revised-test-rules` test plugin: a second version of `hostile-test-constabulary`'s rules
/// (the first being [`hostile`]), allowing one written quote only up to £5,000.00 excluding VAT
/// (`REVISED-1`, a violation above it). Replays against it show what a revision changes.
#[cfg(feature = "test-plugins")]
pub fn revised_test_rules() -> &'static [u8] {
    out_file!("revised-test-rules.wasm")
}

/// A component of another world (`test:other/other@1.0.0`, exporting
/// `evaluate: func(input: string) -> string`), which the host must refuse.
#[cfg(feature = "test-plugins")]
pub fn wrong_world() -> &'static [u8] {
    out_file!("wrong-world.wasm")
}

/// The Bedfordshire plugin's core module as wit-bindgen built it, before it was made a
/// component: not a component.
#[cfg(feature = "test-plugins")]
pub fn core_module() -> &'static [u8] {
    out_file!("bedfordshire-police.core.wasm")
}

#[cfg(test)]
mod tests;
