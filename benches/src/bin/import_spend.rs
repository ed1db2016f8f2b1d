//! Times a spend import of N lines (default 100,000) against a running service: the check (POST
//! until 202), the write (202 until the import completes, polled), and then a KPI report over
//! the imported year. The file is generated here, deterministically, from the tenant's own
//! register and the national suppliers, so every line is valid and most are under a contract.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use serde_json::Value;

#[derive(Parser)]
#[command(about = "Measure a large spend import against a running service")]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base_url: String,
    /// A buyer's token for the tenant (`bluelight token --role buyer --tenant <slug>`).
    #[arg(long, env = "TOKEN")]
    token: String,
    #[arg(long, default_value = "lancashire-constabulary")]
    tenant: String,
    #[arg(long, default_value_t = 100_000)]
    lines: usize,
    /// A label for the output line.
    #[arg(long, default_value = "")]
    label: String,
}

async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<Value> {
    let response = client.get(url).bearer_auth(token).send().await?;
    if !response.status().is_success() {
        bail!("GET {url}: {}", response.status());
    }
    Ok(response.json().await?)
}

/// Every item of a paginated list.
async fn all_items(client: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<Vec<Value>> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page_url = match &cursor {
            Some(c) => format!("{url}?limit=200&cursor={c}"),
            None => format!("{url}?limit=200"),
        };
        let page = get_json(client, &page_url, token).await?;
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(items),
        }
    }
}

/// A spend file: 9 lines in 10 under one of the register's contracts, the rest with national
/// suppliers off contract; dates spread over the financial year 2025-26.
fn spend_csv(lines: usize, contracts: &[(String, String)], suppliers: &[String]) -> String {
    let mut csv = String::with_capacity(lines * 90);
    csv.push_str("transaction_id,date,supplier,amount,contract_reference,expense_type\n");
    let start = chrono::NaiveDate::from_ymd_opt(2025, 4, 1).expect("a date");
    let mut seed: u64 = 0x5eed;
    for i in 0..lines {
        // xorshift: deterministic, no dependency.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let date = start + chrono::Days::new(seed % 365);
        let pence = 50_000 + seed % 5_000_000;
        let (supplier, contract) = if i % 10 != 9 && !contracts.is_empty() {
            let (reference, supplier) = &contracts[(seed as usize / 7) % contracts.len()];
            (supplier.as_str(), reference.as_str())
        } else {
            (suppliers[(seed as usize / 11) % suppliers.len()].as_str(), "")
        };
        let supplier = supplier.replace('"', "\"\"");
        csv.push_str(&format!(
            "BULK-{i:07},{date},\"{supplier}\",{}.{:02},{contract},Goods and services\n",
            pence / 100,
            pence % 100
        ));
    }
    csv
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let client = reqwest::Client::new();
    let base = args.base_url.trim_end_matches('/');
    let tenant_url = format!("{base}/api/v1/tenants/{}", args.tenant);
    let contracts: Vec<(String, String)> = all_items(&client, &format!("{tenant_url}/contracts"), &args.token)
        .await
        .context("reading the tenant's register")?
        .iter()
        .filter(|c| c["start_date"].as_str() <= Some("2026-03-31") && c["end_date"].as_str() >= Some("2025-04-01"))
        .map(|c| {
            (
                c["reference"].as_str().unwrap_or_default().to_owned(),
                c["supplier_name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let suppliers: Vec<String> = all_items(&client, &format!("{base}/api/v1/suppliers"), &args.token)
        .await
        .context("reading the national suppliers")?
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    if suppliers.is_empty() {
        bail!("no national suppliers: start the service with the demo data");
    }
    let csv = spend_csv(args.lines, &contracts, &suppliers);
    let bytes = csv.len();

    let started = Instant::now();
    let response = client
        .post(format!("{tenant_url}/spend-imports?filename=bulk.csv"))
        .bearer_auth(&args.token)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await?;
    let status = response.status();
    let accepted: Value = response.json().await?;
    if status != reqwest::StatusCode::ACCEPTED {
        bail!("the import was not accepted ({status}): {accepted}");
    }
    let checked = started.elapsed();
    let import_url = format!("{tenant_url}/imports/{}", accepted["id"].as_str().unwrap_or_default());
    let mut progress_seen = Vec::new();
    let import = loop {
        let import = get_json(&client, &import_url, &args.token).await?;
        if import["status"] != "running" {
            break import;
        }
        progress_seen.push(import["rows_written"].as_i64().unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let total = started.elapsed();
    if import["status"] != "completed" {
        bail!("the import did not complete: {import}");
    }
    let kpi_started = Instant::now();
    get_json(
        &client,
        &format!("{tenant_url}/kpis?from=2025-04-01&to=2026-03-31"),
        &args.token,
    )
    .await?;
    let kpi = kpi_started.elapsed();
    let national_started = Instant::now();
    let national = get_json(
        &client,
        &format!("{base}/api/v1/national/suppliers?from=2025-04-01&to=2026-03-31"),
        &args.token,
    )
    .await;
    let national = national.ok().map(|_| national_started.elapsed());

    println!(
        "{}: {} lines ({:.1} MB): checked in {:.2} s, written in {:.2} s, total {:.2} s ({:.0} lines/s); progress polled {} times ({:?}...); KPI report over the year {:.0} ms{}",
        args.label,
        args.lines,
        bytes as f64 / 1e6,
        checked.as_secs_f64(),
        (total - checked).as_secs_f64(),
        total.as_secs_f64(),
        args.lines as f64 / total.as_secs_f64(),
        progress_seen.len(),
        progress_seen.iter().take(4).collect::<Vec<_>>(),
        kpi.as_secs_f64() * 1e3,
        national
            .map(|d| format!(", national suppliers report {:.0} ms", d.as_secs_f64() * 1e3))
            .unwrap_or_default(),
    );
    Ok(())
}
