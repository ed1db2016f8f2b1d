use bluelight_rules_package::{component_imports, read_fixtures, runtime_imports};
use wasmparser::{Parser, Payload};

use super::*;

/// What a rule plugin imports: the types interface (an instance of type definitions only) and the
/// three types its world uses from it. Nothing it could call.
/// What a plugin on interface `version` imports: the types interface and the three types.
fn type_imports(version: &str) -> Vec<String> {
    [
        format!("bluelight:rules/types@{version}"),
        "procurement".into(),
        "decision".into(),
        "plugin-info".into(),
    ]
    .to_vec()
}

/// The interface each bundled plugin is on: Cheshire's rules need nothing version 2 adds.
fn interface_of(crate_name: &str) -> &'static str {
    match crate_name {
        "cheshire-constabulary" => "1.0.0",
        _ => "2.0.0",
    }
}

/// The initial size, in 64 KiB pages, of each linear memory a binary defines (nested ones too).
fn initial_memory_pages(wasm: &[u8]) -> Vec<u64> {
    let mut pages = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::MemorySection(reader) = payload.unwrap() {
            for memory in reader {
                pages.push(memory.unwrap().initial);
            }
        }
    }
    pages
}

/// The names a component exports, and the interfaces its world uses.
fn world_of(wasm: &[u8]) -> (Vec<String>, Vec<String>) {
    let wit_component::DecodedWasm::Component(resolve, world) = wit_component::decode(wasm).unwrap() else {
        panic!("not a component");
    };
    let world = &resolve.worlds[world];
    (
        world.exports.keys().map(|k| resolve.name_world_key(k)).collect(),
        world.imports.keys().map(|k| resolve.name_world_key(k)).collect(),
    )
}

fn fixtures_of(wasm: &[u8]) -> Vec<serde_json::Value> {
    let section = read_fixtures(wasm).unwrap().expect("a fixtures section");
    serde_json::from_slice::<serde_json::Value>(&section)
        .unwrap()
        .as_array()
        .expect("a JSON array")
        .clone()
}

#[test]
fn the_seed_plugins_are_the_three_forces() {
    let tenants: Vec<&str> = seed_plugins().iter().map(|p| p.tenant).collect();
    assert_eq!(
        tenants,
        [
            "bedfordshire-police",
            "cheshire-constabulary",
            "lancashire-constabulary"
        ]
    );
    for p in seed_plugins() {
        assert_eq!(p.crate_name, p.tenant);
        assert!(format!("{p:?}").contains("bytes"));
    }
}

#[test]
fn seed_plugins_are_components_of_the_rule_plugin_world_importing_nothing() {
    for p in seed_plugins().iter().chain(national_plugins()) {
        assert!(Parser::is_component(p.wasm), "{} is not a component", p.crate_name);
        assert_eq!(
            runtime_imports(p.wasm).unwrap(),
            Vec::<String>::new(),
            "{} imports something",
            p.crate_name
        );
        let expected = type_imports(interface_of(p.crate_name));
        assert_eq!(component_imports(p.wasm).unwrap(), expected, "{}", p.crate_name);
        let (exports, uses) = world_of(p.wasm);
        assert_eq!(exports, ["describe", "evaluate"], "{}", p.crate_name);
        assert_eq!(uses, expected, "{}", p.crate_name);
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(p.wasm)
            .unwrap();
    }
}

#[test]
fn seed_plugins_carry_at_least_six_fixtures_for_their_own_tenant() {
    for p in seed_plugins() {
        let fixtures = fixtures_of(p.wasm);
        assert!(fixtures.len() >= 6, "{} has {} fixtures", p.crate_name, fixtures.len());
        for f in &fixtures {
            let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, ["description", "expect", "input", "name"], "{}", p.crate_name);
            assert_eq!(f["input"]["tenant"], p.tenant);
            assert_eq!(f["input"]["evaluation_date"], "2026-11-23");
            assert!(f["input"]["value_pence"].is_i64());
        }
    }
}

/// Initial linear memory a plugin built with the SDK may have, in 64 KiB pages: a 64 KiB stack
/// (rules/guest/.cargo/config.toml) instead of 1 MiB, the data, and the allocator's 512 KiB arena
/// (rules/guest/sdk/src/allocator.rs, 8 pages, touched only as it is used). With the default
/// stack it would be 26 or more.
const MAX_INITIAL_PAGES: u64 = 12;

#[test]
fn linear_memory_starts_small() {
    for p in seed_plugins() {
        let pages = initial_memory_pages(p.wasm);
        assert_eq!(pages.len(), 1, "{}: one linear memory", p.crate_name);
        assert!(
            pages[0] <= MAX_INITIAL_PAGES,
            "{}: {} initial pages",
            p.crate_name,
            pages[0]
        );
    }
}

#[cfg(feature = "test-plugins")]
#[test]
fn test_plugins_are_what_they_say() {
    assert!(Parser::is_component(hostile()));
    assert_eq!(runtime_imports(hostile()).unwrap(), Vec::<String>::new());
    assert_eq!(component_imports(hostile()).unwrap(), type_imports("1.0.0"));
    let fixtures = fixtures_of(hostile());
    assert_eq!(fixtures.len(), 1);
    assert_eq!(fixtures[0]["input"]["tenant"], "hostile-test-constabulary");
    assert_eq!(world_of(hostile()).0, ["describe", "evaluate"]);

    assert!(Parser::is_component(wrong_world()));
    assert_eq!(read_fixtures(wrong_world()).unwrap(), None);
    let (exports, uses) = world_of(wrong_world());
    assert_eq!(exports, ["evaluate"]);
    assert!(uses.is_empty());
    assert!(component_imports(wrong_world()).unwrap().is_empty());

    assert!(!Parser::is_component(core_module()));
    assert_eq!(component_imports(core_module()).unwrap(), Vec::<String>::new());
    let rebuilt = bluelight_rules_package::componentize(core_module()).unwrap();
    assert_eq!(world_of(&rebuilt).0, ["describe", "evaluate"]);
}

#[cfg(feature = "test-plugins")]
#[test]
fn the_west_yorkshire_fire_example_is_packaged_like_a_seed_plugin_but_not_seeded() {
    let wasm = west_yorkshire_fire();
    assert!(Parser::is_component(wasm));
    assert_eq!(runtime_imports(wasm).unwrap(), Vec::<String>::new());
    assert_eq!(component_imports(wasm).unwrap(), type_imports("1.0.0"));
    let (exports, uses) = world_of(wasm);
    assert_eq!(exports, ["describe", "evaluate"]);
    assert_eq!(uses, type_imports("1.0.0"));
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(wasm)
        .unwrap();
    let pages = initial_memory_pages(wasm);
    assert_eq!(pages.len(), 1);
    assert!(pages[0] <= MAX_INITIAL_PAGES, "{} initial pages", pages[0]);

    let fixtures = fixtures_of(wasm);
    assert!((10..=20).contains(&fixtures.len()), "{} fixtures", fixtures.len());
    for f in &fixtures {
        assert_eq!(f["input"]["tenant"], "west-yorkshire-fire-and-rescue-service");
        assert_eq!(f["input"]["evaluation_date"], "2026-11-23");
    }
    assert!(
        seed_plugins()
            .iter()
            .all(|p| p.tenant != "west-yorkshire-fire-and-rescue-service" && p.wasm != wasm),
        "the example plugin is not a seed plugin"
    );
}
