//! Pickup requests and the hand-over at collection, on SQLite and PostgreSQL: the reproduction of the security
//! hole (a station took any school's sealed containers), the request's steps, the school's PIN confirmation and
//! its limit, items refused at the hand-over, and the vehicle recorded at dispatch.

use serde_json::{Value, json};
use waste_e2e::world::{World, act, contract, manifest, pickup, sealed_container, world};
use waste_e2e::{TestApp, assert_error, both_backends, count};

fn ask(app: &TestApp, w: &World, ids: &[&str]) -> (u16, Value) {
    let (today, soon) = (app.today(), app.today() + time::Duration::days(30));
    app.post(
        "/api/v1/pickup-requests",
        &w.staff,
        json!({"container_ids": ids, "preferred_from": format!("{today}T08:00:00+08:00"), "preferred_until": format!("{soon}T17:00:00+08:00"), "contact": "张老师 138-0000-0000", "note": "后门"}),
    )
}

fn asked(app: &TestApp, w: &World, ids: &[&str]) -> String {
    let r = ask(app, w, ids);
    assert_eq!(r.0, 201, "{}", r.1);
    assert_eq!(r.1["state"], "requested");
    r.1["id"].as_str().expect("id").to_owned()
}

fn slot(app: &TestApp) -> Value {
    let d = app.today() + time::Duration::days(3);
    json!({"slot_from": format!("{d}T09:00:00+08:00"), "slot_until": format!("{d}T11:00:00+08:00")})
}

fn step(app: &TestApp, token: &str, id: &str, action: &str, body: Value) -> (u16, Value) {
    app.post(
        &format!("/api/v1/pickup-requests/{id}/{action}"),
        token,
        body,
    )
}

fn take(app: &TestApp, token: &str, w: &World, extra: Value, ids: &[&str]) -> (u16, Value) {
    let lines: Vec<Value> = ids
        .iter()
        .map(|id| json!({"container_id": id, "gross_weight_kg": "6.2"}))
        .collect();
    let mut body = json!({"school_id": w.school, "containers": lines});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    app.post("/api/v1/pickups", token, body)
}

fn container(app: &TestApp, token: &str, id: &str) -> Value {
    let (s, v) = app.get(&format!("/api/v1/containers/{id}"), token);
    assert_eq!(s, 200, "{v}");
    v
}

/// Issue 12's security review: `POST /api/v1/pickups` only checked that the school is a school and the
/// container sealed, so any station took any school's containers. Solid Waste Law Art.80: no hand-over the
/// holder did not choose.
fn a_station_without_a_request_or_the_schools_confirmation_takes_nothing(app: &TestApp) {
    let w = world(app, 1200);
    let a = sealed_container(app, &w);
    assert_error(
        &take(app, &w.operator, &w, json!({}), &[&a]),
        409,
        "pickup_not_authorized",
    );
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM pickups"), 0);
    let c = container(app, &w.staff, &a);
    assert_eq!(c["status"], "sealed");
    assert_eq!(c["custodian_id"], w.school.as_str());
    // Nor on a request that is only asked for, nor on another station's scheduled request (which it cannot see).
    let r = asked(app, &w, &[&a]);
    assert_error(
        &take(app, &w.operator, &w, json!({"request_id": r}), &[&a]),
        409,
        "school_confirmation_required",
    );
    let x = world(app, 1210);
    assert_eq!(step(app, &x.operator, &r, "schedule", slot(app)).0, 200);
    assert_error(
        &take(app, &w.operator, &w, json!({"request_id": r}), &[&a]),
        404,
        "not_found",
    );
    // The scheduling station may, for the containers listed only.
    let b = sealed_container(app, &w);
    assert_error(
        &take(app, &x.operator, &w, json!({"request_id": r}), &[&a, &b]),
        409,
        "container_not_requested",
    );
    let (s, p) = take(app, &x.operator, &w, json!({"request_id": r}), &[&a]);
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["request_id"], r.as_str());
    let (_, v) = app.get(&format!("/api/v1/pickup-requests/{r}"), &w.staff);
    assert_eq!(v["state"], "collected", "{v}");
    assert_eq!(v["pickup_id"], p["id"]);
    assert_eq!(container(app, &x.operator, &a)["status"], "picked_up");
}

