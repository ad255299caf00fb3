//! Custody end to end on SQLite and PostgreSQL: pickups, manifests through the core's state machine, contracts
//! and licences at submission, training for every signature, receipt with weights and rejection, disposal, the
//! hash-chained events, the audit, alerts and oversight.

use diesel::RunQueryDsl;
use serde_json::{Value, json};
use waste_e2e::world::{act, contract, manifest, pickup, sealed_container, world};
use waste_e2e::{ADMIN_TOKEN, TestApp, assert_error, both_backends, count, org, user};

fn kinds(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let (s, v) = app.get(path, token);
    assert_eq!(s, 200, "{v}");
    v["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["kind"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn whole_lifecycle(app: &TestApp) {
    let w = world(app, 100);
    let a = sealed_container(app, &w);
    let b = sealed_container(app, &w);
    let (s, p) = pickup(app, &w, &[&a, &b]);
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["total_gross_kg"], "12.4");
    // Custody passed: the station sees the containers, picked up.
    assert_eq!(
        app.get(&format!("/api/v1/containers/{a}"), &w.operator).1["status"],
        "picked_up"
    );
    let m = manifest(app, &w, &[&a, &b]);
    let (_, v) = app.get(&format!("/api/v1/manifests/{m}"), &w.operator);
    // A draft has no number yet: it is drawn at submission (issue 14, finding 8).
    assert_eq!(v["number"], serde_json::Value::Null, "{v}");
    assert_eq!(v["lines"][0]["shipped_weight_kg"], "6.2");

    // No contract between the station and the firm yet: submission refused, nothing changes.
    assert_error(
        &act(app, &w.operator, &m, "submit", json!({})),
        409,
        "no_valid_contract",
    );
    assert_eq!(
        app.get(&format!("/api/v1/manifests/{m}"), &w.operator).1["status"],
        "draft"
    );
    contract(app, &w.station, &w.firm, &["900-047-49"]);
    let (s, v) = act(app, &w.operator, &m, "submit", json!({}));
    assert_eq!(s, 200, "{v}");
    let number = v["number"].as_str().expect("number").to_owned();
    let year = app.today().year();
    assert!(
        number.len() == 14 && number.starts_with(&format!("{year}2201")),
        "{number}"
    );
    assert_eq!(
        act(
            app,
            &w.driver,
            &m,
            "dispatch",
            json!({"container_ids": [a, b]})
        )
        .0,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/containers/{a}"), &w.driver).1["status"],
        "in_transit"
    );
    let (s, v) = act(
        app,
        &w.receiver,
        &m,
        "receive",
        json!({"lines": [
            {"container_id": a, "received_weight_kg": "6.150", "accepted": true, "reason": null},
            {"container_id": b, "received_weight_kg": "5.100", "accepted": true}
        ]}),
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["acceptance"].as_str()),
        (Some("received"), Some("accepted"))
    );
    let line = |id: &str| {
        v["lines"]
            .as_array()
            .and_then(|l| l.iter().find(|x| x["container_id"] == id))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        line(&a)["discrepancy"],
        false,
        "50 g is within the tolerance"
    );
    assert_eq!(line(&b)["discrepancy"], true, "1.1 kg short is flagged");
    assert_eq!(v["received_late"], false);
    let (s, v) = act(
        app,
        &w.receiver,
        &m,
        "confirm-disposal",
        json!({"method": "D10"}),
    );
    assert_eq!(
        (s, v["status"].as_str(), v["disposal_method"].as_str()),
        (200, Some("disposed"), Some("D10"))
    );
    assert_eq!(
        app.get(&format!("/api/v1/containers/{a}"), &w.receiver).1["status"],
        "disposed"
    );

    // The container's events tell its whole story; the manifest's its actions.
    assert_eq!(
        kinds(app, &w.staff, &format!("/api/v1/containers/{a}/events")),
        [
            "created",
            "addition",
            "sealed",
            "picked_up",
            "manifested",
            "dispatched",
            "received",
            "disposed"
        ]
    );
    assert_eq!(
        kinds(app, &w.operator, &format!("/api/v1/manifests/{m}/events")),
        [
            "drafted",
            "submit",
            "dispatch",
            "receive",
            "confirm-disposal"
        ]
    );
    let (s, audit) = app.get("/api/v1/audit/verify", ADMIN_TOKEN);
    assert_eq!(s, 200);
    assert_eq!(audit["ok"], true, "{audit}");
    assert!(
        audit["events_checked"].as_i64().is_some_and(|n| n >= 22),
        "{audit}"
    );
}

