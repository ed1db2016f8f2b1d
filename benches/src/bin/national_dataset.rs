//! The national-scale data set (issue 13): about a hundred tenants (a police force for each of the
//! 43 areas, fire and rescue services, national bodies), 20,000 suppliers, 5,000 frameworks with
//! lots and some 50,000 awards, 100,000 contracts and 1,000,000 spend lines. Generated
//! deterministically (the same figures every run) and loaded only through the API, as the
//! national team and the forces would: tenants, suppliers and frameworks by POST, each tenant's
//! contracts register and spend by CSV import. Load it into a fresh database with the demo data
//! (its categories); `benches/national.sh` does that and measures the reads on it.
//!
//! Sizes are flags, so a smaller set can be loaded for a quick look (`--scale 0.1`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bluelight_api::area::Area;
use bluelight_benches::corpus::Rng;
use chrono::{Duration as Days, NaiveDate};
use clap::Parser;
use serde_json::{Value, json};

#[derive(Parser, Clone)]
#[command(about = "Load the national-scale data set into a running service, through its API")]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base_url: String,
    /// A national_admin token (`bluelight token --role national_admin`).
    #[arg(long, env = "TOKEN")]
    token: String,
    /// Multiplies every size below (0.1 for a tenth of the set).
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    #[arg(long, default_value_t = 20_000)]
    suppliers: usize,
    #[arg(long, default_value_t = 5_000)]
    frameworks: usize,
    /// Contracts in all (spread evenly over the tenants).
    #[arg(long, default_value_t = 100_000)]
    contracts: usize,
    /// Spend lines in all (spread evenly over the tenants).
    #[arg(long, default_value_t = 1_000_000)]
    spend_lines: usize,
    /// Fire and rescue services (43 police forces and 7 national bodies come with them).
    #[arg(long, default_value_t = 50)]
    fire_services: usize,
    /// Requests in flight at once while creating records.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

/// The set's one source of choices: the benchmarks' SplitMix64, so every run loads the same set.
struct Draw(Rng);

impl Draw {
    fn below(&mut self, n: usize) -> usize {
        self.0.below(n as u64) as usize
    }
}

#[derive(Clone)]
struct Tenant {
    slug: String,
    kind: &'static str,
}

#[derive(Clone)]
struct Framework {
    reference: String,
    eligibility: &'static str,
    start: NaiveDate,
    end: NaiveDate,
    /// The suppliers awarded on lot 1 (a call-off's supplier is one of them).
    lot_one: Vec<usize>,
}

fn tenants(args: &Args) -> Vec<(Tenant, Value)> {
    let mut all = Vec::new();
    for area in Area::ALL {
        let slug = format!("ns-{}-police", area.as_str());
        let body = json!({"slug": slug, "name": format!("{} Police (national set)", area.as_str()),
            "kind": "police", "region": area.region().as_str(), "area": area.as_str()});
        all.push((Tenant { slug, kind: "police" }, body));
    }
    for i in 0..args.fire_services {
        let area = Area::ALL[i % Area::ALL.len()];
        let slug = format!("ns-{}-fire-{}", area.as_str(), i / Area::ALL.len() + 1);
        let body = json!({"slug": slug, "name": format!("{} Fire and Rescue {} (national set)", area.as_str(), i),
            "kind": "fire", "region": area.region().as_str(), "area": area.as_str()});
        all.push((Tenant { slug, kind: "fire" }, body));
    }
    for i in 0..7 {
        let slug = format!("ns-national-body-{}", i + 1);
        let body = json!({"slug": slug, "name": format!("National body {} (national set)", i + 1),
            "kind": "national", "region": "london"});
        all.push((Tenant { slug, kind: "national" }, body));
    }
    all
}

fn supplier_body(i: usize) -> Value {
    let area = Area::ALL[i % Area::ALL.len()];
    json!({"name": format!("NS Supplier {i:05} Ltd"), "sme": !i.is_multiple_of(3), "vcse": i.is_multiple_of(17),
        "regions": [area.region().as_str()], "based_in": area.as_str(), "strategic": false})
}

fn framework_plan(i: usize, suppliers: usize, draw: &mut Draw) -> (Framework, Vec<Vec<usize>>) {
    let start = NaiveDate::from_ymd_opt(2022, 4, 1).unwrap() + Days::days((i % 1_400) as i64);
    let end = start + Days::days(4 * 365);
    let eligibility = ["police", "fire", "both"][i % 3];
    let lots = 1 + i % 4;
    let awards: Vec<Vec<usize>> = (0..lots)
        .map(|_| {
            let mut on_lot: Vec<usize> = (0..4).map(|_| draw.below(suppliers)).collect();
            on_lot.sort_unstable();
            on_lot.dedup();
            on_lot
        })
        .collect();
    let framework = Framework {
        reference: format!("NS-FW-{i:05}"),
        eligibility,
        start,
        end,
        lot_one: awards[0].clone(),
    };
    (framework, awards)
}

