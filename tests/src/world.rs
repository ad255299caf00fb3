//! The one world builder of the end-to-end tests: organisations of every kind with their users, containers and
//! the custody steps the scenarios share. Numbers (`base`) keep credit codes unique within one database.

use crate::{ADMIN_TOKEN, TestApp, org, user};
use serde_json::{Value, json};

/// A training record that stays current for the tests' lifetime.
pub const TRAINED: &str = "2099-12-31";

/// A school with a lab staff member and a safety officer (tokens).
pub struct School {
    pub id: String,
    pub staff: String,
    pub officer: String,
}

pub fn school(app: &TestApp, n: u32) -> School {
    let id = org(app, "school", n, "220102", json!({}));
    School {
        staff: user(app, &id, &["lab_staff"], TRAINED),
        officer: user(app, &id, &["safety_officer"], TRAINED),
        id,
    }
}

/// Every party of a shipment: a school, a transfer station, a carrier and a licensed disposal firm (licence for
/// 900-047-49 and 900-999-49), each with the user who acts for it.
pub struct World {
    pub school: String,
    pub staff: String,
    pub officer: String,
    pub station: String,
    pub operator: String,
    pub carrier: String,
    pub driver: String,
    pub firm: String,
    pub receiver: String,
}

/// Uses the numbers `base` to `base + 3`.
pub fn world(app: &TestApp, base: u32) -> World {
    let s = school(app, base);
    let station = org(app, "transfer_station", base + 1, "220104", json!({}));
    let carrier = org(app, "carrier", base + 2, "220104", json!({}));
    let firm = org(
        app,
        "disposal_firm",
        base + 3,
        "220112",
        json!({"license": {"number": "JL-HW-001", "waste_codes": ["900-047-49", "900-999-49"], "valid_until": "2099-12-31"}}),
    );
    World {
        staff: s.staff,
        officer: s.officer,
        school: s.id,
        operator: user(app, &station, &["station_operator"], TRAINED),
        driver: user(app, &carrier, &["driver"], TRAINED),
        receiver: user(app, &firm, &["disposal_operator"], TRAINED),
        station,
        carrier,
        firm,
    }
}

/// A contract between a shipper and a firm, valid 2020–2099, for `codes`.
pub fn contract(app: &TestApp, shipper: &str, firm: &str, codes: &[&str]) {
    let r = app.post("/api/v1/contracts", ADMIN_TOKEN, json!({"shipper_id": shipper, "disposal_firm_id": firm, "valid_from": "2020-01-01", "valid_until": "2099-12-31", "waste_codes": codes}));
    assert_eq!(r.0, 201, "{}", r.1);
}

/// A new open container (HDPE) of `capacity` litres; returns its id.
pub fn container(app: &TestApp, token: &str, capacity: &str) -> String {
    let r = app.post("/api/v1/containers", token, json!({"lab": "B-304", "capacity_liters": capacity, "material": "hdpe", "contact": "张老师 138-0000-0000"}));
    assert_eq!(r.0, 201, "{}", r.1);
    r.1["id"].as_str().expect("id").to_owned()
}

/// A liquid experiment residue of `components`.
pub fn waste(components: Value) -> Value {
    json!({"form": "liquid", "origin": "experiment_residue", "components": components})
}

/// Adds `quantity` litres of `components` to container `id`.
pub fn add(
    app: &TestApp,
    token: &str,
    id: &str,
    components: Value,
    quantity: &str,
) -> (u16, Value) {
    app.post(
        &format!("/api/v1/containers/{id}/additions"),
        token,
        json!({"waste": waste(components), "quantity": quantity, "unit": "L"}),
    )
}

/// A dilute potassium cyanide solution (900-047-49, stream cyanide_inorganic).
pub fn cyanide() -> Value {
    json!([{"name": "potassium cyanide", "fraction": "0.01"}, {"name": "water", "fraction": "0.99"}])
}

/// A sealed, labelled container of 5 L cyanide waste in the world's school.
pub fn sealed_container(app: &TestApp, w: &World) -> String {
    let id = container(app, &w.staff, "20");
    let r = add(app, &w.staff, &id, cyanide(), "5");
    assert_eq!(r.0, 201, "{}", r.1);
    let r = app.post(
        &format!("/api/v1/containers/{id}/seal"),
        &w.staff,
        json!({}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    id
}

/// The station collects `ids` from the world's school (6.2 kg each), on a request of the school it scheduled.
pub fn pickup(app: &TestApp, w: &World, ids: &[&str]) -> (u16, Value) {
    let lines: Vec<Value> = ids
        .iter()
        .map(|id| json!({"container_id": id, "gross_weight_kg": "6.200"}))
        .collect();
    collect(
        app,
        &w.staff,
        &w.operator,
        json!({"school_id": w.school, "containers": lines}),
    )
}

/// The one way the tests collect: the school's `staff` asks for a pickup of the containers of `body` (a
/// `POST /api/v1/pickups` body), the station's `operator` schedules it, then posts `body` with the request's id.
/// Returns the pickup's answer, or the first refusal on the way (an unsealed container is refused at the request).
pub fn collect(app: &TestApp, staff: &str, operator: &str, mut body: Value) -> (u16, Value) {
    let ids: Vec<Value> = body["containers"]
        .as_array()
        .map(|ls| ls.iter().map(|l| l["container_id"].clone()).collect())
        .unwrap_or_default();
    let (today, soon) = (app.today(), app.today() + time::Duration::days(30));
    let r = app.post(
        "/api/v1/pickup-requests",
        staff,
        json!({"container_ids": ids, "preferred_from": format!("{today}T08:00:00+08:00"), "preferred_until": format!("{soon}T17:00:00+08:00"), "contact": "张老师 138-0000-0000"}),
    );
    if r.0 != 201 {
        return r;
    }
    let id = r.1["id"].as_str().unwrap_or_default().to_owned();
    let r = app.post(
        &format!("/api/v1/pickup-requests/{id}/schedule"),
        operator,
        json!({"slot_from": format!("{soon}T09:00:00+08:00"), "slot_until": format!("{soon}T11:00:00+08:00")}),
    );
    if r.0 != 200 {
        return r;
    }
    body["request_id"] = json!(id);
    app.post("/api/v1/pickups", operator, body)
}

/// The station drafts a manifest of `ids` to the world's firm; returns its id.
pub fn manifest(app: &TestApp, w: &World, ids: &[&str]) -> String {
    let r = app.post(
        "/api/v1/manifests",
        &w.operator,
        json!({"receiver_id": w.firm, "carrier_id": w.carrier, "container_ids": ids}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    r.1["id"].as_str().expect("id").to_owned()
}

/// A manifest step (`submit`, `dispatch`, …).
pub fn act(app: &TestApp, token: &str, id: &str, action: &str, body: Value) -> (u16, Value) {
    app.post(&format!("/api/v1/manifests/{id}/{action}"), token, body)
}
