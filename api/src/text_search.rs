//! Case-insensitive "contains" search that behaves the same on SQLite and PostgreSQL.
//!
//! PostgreSQL's LIKE is case-sensitive and SQLite's is not, so both sides are lower-cased; the
//! user's text is escaped so `%` and `_` match themselves.

use diesel::sql_types::Text;

diesel::define_sql_function! {
    /// SQL `lower(text)`.
    fn lower(text: Text) -> Text;
}

/// The LIKE pattern for "contains `q`", or None when `q` is absent or blank.
pub fn contains_pattern(q: Option<&str>) -> Option<String> {
    let q = q?.trim();
    if q.is_empty() {
        return None;
    }
    let mut pattern = String::with_capacity(q.len() + 2);
    pattern.push('%');
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Some(pattern)
}
