//! How much memory the rule plugins of a national service take while resident: every tenant's
//! versions compiled and kept by one engine, as the service keeps them, each evaluated once.
//! Each version is a distinct copy of a seed plugin (its bytes with a custom section naming the
//! copy appended), so each hashes, compiles and is kept separately, as distinct versions are.
//! Prints resident memory (VmRSS, from /proc/self/status) before and after, what one version
//! costs, and the compile time. Linux only; release build:
//!
//!   cargo run --release -p bluelight-benches --bin plugin_residency -- --tenants 100 --versions 3

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bluelight_benches::corpus;
use bluelight_rules::{Limits, Plugin, RuleEngine};
use bluelight_rules_bundled::seed_plugins;
use bluelight_rules_package::append_custom_section;
use clap::Parser;

#[derive(Parser)]
#[command(about = "Measure the memory resident plugins take")]
struct Args {
    #[arg(long, default_value_t = 100)]
    tenants: usize,
    #[arg(long, default_value_t = 3)]
    versions: usize,
    /// The seed plugin copied (a tenant's slug).
    #[arg(long, default_value = "bedfordshire-police")]
    plugin: String,
}

/// Resident memory of this process, in bytes.
fn resident_bytes() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .context("no VmRSS line")?;
    let kib: u64 = line.split_whitespace().nth(1).context("VmRSS value")?.parse()?;
    Ok(kib * 1024)
}

/// The component with a custom section appended: the same plugin, other bytes.
fn copy_of(wasm: &[u8], name: &str) -> Vec<u8> {
    let mut copy = wasm.to_vec();
    append_custom_section(&mut copy, "bluelight-bench-copy", name.as_bytes());
    copy
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let seed = seed_plugins()
        .iter()
        .find(|p| p.tenant == args.plugin)
        .with_context(|| format!("no seed plugin for {}", args.plugin))?;
    let input = corpus::procurements(&args.plugin).remove(0);
    let engine = RuleEngine::new(Limits::default())?;
    let before = resident_bytes()?;
    let count = args.tenants * args.versions;
    // Held here as well as by the engine's cache, whose capacity may be below `count`.
    let mut resident: Vec<Arc<Plugin>> = Vec::with_capacity(count);
    let mut compiles: Vec<Duration> = Vec::with_capacity(count);
    for i in 0..count {
        let wasm = copy_of(
            seed.wasm,
            &format!("tenant-{}-version-{}", i / args.versions, i % args.versions),
        );
        let started = Instant::now();
        let plugin = engine.load(&wasm).map_err(|e| anyhow::anyhow!("copy {i}: {e}"))?;
        compiles.push(started.elapsed());
        engine.keep(&plugin);
        if let Err(e) = plugin.evaluate(&input) {
            bail!("copy {i} failed to evaluate: {e}");
        }
        resident.push(plugin);
    }
    let after = resident_bytes()?;
    compiles.sort_unstable();
    println!(
        "{count} versions of {} ({} KiB each) resident: RSS {:.1} MiB before, {:.1} MiB after, {:.2} MiB a version; \
         compile median {:.0?}, slowest {:.0?}",
        args.plugin,
        seed.wasm.len() / 1024,
        mib(before),
        mib(after),
        mib(after.saturating_sub(before)) / count as f64,
        compiles[compiles.len() / 2],
        compiles[compiles.len() - 1],
    );
    Ok(())
}
