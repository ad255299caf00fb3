//! Helpers for the end-to-end tests: a real service on port 0 with its own database (a fresh SQLite file, or a
//! fresh PostgreSQL database that is dropped afterwards), and a small JSON client.

pub mod browser;
pub mod receiver;
pub mod world;

use diesel::{Connection, RunQueryDsl};
use serde_json::Value;
use std::sync::mpsc;
use std::time::Duration;

/// At least 32 random characters, as the service requires of a bootstrap token.
pub const ADMIN_TOKEN: &str = "e2e-admin-7f3c9a41d2b85e06c1f4a9d37b20e8c5";
pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running service with its own database.
pub struct TestApp {
    pub base: String,
    pub database_url: String,
    backend: Backend,
    pg_db: Option<String>,
    sqlite_dir: Option<std::path::PathBuf>,
    handle: actix_web::dev::ServerHandle,
    clock: waste_api::app::Clock,
    thread: Option<std::thread::JoinHandle<()>>,
    http: reqwest::blocking::Client,
}

fn pg_available() -> bool {
    diesel::PgConnection::establish(PG_ADMIN_URL).is_ok()
}

impl TestApp {
    /// Starts the service on `backend`. The PostgreSQL tests are compiled as ignored when the build found no
    /// PostgreSQL (outside CI, see build.rs); once they run, a missing PostgreSQL fails them.
    pub fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, waste_api::config::Guards::default())
    }

    /// `start` with the given guards (a metrics token, limits).
    pub fn start_with(backend: Backend, guards: waste_api::config::Guards) -> TestApp {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let (database_url, pg_db, sqlite_dir) = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("waste-e2e-{id}"));
                (
                    format!("sqlite://{}/waste.db", dir.display()),
                    None,
                    Some(dir),
                )
            }
            Backend::Postgres => {
                // The build probed PostgreSQL and these tests are not ignored (see build.rs): a PostgreSQL that
                // is missing now is a failure, never a silent pass.
                assert!(
                    pg_available(),
                    "PostgreSQL is not reachable at 127.0.0.1:5432 (it was at build time, or CI=true)"
                );
                let name = format!("waste_e2e_{id}");
                let mut c = diesel::PgConnection::establish(PG_ADMIN_URL)
                    .expect("postgres admin connection");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut c)
                    .expect("create test database");
                (
                    format!("postgres://postgres@127.0.0.1:5432/{name}"),
                    Some(name),
                    None,
                )
            }
        };
        Self::launch(database_url, backend, pg_db, sqlite_dir, guards)
    }

    /// A service on the SQLite database `dir/waste.db` as it is (a restored backup, a fixture); `dir` is removed
    /// when the service is dropped.
    pub fn start_existing_sqlite(
        dir: std::path::PathBuf,
        guards: waste_api::config::Guards,
    ) -> TestApp {
        let url = format!("sqlite://{}/waste.db", dir.display());
        Self::launch(url, Backend::Sqlite, None, Some(dir), guards)
    }

    /// A service on the PostgreSQL database `name` as it is; the database is dropped with the service.
    pub fn start_existing_postgres(name: &str, guards: waste_api::config::Guards) -> TestApp {
        let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
        Self::launch(url, Backend::Postgres, Some(name.to_owned()), None, guards)
    }

    fn launch(
        database_url: String,
        backend: Backend,
        pg_db: Option<String>,
        sqlite_dir: Option<std::path::PathBuf>,
        guards: waste_api::config::Guards,
    ) -> TestApp {
        let (tx, rx) = mpsc::channel();
        let url = database_url.clone();
        let thread = std::thread::spawn(move || {
            let sys = actix_web::rt::System::new();
            sys.block_on(async move {
                match waste_api::build_guarded("127.0.0.1:0", &url, Some(ADMIN_TOKEN), 2, 8, guards)
                {
                    Ok(running) => {
                        let _ = tx.send(Ok((
                            running.addr,
                            running.handle.clone(),
                            running.clock.clone(),
                        )));
                        let _ = running.server.await;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                }
            });
        });
        let (addr, handle, clock) = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("service starts")
            .expect("service builds");
        TestApp {
            base: format!("http://{addr}"),
            database_url,
            backend,
            pg_db,
            sqlite_dir,
            handle,
            clock,
            thread: Some(thread),
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("http client"),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Moves the service's clock forward by `days` (storage deadlines, receipt deadlines), instead of
    /// back-dating rows.
    pub fn advance_days(&self, days: i64) {
        self.clock.advance(time::Duration::days(days));
    }

    /// Moves the service's clock by `by`, forward or back (a clock that jumps: issue 28 item 4).
    pub fn move_clock(&self, by: time::Duration) {
        self.clock.advance(by);
    }

    /// Stops the service and starts it again on the same database with `guards`: the new process's clock is the
    /// system's, wherever the old one's had been moved.
    pub fn restart(mut self, guards: waste_api::config::Guards) -> TestApp {
        let (pg_db, sqlite_dir) = (self.pg_db.take(), self.sqlite_dir.take());
        let (url, backend) = (self.database_url.clone(), self.backend);
        drop(self);
        Self::launch(url, backend, pg_db, sqlite_dir, guards)
    }

    /// A second instance of the service on the same database, with a clock of its own (several instances on one
    /// PostgreSQL). The database stays this one's: it is not removed when the second instance stops.
    pub fn another_instance(&self, guards: waste_api::config::Guards) -> TestApp {
        Self::launch(self.database_url.clone(), self.backend, None, None, guards)
    }

    /// Moves the service's clock forward by `minutes` (short-lived links).
    pub fn advance_minutes(&self, minutes: i64) {
        self.clock.advance(time::Duration::minutes(minutes));
    }

    /// The service's today.
    /// Waits until the webhook worker has finished two more scans and two more rounds than when called, with no
    /// attempt under way (`/metrics`): a round that began after everything before the call, so an event it was
    /// going to send has been sent. A check that nothing was sent asks this first, never a sleep.
    pub fn webhook_worker_settled(&self) {
        let read = |name: &str| -> u64 {
            let (_, m) = self.call("GET", "/metrics", None, None);
            m.as_str()
                .unwrap_or_default()
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name} ")))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| panic!("{name} in /metrics"))
        };
        let (scans, rounds) = (
            read("waste_webhook_scans_total"),
            read("waste_webhook_rounds_total"),
        );
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            if read("waste_webhook_scans_total") >= scans + 2
                && read("waste_webhook_rounds_total") >= rounds + 2
                && read("waste_webhook_in_flight") == 0
            {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the webhook worker did not finish two rounds in 60 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    pub fn today(&self) -> time::Date {
        self.clock.today()
    }

    /// Sets the service's clock to `hour:minute` local time (the deployment's zone) on local date `day`: the
    /// hours when the local date and the UTC date differ are reached without waiting.
    pub fn set_local_time(&self, day: time::Date, hour: u8, minute: u8) {
        let local = day.with_hms(hour, minute, 0).expect("a time of day");
        self.clock.set(self.clock.zone().instant(local));
    }

    /// Sends a request; returns the status and the body parsed as JSON (or as a JSON string when it is not JSON).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        self.call_raw(method, path, token, body.map(|b| b.to_string()), &[])
    }

    pub fn call_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        match body {
            Some(b) => self.call_bytes(method, path, token, b.into_bytes(), headers),
            None => self.send(method, path, token, None, headers),
        }
    }

    /// Sends any bytes as a JSON body (they need not be JSON, nor UTF-8).
    pub fn call_bytes(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        self.send(method, path, token, Some(body), headers)
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut rb = self.http.request(m, format!("{}{path}", self.base));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if let Some(b) = body {
            rb = rb.header("content-type", "application/json").body(b);
        }
        let resp = rb.send().expect("request sent");
        let status = resp.status().as_u16();
        let text = resp.text().unwrap_or_default();
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, v)
    }

    pub fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.call("GET", path, Some(token), None)
    }

    pub fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, Some(token), Some(&body))
    }

    /// A direct connection to the test database, for checks and edits behind the API.
    pub fn db(&self) -> waste_api::db::PooledConn {
        let db = waste_api::db::connect(&self.database_url, 2).expect("direct database connection");
        db.pool.get().expect("pooled connection")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let stop = self.handle.stop(false);
        actix_web::rt::System::new().block_on(stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Some(name) = &self.pg_db
            && let Ok(mut c) = diesel::PgConnection::establish(PG_ADMIN_URL)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut c);
        }
        if let Some(dir) = &self.sqlite_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Asserts the error envelope: status, `error.code`, a message, and `details` present.
