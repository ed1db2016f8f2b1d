//! Configuration from environment variables and flags, checked once at start-up.
//!
//! A missing or invalid setting stops start-up with a message naming the setting.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use bluelight_rules::Limits;
use clap::{Args, ValueEnum};

use crate::clock::Clock;
use crate::db::Backend;
use crate::webhooks::settings::WebhookSettings;

/// The secret the embedded default signs and checks development tokens with, used only when
/// neither `JWT_SECRET` nor `JWKS_URL` is set and the database is SQLite. Never in production:
/// with PostgreSQL one of the two must be set.
pub const DEVELOPMENT_JWT_SECRET: &str = "bluelight-development-secret-not-for-production";
pub const DEFAULT_ISSUER: &str = "bluelight-dev";
pub const DEFAULT_AUDIENCE: &str = "bluelight-api";
const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// `postgres://user@host/db` or a libpq keyword string (`host=… dbname=…`) for PostgreSQL, or
    /// an SQLite file path (created if missing).
    // Its value may hold a password: never shown in --help.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "data/bluelight.sqlite3",
        hide_env_values = true
    )]
    pub database_url: String,
    /// Largest number of pooled database connections.
    #[arg(long, env = "DB_POOL_SIZE", default_value_t = 8)]
    pub db_pool_size: u32,
}

#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    /// HS256 shared secret (development and tests); at least 32 bytes.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Expected `iss` claim. Required with JWKS_URL; defaults to `bluelight-dev` otherwise.
    #[arg(long, env = "JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// Expected `aud` claim. Required with JWKS_URL; defaults to `bluelight-api` otherwise.
    #[arg(long, env = "JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
    /// The identity provider's JWKS document (RS256/ES256 keys), fetched and cached.
    #[arg(long, env = "JWKS_URL")]
    pub jwks_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoData {
    /// Load on SQLite (the embedded default), not on PostgreSQL.
    Auto,
    On,
    Off,
}

/// The limits every rule plugin runs under (see `bluelight_rules::Limits`).
#[derive(Debug, Clone, Args)]
pub struct PluginArgs {
    /// Instruction budget per plugin call (wasmtime fuel units).
    #[arg(long, env = "PLUGIN_FUEL", default_value_t = Limits::default().fuel)]
    pub plugin_fuel: u64,
    /// Wall-clock deadline per plugin call, in milliseconds.
    #[arg(long, env = "PLUGIN_DEADLINE_MS", default_value_t = Limits::default().deadline.as_millis() as u64)]
    pub plugin_deadline_ms: u64,
    /// Linear memory a plugin may grow to, in MiB.
    #[arg(long, env = "PLUGIN_MEMORY_MIB", default_value_t = Limits::default().memory_bytes >> 20)]
    pub plugin_memory_mib: usize,
    /// Largest plugin upload, in KiB.
    #[arg(long, env = "PLUGIN_MAX_SIZE_KIB", default_value_t = Limits::default().max_plugin_bytes >> 10)]
    pub plugin_max_size_kib: usize,
    /// Most findings one decision may carry.
    #[arg(long, env = "PLUGIN_MAX_FINDINGS", default_value_t = Limits::default().max_findings)]
    pub plugin_max_findings: usize,
    /// Plugin sandboxes alive at once; evaluations beyond it are refused as busy (503).
    #[arg(long, env = "PLUGIN_SANDBOXES", default_value_t = Limits::default().max_concurrent_instances)]
    pub plugin_sandboxes: u32,
    /// Plugins compiled at once; uploads beyond it wait their turn a few seconds, then get 503.
    #[arg(long, env = "PLUGIN_COMPILES", default_value_t = Limits::default().max_concurrent_compiles)]
    pub plugin_compiles: u32,
    /// How long an upload waits for its plugin to compile before it is refused, in milliseconds.
    #[arg(long, env = "PLUGIN_COMPILE_DEADLINE_MS", default_value_t = Limits::default().compile_deadline.as_millis() as u64)]
    pub plugin_compile_deadline_ms: u64,
}

impl Default for PluginArgs {
    fn default() -> PluginArgs {
        let limits = Limits::default();
        PluginArgs {
            plugin_fuel: limits.fuel,
            plugin_deadline_ms: limits.deadline.as_millis() as u64,
            plugin_memory_mib: limits.memory_bytes >> 20,
            plugin_max_size_kib: limits.max_plugin_bytes >> 10,
            plugin_max_findings: limits.max_findings,
            plugin_sandboxes: limits.max_concurrent_instances,
            plugin_compiles: limits.max_concurrent_compiles,
            plugin_compile_deadline_ms: limits.compile_deadline.as_millis() as u64,
        }
    }
}

