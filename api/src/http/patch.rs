//! PATCH bodies must tell "leave as is" (field absent) from "clear" (field null).

use serde::{Deserialize, Deserializer};

/// Use with `#[serde(default, deserialize_with = "double_option")]` on an
/// `Option<Option<T>>`: absent is `None`, `null` is `Some(None)`, a value is `Some(Some(v))`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Use with `#[serde(default, deserialize_with = "not_null")]` on an `Option<T>` whose field
/// cannot be cleared: absent is `None`, a value is `Some(v)`, and `null` is refused (rather than
/// silently read as "leave as is").
pub fn not_null<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    T::deserialize(deserializer).map(Some)
}
