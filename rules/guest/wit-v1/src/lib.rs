//! The guest bindings of interface version 1 (`rules/wit/rules-v1.wit`, frozen), in a crate of
//! their own: wit-bindgen names its export macros after the world, and both interface versions
//! call theirs `rule-plugin`, so the two sets cannot share one crate. Plugins do not use this
//! crate directly; `bluelight_rules_sdk::export_rule_plugin!` does.

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/rules-v1.wit",
        world: "bluelight:rules/rule-plugin@1.0.0",
        pub_export_macro: true,
        export_macro_name: "export_v1",
        default_bindings_module: "bluelight_rules_sdk::v1_bindings",
        additional_derives: [PartialEq, Eq],
    });
}

// The generated export macro's own definition sits at the crate root, so the bindings are
// generated in a module and re-exported from here.
pub use bindings::*;