impl PluginArgs {
    pub fn resolve(&self) -> anyhow::Result<Limits> {
        let positive = |value: u64, name: &str| {
            if value == 0 {
                bail!("{name}: must be at least 1")
            }
            Ok(())
        };
        positive(self.plugin_fuel, "PLUGIN_FUEL")?;
        positive(self.plugin_deadline_ms, "PLUGIN_DEADLINE_MS")?;
        positive(self.plugin_memory_mib as u64, "PLUGIN_MEMORY_MIB")?;
        positive(self.plugin_max_size_kib as u64, "PLUGIN_MAX_SIZE_KIB")?;
        positive(self.plugin_max_findings as u64, "PLUGIN_MAX_FINDINGS")?;
        positive(u64::from(self.plugin_sandboxes), "PLUGIN_SANDBOXES")?;
        positive(u64::from(self.plugin_compiles), "PLUGIN_COMPILES")?;
        positive(self.plugin_compile_deadline_ms, "PLUGIN_COMPILE_DEADLINE_MS")?;
        if self.plugin_memory_mib > 4096 {
            bail!("PLUGIN_MEMORY_MIB: at most 4096 (a plugin's memory is 32-bit)");
        }
        Ok(Limits {
            fuel: self.plugin_fuel,
            deadline: Duration::from_millis(self.plugin_deadline_ms),
            memory_bytes: self.plugin_memory_mib << 20,
            max_plugin_bytes: self.plugin_max_size_kib << 10,
            max_findings: self.plugin_max_findings,
            max_concurrent_instances: self.plugin_sandboxes,
            max_concurrent_compiles: self.plugin_compiles,
            compile_deadline: Duration::from_millis(self.plugin_compile_deadline_ms),
            ..Limits::default()
        })
    }
}

/// How webhook deliveries are made (see `webhooks::settings::WebhookSettings`).
#[derive(Debug, Clone, Args)]
pub struct WebhookArgs {
    /// How often due deliveries are looked for, in milliseconds.
    #[arg(long, env = "WEBHOOK_POLL_MS", default_value_t = WebhookSettings::default().poll.as_millis() as u64)]
    pub webhook_poll_ms: u64,
    /// The wait before the first retry, in seconds; each later retry waits twice as long (at most an hour).
    #[arg(long, env = "WEBHOOK_BACKOFF_SECS", default_value_t = WebhookSettings::default().backoff.as_secs())]
    pub webhook_backoff_secs: u64,
    /// Attempts before a delivery is given up as failed.
    #[arg(long, env = "WEBHOOK_MAX_ATTEMPTS", default_value_t = WebhookSettings::default().max_attempts)]
    pub webhook_max_attempts: i32,
    /// How long a receiver has to answer, in seconds.
    #[arg(long, env = "WEBHOOK_TIMEOUT_SECS", default_value_t = WebhookSettings::default().timeout.as_secs())]
    pub webhook_timeout_secs: u64,
    /// How often the calendar is checked for nearing-expiry and framework status events, in seconds.
    #[arg(long, env = "WEBHOOK_SCAN_SECS", default_value_t = WebhookSettings::default().scan_every.as_secs())]
    pub webhook_scan_secs: u64,
}

impl Default for WebhookArgs {
    fn default() -> WebhookArgs {
        let defaults = WebhookSettings::default();
        WebhookArgs {
            webhook_poll_ms: defaults.poll.as_millis() as u64,
            webhook_backoff_secs: defaults.backoff.as_secs(),
            webhook_max_attempts: defaults.max_attempts,
            webhook_timeout_secs: defaults.timeout.as_secs(),
            webhook_scan_secs: defaults.scan_every.as_secs(),
        }
    }
}

impl WebhookArgs {
    pub fn resolve(&self) -> anyhow::Result<WebhookSettings> {
        let within = |value: u64, max: u64, name: &str| {
            if !(1..=max).contains(&value) {
                bail!("{name}: must be between 1 and {max}")
            }
            Ok(())
        };
        within(self.webhook_poll_ms, 60_000, "WEBHOOK_POLL_MS")?;
        within(self.webhook_backoff_secs, 3600, "WEBHOOK_BACKOFF_SECS")?;
        within(self.webhook_timeout_secs, 300, "WEBHOOK_TIMEOUT_SECS")?;
        within(self.webhook_scan_secs, 86_400, "WEBHOOK_SCAN_SECS")?;
        if !(1..=100).contains(&self.webhook_max_attempts) {
            bail!("WEBHOOK_MAX_ATTEMPTS: must be between 1 and 100");
        }
        Ok(WebhookSettings {
            poll: Duration::from_millis(self.webhook_poll_ms),
            backoff: Duration::from_secs(self.webhook_backoff_secs),
            max_attempts: self.webhook_max_attempts,
            timeout: Duration::from_secs(self.webhook_timeout_secs),
            scan_every: Duration::from_secs(self.webhook_scan_secs),
        })
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub auth: AuthArgs,
    #[command(flatten)]
    pub plugins: PluginArgs,
    #[command(flatten)]
    pub webhooks: WebhookArgs,
    /// Let webhooks and OCDS imports use http and loopback or private-network URLs (development only).
    #[arg(long, env = "ALLOW_PRIVATE_URLS", default_value_t = false)]
    pub allow_private_urls: bool,
    /// Address to listen on, host:port.
    #[arg(long, env = "LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Load the national demo data at start (idempotent).
    #[arg(long, env = "DEMO_DATA", value_enum, default_value_t = DemoData::Auto)]
    pub demo_data: DemoData,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "HTTP_WORKERS")]
    pub workers: Option<usize>,
}

