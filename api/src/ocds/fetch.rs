//! Fetching a release package from a URL: https to a public address (see `outbound`), within a
//! time limit, and read incrementally up to a size cap so a huge or endless answer cannot exhaust
//! memory. Every failure is the client's to fix and names `url`.

use std::time::Duration;

use reqwest::header::ACCEPT;

use crate::error::{ApiError, ApiResult};
use crate::outbound;

/// How long the whole fetch may take, connecting and reading included.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(20);
/// The largest package read from a URL.
pub const MAX_PACKAGE_BYTES: usize = 16 * 1024 * 1024;
const MAX_REDIRECTS: usize = 5;

/// A client per fetch: imports are rare, and the address rules depend on the settings.
fn client(allow_private: bool) -> ApiResult<reqwest::Client> {
    outbound::client_builder(allow_private, MAX_REDIRECTS)
        .timeout(FETCH_TIMEOUT)
        .user_agent(concat!("bluelight-api/", env!("CARGO_PKG_VERSION"), " (OCDS import)"))
        .build()
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("building the OCDS fetch client")))
}

fn refused(message: impl Into<String>) -> ApiError {
    ApiError::invalid("url", message)
}

/// Why a fetch failed, in a sentence for the caller.
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        format!("could not be fetched within {} seconds", FETCH_TIMEOUT.as_secs())
    } else if error.is_connect() {
        format!(
            "could not be fetched: no connection could be made to the server ({})",
            innermost_cause(error)
        )
    } else {
        format!("could not be fetched: {}", innermost_cause(error))
    }
}

/// The innermost cause says most (a refused connection, a name that resolves to no public
/// address, a certificate problem), without the URL again.
fn innermost_cause(error: &reqwest::Error) -> &dyn std::error::Error {
    let mut cause: &dyn std::error::Error = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause
}

/// The URL's body, if it is a 2xx answer of at most [`MAX_PACKAGE_BYTES`]. `allow_private`: see
/// `outbound`.
pub async fn fetch(url: &str, allow_private: bool) -> ApiResult<Vec<u8>> {
    let parsed = reqwest::Url::parse(url).map_err(|_| refused("must be an http or https URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(refused("must be an http or https URL"));
    }
    if let Some(reason) = outbound::refusal(url, allow_private) {
        return Err(refused(reason));
    }
    let mut response = client(allow_private)?
        .get(parsed)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| refused(describe(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(refused(format!(
            "answered {status}: expected 200 with the release package"
        )));
    }
    let too_large = || {
        refused(format!(
            "the package is larger than {} MiB",
            MAX_PACKAGE_BYTES / (1024 * 1024)
        ))
    };
    if response
        .content_length()
        .is_some_and(|length| length > MAX_PACKAGE_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| refused(describe(&e)))? {
        if body.len() + chunk.len() > MAX_PACKAGE_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
