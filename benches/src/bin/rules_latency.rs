//! Single-evaluation latency (median, p99) and evaluations per second on one thread, for every way
//! a procurement can be decided here: each seed plugin fresh (one sandboxed instance per
//! evaluation), in batches (one instance per 1,000 procurements) and its own crate compiled
//! natively (the floor), and Bedfordshire's rules in Rego (regorus: interpreter and VM), Rhai and
//! CEL. Criterion (`cargo bench --bench rules`) reports means and confidence intervals; this times
//! each evaluation on its own, so it can report the tail.
//!
//!     cargo run --release -p bluelight-benches --bin rules_latency
//!     cargo run --release -p bluelight-benches --bin rules_latency -- --samples 20000 --only rego
//!
//! Prints markdown tables: latency with ratios to the same plugin compiled natively, and what the
//! procurement set covers.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bluelight_benches::{BEDFORDSHIRE, Setup, coverage};
use bluelight_rules::{Decision, Procurement};
use clap::Parser;

/// The service's allocator (`api/src/main.rs`): evaluations are timed as the service runs them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Median and p99 latency and evaluations per second of rule evaluation, one thread")]
struct Args {
    /// Timed evaluations per row (cycling through the 1,000 procurements).
    #[arg(long, default_value_t = 100_000)]
    samples: usize,
    /// Untimed evaluations before each row.
    #[arg(long, default_value_t = 5_000)]
    warmup: usize,
    /// Only rows whose name contains this.
    #[arg(long)]
    only: Option<String>,
}

struct Row {
    name: String,
    /// The plugin whose rules the row runs (its native row is the row's floor).
    tenant: &'static str,
    median: Duration,
    p99: Duration,
    mean: Duration,
    native: bool,
}

/// Times `samples` calls of `eval`, one by one, after `warmup` untimed ones.
fn measure(name: &str, tenant: &'static str, args: &Args, mut eval: impl FnMut(usize)) -> Option<Row> {
    if args.only.as_ref().is_some_and(|only| !name.contains(only.as_str())) {
        return None;
    }
    for i in 0..args.warmup {
        eval(i);
    }
    let mut times = Vec::with_capacity(args.samples);
    for i in 0..args.samples {
        let started = Instant::now();
        eval(i);
        times.push(started.elapsed());
    }
    times.sort_unstable();
    let total: Duration = times.iter().sum();
    let row = Row {
        name: name.to_owned(),
        tenant,
        median: times[times.len() / 2],
        p99: times[(times.len() * 99 / 100).min(times.len() - 1)],
        mean: total / times.len() as u32,
        native: false,
    };
    eprintln!("{:<44} median {:>10.2?}  p99 {:>10.2?}", row.name, row.median, row.p99);
    Some(row)
}

fn micros(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 10.0 {
        format!("{us:.2}")
    } else {
        format!("{us:.1}")
    }
}

fn per_second(mean: Duration) -> String {
    let n = 1.0 / mean.as_secs_f64();
    if n >= 1e6 {
        format!("{:.2}M", n / 1e6)
    } else {
        format!("{:.1}k", n / 1e3)
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.samples == 0 {
        anyhow::bail!("--samples must be at least 1");
    }
    eprintln!("preparing the plugins and engines, and checking that they agree ...");
    let mut setup = Setup::new()?;
    let mut rows = Vec::new();

    for seed in &setup.seeds {
        let set = &seed.procurements;
        let plugin = &seed.plugin;
        rows.extend(measure(
            &format!("{} — WebAssembly, fresh instance", seed.tenant),
            seed.tenant,
            &args,
            |i| {
                black_box(plugin.evaluate(black_box(&set[i % set.len()])).expect("checked"));
            },
        ));
        // One instance per pass over the set, as a replay or backtest runs: the first evaluation
        // of each batch pays for the instance.
        let mut batch = Some(plugin.batch());
        rows.extend(measure(
            &format!("{} — WebAssembly, batch of {}", seed.tenant, set.len()),
            seed.tenant,
            &args,
            |i| {
                if i.is_multiple_of(set.len()) {
                    batch = Some(plugin.batch());
                }
                let batch = batch.as_mut().expect("set above");
                black_box(batch.evaluate(black_box(&set[i % set.len()])).expect("checked"));
            },
        ));
        let guest_set = &seed.guest_procurements;
        if let Some(mut row) = measure(
            &format!("{} — its crate compiled natively (floor)", seed.tenant),
            seed.tenant,
            &args,
            |i| {
                black_box((seed.native)(black_box(&guest_set[i % guest_set.len()])));
            },
        ) {
            row.native = true;
            rows.push(row);
        }
    }

    let set: Vec<Procurement> = setup.bedfordshire().procurements.clone();
    let n = set.len();
    let Setup {
        rego,
        rego_vm,
        rhai,
        cel,
        ..
    } = &mut setup;
    let run = |name: &str, eval: &mut dyn FnMut(&Procurement) -> anyhow::Result<Decision>| {
        measure(name, BEDFORDSHIRE, &args, |i| {
            black_box(eval(black_box(&set[i % n])).expect("checked"));
        })
    };
    rows.extend(run("bedfordshire-police — Rego (regorus)", &mut |p| rego.evaluate(p)));
    rows.extend(run("bedfordshire-police — Rego (regorus RVM)", &mut |p| {
        rego_vm.evaluate(p)
    }));
    rows.extend(run("bedfordshire-police — Rhai", &mut |p| rhai.evaluate(p)));
    rows.extend(run("bedfordshire-police — CEL (cel)", &mut |p| cel.evaluate(p)));
    // What part of an engine's time is getting the procurement in.
    rows.extend(measure(
        "input only — JSON value to regorus::Value",
        BEDFORDSHIRE,
        &args,
        |i| {
            black_box(bluelight_benches::engines::regorus_input(black_box(&set[i % n])).expect("serialisable"));
        },
    ));
    rows.extend(measure(
        "input only — rhai::serde::to_dynamic",
        BEDFORDSHIRE,
        &args,
        |i| {
            let _ = black_box(rhai::serde::to_dynamic(black_box(&set[i % n])).expect("serialisable"));
        },
    ));
    rows.extend(measure("input only — cel::to_value", BEDFORDSHIRE, &args, |i| {
        black_box(cel::to_value(black_box(&set[i % n])).expect("serialisable"));
    }));

    let native_median = |tenant: &str| rows.iter().find(|r| r.native && r.tenant == tenant).map(|r| r.median);
    println!("| how | median µs | p99 µs | mean µs | evaluations/s, one thread | median × the plugin natively |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in &rows {
        let ratio = match native_median(r.tenant) {
            Some(median) if !r.name.starts_with("input only") => {
                format!("{:.1}×", r.median.as_secs_f64() / median.as_secs_f64())
            }
            _ => String::new(),
        };
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            r.name,
            micros(r.median),
            micros(r.p99),
            micros(r.mean),
            per_second(r.mean),
            ratio
        );
    }
    println!();
    println!(
        "{} timed evaluations per row after {} untimed; set of {n} procurements.",
        args.samples, args.warmup
    );

    let bedfordshire = setup.bedfordshire();
    let decisions: Vec<Decision> = bedfordshire
        .guest_procurements
        .iter()
        .map(|p| bluelight_benches::native::to_host((bedfordshire.native)(p)))
        .collect();
    let (outcomes, findings) = coverage(&decisions);
    println!();
    println!("Bedfordshire decisions on the set: {outcomes:?}");
    println!();
    println!("| finding | count |");
    println!("|---|---:|");
    for (finding, count) in findings {
        println!("| {finding} | {count} |");
    }
    Ok(())
}