fn framework_body(framework: &Framework, awards: &[Vec<usize>], category: &str, supplier_ids: &[String]) -> Value {
    let lots: Vec<Value> = awards
        .iter()
        .enumerate()
        .map(|(n, on_lot)| {
            json!({"number": n + 1, "title": format!("Lot {}", n + 1), "routes": ["direct_award", "further_competition"],
                "max_value": "5000000.00",
                "suppliers": on_lot.iter().map(|&s| json!({"supplier_id": supplier_ids[s], "status": "active"})).collect::<Vec<_>>()})
        })
        .collect();
    json!({"reference": framework.reference, "title": format!("National set framework {}", framework.reference),
        "description": "Generated for the national-scale benchmarks.", "owning_body": "BlueLight Commercial",
        "category": category, "start_date": framework.start, "end_date": framework.end,
        "eligibility": framework.eligibility, "lots": lots})
}

/// Sends `count` POSTs built by `body(i)` with `concurrency` in flight; returns each answer's
/// `id` in order.
async fn create_all(
    client: &reqwest::Client,
    args: &Args,
    path: &str,
    count: usize,
    body: impl Fn(usize) -> Value + Send + Sync + 'static,
) -> anyhow::Result<Vec<String>> {
    let next = Arc::new(AtomicUsize::new(0));
    let body = Arc::new(body);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency {
        let (client, next, body) = (client.clone(), next.clone(), body.clone());
        let url = format!("{}{path}", args.base_url);
        let token = args.token.clone();
        workers.spawn(async move {
            let mut made = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return anyhow::Ok(made);
                }
                let response = client.post(&url).bearer_auth(&token).json(&body(i)).send().await?;
                let status = response.status();
                let answer: Value = response.json().await?;
                if status.as_u16() != 201 {
                    bail!("POST {url} #{i}: {status} {answer}");
                }
                made.push((i, answer["id"].as_str().unwrap_or_default().to_owned()));
            }
        });
    }
    let mut ids = vec![String::new(); count];
    while let Some(done) = workers.join_next().await {
        for (i, id) in done?? {
            ids[i] = id;
        }
    }
    Ok(ids)
}

/// Posts a CSV import as the national admin and waits for it to complete.
async fn import(client: &reqwest::Client, args: &Args, tenant: &str, kind: &str, csv: String) -> anyhow::Result<()> {
    let url = format!("{}/api/v1/tenants/{tenant}/{kind}-imports", args.base_url);
    let response = client
        .post(&url)
        .bearer_auth(&args.token)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await?;
    let status = response.status();
    let record: Value = response.json().await?;
    if !matches!(status.as_u16(), 200 | 202) {
        bail!("{kind} import for {tenant}: {status} {record}");
    }
    let location = format!(
        "{}/api/v1/tenants/{tenant}/imports/{}",
        args.base_url,
        record["id"].as_str().unwrap()
    );
    loop {
        let seen: Value = client
            .get(&location)
            .bearer_auth(&args.token)
            .send()
            .await?
            .json()
            .await?;
        match seen["status"].as_str() {
            Some("completed") => return Ok(()),
            Some("running") => tokio::time::sleep(Duration::from_millis(50)).await,
            _ => bail!("{kind} import for {tenant} ended: {seen}"),
        }
    }
}

