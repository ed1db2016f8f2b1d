//! A deterministic set of realistic, varied procurements: the same set for every engine and run.
//!
//! Values cover every Bedfordshire band and each boundary (£6,000.00 / £6,000.01, £60,000.00 /
//! £60,000.01 / £60,000.99 / £60,001.00, their VAT-inclusive equivalents), spread log-uniformly
//! between £1 and £5m otherwise; every route; 0-4 quotes, some from one supplier under two
//! spellings or one national id; weightings absent, complete, missing a criterion or not adding up;
//! call-offs live, expired, closed to the force or missing; single tender actions with evidence,
//! blank evidence or none; and a few malformed records (negative value or quote).

use bluelight_rules::{CallOff, CategoryRef, ContractType, PluginQuote, Procurement, Route, VatTreatment, Weightings};
use chrono::NaiveDate;

/// How many procurements the benchmarks use.
pub const SIZE: usize = 1_000;

/// Values (pence) at and either side of each threshold, VAT-exclusive and VAT-inclusive.
const BOUNDARIES: &[(i64, VatTreatment)] = &[
    (0, VatTreatment::Exclusive),
    (1, VatTreatment::Exclusive),
    (599_999, VatTreatment::Exclusive),
    (600_000, VatTreatment::Exclusive),
    (600_001, VatTreatment::Exclusive),
    (600_000, VatTreatment::Exempt),
    (720_000, VatTreatment::Inclusive),
    (720_001, VatTreatment::Inclusive),
    (720_002, VatTreatment::Inclusive),
    (5_999_999, VatTreatment::Exclusive),
    (6_000_000, VatTreatment::Exclusive),
    (6_000_001, VatTreatment::Exclusive),
    (6_000_050, VatTreatment::Exclusive),
    (6_000_099, VatTreatment::Exclusive),
    (6_000_100, VatTreatment::Exclusive),
    (7_200_000, VatTreatment::Inclusive),
    (7_200_001, VatTreatment::Inclusive),
    (7_200_006, VatTreatment::Inclusive),
];

const TITLES: &[(&str, ContractType, &str, &[&str])] = &[
    (
        "Body armour covers",
        ContractType::Goods,
        "body-armour",
        &["uniform-and-ppe", "body-armour"],
    ),
    (
        "Station furniture",
        ContractType::Goods,
        "furniture",
        &["estates", "furniture"],
    ),
    (
        "Custody suite cleaning",
        ContractType::Services,
        "cleaning",
        &["estates", "facilities", "cleaning"],
    ),
    ("Fleet tyres", ContractType::Goods, "tyres", &["fleet", "tyres"]),
    (
        "Forensic toxicology",
        ContractType::Services,
        "forensic-services",
        &["forensics", "forensic-services"],
    ),
    (
        "Radio airtime",
        ContractType::Services,
        "airtime",
        &["ict", "communications", "airtime"],
    ),
    (
        "HQ roof repairs",
        ContractType::Works,
        "building-works",
        &["estates", "building-works"],
    ),
    (
        "Victim support counselling",
        ContractType::Services,
        "victim-services",
        &["commissioning", "victim-services"],
    ),
    (
        "Laptops for response teams",
        ContractType::Goods,
        "end-user-devices",
        &["ict", "end-user-devices"],
    ),
    (
        "Training ammunition",
        ContractType::Goods,
        "ammunition",
        &["operational-equipment", "ammunition"],
    ),
];

/// Supplier names with the variants a buyer types: the same firm in another case or spacing.
const SUPPLIERS: &[(&str, Option<&str>)] = &[
    ("Acme Protective Ltd", None),
    ("acme  protective LTD", None),
    ("Bedford Safety Supplies", None),
    ("National Armour plc", Some("sup-0003")),
    ("National Armour Public Limited Company", Some("sup-0003")),
    ("Office Seating Ltd", Some("sup-0001")),
    ("Desks Direct", None),
    ("Luton Fleet Services", None),
    ("Chiltern Cleaning Co", Some(" ")),
    ("Three Counties Forensics", Some("sup-0042")),
    ("Dunstable Digital", None),
    ("  Dunstable   Digital ", None),
];

const EVIDENCE: &[Option<&str>] = &[
    None,
    Some(""),
    Some("   "),
    Some("Market engagement event 2026-09-01; one provider responded"),
    Some("Only the manufacturer can service the custody CCTV (sole IP owner); a market sounding had no other replies."),
];

/// SplitMix64: small, fast and the same on every machine.
pub struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// `SIZE` procurements for `tenant`, always the same ones.
pub fn procurements(tenant: &str) -> Vec<Procurement> {
    let mut rng = Rng(0x0B1E_5167_2026_1123);
    (0..SIZE).map(|i| procurement(&mut rng, tenant, i)).collect()
}

