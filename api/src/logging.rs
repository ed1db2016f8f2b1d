//! Where log lines go and in what form: to standard error, as text for a person (`LOG_FORMAT=text`,
//! the default) or one JSON object per line for a log pipeline (`LOG_FORMAT=json`). `RUST_LOG`
//! filters them as usual. A request's lines carry its `request_id` (see `http::request_log`).

use tracing_subscriber::EnvFilter;

/// What is logged when `RUST_LOG` is unset: our info lines, the server's warnings.
const DEFAULT_FILTER: &str = "info,actix_server=warn";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// From `LOG_FORMAT`'s value; unset means text.
    pub fn parse(value: Option<&str>) -> Result<LogFormat, String> {
        match value.map(str::trim) {
            None | Some("") | Some("text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            Some(other) => Err(format!("LOG_FORMAT: must be `text` or `json`, not `{other}`")),
        }
    }
}

/// Installs the process's log subscriber.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| DEFAULT_FILTER.into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        // The request's span (with its id) on each line as `span`; the event's fields flat.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_format_is_text_json_or_refused() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("json")), Ok(LogFormat::Json));
        assert!(LogFormat::parse(Some("yaml")).unwrap_err().contains("LOG_FORMAT"));
    }
}