fn requests_are_scheduled_declined_and_cancelled(app: &TestApp) {
    let w = world(app, 1300);
    let other = world(app, 1310);
    let (a, b) = (sealed_container(app, &w), sealed_container(app, &w));
    // Only the school's sealed containers, each on one open request.
    let open = waste_e2e::world::container(app, &w.staff, "20");
    assert_error(&ask(app, &w, &[&open]), 409, "container_not_ready");
    assert_error(&ask(app, &other, &[&a]), 404, "not_found");
    let r = asked(app, &w, &[&a]);
    assert_error(&ask(app, &w, &[&a, &b]), 409, "container_on_request");
    assert_error(
        &app.post(
            "/api/v1/pickup-requests",
            &w.operator,
            json!({"container_ids": [b], "preferred_from": "x", "preferred_until": "y", "contact": "c"}),
        ),
        403,
        "forbidden",
    );
    // Each party sees its own: the school its request, every station the requests not yet scheduled.
    let (_, v) = app.get("/api/v1/pickup-requests?state=requested", &w.operator);
    assert!(
        v["items"]
            .as_array()
            .is_some_and(|i| i.iter().any(|x| x["id"] == r.as_str())),
        "{v}"
    );
    assert_error(
        &app.get(&format!("/api/v1/pickup-requests/{r}"), &other.staff),
        404,
        "not_found",
    );
    assert_error(
        &app.get("/api/v1/pickup-requests?state=nope", &w.staff),
        422,
        "invalid_input",
    );
    // Scheduled by one station: the request is then that station's.
    let (s, v) = step(app, &w.operator, &r, "schedule", slot(app));
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["state"].as_str(), v["station_id"].as_str()),
        (Some("scheduled"), Some(w.station.as_str()))
    );
    assert_error(
        &step(app, &other.operator, &r, "decline", json!({"reason": "满"})),
        404,
        "not_found",
    );
    assert_error(
        &step(app, &other.operator, &r, "schedule", slot(app)),
        404,
        "not_found",
    );
    // The school's other side: a station may not cancel, the school may not schedule.
    assert_error(
        &step(app, &w.staff, &r, "schedule", slot(app)),
        403,
        "forbidden",
    );
    let (_, v) = app.get("/api/v1/pickup-requests", &other.operator);
    assert!(
        v["items"]
            .as_array()
            .is_some_and(|i| i.iter().all(|x| x["id"] != r.as_str())),
        "{v}"
    );
    // The school cancels; a cancelled request is never collected nor cancelled again.
    assert_error(
        &step(app, &w.operator, &r, "cancel", json!({})),
        403,
        "forbidden",
    );
    let (s, v) = step(app, &w.staff, &r, "cancel", json!({}));
    assert_eq!((s, v["state"].as_str()), (200, Some("cancelled")), "{v}");
    assert_error(
        &step(app, &w.officer, &r, "cancel", json!({})),
        409,
        "invalid_transition",
    );
    assert_error(
        &take(app, &w.operator, &w, json!({"request_id": r}), &[&a]),
        409,
        "invalid_transition",
    );
    assert_eq!(container(app, &w.staff, &a)["status"], "sealed");
    // A declined request carries its reason to the school; its containers may be asked for again.
    let r2 = asked(app, &w, &[&a, &b]);
    assert_error(
        &step(app, &w.operator, &r2, "decline", json!({"reason": ""})),
        422,
        "invalid_input",
    );
    let (s, v) = step(
        app,
        &w.operator,
        &r2,
        "decline",
        json!({"reason": "本周车辆已排满"}),
    );
    assert_eq!((s, v["state"].as_str()), (200, Some("declined")), "{v}");
    let (_, v) = app.get(&format!("/api/v1/pickup-requests/{r2}"), &w.officer);
    assert_eq!(v["decline_reason"], "本周车辆已排满");
    assert_eq!(v["container_ids"].as_array().map(Vec::len), Some(2));
    assert_error(
        &step(app, &w.operator, &r2, "schedule", slot(app)),
        409,
        "invalid_transition",
    );
    let r3 = asked(app, &w, &[&a, &b]);
    assert_error(
        &step(
            app,
            &w.operator,
            &r3,
            "schedule",
            json!({"slot_from": "2020-01-01T09:00:00+08:00", "slot_until": "2020-01-01T08:00:00+08:00"}),
        ),
        422,
        "invalid_input",
    );
    // Each step is a custody event of the request.
    assert_eq!(
        count(
            app,
            &format!("SELECT COUNT(*) AS n FROM events WHERE aggregate = 'pickup_request:{r}'")
        ),
        3
    );
    assert_eq!(
        count(
            app,
            &format!("SELECT COUNT(*) AS n FROM events WHERE aggregate = 'pickup_request:{r2}'")
        ),
        2
    );
}

