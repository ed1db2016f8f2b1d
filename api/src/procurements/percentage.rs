//! Evaluation weightings: a percentage as a decimal string in JSON (`"2.5"`), basis points inside
//! (250), so no float ever touches a weighting either.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use utoipa::ToSchema;

/// A percentage from 0 to 100 with at most two decimal places, e.g. `"10"` or `"2.5"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ToSchema)]
#[schema(value_type = String, example = "10", pattern = r"^\d{1,3}(\.\d{1,2})?$")]
pub struct Percentage(u32);

impl Percentage {
    pub fn from_basis_points(bp: u32) -> Percentage {
        Percentage(bp)
    }

    pub fn basis_points(self) -> u32 {
        self.0
    }
}

impl FromStr for Percentage {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Percentage, &'static str> {
        const SHAPE: &str = "must be a percentage from 0 to 100 as a decimal string, e.g. \"10\" or \"2.5\"";
        let well_formed = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        let value = Decimal::from_str(text).ok().filter(|_| well_formed).ok_or(SHAPE)?;
        if value > Decimal::ONE_HUNDRED {
            return Err(SHAPE);
        }
        let bp = value * Decimal::ONE_HUNDRED;
        if !bp.fract().is_zero() {
            return Err("must have at most 2 decimal places");
        }
        u32::try_from(bp).map(Percentage).map_err(|_| SHAPE)
    }
}

impl fmt::Display for Percentage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Decimal::new(i64::from(self.0), 2).normalize())
    }
}

impl Serialize for Percentage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Percentage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Percentage, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Percentage;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a percentage as a decimal string, e.g. \"2.5\"")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Percentage, E> {
                text.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_whole_and_fractional_percentages_exactly() {
        assert_eq!("10".parse::<Percentage>().unwrap().basis_points(), 1000);
        assert_eq!("2.5".parse::<Percentage>().unwrap().basis_points(), 250);
        assert_eq!("100.00".parse::<Percentage>().unwrap().basis_points(), 10000);
        assert_eq!(Percentage::from_basis_points(250).to_string(), "2.5");
        assert_eq!(Percentage::from_basis_points(1000).to_string(), "10");
    }

    #[test]
    fn refuses_what_is_not_a_percentage() {
        for bad in ["", "-1", "100.01", "2.555", "1e2", "ten", " 5"] {
            assert!(bad.parse::<Percentage>().is_err(), "{bad:?} was accepted");
        }
    }
}
