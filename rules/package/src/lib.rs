//! Packaging of force rule plugins.
//!
//! A plugin is built by `wit-bindgen` for `wasm32-unknown-unknown` as a *core* module that carries
//! its WIT world in `component-type:*` custom sections. [`package`] turns it into a component
//! (`wit-component`, validated), so it imports only what the world declares (nothing, for
//! `bluelight:rules/rule-plugin@1.0.0`), and appends a custom section named
//! [`FIXTURES_SECTION`] whose content is a JSON array of [`Fixture`]s: the plugin's own tests,
//! which the host runs before a version can be activated. [`read_fixtures`] finds that section
//! again; [`component_imports`] lists what a binary imports and [`runtime_imports`] the part of
//! that which would give a plugin anything at run time (a rule plugin must have none).

use std::path::Path;

use anyhow::{Context, Result, bail};
use wasmparser::{Parser, Payload};

pub mod fixture;

pub use fixture::Fixture;

/// The name of the custom section that holds a packaged plugin's fixtures (a JSON array).
pub const FIXTURES_SECTION: &str = "bluelight-rules-fixtures";

/// Turns a core module made by `wit-bindgen` into a validated component of its world.
pub fn componentize(core_module: &[u8]) -> Result<Vec<u8>> {
    if Parser::is_component(core_module) {
        bail!("the input is already a component; expected the core module wit-bindgen built");
    }
    let mut has_world = false;
    for_each_top_level(core_module, |payload| {
        if let Payload::CustomSection(s) = payload {
            has_world |= s.name().starts_with("component-type");
        }
        Ok(())
    })
    .context("reading the core module")?;
    if !has_world {
        bail!("the core module has no `component-type` section describing its world: was it built with wit-bindgen?");
    }
    wit_component::ComponentEncoder::default()
        .module(core_module)
        .context("reading the core module's component-type metadata (was it built with wit-bindgen?)")?
        .validate(true)
        .encode()
        .context("encoding the core module as a component")
}

/// Appends a custom section to a module or component. Custom sections may appear anywhere, so
/// appending leaves the binary valid.
pub fn append_custom_section(binary: &mut Vec<u8>, name: &str, data: &[u8]) {
    let mut payload = Vec::with_capacity(name.len() + data.len() + 5);
    write_leb128_u32(
        &mut payload,
        u32::try_from(name.len()).expect("section name fits in u32"),
    );
    payload.extend_from_slice(name.as_bytes());
    payload.extend_from_slice(data);
    binary.push(0); // the custom section id
    write_leb128_u32(
        binary,
        u32::try_from(payload.len()).expect("custom section fits in u32"),
    );
    binary.extend_from_slice(&payload);
}

fn write_leb128_u32(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The component with its fixtures replaced: the top-level fixtures section (if any) taken out
/// and one holding `fixtures` appended. For re-packaging a plugin without its source.
pub fn replace_fixtures(component: &[u8], fixtures: &[Fixture]) -> Result<Vec<u8>> {
    let mut sections = Vec::new();
    for_each_top_level(component, |payload| {
        if let Payload::CustomSection(section) = &payload
            && section.name() == FIXTURES_SECTION
            && let Some((_, contents)) = payload.as_section()
        {
            sections.push(contents);
        }
        Ok(())
    })?;
    let mut without = component.to_vec();
    for contents in sections.into_iter().rev() {
        // The section's header: its id (0, custom) and its size, as a minimal LEB128.
        let mut size = Vec::new();
        write_leb128_u32(&mut size, u32::try_from(contents.len()).context("section size")?);
        let start = contents.start - size.len() - 1;
        if component[start] != 0 || component[start + 1..contents.start] != size[..] {
            bail!("the fixtures section's header is not where it was expected");
        }
        without.drain(start..contents.end);
    }
    append_custom_section(&mut without, FIXTURES_SECTION, &fixtures_json(fixtures)?);
    Ok(without)
}

/// The JSON array the fixtures section holds.
pub fn fixtures_json(fixtures: &[Fixture]) -> Result<Vec<u8>> {
    serde_json::to_vec(fixtures).context("serialising fixtures")
}

/// A packaged plugin: the core module as a component, with `fixtures` appended in the
/// [`FIXTURES_SECTION`] custom section.
pub fn package(core_module: &[u8], fixtures: &[Fixture]) -> Result<Vec<u8>> {
    let mut component = componentize(core_module)?;
    append_custom_section(&mut component, FIXTURES_SECTION, &fixtures_json(fixtures)?);
    Ok(component)
}

/// Reads a plugin's `*.json` fixture files from `dir`, in file-name order, each named by its file
/// stem and checked against the contract in [`fixture`]. Errors name the file at fault.
pub fn load_fixtures(dir: &Path) -> Result<Vec<Fixture>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading fixtures folder {}", dir.display()))? {
        let path = entry
            .with_context(|| format!("reading fixtures folder {}", dir.display()))?
            .path();
        if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    files.sort();
    files
        .iter()
        .map(|path| {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .with_context(|| format!("fixture file name {} is not UTF-8", path.display()))?;
            let text = std::fs::read(path).with_context(|| format!("reading fixture {}", path.display()))?;
            let file: fixture::FixtureFile =
                serde_json::from_slice(&text).with_context(|| format!("fixture {} is not valid", path.display()))?;
            Fixture::from_file(name, file)
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("fixture {} is not valid", path.display()))
        })
        .collect()
}

