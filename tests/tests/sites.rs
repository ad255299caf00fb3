//! Storage sites end to end, on SQLite and on PostgreSQL (issue 18): a move that would take a storage point over
//! 3 t is refused with the citation (GB 18597-2023 8.3.5) and changes nothing; a containment shortfall is
//! reported with its figures (6.2.2); incompatible wastes in one zone are flagged (6.1.2); an inspection finding
//! shows until it is followed up (8.2.2); the HJ 1276-2022 signs are well-formed SVG with their fields.

use serde_json::{Value, json};
use waste_e2e::{TestApp, assert_error, both_backends, count, org, user};

struct School {
    id: String,
    staff: String,
    officer: String,
}

fn school(app: &TestApp, n: u32) -> School {
    let id = org(app, "school", n, "220102", json!({}));
    School {
        staff: user(app, &id, &["lab_staff"], "2099-12-31"),
        officer: user(app, &id, &["safety_officer"], "2099-12-31"),
        id,
    }
}

fn site(
    app: &TestApp,
    token: &str,
    kind: &str,
    containment: Option<&str>,
    zones: &[&str],
) -> String {
    let mut body = json!({"kind": kind, "name": format!("{kind} 1"), "location": "实验楼 B-104",
        "responsible": "王老师", "contact": "138-0000-0000", "zones": zones});
    if let Some(c) = containment {
        body["containment_liters"] = json!(c);
    }
    let r = app.post("/api/v1/storage-sites", token, body);
    assert_eq!(r.0, 201, "{}", r.1);
    r.1["id"].as_str().expect("id").to_owned()
}

fn container(
    app: &TestApp,
    token: &str,
    capacity: &str,
    site: Option<(&str, Option<&str>)>,
) -> String {
    let mut body = json!({"lab": "B-304", "capacity_liters": capacity, "material": "hdpe", "contact": "张老师 138-0000-0000"});
    if let Some((s, z)) = site {
        body["site_id"] = json!(s);
        if let Some(z) = z {
            body["zone"] = json!(z);
        }
    }
    let r = app.post("/api/v1/containers", token, body);
    assert_eq!(r.0, 201, "{}", r.1);
    r.1["id"].as_str().expect("id").to_owned()
}

fn add(app: &TestApp, token: &str, id: &str, components: Value, litres: &str) -> (u16, Value) {
    app.post(
        &format!("/api/v1/containers/{id}/additions"),
        token,
        json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": components}, "quantity": litres, "unit": "L"}),
    )
}

fn acid() -> Value {
    json!([{"name": "hydrochloric acid", "fraction": "0.1"}, {"name": "water", "fraction": "0.9"}])
}

fn cyanide() -> Value {
    json!([{"name": "potassium cyanide", "fraction": "0.01"}, {"name": "water", "fraction": "0.99"}])
}

fn get_site(app: &TestApp, token: &str, id: &str) -> Value {
    let (s, v) = app.get(&format!("/api/v1/storage-sites/{id}"), token);
    assert_eq!(s, 200, "{v}");
    v
}

fn move_to(app: &TestApp, token: &str, c: &str, site: &str, zone: Option<&str>) -> (u16, Value) {
    let mut body = json!({"site_id": site});
    if let Some(z) = zone {
        body["zone"] = json!(z);
    }
    app.post(&format!("/api/v1/containers/{c}/move"), token, body)
}