fn invalid_transitions_and_refusals(app: &TestApp) {
    let w = world(app, 200);
    contract(app, &w.station, &w.firm, &["900-047-49"]);
    let a = sealed_container(app, &w);
    // Pickups: only sealed containers of that school, once, by a station operator.
    let open = app
        .post(
            "/api/v1/containers",
            &w.staff,
            json!({"lab": "B", "capacity_liters": "20", "material": "hdpe"}),
        )
        .1["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_error(&pickup(app, &w, &[&open]), 409, "container_not_ready");
    let r = app.post(&format!("/api/v1/containers/{open}/additions"), &w.staff, json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "potassium cyanide"}]}, "quantity": "1", "unit": "L"}));
    assert_eq!(r.0, 201);
    assert_error(&pickup(app, &w, &[&open]), 409, "container_not_ready");
    assert_eq!(
        count(app, "SELECT COUNT(*) AS n FROM pickups"),
        0,
        "a refused pickup leaves nothing"
    );
    assert_error(&app.post("/api/v1/pickups", &w.staff, json!({"school_id": w.school, "containers": [{"container_id": a, "gross_weight_kg": "1"}]})), 403, "forbidden");
    assert_error(&app.post("/api/v1/pickups", &w.operator, json!({"school_id": w.school, "containers": [{"container_id": a, "gross_weight_kg": "-1"}]})), 422, "invalid_input");
    assert_eq!(pickup(app, &w, &[&a]).0, 201);
    assert_error(&pickup(app, &w, &[&a]), 409, "container_not_ready");

    let m = manifest(app, &w, &[&a]);
    // A container cannot be on two manifests.
    assert_error(
        &app.post(
            "/api/v1/manifests",
            &w.operator,
            json!({"receiver_id": w.firm, "carrier_id": w.carrier, "container_ids": [a]}),
        ),
        409,
        "container_on_manifest",
    );
    // Wrong order.
    assert_error(
        &act(
            app,
            &w.driver,
            &m,
            "dispatch",
            json!({"container_ids": [a]}),
        ),
        409,
        "invalid_transition",
    );
    assert_error(
        &act(
            app,
            &w.receiver,
            &m,
            "confirm-disposal",
            json!({"method": "D10"}),
        ),
        409,
        "invalid_transition",
    );
    assert_error(
        &act(app, &w.receiver, &m, "receive", json!({"lines": []})),
        409,
        "invalid_transition",
    );
    // Wrong party: the carrier cannot submit.
    assert_error(
        &act(app, &w.driver, &m, "submit", json!({})),
        403,
        "forbidden",
    );
    // Training: a lapsed operator cannot sign.
    let lapsed = user(app, &w.station, &["station_operator"], "2020-01-01");
    assert_error(
        &act(app, &lapsed, &m, "submit", json!({})),
        403,
        "training_expired",
    );
    assert_eq!(act(app, &w.operator, &m, "submit", json!({})).0, 200);
    // Dispatch must load exactly the manifest's containers.
    assert_error(
        &act(app, &w.driver, &m, "dispatch", json!({"container_ids": []})),
        409,
        "load_mismatch",
    );
    assert_error(
        &act(
            app,
            &w.driver,
            &m,
            "dispatch",
            json!({"container_ids": [a, "extra"]}),
        ),
        409,
        "load_mismatch",
    );
    assert_eq!(
        act(
            app,
            &w.driver,
            &m,
            "dispatch",
            json!({"container_ids": [a]})
        )
        .0,
        200
    );
    assert_error(
        &act(app, &w.operator, &m, "cancel", json!({})),
        409,
        "invalid_transition",
    );
    // Receipt lines: one per container, a reason for a rejection, sane weights.
    assert_error(
        &act(app, &w.receiver, &m, "receive", json!({"lines": []})),
        422,
        "invalid_input",
    );
    assert_error(
        &act(
            app,
            &w.receiver,
            &m,
            "receive",
            json!({"lines": [{"container_id": a, "received_weight_kg": "6", "accepted": false}]}),
        ),
        422,
        "invalid_input",
    );
    assert_error(
        &act(
            app,
            &w.receiver,
            &m,
            "receive",
            json!({"lines": [{"container_id": a, "received_weight_kg": "abc", "accepted": true}]}),
        ),
        422,
        "invalid_input",
    );
    assert_error(
        &act(app, &w.receiver, &m, "receive", json!({"linez": []})),
        422,
        "invalid_input",
    );
    assert_eq!(
        count(
            app,
            &format!(
                "SELECT COUNT(*) AS n FROM manifest_lines WHERE manifest_id = '{m}' AND received_weight_kg IS NOT NULL"
            )
        ),
        0,
        "refused receipts wrote nothing"
    );
    assert_eq!(
        app.get(&format!("/api/v1/containers/{a}"), &w.driver).1["status"],
        "in_transit"
    );
    assert_error(
        &act(
            app,
            &w.receiver,
            &m,
            "confirm-disposal",
            json!({"method": "burn it"}),
        ),
        422,
        "invalid_input",
    );

    // Cancellation before dispatch releases nothing but closes the manifest.
    let b = sealed_container(app, &w);
    assert_eq!(pickup(app, &w, &[&b]).0, 201);
    let m2 = manifest(app, &w, &[&b]);
    // Only the shipper cancels (the carrier and the firm are parties, but not of this step).
    for other in [&w.driver, &w.receiver] {
        assert_eq!(act(app, other, &m2, "cancel", json!({})).0, 403);
    }
    assert_eq!(
        act(app, &w.operator, &m2, "cancel", json!({})).1["status"],
        "cancelled"
    );
    assert_error(
        &act(app, &w.operator, &m2, "submit", json!({})),
        409,
        "invalid_transition",
    );
    // The container can go on a new manifest after a cancellation.
    manifest(app, &w, &[&b]);
}

