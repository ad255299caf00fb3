//! Scanning in the forms that take containers, and the work each role finds waiting (issue 27), on SQLite and
//! PostgreSQL, driven like a browser without JavaScript (the camera itself is driven in web-tests/chain.test.mjs):
//! `/scan/what` tells at once what a code that is not on the form is — no label of this service, another
//! organisation's container, or one of the person's own that the form does not list; a scanning form names each
//! container by its waste, code and hazards; the station's requests and home list what each request holds, with a
//! two-hour slot offered first; a container links to the storage site it stands at; each organisation is offered
//! the kinds of site it keeps; the bureau counts the contract of the transfer station a school ships through.

use serde_json::{Value, json};
use waste_e2e::browser::Browser;
use waste_e2e::world::{self, School};
use waste_e2e::{TestApp, both_backends, org};

fn what(b: &mut Browser, code: &str) -> Value {
    let p = b.get(&format!("/scan/what?code={}", urlencode(code)));
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.header("cache-control"), "no-store");
    serde_json::from_str(&p.body).expect("JSON")
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn digital_id(app: &TestApp, token: &str, id: &str) -> String {
    let r = app.get(&format!("/api/v1/containers/{id}"), token);
    assert_eq!(r.0, 200, "{}", r.1);
    r.1["label"]["digital_id"]
        .as_str()
        .expect("digital id")
        .to_owned()
}

/// A container with one addition of dilute cyanide (so it has its digital identification code).
fn started(app: &TestApp, s: &School) -> (String, String) {
    let id = world::container(app, &s.staff, "20");
    let r = world::add(app, &s.staff, &id, world::cyanide(), "2");
    assert_eq!(r.0, 201, "{}", r.1);
    let d = digital_id(app, &s.staff, &id);
    (id, d)
}