fn officer_id(app: &TestApp, token: &str) -> String {
    let (_, v) = app.get("/api/v1/me", token);
    v["id"].as_str().expect("id").to_owned()
}

fn set_pin(app: &TestApp, token: &str, pin: &str) -> (u16, Value) {
    app.call(
        "PUT",
        "/api/v1/users/me/pin",
        Some(token),
        Some(&json!({"pin": pin})),
    )
}

fn a_wrong_pin_is_refused_and_then_rate_limited(app: &TestApp) {
    let w = world(app, 1400);
    let other = world(app, 1410);
    let a = sealed_container(app, &w);
    let officer = officer_id(app, &w.officer);
    assert_error(&set_pin(app, &w.officer, "123456"), 422, "invalid_input");
    assert_error(&set_pin(app, &w.staff, "482913"), 403, "forbidden");
    assert_eq!(set_pin(app, &w.officer, "482913").0, 200);
    assert_eq!(set_pin(app, &other.officer, "556677").0, 200);
    // A PIN is checked only on an open request of the school (issue 29, item 2).
    let bare = json!({"school_confirmation": {"officer_id": officer, "pin": "482913"}});
    assert_error(
        &take(app, &w.operator, &w, bare, &[&a]),
        409,
        "confirmation_needs_request",
    );
    let req = asked(app, &w, &[&a]);
    let confirm = |id: &str, pin: &str| json!({"request_id": req, "school_confirmation": {"officer_id": id, "pin": pin}});
    // Another school's officer with their own right PIN does not confirm for this school.
    let foreign = officer_id(app, &other.officer);
    assert_error(
        &take(app, &w.operator, &w, confirm(&foreign, "556677"), &[&a]),
        403,
        "pin_incorrect",
    );
    for _ in 0..4 {
        assert_error(
            &take(app, &w.operator, &w, confirm(&officer, "000001"), &[&a]),
            403,
            "pin_incorrect",
        );
    }
    let r = take(app, &w.operator, &w, confirm(&officer, "000002"), &[&a]);
    assert_error(&r, 403, "pin_incorrect");
    assert_eq!(r.1["error"]["details"]["attempts_left"], 0, "{}", r.1);
    // Five wrong PINs in 15 minutes: even the right one is refused until the window passes.
    let r = take(app, &w.operator, &w, confirm(&officer, "482913"), &[&a]);
    assert_error(&r, 429, "rate_limited");
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM pickups"), 0);
    assert_eq!(container(app, &w.staff, &a)["status"], "sealed");
    app.advance_days(1);
    let (s, p) = take(app, &w.operator, &w, confirm(&officer, "482913"), &[&a]);
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["confirmed_by"], officer.as_str());
    assert_eq!(container(app, &w.operator, &a)["status"], "picked_up");
    let (s, v) = app.get(
        &format!("/api/v1/pickups/{}", p["id"].as_str().unwrap_or("")),
        &w.officer,
    );
    assert_eq!(
        (s, v["confirmed_by"].as_str()),
        (200, Some(officer.as_str())),
        "{v}"
    );
    assert_error(
        &app.get(
            &format!("/api/v1/pickups/{}", p["id"].as_str().unwrap_or("")),
            &other.staff,
        ),
        404,
        "not_found",
    );
}