fn scaled(n: usize, scale: f64) -> usize {
    ((n as f64 * scale).round() as usize).max(1)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = Args::parse();
    args.suppliers = scaled(args.suppliers, args.scale);
    args.frameworks = scaled(args.frameworks, args.scale);
    args.contracts = scaled(args.contracts, args.scale);
    args.spend_lines = scaled(args.spend_lines, args.scale);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let mut draw = Draw(Rng(20_261_204));
    let started = Instant::now();

    let tenants = tenants(&args);
    let bodies: Vec<Value> = tenants.iter().map(|(_, body)| body.clone()).collect();
    create_all(&client, &args, "/api/v1/tenants", bodies.len(), move |i| {
        bodies[i].clone()
    })
    .await?;
    let tenants: Vec<Tenant> = tenants.into_iter().map(|(tenant, _)| tenant).collect();
    println!("tenants: {} in {:.1?}", tenants.len(), started.elapsed());

    let phase = Instant::now();
    let supplier_ids = create_all(&client, &args, "/api/v1/suppliers", args.suppliers, supplier_body).await?;
    println!("suppliers: {} in {:.1?}", supplier_ids.len(), phase.elapsed());

    let categories: Value = client
        .get(format!("{}/api/v1/categories?limit=200", args.base_url))
        .bearer_auth(&args.token)
        .send()
        .await?
        .json()
        .await?;
    let categories: Vec<String> = categories["items"]
        .as_array()
        .context("the categories (load the demo data first)")?
        .iter()
        .filter_map(|c| c["slug"].as_str().map(String::from))
        .collect();
    let phase = Instant::now();
    let plans: Vec<(Framework, Vec<Vec<usize>>)> = (0..args.frameworks)
        .map(|i| framework_plan(i, supplier_ids.len(), &mut draw))
        .collect();
    let awards: usize = plans
        .iter()
        .map(|(_, lots)| lots.iter().map(Vec::len).sum::<usize>())
        .sum();
    let frameworks: Vec<Framework> = plans.iter().map(|(f, _)| f.clone()).collect();
    let (plans, ids, cats) = (
        Arc::new(plans),
        Arc::new(supplier_ids.clone()),
        Arc::new(categories.clone()),
    );
    create_all(&client, &args, "/api/v1/frameworks", args.frameworks, move |i| {
        let (framework, lots) = &plans[i];
        framework_body(framework, lots, &cats[i % cats.len()], &ids)
    })
    .await?;
    println!(
        "frameworks: {} with {awards} awards in {:.1?}",
        frameworks.len(),
        phase.elapsed()
    );

    let phase = Instant::now();
    let per_tenant = args.contracts.div_ceil(tenants.len());
    let mut contracts_made = 0;
    let mut contracts_of = Vec::new();
    for (t, tenant) in tenants.iter().enumerate() {
        let mut csv = String::from("reference,title,supplier,category,value,start_date,end_date,framework,lot\n");
        let count = per_tenant.min(args.contracts - contracts_made);
        let mut suppliers_of_contracts = Vec::with_capacity(count);
        for c in 0..count {
            let start = NaiveDate::from_ymd_opt(2023, 4, 1).unwrap() + Days::days(draw.below(1_000) as i64);
            let end = start + Days::days(365 * (1 + draw.below(4) as i64));
            let value = 5_000 + draw.below(2_000_000);
            // A third are call-offs from a framework open to the tenant and live at the start.
            let call_off = (c % 3 == 0 && tenant.kind != "national")
                .then(|| {
                    let f = &frameworks[draw.below(frameworks.len())];
                    let open = f.eligibility == "both" || f.eligibility == tenant.kind;
                    (open && f.start <= start && start <= f.end).then_some(f)
                })
                .flatten();
            let (supplier, framework, lot) = match call_off {
                Some(f) => (f.lot_one[c % f.lot_one.len()], f.reference.as_str(), "1"),
                None => (draw.below(supplier_ids.len()), "", ""),
            };
            suppliers_of_contracts.push(supplier);
            csv.push_str(&format!(
                "NS-C-{t:03}-{c:05},Contract {c} of {},NS Supplier {supplier:05} Ltd,{},{value}.00,{start},{end},{framework},{lot}\n",
                tenant.slug,
                categories[draw.below(categories.len())],
            ));
            contracts_made += 1;
        }
        contracts_of.push(suppliers_of_contracts);
        // A set without contracts (`--contracts 0`) sends no file: an empty one is refused.
        if count > 0 {
            import(&client, &args, &tenant.slug, "contract", csv).await?;
        }
    }
    println!("contracts: {contracts_made} in {:.1?}", phase.elapsed());

    let phase = Instant::now();
    let per_tenant = args.spend_lines.div_ceil(tenants.len());
    let mut lines_made = 0;
    for (t, tenant) in tenants.iter().enumerate() {
        let mut csv = String::from("transaction_id,date,supplier,amount,contract_reference,category\n");
        let count = per_tenant.min(args.spend_lines - lines_made);
        if count == 0 {
            continue;
        }
        for l in 0..count {
            let date = NaiveDate::from_ymd_opt(2024, 4, 1).unwrap() + Days::days(draw.below(730) as i64);
            let amount = 500 + draw.below(50_000);
            let pence = draw.below(100);
            let supplier = draw.below(supplier_ids.len());
            // Nine lines in ten are paid to one of the tenant's contracts, to its supplier.
            if l % 10 != 0 && !contracts_of[t].is_empty() {
                let c = draw.below(contracts_of[t].len());
                let supplier = contracts_of[t][c];
                csv.push_str(&format!(
                    "NS-S-{t:03}-{l:07},{date},NS Supplier {supplier:05} Ltd,{amount}.{pence:02},NS-C-{t:03}-{c:05},\n"
                ));
            } else {
                csv.push_str(&format!(
                    "NS-S-{t:03}-{l:07},{date},NS Supplier {supplier:05} Ltd,{amount}.{pence:02},,{}\n",
                    categories[draw.below(categories.len())]
                ));
            }
            lines_made += 1;
        }
        import(&client, &args, &tenant.slug, "spend", csv).await?;
    }
    println!("spend lines: {lines_made} in {:.1?}", phase.elapsed());
    println!("loaded in {:.1?}", started.elapsed());
    Ok(())
}