fn licence_must_cover(app: &TestApp) {
    let w = world(app, 300);
    // A firm whose licence expired.
    let expired = org(
        app,
        "disposal_firm",
        305,
        "220112",
        json!({"license": {"number": "OLD", "waste_codes": ["900-047-49"], "valid_until": "2020-12-31"}}),
    );
    contract(app, &w.station, &expired, &["900-047-49"]);
    let a = sealed_container(app, &w);
    assert_eq!(pickup(app, &w, &[&a]).0, 201);
    let r = app.post(
        "/api/v1/manifests",
        &w.operator,
        json!({"receiver_id": expired, "carrier_id": w.carrier, "container_ids": [a]}),
    );
    let m = r.1["id"].as_str().expect("id").to_owned();
    let e = act(app, &w.operator, &m, "submit", json!({}));
    assert_error(&e, 409, "license_does_not_cover");
    assert_eq!(e.1["error"]["details"]["valid_until"], "2020-12-31");
    // A contract that does not cover the code.
    let other = org(
        app,
        "disposal_firm",
        306,
        "220112",
        json!({"license": {"number": "X", "waste_codes": ["900-047-49"], "valid_until": "2099-01-01"}}),
    );
    contract(app, &w.station, &other, &["900-999-49"]);
    assert_eq!(act(app, &w.operator, &m, "cancel", json!({})).0, 200);
    let r = app.post(
        "/api/v1/manifests",
        &w.operator,
        json!({"receiver_id": other, "carrier_id": w.carrier, "container_ids": [a]}),
    );
    let m = r.1["id"].as_str().expect("id").to_owned();
    assert_error(
        &act(app, &w.operator, &m, "submit", json!({})),
        409,
        "no_valid_contract",
    );
    assert_eq!(
        count(
            app,
            &format!("SELECT COUNT(*) AS n FROM events WHERE aggregate = 'manifest:{m}'")
        ),
        1,
        "only the draft event"
    );
}

