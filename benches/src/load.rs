//! A closed-loop load generator for the catalogue reads: N concurrent clients, each sending the
//! next request as soon as the last one answered, for a fixed time. Prints reads per second and
//! the latency distribution. Bounded in time and aimed only at the URLs it is given (loopback);
//! given several (instances of the service on one database), requests go to them in turn.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use serde_json::Value;

#[derive(Parser)]
#[command(about = "Measure catalogue reads per second and latency against a running service")]
struct Args {
    /// The service, e.g. http://127.0.0.1:8080; repeat it for several instances, which then
    /// take the requests in turn (round-robin).
    #[arg(long = "base-url", default_value = "http://127.0.0.1:8080")]
    base_urls: Vec<String>,
    /// A bearer token (mint one with `bluelight token --role buyer --tenant lancashire-constabulary`).
    #[arg(long, env = "TOKEN")]
    token: String,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Measured seconds (after a 2 s warm-up).
    #[arg(long, default_value_t = 15)]
    seconds: u64,
    /// Read only these paths (repeat for several, e.g. `--path '/api/v1/frameworks?limit=20'`)
    /// instead of the catalogue mix.
    #[arg(long = "path")]
    paths: Vec<String>,
    /// POST this JSON file's contents to the paths instead of reading them (e.g. a draft
    /// evaluation: `--path /api/v1/tenants/bedfordshire-police/evaluate --post-json draft.json`).
    #[arg(long, requires = "paths")]
    post_json: Option<std::path::PathBuf>,
    /// A label for the output line.
    #[arg(long, default_value = "")]
    label: String,
}

/// The read mix: lists with and without filters, and single records with their children.
fn request_mix(framework_ids: &[String], supplier_ids: &[String]) -> Vec<String> {
    let mut paths = vec![
        "/api/v1/frameworks?limit=50".to_owned(),
        "/api/v1/frameworks?status=live&eligible_for=lancashire-constabulary".to_owned(),
        "/api/v1/frameworks?q=armour".to_owned(),
        "/api/v1/suppliers?strategic=true".to_owned(),
        "/api/v1/suppliers?region=north-west&sme=true".to_owned(),
        "/api/v1/categories?limit=100".to_owned(),
    ];
    paths.extend(
        framework_ids
            .iter()
            .take(20)
            .map(|id| format!("/api/v1/frameworks/{id}")),
    );
    paths.extend(supplier_ids.iter().take(10).map(|id| format!("/api/v1/suppliers/{id}")));
    paths
}

async fn ids(client: &reqwest::Client, args: &Args, path: &str) -> anyhow::Result<Vec<String>> {
    let page: Value = client
        .get(format!("{}{path}", args.base_urls[0]))
        .bearer_auth(&args.token)
        .send()
        .await?
        .error_for_status()
        .with_context(|| format!("GET {path}"))?
        .json()
        .await?;
    Ok(page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item["id"].as_str().map(String::from))
        .collect())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let body: Option<Vec<u8>> = match &args.post_json {
        Some(file) => Some(std::fs::read(file).with_context(|| format!("reading {}", file.display()))?),
        None => None,
    };
    let paths = if args.paths.is_empty() {
        let framework_ids = ids(&client, &args, "/api/v1/frameworks?limit=200").await?;
        let supplier_ids = ids(&client, &args, "/api/v1/suppliers?limit=200").await?;
        if framework_ids.is_empty() || supplier_ids.is_empty() {
            bail!("the service has no frameworks or suppliers; load the demo data first");
        }
        request_mix(&framework_ids, &supplier_ids)
    } else {
        args.paths.clone()
    };

    let warm_up_until = Instant::now() + Duration::from_secs(2);
    let stop_at = warm_up_until + Duration::from_secs(args.seconds);
    let mut workers = Vec::new();
    for worker in 0..args.concurrency {
        let client = client.clone();
        let paths = paths.clone();
        let bases = args.base_urls.clone();
        let token = args.token.clone();
        let body = body.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies_us = Vec::new();
            let mut errors = 0u64;
            let mut next = worker;
            loop {
                let started = Instant::now();
                if started >= stop_at {
                    break;
                }
                let path = &paths[next % paths.len()];
                let base = &bases[next % bases.len()];
                next += 1;
                let request = match &body {
                    Some(body) => client
                        .post(format!("{base}{path}"))
                        .header("Content-Type", "application/json")
                        .body(body.clone()),
                    None => client.get(format!("{base}{path}")),
                };
                let ok = match request.bearer_auth(&token).send().await {
                    Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if started >= warm_up_until {
                    latencies_us.push(started.elapsed().as_micros() as u64);
                    if !ok {
                        errors += 1;
                    }
                }
            }
            (latencies_us, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for worker in workers {
        let (l, e) = worker.await?;
        latencies.extend(l);
        errors += e;
    }
    latencies.sort_unstable();
    let percentile =
        |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)] as f64 / 1000.0;
    println!(
        "{label}requests={n} errors={errors} reads/s={rps:.0} p50={p50:.2}ms p90={p90:.2}ms p99={p99:.2}ms max={max:.2}ms (concurrency {c}, {s} s, {i} instance(s))",
        label = if args.label.is_empty() {
            String::new()
        } else {
            format!("{}: ", args.label)
        },
        n = latencies.len(),
        rps = latencies.len() as f64 / args.seconds as f64,
        p50 = percentile(0.50),
        p90 = percentile(0.90),
        p99 = percentile(0.99),
        max = percentile(1.0),
        c = args.concurrency,
        s = args.seconds,
        i = args.base_urls.len(),
    );
    Ok(())
}