/// The content of the top-level [`FIXTURES_SECTION`] custom section of a component (or module):
/// `None` when there is none. Sections inside nested modules and components are not looked at;
/// two top-level fixtures sections, or a binary that does not parse, are errors.
pub fn read_fixtures(component: &[u8]) -> Result<Option<Vec<u8>>> {
    let mut found: Option<Vec<u8>> = None;
    for_each_top_level(component, |payload| {
        if let Payload::CustomSection(section) = payload
            && section.name() == FIXTURES_SECTION
        {
            if found.is_some() {
                bail!("the binary has more than one `{FIXTURES_SECTION}` section");
            }
            found = Some(section.data().to_vec());
        }
        Ok(())
    })?;
    Ok(found)
}

/// What a component (or core module) imports at its top level, by name: for a component, its
/// import names (`wasi:io/streams@0.2.0`...); for a core module, `module::name`. A rule plugin
/// must import nothing.
pub fn component_imports(binary: &[u8]) -> Result<Vec<String>> {
    let mut imports = Vec::new();
    for_each_top_level(binary, |payload| {
        match payload {
            Payload::ComponentImportSection(reader) => {
                for import in reader {
                    imports.push(import.context("reading a component import")?.name.name.to_owned());
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.context("reading a core import")?;
                    imports.push(format!("{}::{}", import.module, import.name));
                }
            }
            _ => {}
        }
        Ok(())
    })?;
    Ok(imports)
}

/// The imports of a component that would give it something at run time: functions, or
/// resources (which come with host functions). A world that `use`s types from an interface
/// imports that interface as an instance holding only type definitions, plus the types
/// themselves (`bluelight:rules/types@1.0.0`, `procurement`, `decision`, `plugin-info` for a
/// rule plugin); those are not counted. For a core module every import counts.
pub fn runtime_imports(binary: &[u8]) -> Result<Vec<String>> {
    use wit_parser::{TypeDefKind, WorldItem};

    if !Parser::is_component(binary) {
        return component_imports(binary);
    }
    let wit_component::DecodedWasm::Component(resolve, world) =
        wit_component::decode(binary).context("decoding the component's world")?
    else {
        bail!("the binary is a WIT package, not a component");
    };
    let is_resource = |id: &wit_parser::TypeId| matches!(resolve.types[*id].kind, TypeDefKind::Resource);
    let mut runtime = Vec::new();
    for (key, item) in &resolve.worlds[world].imports {
        let gives_something = match item {
            WorldItem::Function(_) => true,
            WorldItem::Type { id, .. } => is_resource(id),
            WorldItem::Interface { id, .. } => {
                let interface = &resolve.interfaces[*id];
                !interface.functions.is_empty() || interface.types.values().any(is_resource)
            }
        };
        if gives_something {
            runtime.push(resolve.name_world_key(key));
        }
    }
    Ok(runtime)
}

/// Calls `f` with each payload of the outermost module or component, skipping what nested
/// modules and components contain.
fn for_each_top_level<'a>(binary: &'a [u8], mut f: impl FnMut(Payload<'a>) -> Result<()>) -> Result<()> {
    // Every module or component, nested or not, starts with `Version` and ends with `End`.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(binary) {
        let payload = payload.context("parsing the WebAssembly binary")?;
        match payload {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            other if depth == 1 => f(other)?,
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
