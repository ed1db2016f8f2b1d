//! Rule evaluation, every way a procurement can be decided here, over one set of 1,000 varied
//! procurements (`bluelight_benches::corpus`), after checking that every engine decides each of
//! them as the plugin does:
//!
//! - `fresh/<plugin>`: a buyer's single evaluation, `Plugin::evaluate` (a fresh sandboxed
//!   instance, one call, dropped), for each seed plugin;
//! - `batch/<plugin>`: a replay or backtest, one `Plugin::batch()` (one instance) over the set;
//! - `native/<plugin>`: the floor, the plugin's own crate compiled natively and called directly on
//!   the set already in its types (`bluelight_benches::native`);
//! - `bedfordshire/*`: the same rules as the Bedfordshire plugin written as Rego (regorus: its
//!   interpreter and its bytecode VM), Rhai and CEL, each including the conversion of the
//!   procurement into the engine's input and of its answer back into a `Decision`.
//!
//! One iteration decides the whole set (`Throughput::Elements(1000)`): criterion's time per
//! iteration in ms is the time per procurement in µs, and its throughput is evaluations per second.
//!
//!     cargo bench -p bluelight-benches --bench rules
//!     cargo bench -p bluelight-benches --bench rules -- bedfordshire/   # one group

use std::hint::black_box;
use std::time::Duration;

use bluelight_benches::Setup;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The service's allocator (`api/src/main.rs`): evaluations are timed as the service runs them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn rules(c: &mut Criterion) {
    let mut setup = Setup::new().expect("the benchmark set-up (plugins, engines) failed");
    let n = setup.bedfordshire().procurements.len() as u64;

    {
        let mut group = c.benchmark_group("fresh");
        group.throughput(Throughput::Elements(n));
        for seed in &setup.seeds {
            group.bench_function(seed.tenant, |b| {
                b.iter(|| {
                    for p in &seed.procurements {
                        black_box(seed.plugin.evaluate(black_box(p)).expect("checked"));
                    }
                })
            });
        }
        group.finish();
    }

    {
        let mut group = c.benchmark_group("batch");
        group.throughput(Throughput::Elements(n));
        for seed in &setup.seeds {
            group.bench_function(seed.tenant, |b| {
                b.iter(|| {
                    let mut batch = seed.plugin.batch();
                    for p in &seed.procurements {
                        black_box(batch.evaluate(black_box(p)).expect("checked"));
                    }
                })
            });
        }
        group.finish();
    }

    {
        let mut group = c.benchmark_group("native");
        group.throughput(Throughput::Elements(n));
        for seed in &setup.seeds {
            group.bench_function(seed.tenant, |b| {
                b.iter(|| {
                    for p in &seed.guest_procurements {
                        black_box((seed.native)(black_box(p)));
                    }
                })
            });
        }
        group.finish();
    }

    let procurements = setup.bedfordshire().procurements.clone();
    let mut group = c.benchmark_group("bedfordshire");
    group.throughput(Throughput::Elements(n));
    let Setup {
        rego,
        rego_vm,
        rhai,
        cel,
        ..
    } = &mut setup;
    group.bench_function("rego-regorus", |b| {
        b.iter(|| {
            for p in &procurements {
                black_box(rego.evaluate(black_box(p)).expect("checked"));
            }
        })
    });
    group.bench_function("rego-regorus-rvm", |b| {
        b.iter(|| {
            for p in &procurements {
                black_box(rego_vm.evaluate(black_box(p)).expect("checked"));
            }
        })
    });
    group.bench_function("rhai", |b| {
        b.iter(|| {
            for p in &procurements {
                black_box(rhai.evaluate(black_box(p)).expect("checked"));
            }
        })
    });
    group.bench_function("cel", |b| {
        b.iter(|| {
            for p in &procurements {
                black_box(cel.evaluate(black_box(p)).expect("checked"));
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // Each iteration is 1,000 evaluations (1-200 ms), so fewer samples than the default suffice.
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8));
    targets = rules
}
criterion_main!(benches);
