//! The access-control matrix: every endpoint × every role × own or other organisation, with the expected status.
//! Runs on both backends.

use serde_json::{Value, json};
use waste_e2e::{ADMIN_TOKEN, TestApp, both_backends, credit_code, org, user};

/// Actors, in the order of the expected-status columns.
const ACTORS: [&str; 9] = [
    "none",
    "admin",
    "staff_a",
    "officer_a",
    "staff_b",
    "operator",
    "driver",
    "receiver",
    "auditor",
];

struct Ctx {
    tokens: Vec<Option<String>>,
    school_a: String,
    firm: String,
    carrier: String,
    container: String,
    manifest: String,
    site: String,
}

type Request = (&'static str, String, Option<Value>);
/// One row of the matrix: the endpoint's name, how to call it as actor `i`, the expected status per actor.
type Row<'a> = (&'static str, Box<dyn Fn(usize) -> Request + 'a>, [u16; 9]);

fn setup(app: &TestApp) -> Ctx {
    let school_a = org(app, "school", 900, "220102", json!({}));
    let school_b = org(app, "school", 901, "220102", json!({}));
    let station = org(app, "transfer_station", 902, "220104", json!({}));
    let carrier = org(app, "carrier", 903, "220104", json!({}));
    let firm = org(
        app,
        "disposal_firm",
        904,
        "220112",
        json!({"license": {"number": "L", "waste_codes": ["900-047-49"], "valid_until": "2099-12-31"}}),
    );
    let bureau = org(app, "authority", 905, "220100", json!({}));
    let staff_a = user(app, &school_a, &["lab_staff"], "2099-12-31");
    let officer_a = user(app, &school_a, &["safety_officer"], "2099-12-31");
    let staff_b = user(app, &school_b, &["lab_staff"], "2099-12-31");
    let operator = user(app, &station, &["station_operator"], "2099-12-31");
    let driver = user(app, &carrier, &["driver"], "2099-12-31");
    let receiver = user(app, &firm, &["disposal_operator"], "2099-12-31");
    let auditor = user(app, &bureau, &["auditor"], "2099-12-31");
    // A container of school A with one addition, and a draft manifest of the station for another container.
    let add = json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "acetone"}]}, "quantity": "0.1", "unit": "L"});
    let container = app
        .post(
            "/api/v1/containers",
            &staff_a,
            json!({"lab": "A", "capacity_liters": "20", "material": "hdpe"}),
        )
        .1["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        app.post(
            &format!("/api/v1/containers/{container}/additions"),
            &staff_a,
            add.clone()
        )
        .0,
        201
    );
    let shipped = app
        .post(
            "/api/v1/containers",
            &staff_a,
            json!({"lab": "A", "capacity_liters": "20", "material": "hdpe"}),
        )
        .1["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        app.post(
            &format!("/api/v1/containers/{shipped}/additions"),
            &staff_a,
            add
        )
        .0,
        201
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/containers/{shipped}/seal"),
            &staff_a,
            json!({})
        )
        .0,
        200
    );
    assert_eq!(app.post("/api/v1/pickups", &operator, json!({"school_id": school_a, "containers": [{"container_id": shipped, "gross_weight_kg": "1"}]})).0, 201);
    let manifest = app
        .post(
            "/api/v1/manifests",
            &operator,
            json!({"receiver_id": firm, "carrier_id": carrier, "container_ids": [shipped]}),
        )
        .1["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let tokens = vec![
        None,
        Some(ADMIN_TOKEN.to_owned()),
        Some(staff_a),
        Some(officer_a),
        Some(staff_b),
        Some(operator),
        Some(driver),
        Some(receiver),
        Some(auditor),
    ];
    // A storage point of school A (issue 18).
    let site = app
        .post(
            "/api/v1/storage-sites",
            ADMIN_TOKEN,
            json!({"organization_id": school_a, "kind": "storage_point", "name": "A point", "location": "B-104", "responsible": "r", "contact": "c"}),
        )
        .1["id"]
        .as_str()
        .expect("site id")
        .to_owned();
    Ctx {
        site,
        tokens,
        school_a,
        firm,
        carrier,
        container,
        manifest,
    }
}

