//! A JSON body extractor that reports the path of the field at fault, once the caller may know.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::error::PayloadError;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult, FieldError};

/// Largest JSON body accepted.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;

/// The request body, to be parsed as `T` by [`JsonBody::parse`] once the handler has
/// authorised the caller and found the resource: a caller who may not make the request, or asks
/// about a record that is not there, must hear that (401, 403, 404) and nothing about the body.
/// So the extractor never fails: a wrong media type, an unreadable or empty body wait in here.
///
/// Malformed JSON is a 400; well-formed JSON with a wrong type, a missing or an unknown field is
/// a 422 naming the field (e.g. `lots[1].routes[0]`); not JSON at all is a 415.
pub struct JsonBody<T> {
    body: ApiResult<web::Bytes>,
    // fn() -> T: the body is bytes, whatever T is, so the extractor is Send for any T.
    parses_as: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> JsonBody<T> {
    /// The body as `T`, or the 4xx saying what is wrong with it. Call it after authorising.
    pub fn parse(self) -> ApiResult<T> {
        parse(&self.body?)
    }
}

impl<T: 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = super::media_type(req).is_some_and(|mime| mime == "application/json" || mime.ends_with("+json"));
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = if is_json {
                match body.await {
                    Ok(bytes) if bytes.is_empty() => Err(ApiError::BadRequest("a JSON body is required".into())),
                    Ok(bytes) => Ok(bytes),
                    Err(e) => Err(match e.as_error::<PayloadError>() {
                        Some(PayloadError::Overflow) => {
                            ApiError::PayloadTooLarge(format!("the body is larger than {MAX_JSON_BYTES} bytes"))
                        }
                        _ => ApiError::BadRequest(format!("the body could not be read: {e}")),
                    }),
                }
            } else {
                Err(ApiError::UnsupportedMediaType(
                    "the body must be JSON (Content-Type: application/json)".into(),
                ))
            };
            Ok(JsonBody {
                body,
                parses_as: PhantomData,
            })
        })
    }
}

/// Parses JSON bytes: text that is not JSON is a 400; JSON that does not fit `T` is a 422 naming
/// the field. Parsing to a `Value` first keeps the two apart (serde_json reports some type
/// mismatches, such as `null` for an enum, as syntax errors when parsing straight into `T`).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| syntax_error(&e))?;
    serde_path_to_error::deserialize::<_, T>(value).map_err(|error| {
        let path = error.path().to_string();
        let message = strip_position(&error.into_inner().to_string());
        ApiError::Validation(vec![FieldError::new(field_at_fault(&path, &message), message)])
    })
}

/// The field to name: the error's path, or for a missing field the field itself.
fn field_at_fault(path: &str, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    match (path, missing) {
        (".", Some(name)) => name.to_owned(),
        (".", None) => "body".to_owned(),
        (path, Some(name)) => format!("{path}.{name}"),
        (path, None) => path.to_owned(),
    }
}

fn syntax_error(error: &serde_json::Error) -> ApiError {
    ApiError::BadRequest(format!(
        "the body is not valid JSON (line {}, column {})",
        error.line(),
        error.column()
    ))
}

/// serde_json appends " at line L column C" to its messages; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}
