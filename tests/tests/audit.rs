//! The custody audit (issue 14, findings 6 and 7; issue 16, item 4): administrators only, one run at a time on
//! its own connection with the last result kept; chain heads anchored with a key outside the database; and each
//! way of tampering with the database behind the service reported as its own break. On both backends.

use diesel::RunQueryDsl;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use waste_e2e::world::{self, World, act, contract, manifest, pickup, sealed_container};
use waste_e2e::{ADMIN_TOKEN, Backend, TestApp, allow_event_edits, assert_error, org, user};

/// What the test service anchors heads with (the deployment's `WASTE_AUDIT_KEY`).
const AUDIT_KEY: &str = "audit-key-5d1e9b3c7a2f4068b1d5e9c3a7f2b604";

fn start(backend: Backend, gate: Option<Arc<Mutex<()>>>) -> TestApp {
    TestApp::start_with(
        backend,
        waste_api::config::Guards {
            audit_key: Some(AUDIT_KEY.into()),
            audit_gate: gate,
            ..Default::default()
        },
    )
}

fn exec(app: &TestApp, sql: &str) {
    let mut c = app.db();
    diesel::sql_query(sql)
        .execute(&mut *c)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The audit's report over HTTP; checked against a run over the same database with pages of 2 events, batches
/// of 1 chain and (PostgreSQL) the log cut into 3 parts read at once, so that every finding is also found across
/// page, batch and part boundaries.
fn verify(app: &TestApp) -> Value {
    let (s, v) = app.get("/api/v1/audit/verify", ADMIN_TOKEN);
    assert_eq!(s, 200, "{v}");
    let db = waste_api::db::connect(&app.database_url, 1).expect("database");
    let small = waste_api::store::audit::verify_with(
        &db,
        Some(AUDIT_KEY.as_bytes()),
        waste_api::store::audit::Sizes {
            page: 2,
            batch: 1,
            parts: 3,
        },
    )
    .expect("audit in small pages");
    let finding = |v: &Value| {
        (
            v["ok"].clone(),
            v["broken"]["aggregate"].clone(),
            v["broken"]["kind"].clone(),
        )
    };
    assert_eq!(
        finding(&small),
        finding(&v),
        "small pages: {small}\nHTTP: {v}"
    );
    if v["ok"] == true {
        assert_eq!(small["events_checked"], v["events_checked"], "{small}");
        assert_eq!(small["state_checked"], v["state_checked"], "{small}");
    }
    v
}

/// The first break the audit reports, as `(aggregate, kind)`.
fn broken(app: &TestApp) -> (String, String, Value) {
    let v = verify(app);
    assert_eq!(v["ok"], false, "the audit should have found a break: {v}");
    let b = v["broken"].clone();
    (
        b["aggregate"].as_str().unwrap_or_default().to_owned(),
        b["kind"].as_str().unwrap_or_default().to_owned(),
        b,
    )
}

/// A container through pickup, manifest, submission, dispatch and receipt; returns (container, manifest).
fn shipped(app: &TestApp, w: &World) -> (String, String) {
    let c = sealed_container(app, w);
    assert_eq!(pickup(app, w, &[&c]).0, 201);
    let m = manifest(app, w, &[&c]);
    for (token, step, body) in [
        (&w.operator, "submit", json!({})),
        (&w.driver, "dispatch", json!({"container_ids": [c]})),
        (
            &w.receiver,
            "receive",
            json!({"lines": [{"container_id": c, "received_weight_kg": "6.1", "accepted": true}]}),
        ),
    ] {
        let r = act(app, token, &m, step, body);
        assert_eq!(r.0, 200, "{step}: {}", r.1);
    }
    (c, m)
}

/// Finding 6: only administrators run the audit; a second call while one runs gets 409 with the last result;
/// `/readyz` and reads answer during a run; the result is kept with its time.
fn one_run_at_a_time(backend: Backend) {
    let gate = Arc::new(Mutex::new(()));
    let app = start(backend, Some(gate.clone()));
    let w = world::world(&app, 100);
    sealed_container(&app, &w);
    let bureau = org(&app, "authority", 110, "220100", json!({}));
    let auditor = user(&app, &bureau, &["auditor"], "2099-12-31");
    for token in [&auditor, &w.officer] {
        assert_error(&app.get("/api/v1/audit/verify", token), 403, "forbidden");
        assert_error(&app.get("/api/v1/audit/last", token), 403, "forbidden");
    }
    let last = app.get("/api/v1/audit/last", ADMIN_TOKEN);
    assert_eq!(last.1, json!({"running": false, "last": null}));

    let held = gate.lock().expect("gate");
    let base = app.base.clone();
    let first = std::thread::spawn(move || {
        let r = reqwest::blocking::Client::new()
            .get(format!("{base}/api/v1/audit/verify"))
            .bearer_auth(ADMIN_TOKEN)
            .timeout(Duration::from_secs(60))
            .send()
            .expect("first run");
        (
            r.status().as_u16(),
            r.json::<Value>().unwrap_or(Value::Null),
        )
    });
    let mut running = false;
    for _ in 0..300 {
        if app.get("/api/v1/audit/last", ADMIN_TOKEN).1["running"] == true {
            running = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(running, "the first run started");
    let second = app.get("/api/v1/audit/verify", ADMIN_TOKEN);
    assert_error(&second, 409, "audit_running");
    assert_eq!(second.1["error"]["details"]["last"], Value::Null);
    assert_eq!(app.call("GET", "/readyz", None, None).0, 200);
    let me = app.get("/api/v1/me", &w.staff);
    assert_eq!(me.0, 200, "{}", me.1);
    drop(held);
    let (s, v) = first.join().expect("first run ends");
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["ok"].as_bool(), v["anchored"].as_bool()),
        (Some(true), Some(true)),
        "{v}"
    );
    let last = app.get("/api/v1/audit/last", ADMIN_TOKEN).1;
    assert_eq!(last["running"], false);
    assert_eq!(last["last"]["ok"], true);
    assert!(last["last"]["checked_at"].is_string(), "{last}");
    assert_eq!(last["last"]["events_checked"], v["events_checked"]);
}

#[test]
fn sqlite_the_audit_is_for_administrators_one_run_at_a_time() {
    one_run_at_a_time(Backend::Sqlite);
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "PostgreSQL was not reachable when the tests were built"
)]
fn postgres_the_audit_is_for_administrators_one_run_at_a_time() {
    one_run_at_a_time(Backend::Postgres);
}