fn other_organisations_are_refused(app: &TestApp) {
    let w = world(app, 400);
    let x = world(app, 410);
    contract(app, &w.station, &w.firm, &["900-047-49"]);
    let a = sealed_container(app, &w);
    // Stations serve many schools, but none picks up a container another station already holds.
    assert_eq!(pickup(app, &w, &[&a]).0, 201);
    let again = app.post(
        "/api/v1/pickups",
        &x.operator,
        json!({"school_id": w.school, "containers": [{"container_id": a, "gross_weight_kg": "1"}]}),
    );
    assert_error(&again, 409, "pickup_not_authorized");
    // Another station cannot ship it, nor see the manifest.
    assert_error(
        &app.post(
            "/api/v1/manifests",
            &x.operator,
            json!({"receiver_id": w.firm, "carrier_id": w.carrier, "container_ids": [a]}),
        ),
        404,
        "not_found",
    );
    let m = manifest(app, &w, &[&a]);
    for (token, path) in [
        (&x.operator, format!("/api/v1/manifests/{m}")),
        (&x.driver, format!("/api/v1/manifests/{m}/events")),
        (&x.staff, format!("/api/v1/containers/{a}")),
    ] {
        assert_error(&app.get(&path, token), 404, "not_found");
    }
    assert_error(
        &act(app, &x.operator, &m, "submit", json!({})),
        404,
        "not_found",
    );
    assert_eq!(act(app, &w.operator, &m, "submit", json!({})).0, 200);
    assert_error(
        &act(
            app,
            &x.driver,
            &m,
            "dispatch",
            json!({"container_ids": [a]}),
        ),
        404,
        "not_found",
    );
    assert_eq!(
        act(
            app,
            &w.driver,
            &m,
            "dispatch",
            json!({"container_ids": [a]})
        )
        .0,
        200
    );
    assert_error(
        &act(
            app,
            &x.receiver,
            &m,
            "receive",
            json!({"lines": [{"container_id": a, "received_weight_kg": "6", "accepted": true}]}),
        ),
        404,
        "not_found",
    );
    // A party with the wrong part: the shipper cannot receive.
    assert_error(
        &act(
            app,
            &w.operator,
            &m,
            "receive",
            json!({"lines": [{"container_id": a, "received_weight_kg": "6", "accepted": true}]}),
        ),
        403,
        "forbidden",
    );
    assert_eq!(
        act(
            app,
            &w.receiver,
            &m,
            "receive",
            json!({"lines": [{"container_id": a, "received_weight_kg": "6", "accepted": true}]})
        )
        .0,
        200
    );
    assert_error(
        &act(
            app,
            &x.receiver,
            &m,
            "confirm-disposal",
            json!({"method": "D10"}),
        ),
        404,
        "not_found",
    );
    assert_eq!(
        app.get("/api/v1/manifests", &x.operator).1["items"],
        json!([])
    );
    assert_error(&app.get("/api/v1/audit/verify", &x.staff), 403, "forbidden");
    assert_error(
        &app.get("/api/v1/oversight/schools", &x.officer),
        403,
        "forbidden",
    );
}

fn partial_rejection(app: &TestApp) {
    let w = world(app, 500);
    contract(app, &w.station, &w.firm, &["900-047-49"]);
    let a = sealed_container(app, &w);
    let b = sealed_container(app, &w);
    assert_eq!(pickup(app, &w, &[&a, &b]).0, 201);
    let m = manifest(app, &w, &[&a, &b]);
    act(app, &w.operator, &m, "submit", json!({}));
    act(
        app,
        &w.driver,
        &m,
        "dispatch",
        json!({"container_ids": [a, b]}),
    );
    let (s, v) = act(
        app,
        &w.receiver,
        &m,
        "receive",
        json!({"lines": [
            {"container_id": a, "received_weight_kg": "6.2", "accepted": true},
            {"container_id": b, "received_weight_kg": "6.2", "accepted": false, "reason": "leaking lid"}
        ]}),
    );
    assert_eq!(
        (s, v["acceptance"].as_str()),
        (200, Some("partially_rejected")),
        "{v}"
    );
    // The rejected container is back in the station's custody, visibly.
    let (_, rb) = app.get(&format!("/api/v1/containers/{b}"), &w.operator);
    assert_eq!(
        (rb["status"].as_str(), rb["custodian_id"].as_str()),
        (Some("returned"), Some(w.station.as_str()))
    );
    assert_error(
        &app.get(&format!("/api/v1/containers/{b}"), &w.receiver),
        404,
        "not_found",
    );
    assert_eq!(
        act(
            app,
            &w.receiver,
            &m,
            "confirm-disposal",
            json!({"method": "D10"})
        )
        .0,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/containers/{a}"), &w.staff).1["status"],
        "disposed"
    );
    assert_eq!(
        app.get(&format!("/api/v1/containers/{b}"), &w.staff).1["status"],
        "returned"
    );
    assert_eq!(
        kinds(app, &w.staff, &format!("/api/v1/containers/{b}/events"))
            .last()
            .map(String::as_str),
        Some("returned")
    );
    // All rejected: nothing to dispose of.
    let c2 = sealed_container(app, &w);
    assert_eq!(pickup(app, &w, &[&c2]).0, 201);
    let m2 = manifest(app, &w, &[&c2]);
    act(app, &w.operator, &m2, "submit", json!({}));
    act(
        app,
        &w.driver,
        &m2,
        "dispatch",
        json!({"container_ids": [c2]}),
    );
    assert_eq!(act(app, &w.receiver, &m2, "receive", json!({"lines": [{"container_id": c2, "received_weight_kg": "6.2", "accepted": false, "reason": "wrong code"}]})).1["acceptance"], "rejected");
    assert_error(
        &act(
            app,
            &w.receiver,
            &m2,
            "confirm-disposal",
            json!({"method": "D10"}),
        ),
        409,
        "nothing_accepted",
    );
}

