//! One decision, one place (issue 30), on SQLite and PostgreSQL: the bureau's overdue figure is the count of each
//! container's own storage status; a page never offers a manifest step that the service then refuses for an
//! expired training record; the API and the pages refuse the same bad addition with the same status, in the same
//! order; the navigation follows the access table.

use serde_json::{Value, json};
use waste_e2e::browser::Browser;
use waste_e2e::world::{
    TRAINED, act, add, container, contract, cyanide, manifest, pickup, sealed_container, world,
};
use waste_e2e::{ADMIN_TOKEN, TestApp, both_backends, org, user};

fn storage_status(app: &TestApp, token: &str, id: &str) -> Option<String> {
    let (s, v) = app.get(&format!("/api/v1/containers/{id}"), token);
    assert_eq!(s, 200, "{v}");
    v["storage"]["status"].as_str().map(str::to_owned)
}

fn site(app: &TestApp, token: &str, kind: &str) -> String {
    let r = app.post(
        "/api/v1/storage-sites",
        token,
        json!({"kind": kind, "name": format!("{kind} 1"), "location": "实验楼 B-104",
            "responsible": "王老师", "contact": "138-0000-0000", "containment_liters": "100"}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    r.1["id"].as_str().expect("id").to_owned()
}

/// The bureau's "overdue" for a school is the number of its containers whose own page says overdue: the clock
/// each runs on (its holder's site, else its holder: `SiteRules::clock_for`) from the day that clock started.
/// A container rejected by the firm is back in the station's custody on the station's clock, restarted at the
/// pickup (Solid Waste Law Art.81): the lab clock from its first addition would call it overdue, its own status
/// does not.
fn the_bureaus_overdue_count_is_each_containers_own_status(app: &TestApp) {
    let w = world(app, 7000);
    let bureau = org(app, "authority", 7009, "220100", json!({}));
    let official = user(app, &bureau, &["auditor"], TRAINED);
    contract(app, &w.station, &w.firm, &["900-047-49"]);
    // At no site, at the school's lab point, at its storage point, at its storage facility.
    let mut ids = vec![sealed_container(app, &w)];
    for kind in ["lab_point", "storage_point", "storage_facility"] {
        let s = site(app, &w.officer, kind);
        let id = sealed_container(app, &w);
        let r = app.post(
            &format!("/api/v1/containers/{id}/move"),
            &w.staff,
            json!({"site_id": s}),
        );
        assert_eq!(r.0, 200, "{}", r.1);
        ids.push(id);
    }
    let rejected = sealed_container(app, &w);
    // 300 days on the station collects it, ships it, and the firm rejects it: the station holds it again.
    app.advance_days(300);
    assert_eq!(pickup(app, &w, &[&rejected]).0, 201);
    let m = manifest(app, &w, &[&rejected]);
    assert_eq!(act(app, &w.operator, &m, "submit", json!({})).0, 200);
    let r = act(
        app,
        &w.driver,
        &m,
        "dispatch",
        json!({"container_ids": [rejected], "vehicle_plate": "吉A12345", "transport_permit_no": "吉交运管许可长字220100001号"}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    let r = act(
        app,
        &w.receiver,
        &m,
        "receive",
        json!({"lines": [{"container_id": rejected, "received_weight_kg": "6.2", "accepted": false, "reason": "leaking lid"}]}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    ids.push(rejected.clone());
    for days in [0, 70] {
        app.advance_days(days);
        let own: Vec<Option<String>> = ids
            .iter()
            .map(|id| {
                let token = if *id == rejected {
                    &w.operator
                } else {
                    &w.staff
                };
                storage_status(app, token, id)
            })
            .collect();
        let overdue = own
            .iter()
            .filter(|s| s.as_deref() == Some("overdue"))
            .count();
        let (s, v) = app.get("/api/v1/oversight/schools", &official);
        assert_eq!(s, 200, "{v}");
        let row = v["items"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["school_id"] == w.school.as_str()))
            .cloned()
            .unwrap_or(Value::Null);
        assert_eq!(
            row["overdue_containers"].as_u64(),
            Some(overdue as u64),
            "day +{}: each container's own status {own:?}; the bureau's row {row}",
            300 + days
        );
        assert_eq!(row["open_containers"], 5, "{row}");
    }
    // After 370 days the four at the school are overdue on the lab's and the storage point's clocks; the one the
    // station holds again is not (its clock restarted 70 days ago).
    assert_eq!(
        storage_status(app, &w.operator, &rejected).as_deref(),
        Some("ok")
    );
    assert_eq!(
        storage_status(app, &w.staff, &ids[0]).as_deref(),
        Some("overdue")
    );
}

/// The governance plan (100% trained before work): a driver whose training record lapsed yesterday is not offered
/// the dispatch form, the service refuses the step with `training_expired`, and every page says why; renewed,
/// the form is back.
fn a_page_offers_no_step_the_training_column_refuses(app: &TestApp) {
    let w = world(app, 7100);
    contract(app, &w.station, &w.firm, &["900-047-49"]);
    let c = sealed_container(app, &w);
    assert_eq!(pickup(app, &w, &[&c]).0, 201);
    let m = manifest(app, &w, &[&c]);
    assert_eq!(act(app, &w.operator, &m, "submit", json!({})).0, 200);
    let number = app.get(&format!("/api/v1/manifests/{m}"), &w.operator).1["number"]
        .as_str()
        .expect("number")
        .to_owned();
    let (mut driver, token) = Browser::user(app, &w.carrier, &["driver"], "driver7100");
    let driver_id = app.get("/api/v1/me", &token).1["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let offered = |b: &mut Browser| {
        let p = b.get(&format!("/m/{number}"));
        assert_eq!(p.status, 200, "{}", p.body);
        (
            p.body.contains("id=\"dispatch-form\""),
            p.body.contains("id=\"training-lapsed\""),
        )
    };
    assert_eq!(offered(&mut driver), (true, false));
    // The record ends today; tomorrow it has lapsed.
    let today = app.today().to_string();
    let r = app.call(
        "PATCH",
        &format!("/api/v1/users/{driver_id}"),
        Some(ADMIN_TOKEN),
        Some(&json!({"trained_until": today})),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    assert_eq!(offered(&mut driver), (true, false), "its last day counts");
    app.advance_days(1);
    assert_eq!(offered(&mut driver), (false, true));
    let r = act(
        app,
        &token,
        &m,
        "dispatch",
        json!({"container_ids": [c], "vehicle_plate": "吉A12345", "transport_permit_no": "吉交运管许可长字220100001号"}),
    );
    waste_e2e::assert_error(&r, 403, "training_expired");
    // The manifests list has nothing for them to act on either.
    let list = driver.get("/manifests");
    assert!(
        !list.body.contains(&format!("/m/{number}/step/")),
        "{}",
        list.body
    );
    let renewed = app.today().to_string();
    let r = app.call(
        "PATCH",
        &format!("/api/v1/users/{driver_id}"),
        Some(ADMIN_TOKEN),
        Some(&json!({"trained_until": renewed})),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    assert_eq!(offered(&mut driver), (true, false));
}

/// The same bad additions through both doors: who may add is asked before what is added, so the API and the page
/// answer each with the same status (403 before 422 before 409).
fn both_doors_refuse_an_addition_in_the_same_order(app: &TestApp) {
    let w = world(app, 7200);
    let today = app.today().to_string();
    let (mut teacher, teacher_token) = Browser::user(app, &w.school, &["lab_staff"], "teacher7200");
    let (mut driver, driver_token) = Browser::user(app, &w.carrier, &["driver"], "driver7200");
    let id = container(app, &teacher_token, "20");
    let stranger = waste_e2e::world::school(app, 7205);
    let theirs = container(app, &stranger.staff, "20");
    assert_eq!(add(app, &teacher_token, &id, cyanide(), "1").0, 201);
    let teacher_id = app.get("/api/v1/me", &teacher_token).1["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let key = |c: &str| {
        app.get(&format!("/api/v1/containers/{c}"), ADMIN_TOKEN).1["digital_id"]
            .as_str()
            .unwrap_or(c)
            .to_owned()
    };
    let web = |b: &mut Browser, c: &str, fields: &[(&str, &str)]| {
        b.submit(&format!("/c/{}/add", key(c)), fields).status
    };
    let api = |token: &str, c: &str, body: Value| {
        app.post(&format!("/api/v1/containers/{c}/additions"), token, body)
            .0
    };
    let acid = [("cas", "7647-01-0"), ("qty", "1"), ("unit", "L")];
    let acid_json = json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "hydrochloric acid", "fraction": "0.1"}, {"name": "water", "fraction": "0.9"}]}, "quantity": "1", "unit": "L"});
    let no_quantity = [("cas", "7647-01-0"), ("unit", "L")];
    let no_quantity_json = json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "water", "fraction": "1"}]}, "unit": "L"});
    let water = [("cas", "7732-18-5"), ("qty", "1"), ("unit", "L")];
    let water_json = json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "water", "fraction": "1"}]}, "quantity": "1", "unit": "L"});
    // Trained: no quantity 422 on both; acid into cyanide 409 on both (the core's refusal); a stranger's 404.
    assert_eq!(
        (
            web(&mut teacher, &id, &no_quantity),
            api(&teacher_token, &id, no_quantity_json.clone())
        ),
        (422, 422)
    );
    assert_eq!(
        (
            web(&mut teacher, &id, &acid),
            api(&teacher_token, &id, acid_json.clone())
        ),
        (409, 409)
    );
    assert_eq!(
        (
            web(&mut teacher, &theirs, &water),
            api(&teacher_token, &theirs, water_json.clone())
        ),
        (404, 404)
    );
    // A driver may not add at all: 403 on both, whatever the request lacks.
    assert_eq!(
        (
            web(&mut driver, &id, &no_quantity),
            api(&driver_token, &id, no_quantity_json.clone())
        ),
        (403, 403)
    );
    // The teacher's record lapses: 403 before the missing quantity, on both.
    let r = app.call(
        "PATCH",
        &format!("/api/v1/users/{teacher_id}"),
        Some(ADMIN_TOKEN),
        Some(&json!({"trained_until": today})),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    app.advance_days(1);
    assert_eq!(
        (
            web(&mut teacher, &id, &no_quantity),
            api(&teacher_token, &id, no_quantity_json)
        ),
        (403, 403)
    );
    assert_eq!(
        (
            web(&mut teacher, &id, &water),
            api(&teacher_token, &id, water_json)
        ),
        (403, 403)
    );
}

