//! Crash safety: drive writes, kill the server with SIGKILL mid-load, restart it on the same database, and check
//! that every write acknowledged with a 2xx is present and every custody chain verifies. On SQLite and PostgreSQL.
//! The writes: additions on four containers, and whole hand-over chains (container to disposal, each manifest step
//! signed by its party) on a fifth thread; every acknowledged manifest step must be stored with its signed event.

mod common;

use diesel::{Connection, RunQueryDsl};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "crash-admin-5d81c2e9a4f07b36d1e8c4a92f60b7d3";
const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn start(url: &str, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_waste-api"))
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("WASTE_BIND", format!("127.0.0.1:{port}"))
        .env("WASTE_BOOTSTRAP_TOKEN", TOKEN)
        .env("WASTE_LOG", "warn")
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

fn post(
    c: &reqwest::blocking::Client,
    url: &str,
    token: &str,
    body: Value,
) -> Option<(u16, Value)> {
    let r = c.post(url).bearer_auth(token).json(&body).send().ok()?;
    let s = r.status().as_u16();
    Some((s, r.json().unwrap_or(Value::Null)))
}

fn org(c: &reqwest::blocking::Client, base: &str, kind: &str, n: u32, extra: Value) -> String {
    let credit = waste_core::party::credit_code_with_check(&format!("91220101MA{n:07}"))
        .expect("credit code");
    let mut body = json!({"kind": kind, "name": format!("crash {kind}"), "credit_code": credit, "region_code": "220102"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let (s, v) = post(c, &format!("{base}/api/v1/organizations"), TOKEN, body).expect(kind);
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().expect("id").to_owned()
}

fn person(c: &reqwest::blocking::Client, base: &str, org: &str, role: &str) -> String {
    let (s, v) = post(
        c,
        &format!("{base}/api/v1/organizations/{org}/users"),
        TOKEN,
        json!({"name": role, "roles": [role], "trained_until": "2099-12-31"}),
    )
    .expect(role);
    assert_eq!(s, 201, "{v}");
    v["token"].as_str().expect("token").to_owned()
}

/// The parties of a hand-over chain: the school's lab staff, the station's operator, the carrier's driver and the
/// licensed firm's operator, with a contract between station and firm.
struct Chain {
    base: String,
    school: String,
    staff: String,
    operator: String,
    carrier: String,
    driver: String,
    firm: String,
    receiver: String,
}

/// The manifest steps in order; a manifest's state after each acknowledged step.
const STEPS: [&str; 5] = ["draft", "submitted", "in_transit", "received", "disposed"];

impl Chain {
    /// One container from the bench to disposal. Records each acknowledged manifest step (index into `STEPS`)
    /// in `acked`; returns false when the server is gone.
    fn run(&self, c: &reqwest::blocking::Client, acked: &Mutex<BTreeMap<String, usize>>) -> bool {
        let b = &self.base;
        let ok = |r: Option<(u16, Value)>, want: u16| -> Option<Value> {
            match r {
                Some((s, v)) if s == want => Some(v),
                _ => None,
            }
        };
        let Some(v) = ok(
            post(
                c,
                &format!("{b}/api/v1/containers"),
                &self.staff,
                json!({"lab": "K", "capacity_liters": "20", "material": "hdpe"}),
            ),
            201,
        ) else {
            return false;
        };
        let id = v["id"].as_str().unwrap_or_default().to_owned();
        let add = json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "potassium cyanide", "fraction": "0.01"}, {"name": "water", "fraction": "0.99"}]}, "quantity": "5", "unit": "L"});
        if ok(
            post(
                c,
                &format!("{b}/api/v1/containers/{id}/additions"),
                &self.staff,
                add,
            ),
            201,
        )
        .is_none()
            || ok(
                post(
                    c,
                    &format!("{b}/api/v1/containers/{id}/seal"),
                    &self.staff,
                    json!({}),
                ),
                200,
            )
            .is_none()
        {
            return false;
        }
        // The school asks for the pickup and the station schedules it: a station takes nothing unrequested.
        let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(1);
        let Some(rq) = ok(
            post(
                c,
                &format!("{b}/api/v1/pickup-requests"),
                &self.staff,
                json!({"container_ids": [id], "preferred_from": format!("{day}T08:00:00+08:00"), "preferred_until": format!("{day}T17:00:00+08:00"), "contact": "张老师 138-0000-0000"}),
            ),
            201,
        ) else {
            return false;
        };
        let rq = rq["id"].as_str().unwrap_or_default().to_owned();
        if ok(post(c, &format!("{b}/api/v1/pickup-requests/{rq}/schedule"), &self.operator, json!({"slot_from": format!("{day}T09:00:00+08:00"), "slot_until": format!("{day}T11:00:00+08:00")})), 200).is_none()
            || ok(post(c, &format!("{b}/api/v1/pickups"), &self.operator, json!({"school_id": self.school, "request_id": rq, "containers": [{"container_id": id, "gross_weight_kg": "5"}]})), 201).is_none()
        {
            return false;
        }
        let Some(v) = ok(
            post(
                c,
                &format!("{b}/api/v1/manifests"),
                &self.operator,
                json!({"receiver_id": self.firm, "carrier_id": self.carrier, "container_ids": [id]}),
            ),
            201,
        ) else {
            return false;
        };
        let m = v["id"].as_str().unwrap_or_default().to_owned();
        let record = |step: usize| {
            if let Ok(mut a) = acked.lock() {
                a.insert(m.clone(), step);
            }
        };
        record(0);
        let actions = [
            ("submit", &self.operator, json!({})),
            ("dispatch", &self.driver, json!({"container_ids": [id]})),
            (
                "receive",
                &self.receiver,
                json!({"lines": [{"container_id": id, "received_weight_kg": "5", "accepted": true}]}),
            ),
            ("confirm-disposal", &self.receiver, json!({"method": "D10"})),
        ];
        for (i, (action, token, body)) in actions.into_iter().enumerate() {
            if ok(
                post(
                    c,
                    &format!("{b}/api/v1/manifests/{m}/{action}"),
                    token,
                    body,
                ),
                200,
            )
            .is_none()
            {
                return false;
            }
            record(i + 1);
        }
        true
    }
}

