//! Cursor pagination: `limit` and `cursor` in, `{"items": [...], "next_cursor": ...}` out.
//!
//! Every list is ordered by a unique text key; the cursor is that key of the last item,
//! base64url-encoded so clients treat it as opaque. Rows inserted or deleted between pages do
//! not make a walk repeat or skip the rows that were there throughout.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// A validated page request: how many rows, and after which key.
#[derive(Debug, Clone)]
pub struct Page {
    pub limit: i64,
    pub after: Option<String>,
}

impl Page {
    /// Checks a list endpoint's `limit` and `cursor` query parameters.
    pub fn new(limit: Option<i64>, cursor: Option<&str>) -> ApiResult<Page> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid("limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        let after = match cursor {
            None | Some("") => None,
            Some(cursor) => Some(
                URL_SAFE_NO_PAD
                    .decode(cursor)
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor this API issued"))?,
            ),
        };
        Ok(Page { limit, after })
    }

    /// The number of rows to fetch: one more than the page, to learn whether another follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Paged<T> {
    /// Builds a page from up to `limit + 1` rows ordered by `key`.
    pub fn from_rows(mut rows: Vec<T>, page: &Page, key: impl Fn(&T) -> &str) -> Paged<T> {
        let limit = page.limit as usize;
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|last| URL_SAFE_NO_PAD.encode(key(last)))
        } else {
            None
        };
        Paged {
            items: rows,
            next_cursor,
        }
    }

    /// As [`Paged::map`], for a conversion that can fail (a stored row that does not read back).
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Paged<U>, E> {
        Ok(Paged {
            items: self.items.into_iter().map(f).collect::<Result<_, E>>()?,
            next_cursor: self.next_cursor,
        })
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}
