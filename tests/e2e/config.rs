//! Start-up configuration: a bad setting stops start-up with a message naming the setting.
//!
//! These build the same argument structs the `bluelight` command parses from flags and
//! environment variables, and resolve them as start-up does.

use bluelight_api::config::{
    AuthArgs, DEFAULT_AUDIENCE, DEFAULT_ISSUER, DEVELOPMENT_JWT_SECRET, DatabaseArgs, DemoData, PluginArgs, ServeArgs,
    Settings, WebhookArgs,
};

const SQLITE: &str = "data/bluelight.sqlite3";
const POSTGRES: &str = "postgres://bluelight@db.example/bluelight";
const GOOD_SECRET: &str = "0123456789abcdef0123456789abcdef";

fn args(database_url: &str) -> ServeArgs {
    ServeArgs {
        database: DatabaseArgs {
            database_url: database_url.to_owned(),
            db_pool_size: 8,
        },
        auth: AuthArgs {
            jwt_secret: None,
            jwt_issuer: None,
            jwt_audience: None,
            jwks_url: None,
        },
        plugins: PluginArgs::default(),
        webhooks: WebhookArgs::default(),
        allow_private_urls: false,
        listen: "127.0.0.1:8080".to_owned(),
        demo_data: DemoData::Auto,
        workers: None,
    }
}

/// Resolves `args`, expecting failure; returns the whole error chain as text.
fn refused(args: &ServeArgs) -> String {
    match args.resolve() {
        Ok(settings) => panic!("expected a configuration error, got {settings:?}"),
        Err(e) => format!("{e:#}"),
    }
}

fn resolved(args: &ServeArgs) -> Settings {
    args.resolve()
        .unwrap_or_else(|e| panic!("expected valid settings: {e:#}"))
}

#[test]
fn sqlite_with_nothing_set_falls_back_to_the_development_secret() {
    let settings = resolved(&args(SQLITE));
    assert!(settings.auth.development_secret);
    assert_eq!(
        settings.auth.hs256_secret.as_deref(),
        Some(DEVELOPMENT_JWT_SECRET.as_bytes())
    );
    assert!(settings.auth.jwks_url.is_none());
    assert_eq!(settings.auth.issuer, DEFAULT_ISSUER);
    assert_eq!(settings.auth.audience, DEFAULT_AUDIENCE);
    assert!(settings.load_demo_data, "demo data defaults on for SQLite");
    assert_eq!(settings.listen.to_string(), "127.0.0.1:8080");
}

#[test]
fn a_real_secret_replaces_the_development_one() {
    let mut args = args(SQLITE);
    args.auth.jwt_secret = Some(GOOD_SECRET.to_owned());
    let settings = resolved(&args);
    assert!(!settings.auth.development_secret);
    assert_eq!(settings.auth.hs256_secret.as_deref(), Some(GOOD_SECRET.as_bytes()));
}

#[test]
fn jwt_secret_shorter_than_32_bytes_is_refused() {
    let mut args = args(SQLITE);
    args.auth.jwt_secret = Some("0123456789abcdef0123456789abcde".to_owned()); // 31 bytes
    let error = refused(&args);
    assert!(error.starts_with("JWT_SECRET"), "{error}");
    assert!(error.contains("32"), "{error}");
}

#[test]
fn listen_that_is_not_an_address_is_refused() {
    for listen in ["localhost", "8080", "127.0.0.1:http", "999.0.0.1:80", ""] {
        let mut args = args(SQLITE);
        args.listen = listen.to_owned();
        let error = refused(&args);
        assert!(error.starts_with("LISTEN"), "LISTEN={listen:?}: {error}");
    }
}

#[test]
fn jwks_url_that_is_not_an_http_url_is_refused() {
    for url in [
        "not a url",
        "/relative/jwks.json",
        "ftp://idp.example/jwks.json",
        "file:///etc/jwks.json",
    ] {
        let mut args = args(POSTGRES);
        args.auth.jwks_url = Some(url.to_owned());
        args.auth.jwt_issuer = Some("https://idp.example".to_owned());
        args.auth.jwt_audience = Some("bluelight".to_owned());
        let error = refused(&args);
        assert!(error.starts_with("JWKS_URL"), "JWKS_URL={url:?}: {error}");
    }
}

#[test]
fn jwks_url_needs_an_explicit_issuer_and_audience() {
    let mut args = args(POSTGRES);
    args.auth.jwks_url = Some("https://idp.example/.well-known/jwks.json".to_owned());
    args.auth.jwt_audience = Some("bluelight".to_owned());
    let error = refused(&args);
    assert!(error.starts_with("JWT_ISSUER"), "{error}");
    assert!(error.contains("JWKS_URL"), "{error}");

    args.auth.jwt_issuer = Some("https://idp.example".to_owned());
    args.auth.jwt_audience = Some("  ".to_owned());
    let error = refused(&args);
    assert!(error.starts_with("JWT_AUDIENCE"), "{error}");

    args.auth.jwt_audience = Some("bluelight".to_owned());
    let settings = resolved(&args);
    assert!(settings.auth.hs256_secret.is_none(), "JWKS alone: no shared secret");
    assert!(!settings.auth.development_secret);
    assert_eq!(settings.auth.issuer, "https://idp.example");
    assert_eq!(
        settings.auth.jwks_url.unwrap().as_str(),
        "https://idp.example/.well-known/jwks.json"
    );
}

