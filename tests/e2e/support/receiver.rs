//! A webhook receiver on its own loopback port: records every POST it gets, answers with the
//! statuses a test scripts (200 once the script runs out), and can be held closed so a test can
//! show that nothing waits for it.

use std::collections::VecDeque;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::sync::watch;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub event: String,
    pub content_type: String,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a delivery's body is JSON")
    }

    /// Checks the signature as a subscriber would, with our own HMAC: SHA-256 over
    /// `{Webhook-Id}.{Webhook-Timestamp}.{body}`, hex, after `v1=`.
    pub fn signed_with(&self, secret: &str) -> bool {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{}.{}.", self.id, self.timestamp).as_bytes());
        mac.update(&self.body);
        let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        self.signature == format!("v1={expected}")
    }
}

struct Shared {
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<u16>>,
    /// While false, requests wait (without answering) until it turns true.
    open: watch::Sender<bool>,
}

pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
    handle: ServerHandle,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let (open, _) = watch::channel(true);
        let shared = Arc::new(Shared {
            received: Mutex::new(Vec::new()),
            script: Mutex::new(VecDeque::new()),
            open,
        });
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let url = format!("http://{}/hooks/bluelight", listener.local_addr().unwrap());
        let data = web::Data::from(shared.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(8 << 20))
                .route("/hooks/bluelight", web::post().to(receive))
        })
        .workers(2)
        .listen(listener)
        .expect("the receiver listens")
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Receiver { url, shared, handle }
    }

    /// The next requests are answered with these statuses, in order; later ones with 200.
    pub fn answer(&self, statuses: &[u16]) {
        self.shared.script.lock().unwrap().extend(statuses);
    }

    /// Requests wait unanswered until [`Receiver::open`].
    pub fn hold(&self) {
        self.shared.open.send_replace(false);
    }

    pub fn open(&self) {
        self.shared.open.send_replace(true);
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits (up to 20 s) until `count` requests have arrived; returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "the receiver got {} of {count} expected deliveries: {:?}",
                received.len(),
                received.iter().map(|r| r.event.clone()).collect::<Vec<_>>()
            );
            actix_web::rt::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.open();
        drop(self.handle.stop(false));
    }
}

async fn receive(shared: web::Data<Shared>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    shared.received.lock().unwrap().push(Received {
        id: header("Webhook-Id"),
        timestamp: header("Webhook-Timestamp"),
        signature: header("Webhook-Signature"),
        event: header("Webhook-Event"),
        content_type: header("Content-Type"),
        body: body.to_vec(),
        at: Instant::now(),
    });
    let mut open = shared.open.subscribe();
    // Ends when opened; an error means the receiver is being dropped.
    let _ = open.wait_for(|open| *open).await;
    let status = shared.script.lock().unwrap().pop_front().unwrap_or(200);
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}