fn a_code_not_on_the_form_is_said_for_what_it_is(app: &TestApp) {
    let ours = world::school(app, 71);
    let theirs = world::school(app, 72);
    let (_, mine) = started(app, &ours);
    let (_, other) = started(app, &theirs);
    let (b, _) = Browser::user(app, &ours.id, &["lab_staff"], "scan-wang");
    let mut b = b.language("zh-CN");

    let v = what(&mut b, &mine);
    assert_eq!(v["kind"], "ours", "{v}");
    let text = v["text"].as_str().unwrap_or_default();
    // The person recognises it by its waste, code and hazards in words, and its lab — not by the code alone.
    assert!(text.starts_with("本单位的容器，但不在本单上："), "{text}");
    assert!(
        text.contains("900-047-49") && text.contains("毒性") && text.contains("实验室 B-304"),
        "{text}"
    );
    // A label URL (a QR that holds a link to the container page) names the same container.
    assert_eq!(
        what(&mut b, &format!("https://example.org/c/{mine}"))["kind"],
        "ours"
    );

    let v = what(&mut b, &other);
    assert_eq!(v["kind"], "elsewhere", "{v}");
    assert!(
        v["text"].as_str().unwrap_or_default().contains(&other),
        "{v}"
    );
    assert!(
        !v["text"].as_str().unwrap_or_default().contains("实验室"),
        "nothing of another school's container is told: {v}"
    );

    for code in ["HELLO-NOT-A-LABEL", "", "' OR 1=1 --", &"9".repeat(5000)] {
        let v = what(&mut b, code);
        assert_eq!(v["kind"], "unknown", "{code:.20}: {v}");
        assert!(
            v["text"]
                .as_str()
                .unwrap_or_default()
                .starts_with("不认识的编码")
        );
    }

    // In English for a person who reads English.
    let mut en = b.language("en");
    let v = what(&mut en, "HELLO-NOT-A-LABEL");
    assert!(
        v["text"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Unknown code"),
        "{v}"
    );
    // Nobody signed in learns nothing.
    let mut stranger = Browser::new(app);
    let p = stranger.get(&format!("/scan/what?code={mine}"));
    assert_ne!(p.status, 200, "{}", p.body);
    assert!(!p.body.contains("900-047-49"));
}

fn the_forms_name_each_container_and_the_station_sees_what_waits(app: &TestApp) {
    let w = world::world(app, 73);
    world::contract(app, &w.station, &w.firm, &["900-047-49"]);
    let a = world::sealed_container(app, &w);
    // The school's request, through the page: each sealed container named, with a scan field and camera.
    let (teacher, _) = Browser::user(app, &w.school, &["lab_staff"], "scan-teacher");
    let mut teacher = teacher.language("zh-CN");
    let p = teacher.get("/pickups/new");
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("data-scan-check") && p.body.contains("data-camera=\"scan-request\""));
    assert!(
        p.body
            .contains("含氰无机废液 · 900-047-49 · 毒性 · 实验室 B-304"),
        "{}",
        p.body
    );
    let today = app.today();
    let from = format!("{}T08:00:00+08:00", today + time::Duration::days(1));
    let until = format!("{}T17:00:00+08:00", today + time::Duration::days(5));
    let r = app.post(
        "/api/v1/pickup-requests",
        &w.staff,
        json!({"container_ids": [a], "preferred_from": from, "preferred_until": until, "contact": "张老师 138-0000-0000"}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let (op, _) = Browser::user(app, &w.station, &["station_operator"], "scan-op");
    let mut op = op.language("zh-CN");
    // The station's home lists the request with what it holds; the requests page offers a two-hour slot first.
    let home = op.get("/");
    assert!(home.body.contains("等待处理的收运申请"), "{}", home.body);
    assert!(
        home.body.contains("含氰无机废液 · 900-047-49 · 毒性"),
        "{}",
        home.body
    );
    let list = op.get("/pickups");
    assert!(list.body.contains("含氰无机废液 · 900-047-49 · 毒性"));
    let day = today + time::Duration::days(1);
    assert!(
        list.body.contains(&format!("value=\"{day}T08:00\""))
            && list.body.contains(&format!("value=\"{day}T10:00\"")),
        "the slot offered is 08:00–10:00 of the window's first day: {}",
        list.body
    );
    // Scheduled, the collection form names each container too, with the camera.
    let id = r.1["id"].as_str().expect("id").to_owned();
    let r = app.post(
        &format!("/api/v1/pickup-requests/{id}/schedule"),
        &w.operator,
        json!({"slot_from": from, "slot_until": until}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    let form = op.get(&format!("/pickups/{id}/collect"));
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("data-camera=\"scan-collect\""));
    assert!(
        form.body
            .contains("data-what=\"含氰无机废液 · 900-047-49 · 毒性 · 实验室 B-304\"")
    );
}

fn a_container_links_to_its_site(app: &TestApp) {
    let s = world::school(app, 74);
    let r = app.post(
        "/api/v1/storage-sites",
        &s.officer,
        json!({"kind": "lab_point", "name": "化学实验室暂存点", "location": "实验楼 B-104", "responsible": "王老师", "contact": "138-0000-0000", "zones": []}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let site = r.1["id"].as_str().expect("id").to_owned();
    let r = app.post(
        "/api/v1/containers",
        &s.staff,
        json!({"lab": "B-304", "capacity_liters": "20", "material": "hdpe", "contact": "张老师", "site_id": site}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let id = r.1["id"].as_str().expect("id").to_owned();
    let (b, _) = Browser::user(app, &s.id, &["lab_staff"], "site-wang");
    let mut b = b.language("zh-CN");
    let page = b.get(&format!("/c/{id}"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("href=\"/sites/{site}\" id=\"container-site\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains("化学实验室暂存点"));
}

fn each_organisation_is_offered_the_sites_it_keeps(app: &TestApp) {
    // sites.toml `kept_by`: a school registers no transfer station's warehouse, a station no laboratory point.
    let s = world::school(app, 76);
    let site = |kind: &str| json!({"kind": kind, "name": "库房", "location": "实验楼", "responsible": "王老师", "contact": "138-0000-0000", "zones": []});
    let r = app.post(
        "/api/v1/storage-sites",
        &s.officer,
        site("station_warehouse"),
    );
    assert_eq!(r.0, 422, "{}", r.1);
    assert_eq!(r.1["error"]["details"]["field"], "kind", "{}", r.1);
    let station = org(app, "transfer_station", 77, "220104", json!({}));
    let operator = waste_e2e::user(app, &station, &["station_operator"], world::TRAINED);
    let r = app.post("/api/v1/storage-sites", &operator, site("lab_point"));
    assert_eq!(r.0, 422, "{}", r.1);
    let r = app.post(
        "/api/v1/storage-sites",
        &operator,
        site("station_warehouse"),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    assert_eq!(
        waste_e2e::count(app, "SELECT COUNT(*) AS n FROM storage_sites"),
        1,
        "the refused ones left nothing"
    );
    // The form offers a school its own kinds only.
    let (b, _) = Browser::user(app, &s.id, &["safety_officer"], "kinds-li");
    let mut b = b.language("zh-CN");
    let form = b.get("/sites");
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("value=\"lab_point\"") && form.body.contains("value=\"storage_point\"")
    );
    assert!(
        !form.body.contains("value=\"station_warehouse\""),
        "{}",
        form.body
    );
}

fn containers_are_scanned_into_a_site_all_or_none(app: &TestApp) {
    // The site page's move-in form lists the containers held elsewhere (by their digital code, which the camera
    // ticks); a refused move moves none of them (one write); a move is a custody event per container.
    let s = world::school(app, 81);
    let r = app.post(
        "/api/v1/storage-sites",
        &s.officer,
        json!({"kind": "storage_point", "name": "化学楼贮存点", "location": "化学楼 101", "responsible": "李主任", "contact": "138-0000-0000", "zones": []}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let site = r.1["id"].as_str().expect("id").to_owned();
    let (a, da) = started(app, &s);
    let (b_id, db) = started(app, &s);
    let other = world::school(app, 82);
    let (stranger, _) = started(app, &other);
    let (mut b, _) = Browser::user(app, &s.id, &["lab_staff", "safety_officer"], "move-in-li");
    b = b.language("zh-CN");
    let page = b.get(&format!("/sites/{site}"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"move-in-form\""), "{}", page.body);
    for d in [&da, &db] {
        assert!(
            page.body.contains(&format!("data-code=\"{d}\"")),
            "{d} is offered"
        );
    }
    assert!(page.body.contains("现在在实验室"), "where each stands now");
    let csrf = page.input("csrf");
    let moved = |app: &TestApp| {
        waste_e2e::count(app, "SELECT COUNT(*) AS n FROM events WHERE kind = 'moved'")
    };
    // Nothing chosen: the form again, the field named, nothing moved.
    let r = b.post(&format!("/sites/{site}/move-in"), &[("csrf", &csrf)]);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("id=\"form-error\""), "{}", r.body);
    // Another school's container among ours: refused, and ours stay where they were (all or none).
    let r = b.post(
        &format!("/sites/{site}/move-in"),
        &[("csrf", &csrf), ("c", &a), ("c", &stranger)],
    );
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(moved(app), 0, "a refused move moves none");
    let r = b.post(
        &format!("/sites/{site}/move-in"),
        &[("csrf", &csrf), ("c", &a), ("c", &b_id)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), format!("/sites/{site}?moved=2#containers"));
    assert_eq!(moved(app), 2, "one custody event per container");
    assert_eq!(
        waste_e2e::count(
            app,
            &format!(
                "SELECT COUNT(*) AS n FROM containers WHERE site_id = '{site}' AND id IN ('{a}', '{b_id}')"
            )
        ),
        2,
        "both stand at the site"
    );
    let after = b.get(&format!("/sites/{site}?moved=2"));
    assert!(after.body.contains("已移入 2 个容器"), "{}", after.body);
    assert!(
        !after.body.contains("id=\"move-in-form\""),
        "nothing left to move in: {}",
        after.body
    );
}

fn the_bureau_counts_the_stations_contract(app: &TestApp) {
    // A school whose waste goes out through a transfer station under the station's contract (the station is the
    // shipper on the manifest) is covered; a school with neither is not.
    let w = world::world(app, 75);
    world::contract(app, &w.station, &w.firm, &["900-047-49"]);
    let a = world::sealed_container(app, &w);
    let r = world::pickup(app, &w, &[&a]);
    assert_eq!(r.0, 201, "{}", r.1);
    let lonely = world::school(app, 79);
    let bureau = org(app, "authority", 80, "220100", json!({}));
    let auditor = waste_e2e::user(app, &bureau, &["auditor"], world::TRAINED);
    let (st, o) = app.get("/api/v1/oversight/schools", &auditor);
    assert_eq!(st, 200, "{o}");
    let of = |id: &str| {
        o["items"]
            .as_array()
            .and_then(|xs| xs.iter().find(|x| x["school_id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("{id} in {o}"))
    };
    let shipped = of(&w.school);
    assert_eq!(shipped["valid_disposal_contract"], true, "{shipped}");
    assert_eq!(shipped["disposal_contract_via"], w.station.as_str());
    let none = of(&lonely.id);
    assert_eq!(none["valid_disposal_contract"], false, "{none}");
    assert!(none["disposal_contract_via"].is_null());
    // The page says through whom.
    let (b, _) = Browser::user(app, &bureau, &["auditor"], "scan-bureau");
    let mut b = b.language("zh-CN");
    let page = b.get("/bureau");
    assert!(page.body.contains("经转运站合同："), "{}", page.body);
    // The bureau's home lists the school needing attention (no contract), not the covered one.
    let home = b.get("/");
    assert!(
        home.body
            .contains(&format!("href=\"/bureau/s/{}\"", lonely.id)),
        "{}",
        home.body
    );
    assert!(
        !home
            .body
            .contains(&format!("href=\"/bureau/s/{}\"", w.school)),
        "{}",
        home.body
    );
    assert!(home.body.contains("需要关注的学校"));
}

both_backends! {
    a_code_not_on_the_form_is_said_for_what_it_is => a_code_not_on_the_form_is_said_for_what_it_is;
    the_forms_name_each_container_and_the_station_sees_what_waits => the_forms_name_each_container_and_the_station_sees_what_waits;
    a_container_links_to_its_site => a_container_links_to_its_site;
    the_bureau_counts_the_stations_contract => the_bureau_counts_the_stations_contract;
    each_organisation_is_offered_the_sites_it_keeps => each_organisation_is_offered_the_sites_it_keeps;
    containers_are_scanned_into_a_site_all_or_none => containers_are_scanned_into_a_site_all_or_none;
}
