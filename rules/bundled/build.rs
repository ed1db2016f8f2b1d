//! Builds the guest workspace (`rules/guest`) for `wasm32-unknown-unknown` with a nested
//! `cargo build --release`, packages each plugin (component + fixtures section) with
//! `bluelight-rules-package`, and leaves the results in OUT_DIR for `include_bytes!`.
//!
//! The nested build has a target folder of its own, `<outer target>/rules-guest`, shared by
//! `cargo build`, `cargo test` and `cargo clippy`, so it compiles once. A fresh machine lacks the
//! `wasm32-unknown-unknown` target; it is added with `rustup target add`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use bluelight_rules_package as package;

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// (crate name, tenant slug) of the plugins that go into `seed_plugins()`.
const SEED_PLUGINS: [(&str, &str); 3] = [
    ("bedfordshire-police", "bedfordshire-police"),
    ("cheshire-constabulary", "cheshire-constabulary"),
    ("lancashire-constabulary", "lancashire-constabulary"),
];
/// The national layer's plugin that goes into `national_plugins()`.
const NATIONAL_PLUGINS: [(&str, &str); 1] = [("procurement-act-2023", "national")];
const HOSTILE: (&str, &str) = ("hostile", "hostile-test-constabulary");
/// The test and example plugins packaged like the seed plugins (fixtures embedded) but not in
/// `seed_plugins()`: a new tenant uploads them in tests (`west_yorkshire_fire()`).
const EXAMPLE_PLUGINS: [(&str, &str); 2] = [
    (
        "west-yorkshire-fire-and-rescue-service",
        "west-yorkshire-fire-and-rescue-service",
    ),
    ("revised-test-rules", "hostile-test-constabulary"),
];
const WRONG_WORLD: &str = "wrong-world";
/// The core module `core_module()` returns (before componentizing).
const CORE_MODULE_OF: &str = "bedfordshire-police";

/// Environment the nested cargo must not inherit: wrappers (clippy sets RUSTC_WORKSPACE_WRAPPER),
/// flags meant for the outer build, its target and target folder, and what cargo sets for this
/// build script.
const REMOVED_VARS: &[&str] = &[
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTC_WRAPPER",
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_ENCODED_RUSTDOCFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_BUILD_BUILD_DIR",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_CRATE_NAME",
    "OUT_DIR",
    "TARGET",
    "HOST",
    "PROFILE",
    "OPT_LEVEL",
    "DEBUG",
    "NUM_JOBS",
    "RUSTC_LINKER",
];
const REMOVED_PREFIXES: &[&str] = &[
    "CARGO_PROFILE_",
    "CARGO_CFG_",
    "CARGO_FEATURE_",
    "CARGO_PKG_",
    "CARGO_MANIFEST_",
    "__CARGO_",
];

