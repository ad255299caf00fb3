//! Two instances, one PostgreSQL (docs/deploy.md): two `waste-api` processes on one database, a client sending each
//! request to the next instance in turn. Concurrent additions on the same containers and whole hand-over chains
//! of the same organisations go through both. Then: every write answered 2xx (no lost race), every acknowledged
//! addition stored exactly once with its event, every chain unforked (one event per sequence number, each linked
//! to the one before), and `/audit/verify` ok on both instances with the same audit key.

mod common;

use diesel::{Connection, RunQueryDsl};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const TOKEN: &str = "pair-admin-3b9e61d0c4a87f25e1d6b0c9a4f37e82";
const AUDIT_KEY: &str = "pair-audit-key-6f1e0a9c3d7b42e8a5c1f0d9b3e7a6c2";
const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const ADDERS: usize = 8;
const ADDITIONS_EACH: usize = 30;
const CHAINS: usize = 2;
const CHAINS_EACH: usize = 3;

/// An instance on `url`, killed when dropped.
struct Instance(Child);

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(url: &str, port: u16) -> Instance {
    let child = Command::new(env!("CARGO_BIN_EXE_waste-api"))
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("WASTE_BIND", format!("127.0.0.1:{port}"))
        .env("WASTE_BOOTSTRAP_TOKEN", TOKEN)
        .env("WASTE_AUDIT_KEY", AUDIT_KEY)
        // One client address and a few tokens drive both instances: the limits are not under test here.
        .env("WASTE_RATE_PER_TOKEN", "0")
        .env("WASTE_RATE_PER_ADDRESS", "0")
        .env("WASTE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let instance = Instance(child);
    if common::ready(port) {
        return instance;
    }
    panic!("the instance on port {port} did not become ready");
}

/// A client that sends each request to the next instance in turn.
struct RoundRobin {
    bases: Vec<String>,
    next: AtomicUsize,
    http: reqwest::blocking::Client,
}

impl RoundRobin {
    fn base(&self) -> &str {
        &self.bases[self.next.fetch_add(1, Ordering::Relaxed) % self.bases.len()]
    }

    fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base()))
            .bearer_auth(token)
            .json(&body)
            .send()
            .expect("request");
        let s = r.status().as_u16();
        (s, r.json().unwrap_or(Value::Null))
    }

    fn get(&self, path: &str, token: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base()))
            .bearer_auth(token)
            .send()
            .expect("request")
            .json()
            .expect("json")
    }

    /// POSTs and insists on `want`.
    fn ok(&self, path: &str, token: &str, body: Value, want: u16) -> Value {
        let (s, v) = self.post(path, token, body);
        assert_eq!(s, want, "POST {path}: {v}");
        v
    }

    fn org(&self, kind: &str, n: u32, extra: Value) -> String {
        let credit = waste_core::party::credit_code_with_check(&format!("91220101MA{n:07}"))
            .expect("credit code");
        let mut body = json!({"kind": kind, "name": format!("pair {kind} {n}"), "credit_code": credit, "region_code": "220102"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        self.ok("/api/v1/organizations", TOKEN, body, 201)["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    fn person(&self, org: &str, role: &str) -> String {
        self.ok(
            &format!("/api/v1/organizations/{org}/users"),
            TOKEN,
            json!({"name": role, "roles": [role], "trained_until": "2099-12-31"}),
            201,
        )["token"]
            .as_str()
            .expect("token")
            .to_owned()
    }
}

struct Parties {
    school: String,
    staff: String,
    operator: String,
    carrier: String,
    driver: String,
    firm: String,
    receiver: String,
}

fn cyanide(quantity: &str) -> Value {
    json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "potassium cyanide", "fraction": "0.01"}, {"name": "water", "fraction": "0.99"}]}, "quantity": quantity, "unit": "L"})
}

