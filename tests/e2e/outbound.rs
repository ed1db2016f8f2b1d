//! The outbound guards as production runs them (private URLs refused): a host name that resolves
//! to a private address is never connected to, by a package fetch or by a webhook delivery, and
//! a redirect to a private address is refused before it is followed. Everything else in the
//! suite allows private URLs, to reach its loopback servers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use bluelight_api::outbound::{client_builder, is_public, refusal};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Options, TestApp, assert_invalid_field, json_ok, json_with_status};

const IMPORTS: &str = "/api/v1/ocds/framework-imports";

fn refusing_private_urls() -> Options {
    Options {
        allow_private_urls: false,
        ..Options::default()
    }
}

/// A host name (neither an address nor `localhost`) that this machine resolves only to private
/// addresses: its own name, or a loopback alias from its hosts file. The URL check lets a name
/// through, so only the resolver stands between such a URL and the private address.
async fn a_name_for_a_private_address() -> String {
    let own = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let candidates = [own.trim(), "ip6-localhost", "ip6-loopback", "localhost.localdomain"];
    for name in candidates.into_iter().filter(|name| !name.is_empty()) {
        if refusal(&format!("https://{name}/"), false).is_some() {
            continue;
        }
        let Ok(addresses) = tokio::net::lookup_host((name, 443)).await else {
            continue;
        };
        let addresses: Vec<SocketAddr> = addresses.collect();
        if !addresses.is_empty() && addresses.iter().all(|a| !is_public(a.ip())) {
            return name.to_owned();
        }
    }
    panic!("no host name here resolves only to private addresses (tried {candidates:?}); the test needs one")
}

/// A port on every interface that counts the connections made to it (and drops them).
struct CountingPort {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl CountingPort {
    async fn open() -> CountingPort {
        let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.expect("a free port");
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        actix_web::rt::spawn(async move {
            while listener.accept().await.is_ok() {
                counted.fetch_add(1, Ordering::SeqCst);
            }
        });
        CountingPort { port, connections }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// An error with its causes, as one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[actix_web::test]
async fn a_package_url_whose_name_resolves_to_a_private_address_is_never_fetched() {
    let app = TestApp::spawn_with(refusing_private_urls()).await;
    let name = a_name_for_a_private_address().await;
    let port = CountingPort::open().await;
    let url = format!("https://{name}:{}/national-frameworks.json", port.port);

    let response = app
        .post_json(IMPORTS, &app.national_admin(), &json!({"url": url}))
        .await;
    let problem = assert_invalid_field(response, "url").await;
    assert!(
        problem.to_string().contains("resolves to no public address"),
        "{problem}"
    );
    assert_eq!(port.connections(), 0, "no connection to {name}");
}

#[actix_web::test]
async fn a_webhook_whose_name_resolves_to_a_private_address_is_never_delivered_to() {
    let app = TestApp::spawn_with(refusing_private_urls()).await;
    let name = a_name_for_a_private_address().await;
    let port = CountingPort::open().await;
    let admin = app.national_admin();
    // A name passes the check at subscription: what it resolves to can change later.
    let subscription = json_with_status(
        app.post_json(
            "/api/v1/national/webhooks",
            &admin,
            &json!({"url": format!("https://{name}:{}/hooks", port.port), "events": ["supplier.risk_rating_changed"]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let supplier = app
        .create_supplier(
            &json!({"name": "Harbour Line Logistics Ltd", "sme": false, "regions": ["national"], "strategic": true}),
        )
        .await;
    let rated = app
        .post_json(
            &format!("/api/v1/suppliers/{}/risk-ratings", supplier["id"].as_str().unwrap()),
            &admin,
            &json!({"rating": "amber", "reason": "Late filing of accounts"}),
        )
        .await;
    json_with_status(rated, StatusCode::CREATED).await;

    let deliveries = format!(
        "/api/v1/national/webhooks/{}/deliveries",
        subscription["id"].as_str().unwrap()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let attempted = loop {
        let page = json_ok(app.get(&deliveries, &admin).await).await;
        let first: Value = page["items"][0].clone();
        if first["last_error"].is_string() {
            break first;
        }
        assert!(Instant::now() < deadline, "no attempt recorded: {page}");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    };
    let error = attempted["last_error"].as_str().unwrap();
    assert!(error.contains("resolves to no public address"), "{attempted}");
    assert!(attempted["last_status"].is_null(), "{attempted}");
    assert_eq!(port.connections(), 0, "no connection to {name}");
}

#[actix_web::test]
async fn a_redirect_to_a_private_address_is_refused_before_it_is_followed() {
    let name = a_name_for_a_private_address().await;
    let secret_reads = Arc::new(AtomicUsize::new(0));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let port = listener.local_addr().unwrap().port();
    // Where the server redirects to, by index: private, link-local (cloud metadata), a name that
    // resolves privately, and plain http.
    let targets = [
        format!("https://127.0.0.1:{port}/secret"),
        "https://169.254.169.254/latest/meta-data".to_owned(),
        format!("https://{name}:{port}/secret"),
        format!("http://127.0.0.1:{port}/secret"),
    ];
    let server = {
        let (targets, secret_reads) = (targets.clone(), secret_reads.clone());
        HttpServer::new(move || {
            let (targets, secret_reads) = (targets.clone(), secret_reads.clone());
            App::new()
                .route(
                    "/to/{index}",
                    web::get().to(move |index: web::Path<usize>| {
                        let target = targets[index.into_inner()].clone();
                        async move { HttpResponse::Found().insert_header(("Location", target)).finish() }
                    }),
                )
                .route(
                    "/secret",
                    web::get().to(move || {
                        secret_reads.fetch_add(1, Ordering::SeqCst);
                        async { HttpResponse::Ok().body("internal") }
                    }),
                )
        })
        .workers(1)
        .listen(listener)
        .expect("the server listens")
        .run()
    };
    let handle = server.handle();
    actix_web::rt::spawn(server);

    // The first hop stands for a public server (an address literal needs no resolving); each
    // redirect from it must be judged like a URL given by the caller.
    let guarded = client_builder(false, 5).build().unwrap();
    for (index, expected) in [
        (0, "redirected to a URL that must be a public address"),
        (1, "redirected to a URL that must be a public address"),
        (2, "resolves to no public address"),
        (3, "redirected to a URL that must be https"),
    ] {
        let error = guarded
            .get(format!("http://127.0.0.1:{port}/to/{index}"))
            .send()
            .await
            .expect_err("the redirect is refused");
        let text = chain(&error);
        assert!(text.contains(expected), "redirect to {}: {text}", targets[index]);
    }
    assert_eq!(secret_reads.load(Ordering::SeqCst), 0, "no private address was reached");

    // The same redirect is followed when private URLs are allowed: the guard is what stopped it.
    let unguarded = client_builder(true, 5).build().unwrap();
    let response = unguarded
        .get(format!("http://127.0.0.1:{port}/to/3"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(secret_reads.load(Ordering::SeqCst), 1);
    handle.stop(false).await;
}