fn codes(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|w| w["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn register_and_read(app: &TestApp) {
    let s = school(app, 100);
    let id = site(app, &s.officer, "storage_point", Some("50"), &["A", "B"]);
    let v = get_site(app, &s.staff, &id);
    assert_eq!(v["kind"], "storage_point");
    assert_eq!(v["organization_id"], s.id.as_str());
    assert_eq!(v["zones"], json!(["A", "B"]));
    assert_eq!(v["containers"], json!([]));
    assert_eq!(v["quantity"]["on_hand_kg"], "0");
    assert_eq!(v["quantity"]["max_kg"], "3000");
    assert_eq!(v["containment"]["level"], "no_liquids");
    let todo = codes(&v["todo"]);
    assert!(
        todo.contains(&"sign_never_printed".to_owned())
            && todo.contains(&"inspection_never".to_owned()),
        "{todo:?}"
    );
    assert_eq!(
        app.get("/api/v1/storage-sites", &s.officer).1["items"][0]["id"],
        id.as_str()
    );
    // Bad input names the field; nothing is written.
    let before = count(app, "SELECT COUNT(*) AS n FROM storage_sites");
    let bad = app.post("/api/v1/storage-sites", &s.officer, json!({"kind": "cupboard", "name": "x", "location": "x", "responsible": "x", "contact": "x"}));
    assert_error(&bad, 422, "invalid_input");
    assert!(
        bad.1["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("kind"),
        "{}",
        bad.1
    );
    assert_error(
        &app.post("/api/v1/storage-sites", &s.officer, json!({"kind": "storage_point", "name": "x", "location": "x", "responsible": "x", "contact": "x", "containment_liters": "lots"})),
        422,
        "invalid_input",
    );
    assert_eq!(
        count(app, "SELECT COUNT(*) AS n FROM storage_sites"),
        before
    );
    // Another school sees nothing of it; lab staff do not register sites.
    let other = school(app, 101);
    assert_error(
        &app.get(&format!("/api/v1/storage-sites/{id}"), &other.officer),
        404,
        "not_found",
    );
    assert_eq!(
        app.get("/api/v1/storage-sites", &other.officer).1["items"],
        json!([])
    );
    assert_error(
        &app.post("/api/v1/storage-sites", &s.staff, json!({"kind": "lab_point", "name": "x", "location": "x", "responsible": "x", "contact": "x"})),
        403,
        "forbidden",
    );
}

fn ceiling_of_a_storage_point(app: &TestApp) {
    let s = school(app, 200);
    let point = site(app, &s.officer, "storage_point", Some("5000"), &[]);
    let lab = site(app, &s.officer, "lab_point", None, &[]);
    // Two 2000 L containers filled to 1500 L each: 3000 kg, exactly the ceiling.
    for _ in 0..2 {
        let c = container(app, &s.staff, "2000", Some((&point, None)));
        assert_eq!(add(app, &s.staff, &c, acid(), "1500").0, 201);
    }
    let v = get_site(app, &s.officer, &point);
    assert_eq!(v["quantity"]["on_hand_kg"], "3000");
    assert_eq!(v["quantity"]["level"], "near_ceiling");
    assert!(codes(&v["warnings"]).contains(&"near_ceiling".to_owned()));
    // A container at the lab point, moved to the storage point: 3010 kg, refused with the clause.
    let c = container(app, &s.staff, "20", Some((&lab, None)));
    assert_eq!(add(app, &s.staff, &c, acid(), "10").0, 201);
    let events = count(
        app,
        &format!("SELECT COUNT(*) AS n FROM events WHERE aggregate = 'container:{c}'"),
    );
    let r = move_to(app, &s.staff, &c, &point, None);
    assert_error(&r, 409, "storage_point_full");
    assert_eq!(
        r.1["error"]["details"]["citation"], "GB 18597-2023 8.3.5",
        "{}",
        r.1
    );
    assert_eq!(r.1["error"]["details"]["after_kg"], "3010");
    assert_eq!(r.1["error"]["details"]["max_kg"], "3000");
    // Nothing changed: the container is still at the lab point, no event was added.
    assert_eq!(
        count(
            app,
            &format!("SELECT COUNT(*) AS n FROM containers WHERE id = '{c}' AND site_id = '{lab}'")
        ),
        1
    );
    assert_eq!(
        count(
            app,
            &format!("SELECT COUNT(*) AS n FROM events WHERE aggregate = 'container:{c}'")
        ),
        events
    );
    // An addition at the full storage point is refused the same way.
    let full = container(app, &s.staff, "20", Some((&point, None)));
    let r = add(app, &s.staff, &full, acid(), "1");
    assert_error(&r, 409, "storage_point_full");
    // A move to the lab point (no ceiling) is a custody event.
    let r = move_to(app, &s.staff, &full, &lab, None);
    assert_eq!(r.0, 200, "{}", r.1);
    assert_eq!(
        count(
            app,
            &format!(
                "SELECT COUNT(*) AS n FROM events WHERE aggregate = 'container:{full}' AND kind = 'moved'"
            )
        ),
        1
    );
    // A site of another school is not a destination.
    let other = school(app, 201);
    let theirs = site(app, &other.officer, "storage_point", None, &[]);
    assert_error(
        &move_to(app, &s.staff, &full, &theirs, None),
        422,
        "invalid_input",
    );
}

fn containment_shortfall(app: &TestApp) {
    let s = school(app, 300);
    let point = site(app, &s.officer, "storage_point", Some("10"), &[]);
    let c = container(app, &s.staff, "20", Some((&point, None)));
    assert_eq!(add(app, &s.staff, &c, acid(), "5").0, 201);
    let v = get_site(app, &s.officer, &point);
    let k = &v["containment"];
    assert_eq!(k["level"], "short", "{k}");
    assert_eq!(k["largest_container_l"], "20");
    assert_eq!(k["liquids_l"], "5");
    assert_eq!(k["required_l"], "20");
    assert_eq!(k["available_l"], "10");
    assert_eq!(k["shortfall_l"], "10");
    assert_eq!(k["citation"], "GB 18597-2023 6.2.2");
    assert!(codes(&v["todo"]).contains(&"containment_short".to_owned()));
    // A bigger container moved in: the answer warns with the new figures.
    let lab = site(app, &s.officer, "lab_point", None, &[]);
    let big = container(app, &s.staff, "60", Some((&lab, None)));
    assert_eq!(add(app, &s.staff, &big, acid(), "10").0, 201);
    let (st, m) = move_to(app, &s.staff, &big, &point, None);
    assert_eq!(st, 200, "{m}");
    assert_eq!(m["containment"]["required_l"], "60");
    assert!(
        codes(&m["warnings"]).contains(&"containment_short".to_owned()),
        "{m}"
    );
}

fn incompatible_wastes_in_one_zone(app: &TestApp) {
    let s = school(app, 400);
    let point = site(
        app,
        &s.officer,
        "storage_facility",
        Some("100"),
        &["A", "B"],
    );
    let cn = container(app, &s.staff, "20", Some((&point, Some("A"))));
    assert_eq!(add(app, &s.staff, &cn, cyanide(), "5").0, 201);
    let lab = site(app, &s.officer, "lab_point", None, &[]);
    let hcl = container(app, &s.staff, "20", Some((&lab, None)));
    assert_eq!(add(app, &s.staff, &hcl, acid(), "5").0, 201);
    // The zone must be one of the site's.
    assert_error(
        &move_to(app, &s.staff, &hcl, &point, None),
        422,
        "invalid_input",
    );
    assert_error(
        &move_to(app, &s.staff, &hcl, &point, Some("Z")),
        422,
        "invalid_input",
    );
    // Into zone A with the cyanide: flagged, with the clause.
    let (st, m) = move_to(app, &s.staff, &hcl, &point, Some("A"));
    assert_eq!(st, 200, "{m}");
    assert!(
        codes(&m["warnings"]).contains(&"incompatible_in_zone".to_owned()),
        "{m}"
    );
    let v = get_site(app, &s.officer, &point);
    let z = &v["zone_conflicts"][0];
    assert_eq!(z["zone"], "A");
    assert!(
        z["citation"]
            .as_str()
            .unwrap_or_default()
            .starts_with("GB 18597-2023 6.1.2"),
        "{z}"
    );
    assert!(
        z["consequences"]
            .as_array()
            .is_some_and(|c| c.contains(&json!("GT"))),
        "{z}"
    );
    // Moved to zone B, the conflict is gone.
    assert_eq!(move_to(app, &s.staff, &hcl, &point, Some("B")).0, 200);
    assert_eq!(
        get_site(app, &s.officer, &point)["zone_conflicts"],
        json!([])
    );
}

fn answers(failed: &str) -> Value {
    let items = [
        "sign_posted_current",
        "containment_intact",
        "no_leaking_container",
        "all_labelled",
        "incompatibles_apart",
        "fire_spill_equipment",
        "ventilation",
    ];
    Value::Array(
        items
            .iter()
            .map(|i| {
                if *i == failed {
                    json!({"item": i, "ok": false, "note": "spill tray cracked"})
                } else {
                    json!({"item": i, "ok": true})
                }
            })
            .collect(),
    )
}

fn inspection_findings_until_followed_up(app: &TestApp) {
    let s = school(app, 500);
    let bureau = org(app, "authority", 509, "220100", json!({}));
    let official = user(app, &bureau, &["auditor"], "2099-12-31");
    let point = site(app, &s.officer, "storage_point", Some("100"), &[]);
    let today = app.today().to_string();
    let r = app.post(
        &format!("/api/v1/storage-sites/{point}/inspections"),
        &s.officer,
        json!({"inspected_on": today, "answers": answers("containment_intact")}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let finding = r.1["findings"][0]["id"]
        .as_str()
        .expect("finding id")
        .to_owned();
    assert_eq!(r.1["findings"][0]["description"], "spill tray cracked");
    assert_eq!(r.1["findings"][0]["clause"], "GB 18597-2023 6.2.2");
    let v = get_site(app, &s.officer, &point);
    assert_eq!(v["last_inspection"]["inspected_on"], today.as_str());
    assert_eq!(v["open_findings"][0]["id"], finding.as_str());
    assert!(codes(&v["todo"]).contains(&"open_findings".to_owned()));
    // The bureau sees it per school.
    let (st, o) = app.get("/api/v1/oversight/schools", &official);
    assert_eq!(st, 200, "{o}");
    let row = o["items"]
        .as_array()
        .and_then(|i| i.iter().find(|r| r["school_id"] == s.id.as_str()).cloned())
        .expect("school listed");
    assert_eq!(row["storage_sites"][0]["open_findings"], 1, "{row}");
    assert_eq!(row["storage_sites"][0]["last_inspection"], today.as_str());
    // An incomplete checklist is refused, nothing written.
    let before = count(app, "SELECT COUNT(*) AS n FROM site_inspections");
    let partial = json!({"inspected_on": today, "answers": [{"item": "ventilation", "ok": true}]});
    assert_error(
        &app.post(
            &format!("/api/v1/storage-sites/{point}/inspections"),
            &s.officer,
            partial,
        ),
        422,
        "invalid_input",
    );
    assert_eq!(
        count(app, "SELECT COUNT(*) AS n FROM site_inspections"),
        before
    );
    // Followed up: closed, and gone from the open findings.
    let r = app.post(
        &format!("/api/v1/storage-sites/{point}/findings/{finding}/follow-up"),
        &s.officer,
        json!({"done_on": today, "action": "tray replaced"}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    assert_eq!(r.1["followed_up_on"], today.as_str());
    assert_eq!(
        get_site(app, &s.officer, &point)["open_findings"],
        json!([])
    );
    assert_error(
        &app.post(
            &format!("/api/v1/storage-sites/{point}/findings/{finding}/follow-up"),
            &s.officer,
            json!({"done_on": today, "action": "again"}),
        ),
        409,
        "already_followed_up",
    );
    let (_, o) = app.get("/api/v1/oversight/schools", &official);
    let row = o["items"]
        .as_array()
        .and_then(|i| i.iter().find(|r| r["school_id"] == s.id.as_str()).cloned())
        .expect("school listed");
    assert_eq!(row["storage_sites"][0]["open_findings"], 0, "{row}");
}

fn svg_field(svg: &str, field: &str) -> bool {
    svg.contains(&format!("data-field=\"{field}\""))
}

fn signs(app: &TestApp) {
    let s = school(app, 600);
    let point = site(app, &s.officer, "storage_point", Some("100"), &["A"]);
    let (st, svg) = app.get(
        &format!("/api/v1/storage-sites/{point}/sign.svg?type=facility"),
        &s.staff,
    );
    assert_eq!(st, 200);
    let svg = svg.as_str().expect("svg text").to_owned();
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
    for f in [
        "title",
        "symbol",
        "unit_name",
        "facility_name",
        "facility_code",
        "responsible",
        "contact",
    ] {
        assert!(svg_field(&svg, f), "{f} in {svg}");
    }
    assert!(svg.contains("危险废物贮存点") && svg.contains("school 600"));
    // The zone sign needs waste in the zone.
    assert_error(
        &app.get(
            &format!("/api/v1/storage-sites/{point}/sign.svg?type=zone&zone=A"),
            &s.staff,
        ),
        409,
        "sign_incomplete",
    );
    assert_error(
        &app.get(
            &format!("/api/v1/storage-sites/{point}/sign.svg?type=label"),
            &s.staff,
        ),
        422,
        "invalid_input",
    );
    let c = container(app, &s.staff, "20", Some((&point, Some("A"))));
    assert_eq!(add(app, &s.staff, &c, acid(), "5").0, 201);
    let (st, zone) = app.get(
        &format!("/api/v1/storage-sites/{point}/sign.svg?type=zone&zone=A"),
        &s.staff,
    );
    assert_eq!(st, 200, "{zone}");
    let zone = zone.as_str().expect("svg").to_owned();
    assert!(
        svg_field(&zone, "wastes") && zone.contains("900-047-49"),
        "{zone}"
    );
    // Recording the print: the facility sign is then current; a stale digest is refused.
    let v = get_site(app, &s.officer, &point);
    let facility = v["signs"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["type"] == "facility").cloned())
        .expect("facility sign");
    assert_eq!(facility["state"], "never_printed");
    let digest = facility["digest"].as_str().expect("digest").to_owned();
    assert!(svg.contains(&digest));
    let r = app.post(
        &format!("/api/v1/storage-sites/{point}/signs"),
        &s.officer,
        json!({"type": "facility", "digest": digest}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    assert_error(
        &app.post(
            &format!("/api/v1/storage-sites/{point}/signs"),
            &s.officer,
            json!({"type": "zone", "zone": "A", "digest": "0"}),
        ),
        409,
        "sign_outdated",
    );
    let v = get_site(app, &s.officer, &point);
    let states: Vec<(String, String)> = v["signs"]
        .as_array()
        .expect("signs")
        .iter()
        .map(|x| {
            (
                x["type"].as_str().unwrap_or_default().to_owned(),
                x["state"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        states,
        vec![
            ("facility".to_owned(), "current".to_owned()),
            ("zone".to_owned(), "never_printed".to_owned())
        ]
    );
}

/// Two moves into a nearly full storage point at the same moment: the site row is locked for the check (on
/// PostgreSQL; SQLite has one writer), so at most one of them fits and the ceiling holds (GB 18597-2023 8.3.5).
fn concurrent_moves_keep_the_ceiling(app: &TestApp) {
    let s = school(app, 700);
    let lab = site(app, &s.officer, "lab_point", None, &[]);
    for round in 0..8 {
        let point = site(app, &s.officer, "storage_point", Some("5000"), &[]);
        for _ in 0..2 {
            let c = container(app, &s.staff, "2000", Some((&point, None)));
            assert_eq!(add(app, &s.staff, &c, acid(), "1495").0, 201);
        }
        let movers: Vec<String> = (0..2)
            .map(|_| {
                let c = container(app, &s.staff, "20", Some((&lab, None)));
                assert_eq!(add(app, &s.staff, &c, acid(), "8").0, 201);
                c
            })
            .collect();
        let barrier = std::sync::Barrier::new(2);
        let statuses: Vec<u16> = std::thread::scope(|scope| {
            let handles: Vec<_> = movers
                .iter()
                .map(|c| {
                    let barrier = &barrier;
                    let point = &point;
                    let token = &s.staff;
                    scope.spawn(move || {
                        barrier.wait();
                        move_to(app, token, c, point, None).0
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        let mut sorted = statuses.clone();
        sorted.sort();
        assert_eq!(sorted, vec![200, 409], "round {round}: {statuses:?}");
        assert_eq!(
            get_site(app, &s.officer, &point)["quantity"]["on_hand_kg"],
            "2998",
            "round {round}"
        );
    }
}

/// The storage clock of a container follows the kind of the site it stands at, not the organisation holding it
/// (GB 18597-2023; `sites.toml` names each kind's clock): a school's container moved from its lab point to its
/// storage point runs on the storage point's clock, and back at the lab point on the lab's; its start date does not
/// change with a move. (A school keeps no station warehouse: `sites.toml` `kept_by`, tested in `scanning.rs`.)
fn clock_follows_the_site(app: &TestApp) {
    let s = school(app, 160);
    let lab = site(app, &s.officer, "lab_point", None, &[]);
    let point = site(app, &s.officer, "storage_point", Some("100"), &[]);
    let c = container(app, &s.staff, "20", Some((&lab, None)));
    let r = add(app, &s.staff, &c, acid(), "1");
    assert_eq!(r.0, 201, "{}", r.1);
    let clock = |app: &TestApp| {
        let (st, v) = app.get(&format!("/api/v1/containers/{c}"), &s.staff);
        assert_eq!(st, 200, "{v}");
        v["storage"].clone()
    };
    let at_lab = clock(app);
    assert_eq!(at_lab["site"], "lab", "{at_lab}");
    let r = move_to(app, &s.staff, &c, &point, None);
    assert_eq!(r.0, 200, "{}", r.1);
    let at_point = clock(app);
    assert_eq!(at_point["site"], "storage_point", "{at_point}");
    assert_eq!(at_point["started_on"], at_lab["started_on"]);
    let r = move_to(app, &s.staff, &c, &lab, None);
    assert_eq!(r.0, 200, "{}", r.1);
    let back = clock(app);
    assert_eq!(back["site"], "lab", "{back}");
    assert_eq!(back["started_on"], at_lab["started_on"]);
}

both_backends! {
    a_site_is_registered_and_read_with_its_checks => register_and_read;
    a_move_over_3t_at_a_storage_point_is_refused_gb18597_8_3_5 => ceiling_of_a_storage_point;
    a_containment_shortfall_is_reported_with_figures_gb18597_6_2_2 => containment_shortfall;
    incompatible_wastes_in_one_zone_are_flagged_gb18597_6_1_2 => incompatible_wastes_in_one_zone;
    an_inspection_finding_shows_until_followed_up_gb18597_8_2_2 => inspection_findings_until_followed_up;
    the_signs_print_and_are_recorded_hj1276_2022 => signs;
    concurrent_moves_into_a_storage_point_keep_3t_gb18597_8_3_5 => concurrent_moves_keep_the_ceiling;
    a_containers_clock_follows_its_sites_kind_gb18597_2023 => clock_follows_the_site;
}
