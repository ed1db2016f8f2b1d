use std::path::PathBuf;

use wit_component::{StringEncoding, dummy_module, embed_component_metadata};
use wit_parser::{ManglingAndAbi, Resolve};

use super::*;
use crate::fixture::{FixtureFile, Outcome};

const WIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../wit/rules-v1.wit");

/// What a rule plugin imports: the types interface, an instance of type definitions only, and the
/// three types the world uses from it. Nothing to call.
const TYPE_IMPORTS: [&str; 4] = ["bluelight:rules/types@1.0.0", "procurement", "decision", "plugin-info"];

/// A core module like the one wit-bindgen makes: exports of `world` (as stubs) and the world's
/// description in a `component-type` custom section.
fn core_module(resolve: &Resolve, pkg: wit_parser::PackageId, world: &str) -> Vec<u8> {
    let world = resolve.select_world(&[pkg], Some(world)).unwrap();
    let mut module = dummy_module(resolve, world, ManglingAndAbi::Standard32);
    embed_component_metadata(&mut module, resolve, world, StringEncoding::UTF8).unwrap();
    module
}

fn rule_plugin_core_module() -> Vec<u8> {
    let mut resolve = Resolve::default();
    let pkg = resolve.push_file(WIT).unwrap();
    core_module(&resolve, pkg, "rule-plugin")
}

fn fixture_text(tenant: &str, outcome: &str, severity: &str) -> String {
    format!(
        r#"{{
  "description": "£5,999.99 needs only one written quote",
  "input": {{
    "tenant": "{tenant}", "reference": "BED-FIX-001", "title": "Replacement kit bags",
    "value_pence": 599999, "vat": "exclusive", "contract_type": "goods",
    "category": {{"slug": "body-armour", "path": ["uniform-and-ppe", "body-armour"]}},
    "route": "single_quote",
    "quotes": [{{"supplier_name": "Acme Ltd", "supplier_id": null, "amount_pence": 599999, "local": true, "sme": true, "vcse": false}}],
    "weightings": {{"price": 6000, "quality": 3000, "social_value": 1000}},
    "social_value_relevant": false,
    "call_off": {{"framework_reference": "RM6174", "lot_number": 1, "framework_live": true, "open_to_tenant": true}},
    "published": false, "market_engagement_evidence": null, "evaluation_date": "2026-11-23"
  }},
  "expect": {{"outcome": "{outcome}", "required_route": "single_quote", "findings": [{{"rule_id": "BED-QUOTE-1", "severity": "{severity}"}}]}}
}}"#
    )
}

fn sample_fixture(name: &str) -> Fixture {
    let file: FixtureFile = serde_json::from_str(&fixture_text("bedfordshire-police", "compliant", "info")).unwrap();
    Fixture::from_file(name, file).unwrap()
}

/// A fresh folder under the system temp folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("bluelight-rules-package-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_core_module_becomes_a_component_of_the_rule_plugin_world_importing_nothing() {
    let core = rule_plugin_core_module();
    assert!(!Parser::is_component(&core));
    let component = componentize(&core).unwrap();
    assert!(Parser::is_component(&component));
    assert_eq!(component_imports(&component).unwrap(), TYPE_IMPORTS);
    assert_eq!(runtime_imports(&component).unwrap(), Vec::<String>::new());

    let wit_component::DecodedWasm::Component(resolve, world) = wit_component::decode(&component).unwrap() else {
        panic!("decoded as a WIT package, not a component");
    };
    let world = &resolve.worlds[world];
    let exports: Vec<String> = world.exports.keys().map(|k| resolve.name_world_key(k)).collect();
    assert_eq!(exports, ["describe", "evaluate"]);
    let types = world
        .imports
        .keys()
        .map(|k| resolve.name_world_key(k))
        .collect::<Vec<_>>();
    assert_eq!(
        types, TYPE_IMPORTS,
        "only the types interface and the types the world uses from it"
    );
}

#[test]
fn packaged_fixtures_round_trip_through_the_custom_section() {
    let fixtures = vec![sample_fixture("01-one-quote"), sample_fixture("02-another")];
    let component = package(&rule_plugin_core_module(), &fixtures).unwrap();
    let section = read_fixtures(&component).unwrap().expect("a fixtures section");
    assert_eq!(section, fixtures_json(&fixtures).unwrap());
    let back: Vec<Fixture> = serde_json::from_slice(&section).unwrap();
    assert_eq!(back, fixtures);

    // The JSON is the contract the host reads: an array of objects with these keys.
    let value: serde_json::Value = serde_json::from_slice(&section).unwrap();
    let first = &value.as_array().unwrap()[0];
    assert_eq!(first["name"], "01-one-quote");
    assert_eq!(first["input"]["value_pence"], 599_999);
    assert_eq!(first["input"]["quotes"][0]["amount_pence"], 599_999);
    assert_eq!(first["input"]["weightings"]["social_value"], 1000);
    assert_eq!(first["expect"]["outcome"], "compliant");
    assert_eq!(first["expect"]["findings"][0]["severity"], "info");

    // Still a valid component with the section appended.
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&component)
        .unwrap();
    assert_eq!(runtime_imports(&component).unwrap(), Vec::<String>::new());
}

