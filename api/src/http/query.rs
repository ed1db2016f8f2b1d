//! A query-string extractor that refuses unknown parameters and names the one at fault, once
//! the caller may know.

use std::future::{Ready, ready};
use std::marker::PhantomData;

use actix_web::{FromRequest, HttpRequest, dev::Payload};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult, FieldError};

/// The query string, to be parsed as `T` (which should `deny_unknown_fields`, so a misspelt
/// filter is an error rather than silently ignored) by [`QueryParams::parse`] once the handler
/// has authorised the caller: like a body, a query is judged only for a caller who may ask.
pub struct QueryParams<T> {
    query: String,
    parses_as: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> QueryParams<T> {
    /// The query as `T`, or a 422 naming the parameter at fault. Call it after authorising.
    pub fn parse(&self) -> ApiResult<T> {
        parse(&self.query)
    }
}

impl<T> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(QueryParams {
            query: req.query_string().to_owned(),
            parses_as: PhantomData,
        }))
    }
}

pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let message = error.into_inner().to_string();
        let field = if path == "." { "query".to_owned() } else { path };
        ApiError::Validation(vec![FieldError::new(field, message)])
    })
}
