//! The test's own hand on the app's database: a connection beside the app's pool, and a
//! transaction held open while the API runs into it, so that the paths only a race reaches (a
//! unique violation past a handler's own check, a row lock, a change landing mid-request) are
//! forced, not left to chance.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use bluelight_api::db::{Backend, PooledDb};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

/// A connection of the test's own, beside the app's pool (a pooled connection keeps its pool).
pub fn connect(url: &str) -> PooledDb {
    bluelight_api::db::connect(url, 1)
        .expect("a pool on the test database")
        .get()
        .expect("a connection to the test database")
}

/// Runs `sql` on a connection of the test's own.
pub async fn execute(url: &str, sql: String) {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || connect(&url).batch_execute(&sql).expect("the test's SQL"))
        .await
        .expect("the test's SQL runs");
}

/// A transaction that has made its change and stays open (holding its rows, and on SQLite the
/// write lock) until `commit` is called.
pub struct HeldTransaction {
    url: String,
    /// The PostgreSQL backend pid of the holder; None on SQLite.
    pid: Option<i32>,
    commit: mpsc::Sender<()>,
    holder: std::thread::JoinHandle<()>,
}

impl HeldTransaction {
    /// Begins a transaction on its own connection, runs `sql` in it and returns once it is made.
    pub async fn start(url: &str, sql: String) -> HeldTransaction {
        let (made_tx, made_rx) = tokio::sync::oneshot::channel();
        let (commit, commit_rx) = mpsc::channel::<()>();
        let thread_url = url.to_owned();
        let holder = std::thread::spawn(move || {
            let backend = Backend::of_url(&thread_url);
            let mut conn = connect(&thread_url);
            let begin = match backend {
                Backend::Sqlite => "BEGIN IMMEDIATE",
                Backend::Postgres => "BEGIN",
            };
            conn.batch_execute(&format!("{begin}; {sql}"))
                .expect("the held change is made");
            let pid = match backend {
                Backend::Sqlite => None,
                Backend::Postgres => Some(
                    diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("pg_backend_pid()"))
                        .get_result::<i32>(&mut *conn)
                        .expect("the holder's pid"),
                ),
            };
            made_tx.send(pid).expect("the test waits for the change");
            // A test that failed before committing drops its sender: roll back and end.
            match commit_rx.recv() {
                Ok(()) => conn.batch_execute("COMMIT").expect("the held change commits"),
                Err(_) => conn.batch_execute("ROLLBACK").expect("the held change rolls back"),
            }
        });
        let pid = made_rx.await.expect("the change is held");
        HeldTransaction {
            url: url.to_owned(),
            pid,
            commit,
            holder,
        }
    }

    /// Waits until another session (the API's) is blocked behind this transaction. PostgreSQL
    /// says so (`pg_blocking_pids`); the wait fails the test if the API never blocks, which is how
    /// a missing lock shows. SQLite cannot say: its waiting writer retries in the busy handler,
    /// invisibly, so the test gives the request a moment after it is sent. Tests are written so
    /// that releasing too early makes them fail, never pass.
    pub async fn until_another_waits(&self) {
        let Some(pid) = self.pid else {
            tokio::time::sleep(Duration::from_millis(300)).await;
            return;
        };
        let url = self.url.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = connect(&url);
            let started = Instant::now();
            loop {
                let waiting = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
                    "(SELECT count(*) FROM pg_stat_activity WHERE {pid} = ANY(pg_blocking_pids(pid)))"
                )))
                .get_result::<i64>(&mut *conn)
                .expect("pg_stat_activity");
                if waiting > 0 {
                    return;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(20),
                    "no request ever waited on the held transaction"
                );
                std::thread::sleep(Duration::from_millis(5));
            }
        })
        .await
        .expect("the watcher");
    }

    /// Commits the held change and waits for the holder to finish.
    pub async fn commit(self) {
        self.commit.send(()).expect("the holder is waiting");
        let holder = self.holder;
        tokio::task::spawn_blocking(move || holder.join().expect("the holder"))
            .await
            .expect("the holder ends");
    }
}