fn procurement(rng: &mut Rng, tenant: &str, i: usize) -> Procurement {
    let (value_pence, vat) = value(rng, i);
    let route = *rng.pick(&[
        Route::SingleQuote,
        Route::MultipleQuotes,
        Route::MultipleQuotes,
        Route::ETender,
        Route::OpenTender,
        Route::FrameworkCallOff,
        Route::SingleTenderAction,
    ]);
    let (title, contract_type, slug, path) = *rng.pick(TITLES);
    let quote_count = match route {
        Route::SingleQuote => rng.pick(&[0, 1, 1, 1, 2]),
        Route::MultipleQuotes => rng.pick(&[0, 1, 2, 3, 3, 3, 4]),
        Route::ETender | Route::OpenTender => rng.pick(&[0, 2, 3, 4]),
        _ => rng.pick(&[0, 0, 1]),
    };
    let quotes = (0..*quote_count)
        .map(|_| {
            let (name, id) = *rng.pick(SUPPLIERS);
            let base = value_pence.max(100);
            let spread = (base / 10).max(1) as u64;
            let mut amount = base - (spread / 2) as i64 + rng.below(spread) as i64;
            if rng.chance(1) {
                amount = -amount;
            }
            PluginQuote {
                supplier_name: name.to_owned(),
                supplier_id: id.map(str::to_owned),
                amount_pence: amount,
                local: rng.chance(40),
                sme: rng.chance(50),
                vcse: rng.chance(10),
            }
        })
        .collect();
    let tendering = matches!(route, Route::ETender | Route::OpenTender);
    let weightings = if rng.chance(if tendering { 85 } else { 15 }) {
        Some(weightings(rng))
    } else {
        None
    };
    let call_off = match route {
        Route::FrameworkCallOff if rng.chance(90) => Some(call_off(rng)),
        _ if rng.chance(5) => Some(call_off(rng)),
        _ => None,
    };
    let market_engagement_evidence = match route {
        Route::SingleTenderAction => *rng.pick(EVIDENCE),
        _ if rng.chance(5) => *rng.pick(EVIDENCE),
        _ => None,
    }
    .map(str::to_owned);
    Procurement {
        tenant: tenant.to_owned(),
        reference: format!("BENCH-{i:05}"),
        title: title.to_owned(),
        value_pence,
        vat,
        contract_type,
        category: CategoryRef {
            slug: slug.to_owned(),
            path: path.iter().map(|s| (*s).to_owned()).collect(),
        },
        route,
        quotes,
        weightings,
        social_value_relevant: rng.chance(50),
        call_off,
        published: rng.chance(if tendering { 75 } else { 20 }),
        market_engagement_evidence,
        evaluation_date: NaiveDate::from_ymd_opt(2026, 11, 23).expect("a valid date"),
        authority_type: bluelight_rules::AuthorityType::SubCentral,
        light_touch: false,
        procedure: None,
        direct_award: None,
        notices: Vec::new(),
        conflicts_assessed: false,
        kpis_set: 0,
        approvals: Vec::new(),
        single_tender_justification: None,
    }
}

fn value(rng: &mut Rng, i: usize) -> (i64, VatTreatment) {
    // Every boundary several times over (each with other routes and quotes), then a spread.
    if i.is_multiple_of(4) {
        return BOUNDARIES[(i / 4) % BOUNDARIES.len()];
    }
    if rng.chance(1) {
        return (-(rng.below(1_000_000) as i64) - 1, VatTreatment::Exclusive);
    }
    // Log-uniform between £1 and £5,000,000: most purchases are small, a few are large.
    let exponent = 2.0 + 6.7 * (rng.below(1_000_000) as f64 / 1_000_000.0);
    let value = 10f64.powf(exponent) as i64;
    let vat = *rng.pick(&[
        VatTreatment::Exclusive,
        VatTreatment::Exclusive,
        VatTreatment::Exclusive,
        VatTreatment::Inclusive,
        VatTreatment::Exempt,
    ]);
    (value, vat)
}

fn weightings(rng: &mut Rng) -> Weightings {
    match rng.below(10) {
        // A criterion left out.
        0 => Weightings {
            price: 7000,
            quality: 3000,
            social_value: 0,
        },
        1 => Weightings {
            price: 0,
            quality: 9000,
            social_value: 1000,
        },
        // Not adding up to 100%.
        2 => Weightings {
            price: 5000,
            quality: 3000,
            social_value: 1000,
        },
        _ => {
            let social_value = *rng.pick(&[500, 1000, 1000, 1500, 2000]);
            let price = 2000 + 500 * rng.below(10) as u32;
            Weightings {
                price,
                quality: 10_000 - price - social_value,
                social_value,
            }
        }
    }
}

fn call_off(rng: &mut Rng) -> CallOff {
    CallOff {
        framework_reference: rng
            .pick(&["RM6133", "BLC-0042", "RM6267", "NPPS-FLEET-2025"])
            .to_string(),
        lot_number: 1 + rng.below(6) as u32,
        framework_live: rng.chance(80),
        open_to_tenant: rng.chance(85),
    }
}