#[test]
fn large_sections_get_multi_byte_lengths() {
    let fixtures: Vec<Fixture> = (0..500).map(|i| sample_fixture(&format!("fixture-{i:03}"))).collect();
    let component = package(&rule_plugin_core_module(), &fixtures).unwrap();
    let section = read_fixtures(&component).unwrap().unwrap();
    assert!(section.len() > 1 << 16);
    assert_eq!(serde_json::from_slice::<Vec<Fixture>>(&section).unwrap().len(), 500);
}

#[test]
fn no_section_is_none_and_two_are_an_error() {
    let mut component = componentize(&rule_plugin_core_module()).unwrap();
    assert_eq!(read_fixtures(&component).unwrap(), None);
    append_custom_section(&mut component, FIXTURES_SECTION, b"[]");
    assert_eq!(read_fixtures(&component).unwrap().as_deref(), Some(&b"[]"[..]));
    append_custom_section(&mut component, FIXTURES_SECTION, b"[]");
    assert!(
        read_fixtures(&component)
            .unwrap_err()
            .to_string()
            .contains("more than one")
    );
}

#[test]
fn a_section_inside_the_nested_core_module_is_not_the_plugins_fixtures() {
    let mut core = rule_plugin_core_module();
    append_custom_section(&mut core, FIXTURES_SECTION, b"[\"smuggled\"]");
    assert!(read_fixtures(&core).unwrap().is_some());
    let component = componentize(&core).unwrap();
    assert_eq!(read_fixtures(&component).unwrap(), None);
}

#[test]
fn garbage_is_an_error_not_a_missing_section() {
    assert!(read_fixtures(b"not wasm at all").is_err());
    assert!(component_imports(b"\0asm\x0d\0\x01\0\x01\x05").is_err());
}

#[test]
fn imports_are_listed_for_components_and_core_modules() {
    let mut resolve = Resolve::default();
    let pkg = resolve
        .push_str(
            "other.wit",
            "package test:other@1.0.0;\n\
             interface clock { now: func() -> u64; }\n\
             world leaky { import clock; export evaluate: func(input: string) -> string; }",
        )
        .unwrap();
    let core = core_module(&resolve, pkg, "leaky");
    let core_imports = component_imports(&core).unwrap();
    assert_eq!(core_imports.len(), 1);
    assert!(
        core_imports[0].contains("test:other/clock") && core_imports[0].ends_with("::now"),
        "{core_imports:?}"
    );
    assert_eq!(runtime_imports(&core).unwrap(), core_imports);
    let component = componentize(&core).unwrap();
    assert_eq!(component_imports(&component).unwrap(), ["test:other/clock@1.0.0"]);
    assert_eq!(runtime_imports(&component).unwrap(), ["test:other/clock@1.0.0"]);
}

#[test]
fn componentize_refuses_components_and_modules_without_metadata() {
    let component = componentize(&rule_plugin_core_module()).unwrap();
    assert!(
        componentize(&component)
            .unwrap_err()
            .to_string()
            .contains("already a component")
    );
    let bare = b"\0asm\x01\0\0\0";
    assert!(componentize(bare).unwrap_err().to_string().contains("wit-bindgen"));
}

#[test]
fn fixture_files_load_in_name_order_and_errors_name_the_file() {
    let dir = TempDir::new("load");
    std::fs::write(
        dir.0.join("02-b.json"),
        fixture_text("bedfordshire-police", "compliant", "info"),
    )
    .unwrap();
    std::fs::write(
        dir.0.join("01-a.json"),
        fixture_text("bedfordshire-police", "non_compliant", "violation"),
    )
    .unwrap();
    std::fs::write(dir.0.join("README.md"), "not a fixture").unwrap();
    let fixtures = load_fixtures(&dir.0).unwrap();
    assert_eq!(
        fixtures.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        ["01-a", "02-b"]
    );
    assert_eq!(fixtures[0].expect.outcome, Outcome::NonCompliant);

    std::fs::write(dir.0.join("03-c.json"), fixture_text("x", "compliant", "violation")).unwrap();
    let err = format!("{:#}", load_fixtures(&dir.0).unwrap_err());
    assert!(
        err.contains("03-c.json") && err.contains("non_compliant exactly when"),
        "{err}"
    );

    std::fs::write(
        dir.0.join("03-c.json"),
        fixture_text("x", "compliant", "info").replace("\"vat\"", "\"vta\""),
    )
    .unwrap();
    let err = format!("{:#}", load_fixtures(&dir.0).unwrap_err());
    assert!(err.contains("03-c.json") && err.contains("vta"), "{err}");

    std::fs::write(
        dir.0.join("03-c.json"),
        fixture_text("x", "compliant", "info").replace("2026-11-23", "2026-13-01"),
    )
    .unwrap();
    let err = format!("{:#}", load_fixtures(&dir.0).unwrap_err());
    assert!(err.contains("03-c.json") && err.contains("out of range"), "{err}");
}