fn matrix(app: &TestApp) {
    let ctx = setup(app);
    let add = json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "ethanol"}]}, "quantity": "0.1", "unit": "L"});
    let waste = json!({"form": "liquid", "origin": "experiment_residue", "components": [{"name": "acetone"}]});
    let c = &ctx.container;
    let m = &ctx.manifest;
    let a = &ctx.school_a;
    // Each row: name, request (given the actor's index, so creations stay unique), expected status per actor:
    //                                                  none admin staffA offA staffB oper driver recv audit
    let rows: Vec<Row> = vec![
        (
            "GET me",
            Box::new(|_| ("GET", "/api/v1/me".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET organization A",
            Box::new(|_| ("GET", format!("/api/v1/organizations/{a}"), None)),
            [401, 200, 200, 200, 404, 404, 404, 404, 200],
        ),
        (
            "GET organizations",
            Box::new(|_| ("GET", "/api/v1/organizations".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "POST organizations",
            Box::new(|i| {
                (
                    "POST",
                    "/api/v1/organizations".into(),
                    Some(
                        json!({"kind": "school", "name": "n", "credit_code": credit_code(950 + i as u32), "region_code": "220102"}),
                    ),
                )
            }),
            [401, 201, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST users of A",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/organizations/{a}/users"),
                    Some(json!({"name": "n", "roles": ["lab_staff"]})),
                )
            }),
            [401, 201, 403, 201, 404, 404, 404, 404, 404],
        ),
        (
            "POST contracts A→firm",
            Box::new(|_| {
                (
                    "POST",
                    "/api/v1/contracts".into(),
                    Some(
                        json!({"shipper_id": a, "disposal_firm_id": ctx.firm, "valid_from": "2026-01-01", "valid_until": "2026-12-31", "waste_codes": ["900-047-49"]}),
                    ),
                )
            }),
            [401, 201, 403, 201, 403, 403, 403, 403, 403],
        ),
        (
            "GET contracts",
            Box::new(|_| ("GET", "/api/v1/contracts".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET ledger of A",
            Box::new(|_| ("GET", format!("/api/v1/ledger?organization_id={a}"), None)),
            [401, 200, 403, 200, 404, 404, 404, 404, 404],
        ),
        (
            "GET annual report of A",
            Box::new(|_| {
                (
                    "GET",
                    format!("/api/v1/reports/annual?organization_id={a}&year=2026"),
                    None,
                )
            }),
            [401, 200, 403, 200, 404, 404, 404, 404, 404],
        ),
        (
            "GET management class of A",
            Box::new(|_| {
                (
                    "GET",
                    format!("/api/v1/organizations/{a}/management-class"),
                    None,
                )
            }),
            [401, 200, 403, 200, 404, 404, 404, 404, 404],
        ),
        (
            "POST classify",
            Box::new(|_| ("POST", "/api/v1/classify".into(), Some(waste.clone()))),
            [401, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "POST containers",
            Box::new(|_| {
                (
                    "POST",
                    "/api/v1/containers".into(),
                    Some(json!({"lab": "L", "capacity_liters": "5", "material": "pp"})),
                )
            }),
            [401, 403, 201, 201, 201, 403, 403, 403, 403],
        ),
        (
            "GET containers",
            Box::new(|_| ("GET", "/api/v1/containers".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET container of A",
            Box::new(|_| ("GET", format!("/api/v1/containers/{c}"), None)),
            [401, 404, 200, 200, 404, 404, 404, 404, 404],
        ),
        (
            "POST addition to A's container",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/containers/{c}/additions"),
                    Some(add.clone()),
                )
            }),
            [401, 403, 201, 201, 404, 403, 403, 403, 403],
        ),
        (
            "GET label of A's container",
            Box::new(|_| ("GET", format!("/api/v1/containers/{c}/label.svg"), None)),
            [401, 404, 200, 200, 404, 404, 404, 404, 404],
        ),
        (
            "GET events of A's container",
            Box::new(|_| ("GET", format!("/api/v1/containers/{c}/events"), None)),
            [401, 404, 200, 200, 404, 404, 404, 404, 404],
        ),
        (
            "GET storage alerts",
            Box::new(|_| ("GET", "/api/v1/alerts/storage".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "POST pickup from A",
            Box::new(|_| {
                (
                    "POST",
                    "/api/v1/pickups".into(),
                    Some(
                        json!({"school_id": a, "containers": [{"container_id": c, "gross_weight_kg": "1"}]}),
                    ),
                )
            }),
            [401, 403, 403, 403, 403, 409, 403, 403, 403],
        ),
        (
            "GET manifest",
            Box::new(|_| ("GET", format!("/api/v1/manifests/{m}"), None)),
            [401, 200, 404, 404, 404, 200, 200, 200, 200],
        ),
        (
            "GET manifest events",
            Box::new(|_| ("GET", format!("/api/v1/manifests/{m}/events"), None)),
            [401, 200, 404, 404, 404, 200, 200, 200, 200],
        ),
        (
            "GET manifests",
            Box::new(|_| ("GET", "/api/v1/manifests".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "POST submit (no contract yet)",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/manifests/{m}/submit"),
                    Some(json!({})),
                )
            }),
            [401, 404, 404, 404, 404, 409, 403, 403, 404],
        ),
        (
            "POST dispatch of a draft",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/manifests/{m}/dispatch"),
                    Some(json!({"container_ids": []})),
                )
            }),
            [401, 404, 404, 404, 404, 409, 409, 409, 404],
        ),
        (
            "POST manifest for A's open container",
            Box::new(|_| {
                (
                    "POST",
                    "/api/v1/manifests".into(),
                    Some(
                        json!({"receiver_id": ctx.firm, "carrier_id": ctx.carrier, "container_ids": [c]}),
                    ),
                )
            }),
            [401, 403, 403, 409, 403, 404, 403, 403, 403],
        ),
        (
            "POST receive of a draft",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/manifests/{m}/receive"),
                    Some(json!({"lines": []})),
                )
            }),
            [401, 404, 404, 404, 404, 409, 409, 409, 404],
        ),
        (
            "POST confirm-disposal of a draft",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/manifests/{m}/confirm-disposal"),
                    Some(json!({"method": "D10"})),
                )
            }),
            [401, 404, 404, 404, 404, 409, 409, 409, 404],
        ),
        (
            "GET receipt alerts",
            Box::new(|_| ("GET", "/api/v1/alerts/receipts".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET audit",
            Box::new(|_| ("GET", "/api/v1/audit/verify".into(), None)),
            [401, 200, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET last audit",
            Box::new(|_| ("GET", "/api/v1/audit/last".into(), None)),
            [401, 200, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST storage site of A",
            Box::new(|_| {
                (
                    "POST",
                    "/api/v1/storage-sites".into(),
                    Some(
                        json!({"organization_id": a, "kind": "lab_point", "name": "n", "location": "l", "responsible": "r", "contact": "c"}),
                    ),
                )
            }),
            [401, 201, 403, 201, 403, 403, 403, 403, 403],
        ),
        (
            "GET storage sites",
            Box::new(|_| ("GET", "/api/v1/storage-sites".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET storage site of A",
            Box::new(|_| ("GET", format!("/api/v1/storage-sites/{}", ctx.site), None)),
            [401, 200, 200, 200, 404, 404, 404, 404, 200],
        ),
        (
            "GET facility sign of A's site",
            Box::new(|_| {
                (
                    "GET",
                    format!("/api/v1/storage-sites/{}/sign.svg?type=facility", ctx.site),
                    None,
                )
            }),
            [401, 200, 200, 200, 404, 404, 404, 404, 200],
        ),
        (
            "POST sign print at A's site (stale digest)",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/storage-sites/{}/signs", ctx.site),
                    Some(json!({"type": "facility", "digest": "0"})),
                )
            }),
            [401, 409, 403, 409, 403, 404, 403, 403, 403],
        ),
        (
            "POST inspection of A's site (incomplete)",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/storage-sites/{}/inspections", ctx.site),
                    Some(json!({"inspected_on": "2026-01-01", "answers": []})),
                )
            }),
            // An administrator without a training record does not inspect.
            [401, 403, 403, 422, 403, 404, 403, 403, 403],
        ),
        (
            "POST move A's container to A's site",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/containers/{c}/move"),
                    Some(json!({"site_id": ctx.site})),
                )
            }),
            [401, 403, 200, 200, 404, 403, 403, 403, 403],
        ),
        (
            "GET oversight",
            Box::new(|_| ("GET", "/api/v1/oversight/schools".into(), None)),
            [401, 200, 403, 403, 403, 403, 403, 403, 200],
        ),
        // Last: sealing changes the container for the rows above.
        (
            "POST seal A's container",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/containers/{c}/seal"),
                    Some(json!({})),
                )
            }),
            [401, 403, 200, 409, 404, 403, 403, 403, 403],
        ),
        // After the shipper's cancellation the carrier and the firm find it closed (409); that neither may
        // cancel a draft is checked in the custody scenarios.
        (
            "POST cancel the draft",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/manifests/{m}/cancel"),
                    Some(json!({})),
                )
            }),
            [401, 404, 404, 404, 404, 200, 409, 409, 404],
        ),
    ];
    let mut wrong = Vec::new();
    for (name, request, expected) in &rows {
        for (i, actor) in ACTORS.iter().enumerate() {
            let (method, path, body) = request(i);
            let (status, v) = app.call(method, &path, ctx.tokens[i].as_deref(), body.as_ref());
            if status != expected[i] {
                wrong.push(format!(
                    "{name} as {actor}: {status}, expected {} ({v})",
                    expected[i]
                ));
            }
            if status >= 400 && !v["error"]["code"].is_string() {
                wrong.push(format!(
                    "{name} as {actor}: {status} without the error envelope"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

both_backends! {
    access_control_matrix => matrix;
}