fn concurrent_receive(app: &TestApp) {
    let w = world(app, 600);
    contract(app, &w.station, &w.firm, &["900-047-49"]);
    let a = sealed_container(app, &w);
    assert_eq!(pickup(app, &w, &[&a]).0, 201);
    let m = manifest(app, &w, &[&a]);
    act(app, &w.operator, &m, "submit", json!({}));
    act(
        app,
        &w.driver,
        &m,
        "dispatch",
        json!({"container_ids": [a]}),
    );
    let body =
        json!({"lines": [{"container_id": a, "received_weight_kg": "6.2", "accepted": true}]});
    let results: Vec<(u16, Value)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|_| s.spawn(|| act(app, &w.receiver, &m, "receive", body.clone())))
            .collect();
        hs.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    let ok = results.iter().filter(|r| r.0 == 200).count();
    assert_eq!(ok, 1, "exactly one receive succeeds: {results:?}");
    let loser = results.iter().find(|r| r.0 != 200).expect("a loser");
    assert_eq!(loser.0, 409, "{}", loser.1);
    assert_eq!(
        kinds(app, &w.receiver, &format!("/api/v1/manifests/{m}/events"))
            .iter()
            .filter(|k| *k == "receive")
            .count(),
        1
    );
    assert_eq!(
        count(
            app,
            &format!(
                "SELECT COUNT(*) AS n FROM events WHERE aggregate = 'container:{a}' AND kind = 'received'"
            )
        ),
        1,
        "nothing half-written"
    );
}

/// Two manifests drafted at once for one container: exactly one gets it.
fn concurrent_manifests(app: &TestApp) {
    let w = world(app, 650);
    let a = sealed_container(app, &w);
    assert_eq!(pickup(app, &w, &[&a]).0, 201);
    let body = json!({"receiver_id": w.firm, "carrier_id": w.carrier, "container_ids": [a]});
    let results: Vec<(u16, Value)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..3)
            .map(|_| s.spawn(|| app.post("/api/v1/manifests", &w.operator, body.clone())))
            .collect();
        hs.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    assert_eq!(
        results.iter().filter(|r| r.0 == 201).count(),
        1,
        "{results:?}"
    );
    assert!(
        results.iter().all(|r| r.0 == 201 || r.0 == 409),
        "{results:?}"
    );
    assert_eq!(
        count(
            app,
            &format!("SELECT COUNT(*) AS n FROM manifest_lines WHERE container_id = '{a}'")
        ),
        1
    );
}

fn audit_detects_edits(app: &TestApp) {
    let w = world(app, 700);
    let a = sealed_container(app, &w);
    assert_eq!(app.get("/api/v1/audit/verify", ADMIN_TOKEN).1["ok"], true);
    waste_e2e::allow_event_edits(app);
    let mut c = app.db();
    diesel::sql_query(format!("UPDATE events SET payload = '{{\"quantity\":\"0.5\"}}' WHERE aggregate = 'container:{a}' AND seq = 2")).execute(&mut *c).expect("tamper");
    let (s, v) = app.get("/api/v1/audit/verify", ADMIN_TOKEN);
    assert_eq!(s, 200);
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["broken"]["aggregate"], format!("container:{a}"));
    assert_eq!(
        (v["broken"]["seq"].as_i64(), v["broken"]["kind"].as_str()),
        (Some(2), Some("hash"))
    );
}