#[test]
fn postgres_with_neither_jwt_secret_nor_jwks_url_is_refused() {
    let error = refused(&args(POSTGRES));
    assert!(error.contains("JWT_SECRET") && error.contains("JWKS_URL"), "{error}");
    // A blank secret counts as unset, not as a secret.
    let mut args = args("postgresql://bluelight@db.example/bluelight");
    args.auth.jwt_secret = Some("   ".to_owned());
    let error = refused(&args);
    assert!(error.contains("JWT_SECRET") && error.contains("JWKS_URL"), "{error}");
    // With a secret it starts, and without demo data by default.
    args.auth.jwt_secret = Some(GOOD_SECRET.to_owned());
    let settings = resolved(&args);
    assert!(!settings.load_demo_data, "demo data defaults off for PostgreSQL");
    assert!(!settings.auth.development_secret);
}

#[test]
fn other_numeric_settings_are_checked() {
    let mut bad_pool = args(SQLITE);
    bad_pool.database.db_pool_size = 0;
    assert!(refused(&bad_pool).starts_with("DB_POOL_SIZE"), "{}", refused(&bad_pool));

    let mut bad_workers = args(SQLITE);
    bad_workers.workers = Some(0);
    assert!(
        refused(&bad_workers).starts_with("HTTP_WORKERS"),
        "{}",
        refused(&bad_workers)
    );

    let mut no_database = args(SQLITE);
    no_database.database.database_url = " ".to_owned();
    assert!(
        refused(&no_database).starts_with("DATABASE_URL"),
        "{}",
        refused(&no_database)
    );
}

#[test]
fn demo_data_setting_overrides_the_backend_default() {
    let mut on = args(POSTGRES);
    on.auth.jwt_secret = Some(GOOD_SECRET.to_owned());
    on.demo_data = DemoData::On;
    assert!(resolved(&on).load_demo_data);
    let mut off = args(SQLITE);
    off.demo_data = DemoData::Off;
    assert!(!resolved(&off).load_demo_data);
}

#[test]
fn plugin_limits_default_and_a_zero_limit_is_refused_by_name() {
    let settings = resolved(&args(SQLITE));
    assert_eq!(settings.plugin_limits, bluelight_rules::Limits::default());

    let mut zero_fuel = args(SQLITE);
    zero_fuel.plugins.plugin_fuel = 0;
    assert!(refused(&zero_fuel).contains("PLUGIN_FUEL"));

    let mut huge_memory = args(SQLITE);
    huge_memory.plugins.plugin_memory_mib = 8192;
    assert!(refused(&huge_memory).contains("PLUGIN_MEMORY_MIB"));
}

#[test]
fn webhook_settings_default_and_out_of_range_values_are_refused_by_name() {
    let settings = resolved(&args(SQLITE));
    assert_eq!(settings.webhooks.max_attempts, 8);
    assert_eq!(settings.webhooks.timeout.as_secs(), 10);
    assert!(
        !settings.allow_private_urls,
        "private URLs are refused unless asked for"
    );

    let mut endless_timeout = args(SQLITE);
    endless_timeout.webhooks.webhook_timeout_secs = u64::MAX;
    assert!(refused(&endless_timeout).contains("WEBHOOK_TIMEOUT_SECS"));
    let mut no_poll = args(SQLITE);
    no_poll.webhooks.webhook_poll_ms = 0;
    assert!(refused(&no_poll).contains("WEBHOOK_POLL_MS"));
    let mut no_attempts = args(SQLITE);
    no_attempts.webhooks.webhook_max_attempts = 0;
    assert!(refused(&no_attempts).contains("WEBHOOK_MAX_ATTEMPTS"));
}

#[test]
fn a_libpq_keyword_string_is_postgresql_and_never_gets_the_development_secret() {
    let keywords = "host=127.0.0.1 port=5432 dbname=bluelight user=postgres";
    let error = refused(&args(keywords));
    assert!(error.contains("JWT_SECRET") && error.contains("JWKS_URL"), "{error}");
    let mut with_secret = args(keywords);
    with_secret.auth.jwt_secret = Some(GOOD_SECRET.to_owned());
    let settings = resolved(&with_secret);
    assert!(!settings.auth.development_secret);
    assert!(!settings.load_demo_data, "demo data defaults off for PostgreSQL");
}

#[test]
fn the_development_secret_is_refused_off_loopback() {
    for listen in ["0.0.0.0:8080", "192.0.2.10:8080", "[::]:8080"] {
        let mut open = args(SQLITE);
        open.listen = listen.to_owned();
        let error = refused(&open);
        assert!(
            error.contains("JWT_SECRET") && error.contains("development secret"),
            "{listen}: {error}"
        );
        open.auth.jwt_secret = Some(GOOD_SECRET.to_owned());
        assert!(!resolved(&open).auth.development_secret, "{listen}");
    }
    let mut ipv6_loopback = args(SQLITE);
    ipv6_loopback.listen = "[::1]:8080".to_owned();
    assert!(resolved(&ipv6_loopback).auth.development_secret);
}