/// How tokens are checked, resolved from [`AuthArgs`].
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub hs256_secret: Option<Vec<u8>>,
    pub jwks_url: Option<reqwest::Url>,
    pub issuer: String,
    pub audience: String,
    /// True when the built-in development secret is in use.
    pub development_secret: bool,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub db_pool_size: u32,
    pub listen: SocketAddr,
    pub auth: AuthSettings,
    pub load_demo_data: bool,
    pub workers: Option<usize>,
    pub plugin_limits: Limits,
    pub webhooks: WebhookSettings,
    pub allow_private_urls: bool,
    /// Always the system's date when resolved from flags and environment (see [`Clock`]).
    pub clock: Clock,
}

impl AuthArgs {
    pub fn resolve(&self, backend: Backend) -> anyhow::Result<AuthSettings> {
        let jwks_url = match non_empty(&self.jwks_url) {
            None => None,
            Some(raw) => {
                let url = reqwest::Url::parse(raw).with_context(|| format!("JWKS_URL: '{raw}' is not a URL"))?;
                if !matches!(url.scheme(), "http" | "https") {
                    bail!("JWKS_URL: must be an http or https URL, got '{raw}'");
                }
                Some(url)
            }
        };
        let mut development_secret = false;
        let hs256_secret = match non_empty(&self.jwt_secret) {
            Some(secret) if secret.len() < MIN_SECRET_BYTES => {
                bail!("JWT_SECRET: must be at least {MIN_SECRET_BYTES} bytes long")
            }
            Some(secret) => Some(secret.as_bytes().to_vec()),
            None if jwks_url.is_some() => None,
            None if backend == Backend::Sqlite => {
                development_secret = true;
                Some(DEVELOPMENT_JWT_SECRET.as_bytes().to_vec())
            }
            None => {
                bail!("JWT_SECRET or JWKS_URL: one must be set when DATABASE_URL is PostgreSQL")
            }
        };
        let required_with_jwks =
            |value: &Option<String>, name: &str, default: &str| match (non_empty(value), jwks_url.is_some()) {
                (Some(v), _) => Ok(v.to_owned()),
                (None, true) => bail!("{name}: must be set when JWKS_URL is set"),
                (None, false) => Ok(default.to_owned()),
            };
        Ok(AuthSettings {
            issuer: required_with_jwks(&self.jwt_issuer, "JWT_ISSUER", DEFAULT_ISSUER)?,
            audience: required_with_jwks(&self.jwt_audience, "JWT_AUDIENCE", DEFAULT_AUDIENCE)?,
            hs256_secret,
            jwks_url,
            development_secret,
        })
    }
}

impl ServeArgs {
    pub fn resolve(&self) -> anyhow::Result<Settings> {
        let backend = self.database.backend()?;
        let listen: SocketAddr = self
            .listen
            .parse()
            .with_context(|| format!("LISTEN: '{}' is not a host:port address", self.listen))?;
        if self.workers == Some(0) {
            bail!("HTTP_WORKERS: must be at least 1");
        }
        let auth = self.auth.resolve(backend)?;
        if auth.development_secret && !listen.ip().is_loopback() {
            // The development secret is in the repository: anyone could mint any role.
            bail!(
                "JWT_SECRET or JWKS_URL: one must be set to listen on {listen}; the built-in development \
                 secret is public and is only used on a loopback address"
            );
        }
        Ok(Settings {
            database_url: self.database.database_url.clone(),
            db_pool_size: self.database.pool_size()?,
            listen,
            auth,
            load_demo_data: match self.demo_data {
                DemoData::On => true,
                DemoData::Off => false,
                DemoData::Auto => backend == Backend::Sqlite,
            },
            workers: self.workers,
            plugin_limits: self.plugins.resolve()?,
            webhooks: self.webhooks.resolve()?,
            allow_private_urls: self.allow_private_urls,
            clock: Clock::System,
        })
    }
}

impl DatabaseArgs {
    pub fn backend(&self) -> anyhow::Result<Backend> {
        if self.database_url.trim().is_empty() {
            bail!("DATABASE_URL: must not be empty");
        }
        Ok(Backend::of_url(&self.database_url))
    }

    pub fn pool_size(&self) -> anyhow::Result<u32> {
        if self.db_pool_size == 0 {
            bail!("DB_POOL_SIZE: must be at least 1");
        }
        Ok(self.db_pool_size)
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}