fn alerts_and_oversight(app: &TestApp) {
    let w = world(app, 800);
    let bureau = org(app, "authority", 809, "220100", json!({}));
    let official = user(app, &bureau, &["auditor"], "2099-12-31");
    let elsewhere = org(app, "school", 810, "110101", json!({}));
    contract(app, &w.school, &w.firm, &["900-047-49"]);
    contract(app, &w.station, &w.firm, &["900-047-49"]);
    let a = sealed_container(app, &w);
    let _stays = sealed_container(app, &w);
    assert_eq!(pickup(app, &w, &[&a]).0, 201);
    let m = manifest(app, &w, &[&a]);
    act(app, &w.operator, &m, "submit", json!({}));
    act(
        app,
        &w.driver,
        &m,
        "dispatch",
        json!({"container_ids": [a]}),
    );
    // 400 days on (the service's clock moves; nothing is back-dated) and still not received: a late receipt alert
    // (Art.18) for every party, and the container left at the school is past its storage limit.
    assert_eq!(
        app.get("/api/v1/alerts/receipts", &w.operator).1["items"],
        json!([]),
        "not late on the day of dispatch"
    );
    app.advance_days(400);
    for token in [&w.operator, &w.driver, &w.receiver] {
        let (_, v) = app.get("/api/v1/alerts/receipts", token);
        assert_eq!(v["items"][0]["manifest_id"], m.as_str(), "{v}");
    }
    assert_eq!(
        app.get("/api/v1/alerts/receipts", &w.staff).1["items"],
        json!([])
    );
    let (_, first) = app.get("/api/v1/alerts/receipts?limit=1", &w.operator);
    assert_eq!(
        first["next_after"],
        m.as_str(),
        "a full page points past its last manifest"
    );
    let (_, rest) = app.get(
        &format!("/api/v1/alerts/receipts?limit=1&after={m}"),
        &w.operator,
    );
    assert_eq!(
        (rest["items"].clone(), rest["next_after"].clone()),
        (json!([]), Value::Null)
    );
    // Oversight: the bureau of 2201xx sees this school, not the one in 1101xx.
    let (s, v) = app.get("/api/v1/oversight/schools", &official);
    assert_eq!(s, 200, "{v}");
    let items = v["items"].as_array().cloned().unwrap_or_default();
    assert!(items.iter().all(|i| i["school_id"] != elsewhere.as_str()));
    let row = items
        .iter()
        .find(|i| i["school_id"] == w.school.as_str())
        .cloned()
        .expect("school listed");
    assert_eq!(
        row["open_containers"], 1,
        "one sealed container is still at the school: {row}"
    );
    assert_eq!(
        row["overdue_containers"], 1,
        "and it is past its limit: {row}"
    );
    assert_eq!(row["valid_disposal_contract"], true);
    assert!(row["last_pickup"].is_string());
    assert_eq!(
        row["manifests_not_closed"], 0,
        "the school shipped nothing itself"
    );
    // An authority reads; it does not act.
    assert_error(
        &app.post(
            "/api/v1/containers",
            &official,
            json!({"lab": "x", "capacity_liters": "1", "material": "hdpe"}),
        ),
        403,
        "forbidden",
    );
}

both_backends! {
    whole_lifecycle_from_first_addition_to_disposal => whole_lifecycle;
    invalid_transitions_and_refusals_change_nothing => invalid_transitions_and_refusals;
    submission_needs_a_contract_and_a_covering_licence => licence_must_cover;
    other_organisations_are_refused_at_each_step => other_organisations_are_refused;
    partial_rejection_returns_containers_to_the_shipper => partial_rejection;
    two_concurrent_receives_exactly_one_succeeds => concurrent_receive;
    a_container_goes_on_one_manifest_even_concurrently => concurrent_manifests;
    audit_reports_a_row_edited_in_the_database => audit_detects_edits;
    late_receipts_alert_and_bureaus_oversee_schools => alerts_and_oversight;
}