/// One container from the bench to disposal, every step through the next instance; returns the manifest id.
fn chain(rr: &RoundRobin, p: &Parties) -> String {
    let id = rr.ok(
        "/api/v1/containers",
        &p.staff,
        json!({"lab": "P", "capacity_liters": "20", "material": "hdpe"}),
        201,
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    rr.ok(
        &format!("/api/v1/containers/{id}/additions"),
        &p.staff,
        cyanide("5"),
        201,
    );
    rr.ok(
        &format!("/api/v1/containers/{id}/seal"),
        &p.staff,
        json!({}),
        200,
    );
    let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(1);
    let rq = rr.ok("/api/v1/pickup-requests", &p.staff, json!({"container_ids": [id], "preferred_from": format!("{day}T08:00:00+08:00"), "preferred_until": format!("{day}T17:00:00+08:00"), "contact": "pair"}), 201)["id"]
        .as_str()
        .expect("request id")
        .to_owned();
    rr.ok(&format!("/api/v1/pickup-requests/{rq}/schedule"), &p.operator, json!({"slot_from": format!("{day}T09:00:00+08:00"), "slot_until": format!("{day}T11:00:00+08:00")}), 200);
    rr.ok("/api/v1/pickups", &p.operator, json!({"school_id": p.school, "request_id": rq, "containers": [{"container_id": id, "gross_weight_kg": "5"}]}), 201);
    let m = rr.ok(
        "/api/v1/manifests",
        &p.operator,
        json!({"receiver_id": p.firm, "carrier_id": p.carrier, "container_ids": [id]}),
        201,
    )["id"]
        .as_str()
        .expect("manifest id")
        .to_owned();
    rr.ok(
        &format!("/api/v1/manifests/{m}/submit"),
        &p.operator,
        json!({}),
        200,
    );
    rr.ok(
        &format!("/api/v1/manifests/{m}/dispatch"),
        &p.driver,
        json!({"container_ids": [id]}),
        200,
    );
    rr.ok(
        &format!("/api/v1/manifests/{m}/receive"),
        &p.receiver,
        json!({"lines": [{"container_id": id, "received_weight_kg": "5", "accepted": true}]}),
        200,
    );
    rr.ok(
        &format!("/api/v1/manifests/{m}/confirm-disposal"),
        &p.receiver,
        json!({"method": "D10"}),
        200,
    );
    m
}

/// An aggregate's events are numbered 1..n without a gap or a repeat, each linked to the one before.
fn assert_unforked(events: &Value, what: &str) -> usize {
    let items = events["items"].as_array().expect("events");
    let mut prev = String::new();
    for (i, e) in items.iter().enumerate() {
        assert_eq!(e["seq"].as_u64(), Some(i as u64 + 1), "{what}: {events}");
        if i > 0 {
            assert_eq!(e["prev_hash"].as_str(), Some(prev.as_str()), "{what}: {e}");
        }
        prev = e["hash"].as_str().expect("hash").to_owned();
    }
    items.len()
}

#[test]
#[cfg_attr(no_postgres, ignore = "PostgreSQL was not reachable at build time")]
fn two_instances_on_one_postgres_lose_nothing_and_fork_no_chain() {
    let mut admin = diesel::PgConnection::establish(PG_ADMIN)
        .expect("PostgreSQL at 127.0.0.1:5432 (trust, user postgres)");
    let name = format!("waste_pair_{}", uuid::Uuid::new_v4().simple());
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .expect("create database");
    let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
    let ports = [common::free_port(), common::free_port()];
    // Both start at once on the empty database: migrations take turns.
    let instances: Vec<Instance> = std::thread::scope(|s| {
        let hs: Vec<_> = ports.iter().map(|p| s.spawn(|| start(&url, *p))).collect();
        hs.into_iter().map(|h| h.join().expect("start")).collect()
    });
    let rr = RoundRobin {
        bases: ports
            .iter()
            .map(|p| format!("http://127.0.0.1:{p}"))
            .collect(),
        next: AtomicUsize::new(0),
        http: reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
    };
    let school = rr.org("school", 901, json!({}));
    let station = rr.org("transfer_station", 902, json!({}));
    let carrier = rr.org("carrier", 903, json!({}));
    let firm = rr.org(
        "disposal_firm",
        904,
        json!({"license": {"number": "L", "waste_codes": ["900-047-49"], "valid_until": "2099-12-31"}}),
    );
    rr.ok("/api/v1/contracts", TOKEN, json!({"shipper_id": station, "disposal_firm_id": firm, "valid_from": "2020-01-01", "valid_until": "2099-12-31", "waste_codes": ["900-047-49"]}), 201);
    let p = Parties {
        staff: rr.person(&school, "lab_staff"),
        operator: rr.person(&station, "station_operator"),
        driver: rr.person(&carrier, "driver"),
        receiver: rr.person(&firm, "disposal_operator"),
        school,
        carrier,
        firm,
    };
    // Four containers, each written by two adders at once, their requests alternating between the instances.
    let containers: Vec<String> = (0..4)
        .map(|_| {
            rr.ok(
                "/api/v1/containers",
                &p.staff,
                json!({"lab": "P", "capacity_liters": "2000", "material": "hdpe"}),
                201,
            )["id"]
                .as_str()
                .expect("id")
                .to_owned()
        })
        .collect();
    let (acked, manifests): (Vec<(usize, usize)>, Vec<String>) = std::thread::scope(|s| {
        let adders: Vec<_> = (0..ADDERS)
            .map(|w| {
                let c = w % containers.len();
                let (rr, p, id) = (&rr, &p, &containers[c]);
                s.spawn(move || {
                    let mut ok = 0;
                    for _ in 0..ADDITIONS_EACH {
                        rr.ok(
                            &format!("/api/v1/containers/{id}/additions"),
                            &p.staff,
                            cyanide("0.01"),
                            201,
                        );
                        ok += 1;
                    }
                    (c, ok)
                })
            })
            .collect();
        let chains: Vec<_> = (0..CHAINS)
            .map(|_| {
                let (rr, p) = (&rr, &p);
                s.spawn(move || (0..CHAINS_EACH).map(|_| chain(rr, p)).collect::<Vec<_>>())
            })
            .collect();
        (
            adders
                .into_iter()
                .map(|h| h.join().expect("adder"))
                .collect(),
            chains
                .into_iter()
                .flat_map(|h| h.join().expect("chain"))
                .collect(),
        )
    });
    // Every acknowledged addition is stored once, with its event, on one unforked chain.
    for (i, id) in containers.iter().enumerate() {
        let want: usize = acked.iter().filter(|(c, _)| *c == i).map(|(_, n)| n).sum();
        assert_eq!(want, 2 * ADDITIONS_EACH);
        let c = rr.get(&format!("/api/v1/containers/{id}"), &p.staff);
        assert_eq!(c["additions_count"].as_u64(), Some(want as u64), "{c}");
        let ev = rr.get(&format!("/api/v1/containers/{id}/events"), &p.staff);
        let n = assert_unforked(&ev, id);
        assert_eq!(n, want + 1, "created, then one event per addition");
    }
    assert_eq!(manifests.len(), CHAINS * CHAINS_EACH);
    for m in &manifests {
        let v = rr.get(&format!("/api/v1/manifests/{m}"), TOKEN);
        assert_eq!(v["status"], "disposed", "{v}");
        let ev = rr.get(&format!("/api/v1/manifests/{m}/events"), TOKEN);
        assert_eq!(assert_unforked(&ev, m), 5, "one event per manifest step");
    }
    // Each instance verifies every chain, anchors included (both hold the same audit key).
    for _ in 0..2 {
        let audit = rr.get("/api/v1/audit/verify", TOKEN);
        assert_eq!(audit["ok"], true, "{audit}");
        assert_eq!(audit["anchored"], true, "{audit}");
    }
    drop(instances);
    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin);
}