/// The navigation follows the access table: every destination a person is shown opens (200), and a station
/// operator, whom `ManageSites` allows, is shown the storage sites.
fn the_menus_follow_the_access_table(app: &TestApp) {
    let w = world(app, 7300);
    let bureau = org(app, "authority", 7309, "220100", json!({}));
    let people = [
        (w.school.clone(), vec!["lab_staff"], "t7300"),
        (w.school.clone(), vec!["safety_officer"], "o7300"),
        (w.school.clone(), vec!["auditor"], "a7300"),
        (w.station.clone(), vec!["station_operator"], "s7300"),
        (w.carrier.clone(), vec!["driver"], "d7300"),
        (w.carrier.clone(), vec!["safety_officer"], "co7300"),
        (w.firm.clone(), vec!["disposal_operator"], "f7300"),
        (bureau, vec!["auditor"], "b7300"),
    ];
    for (org_id, roles, login) in people {
        let (mut b, _) = Browser::user(app, &org_id, &roles, login);
        let home = b.get("/");
        assert_eq!(home.status, 200);
        let nav = nav_links(&home.body);
        assert!(nav.len() >= 2, "{login}: {nav:?}");
        for href in &nav {
            let p = b.get(href);
            assert_eq!(
                p.status, 200,
                "{login} is shown {href} but it answers {}",
                p.status
            );
        }
        if login == "s7300" {
            assert!(nav.iter().any(|h| h == "/sites"), "{nav:?}");
            assert!(nav.iter().any(|h| h == "/ledger"), "{nav:?}");
        }
        if login == "co7300" {
            // A carrier keeps no storage site (the access table's kinds): not shown, and the page refuses.
            assert!(!nav.iter().any(|h| h == "/sites"), "{nav:?}");
            assert_eq!(b.get("/sites").status, 403);
        }
    }
}

/// The hrefs of the navigation bar (`<nav class="tabs">`), "更多" included.
fn nav_links(body: &str) -> Vec<String> {
    let Some(start) = body.find("<nav class=\"tabs\"") else {
        return Vec::new();
    };
    let end = body[start..]
        .find("</nav>")
        .map_or(body.len(), |e| start + e);
    body[start..end]
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

both_backends! {
    the_bureaus_overdue_count_is_each_containers_own_status_issue_30 => the_bureaus_overdue_count_is_each_containers_own_status;
    a_page_offers_no_step_the_training_column_refuses_governance_plan => a_page_offers_no_step_the_training_column_refuses;
    both_doors_refuse_an_addition_in_the_same_order_issue_30 => both_doors_refuse_an_addition_in_the_same_order;
    the_menus_follow_the_access_table_issue_30 => the_menus_follow_the_access_table;
}
