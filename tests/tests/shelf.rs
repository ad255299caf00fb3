//! The reagent shelf end to end (issue 31), on both backends: a controlled bottle received with a second person,
//! issued and taken back with one, counted at a stocktake with a difference to explain, discarded into a waste
//! container, and that container picked up, shipped and disposed of; the bottle's life read back in one view and
//! the whole log audited.

use serde_json::{Value, json};
use waste_e2e::world::{TRAINED, act, collect, contract, manifest, world};
use waste_e2e::{ADMIN_TOKEN, TestApp, both_backends, user};

fn id_of(app: &TestApp, token: &str) -> String {
    app.get("/api/v1/me", token).1["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

fn code(v: &(u16, Value)) -> &str {
    v.1["error"]["code"].as_str().unwrap_or("")
}

fn a_bottle_from_receipt_to_disposal(app: &TestApp) {
    let w = world(app, 3100);
    let second = user(app, &w.school, &["safety_officer"], TRAINED);
    let second_id = id_of(app, &second);
    let staff_id = id_of(app, &w.staff);
    let r = app.call(
        "PUT",
        "/api/v1/users/me/pin",
        Some(&second),
        Some(&json!({"pin": "482913"})),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    let r = app.post(
        "/api/v1/storage-sites",
        &w.officer,
        json!({"kind": "storage_point", "name": "试剂室", "location": "B-101", "responsible": "王老师", "contact": "138-0000-0000"}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let site = r.1["id"].as_str().expect("site").to_owned();
    let kcn = json!({"substance": "151-50-8", "amount": "500", "unit": "g", "supplier": "国药", "lot": "20260301",
        "expires_on": "2030-12-31", "site_id": site, "cabinet": "剧毒柜 1"});

    // Order 591 Art.24: a highly toxic chemical is received by two people. Without the second: refused, nothing kept.
    let r = app.post("/api/v1/bottles", &w.staff, kcn.clone());
    assert_eq!((r.0, code(&r)), (409, "second_person_required"), "{}", r.1);
    assert_eq!(app.get("/api/v1/bottles", &w.staff).1["items"], json!([]));
    // The actor cannot be their own second person; a wrong PIN is refused.
    let mut own = kcn.clone();
    own["second_person"] = json!({"officer_id": id_of(app, &w.officer), "pin": "000000"});
    let r = app.post("/api/v1/bottles", &w.officer, own);
    assert_eq!(
        (r.0, code(&r)),
        (409, "second_person_is_the_actor"),
        "{}",
        r.1
    );
    let mut wrong = kcn.clone();
    wrong["second_person"] = json!({"officer_id": second_id, "pin": "111111"});
    let r = app.post("/api/v1/bottles", &w.staff, wrong);
    assert_eq!((r.0, code(&r)), (403, "pin_incorrect"), "{}", r.1);
    let witness = json!({"officer_id": second_id, "pin": "482913"});
    let mut good = kcn.clone();
    good["second_person"] = witness.clone();
    let r = app.post("/api/v1/bottles", &w.staff, good);
    assert_eq!(r.0, 201, "{}", r.1);
    let bottle = r.1["id"].as_str().expect("bottle").to_owned();
    let label = r.1["code"].as_str().expect("code").to_owned();
    assert_eq!(r.1["status"], "sealed");
    assert_eq!(r.1["listings"][0]["list"], "highly_toxic");
    assert_eq!(r.1["listings"][0]["entry"], "1686");
    // Its safety card: what the data has, with sources, and what it has not.
    let (s, card) = app.get(&format!("/api/v1/bottles/{bottle}/safety-card"), &w.staff);
    assert_eq!(s, 200, "{card}");
    assert_eq!(card["listings"][0]["list"], "highly_toxic");
    assert!(
        card["keep_apart"].as_array().is_some_and(|k| !k.is_empty()),
        "{card}"
    );
    assert_eq!(
        card["unsourced"],
        json!([
            "ghs_pictograms",
            "first_aid",
            "spill_measures",
            "fire_measures"
        ])
    );
    // Ethanol is on no list: one person receives it.
    let r = app.post(
        "/api/v1/bottles",
        &w.staff,
        json!({"substance": "乙醇", "amount": "500", "unit": "mL", "site_id": site, "cabinet": "易燃柜"}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let ethanol_code = r.1["code"].as_str().expect("code").to_owned();
    assert_eq!(r.1["listings"], json!([]));

    // Issued to the teacher with the second person; used in place it is not.
    let step = |body: Value| app.post(&format!("/api/v1/bottles/{bottle}/steps"), &w.staff, body);
    let r = step(
        json!({"step": "issue", "to": staff_id, "amount": "30", "purpose": "氰化物标准溶液配制"}),
    );
    assert_eq!((r.0, code(&r)), (409, "second_person_required"), "{}", r.1);
    let r = step(json!({"step": "open"}));
    assert_eq!(r.0, 200, "{}", r.1);
    let r = step(json!({"step": "use", "amount": "5"}));
    assert_eq!(
        (r.0, code(&r)),
        (409, "controlled_use_needs_issue"),
        "{}",
        r.1
    );
    let r = step(
        json!({"step": "issue", "to": staff_id, "amount": "30", "purpose": "氰化物标准溶液配制", "second_person": witness}),
    );
    assert_eq!((r.0, r.1["status"].as_str()), (200, Some("out")), "{}", r.1);
    let r = step(json!({"step": "return", "remaining": "501", "second_person": witness}));
    assert_eq!((r.0, code(&r)), (409, "bottle_amount"), "{}", r.1);
    let r = step(json!({"step": "return", "remaining": "480", "second_person": witness}));
    assert_eq!(r.0, 200, "{}", r.1);
    assert_eq!(
        (r.1["status"].as_str(), r.1["balance"].as_str()),
        (Some("open"), Some("480"))
    );

    // The stocktake: the bottle weighs 470 g against 480 on the books (beyond the 2 % tolerance setting).
    let r = app.post("/api/v1/stocktakes", &w.staff, json!({"site_id": site}));
    assert_eq!(r.0, 201, "{}", r.1);
    let take = r.1["id"].as_str().expect("stocktake").to_owned();
    let r = app.post("/api/v1/stocktakes", &w.staff, json!({"site_id": site}));
    assert_eq!((r.0, code(&r)), (409, "stocktake_under_way"), "{}", r.1);
    let r = app.post(
        &format!("/api/v1/stocktakes/{take}/counts"),
        &w.staff,
        json!({"code": label, "counted": "470"}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    let r = app.post(
        &format!("/api/v1/stocktakes/{take}/counts"),
        &w.staff,
        json!({"code": ethanol_code}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    let line = r.1["lines"][0].clone();
    assert_eq!(
        (
            line["bottle_id"].as_str(),
            line["difference"]["kind"].as_str()
        ),
        (Some(bottle.as_str()), Some("differs")),
        "{}",
        r.1
    );
    assert_eq!(r.1["unexplained"], json!([bottle]));
    let r = app.post(
        &format!("/api/v1/stocktakes/{take}/close"),
        &w.staff,
        json!({}),
    );
    assert_eq!((r.0, code(&r)), (409, "stocktake_unexplained"), "{}", r.1);
    let r = app.post(
        &format!("/api/v1/stocktakes/{take}/explanations"),
        &w.staff,
        json!({"bottle_id": bottle, "explanation": "称量时洒落约10克，已按应急预案处置"}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    let r = app.post(
        &format!("/api/v1/stocktakes/{take}/close"),
        &w.staff,
        json!({}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    assert!(r.1["closed_at"].is_string());
    assert_eq!(
        app.get(&format!("/api/v1/bottles/{bottle}"), &w.staff).1["balance"],
        "470"
    );

    // Discarded into a lab pack: an original reagent of the Catalogue of Hazardous Chemicals, 900-999-49.
    let r = app.post(
        &format!("/api/v1/bottles/{bottle}/discard"),
        &w.staff,
        json!({"new_container": {"lab": "B-101", "capacity_liters": "2", "material": "hdpe"}}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    assert_eq!(r.1["code"], "900-999-49", "{}", r.1);
    let c = r.1["container_id"].as_str().expect("container").to_owned();
    assert_eq!(r.1["bottle"]["status"], "discarded");
    let r = app.post(
        &format!("/api/v1/bottles/{bottle}/discard"),
        &w.staff,
        json!({"container_id": c}),
    );
    assert_eq!((r.0, code(&r)), (409, "bottle_step_not_allowed"), "{}", r.1);
    let (s, v) = app.get(&format!("/api/v1/containers/{c}"), &w.staff);
    assert_eq!(s, 200, "{v}");
    let r = app.post(&format!("/api/v1/containers/{c}/seal"), &w.staff, json!({}));
    assert_eq!(r.0, 200, "{}", r.1);

    // Picked up, shipped and disposed of.
    let r = collect(
        app,
        &w.staff,
        &w.operator,
        json!({"school_id": w.school, "containers": [{"container_id": c, "gross_weight_kg": "0.900"}]}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    contract(app, &w.station, &w.firm, &["900-999-49"]);
    let m = manifest(app, &w, &[&c]);
    assert_eq!(act(app, &w.operator, &m, "submit", json!({})).0, 200);
    assert_eq!(
        act(
            app,
            &w.driver,
            &m,
            "dispatch",
            json!({"container_ids": [c]})
        )
        .0,
        200
    );
    let r = act(
        app,
        &w.receiver,
        &m,
        "receive",
        json!({"lines": [{"container_id": c, "received_weight_kg": "0.900", "accepted": true}]}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    let r = act(
        app,
        &w.receiver,
        &m,
        "confirm-disposal",
        json!({"method": "D10"}),
    );
    assert_eq!(r.0, 200, "{}", r.1);

    // The bottle's whole life in one view: its chain from receipt and its waste's to the firm's confirmation.
    let (s, life) = app.get(&format!("/api/v1/bottles/{bottle}/life"), &w.staff);
    assert_eq!(s, 200, "{life}");
    let kinds = |k: &str| -> Vec<String> {
        life[k]
            .as_array()
            .map(|es| {
                es.iter()
                    .filter_map(|e| e["kind"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        kinds("bottle_events"),
        [
            "received",
            "opened",
            "issued",
            "returned",
            "counted",
            "discarded"
        ]
    );
    assert_eq!(
        life["bottle_events"][0]["payload"]["confirmed_by"],
        second_id
    );
    assert_eq!(
        life["bottle_events"][2]["payload"]["purpose"],
        "氰化物标准溶液配制"
    );
    assert_eq!(
        life["bottle_events"][4]["payload"]["explanation"],
        "称量时洒落约10克，已按应急预案处置"
    );
    assert_eq!(life["bottle_events"][5]["payload"]["container_id"], c);
    let waste = kinds("container_events");
    assert_eq!(
        waste.first().map(String::as_str),
        Some("created"),
        "{waste:?}"
    );
    assert!(waste.len() >= 3, "{waste:?}");
    let addition = life["container_events"]
        .as_array()
        .and_then(|es| es.iter().find(|e| e["kind"] == "addition"))
        .cloned()
        .unwrap_or(Value::Null);
    // The waste is the bottle's substance, classified; the bottle's chain names the container it went into.
    assert_eq!(
        addition["payload"]["substances"],
        json!(["151-50-8"]),
        "{addition}"
    );
    assert_eq!(addition["payload"]["code"], "900-999-49");
    assert_eq!(addition["payload"]["quantity"], "0.47");
    let (s, v) = app.get(&format!("/api/v1/manifests/{m}"), &w.receiver);
    assert_eq!((s, v["status"].as_str()), (200, Some("disposed")), "{v}");
    let (s, audit) = app.get("/api/v1/audit/verify", ADMIN_TOKEN);
    assert_eq!((s, audit["ok"].as_bool()), (200, Some(true)), "{audit}");
}

fn another_school_sees_no_bottle_and_the_alerts_name_the_stocktake(app: &TestApp) {
    let w = world(app, 3120);
    let other = world(app, 3130);
    let r = app.post(
        "/api/v1/storage-sites",
        &w.officer,
        json!({"kind": "storage_point", "name": "试剂室", "location": "B-101", "responsible": "王老师", "contact": "138"}),
    );
    let site = r.1["id"].as_str().expect("site").to_owned();
    let r = app.post(
        "/api/v1/bottles",
        &w.staff,
        json!({"substance": "acetone", "amount": "2.5", "unit": "L", "site_id": site, "cabinet": "A"}),
    );
    // Acetone is a category 3 precursor: its receipt needs the second person (a setting, on by default).
    assert_eq!((r.0, code(&r)), (409, "second_person_required"), "{}", r.1);
    let r = app.post(
        "/api/v1/bottles",
        &w.staff,
        json!({"substance": "nitric acid", "amount": "500", "unit": "mL", "site_id": site, "cabinet": "A", "expires_on": app.today().to_string()}),
    );
    assert_eq!((r.0, code(&r)), (409, "second_person_required"), "{}", r.1);
    let r = app.post(
        "/api/v1/bottles",
        &w.staff,
        json!({"substance": "ethanol", "amount": "500", "unit": "mL", "site_id": site, "cabinet": "A", "expires_on": app.today().to_string()}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let bottle = r.1["id"].as_str().expect("bottle").to_owned();
    // Another school's staff: not found; a station operator may not keep a shelf.
    let r = app.get(&format!("/api/v1/bottles/{bottle}"), &other.staff);
    assert_eq!(r.0, 404, "{}", r.1);
    let r = app.get("/api/v1/bottles", &other.staff);
    assert_eq!(r.1["items"], json!([]));
    let r = app.get("/api/v1/shelf/alerts", &w.operator);
    assert_eq!(r.0, 403, "{}", r.1);
    // Expiring today: an alert; a site of another school is refused for a receipt.
    let (s, v) = app.get("/api/v1/shelf/alerts", &w.staff);
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"][0]["code"], "expiring", "{v}");
    let r = app.post(
        "/api/v1/bottles",
        &other.staff,
        json!({"substance": "ethanol", "amount": "500", "unit": "mL", "site_id": site}),
    );
    assert_eq!((r.0, code(&r)), (422, "invalid_input"), "{}", r.1);
    // Malformed input is a 4xx with the field named.
    for (body, field) in [
        (
            json!({"substance": "no such thing", "amount": "1", "unit": "g", "site_id": site}),
            "substance",
        ),
        (
            json!({"substance": "ethanol", "amount": "-1", "unit": "g", "site_id": site}),
            "amount",
        ),
        (
            json!({"substance": "ethanol", "amount": "1", "unit": "g", "site_id": site, "expires_on": "2020-13-01"}),
            "expires_on",
        ),
    ] {
        let r = app.post("/api/v1/bottles", &w.staff, body);
        assert_eq!(
            (r.0, r.1["error"]["details"]["field"].as_str()),
            (422, Some(field)),
            "{}",
            r.1
        );
    }
    let r = app.post(
        "/api/v1/bottles",
        &w.staff,
        json!({"substance": "ethanol", "amount": "1", "unit": "oz", "site_id": site}),
    );
    assert!(r.0 == 400 || r.0 == 422, "{}", r.1);
    assert_eq!(
        app.get("/api/v1/bottles", &w.staff).1["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

fn the_bureau_reads_a_schools_controlled_stock_and_what_is_worth_a_visit(app: &TestApp) {
    let w = world(app, 3140);
    let bureau = waste_e2e::org(app, "authority", 3145, "220100", json!({}));
    let auditor = user(app, &bureau, &["auditor"], TRAINED);
    let far = waste_e2e::org(app, "authority", 3146, "110100", json!({}));
    let far_auditor = user(app, &far, &["auditor"], TRAINED);
    let second = user(app, &w.school, &["safety_officer"], TRAINED);
    let second_id = id_of(app, &second);
    let r = app.call(
        "PUT",
        "/api/v1/users/me/pin",
        Some(&second),
        Some(&json!({"pin": "482913"})),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    let r = app.post(
        "/api/v1/storage-sites",
        &w.officer,
        json!({"kind": "storage_point", "name": "试剂室", "location": "B-101", "responsible": "王老师", "contact": "138"}),
    );
    let site = r.1["id"].as_str().expect("site").to_owned();
    let today = app.today();
    let long_ago = (today - time::Duration::days(400)).to_string();
    let witness = json!({"officer_id": second_id, "pin": "482913"});
    // Received 400 days ago and never touched: idle (the setting is 365 days).
    let r = app.post(
        "/api/v1/bottles",
        &w.staff,
        json!({"substance": "potassium cyanide", "amount": "100", "unit": "g", "site_id": site, "received_on": long_ago, "second_person": witness}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let idle = r.1["id"].as_str().expect("bottle").to_owned();
    // Received today; past expiry: ethanol that expired yesterday.
    let r = app.post(
        "/api/v1/bottles",
        &w.staff,
        json!({"substance": "potassium cyanide", "amount": "100", "unit": "g", "site_id": site, "second_person": witness}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let yesterday = (today - time::Duration::days(1)).to_string();
    let r = app.post(
        "/api/v1/bottles",
        &w.staff,
        json!({"substance": "ethanol", "amount": "500", "unit": "mL", "site_id": site, "received_on": long_ago, "expires_on": yesterday}),
    );
    assert_eq!(r.0, 201, "{}", r.1);

    let path = format!("/api/v1/oversight/schools/{}/shelf", w.school);
    let (s, v) = app.get(&path, &auditor);
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["bottles_on_hand"], 3);
    assert_eq!(
        v["controlled"],
        json!([{"list": "highly_toxic", "bottles": 2}])
    );
    assert_eq!(v["past_expiry"], 1);
    assert_eq!(v["last_stocktake"], Value::Null);
    assert_eq!(v["anomalies"][0]["kind"], "controlled_idle", "{v}");
    assert_eq!(v["anomalies"][0]["bottles"], json!([idle]));
    // Receives (two bottles today) and no waste shipped in a year.
    assert_eq!(
        v["anomalies"][1]["kind"], "receives_but_ships_nothing",
        "{v}"
    );
    assert_eq!(v["anomalies"][1]["received"], 1);
    // Another division's bureau finds no such school; a teacher may not read the bureau's view.
    assert_eq!(app.get(&path, &far_auditor).0, 404);
    assert_eq!(app.get(&path, &w.staff).0, 403);
}

both_backends! {
    the_bureau_sees_a_schools_shelf => the_bureau_reads_a_schools_controlled_stock_and_what_is_worth_a_visit;
    a_controlled_bottle_from_receipt_to_disposal => a_bottle_from_receipt_to_disposal;
    the_shelf_is_the_schools_own_and_refuses_bad_input => another_school_sees_no_bottle_and_the_alerts_name_the_stocktake;
}