fn a_refused_item_stays_with_the_school(app: &TestApp) {
    let w = world(app, 1500);
    let (a, b) = (sealed_container(app, &w), sealed_container(app, &w));
    let r = asked(app, &w, &[&a, &b]);
    assert_eq!(step(app, &w.operator, &r, "schedule", slot(app)).0, 200);
    assert_error(
        &take(
            app,
            &w.operator,
            &w,
            json!({"request_id": r, "refused_items": [{"container_id": a, "reason": "漏液"}]}),
            &[&a],
        ),
        422,
        "invalid_input",
    );
    let (s, p) = take(
        app,
        &w.operator,
        &w,
        json!({"request_id": r, "refused_items": [{"container_id": b, "reason": "标签缺失 / unlabelled"}]}),
        &[&a],
    );
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["refused_items"][0]["container_id"], b.as_str());
    let kept = container(app, &w.staff, &b);
    assert_eq!(
        (kept["status"].as_str(), kept["custodian_id"].as_str()),
        (Some("sealed"), Some(w.school.as_str()))
    );
    assert_eq!(container(app, &w.operator, &a)["status"], "picked_up");
    let (_, v) = app.get(&format!("/api/v1/pickup-requests/{r}"), &w.staff);
    assert_eq!(v["state"], "collected");
    let (_, v) = app.get("/api/v1/pickups", &w.staff);
    assert_eq!(v["items"].as_array().map(Vec::len), Some(1), "{v}");
    // The refusal is on the container's chain; it may be asked for again.
    let (_, ev) = app.get(&format!("/api/v1/containers/{b}/events"), &w.staff);
    assert!(
        ev["items"]
            .as_array()
            .is_some_and(|i| i.iter().any(|e| e["kind"] == "refused_at_pickup")),
        "{ev}"
    );
    asked(app, &w, &[&b]);
}

fn dispatch_records_the_vehicle_and_permit(app: &TestApp) {
    let w = world(app, 1600);
    contract(app, &w.station, &w.firm, &["900-047-49"]);
    let a = sealed_container(app, &w);
    assert_eq!(pickup(app, &w, &[&a]).0, 201);
    let m = manifest(app, &w, &[&a]);
    assert_eq!(act(app, &w.operator, &m, "submit", json!({})).0, 200);
    assert_error(
        &act(
            app,
            &w.driver,
            &m,
            "dispatch",
            json!({"container_ids": [a], "vehicle_plate": "<b>12</b>"}),
        ),
        422,
        "invalid_input",
    );
    assert_error(
        &act(
            app,
            &w.driver,
            &m,
            "dispatch",
            json!({"container_ids": [a], "transport_permit_no": "x".repeat(41)}),
        ),
        422,
        "invalid_input",
    );
    let (s, v) = act(
        app,
        &w.driver,
        &m,
        "dispatch",
        json!({"container_ids": [a], "vehicle_plate": "吉A·12345", "transport_permit_no": "吉交运管许可长字220100012345号"}),
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["vehicle_plate"], "吉A12345");
    assert_eq!(v["transport_permit_no"], "吉交运管许可长字220100012345号");
    let (_, v) = app.get(&format!("/api/v1/manifests/{m}"), &w.receiver);
    assert_eq!(v["vehicle_plate"], "吉A12345");
}