fn scenario(url: &str) {
    let port = common::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(url, port);
    let c = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let credit =
        waste_core::party::credit_code_with_check("91220101MA0000777").expect("credit code");
    let (_, school) = post(
        &c,
        &format!("{base}/api/v1/organizations"),
        TOKEN,
        json!({"kind": "school", "name": "crash", "credit_code": credit, "region_code": "220102"}),
    )
    .expect("school");
    let school = school["id"].as_str().expect("id").to_owned();
    let (_, u) = post(
        &c,
        &format!("{base}/api/v1/organizations/{school}/users"),
        TOKEN,
        json!({"name": "w", "roles": ["lab_staff"], "trained_until": "2099-12-31"}),
    )
    .expect("user");
    let staff = u["token"].as_str().expect("token").to_owned();
    let station = org(&c, &base, "transfer_station", 778, json!({}));
    let carrier = org(&c, &base, "carrier", 779, json!({}));
    let firm = org(
        &c,
        &base,
        "disposal_firm",
        780,
        json!({"license": {"number": "L", "waste_codes": ["900-047-49"], "valid_until": "2099-12-31"}}),
    );
    let (s, v) = post(&c, &format!("{base}/api/v1/contracts"), TOKEN, json!({"shipper_id": station, "disposal_firm_id": firm, "valid_from": "2020-01-01", "valid_until": "2099-12-31", "waste_codes": ["900-047-49"]})).expect("contract");
    assert_eq!(s, 201, "{v}");
    let chain = Arc::new(Chain {
        operator: person(&c, &base, &station, "station_operator"),
        driver: person(&c, &base, &carrier, "driver"),
        receiver: person(&c, &base, &firm, "disposal_operator"),
        base: base.clone(),
        school: school.clone(),
        staff: staff.clone(),
        carrier,
        firm,
    });
    let containers: Vec<String> = (0..4)
        .map(|_| {
            post(
                &c,
                &format!("{base}/api/v1/containers"),
                &staff,
                json!({"lab": "K", "capacity_liters": "2000", "material": "hdpe"}),
            )
            .expect("container")
            .1["id"]
                .as_str()
                .expect("id")
                .to_owned()
        })
        .collect();

    // Writers: each records the additions the server acknowledged (container -> highest acknowledged count).
    let acked: Arc<Mutex<BTreeMap<String, i64>>> = Arc::new(Mutex::new(BTreeMap::new()));
    let stop = Arc::new(AtomicBool::new(false));
    // And one writer of whole hand-over chains: manifest id -> last acknowledged step.
    let handed: Arc<Mutex<BTreeMap<String, usize>>> = Arc::new(Mutex::new(BTreeMap::new()));
    let hand_over = {
        let (chain, handed, stop) = (chain.clone(), handed.clone(), stop.clone());
        std::thread::spawn(move || {
            let c = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .expect("client");
            while !stop.load(Ordering::Relaxed) && chain.run(&c, &handed) {}
        })
    };
    let writers: Vec<_> = containers
        .iter()
        .cloned()
        .map(|id| {
            let (acked, stop, base, staff) = (acked.clone(), stop.clone(), base.clone(), staff.clone());
            std::thread::spawn(move || {
                let c = reqwest::blocking::Client::builder().timeout(Duration::from_secs(5)).build().expect("client");
                let body = json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "potassium cyanide", "fraction": "0.01"}, {"name": "water", "fraction": "0.99"}]}, "quantity": "0.01", "unit": "L"});
                while !stop.load(Ordering::Relaxed) {
                    match post(&c, &format!("{base}/api/v1/containers/{id}/additions"), &staff, body.clone()) {
                        Some((201, v)) => {
                            let n = v["additions_count"].as_i64().expect("count");
                            if let Ok(mut m) = acked.lock() {
                                let e = m.entry(id.clone()).or_insert(0);
                                *e = (*e).max(n);
                            }
                        }
                        Some(_) => {}
                        None => break, // the server is gone
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    server.kill().expect("SIGKILL the server");
    let _ = server.wait();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        let _ = w.join();
    }
    let _ = hand_over.join();
    let handed = handed.lock().map(|m| m.clone()).unwrap_or_default();
    assert!(
        !handed.is_empty(),
        "some hand-overs were acknowledged before the kill"
    );
    let acked = acked.lock().map(|m| m.clone()).unwrap_or_default();
    let total: i64 = acked.values().sum();
    eprintln!(
        "acknowledged before SIGKILL: {total} additions, {} manifests ({} disposed)",
        handed.len(),
        handed.values().filter(|s| **s == STEPS.len() - 1).count()
    );
    assert!(total > 0, "some writes were acknowledged before the kill");

    // Restart on the same database: every acknowledged addition is there, with its events, and chains verify.
    let mut server = start(url, port);
    for (id, n) in &acked {
        let r = c
            .get(format!("{base}/api/v1/containers/{id}"))
            .bearer_auth(&staff)
            .send()
            .expect("get");
        let v: Value = r.json().expect("json");
        let stored = v["additions_count"].as_i64().expect("count");
        assert!(
            stored >= *n,
            "container {id}: {n} additions acknowledged, {stored} stored"
        );
        let ev: Value = c
            .get(format!("{base}/api/v1/containers/{id}/events"))
            .bearer_auth(&staff)
            .send()
            .expect("events")
            .json()
            .expect("json");
        let additions = ev["items"]
            .as_array()
            .map(|a| a.iter().filter(|e| e["kind"] == "addition").count())
            .unwrap_or(0) as i64;
        assert_eq!(additions, stored, "one event per stored addition");
    }
    // Every acknowledged hand-over step is there: the manifest is at least at that step, with the signed event.
    for (m, step) in &handed {
        let v: Value = c
            .get(format!("{base}/api/v1/manifests/{m}"))
            .bearer_auth(TOKEN)
            .send()
            .expect("manifest")
            .json()
            .expect("json");
        let at = STEPS
            .iter()
            .position(|s| v["status"] == *s)
            .unwrap_or_else(|| panic!("manifest {m}: unexpected state {v}"));
        assert!(
            at >= *step,
            "manifest {m}: {} acknowledged, {} stored",
            STEPS[*step],
            STEPS[at]
        );
        let ev: Value = c
            .get(format!("{base}/api/v1/manifests/{m}/events"))
            .bearer_auth(TOKEN)
            .send()
            .expect("events")
            .json()
            .expect("json");
        let n = ev["items"].as_array().map(Vec::len).unwrap_or(0);
        assert_eq!(n, at + 1, "manifest {m}: one signed event per step ({ev})");
    }
    let audit: Value = c
        .get(format!("{base}/api/v1/audit/verify"))
        .bearer_auth(TOKEN)
        .send()
        .expect("audit")
        .json()
        .expect("json");
    assert_eq!(audit["ok"], true, "{audit}");
    assert!(
        audit["events_checked"].as_i64().unwrap_or(0) >= total,
        "{audit}"
    );
    // The restarted server takes writes again.
    let (s, _) = post(&c, &format!("{base}/api/v1/containers/{}/additions", containers[0]), &staff, json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "potassium cyanide"}]}, "quantity": "0.01", "unit": "L"})).expect("after restart");
    assert_eq!(s, 201);
    let _ = server.kill();
    let _ = server.wait();
}

