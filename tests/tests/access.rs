//! The access-control matrix: every endpoint × every role × own or other organisation, with the expected status.
//! Runs on both backends.

use serde_json::{Value, json};
use waste_e2e::{ADMIN_TOKEN, TestApp, both_backends, credit_code, org, user};

/// Actors, in the order of the expected-status columns.
const ACTORS: [&str; 10] = [
    "none",
    "admin",
    "staff_a",
    "officer_a",
    "staff_b",
    "operator",
    "driver",
    "receiver",
    "auditor",
    "far_auditor",
];

struct Ctx {
    tokens: Vec<Option<String>>,
    school_a: String,
    firm: String,
    carrier: String,
    container: String,
    manifest: String,
    site: String,
    /// A pickup request of school A (not scheduled) and the pickup of the shipped container.
    request: String,
    pickup: String,
    /// A lab staff member of school A whom the administration rows change (no other row uses their token).
    target: String,
    /// A contract school A's officer recorded, awaiting the firm's confirmation.
    contract: String,
    /// A webhook subscription of school A (its officer's).
    webhook: String,
    /// A sealed bottle of ethanol on school A's shelf.
    bottle: String,
}

type Request = (&'static str, String, Option<Value>);
/// One row of the matrix: the endpoint's name, how to call it as actor `i`, the expected status per actor.
type Row<'a> = (&'static str, Box<dyn Fn(usize) -> Request + 'a>, [u16; 10]);

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
    // A bureau of another division (1101xx): it reads none of 2201xx's records (issue 14 item 2).
    let far_bureau = org(app, "authority", 906, "110100", json!({}));
    let far_auditor = user(app, &far_bureau, &["auditor"], "2099-12-31");
    let target_token = user(app, &school_a, &["lab_staff"], "2099-12-31");
    let target = app.get("/api/v1/me", &target_token).1["id"]
        .as_str()
        .expect("target id")
        .to_owned();
    let contract = app
        .post(
            "/api/v1/contracts",
            &officer_a,
            json!({"shipper_id": school_a, "disposal_firm_id": firm, "valid_from": "2026-01-01", "valid_until": "2099-12-31", "waste_codes": ["900-047-49"]}),
        )
        .1["id"]
        .as_str()
        .expect("contract id")
        .to_owned();
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
    let r = waste_e2e::world::collect(
        app,
        &staff_a,
        &operator,
        json!({"school_id": school_a, "containers": [{"container_id": shipped, "gross_weight_kg": "1"}]}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let pickup = r.1["id"].as_str().expect("pickup id").to_owned();
    // A sealed container of school A on a pickup request no station scheduled yet.
    let requested = app
        .post(
            "/api/v1/containers",
            &staff_a,
            json!({"lab": "A", "capacity_liters": "20", "material": "hdpe"}),
        )
        .1["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = app.post(
        &format!("/api/v1/containers/{requested}/additions"),
        &staff_a,
        json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "acetone"}]}, "quantity": "0.1", "unit": "L"}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let r = app.post(
        &format!("/api/v1/containers/{requested}/seal"),
        &staff_a,
        json!({}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    let r = app.post(
        "/api/v1/pickup-requests",
        &staff_a,
        request_body(app, &requested),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let request = r.1["id"].as_str().expect("request id").to_owned();
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
        Some(far_auditor),
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
    let webhook = app
        .post(
            "/api/v1/webhooks",
            tokens[3].as_deref().unwrap_or_default(),
            json!({"url": "https://hooks.example.com/a", "events": ["manifest.received"]}),
        )
        .1["id"]
        .as_str()
        .expect("webhook id")
        .to_owned();
    let r = app.post(
        "/api/v1/bottles",
        tokens[2].as_deref().expect("staff A"),
        json!({"substance": "ethanol", "amount": "500", "unit": "mL", "site_id": site}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let bottle = r.1["id"].as_str().expect("bottle id").to_owned();
    Ctx {
        bottle,
        webhook,
        target,
        contract,
        site,
        request,
        pickup,
        tokens,
        school_a,
        firm,
        carrier,
        container,
        manifest,
    }
}

/// A pickup request body for `container`, with a window from today.
fn request_body(app: &TestApp, container: &str) -> Value {
    let (today, soon) = (app.today(), app.today() + time::Duration::days(30));
    json!({"container_ids": [container], "preferred_from": format!("{today}T08:00:00+08:00"), "preferred_until": format!("{soon}T17:00:00+08:00"), "contact": "138"})
}

fn matrix(app: &TestApp) {
    let ctx = setup(app);
    let add = json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "ethanol"}]}, "quantity": "0.1", "unit": "L"});
    let waste = json!({"form": "liquid", "origin": "experiment_residue", "components": [{"name": "acetone"}]});
    let c = &ctx.container;
    let m = &ctx.manifest;
    let a = &ctx.school_a;
    let (rq, p) = (&ctx.request, &ctx.pickup);
    let open_request = request_body(app, c);
    // Each row: name, request (given the actor's index, so creations stay unique), expected status per actor:
    //                                          none admin staffA offA staffB oper driver recv audit far_audit
    let rows: Vec<Row> = vec![
        (
            "GET me",
            Box::new(|_| ("GET", "/api/v1/me".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET organization A",
            Box::new(|_| ("GET", format!("/api/v1/organizations/{a}"), None)),
            [401, 200, 200, 200, 404, 404, 404, 404, 200, 404],
        ),
        (
            "GET organizations",
            Box::new(|_| ("GET", "/api/v1/organizations".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
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
            [401, 201, 403, 403, 403, 403, 403, 403, 403, 403],
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
            [401, 201, 403, 201, 404, 404, 404, 404, 404, 404],
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
            [401, 201, 403, 201, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET users of A",
            Box::new(|_| ("GET", format!("/api/v1/organizations/{a}/users"), None)),
            [401, 200, 403, 200, 404, 404, 404, 404, 404, 404],
        ),
        (
            "PATCH organization A's contact",
            Box::new(|_| {
                (
                    "PATCH",
                    format!("/api/v1/organizations/{a}"),
                    Some(json!({"contact": "王老师 138-0000-0000"})),
                )
            }),
            [401, 200, 403, 200, 404, 404, 404, 404, 404, 404],
        ),
        (
            "PATCH a user of A",
            Box::new(|_| {
                (
                    "PATCH",
                    format!("/api/v1/users/{}", ctx.target),
                    Some(json!({"trained_until": "2099-12-31"})),
                )
            }),
            [401, 200, 403, 200, 404, 404, 404, 404, 404, 404],
        ),
        (
            "POST a new token for a user of A",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/users/{}/token", ctx.target),
                    Some(json!({})),
                )
            }),
            // Only the user themself or an administrator (issue 29, item 5): officer A is refused.
            [401, 200, 403, 403, 404, 404, 404, 404, 404, 404],
        ),
        // The recording party (officer A) does not confirm its own record; the administrator may.
        (
            "POST confirm A's contract",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/contracts/{}/confirm", ctx.contract),
                    Some(json!({})),
                )
            }),
            [401, 200, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "PATCH end A's contract",
            Box::new(|_| {
                (
                    "PATCH",
                    format!("/api/v1/contracts/{}", ctx.contract),
                    Some(json!({})),
                )
            }),
            [401, 200, 403, 409, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET contracts",
            Box::new(|_| ("GET", "/api/v1/contracts".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET ledger of A",
            Box::new(|_| ("GET", format!("/api/v1/ledger?organization_id={a}"), None)),
            [401, 200, 403, 200, 404, 404, 404, 404, 404, 404],
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
            [401, 200, 403, 200, 404, 404, 404, 404, 404, 404],
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
            [401, 200, 403, 200, 404, 404, 404, 404, 404, 404],
        ),
        (
            "POST classify",
            Box::new(|_| ("POST", "/api/v1/classify".into(), Some(waste.clone()))),
            [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
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
            [401, 403, 201, 201, 201, 403, 403, 403, 403, 403],
        ),
        (
            "GET containers",
            Box::new(|_| ("GET", "/api/v1/containers".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET container of A",
            Box::new(|_| ("GET", format!("/api/v1/containers/{c}"), None)),
            [401, 404, 200, 200, 404, 404, 404, 404, 404, 404],
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
            [401, 403, 201, 201, 404, 403, 403, 403, 403, 403],
        ),
        (
            "GET label of A's container",
            Box::new(|_| ("GET", format!("/api/v1/containers/{c}/label.svg"), None)),
            [401, 404, 200, 200, 404, 404, 404, 404, 404, 404],
        ),
        (
            "GET events of A's container",
            Box::new(|_| ("GET", format!("/api/v1/containers/{c}/events"), None)),
            [401, 404, 200, 200, 404, 404, 404, 404, 404, 404],
        ),
        (
            "GET storage alerts",
            Box::new(|_| ("GET", "/api/v1/alerts/storage".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
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
            [401, 403, 403, 403, 403, 409, 403, 403, 403, 403],
        ),
        (
            "GET manifest",
            Box::new(|_| ("GET", format!("/api/v1/manifests/{m}"), None)),
            [401, 200, 404, 404, 404, 200, 200, 200, 200, 404],
        ),
        (
            "GET manifest events",
            Box::new(|_| ("GET", format!("/api/v1/manifests/{m}/events"), None)),
            [401, 200, 404, 404, 404, 200, 200, 200, 200, 404],
        ),
        (
            "GET manifests",
            Box::new(|_| ("GET", "/api/v1/manifests".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
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
            [401, 404, 404, 404, 404, 409, 403, 403, 404, 404],
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
            [401, 404, 404, 404, 404, 409, 409, 409, 404, 404],
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
            [401, 403, 403, 409, 403, 404, 403, 403, 403, 403],
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
            [401, 404, 404, 404, 404, 409, 409, 409, 404, 404],
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
            [401, 404, 404, 404, 404, 409, 409, 409, 404, 404],
        ),
        // Corrections (Transfer Measures Art.29): the draft is not signed, so a party's proposal is refused (409);
        // nobody else sees the manifest. No revision exists to approve or refuse.
        (
            "POST revision of the draft",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/manifests/{m}/revisions"),
                    Some(
                        json!({"lines": [{"container_id": "x", "shipped_weight_kg": "1"}], "reason": "r"}),
                    ),
                )
            }),
            [401, 404, 404, 404, 404, 409, 409, 409, 404, 404],
        ),
        (
            "GET revisions of the draft",
            Box::new(|_| ("GET", format!("/api/v1/manifests/{m}/revisions"), None)),
            [401, 200, 404, 404, 404, 200, 200, 200, 200, 404],
        ),
        (
            "POST approve a revision that does not exist",
            Box::new(|_| {
                (
                    "POST",
                    "/api/v1/revisions/none/approve".into(),
                    Some(json!({})),
                )
            }),
            [401, 404, 404, 404, 404, 404, 404, 404, 404, 404],
        ),
        (
            "POST refuse a revision that does not exist",
            Box::new(|_| {
                (
                    "POST",
                    "/api/v1/revisions/none/refuse".into(),
                    Some(json!({"reason": "r"})),
                )
            }),
            [401, 404, 404, 404, 404, 404, 404, 404, 404, 404],
        ),
        (
            "GET receipt alerts",
            Box::new(|_| ("GET", "/api/v1/alerts/receipts".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET audit",
            Box::new(|_| ("GET", "/api/v1/audit/verify".into(), None)),
            [401, 200, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET last audit",
            Box::new(|_| ("GET", "/api/v1/audit/last".into(), None)),
            [401, 200, 403, 403, 403, 403, 403, 403, 403, 403],
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
            [401, 201, 403, 201, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET storage sites",
            Box::new(|_| ("GET", "/api/v1/storage-sites".into(), None)),
            [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "GET storage site of A",
            Box::new(|_| ("GET", format!("/api/v1/storage-sites/{}", ctx.site), None)),
            [401, 200, 200, 200, 404, 404, 404, 404, 200, 404],
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
            [401, 200, 200, 200, 404, 404, 404, 404, 200, 404],
        ),
        (
            "PATCH storage site of A",
            Box::new(|_| {
                (
                    "PATCH",
                    format!("/api/v1/storage-sites/{}", ctx.site),
                    Some(json!({"contact": "139-0000-0000"})),
                )
            }),
            [401, 200, 403, 200, 403, 404, 403, 403, 403, 403],
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
            [401, 409, 403, 409, 403, 404, 403, 403, 403, 403],
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
            [401, 403, 403, 422, 403, 404, 403, 403, 403, 403],
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
            [401, 403, 200, 200, 404, 403, 403, 403, 403, 403],
        ),
        (
            "GET pickup requests",
            Box::new(|_| {
                (
                    "GET",
                    "/api/v1/pickup-requests?state=requested,scheduled".into(),
                    None,
                )
            }),
            [401, 200, 200, 200, 200, 200, 403, 403, 200, 200],
        ),
        (
            "GET A's pickup request",
            Box::new(|_| ("GET", format!("/api/v1/pickup-requests/{rq}"), None)),
            [401, 200, 200, 200, 404, 200, 403, 403, 200, 404],
        ),
        (
            "POST schedule A's request (slot in the past)",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/pickup-requests/{rq}/schedule"),
                    Some(
                        json!({"slot_from": "2020-01-01T09:00:00+08:00", "slot_until": "2020-01-01T10:00:00+08:00"}),
                    ),
                )
            }),
            [401, 403, 403, 403, 403, 422, 403, 403, 403, 403],
        ),
        (
            "POST decline A's request (no reason)",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/pickup-requests/{rq}/decline"),
                    Some(json!({"reason": " "})),
                )
            }),
            [401, 403, 403, 403, 403, 422, 403, 403, 403, 403],
        ),
        (
            "POST pickup request of A's open container",
            Box::new(|_| {
                (
                    "POST",
                    "/api/v1/pickup-requests".into(),
                    Some(open_request.clone()),
                )
            }),
            [401, 403, 409, 409, 404, 403, 403, 403, 403, 403],
        ),
        (
            "GET pickups",
            Box::new(|_| ("GET", "/api/v1/pickups".into(), None)),
            [401, 200, 200, 200, 200, 200, 403, 403, 200, 200],
        ),
        (
            "GET the pickup from A",
            Box::new(|_| ("GET", format!("/api/v1/pickups/{p}"), None)),
            [401, 200, 200, 200, 404, 200, 403, 403, 200, 404],
        ),
        (
            "PUT my PIN (too short)",
            Box::new(|_| {
                (
                    "PUT",
                    "/api/v1/users/me/pin".into(),
                    Some(json!({"pin": "1"})),
                )
            }),
            [401, 403, 403, 422, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET oversight",
            Box::new(|_| ("GET", "/api/v1/oversight/schools".into(), None)),
            [401, 200, 403, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            "GET print of the draft",
            Box::new(|_| ("GET", format!("/api/v1/manifests/{m}/print"), None)),
            [401, 200, 404, 404, 404, 200, 200, 200, 200, 404],
        ),
        (
            "POST roadside link of the draft",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/manifests/{m}/road-link"),
                    Some(json!({})),
                )
            }),
            [401, 403, 403, 403, 403, 201, 201, 403, 403, 403],
        ),
        // Only the shipper holding a rejected container hands it back: A's officer holds an open one (409), the
        // station does not hold it (404).
        (
            "POST hand back A's container",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/containers/{c}/hand-back"),
                    Some(json!({})),
                )
            }),
            [401, 403, 403, 409, 403, 404, 403, 403, 403, 403],
        ),
        (
            "POST webhook",
            Box::new(|_| {
                (
                    "POST",
                    "/api/v1/webhooks".into(),
                    Some(
                        json!({"url": "https://hooks.example.com/b", "events": ["manifest.received"]}),
                    ),
                )
            }),
            [401, 201, 403, 201, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET webhooks",
            Box::new(|_| ("GET", "/api/v1/webhooks".into(), None)),
            [401, 200, 403, 200, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET deliveries of A's webhook",
            Box::new(|_| {
                (
                    "GET",
                    format!("/api/v1/webhooks/{}/deliveries", ctx.webhook),
                    None,
                )
            }),
            [401, 200, 403, 200, 403, 403, 403, 403, 403, 403],
        ),
        // The reagent shelf (issue 31): a school's own, kept by its lab staff and safety officers.
        (
            "GET A's bottle",
            Box::new(|_| ("GET", format!("/api/v1/bottles/{}", ctx.bottle), None)),
            [401, 200, 200, 200, 404, 404, 404, 404, 404, 404],
        ),
        (
            "GET shelf alerts",
            Box::new(|_| ("GET", "/api/v1/shelf/alerts".into(), None)),
            [401, 403, 200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "POST receive a bottle at A's site",
            Box::new(|_| {
                (
                    "POST",
                    "/api/v1/bottles".into(),
                    Some(
                        json!({"substance": "ethanol", "amount": "100", "unit": "mL", "site_id": ctx.site}),
                    ),
                )
            }),
            [401, 403, 201, 201, 422, 403, 403, 403, 403, 403],
        ),
        // Staff A opens it; officer A then finds it open already.
        (
            "POST open A's bottle",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/bottles/{}/steps", ctx.bottle),
                    Some(json!({"step": "open"})),
                )
            }),
            [401, 403, 200, 409, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST a stocktake of A's site",
            Box::new(|_| {
                (
                    "POST",
                    "/api/v1/stocktakes".into(),
                    Some(json!({"site_id": ctx.site})),
                )
            }),
            [401, 403, 201, 409, 422, 403, 403, 403, 403, 403],
        ),
        // The administrator deletes it first; officer A then finds it gone.
        (
            "DELETE A's webhook",
            Box::new(|_| ("DELETE", format!("/api/v1/webhooks/{}", ctx.webhook), None)),
            [401, 204, 403, 404, 403, 403, 403, 403, 403, 403],
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
            [401, 403, 200, 409, 404, 403, 403, 403, 403, 403],
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
            [401, 404, 404, 404, 404, 200, 409, 409, 404, 404],
        ),
        // Last: the school cancels its request; the officer then finds it closed.
        (
            "POST cancel A's pickup request",
            Box::new(|_| {
                (
                    "POST",
                    format!("/api/v1/pickup-requests/{rq}/cancel"),
                    Some(json!({})),
                )
            }),
            [401, 403, 200, 409, 404, 403, 403, 403, 403, 403],
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
