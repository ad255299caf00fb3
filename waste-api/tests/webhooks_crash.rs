//! Webhooks lose nothing when the service dies: the real binary is killed with SIGKILL while a delivery is in
//! flight and the later events of the same manifest wait in the outbox; after a restart on the same database
//! every event reaches the receiver, in order, each under the one delivery id it had before the kill. On SQLite
//! and PostgreSQL.

#[path = "../../tests/src/receiver.rs"]
mod receiver;

mod common;

use diesel::{Connection, RunQueryDsl};
use receiver::{Receiver, Reply};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOKEN: &str = "hook-admin-7c2e94b1d05f83a6e1c9b47d2a08f5e3";
const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn start(url: &str, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_waste-api"))
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("WASTE_BIND", format!("127.0.0.1:{port}"))
        .env("WASTE_BOOTSTRAP_TOKEN", TOKEN)
        .env("WASTE_LOG", "warn")
        .env("WASTE_WEBHOOK_ALLOW_LOCAL", "1")
        .env("WASTE_WEBHOOK_TIMEOUT_MS", "8000")
        .env("WASTE_WEBHOOK_BACKOFF_BASE_MS", "200")
        .env("WASTE_WEBHOOK_BACKOFF_MAX_MS", "1000")
        .env("WASTE_WEBHOOK_POLL_MS", "100")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    if common::ready(port) {
        return child;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not become ready on {url}");
}

struct Api {
    base: String,
    c: reqwest::blocking::Client,
}

impl Api {
    fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        let r = self
            .c
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .expect("request");
        let s = r.status().as_u16();
        (s, r.json().unwrap_or(Value::Null))
    }

    fn created(&self, path: &str, token: &str, body: Value) -> Value {
        let (s, v) = self.post(path, token, body);
        assert!(s == 201 || s == 200, "{path}: {s} {v}");
        v
    }

    fn org(&self, kind: &str, n: u32, extra: Value) -> String {
        let credit = waste_core::party::credit_code_with_check(&format!("91220101MA{n:07}"))
            .expect("credit code");
        let mut body = json!({"kind": kind, "name": format!("hook {kind}"), "credit_code": credit, "region_code": "220102"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        self.created("/api/v1/organizations", TOKEN, body)["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    fn person(&self, org: &str, role: &str) -> String {
        self.created(
            &format!("/api/v1/organizations/{org}/users"),
            TOKEN,
            json!({"name": role, "roles": [role], "trained_until": "2099-12-31"}),
        )["token"]
            .as_str()
            .expect("token")
            .to_owned()
    }
}

const EVENTS: [&str; 4] = [
    "manifest.drafted",
    "manifest.submitted",
    "manifest.dispatched",
    "manifest.received",
];

fn scenario(url: &str) {
    // The receiver holds the first request it gets (longer than the kill takes), then answers 200 to all.
    let holding = Arc::new(AtomicBool::new(true));
    let arrived: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let rx = {
        let (holding, arrived) = (holding.clone(), arrived.clone());
        Receiver::start(move |_, hit| {
            if let Ok(mut a) = arrived.lock() {
                a.push((
                    hit.header("x-waste-event").to_owned(),
                    hit.header("x-waste-delivery").to_owned(),
                ));
            }
            if holding.load(Ordering::Relaxed) {
                Reply {
                    status: 500,
                    delay: Duration::from_secs(20),
                }
            } else {
                Reply::status(200)
            }
        })
    };
    let port = common::free_port();
    let api = Api {
        base: format!("http://127.0.0.1:{port}"),
        c: reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client"),
    };
    let mut server = start(url, port);
    let school = api.org("school", 881, json!({}));
    let station = api.org("transfer_station", 882, json!({}));
    let carrier = api.org("carrier", 883, json!({}));
    let firm = api.org(
        "disposal_firm",
        884,
        json!({"license": {"number": "L", "waste_codes": ["900-047-49"], "valid_until": "2099-12-31"}}),
    );
    api.created("/api/v1/contracts", TOKEN, json!({"shipper_id": station, "disposal_firm_id": firm, "valid_from": "2020-01-01", "valid_until": "2099-12-31", "waste_codes": ["900-047-49"]}));
    let staff = api.person(&school, "lab_staff");
    let operator = api.person(&station, "station_operator");
    let officer = api.person(&station, "safety_officer");
    let driver = api.person(&carrier, "driver");
    let receiver_op = api.person(&firm, "disposal_operator");
    let sub = api.created(
        "/api/v1/webhooks",
        &officer,
        json!({"url": rx.url, "events": EVENTS}),
    );
    let sub = sub["id"].as_str().expect("subscription").to_owned();
    let c = api.created(
        "/api/v1/containers",
        &staff,
        json!({"lab": "K", "capacity_liters": "20", "material": "hdpe"}),
    )["id"]
        .as_str()
        .expect("container")
        .to_owned();
    api.created(&format!("/api/v1/containers/{c}/additions"), &staff, json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "potassium cyanide", "fraction": "0.01"}, {"name": "water", "fraction": "0.99"}]}, "quantity": "5", "unit": "L"}));
    api.created(&format!("/api/v1/containers/{c}/seal"), &staff, json!({}));
    let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(1);
    let rq = api.created("/api/v1/pickup-requests", &staff, json!({"container_ids": [c], "preferred_from": format!("{day}T08:00:00+08:00"), "preferred_until": format!("{day}T17:00:00+08:00"), "contact": "张老师"}))["id"]
        .as_str()
        .expect("request")
        .to_owned();
    api.created(&format!("/api/v1/pickup-requests/{rq}/schedule"), &operator, json!({"slot_from": format!("{day}T09:00:00+08:00"), "slot_until": format!("{day}T11:00:00+08:00")}));
    api.created("/api/v1/pickups", &operator, json!({"school_id": school, "request_id": rq, "containers": [{"container_id": c, "gross_weight_kg": "5"}]}));
    let m = api.created(
        "/api/v1/manifests",
        &operator,
        json!({"receiver_id": firm, "carrier_id": carrier, "container_ids": [c]}),
    )["id"]
        .as_str()
        .expect("manifest")
        .to_owned();
    // The first delivery is in flight (the receiver holds it) ...
    let deadline = Instant::now() + Duration::from_secs(20);
    while arrived.lock().map(|a| a.is_empty()).unwrap_or(true) {
        assert!(
            Instant::now() < deadline,
            "the first delivery never arrived"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // ... while the manifest's next steps are acknowledged: their events wait behind it in the outbox.
    for (token, action, body) in [
        (&operator, "submit", json!({})),
        (&driver, "dispatch", json!({"container_ids": [c]})),
        (
            &receiver_op,
            "receive",
            json!({"lines": [{"container_id": c, "received_weight_kg": "5", "accepted": true}]}),
        ),
    ] {
        let (s, v) = api.post(&format!("/api/v1/manifests/{m}/{action}"), token, body);
        assert_eq!(s, 200, "{action}: {v}");
    }
    // A slow receiver slows no request: the steps were answered while it still holds the first delivery.
    assert!(
        rx.hits().is_empty(),
        "the receiver has answered nothing yet"
    );
    server.kill().expect("SIGKILL the server");
    let _ = server.wait();
    let before: Vec<(String, String)> = arrived.lock().map(|a| a.clone()).unwrap_or_default();
    assert!(
        before.iter().all(|b| b.0 == "manifest.drafted"),
        "only the first event went out before the kill: {before:?}"
    );
    holding.store(false, Ordering::Relaxed);
    let seen_before = rx.hits().len();

    // Restart on the same database: every event arrives, in order, under its one delivery id.
    let mut server = start(url, port);
    let hits = rx.wait_for(Duration::from_secs(60), |h| {
        h[seen_before.min(h.len())..]
            .iter()
            .filter(|h| h.status == 200)
            .count()
            >= EVENTS.len()
    });
    // The log says so too, once the last answer is recorded.
    let deadline = Instant::now() + Duration::from_secs(10);
    let log = loop {
        let log: Value = api
            .c
            .get(format!("{}/api/v1/webhooks/{sub}/deliveries", api.base))
            .bearer_auth(&officer)
            .send()
            .expect("log")
            .json()
            .expect("json");
        let items = log["items"].as_array().cloned().unwrap_or_default();
        if items.iter().all(|d| d["state"] == "delivered") || Instant::now() > deadline {
            break log;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = server.kill();
    let _ = server.wait();
    let after: Vec<_> = hits[seen_before..]
        .iter()
        .filter(|h| h.status == 200)
        .collect();
    let types: Vec<&str> = after.iter().map(|h| h.header("x-waste-event")).collect();
    assert_eq!(types, EVENTS, "every event after the restart, in order");
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (event, delivery) in arrived.lock().map(|a| a.clone()).unwrap_or_default() {
        ids.entry(event).or_default().insert(delivery);
    }
    for e in EVENTS {
        assert_eq!(
            ids.get(e).map(BTreeSet::len),
            Some(1),
            "{e}: one delivery id on every attempt: {ids:?}"
        );
    }
    assert_eq!(
        after[0].header("x-waste-delivery"),
        before[0].1,
        "the delivery cut short by the kill is sent again with its id"
    );
    for h in &after {
        assert_eq!(h.json()["aggregate"]["id"], m.as_str());
    }
    let items = log["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), EVENTS.len(), "{log}");
    assert!(items.iter().all(|d| d["state"] == "delivered"), "{log}");
    assert!(items[0]["attempts"].as_i64().unwrap_or(0) >= 2, "{log}");
}

#[test]
fn sqlite_webhooks_survive_sigkill_between_change_and_delivery() {
    let dir = std::env::temp_dir().join(format!("waste-hooks-{}", uuid::Uuid::new_v4().simple()));
    scenario(&format!("sqlite://{}/w.db", dir.display()));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
#[cfg_attr(no_postgres, ignore = "PostgreSQL was not reachable at build time")]
fn postgres_webhooks_survive_sigkill_between_change_and_delivery() {
    let mut admin = diesel::PgConnection::establish(PG_ADMIN)
        .expect("PostgreSQL at 127.0.0.1:5432 (trust, user postgres)");
    let name = format!("waste_hooks_{}", uuid::Uuid::new_v4().simple());
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .expect("create database");
    scenario(&format!("postgres://postgres@127.0.0.1:5432/{name}"));
    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin);
}
