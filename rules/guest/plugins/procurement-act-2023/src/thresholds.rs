//! The Act's figures as dated data. Each set applies to procurements commenced on or after its
//! `from` date; every figure is inclusive of VAT, in whole pence.

use bluelight_rules_sdk::Pence;

/// The Procurement Act 2023 came into force on 24 February 2025.
pub const ACT_IN_FORCE: &str = "2025-02-24";

#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// ISO date from which the set applies to procurements commenced on or after it.
    pub from: &'static str,
    /// The instrument that set the figures.
    pub source: &'static str,
    pub sub_central_goods_services: Pence,
    pub central_goods_services: Pence,
    pub works: Pence,
    pub light_touch: Pence,
}

/// Schedule 1's threshold amounts, oldest first.
pub const THRESHOLDS: &[Thresholds] = &[
    Thresholds {
        from: ACT_IN_FORCE,
        source: "Schedule 1 as in force from 24 February 2025",
        sub_central_goods_services: 21_490_400,
        central_goods_services: 13_968_800,
        works: 537_260_900,
        light_touch: 66_354_000,
    },
    Thresholds {
        from: "2026-01-01",
        source: "Schedule 1 as amended by S.I. 2025/1200",
        sub_central_goods_services: 20_772_000,
        central_goods_services: 13_501_800,
        works: 519_300_000,
        light_touch: 66_354_000,
    },
];

/// A notifiable below-threshold contract (s.86): from £12,000 for a central government authority ...
pub const BELOW_THRESHOLD_CENTRAL: Pence = 1_200_000;
/// ... and from £30,000 for any other contracting authority.
pub const BELOW_THRESHOLD_OTHER: Pence = 3_000_000;

/// A public contract of more than £5 million needs at least three KPIs (s.52(1)).
pub const KPI_VALUE: Pence = 500_000_000;
