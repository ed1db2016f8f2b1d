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