fn main() {
    if let Err(e) = run() {
        eprintln!("error: building the bundled rule plugins failed: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let rules = manifest_dir.parent().context("rules/bundled has no parent folder")?;
    let guest = rules.join("guest");
    let out_dir = PathBuf::from(env("OUT_DIR")?);

    // Not the whole of rules/guest: running `cargo test` there natively creates rules/guest/target.
    for path in ["Cargo.toml", "Cargo.lock", ".cargo", "sdk", "wit-v1", "plugins"] {
        println!("cargo:rerun-if-changed={}", guest.join(path).display());
    }
    println!("cargo:rerun-if-changed={}", rules.join("wit").display());

    ensure_wasm_target()?;
    let guest_target = guest_target_dir(&out_dir)?;
    build_guest(&guest, &guest_target)?;
    let release = guest_target.join(WASM_TARGET).join("release");

    for (crate_name, tenant) in SEED_PLUGINS
        .into_iter()
        .chain(NATIONAL_PLUGINS)
        .chain([HOSTILE])
        .chain(EXAMPLE_PLUGINS)
    {
        let core = read_core_module(&release, crate_name)?;
        let fixtures_dir = guest.join("plugins").join(crate_name).join("fixtures");
        let fixtures = package::load_fixtures(&fixtures_dir)?;
        ensure!(
            !fixtures.is_empty(),
            "plugin {crate_name} has no fixtures in {}",
            fixtures_dir.display()
        );
        for f in &fixtures {
            ensure!(
                f.input.tenant == tenant,
                "fixture {} of plugin {crate_name} is for tenant {:?}, the plugin's tenant is {tenant:?}",
                f.name,
                f.input.tenant
            );
        }
        let component = package::package(&core, &fixtures).with_context(|| format!("packaging plugin {crate_name}"))?;
        // Only the type definitions the world uses may be imported: nothing callable, no WASI.
        let imports = package::runtime_imports(&component)?;
        ensure!(
            imports.is_empty(),
            "plugin {crate_name} imports {imports:?}; a rule plugin must import nothing it can call"
        );
        write(&out_dir.join(format!("{crate_name}.wasm")), &component)?;
        if crate_name == CORE_MODULE_OF {
            write(&out_dir.join(format!("{crate_name}.core.wasm")), &core)?;
        }
    }

    let other = read_core_module(&release, WRONG_WORLD)?;
    let other = package::componentize(&other).with_context(|| format!("componentizing {WRONG_WORLD}"))?;
    write(&out_dir.join(format!("{WRONG_WORLD}.wasm")), &other)?;
    Ok(())
}

fn env(name: &str) -> Result<OsString> {
    std::env::var_os(name).with_context(|| format!("cargo did not set {name}"))
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

fn read_core_module(release: &Path, crate_name: &str) -> Result<Vec<u8>> {
    let path = release.join(format!("{}.wasm", crate_name.replace('-', "_")));
    std::fs::read(&path)
        .with_context(|| format!("reading the core module of plugin {crate_name} at {}", path.display()))
}

/// `<outer target>/rules-guest`: the outer target folder is the nearest ancestor of OUT_DIR with
/// cargo's CACHEDIR.TAG (else the folder above the profile folder, `<target>/<profile>/build/<pkg>/out`).
fn guest_target_dir(out_dir: &Path) -> Result<PathBuf> {
    let target = out_dir
        .ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .or_else(|| out_dir.ancestors().nth(4))
        .with_context(|| format!("cannot find the target folder above OUT_DIR {}", out_dir.display()))?;
    Ok(target.join("rules-guest"))
}

/// Adds the wasm32-unknown-unknown target to this toolchain when its standard library is missing.
fn ensure_wasm_target() -> Result<()> {
    if wasm_target_installed()? {
        return Ok(());
    }
    println!("cargo:warning=adding the {WASM_TARGET} target to the Rust toolchain (rustup target add {WASM_TARGET})");
    let status = Command::new("rustup").args(["target", "add", WASM_TARGET]).status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => bail!("`rustup target add {WASM_TARGET}` failed ({s}); run it by hand and build again"),
        Err(e) => bail!(
            "the {WASM_TARGET} target is not installed and rustup could not be run ({e}); install the target for this toolchain and build again"
        ),
    }
    ensure!(
        wasm_target_installed()?,
        "`rustup target add {WASM_TARGET}` succeeded but the target's standard library is still missing"
    );
    Ok(())
}

/// Whether the sysroot of the compiler cargo uses has the target's standard library.
fn wasm_target_installed() -> Result<bool> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .with_context(|| format!("running {} --print sysroot", rustc.to_string_lossy()))?;
    ensure!(
        out.status.success(),
        "`rustc --print sysroot` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sysroot = PathBuf::from(
        String::from_utf8(out.stdout)
            .context("sysroot path is not UTF-8")?
            .trim(),
    );
    Ok(sysroot
        .join("lib")
        .join("rustlib")
        .join(WASM_TARGET)
        .join("lib")
        .is_dir())
}

/// `cargo build --locked --release --target wasm32-unknown-unknown` of the whole guest workspace,
/// run from the guest folder so its `.cargo/config.toml` (stack size) applies.
fn build_guest(guest: &Path, target_dir: &Path) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(guest)
        .args([
            "build",
            "--locked",
            "--release",
            "--workspace",
            "--target",
            WASM_TARGET,
            "--manifest-path",
        ])
        .arg(guest.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir);
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        if REMOVED_VARS.contains(&key) || REMOVED_PREFIXES.iter().any(|p| key.starts_with(p)) {
            cmd.env_remove(key);
        }
    }
    let out = cmd
        .output()
        .with_context(|| format!("running {}", cargo.to_string_lossy()))?;
    if !out.status.success() {
        bail!(
            "the nested build of the guest plugins failed ({}).\n\
             Command: cargo build --locked --release --workspace --target {WASM_TARGET} --manifest-path {} --target-dir {}\n\
             (If Cargo.lock is out of date, run `cargo update --workspace` in rules/guest.)\n{}",
            out.status,
            guest.join("Cargo.toml").display(),
            target_dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}
