//! Money: exact whole pence inside, a decimal string of pounds in JSON (`"60000.00"`).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use utoipa::ToSchema;

/// An amount in pounds sterling, exact to the penny. Stored as whole pence; never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ToSchema)]
#[schema(value_type = String, example = "60000.00", pattern = r"^-?[0-9]{1,16}(\.[0-9]{1,2})?$")]
pub struct Money(i64);

/// An amount in pounds sterling that must not be negative, e.g. `"60000.00"`.
// Schema only: the field stays a `Money`, checked by `Checks::non_negative`.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(value_type = String, example = "60000.00", pattern = r"^[0-9]{1,16}(\.[0-9]{1,2})?$")]
pub struct NonNegativeMoney(Money);

/// An amount in pounds sterling from 0 to 100000000000.00 (£100bn), e.g. `"60000.00"`.
// Schema only: the field stays a `Money`, checked against `contracts::model::MAX_VALUE`.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(
    value_type = String,
    example = "60000.00",
    pattern = r"^([0-9]{1,11}(\.[0-9]{1,2})?|100000000000(\.00?)?)$"
)]
pub struct ContractMoney(Money);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_pence(pence: i64) -> Money {
        Money(pence)
    }

    pub fn pence(self) -> i64 {
        self.0
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// Exact conversion: refuses fractions of a penny and amounts beyond the range.
    pub fn from_decimal(amount: Decimal) -> Result<Money, &'static str> {
        let pence = amount.checked_mul(Decimal::ONE_HUNDRED).ok_or("is too large")?;
        if !pence.fract().is_zero() {
            return Err("must not have fractions of a penny (at most 2 decimal places)");
        }
        i64::try_from(pence).map(Money).map_err(|_| "is too large")
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut amount = self.to_decimal();
        amount.rescale(2);
        write!(f, "{amount}")
    }
}

impl FromStr for Money {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<Money, &'static str> {
        const SHAPE: &str = "must be a decimal string of pounds such as \"60000.00\"";
        let digits = text.strip_prefix('-').unwrap_or(text);
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let well_formed = !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.bytes().all(|b| b.is_ascii_digit())
            && (digits.contains('.') != fraction.is_empty());
        if !well_formed {
            return Err(SHAPE);
        }
        let amount = Decimal::from_str_exact(text).map_err(|_| "is too large")?;
        Money::from_decimal(amount)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        struct MoneyVisitor;
        impl de::Visitor<'_> for MoneyVisitor {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal string of pounds such as \"60000.00\"")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Money, E> {
                text.parse().map_err(|reason| E::custom(format!("'{text}' {reason}")))
            }
        }
        deserializer.deserialize_str(MoneyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_pounds_exactly() {
        assert_eq!("60000.00".parse::<Money>().unwrap().pence(), 6_000_000);
        assert_eq!("60000.5".parse::<Money>().unwrap().to_string(), "60000.50");
        assert_eq!("7".parse::<Money>().unwrap().to_string(), "7.00");
        assert_eq!("-0.01".parse::<Money>().unwrap().pence(), -1);
        assert_eq!(
            Money::from_pence(12_345_678_901_234_567).to_string(),
            "123456789012345.67"
        );
    }

    #[test]
    fn refuses_fractions_of_a_penny_and_odd_shapes() {
        for bad in [
            "1.001",
            "1e5",
            " 1.00",
            "1.",
            ".5",
            "",
            "£5",
            "1,000.00",
            "NaN",
            "99999999999999999999.00",
        ] {
            assert!(bad.parse::<Money>().is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn json_numbers_are_refused_so_no_float_sneaks_in() {
        assert!(serde_json::from_str::<Money>("60000.5").is_err());
        assert_eq!(
            serde_json::from_str::<Money>("\"60000.50\"").unwrap().pence(),
            6_000_050
        );
    }
}