/// Issue 12 item 6 (Transfer Measures Art.18: mismatches in quantity are reported): the school's estimate at
/// sealing (5 L → 5 kg), the station's gross weight and the firm's received weight; beyond the tolerance of
/// manifest.toml `[weighings]` (5 % or 1.5 kg, the larger) a container is flagged on the manifest and in the
/// bureau's view.
fn weighings_beyond_the_tolerance_are_flagged(app: &TestApp) {
    let w = world(app, 1700);
    contract(app, &w.station, &w.firm, &["900-047-49"]);
    let bureau = waste_e2e::org(app, "authority", 1705, "220100", json!({}));
    let inspector = waste_e2e::user(app, &bureau, &["auditor"], "2099-12-31");
    let (a, b, c) = (
        sealed_container(app, &w),
        sealed_container(app, &w),
        sealed_container(app, &w),
    );
    let lines = json!([{"container_id": a, "gross_weight_kg": "6.2"}, {"container_id": b, "gross_weight_kg": "9.5"}, {"container_id": c, "gross_weight_kg": "6.0"}]);
    let r = waste_e2e::world::collect(
        app,
        &w.staff,
        &w.operator,
        json!({"school_id": w.school, "containers": lines}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let m = manifest(app, &w, &[&a, &b, &c]);
    assert_eq!(act(app, &w.operator, &m, "submit", json!({})).0, 200);
    assert_eq!(
        act(
            app,
            &w.driver,
            &m,
            "dispatch",
            json!({"container_ids": [a, b, c]})
        )
        .0,
        200
    );
    let got = json!({"lines": [
        {"container_id": a, "received_weight_kg": "6.1", "accepted": true},
        {"container_id": b, "received_weight_kg": "9.4", "accepted": true},
        {"container_id": c, "received_weight_kg": "3.0", "accepted": true}]});
    assert_eq!(act(app, &w.receiver, &m, "receive", got).0, 200);
    let (_, v) = app.get(&format!("/api/v1/manifests/{m}"), &w.operator);
    let of = |id: &str| -> Value {
        v["lines"]
            .as_array()
            .and_then(|ls| ls.iter().find(|l| l["container_id"] == id).cloned())
            .unwrap_or(Value::Null)["weighings"]
            .clone()
    };
    let (wa, wb, wc) = (of(&a), of(&b), of(&c));
    assert_eq!(wa["flagged"], false, "{wa}");
    assert_eq!(wa["estimate_kg"], "5", "{wa}");
    assert_eq!(
        (
            wb["flagged"].as_bool(),
            wb["at_collection"]["flagged"].as_bool()
        ),
        (Some(true), Some(true)),
        "{wb}"
    );
    assert_eq!(
        (
            wc["flagged"].as_bool(),
            wc["at_receipt"]["flagged"].as_bool()
        ),
        (Some(true), Some(true)),
        "{wc}"
    );
    let (s, o) = app.get("/api/v1/oversight/schools", &inspector);
    assert_eq!(s, 200, "{o}");
    let school = o["items"]
        .as_array()
        .and_then(|i| {
            i.iter()
                .find(|x| x["school_id"] == w.school.as_str())
                .cloned()
        })
        .unwrap_or(Value::Null);
    assert_eq!(school["weighings_flagged"], 2, "{o}");
}

both_backends! {
    weighings_flagged => weighings_beyond_the_tolerance_are_flagged;
    a_station_without_a_request_or_confirmation_takes_nothing => a_station_without_a_request_or_the_schools_confirmation_takes_nothing;
    request_steps => requests_are_scheduled_declined_and_cancelled;
    wrong_pin_refused_then_rate_limited => a_wrong_pin_is_refused_and_then_rate_limited;
    refused_item_stays => a_refused_item_stays_with_the_school;
    dispatch_vehicle => dispatch_records_the_vehicle_and_permit;
}
