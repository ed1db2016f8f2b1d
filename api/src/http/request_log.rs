//! The outermost middleware: gives every request an id, runs it inside a tracing span carrying
//! that id (so each log line the request causes names it), writes the access log line, and
//! counts the request in the metrics by its route template and status.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

use crate::metrics::metrics;

/// The request id's header, on every response; a caller may send its own (a gateway's id) to
/// find the request in our logs by it.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest caller-given request id kept; anything longer or outside [`is_usable_id`] is replaced.
const MAX_ID_LENGTH: usize = 128;

/// The route label of a request that matched no route (so unknown paths cannot grow the metrics).
const UNMATCHED: &str = "unmatched";

pub async fn middleware<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| is_usable_id(id))
        .map_or_else(crate::clock::new_id, str::to_owned);
    let span = tracing::info_span!("request", request_id = %request_id);
    // The request is not cloned to keep it for an error's response: routing needs it unshared.
    let method = req.method().clone();
    let mut response = match next.call(req).instrument(span.clone()).await {
        Ok(response) => response,
        Err(error) => {
            // Only a middleware's own error arrives here (handlers' errors are responses by
            // now); actix renders it, without our header.
            let status = error.as_response_error().status_code().as_u16();
            metrics().observe_request(method.as_str(), UNMATCHED, status, started.elapsed());
            return Err(error);
        }
    };
    let elapsed = started.elapsed();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let request = response.request();
    let route = request.match_pattern();
    let status = response.status().as_u16();
    metrics().observe_request(
        request.method().as_str(),
        route.as_deref().unwrap_or(UNMATCHED),
        status,
        elapsed,
    );
    span.in_scope(|| {
        tracing::info!(
            target: "bluelight::access",
            peer = request.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default(),
            method = request.method().as_str(),
            path = request.path(),
            route = route.as_deref().unwrap_or(UNMATCHED),
            status,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            "{} {} {}",
            request.method(),
            request.path(),
            status
        );
    });
    Ok(response)
}

/// A caller's id is kept when it is 1-128 characters of letters, digits and `-_.:`, which fits
/// in a header and a log line unescaped.
fn is_usable_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LENGTH
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_callers_id_is_kept_only_in_the_safe_form() {
        assert!(is_usable_id("gw-2026-12-04T09:00:00.123_abc"));
        assert!(!is_usable_id(""));
        assert!(!is_usable_id("two words"));
        assert!(!is_usable_id("line\nbreak"));
        assert!(!is_usable_id(&"x".repeat(MAX_ID_LENGTH + 1)));
    }
}