pub fn assert_error(got: &(u16, Value), status: u16, code: &str) {
    assert_eq!(got.0, status, "status: {}", got.1);
    assert_eq!(got.1["error"]["code"], code, "code: {}", got.1);
    assert!(
        got.1["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "message: {}",
        got.1
    );
    assert!(got.1["error"]["details"].is_object(), "details: {}", got.1);
}

/// Creates an organisation as the administrator; `extra` adds fields (a licence). Returns its id.
pub fn org(app: &TestApp, kind: &str, n: u32, region: &str, extra: Value) -> String {
    let mut body = serde_json::json!({"kind": kind, "name": format!("{kind} {n}"), "credit_code": credit_code(n), "region_code": region});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = app.post("/api/v1/organizations", ADMIN_TOKEN, body);
    assert_eq!(r.0, 201, "{}", r.1);
    r.1["id"].as_str().expect("id").to_owned()
}

/// Creates a user of `org` as the administrator; returns the token.
pub fn user(app: &TestApp, org: &str, roles: &[&str], trained_until: &str) -> String {
    let r = app.post(
        &format!("/api/v1/organizations/{org}/users"),
        ADMIN_TOKEN,
        serde_json::json!({"name": "王老师", "roles": roles, "trained_until": trained_until}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    r.1["token"].as_str().expect("token").to_owned()
}

/// Lifts the database's refusal to update or delete custody events (the insert-only triggers), as someone with
/// the table owner's rights could, so that a test can tamper with the log behind the service.
pub fn allow_event_edits(app: &TestApp) {
    let mut c = app.db();
    let sql: &[&str] = match app.backend() {
        Backend::Sqlite => &[
            "DROP TRIGGER IF EXISTS events_no_update",
            "DROP TRIGGER IF EXISTS events_no_delete",
        ],
        Backend::Postgres => &["ALTER TABLE events DISABLE TRIGGER USER"],
    };
    for q in sql {
        diesel::sql_query(*q)
            .execute(&mut *c)
            .expect("lift the insert-only triggers");
    }
}

/// `SELECT COUNT(*) AS n …` on the test database, behind the API.
pub fn count(app: &TestApp, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut c = app.db();
    diesel::sql_query(sql)
        .load::<N>(&mut *c)
        .expect("count query")
        .first()
        .map(|r| r.n)
        .unwrap_or(-1)
}

/// Makes a valid unified social credit code from a number (GB 32100-2015 check character).
pub fn credit_code(n: u32) -> String {
    waste_core::party::credit_code_with_check(&format!("91220101MA{n:07}"))
        .expect("17-character body")
}

/// Defines `sqlite_<name>` and `postgres_<name>` tests running the same scenario on both backends.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident => $body:ident;)*) => {
        mod sqlite {
            $(#[test] fn $name() { let app = $crate::TestApp::start($crate::Backend::Sqlite); super::$body(&app) })*
        }
        mod postgres {
            $(#[test] #[cfg_attr(no_postgres, ignore = "PostgreSQL was not reachable when the tests were built")] fn $name() { let app = $crate::TestApp::start($crate::Backend::Postgres); super::$body(&app) })*
        }
    };
}