#[derive(diesel::QueryableByName)]
struct Stored {
    #[diesel(sql_type = diesel::sql_types::Text)]
    aggregate: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    seq: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    actor: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    at: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    payload: String,
}

/// Deletes `aggregate`'s events from seq `from` on (all with 1), runs `check`, and puts them back.
fn without_events(app: &TestApp, aggregate: &str, from: i64, check: impl FnOnce()) {
    exec(app, "DROP TABLE IF EXISTS events_kept");
    exec(
        app,
        &format!(
            "CREATE TABLE events_kept AS SELECT * FROM events WHERE aggregate = '{aggregate}' AND seq >= {from}"
        ),
    );
    exec(
        app,
        &format!("DELETE FROM events WHERE aggregate = '{aggregate}' AND seq >= {from}"),
    );
    check();
    exec(app, "INSERT INTO events SELECT * FROM events_kept");
    exec(app, "DROP TABLE events_kept");
}

/// Finding 7: each way of changing the database behind the service is reported as its own break.
fn tampering(backend: Backend) {
    let app = start(backend, None);
    let app = &app;
    let w = world::world(app, 200);
    contract(app, &w.station, &w.firm, &["900-047-49"]);
    let (c, m) = shipped(app, &w);
    let container = format!("container:{c}");
    let manifest_chain = format!("manifest:{m}");
    let v = verify(app);
    assert_eq!(v["ok"], true, "an untouched log verifies: {v}");
    assert_eq!(v["anchored"], true);
    assert!(v["state_checked"]["containers"].as_u64() >= Some(1), "{v}");
    assert!(v["state_checked"]["manifests"].as_u64() >= Some(1), "{v}");

    // The log is insert-only: the database itself refuses an update or a delete of an event.
    let mut conn = app.db();
    for sql in [
        format!("UPDATE events SET actor = 'user:x' WHERE aggregate = '{container}'"),
        format!("DELETE FROM events WHERE aggregate = '{container}'"),
    ] {
        let e = diesel::sql_query(&sql)
            .execute(&mut *conn)
            .expect_err("refused by the trigger");
        assert!(e.to_string().contains("insert-only"), "{sql}: {e}");
    }
    drop(conn);
    allow_event_edits(app);

    // An event under an empty aggregate name, which sorts before every other: read and reported too (a part of
    // the log starting after a key would skip it).
    exec(
        app,
        "INSERT INTO events (aggregate, seq, kind, actor, at, payload, prev_hash, hash) \
         VALUES ('', 1, 'created', 'user:x', '2026-01-01T00:00:00Z', '{}', '', '')",
    );
    let (agg, _, b) = broken(app);
    assert_eq!(agg, "", "{b}");
    exec(app, "DELETE FROM events WHERE aggregate = ''");

    // The last events of a chain deleted: the head counts more.
    without_events(app, &container, 3, || {
        let (agg, kind, b) = broken(app);
        assert_eq!(
            (agg.as_str(), kind.as_str()),
            (container.as_str(), "count"),
            "{b}"
        );
    });
    // A whole chain deleted: its head remains without events.
    without_events(app, &container, 1, || {
        let (agg, kind, b) = broken(app);
        assert_eq!(
            (agg.as_str(), kind.as_str()),
            (container.as_str(), "chain_missing"),
            "{b}"
        );
        // And with its head: the container's row has no chain.
        exec(app, "DROP TABLE IF EXISTS heads_kept");
        exec(
            app,
            &format!(
                "CREATE TABLE heads_kept AS SELECT * FROM chain_heads WHERE aggregate = '{container}'"
            ),
        );
        exec(
            app,
            &format!("DELETE FROM chain_heads WHERE aggregate = '{container}'"),
        );
        let (agg, kind, b) = broken(app);
        assert_eq!(
            (agg.as_str(), kind.as_str()),
            (container.as_str(), "chain_missing"),
            "{b}"
        );
        exec(app, "INSERT INTO chain_heads SELECT * FROM heads_kept");
        exec(app, "DROP TABLE heads_kept");
    });
    assert_eq!(verify(app)["ok"], true, "restored");

    // State tables changed behind the events, one at a time. The container's organisation is kept aside to put it
    // back (issue 29, item 8: `containers.organization_id` and `manifests.disposal_method` are compared too).
    exec(app, "DROP TABLE IF EXISTS org_kept");
    exec(
        app,
        &format!(
            "CREATE TABLE org_kept AS SELECT organization_id FROM containers WHERE id = '{c}'"
        ),
    );
    let edits = [
        (
            format!("UPDATE manifests SET disposal_method = 'D10' WHERE id = '{m}'"),
            format!("UPDATE manifests SET disposal_method = NULL WHERE id = '{m}'"),
            (manifest_chain.as_str(), "manifests", "disposal_method"),
        ),
        (
            format!(
                "UPDATE containers SET organization_id = (SELECT receiver_id FROM manifests WHERE id = '{m}') WHERE id = '{c}'"
            ),
            format!(
                "UPDATE containers SET organization_id = (SELECT organization_id FROM org_kept) WHERE id = '{c}'"
            ),
            (container.as_str(), "containers", "organization_id"),
        ),
        (
            format!(
                "UPDATE manifest_lines SET shipped_weight_kg = '1.0' WHERE manifest_id = '{m}'"
            ),
            format!(
                "UPDATE manifest_lines SET shipped_weight_kg = '6.200' WHERE manifest_id = '{m}'"
            ),
            (
                manifest_chain.as_str(),
                "manifest_lines",
                "shipped_weight_kg",
            ),
        ),
        (
            format!(
                "UPDATE manifest_lines SET received_weight_kg = '0.5' WHERE manifest_id = '{m}'"
            ),
            format!(
                "UPDATE manifest_lines SET received_weight_kg = '6.1' WHERE manifest_id = '{m}'"
            ),
            (
                manifest_chain.as_str(),
                "manifest_lines",
                "received_weight_kg",
            ),
        ),
        (
            format!("UPDATE manifests SET status = 'disposed' WHERE id = '{m}'"),
            format!("UPDATE manifests SET status = 'received' WHERE id = '{m}'"),
            (manifest_chain.as_str(), "manifests", "status"),
        ),
        (
            format!("UPDATE containers SET filled_l = '0.5' WHERE id = '{c}'"),
            format!("UPDATE containers SET filled_l = '5' WHERE id = '{c}'"),
            (container.as_str(), "containers", "filled_l"),
        ),
        (
            format!("UPDATE containers SET status = 'disposed' WHERE id = '{c}'"),
            format!("UPDATE containers SET status = 'received' WHERE id = '{c}'"),
            (container.as_str(), "containers", "status"),
        ),
    ];
    for (edit, undo, (agg, table, field)) in edits {
        exec(app, &edit);
        let (got, kind, b) = broken(app);
        assert_eq!(
            (
                got.as_str(),
                kind.as_str(),
                b["table"].as_str(),
                b["field"].as_str()
            ),
            (agg, "state", Some(table), Some(field)),
            "{edit}: {b}"
        );
        exec(app, &undo);
        assert_eq!(verify(app)["ok"], true, "undone: {undo}");
    }

    // A payload edited and every later hash recomputed, head included: only the anchor tells.
    let mut conn = app.db();
    let rows: Vec<Stored> = diesel::sql_query(format!(
        "SELECT aggregate, seq, kind, actor, at, payload FROM events WHERE aggregate = '{container}' ORDER BY seq"
    ))
    .load(&mut *conn)
    .expect("chain");
    let mut prev = waste_core::custody::GENESIS.to_owned();
    for r in &rows {
        let payload = if r.seq == 2 {
            r.payload.replace("\"5\"", "\"0.5\"")
        } else {
            r.payload.clone()
        };
        let hash = waste_core::custody::hash_of_stored(
            &r.aggregate,
            u64::try_from(r.seq).expect("seq"),
            &r.kind,
            &r.actor,
            &r.at,
            &payload,
            &prev,
        );
        diesel::sql_query(format!(
            "UPDATE events SET payload = '{}', prev_hash = '{prev}', hash = '{hash}' WHERE aggregate = '{container}' AND seq = {}",
            payload.replace('\'', "''"),
            r.seq
        ))
        .execute(&mut *conn)
        .expect("rewrite");
        prev = hash;
    }
    assert_ne!(
        rows[1].payload,
        rows[1].payload.replace("\"5\"", "\"0.5\""),
        "the edit changed something"
    );
    exec(
        app,
        &format!("UPDATE chain_heads SET last_hash = '{prev}' WHERE aggregate = '{container}'"),
    );
    let (agg, kind, b) = broken(app);
    assert_eq!(
        (agg.as_str(), kind.as_str()),
        (container.as_str(), "anchor"),
        "{b}"
    );
}

#[test]
fn sqlite_tampering_behind_the_service_is_reported_break_by_break() {
    tampering(Backend::Sqlite);
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "PostgreSQL was not reachable when the tests were built"
)]
fn postgres_tampering_behind_the_service_is_reported_break_by_break() {
    tampering(Backend::Postgres);
}