/// A new, empty PostgreSQL database named `<prefix>_<uuid>`, with an administrative connection to drop it
/// afterwards. The PostgreSQL tests are compiled as ignored when PostgreSQL was unreachable at build time outside
/// CI (`build.rs`); a test that runs needs it.
fn fresh_pg_database(prefix: &str) -> (diesel::PgConnection, String) {
    let mut admin = diesel::PgConnection::establish(PG_ADMIN)
        .expect("PostgreSQL at 127.0.0.1:5432 (trust, user postgres)");
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .expect("create database");
    (admin, name)
}

#[test]
fn sqlite_acknowledged_writes_survive_sigkill() {
    let dir = std::env::temp_dir().join(format!("waste-crash-{}", uuid::Uuid::new_v4().simple()));
    scenario(&format!("sqlite://{}/w.db", dir.display()));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
#[cfg_attr(no_postgres, ignore = "PostgreSQL was not reachable at build time")]
fn postgres_acknowledged_writes_survive_sigkill() {
    let (mut admin, name) = fresh_pg_database("waste_crash");
    scenario(&format!("postgres://postgres@127.0.0.1:5432/{name}"));
    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin);
}

/// Several instances starting at once on one empty PostgreSQL database: every one starts (migrations take
/// turns), and exactly one administrator is bootstrapped.
#[test]
#[cfg_attr(no_postgres, ignore = "PostgreSQL was not reachable at build time")]
fn postgres_instances_starting_together_migrate_once_and_bootstrap_one_admin() {
    let (mut admin, name) = fresh_pg_database("waste_start");
    let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
    let results: Vec<Result<Option<String>, String>> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let db = waste_api::db::connect(&url, 2).map_err(|e| e.to_string())?;
                    db.write(move |c| waste_api::http::api::parties::bootstrap_admin(c, None))
                        .map_err(|e| e.to_string())
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(
        results.iter().filter(|r| matches!(r, Ok(Some(_)))).count(),
        1,
        "one instance bootstrapped: {results:?}"
    );
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut c = diesel::PgConnection::establish(&url).expect("connect");
    let n: Vec<N> = diesel::sql_query("SELECT COUNT(*) AS n FROM users WHERE roles LIKE '%admin%'")
        .load(&mut c)
        .expect("count");
    assert_eq!(n.first().map(|r| r.n), Some(1));
    drop(c);
    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin);
}
